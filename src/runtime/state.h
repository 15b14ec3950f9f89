// Run-time state built from the event stream: the process tree, each process's fd table, and
// the containers processes run in. Rules and behaviour models read it to enrich an event
// ("proc.pname", "fd.name", "container.image"); the agent feeds it every event first.
//
// Memory is bounded whatever the event rate: exited processes are kept only until their
// exit is seen by all consumers of the current batch, fd tables are capped per process, and
// containers whose cgroup disappeared are evicted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "base/status.h"
#include "runtime/event.h"

namespace vigil::runtime {

struct ContainerInfo {
  std::string id;            // 64-hex container id ("" for the host)
  std::string runtime;       // "docker", "containerd", "cri-o", "podman", "crun", "runc", "host"
  std::string name;          // where the runtime tells
  std::string image;         // image reference ("docker.io/library/nginx:1.25")
  std::string image_digest;  // "sha256:..."
  std::map<std::string, std::string> labels;
  std::string pod;  // Kubernetes pod name / namespace / owner workload where known
  std::string pod_namespace;
  std::string workload;  // "Deployment/web", "DaemonSet/agent", ...
  uint64_t cgroup_id = 0;
  std::string cgroup_path;  // relative to the cgroup v2 mount

  // Member by member (the recorder writes a container record when the answer changes).
  bool operator==(const ContainerInfo&) const = default;
};

enum class FdKind : uint8_t { kFile, kDirectory, kIpv4, kIpv6, kUnix, kPipe, kMemfd, kOther };
// The kind of a socket of address family `family` (AF_INET, AF_INET6, AF_UNIX; else kOther).
FdKind FdKindOfFamily(uint32_t family);
// Appended by R6: appends SockAddrToString(addr) to `out` (the same text) without a temporary
// string; the IPv4 case, the common one, is formatted without inet_ntop.
void AppendSockAddr(const SockAddr& addr, std::string* out);

// Appended by C2: an IPv4 or IPv6 socket endpoint in binary, as an fd entry keeps it.
struct InetEndpoint {
  uint16_t family = 0;             // AF_INET or AF_INET6; 0 = absent
  uint16_t port = 0;               // host byte order
  std::array<uint8_t, 16> addr{};  // network byte order; IPv4 in the first 4 bytes
  // The endpoint of an AF_INET or AF_INET6 address; false (out untouched) for any other.
  static bool From(const SockAddr& addr, InetEndpoint* out);
  bool operator==(const InetEndpoint&) const = default;
};

// Appended by C2 (issue 8 benchmark 3): an fd's name as rules read it (fd.name): a path,
// "memfd:x", "unix:/run/x.sock", or a socket's "client->server" ("->server" when the local
// end is unknown) or bound "address". IPv4 and IPv6 socket names are kept as binary
// endpoints and formatted only when something reads the text, which is then cached until the
// name changes: connect, accept, bind and the copy of an exec'd child's sockets neither format
// nor allocate. Reads as the std::string it replaced (const std::string&, std::string_view,
// empty/find/rfind/substr, == against text). Single-threaded as State: the cache is filled
// by const reads.
class FdName {
 public:
  FdName() = default;
  FdName(const FdName& other);  // a binary name's cached text is not copied
  FdName& operator=(const FdName& other);
  // A moved-from name is empty text.
  FdName(FdName&& other) noexcept
      : text_(std::move(other.text_)),
        stale_(other.stale_),
        binary_(other.binary_),
        arrow_(other.arrow_),
        client_(other.client_),
        server_(other.server_) {
    other.ToText();
  }
  FdName& operator=(FdName&& other) noexcept {
    if (this == &other) return *this;
    text_ = std::move(other.text_);
    stale_ = other.stale_;
    binary_ = other.binary_;
    arrow_ = other.arrow_;
    client_ = other.client_;
    server_ = other.server_;
    other.ToText();
    return *this;
  }

  // Text names (paths, memfd:, unix:, /proc links). Reuses the buffer already held.
  FdName& operator=(std::string_view text) {
    ToText();
    text_.assign(text);
    return *this;
  }
  FdName& operator=(const std::string& text) { return *this = std::string_view(text); }
  FdName& operator=(std::string&& text) {
    ToText();
    text_ = std::move(text);
    return *this;
  }
  FdName& operator=(const char* text) { return *this = std::string_view(text); }
  void clear() { ToText(); }

