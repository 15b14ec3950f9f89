// Vigil captures as traces: a recording made by `vigil agent --record` (runtime/replay.h) is
// replayed through a runtime::State and cut into one Trace per workload, with the syscall
// sequence and the Activities (trace.h) the profile and rate models read.
//
// Workloads (Trace::group; Trace::id is "<capture name>#<workload>"):
//   - a process in a container the State resolved: "container:<name>" (the short id when the
//     runtime gave no name). A replay cannot resolve another host's containers (its cgroup
//     ids mean nothing here): it learns them from the recording's container records
//     (capture format version 2, runtime/replay.h), which the reader hands to the State, so
//     a recording names its containers as the recording agent saw them. A container first
//     answered without a name (its runtime lookup still running at its first events) is
//     "container:<short id>" until an answer names it; its trace then takes the name, so it
//     is one workload (unless a trace of that name exists already). A sidecar or
//     CaptureOptions::workloads entry for a cgroup id overrides that name (and names the
//     containers of version 1 recordings, which have no records);
//   - any other process: its executable ("/usr/sbin/nginx"; "comm:<comm>" when the State
//     never saw its exec or the executable is just "/").
// An execution is an activity of the workload of the process that called execve, as it was
// before the exec: its container, or on the host the parent's executable, which the child
// inherited at fork (so nginx's profile learns whether nginx starts /bin/sh); the new
// program's own calls go to its own workload.
//
// Calls: every kSyscall event is one call (x86-64 numbers) with its tid and time; a
// kProcessExec adds an execve (59) call and a kProcessFork a clone (56) call of the parent,
// because the probe reports those as lifecycle events, not syscalls. kSyscallCounts events
// (read, write, poll, futex ... counted in the kernel) go to Trace::counts, never to `calls`:
// their order is unknown. kDrops events are counted in CaptureStats::lost_events.
//
// Activities (subject = the process's executable, or comm when unknown):
//   kExec          successful exec; subject = the parent's executable ("?" when unknown),
//                  object = the new executable
//   kFileWrite     open/openat/openat2/creat with O_WRONLY, O_RDWR, O_CREAT, O_TRUNC or
//                  O_APPEND; the destination of rename/link/symlink; unlink, rmdir, mkdir;
//                  chmod/fchmodat/fchmod. Paths are resolved against the process's cwd or the
//                  dirfd's path as far as the State knows them, and normalised.
//   kSensitiveRead open of a path IsSensitivePath() accepts (any access mode)
//   kListen        listen: "tcp/<port>" (IPv4 and IPv6), "unix:<path>"
//   kConnect       connect (ret 0 or EINPROGRESS) and sendto with a destination: the peer
//                  "10.0.0.7:5432", "[::1]:53", "unix:/run/x.sock"
//   kAccept        accept/accept4: the peer's address without its (ephemeral) port
//   kUser          the uid of every exec, and the uid a successful set*uid asked for
//   kCapability    capset: each capability of the new effective set, "CAP_NET_RAW"
//   kBytesIn/Out   socket bytes of counted read/recv*/write/send* calls and of sendto events
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "ml/trace.h"
#include "runtime/event.h"
#include "runtime/source.h"
#include "runtime/state.h"

