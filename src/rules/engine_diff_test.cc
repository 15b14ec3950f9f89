// The optimised engine against the reference: the same rule files loaded twice, once as Process
// runs them (conditions specialised per event type, guard tests evaluated once per event into
// a bit set, shared comparison results, per-event field cache) and once with
// LoadOptions::unoptimized (every rule's whole condition on every event, nothing shared), must
// raise the same alerts with the same outputs on the same events. Inputs: every default rule's
// firing sequence and near misses (testdata/rules/default), a seeded random stream built from
// the names, paths, addresses and arguments the default rules test, and rule files written to
// exercise sharing (tests shared by rules, guards that fail, exceptions, append and override).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "rules/rules.h"
#include "rules/test_util.h"
#include "runtime/syscalls.h"

namespace vigil::rules {
namespace {

namespace fs = std::filesystem;
using runtime::SyntheticBuilder;
using testing::TestState;

std::string Describe(const Alert& a) {
  std::string s = a.rule + " [" + std::string(PriorityName(a.priority)) + "] " + a.output;
  for (const auto& [k, v] : a.output_fields) s += " " + k + "=" + v.str;
  return s;
}

struct EnginePair {
  std::shared_ptr<const Engine> fast, plain;
};

EnginePair LoadPair(const std::vector<RuleSource>& sources) {
  EnginePair pair;
  auto fast = Engine::Load(sources);
  EXPECT_TRUE(fast.ok()) << fast.status();
  LoadOptions plain_options;
  plain_options.unoptimized = true;
  auto plain = Engine::Load(sources, plain_options);
  EXPECT_TRUE(plain.ok()) << plain.status();
  if (!fast.ok() || !plain.ok()) return pair;
  EXPECT_EQ((*fast)->rule_count(), (*plain)->rule_count());
  pair.fast = *fast;
  pair.plain = *plain;
  return pair;
}

// Both engines over the builder's events (each with its own state): the same alerts, in order.
void ExpectSameAlerts(const EnginePair& engines, const SyntheticBuilder& b,
                      const std::map<uint64_t, runtime::ContainerInfo>& containers,
                      const std::string& what, size_t* alerts_seen = nullptr) {
  ASSERT_TRUE(engines.fast && engines.plain);
  auto fast_state = TestState::Create(containers);
  auto plain_state = TestState::Create(containers);
  std::vector<Alert> a = testing::Run(*engines.fast, b, fast_state.get());
  std::vector<Alert> p = testing::Run(*engines.plain, b, plain_state.get());
  ASSERT_EQ(a.size(), p.size()) << what;
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(Describe(a[i]), Describe(p[i])) << what;
  if (alerts_seen) *alerts_seen += a.size();
}

TEST(EngineDiffTest, DefaultRuleCasesRaiseTheSameAlerts) {
  fs::path dir = testing::TestDataDir() / "default";
  EnginePair engines = LoadPair(DefaultRuleSources());
  size_t files = 0, alerts = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".yaml") continue;
    ++files;
    YAML::Node doc = YAML::LoadFile(entry.path().string());
    auto containers = testing::ParseContainers(doc["containers"]);
    std::vector<YAML::Node> sequences = {doc["fire"]};
    for (const YAML::Node& miss : doc["misses"]) sequences.push_back(miss["steps"]);
    for (const YAML::Node& steps : sequences) {
      SyntheticBuilder b;
      ASSERT_TRUE(testing::AddSteps(steps, &b).ok()) << entry.path();
      ExpectSameAlerts(engines, b, containers, entry.path().filename().string(), &alerts);
    }
  }
  EXPECT_GE(files, 35u);
  EXPECT_GE(alerts, files);  // every case's firing sequence raises at least its rule
}

