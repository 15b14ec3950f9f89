// The kernel per-syscall suite (issue 8): the live eBPF source is loaded for real, a child
// process fires each captured system call for real, and every field the probe captures for
// that call is checked against what the child knows (its pid, its fds, the addresses it
// used, ...). Needs root and kernel BTF; skips with the reason otherwise.
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "runtime/ebpf_source.h"

namespace vigil::runtime {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

// An owned copy of an Event (the views of an Event die with the sink call).
struct Ev {
  EventType type;
  uint64_t ts_ns;
  uint32_t pid, tid, ppid, uid, gid;
  uint64_t cgroup_id, mntns;
  std::string comm;
  int32_t syscall;
  int64_t ret, fd, fd2;
  uint64_t flags;
  uint32_t mode, id_arg;
  uint64_t bytes, count, cap_effective;
  std::string path, path2;
  uint16_t family, port;
  std::array<uint8_t, 16> addr;
  std::string unix_path;
  std::string exe, args, cwd;
  uint32_t tty;
  bool upper, memfd, writable;
};

Ev Copy(const Event& e) {
  Ev c;
  c.type = e.type;
  c.ts_ns = e.ts_ns;
  c.pid = e.pid;
  c.tid = e.tid;
  c.ppid = e.ppid;
  c.uid = e.uid;
  c.gid = e.gid;
  c.cgroup_id = e.cgroup_id;
  c.mntns = e.mntns;
  c.comm = e.comm;
  c.syscall = e.syscall;
  c.ret = e.ret;
  c.fd = e.fd;
  c.fd2 = e.fd2;
  c.flags = e.flags;
  c.mode = e.mode;
  c.id_arg = e.id_arg;
  c.bytes = e.bytes;
  c.count = e.count;
  c.cap_effective = e.cap_effective;
  c.path = e.path;
  c.path2 = e.path2;
  c.family = e.addr.family;
  c.port = e.addr.port;
  c.addr = e.addr.addr;
  c.unix_path = e.addr.unix_path;
  c.exe = e.exe;
  c.args = e.args;
  c.cwd = e.cwd;
  c.tty = e.tty;
  c.upper = e.exe_upper_layer;
  c.memfd = e.exe_memfd;
  c.writable = e.exe_writable;
  return c;
}

uint64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The cgroup v2 id of this process: the inode number of its cgroup directory in the v2
// hierarchy (at /sys/fs/cgroup/unified on a hybrid host, /sys/fs/cgroup on a pure v2 one).
uint64_t SelfCgroupId() {
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("0::", 0) != 0) continue;
    std::string root = fs::exists("/sys/fs/cgroup/cgroup.controllers") ? "/sys/fs/cgroup"
                                                                       : "/sys/fs/cgroup/unified";
    struct stat st {};
    if (stat((root + line.substr(3)).c_str(), &st) == 0) return st.st_ino;
  }
  return 0;
}

uint64_t InodeOf(const char* path) {
  struct stat st {};
  return stat(path, &st) == 0 ? st.st_ino : 0;
}

// What a child reports back to the test through a pipe: a list of int64 values.
class Reporter {
 public:
  explicit Reporter(int fd) : fd_(fd) {}
  // Reports a syscall result the way the kernel returns it: -errno on failure.
  void Ret(long rc) const { Put(rc < 0 ? -errno : rc); }
  void Put(int64_t v) const {
    if (::write(fd_, &v, sizeof(v)) != sizeof(v)) _exit(99);
  }

 private:
  int fd_;
};

struct Child {
  pid_t pid = -1;
  int status = -1;
  std::vector<int64_t> values;
};

std::string g_skip;
std::unique_ptr<EventSource> g_source;
uint64_t g_cgroup = 0;
uint64_t g_mntns = 0;

class EbpfSyscallsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (geteuid() != 0) {
      g_skip = "needs root (loads the eBPF probe)";
      return;
    }
    if (!fs::exists("/sys/kernel/btf/vmlinux")) {
      g_skip = "no kernel BTF at /sys/kernel/btf/vmlinux";
      return;
    }
    auto source = OpenEbpfSource(EbpfOptions{});
    if (!source.ok()) {
      g_skip = "OpenEbpfSource: " + source.status().ToString();
      return;
    }
    g_source = std::move(source).value();
    g_cgroup = SelfCgroupId();
    g_mntns = InodeOf("/proc/self/ns/mnt");
  }
  static void TearDownTestSuite() { g_source.reset(); }

  void SetUp() override {
    if (!g_skip.empty()) {
      if (g_skip.rfind("OpenEbpfSource", 0) == 0) FAIL() << g_skip;
      GTEST_SKIP() << g_skip;
    }
    dir_ = fs::temp_directory_path() /
           ("vigil-ebpf-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    dir_ = fs::canonical(dir_);
    // Drain what is already queued so a test only sees events of its own window.
    for (int i = 0; i < 20; ++i) {
      auto n = g_source->Poll(milliseconds(0), [](const Event&) {});
      ASSERT_TRUE(n.ok()) << n.status();
      if (*n == 0) break;
    }
    start_ns_ = NowNs();
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // Runs `body` in a child whose comm is `comm`, waits for it, and collects its reports.
  Child Run(const char* comm, const std::function<void(const Reporter&)>& body) {
    int p[2];
    EXPECT_EQ(pipe2(p, O_CLOEXEC), 0);
    Child c;
    c.pid = fork();
    if (c.pid == 0) {
      prctl(PR_SET_NAME, comm);
      close(p[0]);
      body(Reporter(p[1]));
      _exit(0);
    }
    close(p[1]);
    int64_t v;
    while (read(p[0], &v, sizeof(v)) == sizeof(v)) c.values.push_back(v);
    close(p[0]);
    waitpid(c.pid, &c.status, 0);
    return c;
  }

  // Every event of `pid` and of the processes it forked, until its exit has been seen and one
  // more flush (so its counters are in). Fails the test after 5 s.
  std::vector<Ev> Collect(pid_t pid) {
    std::vector<Ev> out;
    std::set<uint32_t> pids = {static_cast<uint32_t>(pid)};
    bool exited = false;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    std::chrono::steady_clock::time_point exit_seen;
    while (std::chrono::steady_clock::now() < deadline) {
      auto n = g_source->Poll(milliseconds(20), [&](const Event& e) {
        if (e.type == EventType::kProcessFork && pids.count(e.ppid)) pids.insert(e.pid);
        if (!pids.count(e.pid)) return;
        out.push_back(Copy(e));
        if (e.type == EventType::kProcessExit && e.pid == static_cast<uint32_t>(pid)) {
          exited = true;
          exit_seen = std::chrono::steady_clock::now();
        }
      });
      EXPECT_TRUE(n.ok()) << n.status();
      if (exited && std::chrono::steady_clock::now() - exit_seen > milliseconds(60)) break;
    }
    EXPECT_TRUE(exited) << "no exit event for pid " << pid;
    return out;
  }

  // The single syscall event `nr` of `pid` matching `pred` (the first one).
  static const Ev* Find(const std::vector<Ev>& evs, int32_t nr,
                        const std::function<bool(const Ev&)>& pred = nullptr) {
    for (const Ev& e : evs) {
      if (e.type == EventType::kSyscall && e.syscall == nr && (!pred || pred(e))) return &e;
    }
    return nullptr;
  }

  // Fields every event of a direct child of the test carries.
  void ExpectTask(const Ev& e, const Child& c, const std::string& comm, uint32_t uid = 0) {
    EXPECT_EQ(e.pid, static_cast<uint32_t>(c.pid));
    EXPECT_EQ(e.tid, static_cast<uint32_t>(c.pid));
    EXPECT_EQ(e.ppid, static_cast<uint32_t>(getpid()));
    EXPECT_EQ(e.uid, uid);
    EXPECT_EQ(e.gid, uid);
    EXPECT_EQ(e.comm, comm);
    EXPECT_EQ(e.cgroup_id, g_cgroup);
    EXPECT_GE(e.ts_ns + 5'000'000, start_ns_);  // clocks converted within a few ms
    EXPECT_LE(e.ts_ns, NowNs() + 5'000'000);
  }

  fs::path dir_;
  uint64_t start_ns_ = 0;
};

TEST_F(EbpfSyscallsTest, OpenFamilyAndClose) {
  const std::string a = dir_ / "a.txt";
  const std::string b = dir_ / "b.txt";
  const std::string c2 = dir_ / "c.txt";
  Child c = Run("vg-open", [&](const Reporter& r) {
    long fd =
        syscall(SYS_openat, AT_FDCWD, a.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    r.Put(fd);
    r.Ret(syscall(SYS_open, a.c_str(), O_RDONLY | O_NOFOLLOW));
    r.Ret(syscall(SYS_creat, b.c_str(), 0600));
    open_how how{};
    how.flags = O_RDONLY | O_CLOEXEC;
    how.resolve = RESOLVE_NO_SYMLINKS;
    r.Ret(syscall(SYS_openat2, AT_FDCWD, a.c_str(), &how, sizeof(how)));
    r.Ret(syscall(SYS_openat, AT_FDCWD, c2.c_str(), O_RDONLY, 0));  // fails: ENOENT
    r.Ret(syscall(SYS_close, fd));
  });
  ASSERT_EQ(c.values.size(), 6u);
  auto evs = Collect(c.pid);

  const Ev* e = Find(evs, SYS_openat, [&](const Ev& x) { return x.path == a; });
  ASSERT_NE(e, nullptr);
  ExpectTask(*e, c, "vg-open");
  EXPECT_EQ(e->mntns, g_mntns);
  EXPECT_EQ(e->fd, AT_FDCWD);
  EXPECT_EQ(e->flags, static_cast<uint64_t>(O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC));
  EXPECT_EQ(e->mode, 0640u);
  EXPECT_EQ(e->ret, c.values[0]);

  e = Find(evs, SYS_open);
  ASSERT_NE(e, nullptr);
  ExpectTask(*e, c, "vg-open");
  EXPECT_EQ(e->path, a);
  EXPECT_EQ(e->flags, static_cast<uint64_t>(O_RDONLY | O_NOFOLLOW));
  EXPECT_EQ(e->ret, c.values[1]);

  e = Find(evs, SYS_creat);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->path, b);
  EXPECT_EQ(e->flags, static_cast<uint64_t>(O_CREAT | O_WRONLY | O_TRUNC));
  EXPECT_EQ(e->mode, 0600u);
  EXPECT_EQ(e->ret, c.values[2]);

  e = Find(evs, SYS_openat2);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->path, a);
  EXPECT_EQ(e->fd, AT_FDCWD);
  EXPECT_EQ(e->flags, static_cast<uint64_t>(O_RDONLY | O_CLOEXEC));
  EXPECT_EQ(e->ret, c.values[3]);

  e = Find(evs, SYS_openat, [&](const Ev& x) { return x.path == c2; });
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->ret, -ENOENT);

  e = Find(evs, SYS_close, [&](const Ev& x) { return x.fd == c.values[0]; });
  ASSERT_NE(e, nullptr);
  ExpectTask(*e, c, "vg-open");
  EXPECT_EQ(e->ret, 0);
}

uint16_t LocalPort(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
  return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
}

