// Real containers (labels integration, kernel): podman and crun start busybox containers
// (no network) and State attributes them by the cgroup v2 id the kernel gives their cgroup,
// as the eBPF probe will report it. Processes started before State::Create are found by
// LoadExisting. Skips, saying why, where podman/crun cannot run (not root, not installed,
// no cgroup v2 hierarchy).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "base/strings.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "runtime/container.h"
#include "runtime/ebpf_source.h"
#include "runtime/state.h"

namespace vigil::runtime {
namespace {

namespace fs = std::filesystem;

// Runs a shell command, returning its stdout (trimmed) and exit status.
std::pair<int, std::string> Shell(const std::string& cmd) {
  std::string out;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return {-1, ""};
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  int rc = pclose(p);
  return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, std::string(Trim(out))};
}

uint64_t InodeOf(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

// The cgroup id as the kernel hands it out through a file handle (kernfs node id): what
// bpf_get_current_cgroup_id() returns. 0 when the kernel does not export handles.
uint64_t KernfsIdOf(const std::string& path) {
  struct {
    file_handle fh;
    unsigned char bytes[64];
  } h{};
  h.fh.handle_bytes = sizeof(h.bytes);
  int mount_id = 0;
  if (name_to_handle_at(AT_FDCWD, path.c_str(), &h.fh, &mount_id, 0) != 0) return 0;
  if (h.fh.handle_bytes != 8) return 0;
  uint64_t id = 0;
  memcpy(&id, h.fh.f_handle, 8);
  return id;
}

class RealContainers : public testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root (rootful podman, crun)";
    if (Shell("command -v podman").first != 0) GTEST_SKIP() << "podman not installed";
    auto mount = FindCgroupV2Mount("/proc", "/sys/fs/cgroup");
    if (!mount.ok()) GTEST_SKIP() << "no cgroup v2 hierarchy: " << mount.status();
    v2_ = *mount;
    char tmpl[] = "/tmp/vigil-state-podman-XXXXXX";
    dir_ = mkdtemp(tmpl);
    std::string conf = "/etc/vigil/containers.conf";
    if (!fs::exists(conf)) {
      conf = dir_ + "/containers.conf";
      std::ofstream(conf) << "[containers]\ndefault_ulimits = [\"nofile=20000:20000\", "
                             "\"nproc=32768:32768\"]\n";
    }
    podman_ = "CONTAINERS_CONF=" + conf + " podman --root " + dir_ + "/storage --runroot " + dir_ +
              "/runroot --storage-driver overlay";
    fs::create_directories(dir_ + "/rootfs/bin");
    fs::copy_file("/bin/busybox", dir_ + "/rootfs/bin/busybox");
    for (const char* app : {"sh", "sleep"}) {
      fs::create_symlink("busybox", dir_ + "/rootfs/bin/" + app);
    }
    auto [rc, out] = Shell("tar -C " + dir_ + "/rootfs -cf " + dir_ + "/rootfs.tar . && " +
                           podman_ + " import -q --change 'LABEL team=payments' " + dir_ +
                           "/rootfs.tar localhost/vigil-state:1");
    if (rc != 0) GTEST_SKIP() << "podman cannot import an image here: " << out;
  }

