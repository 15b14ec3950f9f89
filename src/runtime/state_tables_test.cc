// The state's data structures under their contracts: fd tables shared copy-on-write between
// a parent and its forked child, fds past the dense range, the socket-address formatter the
// event path uses, capabilities (from /proc, capset, fork), and the process bound with
// 100,000+ processes (memory per process, eviction counted, no quadratic child lists).
#include <fcntl.h>
#include <malloc.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <chrono>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "base/test_paths.h"
#include "gtest/gtest.h"
#include "runtime/procfs.h"
#include "runtime/state.h"
#include "runtime/synthetic.h"

namespace vigil::runtime {
namespace {

std::unique_ptr<State> NewState(size_t max_processes = 65536) {
  StateOptions o;
  o.proc_root = "/nonexistent";
  o.cgroup_root = "";
  o.query_runtimes = false;
  o.async_metadata = false;
  o.max_processes = max_processes;
  auto s = State::Create(o);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? std::move(*s) : nullptr;
}

void ApplyAll(State* state, const SyntheticBuilder& b) {
  for (const Event& e : b.events()) state->Apply(e);
}

TEST(FdTableTest, ForkSharesUntilEitherSideChanges) {
  auto state = NewState();
  SyntheticBuilder b;
  b.Pid(100).Ppid(1).Exec("/usr/sbin/nginx", {"nginx"});
  b.Open("/var/log/a.log", O_WRONLY).Ret(3);
  b.Open("/etc/ld.so.cache", O_RDONLY | O_CLOEXEC).Ret(4);
  b.Fork(101);
  ApplyAll(state.get(), b);
  const ProcessInfo* parent = state->Process(100);
  const ProcessInfo* child = state->Process(101);
  ASSERT_NE(parent, nullptr);
  ASSERT_NE(child, nullptr);
  EXPECT_TRUE(child->fds.shared());
  EXPECT_EQ(child->fds.at(3).name, "/var/log/a.log");

  // The child opens a file: its table becomes its own, the parent's is unchanged.
  SyntheticBuilder c;
  c.Pid(101).Ppid(100).Open("/tmp/child", O_RDONLY).Ret(5);
  ApplyAll(state.get(), c);
  EXPECT_FALSE(state->Process(101)->fds.shared());
  EXPECT_EQ(state->Process(101)->fds.size(), 3u);
  EXPECT_EQ(state->Process(100)->fds.size(), 2u);
  EXPECT_EQ(state->Process(100)->fds.count(5), 0u);

  // A second child execs: only the fds without close-on-exec survive, the parent keeps both.
  SyntheticBuilder d;
  d.Pid(100).Ppid(1).Fork(102).Exec("/bin/gzip", {"gzip"});
  ApplyAll(state.get(), d);
  const ProcessInfo* gz = state->Process(102);
  ASSERT_NE(gz, nullptr);
  EXPECT_EQ(gz->fds.size(), 1u);
  EXPECT_EQ(gz->fds.count(3), 1u);
  EXPECT_EQ(state->Process(100)->fds.size(), 2u);

  // The parent closes fd 3: the children that shared or copied the table still have it.
  SyntheticBuilder e;
  e.Pid(100).Ppid(1).Close(3);
  ApplyAll(state.get(), e);
  EXPECT_EQ(state->Process(100)->fds.count(3), 0u);
  EXPECT_EQ(state->Process(101)->fds.count(3), 1u);
  EXPECT_EQ(state->Process(102)->fds.count(3), 1u);
}

TEST(FdTableTest, LargeFdNumbersAndAscendingIteration) {
  auto state = NewState();
  SyntheticBuilder b;
  b.Pid(7).Ppid(1).Open("/a", O_RDONLY).Ret(3);
  b.Dup2(3, 70000).Dup2(3, 1023).Dup2(3, 1024).Dup2(3, 5000).Dup2(3, 0);
  ApplyAll(state.get(), b);
  const ProcessInfo* p = state->Process(7);
  ASSERT_NE(p, nullptr);
  std::vector<int64_t> fds;
  for (const auto& [fd, info] : p->fds) {
    fds.push_back(fd);
    EXPECT_EQ(info.name, "/a");
  }
  EXPECT_EQ(fds, (std::vector<int64_t>{0, 3, 1023, 1024, 5000, 70000}));
  EXPECT_EQ(p->fds.size(), 6u);
  EXPECT_EQ(p->fds.find(5000)->first, 5000);
  EXPECT_TRUE(p->fds.find(6000) == p->fds.end());

  SyntheticBuilder c;
  c.Pid(7).Ppid(1).Close(5000).Close(0);
  c.Add([] {
    Event e;
    e.pid = e.tid = 7;
    e.syscall = SYS_close_range;
    e.fd = 1000;
    e.fd2 = -1;  // to the end
    return e;
  }());
  ApplyAll(state.get(), c);
  fds.clear();
  for (const auto& [fd, info] : state->Process(7)->fds) fds.push_back(fd);
  EXPECT_EQ(fds, (std::vector<int64_t>{3}));
  EXPECT_THROW(state->Process(7)->fds.at(70000), std::out_of_range);
}

TEST(AppendSockAddrTest, SameTextAsSockAddrToString) {
  std::vector<std::string> specs = {"0.0.0.0:0",        "10.1.2.3:443",  "255.255.255.255:65535",
                                    "192.168.100.9:80", "[::1]:22",      "[fe80::1:2]:8080",
                                    "unix:/run/x.sock", "unix:@abstract"};
  for (const std::string& spec : specs) {
    StatusOr<SockAddr> a = ParseSockAddr(spec);
    ASSERT_TRUE(a.ok()) << spec;
    std::string out = "prefix";
    AppendSockAddr(*a, &out);
    EXPECT_EQ(out, "prefix" + SockAddrToString(*a)) << spec;
  }
  SockAddr none;
  std::string out;
  AppendSockAddr(none, &out);
  EXPECT_EQ(out, "");
  SockAddr odd;
  odd.family = 17;  // AF_PACKET
  AppendSockAddr(odd, &out);
  EXPECT_EQ(out, SockAddrToString(odd));
}

InetEndpoint Endpoint(std::string_view spec) {
  StatusOr<SockAddr> a = ParseSockAddr(spec);
  InetEndpoint ep;
  EXPECT_TRUE(a.ok() && InetEndpoint::From(*a, &ep)) << spec;
  return ep;
}

// FdName keeps IPv4/IPv6 socket names in binary and reads as the text the std::string it
// replaced held; copies of a binary name format again rather than sharing the cached text.
TEST(FdNameTest, BinarySocketNamesReadAsText) {
  FdName none;
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none, "");
  EXPECT_FALSE(none.binary());