// A seeded stream over the vocabulary the default rules test: processes named after the lists
// (shells, package managers, network tools, servers, grep/find, sudo/pkexec, mount, ...),
// sensitive, /etc, binary-directory, log, /proc/self and traversal paths opened with assorted
// flags, connections to the listed API-server, metadata and miner addresses and ports,
// sockets, dups onto stdio, ptrace, unshare, bpf, module loads, links, renames and unlinks;
// in containers and on the host, with and without a terminal, as root and system users.
SyntheticBuilder RandomStream(uint32_t seed, size_t n) {
  std::mt19937 rng(seed);
  auto pick = [&](const auto& v) { return v[rng() % std::size(v)]; };
  static const char* kComms[] = {"sh",     "bash",      "nginx", "apt",  "dpkg",   "nc",
                                 "ncat",   "ssh",       "curl",  "find", "grep",   "sudo",
                                 "pkexec", "mount",     "cat",   "vim",  "passwd", "shred",
                                 "gdb",    "python3",   "node",  "sshd", "mysqld", "debugfs",
                                 "wget",   "logrotate", "<NA>",  ""};
  static const char* kPaths[] = {"/etc/shadow",
                                 "/etc/sudoers.d/x",
                                 "/etc/pam.d/sshd",
                                 "/etc/passwd",
                                 "/etc/hosts",
                                 "/etc/../etc/shadow",
                                 "/var/www/../../etc/shadow",
                                 "/usr/bin/ls",
                                 "/usr/local/sbin/x",
                                 "/bin",
                                 "/var/log/syslog",
                                 "/var/log",
                                 "/var/logx/a",
                                 "/dev/log",
                                 "/proc/self/exe",
                                 "/proc/self/fd/3",
                                 "/sys/fs/cgroup/x/release_agent",
                                 "/root/.ssh/id_rsa",
                                 "/home/u/.bash_history",
                                 "/tmp/x",
                                 "relative/file",
                                 "/usr/lib/libc.so.6",
                                 "/"};
  static const uint64_t kFlags[] = {O_RDONLY,
                                    O_WRONLY,
                                    O_RDWR,
                                    O_WRONLY | O_TRUNC,
                                    O_RDWR | O_CREAT | O_TRUNC,
                                    O_WRONLY | O_APPEND | O_CREAT,
                                    O_RDONLY | O_DIRECTORY,
                                    O_RDONLY | O_CLOEXEC};
  static const char* kAddrs[] = {"10.96.0.1:443", "10.0.0.5:6443",      "169.254.169.254:80",
                                 "1.2.3.4:3333",  "10.1.2.3:3333",      "192.168.1.1:4444",
                                 "8.8.8.8:22",    "8.8.8.8:2222",       "127.0.0.1:8080",
                                 "[::1]:3333",    "[fd00:ec2::254]:80", "[2001:db8::1]:6443",
                                 "172.20.0.1:443"};
  static const char* kExes[] = {"/bin/sh",         "/usr/bin/nc",   "/dev/shm/x",
                                "/usr/bin/find",   "/usr/bin/grep", "/usr/bin/sudo",
                                "/usr/bin/pkexec", "/bin/mount",    "/usr/bin/apt",
                                "/usr/bin/curl",   "./run"};
  static const char* kArgs[] = {"-e",
                                "-c",
                                "--sh-exec",
                                "EXEC:/bin/sh",
                                "id_rsa",
                                "-name",
                                ".pem",
                                "BEGIN PRIVATE",
                                "aws_secret_access_key",
                                ".aws/credentials",
                                "-s",
                                "\\",
                                "x\\ y",
                                "stratum+tcp://p:3333",
                                "-l",
                                "/dev/sda1",
                                "install",
                                ""};
  static const uint64_t kCgroups[] = {1, 4242, 4243};
  SyntheticBuilder b;
  uint32_t next_pid = 3000;
  struct Proc {
    uint32_t pid, ppid;
    uint64_t cgroup;
    std::string comm;
  };
  std::vector<Proc> procs;
  for (int i = 0; i < 12; ++i) {
    Proc p{next_pid++, i < 4 ? 1u : procs[rng() % procs.size()].pid, pick(kCgroups), pick(kComms)};
    b.Pid(p.pid).Ppid(p.ppid).Cgroup(p.cgroup).User(0, 0).Comm(p.comm);
    b.Exec(std::string("/usr/bin/") + p.comm, {p.comm});
    procs.push_back(p);
  }
  while (b.events().size() < n) {
    Proc& p = procs[rng() % procs.size()];
    uint32_t uid = rng() % 4 == 0 ? 33 : rng() % 3 == 0 ? 1000 : 0;
    b.Pid(p.pid).Ppid(p.ppid).Cgroup(p.cgroup).User(uid, uid).Comm(p.comm);
    switch (rng() % 16) {
      case 0:
      case 1:
      case 2:
        b.Open(pick(kPaths), pick(kFlags)).Ret(rng() % 8 == 0 ? -13 : 3 + rng() % 20);
        break;
      case 3: {
        b.Socket(rng() % 2 ? AF_INET : AF_INET6, SOCK_STREAM).Ret(3 + rng() % 20);
        int64_t fd = b.LastFd();
        b.Connect(pick(kAddrs), fd).Ret(rng() % 5 == 0 ? -115 : 0);  // EINPROGRESS
        if (rng() % 3 == 0) b.Dup2(fd, rng() % 3);
        break;
      }
      case 4: {  // a child that execs something with arguments
        uint32_t child = next_pid++;
        std::string comm = pick(kComms);
        b.Fork(child);
        b.Pid(child).Ppid(p.pid).Comm(comm);
        std::vector<std::string> argv = {comm};
        for (int a = rng() % 4; a > 0; --a) argv.push_back(pick(kArgs));
        b.Exec(pick(kExes), argv);
        if (rng() % 4 == 0) b.Tty(34816);
        if (rng() % 6 == 0) b.UpperLayer();
        if (rng() % 8 == 0) b.Memfd();
        procs.push_back(Proc{child, p.pid, p.cgroup, comm});
        break;
      }
      case 5:
        b.Socket(rng() % 3 == 0 ? AF_PACKET : AF_INET, SOCK_RAW);
        break;
      case 6:
        b.Symlink(pick(kPaths), "/tmp/l");
        break;
      case 7:
        b.Link(pick(kPaths), "/tmp/h");
        break;
      case 8:
        (rng() % 2 ? b.Unlink(pick(kPaths)) : b.Rename(pick(kPaths), "/tmp/r"))
            .Ret(rng() % 6 == 0 ? -2 : 0);
        break;
      case 9:
        b.Ptrace(rng() % 2 ? 16 : 0, p.pid + 1);
        break;
      case 10:
        b.Unshare(rng() % 2 ? 0x10000000 : 0x20000);
        break;
      case 11:
        b.Bpf(rng() % 2 ? 5 : 0);
        break;
      case 12:
        b.InitModule("rootkit");
        break;
      case 13:
        b.Accept("203.0.113.9:40000", 3 + rng() % 4);
        break;
      case 14:
        b.Read(3 + rng() % 8, 100);
        break;
      default:
        b.Close(3 + rng() % 20);
        break;
    }
  }
  return b;
}