  void TearDown() override {
    if (dir_.empty()) return;
    for (const std::string& name : names_) Shell(podman_ + " rm -f -t 0 " + name);
    for (const std::string& name : crun_) Shell("crun delete -f " + name);
    Shell(podman_ + " rmi -a -f");
    Shell("umount -R " + dir_ + "/storage/overlay 2>/dev/null");
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // Starts `sleep` in a podman container; returns its 64-hex id ("" + skip on failure).
  std::string StartPodman(const std::string& name) {
    names_.push_back(name);
    auto [rc, out] = Shell(podman_ + " run -d --name " + name +
                           " --network none localhost/vigil-state:1 sleep 60");
    if (rc != 0) return "";
    return out.substr(out.rfind('\n') == std::string::npos ? 0 : out.rfind('\n') + 1);
  }

  std::string v2_;
  std::string dir_;
  std::string podman_;
  std::vector<std::string> names_;
  std::vector<std::string> crun_;
};

TEST_F(RealContainers, PodmanContainerAttributedByCgroupIdAndFromProc) {
  std::string name_a = "vigil-state-a-" + std::to_string(getpid());
  std::string id_a = StartPodman(name_a);
  if (id_a.empty()) GTEST_SKIP() << "podman cannot start a container here";
  ASSERT_TRUE(IsContainerHexId(id_a)) << id_a;

  // Started before the State: found by LoadExisting, with its container.
  StateOptions options;
  auto created = State::Create(options);
  ASSERT_TRUE(created.ok()) << created.status();
  State& state = **created;
  auto load_start = std::chrono::steady_clock::now();
  ASSERT_TRUE(state.LoadExisting().ok());
  std::printf(
      "LoadExisting: %zu processes from /proc in %.1f ms\n", state.process_count(),
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - load_start)
          .count());
  auto [rc, pid_text] = Shell(podman_ + " inspect --format '{{.State.Pid}}' " + name_a);
  ASSERT_EQ(rc, 0) << pid_text;
  uint32_t pid = static_cast<uint32_t>(std::stoul(pid_text));
  const ProcessInfo* p = state.Process(pid);
  ASSERT_NE(p, nullptr) << "pid " << pid;
  EXPECT_TRUE(p->from_proc);
  EXPECT_EQ(p->comm, "sleep");
  EXPECT_EQ(p->args, (std::vector<std::string>{"sleep", "60"}));
  std::string cgroup_dir = v2_ + "/libpod_parent/libpod-" + id_a;
  ASSERT_TRUE(fs::is_directory(cgroup_dir)) << cgroup_dir;
  uint64_t cgroup_id = InodeOf(cgroup_dir);
  EXPECT_EQ(p->cgroup_id, cgroup_id);
  if (uint64_t kid = KernfsIdOf(cgroup_dir); kid != 0) {
    EXPECT_EQ(kid, cgroup_id) << "the cgroup id is the inode of the v2 directory";
  }
  // The id resolves by file handle, without walking the hierarchy; a bogus id is a
  // definite miss, also without a walk.
  CgroupIndex index(v2_);
  std::printf("cgroup ids resolved by %s\n", index.uses_handles() ? "file handle" : "walking");
  if (index.uses_handles()) {
    auto t = std::chrono::steady_clock::now();
    EXPECT_EQ(index.PathOf(cgroup_id), "/libpod_parent/libpod-" + id_a);
    std::printf(
        "id -> path by handle: %.1f us\n",
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t).count());
    EXPECT_FALSE(index.PathOf(1ull << 50).has_value());
    EXPECT_EQ(index.walks(), 0u);
  }
  state.WaitForContainerLookups(5000);
  const ContainerInfo& a = state.Container(cgroup_id);
  EXPECT_EQ(a.id, id_a);
  EXPECT_EQ(a.runtime, "podman");
  EXPECT_EQ(a.name, name_a);
  EXPECT_EQ(a.image, "localhost/vigil-state:1");
  EXPECT_TRUE(StartsWith(a.image_digest, "sha256:")) << a.image_digest;
  EXPECT_EQ(a.cgroup_path, "/libpod_parent/libpod-" + id_a);
  EXPECT_EQ(a.labels.count("team") ? a.labels.at("team") : "", "payments");  // image label
  EXPECT_EQ(a.labels.at("io.container.manager"), "libpod");
  // The parent of the container's init is conmon, on the host.
  const ProcessInfo* parent = state.Ancestor(pid, 1);
  ASSERT_NE(parent, nullptr);
  EXPECT_EQ(parent->comm, "conmon");
  EXPECT_EQ(state.Container(parent->cgroup_id).runtime, "host");

  // Started after the State: only its cgroup id is known (as from an eBPF event).
  std::string name_b = "vigil-state-b-" + std::to_string(getpid());
  std::string id_b = StartPodman(name_b);
  ASSERT_TRUE(IsContainerHexId(id_b)) << id_b;
  uint64_t cgroup_b = InodeOf(v2_ + "/libpod_parent/libpod-" + id_b);
  ASSERT_NE(cgroup_b, 0u);
  auto miss_start = std::chrono::steady_clock::now();
  const ContainerInfo& b0 = state.Container(cgroup_b);
  std::printf(
      "first sight of a new container's cgroup id (lookup, layout, queueing): %.2f ms\n",
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - miss_start)
          .count());
  EXPECT_EQ(b0.id, id_b);  // the id is known at once, from the path
  state.WaitForContainerLookups(5000);
  const ContainerInfo& b = state.Container(cgroup_b);
  EXPECT_EQ(b.name, name_b);
  EXPECT_EQ(b.image, "localhost/vigil-state:1");
  EXPECT_EQ(state.container_count(), 2u);
}