TEST_F(EbpfSyscallsTest, SocketsConnectAcceptDupAndByteCounts) {
  const std::string unix_path = dir_ / "s.sock";
  Child c = Run("vg-net", [&](const Reporter& r) {
    int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    r.Put(l);
    sockaddr_in any{};
    any.sin_family = AF_INET;
    any.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    r.Ret(bind(l, reinterpret_cast<sockaddr*>(&any), sizeof(any)));
    r.Ret(listen(l, 8));
    uint16_t port = LocalPort(l);
    r.Put(port);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    r.Put(s);
    sockaddr_in to = any;
    to.sin_port = htons(port);
    r.Ret(connect(s, reinterpret_cast<sockaddr*>(&to), sizeof(to)));
    r.Put(LocalPort(s));
    int a = accept4(l, nullptr, nullptr, SOCK_CLOEXEC);
    r.Put(a);
    r.Ret(dup2(s, 1));  // a socket onto stdout (Falco: redirect stdout to network)
    for (int i = 0; i < 10; ++i) {
      char buf[100] = {};
      if (syscall(SYS_write, s, buf, sizeof(buf)) != 100) _exit(90);
      if (syscall(SYS_read, a, buf, sizeof(buf)) != 100) _exit(91);
    }
    // IPv6 loopback.
    int l6 = socket(AF_INET6, SOCK_STREAM, 0);
    sockaddr_in6 a6{};
    a6.sin6_family = AF_INET6;
    a6.sin6_addr = in6addr_loopback;
    bind(l6, reinterpret_cast<sockaddr*>(&a6), sizeof(a6));
    listen(l6, 1);
    a6.sin6_port = htons(LocalPort(l6));
    r.Put(ntohs(a6.sin6_port));
    int s6 = socket(AF_INET6, SOCK_STREAM, 0);
    r.Put(s6);
    r.Ret(connect(s6, reinterpret_cast<sockaddr*>(&a6), sizeof(a6)));
    // UDP sendto with a destination.
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    r.Put(u);
    r.Ret(sendto(u, "hello", 5, 0, reinterpret_cast<sockaddr*>(&to), sizeof(to)));
    // AF_UNIX, path and abstract.
    int ul = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un un{};
    un.sun_family = AF_UNIX;
    std::strncpy(un.sun_path, unix_path.c_str(), sizeof(un.sun_path) - 1);
    r.Ret(bind(ul, reinterpret_cast<sockaddr*>(&un), sizeof(un)));
    listen(ul, 1);
    int uc = socket(AF_UNIX, SOCK_STREAM, 0);
    r.Put(uc);
    r.Ret(connect(uc, reinterpret_cast<sockaddr*>(&un), sizeof(un)));
    int ab = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un abs{};
    abs.sun_family = AF_UNIX;
    const char name[] = "vigil-abstract";
    std::memcpy(abs.sun_path + 1, name, sizeof(name) - 1);
    r.Ret(bind(ab, reinterpret_cast<sockaddr*>(&abs),
               offsetof(sockaddr_un, sun_path) + 1 + sizeof(name) - 1));
  });
  ASSERT_EQ(c.values.size(), 18u);
  const auto& v = c.values;
  const uint16_t port = v[3];
  auto evs = Collect(c.pid);
  const std::array<uint8_t, 4> lo = {127, 0, 0, 1};
  auto is_lo = [&](const Ev& e) { return std::equal(lo.begin(), lo.end(), e.addr.begin()); };

  const Ev* e = Find(evs, SYS_socket, [&](const Ev& x) { return x.ret == v[0]; });
  ASSERT_NE(e, nullptr);
  ExpectTask(*e, c, "vg-net");
  EXPECT_EQ(e->id_arg, static_cast<uint32_t>(AF_INET));
  EXPECT_EQ(e->flags, static_cast<uint64_t>(SOCK_STREAM | SOCK_CLOEXEC));

  e = Find(evs, SYS_bind, [&](const Ev& x) { return x.fd == v[0]; });
  ASSERT_NE(e, nullptr);
  ExpectTask(*e, c, "vg-net");
  EXPECT_EQ(e->ret, 0);
  EXPECT_EQ(e->family, AF_INET);
  EXPECT_EQ(e->port, 0);  // as asked for: any port
  EXPECT_TRUE(is_lo(*e));

  e = Find(evs, SYS_listen);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->fd, v[0]);
  EXPECT_EQ(e->ret, 0);
  EXPECT_EQ(e->family, AF_INET);
  EXPECT_EQ(e->port, port);  // the local address the kernel chose
  EXPECT_TRUE(is_lo(*e));

  e = Find(evs, SYS_connect, [&](const Ev& x) { return x.fd == v[4]; });
  ASSERT_NE(e, nullptr);
  ExpectTask(*e, c, "vg-net");
  EXPECT_EQ(e->ret, 0);
  EXPECT_EQ(e->family, AF_INET);
  EXPECT_EQ(e->port, port);
  EXPECT_TRUE(is_lo(*e));

  e = Find(evs, SYS_accept4);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->fd, v[0]);
  EXPECT_EQ(e->ret, v[7]);
  EXPECT_EQ(e->flags, static_cast<uint64_t>(SOCK_CLOEXEC));
  EXPECT_EQ(e->family, AF_INET);
  EXPECT_EQ(e->port, v[6]);  // the peer: the client's local port
  EXPECT_TRUE(is_lo(*e));

  e = Find(evs, SYS_dup2);
  ASSERT_NE(e, nullptr);
  ExpectTask(*e, c, "vg-net");
  EXPECT_EQ(e->fd, v[4]);
  EXPECT_EQ(e->fd2, 1);
  EXPECT_EQ(e->ret, 1);
  EXPECT_EQ(e->family, AF_INET);  // the socket's peer
  EXPECT_EQ(e->port, port);

  e = Find(evs, SYS_connect, [&](const Ev& x) { return x.fd == v[10]; });
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->family, AF_INET6);
  EXPECT_EQ(e->port, v[9]);
  EXPECT_EQ(e->ret, v[11]);
  std::array<uint8_t, 16> lo6{};
  lo6[15] = 1;
  EXPECT_EQ(e->addr, lo6);

  e = Find(evs, SYS_sendto);
  ASSERT_NE(e, nullptr);
  ExpectTask(*e, c, "vg-net");
  EXPECT_EQ(e->fd, v[12]);
  EXPECT_EQ(e->ret, 5);
  EXPECT_EQ(e->bytes, 5u);
  EXPECT_EQ(e->family, AF_INET);
  EXPECT_EQ(e->port, port);

  e = Find(evs, SYS_bind, [&](const Ev& x) {
    return x.family == AF_UNIX && !x.unix_path.empty() && x.unix_path[0] == '/';
  });
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->unix_path, unix_path);
  e = Find(evs, SYS_connect, [&](const Ev& x) { return x.fd == v[15]; });
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->family, AF_UNIX);
  EXPECT_EQ(e->unix_path, unix_path);
  EXPECT_EQ(e->ret, 0);
  e = Find(evs, SYS_bind, [&](const Ev& x) { return x.unix_path == "@vigil-abstract"; });
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->ret, 0);

  // write/read are counted per process: 10 calls each on sockets, 100 bytes each; the
  // reports written to the pipe are writes too but move no socket bytes.
  uint64_t writes = 0, write_bytes = 0, reads = 0, read_bytes = 0;
  for (const Ev& x : evs) {
    if (x.type != EventType::kSyscallCounts) continue;
    EXPECT_EQ(x.pid, static_cast<uint32_t>(c.pid));
    EXPECT_EQ(x.comm, "vg-net");
    EXPECT_EQ(x.cgroup_id, g_cgroup);
    if (x.syscall == SYS_write) writes += x.count, write_bytes += x.bytes;
    if (x.syscall == SYS_read) reads += x.count, read_bytes += x.bytes;
  }
  EXPECT_EQ(writes, 10u + v.size());  // 10 on the socket + one per report
  EXPECT_EQ(write_bytes, 1000u);
  EXPECT_EQ(reads, 10u);
  EXPECT_EQ(read_bytes, 1000u);
}

