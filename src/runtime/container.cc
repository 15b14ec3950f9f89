#include "runtime/container.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <utility>

#include "base/fs.h"
#include "base/strings.h"
#include "fmt/format.h"
#include "nlohmann/json.hpp"
#include "runtime/procfs.h"

namespace vigil::runtime {
namespace {

using nlohmann::json;

constexpr uint64_t kMaxStateFile = 1ull << 20;     // OCI state files and config.json
constexpr uint64_t kMaxStorageFile = 64ull << 20;  // containers.json / images.json
constexpr size_t kMaxLabels = 256;                 // per container
constexpr size_t kMaxLabelValue = 4096;            // longer values (JSON blobs) are dropped
constexpr size_t kMaxWalkDirs = 200000;
constexpr int kMaxWalkDepth = 64;
constexpr uint64_t kMissRetryMs = 1000;
constexpr size_t kMaxMissed = 4096;
constexpr size_t kMaxQueue = 1024;
constexpr uint64_t kPruneIntervalMs = 10000;
constexpr int kMaxAttempts = 3;
constexpr uint64_t kRetryDelayMs = 500;
constexpr long kCgroup2Magic = 0x63677270;  // CGROUP2_SUPER_MAGIC
constexpr int kFileidKernfs = 0xfe;         // FILEID_KERNFS: the handle is the 64-bit id

uint64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool IsHexChar(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// "kubepods-besteffort-pod1b2c_3d4e.slice" or "pod1b2c-3d4e" -> "1b2c-3d4e"; "" otherwise.
std::string PodUidOf(std::string_view component) {
  std::string_view c = component;
  if (EndsWith(c, ".slice")) c.remove_suffix(6);
  size_t at = c.rfind("pod");
  if (at == std::string_view::npos) return "";
  if (at != 0 && c[at - 1] != '-') return "";
  if (at == 0 && !StartsWith(component, "pod")) return "";
  std::string uid(c.substr(at + 3));
  if (uid.size() < 32 || uid.size() > 40) return "";
  for (char& ch : uid) {
    if (ch == '_') ch = '-';
    if (!IsHexChar(ch) && ch != '-') return "";
  }
  return uid;
}

// Matches "<prefix><64 hex><suffix or nothing>", returning the hex id.
std::optional<std::string> IdAfter(std::string_view component, std::string_view prefix) {
  if (!StartsWith(component, prefix)) return std::nullopt;
  std::string_view rest = component.substr(prefix.size());
  if (EndsWith(rest, ".scope")) rest.remove_suffix(6);
  if (!IsContainerHexId(rest)) return std::nullopt;
  return std::string(rest);
}

const json* Member(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

std::string StringMember(const json& j, const char* key) {
  const json* m = Member(j, key);
  return m != nullptr && m->is_string() ? m->get<std::string>() : std::string();
}

// Reads a regular file of at most `max_bytes`. Opened non-blocking and checked with fstat, so
// a FIFO or device planted where a runtime keeps its files (rootless storage lives in a
// user's home) cannot stall the lookup worker.
StatusOr<std::string> ReadRegularFile(const std::string& path, uint64_t max_bytes) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return NotFoundError(fmt::format("{}: {}", path, strerror(errno)));
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return InvalidArgumentError(fmt::format("{}: not a regular file", path));
  }
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    close(fd);
    return ResourceExhaustedError(
        fmt::format("{}: {} bytes, more than the {} allowed", path, st.st_size, max_bytes));
  }
  std::string text(static_cast<size_t>(st.st_size), '\0');
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = read(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  close(fd);
  text.resize(done);  // a file that shrank meanwhile is read as it is now
  return text;
}

StatusOr<json> ReadJson(const std::string& path, uint64_t max_bytes) {
  VIGIL_ASSIGN_OR_RETURN(std::string text, ReadRegularFile(path, max_bytes));
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return InvalidArgumentError(fmt::format("{}: not valid JSON", path));
  return j;
}

bool IsFile(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::vector<std::string> ListDirNames(const std::string& path) {
  std::vector<std::string> out;
  DIR* d = opendir(path.c_str());
  if (d == nullptr) return out;
  while (dirent* e = readdir(d)) {
    std::string_view n = e->d_name;
    if (n == "." || n == "..") continue;
    out.emplace_back(n);
    if (out.size() >= 4096) break;
  }
  closedir(d);
  return out;
}

// host_root + absolute path (host_root "/" adds nothing).
std::string HostPath(const RuntimePaths& paths, std::string_view abs) {
  std::string root = paths.host_root;
  while (!root.empty() && root.back() == '/') root.pop_back();
  return root + std::string(abs);
}

void AddLabel(ContainerInfo* info, const std::string& key, const json& value) {
  if (!value.is_string() || info->labels.size() >= kMaxLabels) return;
  std::string v = value.get<std::string>();
  if (v.size() > kMaxLabelValue) return;
  info->labels[key] = std::move(v);
}

bool IsSafeEncodeChar(char c) {
  // Kubernetes' rand.SafeEncodeString alphabet (generated name suffixes and template hashes).
  return std::string_view("bcdfghjklmnpqrstvwxz2456789").find(c) != std::string_view::npos;
}

// A Deployment's pod is named "<deployment>-<pod-template-hash>-<5 chars>"; other owners are
// not recognisable from the name alone, so they are left unset.
std::string WorkloadFromPodName(const std::string& pod) {
  std::vector<std::string_view> parts = Split(pod, '-');
  if (parts.size() < 3) return "";
  std::string_view suffix = parts.back();
  std::string_view hash = parts[parts.size() - 2];
  if (suffix.size() != 5 || hash.size() < 6 || hash.size() > 10) return "";
  for (char c : suffix)
    if (!IsSafeEncodeChar(c)) return "";
  for (char c : hash)
    if (!IsSafeEncodeChar(c)) return "";
  return "Deployment/" + pod.substr(0, pod.size() - suffix.size() - hash.size() - 2);
}

// Reads the annotations of an OCI bundle's config.json into `info`.
Status ReadBundle(const RuntimePaths& paths, const std::string& bundle, ContainerInfo* info) {
  std::string config_path = HostPath(paths, bundle) + "/config.json";
  VIGIL_ASSIGN_OR_RETURN(json config, ReadJson(config_path, kMaxStateFile));
  const json* ann = Member(config, "annotations");
  if (ann == nullptr || !ann->is_object()) return OkStatus();
  for (auto it = ann->begin(); it != ann->end(); ++it) AddLabel(info, it.key(), it.value());
  auto get = [&](const char* key) { return StringMember(*ann, key); };
  if (get("io.container.manager") == "libpod") info->runtime = "podman";
  // containerd's CRI plugin.
  if (std::string v = get("io.kubernetes.cri.container-name"); !v.empty()) {
    info->name = v;
    info->runtime = "containerd";
  }
  if (std::string v = get("io.kubernetes.cri.image-name"); !v.empty()) info->image = v;
  if (std::string v = get("io.kubernetes.cri.sandbox-name"); !v.empty()) info->pod = v;
  if (std::string v = get("io.kubernetes.cri.sandbox-namespace"); !v.empty()) {
    info->pod_namespace = v;
  }
  // CRI-O.
  if (std::string v = get("io.kubernetes.cri-o.ImageName"); !v.empty()) {
    info->image = v;
    info->runtime = "cri-o";
  }
  if (std::string v = get("io.kubernetes.cri-o.ImageRef"); StartsWith(v, "sha256:")) {
    info->image_digest = v;
  }
  if (std::string v = get("io.kubernetes.container.name"); !v.empty()) info->name = v;
  if (std::string v = get("io.kubernetes.cri-o.Labels"); !v.empty()) {
    json labels = json::parse(v, nullptr, false);
    if (labels.is_object()) {
      if (std::string n = StringMember(labels, "io.kubernetes.container.name"); !n.empty()) {
        info->name = n;
      }
    }
  }
  // Kubernetes, whichever CRI runtime wrote it.
  if (std::string v = get("io.kubernetes.pod.name"); !v.empty()) info->pod = v;
  if (std::string v = get("io.kubernetes.pod.namespace"); !v.empty()) info->pod_namespace = v;
  if (std::string v = get("org.opencontainers.image.ref.name"); !v.empty() && info->image.empty()) {
    info->image = v;
  }
  return OkStatus();
}

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  for (size_t i = 0; i < in.size(); i += 3) {
    uint32_t chunk = static_cast<uint8_t>(in[i]) << 16;
    if (i + 1 < in.size()) chunk |= static_cast<uint8_t>(in[i + 1]) << 8;
    if (i + 2 < in.size()) chunk |= static_cast<uint8_t>(in[i + 2]);
    out += kAlphabet[(chunk >> 18) & 63];
    out += kAlphabet[(chunk >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(chunk >> 6) & 63] : '=';
    out += i + 2 < in.size() ? kAlphabet[chunk & 63] : '=';
  }
  return out;
}

// The image's own labels (its config's config.Labels), which a podman container inherits.
// containers-storage keeps the config as the image's "big data" item keyed by the image id,
// in a file named "=" + base64(key) because the key holds a ':'.
void ReadPodmanImageLabels(const std::string& images_dir, const std::string& image_id,
                           ContainerInfo* info) {
  if (!IsContainerHexId(image_id)) return;
  std::string path = fmt::format("{}/{}/={}", images_dir, image_id, Base64("sha256:" + image_id));
  StatusOr<json> config = ReadJson(path, kMaxStateFile);
  if (!config.ok()) return;
  const json* inner = Member(*config, "config");
  const json* labels = inner != nullptr ? Member(*inner, "Labels") : nullptr;
  if (labels == nullptr || !labels->is_object()) return;
  for (auto it = labels->begin(); it != labels->end(); ++it) {
    if (!info->labels.count(it.key())) AddLabel(info, it.key(), it.value());
  }
}

// podman: the bundle is <storage root>/<driver>-containers/<id>/userdata; containers-storage
// keeps names and the image in <driver>-containers/containers.json and the image's digest in
// <driver>-images/images.json.
Status ReadPodmanStorage(const RuntimePaths& paths, const std::string& bundle,
                         ContainerInfo* info) {
  std::string_view b = bundle;
  while (EndsWith(b, "/")) b.remove_suffix(1);
  if (Basename(b) != "userdata") return NotFoundError(bundle + ": not a podman bundle");
  std::string_view id_dir = Dirname(b);
  std::string_view containers_dir = Dirname(id_dir);
  std::string_view containers_name = Basename(containers_dir);
  if (!EndsWith(containers_name, "-containers")) {
    return NotFoundError(bundle + ": not inside a containers-storage root");
  }
  std::string driver(containers_name.substr(0, containers_name.size() - 11));
  std::string containers_json = HostPath(paths, containers_dir) + "/containers.json";
  VIGIL_ASSIGN_OR_RETURN(json containers, ReadJson(containers_json, kMaxStorageFile));
  if (!containers.is_array()) return InvalidArgumentError(containers_json + ": not an array");
  std::string image_id;
  bool found = false;
  for (const json& c : containers) {
    if (StringMember(c, "id") != info->id) continue;
    found = true;
    const json* names = Member(c, "names");
    if (names != nullptr && names->is_array() && !names->empty() && (*names)[0].is_string()) {
      info->name = (*names)[0].get<std::string>();
    }
    image_id = StringMember(c, "image");
    std::string meta_text = StringMember(c, "metadata");
    json meta = json::parse(meta_text, nullptr, false);
    if (meta.is_object()) {
      if (std::string n = StringMember(meta, "image-name"); !n.empty()) info->image = n;
      if (info->name.empty()) info->name = StringMember(meta, "name");
    }
    break;
  }
  if (!found) return NotFoundError(fmt::format("{}: no container {}", containers_json, info->id));
  if (image_id.empty()) return OkStatus();
  std::string images_dir = HostPath(paths, Dirname(containers_dir)) + "/" + driver + "-images";
  ReadPodmanImageLabels(images_dir, image_id, info);
  std::string images_json = images_dir + "/images.json";
  StatusOr<json> images = ReadJson(images_json, kMaxStorageFile);
  if (!images.ok()) return OkStatus();  // the container's own record is what matters
  if (!images->is_array()) return InvalidArgumentError(images_json + ": not an array");
  for (const json& img : *images) {
    if (StringMember(img, "id") != image_id) continue;
    info->image_digest = StringMember(img, "digest");
    if (info->image.empty()) {
      const json* names = Member(img, "names");
      if (names != nullptr && names->is_array() && !names->empty() && (*names)[0].is_string()) {
        info->image = (*names)[0].get<std::string>();
      }
    }
    break;
  }
  return OkStatus();
}

// docker: /var/lib/docker/containers/<id>/config.v2.json.
Status ReadDockerConfig(const RuntimePaths& paths, ContainerInfo* info) {
  std::string path = HostPath(paths, "/var/lib/docker/containers/" + info->id + "/config.v2.json");
  if (!IsFile(path)) return NotFoundError(path + ": absent");
  VIGIL_ASSIGN_OR_RETURN(json j, ReadJson(path, kMaxStateFile));
  info->runtime = "docker";
  std::string name = StringMember(j, "Name");
  if (StartsWith(name, "/")) name.erase(0, 1);
  if (!name.empty()) info->name = name;
  if (const json* config = Member(j, "Config"); config != nullptr) {
    if (std::string image = StringMember(*config, "Image"); !image.empty()) info->image = image;
    if (const json* labels = Member(*config, "Labels"); labels != nullptr && labels->is_object()) {
      for (auto it = labels->begin(); it != labels->end(); ++it) {
        AddLabel(info, it.key(), it.value());
      }
      // dockershim-era Kubernetes labels its containers.
      if (std::string v = StringMember(*labels, "io.kubernetes.pod.name"); !v.empty()) {
        info->pod = v;
      }
      if (std::string v = StringMember(*labels, "io.kubernetes.pod.namespace"); !v.empty()) {
        info->pod_namespace = v;
      }
      if (std::string v = StringMember(*labels, "io.kubernetes.container.name"); !v.empty()) {
        info->name = v;
      }
    }
  }
  return OkStatus();
}

// The bundle directory named by an OCI runtime's state file: crun's "bundle", runc's
// config.labels "bundle=<dir>".
std::string BundleOf(const json& state) {
  if (std::string b = StringMember(state, "bundle"); !b.empty()) return b;
  if (const json* config = Member(state, "config"); config != nullptr) {
    if (const json* labels = Member(*config, "labels"); labels != nullptr && labels->is_array()) {
      for (const json& l : *labels) {
        if (l.is_string() && StartsWith(l.get<std::string>(), "bundle=")) {
          return l.get<std::string>().substr(7);
        }
      }
    }
  }
  return "";
}

struct StateFile {
  std::string path;     // host path of the state file
  std::string runtime;  // "crun", "runc" (the OCI runtime that wrote it)
};

// Candidate state files of `id`, in the order runtimes are probed.
std::vector<StateFile> StateFilesOf(const RuntimePaths& paths, const std::string& id) {
  std::vector<StateFile> out;
  out.push_back({HostPath(paths, "/run/crun/" + id + "/status"), "crun"});
  out.push_back({HostPath(paths, "/run/runc/" + id + "/state.json"), "runc"});
  out.push_back({HostPath(paths, "/run/docker/runtime-runc/moby/" + id + "/state.json"), "runc"});
  // Rootless podman: crun's state under the user's runtime directory.
  std::string run_user = HostPath(paths, "/run/user");
  for (const std::string& uid : ListDirNames(run_user)) {
    out.push_back({fmt::format("{}/{}/crun/{}/status", run_user, uid, id), "crun"});
    out.push_back({fmt::format("{}/{}/runc/{}/state.json", run_user, uid, id), "runc"});
  }
  std::string containerd_runc = HostPath(paths, "/run/containerd/runc");
  for (const std::string& ns : ListDirNames(containerd_runc)) {
    out.push_back({fmt::format("{}/{}/{}/state.json", containerd_runc, ns, id), "runc"});
  }
  return out;
}

// The bundle of podman container `info` as its conmon names it ("-b DIR" or "--bundle DIR",
// with "-c ID"/"--cid ID" equal to the container's id), found from a process of the
// container's cgroup by walking up at most 8 parents: crun's setup process and the container's
// init are descendants of conmon (its subreaper). "" when no such process is alive.
std::string PodmanBundleFromConmon(const RuntimePaths& paths, const ContainerInfo& info) {
  if (paths.cgroup_v2_mount.empty() || info.cgroup_path.empty() || info.cgroup_path == "/") {
    return "";
  }
  StatusOr<std::string> procs =
      ReadHostFile(paths.cgroup_v2_mount + info.cgroup_path + "/cgroup.procs", 64 << 10);
  if (!procs.ok()) return "";
  int tried = 0;
  for (std::string_view line : SplitLines(*procs)) {
    if (++tried > 4) break;
    std::string_view text = Trim(line);
    uint32_t pid = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), pid);
    if (ec != std::errc() || end != text.data() + text.size()) continue;
    // The comm and the parent come from one read of stat per step (ParseProcStat, which
    // knows that a comm may hold spaces and parentheses); unreadable or garbage ends the walk.
    for (int depth = 0; pid > 1 && depth < 8; ++depth) {
      std::string where = fmt::format("{}/{}/stat", paths.proc_root, pid);
      StatusOr<std::string> stat = ReadHostFile(where, 4096);
      if (!stat.ok()) break;
      StatusOr<ProcStat> st = ParseProcStat(*stat, where);
      if (!st.ok()) break;
      if (st->comm != "conmon") {
        pid = st->ppid;
        continue;
      }
      StatusOr<std::string> cmdline =
          ReadHostFile(fmt::format("{}/{}/cmdline", paths.proc_root, pid), 256 << 10);
      if (!cmdline.ok()) return "";
      std::vector<std::string> args = ParseCmdline(*cmdline);
      std::string bundle;
      bool ours = false;
      for (size_t i = 0; i + 1 < args.size(); ++i) {
        if (args[i] == "-b" || args[i] == "--bundle") bundle = args[i + 1];
        if ((args[i] == "-c" || args[i] == "--cid") && args[i + 1] == info.id) ours = true;
      }
      return ours ? bundle : "";
    }
  }
  return "";
}

// The bundle of a podman container in the default rootful storage root (any driver), for a
// container whose processes are gone before it was looked up. "" when absent.
std::string PodmanBundleInDefaultRoot(const RuntimePaths& paths, const std::string& id) {
  const std::string root = "/var/lib/containers/storage";
  for (const std::string& dir : ListDirNames(HostPath(paths, root))) {
    if (!EndsWith(dir, "-containers")) continue;
    std::string bundle = fmt::format("{}/{}/{}/userdata", root, dir, id);
    if (IsFile(HostPath(paths, bundle) + "/config.json")) return bundle;
  }
  return "";
}

}  // namespace

