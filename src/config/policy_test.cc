#include "config/policy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/fs.h"
#include "base/strings.h"
#include "base/test_paths.h"
#include "config/scan.h"
#include "report/ignore.h"

namespace vigil::config {
namespace {

namespace stdfs = std::filesystem;

using test_paths::SourceDir;

std::string Read(const stdfs::path& p) {
  auto text = ReadHostFile(p.string());
  EXPECT_TRUE(text.ok()) << text.status();
  return text.ok() ? *text : std::string();
}

// "# expect: ID[,ID]" comments: line -> ids expected exactly once on that line.
std::multiset<std::pair<int, std::string>> InlineExpectations(const std::string& text) {
  std::multiset<std::pair<int, std::string>> out;
  int line = 0;
  for (std::string_view l : SplitLines(text)) {
    ++line;
    size_t at = l.find("# expect:");
    if (at == std::string_view::npos) continue;
    for (std::string_view id : Split(l.substr(at + 9), ',', true)) {
      out.emplace(line, std::string(Trim(id)));
    }
  }
  return out;
}

// Sidecar "<input>.expect" for inputs without comments (JSON): "LINE ID" per line.
std::multiset<std::pair<int, std::string>> SidecarExpectations(const stdfs::path& p) {
  std::multiset<std::pair<int, std::string>> out;
  const std::string text = Read(p);
  for (std::string_view l : SplitLines(text)) {
    auto fields = Split(Trim(l), ' ', true);
    if (fields.size() == 2) out.emplace(std::stoi(std::string(fields[0])), std::string(fields[1]));
  }
  return out;
}

// Every case directory: policy.yaml compiled once, each other file scanned with the built-in
// and custom checks; custom findings must be exactly the expected (line, id) pairs.
TEST(PolicyCases, DataDriven) {
  stdfs::path base = stdfs::path(SourceDir()) / "testdata/config/policy/cases";
  ASSERT_TRUE(stdfs::is_directory(base)) << base;
  auto builtin = BuiltinRegistry();
  ASSERT_TRUE(builtin.ok()) << builtin.status();
  int cases = 0, inputs = 0, expected_total = 0;
  std::vector<stdfs::path> dirs;
  for (const auto& e : stdfs::directory_iterator(base)) dirs.push_back(e.path());
  std::sort(dirs.begin(), dirs.end());
  for (const stdfs::path& dir : dirs) {
    SCOPED_TRACE(dir.filename().string());
    PolicySet set;
    Status loaded = set.AddText(Read(dir / "policy.yaml"), (dir / "policy.yaml").string());
    ASSERT_TRUE(loaded.ok()) << loaded;
    std::set<std::string> custom_ids;
    for (const auto& c : set.registry().all()) custom_ids.insert(c->info().id);
    ++cases;
    for (const auto& e : stdfs::directory_iterator(dir)) {
      std::string name = e.path().filename().string();
      if (name == "policy.yaml" || EndsWith(name, ".expect")) continue;
      SCOPED_TRACE(name);
      ++inputs;
      std::string text = Read(e.path());
      auto expected = InlineExpectations(text);
      stdfs::path sidecar = e.path().string() + ".expect";
      if (stdfs::exists(sidecar)) expected = SidecarExpectations(sidecar);
      expected_total += static_cast<int>(expected.size());
      ScanOptions options;
      options.custom = &set.registry();
      report::Report report;
      ScanText(**builtin, "/" + name, text, options, K8sVersion{}, &report);
      for (const auto& w : report.warnings) ADD_FAILURE() << "warning: " << w;
      std::multiset<std::pair<int, std::string>> got;
      for (const auto& f : report.findings) {
        if (!custom_ids.count(f.id)) continue;
        got.emplace(f.location.line, f.id);
        EXPECT_EQ(f.kind, report::FindingKind::kMisconfig);
        EXPECT_EQ(f.status, "fail");
        EXPECT_FALSE(f.description.empty());
      }
      EXPECT_EQ(got, expected);
    }
  }
  EXPECT_GE(cases, 7);
  EXPECT_GE(expected_total, 18);
  std::cout << "policy cases: " << cases << " policy files, " << inputs << " inputs, "
            << expected_total << " expected findings\n";
}

// Every file of bad/ fails to load with the error its first line names ("# error: TEXT",
// TEXT naming file:line).
TEST(PolicyCases, BadPoliciesNameFileAndLine) {
  stdfs::path base = stdfs::path(SourceDir()) / "testdata/config/policy/bad";
  ASSERT_TRUE(stdfs::is_directory(base)) << base;
  int n = 0;
  for (const auto& e : stdfs::directory_iterator(base)) {
    std::string text = Read(e.path());
    std::string_view first = SplitLines(text)[0];
    ASSERT_TRUE(StartsWith(first, "# error: ")) << e.path();
    std::string want(first.substr(9));
    PolicySet set;
    Status s = set.AddText(text, e.path().string());
    EXPECT_FALSE(s.ok()) << e.path();
    EXPECT_NE(s.message().find(want), std::string::npos)
        << e.path() << "\n got: " << s.message() << "\nwant: " << want;
    EXPECT_EQ(set.size(), 0u) << e.path();
    ++n;
  }
  EXPECT_GE(n, 10);
}

TEST(Policy, MessageTemplate) {
  PolicySet set;
  ASSERT_TRUE(set.AddText(R"P(id: ACME-1
title: Host PID
severity: high
message: "{{ .resource }} sets {{.path}}={{.value}} ({{.id}}: {{.title}})"
match: {kinds: [Pod]}
condition: {field: spec.hostPID, op: equals, value: true}
)P",
                          "p.yaml")
                  .ok());
  auto builtin = BuiltinRegistry();
  ASSERT_TRUE(builtin.ok());
  ScanOptions options;
  options.custom = &set.registry();
  report::Report report;
  ScanText(
      **builtin, "/pod.yaml",
      "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ns}\nspec:\n  hostPID: true\n",
      options, K8sVersion{}, &report);
  int found = 0;
  for (const auto& f : report.findings) {
    if (f.id != "ACME-1") continue;
    ++found;
    EXPECT_EQ(f.description, "Pod/ns/p sets spec.hostPID=true (ACME-1: Host PID)");
    EXPECT_EQ(f.location.line, 5);
    EXPECT_EQ(f.severity, report::Severity::kHigh);
  }
  EXPECT_EQ(found, 1);
}

TEST(Policy, Quantities) {
  double v = 0;
  ASSERT_TRUE(ParseQuantity("512Mi", &v));
  EXPECT_EQ(v, 512.0 * 1024 * 1024);
  ASSERT_TRUE(ParseQuantity("500m", &v));
  EXPECT_DOUBLE_EQ(v, 0.5);
  ASSERT_TRUE(ParseQuantity("1.5G", &v));
  EXPECT_DOUBLE_EQ(v, 1.5e9);
  ASSERT_TRUE(ParseQuantity("2e3", &v));
  EXPECT_DOUBLE_EQ(v, 2000);
  ASSERT_TRUE(ParseQuantity("3", &v));
  EXPECT_DOUBLE_EQ(v, 3);
  EXPECT_FALSE(ParseQuantity("lots", &v));
  EXPECT_FALSE(ParseQuantity("team", &v));
  EXPECT_FALSE(ParseQuantity("", &v));
  EXPECT_FALSE(ParseQuantity("Mi", &v));
}

TEST(Policy, DuplicateIdAcrossFilesAndDirectory) {
  MemFileSystem fs;
  const std::string p1 =
      "id: ACME-1\ntitle: a\nseverity: low\nmatch: {kinds: [Pod]}\n"
      "condition: {field: spec.hostPID, op: exists}\n";
  fs.AddFile("/pol/a.yaml", p1);
  fs.AddFile("/pol/sub/b.yml", p1);
  fs.AddFile("/pol/notes.txt", "not a policy");
  PolicySet set;
  Status s = set.AddPath(fs, "/pol");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("/pol/sub/b.yml:1: duplicate policy id ACME-1 (first defined at "
                             "/pol/a.yaml:1)"),
            std::string::npos)
      << s;
  EXPECT_EQ(set.size(), 1u);  // a.yaml loaded; b.yml added nothing
  PolicySet empty;
  MemFileSystem none;
  none.AddDir("/empty");
  EXPECT_FALSE(empty.AddPath(none, "/empty").ok());
  EXPECT_FALSE(empty.AddPath(none, "/missing.yaml").ok());
}

