// The rule engine inside the agent (rules/detector.h): alerts from the built-in and from user
// rule sets go out through the agent's output as Falco JSON and are counted in its metrics;
// a reload in the middle of a stream switches rules at exactly that event and keeps the
// process tree the State built before it; a reload that fails keeps the previous rules; the
// rule set options (--rules-default, --priority, --rules-check) behave as documented.
#include "rules/detector.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "runtime/agent.h"
#include "runtime/synthetic.h"

namespace vigil::rules {
namespace {

namespace fs = std::filesystem;
using runtime::Agent;
using runtime::AgentOptions;
using runtime::Event;
using runtime::EventSink;
using runtime::EventSource;
using runtime::SyntheticBuilder;

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("vigil-detector-test-" + std::to_string(getpid()) + "-" + std::to_string(n_++));
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  static inline int n_ = 0;
  fs::path path_;
};

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::trunc) << text;
}

std::vector<nlohmann::json> ReadJsonLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<nlohmann::json> out;
  for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
  return out;
}

// Delivers a synthetic sequence and runs `hook` just before the event with index `at` is
// handed to the agent: the point where the test edits a rule file and raises SIGHUP's flag.
class HookedSource : public EventSource {
 public:
  HookedSource(std::unique_ptr<EventSource> inner, size_t at, std::function<void()> hook)
      : inner_(std::move(inner)), at_(at), hook_(std::move(hook)) {}
  StatusOr<size_t> Poll(std::chrono::milliseconds timeout, const EventSink& sink) override {
    return inner_->Poll(timeout, [&](const Event& e) {
      if (delivered_++ == at_) hook_();
      sink(e);
    });
  }
  runtime::SourceStats Stats() const override { return inner_->Stats(); }
  std::string Describe() const override { return "hooked synthetic"; }

 private:
  std::unique_ptr<EventSource> inner_;
  size_t at_;
  std::function<void()> hook_;
  size_t delivered_ = 0;
};

// init(100) -> "supervisor"(101) -> "worker"(102) -> children 200.. each exec'ing `tool`.
// The rules below name the worker and the supervisor through proc.pname and proc.aname[2],
// which only the process tree built from the first events can answer.
SyntheticBuilder Tree(int children) {
  SyntheticBuilder b;
  b.Pid(100).Ppid(1).Exec("/sbin/init", {"init"});
  b.Fork(101).Exec("/usr/bin/supervisor", {"supervisor"});
  b.Fork(102).Exec("/usr/bin/worker", {"worker", "--serve"});
  for (int i = 0; i < children; ++i) {
    b.Pid(102).Ppid(101).Comm("worker");
    b.Fork(200 + i).Exec("/usr/bin/tool", {"tool", std::to_string(i)});
  }
  return b;
}

constexpr char kRulesV1[] = R"(
- rule: Tool under worker
  desc: a tool started by the worker
  condition: evt.type = execve and evt.dir = < and proc.name = tool and proc.pname = worker
  output: v1 tool %proc.cmdline parent=%proc.pname
  priority: WARNING
  tags: [test]
)";

constexpr char kRulesV2[] = R"(
- rule: Tool under supervisor's worker
  desc: a tool whose grandparent is the supervisor
  condition: >
    evt.type = execve and evt.dir = < and proc.name = tool and proc.aname[2] = supervisor
  output: v2 tool %proc.cmdline gparent=%proc.aname[2] parent=%proc.pname
  priority: ERROR
  tags: [test, v2]
)";

constexpr char kRulesBroken[] = R"(
- rule: Half written
  desc: a file caught in the middle of an edit
  condition: evt.type = execve and (proc.name = tool
  output: x
  priority: WARNING
)";

struct AgentRun {
  std::vector<nlohmann::json> alerts;
  runtime::AgentSummary summary;
  std::string metrics;
};

AgentRun RunAgent(std::unique_ptr<EventSource> source, std::unique_ptr<runtime::Detector> detector,
                  const std::string& out, std::atomic<bool>* reload) {
  AgentOptions options;
  options.output = out;
  options.hostname = "node-7";
  auto agent = Agent::Create(options, std::move(source));
  EXPECT_TRUE(agent.ok()) << agent.status();
  if (!agent.ok()) return {};
  (*agent)->AddDetector(std::move(detector));
  std::atomic<bool> stop{false};
  Status s = (*agent)->Run(stop, reload);
  EXPECT_TRUE(s.ok()) << s;
  return AgentRun{ReadJsonLines(out), (*agent)->summary(), (*agent)->RenderMetrics()};
}

