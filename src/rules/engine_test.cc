// Loader and engine semantics: Falco-syntax files with lists, macros, exceptions, append and
// override (testdata/rules/falco_syntax), load errors (testdata/rules/errors), fields,
// output formatting, unsupported features, the event-type index and the check report.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "rules/fields.h"
#include "rules/rules.h"
#include "rules/test_util.h"
#include "runtime/syscalls.h"

namespace vigil::rules {
namespace {

namespace fs = std::filesystem;
using runtime::Event;
using runtime::EventType;
using runtime::SyntheticBuilder;
using testing::TestState;

std::string Syntax(const std::string& name) {
  return (testing::TestDataDir() / "falco_syntax" / name).string();
}

std::shared_ptr<const Engine> LoadOrDie(const std::vector<std::string>& files) {
  auto e = Engine::LoadFiles(files);
  EXPECT_TRUE(e.ok()) << e.status();
  return e.ok() ? *e : nullptr;
}

std::shared_ptr<const Engine> LoadText(const std::string& text,
                                       std::vector<Diagnostic>* w = nullptr,
                                       LoadOptions options = {}) {
  auto e = Engine::Load({{"test.yaml", text}}, options, w);
  EXPECT_TRUE(e.ok()) << e.status();
  return e.ok() ? *e : nullptr;
}

// Builds one process (comm from the exec) that opens `path` with open(2) or openat(2).
void OpenAs(SyntheticBuilder* b, std::string_view prog, int32_t nr, std::string_view path,
            uint64_t flags, uint32_t uid = 0) {
  static uint32_t next_pid = 5000;
  b->Pid(next_pid++)
      .Ppid(1)
      .User(uid, uid)
      .Exec(std::string("/usr/bin/") + std::string(prog), {prog});
  if (nr == runtime::sys::kOpenat) {
    b->Open(path, flags);
    return;
  }
  Event e;
  e.type = EventType::kSyscall;
  e.syscall = nr;
  e.pid = e.tid = next_pid - 1;
  e.uid = uid;
  e.comm = prog;
  e.path = path;
  e.flags = flags;
  e.ret = 7;
  e.fd = AT_FDCWD;
  b->Add(e);
}

// Names of the rules that fired, in order.
std::vector<std::string> Fired(const Engine& engine, const SyntheticBuilder& b,
                               std::vector<Alert>* alerts = nullptr) {
  auto state = TestState::Create({});
  std::vector<std::string> names;
  for (const Alert& a : testing::Run(engine, b, state.get())) {
    names.push_back(a.rule);
    if (alerts) alerts->push_back(a);
  }
  return names;
}

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(FalcoSyntaxTest, BaseFileListsMacrosAndNestedLists) {
  auto engine = LoadOrDie({Syntax("base.yaml")});
  ASSERT_NE(engine, nullptr);
  EXPECT_EQ(engine->rule_count(), 3u);  // test_rule is disabled
  SyntheticBuilder b;
  OpenAs(&b, "cat", runtime::sys::kOpen, "/tmp/x", O_RDONLY);
  OpenAs(&b, "head", runtime::sys::kOpen, "/tmp/x", O_RDONLY);   // via the nested list
  OpenAs(&b, "cat", runtime::sys::kOpenat, "/tmp/x", O_RDONLY);  // access_file is open only
  OpenAs(&b, "cp", runtime::sys::kOpen, "/tmp/x", O_RDONLY);     // not in the list
  b.Close(7);                                                    // test_rule is disabled
  EXPECT_THAT(Fired(*engine, b), ElementsAre("my_programs_opened_file", "program_accesses_file",
                                             "my_programs_opened_file"));
}

TEST(FalcoSyntaxTest, OverrideAppendAndReplace) {
  auto engine = LoadOrDie({Syntax("base.yaml"), Syntax("local.yaml")});
  ASSERT_NE(engine, nullptr);
  SyntheticBuilder b;
  OpenAs(&b, "cp", runtime::sys::kOpen, "/tmp/x", O_RDONLY);                // items: append
  OpenAs(&b, "pwd", runtime::sys::kOpenat, "/tmp/x", O_RDONLY);             // condition: append
  OpenAs(&b, "cat", runtime::sys::kOpen, "/tmp/x", O_RDONLY, /*uid=*/0);    // root: excluded
  OpenAs(&b, "ls", runtime::sys::kOpen, "/tmp/y", O_RDONLY, /*uid=*/1000);  // output replaced
  std::vector<Alert> alerts;
  EXPECT_THAT(
      Fired(*engine, b, &alerts),
      ElementsAre("my_programs_opened_file", "my_programs_opened_file", "my_programs_opened_file",
                  "my_programs_opened_file", "program_accesses_file"));
  EXPECT_EQ(alerts.back().output,
            "A file (uid=1000 command=ls file=/tmp/y) was opened by a monitored program");
  SyntheticBuilder c;
  c.Close(7);
  EXPECT_THAT(Fired(*engine, c), ElementsAre("test_rule"));  // enabled: replace
}

TEST(FalcoSyntaxTest, LegacyAppendAndEnabledToggle) {
  auto engine = LoadOrDie({Syntax("base.yaml"), Syntax("legacy.yaml")});
  ASSERT_NE(engine, nullptr);
  SyntheticBuilder b;
  OpenAs(&b, "cp", runtime::sys::kOpen, "/tmp/x", O_RDONLY);  // my_programs_opened_file is off
  OpenAs(&b, "ls", runtime::sys::kOpenat, "/tmp/x", O_RDONLY, 1000);
  OpenAs(&b, "cat", runtime::sys::kOpen, "/tmp/x", O_RDONLY, 1000);
  b.Close(7);
  EXPECT_THAT(Fired(*engine, b), ElementsAre("program_accesses_file", "test_rule"));
}

TEST(FalcoSyntaxTest, ExceptionsBothFormsAndAppendedValues) {
  struct Case {
    std::string prog, path;
    bool base, local, legacy;
  };
  const Case cases[] = {
      {"vim", "/etc/vim/vimrc", false, false, false},  // proc_writer (=, =)
      {"vim", "/etc/passwd", true, true, true},
      {"sed", "/etc/hosts", false, false, false},              // known_files (single field, in)
      {"sed", "/etc/motd", true, false, false},                // appended value
      {"dpkg", "/etc/apt/sources.list", false, false, false},  // (in, pmatch)
      {"dpkg", "/etc/aptitude", true, true, true},             // pmatch is per component
      {"dpkg", "/etc/passwd", true, true, true},
      {"ansible-playboo", "/etc/x", true, true, false},  // exception added by append
  };
  auto base = LoadOrDie({Syntax("base.yaml")});
  auto local = LoadOrDie({Syntax("base.yaml"), Syntax("local.yaml")});
  auto legacy = LoadOrDie({Syntax("base.yaml"), Syntax("legacy.yaml")});
  ASSERT_TRUE(base && local && legacy);
  for (const Case& c : cases) {
    SyntheticBuilder b;
    OpenAs(&b, c.prog, runtime::sys::kOpenat, c.path, O_WRONLY);
    auto fired = [&](const Engine& e) {
      for (const std::string& n : Fired(e, b)) {
        if (n == "Write below etc with exceptions") return true;
      }
      return false;
    };
    EXPECT_EQ(fired(*base), c.base) << c.prog << " " << c.path;
    EXPECT_EQ(fired(*local), c.local) << c.prog << " " << c.path;
    EXPECT_EQ(fired(*legacy), c.legacy) << c.prog << " " << c.path;
  }
}

TEST(FalcoSyntaxTest, RedefinitionAndOverrideReplace) {
  auto engine = LoadOrDie({Syntax("base.yaml"), Syntax("replace.yaml")});
  ASSERT_NE(engine, nullptr);
  SyntheticBuilder b;
  OpenAs(&b, "vim", runtime::sys::kOpenat, "/tmp/x", O_RDONLY);   // list replaced, macro redefined
  OpenAs(&b, "cat", runtime::sys::kOpen, "/tmp/x", O_RDONLY);     // cat left the list
  OpenAs(&b, "less", runtime::sys::kOpenat, "/tmp/x", O_RDONLY);  // rule redefined
  OpenAs(&b, "vim", runtime::sys::kOpenat, "/etc/vim/vimrc", O_WRONLY);  // exceptions replaced
  OpenAs(&b, "sed", runtime::sys::kOpenat, "/etc/passwd", O_WRONLY);
  std::vector<Alert> alerts;
  EXPECT_THAT(Fired(*engine, b, &alerts),
              ElementsAre("my_programs_opened_file", "program_accesses_file",
                          "my_programs_opened_file", "Write below etc with exceptions"));
  EXPECT_EQ(alerts[1].priority, Priority::kCritical);
  EXPECT_EQ(alerts[3].priority, Priority::kNotice);
  EXPECT_EQ(alerts[3].output, "vim wrote /etc/vim/vimrc (dir=/etc/vim parent=<NA>)");
  EXPECT_THAT(alerts[3].tags, ElementsAre("filesystem", "test"));
  EXPECT_EQ(alerts[3].output_fields.at("fd.directory").str, "/etc/vim");
  EXPECT_EQ(alerts[3].output_fields.at("proc.pname").str, "<NA>");
}

// testdata/rules/errors/*.yaml: each file's first line is "# expect: MESSAGE".
TEST(ErrorSuite, EveryBadFileFailsWithFileLineAndRule) {
  int n = 0;
  for (const auto& entry : fs::directory_iterator(testing::TestDataDir() / "errors")) {
    if (entry.path().extension() != ".yaml") continue;
    ++n;
    std::ifstream in(entry.path());
    std::string first;
    std::getline(in, first);
    ASSERT_TRUE(first.starts_with("# expect: ")) << entry.path();
    std::string want = first.substr(10);
    want.replace(want.find("FILE"), 4, entry.path().string());
    auto e = Engine::LoadFiles({entry.path().string()});
    ASSERT_FALSE(e.ok()) << entry.path();
    EXPECT_EQ(e.status().message(), want) << entry.path();
    // --rules-check reports the same error.
    CheckReport report = CheckFiles({entry.path().string()});
    EXPECT_FALSE(report.ok());
    bool found = false;
    for (const Diagnostic& d : report.diagnostics) found = found || d.ToString() == want;
    EXPECT_TRUE(found) << report.ToString();
  }
  EXPECT_GE(n, 15);
}

TEST(LoaderTest, UnsupportedFieldsSkipTheRuleWithAWarning) {
  const char* text = R"(
- rule: uses capabilities
  desc: d
  condition: evt.type=capset and thread.cap_inheritable contains CAP_SYS_ADMIN
  output: x
  priority: INFO
- rule: k8s audit
  desc: d
  condition: ka.verb=create
  output: x
  priority: INFO
  source: k8s_audit
- rule: regex operator
  condition: evt.type=open and fd.name regex '.*'
  output: x
  priority: INFO
- rule: fine
  desc: d
  condition: evt.type=open and proc.name=cat
  output: "%proc.name %container.info"
  priority: INFO
)";
  std::vector<Diagnostic> warnings;
  auto engine = LoadText(text, &warnings);
  ASSERT_NE(engine, nullptr);
  EXPECT_EQ(engine->rule_count(), 1u);
  std::vector<std::string> msgs;
  for (const Diagnostic& d : warnings) msgs.push_back(d.ToString());
  EXPECT_THAT(
      msgs,
      ElementsAre(
          "test.yaml:2: warning: rule 'uses capabilities': field 'thread.cap_inheritable' is not "
          "supported by Vigil; rule skipped",
          "test.yaml:7: warning: rule 'k8s audit': source 'k8s_audit' is not supported by Vigil; "
          "rule skipped",
          "test.yaml:13: warning: rule 'regex operator': operator 'regex' is not supported by "
          "Vigil; rule skipped",
          "test.yaml:17: warning: rule 'fine': output field 'container.info' is not supported by "
          "Vigil (rendered <NA>)"));
  // strict: the first becomes the load error.
  LoadOptions strict;
  strict.strict = true;
  auto failed = Engine::Load({{"test.yaml", text}}, strict);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().message(),
            "test.yaml:2: rule 'uses capabilities': field 'thread.cap_inheritable' is not "
            "supported by Vigil; rule skipped");
}

