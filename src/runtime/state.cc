// State: the process tree and fd tables from the event stream, containers through
// ContainerResolver. Single-threaded by contract: the agent's event loop calls every method
// (the resolver's worker thread only touches its own queue).
#include "runtime/state.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <map>
#include <ostream>
#include <stdexcept>
#include <tuple>
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

// Replaces `out` with argv from `args` (each argument NUL-terminated), reusing the strings
// already there: an exec replaces argv of the same shape most of the time.
void AssignArgs(std::string_view args, std::vector<std::string>* out) {
  size_t count = static_cast<size_t>(std::count(args.begin(), args.end(), '\0'));
  if (!args.empty() && args.back() != '\0') ++count;
  out->reserve(count);
  size_t n = 0;
  while (!args.empty()) {
    size_t end = args.find('\0');
    if (end == std::string_view::npos) end = args.size();
    if (n < out->size()) {
      (*out)[n].assign(args.data(), end);
    } else {
      out->emplace_back(args.substr(0, end));
    }
    ++n;
    args.remove_prefix(std::min(args.size(), end + 1));
  }
  out->resize(n);
}

// pid -> T*: open addressing with linear probing in a power-of-two array at most half full;
// an erase shifts the rest of its run back (no tombstones). One multiply and, nearly always,
// one cache line per lookup, where std::unordered_map takes a division and a node.
template <typename T>
class PidIndex {
 public:
  PidIndex() : slots_(kMinSlots) {}
  size_t size() const { return size_; }
  T* Get(uint32_t pid) const {
    for (size_t i = Home(pid);; i = (i + 1) & Mask()) {
      const Slot& s = slots_[i];
      if (s.value == nullptr) return nullptr;
      if (s.pid == pid) return s.value;
    }
  }
  // `pid` must be absent.
  void Put(uint32_t pid, T* value) {
    if ((size_ + 1) * 2 > slots_.size()) Grow();
    size_t i = Home(pid);
    while (slots_[i].value != nullptr) i = (i + 1) & Mask();
    slots_[i] = Slot{pid, value};
    ++size_;
  }
  // Removes `pid`; returns its value, nullptr when absent.
  T* Take(uint32_t pid) {
    size_t i = Home(pid);
    for (;; i = (i + 1) & Mask()) {
      if (slots_[i].value == nullptr) return nullptr;
      if (slots_[i].pid == pid) break;
    }
    T* value = slots_[i].value;
    // Backward shift: move each later entry of the run whose home is not in (i, j] into the
    // hole, so every remaining entry stays reachable from its home.
    for (size_t j = i;;) {
      j = (j + 1) & Mask();
      if (slots_[j].value == nullptr) break;
      size_t home = Home(slots_[j].pid);
      bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
      if (stays) continue;
      slots_[i] = slots_[j];
      i = j;
    }
    slots_[i] = Slot{};
    --size_;
    return value;
  }
  // Calls fn(T*) on every value (teardown).
  template <typename Fn>
  void ForEach(Fn fn) const {
    for (const Slot& s : slots_) {
      if (s.value != nullptr) fn(s.value);
    }
  }

 private:
  static constexpr size_t kMinSlots = 1024;
  struct Slot {
    uint32_t pid = 0;
    T* value = nullptr;
  };
  size_t Mask() const { return slots_.size() - 1; }
  size_t Home(uint32_t pid) const {
    // Fibonacci hashing: the top bits of pid * 2^64/phi.
    return static_cast<size_t>((pid * 0x9E3779B97F4A7C15ull) >> shift_);
  }
  void Grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    --shift_;
    size_ = 0;
    for (const Slot& s : old) {
      if (s.value != nullptr) Put(s.pid, s.value);
    }
  }
  std::vector<Slot> slots_;
  int shift_ = 64 - 10;  // log2(kMinSlots) bits of hash
  size_t size_ = 0;
};
static_assert(1024 == (size_t{1} << 10));

class StateImpl : public State {
 public:
  explicit StateImpl(const StateOptions& options)
      : options_(options), containers_(ResolverOptions(options)) {}
  ~StateImpl() override {
    procs_.ForEach([](Entry* e) { delete e; });
    for (Entry* e : free_) delete e;
  }
  StateImpl(const StateImpl&) = delete;
  StateImpl& operator=(const StateImpl&) = delete;