std::map<uint64_t, runtime::ContainerInfo> Containers() {
  std::map<uint64_t, runtime::ContainerInfo> c;
  for (uint64_t cg : {4242, 4243}) {
    runtime::ContainerInfo info;
    info.id = std::string(64, cg == 4242 ? 'a' : 'b');
    info.name = "c" + std::to_string(cg);
    info.image = "docker.io/library/nginx:1.25";
    info.cgroup_id = cg;
    c[cg] = info;
  }
  return c;
}

TEST(EngineDiffTest, RandomStreamRaisesTheSameAlertsAsTheReference) {
  EnginePair engines = LoadPair(DefaultRuleSources());
  size_t alerts = 0;
  for (uint32_t seed : {1u, 2u, 3u}) {
    SyntheticBuilder b = RandomStream(seed, 6000);
    ASSERT_TRUE(b.status().ok()) << b.status();
    ExpectSameAlerts(engines, b, Containers(), "seed " + std::to_string(seed), &alerts);
  }
  EXPECT_GT(alerts, 100u);  // the stream exercises the rules, not only their misses
}

// Rules written to share guard tests: two rules with the same first test (one whose other
// test fails), a guard that is a union over a disjunction, a rule without any usable guard,
// exceptions on a guarded rule, and a second file that appends to a macro every rule uses and
// overrides one rule's condition.
constexpr char kSharing[] = R"(
- list: watched
  items: [/etc/shadow, /etc/passwd]
