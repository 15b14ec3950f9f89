// Benchmark (label `slow`, issue 9): the run-time pipeline (State::Apply + Engine::Process with
// the full default rule set) over a realistic synthetic mix, in events/s on one core, beside
// the same loop without rules (State::Apply only), same run. Prints both, the ratio, and the
// engine's own cost per event. Target: >= 5 M events/s per core with rules.
//
// The mix: 20 containers running a web server with workers and 10 host processes; per event
// kind the shares below (opens of libraries, app files and logs, closes, reads/writes, counted
// high-volume calls, sockets, connects, accepts, a few fork/exec/exit, renames/unlinks, other
// syscalls), with an occasional suspicious action so some rules fire.
#include <fcntl.h>
#include <sys/socket.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "rules/rules.h"
#include "rules/test_util.h"
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

struct Task {
  uint32_t pid, ppid;
  uint64_t cgroup;
  std::string comm, exe;
};

runtime::SyntheticBuilder BuildMix(size_t n, std::map<uint64_t, runtime::ContainerInfo>* ctrs) {
  runtime::SyntheticBuilder b;
  std::mt19937 rng(42);
  std::vector<Task> tasks;
  uint32_t next_pid = 10000;
  for (int c = 0; c < 20; ++c) {
    uint64_t cg = 5000 + c;
    runtime::ContainerInfo info;
    info.id = std::string(64, "0123456789abcdef"[c % 16]);
    info.name = "web-" + std::to_string(c);
    info.image = "docker.io/library/nginx:1.25";
    info.cgroup_id = cg;
    (*ctrs)[cg] = info;
    uint32_t master = next_pid++;
    b.Pid(master).Ppid(1).Cgroup(cg).Exec("/usr/sbin/nginx", {"nginx", "-g", "daemon off;"});
    tasks.push_back({master, 1, cg, "nginx", "/usr/sbin/nginx"});
    for (int w = 0; w < 4; ++w) {
      uint32_t worker = next_pid++;
      b.Pid(master).Ppid(1).Cgroup(cg).Comm("nginx").Fork(worker);
      tasks.push_back({worker, master, cg, "nginx", "/usr/sbin/nginx"});
    }
  }
  for (int h = 0; h < 10; ++h) {
    uint32_t pid = next_pid++;
    b.Pid(pid).Ppid(1).Cgroup(1).Exec("/usr/bin/python3", {"python3", "app.py"});
    tasks.push_back({pid, 1, 1, "python3", "/usr/bin/python3"});
  }
  const char* kLibs[] = {"/usr/lib/x86_64-linux-gnu/libssl.so.3",
                         "/etc/ld.so.cache",
                         "/usr/share/zoneinfo/UTC",
                         "/proc/self/stat",
                         "/etc/hosts",
                         "/usr/lib/x86_64-linux-gnu/libc.so.6",
                         "/etc/nsswitch.conf"};
  std::vector<int64_t> open_fds;
  std::uniform_int_distribution<int> pct(0, 999);
  while (b.events().size() < n) {
    const Task& t = tasks[rng() % tasks.size()];
    b.Pid(t.pid).Ppid(t.ppid).Cgroup(t.cgroup).Comm(t.comm);
    int r = pct(rng);
    if (r < 200) {  // opens: libraries and config, app files
      if (r < 120) {
        b.Open(kLibs[rng() % 7], O_RDONLY | O_CLOEXEC);
      } else {
        b.Open("/var/www/html/static/img" + std::to_string(rng() % 5000) + ".png", O_RDONLY);
      }
      open_fds.push_back(b.LastFd());
    } else if (r < 260) {  // log writes
      b.Open("/var/log/nginx/access.log", O_WRONLY | O_APPEND | O_CREAT, 0644);
      open_fds.push_back(b.LastFd());
    } else if (r < 420) {
      b.Close(open_fds.empty() ? 3 : open_fds[rng() % open_fds.size()]);
    } else if (r < 560) {
      b.Read(open_fds.empty() ? 3 : open_fds[rng() % open_fds.size()], 4096);
    } else if (r < 640) {
      b.Write(open_fds.empty() ? 3 : open_fds[rng() % open_fds.size()], 512);
    } else if (r < 740) {
      b.Counts(sys::kEpollWait, 1 + rng() % 50);
    } else if (r < 770) {
      b.Socket(AF_INET, SOCK_STREAM);
    } else if (r < 820) {
      b.Connect("10.1." + std::to_string(rng() % 4) + ".7:" + std::to_string(5432 + rng() % 3));
    } else if (r < 870) {
      b.Accept("203.0.113." + std::to_string(rng() % 250) + ":" +
               std::to_string(40000 + rng() % 20000));
    } else if (r < 900) {
      b.Sendto("10.1.0.53:53", 64);
    } else if (r < 920) {
      b.Recvfrom(512);
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
      b.Open("/etc/shadow", O_RDONLY).Exit(0);
    }
    if (open_fds.size() > 64) open_fds.erase(open_fds.begin(), open_fds.begin() + 32);
  }
  return b;
}

TEST(RulesBench, PipelineWithDefaultRules) {
  auto engine = Engine::LoadDefault();
  ASSERT_TRUE(engine.ok()) << engine.status();
  std::map<uint64_t, runtime::ContainerInfo> ctrs;
  // VIGIL_BENCH_SMALL=1: a quick run for profiling.
  bool small = std::getenv("VIGIL_BENCH_SMALL") != nullptr;
  runtime::SyntheticBuilder b = BuildMix(small ? 50000 : 200000, &ctrs);
  const std::vector<runtime::Event>& events = b.events();
  const int kPasses = small ? 1 : 5;
  uint64_t alerts = 0;
  // Each pass replays the recording-like sequence into a fresh state (as an agent restarted
  // on it would); only the loop is timed.
  auto pass = [&](int rule_calls) {
    double total = 0;
    for (int p = 0; p < kPasses; ++p) {
      auto state = testing::TestState::Create(ctrs);
      double start = CpuSeconds();
      for (const runtime::Event& e : events) {
        state->Apply(e);
        for (int c = 0; c < rule_calls; ++c) {
          (*engine)->Process(e, state.get(), [&](const Alert&) { ++alerts; });
        }
      }
      total += CpuSeconds() - start;
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
    best_with = std::min(best_with, pass(1));
  }
  double n = static_cast<double>(events.size()) * kPasses;
  double rate_with = n / best_with, rate_without = n / best_without;
  double engine_ns = (best_twice - best_with) / n * 1e9;
  std::printf("rules: %zu default rules, %zu events x %d passes, %llu alerts per run\n",
              (*engine)->rule_count(), events.size(), kPasses,
              static_cast<unsigned long long>(alerts));
  std::printf("pipeline without rules (State::Apply): %.2f M events/s per core\n",
              rate_without / 1e6);
  std::printf("pipeline with default rules:           %.2f M events/s per core (target >= 5)\n",
              rate_with / 1e6);
  std::printf(
      "ratio with/without: %.2f; rule engine alone (second Process call per event): "
      "%.1f ns/event (%.1f M events/s)\n",
      rate_with / rate_without, engine_ns, engine_ns > 0 ? 1e3 / engine_ns : 0.0);
  EXPECT_GT(alerts, 0u);
  EXPECT_GE(rate_with, 5e6) << "below the issue's 5 M events/s per core target";
}

}  // namespace
}  // namespace vigil::rules