  Status LoadExisting() override;
  void Apply(const Event& event) override;
  const ProcessInfo* Process(uint32_t pid) const override {
    const Entry* e = Find(pid);
    return e == nullptr ? nullptr : &e->info;
  }
  const ContainerInfo& Container(uint64_t cgroup_id) override {
    if (!recorded_.empty()) {  // a replay with container records (SetContainerInfo)
      if (auto it = recorded_.find(cgroup_id); it != recorded_.end()) return it->second;
    }
    return containers_.Get(cgroup_id);
  }
  void SetContainerInfo(uint64_t cgroup_id, const ContainerInfo& info) override {
    if (recorded_.size() >= options_.max_containers && recorded_.count(cgroup_id) == 0) {
      recorded_.erase(recorded_.begin());
    }
    recorded_[cgroup_id] = info;
    ++container_epoch_;
  }
  uint64_t ContainerGeneration(uint64_t cgroup_id) override;
  size_t process_count() const override { return procs_.size(); }
  size_t container_count() const override {
    size_t n = containers_.container_count();
    for (const auto& [id, info] : recorded_) n += info.id.empty() ? 0 : 1;
    return n;
  }
  const ProcessInfo* Ancestor(uint32_t pid, int generation) const override;
  void WaitForContainerLookups(int timeout_ms) override { containers_.WaitIdle(timeout_ms); }
  StateStats stats() const override { return stats_; }

 private:
  // Cache-line aligned: the fields every event touches (ProcessInfo's first members) are in
  // one line.
  struct alignas(64) Entry {
    ProcessInfo info;
    uint64_t seq = 0;
    bool exited = false;
    // Live processes form a list, oldest first (eviction order when the table is full).
    Entry* older = nullptr;
    Entry* newer = nullptr;
    // Index of this pid in children_[info.ppid] while live (O(1) removal at exit).
    uint32_t child_slot = 0;
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

  // The entry of `pid`, nullptr when unknown. Most consecutive events (and the rule engine's
  // lookups of the event just applied) are of the same process: the last hit is cached.
  Entry* Find(uint32_t pid) const {
    if (last_ != nullptr && last_pid_ == pid) return last_;
    Entry* e = procs_.Get(pid);
    if (e == nullptr) return nullptr;
    last_pid_ = pid;
    last_ = e;
    return last_;
  }
  // A cleared entry, recycled when one is free: its strings and argv keep their buffers
  // (fork, exec and exit then allocate nothing in the steady state).
  Entry* NewEntry();
  // Drops `e` (in the index under `pid`) and its child list; recycles or frees it.
  void Erase(uint32_t pid, Entry* e);
  void LinkLive(Entry* e);
  void UnlinkLive(Entry* e);

  // Indexes `entry` (from NewEntry, filled) as `pid`, replacing a process with that pid or
  // evicting one when the table is full.
  Entry& Insert(uint32_t pid, Entry* entry);
  void Remove(uint32_t pid);
  void MakeRoom();
  // `follow_cgroup`: take the event's cgroup id as the process's current one (false for
  // in-kernel aggregates, whose cgroup is that of the interval's first call).
  Entry& GetOrStub(const Event& e, bool follow_cgroup = true);
  void AddChild(Entry* child);
  void DropChild(const Entry& child);
  void OnFork(const Event& e);
  void OnExec(const Event& e);
  void OnExit(const Event& e);
  void OnSyscall(const Event& e);
  // The fd entry to (re)write at `fd`, nullptr when the per-process cap is reached (counted).
  FdInfo* FdSlot(ProcessInfo& p, int64_t fd);
  std::string ResolvePath(const ProcessInfo& p, int64_t dirfd, std::string_view path) const;
  void ResolveSockets(uint32_t pid, ProcessInfo* p, std::map<std::string, SocketTable>* by_netns);

