// The agent loop and its outputs over real sources (synthetic and replayed recordings):
// Falco-compatible alert lines, drop alerts per second of event time, event lines, the
// Prometheus page over real HTTP, a webhook receiving real POSTs (and counting drops when
// it cannot), and recording what was replayed.
#include "runtime/agent.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "runtime/falco_json.h"
#include "runtime/synthetic.h"
#include "runtime/syscalls.h"

namespace vigil::runtime {
namespace {

class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("vigil-agent-test-" + std::to_string(getpid()) + "-" + std::to_string(counter_++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// A blocking HTTP/1.0-style request on loopback; returns the whole response.
std::string HttpRequest(uint16_t port, const std::string& request) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0) {
    close(fd);
    return "";
  }
  send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = recv(fd, buf, sizeof(buf), 0)) > 0;) out.append(buf, n);
  close(fd);
  return out;
}

// A minimal HTTP receiver for webhook POSTs: records each body, answers `status`.
class Receiver {
 public:
  explicit Receiver(int status) : status_(status) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof(sa));
    listen(fd_, 16);
    socklen_t len = sizeof(sa);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len);
    port_ = ntohs(sa.sin_port);
    thread_ = std::thread([this] { Loop(); });
  }
  ~Receiver() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }
  uint16_t port() const { return port_; }
  std::vector<std::string> bodies() {
    std::lock_guard<std::mutex> lock(mu_);
    return bodies_;
  }
  std::vector<std::string> content_types() {
    std::lock_guard<std::mutex> lock(mu_);
    return types_;
  }

 private:
  void Loop() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      std::string req;
      char buf[65536];
      size_t want = std::string::npos;
      while (want == std::string::npos || req.size() < want) {
        ssize_t n = recv(c, buf, sizeof(buf), 0);
        if (n <= 0) break;
        req.append(buf, n);
        size_t head = req.find("\r\n\r\n");
        if (head != std::string::npos && want == std::string::npos) {
          std::smatch m;
          std::string h = req.substr(0, head);
          std::regex cl("Content-Length: (\\d+)", std::regex::icase);
          size_t len = std::regex_search(h, m, cl) ? std::stoul(m[1]) : 0;
          want = head + 4 + len;
          std::regex ct("Content-Type: ([^\\r]+)", std::regex::icase);
          std::lock_guard<std::mutex> lock(mu_);
          types_.push_back(std::regex_search(h, m, ct) ? std::string(m[1]) : "");
        }
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        bodies_.push_back(req.substr(req.find("\r\n\r\n") + 4));
      }
      std::string resp = "HTTP/1.1 " + std::to_string(status_) +
                         " X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      send(c, resp.data(), resp.size(), MSG_NOSIGNAL);
      close(c);
    }
  }
  int status_;
  int fd_;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<std::string> bodies_, types_;
  std::thread thread_;
};

TEST(FalcoJson, DropAlertHasFalcosShape) {
  Alert a = MakeDropAlert(1767225600123456789ull, 812, 40000, true, "node-1");
  auto j = nlohmann::json::parse(report::AlertToFalcoJson(a));
  EXPECT_EQ(j["rule"], "Falco internal: syscall event drop");
  EXPECT_EQ(j["priority"], "Critical");
  EXPECT_EQ(j["output"],
            "Falco internal: syscall event drop. 812 system calls dropped in last second.");
  EXPECT_EQ(j["time"], "2026-01-01T00:00:00.123456789Z");
  EXPECT_EQ(j["source"], "syscall");
  EXPECT_EQ(j["hostname"], "node-1");
  EXPECT_TRUE(j["tags"].is_array());
  EXPECT_EQ(j["output_fields"]["n_drops"], "812");
  EXPECT_EQ(j["output_fields"]["n_evts"], "40000");
  EXPECT_EQ(j["output_fields"]["ebpf_enabled"], "1");
  EXPECT_EQ(FormatAlertText(a),
            "00:00:00.123456789: Critical Falco internal: syscall event drop. 812 system calls "
            "dropped in last second.(ebpf_enabled=1 n_drops=812 n_drops_buffer=812 "
            "n_drops_bug=0 n_drops_pf=0 n_evts=40000)");
}

