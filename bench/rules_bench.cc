// Benchmark (label `slow`, issue 9): the run-time pipeline as the agent runs it (a replay
// source -> State::Apply -> Engine::Process with the full default rule set) over a realistic
// synthetic mix, in events/s on one core, beside the same loop without rules (source ->
// State::Apply), same run. Prints both, the ratio, and the engine's own cost per event and
// per event type. Target: >= 5 M events/s per core with rules.
//
// The mix: 20 containers running a web server (a master and 4 workers sharing the listening
// socket) and 10 host processes; each process allocates the lowest free fd as the kernel does
// and closes only fds it has open, so fd tables stay at a few dozen entries. Per event kind
// the shares below (opens of libraries, app files and logs, closes, reads/writes, counted
// high-volume calls, sockets, connects, accepts, short-lived children forking, exec'ing and
// exiting, renames/unlinks, other syscalls), with an occasional suspicious action so some
// rules fire. The events are encoded into Vigil's capture format in memory and replayed.
#include <fcntl.h>
#include <sys/socket.h>
#include <time.h>
#include <x86intrin.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "rules/fields.h"
#include "rules/rules.h"
#include "rules/test_util.h"
#include "runtime/replay.h"
#include "runtime/synthetic.h"
#include "runtime/syscalls.h"