  StateOptions options_;
  ContainerResolver containers_;
  // SetContainerInfo's entries (a replay's container records); they win over containers_.
  std::map<uint64_t, ContainerInfo> recorded_;
  // ContainerGeneration. An answer of Container() is an object (an entry of containers_ or
  // recorded_, or the host entry) whose contents change, or which is destroyed, only when
  // ContainerStamp() moves: containers_.changes() counts merged lookups (from the worker at
  // Maintain, or inline when async_metadata is off, where one cgroup's lookup merges into the
  // entries of others) and dropped entries; container_epoch_ counts SetContainerInfo calls.
  // Within one stamp a cgroup's answer can still change from the host entry to a new entry
  // (its path found by a later walk), which the address shows. So the same address under the
  // same stamp is the same answer; otherwise the answer is compared with a copy of the last.
  struct TrackedContainer {
    const ContainerInfo* answer = nullptr;
    uint64_t stamp = 0;  // ContainerStamp() when *answer was last compared
    uint64_t generation = 0;
    ContainerInfo last;  // a copy of *answer
  };
  std::unordered_map<uint64_t, TrackedContainer> tracked_;
  uint64_t container_epoch_ = 1;
  // Both counts only grow, so their sum moves whenever either does.
  uint64_t ContainerStamp() const { return container_epoch_ + containers_.changes(); }
  uint64_t last_generation_ = 0;
  PidIndex<Entry> procs_;     // entries are allocated one by one: pointers stay valid until erase
  std::vector<Entry*> free_;  // recycled entries, at most kMaxFreeEntries
  mutable uint32_t last_pid_ = 0;
  mutable Entry* last_ = nullptr;
  Entry* oldest_live_ = nullptr;
  Entry* newest_live_ = nullptr;
  std::deque<std::pair<uint32_t, uint64_t>> exited_;  // (pid, seq), oldest exit first
  // ppid -> pids whose ppid it is, for re-parenting at exit: exactly the live processes with
  // that ppid (each knows its index, Entry::child_slot).
  std::unordered_map<uint32_t, std::vector<uint32_t>> children_;
  uint64_t next_seq_ = 1;
  StateStats stats_;
};

void StateImpl::LinkLive(Entry* e) {
  e->older = newest_live_;
  e->newer = nullptr;
  if (newest_live_ != nullptr) newest_live_->newer = e;
  newest_live_ = e;
  if (oldest_live_ == nullptr) oldest_live_ = e;
}

void StateImpl::UnlinkLive(Entry* e) {
  (e->older != nullptr ? e->older->newer : oldest_live_) = e->newer;
  (e->newer != nullptr ? e->newer->older : newest_live_) = e->older;
  e->older = e->newer = nullptr;
}

constexpr size_t kMaxFreeEntries = 1024;

StateImpl::Entry* StateImpl::NewEntry() {
  if (free_.empty()) return new Entry;
  Entry* e = free_.back();
  free_.pop_back();
  return e;
}

void StateImpl::Erase(uint32_t pid, Entry* e) {
  procs_.Take(pid);
  children_.erase(pid);
  if (last_ == e) last_ = nullptr;
  if (free_.size() >= kMaxFreeEntries) {
    delete e;
    return;
  }
  // Back to defaults, keeping the buffers of the strings and argv.
  ProcessInfo fresh;
  fresh.comm = std::move(e->info.comm);
  fresh.exe = std::move(e->info.exe);
  fresh.args = std::move(e->info.args);
  fresh.cwd = std::move(e->info.cwd);
  fresh.comm.clear();
  fresh.exe.clear();
  fresh.args.clear();
  fresh.cwd.clear();
  e->info = std::move(fresh);
  e->seq = 0;
  e->exited = false;
  e->older = e->newer = nullptr;
  e->child_slot = 0;
  free_.push_back(e);
}

StateImpl::Entry& StateImpl::Insert(uint32_t pid, Entry* fresh) {
  if (procs_.Get(pid) != nullptr) {
    Remove(pid);  // pid reuse: the new process replaces the old one
  } else if (procs_.size() >= options_.max_processes) {
    MakeRoom();
  }
  procs_.Put(pid, fresh);
  Entry& entry = *fresh;
  entry.info.pid = pid;
  entry.seq = next_seq_++;
  entry.exited = false;
  LinkLive(&entry);
  AddChild(&entry);
  last_pid_ = pid;
  last_ = &entry;
  return entry;
}

void StateImpl::AddChild(Entry* child) {
  uint32_t ppid = child->info.ppid, pid = child->info.pid;
  if (ppid == 0 || ppid == pid) return;
  std::vector<uint32_t>& v = children_[ppid];
  child->child_slot = static_cast<uint32_t>(v.size());
  v.push_back(pid);
}

void StateImpl::DropChild(const Entry& child) {
  uint32_t ppid = child.info.ppid, pid = child.info.pid;
  if (ppid == 0 || ppid == pid) return;
  auto it = children_.find(ppid);
  if (it == children_.end()) return;
  std::vector<uint32_t>& v = it->second;
  size_t i = child.child_slot;
  if (i >= v.size() || v[i] != pid) return;  // not listed (cannot happen; stay safe)
  if (i + 1 != v.size()) {
    v[i] = v.back();
    if (Entry* moved = Find(v[i])) moved->child_slot = static_cast<uint32_t>(i);
  }
  v.pop_back();
  // A known parent keeps its (empty) list for its next child; Erase drops it with the entry.
  if (v.empty() && procs_.Get(ppid) == nullptr) children_.erase(it);
}

void StateImpl::Remove(uint32_t pid) {
  Entry* e = procs_.Get(pid);
  if (e == nullptr) return;
  if (!e->exited) {  // an exit already unlinked it
    UnlinkLive(e);
    DropChild(*e);
  }
  Erase(pid, e);
}

// Evicts one process: the oldest exited one, else the oldest live one.
void StateImpl::MakeRoom() {
  while (!exited_.empty()) {
    auto [pid, seq] = exited_.front();
    exited_.pop_front();
    Entry* e = procs_.Get(pid);
    if (e != nullptr && e->seq == seq && e->exited) {
      Erase(pid, e);
      ++stats_.processes_evicted;
      return;
    }
  }
  if (oldest_live_ != nullptr) {
    Remove(oldest_live_->info.pid);
    ++stats_.processes_evicted;
  }
}

StateImpl::Entry& StateImpl::GetOrStub(const Event& e, bool follow_cgroup) {
  if (Entry* entry = Find(e.pid)) {
    // Runtimes move a forked child into the container's cgroup after the fork, and
    // setuid changes the uid: the latest event is the truth.
    if (e.cgroup_id != 0 && follow_cgroup) entry->info.cgroup_id = e.cgroup_id;
    entry->info.uid = e.uid;
    return *entry;
  }
  ++stats_.unknown_pids;
  Entry* entry = NewEntry();
  ProcessInfo& p = entry->info;
  p.ppid = e.ppid;
  p.uid = e.uid;
  p.comm.assign(e.comm);
  p.cgroup_id = e.cgroup_id;
  p.start_ns = e.ts_ns;
  return Insert(e.pid, entry);
}

void StateImpl::OnFork(const Event& e) {
  // A new thread of an existing process is not a new process.
  if (e.pid == e.ppid || (e.tid != 0 && e.tid != e.pid)) {
    if (Find(e.pid) == nullptr) GetOrStub(e);
    return;
  }
  Entry* entry = NewEntry();
  ProcessInfo& child = entry->info;
  if (const Entry* parent = Find(e.ppid)) {
    const ProcessInfo& pp = parent->info;
    child.comm = pp.comm;
    if (e.exe.empty()) child.exe = pp.exe;
    if (e.args.empty()) child.args = pp.args;
    if (e.cwd.empty()) child.cwd = pp.cwd;
    child.tty = pp.tty;
    child.cgroup_id = pp.cgroup_id;
    child.exe_upper_layer = pp.exe_upper_layer;
    child.exe_memfd = pp.exe_memfd;
    child.cap_effective = pp.cap_effective;
    child.cap_permitted = pp.cap_permitted;
    child.caps_known = pp.caps_known;
    // The child inherits the fd table: shared until either side changes it.
    child.fds = pp.fds;
  }
  child.ppid = e.ppid;
  child.uid = e.uid;
  if (!e.comm.empty()) child.comm.assign(e.comm);
  if (!e.exe.empty()) child.exe.assign(e.exe);
  if (!e.args.empty()) AssignArgs(e.args, &child.args);
  if (!e.cwd.empty()) child.cwd.assign(e.cwd);
  if (e.cgroup_id != 0) child.cgroup_id = e.cgroup_id;
  child.start_ns = e.ts_ns;
  Insert(e.pid, entry);
}

void StateImpl::OnExec(const Event& e) {
  ProcessInfo& p = GetOrStub(e).info;
  if (!e.comm.empty()) p.comm.assign(e.comm);
  if (!e.exe.empty()) {
    p.exe.assign(e.exe);
  } else if (!e.path.empty()) {
    p.exe.assign(e.path);
  }
  AssignArgs(e.args, &p.args);
  if (!e.cwd.empty()) p.cwd.assign(e.cwd);
  p.tty = e.tty;
  p.exe_upper_layer = e.exe_upper_layer;
  p.exe_memfd = e.exe_memfd;
  p.from_proc = false;
  p.fds.Filter([](int64_t, const FdInfo& fd) { return !(fd.open_flags & kCloexec); });
}

void StateImpl::OnExit(const Event& e) {
  Entry* found = procs_.Get(e.pid);
  if (found == nullptr || found->exited) return;
  Entry& entry = *found;
  entry.exited = true;
  UnlinkLive(&entry);
  exited_.emplace_back(e.pid, entry.seq);
  DropChild(entry);
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
      const Entry* up = Find(heir);
      if (up == nullptr || !up->exited) break;
      heir = up->info.ppid;
    }
    if (heir == 0 || heir == e.pid) heir = 1;
    for (uint32_t c : orphans) {
      Entry* child = Find(c);
      if (child == nullptr || child->exited || child->info.ppid != e.pid) continue;
      child->info.ppid = heir;
      AddChild(child);
    }
  }
  // Exited processes stay visible (for the exit event's consumers and their children's
  // ancestry) until a bounded FIFO pushes them out.
  size_t keep = std::max<size_t>(64, options_.max_processes / 8);
  while (exited_.size() > keep) {
    auto [pid, seq] = exited_.front();
    exited_.pop_front();
    Entry* old = procs_.Get(pid);
    if (old != nullptr && old->seq == seq && old->exited) Erase(pid, old);
  }
}