TEST(FalcoJson, EventLinesAreValidJsonWhateverTheBytes) {
  SyntheticBuilder b;
  b.Exec("/bin/sh", {"sh", "-c", "echo \"hi\"\n\ttab\\", std::string_view("\xff\xfe bad", 6)});
  b.Open(std::string_view("/tmp/\x01\x7f\xc3\xa9\xe2\x82", 11), O_RDONLY).Connect("[::1]:80");
  b.Drops(3).Counts(sys::kRead, 9, 100).Syscall(400, -38);
  for (const Event& e : b.events()) {
    std::string line;
    AppendEventJson(e, line);
    auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << line;
    EXPECT_EQ(j["type"], std::string(EventTypeName(e.type)));
    std::string text;
    AppendEventText(e, text);
    EXPECT_EQ(text.find('\n'), std::string::npos);
  }
  std::string exec;
  AppendEventJson(b.events()[0], exec);
  auto j = nlohmann::json::parse(exec);
  ASSERT_EQ(j["args"].size(), 4u);
  EXPECT_EQ(j["args"][2], "echo \"hi\"\n\ttab\\");
  EXPECT_EQ(j["args"][3], "\xef\xbf\xbd\xef\xbf\xbd bad");  // U+FFFD for each bad byte
  std::string connect;
  AppendEventJson(b.events()[2], connect);
  EXPECT_EQ(nlohmann::json::parse(connect)["addr"], "[::1]:80");
}

AgentOptions FileOptions(const TempDir& dir) {
  AgentOptions o;
  o.output = dir / "alerts.jsonl";
  o.hostname = "test-host";
  return o;
}

TEST(Agent, DropAlertsPerSecondOfEventTime) {
  TempDir dir;
  SyntheticBuilder b;
  b.Step(100'000'000);  // 10 events per second of event time
  for (int i = 0; i < 10; ++i) b.Close(i);
  b.Drops(5).Close(1).Drops(7);  // second 1: 12 drops, one alert
  for (int i = 0; i < 10; ++i) b.Close(i);
  b.Drops(4);  // second 2 ends with the source: reported at the end
  auto agent = Agent::Create(FileOptions(dir), b.Build());
  ASSERT_TRUE(agent.ok()) << agent.status();
  std::atomic<bool> stop{false};
  ASSERT_TRUE((*agent)->Run(stop).ok());
  auto lines = ReadLines(dir / "alerts.jsonl");
  ASSERT_EQ(lines.size(), 2u);
  auto first = nlohmann::json::parse(lines[0]);
  auto second = nlohmann::json::parse(lines[1]);
  EXPECT_EQ(first["output_fields"]["n_drops"], "12");
  EXPECT_EQ(second["output_fields"]["n_drops"], "4");
  EXPECT_EQ(first["hostname"], "test-host");
  EXPECT_EQ(first["output_fields"]["ebpf_enabled"], "0");
  const AgentSummary& s = (*agent)->summary();
  EXPECT_EQ(s.events, 24u);
  EXPECT_EQ(s.drops, 16u);
  EXPECT_EQ(s.alerts, 2u);
}