TEST(LoaderTest, SkipIfUnknownFilterAndPriorityThreshold) {
  const char* text = R"(
- rule: future field
  condition: evt.type=open and foo.bar=1
  output: x
  priority: ERROR
  skip-if-unknown-filter: true
- rule: debug rule
  condition: evt.type=open
  output: x
  priority: DEBUG
- rule: critical rule
  condition: evt.type=open
  output: x
  priority: critical
)";
  LoadOptions options;
  options.min_priority = Priority::kWarning;
  std::vector<Diagnostic> warnings;
  auto engine = LoadText(text, &warnings, options);
  ASSERT_NE(engine, nullptr);
  ASSERT_EQ(engine->rule_count(), 1u);
  EXPECT_EQ(engine->rules()[0].name, "critical rule");
  EXPECT_EQ(engine->rules()[0].line, 11);
  EXPECT_EQ(engine->rules()[0].priority, Priority::kCritical);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].ToString(),
            "test.yaml:2: warning: rule 'future field': unknown field 'foo.bar'; rule skipped");
}

TEST(LoaderTest, CheckReportCollectsEveryProblem) {
  const char* text = R"(
- rule: a
  condition: evt.type=open and
  output: x
  priority: INFO
- rule: b
  condition: evt.type=open
  output: x
  priority: LOUD
- rule: c
  condition: proc.name=cat
  output: x
  priority: INFO
- rule: d
  condition: evt.type=open
  output: x
  priority: INFO
)";
  CheckReport report = CheckSources({{"t.yaml", text}});
  EXPECT_FALSE(report.ok());
  EXPECT_EQ(report.rules_loaded, 2u);  // c (with a warning) and d
  EXPECT_EQ(report.ToString(),
            "t.yaml:9: rule 'b': unknown priority 'LOUD' (want Emergency, Alert, Critical, Error, "
            "Warning, Notice, Informational or Debug)\n"
            "t.yaml:2: rule 'a': condition: column 18: expected a condition, found the end\n"
            "t.yaml:10: warning: rule 'c': the condition does not restrict evt.type: the rule "
            "runs on every event\n"
            "2 rules loaded, 0 skipped, 2 errors, 1 warnings\n");
  CheckReport defaults = CheckSources(DefaultRuleSources());
  EXPECT_TRUE(defaults.ok()) << defaults.ToString();
  EXPECT_TRUE(defaults.diagnostics.empty()) << defaults.ToString();
}