bool IsContainerHexId(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!IsHexChar(c)) return false;
  return true;
}

std::optional<CgroupMatch> ParseContainerCgroup(std::string_view path) {
  std::vector<std::string_view> parts = Split(path, '/', /*skip_empty=*/true);
  std::string pod_uid;
  bool kubepods = false;
  for (std::string_view p : parts) {
    if (StartsWith(p, "kubepods")) kubepods = true;
    if (std::string uid = PodUidOf(p); !uid.empty()) pod_uid = uid;
  }
  for (size_t i = parts.size(); i-- > 0;) {
    std::string_view c = parts[i];
    CgroupMatch m;
    if (StartsWith(c, "libpod-conmon-") || StartsWith(c, "crio-conmon-")) return std::nullopt;
    if (auto id = IdAfter(c, "docker-")) {
      m = {*id, "docker", ""};
    } else if (auto id2 = IdAfter(c, "cri-containerd-")) {
      m = {*id2, "containerd", ""};
    } else if (auto id3 = IdAfter(c, "crio-")) {
      m = {*id3, "cri-o", ""};
    } else if (auto id4 = IdAfter(c, "libpod-")) {
      m = {*id4, "podman", ""};
    } else if (IsContainerHexId(c)) {
      std::string runtime = "oci";
      if (i > 0 && parts[i - 1] == "docker") runtime = "docker";
      if (kubepods) runtime = "containerd";
      m = {std::string(c), runtime, ""};
    } else {
      continue;
    }
    m.pod_uid = pod_uid;
    return m;
  }
  return std::nullopt;
}

