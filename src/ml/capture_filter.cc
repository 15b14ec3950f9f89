// ml_capture_filter IN OUT CGROUP_ID [COMM...]: copies the events of a Vigil capture that
// belong to one container and to the host processes that run it, so a recording of a whole
// host can be committed as a small fixture (testdata/ml/captures/record.sh uses it). Kept:
// events of cgroup CGROUP_ID, of processes whose comm is one of COMM (conmon, crun) and of
// their descendants (followed through forks), every kDrops event (a loss stays visible), and
// the container records (capture format version 2) of CGROUP_ID, where they come.
#include <charconv>
#include <chrono>
#include <cstdio>
#include <set>
#include <string>
#include <string_view>

#include "runtime/replay.h"

int main(int argc, char** argv) {
  using namespace vigil::runtime;
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s IN OUT CGROUP_ID [COMM...]\n", argv[0]);
    return 2;
  }
  uint64_t cgroup = 0;
  std::string_view id(argv[3]);
  if (std::from_chars(id.data(), id.data() + id.size(), cgroup).ec != std::errc()) {
    std::fprintf(stderr, "cgroup id '%s' is not a number\n", argv[3]);
    return 2;
  }
  std::set<std::string, std::less<>> comms(argv + 4, argv + argc);
  auto in = ReplaySource::Open(argv[1]);
  if (!in.ok()) {
    std::fprintf(stderr, "%s\n", in.status().ToString().c_str());
    return 1;
  }
  auto out = RecordWriter::Create(argv[2], (*in)->info());
  if (!out.ok()) {
    std::fprintf(stderr, "%s\n", out.status().ToString().c_str());
    return 1;
  }
  std::set<uint32_t> kept;
  vigil::Status write_status;
  uint64_t written = 0;
  (*in)->set_on_container([&](uint64_t cgroup_id, const ContainerInfo& info) {
    if (cgroup_id != cgroup) return;
    vigil::Status s = (*out)->WriteContainer(cgroup_id, info);
    if (!s.ok() && write_status.ok()) write_status = s;
  });
  EventSink sink = [&](const Event& e) {
    bool keep = e.type == EventType::kDrops || e.cgroup_id == cgroup || comms.count(e.comm) ||
                kept.count(e.pid) || (e.type == EventType::kProcessFork && kept.count(e.ppid));
    if (!keep) return;
    if (e.type != EventType::kDrops) kept.insert(e.pid);
    if (e.type == EventType::kProcessExit) kept.erase(e.pid);
    vigil::Status s = (*out)->Write(e);
    if (!s.ok() && write_status.ok()) write_status = s;
    ++written;
  };
  while (true) {
    auto n = (*in)->Poll(std::chrono::milliseconds(0), sink);
    if (!n.ok()) {
      if (n.status().code() == vigil::StatusCode::kOutOfRange) break;
      std::fprintf(stderr, "%s\n", n.status().ToString().c_str());
      return 1;
    }
  }
  if (write_status.ok()) write_status = (*out)->Close();
  if (!write_status.ok()) {
    std::fprintf(stderr, "%s\n", write_status.ToString().c_str());
    return 1;
  }
  std::printf("%llu of %llu events kept\n", static_cast<unsigned long long>(written),
              static_cast<unsigned long long>((*in)->Stats().events));
  return 0;
}
