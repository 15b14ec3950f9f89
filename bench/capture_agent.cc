// The capture side of bench/capture_server.sh: loads the live eBPF source with default options
// and drains it until SIGTERM/SIGINT (or --seconds N), as `vigil agent` would without rules.
// On exit prints one line: events, events/s, drops, the CPU seconds spent loading and attaching
// the probe (mostly the kernel's verifier, once per start) and then draining it (the agent's
// steady cost, with its share of a core), and peak RSS.
//
// --floor NAME instead attaches do-nothing programs of capture_floor.bpf.c (tp_btf: the raw
// sys_exit tracepoint the probe uses; openat, write: the syscalls/sys_exit_<call> trace event;
// events: every captured call's exit event plus the socket send/receive length tracepoints)
// and sleeps until stopped: the cost of the hook alone, with no probe work and no reader.
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "capture_floor.h"
#include "runtime/ebpf_source.h"

namespace {
volatile sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }

// User plus system CPU seconds of this process so far.
double CpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// Attaches the floor programs `name` (capture_floor.h) and sleeps until stopped or `seconds`
// (> 0) pass; destroying the floor detaches them. Returns the process exit code.
int RunFloor(const std::string& name, double seconds) {
  auto floor = vigil::bench::Floor::Load(name);
  if (!floor.ok()) {
    std::fprintf(stderr, "capture_agent: %s\n", floor.status().message().c_str());
    return 2;
  }
  vigil::Status attached = (*floor)->Attach();
  if (name == "events") {
    std::fprintf(stderr, "capture_agent: floor events: %zu attached, %d syscall events missing\n",
                 (*floor)->attached(), (*floor)->missing());
  }
  if (!attached.ok()) {
    std::fprintf(stderr, "capture_agent: %s\n", attached.message().c_str());
    return 2;
  }
  const double load_cpu = CpuSeconds();
  std::printf("ready\n");
  std::fflush(stdout);
  const auto start = std::chrono::steady_clock::now();
  while (!g_stop) {
    usleep(20000);
    if (seconds > 0 &&
        std::chrono::steady_clock::now() - start > std::chrono::duration<double>(seconds)) {
      break;
    }
  }
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  floor->reset();
  std::printf("floor %s: load cpu %.3fs drain cpu %.3fs over %.2fs\n", name.c_str(), load_cpu,
              CpuSeconds() - load_cpu, wall);
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  double seconds = 0;
  std::string floor;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--seconds") == 0) seconds = std::atof(argv[i + 1]);
    if (std::strcmp(argv[i], "--floor") == 0) floor = argv[i + 1];
  }
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  if (!floor.empty()) return RunFloor(floor, seconds);

  auto source = vigil::runtime::OpenEbpfSource(vigil::runtime::EbpfOptions{});
  if (!source.ok()) {
    std::fprintf(stderr, "capture_agent: %s\n", source.status().ToString().c_str());
    return 2;
  }
  const double load_cpu = CpuSeconds();
  std::printf("ready\n");
  std::fflush(stdout);
  uint64_t events = 0;
  const auto start = std::chrono::steady_clock::now();
  while (!g_stop) {
    auto n = (*source)->Poll(std::chrono::milliseconds(100),
                             [&](const vigil::runtime::Event&) { ++events; });
    if (!n.ok()) {
      std::fprintf(stderr, "capture_agent: %s\n", n.status().ToString().c_str());
      return 1;
    }
    if (seconds > 0 &&
        std::chrono::steady_clock::now() - start > std::chrono::duration<double>(seconds)) {
      break;
    }
  }
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double cpu = CpuSeconds() - load_cpu;
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf(
      "events %llu (%.0f/s) drops %llu load cpu %.3fs drain cpu %.3fs over %.2fs (%.2f%% of a "
      "core) maxrss %ld KiB\n",
      static_cast<unsigned long long>(events), events / wall,
      static_cast<unsigned long long>((*source)->Stats().drops), load_cpu, cpu, wall,
      100 * cpu / wall, ru.ru_maxrss);
  return 0;
}
