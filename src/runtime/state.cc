// State: the process tree and fd tables from the event stream, containers through
// ContainerResolver. Single-threaded by contract: the agent's event loop calls every method
// (the resolver's worker thread only touches its own queue).
#include "runtime/state.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <deque>
#include <map>
#include <unordered_map>
#include <utility>

#include "base/fs.h"
#include "base/strings.h"
#include "fmt/format.h"
#include "runtime/container.h"
#include "runtime/procfs.h"

namespace vigil::runtime {
namespace {

constexpr int kMaxAncestry = 64;
constexpr uint64_t kCloexec = O_CLOEXEC;  // == SOCK_CLOEXEC on Linux
static_assert(O_CLOEXEC == SOCK_CLOEXEC);
constexpr uint64_t kMfdCloexec = 1;         // MFD_CLOEXEC
constexpr uint64_t kCloseRangeCloexec = 4;  // CLOSE_RANGE_CLOEXEC
constexpr int64_t kAtFdcwd = -100;          // AT_FDCWD

std::vector<std::string> SplitArgs(std::string_view args) {
  std::vector<std::string> out;
  while (!args.empty()) {
    size_t end = args.find('\0');
    if (end == std::string_view::npos) end = args.size();
    out.emplace_back(args.substr(0, end));
    args.remove_prefix(std::min(args.size(), end + 1));
  }
  return out;
}

class StateImpl : public State {
 public:
  explicit StateImpl(const StateOptions& options)
      : options_(options), containers_(ResolverOptions(options)) {}

  Status LoadExisting() override;
  void Apply(const Event& event) override;
  const ProcessInfo* Process(uint32_t pid) const override {
    auto it = procs_.find(pid);
    return it == procs_.end() ? nullptr : &it->second.info;
  }
  const ContainerInfo& Container(uint64_t cgroup_id) override { return containers_.Get(cgroup_id); }
  size_t process_count() const override { return procs_.size(); }
  size_t container_count() const override { return containers_.container_count(); }
  const ProcessInfo* Ancestor(uint32_t pid, int generation) const override;
  void WaitForContainerLookups(int timeout_ms) override { containers_.WaitIdle(timeout_ms); }
  StateStats stats() const override { return stats_; }

 private:
  struct Entry {
    ProcessInfo info;
    uint64_t seq = 0;
    bool exited = false;
  };

  static ContainerResolver::Options ResolverOptions(const StateOptions& o) {
    ContainerResolver::Options r;
    r.proc_root = o.proc_root;
    r.cgroup_root = o.cgroup_root;
    r.paths.host_root = o.host_root;
    r.query_runtimes = o.query_runtimes;
    r.async = o.async_metadata;
    r.max_containers = o.max_containers;
    return r;
  }

  Entry& Insert(uint32_t pid, ProcessInfo info);
  void Remove(uint32_t pid);
  void MakeRoom();
  // `follow_cgroup`: take the event's cgroup id as the process's current one (false for
  // in-kernel aggregates, whose cgroup is that of the interval's first call).
  Entry& GetOrStub(const Event& e, bool follow_cgroup = true);
  void AddChild(uint32_t ppid, uint32_t pid);
  void DropChild(uint32_t ppid, uint32_t pid);
  void OnFork(const Event& e);
  void OnExec(const Event& e);
  void OnExit(const Event& e);
  void OnSyscall(const Event& e);
  void SetFd(ProcessInfo& p, int64_t fd, FdInfo info);
  std::string ResolvePath(const ProcessInfo& p, int64_t dirfd, std::string_view path) const;
  void ResolveSockets(uint32_t pid, ProcessInfo* p, std::map<std::string, SocketTable>* by_netns);