StatusOr<std::string> FindCgroupV2Mount(const std::string& proc_root,
                                        const std::string& cgroup_root) {
  std::string root = cgroup_root;
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  StatusOr<std::string> mountinfo = ReadHostFile(proc_root + "/self/mountinfo", 4 << 20);
  if (mountinfo.ok()) {
    for (std::string_view line : SplitLines(*mountinfo)) {
      // "36 25 0:31 / /sys/fs/cgroup/unified rw,relatime shared:10 - cgroup2 cgroup2 rw"
      size_t dash = line.find(" - ");
      if (dash == std::string_view::npos) continue;
      std::vector<std::string_view> after = Split(line.substr(dash + 3), ' ', true);
      if (after.empty() || after[0] != "cgroup2") continue;
      std::vector<std::string_view> before = Split(line.substr(0, dash), ' ', true);
      if (before.size() < 5) continue;
      std::string point(before[4]);
      if (point == root || StartsWith(point, root + "/")) return point;
    }
  }
  for (const std::string& candidate : {root, root + "/unified"}) {
    if (IsFile(candidate + "/cgroup.controllers")) return candidate;
  }
  return NotFoundError(fmt::format("no cgroup v2 hierarchy at or below {}", cgroup_root));
}

CgroupIndex::CgroupIndex(std::string mount) : mount_(std::move(mount)) {
  struct statfs fs {};
  if (statfs(mount_.c_str(), &fs) == 0 && static_cast<long>(fs.f_type) == kCgroup2Magic) {
    mount_fd_ = open(mount_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    handles_ = mount_fd_ >= 0;
  }
}

CgroupIndex::~CgroupIndex() {
  if (mount_fd_ >= 0) close(mount_fd_);
}

CgroupIndex::HandleResult CgroupIndex::ByHandle(uint64_t id, std::string* path) {
  struct {
    file_handle fh;
    unsigned char bytes[8];
  } h{};
  h.fh.handle_bytes = 8;
  h.fh.handle_type = kFileidKernfs;
  memcpy(h.fh.f_handle, &id, 8);
  int fd = open_by_handle_at(mount_fd_, &h.fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    // ESTALE: no such cgroup now (ENOENT, ENOTDIR: the id names a file, not a cgroup).
    if (errno == ESTALE || errno == ENOENT || errno == ENOTDIR) return HandleResult::kGone;
    return HandleResult::kUnsupported;  // EPERM without CAP_DAC_READ_SEARCH, old kernels
  }
  char link[4096];
  std::string self = "/proc/self/fd/" + std::to_string(fd);
  ssize_t n = readlink(self.c_str(), link, sizeof(link));
  close(fd);
  if (n <= 0) return HandleResult::kUnsupported;
  std::string_view full(link, static_cast<size_t>(n));
  if (full == mount_) {
    *path = "/";
  } else if (StartsWith(full, mount_ + "/")) {
    *path = std::string(full.substr(mount_.size()));
  } else {
    return HandleResult::kUnsupported;  // mounted elsewhere too: the walk knows our view
  }
  return HandleResult::kFound;
}

void CgroupIndex::Prune() {
  ++generation_;
  for (auto it = paths_.begin(); it != paths_.end();) {
    struct stat st {};
    std::string full = mount_ + (it->second == "/" ? std::string() : it->second);
    if (stat(full.c_str(), &st) != 0 || st.st_ino != it->first) {
      it = paths_.erase(it);
    } else {
      ++it;
    }
  }
}

size_t CgroupIndex::Refresh() {
  ++walks_;
  ++generation_;
  paths_.clear();
  struct Item {
    std::string rel;
    int depth;
  };
  std::vector<Item> stack{{"", 0}};
  size_t dirs = 0;
  while (!stack.empty() && dirs < kMaxWalkDirs) {
    Item item = std::move(stack.back());
    stack.pop_back();
    std::string full = mount_ + item.rel;
    struct stat st {};
    if (stat(full.empty() ? "/" : full.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
    ++dirs;
    paths_[st.st_ino] = item.rel.empty() ? "/" : item.rel;
    if (item.depth >= kMaxWalkDepth) continue;
    DIR* d = opendir(full.c_str());
    if (d == nullptr) continue;
    while (dirent* e = readdir(d)) {
      if (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN) continue;
      std::string_view n = e->d_name;
      if (n == "." || n == "..") continue;
      stack.push_back({item.rel + "/" + std::string(n), item.depth + 1});
    }
    closedir(d);
  }
  return paths_.size();
}

std::optional<std::string> CgroupIndex::PathOf(uint64_t id) {
  if (auto it = paths_.find(id); it != paths_.end()) return it->second;
  uint64_t now = NowMs();
  if (auto it = missed_at_ms_.find(id); it != missed_at_ms_.end()) {
    if (now - it->second < kMissRetryMs) return std::nullopt;
  }
  std::string path;
  HandleResult by_handle = handles_ ? ByHandle(id, &path) : HandleResult::kUnsupported;
  if (by_handle == HandleResult::kFound) {
    missed_at_ms_.erase(id);
    paths_[id] = path;
    return path;
  }
  if (by_handle == HandleResult::kUnsupported) {
    handles_ = false;
    Refresh();
    if (auto it = paths_.find(id); it != paths_.end()) {
      missed_at_ms_.erase(id);
      return it->second;
    }
  }
  if (missed_at_ms_.size() >= kMaxMissed) missed_at_ms_.clear();
  missed_at_ms_[id] = now;
  return std::nullopt;
}

uint64_t CgroupIndex::IdOf(const std::string& path) {
  struct stat st {};
  std::string full = mount_ + (path == "/" ? std::string() : path);
  if (stat(full.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return 0;
  paths_[st.st_ino] = path.empty() ? "/" : path;
  return st.st_ino;
}

Status LookupContainerMetadata(const RuntimePaths& paths, ContainerInfo* info) {
  if (info->id.empty()) return InvalidArgumentError("container metadata: empty id");
  for (const StateFile& sf : StateFilesOf(paths, info->id)) {
    if (!IsFile(sf.path)) continue;
    VIGIL_ASSIGN_OR_RETURN(json state, ReadJson(sf.path, kMaxStateFile));
    if (info->runtime == "oci") info->runtime = sf.runtime;
    std::string bundle = BundleOf(state);
    if (bundle.empty()) return OkStatus();
    Status bundle_status = ReadBundle(paths, bundle, info);
    if (info->runtime == "podman") {
      Status podman = ReadPodmanStorage(paths, bundle, info);
      if (!podman.ok() && !IsNotFound(podman)) return podman;
    }
    if (info->runtime == "docker" || StartsWith(sf.path, HostPath(paths, "/run/docker/"))) {
      Status docker = ReadDockerConfig(paths, info);
      if (!docker.ok() && !IsNotFound(docker)) return docker;
    }
    if (info->workload.empty() && !info->pod.empty()) {
      info->workload = WorkloadFromPodName(info->pod);
    }
    // Plain crun/runc containers are named by their id (what `crun list` shows as NAME).
    if (info->name.empty() && (info->runtime == "crun" || info->runtime == "runc")) {
      info->name = info->id;
    }
    return bundle_status;
  }
  // podman: the bundle and containers-storage's record are written before the container's
  // cgroup exists, so a container is named from its first event even though crun's state file
  // comes ~20 ms later, and even when its state file is already gone.
  if (info->runtime == "podman") {
    std::string bundle = PodmanBundleFromConmon(paths, *info);
    if (bundle.empty()) bundle = PodmanBundleInDefaultRoot(paths, info->id);
    if (!bundle.empty()) {
      VIGIL_RETURN_IF_ERROR(ReadBundle(paths, bundle, info));
      return ReadPodmanStorage(paths, bundle, info);
    }
  }
  // Docker keeps its config even when the state root is elsewhere (another runtime).
  Status docker = ReadDockerConfig(paths, info);
  if (docker.ok() && info->workload.empty() && !info->pod.empty()) {
    info->workload = WorkloadFromPodName(info->pod);
  }
  if (!docker.ok() && IsNotFound(docker)) {
    return NotFoundError(fmt::format("container {}: no runtime state found", info->id));
  }
  return docker;
}

ContainerResolver::ContainerResolver(Options options) : options_(std::move(options)) {
  host_.runtime = "host";
  host_.cgroup_id = 1;
  host_.cgroup_path = "/";
  // An empty cgroup_root turns resolution off (replaying another host's recording: its
  // cgroup ids mean nothing here).
  if (!options_.cgroup_root.empty()) {
    StatusOr<std::string> mount = FindCgroupV2Mount(options_.proc_root, options_.cgroup_root);
    if (mount.ok()) index_ = std::make_unique<CgroupIndex>(*mount);
  }
  options_.paths.proc_root = options_.proc_root;
  if (index_ != nullptr) options_.paths.cgroup_v2_mount = index_->mount();
  if (options_.query_runtimes && options_.async) {
    worker_ = std::thread([this] { WorkerLoop(); });
  }
}

ContainerResolver::~ContainerResolver() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void ContainerResolver::WorkerLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (stop_) return;
    Pending p = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    p.status = LookupContainerMetadata(options_.paths, &p.info);
    lock.lock();
    done_.push_back(std::move(p));
    done_ready_.store(true, std::memory_order_release);
    --in_flight_;
    idle_cv_.notify_all();
  }
}

void ContainerResolver::Schedule(Pending p) {
  if (!options_.async) {
    p.status = LookupContainerMetadata(options_.paths, &p.info);
    Merge(p);
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (queue_.size() >= kMaxQueue) {
    // A burst of new containers: try again later rather than grow the queue.
    if (retry_.size() < kMaxQueue) retry_.emplace(NowMs() + 1000, std::move(p));
    return;
  }
  queue_.push_back(std::move(p));
  ++in_flight_;
  cv_.notify_one();
}

void ContainerResolver::Merge(Pending& done) {
  // Keep only what the lookup adds; the per-cgroup fields stay those of each cgroup.
  ++changes_;
  ContainerInfo& meta = metadata_[done.info.id];
  meta = done.info;
  for (auto& [cgroup_id, info] : by_cgroup_) {
    if (info == nullptr || info->id != meta.id) continue;
    uint64_t keep_id = info->cgroup_id;
    std::string keep_path = info->cgroup_path;
    *info = meta;
    info->cgroup_id = keep_id;
    info->cgroup_path = std::move(keep_path);
  }
  if (!done.status.ok() && done.attempt + 1 < kMaxAttempts && retry_.size() < kMaxQueue) {
    uint64_t due = NowMs() + kRetryDelayMs * static_cast<uint64_t>(done.attempt + 1);
    retry_.emplace(due, Pending{done.cgroup_id, meta, OkStatus(), done.attempt + 1});
  }
}

size_t ContainerResolver::Drain() {
  if (!done_ready_.load(std::memory_order_acquire)) return 0;
  std::deque<Pending> done;
  {
    std::lock_guard<std::mutex> lock(mu_);
    done.swap(done_);
    done_ready_.store(false, std::memory_order_relaxed);
  }
  for (Pending& p : done) Merge(p);
  return done.size();
}

void ContainerResolver::WaitIdle(int timeout_ms) {
  {
    std::unique_lock<std::mutex> lock(mu_);
    idle_cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                      [this] { return in_flight_ == 0; });
  }
  Maintain();
}

void ContainerResolver::RefineFromStateDirs(ContainerInfo* info, const std::string& leaf) const {
  // crun/runc started by hand name their cgroup after the container, whatever the name.
  if (leaf.empty() || leaf.find('/') != std::string::npos || leaf == "." || leaf == "..") return;
  if (IsFile(HostPath(options_.paths, "/run/crun/" + leaf + "/status"))) {
    info->id = leaf;
    info->runtime = "crun";
  } else if (IsFile(HostPath(options_.paths, "/run/runc/" + leaf + "/state.json"))) {
    info->id = leaf;
    info->runtime = "runc";
  }
}

const ContainerInfo& ContainerResolver::Insert(uint64_t cgroup_id,
                                               const std::optional<std::string>& path) {
  order_.push_back(cgroup_id);
  std::unique_ptr<ContainerInfo>& slot = by_cgroup_[cgroup_id];
  if (!path.has_value()) return host_;
  auto info = std::make_unique<ContainerInfo>();
  if (std::optional<CgroupMatch> m = ParseContainerCgroup(*path)) {
    info->id = m->id;
    info->runtime = m->runtime;
    if (!m->pod_uid.empty()) info->labels["io.kubernetes.pod.uid"] = m->pod_uid;
  } else if (options_.query_runtimes && *path != "/") {
    RefineFromStateDirs(info.get(), std::string(Basename(*path)));
  }
  if (info->id.empty()) return host_;
  info->cgroup_id = cgroup_id;
  info->cgroup_path = *path;
  if (auto it = metadata_.find(info->id); it != metadata_.end()) {
    *info = it->second;
    info->cgroup_id = cgroup_id;
    info->cgroup_path = *path;
  } else if (options_.query_runtimes) {
    ContainerInfo seed = *info;
    metadata_[info->id] = seed;  // one lookup per container, not per cgroup
    Schedule(Pending{cgroup_id, std::move(seed), OkStatus()});
    if (!options_.async) {
      *info = metadata_[info->id];
      info->cgroup_id = cgroup_id;
      info->cgroup_path = *path;
    }
  }
  slot = std::move(info);
  return *slot;
}

void ContainerResolver::Maintain() {
  Drain();
  if (!retry_.empty()) {
    uint64_t now = NowMs();
    while (!retry_.empty() && retry_.begin()->first <= now) {
      Pending p = std::move(retry_.begin()->second);
      retry_.erase(retry_.begin());
      Schedule(std::move(p));
    }
  }
  if (index_ != nullptr && (++maintain_calls_ & 1023) == 0) {
    uint64_t now = NowMs();
    if (now - last_prune_ms_ >= kPruneIntervalMs) {
      last_prune_ms_ = now;
      index_->Prune();
    }
  }
  // A walk or prune since the last call: cgroups it did not find are gone.
  if (index_ != nullptr && index_->generation() != generation_seen_) {
    generation_seen_ = index_->generation();
    for (auto it = by_cgroup_.begin(); it != by_cgroup_.end();) {
      if (!index_->Known(it->first)) {
        ++changes_;
        it = by_cgroup_.erase(it);
      } else {
        ++it;
      }
    }
  }
  while (by_cgroup_.size() > options_.max_containers && !order_.empty()) {
    changes_ += by_cgroup_.erase(order_.front());
    order_.pop_front();
  }
  if (order_.size() > 2 * by_cgroup_.size() + 64) {
    std::deque<uint64_t> live;
    for (uint64_t id : order_)
      if (by_cgroup_.count(id)) live.push_back(id);
    order_.swap(live);
  }
  if (metadata_.size() > options_.max_containers) {
    // Keep the metadata of containers still cached; the rest is looked up again if seen.
    std::map<std::string, ContainerInfo> keep;
    for (const auto& [id, info] : by_cgroup_) {
      if (info == nullptr) continue;
      auto m = metadata_.find(info->id);
      if (m != metadata_.end()) keep.insert(*m);
    }
    metadata_.swap(keep);
  }
}

const ContainerInfo& ContainerResolver::Get(uint64_t cgroup_id) {
  if (cgroup_id <= 1) return host_;
  if (auto it = by_cgroup_.find(cgroup_id); it != by_cgroup_.end()) {
    return it->second ? *it->second : host_;
  }
  if (index_ == nullptr) return host_;
  std::optional<std::string> path = index_->PathOf(cgroup_id);
  if (!path.has_value()) return host_;  // not cached: retried after the miss interval
  return Insert(cgroup_id, path);
}

const ContainerInfo& ContainerResolver::GetByPath(uint64_t cgroup_id, const std::string& path) {
  if (cgroup_id <= 1) return host_;
  if (auto it = by_cgroup_.find(cgroup_id); it != by_cgroup_.end()) {
    return it->second ? *it->second : host_;
  }
  return Insert(cgroup_id, path);
}

uint64_t ContainerResolver::IdOfPath(const std::string& path) {
  return index_ == nullptr ? 0 : index_->IdOf(path);
}

size_t ContainerResolver::container_count() const {
  size_t n = 0;
  for (const auto& [id, info] : by_cgroup_)
    if (info != nullptr) ++n;
  return n;
}

}  // namespace vigil::runtime
