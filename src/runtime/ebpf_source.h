// The live source: the CO-RE probe in src/bpf (vigil.bpf.c) loaded from its libbpf skeleton,
// attached to raw syscall and sched tracepoints, read from a BPF ring buffer.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "base/status.h"
#include "runtime/source.h"

namespace vigil::runtime {

struct EbpfOptions {
  size_t ring_buffer_bytes = 16u << 20;  // per ring buffer; a power of two
  // Bounded wake-up latency: the reader is woken at least this often (batched wake-ups).
  std::chrono::milliseconds flush_interval{10};
  // High-volume syscalls (read, write, epoll_*, ...) are counted per process in the kernel
  // and emitted as kSyscallCounts events; true streams each call instead.
  bool stream_high_volume = false;
  std::vector<uint32_t> exclude_pids;  // the agent's own pid is always excluded
};

// Loads and attaches the probe. Errors name what is missing: no BTF at
// /sys/kernel/btf/vmlinux, no permission (CAP_BPF/CAP_PERFMON or root), kernel too old.
StatusOr<std::unique_ptr<EventSource>> OpenEbpfSource(const EbpfOptions& options);

}  // namespace vigil::runtime