  StateOptions options_;
  ContainerResolver containers_;
  std::unordered_map<uint32_t, Entry> procs_;         // node-based: pointers stay valid until erase
  std::map<uint64_t, uint32_t> live_order_;           // seq -> pid of live processes, oldest first
  std::deque<std::pair<uint32_t, uint64_t>> exited_;  // (pid, seq), oldest exit first
  // ppid -> pids whose ppid it is, for re-parenting at exit; entries are checked against
  // procs_ on use (a pid may have been reused) and dropped when the child exits.
  std::unordered_map<uint32_t, std::vector<uint32_t>> children_;
  uint64_t next_seq_ = 1;
  StateStats stats_;
};

StateImpl::Entry& StateImpl::Insert(uint32_t pid, ProcessInfo info) {
  if (procs_.count(pid)) {
    Remove(pid);  // pid reuse: the new process replaces the old one
  } else if (procs_.size() >= options_.max_processes) {
    MakeRoom();
  }
  Entry& entry = procs_[pid];
  entry.info = std::move(info);
  entry.info.pid = pid;
  entry.seq = next_seq_++;
  entry.exited = false;
  live_order_[entry.seq] = pid;
  AddChild(entry.info.ppid, pid);
  return entry;
}

void StateImpl::AddChild(uint32_t ppid, uint32_t pid) {
  if (ppid != 0 && ppid != pid) children_[ppid].push_back(pid);
}

void StateImpl::DropChild(uint32_t ppid, uint32_t pid) {
  auto it = children_.find(ppid);
  if (it == children_.end()) return;
  std::vector<uint32_t>& v = it->second;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] != pid) continue;
    v[i] = v.back();
    v.pop_back();
    break;
  }
  if (v.empty()) children_.erase(it);
}

void StateImpl::Remove(uint32_t pid) {
  auto it = procs_.find(pid);
  if (it == procs_.end()) return;
  live_order_.erase(it->second.seq);
  if (!it->second.exited) DropChild(it->second.info.ppid, pid);  // an exit already did
  children_.erase(pid);
  procs_.erase(it);
}

// Evicts one process: the oldest exited one, else the oldest live one.
void StateImpl::MakeRoom() {
  while (!exited_.empty()) {
    auto [pid, seq] = exited_.front();
    exited_.pop_front();
    auto it = procs_.find(pid);
    if (it != procs_.end() && it->second.seq == seq && it->second.exited) {
      children_.erase(pid);
      procs_.erase(it);
      ++stats_.processes_evicted;
      return;
    }
  }
  if (!live_order_.empty()) {
    uint32_t pid = live_order_.begin()->second;
    Remove(pid);
    ++stats_.processes_evicted;
  }
}

StateImpl::Entry& StateImpl::GetOrStub(const Event& e, bool follow_cgroup) {
  auto it = procs_.find(e.pid);
  if (it != procs_.end()) {
    Entry& entry = it->second;
    // Runtimes move a forked child into the container's cgroup after the fork, and
    // setuid changes the uid: the latest event is the truth.
    if (e.cgroup_id != 0 && follow_cgroup) entry.info.cgroup_id = e.cgroup_id;
    entry.info.uid = e.uid;
    return entry;
  }
  ++stats_.unknown_pids;
  ProcessInfo p;
  p.ppid = e.ppid;
  p.uid = e.uid;
  p.comm = std::string(e.comm);
  p.cgroup_id = e.cgroup_id;
  p.start_ns = e.ts_ns;
  return Insert(e.pid, std::move(p));
}