TEST(Agent, EventsMetricsAndRecordingOfAReplay) {
  TempDir dir;
  SyntheticBuilder b;
  b.Cgroup(7001).Exec("/bin/sh", {"sh", "-c", "id"}).Open("/etc/shadow", O_RDONLY);
  b.Cgroup(1).Socket(AF_INET, SOCK_STREAM).Connect("10.0.0.1:443").Counts(sys::kRead, 500);
  b.Drops(2).Exit(0);
  std::string capture = dir / "in.vgl";
  {
    auto w = RecordWriter::Create(capture, CaptureInfo::ForThisHost("synthetic"));
    ASSERT_TRUE(w.ok());
    for (const Event& e : b.events()) ASSERT_TRUE((*w)->Write(e).ok());
    ASSERT_TRUE((*w)->Close().ok());
  }
  AgentOptions o = FileOptions(dir);
  o.replay = capture;
  o.record = dir / "out.vgl";
  o.events = true;
  o.metrics = "127.0.0.1:0";
  auto agent = Agent::Create(o);
  ASSERT_TRUE(agent.ok()) << agent.status();
  EXPECT_NE((*agent)->metrics_port(), 0);
  std::atomic<bool> stop{false};
  ASSERT_TRUE((*agent)->Run(stop).ok());

  // Every event as a line, then the drop alert.
  auto lines = ReadLines(dir / "alerts.jsonl");
  ASSERT_EQ(lines.size(), b.events().size() + 1);
  for (size_t i = 0; i < b.events().size(); ++i) {
    std::string want;
    AppendEventJson(b.events()[i], want);
    EXPECT_EQ(lines[i], want);
  }
  EXPECT_EQ(nlohmann::json::parse(lines.back())["rule"], "Falco internal: syscall event drop");

  // The recording of the replay replays to the same events.
  auto again = ReplaySource::Open(dir / "out.vgl");
  ASSERT_TRUE(again.ok()) << again.status();
  size_t i = 0;
  for (;;) {
    auto n = (*again)->Poll(std::chrono::milliseconds(0), [&](const Event& e) {
      std::string got, want;
      AppendEventJson(e, got);
      AppendEventJson(b.events()[i++], want);
      EXPECT_EQ(got, want);
    });
    if (!n.ok()) break;
  }
  EXPECT_EQ(i, b.events().size());
  EXPECT_EQ((*agent)->summary().recorded, b.events().size());

  // The metrics page, fetched over HTTP.
  std::string page = HttpRequest((*agent)->metrics_port(), "GET /metrics HTTP/1.1\r\n\r\n");
  EXPECT_NE(page.find("200 OK"), std::string::npos) << page;
  EXPECT_NE(page.find("text/plain; version=0.0.4"), std::string::npos);
  EXPECT_NE(page.find("vigil_agent_events_total{type=\"syscall\"} 3\n"), std::string::npos) << page;
  EXPECT_NE(page.find("vigil_agent_events_total{type=\"exec\"} 1\n"), std::string::npos);
  EXPECT_NE(page.find("vigil_agent_syscalls_total{syscall=\"openat\"} 1\n"), std::string::npos);
  EXPECT_NE(page.find("vigil_agent_syscalls_counted_total{syscall=\"read\"} 500\n"),
            std::string::npos);
  EXPECT_NE(page.find("vigil_agent_drops_total{stage=\"source\"} 2\n"), std::string::npos);
  EXPECT_NE(page.find("cgroup_id=\"7001\""), std::string::npos);
  EXPECT_NE(page.find("process_cpu_seconds_total "), std::string::npos);
  EXPECT_NE(page.find("process_resident_memory_bytes "), std::string::npos);
  EXPECT_NE(page.find("# TYPE vigil_agent_events_per_second gauge"), std::string::npos);
  EXPECT_NE(HttpRequest((*agent)->metrics_port(), "GET /nope HTTP/1.1\r\n\r\n").find("404"),
            std::string::npos);
  EXPECT_NE(HttpRequest((*agent)->metrics_port(), "POST /metrics HTTP/1.1\r\n\r\n").find("405"),
            std::string::npos);
  EXPECT_NE(HttpRequest((*agent)->metrics_port(), std::string(10000, 'A')).find("431"),
            std::string::npos);
}