TEST(EngineTest, EventTypeIndex) {
  const char* text = R"(
- rule: opens
  condition: evt.type in (open, openat) and fd.name=/x
  output: x
  priority: INFO
- rule: not connect
  condition: not evt.type=connect and not (evt.type in (open, openat) or evt.type != close)
  output: x
  priority: INFO
- rule: procexit
  condition: evt.type=procexit and evt.rawres=3
  output: "exit %evt.rawres"
  priority: INFO
)";
  auto engine = LoadText(text);
  ASSERT_NE(engine, nullptr);
  EXPECT_THAT(engine->rules()[0].event_types, ElementsAre("open", "openat"));
  EXPECT_THAT(engine->rules()[1].event_types, ElementsAre("close"));
  EXPECT_THAT(engine->rules()[2].event_types, ElementsAre("procexit"));
  SyntheticBuilder b;
  b.Exec("/bin/x", {"x"}).Open("/x", O_RDONLY).Close(3).Exit(3).Exit(4);
  std::vector<Alert> alerts;
  EXPECT_THAT(Fired(*engine, b, &alerts), ElementsAre("opens", "not connect", "procexit"));
  EXPECT_EQ(alerts[2].output, "exit 3");
}

// Field values over one realistic sequence, with and without state.
TEST(EngineTest, FieldsFromEventAndState) {
  const char* text = R"(
- rule: connect
  condition: evt.type=connect
  output: "%fd.name|%fd.sip|%fd.sport|%fd.rip|%fd.cip|%fd.type|%fd.typechar|%fd.sockfamily|%fd.num"
  priority: INFO
- rule: open
  condition: evt.type=openat
  output: "%fd.name|%fd.directory|%fd.filename|%fd.nameraw|%evt.arg.flags|%evt.rawarg.flags|%evt.is_open_write|%evt.res|%evt.rawres|%evt.failed"
  priority: INFO
- rule: exec
  condition: evt.type=execve
  output: "%proc.name|%proc.exe|%proc.exepath|%proc.args|%proc.cmdline|%proc.pname|%proc.aname[2]|%proc.apid[1]|%proc.cwd|%proc.pid|%proc.ppid|%thread.tid|%user.uid|%group.gid|%evt.dir|%evt.time|%container.id"
  priority: INFO
- rule: net
  condition: evt.type=connect and fd.net in (192.168.0.0/16) and fd.rip=192.168.1.9 and fd.sip in (192.168.1.9, 10.0.0.1)
  output: net
  priority: INFO
- rule: ancestors
  condition: evt.type=execve and proc.aname=init and not proc.aname=zsh and proc.aname[1] != init
  output: ancestors
  priority: INFO
)";
  auto engine = LoadText(text);
  ASSERT_NE(engine, nullptr);
  SyntheticBuilder b;
  b.Pid(10).Ppid(1).Exec("/sbin/init", {"init"}).Fork(20).Exec("/bin/bash", {"bash"});
  b.Fork(30).Cwd("/srv").Exec("/usr/bin/curl", {"curl", "-s", "http://192.168.1.9/"});
  b.Socket(AF_INET, SOCK_STREAM).Connect("192.168.1.9:80");
  b.Open("app/../data.txt", O_WRONLY | O_CREAT).Ret(-13);
  std::vector<Alert> alerts;
  EXPECT_THAT(Fired(*engine, b, &alerts),
              ElementsAre("exec", "exec", "exec", "ancestors", "connect", "net", "open"));
  EXPECT_EQ(alerts[2].output,
            "curl|curl|/usr/bin/curl|-s http://192.168.1.9/|curl -s http://192.168.1.9/|bash|"
            "init|20|/srv|30|20|30|0|0|<|00:00:00.000004000|host");
  EXPECT_EQ(alerts[4].output, "->192.168.1.9:80|192.168.1.9|80|192.168.1.9|<NA>|ipv4|4|ip|3");
  EXPECT_EQ(alerts[6].output,
            "/srv/data.txt|/srv|data.txt|app/../data.txt|O_WRONLY|O_CREAT|65|true|EACCES|-13|true");

  // Without state: event fields still work; state-only ones are <NA>.
  std::vector<Alert> bare;
  for (const Event& e : b.events()) {
    engine->Process(e, nullptr, [&](const Alert& a) { bare.push_back(a); });
  }
  ASSERT_GE(bare.size(), 3u);
  EXPECT_EQ(bare[2].output,
            "curl|curl|/usr/bin/curl|-s http://192.168.1.9/|curl -s http://192.168.1.9/|<NA>|"
            "<NA>|20|/srv|30|20|30|0|0|<|00:00:00.000004000|host");
}