TEST(RulesDetectorTest, ReloadMidStreamSwitchesRulesAtThatEventAndKeepsTheState) {
  TempDir dir;
  std::string rules = dir / "local.yaml";
  WriteFile(rules, kRulesV1);
  RuleSetConfig config;
  config.files = {rules};
  auto detector = RulesDetector::Create(config);
  ASSERT_TRUE(detector.ok()) << detector.status();
  EXPECT_EQ((*detector)->Describe(), "1 rule (" + rules + ")");

  SyntheticBuilder b = Tree(6);
  // The exec of child 3 (index: 3 setup execs + forks, then fork+exec per child).
  size_t at = 0;
  for (size_t i = 0, execs = 0; i < b.events().size(); ++i) {
    if (b.events()[i].type == runtime::EventType::kProcessExec && ++execs == 3 + 4) at = i;
  }
  ASSERT_GT(at, 0u);
  std::atomic<bool> reload{false};
  auto source = std::make_unique<HookedSource>(b.Build(), at, [&] {
    WriteFile(rules, kRulesV2);
    reload.store(true);  // what the SIGHUP handler does
  });
  AgentRun run = RunAgent(std::move(source), std::move(*detector), dir / "alerts.jsonl", &reload);

  ASSERT_EQ(run.alerts.size(), 6u);
  for (int i = 0; i < 6; ++i) {
    const nlohmann::json& a = run.alerts[i];
    EXPECT_EQ(a["hostname"], "node-7");
    EXPECT_EQ(a["source"], "syscall");
    EXPECT_EQ(a["output_fields"]["proc.cmdline"], "tool " + std::to_string(i));
    if (i < 3) {
      EXPECT_EQ(a["rule"], "Tool under worker") << i;
      EXPECT_EQ(a["priority"], "Warning");
      EXPECT_EQ(a["output"], "v1 tool tool " + std::to_string(i) + " parent=worker");
    } else {
      // The new rules see the supervisor two generations up: the tree survived the reload.
      EXPECT_EQ(a["rule"], "Tool under supervisor's worker") << i;
      EXPECT_EQ(a["priority"], "Error");
      EXPECT_EQ(a["output"],
                "v2 tool tool " + std::to_string(i) + " gparent=supervisor parent=worker");
      EXPECT_EQ(a["tags"], nlohmann::json::array({"test", "v2"}));
    }
  }
  EXPECT_EQ(run.summary.reloads, 1u);
  EXPECT_EQ(run.summary.reload_errors, 0u);
  EXPECT_EQ(run.summary.alerts, 6u);
  EXPECT_NE(run.metrics.find(
                "vigil_agent_alerts_total{rule=\"Tool under worker\",priority=\"Warning\"} 3"),
            std::string::npos)
      << run.metrics;
  EXPECT_NE(run.metrics.find("vigil_agent_alerts_total{rule=\"Tool under supervisor's "
                             "worker\",priority=\"Error\"} 3"),
            std::string::npos);
  EXPECT_NE(run.metrics.find("vigil_agent_reloads_total{result=\"ok\"} 1"), std::string::npos);
  EXPECT_NE(run.metrics.find("vigil_rules_loaded 1"), std::string::npos);
  EXPECT_NE(run.metrics.find("vigil_rules_loads_total{result=\"ok\"} 2"), std::string::npos);
}

TEST(RulesDetectorTest, FailedReloadKeepsThePreviousRules) {
  TempDir dir;
  std::string rules = dir / "local.yaml";
  WriteFile(rules, kRulesV1);
  RuleSetConfig config;
  config.files = {rules};
  auto detector = RulesDetector::Create(config);
  ASSERT_TRUE(detector.ok()) << detector.status();
  SyntheticBuilder b = Tree(4);
  std::atomic<bool> reload{false};
  auto source = std::make_unique<HookedSource>(b.Build(), b.events().size() / 2, [&] {
    WriteFile(rules, kRulesBroken);
    reload.store(true);
  });
  AgentRun run = RunAgent(std::move(source), std::move(*detector), dir / "alerts.jsonl", &reload);
  ASSERT_EQ(run.alerts.size(), 4u);
  for (const nlohmann::json& a : run.alerts) EXPECT_EQ(a["rule"], "Tool under worker");
  EXPECT_EQ(run.summary.reloads, 0u);
  EXPECT_EQ(run.summary.reload_errors, 1u);
  EXPECT_NE(run.metrics.find("vigil_agent_reloads_total{result=\"error\"} 1"), std::string::npos);
  EXPECT_NE(run.metrics.find("vigil_rules_loads_total{result=\"error\"} 1"), std::string::npos);

  // The error a reload logs names the file and line, as at start-up.
  auto direct = RulesDetector::Create(config);
  ASSERT_FALSE(direct.ok());
  EXPECT_NE(direct.status().message().find(rules + ":"), std::string::npos) << direct.status();
  EXPECT_NE(direct.status().message().find("rule 'Half written'"), std::string::npos);
}

