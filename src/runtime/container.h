// Container attribution: cgroup v2 id -> cgroup path -> container id and runtime (from the
// path layout) -> metadata (name, image, digest, labels, pod) from the runtime's own files.
//
// Three steps, each cached:
//   1. CgroupIndex maps a cgroup v2 id (the inode number of the cgroup's directory in the v2
//      hierarchy, what bpf_get_current_cgroup_id() returns) to its path, by walking the v2
//      tree once and again on a miss (rate-limited per id).
//   2. ParseContainerCgroup recognises the layouts of docker, containerd (CRI), CRI-O,
//      podman, Kubernetes pods and plain crun/runc ids.
//   3. LookupContainerMetadata reads OCI runtime state files (/run/crun/<id>/status,
//      /run/runc/<id>/state.json, containerd's and docker's runc roots) to the bundle's
//      config.json annotations, podman's containers-storage (containers.json, images.json) and
//      docker's config.v2.json. No daemon socket or subprocess is involved, so a lookup costs
//      a few file reads. The CRI socket is not queried (no gRPC client here): Kubernetes pods
//      are named from the CRI annotations the runtime writes into config.json.
//
// ContainerResolver ties them together; metadata lookups run on its own worker thread so a
// slow disk never stalls the event path (see ContainerResolver).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "runtime/state.h"

namespace vigil::runtime {

// What a cgroup path says about its container.
struct CgroupMatch {
  std::string id;       // container id as the runtime names it (64 hex for most runtimes)
  std::string runtime;  // "docker", "containerd", "cri-o", "podman", or "oci" (plain id:
                        // crun or runc; refined from the OCI state directories)
  std::string pod_uid;  // Kubernetes pod uid (dashes restored) for kubepods paths, else ""
};

// Recognises a container in a cgroup v2 path (relative to the v2 mount, "/" separated). The
// deepest matching component wins (nested containers). Monitors (libpod-conmon-<id>,
// crio-conmon-<id>) and pod sandboxes' parent slices are not containers.
std::optional<CgroupMatch> ParseContainerCgroup(std::string_view path);

// True for a 64-character lowercase hex string.
bool IsContainerHexId(std::string_view s);

// The cgroup v2 mount point: the cgroup2 entry of `proc_root`/self/mountinfo when it lies at or
// below `cgroup_root`, else `cgroup_root` itself or `cgroup_root`/unified when either holds
// cgroup.controllers (pure v2, or the hybrid layout of this machine). NotFound otherwise.
StatusOr<std::string> FindCgroupV2Mount(const std::string& proc_root,
                                        const std::string& cgroup_root);

// Bidirectional cgroup id <-> path cache over one v2 mount. Not thread-safe.
//
// On a real cgroup2 mount an unknown id is opened by its file handle (the kernfs id is the
// handle: open_by_handle_at, needs CAP_DAC_READ_SEARCH), which answers in microseconds and
// says for certain when the cgroup does not exist. Elsewhere (a test tree, no capability) the
// hierarchy is walked instead.
class CgroupIndex {
 public:
  explicit CgroupIndex(std::string mount);
  ~CgroupIndex();
  CgroupIndex(const CgroupIndex&) = delete;
  CgroupIndex& operator=(const CgroupIndex&) = delete;
  const std::string& mount() const { return mount_; }
  // The path ("/libpod_parent/libpod-<id>") of a cgroup id, or nullopt. An unknown id is
  // looked up (by handle, else by a walk of the tree) at most once per id and second: an id
  // that is no cgroup of this hierarchy — a v1-only host, a stale recording — costs one
  // lookup, not one per event.
  std::optional<std::string> PathOf(uint64_t id);
  // The id of a path (stat of the directory); 0 when it does not exist. Caches the pair.
  uint64_t IdOf(const std::string& path);
  // Walks the whole hierarchy (bounded: 200,000 directories, depth 64), replacing the cache.
  // Returns the number of cgroups found.
  size_t Refresh();
  // Drops cached ids whose directory is gone (one stat each).
  void Prune();
  size_t walks() const { return walks_; }
  bool uses_handles() const { return handles_; }
  // Changes whenever cached ids may have been dropped (Refresh, Prune).
  size_t generation() const { return generation_; }
  // Whether the cache holds `id`.
  bool Known(uint64_t id) const { return paths_.count(id) != 0; }

 private:
  enum class HandleResult { kFound, kGone, kUnsupported };
  HandleResult ByHandle(uint64_t id, std::string* path);

