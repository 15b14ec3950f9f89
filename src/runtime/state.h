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
  std::map<int64_t, FdInfo> fds;
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
