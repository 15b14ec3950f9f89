// Process tree and fd table from hand-built event sequences (what the eBPF source delivers
// for fork/exec/exit and the fd syscalls, docs/runtime-events.md).
#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <deque>
#include <string>

#include "gtest/gtest.h"
#include "runtime/state.h"

namespace vigil::runtime {
namespace {

// Builds Events whose string views point into storage owned by the builder (kept in a deque,
// so earlier views stay valid while later events are built).
class Events {
 public:
  Event Fork(uint32_t parent, uint32_t child, uint64_t ts = 0) {
    Event e = Base(EventType::kProcessFork, child);
    e.ppid = parent;
    e.ts_ns = ts;
    return e;
  }
  Event Exec(uint32_t pid, std::string exe, std::string args, std::string cwd = "") {
    Event e = Base(EventType::kProcessExec, pid);
    e.exe = Keep(std::move(exe));
    e.args = Keep(std::move(args));
    e.cwd = Keep(std::move(cwd));
    e.comm = Keep(std::string(Basename(e.exe)));
    return e;
  }
  Event Exit(uint32_t pid) { return Base(EventType::kProcessExit, pid); }
  Event Sys(uint32_t pid, int nr, int64_t ret) {
    Event e = Base(EventType::kSyscall, pid);
    e.syscall = nr;
    e.ret = ret;
    return e;
  }
  Event Open(uint32_t pid, int nr, int64_t dirfd, std::string path, uint64_t flags, int64_t ret) {
    Event e = Sys(pid, nr, ret);
    e.fd = dirfd;
    e.path = Keep(std::move(path));
    e.flags = flags;
    return e;
  }
  Event Connect(uint32_t pid, int nr, int64_t fd, const char* ip, uint16_t port, int64_t ret) {
    Event e = Sys(pid, nr, ret);
    e.fd = fd;
    e.addr.family = AF_INET;
    e.addr.port = port;
    inet_pton(AF_INET, ip, e.addr.addr.data());
    return e;
  }
  std::string_view Keep(std::string s) {
    store_.push_back(std::move(s));
    return store_.back();
  }

