// Ignore files: the data-driven suite over testdata/report/ignore/<case>/ (see its README)
// and unit checks of glob matching, expiry and error messages.
#include "report/ignore.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/test_paths.h"
#include "gtest/gtest.h"
#include "report/json.h"
#include "report/vex.h"

namespace vigil::report {
namespace {

namespace fs = std::filesystem;
using TimePoint = std::chrono::system_clock::time_point;

// The clock every case runs at: 2026-06-01T00:00:00Z.
TimePoint CaseNow() { return std::chrono::sys_days(std::chrono::year(2026) / 6 / 1); }

fs::path SuiteDir() { return fs::path(test_paths::SourceDir()) / "testdata" / "report" / "ignore"; }

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool Updating() {
  const char* v = std::getenv("VIGIL_UPDATE_GOLDEN");
  return v != nullptr && std::string(v) == "1";
}

// The text form of a suppression outcome that expected.txt holds.
std::string Describe(const Report& r, const std::vector<std::string>& warnings) {
  std::string out;
  for (const Finding& f : r.findings) {
    out += std::string(FindingKindName(f.kind)) + " " + f.id + " " + f.status + "\n";
    if (f.remediation.empty()) continue;
    std::istringstream lines(f.remediation);
    for (std::string line; std::getline(lines, line);) out += "  | " + line + "\n";
  }
  for (const std::string& w : warnings) out += "warning: " + w + "\n";
  return out;
}

TEST(IgnoreSuiteTest, EveryCaseMatchesExpected) {
  ASSERT_TRUE(fs::is_directory(SuiteDir())) << SuiteDir();
  int cases = 0;
  for (const auto& entry : fs::directory_iterator(SuiteDir())) {
    if (!entry.is_directory()) continue;
    const fs::path dir = entry.path();
    SCOPED_TRACE(dir.string());
    ++cases;
    fs::path input =
        fs::exists(dir / "input.json") ? dir / "input.json" : SuiteDir() / "findings.json";
    auto report = ReportFromJson(ReadFile(input));
    ASSERT_TRUE(report.ok()) << report.status();
    std::string name = fs::exists(dir / ".trivyignore.yaml") ? ".trivyignore.yaml" : ".trivyignore";
    ASSERT_TRUE(fs::exists(dir / name)) << "no ignore file";
    std::string text = ReadFile(dir / name);
    auto rules = name == ".trivyignore" ? ParseTrivyIgnore(text, name, CaseNow())
                                        : ParseTrivyIgnoreYaml(text, name, CaseNow());
    std::string got;
    if (!rules.ok()) {
      got = "error: " + rules.status().message() + "\n";
    } else {
      ApplyIgnoreRules(*rules, *report);
      got = Describe(*report, rules->warnings);
    }
    if (Updating()) {
      std::ofstream(dir / "expected.txt", std::ios::binary | std::ios::trunc) << got;
      continue;
    }
    EXPECT_EQ(ReadFile(dir / "expected.txt"), got);
  }
  EXPECT_GE(cases, 10);
}

// Misconfiguration entries keyed by check id + resource glob: only that check on matching
// resources is suppressed; other sections reject `resources`.
TEST(IgnoreTest, MisconfigResources) {
  auto rules = ParseTrivyIgnoreYaml(
      "misconfigurations:\n- id: VGL-K8S-001\n  resources: [\"Deployment/prod/*\"]\n", "i.yaml",
      CaseNow());
  ASSERT_TRUE(rules.ok()) << rules.status();
  Report r;
  for (const char* res : {"Deployment/prod/web", "Deployment/dev/web", "Pod/prod/web"}) {
    Finding f;
    f.kind = FindingKind::kMisconfig;
    f.id = "VGL-K8S-001";
    f.status = "fail";
    f.location.resource = res;
    r.findings.push_back(f);
  }
  r.findings.push_back(r.findings[0]);
  r.findings.back().id = "VGL-K8S-002";
  EXPECT_EQ(ApplyIgnoreRules(*rules, r), 1);
  EXPECT_EQ(r.findings[0].status, "suppressed");
  EXPECT_EQ(r.findings[1].status, "fail");
  EXPECT_EQ(r.findings[2].status, "fail");
  EXPECT_EQ(r.findings[3].status, "fail");
  auto bad = ParseTrivyIgnoreYaml("secrets:\n- id: aws\n  resources: [x]\n", "i.yaml", CaseNow());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("i.yaml:3: secrets[0].resources: unknown field"),
            std::string::npos)
      << bad.status();
}

TEST(IgnoreTest, GlobMatch) {
  EXPECT_TRUE(GlobMatch("app/*.json", "app/package.json"));
  EXPECT_FALSE(GlobMatch("app/*.json", "app/x/package.json"));
  EXPECT_TRUE(GlobMatch("**/package.json", "package.json"));
  EXPECT_TRUE(GlobMatch("**/package.json", "a/b/c/package.json"));
  EXPECT_TRUE(GlobMatch("app/**", "app/a/b"));
  EXPECT_TRUE(GlobMatch("a/**/z", "a/z"));
  EXPECT_TRUE(GlobMatch("a/**/z", "a/b/c/z"));
  EXPECT_FALSE(GlobMatch("a/**/z", "a/bz"));
  EXPECT_TRUE(GlobMatch("a?c", "abc"));
  EXPECT_FALSE(GlobMatch("a?c", "a/c"));
  EXPECT_TRUE(GlobMatch("exact/path", "exact/path"));
  EXPECT_FALSE(GlobMatch("exact/path", "exact/path2"));
  EXPECT_TRUE(GlobMatch("", ""));
  EXPECT_TRUE(GlobMatch("*", ""));
  // A pattern that makes naive backtracking exponential finishes at once.
  std::string path(3000, 'a');
  EXPECT_FALSE(GlobMatch("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", path));
  EXPECT_FALSE(GlobMatch("**a**a**a**a**a**a**a**a**a**a**b", path));
}

TEST(IgnoreTest, ExpiryIsStartOfDayUtc) {
  auto day = std::chrono::sys_days(std::chrono::year(2026) / 3 / 10);
  auto before = ParseTrivyIgnore("CVE-1 exp:2026-03-10\n", "f", day - std::chrono::seconds(1));
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->entries.size(), 1u);
  auto at = ParseTrivyIgnore("CVE-1 exp:2026-03-10\n", "f", day);
  ASSERT_TRUE(at.ok());
  EXPECT_TRUE(at->entries.empty());
  ASSERT_EQ(at->warnings.size(), 1u);
  EXPECT_EQ(at->warnings[0], "f:1: ignore entry CVE-1 expired on 2026-03-10; it no longer applies");
}