// Copies /bin/true to `to`, executable.
void CopyTrue(const std::string& to) {
  fs::copy_file("/bin/true", to, fs::copy_options::overwrite_existing);
  fs::permissions(to, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
}

TEST_F(EbpfSyscallsTest, ExecWithTtyCwdArgsAndExit) {
  const std::string cwd = dir_;
  Child c = Run("vg-exec", [&](const Reporter& r) {
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    if (m < 0 || grantpt(m) != 0 || unlockpt(m) != 0) _exit(80);
    const char* slave = ptsname(m);
    if (setsid() < 0) _exit(81);
    int s = open(slave, O_RDWR);
    if (s < 0 || ioctl(s, TIOCSCTTY, 0) != 0) _exit(82);
    struct stat st {};
    fstat(s, &st);
    r.Put(static_cast<int64_t>(st.st_rdev));
    if (chdir(cwd.c_str()) != 0) _exit(83);
    char* const bad[] = {const_cast<char*>("nope"), nullptr};
    r.Ret(syscall(SYS_execve, "/nonexistent/vigil", bad, environ));
    pid_t g = fork();
    if (g == 0) _exit(7);
    r.Put(g);
    int status = 0;
    waitpid(g, &status, 0);
    char* const argv[] = {const_cast<char*>("true"), const_cast<char*>("x y"),
                          const_cast<char*>("z"), nullptr};
    execve("/bin/true", argv, environ);
    _exit(84);
  });
  ASSERT_EQ(WEXITSTATUS(c.status), 0);
  ASSERT_EQ(c.values.size(), 3u);
  auto evs = Collect(c.pid);

  const Ev* e = Find(evs, SYS_execve);
  ASSERT_NE(e, nullptr);
  ExpectTask(*e, c, "vg-exec");
  EXPECT_EQ(e->path, "/nonexistent/vigil");
  EXPECT_EQ(e->ret, -ENOENT);

  const Ev* x = nullptr;
  const Ev* fork = nullptr;
  const Ev* gexit = nullptr;
  const Ev* cexit = nullptr;
  for (const Ev& ev : evs) {
    if (ev.type == EventType::kProcessExec && ev.pid == static_cast<uint32_t>(c.pid)) x = &ev;
    if (ev.type == EventType::kProcessFork) fork = &ev;
    if (ev.type == EventType::kProcessExit)
      (ev.pid == static_cast<uint32_t>(c.pid) ? cexit : gexit) = &ev;
  }
  ASSERT_NE(x, nullptr);
  ExpectTask(*x, c, "true");
  EXPECT_EQ(x->syscall, -1);
  EXPECT_EQ(x->exe, fs::canonical("/bin/true").string());
  EXPECT_EQ(x->args, std::string("true\0x y\0z\0", 11));
  EXPECT_EQ(x->cwd, cwd);
  EXPECT_EQ(x->tty, static_cast<uint32_t>(c.values[0]));
  EXPECT_NE(x->tty, 0u);
  EXPECT_FALSE(x->memfd);
  EXPECT_FALSE(x->upper);
  EXPECT_TRUE(x->writable);  // root may write anything

  ASSERT_NE(fork, nullptr);
  EXPECT_EQ(fork->pid, static_cast<uint32_t>(c.values[2]));
  EXPECT_EQ(fork->tid, static_cast<uint32_t>(c.values[2]));
  EXPECT_EQ(fork->ppid, static_cast<uint32_t>(c.pid));
  EXPECT_EQ(fork->comm, "vg-exec");
  EXPECT_EQ(fork->cgroup_id, g_cgroup);
  ASSERT_NE(gexit, nullptr);
  EXPECT_EQ(gexit->pid, static_cast<uint32_t>(c.values[2]));
  EXPECT_EQ(gexit->ppid, static_cast<uint32_t>(c.pid));
  EXPECT_EQ(WEXITSTATUS(gexit->ret), 7);
  ASSERT_NE(cexit, nullptr);
  ExpectTask(*cexit, c, "true");
  EXPECT_EQ(cexit->ret, 0);
}

TEST_F(EbpfSyscallsTest, MemfdCreateAndFilelessExec) {
  Child c = Run("vg-memfd", [&](const Reporter& r) {
    int fd = static_cast<int>(syscall(SYS_memfd_create, "vigil-fileless", 0));
    r.Put(fd);
    std::ifstream in("/bin/true", std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (::write(fd, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) _exit(70);
    char* const argv[] = {const_cast<char*>("fileless"), nullptr};
    syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
    _exit(71);
  });
  ASSERT_EQ(WEXITSTATUS(c.status), 0);
  auto evs = Collect(c.pid);
  const Ev* e = Find(evs, SYS_memfd_create);
  ASSERT_NE(e, nullptr);
  ExpectTask(*e, c, "vg-memfd");
  EXPECT_EQ(e->path, "vigil-fileless");
  EXPECT_EQ(e->flags, 0u);
  EXPECT_EQ(e->ret, c.values[0]);
  const Ev* x = nullptr;
  for (const Ev& ev : evs)
    if (ev.type == EventType::kProcessExec) x = &ev;
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->exe, "/memfd:vigil-fileless");
  EXPECT_TRUE(x->memfd);
  EXPECT_FALSE(x->upper);
  EXPECT_EQ(x->args, std::string("fileless\0", 9));
}

TEST_F(EbpfSyscallsTest, FileMetadataCalls) {
  const std::string f = dir_ / "f";
  const std::string g = dir_ / "g";
  const std::string h = dir_ / "h";
  const std::string l = dir_ / "l";
  const std::string s = dir_ / "s";
  const std::string d = dir_ / "d";
  std::ofstream(f) << "x";
  Child c = Run("vg-files", [&](const Reporter& r) {
    r.Ret(syscall(SYS_chmod, f.c_str(), 0600));
    int fd = open(f.c_str(), O_RDONLY);
    r.Put(fd);
    r.Ret(syscall(SYS_fchmod, fd, 0640));
    r.Ret(syscall(SYS_fchmodat, AT_FDCWD, f.c_str(), 0644));
    r.Ret(syscall(SYS_link, f.c_str(), l.c_str()));
    r.Ret(syscall(SYS_linkat, AT_FDCWD, f.c_str(), AT_FDCWD, (l + "2").c_str(), 0));
    r.Ret(syscall(SYS_symlink, f.c_str(), s.c_str()));
    r.Ret(syscall(SYS_symlinkat, f.c_str(), AT_FDCWD, (s + "2").c_str()));
    r.Ret(syscall(SYS_rename, l.c_str(), g.c_str()));
    r.Ret(syscall(SYS_renameat2, AT_FDCWD, g.c_str(), AT_FDCWD, h.c_str(), RENAME_NOREPLACE));
    r.Ret(syscall(SYS_unlink, h.c_str()));
    r.Ret(syscall(SYS_unlinkat, AT_FDCWD, (s + "2").c_str(), 0));
    r.Ret(syscall(SYS_mkdir, d.c_str(), 0750));
    r.Ret(syscall(SYS_chdir, d.c_str()));
    r.Ret(syscall(SYS_rmdir, d.c_str()));
    r.Ret(syscall(SYS_dup, fd));
    r.Ret(syscall(SYS_dup3, fd, 42, O_CLOEXEC));
    r.Ret(syscall(SYS_fchdir, fd));  // not a directory: ENOTDIR
  });
  ASSERT_EQ(c.values.size(), 18u);
  const auto& v = c.values;
  auto evs = Collect(c.pid);
  struct Want {
    int nr;
    std::string path, path2;
    int64_t fd, fd2;
    uint32_t mode;
    uint64_t flags;
    int64_t ret;
  };
  const std::vector<Want> wants = {
      {SYS_chmod, f, "", -1, -1, 0600, 0, v[0]},
      {SYS_fchmod, "", "", v[1], -1, 0640, 0, v[2]},
      {SYS_fchmodat, f, "", AT_FDCWD, -1, 0644, 0, v[3]},
      {SYS_link, f, l, -1, -1, 0, 0, v[4]},
      {SYS_linkat, f, l + "2", AT_FDCWD, AT_FDCWD, 0, 0, v[5]},
      {SYS_symlink, f, s, -1, -1, 0, 0, v[6]},
      {SYS_symlinkat, f, s + "2", -1, AT_FDCWD, 0, 0, v[7]},
      {SYS_rename, l, g, -1, -1, 0, 0, v[8]},
      {SYS_renameat2, g, h, AT_FDCWD, AT_FDCWD, 0, RENAME_NOREPLACE, v[9]},
      {SYS_unlink, h, "", -1, -1, 0, 0, v[10]},
      {SYS_unlinkat, s + "2", "", AT_FDCWD, -1, 0, 0, v[11]},
      {SYS_mkdir, d, "", -1, -1, 0750, 0, v[12]},
      {SYS_chdir, d, "", -1, -1, 0, 0, v[13]},
      {SYS_rmdir, d, "", -1, -1, 0, 0, v[14]},
      {SYS_dup, "", "", v[1], -1, 0, 0, v[15]},
      {SYS_dup3, "", "", v[1], 42, 0, O_CLOEXEC, v[16]},
      {SYS_fchdir, "", "", v[1], -1, 0, 0, -ENOTDIR},
  };
  for (const Want& w : wants) {
    SCOPED_TRACE(::testing::Message() << "syscall " << w.nr);
    const Ev* e = Find(evs, w.nr);
    ASSERT_NE(e, nullptr);
    ExpectTask(*e, c, "vg-files");
    EXPECT_EQ(e->path, w.path);
    EXPECT_EQ(e->path2, w.path2);
    EXPECT_EQ(e->fd, w.fd);
    EXPECT_EQ(e->fd2, w.fd2);
    EXPECT_EQ(e->mode, w.mode);
    EXPECT_EQ(e->flags, w.flags);
    EXPECT_EQ(e->ret, w.ret);
  }
  EXPECT_EQ(v[17], -ENOTDIR);  // what the child saw
}

TEST_F(EbpfSyscallsTest, PrivilegeNamespaceAndKernelCalls) {
  const std::string mnt = dir_ / "mnt";
  fs::create_directories(mnt);
  Child c = Run("vg-priv", [&](const Reporter& r) {
    pid_t g = fork();
    if (g == 0) {
      pause();
      _exit(0);
    }
    r.Put(g);
    r.Ret(syscall(SYS_ptrace, PTRACE_ATTACH, g, 0, 0));
    waitpid(g, nullptr, __WALL);
    r.Ret(syscall(SYS_kill, g, SIGKILL));
    waitpid(g, nullptr, __WALL);
    r.Ret(syscall(SYS_unshare, CLONE_NEWNS));
    r.Put(static_cast<int64_t>(InodeOf("/proc/self/ns/mnt")));
    mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr);
    r.Ret(syscall(SYS_mount, "vigil-tmpfs", mnt.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "size=1m"));
    r.Ret(syscall(SYS_umount2, mnt.c_str(), MNT_DETACH));
    int ns = open("/proc/1/ns/uts", O_RDONLY);
    r.Put(ns);
    r.Ret(syscall(SYS_setns, ns, CLONE_NEWUTS));
    r.Ret(syscall(SYS_bpf, 0x7fff, nullptr, 0));  // an unknown command: EINVAL
    char junk[16] = {};
    r.Ret(syscall(SYS_init_module, junk, sizeof(junk), ""));
    int dn = open("/dev/null", O_RDONLY);
    r.Put(dn);
    r.Ret(syscall(SYS_finit_module, dn, "", 0));
    r.Ret(syscall(SYS_delete_module, "vigil_no_such_module", O_NONBLOCK));
    __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2] = {};
    syscall(SYS_capget, &hdr, data);
    data[0].effective &= ~(1u << CAP_NET_RAW);
    r.Put(static_cast<int64_t>(data[0].effective | (uint64_t{data[1].effective} << 32)));
    r.Ret(syscall(SYS_capset, &hdr, data));
    r.Ret(syscall(SYS_setresgid, 65534, 65534, 65534));
    r.Ret(syscall(SYS_setgid, 65534));
    r.Ret(syscall(SYS_setuid, 65534));  // last: the child is no longer root after this
  });
  ASSERT_EQ(c.values.size(), 19u);
  const auto& v = c.values;
  const uint32_t g = static_cast<uint32_t>(v[0]);
  auto evs = Collect(c.pid);

  const Ev* e = Find(evs, SYS_ptrace);
  ASSERT_NE(e, nullptr);
  ExpectTask(*e, c, "vg-priv");
  EXPECT_EQ(e->flags, static_cast<uint64_t>(PTRACE_ATTACH));
  EXPECT_EQ(e->id_arg, g);
  EXPECT_EQ(e->ret, v[1]);
  e = Find(evs, SYS_kill);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->id_arg, g);
  EXPECT_EQ(e->flags, static_cast<uint64_t>(SIGKILL));
  EXPECT_EQ(e->ret, v[2]);
  e = Find(evs, SYS_unshare);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->flags, static_cast<uint64_t>(CLONE_NEWNS));
  EXPECT_EQ(e->ret, 0);
  EXPECT_EQ(e->mntns, static_cast<uint64_t>(v[4]));  // seen at exit: the new namespace
  EXPECT_NE(e->mntns, g_mntns);
  e = Find(evs, SYS_mount, [&](const Ev& x) { return x.path2 == mnt; });
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->path, "vigil-tmpfs");
  EXPECT_EQ(e->path2, mnt);
  EXPECT_EQ(e->flags, static_cast<uint64_t>(MS_NOSUID | MS_NODEV));
  EXPECT_EQ(e->ret, v[5]);
  EXPECT_EQ(e->ret, 0);
  EXPECT_EQ(e->mntns, static_cast<uint64_t>(v[4]));
  e = Find(evs, SYS_umount2);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->path, mnt);
  EXPECT_EQ(e->flags, static_cast<uint64_t>(MNT_DETACH));
  EXPECT_EQ(e->ret, v[6]);
  e = Find(evs, SYS_setns);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->fd, v[7]);
  EXPECT_EQ(e->flags, static_cast<uint64_t>(CLONE_NEWUTS));
  EXPECT_EQ(e->ret, v[8]);
  e = Find(evs, SYS_bpf);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->flags, 0x7fffu);
  EXPECT_EQ(e->ret, -EINVAL);
  e = Find(evs, SYS_init_module);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->bytes, 16u);
  EXPECT_LT(e->ret, 0);
  e = Find(evs, SYS_finit_module);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->fd, v[11]);
  EXPECT_LT(e->ret, 0);
  e = Find(evs, SYS_delete_module);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->path, "vigil_no_such_module");
  EXPECT_EQ(e->flags, static_cast<uint64_t>(O_NONBLOCK));
  EXPECT_LT(e->ret, 0);
  e = Find(evs, SYS_capset);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->cap_effective, static_cast<uint64_t>(v[14]));
  EXPECT_EQ(e->ret, v[15]);
  e = Find(evs, SYS_setresgid);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->id_arg, 65534u);
  EXPECT_EQ(e->ret, 0);
  EXPECT_EQ(e->gid, 65534u);  // the task's ids as they are after the call
  e = Find(evs, SYS_setgid);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->id_arg, 65534u);
  e = Find(evs, SYS_setuid);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->id_arg, 65534u);
  EXPECT_EQ(e->ret, 0);
  EXPECT_EQ(e->uid, 65534u);
  EXPECT_EQ(e->gid, 65534u);
}

