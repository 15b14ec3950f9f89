// Data-driven suite for every check beyond the Pod Security Standards:
// testdata/config/{k8s,dockerfile,compose,docker}/<check-id>/{pass,fail}/**/<file>, walked
// recursively so several fixtures may share a real file name (fail/user-root/Dockerfile).
// Each file is scanned alone under its real name (so kind detection and cross-resource
// checks see exactly it). Expected lines of a fail file: every line containing "# expect",
// or, when a sibling "<fixture>.expect" exists (JSON has no comments), the line numbers it
// lists one per line. Each expected line must carry exactly one finding of that check and
// no other line any; pass files must yield none. Every registered non-PSS check must have at
// least one fail fixture. Missing area directories are fine.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <set>
#include <string>

#include "base/fs.h"
#include "base/strings.h"
#include "base/test_paths.h"
#include "config/scan.h"

namespace vigil::config {
namespace {

namespace stdfs = std::filesystem;

using test_paths::SourceDir;

bool IsPss(const Check& c) {
  for (const auto& control : c.info().controls) {
    if (StartsWith(control, "pss-")) return true;
  }
  return false;
}

// applies_to for the docs table: the pod-template kinds are abbreviated as "workloads".
std::string Kinds(const std::vector<std::string>& kinds) {
  const auto& pods = PodSpecKinds();
  std::vector<std::string> out;
  bool all_pods =
      kinds.size() >= pods.size() && std::equal(pods.begin(), pods.end(), kinds.begin());
  if (all_pods) out.push_back("workloads");
  for (size_t i = all_pods ? pods.size() : 0; i < kinds.size(); ++i) out.push_back(kinds[i]);
  return Join(out, ", ");
}

// Expected lines of a fixture: from "<fixture>.expect" when present, else "# expect" marks.
std::set<int> ExpectedLines(const stdfs::path& fixture, std::string_view text) {
  std::set<int> expected;
  stdfs::path side = fixture;
  side += ".expect";
  if (stdfs::exists(side)) {
    auto listed = ReadHostFile(side.string());
    EXPECT_TRUE(listed.ok()) << listed.status();
    if (!listed.ok()) return expected;
    for (std::string_view line : SplitLines(*listed)) {
      std::string t(Trim(line));
      if (t.empty()) continue;
      int n = std::atoi(t.c_str());
      EXPECT_GT(n, 0) << side << ": not a line number: " << t;
      expected.insert(n);
    }
    return expected;
  }
  auto lines = SplitLines(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].find("# expect") != std::string_view::npos) expected.insert(i + 1);
  }
  return expected;
}

TEST(Checks, Golden) {
  stdfs::path base = stdfs::path(SourceDir()) / "testdata/config";
  ASSERT_TRUE(stdfs::is_directory(base / "k8s")) << base;
  auto reg = BuiltinRegistry();
  ASSERT_TRUE(reg.ok()) << reg.status();
  std::set<std::string> covered;
  int files = 0;
  for (const char* area : {"k8s", "dockerfile", "compose", "docker"}) {
    stdfs::path root = base / area;
    if (!stdfs::is_directory(root)) continue;
    for (const auto& check_dir : stdfs::directory_iterator(root)) {
      if (!check_dir.is_directory()) continue;
      std::string id = check_dir.path().filename().string();
      ASSERT_NE((*reg)->Find(id), nullptr) << "no check " << id << " (" << root << ")";
      for (const char* outcome : {"pass", "fail"}) {
        stdfs::path dir = check_dir.path() / outcome;
        if (!stdfs::is_directory(dir)) continue;
        std::vector<stdfs::path> fixtures;
        for (const auto& entry : stdfs::recursive_directory_iterator(dir)) {
          if (!entry.is_regular_file() || entry.path().extension() == ".expect") continue;
          fixtures.push_back(entry.path());
        }
        std::sort(fixtures.begin(), fixtures.end());
        for (const stdfs::path& file : fixtures) {
          ++files;
          SCOPED_TRACE(file.string());
          auto text = ReadHostFile(file.string());
          ASSERT_TRUE(text.ok()) << text.status();
          std::set<int> expected = ExpectedLines(file, *text);
          if (std::string(outcome) == "fail") {
            ASSERT_FALSE(expected.empty()) << "fail fixture without # expect or .expect";
            covered.insert(id);
          } else {
            ASSERT_TRUE(expected.empty()) << "pass fixture with # expect or .expect";
          }
          report::Report report;
          ScanText(**reg, file.string(), *text, ScanOptions{}, K8sVersion{}, &report);
          EXPECT_TRUE(report.warnings.empty()) << report.warnings[0];
          std::multiset<int> got;
          for (const auto& f : report.findings) {
            if (f.id == id) got.insert(f.location.line);
          }
          EXPECT_EQ(got, std::multiset<int>(expected.begin(), expected.end())) << id;
        }
      }
    }
  }
  EXPECT_GT(files, 0);
  for (const auto& c : (*reg)->all()) {
    // Image configuration checks (VGL-IMG-*) read image configs, not files: their cases are
    // in config_image_test.
    if (IsPss(*c) || StartsWith(c->info().id, "VGL-IMG-")) continue;
    EXPECT_TRUE(covered.count(c->info().id)) << "no fail fixture for " << c->info().id;
  }
}

// Every check carries the metadata reports need.
TEST(Checks, Metadata) {
  auto reg = BuiltinRegistry();
  ASSERT_TRUE(reg.ok());
  for (const auto& c : (*reg)->all()) {
    const CheckInfo& info = c->info();
    EXPECT_TRUE(StartsWith(info.id, "VGL-K8S-") || StartsWith(info.id, "VGL-DF-") ||
                StartsWith(info.id, "VGL-DC-") || StartsWith(info.id, "VGL-DKR-") ||
                StartsWith(info.id, "VGL-IMG-"))
        << info.id;
    EXPECT_FALSE(info.title.empty()) << info.id;
    EXPECT_FALSE(info.rationale.empty()) << info.id;
    EXPECT_FALSE(info.remediation.empty()) << info.id;
  }
  // VIGIL_CHECK_TABLE=1 prints the id table of docs/config.md from the registry.
  if (std::getenv("VIGIL_CHECK_TABLE") != nullptr) {
    for (const auto& c : (*reg)->all()) {
      const CheckInfo& info = c->info();
      if (IsPss(*c)) continue;
      std::cout << "| " << info.id << " | " << info.title << " | "
                << report::SeverityName(info.severity) << " | " << Kinds(info.applies_to) << " | "
                << Join(info.controls, ", ") << " |\n";
    }
  }
}

}  // namespace
}  // namespace vigil::config