// thread.cap_effective / thread.cap_permitted come from the state: capset sets the effective
// set (and raises permitted to cover it), fork inherits both, and they render as Falco's
// space-separated names; a process whose capabilities were never seen has none (<NA>).
TEST(EngineTest, CapabilityFieldsFromState) {
  const char* text = R"(
- rule: admin
  condition: evt.type in (capset, openat) and thread.cap_effective contains CAP_SYS_ADMIN
  output: "%proc.pid %thread.cap_effective|%thread.cap_permitted"
  priority: INFO
- rule: any open
  condition: evt.type=openat and not thread.cap_permitted exists
  output: "%proc.pid %thread.cap_effective"
  priority: INFO
)";
  auto engine = LoadText(text);
  ASSERT_NE(engine, nullptr);
  SyntheticBuilder b;
  b.Pid(10).Ppid(1).Exec("/bin/sh", {"sh"});
  b.Open("/etc/hosts", O_RDONLY);  // caps unknown
  b.Capset((uint64_t{1} << 21) | (uint64_t{1} << 12) |
           (uint64_t{1} << 0));             // CHOWN NET_ADMIN SYS_ADMIN
  b.Fork(11).Open("/etc/hosts", O_RDONLY);  // the child inherits
  b.Capset(uint64_t{1} << 13);              // the child drops to NET_RAW
  b.Open("/etc/hosts", O_RDONLY);
  std::vector<Alert> alerts;
  EXPECT_THAT(Fired(*engine, b, &alerts), ElementsAre("any open", "admin", "admin"));
  EXPECT_EQ(alerts[0].output, "10 <NA>");
  EXPECT_EQ(alerts[1].output,
            "10 CAP_CHOWN CAP_NET_ADMIN CAP_SYS_ADMIN|CAP_CHOWN CAP_NET_ADMIN CAP_SYS_ADMIN");
  EXPECT_EQ(alerts[2].output,
            "11 CAP_CHOWN CAP_NET_ADMIN CAP_SYS_ADMIN|CAP_CHOWN CAP_NET_ADMIN CAP_SYS_ADMIN");
}