FdInfo* StateImpl::FdSlot(ProcessInfo& p, int64_t fd) {
  if (fd < 0) return nullptr;
  if (p.fds.size() >= options_.max_fds_per_process && p.fds.Get(fd) == nullptr) {
    ++stats_.fds_dropped;
    return nullptr;
  }
  return &p.fds[fd];  // one copy-on-write check and one slot lookup, hit or miss
}

// Names an fd "->peer" (a connection whose local end is unknown).
void SetPeerName(const SockAddr& peer, FdName* name) {
  if (InetEndpoint server; InetEndpoint::From(peer, &server)) {
    name->SetConnected(InetEndpoint{}, server);
    return;
  }
  std::string text = "->";
  AppendSockAddr(peer, &text);
  *name = std::move(text);
}

// Appends "->peer" to a socket's name: "local->peer" when it was bound, "->peer" when empty.
void SetConnectedName(const SockAddr& peer, FdName* name) {
  InetEndpoint server;
  if (InetEndpoint::From(peer, &server)) {
    if (name->empty()) {
      name->SetConnected(InetEndpoint{}, server);
      return;
    }
    if (name->binary() && !name->connected()) {
      InetEndpoint local = *name->server();
      name->SetConnected(local, server);
      return;
    }
  }
  std::string text = name->str();
  text.append("->");
  AppendSockAddr(peer, &text);
  *name = std::move(text);
}

