// Standards and audits: the embedded control lists, the framework-file parser (data-driven
// over testdata/config/standards/frameworks/), scoring, and a golden audit of a real
// manifest set (testdata/config/standards/audit/; VIGIL_UPDATE_GOLDEN=1 rewrites it).
#include "config/standards.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "base/fs.h"
#include "base/strings.h"
#include "base/test_paths.h"
#include "config/scan.h"
#include "nlohmann/json.hpp"
#include "report/json.h"
#include "report/writer.h"

namespace vigil::config {
namespace {

namespace fs = std::filesystem;
using report::Severity;

using test_paths::SharedDir;
using test_paths::SourceDir;

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<const CheckInfo*> Builtin() {
  auto registry = BuiltinRegistry();
  EXPECT_TRUE(registry.ok()) << registry.status().message();
  return CheckInfos({*registry});
}

TEST(Standards, BuiltinsParseWithExpectedSizes) {
  const std::map<std::string, size_t> kSizes = {{"pss-baseline", 11},
                                                {"pss-restricted", 17},
                                                {"cis-k8s", 131},
                                                {"cis-docker", 117},
                                                {"nsa", 27}};
  for (const std::string& id : BuiltinStandardIds()) {
    auto fw = BuiltinFramework(id);
    ASSERT_TRUE(fw.ok()) << id << ": " << fw.status().message();
    EXPECT_EQ(fw->id, id);
    EXPECT_EQ(fw->controls.size(), kSizes.at(id)) << id;
    std::set<std::string> ids;
    for (const auto& c : fw->controls) {
      EXPECT_TRUE(ids.insert(c.id).second) << id << ": duplicate " << c.id;
      EXPECT_FALSE(c.title.empty()) << id << "/" << c.id;
    }
  }
  EXPECT_FALSE(BuiltinFramework("cis-k9s").ok());
}

// The embedded CIS Kubernetes list is exactly kube-bench's cis-1.12 (when ../shared is there).
TEST(Standards, CisKubernetesMatchesKubeBench) {
  fs::path corpus = fs::path(SharedDir()) / "corpora/cis/cis-kubernetes-1.12-kube-bench.json";
  if (!fs::exists(corpus)) GTEST_SKIP() << "../shared/corpora absent";
  auto j = nlohmann::json::parse(ReadAll(corpus));
  auto fw = BuiltinFramework("cis-k8s");
  ASSERT_TRUE(fw.ok());
  ASSERT_EQ(fw->controls.size(), j["checks"].size());
  for (size_t i = 0; i < fw->controls.size(); ++i) {
    EXPECT_EQ(fw->controls[i].id, j["checks"][i]["id"].get<std::string>());
    EXPECT_EQ(fw->controls[i].title, j["checks"][i]["title"].get<std::string>());
    EXPECT_TRUE(StartsWith(fw->controls[i].section, j["checks"][i]["section"].get<std::string>()));
  }
}

TEST(Standards, CisDockerMatchesDockerBench) {
  fs::path corpus = fs::path(SharedDir()) / "corpora/cis/cis-docker-docker-bench.json";
  if (!fs::exists(corpus)) GTEST_SKIP() << "../shared/corpora absent";
  auto j = nlohmann::json::parse(ReadAll(corpus));
  auto fw = BuiltinFramework("cis-docker");
  ASSERT_TRUE(fw.ok());
  std::set<std::string> ours, theirs;
  for (const auto& c : fw->controls) ours.insert(c.id);
  // 1.1 and 1.2 are section headings in docker-bench, not controls.
  for (const auto& c : j["checks"]) {
    std::string id = c["id"];
    if (id != "1.1" && id != "1.2") theirs.insert(id);
  }
  EXPECT_EQ(ours, theirs);
}

// Every "<built-in standard>/<control>" mapping of a registered check names a real control,
// so a typo in a check's mapping cannot silently drop it from the audit.
TEST(Standards, EveryCheckMappingNamesAControl) {
  auto checks = Builtin();
  std::map<std::string, std::set<std::string>> controls;
  for (const std::string& id : BuiltinStandardIds()) {
    auto fw = BuiltinFramework(id);
    ASSERT_TRUE(fw.ok());
    for (const auto& c : fw->controls) controls[id].insert(c.id);
  }
  for (const CheckInfo* c : checks) {
    for (const std::string& control : c->controls) {
      size_t slash = control.find('/');
      ASSERT_NE(slash, std::string::npos) << c->id << ": " << control;
      std::string fw = control.substr(0, slash);
      if (!IsBuiltinStandard(fw)) continue;
      EXPECT_TRUE(controls[fw].count(control.substr(slash + 1)) > 0)
          << c->id << " maps to " << control << ", which is not a control of " << fw;
    }
  }
}

// Pod Security Standards are fully automated: each control has its check.
TEST(Standards, PodSecurityControlsAreAutomated) {
  auto checks = Builtin();
  for (const char* id : {"pss-baseline", "pss-restricted"}) {
    auto fw = BuiltinFramework(id);
    ASSERT_TRUE(fw.ok());
    for (const auto& c : fw->controls) {
      EXPECT_FALSE(ControlChecks(*fw, c, checks).empty()) << id << "/" << c.id;
    }
  }
}

TEST(Standards, BadFrameworkFilesNameFileAndLine) {
  fs::path dir = fs::path(SourceDir()) / "testdata/config/standards/frameworks/bad";
  auto checks = Builtin();
  int cases = 0;
  std::string expected = ReadAll(dir / "expected-errors.txt");
  for (std::string_view line : SplitLines(expected)) {
    if (line.empty() || line[0] == '#') continue;
    size_t bar = line.find('|');
    ASSERT_NE(bar, std::string_view::npos) << line;
    std::string file(line.substr(0, bar));
    std::string want(line.substr(bar + 1));
    auto fw = ParseFramework(ReadAll(dir / file), file, checks);
    ASSERT_FALSE(fw.ok()) << file << " parsed";
    EXPECT_NE(fw.status().message().find(want), std::string::npos)
        << file << ": got \"" << fw.status().message() << "\", want \"" << want << "\"";
    ++cases;
  }
  // Every file of the folder has an expectation.
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir)) files += e.path().extension() == ".yaml";
  EXPECT_EQ(cases, files);
}