void StateImpl::OnFork(const Event& e) {
  // A new thread of an existing process is not a new process.
  if (e.pid == e.ppid || (e.tid != 0 && e.tid != e.pid)) {
    if (!procs_.count(e.pid)) GetOrStub(e);
    return;
  }
  ProcessInfo child;
  auto parent = procs_.find(e.ppid);
  if (parent != procs_.end()) {
    const ProcessInfo& pp = parent->second.info;
    child.comm = pp.comm;
    child.exe = pp.exe;
    child.args = pp.args;
    child.cwd = pp.cwd;
    child.tty = pp.tty;
    child.cgroup_id = pp.cgroup_id;
    child.exe_upper_layer = pp.exe_upper_layer;
    child.exe_memfd = pp.exe_memfd;
    // The child inherits the fd table.
    child.fds = pp.fds;
  }
  child.ppid = e.ppid;
  child.uid = e.uid;
  if (!e.comm.empty()) child.comm = std::string(e.comm);
  if (!e.exe.empty()) child.exe = std::string(e.exe);
  if (!e.args.empty()) child.args = SplitArgs(e.args);
  if (!e.cwd.empty()) child.cwd = std::string(e.cwd);
  if (e.cgroup_id != 0) child.cgroup_id = e.cgroup_id;
  child.start_ns = e.ts_ns;
  Insert(e.pid, std::move(child));
}

void StateImpl::OnExec(const Event& e) {
  ProcessInfo& p = GetOrStub(e).info;
  if (!e.comm.empty()) p.comm = std::string(e.comm);
  if (!e.exe.empty()) {
    p.exe = std::string(e.exe);
  } else if (!e.path.empty()) {
    p.exe = std::string(e.path);
  }
  p.args = SplitArgs(e.args);
  if (!e.cwd.empty()) p.cwd = std::string(e.cwd);
  p.tty = e.tty;
  p.exe_upper_layer = e.exe_upper_layer;
  p.exe_memfd = e.exe_memfd;
  p.from_proc = false;
  for (auto it = p.fds.begin(); it != p.fds.end();) {
    if (it->second.open_flags & kCloexec) {
      it = p.fds.erase(it);
    } else {
      ++it;
    }
  }
}

void StateImpl::OnExit(const Event& e) {
  auto it = procs_.find(e.pid);
  if (it == procs_.end() || it->second.exited) return;
  Entry& entry = it->second;
  entry.exited = true;
  live_order_.erase(entry.seq);
  exited_.emplace_back(e.pid, entry.seq);
  DropChild(entry.info.ppid, e.pid);
  // The kernel closed every fd; up to max_processes/8 exited entries must stay small.
  entry.info.fds.clear();
  // The kernel hands orphans to the nearest child subreaper (conmon, containerd-shim, tini,
  // systemd) or to init, without an event. Vigil gives them the nearest ancestor not known
  // to have exited: exact for subreapers, which are ancestors; stable once the exited
  // parent is evicted.
  if (auto ch = children_.find(e.pid); ch != children_.end()) {
    std::vector<uint32_t> orphans = std::move(ch->second);
    children_.erase(ch);
    uint32_t heir = entry.info.ppid;
    for (int i = 0; i < kMaxAncestry; ++i) {
      auto up = procs_.find(heir);
      if (up == procs_.end() || !up->second.exited) break;
      heir = up->second.info.ppid;
    }
    if (heir == 0 || heir == e.pid) heir = 1;
    for (uint32_t c : orphans) {
      auto child = procs_.find(c);
      if (child == procs_.end() || child->second.exited || child->second.info.ppid != e.pid) {
        continue;
      }
      child->second.info.ppid = heir;
      AddChild(heir, c);
    }
  }
  // Exited processes stay visible (for the exit event's consumers and their children's
  // ancestry) until a bounded FIFO pushes them out.
  size_t keep = std::max<size_t>(64, options_.max_processes / 8);
  while (exited_.size() > keep) {
    auto [pid, seq] = exited_.front();
    exited_.pop_front();
    auto old = procs_.find(pid);
    if (old != procs_.end() && old->second.seq == seq && old->second.exited) {
      children_.erase(pid);
      procs_.erase(old);
    }
  }
}

void StateImpl::SetFd(ProcessInfo& p, int64_t fd, FdInfo info) {
  if (fd < 0) return;
  auto it = p.fds.find(fd);
  if (it == p.fds.end() && p.fds.size() >= options_.max_fds_per_process) {
    ++stats_.fds_dropped;
    return;
  }
  p.fds[fd] = std::move(info);
}