// True when NormalizePath would return `path` unchanged (the common case: the kernel and
// most programs pass clean absolute paths), so the hot path can skip it.
// 0x80 in each byte of x that is zero, 0 in the others (exact: no carry between bytes).
inline uint64_t ZeroBytes(uint64_t x) {
  constexpr uint64_t k7f = 0x7f7f7f7f7f7f7f7full;
  return ~(((x & k7f) + k7f) | x | k7f);
}

// True when `path` holds a '/' followed by '/' or '.': the only places a clean absolute path
// can be unclean. Eight bytes at a time: most paths have none, and then no component loop
// runs.
bool HasSlashDotOrSlash(std::string_view path) {
  constexpr uint64_t kSlash = 0x2f2f2f2f2f2f2f2full, kDot = 0x2e2e2e2e2e2e2e2eull;
  const char* p = path.data();
  size_t n = path.size(), i = 0;
  for (; i + 9 <= n; i += 8) {  // bytes i..i+7 and their successors i+1..i+8
    uint64_t here, next;
    std::memcpy(&here, p + i, 8);
    std::memcpy(&next, p + i + 1, 8);
    if (ZeroBytes(here ^ kSlash) & (ZeroBytes(next ^ kSlash) | ZeroBytes(next ^ kDot))) {
      return true;
    }
  }
  for (; i + 1 < n; ++i) {
    if (p[i] == '/' && (p[i + 1] == '/' || p[i + 1] == '.')) return true;
  }
  return false;
}

bool IsNormalAbsolute(std::string_view path) {
  if (path.empty() || path[0] != '/') return false;
  if (path.size() > 1 && path.back() == '/') return false;
  if (!HasSlashDotOrSlash(path)) return true;
  // Unclean means a "//", "/./" or "/../" component, or a trailing "/." or "/..".
  const char* p = path.data();
  const char* end = p + path.size();
  while (true) {
    const char* slash = static_cast<const char*>(memchr(p, '/', static_cast<size_t>(end - p)));
    if (slash == nullptr) return true;
    const char* next = slash + 1;
    if (next == end) return true;
    if (*next == '/') return false;
    if (*next == '.') {
      const char* after = next + 1;
      if (after == end || *after == '/') return false;
      if (*after == '.' && (after + 1 == end || after[1] == '/')) return false;
    }
    p = next;
  }
}

std::string StateImpl::ResolvePath(const ProcessInfo& p, int64_t dirfd,
                                   std::string_view path) const {
  if (IsNormalAbsolute(path)) return std::string(path);
  if (StartsWith(path, "/")) return NormalizePath(path);
  std::string base;
  if (dirfd == kAtFdcwd || dirfd < 0) {
    base = p.cwd;
  } else if (const FdInfo* dir = p.fds.Get(dirfd)) {
    base = dir->name;
  }
  if (!StartsWith(base, "/")) return std::string(path);  // base unknown: keep it relative
  return NormalizePath(JoinPath(base, path));
}

