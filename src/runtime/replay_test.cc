// Event model, syscall table, synthetic builder, and the capture format: every event type
// survives a record -> replay round trip member for member; truncated and corrupted files are
// reported with the file and offset; committed recordings keep replaying (format stability).
#include "runtime/replay.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "base/test_paths.h"
#include "gtest/gtest.h"
#include "runtime/agent.h"
#include "runtime/state.h"
#include "runtime/synthetic.h"
#include "runtime/syscalls.h"

namespace vigil::runtime {
namespace {

// An owning copy of an Event, for comparing what was written with what was replayed.
struct Owned {
  Event e;
  std::string comm, path, path2, exe, args, cwd, unix_path;
  explicit Owned(const Event& ev)
      : e(ev),
        comm(ev.comm),
        path(ev.path),
        path2(ev.path2),
        exe(ev.exe),
        args(ev.args),
        cwd(ev.cwd),
        unix_path(ev.addr.unix_path) {}
};

void ExpectSame(const Event& a, const Event& b, size_t i) {
  SCOPED_TRACE("event " + std::to_string(i));
  EXPECT_EQ(a.type, b.type);
  EXPECT_EQ(a.ts_ns, b.ts_ns);
  EXPECT_EQ(a.pid, b.pid);
  EXPECT_EQ(a.tid, b.tid);
  EXPECT_EQ(a.ppid, b.ppid);
  EXPECT_EQ(a.uid, b.uid);
  EXPECT_EQ(a.gid, b.gid);
  EXPECT_EQ(a.cgroup_id, b.cgroup_id);
  EXPECT_EQ(a.mntns, b.mntns);
  EXPECT_EQ(a.comm, b.comm);
  EXPECT_EQ(a.syscall, b.syscall);
  EXPECT_EQ(a.ret, b.ret);
  EXPECT_EQ(a.fd, b.fd);
  EXPECT_EQ(a.fd2, b.fd2);
  EXPECT_EQ(a.flags, b.flags);
  EXPECT_EQ(a.mode, b.mode);
  EXPECT_EQ(a.id_arg, b.id_arg);
  EXPECT_EQ(a.bytes, b.bytes);
  EXPECT_EQ(a.count, b.count);
  EXPECT_EQ(a.cap_effective, b.cap_effective);
  EXPECT_EQ(a.path, b.path);
  EXPECT_EQ(a.path2, b.path2);
  EXPECT_EQ(a.addr.family, b.addr.family);
  EXPECT_EQ(a.addr.port, b.addr.port);
  EXPECT_EQ(a.addr.addr, b.addr.addr);
  EXPECT_EQ(a.addr.unix_path, b.addr.unix_path);
  EXPECT_EQ(a.exe, b.exe);
  EXPECT_EQ(a.args, b.args);
  EXPECT_EQ(a.cwd, b.cwd);
  EXPECT_EQ(a.tty, b.tty);
  EXPECT_EQ(a.exe_upper_layer, b.exe_upper_layer);
  EXPECT_EQ(a.exe_memfd, b.exe_memfd);
  EXPECT_EQ(a.exe_writable, b.exe_writable);
}

// A container shell doing one of everything the probe captures.
SyntheticBuilder EveryKind() {
  SyntheticBuilder b;
  b.Cgroup(7001).Mntns(4026532500).Pid(4242).Ppid(4000).Comm("containerd-shim");
  b.Fork(4243).Cwd("/srv").Exec("/bin/sh", {"sh", "-c", "id; cat /etc/shadow"}).Tty(34816);
  b.Open("/etc/shadow", O_RDONLY).Read(3, 1234).Close(3);
  b.Open("/etc/cron.d/evil", O_WRONLY | O_CREAT | O_TRUNC, 0644).Ret(-13);
  b.Socket(AF_INET, SOCK_STREAM).Connect("10.1.2.3:443").Sendto("10.1.2.3:443", 512);
  b.Recvfrom(4096).Dup2(4, 0).Dup3(4, 1, O_CLOEXEC);
  b.Socket(AF_INET6, SOCK_STREAM).Bind("[::]:8080").Listen().Accept("[2001:db8::7]:51000");
  b.Socket(AF_UNIX, SOCK_STREAM).Connect("unix:/run/podman/podman.sock");
  b.Socket(AF_UNIX, SOCK_DGRAM).Connect("unix:@abstract-name");
  b.Chmod("/tmp/x", 04755).Fchmod(3, 0777).Unlink("/var/log/wtmp");
  b.Rename("/tmp/a", "/usr/bin/a").Link("/etc/passwd", "/tmp/p").Symlink("/etc", "/tmp/e");
  b.Mkdir("/tmp/.hidden", 0700).Setuid(0).Setgid(0).Capset(~0ull >> 23);
  b.Ptrace(PTRACE_ATTACH, 1).Mount("/dev/sda1", "/mnt", MS_RDONLY).Setns(5, CLONE_NEWNS);
  b.Unshare(CLONE_NEWUSER | CLONE_NEWNS).MemfdCreate("payload", 1).InitModule("rootkit");
  b.FinitModule(6, 0).Bpf(5).Syscall(sys::kClone, 4300);
  b.Exec("/proc/self/fd/7", {"payload"}).Memfd();
  b.Exec("/tmp/dropped", {"dropped", "--flag"}).UpperLayer();
  b.Counts(sys::kRead, 100000, 1u << 30).Counts(sys::kEpollWait, 7);
  b.Drops(812);
  b.Pid(4243, 4250).Open("/proc/1/environ", O_RDONLY);
  b.At(1000).Open("/before/epoch/ordering", O_RDONLY);  // time going backwards survives
  b.Exit(137);
  return b;
}

std::vector<Owned> ReplayAll(EventSource& src) {
  std::vector<Owned> out;
  for (;;) {
    auto n = src.Poll(std::chrono::milliseconds(0), [&](const Event& e) { out.emplace_back(e); });
    if (!n.ok()) {
      EXPECT_TRUE(IsOutOfRange(n.status())) << n.status();
      break;
    }
  }
  return out;
}

TEST(Syscalls, NamesAndNumbers) {
  EXPECT_EQ(SyscallName(257), "openat");
  EXPECT_EQ(SyscallName(0), "read");
  EXPECT_EQ(SyscallName(450), "set_mempolicy_home_node");
  EXPECT_EQ(SyscallName(400), "");  // a gap
  EXPECT_EQ(SyscallName(-1), "");
  EXPECT_EQ(SyscallName(kSyscallTableSize), "");
  EXPECT_EQ(SyscallNumber("execve"), 59);
  EXPECT_EQ(SyscallNumber("nope"), -1);
  // The named constants agree with the table.
  const std::pair<int32_t, const char*> named[] = {
      {sys::kOpenat, "openat"},
      {sys::kOpenat2, "openat2"},
      {sys::kConnect, "connect"},
      {sys::kAccept4, "accept4"},
      {sys::kMemfdCreate, "memfd_create"},
      {sys::kFinitModule, "finit_module"},
      {sys::kRenameat2, "renameat2"},
      {sys::kExecveat, "execveat"},
      {sys::kSetns, "setns"},
      {sys::kBpf, "bpf"},
      {sys::kPtrace, "ptrace"},
      {sys::kDup3, "dup3"},
      {sys::kFchmodat, "fchmodat"},
      {sys::kSymlinkat, "symlinkat"},
  };
  for (const auto& [nr, name] : named) EXPECT_EQ(SyscallName(nr), name) << nr;
}

TEST(EventModel, NamesAndAddresses) {
  EXPECT_EQ(EventTypeName(EventType::kProcessExec), "exec");
  EXPECT_EQ(EventTypeName(EventType::kDrops), "drops");
  auto v4 = ParseSockAddr("10.0.0.1:443");
  ASSERT_TRUE(v4.ok()) << v4.status();
  EXPECT_EQ(SockAddrToString(*v4), "10.0.0.1:443");
  auto v6 = ParseSockAddr("[::1]:80");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(SockAddrToString(*v6), "[::1]:80");
  auto ux = ParseSockAddr("unix:/run/x.sock");
  ASSERT_TRUE(ux.ok());
  EXPECT_EQ(SockAddrToString(*ux), "unix:/run/x.sock");
  EXPECT_EQ(SockAddrToString(SockAddr{}), "");
  EXPECT_FALSE(ParseSockAddr("10.0.0.1").ok());
  EXPECT_FALSE(ParseSockAddr("10.0.0.1:99999").ok());
  EXPECT_FALSE(ParseSockAddr("example.com:80").ok());
  EXPECT_FALSE(ParseSockAddr("[::1:80").ok());
}

TEST(Synthetic, BuilderDefaultsAndContext) {
  SyntheticBuilder b;
  b.Exec("/bin/sh", {"sh", "-c", "id"}).Open("/etc/shadow", O_RDONLY).Connect("10.0.0.1:443");
  ASSERT_TRUE(b.status().ok());
  const auto& ev = b.events();
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_EQ(ev[0].type, EventType::kProcessExec);
  EXPECT_EQ(ev[0].pid, 1000u);
  EXPECT_EQ(ev[0].tid, 1000u);
  EXPECT_EQ(ev[0].cgroup_id, 1u);
  EXPECT_EQ(ev[0].comm, "sh");
  EXPECT_EQ(ev[0].args, std::string_view("sh\0-c\0id\0", 9));
  EXPECT_EQ(ev[1].syscall, sys::kOpenat);
  EXPECT_EQ(ev[1].path, "/etc/shadow");
  EXPECT_EQ(ev[1].ret, 3);
  EXPECT_EQ(ev[1].comm, "sh");
  EXPECT_EQ(ev[1].ts_ns, ev[0].ts_ns + 1000);
  EXPECT_EQ(SockAddrToString(ev[2].addr), "10.0.0.1:443");

  SyntheticBuilder bad;
  bad.Connect("nowhere");
  EXPECT_FALSE(bad.status().ok());

  auto src = b.Build();
  auto got = ReplayAll(*src);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(src->Stats().events, 3u);
  EXPECT_EQ(src->Describe(), "synthetic");
}

TEST(Replay, RoundTripEveryEventType) {
  SyntheticBuilder b = EveryKind();
  ASSERT_TRUE(b.status().ok()) << b.status();
  std::string file;
  CaptureInfo info = CaptureInfo::ForThisHost("synthetic");
  auto w = RecordWriter::CreateInMemory(&file, info);
  for (const Event& e : b.events()) ASSERT_TRUE(w->Write(e).ok());
  ASSERT_TRUE(w->Close().ok());
  EXPECT_EQ(w->events(), b.events().size());

  auto src = ReplaySource::OpenBuffer(file, "mem.vgl");
  ASSERT_TRUE(src.ok()) << src.status();
  EXPECT_EQ((*src)->info().hostname, info.hostname);
  EXPECT_EQ((*src)->info().kernel_release, info.kernel_release);
  EXPECT_EQ((*src)->info().source, "synthetic");
  EXPECT_EQ((*src)->info().boot_to_wall_ns, info.boot_to_wall_ns);
  EXPECT_EQ((*src)->info().created_ns, info.created_ns);
  auto got = ReplayAll(**src);
  ASSERT_EQ(got.size(), b.events().size());
  for (size_t i = 0; i < got.size(); ++i) ExpectSame(got[i].e, b.events()[i], i);
  std::set<EventType> types;
  for (const auto& o : got) types.insert(o.e.type);
  EXPECT_EQ(types.size(), 6u) << "every event type is covered";
  EXPECT_EQ((*src)->Stats().drops, 812u);
  EXPECT_EQ((*src)->Stats().bytes, file.size());
}

TEST(Replay, ManyBlocksFromAFileAndRecordOfReplayIsIdentical) {
  // Enough events for many blocks, with long and repeated strings.
  SyntheticBuilder b;
  std::string long_path(3000, 'x');
  for (int i = 0; i < 20000; ++i) {
    b.Pid(100 + i % 50).Cgroup(1 + i % 7).Open(i % 100 == 0 ? long_path : "/etc/hosts", 0);
    if (i % 3 == 0) b.Connect("192.168.0." + std::to_string(i % 250) + ":80");
  }
  auto dir =
      std::filesystem::temp_directory_path() / ("vigil-replay-test-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::string first = (dir / "a.vgl").string(), second = (dir / "b.vgl").string();
  {
    auto w = RecordWriter::Create(first, CaptureInfo::ForThisHost("synthetic"));
    ASSERT_TRUE(w.ok()) << w.status();
    for (const Event& e : b.events()) ASSERT_TRUE((*w)->Write(e).ok());
    ASSERT_TRUE((*w)->Close().ok());
  }
  // Replay the file and record what it delivers: the second recording's events are the same.
  auto src = ReplaySource::Open(first);
  ASSERT_TRUE(src.ok()) << src.status();
  {
    auto w = RecordWriter::Create(second, (*src)->info());
    ASSERT_TRUE(w.ok());
    for (;;) {
      auto n = (*src)->Poll(std::chrono::milliseconds(0),
                            [&](const Event& e) { ASSERT_TRUE((*w)->Write(e).ok()); });
      if (!n.ok()) break;
    }
    ASSERT_TRUE((*w)->Close().ok());
  }
  auto again = ReplaySource::Open(second);
  ASSERT_TRUE(again.ok()) << again.status();
  auto got = ReplayAll(**again);
  ASSERT_EQ(got.size(), b.events().size());
  for (size_t i = 0; i < got.size(); ++i) ExpectSame(got[i].e, b.events()[i], i);
  // The two files are byte-identical (deterministic encoding).
  std::ifstream fa(first, std::ios::binary), fb(second, std::ios::binary);
  std::string ba((std::istreambuf_iterator<char>(fa)), {});
  std::string bb((std::istreambuf_iterator<char>(fb)), {});
  EXPECT_EQ(ba, bb);
  // Compact: besides the 200 long literal paths, an event costs well under 32 bytes.
  EXPECT_LT(ba.size(), b.events().size() * 32 + 200 * long_path.size());
  std::filesystem::remove_all(dir);
}

std::string Recording(int events) {
  SyntheticBuilder b;
  for (int i = 0; i < events; ++i) b.Open("/etc/file" + std::to_string(i % 10), 0);
  std::string file;
  auto w = RecordWriter::CreateInMemory(&file, CaptureInfo{});
  for (const Event& e : b.events()) (void)w->Write(e);
  (void)w->Close();
  return file;
}

Status ReplayError(std::string data, size_t* delivered = nullptr,
                   const ReplayOptions& options = {}) {
  auto src = ReplaySource::OpenBuffer(std::move(data), "bad.vgl", options);
  if (!src.ok()) return src.status();
  size_t n = 0;
  for (;;) {
    auto r = (*src)->Poll(std::chrono::milliseconds(0), [&](const Event&) { ++n; });
    if (!r.ok()) {
      if (delivered != nullptr) *delivered = n;
      return r.status();
    }
  }
}

TEST(Replay, TruncatedFileNamesTheOffset) {
  std::string full = Recording(10000);  // several blocks
  size_t all = 0;
  EXPECT_TRUE(IsOutOfRange(ReplayError(full, &all)));
  EXPECT_EQ(all, 10000u);
  // Every cut point: never a crash; cut inside a block is DataLoss naming the offset, and
  // only whole blocks before it were delivered.
  for (size_t cut : {full.size() - 1, full.size() - 100, full.size() / 2, size_t{60}}) {
    size_t n = 0;
    Status s = ReplayError(full.substr(0, cut), &n);
    EXPECT_EQ(s.code(), StatusCode::kDataLoss) << cut << ": " << s;
    EXPECT_NE(s.message().find("bad.vgl: offset "), std::string::npos) << s;
    EXPECT_NE(s.message().find("truncated"), std::string::npos) << s;
    EXPECT_LT(n, 10000u);
  }
  // Header cut short.
  Status h = ReplayError(full.substr(0, 20));
  EXPECT_EQ(h.code(), StatusCode::kDataLoss) << h;
  // Tolerated: the lost block becomes a kDrops event with its record count.
  ReplayOptions tolerate;
  tolerate.tolerate_truncated_tail = true;
  auto src = ReplaySource::OpenBuffer(full.substr(0, full.size() - 10), "cut.vgl", tolerate);
  ASSERT_TRUE(src.ok());
  auto got = ReplayAll(**src);
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.back().e.type, EventType::kDrops);
  EXPECT_EQ(got.size() - 1 + got.back().e.count, 10000u);
}

TEST(Replay, CorruptionIsDetected) {
  std::string full = Recording(3000);
  // Flip one byte in every position of the first 300 bytes and a stride after: always an
  // error or (for bytes the format does not check, none here) identical events.
  for (size_t i = 0; i < full.size(); i += (i < 300 ? 1 : 997)) {
    std::string bad = full;
    bad[i] = static_cast<char>(bad[i] ^ 0x5a);
    size_t n = 0;
    Status s = ReplayError(bad, &n);
    EXPECT_FALSE(IsOutOfRange(s)) << "flipped byte " << i << " went unnoticed";
  }
  Status magic = ReplayError("not a capture at all");
  EXPECT_EQ(magic.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(magic.message().find("not a Vigil capture"), std::string::npos);
  std::string v3 = full;
  v3[8] = 3;
  EXPECT_NE(ReplayError(v3).message().find("version 3"), std::string::npos);
  std::string crc = full;
  crc[crc.size() - 5] ^= 1;
  Status cs = ReplayError(crc);
  EXPECT_NE(cs.message().find("checksum mismatch"), std::string::npos) << cs;
  EXPECT_TRUE(IsNotFound(ReplaySource::Open("/nonexistent/x.vgl").status()));
}

TEST(Replay, PacingFollowsRecordedTime) {
  SyntheticBuilder b;
  b.Step(20'000'000);  // 20 ms apart
  for (int i = 0; i < 6; ++i) b.Close(i);
  std::string file;
  auto w = RecordWriter::CreateInMemory(&file, CaptureInfo{});
  for (const Event& e : b.events()) ASSERT_TRUE(w->Write(e).ok());
  ASSERT_TRUE(w->Close().ok());
  ReplayOptions paced;
  paced.pace = true;
  paced.speed = 2.0;  // 10 ms apart: 50 ms total
  auto src = ReplaySource::OpenBuffer(file, "paced.vgl", paced);
  ASSERT_TRUE(src.ok());
  auto start = std::chrono::steady_clock::now();
  auto got = ReplayAll(**src);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(got.size(), 6u);
  EXPECT_GE(took, std::chrono::milliseconds(45));
  EXPECT_LT(took, std::chrono::milliseconds(2000));
}

TEST(Crc32c, HardwareAndSoftwareAgree) {
  const char* check = "123456789";  // the standard check value of CRC-32C
  EXPECT_EQ(Crc32c(check, 9), 0xE3069283u);
  EXPECT_EQ(Crc32cSoftware(check, 9), 0xE3069283u);
  std::mt19937_64 rng(7);
  std::string buf(70000, '\0');
  for (char& c : buf) c = static_cast<char>(rng());
  // Every length up to 300 at every alignment mod 8, long blocks, and chained calls.
  for (size_t len = 0; len <= 300; ++len) {
    for (size_t off = 0; off < 8; ++off) {
      uint32_t seed = static_cast<uint32_t>(rng());
      ASSERT_EQ(Crc32c(buf.data() + off, len, seed), Crc32cSoftware(buf.data() + off, len, seed))
          << "len " << len << " offset " << off;
    }
  }
  for (int i = 0; i < 50; ++i) {
    size_t off = rng() % 1000, len = rng() % (buf.size() - 1000);
    ASSERT_EQ(Crc32c(buf.data() + off, len), Crc32cSoftware(buf.data() + off, len));
    size_t cut = len / 3;
    EXPECT_EQ(Crc32c(buf.data() + off + cut, len - cut, Crc32c(buf.data() + off, cut)),
              Crc32cSoftware(buf.data() + off, len));
  }
  std::printf("crc32 instruction used: %s\n", Crc32cHardware() ? "yes" : "no");
}

// A replay's State as the agent builds it: events alone, no lookups on this host.
std::unique_ptr<State> ReplayState() {
  StateOptions so;
  so.query_runtimes = false;
  so.async_metadata = false;
  so.proc_root = "/dev/null/proc";
  so.cgroup_root = "/dev/null/cgroup";
  so.host_root = "/dev/null/host";
  auto state = State::Create(so);
  EXPECT_TRUE(state.ok()) << state.status();
  return state.ok() ? std::move(*state) : nullptr;
}

void ExpectSameContainer(const ContainerInfo& a, const ContainerInfo& b, size_t i) {
  SCOPED_TRACE("event " + std::to_string(i));
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.runtime, b.runtime);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.image, b.image);
  EXPECT_EQ(a.image_digest, b.image_digest);
  EXPECT_EQ(a.labels, b.labels);
  EXPECT_EQ(a.pod, b.pod);
  EXPECT_EQ(a.pod_namespace, b.pod_namespace);
  EXPECT_EQ(a.workload, b.workload);
  EXPECT_EQ(a.cgroup_id, b.cgroup_id);
  EXPECT_EQ(a.cgroup_path, b.cgroup_path);
}

ContainerInfo Podman(uint64_t cgroup, char hex, std::string name, std::string image) {
  ContainerInfo c;
  c.id = std::string(64, hex);
  c.runtime = "podman";
  c.name = std::move(name);
  c.image = std::move(image);
  if (!c.image.empty()) c.image_digest = "sha256:" + std::string(64, 'd');
  c.cgroup_id = cgroup;
  c.cgroup_path = "/machine.slice/libpod-" + c.id + ".scope";
  return c;
}

// A recording with container records: the id-only first sight of a container, its metadata
// merged later, a second container, a change of image, a cgroup that goes back to the host,
// across many blocks. Written with the in-memory writer together with what a live State
// would have answered for each event; the replay, through State::SetContainerInfo, answers
// the same ContainerInfo for every event.
struct ContainerRecording {
  std::string file;
  SyntheticBuilder builder;          // owns the events' strings
  std::vector<ContainerInfo> truth;  // per event: the container of its cgroup
  size_t records = 0;
  const std::vector<Event>& events() const { return builder.events(); }
};

ContainerRecording WriteContainerRecording() {
  ContainerRecording r;
  ContainerInfo host;
  host.runtime = "host";
  host.cgroup_id = 1;
  host.cgroup_path = "/";
  ContainerInfo web = Podman(7001, 'a', "", "");  // first sight: id only
  ContainerInfo web_full = Podman(7001, 'a', "web", "docker.io/library/nginx:1.25");
  web_full.labels = {{"app", "web"}, {"io.kubernetes.pod.uid", "1234-5678"}, {"tier", ""}};
  web_full.pod = "web-7d9f";
  web_full.pod_namespace = "shop";
  web_full.workload = "Deployment/web";
  ContainerInfo db = Podman(7002, 'b', "db", "docker.io/library/postgres:16");
  ContainerInfo web_new = web_full;
  web_new.image = "docker.io/library/nginx:1.27";
  // Phase k's change is recorded before its events (3000 each: several blocks).
  const std::vector<std::pair<uint64_t, ContainerInfo>> changes = {
      {7001, web}, {7001, web_full}, {7002, db}, {7001, web_new}, {7002, host}};
  constexpr int kPerPhase = 3000;
  SyntheticBuilder& b = r.builder;
  for (size_t phase = 0; phase <= changes.size(); ++phase) {
    b.At(1767225600000000000ull + phase * 1000000000ull);
    for (int i = 0; i < kPerPhase; ++i) {
      uint64_t cgroup = i % 3 == 0 ? 7001 : i % 3 == 1 ? 7002 : 1;
      b.Pid(100 + i % 7).Cgroup(cgroup).Comm(i % 2 ? "nginx" : "postgres");
      b.Open("/var/lib/data/" + std::to_string(i % 50), O_RDONLY);
    }
  }
  std::map<uint64_t, ContainerInfo> current;
  auto w = RecordWriter::CreateInMemory(&r.file, CaptureInfo::ForThisHost("synthetic"));
  for (size_t i = 0; i < b.events().size(); ++i) {
    size_t phase = i / kPerPhase;
    if (i % kPerPhase == 0 && phase < changes.size()) {
      current[changes[phase].first] = changes[phase].second;
      EXPECT_TRUE(w->WriteContainer(changes[phase].first, changes[phase].second).ok());
      ++r.records;
    }
    const Event& e = b.events()[i];
    EXPECT_TRUE(w->Write(e).ok());
    auto it = current.find(e.cgroup_id);
    r.truth.push_back(it == current.end() ? host : it->second);
  }
  EXPECT_TRUE(w->Close().ok());
  EXPECT_EQ(w->containers(), r.records);
  return r;
}

TEST(Replay, ContainerRecordsAttributeEveryEventAsLive) {
  ContainerRecording rec = WriteContainerRecording();
  std::unique_ptr<State> state = ReplayState();
  ASSERT_NE(state, nullptr);
  ReplayOptions ro;
  size_t callbacks = 0;
  ro.on_container = [&](uint64_t cgroup, const ContainerInfo& info) {
    ++callbacks;
    state->SetContainerInfo(cgroup, info);
  };
  auto src = ReplaySource::OpenBuffer(rec.file, "containers.vgl", ro);
  ASSERT_TRUE(src.ok()) << src.status();
  EXPECT_EQ((*src)->version(), 2);
  size_t i = 0;
  for (;;) {
    auto n = (*src)->Poll(std::chrono::milliseconds(0), [&](const Event& e) {
      ASSERT_LT(i, rec.events().size());
      ExpectSame(e, rec.events()[i], i);
      state->Apply(e);
      ExpectSameContainer(state->Container(e.cgroup_id), rec.truth[i], i);
      ++i;
    });
    if (!n.ok()) {
      EXPECT_TRUE(IsOutOfRange(n.status())) << n.status();
      break;
    }
  }
  EXPECT_EQ(i, rec.events().size());
  EXPECT_EQ(callbacks, rec.records);
  EXPECT_EQ((*src)->container_records(), rec.records);
  EXPECT_EQ((*src)->Stats().events, rec.events().size());  // records are not events
  // Without a callback the records are checked and skipped: the same events.
  auto plain = ReplaySource::OpenBuffer(rec.file, "containers.vgl");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(ReplayAll(**plain).size(), rec.events().size());
}

// The agent wires both sides: replaying a recording with container records feeds its State,
// and recording that replay writes container records again, so the second recording
// attributes every event the same way.
TEST(Replay, AgentRecordsTheContainersItsStateSaw) {
  ContainerRecording rec = WriteContainerRecording();
  auto dir =
      std::filesystem::temp_directory_path() / ("vigil-replay-agent-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::string in = (dir / "in.vgl").string(), out = (dir / "out.vgl").string();
  {
    std::ofstream f(in, std::ios::binary);
    f << rec.file;
  }
  AgentOptions o;
  o.replay = in;
  o.record = out;
  o.output = (dir / "alerts.jsonl").string();
  o.hostname = "test";
  auto agent = Agent::Create(o);
  ASSERT_TRUE(agent.ok()) << agent.status();
  ASSERT_TRUE((*agent)->summary().state_enabled) << (*agent)->summary().state_note;
  std::atomic<bool> stop{false};
  ASSERT_TRUE((*agent)->Run(stop).ok());
  EXPECT_EQ((*agent)->summary().recorded, rec.events().size());
  // One record per change that an event of the cgroup saw (the writer's five, here).
  EXPECT_EQ((*agent)->summary().recorded_containers, rec.records);
  std::unique_ptr<State> state = ReplayState();
  ReplayOptions ro;
  ro.on_container = [&](uint64_t cgroup, const ContainerInfo& info) {
    state->SetContainerInfo(cgroup, info);
  };
  auto src = ReplaySource::Open(out, ro);
  ASSERT_TRUE(src.ok()) << src.status();
  size_t i = 0;
  for (;;) {
    auto n = (*src)->Poll(std::chrono::milliseconds(0), [&](const Event& e) {
      ASSERT_LT(i, rec.truth.size());
      state->Apply(e);
      ExpectSameContainer(state->Container(e.cgroup_id), rec.truth[i], i);
      ++i;
    });
    if (!n.ok()) break;
  }
  EXPECT_EQ(i, rec.events().size());
  std::filesystem::remove_all(dir);
}

TEST(Replay, Version1HasNoContainerRecords) {
  ContainerRecording rec = WriteContainerRecording();
  // The same bytes labelled version 1 (header checksum recomputed): the container record
  // is an unknown record type there.
  std::string v1 = rec.file;
  v1[8] = 1;
  uint16_t header =
      static_cast<uint16_t>(static_cast<uint8_t>(v1[10]) | (static_cast<uint8_t>(v1[11]) << 8));
  uint32_t crc = Crc32c(v1.data(), header - 4u);
  for (int k = 0; k < 4; ++k) v1[header - 4 + k] = static_cast<char>((crc >> (8 * k)) & 0xff);
  Status s = ReplayError(v1);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss) << s;
  EXPECT_NE(s.message().find("unknown record type 64"), std::string::npos) << s;
  EXPECT_NE(s.message().find("bad.vgl: offset "), std::string::npos) << s;
}

// Recordings committed under testdata/runtime/replay/<case>/ replay to the events (and
// container records) listed in expected.txt beside them: a format change that breaks old
// recordings fails here. `basic` and its damaged copies are version 1, `containers` version 2.
TEST(Replay, CommittedRecordingsStillReplay) {
  std::filesystem::path dir =
      std::filesystem::path(test_paths::SourceDir()) / "testdata/runtime/replay";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << dir << " is absent";
  int cases = 0;
  for (const auto& c : std::filesystem::directory_iterator(dir)) {
    if (!std::filesystem::exists(c.path() / "capture.vgl")) continue;
    ++cases;
    SCOPED_TRACE(c.path().string());
    std::ifstream want_in(c.path() / "expected.txt");
    std::string want((std::istreambuf_iterator<char>(want_in)), {});
    std::string got;
    // Version 2 container records: one line each, where they come in the stream.
    ReplayOptions ro;
    ro.on_container = [&](uint64_t cgroup, const ContainerInfo& info) {
      got += "container " + std::to_string(cgroup) + " " + info.id.substr(0, 12) + " " +
             info.runtime + " " + info.name + " " + info.image + " " + info.pod_namespace + "/" +
             info.pod + " " + std::to_string(info.labels.size()) + " labels\n";
    };
    auto src = ReplaySource::Open((c.path() / "capture.vgl").string(), ro);
    if (!src.ok()) {
      got = "error: " + src.status().ToString() + "\n";
    } else {
      for (;;) {
        auto n = (*src)->Poll(std::chrono::milliseconds(0), [&](const Event& e) {
          got += std::string(EventTypeName(e.type)) + " " + std::to_string(e.ts_ns) + " " +
                 std::to_string(e.pid) + " " + std::string(SyscallName(e.syscall)) + " " +
                 std::string(e.path) + " " + SockAddrToString(e.addr) + "\n";
        });
        if (!n.ok()) {
          if (!IsOutOfRange(n.status())) got += "error: " + n.status().ToString() + "\n";
          break;
        }
      }
    }
    // The error text names the file by its path: compare without the directory.
    std::string prefix = c.path().string() + "/";
    for (size_t at; (at = got.find(prefix)) != std::string::npos;) got.erase(at, prefix.size());
    EXPECT_EQ(got, want);
  }
  EXPECT_GT(cases, 0);
}

}  // namespace
}  // namespace vigil::runtime