- macro: opened
  condition: evt.type in (open, openat) and fd.num >= 0
- rule: shared a
  desc: d
  condition: opened and fd.name in (watched) and proc.name = cat
  output: "a %fd.name %proc.name"
  priority: WARNING
- rule: shared b
  desc: d
  condition: opened and fd.name in (watched) and evt.is_open_write = true
  output: "b %fd.name %evt.arg.flags"
  priority: ERROR
- rule: union guard
  desc: d
  condition: opened and (fd.name startswith /var/log or proc.name in (vim, nano) or fd.sport = 3333)
  output: "u %fd.name %proc.name"
  priority: NOTICE
- rule: no guard
  desc: d
  condition: opened and not proc.name in (cat) and not fd.name startswith /usr
  output: "n %fd.name"
  priority: INFO
- rule: with exceptions
  desc: d
  condition: opened and fd.name startswith /etc/
  output: "e %fd.name %proc.name"
  priority: ERROR
  exceptions:
    - name: editors
      fields: [proc.name, fd.name]
      comps: [in, pmatch]
      values:
        - [[vim, sh], [/etc/passwd]]
)";

constexpr char kSharingLocal[] = R"(
- macro: opened
  condition: and evt.is_open_read = true
  override:
    condition: append
- rule: shared a
  condition: opened and fd.name in (watched, /etc/hosts) and proc.name in (cat, sh)
  override:
    condition: replace
- list: watched
  items: [/tmp/x]
  append: true
)";

TEST(EngineDiffTest, SharedGuardsExceptionsAppendAndOverride) {
  EnginePair base = LoadPair({{"sharing.yaml", kSharing}});
  EnginePair local = LoadPair({{"sharing.yaml", kSharing}, {"local.yaml", kSharingLocal}});
  size_t alerts = 0;
  for (uint32_t seed : {7u, 8u}) {
    SyntheticBuilder b = RandomStream(seed, 4000);
    ExpectSameAlerts(base, b, Containers(), "sharing", &alerts);
    ExpectSameAlerts(local, b, Containers(), "sharing+local", &alerts);
  }
  EXPECT_GT(alerts, 50u);
}

TEST(EngineDiffTest, FalcoSyntaxFilesRaiseTheSameAlerts) {
  auto read = [](const std::string& name) {
    std::string path = (testing::TestDataDir() / "falco_syntax" / name).string();
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return RuleSource{path, ss.str()};
  };
  SyntheticBuilder b = RandomStream(11, 4000);
  for (const char* second : {"", "local.yaml", "legacy.yaml", "replace.yaml"}) {
    std::vector<RuleSource> sources = {read("base.yaml")};
    if (*second) sources.push_back(read(second));
    ExpectSameAlerts(LoadPair(sources), b, Containers(), std::string("base.yaml + ") + second);
  }
}

// More than 64 rules on one event type and more than 64 distinct guard tests: the rules past
// the bit sets' reach are evaluated without a guard, and every rule's alerts still match.
TEST(EngineDiffTest, ManyRulesOnOneTypeRaiseTheSameAlerts) {
  static const char* kFields[] = {"fd.name", "fd.directory", "proc.name", "fd.filename"};
  static const char* kOps[] = {"startswith", "=", "endswith", "contains", "pmatch", "in"};
  static const char* kValues[] = {"/etc", "/etc/shadow", "shadow", "log", "/var/log", "sh",
                                  "/tmp", "cat",         "x",      "/",   "passwd",   "/proc/self"};
  std::string text;
  for (int i = 0; i < 90; ++i) {
    std::string op = kOps[i % 6];
    std::string value = kValues[(i * 7) % 12];
    if (op == "in" || op == "pmatch") value = "(" + value + ", " + kValues[(i * 5 + 1) % 12] + ")";
    text +=
        "- rule: r" + std::to_string(i) + "\n  desc: d\n  condition: evt.type in (open, openat)";
    text += std::string(" and ") + kFields[i % 4] + " " + op + " " + value;
    if (i % 3 == 0) text += " and not proc.name in (vim)";
    if (i % 5 == 0) text += " or (evt.type = openat and fd.num = " + std::to_string(i % 7) + ")";
    text += "\n  output: \"r" + std::to_string(i) + " %fd.name\"\n  priority: INFO\n";
  }
  EnginePair engines = LoadPair({{"many.yaml", text}});
  size_t alerts = 0;
  SyntheticBuilder b = RandomStream(21, 5000);
  ExpectSameAlerts(engines, b, Containers(), "many", &alerts);
  EXPECT_GT(alerts, 500u);
}

