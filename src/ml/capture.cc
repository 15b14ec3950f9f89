#include "ml/capture.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <utility>

#include "runtime/capabilities.h"
#include "runtime/replay.h"

namespace vigil::ml {
namespace {

using runtime::Event;
using runtime::EventType;
using runtime::ProcessInfo;

constexpr int64_t kAtFdcwd = -100;
constexpr uint16_t kCloneCall = SYS_clone;
constexpr uint16_t kExecveCall = SYS_execve;

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// True when NormalizeAbsolute would return `path` unchanged (most paths programs pass), so
// the common case costs one scan and no temporary vector.
bool IsNormalAbsolute(std::string_view path) {
  if (path.empty() || path[0] != '/' || (path.size() > 1 && path.back() == '/')) return false;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    if (path[i] != '/') continue;
    std::string_view rest = path.substr(i + 1);
    if (rest[0] == '/' || rest == "." || rest == ".." || StartsWith(rest, "./") ||
        StartsWith(rest, "../")) {
      return false;
    }
  }
  return true;
}

// Lexical normalisation of an absolute path: "." and empty components dropped, ".." pops
// (never above the root).
std::string NormalizeAbsolute(std::string_view path) {
  if (IsNormalAbsolute(path)) return std::string(path);
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view c = path.substr(i, j - i);
    if (c == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!c.empty() && c != ".") {
      parts.push_back(c);
    }
    i = j + 1;
  }
  std::string out;
  for (std::string_view c : parts) {
    out += '/';
    out += c;
  }
  return out.empty() ? "/" : out;
}

// The absolute path of `path` for process `p` (dirfd as openat takes it), as far as the
// State knows the process's cwd and fds; relative paths it cannot anchor stay relative.
std::string Resolve(const ProcessInfo* p, int64_t dirfd, std::string_view path) {
  if (StartsWith(path, "/")) return NormalizeAbsolute(path);
  std::string_view base;
  if (p != nullptr) {
    if (dirfd == kAtFdcwd || dirfd < 0) {
      base = p->cwd;
    } else if (auto it = p->fds.find(dirfd); it != p->fds.end()) {
      base = it->second.name;
    }
  }
  if (!StartsWith(base, "/")) return std::string(path);
  std::string joined(base);
  joined += '/';
  joined += path;
  return NormalizeAbsolute(joined);
}

bool IsInet(uint16_t family) { return family == AF_INET || family == AF_INET6; }

// "10.0.0.1" from "10.0.0.1:443", "::1" from "[::1]:80".
std::string HostOf(const runtime::SockAddr& addr) {
  std::string s = runtime::SockAddrToString(addr);
  if (StartsWith(s, "[")) {
    size_t close = s.find(']');
    return close == std::string::npos ? s : s.substr(1, close - 1);
  }
  size_t colon = s.rfind(':');
  return colon == std::string::npos ? s : s.substr(0, colon);
}

// Direction of the socket bytes a (counted or streamed) call moved: +1 in, -1 out, 0 none.
int ByteDirection(int32_t nr) {
  switch (nr) {
    case SYS_read:
    case SYS_readv:
    case SYS_pread64:
    case SYS_preadv:
    case SYS_preadv2:
    case SYS_recvfrom:
    case SYS_recvmsg:
    case SYS_recvmmsg:
      return 1;
    case SYS_write:
    case SYS_writev:
    case SYS_pwrite64:
    case SYS_pwritev:
    case SYS_pwritev2:
    case SYS_sendto:
    case SYS_sendmsg:
    case SYS_sendmmsg:
      return -1;
    default:
      return 0;
  }
}

bool WritesFile(uint64_t flags) {
  return (flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND)) != 0;
}

struct SensitivePrefix {
  std::string_view pattern;
  bool any_suffix;  // the last component may continue (ssh_host_*)
};

