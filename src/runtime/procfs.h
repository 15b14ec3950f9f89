// Reading processes from a /proc tree (the real one, or a fake one under testdata). Pure
// parsers for each file plus one ReadProcFsProcess that gathers a process; every read is
// bounded and a process that vanished mid-read is an error the caller skips, never a crash.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "runtime/state.h"

namespace vigil::runtime {

// The fields of /proc/<pid>/stat that state needs.
struct ProcStat {
  uint32_t pid = 0;
  std::string comm;
  uint32_t ppid = 0;
  uint32_t tty = 0;          // tty_nr (device number; 0 = none)
  uint64_t start_ticks = 0;  // starttime, clock ticks after boot
};
// Parses one stat line; the comm may hold spaces and ')' (the last ')' ends it). `where`
// names the file in errors.
StatusOr<ProcStat> ParseProcStat(std::string_view text, std::string_view where);

// The real uid (first field of "Uid:") of /proc/<pid>/status.
StatusOr<uint32_t> ParseProcStatusUid(std::string_view text, std::string_view where);

// CapEff and CapPrm (hexadecimal masks) of /proc/<pid>/status. Not found (a kernel without
// them, a fake tree) is NotFound; a malformed value is an error naming the line.
struct ProcCaps {
  uint64_t effective = 0;
  uint64_t permitted = 0;
};
StatusOr<ProcCaps> ParseProcStatusCaps(std::string_view text, std::string_view where);

// argv from /proc/<pid>/cmdline (NUL-separated; a trailing NUL is not an extra argument).
std::vector<std::string> ParseCmdline(std::string_view text);

// The cgroup v2 path (the "0::" line) of /proc/<pid>/cgroup; "" when there is none.
std::string ParseCgroupV2Path(std::string_view text);

// "btime" of /proc/stat: boot time in seconds since the epoch; 0 when absent.
uint64_t ParseBootTime(std::string_view text);

// Classifies an fd link target: "socket:[123]", "pipe:[9]", "/memfd:x (deleted)",
// "anon_inode:[eventfd]", or a path.
FdInfo FdFromLink(std::string_view target);

// Sockets of one network namespace by inode, from /proc/<pid>/net/{tcp,tcp6,udp,udp6,unix}:
// kind and name as the event path names them ("0.0.0.0:80" listening or unconnected,
// "10.0.0.5:41000->10.0.0.2:443" connected, client first: an established TCP socket whose
// local port is listening in the same namespace was accepted, so its peer comes first;
// "unix:/run/x.sock").
using SocketTable = std::map<uint64_t, FdInfo>;
// Adds the entries of one /proc/net file (`name` is "tcp", "tcp6", "udp", "udp6" or "unix")
// to `table`; malformed lines are skipped and counted in the return value.
size_t ParseProcNetSockets(std::string_view text, std::string_view name, SocketTable* table);
// Reads all five files of `proc_root`/<pid>/net (missing ones are skipped).
SocketTable ReadSocketTable(const std::string& proc_root, uint32_t pid);
// "socket:[123]" -> 123; 0 otherwise.
uint64_t SocketInode(std::string_view link);

// A process as read from `proc_root`/<pid>; `cgroup_path` gets its v2 cgroup path. Up to
// `max_fds` fd links are read.
struct ProcFsProcess {
  ProcessInfo info;
  std::string cgroup_path;
};
StatusOr<ProcFsProcess> ReadProcFsProcess(const std::string& proc_root, uint32_t pid,
                                          uint64_t boot_time_s, size_t max_fds);

// Numeric entries of `proc_root` (thread-group leaders), ascending.
std::vector<uint32_t> ListProcPids(const std::string& proc_root);

}  // namespace vigil::runtime
