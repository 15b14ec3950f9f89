// The default rule set, data-driven: testdata/rules/default/<rule>.yaml holds a synthetic
// event sequence that must raise the rule (with the listed output fields) and near misses
// that must not. Every default rule must have such a file.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "rules/rules.h"
#include "rules/test_util.h"

namespace vigil::rules {
namespace {

namespace fs = std::filesystem;
using testing::ParseContainers;
using testing::RunSteps;

std::shared_ptr<const Engine> DefaultEngine() {
  static std::shared_ptr<const Engine> engine = [] {
    std::vector<Diagnostic> warnings;
    auto e = Engine::LoadDefault({}, &warnings);
    EXPECT_TRUE(e.ok()) << e.status();
    for (const Diagnostic& d : warnings) ADD_FAILURE() << "default rules warn: " << d.ToString();
    return e.ok() ? *e : nullptr;
  }();
  return engine;
}

std::vector<fs::path> CaseFiles() {
  std::vector<fs::path> out;
  fs::path dir = testing::TestDataDir() / "default";
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".yaml") out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(DefaultRulesTest, LoadsWithoutWarningsAndIndexesEveryRuleByEventType) {
  auto engine = DefaultEngine();
  ASSERT_NE(engine, nullptr);
  EXPECT_GE(engine->rule_count(), 35u);
  for (const RuleInfo& r : engine->rules()) {
    EXPECT_FALSE(r.event_types.empty()) << r.name << " runs on every event type";
    EXPECT_FALSE(r.desc.empty()) << r.name;
  }
}

TEST(DefaultRulesTest, EveryRuleHasASyntheticCase) {
  auto engine = DefaultEngine();
  ASSERT_NE(engine, nullptr);
  std::set<std::string> covered;
  for (const fs::path& p : CaseFiles()) {
    YAML::Node doc = YAML::LoadFile(p.string());
    covered.insert(doc["rule"].Scalar());
  }
  for (const RuleInfo& r : engine->rules()) {
    EXPECT_TRUE(covered.count(r.name)) << "no testdata/rules/default case for rule: " << r.name;
  }
  std::set<std::string> names;
  for (const RuleInfo& r : engine->rules()) names.insert(r.name);
  for (const std::string& c : covered) EXPECT_TRUE(names.count(c)) << "case for unknown rule " << c;
}

class DefaultRuleCase : public ::testing::TestWithParam<fs::path> {};

TEST_P(DefaultRuleCase, FiresAndNearMissesDoNot) {
  auto engine = DefaultEngine();
  ASSERT_NE(engine, nullptr);
  YAML::Node doc = YAML::LoadFile(GetParam().string());
  std::string rule = doc["rule"].Scalar();
  auto containers = ParseContainers(doc["containers"]);

  auto alerts = RunSteps(*engine, doc["fire"], containers);
  ASSERT_TRUE(alerts.ok()) << alerts.status();
  const Alert* hit = nullptr;
  for (const Alert& a : *alerts) {
    if (a.rule == rule) hit = &a;
  }
  ASSERT_NE(hit, nullptr) << rule << " did not fire";
  for (const auto& kv : doc["expect"]) {
    std::string field = kv.first.Scalar();
    auto it = hit->output_fields.find(field);
    ASSERT_NE(it, hit->output_fields.end()) << rule << ": output has no %" << field;
    EXPECT_EQ(it->second.str, kv.second.Scalar()) << rule << ": " << field;
  }
  EXPECT_EQ(hit->output.find("%"), std::string::npos) << hit->output;

  ASSERT_TRUE(doc["misses"] && doc["misses"].size() > 0) << rule << ": no near miss";
  for (const YAML::Node& miss : doc["misses"]) {
    auto quiet = RunSteps(*engine, miss["steps"], containers);
    ASSERT_TRUE(quiet.ok()) << quiet.status();
    for (const Alert& a : *quiet) {
      EXPECT_NE(a.rule, rule) << "near miss '" << miss["why"].Scalar() << "' fired: " << a.output;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, DefaultRuleCase, ::testing::ValuesIn(CaseFiles()),
                         [](const ::testing::TestParamInfo<fs::path>& info) {
                           std::string n = info.param.stem().string();
                           for (char& c : n) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return n;
                         });

}  // namespace
}  // namespace vigil::rules