TEST(EngineTest, OperatorsOnStringsNumbersAndPaths) {
  const char* text = R"(
- list: dirs
  items: [/etc, /usr/lib/]
- rule: r
  condition: >
    evt.type=openat and fd.name pmatch (dirs) and fd.name glob '/*/*.conf'
    and proc.name icontains CaT and fd.num < 100 and fd.num >= 3 and fd.num != 4
    and fd.name endswith .conf and not fd.name contains secret and evt.rawres in (3, 5)
    and proc.pname exists and not proc.aname[5] exists
  output: "%fd.name"
  priority: INFO
)";
  auto engine = LoadText(text);
  ASSERT_NE(engine, nullptr);
  auto fires = [&](std::string_view comm, std::string_view path) {
    SyntheticBuilder b;
    b.Pid(1)
        .Exec("/sbin/init", {"init"})
        .Fork(2)
        .Exec(std::string("/bin/") + std::string(comm), {comm});
    b.Open(path, O_RDONLY);
    return !Fired(*engine, b).empty();
  };
  EXPECT_TRUE(fires("bobcat", "/etc/a.conf"));
  EXPECT_FALSE(fires("bobcat", "/etcx/a.conf"));  // pmatch is per path component
  EXPECT_FALSE(fires("dog", "/etc/a.conf"));
  EXPECT_TRUE(fires("cat", "/etc/sub/a.conf"));  // '*' crosses '/' (fnmatch without PATHNAME)
  EXPECT_FALSE(fires("cat", "/etc/secret.conf"));
  EXPECT_FALSE(fires("cat", "/usr/lib/a.txt"));
  EXPECT_FALSE(fires("cat", "/usr/a.conf"));  // /usr/lib/ (trailing slash) does not cover /usr
}