// --standard selects custom checks by their controls; the ignore file keyed by check id +
// resource glob suppresses (keeps, counts) their findings like built-in ones.
TEST(Policy, StandardSelectionAndIgnoreFile) {
  PolicySet set;
  ASSERT_TRUE(set.AddText("id: ACME-1\ntitle: Host PID\nseverity: high\ncontrols: [acme/1.1]\n"
                          "match: {kinds: [Pod]}\n"
                          "condition: {field: spec.hostPID, op: equals, value: true}\n",
                          "p.yaml")
                  .ok());
  MemFileSystem fs;
  fs.AddFile(
      "/m/pods.yaml",
      "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: prod}\nspec: {hostPID: true}\n"
      "---\n"
      "apiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: dev}\nspec: {hostPID: true}\n");
  ScanOptions options;
  options.custom = &set.registry();
  options.standards = {"acme"};
  auto r = ScanPaths(fs, {"/m"}, options);
  ASSERT_TRUE(r.ok()) << r.status();
  std::set<std::string> ids;
  for (const auto& f : r->findings) ids.insert(f.id);
  EXPECT_EQ(ids, std::set<std::string>{"ACME-1"});  // built-in checks are not in "acme"

  ScanOptions no_custom;
  no_custom.standards = {"acme"};
  EXPECT_FALSE(ScanPaths(fs, {"/m"}, no_custom).ok());  // unknown without the policy

  auto rules = report::ParseTrivyIgnoreYaml(
      "misconfigurations:\n- id: ACME-1\n  resources: [\"Pod/prod/*\"]\n  statement: accepted\n",
      ".trivyignore.yaml", std::chrono::system_clock::now());
  ASSERT_TRUE(rules.ok()) << rules.status();
  options.ignore = &*rules;
  r = ScanPaths(fs, {"/m"}, options);
  ASSERT_TRUE(r.ok());
  std::map<std::string, std::string> status;
  for (const auto& f : r->findings) status[f.location.resource] = f.status;
  EXPECT_EQ(status["Pod/prod/a"], "suppressed");
  EXPECT_EQ(status["Pod/dev/b"], "fail");
}