  FdName bound;
  bound.SetBound(Endpoint("0.0.0.0:8080"));
  EXPECT_TRUE(bound.binary());
  EXPECT_FALSE(bound.connected());
  EXPECT_FALSE(bound.empty());
  ASSERT_NE(bound.server(), nullptr);
  EXPECT_EQ(bound.server()->port, 8080);
  EXPECT_EQ(bound.client(), nullptr);
  EXPECT_EQ(bound, "0.0.0.0:8080");

  FdName copy = bound;  // formatted already on the source: the copy formats itself
  EXPECT_TRUE(copy.binary());
  EXPECT_EQ(copy.str(), "0.0.0.0:8080");

  FdName conn;
  conn.SetConnected(Endpoint("10.0.0.5:41000"), Endpoint("[2001:db8::1]:443"));
  EXPECT_TRUE(conn.connected());
  EXPECT_EQ(conn.size(), std::string("10.0.0.5:41000->[2001:db8::1]:443").size());
  EXPECT_EQ(conn.substr(0, conn.find("->")), "10.0.0.5:41000");
  EXPECT_EQ(conn.rfind(':'), conn.size() - 4);
  ASSERT_NE(conn.client(), nullptr);
  EXPECT_EQ(conn.client()->family, AF_INET);
  EXPECT_EQ(conn.server()->family, AF_INET6);

  FdName peer_only;
  peer_only.SetConnected(InetEndpoint{}, Endpoint("10.1.1.1:4444"));
  EXPECT_EQ(peer_only, "->10.1.1.1:4444");
  EXPECT_EQ(peer_only.client(), nullptr);

