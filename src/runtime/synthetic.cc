#include "runtime/synthetic.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/socket.h>

#include <cstring>

#include "fmt/format.h"
#include "runtime/syscalls.h"

namespace vigil::runtime {

StatusOr<SockAddr> ParseSockAddr(std::string_view spec) {
  SockAddr a;
  if (spec.rfind("unix:", 0) == 0) {
    a.family = AF_UNIX;
    a.unix_path = spec.substr(5);
    return a;
  }
  std::string host;
  std::string_view port;
  if (!spec.empty() && spec.front() == '[') {
    size_t close = spec.find("]:");
    if (close == std::string_view::npos) {
      return InvalidArgumentError(fmt::format("address '{}': want [IPv6]:port", spec));
    }
    host = std::string(spec.substr(1, close - 1));
    port = spec.substr(close + 2);
    a.family = AF_INET6;
  } else {
    size_t colon = spec.rfind(':');
    if (colon == std::string_view::npos) {
      return InvalidArgumentError(fmt::format("address '{}': want IPv4:port", spec));
    }
    host = std::string(spec.substr(0, colon));
    port = spec.substr(colon + 1);
    a.family = AF_INET;
  }
  if (inet_pton(a.family, host.c_str(), a.addr.data()) != 1) {
    return InvalidArgumentError(fmt::format("address '{}': '{}' is not an IP address", spec, host));
  }
  uint32_t p = 0;
  if (port.empty() || port.size() > 5) {
    return InvalidArgumentError(fmt::format("address '{}': bad port", spec));
  }
  for (char c : port) {
    if (c < '0' || c > '9')
      return InvalidArgumentError(fmt::format("address '{}': bad port", spec));
    p = p * 10 + static_cast<uint32_t>(c - '0');
  }
  if (p > 65535) return InvalidArgumentError(fmt::format("address '{}': port above 65535", spec));
  a.port = static_cast<uint16_t>(p);
  return a;
}

StatusOr<size_t> SyntheticSource::Poll(std::chrono::milliseconds, const EventSink& sink) {
  if (next_ >= events_.size()) return OutOfRangeError("synthetic: end of events");
  size_t n = 0;
  while (next_ < events_.size() && n < kMaxEventsPerPoll) {
    const Event& e = events_[next_++];
    if (e.type == EventType::kDrops) stats_.drops += e.count;
    ++stats_.events;
    ++n;
    sink(e);
  }
  return n;
}

SyntheticBuilder::SyntheticBuilder()
    : storage_(std::make_shared<SyntheticStorage>()),
      ts_ns_(1767225600ull * 1000000000ull),  // 2026-01-01T00:00:00Z
      comm_("bash"),
      cwd_("/") {}

std::string_view SyntheticBuilder::Keep(std::string_view s) {
  if (s.empty()) return {};
  return storage_->strings.emplace_back(s);
}

SockAddr SyntheticBuilder::Addr(std::string_view spec) {
  auto parsed = ParseSockAddr(spec);
  if (!parsed.ok()) {
    if (status_.ok()) status_ = parsed.status();
    return SockAddr{};
  }
  SockAddr a = *parsed;
  a.unix_path = Keep(a.unix_path);
  return a;
}

SyntheticBuilder& SyntheticBuilder::At(uint64_t ts_ns) {
  ts_ns_ = ts_ns;
  return *this;
}
SyntheticBuilder& SyntheticBuilder::Step(uint64_t step_ns) {
  step_ns_ = step_ns;
  return *this;
}
SyntheticBuilder& SyntheticBuilder::Pid(uint32_t pid, uint32_t tid) {
  pid_ = pid;
  tid_ = tid == 0 ? pid : tid;
  return *this;
}
SyntheticBuilder& SyntheticBuilder::Ppid(uint32_t ppid) {
  ppid_ = ppid;
  return *this;
}
SyntheticBuilder& SyntheticBuilder::User(uint32_t uid, uint32_t gid) {
  uid_ = uid;
  gid_ = gid;
  return *this;
}
SyntheticBuilder& SyntheticBuilder::Cgroup(uint64_t cgroup_id) {
  cgroup_id_ = cgroup_id;
  return *this;
}
SyntheticBuilder& SyntheticBuilder::Mntns(uint64_t mntns) {
  mntns_ = mntns;
  return *this;
}
SyntheticBuilder& SyntheticBuilder::Comm(std::string_view comm) {
  comm_ = Keep(comm.substr(0, 15));
  return *this;
}
SyntheticBuilder& SyntheticBuilder::Cwd(std::string_view cwd) {
  cwd_ = Keep(cwd);
  return *this;
}

Event& SyntheticBuilder::NewEvent(EventType type) {
  Event& e = events_.emplace_back();
  e.type = type;
  e.ts_ns = ts_ns_;
  ts_ns_ += step_ns_;
  e.pid = pid_;
  e.tid = tid_;
  e.ppid = ppid_;
  e.uid = uid_;
  e.gid = gid_;
  e.cgroup_id = cgroup_id_;
  e.mntns = mntns_;
  e.comm = comm_;
  return e;
}

Event& SyntheticBuilder::NewSyscall(int32_t number, int64_t ret) {
  Event& e = NewEvent(EventType::kSyscall);
  e.syscall = number;
  e.ret = ret;
  return e;
}

SyntheticBuilder& SyntheticBuilder::Fork(uint32_t child_pid) {
  uint32_t parent = pid_;
  Event& e = NewEvent(EventType::kProcessFork);
  e.pid = child_pid;
  e.tid = child_pid;
  e.ppid = parent;
  e.cwd = cwd_;
  pid_ = tid_ = child_pid;
  ppid_ = parent;
  return *this;
}

SyntheticBuilder& SyntheticBuilder::Exec(std::string_view path,
                                         std::initializer_list<std::string_view> argv) {
  std::string joined;
  for (std::string_view a : argv) {
    joined.append(a);
    joined.push_back('\0');
  }
  return ExecJoined(path, joined);
}

SyntheticBuilder& SyntheticBuilder::Exec(std::string_view path,
                                         const std::vector<std::string>& argv) {
  std::string joined;
  for (const std::string& a : argv) {
    joined.append(a);
    joined.push_back('\0');
  }
  return ExecJoined(path, joined);
}

SyntheticBuilder& SyntheticBuilder::ExecJoined(std::string_view path, std::string_view args) {
  std::string_view base = path.substr(path.rfind('/') + 1);
  comm_ = Keep(base.substr(0, 15));
  Event& e = NewEvent(EventType::kProcessExec);
  e.exe = Keep(path);
  e.path = e.exe;
  e.args = Keep(args);
  e.cwd = cwd_;
  return *this;
}

SyntheticBuilder& SyntheticBuilder::Exit(int32_t status) {
  NewEvent(EventType::kProcessExit).ret = status;
  return *this;
}

SyntheticBuilder& SyntheticBuilder::Open(std::string_view path, uint64_t flags, uint32_t mode) {
  Event& e = NewSyscall(sys::kOpenat, next_fd_++);
  e.fd = AT_FDCWD;
  e.path = Keep(path);
  e.flags = flags;
  e.mode = mode;
  return *this;
}
SyntheticBuilder& SyntheticBuilder::Close(int64_t fd) {
  NewSyscall(sys::kClose, 0).fd = fd;
  return *this;
}
SyntheticBuilder& SyntheticBuilder::Read(int64_t fd, uint64_t bytes) {
  Event& e = NewSyscall(sys::kRead, static_cast<int64_t>(bytes));
  e.fd = fd;
  e.bytes = bytes;
  return *this;
}
SyntheticBuilder& SyntheticBuilder::Write(int64_t fd, uint64_t bytes) {
  Event& e = NewSyscall(sys::kWrite, static_cast<int64_t>(bytes));
  e.fd = fd;
  e.bytes = bytes;
  return *this;
}
SyntheticBuilder& SyntheticBuilder::Socket(uint32_t domain, uint64_t type) {
  Event& e = NewSyscall(sys::kSocket, next_fd_++);
  e.id_arg = domain;
  e.flags = type;
  return *this;
}
SyntheticBuilder& SyntheticBuilder::Connect(std::string_view addr, int64_t fd) {
  SockAddr a = Addr(addr);
  Event& e = NewSyscall(sys::kConnect, 0);
  e.fd = fd >= 0 ? fd : LastFd();
  e.addr = a;
  return *this;
}
SyntheticBuilder& SyntheticBuilder::Bind(std::string_view addr, int64_t fd) {
  SockAddr a = Addr(addr);
  Event& e = NewSyscall(sys::kBind, 0);
  e.fd = fd >= 0 ? fd : LastFd();
  e.addr = a;
  return *this;
}
SyntheticBuilder& SyntheticBuilder::Listen(int64_t fd) {
  NewSyscall(sys::kListen, 0).fd = fd >= 0 ? fd : LastFd();
  return *this;
}
SyntheticBuilder& SyntheticBuilder::Accept(std::string_view peer, int64_t listen_fd) {
  SockAddr a = Addr(peer);
  int64_t lfd = listen_fd >= 0 ? listen_fd : LastFd();
  Event& e = NewSyscall(sys::kAccept4, next_fd_++);
  e.fd = lfd;
  e.addr = a;
  return *this;
}
SyntheticBuilder& SyntheticBuilder::Sendto(std::string_view addr, uint64_t bytes, int64_t fd) {
  SockAddr a = Addr(addr);
  Event& e = NewSyscall(sys::kSendto, static_cast<int64_t>(bytes));
  e.fd = fd >= 0 ? fd : LastFd();
  e.addr = a;
  e.bytes = bytes;
  return *this;
}
SyntheticBuilder& SyntheticBuilder::Recvfrom(uint64_t bytes, int64_t fd) {
  Event& e = NewSyscall(sys::kRecvfrom, static_cast<int64_t>(bytes));
  e.fd = fd >= 0 ? fd : LastFd();
  e.bytes = bytes;
  return *this;
}
SyntheticBuilder& SyntheticBuilder::Dup2(int64_t oldfd, int64_t newfd) {
  Event& e = NewSyscall(sys::kDup2, newfd);
  e.fd = oldfd;
  e.fd2 = newfd;
  return *this;
}
SyntheticBuilder& SyntheticBuilder::Dup3(int64_t oldfd, int64_t newfd, uint64_t flags) {
  Event& e = NewSyscall(sys::kDup3, newfd);
  e.fd = oldfd;
  e.fd2 = newfd;
  e.flags = flags;
  return *this;
}
SyntheticBuilder& SyntheticBuilder::Chmod(std::string_view path, uint32_t mode) {
  Event& e = NewSyscall(sys::kFchmodat, 0);
  e.fd = AT_FDCWD;
  e.path = Keep(path);
  e.mode = mode;
  return *this;
}
SyntheticBuilder& SyntheticBuilder::Fchmod(int64_t fd, uint32_t mode) {
  Event& e = NewSyscall(sys::kFchmod, 0);
  e.fd = fd;
  e.mode = mode;
  return *this;
}
SyntheticBuilder& SyntheticBuilder::Unlink(std::string_view path) {
  Event& e = NewSyscall(sys::kUnlinkat, 0);
  e.fd = AT_FDCWD;
  e.path = Keep(path);
  return *this;
}
SyntheticBuilder& SyntheticBuilder::Rename(std::string_view from, std::string_view to) {
  Event& e = NewSyscall(sys::kRenameat2, 0);
  e.path = Keep(from);
  e.path2 = Keep(to);
  return *this;
}
SyntheticBuilder& SyntheticBuilder::Link(std::string_view from, std::string_view to) {
  Event& e = NewSyscall(sys::kLinkat, 0);
  e.path = Keep(from);
  e.path2 = Keep(to);
  return *this;
}
SyntheticBuilder& SyntheticBuilder::Symlink(std::string_view target, std::string_view linkpath) {
  Event& e = NewSyscall(sys::kSymlinkat, 0);
  e.path = Keep(target);
  e.path2 = Keep(linkpath);
  return *this;
}
SyntheticBuilder& SyntheticBuilder::Mkdir(std::string_view path, uint32_t mode) {
  Event& e = NewSyscall(sys::kMkdirat, 0);
  e.fd = AT_FDCWD;
  e.path = Keep(path);
  e.mode = mode;
  return *this;
}
SyntheticBuilder& SyntheticBuilder::Setuid(uint32_t uid) {
  NewSyscall(sys::kSetuid, 0).id_arg = uid;
  uid_ = uid;
  return *this;
}
SyntheticBuilder& SyntheticBuilder::Setgid(uint32_t gid) {
  NewSyscall(sys::kSetgid, 0).id_arg = gid;
  gid_ = gid;
  return *this;
}
SyntheticBuilder& SyntheticBuilder::Capset(uint64_t effective) {
  NewSyscall(sys::kCapset, 0).cap_effective = effective;
  return *this;
}
SyntheticBuilder& SyntheticBuilder::Ptrace(uint64_t request, uint32_t target_pid) {
  Event& e = NewSyscall(sys::kPtrace, 0);
  e.flags = request;
  e.id_arg = target_pid;
  return *this;
}
SyntheticBuilder& SyntheticBuilder::Mount(std::string_view source, std::string_view target,
                                          uint64_t flags) {
  Event& e = NewSyscall(sys::kMount, 0);
  e.path = Keep(source);
  e.path2 = Keep(target);
  e.flags = flags;
  return *this;
}
SyntheticBuilder& SyntheticBuilder::Setns(int64_t fd, uint64_t nstype) {
  Event& e = NewSyscall(sys::kSetns, 0);
  e.fd = fd;
  e.flags = nstype;
  return *this;
}
SyntheticBuilder& SyntheticBuilder::Unshare(uint64_t flags) {
  NewSyscall(sys::kUnshare, 0).flags = flags;
  return *this;
}
SyntheticBuilder& SyntheticBuilder::MemfdCreate(std::string_view name, uint64_t flags) {
  Event& e = NewSyscall(sys::kMemfdCreate, next_fd_++);
  e.path = Keep(name);
  e.flags = flags;
  return *this;
}
SyntheticBuilder& SyntheticBuilder::InitModule(std::string_view name) {
  NewSyscall(sys::kInitModule, 0).path = Keep(name);
  return *this;
}
SyntheticBuilder& SyntheticBuilder::FinitModule(int64_t fd, uint64_t flags) {
  Event& e = NewSyscall(sys::kFinitModule, 0);
  e.fd = fd;
  e.flags = flags;
  return *this;
}
SyntheticBuilder& SyntheticBuilder::Bpf(uint64_t cmd) {
  NewSyscall(sys::kBpf, 0).flags = cmd;
  return *this;
}
SyntheticBuilder& SyntheticBuilder::Syscall(int32_t number, int64_t ret) {
  NewSyscall(number, ret);
  return *this;
}

SyntheticBuilder& SyntheticBuilder::Counts(int32_t syscall, uint64_t count, uint64_t bytes) {
  Event& e = NewEvent(EventType::kSyscallCounts);
  e.syscall = syscall;
  e.count = count;
  e.bytes = bytes;
  return *this;
}
SyntheticBuilder& SyntheticBuilder::Drops(uint64_t count) {
  Event& e = NewEvent(EventType::kDrops);
  e.pid = e.tid = e.ppid = e.uid = e.gid = 0;
  e.cgroup_id = e.mntns = 0;
  e.comm = {};
  e.count = count;
  return *this;
}

SyntheticBuilder& SyntheticBuilder::Ret(int64_t ret) {
  if (!events_.empty()) events_.back().ret = ret;
  return *this;
}
SyntheticBuilder& SyntheticBuilder::UpperLayer() {
  if (!events_.empty()) events_.back().exe_upper_layer = true;
  return *this;
}
SyntheticBuilder& SyntheticBuilder::Memfd() {
  if (!events_.empty()) events_.back().exe_memfd = true;
  return *this;
}
SyntheticBuilder& SyntheticBuilder::Tty(uint32_t tty) {
  if (!events_.empty()) events_.back().tty = tty;
  return *this;
}

SyntheticBuilder& SyntheticBuilder::Add(const Event& event) {
  Event& e = events_.emplace_back(event);
  e.comm = Keep(event.comm);
  e.path = Keep(event.path);
  e.path2 = Keep(event.path2);
  e.exe = Keep(event.exe);
  e.args = Keep(event.args);
  e.cwd = Keep(event.cwd);
  e.addr.unix_path = Keep(event.addr.unix_path);
  return *this;
}

std::unique_ptr<SyntheticSource> SyntheticBuilder::Build() const {
  return std::make_unique<SyntheticSource>(storage_, events_);
}

}  // namespace vigil::runtime