TEST(EngineTest, ConcurrentProcessOnOneEngine) {
  auto engine = Engine::LoadDefault();
  ASSERT_TRUE(engine.ok()) << engine.status();
  SyntheticBuilder b;
  b.Exec("/usr/bin/find", {"find", "/", "-name", "id_rsa"});
  std::atomic<int> alerts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        for (const Event& e : b.events()) {
          (*engine)->Process(e, nullptr, [&](const Alert&) { alerts++; });
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(alerts.load(), 4 * 2000);
}

// Idioms of Falco's own rule files: list items carrying their own quotes, networks compared
// with != on fd.net/fd.ip, and macros using fields Vigil lacks (rules using them are skipped
// with a warning; the rest load).
TEST(EngineTest, FalcoFileIdioms) {
  const char* text = R"yaml(
- list: private_nets
  items: ['"10.0.0.0/8"', '"192.168.0.0/16"']
- list: odd_names
  items: ['"(systemd)"', plain]
- macro: udp_unconnected
  condition: (fd.l4proto != tcp and fd.connected=false)
- rule: public outbound
  desc: d
  condition: >
    evt.type=connect and fd.ip != "0.0.0.0" and fd.net != "127.0.0.0/8"
    and not fd.snet in (private_nets)
  output: "%fd.sip"
  priority: INFO
- rule: odd name
  desc: d
  condition: evt.type=execve and proc.name in (odd_names)
  output: "%proc.name"
  priority: INFO
- rule: uses udp_unconnected
  desc: d
  condition: evt.type=sendto and udp_unconnected
  output: x
  priority: INFO
)yaml";
  std::vector<Diagnostic> warnings;
  auto engine = LoadText(text, &warnings);
  ASSERT_NE(engine, nullptr);
  EXPECT_EQ(engine->rule_count(), 2u);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].ToString(),
            "test.yaml:20: warning: rule 'uses udp_unconnected': field 'fd.connected' is not "
            "supported by Vigil (in macro 'udp_unconnected'); rule skipped");
  SyntheticBuilder b;
  b.Exec("/bin/x", {"(systemd)"}).Comm("(systemd)");
  b.Exec("/usr/bin/curl", {"curl"});
  b.Socket(AF_INET, SOCK_STREAM).Connect("10.0.0.1:443");
  b.Socket(AF_INET, SOCK_STREAM).Connect("127.0.0.1:443");
  b.Socket(AF_INET, SOCK_STREAM).Connect("0.0.0.0:443");
  b.Socket(AF_INET, SOCK_STREAM).Connect("203.0.113.9:443");
  std::vector<Alert> alerts;
  auto fired = Fired(*engine, b, &alerts);
  ASSERT_FALSE(alerts.empty());
  EXPECT_EQ(alerts.back().output, "203.0.113.9");
  EXPECT_EQ(std::count(fired.begin(), fired.end(), "public outbound"), 1);
}

