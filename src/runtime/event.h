// The runtime event model: what every source (live eBPF, replay of a recording, the synthetic
// builder for tests) delivers, and what state, rules and behaviour models consume. One flat
// struct rather than a class per syscall, so a rule field ("fd.name", "evt.arg.flags") is one
// member read and the replay path stays allocation-free (5 M events/s per core, issue 8).
//
// Lifetime contract: every std::string_view inside an Event points into storage owned by the
// source and is valid only during the EventSink call that received it. Consumers that keep a
// value copy it. docs/runtime-events.md lists, per syscall, which members are set.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::runtime {

enum class EventType : uint8_t {
  kSyscall = 1,      // a completed system call (seen at sys_exit, with its arguments)
  kProcessFork = 2,  // sched_process_fork: `pid`/`tid` the child, `ppid` the parent
  kProcessExec = 3,  // sched_process_exec: exe, args, cwd, tty, exe_upper_layer, exe_memfd
  kProcessExit = 4,  // sched_process_exit of a thread-group leader; `ret` = exit status
  // In-kernel aggregate of a high-volume syscall (read, write, epoll_wait, ...) for one process
  // over one flush interval: `syscall` and `count` (and `bytes` for read/write-like calls).
  kSyscallCounts = 5,
  // Source-side loss: `count` events were dropped (ring buffer full, or a recording cut
  // short). Rules turn this into Falco's drop alert; it is never silently ignored.
  kDrops = 6,
};

std::string_view EventTypeName(EventType type);

// A socket address as captured (connect/bind/sendto destination, accept peer, getsockname).
struct SockAddr {
  uint16_t family = 0;             // AF_INET, AF_INET6, AF_UNIX; 0 = none captured
  uint16_t port = 0;               // host byte order
  std::array<uint8_t, 16> addr{};  // network byte order; IPv4 in the first 4 bytes
  std::string_view unix_path;      // AF_UNIX (abstract names start with '@')
};
// "10.0.0.1:443", "[::1]:80", "unix:/run/x.sock", "" when family == 0.
std::string SockAddrToString(const SockAddr& addr);
// Appended by C2: appends "10.0.0.1:443" (family AF_INET, the first 4 bytes of `addr`) or
// "[::1]:80" (AF_INET6, 16 bytes) to `out`, the text SockAddrToString gives; nothing for any
// other family. IPv4 is formatted with integer arithmetic alone (no inet_ntop, no temporary).
void AppendInetAddress(uint16_t family, const uint8_t* addr, uint16_t port, std::string* out);

struct Event {
  EventType type = EventType::kSyscall;
  uint64_t ts_ns = 0;  // wall clock, ns since the Unix epoch (sources convert from boot time)
  uint32_t pid = 0;    // thread-group id (what ps shows as PID)
  uint32_t tid = 0;
  uint32_t ppid = 0;
  uint32_t uid = 0;  // real uid/gid of the task at the event
  uint32_t gid = 0;
  uint64_t cgroup_id = 0;  // cgroup v2 id (bpf_get_current_cgroup_id); 1 = the host root
  uint64_t mntns = 0;      // mount namespace inode
  std::string_view comm;   // task comm (at most 15 bytes)

  int32_t syscall = -1;  // x86-64 syscall number (runtime/syscalls.h names it); -1 = none
  int64_t ret = 0;       // return value (negative errno on failure); exit status for kExit

  // Arguments. Which are set depends on the syscall: docs/runtime-events.md.
  int64_t fd = -1;             // the fd argument (read/write/connect/dup2 oldfd/fchmod ...)
  int64_t fd2 = -1;            // a second fd (dup2/dup3 newfd)
  uint64_t flags = 0;          // open flags; socket type; clone/unshare/setns flags; mount flags;
                               // ptrace request; memfd flags; bpf cmd; finit_module flags
  uint32_t mode = 0;           // open/chmod mode
  uint32_t id_arg = 0;         // setuid/setgid target id; ptrace target pid; socket domain
  uint64_t bytes = 0;          // byte count of read/write/sendto/recvfrom on sockets
  uint64_t count = 0;          // kSyscallCounts: calls in the interval; kDrops: events lost
  uint64_t cap_effective = 0;  // capset: the new effective set
  std::string_view path;       // open/chmod/unlink/mkdir target; link/rename/symlink source;
                               // mount source; memfd name; exec filename; init_module: module
  std::string_view path2;      // link/rename/symlink destination; mount target
  SockAddr addr;               // remote address (connect/sendto/accept peer); bind/listen local

  // kProcessExec (and copied onto kProcessFork from the parent where known).
  std::string_view exe;   // the executable's path as the kernel resolved it
  std::string_view args;  // argv, each argument followed by '\0' (argv[0] first)
  std::string_view cwd;
  uint32_t tty = 0;              // controlling tty device number; 0 = none
  bool exe_upper_layer = false;  // the executable lives in an overlayfs upper dir (written
                                 // inside the container after it started: drift)
  bool exe_memfd = false;        // executed from a memfd (fileless)
  bool exe_writable = false;     // the executable file is writable by the executing user
};

}  // namespace vigil::runtime