void StateImpl::OnSyscall(const Event& e) {
  ProcessInfo& p = GetOrStub(e).info;
  const FdTable& fds = p.fds;  // reads never copy a shared table
  switch (e.syscall) {
    case SYS_open:
    case SYS_creat:
    case SYS_openat:
    case SYS_openat2: {
      if (e.ret < 0) return;
      int64_t dirfd = (e.syscall == SYS_openat || e.syscall == SYS_openat2) ? e.fd : kAtFdcwd;
      uint64_t flags = e.syscall == SYS_creat ? (O_CREAT | O_WRONLY | O_TRUNC) : e.flags;
      FdKind kind = (flags & O_DIRECTORY) ? FdKind::kDirectory : FdKind::kFile;
      if (IsNormalAbsolute(e.path)) {
        // The usual case; a reused fd number (open/close churn) reuses the name's buffer.
        FdInfo* fd = FdSlot(p, e.ret);
        if (fd == nullptr) return;
        fd->kind = kind;
        fd->name = e.path;
        fd->open_flags = flags;
        return;
      }
      std::string name = ResolvePath(p, dirfd, e.path);
      FdInfo* fd = FdSlot(p, e.ret);
      if (fd == nullptr) return;
      fd->kind = kind;
      fd->name = std::move(name);
      fd->open_flags = flags;
      return;
    }
    case SYS_close:
      if (e.ret == 0 || e.ret == -EINTR) p.fds.erase(e.fd);
      return;
    case SYS_close_range: {
      if (e.ret != 0 || e.fd < 0) return;
      int64_t last = e.fd2 < 0 ? INT64_MAX : e.fd2;
      bool any = false;
      for (const auto& [fd, info] : fds) any = any || (fd >= e.fd && fd <= last);
      if (!any) return;
      bool mark = e.flags & kCloseRangeCloexec;
      p.fds.Update([&](int64_t fd, FdInfo& info) {
        if (fd < e.fd || fd > last) return true;
        if (mark) info.open_flags |= kCloexec;
        return mark;
      });
      return;
    }
    case SYS_dup:
    case SYS_dup2:
    case SYS_dup3: {
      if (e.ret < 0 || e.ret == e.fd) return;
      const FdInfo* old = fds.Get(e.fd);
      FdInfo copy = old != nullptr ? *old : FdInfo{};
      if (old == nullptr && e.addr.family != 0) {
        // An fd opened before we watched: the source names a socket's peer (stdio
        // redirected to the network).
        copy.kind = FdKindOfFamily(e.addr.family);
        SetPeerName(e.addr, &copy.name);
      }
      copy.open_flags &= ~kCloexec;  // a duplicate never inherits FD_CLOEXEC
      if (e.syscall == SYS_dup3 && (e.flags & kCloexec)) copy.open_flags |= kCloexec;
      if (FdInfo* fd = FdSlot(p, e.ret)) *fd = std::move(copy);
      return;
    }
    case SYS_socket: {
      if (e.ret < 0) return;
      if (FdInfo* fd = FdSlot(p, e.ret)) {
        fd->kind = FdKindOfFamily(e.id_arg);
        fd->name.clear();
        fd->open_flags = e.flags & kCloexec;
      }
      return;
    }
    case SYS_socketpair:
    case SYS_pipe:
    case SYS_pipe2: {
      if (e.ret != 0) return;
      FdKind kind = e.syscall == SYS_socketpair ? FdKindOfFamily(e.id_arg) : FdKind::kPipe;
      for (int64_t n : {e.fd, e.fd2}) {
        if (FdInfo* fd = FdSlot(p, n)) {
          fd->kind = kind;
          fd->name.clear();
          fd->open_flags = e.flags & kCloexec;
        }
      }
      return;
    }
    case SYS_bind:
    case SYS_listen: {
      // listen: the local address as the kernel bound it (a bind to port 0 learns its port).
      if (e.ret != 0) return;
      if (e.syscall == SYS_listen && e.addr.family == 0) return;
      FdInfo* fd = FdSlot(p, e.fd);
      if (fd == nullptr) return;
      if (e.addr.family != 0) fd->kind = FdKindOfFamily(e.addr.family);
      if (InetEndpoint local; InetEndpoint::From(e.addr, &local)) {
        fd->name.SetBound(local);
      } else {
        fd->name = SockAddrToString(e.addr);
      }
      return;
    }
    case SYS_connect: {
      if (e.ret != 0 && e.ret != -EINPROGRESS) return;
      FdInfo* fd = FdSlot(p, e.fd);
      if (fd == nullptr) return;
      if (e.addr.family != 0) fd->kind = FdKindOfFamily(e.addr.family);
      // The local end is known only when the socket was bound explicitly.
      if (fd->name.connected()) fd->name.clear();
      SetConnectedName(e.addr, &fd->name);
      return;
    }
    case SYS_accept:
    case SYS_accept4: {
      if (e.ret < 0) return;
      const FdInfo* listener = fds.Get(e.fd);
      FdKind kind = listener != nullptr ? listener->kind : FdKind::kOther;
      if (e.addr.family != 0) kind = FdKindOfFamily(e.addr.family);
      // Client first, as Falco writes fd.name: "peer->listening address". Binary when both
      // ends are (the listener's name is a bound address or unknown).
      InetEndpoint peer, local;
      bool binary = (e.addr.family == 0 || InetEndpoint::From(e.addr, &peer)) &&
                    (listener == nullptr || listener->name.empty() ||
                     (listener->name.binary() && !listener->name.connected()));
      std::string text;
      if (!binary) {
        AppendSockAddr(e.addr, &text);
        text.append("->");
        if (listener != nullptr) text.append(listener->name.str());
      } else if (listener != nullptr && listener->name.server() != nullptr) {
        local = *listener->name.server();
      }
      // FdSlot may copy a shared table: `listener` is not used after it.
      if (FdInfo* fd = FdSlot(p, e.ret)) {
        fd->kind = kind;
        if (binary) {
          fd->name.SetConnected(peer, local);
        } else {
          fd->name = std::move(text);
        }
        fd->open_flags = e.syscall == SYS_accept4 ? (e.flags & kCloexec) : 0;
      }
      return;
    }
    case SYS_memfd_create: {
      if (e.ret < 0) return;
      if (FdInfo* fd = FdSlot(p, e.ret)) {
        fd->kind = FdKind::kMemfd;
        std::string name = "memfd:";
        name.append(e.path);
        fd->name = std::move(name);
        fd->open_flags = (e.flags & kMfdCloexec) ? kCloexec : 0;
      }
      return;
    }
    case SYS_chdir:
      if (e.ret == 0 && !e.path.empty()) p.cwd = ResolvePath(p, kAtFdcwd, e.path);
      return;
    case SYS_fchdir:
      if (e.ret == 0) {
        if (const FdInfo* dir = fds.Get(e.fd); dir != nullptr && StartsWith(dir->name, "/")) {
          p.cwd = dir->name;
        }
      }
      return;
    case SYS_capset:
      // The new effective set; permitted can only shrink and holds at least the effective.
      if (e.ret == 0) {
        if (!p.caps_known) p.cap_permitted = 0;
        p.cap_effective = e.cap_effective;
        p.cap_permitted |= e.cap_effective;
        p.caps_known = true;
      }
      return;
    default:
      return;
  }
}

