// Benchmark (2) of issue 8 (label slow, needs root): a fixed syscall mix at ~1 M captured
// events/s from one producer process pinned to one core, read by the live eBPF source on the
// other core.
//  - default buffers: every event the producer caused is delivered, and no drop is counted;
//  - forced (a 16 KiB ring, a consumer that only polls every 50 ms): drops happen, and they
//    are counted and reported as kDrops events — delivered + dropped accounts for all of the
//    producer's events.
// The producer knows exactly how many captured events its loop causes (a fixed mix per
// iteration), so delivery is checked by count, not estimated. Prints events/s and drops.
// A third test prints the probe's cost per syscall of each kind (ignored, counted, captured
// without and with a path): the CPU time of a tight loop with and without the probe, and the
// kernel's own BPF run-time statistics (run_time_ns / run_cnt of vigil_sys_exit), which depend
// far less on other load than CPU times do.
#include <fcntl.h>
#include <linux/bpf.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <thread>

#include "capture_floor.h"
#include "gtest/gtest.h"
#include "runtime/ebpf_source.h"

namespace vigil::runtime {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// Captured events per iteration of the producer's loop: one openat (a record with a path;
// fails ENOENT), four close(-1), two dup(-1) and three fchmod(-1) (fixed-size records), all
// cheap in the kernel so that the probe's cost dominates. Plus one counted call (a write to
// /dev/null) that costs probe work but no ring-buffer record, as in a real workload.
constexpr uint64_t kEventsPerIteration = 10;
constexpr uint64_t kTargetRate = 1'000'000;  // captured events per second
constexpr int kSeconds = 3;

int NumCpus() { return static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN)); }

void Pin(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu % NumCpus(), &set);
  sched_setaffinity(0, sizeof(set), &set);
}

// Runs the mix for kSeconds, paced to kTargetRate; exits with nothing, reports through a pipe
// the number of iterations done.
pid_t StartProducer(int report_fd, int start_fd) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  Pin(1);
  char go;
  if (read(start_fd, &go, 1) != 1) _exit(2);
  int devnull = open("/dev/null", O_WRONLY);
  const uint64_t per_ms = kTargetRate / kEventsPerIteration / 1000;
  auto start = Clock::now();
  uint64_t iterations = 0;
  while (true) {
    auto elapsed = Clock::now() - start;
    if (elapsed >= std::chrono::seconds(kSeconds)) break;
    uint64_t due = per_ms * static_cast<uint64_t>(
                                std::chrono::duration_cast<milliseconds>(elapsed).count() + 1);
    if (iterations >= due) continue;  // ahead of the pace: spin until the next millisecond
    for (int i = 0; i < 64 && iterations < due; ++i, ++iterations) {
      syscall(SYS_openat, AT_FDCWD, "/nonexistent/vigil-bench", O_RDONLY, 0);
      for (int k = 0; k < 4; ++k) syscall(SYS_close, -1);
      for (int k = 0; k < 2; ++k) syscall(SYS_dup, -1);
      for (int k = 0; k < 3; ++k) syscall(SYS_fchmod, -1, 0644);
      syscall(SYS_write, devnull, "x", 1);
    }
  }
  if (write(report_fd, &iterations, sizeof(iterations)) != sizeof(iterations)) _exit(3);
  _exit(0);
}

struct Result {
  uint64_t produced = 0;    // captured events the producer caused
  double producer_cpu = 0;  // seconds of CPU the producer got (of kSeconds)
  uint64_t delivered = 0;   // of those, delivered by the source
  uint64_t drops = 0;       // kDrops total (all processes)
  double seconds = 0;
  double consumer_cpu = 0;  // seconds of CPU the consuming thread used
};