  // Socket names in binary: "server" (bound or listening) and "client->server" (connected,
  // accepted; an absent client formats as nothing, as does an absent server).
  void SetBound(const InetEndpoint& local);
  void SetConnected(const InetEndpoint& client, const InetEndpoint& server);
  // True when the name is binary endpoints (then client()/server() describe it).
  bool binary() const { return binary_; }
  // True when the name has the "client->server" shape (binary or text).
  bool connected() const { return binary_ ? arrow_ : text_.find("->") != std::string::npos; }
  // The binary endpoints, for readers that want addresses rather than text; nullptr when the
  // name is text or the end is absent. A bound name has a server and no client.
  const InetEndpoint* client() const {
    return binary_ && arrow_ && client_.family != 0 ? &client_ : nullptr;
  }
  const InetEndpoint* server() const { return binary_ && server_.family != 0 ? &server_ : nullptr; }

  // The text (formatted on the first read of a binary name).
  const std::string& str() const {
    if (stale_) Format();
    return text_;
  }
  operator const std::string&() const { return str(); }  // NOLINT: reads as std::string
  operator std::string_view() const { return str(); }    // NOLINT
  bool empty() const { return binary_ ? !arrow_ && server_.family == 0 : text_.empty(); }
  size_t size() const { return str().size(); }
  const char* data() const { return str().data(); }
  const char* c_str() const { return str().c_str(); }
  size_t find(std::string_view s, size_t pos = 0) const { return str().find(s, pos); }
  size_t find(char c, size_t pos = 0) const { return str().find(c, pos); }
  size_t rfind(std::string_view s, size_t pos = std::string::npos) const {
    return str().rfind(s, pos);
  }
  size_t rfind(char c, size_t pos = std::string::npos) const { return str().rfind(c, pos); }
  std::string substr(size_t pos = 0, size_t n = std::string::npos) const {
    return str().substr(pos, n);
  }
  bool starts_with(std::string_view s) const { return std::string_view(str()).starts_with(s); }
  friend bool operator==(const FdName& a, std::string_view b) {
    return std::string_view(a.str()) == b;
  }
  friend bool operator==(const FdName& a, const FdName& b) {
    return std::string_view(a.str()) == std::string_view(b.str());
  }
  friend std::ostream& operator<<(std::ostream& os, const FdName& name);

 private:
  void ToText() {
    binary_ = arrow_ = stale_ = false;
    text_.clear();
  }
  void Format() const;

  mutable std::string text_;  // the name, or the cached text of binary endpoints
  mutable bool stale_ = false;
  bool binary_ = false;
  bool arrow_ = false;
  InetEndpoint client_;
  InetEndpoint server_;
};

struct FdInfo {
  FdKind kind = FdKind::kOther;
  // Before the name (C2): exec's close-on-exec scan reads the flags of every slot, and they
  // share the slot's first cache line with its fd number.
  uint64_t open_flags = 0;
  FdName name;  // path, or "10.0.0.1:5000->10.0.0.2:443" for a connected socket
};

// A process's fd table: fd number -> FdInfo. Fds below kDense (the kernel hands out the
// lowest free number, so nearly all) live in an array indexed by the fd: lookup, insert and
// erase touch one slot. Larger ones go to a small sorted array. Both are shared
// copy-on-write: a forked child shares its parent's table until either changes it, so a fork
// copies nothing and a fork+exec copies only the fds that survive exec. Const members never
// copy; a member that changes the table first makes it private to this process. Iteration
// (const only) is in ascending fd order, as std::map's.
class FdTable {
 public:
  static constexpr int64_t kDense = 1024;
  using value_type = std::pair<int64_t, FdInfo>;  // first < 0 marks a free dense slot

  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = FdTable::value_type;
    using difference_type = std::ptrdiff_t;
    using pointer = const value_type*;
    using reference = const value_type&;
    const_iterator() = default;
    reference operator*() const { return *p_; }
    pointer operator->() const { return p_; }
    const_iterator& operator++() {
      ++p_;
      Settle();
      return *this;
    }
    const_iterator operator++(int) {
      const_iterator old = *this;
      ++*this;
      return old;
    }
    bool operator==(const const_iterator& o) const { return p_ == o.p_; }
    bool operator!=(const const_iterator& o) const { return p_ != o.p_; }

   private:
    friend class FdTable;
    const_iterator(const value_type* p, const value_type* dense_end, const value_type* sparse,
                   bool in_sparse)
        : p_(p), dense_end_(dense_end), sparse_(sparse), in_sparse_(in_sparse) {
      Settle();
    }
    // Skips free dense slots and moves from the dense array to the sparse one.
    void Settle() {
      if (in_sparse_) return;
      while (p_ != dense_end_ && p_->first < 0) ++p_;
      if (p_ == dense_end_) {
        p_ = sparse_;
        in_sparse_ = true;
      }
    }
    const value_type* p_ = nullptr;
    const value_type* dense_end_ = nullptr;
    const value_type* sparse_ = nullptr;
    bool in_sparse_ = false;
  };