// The recorder writes a container record before the first event of a container, again
// before the first event after its State answer changed, and at no other event: here through
// a replay whose own container records set the State's answers (SetContainerInfo), one of
// them a repeat of the answer already recorded, across many of the State's maintenance runs.
TEST(Agent, RecordsAContainerAtFirstSightAndAtEachChangeOnly) {
  TempDir dir;
  auto podman = [](uint64_t cgroup, char fill, std::string name) {
    ContainerInfo c;
    c.id = std::string(64, fill);
    c.runtime = "podman";
    c.name = std::move(name);
    c.cgroup_id = cgroup;
    c.cgroup_path = "/machine.slice/libpod-" + c.id + ".scope";
    return c;
  };
  ContainerInfo web = podman(7001, 'a', "");  // first sight: id only
  ContainerInfo web_named = podman(7001, 'a', "web");
  web_named.image = "docker.io/library/nginx:1.25";
  web_named.labels = {{"app", "web"}, {"tier", "front"}};
  ContainerInfo db = podman(7002, 'b', "db");
  ContainerInfo gone;  // the cgroup back to the host entry
  gone.runtime = "host";
  gone.cgroup_id = 1;
  gone.cgroup_path = "/";

  // The input: (records before event i) and the events' cgroups.
  std::vector<uint64_t> cgroups;
  std::multimap<size_t, std::pair<uint64_t, ContainerInfo>> in_records;
  auto events = [&](std::initializer_list<uint64_t> list, int repeat = 1) {
    for (int r = 0; r < repeat; ++r) cgroups.insert(cgroups.end(), list);
  };
  in_records.emplace(0, std::make_pair(uint64_t{7001}, web));
  events({7001, 7001, 1, 7002, 7002, 7001});  // 7002 has no record yet: the host, not written
  in_records.emplace(cgroups.size(), std::make_pair(uint64_t{7001}, web_named));
  events({1, 7002});
  events({7001, 7001});  // the change is recorded before event 8
  in_records.emplace(cgroups.size(), std::make_pair(uint64_t{7001}, web_named));  // a repeat
  events({7001, 1, 7002, 7001});
  in_records.emplace(cgroups.size(), std::make_pair(uint64_t{7002}, db));
  events({7001, 7002});          // recorded before event 15
  events({7001, 7002, 1}, 100);  // 300 events: several maintenance runs, nothing changes
  in_records.emplace(cgroups.size(), std::make_pair(uint64_t{7002}, gone));
  events({7001, 7002});

  SyntheticBuilder b;
  for (uint64_t cgroup : cgroups) b.Cgroup(cgroup).Pid(cgroup == 1 ? 10 : 20).Close(3);
  std::string in = dir / "in.vgl";
  {
    auto w = RecordWriter::Create(in, CaptureInfo::ForThisHost("synthetic"));
    ASSERT_TRUE(w.ok());
    auto next = in_records.begin();
    for (size_t i = 0; i < b.events().size(); ++i) {
      for (; next != in_records.end() && next->first == i; ++next) {
        ASSERT_TRUE((*w)->WriteContainer(next->second.first, next->second.second).ok());
      }
      ASSERT_TRUE((*w)->Write(b.events()[i]).ok());
    }
    ASSERT_TRUE((*w)->Close().ok());
  }
  AgentOptions o = FileOptions(dir);
  o.replay = in;
  o.record = dir / "out.vgl";
  auto agent = Agent::Create(o);
  ASSERT_TRUE(agent.ok()) << agent.status();
  std::atomic<bool> stop{false};
  ASSERT_TRUE((*agent)->Run(stop).ok());

  // The recording's container records, each with the index of the event it precedes.
  struct Written {
    size_t before;
    uint64_t cgroup;
    ContainerInfo info;
  };
  std::vector<Written> written;
  size_t seen = 0;
  ReplayOptions ro;
  ro.on_container = [&](uint64_t cgroup, const ContainerInfo& info) {
    written.push_back({seen, cgroup, info});
  };
  auto out = ReplaySource::Open(dir / "out.vgl", ro);
  ASSERT_TRUE(out.ok()) << out.status();
  for (;;) {
    auto n = (*out)->Poll(std::chrono::milliseconds(0), [&](const Event&) { ++seen; });
    if (!n.ok()) break;
  }
  EXPECT_EQ(seen, cgroups.size());
  std::vector<std::pair<size_t, uint64_t>> where;
  for (const Written& w : written) where.emplace_back(w.before, w.cgroup);
  EXPECT_EQ(where, (std::vector<std::pair<size_t, uint64_t>>{
                       {0, 7001}, {8, 7001}, {15, 7002}, {cgroups.size() - 1, 7002}}));
  ASSERT_EQ(written.size(), 4u);
  EXPECT_EQ(written[0].info, web);
  EXPECT_EQ(written[1].info, web_named);
  EXPECT_EQ(written[2].info, db);
  EXPECT_EQ(written[3].info, gone);
  EXPECT_EQ((*agent)->summary().recorded_containers, 4u);
}

TEST(Agent, ContainerTableIsBounded) {
  TempDir dir;
  SyntheticBuilder b;
  for (uint64_t i = 0; i < EventCounters::kMaxContainers + 500; ++i) b.Cgroup(100 + i).Close(3);
  auto agent = Agent::Create(FileOptions(dir), b.Build());
  ASSERT_TRUE(agent.ok());
  std::atomic<bool> stop{false};
  ASSERT_TRUE((*agent)->Run(stop).ok());
  EXPECT_EQ((*agent)->counters().containers().size(), EventCounters::kMaxContainers);
  EXPECT_EQ((*agent)->counters().container_overflow(), 500u);
  EXPECT_NE((*agent)->RenderMetrics().find(
                "cgroup_id=\"other\",container_id=\"other\",container_name=\"\",image=\"\"} 500"),
            std::string::npos);
}