// Hostile policies stay bounded: uncorrelated wildcards cannot multiply without limit, and a
// regular expression that backtracks exponentially elsewhere is linear in RE2.
TEST(Policy, Bounded) {
  PolicySet set;
  ASSERT_TRUE(set.AddText(R"(id: ACME-B
title: b
severity: low
match: {kinds: ["*"]}
condition:
  all:
  - {field: "a[*]", op: exists}
  - {field: "b[*]", op: exists}
  - {field: "c[*]", op: matches, value: "^(a+)+$"}
)",
                          "b.yaml")
                  .ok());
  std::string doc = "apiVersion: v1\nkind: X\nmetadata: {name: x}\na: [";
  for (int i = 0; i < 200; ++i) doc += "1,";
  doc += "1]\nb: [";
  for (int i = 0; i < 200; ++i) doc += "1,";
  doc += "1]\nc: [\"" + std::string(5000, 'a') + "!\", aaaa]\n";
  auto builtin = BuiltinRegistry();
  ASSERT_TRUE(builtin.ok());
  ScanOptions options;
  options.custom = &set.registry();
  report::Report report;
  ScanText(**builtin, "/x.yaml", doc, options, K8sVersion{}, &report);
  size_t n = 0;
  for (const auto& f : report.findings) n += f.id == "ACME-B";
  EXPECT_GT(n, 0u);
  EXPECT_LE(n, kMaxWitnesses);
}

}  // namespace
}  // namespace vigil::config
