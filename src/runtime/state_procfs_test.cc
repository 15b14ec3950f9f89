// LoadExisting and the /proc parsers over the fake tree in testdata/runtime/state (proc/,
// cgroup/, host/), plus hostile inputs: each is an error naming the file, never a crash.
#include <sys/stat.h>

#include <string>

#include "base/test_paths.h"
#include "gtest/gtest.h"
#include "runtime/procfs.h"
#include "runtime/state.h"

namespace vigil::runtime {
namespace {

constexpr char kPodmanId[] = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";

std::string DataDir() { return test_paths::SourceDir() + "/testdata/runtime/state"; }

uint64_t InodeOf(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

TEST(ProcFsParseTest, StatWithHostileComm) {
  auto st = ParseProcStat(
      "201 (my sh) x) S 200 201 201 34816 201 4194560 100 0 0 0 5 3 0 0 20 0 1 0 600 1000 200",
      "proc/201/stat");
  ASSERT_TRUE(st.ok()) << st.status();
  EXPECT_EQ(st->pid, 201u);
  EXPECT_EQ(st->comm, "my sh) x");
  EXPECT_EQ(st->ppid, 200u);
  EXPECT_EQ(st->tty, 34816u);
  EXPECT_EQ(st->start_ticks, 600u);
}

TEST(ProcFsParseTest, MalformedInputsNameTheFile) {
  for (std::string_view bad : {"", "12 no parens S 1", "12 (x) S", "x (y) S 1 2 3 4 5 6 7 8 9 0 1",
                               "12 (x) S notanumber 1 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0"}) {
    auto st = ParseProcStat(bad, "/proc/12/stat");
    ASSERT_FALSE(st.ok()) << bad;
    EXPECT_NE(st.status().message().find("/proc/12/stat"), std::string::npos);
  }
  EXPECT_FALSE(ParseProcStatusUid("Name:\tx\n", "/proc/1/status").ok());
  EXPECT_FALSE(ParseProcStatusUid("Uid:\tabc\n", "/proc/1/status").ok());
  EXPECT_EQ(*ParseProcStatusUid("Uid:\t1000\t1000\t1000\t1000\n", "s"), 1000u);
}

TEST(ProcFsParseTest, CmdlineCgroupBtimeAndFdLinks) {
  EXPECT_EQ(ParseCmdline(std::string("a\0b c\0\0d\0", 9)),
            (std::vector<std::string>{"a", "b c", "", "d"}));
  EXPECT_TRUE(ParseCmdline("").empty());
  EXPECT_EQ(ParseCgroupV2Path("3:cpu:/x\n0::/a/b\n"), "/a/b");
  EXPECT_EQ(ParseCgroupV2Path("3:cpu:/x\n"), "");
  EXPECT_EQ(ParseBootTime("cpu 1\nbtime 1700000000\n"), 1700000000u);
  EXPECT_EQ(ParseBootTime("btime x\n"), 0u);
  EXPECT_EQ(FdFromLink("pipe:[9]").kind, FdKind::kPipe);
  EXPECT_EQ(FdFromLink("/memfd:evil (deleted)").name, "memfd:evil");
  EXPECT_EQ(FdFromLink("/memfd:evil (deleted)").kind, FdKind::kMemfd);
  EXPECT_EQ(FdFromLink("/etc/passwd").kind, FdKind::kFile);
  EXPECT_EQ(FdFromLink("anon_inode:[eventfd]").kind, FdKind::kOther);
}

TEST(ProcFsParseTest, NetTables) {
  SocketTable t;
  EXPECT_EQ(ParseProcNetSockets("  sl local rem st\n"
                                "   0: 0100007F:0050 0200007F:D431 01 0:0 0:0 0 0 0 77 1\n"
                                "   1: 0100007F:0035 00000000:0000 07 0:0 0:0 0 0 0 78 1\n"
                                "   2: nonsense\n",
                                "udp", &t),
            1u);
  EXPECT_EQ(t.at(77).name, "127.0.0.1:80->127.0.0.2:54321");  // connected UDP
  EXPECT_EQ(t.at(78).name, "127.0.0.1:53");
  EXPECT_EQ(SocketInode("socket:[42]"), 42u);
  EXPECT_EQ(SocketInode("socket:[x]"), 0u);
  EXPECT_EQ(SocketInode("pipe:[42]"), 0u);
}

StateOptions FakeTree(bool query_runtimes) {
  StateOptions o;
  o.proc_root = DataDir() + "/proc";
  o.cgroup_root = DataDir() + "/cgroup";
  o.host_root = DataDir() + "/host";
  o.query_runtimes = query_runtimes;
  return o;
}

TEST(StateLoadExistingTest, FakeProcTreeWithContainers) {
  auto created = State::Create(FakeTree(/*query_runtimes=*/true));
  ASSERT_TRUE(created.ok()) << created.status();
  State& state = **created;
  ASSERT_TRUE(state.LoadExisting().ok());
  EXPECT_EQ(state.process_count(), 4u);  // 1, 200, 201, 300; 999 is malformed
  EXPECT_EQ(state.stats().proc_errors, 1u);

  const ProcessInfo* sh = state.Process(201);
  ASSERT_NE(sh, nullptr);
  EXPECT_TRUE(sh->from_proc);
  EXPECT_EQ(sh->comm, "my sh) x");
  EXPECT_EQ(sh->ppid, 200u);
  EXPECT_EQ(sh->uid, 1000u);
  EXPECT_EQ(sh->tty, 34816u);
  EXPECT_EQ(sh->exe, "/bin/busybox");
  EXPECT_EQ(sh->cwd, "/root");
  EXPECT_EQ(sh->args, (std::vector<std::string>{"/bin/sh", "-c", "sleep 100"}));
  // btime 1795500000 s + 600 ticks.
  EXPECT_EQ(sh->start_ns, 1795500000ull * 1000000000ull + 6000000000ull);
  ASSERT_EQ(sh->fds.size(), 10u);
  EXPECT_EQ(sh->fds.at(0).name, "/dev/pts/0");
  EXPECT_EQ(sh->fds.at(1).kind, FdKind::kPipe);
  EXPECT_EQ(sh->fds.at(5).kind, FdKind::kMemfd);
  EXPECT_EQ(sh->fds.at(7).name, "/etc/passwd");
  // Sockets, resolved through the namespace's /proc/<pid>/net tables.
  EXPECT_EQ(sh->fds.at(10).name, "0.0.0.0:8080");
  EXPECT_EQ(sh->fds.at(10).kind, FdKind::kIpv4);
  EXPECT_EQ(sh->fds.at(11).name, "10.88.0.1:51000->10.88.0.5:8080");     // accepted
  EXPECT_EQ(sh->fds.at(12).name, "10.88.0.5:41000->93.184.216.34:443");  // connected
  EXPECT_EQ(sh->fds.at(13).name, "unix:/run/app.sock");
  EXPECT_EQ(sh->fds.at(13).kind, FdKind::kUnix);
  EXPECT_EQ(sh->fds.at(14).name, "[::1]:22");
  EXPECT_EQ(sh->fds.at(14).kind, FdKind::kIpv6);
  EXPECT_EQ(sh->fds.at(15).name, "socket:[9999]");  // not in any table: left as the link
  EXPECT_EQ(state.Ancestor(201, 1)->comm, "conmon");
  EXPECT_EQ(state.Ancestor(201, 2)->comm, "init");

  // The shell's cgroup is the podman container's directory in the fake v2 tree.
  std::string cg = DataDir() + "/cgroup/unified/libpod_parent/libpod-" + kPodmanId;
  EXPECT_EQ(sh->cgroup_id, InodeOf(cg));
  state.WaitForContainerLookups(5000);
  const ContainerInfo& c = state.Container(sh->cgroup_id);
  EXPECT_EQ(c.id, kPodmanId);
  EXPECT_EQ(c.runtime, "podman");
  EXPECT_EQ(c.name, "web-1");
  EXPECT_EQ(c.image, "localhost/vigil-web:1.0");
  EXPECT_EQ(c.image_digest,
            "sha256:8b54b7f5de2a9a10ccd49f3ecfb99e14f5772c4e971ff7c80d48a4b25bc7cb99");
  EXPECT_EQ(c.cgroup_path, std::string("/libpod_parent/libpod-") + kPodmanId);
  EXPECT_EQ(c.labels.at("io.container.manager"), "libpod");

  // conmon's monitor cgroup does not exist in the tree: the host.
  EXPECT_EQ(state.Container(state.Process(200)->cgroup_id).runtime, "host");
  // init is on the host.
  EXPECT_EQ(state.Container(state.Process(1)->cgroup_id).runtime, "host");
  EXPECT_EQ(state.Container(state.Process(1)->cgroup_id).id, "");

  // The hand-started crun container is named after its cgroup and found by its state dir.
  const ProcessInfo* boxed = state.Process(300);
  EXPECT_TRUE(boxed->exe_memfd);
  const ContainerInfo& box = state.Container(boxed->cgroup_id);
  EXPECT_EQ(box.id, "mybox");
  EXPECT_EQ(box.runtime, "crun");
  EXPECT_EQ(box.image, "busybox:stable");
  EXPECT_EQ(state.container_count(), 2u);
}

TEST(StateLoadExistingTest, WithoutRuntimeQueriesOnlyThePathSpeaks) {
  auto created = State::Create(FakeTree(/*query_runtimes=*/false));
  ASSERT_TRUE(created.ok());
  State& state = **created;
  ASSERT_TRUE(state.LoadExisting().ok());
  const ContainerInfo& c = state.Container(state.Process(201)->cgroup_id);
  EXPECT_EQ(c.id, kPodmanId);
  EXPECT_EQ(c.runtime, "podman");
  EXPECT_EQ(c.name, "");
  // "mybox" is not a recognisable layout without the runtime's state.
  EXPECT_EQ(state.Container(state.Process(300)->cgroup_id).runtime, "host");
}

TEST(StateLoadExistingTest, MissingProcIsAnError) {
  StateOptions o = FakeTree(false);
  o.proc_root = DataDir() + "/no-such-proc";
  auto created = State::Create(o);
  ASSERT_TRUE(created.ok());
  Status s = (*created)->LoadExisting();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("no-such-proc"), std::string::npos);
}

}  // namespace
}  // namespace vigil::runtime