Result RunOnce(const EbpfOptions& options, milliseconds poll_pause) {
  Result r;
  auto source = OpenEbpfSource(options);
  if (!source.ok()) {
    ADD_FAILURE() << source.status();
    return r;
  }
  Pin(0);
  int rp[2], sp[2];
  if (pipe(rp) != 0 || pipe(sp) != 0) return r;
  pid_t pid = StartProducer(rp[1], sp[0]);
  close(rp[1]);
  close(sp[0]);
  rusage before{};
  getrusage(RUSAGE_THREAD, &before);
  auto start = Clock::now();
  if (write(sp[1], "g", 1) != 1) ADD_FAILURE() << "could not start the producer";
  // The producer is done when it has been reaped (its exit event may itself be dropped in the
  // forced run); the source is drained for 200 ms more so its last records and counters come.
  bool reaped = false;
  Clock::time_point reaped_at;
  rusage child{};
  auto cpu = [](const rusage& u) {
    return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  };
  while (true) {
    auto n = (*source)->Poll(milliseconds(10), [&](const Event& e) {
      if (e.type == EventType::kDrops) r.drops += e.count;
      if (e.pid != static_cast<uint32_t>(pid)) return;
      if (e.type == EventType::kSyscall) ++r.delivered;
    });
    if (!n.ok()) {
      ADD_FAILURE() << n.status();
      break;
    }
    if (!reaped && wait4(pid, nullptr, WNOHANG, &child) == pid) {
      reaped = true;
      reaped_at = Clock::now();
    }
    if (reaped && Clock::now() - reaped_at > milliseconds(200)) break;
    if (Clock::now() - start > std::chrono::seconds(kSeconds + 20)) {
      ADD_FAILURE() << "producer did not finish";
      break;
    }
    if (poll_pause.count() > 0) std::this_thread::sleep_for(poll_pause);
  }
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  rusage after{};
  getrusage(RUSAGE_THREAD, &after);
  r.consumer_cpu = cpu(after) - cpu(before);
  uint64_t iterations = 0;
  if (read(rp[0], &iterations, sizeof(iterations)) != sizeof(iterations)) {
    ADD_FAILURE() << "no report from the producer";
  }
  close(rp[0]);
  close(sp[1]);
  if (!reaped) wait4(pid, nullptr, 0, &child);
  r.producer_cpu = cpu(child);
  // The producer's own start-up (the pipe read, open) and exit add a few captured events.
  r.produced = iterations * kEventsPerIteration;
  return r;
}

TEST(CaptureMixBench, MillionEventsPerSecond) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root (loads the eBPF probe)";
  Result r = RunOnce(EbpfOptions{}, milliseconds(0));
  if (::testing::Test::HasFailure()) return;
  double rate = r.produced / static_cast<double>(kSeconds);
  std::printf(
      "capture mix, default buffers (16 MiB ring, 10 ms flush): %.0f events/s from one producer "
      "core for %d s (producer had %.0f%% of its core); produced %llu, delivered %llu, drops "
      "%llu; consumer CPU %.2f s (%.0f%% of a core); producer CPU per event %.0f ns (one core "
      "sustains %.2f M events/s)\n",
      rate, kSeconds, 100 * r.producer_cpu / kSeconds, static_cast<unsigned long long>(r.produced),
      static_cast<unsigned long long>(r.delivered), static_cast<unsigned long long>(r.drops),
      r.consumer_cpu, 100 * r.consumer_cpu / r.seconds, 1e9 * r.producer_cpu / r.produced,
      r.produced / r.producer_cpu / 1e6);
  // The rate is the producer's to reach; on a machine loaded by other work it may not get its
  // core. It must reach it whenever it did get (most of) the core.
  if (r.producer_cpu < 0.8 * kSeconds) {
    std::printf("note: the producer got only %.0f%% of a core here: rate not asserted\n",
                100 * r.producer_cpu / kSeconds);
  } else {
    EXPECT_GE(rate, 0.9 * kTargetRate) << "the producer could not reach the target rate";
  }
  EXPECT_EQ(r.drops, 0u);
  // Every event of the loop arrives (plus the few of the producer's start and exit).
  EXPECT_GE(r.delivered, r.produced);
  EXPECT_LE(r.delivered, r.produced + 50);
}

TEST(CaptureMixBench, ForcedDropsAreCounted) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root (loads the eBPF probe)";
  EbpfOptions tiny;
  tiny.ring_buffer_bytes = 16 << 10;
  Result r = RunOnce(tiny, milliseconds(50));
  if (::testing::Test::HasFailure()) return;
  std::printf(
      "capture mix, forced (16 KiB ring, consumer polls every 50 ms): produced %llu, delivered "
      "%llu, drops reported %llu (%.1f%% lost)\n",
      static_cast<unsigned long long>(r.produced), static_cast<unsigned long long>(r.delivered),
      static_cast<unsigned long long>(r.drops),
      100.0 * (r.produced - std::min(r.produced, r.delivered)) / r.produced);
  EXPECT_GT(r.drops, 0u);
  // Every event of the producer that did not arrive was counted as a drop (drops also count
  // other processes' losses, hence >=).
  EXPECT_GE(r.drops + r.delivered, r.produced);
}