constexpr SensitivePrefix kSensitive[] = {
    {"/etc/shadow", false},
    {"/etc/gshadow", false},
    {"/etc/shadow-", false},
    {"/etc/gshadow-", false},
    {"/etc/sudoers", false},
    {"/etc/sudoers.d/", false},
    {"/etc/security/opasswd", false},
    {"/etc/krb5.keytab", false},
    {"/etc/ssh/ssh_host_", true},
    {"/etc/ssl/private/", false},
    {"/etc/kubernetes/pki/", false},
    {"/etc/kubernetes/admin.conf", false},
    {"/root/.ssh/", false},
    {"/home/*/.ssh/", false},
    {"/root/.aws/", false},
    {"/home/*/.aws/", false},
    {"/root/.kube/", false},
    {"/home/*/.kube/", false},
    {"/root/.docker/config.json", false},
    {"/root/.gnupg/", false},
    {"/home/*/.gnupg/", false},
    {"/root/.bash_history", false},
    {"/home/*/.bash_history", false},
    {"/proc/*/environ", false},
    {"/proc/*/mem", false},
    {"/proc/*/maps", false},
    {"/var/run/secrets/", false},
    {"/run/secrets/", false},
    {"/var/lib/kubelet/pki/", false},
    {"/var/lib/docker/", false},
    {"/var/lib/containers/", false},
};

// Matches `path` against one pattern: '*' stands for one non-empty component.
bool MatchSensitive(std::string_view path, const SensitivePrefix& prefix) {
  std::string_view pat = prefix.pattern;
  size_t i = 0, j = 0;
  while (j < pat.size()) {
    if (pat[j] == '*') {
      size_t end = path.find('/', i);
      if (end == std::string_view::npos) end = path.size();
      if (end == i) return false;
      i = end;
      ++j;
      continue;
    }
    // A "dir/" pattern also matches the directory itself ("/root/.ssh").
    if (i == path.size() && j + 1 == pat.size() && pat[j] == '/') return true;
    if (i >= path.size() || path[i] != pat[j]) return false;
    ++i;
    ++j;
  }
  if (pat.back() == '/' || prefix.any_suffix) return true;
  return i == path.size() || path[i] == '/';
}

}  // namespace

bool IsSensitivePath(std::string_view path) {
  // Every prefix starts with /etc, /home, /proc, /root, /run or /var: one test rejects most
  // paths before the list is walked.
  if (path.size() < 5 || path[0] != '/') return false;
  switch (path[1]) {
    case 'e':
    case 'h':
    case 'p':
    case 'r':
    case 'v':
      break;
    default:
      return false;
  }
  for (const SensitivePrefix& p : kSensitive) {
    if (MatchSensitive(path, p)) return true;
  }
  return false;
}

Status ParseWorkloadsFile(std::string_view text, std::string_view file_name,
                          std::map<uint64_t, std::string>* out) {
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) {
      line.remove_suffix(1);
    }
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty()) continue;
    size_t sep = line.find_first_of(" \t");
    uint64_t id = 0;
    std::string_view num = line.substr(0, sep);
    auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), id);
    std::string_view name =
        sep == std::string_view::npos ? std::string_view() : line.substr(sep + 1);
    while (!name.empty() && (name.front() == ' ' || name.front() == '\t')) name.remove_prefix(1);
    if (ec != std::errc() || p != num.data() + num.size() || name.empty()) {
      return InvalidArgumentError(std::string(file_name) + ":" + std::to_string(line_no) +
                                  ": expected \"<cgroup id> <workload name>\"");
    }
    (*out)[id] = std::string(name);
  }
  return OkStatus();
}

struct TraceAssembler::Impl {
  std::string name;
  CaptureOptions options;
  std::unique_ptr<runtime::State> owned;
  runtime::State* state = nullptr;

  std::vector<Trace> traces;
  std::map<std::string, size_t, std::less<>> index;
  std::vector<std::set<std::string, std::less<>>> datagram_peers;  // per trace: sendto peers
  size_t calls = 0;
  size_t activities = 0;
  std::string key;  // scratch
  // Ids of containers the State has answered without a name (a live agent records a podman
  // container's first events before its lookup ends): their trace is keyed by the short id
  // until an answer names the container, and then takes the name (Rename).
  std::set<std::string, std::less<>> unnamed;