// An overlayfs like a container's root: an executable present in the lower layer only, and
// one written through the merged view (so it lives in the upper layer: drift).
TEST_F(EbpfSyscallsTest, ExecFromOverlayUpperLayer) {
  const fs::path lower = dir_ / "lower", upper = dir_ / "upper", work = dir_ / "work",
                 merged = dir_ / "merged";
  for (const auto& p : {lower, upper, work, merged}) fs::create_directories(p);
  CopyTrue(lower / "lower-true");
  Child c = Run("vg-ovl", [&](const Reporter& r) {
    if (unshare(CLONE_NEWNS) != 0) _exit(60);
    mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr);
    std::string opts =
        "lowerdir=" + lower.string() + ",upperdir=" + upper.string() + ",workdir=" + work.string();
    r.Ret(mount("overlay", merged.c_str(), "overlay", 0, opts.c_str()));
    CopyTrue(merged / "upper-true");
    for (const char* name : {"lower-true", "upper-true"}) {
      pid_t p = fork();
      if (p == 0) {
        std::string path = (merged / name).string();
        execl(path.c_str(), name, nullptr);
        _exit(61);
      }
      int status = 0;
      waitpid(p, &status, 0);
      r.Put(WEXITSTATUS(status));
    }
  });
  ASSERT_EQ(c.values.size(), 3u);
  if (c.values[0] != 0) GTEST_SKIP() << "overlayfs mount failed here";
  ASSERT_EQ(c.values[1], 0);
  ASSERT_EQ(c.values[2], 0);
  auto evs = Collect(c.pid);
  const Ev* lo = nullptr;
  const Ev* up = nullptr;
  for (const Ev& e : evs) {
    if (e.type != EventType::kProcessExec) continue;
    if (e.exe == (merged / "lower-true").string()) lo = &e;
    if (e.exe == (merged / "upper-true").string()) up = &e;
  }
  ASSERT_NE(lo, nullptr);
  ASSERT_NE(up, nullptr);
  EXPECT_FALSE(lo->upper);
  EXPECT_TRUE(up->upper);
  EXPECT_EQ(up->ppid, static_cast<uint32_t>(c.pid));
}