// The whole path with the live probe: events from inside a podman container started after
// the State carry a cgroup id that resolves to that container, and the process tree built from
// the events links the container's processes to conmon on the host.
TEST_F(RealContainers, LiveEventsAttributedFromTheFirstEvent) {
  auto source = OpenEbpfSource(EbpfOptions{});
  if (!source.ok()) GTEST_SKIP() << "no live eBPF source here: " << source.status();
  auto created = State::Create(StateOptions{});
  ASSERT_TRUE(created.ok());
  State& state = **created;
  ASSERT_TRUE(state.LoadExisting().ok());

  std::string name = "vigil-state-live-" + std::to_string(getpid());
  names_.push_back(name);
  auto [rc, out] = Shell(podman_ + " run -d --name " + name +
                         " --network none localhost/vigil-state:1 sh -c 'cat /proc/self/stat; "
                         "sleep 30'");
  if (rc != 0) GTEST_SKIP() << "podman cannot start a container here: " << out;
  std::string id = out.substr(out.rfind('\n') == std::string::npos ? 0 : out.rfind('\n') + 1);

  uint32_t cat_pid = 0;
  uint64_t cat_cgroup = 0;
  std::string first_name;  // what Container() said at the exec event itself
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (cat_pid == 0 && std::chrono::steady_clock::now() < deadline) {
    auto polled = (*source)->Poll(std::chrono::milliseconds(100), [&](const Event& e) {
      state.Apply(e);
      // busybox's shell runs applets through /proc/self/exe, so the comm is "exe": match argv.
      if (cat_pid == 0 && e.type == EventType::kProcessExec && StartsWith(e.args, "cat")) {
        const ContainerInfo& c = state.Container(e.cgroup_id);
        if (c.id != id) return;  // a cat elsewhere on this machine
        cat_pid = e.pid;
        cat_cgroup = e.cgroup_id;
        first_name = c.runtime;
      }
    });
    ASSERT_TRUE(polled.ok()) << polled.status();
  }
  if (cat_pid == 0 && (*source)->Stats().drops > 0) {
    GTEST_SKIP() << "the probe dropped " << (*source)->Stats().drops
                 << " events under this machine's load; the exec may be among them";
  }
  ASSERT_NE(cat_pid, 0u) << "no exec of cat from container " << id << " within 10 s";
  EXPECT_EQ(first_name, "podman");  // known at the first event, from the path alone
  EXPECT_EQ(cat_cgroup, InodeOf(v2_ + "/libpod_parent/libpod-" + id));
  state.WaitForContainerLookups(5000);
  const ContainerInfo& c = state.Container(cat_cgroup);
  EXPECT_EQ(c.name, name);
  EXPECT_EQ(c.image, "localhost/vigil-state:1");
  const ProcessInfo* cat = state.Process(cat_pid);
  ASSERT_NE(cat, nullptr);
  EXPECT_EQ(cat->args, (std::vector<std::string>{"cat", "/proc/self/stat"}));
  auto [pid_rc, pid_text] = Shell(podman_ + " inspect --format '{{.State.Pid}}' " + name);
  ASSERT_EQ(pid_rc, 0) << pid_text;
  const ProcessInfo* sh = state.Ancestor(cat_pid, 1);
  ASSERT_NE(sh, nullptr);
  EXPECT_EQ(sh->pid, std::stoul(pid_text));  // the container's init, the shell
  EXPECT_EQ(state.Container(sh->cgroup_id).id, id);
  // crun forked the init and exited; conmon, a subreaper, adopted it (as /proc says).
  const ProcessInfo* conmon = state.Ancestor(cat_pid, 2);
  ASSERT_NE(conmon, nullptr);
  EXPECT_EQ(conmon->comm, "conmon");
  auto [ppid_rc, ppid_text] = Shell("awk '{print $4}' /proc/" + pid_text + "/stat");
  EXPECT_EQ(std::to_string(conmon->pid), ppid_text);
}

TEST_F(RealContainers, CrunContainerNamedByHand) {
  if (Shell("command -v crun").first != 0) GTEST_SKIP() << "crun not installed";
  std::string bundle = dir_ + "/bundle";
  fs::create_directories(bundle);
  Shell("cp -a " + dir_ + "/rootfs " + bundle + "/rootfs");
  auto [spec_rc, spec_out] = Shell("cd " + bundle + " && crun spec");
  ASSERT_EQ(spec_rc, 0) << spec_out;
  nlohmann::json config = nlohmann::json::parse(std::ifstream(bundle + "/config.json"));
  config["process"]["terminal"] = false;
  config["process"]["args"] = {"sleep", "60"};
  config["annotations"]["org.opencontainers.image.ref.name"] = "localhost/vigil-crun:2";
  std::ofstream(bundle + "/config.json") << config.dump();
  std::string name = "vigil-state-crun-" + std::to_string(getpid());
  crun_.push_back(name);
  // The container keeps the stdio it was given: never a pipe we wait on.
  std::string log = dir_ + "/crun.log";
  auto [rc, out] =
      Shell("crun run -d --bundle " + bundle + " " + name + " </dev/null >" + log + " 2>&1");
  if (rc != 0) GTEST_SKIP() << "crun cannot start a container here: " << Shell("cat " + log).second;

  auto created = State::Create(StateOptions{});
  ASSERT_TRUE(created.ok());
  State& state = **created;
  uint64_t cgroup_id = InodeOf(v2_ + "/" + name);
  ASSERT_NE(cgroup_id, 0u) << v2_ + "/" + name;
  state.WaitForContainerLookups(100);
  state.Container(cgroup_id);
  state.WaitForContainerLookups(5000);
  const ContainerInfo& c = state.Container(cgroup_id);
  EXPECT_EQ(c.id, name);
  EXPECT_EQ(c.runtime, "crun");
  EXPECT_EQ(c.name, name);
  EXPECT_EQ(c.image, "localhost/vigil-crun:2");
}

}  // namespace
}  // namespace vigil::runtime
