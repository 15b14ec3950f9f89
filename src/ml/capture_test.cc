#include "ml/capture.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "base/test_paths.h"
#include "ml/behaviour_testutil.h"
#include "ml/syscall_category.h"
#include "runtime/capabilities.h"
#include "runtime/replay.h"
#include "runtime/state.h"
#include "runtime/synthetic.h"
#include "runtime/syscalls.h"

namespace vigil::ml {
namespace {

using testing::Inject;
using testing::kWebCgroup;

std::multiset<std::string> Objects(const Trace& t, ActivityKind kind) {
  std::multiset<std::string> out;
  for (const Activity& a : t.activities) {
    if (a.kind == kind) out.insert(a.object);
  }
  return out;
}

// `n` copies of `object`.
std::multiset<std::string> Many(size_t n, const std::string& object) {
  std::multiset<std::string> out;
  for (size_t i = 0; i < n; ++i) out.insert(object);
  return out;
}

const Trace* Find(const std::vector<Trace>& traces, std::string_view group) {
  for (const Trace& t : traces) {
    if (t.group == group) return &t;
  }
  return nullptr;
}

TEST(CaptureTest, WebServerWorkloadAndActivities) {
  std::vector<Trace> traces = testing::WebServerTraces(1, Inject::kShell);
  // conmon on the host, the container (named by the workloads map).
  ASSERT_EQ(traces.size(), 2u);
  const Trace* host = Find(traces, "/usr/bin/conmon");
  const Trace* web = Find(traces, "web");
  ASSERT_NE(host, nullptr);
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(web->id, "web-1#web");
  EXPECT_EQ(web->table, SyscallTable::kX86_64);
  EXPECT_EQ(web->calls.size(), web->tids.size());
  EXPECT_EQ(web->calls.size(), web->ts_ns.size());
  EXPECT_TRUE(std::is_sorted(web->ts_ns.begin(), web->ts_ns.end()));

  // Executions: nginx (started by conmon, in the container's cgroup) and the injected shell
  // (started by the nginx worker).
  std::vector<std::pair<std::string, std::string>> execs;
  for (const Activity& a : web->activities) {
    if (a.kind == ActivityKind::kExec) execs.emplace_back(a.subject, a.object);
  }
  ASSERT_EQ(execs.size(), 2u);
  EXPECT_EQ(execs[0],
            std::make_pair(std::string("/usr/bin/conmon"), std::string("/usr/sbin/nginx")));
  EXPECT_EQ(execs[1], std::make_pair(std::string("/usr/sbin/nginx"), std::string("/bin/sh")));

  EXPECT_EQ(Objects(*web, ActivityKind::kListen), std::multiset<std::string>{"tcp/80"});
  std::multiset<std::string> caps = Objects(*web, ActivityKind::kCapability);
  EXPECT_EQ(caps, (std::multiset<std::string>{"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_SETGID",
                                              "CAP_SETUID", "CAP_NET_BIND_SERVICE"}));
  std::set<std::string> users;
  for (const std::string& u : Objects(*web, ActivityKind::kUser)) users.insert(u);
  EXPECT_EQ(users, (std::set<std::string>{"0", "101"}));

  std::set<std::string> written;
  for (const std::string& f : Objects(*web, ActivityKind::kFileWrite)) {
    written.insert(f.substr(0, f.rfind('/')));
  }
  EXPECT_EQ(written,
            (std::set<std::string>{"/var/run", "/var/log/nginx", "/var/cache/nginx/client_temp"}));
  EXPECT_TRUE(Objects(*web, ActivityKind::kSensitiveRead).empty());
  for (const std::string& peer : Objects(*web, ActivityKind::kConnect)) {
    EXPECT_EQ(peer, "10.0.1.5:8080");
  }
  for (const std::string& peer : Objects(*web, ActivityKind::kAccept)) {
    EXPECT_EQ(peer.substr(0, 7), "10.0.0.") << peer;
    EXPECT_EQ(peer.find(':'), std::string::npos) << "accepted peers carry no port: " << peer;
  }
  uint64_t in = 0, out = 0;
  for (const Activity& a : web->activities) {
    if (a.kind == ActivityKind::kBytesIn) in += a.amount;
    if (a.kind == ActivityKind::kBytesOut) out += a.amount;
  }
  EXPECT_GT(in, 0u);
  EXPECT_GT(out, in);

  // Counted calls are counts, not calls; execve and clone are added for lifecycle events.
  ASSERT_FALSE(web->counts.empty());
  for (const Trace::CallCount& c : web->counts) {
    EXPECT_TRUE(c.syscall == runtime::sys::kRead || c.syscall == runtime::sys::kWrite ||
                c.syscall == runtime::sys::kEpollWait);
  }
  EXPECT_EQ(std::count(web->calls.begin(), web->calls.end(), runtime::sys::kRead), 0);
  EXPECT_EQ(std::count(web->calls.begin(), web->calls.end(), runtime::sys::kExecve), 2);
  EXPECT_EQ(std::count(web->calls.begin(), web->calls.end(), runtime::sys::kClone), 2);
}

TEST(CaptureTest, InjectedBehaviours) {
  Trace shadow = testing::WebServerTrace(1, Inject::kShadowRead);
  EXPECT_EQ(Objects(shadow, ActivityKind::kSensitiveRead),
            std::multiset<std::string>{"/etc/shadow"});
  Trace evil = testing::WebServerTrace(1, Inject::kUsrBinWrite);
  EXPECT_EQ(Objects(evil, ActivityKind::kFileWrite).count("/usr/bin/evil"), 1u);
  Trace peer = testing::WebServerTrace(1, Inject::kNewPeer);
  EXPECT_EQ(Objects(peer, ActivityKind::kConnect).count("203.0.113.9:4444"), 1u);
  Trace burst = testing::WebServerTrace(1, Inject::kConnectBurst);
  EXPECT_EQ(
      Objects(burst, ActivityKind::kConnect).size(),
      Objects(testing::WebServerTrace(1, Inject::kNone), ActivityKind::kConnect).size() + 300);
}

TEST(CaptureTest, HostProcessesGroupByExecutableWithoutWorkloadNames) {
  runtime::SyntheticBuilder b;
  testing::BuildWebServer(b, 3, Inject::kShell, 2);
  auto source = b.Build();
  auto traces = TracesFromSource(source.get(), "x");
  ASSERT_TRUE(traces.ok()) << traces.status();
  std::set<std::string> groups;
  for (const Trace& t : *traces) groups.insert(t.group);
  // Unresolved containers: each program is its own workload; the shell's execution belongs
  // to the nginx worker that started it.
  EXPECT_EQ(groups, (std::set<std::string>{"/usr/bin/conmon", "/usr/sbin/nginx", "/bin/sh"}));
  const Trace* nginx = Find(*traces, "/usr/sbin/nginx");
  ASSERT_NE(nginx, nullptr);
  EXPECT_EQ(Objects(*nginx, ActivityKind::kExec).count("/bin/sh"), 1u);
  const Trace* conmon = Find(*traces, "/usr/bin/conmon");
  ASSERT_NE(conmon, nullptr);
  EXPECT_EQ(Objects(*conmon, ActivityKind::kExec).count("/usr/sbin/nginx"), 1u);
}

TEST(CaptureTest, PathsResolveAgainstCwdAndDirfd) {
  runtime::SyntheticBuilder b;
  b.Exec("/usr/bin/app", {"app"}).Cwd("/srv/data");
  b.Syscall(runtime::sys::kMkdir);                  // no path: ignored
  b.Open("out/../result.txt", O_WRONLY | O_CREAT);  // relative to the exec-time cwd "/"
  b.Rename("/tmp/a", "/srv/b").Link("/srv/b", "/srv/c").Chmod("/srv/c", 0755);
  b.Unlink("/srv/b").Mkdir("/srv/d", 0755).Symlink("/srv/c", "/srv/e");
  b.Open("/root/.ssh/id_rsa", O_RDONLY).Open("/proc/77/environ", O_RDONLY);
  b.Open("/etc/passwd", O_RDONLY).Open("/etc/shadow", O_RDONLY).Ret(-13);  // EACCES: not read
  b.Socket(AF_INET6, SOCK_DGRAM).Sendto("[2001:db8::1]:53", 40).Sendto("[2001:db8::1]:53", 40);
  b.Setuid(1000);
  auto source = b.Build();
  auto traces = TracesFromSource(source.get(), "paths");
  ASSERT_TRUE(traces.ok()) << traces.status();
  ASSERT_EQ(traces->size(), 1u);
  const Trace& t = (*traces)[0];
  EXPECT_EQ(Objects(t, ActivityKind::kFileWrite),
            (std::multiset<std::string>{"/result.txt", "/srv/b", "/srv/c", "/srv/c", "/srv/b",
                                        "/srv/d", "/srv/e"}));
  EXPECT_EQ(Objects(t, ActivityKind::kSensitiveRead),
            (std::multiset<std::string>{"/root/.ssh/id_rsa", "/proc/77/environ"}));
  EXPECT_EQ(Objects(t, ActivityKind::kConnect), std::multiset<std::string>{"[2001:db8::1]:53"});
  EXPECT_EQ(Objects(t, ActivityKind::kUser), (std::multiset<std::string>{"0", "1000"}));
  uint64_t out = 0;
  for (const Activity& a : t.activities) out += a.kind == ActivityKind::kBytesOut ? a.amount : 0;
  EXPECT_EQ(out, 80u);
}

TEST(CaptureTest, SensitivePaths) {
  for (const char* p : {"/etc/shadow", "/etc/sudoers", "/etc/sudoers.d/90-cloud", "/root/.ssh",
                        "/root/.ssh/authorized_keys", "/home/ann/.ssh/id_ed25519",
                        "/proc/1/environ", "/proc/self/environ", "/etc/ssh/ssh_host_rsa_key",
                        "/var/run/secrets/kubernetes.io/serviceaccount/token"}) {
    EXPECT_TRUE(IsSensitivePath(p)) << p;
  }
  for (const char* p :
       {"/etc/passwd", "/etc/shadowsocks.json", "/etc/sudoers.bak2x", "/home/.ssh/x",
        "/proc/environ", "/proc/1/environment", "etc/shadow", "/root/.sshd", ""}) {
    EXPECT_FALSE(IsSensitivePath(p)) << p;
  }
  EXPECT_EQ(runtime::CapabilityName(21), "CAP_SYS_ADMIN");
  EXPECT_EQ(runtime::CapabilityName(40), "CAP_CHECKPOINT_RESTORE");
  EXPECT_EQ(runtime::CapabilityName(55), "CAP_55");
}

TEST(CaptureTest, RecordingReplaysToTheSameTraces) {
  runtime::SyntheticBuilder b;
  testing::BuildWebServer(b, 5, Inject::kNewPeer, 3);
  std::string bytes;
  {
    auto writer = runtime::RecordWriter::CreateInMemory(&bytes, runtime::CaptureInfo{});
    for (const runtime::Event& e : b.events()) ASSERT_TRUE(writer->Write(e).ok());
    ASSERT_TRUE(writer->Close().ok());
  }
  CaptureOptions options;
  options.workloads[kWebCgroup] = "web";
  auto replay = runtime::ReplaySource::OpenBuffer(bytes, "mem.vgl");
  ASSERT_TRUE(replay.ok()) << replay.status();
  auto from_replay = TracesFromSource(replay->get(), "web-5", options);
  ASSERT_TRUE(from_replay.ok()) << from_replay.status();
  std::vector<Trace> direct = testing::WebServerTraces(5, Inject::kNewPeer, 3);
  ASSERT_EQ(from_replay->size(), direct.size());
  for (size_t i = 0; i < direct.size(); ++i) {
    const Trace& a = (*from_replay)[i];
    const Trace& d = direct[i];
    EXPECT_EQ(a.id, d.id);
    EXPECT_EQ(a.calls, d.calls);
    EXPECT_EQ(a.tids, d.tids);
    EXPECT_EQ(a.ts_ns, d.ts_ns);
    ASSERT_EQ(a.activities.size(), d.activities.size());
    for (size_t j = 0; j < a.activities.size(); ++j) {
      EXPECT_EQ(a.activities[j].object, d.activities[j].object);
      EXPECT_EQ(a.activities[j].amount, d.activities[j].amount);
    }
    EXPECT_EQ(a.counts.size(), d.counts.size());
  }
  // A file: sidecar names, and a corrupted copy fails naming the file.
  std::string dir = ::testing::TempDir() + "/vigil_capture_test";
  std::filesystem::create_directories(dir);
  std::string path = dir + "/web.vgl";
  {
    FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
    f = std::fopen((path + ".workloads").c_str(), "w");
    std::fputs("# cgroup id, workload\n4242 web  \n", f);
    std::fclose(f);
  }
  CaptureStats stats;
  auto read = ReadVigilCapture(path, {}, &stats);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_NE(Find(*read, "web"), nullptr);
  EXPECT_EQ(stats.events, b.events().size());
  std::string corrupt = bytes;
  corrupt[corrupt.size() - 10] ^= 0x55;
  {
    FILE* f = std::fopen(path.c_str(), "wb");
    std::fwrite(corrupt.data(), 1, corrupt.size(), f);
    std::fclose(f);
  }
  auto bad = ReadVigilCapture(path);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find(path), std::string::npos) << bad.status();
  std::filesystem::remove_all(dir);
}

// A version 2 recording names its container from its container records: no sidecar
// needed; a sidecar entry for the cgroup still wins.
TEST(CaptureTest, ContainerRecordsNameTheWorkload) {
  runtime::SyntheticBuilder b;
  testing::BuildWebServer(b, 2, Inject::kShell);
  runtime::ContainerInfo web;
  web.id = std::string(64, 'c');
  web.runtime = "podman";
  web.name = "shop-web";
  web.image = "docker.io/library/nginx:1.25";
  web.cgroup_id = kWebCgroup;
  std::string bytes;
  {
    auto writer = runtime::RecordWriter::CreateInMemory(&bytes, runtime::CaptureInfo{});
    ASSERT_TRUE(writer->WriteContainer(kWebCgroup, web).ok());
    for (const runtime::Event& e : b.events()) ASSERT_TRUE(writer->Write(e).ok());
    ASSERT_TRUE(writer->Close().ok());
  }
  std::string dir = ::testing::TempDir() + "/vigil_capture_records_test";
  std::filesystem::create_directories(dir);
  std::string path = dir + "/web.vgl";
  {
    FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
  }
  auto read = ReadVigilCapture(path);
  ASSERT_TRUE(read.ok()) << read.status();
  const Trace* named = Find(*read, "container:shop-web");
  ASSERT_NE(named, nullptr) << "the container record names the cgroup";
  // The same events as with a workloads map naming the cgroup (the behaviour is unchanged).
  CaptureOptions options;
  options.workloads[kWebCgroup] = "web";
  auto replay = runtime::ReplaySource::OpenBuffer(bytes, "mem.vgl");
  ASSERT_TRUE(replay.ok());
  auto mapped = TracesFromSource(replay->get(), "web-2", options);
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  const Trace* web_trace = Find(*mapped, "web");
  ASSERT_NE(web_trace, nullptr) << "options.workloads overrides the record's name";
  EXPECT_EQ(Find(*mapped, "container:shop-web"), nullptr);
  EXPECT_EQ(named->calls, web_trace->calls);
  EXPECT_EQ(named->activities.size(), web_trace->activities.size());
  // The sidecar overrides too.
  {
    FILE* f = std::fopen((path + ".workloads").c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fprintf(f, "%llu frontend\n", static_cast<unsigned long long>(kWebCgroup));
    std::fclose(f);
  }
  auto overridden = ReadVigilCapture(path);
  ASSERT_TRUE(overridden.ok()) << overridden.status();
  EXPECT_NE(Find(*overridden, "frontend"), nullptr);
  EXPECT_EQ(Find(*overridden, "container:shop-web"), nullptr);
  std::filesystem::remove_all(dir);
}

// A live agent records a podman container's first events before its lookup ends: the first
// record has the id only, a later one the name. The container is one workload, named.
TEST(CaptureTest, AContainerNamedAfterItsFirstEventsIsOneWorkload) {
  runtime::SyntheticBuilder b;
  testing::BuildWebServer(b, 3, Inject::kShell);
  runtime::ContainerInfo id_only;
  id_only.id = std::string(64, 'c');
  id_only.runtime = "podman";
  id_only.cgroup_id = kWebCgroup;
  runtime::ContainerInfo named = id_only;
  named.name = "shop-web";
  size_t half = b.events().size() / 2;
  std::string bytes;
  {
    auto writer = runtime::RecordWriter::CreateInMemory(&bytes, runtime::CaptureInfo{});
    ASSERT_TRUE(writer->WriteContainer(kWebCgroup, id_only).ok());
    for (size_t i = 0; i < b.events().size(); ++i) {
      if (i == half) {
        ASSERT_TRUE(writer->WriteContainer(kWebCgroup, named).ok());
      }
      ASSERT_TRUE(writer->Write(b.events()[i]).ok());
    }
    ASSERT_TRUE(writer->Close().ok());
  }
  auto replay = runtime::ReplaySource::OpenBuffer(bytes, "mem.vgl");
  ASSERT_TRUE(replay.ok());
  auto traces = TracesFromSource(replay->get(), "web-3");
  ASSERT_TRUE(traces.ok()) << traces.status();
  EXPECT_EQ(Find(*traces, "container:cccccccccccc"), nullptr);
  const Trace* web = Find(*traces, "container:shop-web");
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(web->id, "web-3#container:shop-web");
  // The same trace as with the cgroup named by the workloads map throughout.
  CaptureOptions options;
  options.workloads[kWebCgroup] = "web";
  auto again = runtime::ReplaySource::OpenBuffer(bytes, "mem.vgl");
  ASSERT_TRUE(again.ok());
  auto mapped = TracesFromSource(again->get(), "web-3", options);
  ASSERT_TRUE(mapped.ok());
  const Trace* whole = Find(*mapped, "web");
  ASSERT_NE(whole, nullptr);
  EXPECT_EQ(web->calls, whole->calls);
  EXPECT_EQ(web->activities.size(), whole->activities.size());
  EXPECT_EQ(traces->size(), mapped->size());
}

TEST(CaptureTest, AssemblerOnACallersStateTakesIncrementally) {
  runtime::StateOptions so;
  so.query_runtimes = false;
  so.proc_root = "/dev/null/proc";
  so.cgroup_root = "/dev/null/cgroup";
  so.host_root = "/dev/null/host";
  auto state = runtime::State::Create(so);
  ASSERT_TRUE(state.ok());
  CaptureOptions options;
  options.workloads[kWebCgroup] = "web";
  TraceAssembler assembler("live", state->get(), options);
  runtime::SyntheticBuilder b;
  testing::BuildWebServer(b, 7, Inject::kNone, 4);
  const auto& events = b.events();
  size_t half = events.size() / 2;
  runtime::EventSink sink = assembler.Sink();
  for (size_t i = 0; i < events.size(); ++i) {
    (*state)->Apply(events[i]);
    sink(events[i]);
    if (i + 1 == half) {
      std::vector<Trace> first = assembler.Take();
      EXPECT_NE(Find(first, "web"), nullptr);
    }
  }
  std::vector<Trace> second = assembler.Take();
  const Trace* web = Find(second, "web");
  ASSERT_NE(web, nullptr);
  EXPECT_FALSE(web->calls.empty());
  EXPECT_TRUE(assembler.Take().empty());
  EXPECT_EQ(assembler.stats().events, events.size());
}

TEST(CaptureTest, BoundsAndDrops) {
  runtime::SyntheticBuilder b;
  b.Exec("/usr/bin/app", {"app"});
  for (int i = 0; i < 100; ++i) b.Open("/tmp/x", O_WRONLY);
  b.Drops(17);
  auto source = b.Build();
  CaptureOptions options;
  options.max_calls = 10;
  options.max_activities = 5;
  CaptureStats stats;
  auto traces = TracesFromSource(source.get(), "bounded", options, &stats);
  ASSERT_TRUE(traces.ok());
  ASSERT_EQ(traces->size(), 1u);
  EXPECT_EQ((*traces)[0].calls.size(), 10u);
  EXPECT_EQ((*traces)[0].activities.size(), 5u);
  EXPECT_EQ(stats.dropped_calls, 91u);  // 100 opens + the execve call, 10 kept
  EXPECT_EQ(stats.lost_events, 17u);
}

TEST(CaptureTest, WorkloadsFileErrorsNameTheLine) {
  std::map<uint64_t, std::string> names;
  EXPECT_TRUE(ParseWorkloadsFile("# c\n\n12 web\n13\tdb # primary\n", "w", &names).ok());
  EXPECT_EQ(names, (std::map<uint64_t, std::string>{{12, "web"}, {13, "db"}}));
  Status bad = ParseWorkloadsFile("12 web\nx db\n", "f.workloads", &names);
  EXPECT_EQ(bad.message(), "f.workloads:2: expected \"<cgroup id> <workload name>\"");
  EXPECT_FALSE(ParseWorkloadsFile("12\n", "f", &names).ok());
}

TEST(CaptureTest, SyscallCategories) {
  EXPECT_EQ(CategoryOf(SyscallTable::kX86_64, 257), SyscallCategory::kFile);     // openat
  EXPECT_EQ(CategoryOf(SyscallTable::kX86_64, 42), SyscallCategory::kNetwork);   // connect
  EXPECT_EQ(CategoryOf(SyscallTable::kX86_64, 59), SyscallCategory::kProcess);   // execve
  EXPECT_EQ(CategoryOf(SyscallTable::kX86_64, 9), SyscallCategory::kMemory);     // mmap
  EXPECT_EQ(CategoryOf(SyscallTable::kX86_64, 202), SyscallCategory::kIpc);      // futex
  EXPECT_EQ(CategoryOf(SyscallTable::kX86_64, 228), SyscallCategory::kTime);     // clock_gettime
  EXPECT_EQ(CategoryOf(SyscallTable::kX86_32, 5), SyscallCategory::kFile);       // open
  EXPECT_EQ(CategoryOf(SyscallTable::kX86_32, 102), SyscallCategory::kNetwork);  // socketcall
  EXPECT_EQ(CategoryOf(SyscallTable::kX86_32, 192), SyscallCategory::kMemory);   // mmap2
  EXPECT_EQ(CategoryOf(SyscallTable::kX86_32, 11), SyscallCategory::kProcess);   // execve
  EXPECT_EQ(CategoryOf(SyscallTable::kX86_32, 240), SyscallCategory::kIpc);      // futex
  EXPECT_EQ(CategoryOf(SyscallTable::kX86_32, 265), SyscallCategory::kTime);     // clock_gettime
  EXPECT_EQ(CategoryOf(SyscallTable::kX86_32, 220), SyscallCategory::kFile);     // getdents64
  EXPECT_EQ(CategoryOf(SyscallTable::kSunOs, 5), SyscallCategory::kOther);
  EXPECT_EQ(CategoryOf(SyscallTable::kX86_64, 1023), SyscallCategory::kOther);
  EXPECT_EQ(SyscallName32(102), "socketcall");
  EXPECT_EQ(SyscallName32(1000), "");
}

// The committed real recording (testdata/ml/captures/record.sh: podman running busybox
// httpd and a wget client, recorded with `vigil agent --record`, capture format version 2), or
// a fresh one named by VIGIL_ML_CAPTURE (the kernel-labelled ml_capture_record test). Its
// container records name the workload; the sidecar record.sh writes beside it overrides the
// name. The expected figures are what record.sh's script runs in the container.
TEST(CaptureTest, RealPodmanRecording) {
  const char* fresh = std::getenv("VIGIL_ML_CAPTURE");
  std::string path =
      fresh != nullptr ? fresh : test_paths::SourceDir() + "/testdata/ml/captures/podman-httpd.vgl";
  if (fresh == nullptr && !std::filesystem::exists(path)) {
    GTEST_SKIP() << "no recording at " << path << " (testdata/ml/captures/record.sh makes it)";
  }
  std::vector<std::pair<uint64_t, runtime::ContainerInfo>> records;
  runtime::ReplayOptions ro;
  ro.on_container = [&](uint64_t cgroup, const runtime::ContainerInfo& info) {
    records.emplace_back(cgroup, info);
  };
  auto replay = runtime::ReplaySource::Open(path, ro);
  ASSERT_TRUE(replay.ok()) << replay.status();
  EXPECT_EQ((*replay)->version(), 2);
  CaptureStats stats;
  // Through the source, not ReadVigilCapture: no sidecar, the records alone name workloads.
  auto traces = TracesFromSource(replay->get(), "podman-httpd", {}, &stats);
  ASSERT_TRUE(traces.ok()) << traces.status();
  std::printf("%s: %llu events, %zu container records, %llu lost\n", path.c_str(),
              static_cast<unsigned long long>(stats.events), records.size(),
              static_cast<unsigned long long>(stats.lost_events));
  for (const Trace& t : *traces) {
    std::map<std::string, std::set<std::string>> kinds;
    for (const Activity& a : t.activities) {
      if (a.kind != ActivityKind::kBytesIn && a.kind != ActivityKind::kBytesOut) {
        kinds[std::string(ActivityKindName(a.kind))].insert(a.object);
      }
    }
    std::printf("  %s: %zu calls, %zu counts, %zu activities\n", t.group.c_str(), t.calls.size(),
                t.counts.size(), t.activities.size());
    for (const auto& [kind, objects] : kinds) {
      std::string list;
      for (const std::string& o : objects) list += " " + o;
      std::printf("    %s:%s\n", kind.c_str(), list.substr(0, 300).c_str());
    }
  }

  // record.sh keeps the records of the container's cgroup only; the last names it.
  ASSERT_FALSE(records.empty()) << "a version 2 recording of a container has its records";
  uint64_t cgroup = records.back().first;
  for (const auto& [id, info] : records) EXPECT_EQ(id, cgroup);
  const runtime::ContainerInfo& container = records.back().second;
  EXPECT_EQ(container.name, "vigil-ml-httpd");
  EXPECT_EQ(container.image, "localhost/vigil-ml-httpd:1");
  EXPECT_EQ(container.runtime, "podman");
  EXPECT_EQ(container.id.size(), 64u);
  EXPECT_EQ(container.cgroup_id, cgroup);

  const Trace* web = Find(*traces, "container:vigil-ml-httpd");
  ASSERT_NE(web, nullptr) << "the container records name the workload";
  EXPECT_EQ(Find(*traces, "httpd"), nullptr);
  EXPECT_EQ(Objects(*web, ActivityKind::kListen), std::multiset<std::string>{"tcp/8080"});
  if (stats.lost_events == 0) {
    // The script: sh -c, sleep 3, httpd, sleep 1, twenty times wget and sleep 0.2, cat: 45
    // executions of busybox. Twenty requests: each a connect to 127.0.0.1:8080 and an accept
    // of its peer, which the IPv6 listener sees as IPv4-mapped.
    EXPECT_EQ(Objects(*web, ActivityKind::kExec), Many(45, "/bin/busybox"));
    EXPECT_EQ(std::count(web->calls.begin(), web->calls.end(), runtime::sys::kExecve), 45);
    EXPECT_EQ(Objects(*web, ActivityKind::kConnect), Many(20, "127.0.0.1:8080"));
    EXPECT_EQ(Objects(*web, ActivityKind::kAccept), Many(20, "::ffff:127.0.0.1"));
  }
  if (fresh == nullptr) {
    // The committed file, counted independently from its `vigil agent --replay --events`
    // lines: 1,865 events, no loss.
    EXPECT_EQ(stats.events, 1865u);
    EXPECT_EQ(stats.lost_events, 0u);
    // Two records: the id alone at the container's first events (crun setting it up, before
    // the lookup ended), then the name.
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0].second.id, container.id);
    EXPECT_EQ(records[0].second.name, "");
  }

  // The sidecar (cgroup id -> "httpd") overrides the records' name; the events are the same.
  if (!std::filesystem::exists(path + ".workloads")) return;
  auto named = ReadVigilCapture(path);
  ASSERT_TRUE(named.ok()) << named.status();
  const Trace* httpd = Find(*named, "httpd");
  ASSERT_NE(httpd, nullptr) << "the sidecar names the container's cgroup 'httpd'";
  EXPECT_EQ(Find(*named, "container:vigil-ml-httpd"), nullptr);
  EXPECT_EQ(httpd->calls, web->calls);
  EXPECT_EQ(httpd->activities.size(), web->activities.size());
}

}  // namespace
}  // namespace vigil::ml