TEST(Standards, FrameworkFileGroupsBuiltinAndMappedChecks) {
  auto checks = Builtin();
  fs::path file = fs::path(SourceDir()) / "testdata/config/standards/frameworks/acme.yaml";
  auto fw = ParseFramework(ReadAll(file), "acme.yaml", checks);
  ASSERT_TRUE(fw.ok()) << fw.status().message();
  EXPECT_EQ(fw->id, "acme-baseline");
  EXPECT_EQ(fw->version, "2026.1");
  ASSERT_EQ(fw->controls.size(), 4u);
  EXPECT_EQ(fw->controls[0].severity, Severity::kCritical);
  EXPECT_TRUE(fw->controls[3].manual);
  // A custom check mapping itself to "acme-baseline/2.2" joins control 2.2 of the file.
  CheckInfo custom;
  custom.id = "ACME-001";
  custom.applies_to = {"Deployment"};
  custom.controls = {"acme-baseline/1.1"};
  auto with_custom = checks;
  with_custom.push_back(&custom);
  EXPECT_EQ(ControlChecks(*fw, fw->controls[0], with_custom),
            (std::vector<std::string>{"ACME-001", "VGL-K8S-001"}));
  EXPECT_EQ(FrameworkChecks(*fw, checks),
            (std::vector<std::string>{"VGL-K8S-001", "VGL-K8S-002", "VGL-K8S-003", "VGL-K8S-014",
                                      "VGL-K8S-015"}));
}