// True when NormalizePath would return `path` unchanged (the common case: the kernel and
// most programs pass clean absolute paths), so the hot path can skip it.
bool IsNormalAbsolute(std::string_view path) {
  if (path.empty() || path[0] != '/') return false;
  if (path.size() > 1 && path.back() == '/') return false;
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] != '/') continue;
    std::string_view rest = path.substr(i + 1);
    if (StartsWith(rest, "/")) return false;
    if (rest == "." || rest == ".." || StartsWith(rest, "./") || StartsWith(rest, "../")) {
      return false;
    }
  }
  return true;
}

std::string StateImpl::ResolvePath(const ProcessInfo& p, int64_t dirfd,
                                   std::string_view path) const {
  if (IsNormalAbsolute(path)) return std::string(path);
  if (StartsWith(path, "/")) return NormalizePath(path);
  std::string base;
  if (dirfd == kAtFdcwd || dirfd < 0) {
    base = p.cwd;
  } else if (auto it = p.fds.find(dirfd); it != p.fds.end()) {
    base = it->second.name;
  }
  if (!StartsWith(base, "/")) return std::string(path);  // base unknown: keep it relative
  return NormalizePath(JoinPath(base, path));
}

void StateImpl::OnSyscall(const Event& e) {
  ProcessInfo& p = GetOrStub(e).info;
  switch (e.syscall) {
    case SYS_open:
    case SYS_creat:
    case SYS_openat:
    case SYS_openat2: {
      if (e.ret < 0) return;
      int64_t dirfd = (e.syscall == SYS_openat || e.syscall == SYS_openat2) ? e.fd : kAtFdcwd;
      uint64_t flags = e.syscall == SYS_creat ? (O_CREAT | O_WRONLY | O_TRUNC) : e.flags;
      FdKind kind = (flags & O_DIRECTORY) ? FdKind::kDirectory : FdKind::kFile;
      auto it = p.fds.find(e.ret);
      if (it != p.fds.end() && IsNormalAbsolute(e.path)) {
        // A reused fd number (the usual open/close churn): reuse the name's buffer too.
        it->second.kind = kind;
        it->second.name.assign(e.path);
        it->second.open_flags = flags;
        return;
      }
      FdInfo fd;
      fd.kind = kind;
      fd.name = ResolvePath(p, dirfd, e.path);
      fd.open_flags = flags;
      SetFd(p, e.ret, std::move(fd));
      return;
    }
    case SYS_close:
      if (e.ret == 0 || e.ret == -EINTR) p.fds.erase(e.fd);
      return;
    case SYS_close_range: {
      if (e.ret != 0 || e.fd < 0) return;
      int64_t last = e.fd2 < 0 ? INT64_MAX : e.fd2;
      for (auto it = p.fds.lower_bound(e.fd); it != p.fds.end() && it->first <= last;) {
        if (e.flags & kCloseRangeCloexec) {
          it->second.open_flags |= kCloexec;
          ++it;
        } else {
          it = p.fds.erase(it);
        }
      }
      return;
    }
    case SYS_dup:
    case SYS_dup2:
    case SYS_dup3: {
      if (e.ret < 0 || e.ret == e.fd) return;
      auto it = p.fds.find(e.fd);
      FdInfo copy = it != p.fds.end() ? it->second : FdInfo{};
      if (it == p.fds.end() && e.addr.family != 0) {
        // An fd opened before we watched: the source names a socket's peer (stdio
        // redirected to the network).
        copy.kind = FdKindOfFamily(e.addr.family);
        copy.name = "->" + SockAddrToString(e.addr);
      }
      copy.open_flags &= ~kCloexec;  // a duplicate never inherits FD_CLOEXEC
      if (e.syscall == SYS_dup3 && (e.flags & kCloexec)) copy.open_flags |= kCloexec;
      SetFd(p, e.ret, std::move(copy));
      return;
    }
    case SYS_socket: {
      if (e.ret < 0) return;
      FdInfo fd;
      fd.kind = FdKindOfFamily(e.id_arg);
      fd.open_flags = e.flags & kCloexec;
      SetFd(p, e.ret, std::move(fd));
      return;
    }
    case SYS_socketpair:
    case SYS_pipe:
    case SYS_pipe2: {
      if (e.ret != 0) return;
      FdInfo fd;
      fd.kind = e.syscall == SYS_socketpair ? FdKindOfFamily(e.id_arg) : FdKind::kPipe;
      fd.open_flags = e.flags & kCloexec;
      SetFd(p, e.fd, fd);
      SetFd(p, e.fd2, fd);
      return;
    }
    case SYS_bind: {
      if (e.ret != 0) return;
      auto it = p.fds.find(e.fd);
      FdInfo fd = it != p.fds.end() ? it->second : FdInfo{};
      if (e.addr.family != 0) fd.kind = FdKindOfFamily(e.addr.family);
      fd.name = SockAddrToString(e.addr);
      SetFd(p, e.fd, std::move(fd));
      return;
    }
    case SYS_listen: {
      // The local address as the kernel bound it (a bind to port 0 learns its port here).
      if (e.ret != 0 || e.addr.family == 0) return;
      auto it = p.fds.find(e.fd);
      FdInfo fd = it != p.fds.end() ? it->second : FdInfo{};
      fd.kind = FdKindOfFamily(e.addr.family);
      fd.name = SockAddrToString(e.addr);
      SetFd(p, e.fd, std::move(fd));
      return;
    }
    case SYS_connect: {
      if (e.ret != 0 && e.ret != -EINPROGRESS) return;
      auto it = p.fds.find(e.fd);
      FdInfo fd = it != p.fds.end() ? it->second : FdInfo{};
      if (e.addr.family != 0) fd.kind = FdKindOfFamily(e.addr.family);
      // The local end is known only when the socket was bound explicitly.
      std::string local = fd.name.find("->") == std::string::npos ? fd.name : std::string();
      fd.name = local + "->" + SockAddrToString(e.addr);
      SetFd(p, e.fd, std::move(fd));
      return;
    }
    case SYS_accept:
    case SYS_accept4: {
      if (e.ret < 0) return;
      auto it = p.fds.find(e.fd);
      FdInfo fd;
      std::string local;
      if (it != p.fds.end()) {
        fd.kind = it->second.kind;
        local = it->second.name;
      }
      if (e.addr.family != 0) fd.kind = FdKindOfFamily(e.addr.family);
      // Client first, as Falco writes fd.name: "peer->listening address".
      fd.name = SockAddrToString(e.addr) + "->" + local;
      fd.open_flags = e.syscall == SYS_accept4 ? (e.flags & kCloexec) : 0;
      SetFd(p, e.ret, std::move(fd));
      return;
    }
    case SYS_memfd_create: {
      if (e.ret < 0) return;
      FdInfo fd;
      fd.kind = FdKind::kMemfd;
      fd.name = fmt::format("memfd:{}", e.path);
      fd.open_flags = (e.flags & kMfdCloexec) ? kCloexec : 0;
      SetFd(p, e.ret, std::move(fd));
      return;
    }
    case SYS_chdir:
      if (e.ret == 0 && !e.path.empty()) p.cwd = ResolvePath(p, kAtFdcwd, e.path);
      return;
    case SYS_fchdir:
      if (e.ret == 0) {
        if (auto it = p.fds.find(e.fd); it != p.fds.end() && StartsWith(it->second.name, "/")) {
          p.cwd = it->second.name;
        }
      }
      return;
    default:
      return;
  }
}