// BPF run-time statistics are kept while the fd BPF_ENABLE_STATS returns is open.
class BpfStatsScope {
 public:
  BpfStatsScope() {
    bpf_attr attr{};
    attr.enable_stats.type = BPF_STATS_RUN_TIME;
    fd_ = static_cast<int>(syscall(SYS_bpf, BPF_ENABLE_STATS, &attr, sizeof(attr)));
  }
  ~BpfStatsScope() {
    if (fd_ >= 0) close(fd_);
  }
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

struct ProgRun {
  uint64_t runs = 0;
  uint64_t ns = 0;
};

// Calls f(id) for every loaded BPF program id.
template <typename F>
void ForEachProgId(F f) {
  bpf_attr attr{};
  while (syscall(SYS_bpf, BPF_PROG_GET_NEXT_ID, &attr, sizeof(attr)) == 0) {
    f(attr.next_id);
    attr.start_id = attr.next_id;
  }
}

uint32_t MaxProgId() {
  uint32_t max = 0;
  ForEachProgId([&](uint32_t id) { max = std::max(max, id); });
  return max;
}

// The statistics of the first program named `name` loaded after id `after` (this process's
// probe, loaded right after `after` was read), or nothing.
std::optional<ProgRun> ReadProg(const std::string& name, uint32_t after) {
  std::optional<ProgRun> out;
  ForEachProgId([&](uint32_t id) {
    if (id <= after || out) return;
    bpf_attr attr{};
    attr.prog_id = id;
    int fd = static_cast<int>(syscall(SYS_bpf, BPF_PROG_GET_FD_BY_ID, &attr, sizeof(attr)));
    if (fd < 0) return;
    bpf_prog_info info{};
    bpf_attr get{};
    get.info.bpf_fd = static_cast<uint32_t>(fd);
    get.info.info_len = sizeof(info);
    get.info.info = reinterpret_cast<uint64_t>(&info);
    if (syscall(SYS_bpf, BPF_OBJ_GET_INFO_BY_FD, &get, sizeof(get)) == 0 &&
        name == std::string(info.name, strnlen(info.name, sizeof(info.name)))) {
      out = ProgRun{info.run_cnt, info.run_time_ns};
    }
    close(fd);
  });
  return out;
}

// Thread CPU nanoseconds per call of `kind` over `n` calls, the least of 5 repetitions.
double LoopNs(const std::string& kind, int n) {
  int devnull = open("/dev/null", O_WRONLY);
  int sv[2] = {-1, -1};
  if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) != 0) return 0;
  char buf[8];
  double best = 1e18;
  for (int rep = 0; rep < 5; ++rep) {
    timespec t0{}, t1{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
    for (int i = 0; i < n; ++i) {
      if (kind == "ignored") {
        syscall(SYS_getppid);
      } else if (kind == "counted") {
        syscall(SYS_write, devnull, "x", 1);
      } else if (kind == "counted-socket") {
        syscall(SYS_write, sv[0], "x", 1);
        syscall(SYS_read, sv[1], buf, sizeof(buf));
      } else if (kind == "captured") {
        syscall(SYS_close, -1);
      } else {
        syscall(SYS_openat, AT_FDCWD, "/nonexistent/vigil-bench", O_RDONLY, 0);
      }
    }
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
    double calls = kind == "counted-socket" ? 2.0 * n : n;
    double ns = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / calls;
    best = std::min(best, ns);
  }
  close(devnull);
  close(sv[0]);
  close(sv[1]);
  return best;
}