TEST(Standards, ResolveDerivesAStandardFromCheckMappings) {
  CheckInfo a, b;
  a.id = "ACME-001";
  a.controls = {"acme/1.10"};
  b.id = "ACME-002";
  b.controls = {"acme/1.2", "acme/1.10"};
  auto fw = ResolveStandard("acme", {&a, &b});
  ASSERT_TRUE(fw.ok()) << fw.status().message();
  EXPECT_EQ(fw->source, "controls");
  ASSERT_EQ(fw->controls.size(), 2u);
  EXPECT_EQ(fw->controls[0].id, "1.2");  // natural order: 1.2 before 1.10
  EXPECT_EQ(fw->controls[1].id, "1.10");
  auto unknown = ResolveStandard("nist", {&a, &b});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("unknown standard \"nist\""), std::string::npos);
  EXPECT_FALSE(ResolveStandard("/nonexistent/framework.yaml", {&a}).ok());
}

report::Finding MakeF(std::string id, Severity s, std::string status, std::string resource) {
  report::Finding f;
  f.kind = report::FindingKind::kMisconfig;
  f.id = std::move(id);
  f.severity = s;
  f.status = std::move(status);
  f.title = "title of " + f.id;
  f.remediation = "fix " + f.id;
  f.location = {"m.yaml", 3, 0, "", std::move(resource)};
  return f;
}

// Status decisions and both scores on a hand-computed example.
TEST(Standards, AuditStatusesAndScore) {
  CheckInfo high, med, low, dockerfile;
  high = {"C-1", "high", Severity::kHigh, "", "", {"Pod"}, {"t/a"}, {}};
  med = {"C-2", "med", Severity::kMedium, "", "", {"Pod"}, {"t/b"}, {}};
  low = {"C-3", "low", Severity::kLow, "", "", {"*"}, {"t/c"}, {}};
  dockerfile = {"C-4", "df", Severity::kHigh, "", "", {"Dockerfile"}, {"t/d"}, {}};
  std::vector<const CheckInfo*> checks = {&high, &med, &low, &dockerfile};
  Framework fw;
  fw.id = "t";
  for (const char* id : {"a", "b", "c", "d", "e"})
    fw.controls.push_back({id, id, "", {}, false, {}, 0});
  std::vector<report::Finding> findings = {
      MakeF("C-1", Severity::kHigh, "fail", "Pod/x/p1"),
      MakeF("C-1", Severity::kHigh, "fail", "Pod/x/p2"),
      MakeF("C-2", Severity::kMedium, "suppressed", "Pod/x/p1"),
  };
  auto audit = Audit(fw, checks, findings, {"Pod"});
  ASSERT_EQ(audit.controls.size(), 5u);
  EXPECT_EQ(audit.controls[0].status, "fail");
  EXPECT_EQ(audit.controls[0].failures.size(), 2u);
  EXPECT_EQ(audit.controls[0].remediation, std::vector<std::string>{"fix C-1"});
  EXPECT_EQ(audit.controls[0].severity, Severity::kHigh);  // from its check
  EXPECT_EQ(audit.controls[1].status, "pass");             // suppressed findings do not fail
  EXPECT_EQ(audit.controls[1].suppressed, 1);
  EXPECT_EQ(audit.controls[2].status, "pass");            // "*" applies to any resource
  EXPECT_EQ(audit.controls[3].status, "not_applicable");  // no Dockerfile scanned
  EXPECT_EQ(audit.controls[4].status, "manual");          // no check maps to t/e
  EXPECT_EQ(audit.passed, 2);
  EXPECT_EQ(audit.failed, 1);
  EXPECT_EQ(audit.manual, 1);
  EXPECT_EQ(audit.not_applicable, 1);
  EXPECT_DOUBLE_EQ(audit.score, 100.0 * 2 / 3);
  // Weighted: pass medium (2) + low (1) over those plus the failing high (3).
  EXPECT_DOUBLE_EQ(audit.weighted_score, 100.0 * 3 / 6);
  // Nothing scanned: every automated control is not applicable and the score is undefined.
  auto empty = Audit(fw, checks, {}, {});
  EXPECT_EQ(empty.not_applicable, 4);
  EXPECT_LT(empty.score, 0);
  EXPECT_LT(empty.weighted_score, 0);
}

