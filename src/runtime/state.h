// Run-time state built from the event stream: the process tree, each process's fd table, and
// the containers processes run in. Rules and behaviour models read it to enrich an event
// ("proc.pname", "fd.name", "container.image"); the agent feeds it every event first.
//
// Memory is bounded whatever the event rate: exited processes are kept only until their
// exit is seen by all consumers of the current batch, fd tables are capped per process, and
// containers whose cgroup disappeared are evicted.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
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
};

enum class FdKind : uint8_t { kFile, kDirectory, kIpv4, kIpv6, kUnix, kPipe, kMemfd, kOther };
// The kind of a socket of address family `family` (AF_INET, AF_INET6, AF_UNIX; else kOther).
FdKind FdKindOfFamily(uint32_t family);

struct FdInfo {
  FdKind kind = FdKind::kOther;
  std::string name;  // path, or "10.0.0.1:5000->10.0.0.2:443" for a connected socket
  uint64_t open_flags = 0;
};

// A process's fd table: fd number -> FdInfo, kept sorted by fd in one flat array (lookups
// are a binary search over a few dozen entries, no node per fd). The array is shared
// copy-on-write: a forked child shares its parent's table until either changes it, so a fork
// copies nothing and a fork+exec copies only the fds that survive exec. The interface is
// the subset of std::map that consumers use. Const members never copy; a non-const member
// that can change the table first makes it private to this process (copying it if shared),
// so iterators from a non-const call stay valid only until the next change.
class FdTable {
 public:
  using value_type = std::pair<int64_t, FdInfo>;
  using Vec = std::vector<value_type>;
  using const_iterator = Vec::const_iterator;
  using iterator = Vec::iterator;

  size_t size() const { return v_ ? v_->size() : 0; }
  bool empty() const { return size() == 0; }
  const_iterator begin() const { return v_ ? v_->cbegin() : Empty().cbegin(); }
  const_iterator end() const { return v_ ? v_->cend() : Empty().cend(); }
  const_iterator find(int64_t fd) const {
    const_iterator it = lower_bound(fd);
    return it != end() && it->first == fd ? it : end();
  }
  const_iterator lower_bound(int64_t fd) const;
  size_t count(int64_t fd) const { return find(fd) != end() ? 1 : 0; }
  // nullptr when `fd` is not open.
  const FdInfo* Get(int64_t fd) const {
    const_iterator it = find(fd);
    return it == end() ? nullptr : &it->second;
  }
  // As std::map::at: throws std::out_of_range when `fd` is not open (tests and tools; the
  // event path uses Get).
  const FdInfo& at(int64_t fd) const;

  // Mutable access (copies a shared table first).
  iterator begin() { return Mut().begin(); }
  iterator end() { return Mut().end(); }
  iterator find(int64_t fd);
  iterator lower_bound(int64_t fd);
  FdInfo* GetMutable(int64_t fd);
  FdInfo& operator[](int64_t fd);
  iterator erase(iterator it) { return Mut().erase(it); }
  size_t erase(int64_t fd);
  void clear() { v_.reset(); }
  // Keeps only the entries for which keep(fd, info) is true; a shared table is rebuilt from
  // the kept entries alone (exec after fork: the child copies only what survives exec).
  template <typename Keep>
  void Filter(Keep keep);
  // True when another process shares this table (tests, self-metrics).
  bool shared() const { return v_ && v_.use_count() > 1; }

 private:
  static const Vec& Empty();
  Vec& Mut();
  std::shared_ptr<Vec> v_;
};

template <typename Keep>
void FdTable::Filter(Keep keep) {
  if (!v_) return;
  if (v_.use_count() > 1) {
    auto fresh = std::make_shared<Vec>();
    for (const value_type& e : *v_) {
      if (keep(e.first, e.second)) fresh->push_back(e);
    }
    v_ = std::move(fresh);
    return;
  }
  std::erase_if(*v_, [&](const value_type& e) { return !keep(e.first, e.second); });
}

struct ProcessInfo {
  uint32_t pid = 0;
  uint32_t ppid = 0;
  uint32_t uid = 0;
  std::string comm;
  std::string exe;
  std::vector<std::string> args;
  std::string cwd;
  uint32_t tty = 0;
  uint64_t cgroup_id = 0;
  uint64_t start_ns = 0;
  bool exe_upper_layer = false;
  bool exe_memfd = false;
  bool from_proc = false;  // picked up from /proc at start, not seen being created
  FdTable fds;
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
};

}  // namespace vigil::runtime