void StateImpl::Apply(const Event& e) {
  ++stats_.events;
  containers_.Maintain();
  switch (e.type) {
    case EventType::kProcessFork:
      OnFork(e);
      break;
    case EventType::kProcessExec:
      OnExec(e);
      break;
    case EventType::kProcessExit:
      OnExit(e);
      break;
    case EventType::kSyscall:
      OnSyscall(e);
      break;
    case EventType::kSyscallCounts:
      GetOrStub(e, /*follow_cgroup=*/false);
      break;
    case EventType::kDrops:
      break;
  }
}

const ProcessInfo* StateImpl::Ancestor(uint32_t pid, int generation) const {
  if (generation <= 0 || generation > kMaxAncestry) return nullptr;
  const ProcessInfo* p = Process(pid);
  for (int i = 0; i < generation && p != nullptr; ++i) {
    if (p->ppid == 0 || p->ppid == p->pid) return nullptr;
    p = Process(p->ppid);
  }
  return p;
}

void StateImpl::ResolveSockets(uint32_t pid, ProcessInfo* p,
                               std::map<std::string, SocketTable>* by_netns) {
  bool any = false;
  for (const auto& [fd, info] : p->fds) any = any || SocketInode(info.name) != 0;
  if (!any) return;
  char link[256];
  std::string ns_path = fmt::format("{}/{}/ns/net", options_.proc_root, pid);
  ssize_t n = readlink(ns_path.c_str(), link, sizeof(link));
  std::string key = n > 0 ? std::string(link, static_cast<size_t>(n)) : fmt::format("pid {}", pid);
  auto it = by_netns->find(key);
  if (it == by_netns->end()) {
    it = by_netns->emplace(key, ReadSocketTable(options_.proc_root, pid)).first;
  }
  for (auto& [fd, info] : p->fds) {
    uint64_t ino = SocketInode(info.name);
    if (ino == 0) continue;
    if (auto s = it->second.find(ino); s != it->second.end()) info = s->second;
  }
}

