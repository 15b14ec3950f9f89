// The capture side of bench/capture_redis.sh: loads the live eBPF source with default options
// and drains it until SIGTERM/SIGINT (or --seconds N), as `vigil agent` would without rules.
// On exit prints one line: events, events/s, drops, the agent's CPU seconds and peak RSS.
#include <signal.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "runtime/ebpf_source.h"

namespace {
volatile sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }
}  // namespace

int main(int argc, char** argv) {
  double seconds = 0;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--seconds") == 0) seconds = std::atof(argv[i + 1]);
  }
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);

  auto source = vigil::runtime::OpenEbpfSource(vigil::runtime::EbpfOptions{});
  if (!source.ok()) {
    std::fprintf(stderr, "capture_agent: %s\n", source.status().ToString().c_str());
    return 2;
  }
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
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  double cpu =
      ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  std::printf("events %llu (%.0f/s) drops %llu cpu %.2fs (%.1f%% of a core) maxrss %ld KiB\n",
              static_cast<unsigned long long>(events), events / wall,
              static_cast<unsigned long long>((*source)->Stats().drops), cpu, 100 * cpu / wall,
              ru.ru_maxrss);
  return 0;
}
