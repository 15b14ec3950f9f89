// The capture side of bench/capture_redis.sh: loads the live eBPF source with default options
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

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "runtime/ebpf_source.h"

#if defined(VIGIL_HAVE_FLOOR)
#include <bpf/libbpf.h>

#include "bpf/wire.h"
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wpedantic"
#include "capture_floor.skel.h"
#pragma GCC diagnostic pop
#endif

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

// Attaches the floor program `name` and sleeps until stopped or `seconds` (> 0) pass; the
// skeleton's destructor detaches it. Returns the process exit code.
int RunFloor(const std::string& name, double seconds) {
#if defined(VIGIL_HAVE_FLOOR)
  vigil_floor* skel = vigil_floor__open();
  if (skel == nullptr) {
    std::fprintf(stderr, "capture_agent: floor: open: %s\n", std::strerror(errno));
    return 2;
  }
  bpf_program* keep = nullptr;
  const bool events = name == "events";
  if (name == "tp_btf") {
    keep = skel->progs.floor_sys_exit;
  } else if (name == "openat" || events) {
    keep = skel->progs.floor_exit_openat;
  } else if (name == "write") {
    keep = skel->progs.floor_exit_write;
  } else {
    std::fprintf(stderr, "capture_agent: --floor %s: expected tp_btf, openat, write or events\n",
                 name.c_str());
    vigil_floor__destroy(skel);
    return 2;
  }
  // Only the chosen programs are loaded (the trace-event ones need tracefs mounted).
  bpf_program__set_autoload(skel->progs.floor_sys_exit, keep == skel->progs.floor_sys_exit);
  bpf_program__set_autoload(skel->progs.floor_exit_openat, keep == skel->progs.floor_exit_openat);
  bpf_program__set_autoload(skel->progs.floor_exit_write, keep == skel->progs.floor_exit_write);
  bpf_program__set_autoload(skel->progs.floor_sock_send, events);
  bpf_program__set_autoload(skel->progs.floor_sock_recv, events);
  int err = vigil_floor__load(skel);
  std::vector<bpf_link*> links;
  if (err == 0 && !events) {
    if (bpf_link* l = bpf_program__attach(keep)) links.push_back(l);
  } else if (err == 0) {
    // The one event program on every captured call's exit event. A few calls' events have
    // other names (umount2 is sys_exit_umount) or do not exist: counted, not fatal.
    int missing = 0;
#define VIGIL_FLOOR_ATTACH_(call, nr, cls)                                             \
  if (VIGIL_CLASS_##cls == VIGIL_CLASS_CAPTURE) {                                      \
    bpf_link* l = bpf_program__attach_tracepoint(keep, "syscalls", "sys_exit_" #call); \
    if (l != nullptr)                                                                  \
      links.push_back(l);                                                              \
    else                                                                               \
      ++missing;                                                                       \
  }
    VIGIL_SYSCALL_LIST(VIGIL_FLOOR_ATTACH_)
#undef VIGIL_FLOOR_ATTACH_
    for (bpf_program* p : {skel->progs.floor_sock_send, skel->progs.floor_sock_recv}) {
      if (bpf_link* l = bpf_program__attach(p)) links.push_back(l);
    }
    std::fprintf(stderr, "capture_agent: floor events: %zu attached, %d syscall events missing\n",
                 links.size(), missing);
  }
  if (links.empty()) {
    std::fprintf(stderr, "capture_agent: floor %s: load/attach failed: %s\n", name.c_str(),
                 std::strerror(err != 0 ? -err : errno));
    vigil_floor__destroy(skel);
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
  for (bpf_link* l : links) bpf_link__destroy(l);
  vigil_floor__destroy(skel);
  std::printf("floor %s: load cpu %.3fs drain cpu %.3fs over %.2fs\n", name.c_str(), load_cpu,
              CpuSeconds() - load_cpu, wall);
  return 0;
#else
  std::fprintf(stderr, "capture_agent: --floor %s: built without the eBPF probe\n", name.c_str());
  return 2;
#endif
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
