// Container attribution: the cgroup path layout table (testdata/runtime/state/
// cgroup_layouts.tsv), metadata from each runtime's files under a fake host root, and the
// cgroup id index over a real directory tree.
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "base/fs.h"
#include "base/strings.h"
#include "base/test_paths.h"
#include "gtest/gtest.h"
#include "runtime/container.h"
#include "runtime/state.h"
#include "runtime/synthetic.h"

namespace vigil::runtime {
namespace {

std::string DataDir() { return test_paths::SourceDir() + "/testdata/runtime/state"; }

TEST(CgroupLayoutTest, EveryRuntimeLayout) {
  std::string path = DataDir() + "/cgroup_layouts.tsv";
  auto text = ReadHostFile(path);
  ASSERT_TRUE(text.ok()) << text.status();
  int rows = 0;
  int line_no = 0;
  for (std::string_view line : SplitLines(*text)) {
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string_view> f = Split(line, '\t');
    ASSERT_EQ(f.size(), 4u) << path << ":" << line_no;
    std::optional<CgroupMatch> m = ParseContainerCgroup(f[0]);
    SCOPED_TRACE(testing::Message() << path << ":" << line_no << " " << f[0]);
    if (f[1] == "-") {
      EXPECT_FALSE(m.has_value()) << "matched " << m->id;
    } else {
      ASSERT_TRUE(m.has_value());
      EXPECT_EQ(m->id, f[1]);
      EXPECT_EQ(m->runtime, f[2]);
      EXPECT_EQ(m->pod_uid, f[3] == "-" ? "" : std::string(f[3]));
    }
    ++rows;
  }
  EXPECT_GE(rows, 20);
}

ContainerInfo Lookup(const std::string& id, const std::string& runtime, Status* status) {
  RuntimePaths paths;
  paths.host_root = DataDir() + "/host";
  ContainerInfo info;
  info.id = id;
  info.runtime = runtime;
  *status = LookupContainerMetadata(paths, &info);
  return info;
}

TEST(ContainerMetadataTest, PodmanFromCrunStateAndContainersStorage) {
  Status s;
  ContainerInfo c =
      Lookup(std::string("a1b2c3d4e5f60718293a4b5c6d7e8f90") + "a1b2c3d4e5f60718293a4b5c6d7e8f90",
             "podman", &s);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(c.runtime, "podman");
  EXPECT_EQ(c.name, "web-1");
  EXPECT_EQ(c.image, "localhost/vigil-web:1.0");
  EXPECT_EQ(c.image_digest,
            "sha256:8b54b7f5de2a9a10ccd49f3ecfb99e14f5772c4e971ff7c80d48a4b25bc7cb99");
  EXPECT_EQ(c.labels.at("org.opencontainers.image.stopSignal"), "15");  // the container's wins
  EXPECT_EQ(c.labels.at("team"), "web");  // inherited from the image's config
  EXPECT_EQ(c.labels.at("org.opencontainers.image.source"), "https://example.com/web");
}

TEST(ContainerMetadataTest, RootlessPodmanFromTheUsersRuntimeDir) {
  Status s;
  std::string id;
  for (int i = 0; i < 16; ++i) id += "5eed";
  ContainerInfo c = Lookup(id, "podman", &s);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(c.name, "alice-dev");
  EXPECT_EQ(c.image, "docker.io/library/alpine:3.19");
  EXPECT_EQ(c.image_digest, "sha256:" + std::string(64, 'e'));
}

TEST(ContainerMetadataTest, ContainerdCriAnnotations) {
  Status s;
  ContainerInfo c =
      Lookup("fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210", "containerd", &s);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(c.runtime, "containerd");
  EXPECT_EQ(c.name, "web");
  EXPECT_EQ(c.image, "docker.io/library/nginx:1.25");
  EXPECT_EQ(c.pod, "web-7d4b9c6f5d-x2k9p");
  EXPECT_EQ(c.pod_namespace, "shop");
  EXPECT_EQ(c.workload, "Deployment/web");
}

TEST(ContainerMetadataTest, CriOAnnotationsAndOversizedValuesDropped) {
  Status s;
  ContainerInfo c =
      Lookup("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "cri-o", &s);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(c.runtime, "cri-o");
  EXPECT_EQ(c.name, "node-exporter");
  EXPECT_EQ(c.image, "quay.io/prometheus/node-exporter:v1.7.0");
  std::string ab;
  for (int i = 0; i < 32; ++i) ab += "ab";
  EXPECT_EQ(c.image_digest, "sha256:" + ab);
  EXPECT_EQ(c.pod, "node-exporter-q8t5z");
  EXPECT_EQ(c.pod_namespace, "monitoring");
  EXPECT_EQ(c.workload, "");  // a DaemonSet's pod name does not say so
  EXPECT_EQ(c.labels.count("io.kubernetes.cri-o.Annotations"), 0u);  // 5000 bytes: dropped
}

TEST(ContainerMetadataTest, DockerConfigV2) {
  Status s;
  ContainerInfo c = Lookup(std::string(64, '1'), "docker", &s);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(c.runtime, "docker");
  EXPECT_EQ(c.name, "redis-cache");
  EXPECT_EQ(c.image, "redis:7.0");
  EXPECT_EQ(c.labels.at("com.docker.compose.project"), "shop");
}

TEST(ContainerMetadataTest, UnknownAndMalformed) {
  Status s;
  Lookup(std::string(64, '9'), "oci", &s);
  EXPECT_TRUE(IsNotFound(s)) << s;
  Lookup(std::string(64, '2'), "oci", &s);
  EXPECT_TRUE(IsInvalidArgument(s)) << s;
  EXPECT_NE(s.message().find("run/crun/" + std::string(64, '2') + "/status"), std::string::npos)
      << s;
}

TEST(ContainerMetadataTest, AFifoInPlaceOfAStateFileDoesNotHang) {
  char tmpl[] = "/tmp/vigil-state-fifo-XXXXXX";
  std::string root = mkdtemp(tmpl);
  std::string id(64, '7');
  std::filesystem::create_directories(root + "/run/crun/" + id);
  std::filesystem::create_directories(root + "/bundle");
  std::ofstream(root + "/run/crun/" + id + "/status") << R"({"bundle": "/bundle"})";
  ASSERT_EQ(mkfifo((root + "/bundle/config.json").c_str(), 0600), 0);
  RuntimePaths paths;
  paths.host_root = root;
  ContainerInfo info;
  info.id = id;
  info.runtime = "oci";
  Status s = LookupContainerMetadata(paths, &info);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("not a regular file"), std::string::npos) << s;
  EXPECT_EQ(info.runtime, "crun");
  std::filesystem::remove_all(root);
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/vigil-state-test-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

uint64_t InodeOf(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

void WriteFile(const std::string& path, std::string_view text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// A podman container as the live agent first sees it: crun has created its cgroup but not yet
// written /run/crun/<id>/status (or has deleted it again), and the storage root is a custom
// --root. Its conmon, an ancestor of the cgroup's process, names the bundle.
TEST(ContainerMetadataTest, PodmanBeforeCrunsStateFileFromConmon) {
  TempDir t;
  std::string id;
  for (int i = 0; i < 8; ++i) id += "c0ffee42";
  RuntimePaths paths;
  paths.host_root = t.path() + "/host";
  paths.proc_root = t.path() + "/proc";
  paths.cgroup_v2_mount = t.path() + "/cgroup";
  std::string storage = "/tmp/custom-root/storage";
  std::string bundle = storage + "/overlay-containers/" + id + "/userdata";
  WriteFile(paths.host_root + bundle + "/config.json",
            R"({"annotations": {"io.container.manager": "libpod"}})");
  WriteFile(paths.host_root + storage + "/overlay-containers/containers.json",
            R"([{"id": ")" + id + R"(", "names": ["vgl-main-42"], "image": ")" +
                std::string(64, 'd') +
                R"(", "metadata": "{\"image-name\":\"localhost/vigil-rules-live:1\"}"}])");
  std::string cgroup = "/libpod_parent/libpod-" + id;
  // The container's process 300 (crun's setup child), its parent 200 (crun create, whose
  // comm holds a space and a parenthesis), and conmon 100.
  // A stat line as the kernel writes it: pid, (comm), state, ppid, then 48 more fields.
  auto stat_line = [](int pid, const std::string& comm, int ppid) {
    std::string line = std::to_string(pid) + " (" + comm + ") S " + std::to_string(ppid);
    for (int i = 0; i < 48; ++i) line += " 0";
    return line;
  };
  WriteFile(paths.cgroup_v2_mount + cgroup + "/cgroup.procs", "300\n");
  WriteFile(paths.proc_root + "/300/stat", stat_line(300, "crun", 200));
  WriteFile(paths.proc_root + "/200/stat", stat_line(200, "crun c) x", 100));
  WriteFile(paths.proc_root + "/100/stat", stat_line(100, "conmon", 1));
  std::string cmdline = std::string("/usr/bin/conmon") + '\0' + "-c" + '\0' + id + '\0' + "-b" +
                        '\0' + bundle + '\0' + "-n" + '\0' + "vgl-main-42" + '\0';
  WriteFile(paths.proc_root + "/100/cmdline", cmdline);

  ContainerInfo info;
  info.id = id;
  info.runtime = "podman";
  info.cgroup_path = cgroup;
  Status s = LookupContainerMetadata(paths, &info);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(info.name, "vgl-main-42");
  EXPECT_EQ(info.image, "localhost/vigil-rules-live:1");
  EXPECT_EQ(info.labels.at("io.container.manager"), "libpod");

  // A conmon supervising another container is not this one's.
  std::string other(64, 'e');
  WriteFile(paths.proc_root + "/100/cmdline", std::string("conmon") + '\0' + "-c" + '\0' + other +
                                                  '\0' + "-b" + '\0' + bundle + '\0');
  ContainerInfo again;
  again.id = id;
  again.runtime = "podman";
  again.cgroup_path = cgroup;
  s = LookupContainerMetadata(paths, &again);
  EXPECT_TRUE(IsNotFound(s)) << s;
  EXPECT_EQ(again.name, "");

  // A parent loop or garbage in /proc ends the walk (at most 8 parents), not the lookup.
  WriteFile(paths.proc_root + "/100/stat", "100 (conmon S 100");
  WriteFile(paths.proc_root + "/300/stat", stat_line(300, "sh", 300));
  s = LookupContainerMetadata(paths, &again);
  EXPECT_TRUE(IsNotFound(s)) << s;
}

TEST(CgroupIndexTest, FindsIdsByWalkingAndRefreshesOnAMiss) {
  TempDir tmp;
  const std::string& mount = tmp.path();
  std::string docker_id(64, 'c');
  std::filesystem::create_directories(mount + "/system.slice/docker-" + docker_id + ".scope");
  CgroupIndex index(mount);
  EXPECT_FALSE(index.uses_handles());  // not a cgroup2 file system: walks
  uint64_t id = InodeOf(mount + "/system.slice/docker-" + docker_id + ".scope");
  ASSERT_EQ(index.PathOf(id), "/system.slice/docker-" + docker_id + ".scope");
  EXPECT_EQ(index.walks(), 1u);
  EXPECT_EQ(index.PathOf(id), "/system.slice/docker-" + docker_id + ".scope");
  EXPECT_EQ(index.walks(), 1u);  // cached

  // A cgroup created after the first walk is found by the refresh its miss triggers.
  std::filesystem::create_directories(mount + "/new");
  uint64_t fresh = InodeOf(mount + "/new");
  EXPECT_EQ(index.PathOf(fresh), "/new");
  EXPECT_EQ(index.walks(), 2u);
  // An id that is no cgroup costs one walk, then the negative cache answers.
  EXPECT_FALSE(index.PathOf(1ull << 60).has_value());
  EXPECT_FALSE(index.PathOf(1ull << 60).has_value());
  EXPECT_EQ(index.walks(), 3u);
}

TEST(ContainerResolverTest, AsyncLookupReturnsIdFirstThenMetadata) {
  TempDir tmp;
  std::string podman_id = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";
  std::filesystem::create_directories(tmp.path() + "/unified/libpod_parent/libpod-" + podman_id);
  std::filesystem::create_directories(tmp.path() + "/unified/user.slice");
  std::ofstream(tmp.path() + "/unified/cgroup.controllers") << "cpu\n";
  ContainerResolver::Options o;
  o.proc_root = tmp.path() + "/no-proc";
  o.cgroup_root = tmp.path();
  o.paths.host_root = DataDir() + "/host";
  ContainerResolver resolver(o);
  ASSERT_TRUE(resolver.has_v2());
  uint64_t id = InodeOf(tmp.path() + "/unified/libpod_parent/libpod-" + podman_id);
  const ContainerInfo& first = resolver.Get(id);
  EXPECT_EQ(first.id, podman_id);
  EXPECT_EQ(first.runtime, "podman");
  EXPECT_EQ(first.cgroup_id, id);
  resolver.WaitIdle(5000);
  const ContainerInfo& later = resolver.Get(id);
  EXPECT_EQ(&first, &later);  // updated in place
  EXPECT_EQ(later.name, "web-1");
  EXPECT_EQ(later.cgroup_path, "/libpod_parent/libpod-" + podman_id);

  EXPECT_EQ(resolver.Get(InodeOf(tmp.path() + "/unified/user.slice")).runtime, "host");
  EXPECT_EQ(resolver.Get(1).runtime, "host");
  EXPECT_EQ(resolver.container_count(), 1u);
}

TEST(ContainerResolverTest, StoppedContainersAreEvictedAfterTheNextWalk) {
  TempDir tmp;
  std::string a(64, 'a');
  std::string b(64, 'b');
  std::filesystem::create_directories(tmp.path() + "/unified/docker/" + a);
  std::ofstream(tmp.path() + "/unified/cgroup.controllers") << "cpu\n";
  ContainerResolver::Options o;
  o.proc_root = tmp.path() + "/no-proc";
  o.cgroup_root = tmp.path();
  o.query_runtimes = false;
  ContainerResolver resolver(o);
  uint64_t id_a = InodeOf(tmp.path() + "/unified/docker/" + a);
  EXPECT_EQ(resolver.Get(id_a).id, a);
  EXPECT_EQ(resolver.Get(id_a).runtime, "docker");
  resolver.Maintain();
  EXPECT_EQ(resolver.container_count(), 1u);
  // a stops, b starts: b's first event walks the tree, the next Maintain() drops a.
  // (b is made first: a test file system may reuse a's inode at once, kernfs does not.)
  std::filesystem::create_directories(tmp.path() + "/unified/docker/" + b);
  std::filesystem::remove(tmp.path() + "/unified/docker/" + a);
  uint64_t id_b = InodeOf(tmp.path() + "/unified/docker/" + b);
  const ContainerInfo& cb = resolver.Get(id_b);
  EXPECT_EQ(cb.id, b);
  EXPECT_EQ(resolver.container_count(), 2u);  // references stay valid until Maintain()
  resolver.Maintain();
  EXPECT_EQ(resolver.container_count(), 1u);
  EXPECT_EQ(resolver.Get(id_b).id, b);

  // Without any new cgroup, the periodic prune finds stopped containers too.
  CgroupIndex index(tmp.path() + "/unified");
  uint64_t id_root_child = InodeOf(tmp.path() + "/unified/docker");
  EXPECT_TRUE(index.PathOf(id_root_child).has_value());
  std::filesystem::remove_all(tmp.path() + "/unified/docker");
  EXPECT_TRUE(index.Known(id_root_child));
  index.Prune();
  EXPECT_FALSE(index.Known(id_root_child));
}

TEST(ContainerResolverTest, BoundedByMaxContainers) {
  TempDir tmp;
  std::vector<uint64_t> ids;
  for (int i = 0; i < 10; ++i) {
    std::string id(64, static_cast<char>('0' + i));
    std::filesystem::create_directories(tmp.path() + "/unified/docker/" + id);
    ids.push_back(InodeOf(tmp.path() + "/unified/docker/" + id));
  }
  std::ofstream(tmp.path() + "/unified/cgroup.controllers") << "cpu\n";
  ContainerResolver::Options o;
  o.proc_root = tmp.path() + "/no-proc";
  o.cgroup_root = tmp.path();
  o.query_runtimes = false;
  o.max_containers = 4;
  ContainerResolver resolver(o);
  for (uint64_t id : ids) {
    resolver.Get(id);
    resolver.Maintain();
  }
  EXPECT_EQ(resolver.container_count(), 4u);
  EXPECT_EQ(resolver.Get(ids.back()).id, std::string(64, '9'));  // the newest are kept
}

TEST(ContainerResolverTest, LookupRetriedWhenTheRuntimeWroteItsFilesLate) {
  TempDir tmp;
  std::string id(64, 'd');
  std::filesystem::create_directories(tmp.path() + "/cg/unified/docker/" + id);
  std::ofstream(tmp.path() + "/cg/unified/cgroup.controllers") << "cpu\n";
  ContainerResolver::Options o;
  o.proc_root = tmp.path() + "/no-proc";
  o.cgroup_root = tmp.path() + "/cg";
  o.paths.host_root = tmp.path() + "/host";
  ContainerResolver resolver(o);
  uint64_t cg = InodeOf(tmp.path() + "/cg/unified/docker/" + id);
  EXPECT_EQ(resolver.Get(cg).id, id);
  resolver.WaitIdle(5000);
  EXPECT_EQ(resolver.Get(cg).name, "");  // nothing to read yet
  std::filesystem::create_directories(tmp.path() + "/host/var/lib/docker/containers/" + id);
  std::ofstream(tmp.path() + "/host/var/lib/docker/containers/" + id + "/config.v2.json")
      << R"({"Name": "/late", "Config": {"Image": "busybox:1"}})";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (resolver.Get(cg).name.empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    resolver.WaitIdle(1000);  // runs Maintain(), which queues the due retry
  }
  EXPECT_EQ(resolver.Get(cg).name, "late");
  EXPECT_EQ(resolver.Get(cg).image, "busybox:1");
}

// State::ContainerGeneration follows the answer of Container(): a new number at first
// resolution, when the runtime lookup is merged, when a replay's record changes the answer
// and when the cgroup is gone; the same number through maintenance runs, repeated records and
// lookups that change nothing.
TEST(StateContainerGenerationTest, ChangesExactlyWhenTheAnswerDoes) {
  TempDir tmp;
  std::string podman_id = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";
  std::string podman_dir = tmp.path() + "/unified/libpod_parent/libpod-" + podman_id;
  std::string docker_dir = tmp.path() + "/unified/docker/" + std::string(64, 'c');
  std::filesystem::create_directories(podman_dir);
  std::filesystem::create_directories(docker_dir);
  std::filesystem::create_directories(tmp.path() + "/unified/user.slice");
  std::ofstream(tmp.path() + "/unified/cgroup.controllers") << "cpu\n";
  StateOptions so;
  so.proc_root = tmp.path() + "/no-proc";
  so.cgroup_root = tmp.path();
  so.host_root = DataDir() + "/host";
  auto created = State::Create(so);
  ASSERT_TRUE(created.ok()) << created.status();
  State& state = **created;
  uint64_t web = InodeOf(podman_dir), other = InodeOf(docker_dir);
  uint64_t user = InodeOf(tmp.path() + "/unified/user.slice");

  // First resolution: the id-only answer until the lookup is merged.
  uint64_t first = state.ContainerGeneration(web);
  EXPECT_NE(first, 0u);
  EXPECT_EQ(state.Container(web).name, "");
  EXPECT_EQ(state.ContainerGeneration(web), first);
  uint64_t host = state.ContainerGeneration(user);
  EXPECT_EQ(state.Container(user).runtime, "host");
  EXPECT_NE(host, first);
  uint64_t docker = state.ContainerGeneration(other);
  // The lookup runs on the resolver's thread and is merged at the next event after it ends.
  SyntheticBuilder one;
  one.Pid(40).Cgroup(web).Close(3);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (state.Container(web).name.empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    state.Apply(one.events()[0]);
  }
  ASSERT_EQ(state.Container(web).name, "web-1");
  uint64_t named = state.ContainerGeneration(web);
  EXPECT_NE(named, first);
  EXPECT_NE(named, docker);
  // The docker container's lookup found nothing: its answer, and number, are unchanged.
  EXPECT_EQ(state.ContainerGeneration(other), docker);

  // Events run the resolver's maintenance every 64 events: nothing changes.
  SyntheticBuilder b;
  for (int i = 0; i < 300; ++i) b.Pid(40).Cgroup(i % 2 ? web : user).Close(3);
  for (const Event& e : b.events()) {
    state.Apply(e);
    ASSERT_EQ(state.ContainerGeneration(web), named);
    ASSERT_EQ(state.ContainerGeneration(user), host);
  }

  // A replay's record: the same answer keeps the number, a different one changes it.
  ContainerInfo same = state.Container(web);
  state.SetContainerInfo(web, same);
  EXPECT_EQ(state.ContainerGeneration(web), named);
  ContainerInfo renamed = same;
  renamed.name = "web-2";
  state.SetContainerInfo(web, renamed);
  uint64_t after_record = state.ContainerGeneration(web);
  EXPECT_NE(after_record, named);
  EXPECT_GT(after_record, std::max({first, host, docker, named}));  // never reused
  EXPECT_EQ(state.Container(web).name, "web-2");

  // The docker container stops and a new cgroup appears: the new one's first event walks the
  // tree, the next maintenance evicts the stopped one, which then answers the host entry.
  std::filesystem::create_directories(tmp.path() + "/unified/docker/" + std::string(64, 'e'));
  std::filesystem::remove(docker_dir);
  uint64_t fresh = InodeOf(tmp.path() + "/unified/docker/" + std::string(64, 'e'));
  EXPECT_EQ(state.Container(fresh).id, std::string(64, 'e'));
  SyntheticBuilder more;
  for (int i = 0; i < 64; ++i) more.Pid(41).Cgroup(fresh).Close(3);
  for (const Event& e : more.events()) state.Apply(e);
  EXPECT_EQ(state.Container(other).runtime, "host");
  EXPECT_NE(state.ContainerGeneration(other), docker);
  EXPECT_EQ(state.ContainerGeneration(web), after_record);
}

TEST(ContainerResolverTest, EmptyCgroupRootTurnsResolutionOff) {
  ContainerResolver::Options o;
  o.cgroup_root = "";
  o.query_runtimes = false;
  ContainerResolver resolver(o);
  EXPECT_FALSE(resolver.has_v2());
  EXPECT_EQ(resolver.Get(InodeOf("/sys/fs/cgroup/unified")).runtime, "host");
}

TEST(ContainerResolverTest, NoV2HierarchyMeansHost) {
  TempDir tmp;
  ContainerResolver::Options o;
  o.proc_root = tmp.path();
  o.cgroup_root = tmp.path();
  o.query_runtimes = false;
  ContainerResolver resolver(o);
  EXPECT_FALSE(resolver.has_v2());
  EXPECT_EQ(resolver.Get(12345).runtime, "host");
}

}  // namespace
}  // namespace vigil::runtime