// A thread's calls carry the process's pid and the thread's own tid; its creation is a fork
// event with tid != pid.
TEST_F(EbpfSyscallsTest, ThreadsCarryPidAndTid) {
  const std::string path = dir_ / "from-thread";
  Child c = Run("vg-thread", [&](const Reporter& r) {
    struct Arg {
      const std::string* path;
      int64_t tid = 0;
      int64_t fd = 0;
    } arg{&path};
    pthread_t t;
    pthread_create(
        &t, nullptr,
        [](void* p) -> void* {
          auto* a = static_cast<Arg*>(p);
          a->tid = syscall(SYS_gettid);
          a->fd = syscall(SYS_openat, AT_FDCWD, a->path->c_str(), O_RDONLY | O_CREAT, 0600);
          return nullptr;
        },
        &arg);
    pthread_join(t, nullptr);
    r.Put(arg.tid);
    r.Put(arg.fd);
  });
  ASSERT_EQ(c.values.size(), 2u);
  auto evs = Collect(c.pid);
  const Ev* e = Find(evs, SYS_openat, [&](const Ev& x) { return x.path == path; });
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->pid, static_cast<uint32_t>(c.pid));
  EXPECT_EQ(e->tid, static_cast<uint32_t>(c.values[0]));
  EXPECT_NE(e->tid, e->pid);
  EXPECT_EQ(e->ppid, static_cast<uint32_t>(getpid()));
  EXPECT_EQ(e->ret, c.values[1]);
  EXPECT_EQ(e->comm, "vg-thread");
  const Ev* fork = nullptr;
  for (const Ev& x : evs)
    if (x.type == EventType::kProcessFork) fork = &x;
  ASSERT_NE(fork, nullptr);
  EXPECT_EQ(fork->pid, static_cast<uint32_t>(c.pid));
  EXPECT_EQ(fork->tid, static_cast<uint32_t>(c.values[0]));
}

// chroot and the two- and three-id forms of setuid/setgid.
TEST_F(EbpfSyscallsTest, ChrootAndSetIdForms) {
  const std::string root = dir_;
  Child c = Run("vg-ids", [&](const Reporter& r) {
    r.Ret(syscall(SYS_chroot, root.c_str()));
    r.Ret(syscall(SYS_setregid, -1, 4242));
    r.Ret(syscall(SYS_setreuid, -1, 4243));
    r.Ret(syscall(SYS_setresuid, -1, 4244, -1));  // not permitted any more: EPERM
  });
  ASSERT_EQ(c.values.size(), 4u);
  auto evs = Collect(c.pid);
  const Ev* e = Find(evs, SYS_chroot);
  ASSERT_NE(e, nullptr);
  ExpectTask(*e, c, "vg-ids");
  EXPECT_EQ(e->path, root);
  EXPECT_EQ(e->ret, 0);
  e = Find(evs, SYS_setregid);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->id_arg, 4242u);
  EXPECT_EQ(e->ret, c.values[1]);
  EXPECT_EQ(e->gid, 0u);  // the real gid is unchanged by setregid(-1, x)
  e = Find(evs, SYS_setreuid);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->id_arg, 4243u);
  EXPECT_EQ(e->ret, c.values[2]);
  e = Find(evs, SYS_setresuid);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->id_arg, 4244u);
  EXPECT_EQ(e->ret, -EPERM);
  EXPECT_EQ(e->ret, c.values[3]);
}