  size_t size() const { return rep_ ? rep_->count : 0; }
  bool empty() const { return size() == 0; }
  const_iterator begin() const;
  const_iterator end() const;
  const_iterator find(int64_t fd) const;
  size_t count(int64_t fd) const { return Get(fd) != nullptr ? 1 : 0; }
  // nullptr when `fd` is not open.
  const FdInfo* Get(int64_t fd) const {
    if (!rep_) return nullptr;
    if (fd >= 0 && fd < kDense) {
      if (static_cast<size_t>(fd) >= rep_->dense.size()) return nullptr;
      const value_type& slot = rep_->dense[static_cast<size_t>(fd)];
      return slot.first >= 0 ? &slot.second : nullptr;
    }
    return GetSparse(fd);
  }
  // As std::map::at: throws std::out_of_range when `fd` is not open (tests and tools; the
  // event path uses Get).
  const FdInfo& at(int64_t fd) const;

  // Changes (a shared table is copied first). Negative numbers, which no caller stores, would
  // go to the sparse array (and iterate after the dense ones).
  FdInfo* GetMutable(int64_t fd);
  FdInfo& operator[](int64_t fd);  // creates an empty entry when absent
  size_t erase(int64_t fd);
  void clear() { rep_.reset(); }
  // Calls fn(fd, FdInfo&) on every entry, ascending; erases those for which it returns false.
  template <typename Fn>
  void Update(Fn fn);
  // Keeps the entries for which keep(fd, const FdInfo&) is true. A shared table is rebuilt
  // from the kept entries alone (exec after fork: the child copies only what survives exec).
  template <typename Keep>
  void Filter(Keep keep);
  // True when another process shares this table (tests, self-metrics).
  bool shared() const { return rep_ && rep_.use_count() > 1; }

 private:
  struct Rep {
    std::vector<value_type> dense;   // index = fd
    std::vector<value_type> sparse;  // fds >= kDense, ascending
    size_t count = 0;
  };
  const FdInfo* GetSparse(int64_t fd) const;
  Rep& Mut();
  std::shared_ptr<Rep> rep_;
};

template <typename Fn>
void FdTable::Update(Fn fn) {
  if (!rep_) return;
  Rep& r = Mut();
  for (value_type& e : r.dense) {
    if (e.first >= 0 && !fn(e.first, e.second)) {
      e.first = -1;
      e.second = FdInfo{};
      --r.count;
    }
  }
  for (auto it = r.sparse.begin(); it != r.sparse.end();) {
    if (fn(it->first, it->second)) {
      ++it;
    } else {
      it = r.sparse.erase(it);
      --r.count;
    }
  }
  while (!r.dense.empty() && r.dense.back().first < 0) r.dense.pop_back();
  if (r.count == 0) rep_.reset();
}

template <typename Keep>
void FdTable::Filter(Keep keep) {
  if (!rep_) return;
  if (rep_.use_count() > 1) {
    // One pass over the dense array, each slot built in place (a resize per kept entry, or
    // copies of a prototype free slot, cost more than the copies of the kept entries).
    auto fresh = std::make_shared<Rep>();
    const std::vector<value_type>& dense = rep_->dense;
    size_t dense_size = 0;
    for (size_t i = 0; i < dense.size(); ++i) {
      if (dense[i].first >= 0 && keep(dense[i].first, dense[i].second)) dense_size = i + 1;
    }
    fresh->dense.reserve(dense_size);
    for (size_t i = 0; i < dense_size; ++i) {
      const value_type& e = dense[i];
      if (e.first >= 0 && keep(e.first, e.second)) {
        fresh->dense.push_back(e);
        ++fresh->count;
      } else {
        fresh->dense.emplace_back(std::piecewise_construct, std::forward_as_tuple(-1),
                                  std::forward_as_tuple());
      }
    }
    for (const value_type& e : rep_->sparse) {
      if (!keep(e.first, e.second)) continue;
      fresh->sparse.push_back(e);
      ++fresh->count;
    }
    rep_ = fresh->count == 0 ? nullptr : std::move(fresh);
    return;
  }
  Update([&](int64_t fd, FdInfo& info) { return keep(fd, static_cast<const FdInfo&>(info)); });
}

// Members in the order of their use by State::Apply (C2): what every event reads or writes
// (uid, cgroup_id, fds) shares the first cache line; the strings follow.
struct ProcessInfo {
  uint32_t pid = 0;
  uint32_t ppid = 0;
  uint32_t uid = 0;
  uint32_t tty = 0;
  uint64_t cgroup_id = 0;
  FdTable fds;
  uint64_t start_ns = 0;
  bool exe_upper_layer = false;
  bool exe_memfd = false;
  bool from_proc = false;  // picked up from /proc at start, not seen being created
  std::string comm;
  std::string exe;
  std::vector<std::string> args;
  std::string cwd;
  // Appended by R6: capability sets (bit N = capability N, as CapEff/CapPrm in
  // /proc/PID/status). Known from /proc at LoadExisting, from capset events (which carry the
  // new effective set; permitted is then at least that), inherited on fork and kept over
  // exec (the kernel's recomputation at exec of setuid or file-capability programs is not
  // in the event: a later capset corrects it). caps_known false: never seen (rule fields
  // read as missing).
  uint64_t cap_effective = 0;
  uint64_t cap_permitted = 0;
  bool caps_known = false;
};