  // The workload of a process; "" never (a name is always derivable).
  void WorkloadOf(uint64_t cgroup_id, const ProcessInfo* p, std::string_view comm) {
    key.clear();
    if (auto it = options.workloads.find(cgroup_id); it != options.workloads.end()) {
      key = it->second;
      return;
    }
    const runtime::ContainerInfo& c = state->Container(cgroup_id);
    if (c.runtime != "host" && !c.id.empty()) {
      key = "container:";
      if (c.name.empty()) {
        key += std::string_view(c.id).substr(0, 12);
        if (unnamed.size() >= options.max_workloads) unnamed.clear();  // bounded: only a split
        unnamed.insert(c.id);
      } else {
        key += c.name;
        if (!unnamed.empty()) Rename(c.id);
      }
      return;
    }
    // An executable path with no file name ("/": what the probe reports for crun's
    // self-cloned init) names nothing; the comm does better.
    if (p != nullptr && p->exe.size() > 1) {
      key = p->exe;
      return;
    }
    key = "comm:";
    key += p != nullptr && !p->comm.empty() ? std::string_view(p->comm) : comm;
  }

  // The container `id` now has the name in `key`: its trace under the short id, if any,
  // becomes the named one, so a container is one workload before and after its lookup. When a
  // trace of that name exists already (another container of the same name), both are kept.
  void Rename(std::string_view id) {
    auto u = unnamed.find(id);
    if (u == unnamed.end()) return;
    unnamed.erase(u);
    std::string old = "container:";
    old += id.substr(0, 12);
    auto it = index.find(old);
    if (it == index.end() || index.count(key) != 0) return;
    size_t pos = it->second;
    index.erase(it);
    index.emplace(key, pos);
    traces[pos].group = key;
    traces[pos].id = name + "#" + key;
  }

  // The trace of the workload in `key`; nullptr when the workload bound is reached.
  Trace* TraceFor(CaptureStats* stats) {
    auto it = index.find(key);
    if (it != index.end()) return &traces[it->second];
    if (traces.size() >= options.max_workloads) {
      ++stats->dropped_workload_events;
      return nullptr;
    }
    index.emplace(key, traces.size());
    Trace& t = traces.emplace_back();
    t.id = name + "#" + key;
    t.group = key;
    t.label = options.label;
    t.table = SyscallTable::kX86_64;
    datagram_peers.emplace_back();
    return &t;
  }

  void AddCall(Trace* t, uint16_t nr, uint32_t tid, uint64_t ts, CaptureStats* stats) {
    if (calls >= options.max_calls) {
      ++stats->dropped_calls;
      return;
    }
    ++calls;
    t->calls.push_back(nr);
    t->tids.push_back(tid);
    t->ts_ns.push_back(ts);
  }

  void AddActivity(Trace* t, uint64_t ts, ActivityKind kind, std::string_view subject,
                   std::string object, uint64_t amount, CaptureStats* stats) {
    if (activities >= options.max_activities) {
      ++stats->dropped_activities;
      return;
    }
    ++activities;
    Activity& a = t->activities.emplace_back();
    a.ts_ns = ts;
    a.kind = kind;
    a.subject = std::string(subject);
    a.object = std::move(object);
    a.amount = amount;
  }
};

StatusOr<std::unique_ptr<TraceAssembler>> TraceAssembler::Create(std::string name,
                                                                 const CaptureOptions& options) {
  // As `vigil agent --replay`: a recording's processes and cgroups are not this host's, so
  // nothing is looked up (paths below a file fail at once with ENOTDIR).
  runtime::StateOptions so;
  so.query_runtimes = false;
  so.async_metadata = false;
  so.proc_root = "/dev/null/proc";
  so.cgroup_root = "/dev/null/cgroup";
  so.host_root = "/dev/null/host";
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<runtime::State> state, runtime::State::Create(so));
  auto out = std::make_unique<TraceAssembler>(std::move(name), state.get(), options);
  out->impl_->owned = std::move(state);
  return out;
}

TraceAssembler::TraceAssembler(std::string name, runtime::State* state,
                               const CaptureOptions& options)
    : impl_(std::make_unique<Impl>()) {
  impl_->name = std::move(name);
  impl_->options = options;
  impl_->state = state;
}