// The sharing itself, with expected alerts: two rules with the same guard test both fire on
// the event it admits; a rule the shared test admits but whose other test fails stays quiet
// while its neighbour fires; an exception still removes an admitted event; and a rule whose
// guard test fails is never evaluated into an alert.
TEST(EngineSharingTest, RulesSharingAGuardTestFireIndependently) {
  auto loaded = Engine::Load({{"sharing.yaml", kSharing}});
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const Engine& engine = **loaded;
  auto fired = [&](std::string_view comm, std::string_view path, uint64_t flags) {
    SyntheticBuilder b;
    b.Pid(900).Ppid(1).Comm(comm).Exec(std::string("/usr/bin/") + std::string(comm), {comm});
    b.Open(path, flags).Ret(4);
    auto state = TestState::Create({});
    std::vector<std::string> names;
    for (const Alert& a : testing::Run(engine, b, state.get())) names.push_back(a.rule);
    return names;
  };
  using V = std::vector<std::string>;
  // fd.name in (watched) admits both "shared" rules; cat reading: only "shared a".
  EXPECT_EQ(fired("cat", "/etc/shadow", O_RDONLY), (V{"shared a", "with exceptions"}));
  // vim writing: "shared b" fires, "shared a" (proc.name = cat) does not; the union guard
  // admits vim; the exception (vim on /etc/passwd) removes "with exceptions".
  EXPECT_EQ(fired("vim", "/etc/passwd", O_WRONLY), (V{"shared b", "union guard", "no guard"}));
  EXPECT_EQ(fired("vim", "/etc/shadow", O_WRONLY),
            (V{"shared b", "union guard", "no guard", "with exceptions"}));
  // No guard test holds: only the rule without a guard.
  EXPECT_EQ(fired("less", "/srv/data", O_RDONLY), (V{"no guard"}));
  EXPECT_EQ(fired("cat", "/usr/lib/x", O_RDONLY), V{});
}

// A reload swaps engines between two events on the same thread; the per-thread scratch
// (cached fields, shared results) is reused by both. Alternating two engines with different
// rules event by event must give each exactly the alerts it gives alone.
TEST(EngineSharingTest, EnginesAlternatingOnOneThreadKeepTheirOwnResults) {
  EnginePair a = LoadPair(DefaultRuleSources());
  EnginePair b = LoadPair({{"sharing.yaml", kSharing}, {"local.yaml", kSharingLocal}});
  ASSERT_TRUE(a.fast && b.fast);
  SyntheticBuilder stream = RandomStream(5, 5000);
  auto alone = [&](const Engine& engine) {
    auto state = TestState::Create(Containers());
    std::vector<std::string> out;
    for (const Alert& al : testing::Run(engine, stream, state.get())) out.push_back(Describe(al));
    return out;
  };
  std::vector<std::string> want_a = alone(*a.fast), want_b = alone(*b.fast);
  auto state = TestState::Create(Containers());
  std::vector<std::string> got_a, got_b;
  for (const runtime::Event& e : stream.events()) {
    state->Apply(e);
    a.fast->Process(e, state.get(), [&](const Alert& al) { got_a.push_back(Describe(al)); });
    b.fast->Process(e, state.get(), [&](const Alert& al) { got_b.push_back(Describe(al)); });
  }
  EXPECT_EQ(got_a, want_a);
  EXPECT_EQ(got_b, want_b);
  EXPECT_FALSE(want_a.empty());
  EXPECT_FALSE(want_b.empty());
}

}  // namespace
}  // namespace vigil::rules
