// Runs every ordering vector in ../shared/versions/osv-scalibr-semantic (one "A <op> B" per
// line) through the scheme for the file's ecosystem, in both directions.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "base/strings.h"
#include "base/test_paths.h"
#include "gtest/gtest.h"
#include "match/version.h"

namespace vigil::match {
namespace {

namespace fs = std::filesystem;

// File-name prefix -> ecosystem names passed to SchemeForEcosystem. The semver file holds
// the SemVer vectors shared by npm, Go and crates.io, so it runs against all three.
const std::map<std::string, std::vector<std::string>>& FilePrefixes() {
  static const auto* const kMap = new std::map<std::string, std::vector<std::string>>{
      {"alpine", {"Alpine"}},     {"debian", {"Debian", "Ubuntu"}},
      {"redhat", {"Red Hat"}},    {"pypi", {"PyPI"}},
      {"maven", {"Maven"}},       {"semver", {"crates.io", "npm", "Go"}},
      {"rubygems", {"RubyGems"}}, {"packagist", {"Packagist"}},
      {"nuget", {"NuGet"}},       {"pub", {"Pub"}},
      {"cran", {"CRAN"}},         {"hackage", {"Hackage"}},
  };
  return *kMap;
}

// Vectors this implementation knowingly does not pass, as "file: line". Keep it empty;
// every entry needs a reason in src/match/README.md.
const std::set<std::string>& KnownFailures() {
  static const auto* const kSet = new std::set<std::string>{};
  return *kSet;
}

fs::path VectorDir() {
  return fs::path(test_paths::SharedDir()) / "versions" / "osv-scalibr-semantic";
}

int Expected(std::string_view op) { return op == "<" ? -1 : op == ">" ? 1 : 0; }

// Enough to diagnose a regression without flooding the log with thousands of lines.
constexpr int kMaxReportedPerFile = 20;

const char* OpName(int r) { return r < 0 ? "<" : r > 0 ? ">" : "="; }

TEST(VersionVectorsTest, EveryVectorPassesInBothDirections) {
  fs::path dir = VectorDir();
  if (!fs::is_directory(dir)) {
    GTEST_SKIP() << "version vectors not found at " << dir
                 << " (set VIGIL_SOURCE_DIR to the checkout beside ../shared)";
  }
  std::map<std::string, std::pair<int, int>> per_ecosystem;  // passed, total
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() == ".txt") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty());
  for (const auto& path : files) {
    std::string name = path.filename().string();
    std::string prefix = name.substr(0, name.find('-'));
    auto it = FilePrefixes().find(prefix);
    ASSERT_NE(it, FilePrefixes().end()) << "no ecosystem for vector file " << name;
    std::ifstream in(path);
    std::string contents((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (const std::string& ecosystem : it->second) {
      auto scheme = SchemeForEcosystem(ecosystem);
      ASSERT_TRUE(scheme.ok()) << scheme.status();
      auto& [passed, total] = per_ecosystem[ecosystem];
      int failures_in_file = 0;
      for (std::string_view raw : SplitLines(contents)) {
        std::string_view view = Trim(raw);
        if (view.empty() || StartsWith(view, "# ") || StartsWith(view, "// ") || view == "#" ||
            view == "//") {
          continue;
        }
        std::vector<std::string_view> parts = Split(view, ' ', /*skip_empty=*/true);
        ASSERT_EQ(parts.size(), 3u) << name << ": malformed vector: " << view;
        int want = Expected(parts[1]);
        ++total;
        std::string key = name + ": " + std::string(view);
        auto forward = (*scheme)->Compare(parts[0], parts[2]);
        auto backward = (*scheme)->Compare(parts[2], parts[0]);
        bool ok = forward.ok() && backward.ok() && *forward == want && *backward == -want;
        // The parse-once path must agree with Compare.
        auto pa = (*scheme)->Parse(parts[0]);
        auto pb = (*scheme)->Parse(parts[2]);
        ok = ok && pa.ok() && pb.ok() && (*scheme)->CompareParsed(**pa, **pb) == want &&
             (*scheme)->CompareParsed(**pb, **pa) == -want;
        if (ok) {
          ++passed;
          EXPECT_FALSE(KnownFailures().count(key)) << "known failure now passes: " << key;
        } else if (!KnownFailures().count(key) && ++failures_in_file <= kMaxReportedPerFile) {
          ADD_FAILURE() << ecosystem << ": " << key << " -> got "
                        << (forward.ok() ? OpName(*forward) : forward.status().ToString())
                        << " / reversed "
                        << (backward.ok() ? OpName(*backward) : backward.status().ToString());
        }
      }
    }
  }
  for (const auto& [eco, counts] : per_ecosystem) {
    std::cout << "[ vectors  ] " << eco << ": " << counts.first << "/" << counts.second
              << " passed\n";
  }
}

// The same vectors through the `version-compare --batch` contract the CLI exposes.
TEST(VersionVectorsTest, CompareBatchAgreesWithEveryVector) {
  fs::path dir = VectorDir();
  if (!fs::is_directory(dir)) GTEST_SKIP() << "version vectors not found at " << dir;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (!e.is_regular_file() || e.path().extension() != ".txt") continue;
    std::string name = e.path().filename().string();
    auto it = FilePrefixes().find(name.substr(0, name.find('-')));
    ASSERT_NE(it, FilePrefixes().end()) << name;
    std::ifstream in(e.path());
    std::string contents((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string batch;
    std::vector<std::string> want;
    for (std::string_view raw : SplitLines(contents)) {
      std::string_view view = Trim(raw);
      if (view.empty() || StartsWith(view, "# ") || StartsWith(view, "// ")) continue;
      std::vector<std::string_view> parts = Split(view, ' ', /*skip_empty=*/true);
      if (parts.size() != 3) continue;
      batch += std::string(parts[0]) + "\t" + std::string(parts[2]) + "\n";
      want.emplace_back(parts[1]);
    }
    std::istringstream batch_in(batch);
    std::ostringstream batch_out;
    ASSERT_TRUE(CompareBatch(it->second.front(), batch_in, batch_out).ok());
    const std::string output = batch_out.str();
    std::vector<std::string_view> got = SplitLines(output);
    ASSERT_EQ(got.size(), want.size()) << name;
    int mismatches = 0;
    for (size_t i = 0; i < want.size(); ++i) {
      if (got[i] != want[i]) ++mismatches;
    }
    EXPECT_EQ(mismatches, 0) << name;
  }
}

}  // namespace
}  // namespace vigil::match