TEST(EngineTest, PriorityNames) {
  EXPECT_EQ(PriorityName(Priority::kInformational), "Informational");
  EXPECT_EQ(*ParsePriority("INFO"), Priority::kInformational);
  EXPECT_EQ(*ParsePriority("Warning"), Priority::kWarning);
  EXPECT_FALSE(ParsePriority("loud").ok());
}

// Socket fields of connect and accept: the event's end is formatted by the engine itself
// (IPv4 without the runtime's formatter) and the other end comes from the state only when a
// field asks for it; both must read exactly as the runtime's text of the addresses.
TEST(FieldsTest, SocketEndsReadAsTheRuntimeFormatsThem) {
  auto engine = LoadText(R"(
- rule: conn
  desc: d
  condition: evt.type in (connect, accept4)
  output: "%fd.name|%fd.sip|%fd.sport|%fd.cip|%fd.cport|%fd.rip|%fd.lport"
  priority: INFO
- rule: sip only
  desc: d
  condition: evt.type = connect and fd.sport > 0
  output: "%fd.sip %fd.sport"
  priority: INFO
)");
  ASSERT_NE(engine, nullptr);
  const char* kPeers[] = {"0.0.0.0:0",      "255.255.255.255:65535", "10.1.2.3:5",
                          "10.20.30.40:10", "100.0.9.99:100",        "1.2.3.4:9999",
                          "[::1]:80",       "[2001:db8::7]:443"};
  for (const char* peer : kPeers) {
    SyntheticBuilder b;
    b.Pid(700).Ppid(1).Comm("app");
    b.Socket(std::string(peer).starts_with("[") ? AF_INET6 : AF_INET, SOCK_STREAM).Ret(5);
    std::string local = std::string(peer).starts_with("[") ? "[::2]:5000" : "10.0.0.9:5000";
    b.Bind(local, 5);
    b.Connect(peer, 5);
    b.Accept(peer, 5).Ret(6);
    ASSERT_TRUE(b.status().ok()) << b.status();
    std::vector<Alert> alerts;
    Fired(*engine, b, &alerts);
    std::string p = peer;
    std::string ip = p.substr(0, p.rfind(':')), port = p.substr(p.rfind(':') + 1);
    if (ip.starts_with("[")) ip = ip.substr(1, ip.size() - 2);
    std::string lip = local.substr(0, local.rfind(':'));
    if (lip.starts_with("[")) lip = lip.substr(1, lip.size() - 2);
    std::vector<std::string> outputs;
    for (const Alert& a : alerts) outputs.push_back(a.rule + ": " + a.output);
    std::string connect =
        "conn: " + local + "->" + p + "|" + ip + "|" + port + "|" + lip + "|5000|" + ip + "|5000";
    EXPECT_NE(std::find(outputs.begin(), outputs.end(), connect), outputs.end())
        << connect << " not in " << ::testing::PrintToString(outputs);
    if (port != "0") {
      EXPECT_NE(std::find(outputs.begin(), outputs.end(), "sip only: " + ip + " " + port),
                outputs.end())
          << ::testing::PrintToString(outputs);
    }
    bool accepted = false;  // the accepted fd: the peer is the client
    for (const std::string& o : outputs) {
      accepted = accepted || (o.starts_with("conn: " + p + "->") &&
                              o.find("|" + ip + "|") != std::string::npos);
    }
    EXPECT_TRUE(accepted) << ::testing::PrintToString(outputs);
  }
}