TraceAssembler::~TraceAssembler() = default;

void TraceAssembler::SetContainerInfo(uint64_t cgroup_id, const runtime::ContainerInfo& info) {
  impl_->state->SetContainerInfo(cgroup_id, info);
}

runtime::EventSink TraceAssembler::Sink() {
  return [this](const Event& e) { Add(e); };
}

std::vector<Trace> TraceAssembler::Take() {
  std::vector<Trace> out = std::move(impl_->traces);
  impl_->traces.clear();
  impl_->index.clear();
  impl_->datagram_peers.clear();
  impl_->calls = 0;
  impl_->activities = 0;
  return out;
}

void TraceAssembler::Add(const Event& e) {
  Impl& m = *impl_;
  ++stats_.events;
  if (m.owned != nullptr) m.owned->Apply(e);
  runtime::State& state = *m.state;

  switch (e.type) {
    case EventType::kDrops:
      stats_.lost_events += e.count;
      return;
    case EventType::kProcessExit:
      return;
    case EventType::kProcessFork: {
      // The clone was the parent's call; the child inherits its workload.
      const ProcessInfo* parent = state.Process(e.ppid);
      m.WorkloadOf(parent != nullptr ? parent->cgroup_id : e.cgroup_id, parent, e.comm);
      if (Trace* t = m.TraceFor(&stats_)) m.AddCall(t, kCloneCall, e.ppid, e.ts_ns, &stats_);
      return;
    }
    case EventType::kProcessExec: {
      // The execution belongs to the workload of the process that called execve, before the
      // new program replaced it: its container, or (on the host) the program it was — the
      // parent's, which it inherited at fork.
      const ProcessInfo* p = state.Process(e.pid);
      uint32_t ppid = p != nullptr && p->ppid != 0 ? p->ppid : e.ppid;
      const ProcessInfo* parent = state.Process(ppid);
      std::string exe(e.exe.empty() && p != nullptr ? std::string_view(p->exe) : e.exe);
      std::string_view parent_exe = parent == nullptr
                                        ? std::string_view("?")
                                        : (!parent->exe.empty() ? std::string_view(parent->exe)
                                                                : std::string_view(parent->comm));
      m.WorkloadOf(e.cgroup_id, parent != nullptr ? parent : p, e.comm);
      if (Trace* t = m.TraceFor(&stats_)) {
        m.AddActivity(t, e.ts_ns, ActivityKind::kExec, parent_exe, exe, 1, &stats_);
      }
      m.WorkloadOf(e.cgroup_id, p, e.comm);
      if (Trace* t = m.TraceFor(&stats_)) {
        m.AddCall(t, kExecveCall, e.tid, e.ts_ns, &stats_);
        m.AddActivity(t, e.ts_ns, ActivityKind::kUser, exe, std::to_string(e.uid), 1, &stats_);
      }
      return;
    }
    case EventType::kSyscallCounts: {
      const ProcessInfo* p = state.Process(e.pid);
      m.WorkloadOf(e.cgroup_id, p, e.comm);
      Trace* t = m.TraceFor(&stats_);
      if (t == nullptr) return;
      if (e.syscall >= 0 && e.syscall <= kMaxSyscall && e.count > 0) {
        t->counts.push_back(
            Trace::CallCount{e.ts_ns, e.pid, static_cast<uint16_t>(e.syscall), e.count});
      }
      int dir = ByteDirection(e.syscall);
      if (dir != 0 && e.bytes > 0) {
        std::string_view subject = p != nullptr && !p->exe.empty() ? p->exe : e.comm;
        m.AddActivity(t, e.ts_ns, dir > 0 ? ActivityKind::kBytesIn : ActivityKind::kBytesOut,
                      subject, "", e.bytes, &stats_);
      }
      return;
    }
    case EventType::kSyscall:
      break;
  }

  const ProcessInfo* p = state.Process(e.pid);
  m.WorkloadOf(e.cgroup_id, p, e.comm);
  Trace* t = m.TraceFor(&stats_);
  if (t == nullptr) return;
  if (e.syscall >= 0 && e.syscall <= kMaxSyscall) {
    m.AddCall(t, static_cast<uint16_t>(e.syscall), e.tid, e.ts_ns, &stats_);
  }
  std::string_view subject = p != nullptr && !p->exe.empty() ? std::string_view(p->exe) : e.comm;
  auto activity = [&](ActivityKind kind, std::string object, uint64_t amount = 1) {
    m.AddActivity(t, e.ts_ns, kind, subject, std::move(object), amount, &stats_);
  };
  // Path arguments the probe did not capture (empty) name nothing.
  const bool has_path = !e.path.empty();
  const bool has_path2 = !e.path2.empty();

  if (int dir = ByteDirection(e.syscall); dir != 0 && e.bytes > 0 && e.ret >= 0) {
    activity(dir > 0 ? ActivityKind::kBytesIn : ActivityKind::kBytesOut, "", e.bytes);
  }
  switch (e.syscall) {
    case SYS_open:
    case SYS_creat:
    case SYS_openat:
    case SYS_openat2: {
      if (e.ret < 0 || !has_path) return;
      int64_t dirfd = (e.syscall == SYS_openat || e.syscall == SYS_openat2) ? e.fd : kAtFdcwd;
      uint64_t flags = e.syscall == SYS_creat ? (O_CREAT | O_WRONLY | O_TRUNC) : e.flags;
      std::string path = Resolve(p, dirfd, e.path);
      if (IsSensitivePath(path)) activity(ActivityKind::kSensitiveRead, path);
      if (WritesFile(flags)) activity(ActivityKind::kFileWrite, std::move(path));
      return;
    }
    case SYS_rename:
    case SYS_link:
    case SYS_symlink:
      if (e.ret == 0 && has_path2) {
        activity(ActivityKind::kFileWrite, Resolve(p, kAtFdcwd, e.path2));
      }
      return;
    case SYS_renameat:
    case SYS_renameat2:
    case SYS_linkat:
    case SYS_symlinkat:
      if (e.ret == 0 && has_path2) activity(ActivityKind::kFileWrite, Resolve(p, e.fd2, e.path2));
      return;
    case SYS_unlink:
    case SYS_rmdir:
    case SYS_mkdir:
    case SYS_chmod:
      if (e.ret == 0 && has_path) activity(ActivityKind::kFileWrite, Resolve(p, kAtFdcwd, e.path));
      return;
    case SYS_unlinkat:
    case SYS_mkdirat:
    case SYS_fchmodat:
    case 452:  // fchmodat2 (Linux 6.6; not in every libc's <sys/syscall.h>)
      if (e.ret == 0 && has_path) activity(ActivityKind::kFileWrite, Resolve(p, e.fd, e.path));
      return;
    case SYS_fchmod:
      if (e.ret == 0 && p != nullptr) {
        if (auto it = p->fds.find(e.fd); it != p->fds.end() && !it->second.name.empty()) {
          activity(ActivityKind::kFileWrite, it->second.name);
        }
      }
      return;
    case SYS_listen:
      if (e.ret != 0) return;
      if (IsInet(e.addr.family)) {
        activity(ActivityKind::kListen, "tcp/" + std::to_string(e.addr.port));
      } else if (e.addr.family == AF_UNIX) {
        activity(ActivityKind::kListen, runtime::SockAddrToString(e.addr));
      } else if (p != nullptr) {
        // No local address captured: the one the State kept from bind ("0.0.0.0:80").
        auto it = p->fds.find(e.fd);
        if (it == p->fds.end() || it->second.name.empty()) return;
        const runtime::FdInfo& fd = it->second;
        size_t colon = fd.name.rfind(':');
        if ((fd.kind == runtime::FdKind::kIpv4 || fd.kind == runtime::FdKind::kIpv6) &&
            colon != std::string::npos) {
          activity(ActivityKind::kListen, "tcp/" + fd.name.substr(colon + 1));
        } else if (fd.kind == runtime::FdKind::kUnix) {
          activity(ActivityKind::kListen, fd.name);
        }
      }
      return;
    case SYS_connect:
      if ((e.ret == 0 || e.ret == -EINPROGRESS) &&
          (IsInet(e.addr.family) || e.addr.family == AF_UNIX)) {
        activity(ActivityKind::kConnect, runtime::SockAddrToString(e.addr));
      }
      return;
    case SYS_sendto:
      // A datagram peer counts once per trace (a DNS client sends many).
      if (e.ret >= 0 && IsInet(e.addr.family)) {
        std::string peer = runtime::SockAddrToString(e.addr);
        auto& seen = m.datagram_peers[static_cast<size_t>(t - m.traces.data())];
        if (seen.insert(peer).second) activity(ActivityKind::kConnect, std::move(peer));
      }
      return;
    case SYS_accept:
    case SYS_accept4:
      if (e.ret >= 0 && IsInet(e.addr.family)) activity(ActivityKind::kAccept, HostOf(e.addr));
      return;
    case SYS_setuid:
    case SYS_setreuid:
    case SYS_setresuid:
      // id_arg is the (effective) uid asked for; 0xffffffff leaves it unchanged.
      if (e.ret == 0) {
        activity(ActivityKind::kUser, std::to_string(e.id_arg != 0xffffffffu ? e.id_arg : e.uid));
      }
      return;
    case SYS_capset:
      if (e.ret != 0) return;
      for (int bit = 0; bit < 64; ++bit) {
        if (e.cap_effective & (uint64_t{1} << bit)) {
          activity(ActivityKind::kCapability, runtime::CapabilityName(bit));
        }
      }
      return;
    default:
      return;
  }
}