struct StateOptions {
  std::string proc_root = "/proc";             // seam for tests
  std::string cgroup_root = "/sys/fs/cgroup";  // v2 tree (hybrid: .../unified) found below
  size_t max_processes = 65536;                // oldest exited evicted first
  size_t max_fds_per_process = 1024;
  // Container metadata lookups (podman/docker/CRI sockets, OCI state dirs); off in unit tests.
  bool query_runtimes = true;
  // Appended by the state engineer (R2):
  // Prefix of the runtimes' files (/run/crun, /run/runc, containers-storage, docker's
  // config.v2.json); a seam for tests, "/" on a real host.
  std::string host_root = "/";
  // Metadata lookups run on a worker thread; Container() returns the id-only info (id,
  // runtime, cgroup path) until the lookup is merged. false: looked up inline on first sight.
  bool async_metadata = true;
  size_t max_containers = 4096;  // cgroup entries cached; dead cgroups evicted first
};

// Counters for self-metrics (appended by R2).
struct StateStats {
  uint64_t events = 0;  // Apply calls
  uint64_t processes_evicted = 0;
  uint64_t fds_dropped = 0;   // fd entries not stored: the per-process cap was reached
  uint64_t unknown_pids = 0;  // events of processes not seen being created (stubbed)
  uint64_t proc_errors = 0;   // /proc entries LoadExisting could not read
};

class State {
 public:
  static StatusOr<std::unique_ptr<State>> Create(const StateOptions& options);
  virtual ~State() = default;
  // Reads /proc so processes (and their containers) that started before the agent are known.
  virtual Status LoadExisting() = 0;
  // Updates the tables from one event (fork/exec/exit, open/close/dup/connect/accept ...).
  virtual void Apply(const Event& event) = 0;
  // nullptr when unknown.
  virtual const ProcessInfo* Process(uint32_t pid) const = 0;
  // The container of a cgroup id; the host entry (runtime "host", id "") for the root or any
  // cgroup that is not a container. Resolved on first sight and cached.
  virtual const ContainerInfo& Container(uint64_t cgroup_id) = 0;
  virtual size_t process_count() const = 0;
  virtual size_t container_count() const = 0;

  // Appended by R2.
  // The `generation`-th ancestor of pid (1 = parent, 2 = grandparent, ...; what rules call
  // proc.aname[N]); nullptr when the chain is unknown, longer than known, or loops.
  virtual const ProcessInfo* Ancestor(uint32_t pid, int generation) const = 0;
  // Blocks up to `timeout_ms` until queued container metadata lookups finished and merges
  // them (start-up and tests; the event path never needs it).
  virtual void WaitForContainerLookups(int timeout_ms) = 0;
  virtual StateStats stats() const = 0;

  // Appended by C1 (container records of a replay, issue 8): from now on Container(cgroup_id)
  // answers `info` (a copy), whatever the runtime lookups say, until another call for the same
  // id. The agent calls it for each container record of a recording, between events, so a
  // replay attributes events to the containers the recording agent resolved. Invalidates
  // references Container() returned, as Apply() does. Entries are bounded (max_containers;
  // the lowest cgroup id is dropped first). Not pure, so test doubles that answer Container()
  // themselves need not implement it; the default ignores the call.
  virtual void SetContainerInfo(uint64_t cgroup_id, const ContainerInfo& info) {}

  // Appended by G1 (issue 8, the recorder): a number that changes whenever the ContainerInfo
  // Container(cgroup_id) answers changes, member by member: first resolution, a runtime
  // lookup merged at a later event, SetContainerInfo, eviction and re-creation. Two calls that
  // return the same number saw equal answers; numbers are never reused by one State, so a
  // caller can remember the last one per cgroup and compare one integer instead of the whole
  // ContainerInfo. Calls Container(cgroup_id), with the same effect on references. Tracking
  // is bounded (max_containers cgroups; past that every cgroup starts afresh with a new
  // number: a change that is none, after which the recorder repeats a record). 0 = this State
  // does not count (the default, for test doubles): the caller must treat every answer as
  // possibly new.
  virtual uint64_t ContainerGeneration(uint64_t cgroup_id) { return 0; }
};

}  // namespace vigil::runtime
