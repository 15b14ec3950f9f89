// State fed through the synthetic source (R3's builder), as the agent feeds it from any
// source: the contract between the event model's producers and the state tables.
#include <fcntl.h>
#include <sys/socket.h>

#include <chrono>

#include "gtest/gtest.h"
#include "runtime/state.h"
#include "runtime/synthetic.h"

namespace vigil::runtime {
namespace {

std::unique_ptr<State> Feed(const SyntheticBuilder& b) {
  StateOptions o;
  o.query_runtimes = false;
  o.cgroup_root = "";  // synthetic cgroup ids mean nothing on this host
  auto state = State::Create(o);
  EXPECT_TRUE(state.ok()) << state.status();
  auto source = b.Build();
  while (true) {
    auto n =
        source->Poll(std::chrono::milliseconds(0), [&](const Event& e) { (*state)->Apply(e); });
    if (!n.ok()) break;  // OutOfRange: all delivered
  }
  return std::move(state).value();
}

TEST(StateSyntheticTest, ReverseShellInAContainer) {
  SyntheticBuilder b;
  b.Pid(100).Ppid(1).Cgroup(4242).Cwd("/var/www").Exec("/usr/sbin/nginx", {"nginx"});
  b.Fork(101).Exec("/bin/sh", {"sh", "-c", "sh -i"});
  b.Socket(AF_INET, SOCK_STREAM).Connect("10.0.0.1:4444");
  int64_t sock = b.LastFd();
  b.Dup2(sock, 0).Dup2(sock, 1).Dup2(sock, 2);
  b.Open("index.html", O_RDONLY);
  ASSERT_TRUE(b.status().ok()) << b.status();
  auto state = Feed(b);

  const ProcessInfo* sh = state->Process(101);
  ASSERT_NE(sh, nullptr);
  EXPECT_EQ(sh->exe, "/bin/sh");
  EXPECT_EQ(sh->args, (std::vector<std::string>{"sh", "-c", "sh -i"}));
  EXPECT_EQ(sh->cgroup_id, 4242u);
  EXPECT_EQ(sh->cwd, "/var/www");
  ASSERT_NE(state->Ancestor(101, 1), nullptr);
  EXPECT_EQ(state->Ancestor(101, 1)->comm, "nginx");
  for (int64_t fd : {0, 1, 2, static_cast<int>(sock)}) {
    ASSERT_EQ(sh->fds.count(fd), 1u) << fd;
    EXPECT_EQ(sh->fds.at(fd).name, "->10.0.0.1:4444") << fd;
    EXPECT_EQ(sh->fds.at(fd).kind, FdKind::kIpv4) << fd;
  }
  EXPECT_EQ(sh->fds.at(b.LastFd()).name, "/var/www/index.html");
}

TEST(StateSyntheticTest, ServerAcceptsAndExits) {
  SyntheticBuilder b;
  b.Pid(200).Exec("/usr/bin/redis-server", {"redis-server"});
  b.Socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC).Bind("[::]:6379").Listen();
  int64_t listener = b.LastFd();
  b.Accept("[::1]:50000", listener);
  int64_t conn = b.LastFd();
  b.MemfdCreate("jit", 0);
  int64_t memfd = b.LastFd();
  b.Close(conn);
  auto state = Feed(b);
  const ProcessInfo* p = state->Process(200);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->fds.at(listener).name, "[::]:6379");
  EXPECT_EQ(p->fds.at(listener).kind, FdKind::kIpv6);
  EXPECT_EQ(p->fds.count(conn), 0u);
  EXPECT_EQ(p->fds.at(memfd).name, "memfd:jit");

  SyntheticBuilder accepted;
  accepted.Pid(200).Exec("/usr/bin/redis-server", {"redis-server"});
  accepted.Socket(AF_INET6, SOCK_STREAM).Bind("[::]:6379").Listen().Accept("[::1]:50000");
  auto state2 = Feed(accepted);
  EXPECT_EQ(state2->Process(200)->fds.at(accepted.LastFd()).name, "[::1]:50000->[::]:6379");

  SyntheticBuilder exits;
  exits.Pid(300).Exec("/bin/true", {"true"}).Exit(0);
  auto state3 = Feed(exits);
  EXPECT_NE(state3->Process(300), nullptr);  // kept for the exit event's consumers
}

}  // namespace
}  // namespace vigil::runtime