Status StateImpl::LoadExisting() {
  std::vector<uint32_t> pids = ListProcPids(options_.proc_root);
  if (pids.empty()) {
    return NotFoundError(
        fmt::format("{}: no processes (is it a proc filesystem?)", options_.proc_root));
  }
  // Socket tables are per network namespace: read once per namespace, only when needed.
  std::map<std::string, SocketTable> sockets_by_netns;
  uint64_t boot = 0;
  if (StatusOr<std::string> stat = ReadHostFile(options_.proc_root + "/stat", 1 << 20); stat.ok()) {
    boot = ParseBootTime(*stat);
  }
  for (uint32_t pid : pids) {
    if (procs_.count(pid)) continue;  // events already told us more
    StatusOr<ProcFsProcess> read =
        ReadProcFsProcess(options_.proc_root, pid, boot, options_.max_fds_per_process);
    if (!read.ok()) {
      ++stats_.proc_errors;  // exited while we read it, or a malformed entry
      continue;
    }
    ProcFsProcess& pp = *read;
    ResolveSockets(pid, &pp.info, &sockets_by_netns);
    if (!pp.cgroup_path.empty()) {
      pp.info.cgroup_id = containers_.IdOfPath(pp.cgroup_path);
      if (pp.info.cgroup_id != 0) containers_.GetByPath(pp.info.cgroup_id, pp.cgroup_path);
    }
    Insert(pid, std::move(pp.info));
  }
  return OkStatus();
}

}  // namespace

StatusOr<std::unique_ptr<State>> State::Create(const StateOptions& options) {
  if (options.max_processes == 0 || options.max_fds_per_process == 0 ||
      options.max_containers == 0) {
    return InvalidArgumentError(
        "runtime state: max_processes, max_fds_per_process and "
        "max_containers must be positive");
  }
  return std::unique_ptr<State>(new StateImpl(options));
}

FdKind FdKindOfFamily(uint32_t family) {
  switch (family) {
    case AF_INET:
      return FdKind::kIpv4;
    case AF_INET6:
      return FdKind::kIpv6;
    case AF_UNIX:
      return FdKind::kUnix;
    default:
      return FdKind::kOther;
  }
}

}  // namespace vigil::runtime