TEST(IgnoreTest, RejectsImpossibleDates) {
  for (const char* text : {"X exp:2026-02-30", "X exp:2026-2-3", "X exp:", "X exp:20260101"}) {
    auto r = ParseTrivyIgnore(text, "t", CaseNow());
    EXPECT_FALSE(r.ok()) << text;
    EXPECT_NE(r.status().message().find("t:1:"), std::string::npos) << r.status().message();
  }
}

TEST(IgnoreTest, SuppressedFindingsStayCountedAsSuppressed) {
  Report r;
  Finding f;
  f.id = "CVE-2020-8203";
  f.severity = Severity::kHigh;
  f.status = "fixed";
  r.findings.push_back(f);
  auto rules = ParseTrivyIgnore("CVE-2020-8203\n", ".trivyignore", CaseNow());
  ASSERT_TRUE(rules.ok());
  EXPECT_EQ(ApplyIgnoreRules(*rules, r), 1);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].status, "suppressed");
  Summary s = r.Summarize();
  EXPECT_EQ(s.suppressed, 1);
  EXPECT_EQ(s.total, 0);
  EXPECT_FALSE(AnyCounted(r, {}));
  auto note = FindSuppressionNote(r.findings[0].remediation);
  ASSERT_TRUE(note.has_value());
  EXPECT_FALSE(note->vex);
  EXPECT_EQ(note->text, "Suppressed by ignore file (.trivyignore:1)");
}

TEST(IgnoreTest, LoadIgnoreFileNamesMissingFile) {
  FakeClock clock(CaseNow());
  auto r = LoadIgnoreFile("/nonexistent/.trivyignore", clock);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("/nonexistent/.trivyignore"), std::string::npos)
      << r.status().message();
}

TEST(IgnoreTest, HostileYamlIsAnErrorNotACrash) {
  std::string deep(20000, '[');
  for (const std::string& text :
       {deep, std::string("vulnerabilities: &a [*a]"), std::string("- a\n- b\n"),
        std::string("vulnerabilities:\n  - id: [x]\n"), std::string("\t\tvulnerabilities: x")}) {
    auto r = ParseTrivyIgnoreYaml(text, "h.yaml", CaseNow());
    EXPECT_FALSE(r.ok()) << text.substr(0, 40);
  }
}

}  // namespace
}  // namespace vigil::report