 private:
  static std::string_view Basename(std::string_view p) {
    size_t slash = p.rfind('/');
    return slash == std::string_view::npos ? p : p.substr(slash + 1);
  }
  Event Base(EventType type, uint32_t pid) {
    Event e;
    e.type = type;
    e.pid = pid;
    e.tid = pid;
    e.uid = 1000;
    e.cgroup_id = 1;
    return e;
  }
  std::deque<std::string> store_;
};

std::unique_ptr<State> NewState(size_t max_processes = 65536, size_t max_fds = 1024) {
  StateOptions o;
  o.query_runtimes = false;
  o.max_processes = max_processes;
  o.max_fds_per_process = max_fds;
  auto s = State::Create(o);
  EXPECT_TRUE(s.ok()) << s.status();
  return std::move(s).value();
}

TEST(StateProcessTest, ForkExecExitBuildsTheTreeAndAncestry) {
  auto state = NewState();
  Events ev;
  state->Apply(ev.Exec(100, "/usr/sbin/sshd", std::string("sshd\0-D\0", 8), "/"));
  state->Apply(ev.Fork(100, 101, 10));
  state->Apply(ev.Exec(101, "/bin/bash", std::string("bash\0-l\0", 8), "/home/a"));
  state->Apply(ev.Fork(101, 102, 20));
  state->Apply(ev.Exec(102, "/usr/bin/curl", std::string("curl\0http://x\0", 14)));

  const ProcessInfo* curl = state->Process(102);
  ASSERT_NE(curl, nullptr);
  EXPECT_EQ(curl->exe, "/usr/bin/curl");
  EXPECT_EQ(curl->comm, "curl");
  EXPECT_EQ(curl->args, (std::vector<std::string>{"curl", "http://x"}));
  EXPECT_EQ(curl->cwd, "/home/a");  // inherited at fork, kept by an exec without cwd
  EXPECT_EQ(curl->ppid, 101u);
  EXPECT_EQ(curl->start_ns, 20u);
  ASSERT_NE(state->Ancestor(102, 1), nullptr);
  EXPECT_EQ(state->Ancestor(102, 1)->comm, "bash");
  EXPECT_EQ(state->Ancestor(102, 2)->exe, "/usr/sbin/sshd");
  EXPECT_EQ(state->Ancestor(102, 3), nullptr);  // sshd's parent was never seen
  EXPECT_EQ(state->Ancestor(102, 0), nullptr);

  // The parent exits: it stays visible for a while (the exit event's consumers), and its
  // child is re-parented to the nearest live ancestor, as a subreaper would adopt it.
  state->Apply(ev.Exit(101));
  ASSERT_NE(state->Process(101), nullptr);
  EXPECT_EQ(state->process_count(), 3u);
  EXPECT_EQ(state->Process(102)->ppid, 100u);
  EXPECT_EQ(state->Ancestor(102, 1)->comm, "sshd");
}

TEST(StateProcessTest, OrphansGoToTheNearestLiveAncestor) {
  auto state = NewState();
  Events ev;
  // conmon -> crun -> container init, the shape of every podman start: crun exits at once.
  state->Apply(ev.Exec(10, "/usr/bin/conmon", "conmon"));
  state->Apply(ev.Fork(10, 11));
  state->Apply(ev.Exec(11, "/usr/bin/crun", "crun"));
  state->Apply(ev.Fork(11, 12));
  state->Apply(ev.Exec(12, "/bin/sh", "sh"));
  state->Apply(ev.Fork(12, 13));
  state->Apply(ev.Exit(11));
  EXPECT_EQ(state->Process(12)->ppid, 10u);
  EXPECT_EQ(state->Ancestor(13, 2)->comm, "conmon");
  // Two generations exit, youngest first, then oldest first: the grandchild climbs twice.
  state->Apply(ev.Fork(13, 14));
  state->Apply(ev.Exit(13));
  EXPECT_EQ(state->Process(14)->ppid, 12u);
  state->Apply(ev.Exit(12));
  EXPECT_EQ(state->Process(14)->ppid, 10u);
  // A parent whose own parent is unknown hands its orphans to that unknown pid.
  state->Apply(ev.Fork(500, 501));
  state->Apply(ev.Fork(501, 502));
  state->Apply(ev.Exit(501));
  EXPECT_EQ(state->Process(502)->ppid, 500u);
}

TEST(StateProcessTest, AggregatedCountsDoNotMoveACgroup) {
  auto state = NewState();
  Events ev;
  Event exec = ev.Exec(20, "/bin/sh", "sh");
  exec.cgroup_id = 4242;
  state->Apply(exec);
  Event counts = ev.Sys(20, 0, 0);
  counts.type = EventType::kSyscallCounts;
  counts.cgroup_id = 1;  // the interval began before the runtime moved the task
  state->Apply(counts);
  EXPECT_EQ(state->Process(20)->cgroup_id, 4242u);
}

TEST(StateProcessTest, ThreadsAreNotProcessesAndForkCopiesTheParent) {
  auto state = NewState();
  Events ev;
  state->Apply(ev.Exec(50, "/usr/bin/python3", std::string("python3\0app.py\0", 15), "/srv"));
  Event thread = ev.Fork(50, 50);
  thread.tid = 51;
  state->Apply(thread);
  EXPECT_EQ(state->Process(51), nullptr);
  EXPECT_EQ(state->process_count(), 1u);

  state->Apply(ev.Open(50, SYS_openat, -100, "data.db", O_RDWR, 3));
  state->Apply(ev.Fork(50, 52));
  const ProcessInfo* child = state->Process(52);
  ASSERT_NE(child, nullptr);
  EXPECT_EQ(child->exe, "/usr/bin/python3");
  EXPECT_EQ(child->cwd, "/srv");
  ASSERT_EQ(child->fds.count(3), 1u);
  EXPECT_EQ(child->fds.at(3).name, "/srv/data.db");
}

TEST(StateProcessTest, FdTableFollowsOpenDupCloseAndExecDropsCloexec) {
  auto state = NewState();
  Events ev;
  state->Apply(ev.Exec(7, "/bin/sh", std::string("sh\0", 3), "/tmp/w"));
  state->Apply(ev.Open(7, SYS_open, -1, "../etc/../x.log", O_WRONLY | O_CREAT, 3));
  state->Apply(ev.Open(7, SYS_openat, -100, "/etc", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 4));
  state->Apply(ev.Open(7, SYS_openat, 4, "passwd", O_RDONLY, 5));
  state->Apply(ev.Open(7, SYS_openat2, 4, "shadow", O_RDONLY, -EACCES));  // failed: no fd
  const ProcessInfo* p = state->Process(7);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->fds.at(3).name, "/tmp/x.log");
  EXPECT_EQ(p->fds.at(3).kind, FdKind::kFile);
  EXPECT_EQ(p->fds.at(4).kind, FdKind::kDirectory);
  EXPECT_EQ(p->fds.at(5).name, "/etc/passwd");
  EXPECT_EQ(p->fds.size(), 3u);

