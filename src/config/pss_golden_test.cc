// Data-driven Pod Security Standards suite: testdata/config/pss/<check>/{pass,fail}/*.yaml.
// <check> is the upstream pod-security-admission check id. Every line of a fail file
// marked "# expect" must carry exactly one finding of that check, and no other line any;
// pass files must yield none. "name@v1.24.yaml" evaluates at policy version v1.24.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
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

const Check* CheckFor(const CheckRegistry& reg, const std::string& pss_id) {
  for (const auto& c : reg.all()) {
    for (const auto& control : c->info().controls) {
      if (control == "pss-restricted/" + pss_id) return c.get();
    }
  }
  return nullptr;
}

TEST(PodSecurityStandards, Golden) {
  stdfs::path root = stdfs::path(SourceDir()) / "testdata/config/pss";
  ASSERT_TRUE(stdfs::is_directory(root)) << root;
  auto reg = BuiltinRegistry();
  ASSERT_TRUE(reg.ok()) << reg.status();
  std::set<std::string> covered;
  int files = 0;
  for (const auto& check_dir : stdfs::directory_iterator(root)) {
    std::string pss_id = check_dir.path().filename().string();
    const Check* check = CheckFor(**reg, pss_id);
    ASSERT_NE(check, nullptr) << "no check for " << pss_id;
    for (const char* outcome : {"pass", "fail"}) {
      stdfs::path dir = check_dir.path() / outcome;
      if (!stdfs::is_directory(dir)) continue;
      for (const auto& file : stdfs::directory_iterator(dir)) {
        ++files;
        std::string name = file.path().stem().string();
        SCOPED_TRACE(file.path().string());
        auto text = ReadHostFile(file.path().string());
        ASSERT_TRUE(text.ok()) << text.status();
        std::set<int> expected;
        auto lines = SplitLines(*text);
        for (size_t i = 0; i < lines.size(); ++i) {
          if (lines[i].find("# expect") != std::string_view::npos) expected.insert(i + 1);
        }
        if (std::string(outcome) == "fail") {
          ASSERT_FALSE(expected.empty()) << "fail fixture without # expect";
          covered.insert(pss_id);
        }
        K8sVersion version;
        if (size_t at = name.find('@'); at != std::string::npos) {
          auto v = ParseK8sVersion(name.substr(at + 1));
          ASSERT_TRUE(v.ok()) << v.status();
          version = *v;
        }
        report::Report report;
        ScanText(**reg, file.path().string(), *text, ScanOptions{}, version, &report);
        EXPECT_TRUE(report.warnings.empty()) << report.warnings[0];
        std::multiset<int> got;
        for (const auto& f : report.findings) {
          if (f.id == check->info().id) got.insert(f.location.line);
        }
        EXPECT_EQ(got, std::multiset<int>(expected.begin(), expected.end()))
            << check->info().id << " (" << pss_id << ")";
      }
    }
  }
  EXPECT_GT(files, 0);
  // Every PSS check has at least one failing fixture.
  for (const auto& c : (*reg)->all()) {
    bool pss = false;
    std::string id;
    for (const auto& control : c->info().controls) {
      if (StartsWith(control, "pss-restricted/")) {
        pss = true;
        id = control.substr(15);
      }
    }
    if (pss) {
      EXPECT_TRUE(covered.count(id)) << "no fail fixture for " << id;
    }
  }
}

}  // namespace
}  // namespace vigil::config
