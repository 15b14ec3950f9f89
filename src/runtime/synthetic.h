// The synthetic source: event sequences built in code, for tests of everything above the
// sources (state, rules, models, the agent) and for benchmarks. A fluent builder keeps a
// "current task" context (pid, tid, ppid, uid/gid, cgroup, mount ns, comm, cwd) that each
// event inherits, and a clock that advances by a fixed step per event:
//
//   SyntheticBuilder b;
//   b.Cgroup(4242).Exec("/bin/sh", {"sh", "-c", "id"})
//       .Open("/etc/shadow", O_RDONLY)
//       .Socket(AF_INET, SOCK_STREAM).Connect("10.0.0.1:443");
//   auto source = b.Build();
//
// Defaults: pid = tid = 1000, ppid 1, uid/gid 0, cgroup id 1 (the host root), mount ns
// 4026531841 (the host's), comm "bash", cwd "/", time 2026-01-01T00:00:00Z, step 1 µs.
// File descriptors returned by Open/Socket/Accept/MemfdCreate are allocated from 3 upwards
// per builder; the *Fd() accessor gives the last one.
#pragma once

#include <cstdint>
#include <deque>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "runtime/event.h"
#include "runtime/source.h"

namespace vigil::runtime {

// Parses "10.0.0.1:443", "[::1]:80" or "unix:/run/x.sock" (SockAddrToString's forms).
// For unix addresses the returned view points into `spec`.
StatusOr<SockAddr> ParseSockAddr(std::string_view spec);

// Owns the strings the events' views point to; shared by a builder and the sources it built.
struct SyntheticStorage {
  std::deque<std::string> strings;
};

class SyntheticSource : public EventSource {
 public:
  SyntheticSource(std::shared_ptr<const SyntheticStorage> storage, std::vector<Event> events)
      : storage_(std::move(storage)), events_(std::move(events)) {}

  // Delivers up to kMaxEventsPerPoll events; OutOfRange once all were delivered.
  StatusOr<size_t> Poll(std::chrono::milliseconds timeout, const EventSink& sink) override;
  SourceStats Stats() const override { return stats_; }
  std::string Describe() const override { return "synthetic"; }

  static constexpr size_t kMaxEventsPerPoll = 4096;

 private:
  std::shared_ptr<const SyntheticStorage> storage_;
  std::vector<Event> events_;
  size_t next_ = 0;
  SourceStats stats_;
};

class SyntheticBuilder {
 public:
  SyntheticBuilder();

  // Context for the events that follow.
  SyntheticBuilder& At(uint64_t ts_ns);                   // the next event's time
  SyntheticBuilder& Step(uint64_t step_ns);               // time between consecutive events
  SyntheticBuilder& Pid(uint32_t pid, uint32_t tid = 0);  // tid 0 = pid
  SyntheticBuilder& Ppid(uint32_t ppid);
  SyntheticBuilder& User(uint32_t uid, uint32_t gid);
  SyntheticBuilder& Cgroup(uint64_t cgroup_id);
  SyntheticBuilder& Mntns(uint64_t mntns);
  SyntheticBuilder& Comm(std::string_view comm);
  SyntheticBuilder& Cwd(std::string_view cwd);

  // Process lifecycle. Fork emits kProcessFork for `child_pid` and makes the child the
  // current task (ppid = the former current pid); Exec emits kProcessExec and sets comm to
  // the file's base name (15 bytes at most, as the kernel does); Exit emits kProcessExit.
  SyntheticBuilder& Fork(uint32_t child_pid);
  SyntheticBuilder& Exec(std::string_view path, std::initializer_list<std::string_view> argv);
  SyntheticBuilder& Exec(std::string_view path, const std::vector<std::string>& argv);
  SyntheticBuilder& Exit(int32_t status);