// fd.name of an open: a clean absolute path is taken from the event without asking the state,
// which relies on the state naming the new fd with that very path; unclean and relative paths
// are the state's normalised names.
TEST(FieldsTest, OpenedFdNamesMatchTheState) {
  const char* kClean[] = {"/", "/etc/shadow", "/a/.b/..c/d.e",
                          "/usr/lib/x86_64-linux-gnu/libc.so.6"};
  auto state = TestState::Create({});
  SyntheticBuilder b;
  b.Pid(800).Ppid(1).Comm("app").Cwd("/srv");
  int64_t fd = 3;
  for (const char* path : kClean) b.Open(path, O_RDONLY).Ret(fd++);
  for (const runtime::Event& e : b.events()) state->Apply(e);
  const runtime::ProcessInfo* p = state->Process(800);
  ASSERT_NE(p, nullptr);
  fd = 3;
  for (const char* path : kClean) {
    auto it = p->fds.find(fd++);
    ASSERT_NE(it, p->fds.end()) << path;
    EXPECT_EQ(std::string_view(it->second.name), path);
  }

  auto engine = LoadText(R"(
- rule: opened
  desc: d
  condition: evt.type = openat
  output: "%fd.name"
  priority: INFO
)");
  ASSERT_NE(engine, nullptr);
  SyntheticBuilder c;
  c.Pid(801).Ppid(1).Comm("app").Cwd("/srv").Exec("/usr/bin/app", {"app"});
  const std::pair<const char*, const char*> kCases[] = {{"/etc/shadow", "/etc/shadow"},
                                                        {"/etc/../etc/shadow", "/etc/shadow"},
                                                        {"/a//b/", "/a/b"},
                                                        {"/a/./b/.", "/a/b"},
                                                        {"data/x", "/srv/data/x"},
                                                        {"/a/..b", "/a/..b"}};
  for (const auto& [path, want] : kCases) c.Open(path, O_RDONLY).Ret(5);
  std::vector<Alert> alerts;
  Fired(*engine, c, &alerts);
  ASSERT_EQ(alerts.size(), std::size(kCases));
  for (size_t i = 0; i < alerts.size(); ++i) EXPECT_EQ(alerts[i].output, kCases[i].second);
}

}  // namespace
}  // namespace vigil::rules
