// System-call categories for the rate model's histograms: what kind of work a window of calls
// does (file, network, process, memory, ipc, time, other), independent of the numbering of
// the trace's syscall table. x86-64 (Vigil captures, LID-DS) and x86 32-bit (ADFA-LD) are
// classified by name; SunOS numbers (UNM) and numbers outside a table are "other".
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ml/trace.h"

namespace vigil::ml {

enum class SyscallCategory : uint8_t {
  kFile = 0,     // paths, fds, reads and writes, metadata, directory entries, xattrs, aio
  kNetwork = 1,  // sockets: socket, connect, accept, send*/recv*, socketcall (x86_32)
  kProcess = 2,  // fork/exec/exit/wait, ids, credentials, signals, scheduling, namespaces,
                 // modules, mounts, prctl/ptrace/seccomp/bpf
  kMemory = 3,   // brk, mmap family, mprotect, madvise, NUMA policy, memfd
  kIpc = 4,      // pipes, SysV/POSIX IPC, futex, eventfd/signalfd, poll/select/epoll waits
  kTime = 5,     // clocks, sleeps, timers, alarms
  kOther = 6,    // everything else, and numbers the table does not name
};
inline constexpr size_t kSyscallCategoryCount = 7;

std::string_view SyscallCategoryName(SyscallCategory category);  // "file", "network", ...

// The category of syscall `number` in `table`. O(1) (per-table arrays built once).
SyscallCategory CategoryOf(SyscallTable table, uint16_t number);

// The category of a syscall by its kernel name ("openat", "socketcall"); kOther if unknown.
SyscallCategory CategoryOfName(std::string_view name);

// x86 32-bit syscall name ("" when the number is not in the table), from the kernel's
// <asm/unistd_32.h>.
std::string_view SyscallName32(uint16_t number);

}  // namespace vigil::ml