StatusOr<std::vector<Trace>> TracesFromSource(runtime::EventSource* source, std::string name,
                                              const CaptureOptions& options, CaptureStats* stats) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<TraceAssembler> assembler,
                         TraceAssembler::Create(std::move(name), options));
  runtime::EventSink sink = assembler->Sink();
  auto* replay = dynamic_cast<runtime::ReplaySource*>(source);
  runtime::ContainerRecordCallback previous;
  if (replay != nullptr) {
    previous = replay->on_container();
    TraceAssembler* target = assembler.get();
    replay->set_on_container(
        [target, previous](uint64_t cgroup_id, const runtime::ContainerInfo& info) {
          if (previous) previous(cgroup_id, info);
          target->SetContainerInfo(cgroup_id, info);
        });
  }
  Status status;
  while (status.ok()) {
    StatusOr<size_t> n = source->Poll(std::chrono::milliseconds(0), sink);
    if (!n.ok()) {
      if (n.status().code() == StatusCode::kOutOfRange) break;
      status = n.status();
    }
  }
  // The assembler dies here: the source keeps no callback into it.
  if (replay != nullptr) replay->set_on_container(std::move(previous));
  VIGIL_RETURN_IF_ERROR(status);
  if (stats != nullptr) *stats = assembler->stats();
  return assembler->Take();
}