  // Reads as std::string / std::string_view, and a text assignment ends the binary form.
  std::string as_string = conn;
  std::string_view as_view = conn;
  EXPECT_EQ(as_string, as_view);
  conn = "/etc/passwd";
  EXPECT_FALSE(conn.binary());
  EXPECT_FALSE(conn.connected());
  EXPECT_EQ(conn.server(), nullptr);
  EXPECT_EQ(conn, "/etc/passwd");
  conn.SetBound(Endpoint("127.0.0.1:53"));  // and a socket assignment ends the text
  EXPECT_EQ(conn, "127.0.0.1:53");
  FdName assigned;
  assigned = "/tmp/x";
  assigned = peer_only;
  EXPECT_EQ(assigned, "->10.1.1.1:4444");
  std::ostringstream os;
  os << assigned;
  EXPECT_EQ(os.str(), "->10.1.1.1:4444");
  FdName moved = std::move(assigned);
  EXPECT_EQ(moved, "->10.1.1.1:4444");
  EXPECT_TRUE(assigned.empty());  // NOLINT(bugprone-use-after-move): the contract under test
  EXPECT_FALSE(assigned.binary());
}

// The names State gives sockets, across families and through fork and exec (the child's copy
// of a binary name reads the same).
TEST(FdNameTest, StateNamesSocketsAsBefore) {
  auto state = NewState();
  SyntheticBuilder b;
  b.Pid(10).Ppid(1).Socket(AF_INET6, SOCK_STREAM).Ret(3).Bind("[::]:6379", 3).Listen(3);
  b.Accept("[::1]:50000", 3).Ret(4);
  b.Socket(AF_UNIX, SOCK_STREAM).Ret(5).Bind("unix:/run/app.sock", 5).Listen(5);
  b.Accept("unix:", 5).Ret(6);
  b.Socket(AF_INET, SOCK_STREAM).Ret(7).Bind("127.0.0.1:40000", 7).Connect("10.0.0.2:443", 7);
  b.Socket(AF_INET, SOCK_STREAM).Ret(8).Connect("10.0.0.3:80", 8).Connect("10.0.0.4:80", 8);
  b.Socket(AF_UNIX, SOCK_STREAM).Ret(9).Connect("unix:/run/docker.sock", 9);
  b.Accept("192.168.1.9:1234", 99).Ret(10);  // listener unknown
  b.Fork(11).Exec("/bin/sh", {"sh"});
  ApplyAll(state.get(), b);
  ASSERT_TRUE(b.status().ok()) << b.status();
  for (uint32_t pid : {10u, 11u}) {
    const ProcessInfo* p = state->Process(pid);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->fds.at(3).name, "[::]:6379") << pid;
    EXPECT_EQ(p->fds.at(4).name, "[::1]:50000->[::]:6379") << pid;
    EXPECT_EQ(p->fds.at(4).kind, FdKind::kIpv6) << pid;
    EXPECT_EQ(p->fds.at(5).name, "unix:/run/app.sock") << pid;
    EXPECT_EQ(p->fds.at(6).name, "unix:->unix:/run/app.sock") << pid;
    EXPECT_EQ(p->fds.at(7).name, "127.0.0.1:40000->10.0.0.2:443") << pid;
    EXPECT_EQ(p->fds.at(8).name, "->10.0.0.4:80") << pid;
    EXPECT_EQ(p->fds.at(9).name, "->unix:/run/docker.sock") << pid;
    EXPECT_EQ(p->fds.at(10).name, "192.168.1.9:1234->") << pid;
  }
  const FdName& accepted = state->Process(11)->fds.at(4).name;
  ASSERT_TRUE(accepted.binary());
  ASSERT_NE(accepted.server(), nullptr);
  EXPECT_EQ(accepted.server()->port, 6379);
  EXPECT_EQ(accepted.client()->port, 50000);
}

TEST(CapabilitiesTest, CapsetForkAndExec) {
  auto state = NewState();
  SyntheticBuilder b;
  b.Pid(50).Ppid(1).Exec("/bin/sh", {"sh"});
  ApplyAll(state.get(), b);
  EXPECT_FALSE(state->Process(50)->caps_known);

  SyntheticBuilder c;
  c.Pid(50).Ppid(1).Capset(0x3).Capset(0x1);  // lowers effective; permitted keeps 0x3
  c.Capset(0x4).Ret(-1);                      // a failed capset changes nothing
  c.Fork(51).Exec("/bin/ls", {"ls"});
  ApplyAll(state.get(), c);
  const ProcessInfo* sh = state->Process(50);
  ASSERT_TRUE(sh->caps_known);
  EXPECT_EQ(sh->cap_effective, 0x1u);
  EXPECT_EQ(sh->cap_permitted, 0x3u);
  const ProcessInfo* ls = state->Process(51);
  ASSERT_NE(ls, nullptr);
  EXPECT_TRUE(ls->caps_known);
  EXPECT_EQ(ls->cap_effective, 0x1u);  // inherited on fork, kept over exec
  EXPECT_EQ(ls->cap_permitted, 0x3u);
}