// LoopNs in a child process pinned to CPU 1 (the probe ignores the process that loaded it).
double ChildLoopNs(const std::string& kind, int n) {
  int p[2];
  if (pipe(p) != 0) return 0;
  pid_t pid = fork();
  if (pid == 0) {
    Pin(1);
    double ns = LoopNs(kind, n);
    _exit(write(p[1], &ns, sizeof(ns)) == sizeof(ns) ? 0 : 1);
  }
  close(p[1]);
  double ns = 0;
  if (read(p[0], &ns, sizeof(ns)) != sizeof(ns)) ADD_FAILURE() << "no result from " << kind;
  close(p[0]);
  waitpid(pid, nullptr, 0);
  return ns;
}

TEST(CaptureMixBench, ProbeCostPerSyscallKind) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root (loads the eBPF probe)";
  const char* kinds[] = {"ignored", "counted", "counted-socket", "captured", "captured-path"};
  constexpr int kCalls = 100000;
  std::printf(
      "probe cost per syscall (thread CPU, least of 5 x %d calls, without and with the "
      "probe back to back; BPF stats of vigil_sys_exit, which include the kernel's own "
      "clock reads around each run, measured in a separate loop):\n",
      kCalls);
  for (const char* kind : kinds) {
    double bare = ChildLoopNs(kind, kCalls);
    uint32_t before = MaxProgId();
    auto source = OpenEbpfSource(EbpfOptions{});
    ASSERT_TRUE(source.ok()) << source.status();
    // Drained as the agent does while the loop runs, so the ring never fills.
    std::atomic<bool> stop{false};
    std::thread drain([&] {
      Pin(0);
      while (!stop) {
        auto n = (*source)->Poll(milliseconds(10), [](const Event&) {});
        if (!n.ok()) break;
      }
    });
    double with = ChildLoopNs(kind, kCalls);
    // A second loop for the program's own run time: BPF statistics add two clock reads to
    // every run, which in this VM cost more than the program itself, so the CPU times above
    // are measured without them.
    std::optional<ProgRun> s0, s1;
    bool stats_ok = false;
    {
      BpfStatsScope stats;
      stats_ok = stats.ok();
      s0 = ReadProg("vigil_sys_exit", before);
      ChildLoopNs(kind, kCalls / 5);
      s1 = ReadProg("vigil_sys_exit", before);
    }
    stop = true;
    drain.join();
    std::string prog = "n/a (no BPF stats)";
    if (stats_ok && s0 && s1 && s1->runs > s0->runs) {
      prog = std::to_string((s1->ns - s0->ns) / (s1->runs - s0->runs)) + " ns/run over " +
             std::to_string(s1->runs - s0->runs) + " runs (machine-wide)";
    }
    std::printf("  %-15s without %4.0f ns, with %4.0f ns (%+4.0f); sys_exit program %s\n", kind,
                bare, with, with - bare, prog.c_str());
  }
#if defined(VIGIL_HAVE_FLOOR)
  // The floor (bench/capture_floor.bpf.c): a program on the same hook that returns at once.
  // What it adds to a call is the hook's own cost, whatever a probe does; its BPF run time is
  // the statistics' own overhead, to subtract from the program times above.
  double bare = ChildLoopNs("ignored", kCalls);
  uint32_t before = MaxProgId();
  auto floor = bench::Floor::Load("tp_btf");
  ASSERT_TRUE(floor.ok()) << floor.status();
  Status attached = (*floor)->Attach();
  ASSERT_TRUE(attached.ok()) << attached;
  double with = ChildLoopNs("ignored", kCalls);
  std::optional<ProgRun> s0, s1;
  bool stats_ok = false;
  {
    BpfStatsScope stats;
    stats_ok = stats.ok();
    s0 = ReadProg("floor_sys_exit", before);
    ChildLoopNs("ignored", kCalls / 5);
    s1 = ReadProg("floor_sys_exit", before);
  }
  floor->reset();
  std::string prog = "n/a (no BPF stats)";
  if (stats_ok && s0 && s1 && s1->runs > s0->runs) {
    prog = std::to_string((s1->ns - s0->ns) / (s1->runs - s0->runs)) + " ns/run";
  }
  std::printf(
      "  floor: a sys_exit program that returns at once: getppid without %4.0f ns, with %4.0f "
      "ns (%+4.0f, the hook alone); its BPF statistics read %s, their own overhead\n",
      bare, with, with - bare, prog.c_str());
#endif
}

}  // namespace
}  // namespace vigil::runtime