  Event dup2 = ev.Sys(7, SYS_dup2, 1);
  dup2.fd = 5;
  dup2.fd2 = 1;
  state->Apply(dup2);
  EXPECT_EQ(p->fds.at(1).name, "/etc/passwd");
  Event close = ev.Sys(7, SYS_close, 0);
  close.fd = 5;
  state->Apply(close);
  EXPECT_EQ(p->fds.count(5), 0u);
  Event bad_close = ev.Sys(7, SYS_close, -EBADF);
  bad_close.fd = 3;
  state->Apply(bad_close);
  EXPECT_EQ(p->fds.count(3), 1u);

  Event memfd = ev.Sys(7, SYS_memfd_create, 6);
  memfd.path = ev.Keep("payload");
  memfd.flags = 1;  // MFD_CLOEXEC
  state->Apply(memfd);
  EXPECT_EQ(p->fds.at(6).kind, FdKind::kMemfd);
  EXPECT_EQ(p->fds.at(6).name, "memfd:payload");

  Event pipe = ev.Sys(7, SYS_pipe2, 0);
  pipe.fd = 8;
  pipe.fd2 = 9;
  state->Apply(pipe);
  EXPECT_EQ(p->fds.at(8).kind, FdKind::kPipe);
  EXPECT_EQ(p->fds.at(9).kind, FdKind::kPipe);

  // exec closes the O_CLOEXEC directory fd and the MFD_CLOEXEC memfd, keeps the rest.
  state->Apply(ev.Exec(7, "/usr/bin/cat", std::string("cat\0", 4)));
  EXPECT_EQ(p->fds.count(4), 0u);
  EXPECT_EQ(p->fds.count(6), 0u);
  EXPECT_EQ(p->fds.count(1), 1u);
  EXPECT_EQ(p->fds.count(3), 1u);
  EXPECT_EQ(p->fds.count(8), 1u);
  EXPECT_EQ(p->cwd, "/tmp/w");