TEST(CapabilitiesTest, ProcStatusParser) {
  auto caps = ParseProcStatusCaps(
      "Name:\tx\nCapInh:\t0\nCapPrm:\t000001ffffffffff\n"
      "CapEff:\t00000000a80425fb\n",
      "/proc/9/status");
  ASSERT_TRUE(caps.ok()) << caps.status();
  EXPECT_EQ(caps->permitted, 0x1ffffffffffu);
  EXPECT_EQ(caps->effective, 0xa80425fbu);
  auto missing = ParseProcStatusCaps("Name:\tx\nUid:\t0\t0\t0\t0\n", "/proc/9/status");
  EXPECT_TRUE(IsNotFound(missing.status()));
  auto bad = ParseProcStatusCaps("Name:\tx\nCapPrm:\t0\nCapEff:\tzz12\n", "/proc/9/status");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "/proc/9/status:3: malformed CapEff line");
  auto big = ParseProcStatusCaps("CapPrm:\t0\nCapEff:\t11111111111111111\n", "s");
  EXPECT_FALSE(big.ok());
}

TEST(CapabilitiesTest, LoadExistingReadsProcStatus) {
  std::string root = test_paths::SourceDir() + "/testdata/runtime/state/proc";
  StateOptions o;
  o.proc_root = root;
  o.cgroup_root = "";
  o.query_runtimes = false;
  auto state = State::Create(o);
  ASSERT_TRUE(state.ok());
  ASSERT_TRUE((*state)->LoadExisting().ok());
  const ProcessInfo* conmon = (*state)->Process(200);
  ASSERT_NE(conmon, nullptr);
  EXPECT_TRUE(conmon->caps_known);
  EXPECT_EQ(conmon->cap_effective, 0xa80425fbu);
  EXPECT_EQ(conmon->cap_permitted, 0xa80425fbu);
  const ProcessInfo* init = (*state)->Process(1);  // its status has no Cap lines
  ASSERT_NE(init, nullptr);
  EXPECT_FALSE(init->caps_known);
}

// 150,000 processes forked by one parent, each with a few fds, against the default bound of
// 65,536: the table stays at the bound, evictions are counted, and the heap held per process
// is bounded. Then 60,000 siblings exit: removal from the parent's child list is O(1) (a
// linear removal made this quadratic).
TEST(StateBoundsTest, HundredThousandProcesses) {
  auto state = NewState();
  size_t heap_before = mallinfo2().uordblks;
  SyntheticBuilder b;
  b.Pid(2).Ppid(1).Exec("/usr/bin/supervisor", {"supervisor", "--config", "/etc/s.conf"});
  b.Open("/var/log/supervisor.log", O_WRONLY).Ret(3);
  ApplyAll(state.get(), b);
  auto start = std::chrono::steady_clock::now();
  constexpr uint32_t kProcs = 150000;
  for (uint32_t i = 0; i < kProcs; i += 1000) {
    SyntheticBuilder c;
    for (uint32_t k = i; k < i + 1000; ++k) {
      uint32_t pid = 10000 + k;
      c.Pid(2).Ppid(1).Fork(pid).Exec("/usr/bin/worker", {"worker", std::to_string(k)});
      c.Open("/var/lib/worker/" + std::to_string(k) + ".db", O_RDWR).Ret(4);
      c.Socket(AF_INET, SOCK_STREAM).Ret(5).Connect("10.0.0.1:5432", 5);
    }
    ApplyAll(state.get(), c);
  }
  EXPECT_EQ(state->process_count(), 65536u);
  EXPECT_EQ(state->stats().processes_evicted, kProcs + 1 - 65536);
  size_t heap = mallinfo2().uordblks - heap_before;
  double per_process = static_cast<double>(heap) / static_cast<double>(state->process_count());
  std::printf("heap held: %.1f MiB for %zu processes (%.0f bytes each)\n",
              static_cast<double>(heap) / (1 << 20), state->process_count(), per_process);
  EXPECT_LT(per_process, 2048) << "per-process memory grew";

  SyntheticBuilder x;
  for (uint32_t k = kProcs - 60000; k < kProcs; ++k) x.Pid(10000 + k).Ppid(2).Exit(0);
  ApplyAll(state.get(), x);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 60) << "processes/exits should take well under a second of CPU each 100k";
  EXPECT_LE(state->process_count(), 65536u);
  EXPECT_EQ(state->Process(10000 + kProcs - 1)->pid, 10000 + kProcs - 1);  // exited, kept
}

}  // namespace
}  // namespace vigil::runtime