TEST(RulesDetectorTest, BuiltInRulesFireThroughTheAgent) {
  TempDir dir;
  auto detector = RulesDetector::Create({});
  ASSERT_TRUE(detector.ok()) << detector.status();
  EXPECT_GE((*detector)->engine()->rule_count(), 40u);
  EXPECT_TRUE((*detector)->warnings().empty());
  EXPECT_NE((*detector)->Describe().find("rules (built-in)"), std::string::npos);
  SyntheticBuilder b;
  b.Pid(300).Comm("sh").Exec("/bin/cat", {"cat", "/etc/shadow"}).Open("/etc/shadow", O_RDONLY);
  b.Exec("/bin/ln", {"ln", "-s", "/etc/shadow", "/tmp/s"}).Symlink("/etc/shadow", "/tmp/s");
  AgentRun run = RunAgent(b.Build(), std::move(*detector), dir / "alerts.jsonl", nullptr);
  ASSERT_EQ(run.alerts.size(), 2u);
  EXPECT_EQ(run.alerts[0]["rule"], "Read sensitive file untrusted");
  EXPECT_EQ(run.alerts[0]["output_fields"]["fd.name"], "/etc/shadow");
  EXPECT_EQ(run.alerts[0]["output_fields"]["container.id"], "host");
  EXPECT_EQ(run.alerts[1]["rule"], "Create Symlink Over Sensitive Files");
  EXPECT_EQ(run.alerts[1]["output_fields"]["evt.arg.linkpath"], "/tmp/s");
}

TEST(RulesDetectorTest, DefaultsPlusLocalFileAppendToDefaultLists) {
  TempDir dir;
  std::string local = dir / "local.yaml";
  // A tuning file in Falco's style: `cat` is now trusted to read sensitive files.
  WriteFile(local, R"(
- list: user_mgmt_binaries
  items: [cat]
  append: true
)");
  SyntheticBuilder b;
  b.Pid(300).Exec("/bin/cat", {"cat", "/etc/shadow"}).Open("/etc/shadow", O_RDONLY);
  b.Pid(301).Exec("/bin/head", {"head", "/etc/shadow"}).Open("/etc/shadow", O_RDONLY);

  RuleSetConfig config;
  config.files = {local};
  config.with_defaults = true;
  EXPECT_EQ(DescribeRuleSet(config), "built-in + " + local);
  auto detector = RulesDetector::Create(config);
  ASSERT_TRUE(detector.ok()) << detector.status();
  AgentRun run = RunAgent(b.Build(), std::move(*detector), dir / "a.jsonl", nullptr);
  ASSERT_EQ(run.alerts.size(), 1u);
  EXPECT_EQ(run.alerts[0]["output_fields"]["proc.name"], "head");

  // Alone, the file appends to a list that does not exist.
  config.with_defaults = false;
  auto alone = RulesDetector::Create(config);
  ASSERT_FALSE(alone.ok());
  EXPECT_NE(alone.status().message().find(local + ":"), std::string::npos) << alone.status();
}

TEST(RulesDetectorTest, MinimumPriorityLoadsOnlyMoreSevereRules) {
  RuleSetConfig config;
  config.load.min_priority = Priority::kCritical;
  auto engine = LoadRuleSet(config);
  ASSERT_TRUE(engine.ok()) << engine.status();
  ASSERT_GT((*engine)->rule_count(), 0u);
  for (const RuleInfo& r : (*engine)->rules()) {
    EXPECT_LE(static_cast<int>(r.priority), static_cast<int>(Priority::kCritical)) << r.name;
  }
  auto all = LoadRuleSet({});
  ASSERT_TRUE(all.ok());
  EXPECT_LT((*engine)->rule_count(), (*all)->rule_count());
}

TEST(RulesDetectorTest, CheckReportsErrorsAndUnsupportedFalcoFields) {
  TempDir dir;
  std::string good = dir / "good.yaml", bad = dir / "bad.yaml";
  WriteFile(good, kRulesV1);
  // k8s.pod.label is a Falco field Vigil does not have: the rule is skipped with a warning.
  WriteFile(bad, std::string(kRulesBroken) + R"(
- rule: Pod label
  desc: uses a field Vigil lacks
  condition: evt.type = execve and k8s.pod.label.app = web
  output: x
  priority: WARNING
)");
  RuleSetConfig config;
  config.files = {good};
  CheckReport ok = CheckRuleSet(config);
  EXPECT_TRUE(ok.ok()) << ok.ToString();
  EXPECT_EQ(ok.rules_loaded, 1u);

  config.files = {good, bad};
  CheckReport report = CheckRuleSet(config);
  EXPECT_FALSE(report.ok());
  std::string text = report.ToString();
  EXPECT_NE(text.find(bad + ":2: rule 'Half written': "), std::string::npos) << text;
  EXPECT_NE(text.find("warning: rule 'Pod label'"), std::string::npos) << text;

  // Missing files are errors that name the file.
  config.files = {dir / "absent.yaml"};
  CheckReport missing = CheckRuleSet(config);
  EXPECT_FALSE(missing.ok());
  EXPECT_NE(missing.ToString().find("absent.yaml: cannot read"), std::string::npos);
}

}  // namespace
}  // namespace vigil::rules