// End to end: the real scan of testdata/config/standards/audit/manifests against both Pod
// Security Standards, compared with the golden JSON `compliance` section.
TEST(Standards, GoldenAudit) {
  fs::path root = fs::path(SourceDir()) / "testdata/config/standards/audit";
  RealFileSystem rfs(root.string());
  ScanOptions options;
  std::set<std::string> kinds;
  options.scanned_kinds = &kinds;
  auto checks = Builtin();
  std::vector<Framework> frameworks;
  for (const char* id : {"pss-baseline", "pss-restricted"}) {
    auto fw = ResolveStandard(id, checks);
    ASSERT_TRUE(fw.ok());
    options.standards.push_back(id);
    for (auto& c : FrameworkChecks(*fw, checks)) options.standard_checks.push_back(c);
    frameworks.push_back(*fw);
  }
  auto report = ScanPaths(rfs, {"/manifests"}, options);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(kinds, (std::set<std::string>{"Deployment", "Pod", "Role"}));
  for (const auto& fw : frameworks) {
    report->compliance.push_back(Audit(fw, checks, report->findings, kinds));
  }
  auto got = nlohmann::json::parse(report::ReportToJson(*report))["compliance"];
  fs::path golden = root / "expected.json";
  if (std::getenv("VIGIL_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(golden) << got.dump(2) << "\n";
  }
  ASSERT_TRUE(fs::exists(golden)) << "run with VIGIL_UPDATE_GOLDEN=1 to create " << golden;
  auto want = nlohmann::json::parse(ReadAll(golden));
  EXPECT_EQ(got, want) << got.dump(2);
}

// Hostile text from a framework file or a manifest never becomes markup in the HTML audit,
// and every format carries the audit.
TEST(Standards, AuditWritersEscapeAndCarryTheScore) {
  report::Report r;
  r.target = "t";
  report::ComplianceReport a;
  a.id = "x";
  a.title = "<script>alert(1)</script>";
  a.url = "javascript:alert(1)";
  report::ControlResult c;
  c.id = "1";
  c.title = "<img src=x onerror=alert(1)>";
  c.status = "fail";
  c.severity = Severity::kHigh;
  c.failures.push_back({"C-1", Severity::kHigh, "<b>t</b>", {"a.yaml", 2, 0, "", "Pod/<x>/p"}});
  c.remediation = {"use \"quotes\" & <tags>"};
  a.controls.push_back(c);
  ScoreCompliance(&a);
  r.compliance.push_back(a);
  std::ostringstream html;
  ASSERT_TRUE(report::WriteReport(r, report::Format::kHtml, html).ok());
  std::string page = html.str();
  EXPECT_EQ(page.find("<script"), std::string::npos);
  EXPECT_EQ(page.find("<img"), std::string::npos);
  EXPECT_EQ(page.find("href=\"javascript"), std::string::npos);
  EXPECT_NE(page.find("&lt;script&gt;"), std::string::npos);
  EXPECT_NE(page.find("Pod/&lt;x&gt;/p"), std::string::npos);
  EXPECT_NE(page.find("Score: <strong>0.0 %</strong>"), std::string::npos);
  for (auto f : {report::Format::kTable, report::Format::kJson, report::Format::kSarif,
                 report::Format::kJunit}) {
    std::ostringstream out;
    ASSERT_TRUE(report::WriteReport(r, f, out).ok());
    EXPECT_NE(out.str().find("0.0"), std::string::npos) << static_cast<int>(f);
  }
}

}  // namespace
}  // namespace vigil::config
