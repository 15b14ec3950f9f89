// Fuzz target for the capture reader: arbitrary bytes as a .vgl file must give events (and
// container records) or a clear error, never a crash, a hang or unbounded memory. Seeds in
// testdata/fuzz/runtime_replay (containers.vgl has version 2 container records).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "runtime/replay.h"

namespace {
uint64_t g_checksum = 0;  // every byte a view points to is read, so ASan sees bad views

void Touch(std::string_view s) {
  for (char c : s) g_checksum += static_cast<unsigned char>(c);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using vigil::runtime::ContainerInfo;
  using vigil::runtime::Event;
  vigil::runtime::ReplayOptions options;
  // Container records (version 2): every member of each decoded record is read.
  options.on_container = [](uint64_t cgroup_id, const ContainerInfo& c) {
    g_checksum += cgroup_id + c.cgroup_id;
    for (const std::string* s : {&c.id, &c.runtime, &c.name, &c.image, &c.image_digest, &c.pod,
                                 &c.pod_namespace, &c.workload, &c.cgroup_path}) {
      Touch(*s);
    }
    for (const auto& [key, value] : c.labels) {
      Touch(key);
      Touch(value);
    }
  };
  auto src = vigil::runtime::ReplaySource::OpenBuffer(
      std::string(reinterpret_cast<const char*>(data), size), "fuzz.vgl", options);
  if (!src.ok()) return 0;
  for (;;) {
    auto n = (*src)->Poll(std::chrono::milliseconds(0), [](const Event& e) {
      Touch(e.comm);
      Touch(e.path);
      Touch(e.path2);
      Touch(e.exe);
      Touch(e.args);
      Touch(e.cwd);
      Touch(e.addr.unix_path);
    });
    if (!n.ok()) break;  // a finite input always ends: every Poll consumes bytes or fails
  }
  return 0;
}