  // System calls (sys_exit view: arguments plus return value). Successful by default;
  // Ret() overrides the return value of the last event ("failed with -EACCES").
  SyntheticBuilder& Open(std::string_view path, uint64_t flags, uint32_t mode = 0);  // openat
  SyntheticBuilder& Close(int64_t fd);
  SyntheticBuilder& Read(int64_t fd, uint64_t bytes);
  SyntheticBuilder& Write(int64_t fd, uint64_t bytes);
  SyntheticBuilder& Socket(uint32_t domain, uint64_t type);
  // Connect/Bind/Listen/Sendto on `fd`; without fd, the last allocated one.
  SyntheticBuilder& Connect(std::string_view addr, int64_t fd = -1);
  SyntheticBuilder& Bind(std::string_view addr, int64_t fd = -1);
  SyntheticBuilder& Listen(int64_t fd = -1);
  SyntheticBuilder& Accept(std::string_view peer, int64_t listen_fd = -1);  // accept4
  SyntheticBuilder& Sendto(std::string_view addr, uint64_t bytes, int64_t fd = -1);
  SyntheticBuilder& Recvfrom(uint64_t bytes, int64_t fd = -1);
  SyntheticBuilder& Dup2(int64_t oldfd, int64_t newfd);
  SyntheticBuilder& Dup3(int64_t oldfd, int64_t newfd, uint64_t flags);
  SyntheticBuilder& Chmod(std::string_view path, uint32_t mode);
  SyntheticBuilder& Fchmod(int64_t fd, uint32_t mode);
  SyntheticBuilder& Unlink(std::string_view path);                                // unlinkat
  SyntheticBuilder& Rename(std::string_view from, std::string_view to);           // renameat2
  SyntheticBuilder& Link(std::string_view from, std::string_view to);             // linkat
  SyntheticBuilder& Symlink(std::string_view target, std::string_view linkpath);  // symlinkat
  SyntheticBuilder& Mkdir(std::string_view path, uint32_t mode);                  // mkdirat
  SyntheticBuilder& Setuid(uint32_t uid);
  SyntheticBuilder& Setgid(uint32_t gid);
  SyntheticBuilder& Capset(uint64_t effective);
  SyntheticBuilder& Ptrace(uint64_t request, uint32_t target_pid);
  SyntheticBuilder& Mount(std::string_view source, std::string_view target, uint64_t flags);
  SyntheticBuilder& Setns(int64_t fd, uint64_t nstype);
  SyntheticBuilder& Unshare(uint64_t flags);
  SyntheticBuilder& MemfdCreate(std::string_view name, uint64_t flags);
  SyntheticBuilder& InitModule(std::string_view name);
  SyntheticBuilder& FinitModule(int64_t fd, uint64_t flags);
  SyntheticBuilder& Bpf(uint64_t cmd);
  // Any other syscall by number, with only its return value.
  SyntheticBuilder& Syscall(int32_t number, int64_t ret = 0);

  // Aggregates and loss.
  SyntheticBuilder& Counts(int32_t syscall, uint64_t count, uint64_t bytes = 0);
  SyntheticBuilder& Drops(uint64_t count);

  // Modifiers of the last event.
  SyntheticBuilder& Ret(int64_t ret);
  SyntheticBuilder& UpperLayer();  // exe_upper_layer
  SyntheticBuilder& Memfd();       // exe_memfd
  SyntheticBuilder& Tty(uint32_t tty);

  // Appends a fully formed event; its views are copied into the builder's storage.
  SyntheticBuilder& Add(const Event& event);

  int64_t LastFd() const { return next_fd_ - 1; }
  // The first error of a builder call (an address ParseSockAddr rejects); such an event is
  // still added, without its address.
  const Status& status() const { return status_; }
  const std::vector<Event>& events() const { return events_; }
  // A source over the events built so far; the builder stays usable.
  std::unique_ptr<SyntheticSource> Build() const;

 private:
  Event& NewEvent(EventType type);
  // Both Exec overloads: `args` is argv already joined, each argument followed by NUL.
  SyntheticBuilder& ExecJoined(std::string_view path, std::string_view args);
  Event& NewSyscall(int32_t number, int64_t ret);
  std::string_view Keep(std::string_view s);
  SockAddr Addr(std::string_view spec);

  std::shared_ptr<SyntheticStorage> storage_;
  std::vector<Event> events_;
  uint64_t ts_ns_;
  uint64_t step_ns_ = 1000;
  uint32_t pid_ = 1000, tid_ = 1000, ppid_ = 1, uid_ = 0, gid_ = 0;
  uint64_t cgroup_id_ = 1;
  uint64_t mntns_ = 4026531841ull;
  std::string_view comm_;
  std::string_view cwd_;
  int64_t next_fd_ = 3;
  Status status_;
};

}  // namespace vigil::runtime