// exclude_pids: a second source told to exclude the child sees none of its events, while
// the suite's source sees them.
TEST_F(EbpfSyscallsTest, ExcludedPidsAreFilteredInTheKernel) {
  int go[2];
  ASSERT_EQ(pipe(go), 0);
  const std::string path = dir_ / "excluded";
  pid_t pid = fork();
  if (pid == 0) {
    close(go[1]);
    char b;
    if (read(go[0], &b, 1) != 1) _exit(1);
    syscall(SYS_openat, AT_FDCWD, path.c_str(), O_RDONLY | O_CREAT, 0600);
    _exit(0);
  }
  close(go[0]);
  EbpfOptions options;
  options.exclude_pids = {static_cast<uint32_t>(pid)};
  options.ring_buffer_bytes = 1u << 20;
  auto other = OpenEbpfSource(options);
  ASSERT_TRUE(other.ok()) << other.status();
  ASSERT_EQ(write(go[1], "g", 1), 1);
  close(go[1]);
  waitpid(pid, nullptr, 0);
  int seen_by_other = 0;
  for (int i = 0; i < 5; ++i) {
    auto n = (*other)->Poll(milliseconds(20), [&](const Event& e) {
      if (e.pid == static_cast<uint32_t>(pid)) ++seen_by_other;
    });
    ASSERT_TRUE(n.ok()) << n.status();
  }
  EXPECT_EQ(seen_by_other, 0);
  auto evs = Collect(pid);
  EXPECT_NE(Find(evs, SYS_openat, [&](const Ev& x) { return x.path == path; }), nullptr);
}

// The calls that create fd pairs, and close_range, for the fd table.
TEST_F(EbpfSyscallsTest, PipesSocketpairsAndCloseRange) {
  Child c = Run("vg-pipes", [&](const Reporter& r) {
    int p1[2], p2[2], sv[2];
    r.Ret(syscall(SYS_pipe, p1));
    r.Put(p1[0]);
    r.Put(p1[1]);
    r.Ret(syscall(SYS_pipe2, p2, O_CLOEXEC | O_NONBLOCK));
    r.Put(p2[0]);
    r.Put(p2[1]);
    r.Ret(syscall(SYS_socketpair, AF_UNIX, SOCK_DGRAM, 0, sv));
    r.Put(sv[0]);
    r.Put(sv[1]);
    r.Ret(syscall(SYS_close_range, p2[0], p2[1], 0));
    r.Ret(syscall(SYS_close_range, 200, ~0U, CLOSE_RANGE_CLOEXEC));
  });
  ASSERT_EQ(c.values.size(), 11u);
  const auto& v = c.values;
  auto evs = Collect(c.pid);
  const Ev* e = Find(evs, SYS_pipe);
  ASSERT_NE(e, nullptr);
  ExpectTask(*e, c, "vg-pipes");
  EXPECT_EQ(e->ret, v[0]);
  EXPECT_EQ(e->fd, v[1]);
  EXPECT_EQ(e->fd2, v[2]);
  e = Find(evs, SYS_pipe2);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->ret, v[3]);
  EXPECT_EQ(e->fd, v[4]);
  EXPECT_EQ(e->fd2, v[5]);
  EXPECT_EQ(e->flags, static_cast<uint64_t>(O_CLOEXEC | O_NONBLOCK));
  e = Find(evs, SYS_socketpair);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->ret, v[6]);
  EXPECT_EQ(e->fd, v[7]);
  EXPECT_EQ(e->fd2, v[8]);
  EXPECT_EQ(e->id_arg, static_cast<uint32_t>(AF_UNIX));
  EXPECT_EQ(e->flags, static_cast<uint64_t>(SOCK_DGRAM));
  e = Find(evs, SYS_close_range, [&](const Ev& x) { return x.fd == v[4]; });
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->fd2, v[5]);
  EXPECT_EQ(e->flags, 0u);
  EXPECT_EQ(e->ret, v[9]);
  e = Find(evs, SYS_close_range, [&](const Ev& x) { return x.fd == 200; });
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->fd2, 4294967295);
  EXPECT_EQ(e->flags, static_cast<uint64_t>(CLOSE_RANGE_CLOEXEC));
  EXPECT_EQ(e->ret, v[10]);
}

// With stream_high_volume each read/write is an event of its own, with its byte count.
TEST_F(EbpfSyscallsTest, StreamHighVolumeEmitsEachCall) {
  EbpfOptions options;
  options.stream_high_volume = true;
  options.ring_buffer_bytes = 1u << 20;
  auto stream = OpenEbpfSource(options);
  ASSERT_TRUE(stream.ok()) << stream.status();
  Child c = Run("vg-stream", [&](const Reporter& r) {
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    r.Put(sv[0]);
    for (int i = 0; i < 3; ++i) syscall(SYS_write, sv[0], "abcdefg", 7);
  });
  int writes = 0;
  bool exited = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!exited && std::chrono::steady_clock::now() < deadline) {
    auto n = (*stream)->Poll(milliseconds(20), [&](const Event& e) {
      if (e.pid != static_cast<uint32_t>(c.pid)) return;
      if (e.type == EventType::kProcessExit) exited = true;
      if (e.type == EventType::kSyscall && e.syscall == SYS_write && e.fd == c.values[0]) {
        ++writes;
        EXPECT_EQ(e.ret, 7);
        EXPECT_EQ(e.bytes, 7u);
        EXPECT_EQ(e.comm, "vg-stream");
      }
      EXPECT_NE(e.type, EventType::kSyscallCounts);
    });
    ASSERT_TRUE(n.ok()) << n.status();
  }
  EXPECT_TRUE(exited);
  EXPECT_EQ(writes, 3);
}