void StateImpl::Apply(const Event& e) {
  // Maintenance (retries, pruning) every 64 events; a finished container lookup is merged at
  // the next event (an atomic load), so the events of a container that starts, acts and exits
  // within milliseconds carry its name and image.
  if ((stats_.events++ & 63) == 0 || containers_.HasFinishedLookups()) containers_.Maintain();
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

uint64_t StateImpl::ContainerGeneration(uint64_t cgroup_id) {
  const ContainerInfo& answer = Container(cgroup_id);
  const uint64_t stamp = ContainerStamp();
  auto it = tracked_.find(cgroup_id);
  if (it == tracked_.end()) {
    if (tracked_.size() >= options_.max_containers) tracked_.clear();
    it = tracked_.try_emplace(cgroup_id).first;
  } else if (it->second.answer == &answer && it->second.stamp == stamp) {
    return it->second.generation;
  }
  TrackedContainer& t = it->second;
  if (t.generation == 0 || !(t.last == answer)) {
    t.last = answer;
    t.generation = ++last_generation_;
  }
  t.answer = &answer;
  t.stamp = stamp;
  return t.generation;
}

const ProcessInfo* StateImpl::Ancestor(uint32_t pid, int generation) const {
  if (generation <= 0 || generation > kMaxAncestry) return nullptr;
  const ProcessInfo* p = Process(pid);
  for (int i = 0; i < generation && p != nullptr; ++i) {
    if (p->ppid == 0 || p->ppid == p->pid) return nullptr;
    const Entry* up = procs_.Get(p->ppid);    // not through the cache: keep it on the event's
    p = up == nullptr ? nullptr : &up->info;  // process
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
  p->fds.Update([&](int64_t, FdInfo& info) {
    uint64_t ino = SocketInode(info.name);
    if (ino == 0) return true;
    if (auto s = it->second.find(ino); s != it->second.end()) info = s->second;
    return true;
  });
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
    if (procs_.Get(pid) != nullptr) continue;  // events already told us more
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
    Entry* entry = NewEntry();
    entry->info = std::move(pp.info);
    Insert(pid, entry);
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

FdTable::const_iterator FdTable::begin() const {
  if (!rep_) return const_iterator();
  const value_type* d = rep_->dense.data();
  return const_iterator(d, d + rep_->dense.size(), rep_->sparse.data(), false);
}

FdTable::const_iterator FdTable::end() const {
  if (!rep_) return const_iterator();
  const value_type* s = rep_->sparse.data() + rep_->sparse.size();
  return const_iterator(s, nullptr, nullptr, true);
}

FdTable::const_iterator FdTable::find(int64_t fd) const {
  if (Get(fd) == nullptr) return end();
  if (fd >= 0 && fd < kDense) {
    const value_type* d = rep_->dense.data();
    return const_iterator(d + fd, d + rep_->dense.size(), rep_->sparse.data(), false);
  }
  auto it = std::lower_bound(rep_->sparse.begin(), rep_->sparse.end(), fd,
                             [](const value_type& e, int64_t key) { return e.first < key; });
  return const_iterator(&*it, nullptr, nullptr, true);
}

const FdInfo* FdTable::GetSparse(int64_t fd) const {
  auto it = std::lower_bound(rep_->sparse.begin(), rep_->sparse.end(), fd,
                             [](const value_type& e, int64_t key) { return e.first < key; });
  return it != rep_->sparse.end() && it->first == fd ? &it->second : nullptr;
}

const FdInfo& FdTable::at(int64_t fd) const {
  const FdInfo* info = Get(fd);
  if (info == nullptr) throw std::out_of_range(fmt::format("FdTable::at: fd {} not open", fd));
  return *info;
}

FdTable::Rep& FdTable::Mut() {
  if (!rep_) {
    rep_ = std::make_shared<Rep>();
  } else if (rep_.use_count() > 1) {
    rep_ = std::make_shared<Rep>(*rep_);
  }
  return *rep_;
}

FdInfo* FdTable::GetMutable(int64_t fd) {
  if (Get(fd) == nullptr) return nullptr;  // no copy of a shared table for a miss
  Mut();
  return const_cast<FdInfo*>(Get(fd));
}

FdInfo& FdTable::operator[](int64_t fd) {
  Rep& r = Mut();
  if (fd >= 0 && fd < kDense) {
    size_t i = static_cast<size_t>(fd);
    // Free slots built in place (resize() copies a prototype, out of line, on every call);
    // the vector's own doubling bounds the reallocations.
    while (r.dense.size() <= i) {
      r.dense.emplace_back(std::piecewise_construct, std::forward_as_tuple(-1),
                           std::forward_as_tuple());
    }
    value_type& slot = r.dense[i];
    if (slot.first < 0) {
      slot.first = static_cast<int64_t>(i);
      ++r.count;
    }
    return slot.second;
  }
  auto it = std::lower_bound(r.sparse.begin(), r.sparse.end(), fd,
                             [](const value_type& e, int64_t key) { return e.first < key; });
  if (it == r.sparse.end() || it->first != fd) {
    it = r.sparse.emplace(it, fd, FdInfo{});
    ++r.count;
  }
  return it->second;
}

size_t FdTable::erase(int64_t fd) {
  if (Get(fd) == nullptr) return 0;
  Rep& r = Mut();
  if (fd >= 0 && fd < kDense) {
    // The slot keeps its name's buffer for the next fd with this number (open/close churn).
    value_type& slot = r.dense[static_cast<size_t>(fd)];
    slot.first = -1;
    slot.second.kind = FdKind::kOther;
    slot.second.name.clear();
    slot.second.open_flags = 0;
  } else {
    auto it = std::lower_bound(r.sparse.begin(), r.sparse.end(), fd,
                               [](const value_type& e, int64_t key) { return e.first < key; });
    r.sparse.erase(it);
  }
  --r.count;
  return 1;
}

void AppendSockAddr(const SockAddr& addr, std::string* out) {
  if (addr.family == AF_INET || addr.family == AF_INET6) {
    AppendInetAddress(addr.family, addr.addr.data(), addr.port, out);
    return;
  }
  out->append(SockAddrToString(addr));
}

bool InetEndpoint::From(const SockAddr& addr, InetEndpoint* out) {
  if (addr.family != AF_INET && addr.family != AF_INET6) return false;
  out->family = addr.family;
  out->port = addr.port;
  out->addr = addr.addr;
  return true;
}

FdName::FdName(const FdName& other)
    : stale_(other.binary_),
      binary_(other.binary_),
      arrow_(other.arrow_),
      client_(other.client_),
      server_(other.server_) {
  if (!other.binary_) text_ = other.text_;
}

FdName& FdName::operator=(const FdName& other) {
  if (this == &other) return *this;
  if (other.binary_) {
    text_.clear();  // keeps the buffer for a later text name
  } else {
    text_ = other.text_;
  }
  stale_ = other.binary_;
  binary_ = other.binary_;
  arrow_ = other.arrow_;
  client_ = other.client_;
  server_ = other.server_;
  return *this;
}

void FdName::SetBound(const InetEndpoint& local) {
  text_.clear();
  binary_ = stale_ = true;
  arrow_ = false;
  client_ = InetEndpoint{};
  server_ = local;
}

void FdName::SetConnected(const InetEndpoint& client, const InetEndpoint& server) {
  text_.clear();
  binary_ = stale_ = arrow_ = true;
  client_ = client;
  server_ = server;
}

void FdName::Format() const {
  text_.clear();
  if (arrow_) {
    AppendInetAddress(client_.family, client_.addr.data(), client_.port, &text_);
    text_.append("->");
  }
  AppendInetAddress(server_.family, server_.addr.data(), server_.port, &text_);
  stale_ = false;
}

std::ostream& operator<<(std::ostream& os, const FdName& name) { return os << name.str(); }

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