  Event mark = ev.Sys(7, SYS_close_range, 0);
  mark.fd = 8;
  mark.fd2 = 8;
  mark.flags = 4;  // CLOSE_RANGE_CLOEXEC
  state->Apply(mark);
  EXPECT_EQ(p->fds.at(8).open_flags & O_CLOEXEC, static_cast<uint64_t>(O_CLOEXEC));
  EXPECT_EQ(p->fds.count(9), 1u);
  Event range = ev.Sys(7, SYS_close_range, 0);
  range.fd = 3;
  range.fd2 = 4294967295;  // ~0U: to the end, as the probe reports it
  state->Apply(range);
  EXPECT_EQ(p->fds.size(), 1u);  // only fd 1 is below 3
}

TEST(StateProcessTest, SocketsConnectBindAccept) {
  auto state = NewState();
  Events ev;
  state->Apply(ev.Exec(9, "/usr/bin/nc", std::string("nc\0", 3)));
  Event sock = ev.Sys(9, SYS_socket, 3);
  sock.id_arg = AF_INET;
  sock.flags = SOCK_STREAM;
  state->Apply(sock);
  state->Apply(ev.Connect(9, SYS_connect, 3, "10.0.0.2", 443, -EINPROGRESS));
  const ProcessInfo* p = state->Process(9);
  EXPECT_EQ(p->fds.at(3).kind, FdKind::kIpv4);
  EXPECT_EQ(p->fds.at(3).name, "->10.0.0.2:443");

  Event server = ev.Sys(9, SYS_socket, 4);
  server.id_arg = AF_INET;
  state->Apply(server);
  state->Apply(ev.Connect(9, SYS_bind, 4, "0.0.0.0", 8080, 0));
  EXPECT_EQ(p->fds.at(4).name, "0.0.0.0:8080");
  Event accept = ev.Connect(9, SYS_accept4, 4, "192.168.1.5", 51000, 5);
  accept.flags = SOCK_CLOEXEC;
  state->Apply(accept);
  EXPECT_EQ(p->fds.at(5).name, "192.168.1.5:51000->0.0.0.0:8080");
  EXPECT_EQ(p->fds.at(5).open_flags & O_CLOEXEC, static_cast<uint64_t>(O_CLOEXEC));

  // bind to port 0, then listen tells the port the kernel chose.
  Event s6 = ev.Sys(9, SYS_socket, 6);
  s6.id_arg = AF_INET;
  state->Apply(s6);
  state->Apply(ev.Connect(9, SYS_bind, 6, "127.0.0.1", 0, 0));
  state->Apply(ev.Connect(9, SYS_listen, 6, "127.0.0.1", 40123, 0));
  EXPECT_EQ(p->fds.at(6).name, "127.0.0.1:40123");
  // dup2 of a socket we never saw opened onto stdout: the source gives its peer.
  Event redirect = ev.Connect(9, SYS_dup2, 77, "10.1.1.1", 4444, 1);
  redirect.fd2 = 1;
  state->Apply(redirect);
  EXPECT_EQ(p->fds.at(1).name, "->10.1.1.1:4444");
  EXPECT_EQ(p->fds.at(1).kind, FdKind::kIpv4);

  // A refused connect leaves the fd as it was.
  state->Apply(ev.Connect(9, SYS_connect, 4, "10.9.9.9", 1, -ECONNREFUSED));
  EXPECT_EQ(p->fds.at(4).name, "0.0.0.0:8080");
}

TEST(StateProcessTest, UnknownProcessesAreStubbedAndFollowTheirCgroup) {
  auto state = NewState();
  Events ev;
  Event e = ev.Open(4000, SYS_openat, -100, "/etc/hosts", O_RDONLY, 3);
  e.ppid = 3999;
  e.comm = ev.Keep("nginx");
  e.cgroup_id = 777;
  state->Apply(e);
  const ProcessInfo* p = state->Process(4000);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->comm, "nginx");
  EXPECT_EQ(p->ppid, 3999u);
  EXPECT_EQ(p->cgroup_id, 777u);
  EXPECT_EQ(p->fds.at(3).name, "/etc/hosts");
  EXPECT_EQ(state->stats().unknown_pids, 1u);
  e.cgroup_id = 778;  // moved into a container's cgroup
  state->Apply(e);
  EXPECT_EQ(state->Process(4000)->cgroup_id, 778u);
}

TEST(StateProcessTest, BoundsEvictExitedFirstAndCapFds) {
  auto state = NewState(/*max_processes=*/4, /*max_fds=*/2);
  Events ev;
  for (uint32_t pid = 1; pid <= 4; ++pid) state->Apply(ev.Exec(pid, "/bin/x", "x"));
  state->Apply(ev.Exit(3));
  state->Apply(ev.Exec(5, "/bin/y", "y"));
  EXPECT_EQ(state->process_count(), 4u);
  EXPECT_EQ(state->Process(3), nullptr);  // the exited one went first
  EXPECT_NE(state->Process(1), nullptr);
  state->Apply(ev.Exec(6, "/bin/z", "z"));
  EXPECT_EQ(state->Process(1), nullptr);  // then the oldest live one
  EXPECT_EQ(state->stats().processes_evicted, 2u);

  for (int fd = 3; fd < 10; ++fd) state->Apply(ev.Open(6, SYS_open, -1, "/f", O_RDONLY, fd));
  EXPECT_EQ(state->Process(6)->fds.size(), 2u);
  EXPECT_EQ(state->stats().fds_dropped, 5u);
}

