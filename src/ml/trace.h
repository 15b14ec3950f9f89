// What the behaviour models read: a trace is one unit that is learned from or scored — one
// ADFA-LD file, one UNM process, one LID-DS recording, or one workload's slice of a Vigil
// capture. Readers (datasets.h, capture.h) build traces; models (model.h) consume them.
//
// System calls are small integers in the trace's own syscall table: ADFA-LD numbers are
// x86 32-bit, UNM numbers are SunOS, LID-DS and Vigil captures are x86-64. A model remembers
// the table it learned and refuses to score or merge another (mixing tables is meaningless).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::ml {

enum class Label : uint8_t { kUnknown = 0, kNormal = 1, kAttack = 2 };
std::string_view LabelName(Label label);  // "unknown", "normal", "attack"

enum class SyscallTable : uint8_t { kUnknown = 0, kX86_64 = 1, kX86_32 = 2, kSunOs = 3 };
std::string_view SyscallTableName(SyscallTable table);  // "x86_64", "x86_32", "sunos", "unknown"

// The largest syscall number a trace may carry; readers reject larger ones (a corrupted file
// must not make a model allocate per-number tables of unbounded size).
inline constexpr uint16_t kMaxSyscall = 1023;

// Behaviour beyond the bare syscall sequence, extracted from richer recordings (Vigil
// captures, LID-DS arguments). The profile and rate models read these.
enum class ActivityKind : uint8_t {
  kExec = 0,           // subject = parent executable, object = executed path
  kFileWrite = 1,      // object = path written, created, renamed to, unlinked or chmod-ed
  kSensitiveRead = 2,  // object = path read under a sensitive prefix (/etc/shadow, ~/.ssh ...)
  kListen = 3,         // object = "tcp/8080"
  kConnect = 4,        // object = "10.0.0.7:5432" (outbound peer and port)
  kAccept = 5,         // object = peer address of an accepted connection
  kUser = 6,           // object = uid a process ran as ("0", "1000")
  kCapability = 7,     // object = capability name a process gained or used ("CAP_SYS_ADMIN")
  kBytesIn = 8,        // amount = bytes received on sockets
  kBytesOut = 9,       // amount = bytes sent on sockets
};
std::string_view ActivityKindName(ActivityKind kind);  // "exec", "file_write", ...

struct Activity {
  uint64_t ts_ns = 0;
  ActivityKind kind = ActivityKind::kExec;
  std::string subject;  // context: the process (comm or exe) doing it; parent for kExec
  std::string object;   // what: path, port, peer, user, capability
  uint64_t amount = 0;  // bytes for kBytesIn/kBytesOut; 1 otherwise
};

struct Trace {
  std::string id;     // file path, "file#pid", recording name, or workload name
  std::string group;  // attack class ("Adduser"), program ("lpr") or workload; may be empty
  Label label = Label::kUnknown;
  SyscallTable table = SyscallTable::kUnknown;

  std::vector<uint16_t> calls;       // system calls in order of occurrence (each <= kMaxSyscall)
  std::vector<uint32_t> tids;        // thread of each call; empty = one thread
  std::vector<uint64_t> ts_ns;       // time of each call; empty = no timing (ADFA-LD, UNM)
  std::vector<Activity> activities;  // ordered by ts_ns; empty for bare syscall datasets

  // LID-DS: index into `calls` of the first call at or after the exploit started; npos when
  // the recording has no attack (or the dataset does not say).
  static constexpr size_t npos = std::numeric_limits<size_t>::max();
  size_t attack_start = npos;

  // Appended by M3. Calls the source aggregated instead of recording one by one (Vigil
  // captures: the probe counts read, write, poll, futex ... per process in the kernel and
  // reports a count per flush interval). They are not part of `calls` (their order is
  // unknown), so sequence models never see them; the rate model adds them to its per-window
  // syscall-category histograms.
  struct CallCount {
    uint64_t ts_ns = 0;    // end of the interval the calls were counted in
    uint32_t tid = 0;      // the process (thread-group id) the calls were counted for
    uint16_t syscall = 0;  // <= kMaxSyscall
    uint64_t count = 0;
  };
  std::vector<CallCount> counts;  // ordered by ts_ns
};

}  // namespace vigil::ml