  std::string mount_;
  int mount_fd_ = -1;
  bool handles_ = false;
  std::unordered_map<uint64_t, std::string> paths_;
  std::unordered_map<uint64_t, uint64_t> missed_at_ms_;  // negative cache, bounded
  size_t walks_ = 0;
  size_t generation_ = 0;
};

// Where the runtimes keep their files; every path is prefixed by `host_root` so tests can
// point it at a fake tree.
struct RuntimePaths {
  std::string host_root = "/";
  // Where a podman container's bundle is found before its OCI runtime wrote a state file
  // (the container's first events precede crun's status file by ~20 ms, and a short-lived
  // container's state file is deleted again ~10 ms after it exits): the conmon process that
  // supervises it names the bundle (-b) and the container (-c). Found by walking up the
  // parents of a process listed in the container's cgroup.procs, so both are needed; an
  // empty cgroup_v2_mount turns this path off.
  std::string proc_root = "/proc";
  std::string cgroup_v2_mount;
};

// Fills name, image, image_digest, labels, pod, pod_namespace, workload and refines runtime
// for info->id from the runtimes' files below `paths.host_root`. NotFound when no runtime
// knows the id; a malformed file is an error naming it (the caller keeps the id-only info).
Status LookupContainerMetadata(const RuntimePaths& paths, ContainerInfo* info);

// Resolves cgroup ids to containers, caching one ContainerInfo per cgroup id.
//
// Threading and lifetime: the resolver is used from one thread (the State's caller). Metadata
// lookups (with `async`) run on a worker thread; until a lookup's result is merged the
// id-only info (id, runtime, cgroup path) is returned. Results are merged, dead cgroups
// evicted and the size bound enforced only in Maintain(), which State calls at the start of
// every Apply(): a reference returned by Get() stays valid and unchanged until then, so one
// event's consumers all see the same ContainerInfo. Without `async`, the lookup runs inline
// on first sight of a container.
class ContainerResolver {
 public:
  struct Options {
    std::string proc_root = "/proc";
    std::string cgroup_root = "/sys/fs/cgroup";
    RuntimePaths paths;
    bool query_runtimes = true;
    bool async = true;
    size_t max_containers = 4096;  // cgroup entries; dead cgroups evicted first, then oldest
  };
  explicit ContainerResolver(Options options);
  ~ContainerResolver();
  ContainerResolver(const ContainerResolver&) = delete;
  ContainerResolver& operator=(const ContainerResolver&) = delete;

  // The host entry for 0, 1 (the root) and any cgroup that is not a container.
  const ContainerInfo& Get(uint64_t cgroup_id);
  // As Get, for a cgroup whose path is already known (from /proc/<pid>/cgroup): no walk.
  const ContainerInfo& GetByPath(uint64_t cgroup_id, const std::string& path);
  // The id of a v2 path, 0 when unknown.
  uint64_t IdOfPath(const std::string& path);
  // Merges finished lookups, drops cgroups that are gone (found by a walk, or by the prune
  // run at most every 10 s) and trims the cache to max_containers (oldest first).
  // Invalidates references returned earlier.
  void Maintain();
  // Waits (up to `timeout_ms`) until every queued lookup finished, then Maintain()s. For
  // tests and for start-up, where blocking is acceptable.
  void WaitIdle(int timeout_ms);
  // True when a lookup finished and Maintain() would merge it (one atomic load): the caller
  // maintains at once rather than at its usual interval, so a container's name reaches the
  // events that follow its lookup.
  bool HasFinishedLookups() const { return done_ready_.load(std::memory_order_acquire); }

  // A count of the changes to cached answers: bumped whenever an entry's contents change (a
  // merged lookup, inline or from the worker) or an entry is dropped (a dead cgroup, the size
  // bound). Adding an entry does not bump it: that changes no earlier answer. State uses it
  // for ContainerGeneration, so that an answer is compared again only after a change.
  uint64_t changes() const { return changes_; }
  size_t container_count() const;  // cgroups attributed to a container
  const ContainerInfo& host() const { return host_; }
  bool has_v2() const { return index_ != nullptr; }

 private:
  struct Pending {
    uint64_t cgroup_id;
    ContainerInfo info;
    Status status;
    int attempt = 0;
  };
  // Queues a lookup (or runs it, without `async`).
  void Schedule(Pending p);
  const ContainerInfo& Insert(uint64_t cgroup_id, const std::optional<std::string>& path);
  void RefineFromStateDirs(ContainerInfo* info, const std::string& leaf) const;
  size_t Drain();
  void WorkerLoop();
  void Merge(Pending& done);

  Options options_;
  ContainerInfo host_;
  std::unique_ptr<CgroupIndex> index_;
  // nullptr value: a known non-container cgroup (maps to host_).
  std::unordered_map<uint64_t, std::unique_ptr<ContainerInfo>> by_cgroup_;
  std::deque<uint64_t> order_;  // insertion order, for eviction
  size_t generation_seen_ = 0;  // index_->generation() at the last Maintain()
  uint64_t changes_ = 0;        // changes()
  uint64_t maintain_calls_ = 0;
  uint64_t last_prune_ms_ = 0;
  // Metadata per container id, shared by every cgroup of that container.
  std::map<std::string, ContainerInfo> metadata_;
  // Failed lookups to try again (a container seen before its runtime finished writing its
  // files), by due time; at most three attempts each.
  std::multimap<uint64_t, Pending> retry_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable idle_cv_;
  std::deque<Pending> queue_;            // guarded by mu_
  std::deque<Pending> done_;             // guarded by mu_
  std::atomic<bool> done_ready_{false};  // done_ is non-empty: spares the event path a lock
  size_t in_flight_ = 0;                 // guarded by mu_
  bool stop_ = false;                    // guarded by mu_
  std::thread worker_;
};

}  // namespace vigil::runtime