StatusOr<std::vector<Trace>> ReadVigilCapture(const std::string& path,
                                              const CaptureOptions& options, CaptureStats* stats) {
  CaptureOptions opts = options;
  std::string sidecar = path + ".workloads";
  std::error_code ec;
  if (std::filesystem::is_regular_file(sidecar, ec)) {
    // A sidecar is a few lines; a bound keeps a wrong file from being read whole.
    constexpr size_t kMaxSidecar = 1u << 20;
    std::ifstream in(sidecar, std::ios::binary);
    std::string text(kMaxSidecar + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (in.bad()) return DataLossError(sidecar + ": read failed");
    text.resize(static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxSidecar) return InvalidArgumentError(sidecar + ": larger than 1 MiB");
    std::map<uint64_t, std::string> names;
    VIGIL_RETURN_IF_ERROR(ParseWorkloadsFile(text, sidecar, &names));
    for (auto& [id, name] : names) opts.workloads.emplace(id, std::move(name));  // options win
  }
  runtime::ReplayOptions ro;
  ro.tolerate_truncated_tail = options.tolerate_truncated_tail;
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<runtime::ReplaySource> source,
                         runtime::ReplaySource::Open(path, ro));
  return TracesFromSource(source.get(), path, opts, stats);
}

}  // namespace vigil::ml