TEST(Agent, WebhookBatchesAndCountsWhatItCannotDeliver) {
  TempDir dir;
  Receiver ok(200);
  SyntheticBuilder b;
  b.Step(1'000'000'000);  // every event in its own second: one drop alert each
  for (int i = 0; i < 5; ++i) b.Drops(i + 1);
  b.Close(3);
  AgentOptions o = FileOptions(dir);
  o.output = "http://127.0.0.1:" + std::to_string(ok.port()) + "/falco";
  o.output_options.webhook_batch = 2;
  o.output_options.webhook_flush = std::chrono::milliseconds(20);
  auto agent = Agent::Create(o, b.Build());
  ASSERT_TRUE(agent.ok()) << agent.status();
  std::atomic<bool> stop{false};
  ASSERT_TRUE((*agent)->Run(stop).ok());
  std::vector<std::string> alerts;
  for (const std::string& body : ok.bodies()) {
    std::istringstream in(body);
    for (std::string line; std::getline(in, line);) alerts.push_back(line);
  }
  ASSERT_EQ(alerts.size(), 5u);
  for (size_t i = 0; i < alerts.size(); ++i) {
    EXPECT_EQ(nlohmann::json::parse(alerts[i])["output_fields"]["n_drops"], std::to_string(i + 1));
  }
  EXPECT_GE(ok.bodies().size(), 3u);  // batches of at most 2
  EXPECT_EQ(ok.content_types()[0], "application/x-ndjson");
  EXPECT_EQ((*agent)->summary().output_dropped, 0u);

  // A receiver answering 500: every alert is counted as dropped, the agent still succeeds.
  Receiver failing(500);
  o.output = "http://127.0.0.1:" + std::to_string(failing.port()) + "/";
  o.output_options.webhook_batch = 1;
  auto agent2 = Agent::Create(o, b.Build());
  ASSERT_TRUE(agent2.ok());
  ASSERT_TRUE((*agent2)->Run(stop).ok());
  EXPECT_EQ((*agent2)->summary().output_dropped, 5u);
  EXPECT_EQ(failing.content_types().size(), 5u);
  EXPECT_EQ(failing.content_types()[0], "application/json");

  // A queue of one line: the rest is dropped and counted, never blocking the loop.
  o.output = "http://127.0.0.1:1/";  // nothing listens on port 1
  o.output_options.webhook_queue = 1;
  o.output_options.webhook_flush = std::chrono::milliseconds(5000);
  auto agent3 = Agent::Create(o, b.Build());
  ASSERT_TRUE(agent3.ok());
  ASSERT_TRUE((*agent3)->Run(stop).ok());
  EXPECT_EQ((*agent3)->summary().output_dropped, 5u);
}

TEST(Agent, ErrorsNameWhatFailed) {
  TempDir dir;
  AgentOptions o = FileOptions(dir);
  o.format = "yaml";
  EXPECT_TRUE(IsInvalidArgument(Agent::Create(o).status()));
  o = FileOptions(dir);
  o.output = "ftp://x/";
  EXPECT_TRUE(IsInvalidArgument(Agent::Create(o).status()));
  o = FileOptions(dir);
  o.metrics = "localhost:http";
  EXPECT_TRUE(IsInvalidArgument(Agent::Create(o).status()));
  o = FileOptions(dir);
  o.replay = dir / "missing.vgl";
  auto missing = Agent::Create(o);
  EXPECT_NE(missing.status().message().find("missing.vgl"), std::string::npos);
  // A corrupt recording: the events before the bad block are processed, then the error.
  std::string corrupt = dir / "corrupt.vgl";
  {
    SyntheticBuilder b;
    for (int i = 0; i < 20000; ++i) b.Open("/etc/x", 0);
    auto w = RecordWriter::Create(corrupt, CaptureInfo{});
    ASSERT_TRUE(w.ok());
    for (const Event& e : b.events()) ASSERT_TRUE((*w)->Write(e).ok());
    ASSERT_TRUE((*w)->Close().ok());
  }
  std::filesystem::resize_file(corrupt, std::filesystem::file_size(corrupt) - 3);
  o.replay = corrupt;
  auto agent = Agent::Create(o);
  ASSERT_TRUE(agent.ok()) << agent.status();
  std::atomic<bool> stop{false};
  Status s = (*agent)->Run(stop);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss) << s;
  EXPECT_NE(s.message().find("corrupt.vgl: offset "), std::string::npos) << s;
  EXPECT_GT((*agent)->summary().events, 0u);
  // Live capture without the probe (or without permission) says so.
  o = FileOptions(dir);
  auto live = Agent::Create(o);
  if (!live.ok()) {
    EXPECT_NE(live.status().message().find("live capture: "), std::string::npos);
  }
}

}  // namespace
}  // namespace vigil::runtime