namespace vigil::ml {

struct CaptureOptions {
  Label label = Label::kUnknown;  // given to every trace
  // Workload names by cgroup id: they override the name of the container a recording's
  // container records (or the State) give the cgroup, and name cgroups nothing else names.
  // ReadVigilCapture also reads "<capture>.workloads" when it exists: one "cgroup_id name"
  // pair per line ('#' starts a comment); entries here win over the sidecar's.
  std::map<uint64_t, std::string> workloads;
  // Bounds (memory is bounded whatever the recording): further workloads, calls and
  // activities are not stored and are counted in CaptureStats.
  size_t max_workloads = 4096;
  size_t max_calls = size_t{16} << 20;      // over all traces
  size_t max_activities = size_t{4} << 20;  // over all traces
  bool tolerate_truncated_tail = false;     // ReplayOptions::tolerate_truncated_tail
};

struct CaptureStats {
  uint64_t events = 0;
  uint64_t lost_events = 0;              // sum of kDrops counts: the recording itself is incomplete
  uint64_t dropped_workload_events = 0;  // events of workloads beyond max_workloads
  uint64_t dropped_calls = 0;
  uint64_t dropped_activities = 0;
};

// True for paths whose mere reading is worth learning: credentials, keys and other
// processes' secrets. Prefixes ('*' = exactly one path component):
//   /etc/shadow, /etc/gshadow, /etc/shadow-, /etc/gshadow-, /etc/sudoers, /etc/sudoers.d/,
//   /etc/security/opasswd, /etc/krb5.keytab, /etc/ssh/ssh_host_, /etc/ssl/private/,
//   /etc/kubernetes/pki/, /etc/kubernetes/admin.conf, /root/.ssh/, /home/*/.ssh/,
//   /root/.aws/, /home/*/.aws/, /root/.kube/, /home/*/.kube/, /root/.docker/config.json,
//   /root/.gnupg/, /home/*/.gnupg/, /root/.bash_history, /home/*/.bash_history,
//   /proc/*/environ, /proc/*/mem, /proc/*/maps, /var/run/secrets/, /run/secrets/,
//   /var/lib/kubelet/pki/, /var/lib/docker/, /var/lib/containers/.
// A prefix ending in '/' matches everything below it; otherwise the path must equal it or
// continue with '/' (or, for /etc/ssh/ssh_host_, any suffix).
bool IsSensitivePath(std::string_view path);

// Turns an event stream into traces incrementally. Feed it every event of a stream in order;
// Take() returns what accumulated since the last Take (one trace per workload that had
// calls, counts or activities), so a live consumer can take a window's traces at a time.
class TraceAssembler {
 public:
  // Owns a State built from the events alone (what a replay of a recording needs) and
  // applies each event to it before reading it.
  static StatusOr<std::unique_ptr<TraceAssembler>> Create(std::string name,
                                                          const CaptureOptions& options);
  // Reads the caller's State, which the caller has already applied each event to (the live
  // agent feeds one State to rules and models). `state` must outlive the assembler.
  TraceAssembler(std::string name, runtime::State* state, const CaptureOptions& options);
  ~TraceAssembler();
  TraceAssembler(const TraceAssembler&) = delete;
  TraceAssembler& operator=(const TraceAssembler&) = delete;

  void Add(const runtime::Event& event);
  // Hands a recording's container record to the State the assembler reads (what
  // TracesFromSource wires for a ReplaySource); call between events, in stream order.
  void SetContainerInfo(uint64_t cgroup_id, const runtime::ContainerInfo& info);
  // A sink that calls Add; valid while the assembler lives.
  runtime::EventSink Sink();
  // The traces since the last Take, in order of each workload's first event.
  std::vector<Trace> Take();
  const CaptureStats& stats() const { return stats_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  CaptureStats stats_;
};

// Replays a capture file into traces. Errors name the file (and byte offset of a corrupt
// block, from the replay reader); `stats` may be null.
StatusOr<std::vector<Trace>> ReadVigilCapture(const std::string& path,
                                              const CaptureOptions& options = {},
                                              CaptureStats* stats = nullptr);
// The same over any source (a SyntheticSource in tests, a ReplaySource opened elsewhere). A
// ReplaySource's container records reach the assembler's State (its on_container callback
// is chained, not replaced).
StatusOr<std::vector<Trace>> TracesFromSource(runtime::EventSource* source, std::string name,
                                              const CaptureOptions& options = {},
                                              CaptureStats* stats = nullptr);
// Parses a "<capture>.workloads" sidecar; InvalidArgument naming file:line on a bad line.
Status ParseWorkloadsFile(std::string_view text, std::string_view file_name,
                          std::map<uint64_t, std::string>* out);

}  // namespace vigil::ml