// The flush reads only the slots whose dirty bits are set (no periodic scan of every slot), so
// every counted call must reach user space through its bit: a child writes in bursts while the
// source is drained concurrently (so swaps of the bitmap race with the probe's increments), and
// within 50 ms of its exit — far less than the one-second epoch — every write has been counted,
// none twice.
TEST_F(EbpfSyscallsTest, CountsAreExactWhileDrainedConcurrently) {
  constexpr int kBursts = 40;
  constexpr int kPerBurst = 5000;
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_NAME, "vg-bursts");
    int fd = open("/dev/null", O_WRONLY);
    for (int b = 0; b < kBursts; ++b) {
      for (int i = 0; i < kPerBurst; ++i) syscall(SYS_write, fd, "x", 1);
      usleep(2000);
    }
    _exit(0);
  }
  ASSERT_GT(pid, 0);
  uint64_t writes = 0;
  uint64_t drops = 0;
  bool exited = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::chrono::steady_clock::time_point exit_seen;
  while (std::chrono::steady_clock::now() < deadline) {
    auto n = g_source->Poll(milliseconds(5), [&](const Event& e) {
      if (e.type == EventType::kDrops) drops += e.count;
      if (e.pid != static_cast<uint32_t>(pid)) return;
      if (e.type == EventType::kSyscallCounts && e.syscall == SYS_write) writes += e.count;
      if (e.type == EventType::kProcessExit && !exited) {
        exited = true;
        exit_seen = std::chrono::steady_clock::now();
      }
    });
    ASSERT_TRUE(n.ok()) << n.status();
    if (exited && std::chrono::steady_clock::now() - exit_seen > milliseconds(50)) break;
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  ASSERT_TRUE(exited);
  EXPECT_EQ(writes, uint64_t{kBursts} * kPerBurst);
  EXPECT_EQ(drops, 0u);
}

// Counter slots (wire.h): one process on one CPU writing once to each of 7500 fds needs 7500
// keys in that CPU's 8192-slot table with 8 probes, so some find their probes all taken.
// Every call is either counted or reported in kDrops; none is lost silently or counted twice.
// (Fewer fds where RLIMIT_NOFILE's hard limit is lower.)
TEST_F(EbpfSyscallsTest, ManyCounterKeysAreCountedOrReportedAsDrops) {
  Child c = Run("vg-keys", [&](const Reporter& r) {
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(0, &one);
    if (sched_setaffinity(0, sizeof(one), &one) != 0) _exit(70);
    rlimit lim{};
    getrlimit(RLIMIT_NOFILE, &lim);
    lim.rlim_cur = std::min<rlim_t>(lim.rlim_max, 7500 + 64);
    if (setrlimit(RLIMIT_NOFILE, &lim) != 0) _exit(71);
    std::vector<int> fds;
    for (rlim_t i = 0; i + 64 < lim.rlim_cur; ++i) fds.push_back(open("/dev/null", O_WRONLY));
    int ok = 0;
    for (int fd : fds) ok += syscall(SYS_write, fd, "x", 1) == 1;
    r.Put(static_cast<int64_t>(fds.size()));
    r.Put(ok);
  });
  ASSERT_TRUE(WIFEXITED(c.status) && WEXITSTATUS(c.status) == 0) << c.status;
  ASSERT_EQ(c.values.size(), 2u);
  const uint64_t fds = c.values[0];
  EXPECT_EQ(c.values[1], c.values[0]);
  uint64_t writes = 0, bytes = 0, drops = 0;
  bool exited = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  std::chrono::steady_clock::time_point exit_seen;
  while (std::chrono::steady_clock::now() < deadline) {
    auto n = g_source->Poll(milliseconds(20), [&](const Event& e) {
      if (e.type == EventType::kDrops) drops += e.count;
      if (e.pid != static_cast<uint32_t>(c.pid)) return;
      if (e.type == EventType::kSyscallCounts && e.syscall == SYS_write) {
        writes += e.count;
        bytes += e.bytes;
        EXPECT_EQ(e.comm, "vg-keys");
      }
      if (e.type == EventType::kProcessExit && !exited) {
        exited = true;
        exit_seen = std::chrono::steady_clock::now();
      }
    });
    ASSERT_TRUE(n.ok()) << n.status();
    if (exited && std::chrono::steady_clock::now() - exit_seen > milliseconds(100)) break;
  }
  ASSERT_TRUE(exited);
  // One write to /dev/null per fd and two reports to the pipe; drops may include other
  // processes'.
  EXPECT_LE(writes, fds + 2);
  EXPECT_GE(writes + drops, fds + 2);
  EXPECT_GT(writes, fds / 2);
  EXPECT_EQ(bytes, 0u);  // not sockets
  std::printf("%llu keys on one CPU: %llu writes counted, %llu reported as drops\n",
              static_cast<unsigned long long>(fds), static_cast<unsigned long long>(writes),
              static_cast<unsigned long long>(drops));
}

// A ring buffer far too small for a burst: the loss is counted and reported as kDrops.
TEST_F(EbpfSyscallsTest, RingBufferOverflowIsReportedAsDrops) {
  EbpfOptions options;
  options.stream_high_volume = true;
  options.ring_buffer_bytes = 4096;
  auto tiny = OpenEbpfSource(options);
  ASSERT_TRUE(tiny.ok()) << tiny.status();
  Child c = Run("vg-burst", [&](const Reporter&) {
    int fd = open("/dev/null", O_WRONLY);
    for (int i = 0; i < 20000; ++i) syscall(SYS_write, fd, "x", 1);
  });
  uint64_t reported = 0;
  for (int i = 0; i < 10; ++i) {
    auto n = (*tiny)->Poll(milliseconds(20), [&](const Event& e) {
      if (e.type == EventType::kDrops) reported += e.count;
    });
    ASSERT_TRUE(n.ok()) << n.status();
  }
  EXPECT_GT(reported, 0u);
  EXPECT_EQ((*tiny)->Stats().drops, reported);
  (void)c;
}

TEST(EbpfOptionsTest, RejectsBadRingBufferSize) {
  EbpfOptions options;
  options.ring_buffer_bytes = 3000;
  auto s = OpenEbpfSource(options);
  ASSERT_FALSE(s.ok());
  if (s.status().code() == StatusCode::kUnimplemented) GTEST_SKIP() << s.status();
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("power of two"), std::string::npos) << s.status();
}

// Without privileges the error says what is needed.
TEST(EbpfOptionsTest, UnprivilegedLoadSaysWhatIsNeeded) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to drop to an unprivileged user";
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  pid_t pid = fork();
  if (pid == 0) {
    close(p[0]);
    if (setgid(65534) != 0 || setuid(65534) != 0) _exit(2);
    auto s = OpenEbpfSource(EbpfOptions{});
    std::string msg = s.ok() ? "OK" : s.status().ToString();
    if (::write(p[1], msg.data(), msg.size()) < 0) _exit(3);
    _exit(0);
  }
  close(p[1]);
  std::string msg;
  char buf[512];
  ssize_t n;
  while ((n = read(p[0], buf, sizeof(buf))) > 0) msg.append(buf, n);
  close(p[0]);
  waitpid(pid, nullptr, 0);
  if (msg.find("UNIMPLEMENTED") != std::string::npos) GTEST_SKIP() << msg;
  EXPECT_NE(msg.find("PERMISSION_DENIED"), std::string::npos) << msg;
  EXPECT_NE(msg.find("CAP_BPF+CAP_PERFMON"), std::string::npos) << msg;
}

}  // namespace
}  // namespace vigil::runtime