namespace vigil::rules {
namespace {

namespace sys = runtime::sys;

double CpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

// A process's fd numbers: the lowest free one is allocated, as the kernel does.
struct FdModel {
  std::vector<uint8_t> used;
  size_t open = 0;
  int64_t Alloc() {
    for (size_t i = 3;; ++i) {
      if (i >= used.size()) used.resize(i + 1, 0);
      if (!used[i]) {
        used[i] = 1;
        ++open;
        return static_cast<int64_t>(i);
      }
    }
  }
  void Free(int64_t fd) {
    if (fd >= 0 && static_cast<size_t>(fd) < used.size() && used[fd]) {
      used[fd] = 0;
      --open;
    }
  }
  // A random open fd above `min` (-1 when none).
  int64_t Pick(std::mt19937& rng, int64_t min) const {
    if (open == 0) return -1;
    for (int tries = 0; tries < 8; ++tries) {
      size_t i = rng() % used.size();
      if (used[i] && static_cast<int64_t>(i) > min) return static_cast<int64_t>(i);
    }
    for (size_t i = used.size(); i-- > 0;) {
      if (used[i] && static_cast<int64_t>(i) > min) return static_cast<int64_t>(i);
    }
    return -1;
  }
};

struct Task {
  uint32_t pid, ppid;
  uint64_t cgroup;
  std::string comm;
  FdModel fds;
  int64_t listen_fd = -1;
};

runtime::SyntheticBuilder BuildMix(size_t n, std::map<uint64_t, runtime::ContainerInfo>* ctrs) {
  runtime::SyntheticBuilder b;
  std::mt19937 rng(42);
  std::vector<Task> tasks;
  uint32_t next_pid = 10000;
  auto use = [&](const Task& t) { b.Pid(t.pid).Ppid(t.ppid).Cgroup(t.cgroup).Comm(t.comm); };
  for (int c = 0; c < 20; ++c) {
    uint64_t cg = 5000 + c;
    runtime::ContainerInfo info;
    info.id = std::string(64, "0123456789abcdef"[c % 16]);
    info.name = "web-" + std::to_string(c);
    info.image = "docker.io/library/nginx:1.25";
    info.cgroup_id = cg;
    (*ctrs)[cg] = info;
    Task master{next_pid++, 1, cg, "nginx", {}, -1};
    use(master);
    b.Exec("/usr/sbin/nginx", {"nginx", "-g", "daemon off;"});
    master.listen_fd = master.fds.Alloc();
    b.Socket(AF_INET, SOCK_STREAM).Ret(master.listen_fd);
    b.Bind("0.0.0.0:80", master.listen_fd).Listen(master.listen_fd);
    tasks.push_back(master);
    for (int w = 0; w < 4; ++w) {
      Task worker = master;  // the fd table (with the listening socket) is inherited
      worker.pid = next_pid++;
      worker.ppid = master.pid;
      use(master);
      b.Fork(worker.pid);
      tasks.push_back(worker);
    }
  }
  for (int h = 0; h < 10; ++h) {
    Task t{next_pid++, 1, 1, "python3", {}, -1};
    use(t);
    b.Exec("/usr/bin/python3", {"python3", "app.py"});
    tasks.push_back(t);
  }
  const char* kLibs[] = {"/usr/lib/x86_64-linux-gnu/libssl.so.3",
                         "/etc/ld.so.cache",
                         "/usr/share/zoneinfo/UTC",
                         "/proc/self/stat",
                         "/etc/hosts",
                         "/usr/lib/x86_64-linux-gnu/libc.so.6",
                         "/etc/nsswitch.conf"};
  std::uniform_int_distribution<int> pct(0, 999);
  while (b.events().size() < n) {
    Task& t = tasks[rng() % tasks.size()];
    use(t);
    int r = pct(rng);
    if (t.fds.open >= 48 && r < 260) r = 300;  // a busy table closes before it opens more
    int64_t any = t.fds.Pick(rng, 2);
    if (r < 200) {  // opens: libraries and config, app files
      int64_t fd = t.fds.Alloc();
      if (r < 120) {
        b.Open(kLibs[rng() % 7], O_RDONLY | O_CLOEXEC).Ret(fd);
      } else {
        b.Open("/var/www/html/static/img" + std::to_string(rng() % 5000) + ".png", O_RDONLY)
            .Ret(fd);
      }
    } else if (r < 260) {  // log writes
      b.Open("/var/log/nginx/access.log", O_WRONLY | O_APPEND | O_CREAT, 0644).Ret(t.fds.Alloc());
    } else if (r < 420) {
      if (any >= 0 && any != t.listen_fd) {
        b.Close(any);
        t.fds.Free(any);
      } else {
        b.Close(200).Ret(-9);  // EBADF
      }
    } else if (r < 560) {
      b.Read(any >= 0 ? any : 0, 4096);
    } else if (r < 640) {
      b.Write(any >= 0 ? any : 1, 512);
    } else if (r < 740) {
      b.Counts(sys::kEpollWait, 1 + rng() % 50);
    } else if (r < 820) {  // an outgoing connection on a new socket
      int64_t fd = t.fds.Alloc();
      b.Socket(AF_INET, SOCK_STREAM).Ret(fd);
      b.Connect("10.1." + std::to_string(rng() % 4) + ".7:" + std::to_string(5432 + rng() % 3), fd);
    } else if (r < 870) {
      if (t.listen_fd >= 0) {
        b.Accept("203.0.113." + std::to_string(rng() % 250) + ":" +
                     std::to_string(40000 + rng() % 20000),
                 t.listen_fd)
            .Ret(t.fds.Alloc());
      } else {
        b.Syscall(sys::kEpollWait);
      }
    } else if (r < 900) {
      b.Sendto("10.1.0.53:53", 64, any >= 0 ? any : 1);
    } else if (r < 920) {
      b.Recvfrom(512, any >= 0 ? any : 0);
    } else if (r < 935) {  // a short-lived child: fork, exec, exit
      uint32_t child = next_pid++;
      b.Fork(child).Exec("/usr/bin/gzip", {"gzip", "-9", "/var/log/nginx/old.log"}).Exit(0);
    } else if (r < 950) {
      b.Rename("/tmp/upload." + std::to_string(rng() % 100), "/var/www/html/uploads/f");
    } else if (r < 960) {
      b.Unlink("/tmp/upload." + std::to_string(rng() % 100));
    } else if (r < 998) {
      static constexpr int32_t kOther[] = {202, 9, 11, 228, 7, 14, 13};  // futex, mmap, ...
      b.Syscall(kOther[rng() % 7]);
    } else {  // suspicious: a shell from nginx reading /etc/shadow
      uint32_t child = next_pid++;
      b.Fork(child).Exec("/bin/sh", {"sh", "-c", "cat /etc/shadow"});
      b.Open("/etc/shadow", O_RDONLY).Ret(3).Exit(0);
    }
  }
  return b;
}

// The mix as a recording in memory, so the pipeline runs from a replay source as the agent's.
std::string Encode(const std::vector<runtime::Event>& events) {
  std::string out;
  auto w = runtime::RecordWriter::CreateInMemory(
      &out, runtime::CaptureInfo::ForThisHost("rules benchmark"));
  for (const runtime::Event& e : events) {
    if (!w->Write(e).ok()) return "";
  }
  if (!w->Close().ok()) return "";
  return out;
}

TEST(RulesBench, PipelineWithDefaultRules) {
  auto engine = Engine::LoadDefault();
  ASSERT_TRUE(engine.ok()) << engine.status();
  std::map<uint64_t, runtime::ContainerInfo> ctrs;
  // VIGIL_BENCH_SMALL=1: a quick run for profiling.
  bool small = std::getenv("VIGIL_BENCH_SMALL") != nullptr;
  runtime::SyntheticBuilder b = BuildMix(small ? 50000 : 400000, &ctrs);
  const std::vector<runtime::Event>& events = b.events();
  std::string recording = Encode(events);
  ASSERT_FALSE(recording.empty());
  const int kPasses = small ? 1 : 3;
  uint64_t alerts = 0, delivered = 0;
  size_t processes = 0;
  // Each pass replays the recording into a fresh state (as an agent restarted on it would);
  // only the replay loop is timed. rule_calls: Process calls per event (0: state only).
  auto pass = [&](int rule_calls) {
    double total = 0;
    for (int p = 0; p < kPasses; ++p) {
      auto state = testing::TestState::Create(ctrs);
      auto src = runtime::ReplaySource::OpenBuffer(recording, "mix");
      if (!src.ok()) return 1e9;
      AlertSink sink = [&](const Alert&) { ++alerts; };
      double start = CpuSeconds();
      for (;;) {
        auto r = (*src)->Poll(std::chrono::milliseconds(0), [&](const runtime::Event& e) {
          ++delivered;
          state->Apply(e);
          for (int c = 0; c < rule_calls; ++c) (*engine)->Process(e, state.get(), sink);
        });
        if (!r.ok()) break;
      }
      total += CpuSeconds() - start;
      processes = state->process_count();
    }
    return total;
  };
  // The engine's own cost is also measured as the extra time of a second Process call per
  // event (same state, same rules): the difference of two noisy State-dominated loops is not.
  double best_with = 1e9, best_without = 1e9, best_twice = 1e9;
  for (int round = 0; round < 3; ++round) {
    best_without = std::min(best_without, pass(0));
    best_twice = std::min(best_twice, pass(2));
    alerts = 0;
    delivered = 0;
    best_with = std::min(best_with, pass(1));
  }
  double n = static_cast<double>(events.size()) * kPasses;
  double rate_with = n / best_with, rate_without = n / best_without;
  double engine_ns = (best_twice - best_with) / n * 1e9;
  std::printf(
      "rules: %zu default rules, %zu events x %d passes, %llu alerts per pass, %zu "
      "processes in the state at the end\n",
      (*engine)->rule_count(), events.size(), kPasses,
      static_cast<unsigned long long>(alerts / kPasses), processes);
  std::printf("pipeline without rules (replay -> State::Apply): %.2f M events/s per core\n",
              rate_without / 1e6);
  std::printf(
      "pipeline with default rules:                     %.2f M events/s per core "
      "(target >= 5)\n",
      rate_with / 1e6);
  std::printf(
      "ratio with/without: %.2f; rule engine alone (second Process call per event): "
      "%.1f ns/event (%.1f M events/s)\n",
      rate_with / rate_without, engine_ns, engine_ns > 0 ? 1e3 / engine_ns : 0.0);

  // The engine per event type: Process timed with the time-stamp counter around each event
  // (reference cycles, ~25 of them the reads' own cost); medians, as a loaded machine
  // preempts some events. The most frequent types.
  {
    auto state = testing::TestState::Create(ctrs);
    std::map<int, std::vector<uint32_t>> by_type;  // code -> cycles per event
    AlertSink sink = [&](const Alert&) {};
    for (const runtime::Event& e : events) {
      state->Apply(e);
      uint64_t t0 = __rdtsc();
      (*engine)->Process(e, state.get(), sink);
      uint64_t t1 = __rdtsc();
      by_type[EventTypeCode(e)].push_back(static_cast<uint32_t>(std::min<uint64_t>(t1 - t0, ~0u)));
    }
    std::vector<std::pair<size_t, int>> order;
    for (const auto& [code, v] : by_type) order.push_back({v.size(), code});
    std::sort(order.rbegin(), order.rend());
    std::printf("engine per event type (TSC cycles per event, median / 90th percentile; share):\n");
    for (size_t i = 0; i < order.size() && i < 12; ++i) {
      int code = order[i].second;
      std::vector<uint32_t>& v = by_type[code];
      std::sort(v.begin(), v.end());
      std::string name =
          code < 0 ? std::string("(none: counts/drops)") : std::string(EventTypeCodeName(code));
      std::printf("  %-22s %6u / %6u  %5.1f%%\n", name.c_str(), v[v.size() / 2],
                  v[v.size() * 9 / 10],
                  100.0 * static_cast<double>(v.size()) / static_cast<double>(events.size()));
    }
  }
  EXPECT_GT(alerts, 0u);
  EXPECT_EQ(delivered, events.size() * kPasses);
  EXPECT_GE(rate_with, 5e6) << "below the issue's 5 M events/s per core target";
}

}  // namespace
}  // namespace vigil::rules