TEST(StateProcessTest, LongChurnStaysBounded) {
  auto state = NewState(/*max_processes=*/64, /*max_fds=*/4);
  Events ev;
  state->Apply(ev.Exec(1, "/sbin/init", "init"));
  // A daemon forks 100,000 children; half exit, half outlive the bound and are evicted.
  for (uint32_t i = 0; i < 100000; ++i) {
    uint32_t child = 1000 + i;
    state->Apply(ev.Fork(1, child));
    state->Apply(ev.Open(child, SYS_open, -1, "/tmp/f", O_RDONLY, 3));
    if (i % 2 == 0) state->Apply(ev.Exit(child));
    ASSERT_LE(state->process_count(), 64u);
  }
  const ProcessInfo* last = state->Process(1000 + 99999);
  ASSERT_NE(last, nullptr);
  EXPECT_EQ(last->ppid, 1u);
  EXPECT_GT(state->stats().processes_evicted, 0u);
  // The most recent exit is still visible (to its own event's consumers), without fds.
  state->Apply(ev.Fork(1, 500000));
  state->Apply(ev.Open(500000, SYS_open, -1, "/tmp/f", O_RDONLY, 3));
  state->Apply(ev.Exit(500000));
  const ProcessInfo* exited = state->Process(500000);
  ASSERT_NE(exited, nullptr);
  EXPECT_TRUE(exited->fds.empty());  // closed by the kernel at exit
}

TEST(StateProcessTest, AncestryStopsOnLoops) {
  auto state = NewState();
  Events ev;
  // A recording can claim a pid cycle (pid reuse); the chain must end, not spin.
  state->Apply(ev.Fork(2, 1));
  state->Apply(ev.Fork(1, 2));
  state->Apply(ev.Fork(2, 1));
  EXPECT_NE(state->Ancestor(1, 1), nullptr);
  EXPECT_EQ(state->Ancestor(1, 65), nullptr);
  const ProcessInfo* far = state->Ancestor(1, 64);
  EXPECT_TRUE(far == nullptr || far->pid == 1 || far->pid == 2);
}

// Prints the Apply rate for a file-heavy mix (open/close and a fork+exec+exit per 100
// events) over 1,000 live processes; the floor only catches a pathological regression.
TEST(StateProcessTest, ApplyThroughput) {
  auto state = NewState();
  Events ev;
  std::vector<Event> mix;
  for (uint32_t pid = 1000; pid < 2000; ++pid) state->Apply(ev.Exec(pid, "/bin/app", "app"));
  for (int i = 0; i < 100; ++i) {
    uint32_t pid = 1000 + static_cast<uint32_t>(i * 7 % 1000);
    if (i == 50) {
      mix.push_back(ev.Fork(pid, 5000));
      mix.push_back(ev.Exec(5000, "/bin/sh", std::string("sh\0-c\0true\0", 11)));
      mix.push_back(ev.Exit(5000));
      continue;
    }
    mix.push_back(ev.Open(pid, SYS_openat, -100, "/var/lib/app/data.db", O_RDONLY, 3 + i % 5));
    Event c = ev.Sys(pid, SYS_close, 0);
    c.fd = 3 + i % 5;
    mix.push_back(c);
  }
  const int rounds = 5000;
  auto start = std::chrono::steady_clock::now();
  for (int r = 0; r < rounds; ++r) {
    for (const Event& e : mix) state->Apply(e);
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double rate = static_cast<double>(rounds * mix.size()) / secs;
  std::printf("state Apply: %.2f M events/s (%zu events, %.3f s)\n", rate / 1e6,
              rounds * mix.size(), secs);
  EXPECT_GT(rate, 200000.0);
  EXPECT_LE(state->process_count(), 1001u);
}

TEST(StateProcessTest, CreateRejectsZeroBounds) {
  StateOptions o;
  o.max_processes = 0;
  EXPECT_FALSE(State::Create(o).ok());
}

}  // namespace
}  // namespace vigil::runtime
