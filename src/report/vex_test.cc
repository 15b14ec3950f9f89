// OpenVEX: the data-driven suite over testdata/report/vex/<case>/ (see its README) and unit
// checks of package URL parsing and matching and of suppression notes.
#include "report/vex.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/test_paths.h"
#include "gtest/gtest.h"
#include "report/json.h"

namespace vigil::report {
namespace {

namespace fs = std::filesystem;

fs::path SuiteDir() { return fs::path(test_paths::SourceDir()) / "testdata" / "report" / "vex"; }

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

std::string Describe(const Report& r) {
  std::string out;
  for (const Finding& f : r.findings) {
    out += std::string(FindingKindName(f.kind)) + " " + f.id + " " + f.status + "\n";
    if (f.remediation.empty()) continue;
    std::istringstream lines(f.remediation);
    for (std::string line; std::getline(lines, line);) out += "  | " + line + "\n";
  }
  return out;
}

TEST(VexSuiteTest, EveryCaseMatchesExpected) {
  ASSERT_TRUE(fs::is_directory(SuiteDir())) << SuiteDir();
  int cases = 0;
  for (const auto& entry : fs::directory_iterator(SuiteDir())) {
    if (!entry.is_directory()) continue;
    const fs::path dir = entry.path();
    SCOPED_TRACE(dir.string());
    ++cases;
    auto report = ReportFromJson(ReadFile(SuiteDir() / "findings.json"));
    ASSERT_TRUE(report.ok()) << report.status();
    std::vector<fs::path> files;
    for (const auto& f : fs::directory_iterator(dir)) {
      if (f.path().filename().string().ends_with(".vex.json")) files.push_back(f.path());
    }
    std::sort(files.begin(), files.end());
    ASSERT_FALSE(files.empty()) << "no *.vex.json";
    std::vector<VexDocument> docs;
    std::string got;
    for (const fs::path& f : files) {
      auto doc = ParseOpenVex(ReadFile(f), f.filename().string());
      if (!doc.ok()) {
        got = "error: " + doc.status().message() + "\n";
        break;
      }
      docs.push_back(std::move(doc).value());
    }
    if (got.empty()) {
      ApplyVex(docs, *report);
      got = Describe(*report);
    }
    if (Updating()) {
      std::ofstream(dir / "expected.txt", std::ios::binary | std::ios::trunc) << got;
      continue;
    }
    EXPECT_EQ(ReadFile(dir / "expected.txt"), got);
  }
  EXPECT_GE(cases, 10);
}

TEST(PurlTest, ParsesEveryPart) {
  auto p =
      ParsePurl("pkg:deb/debian/libexpat1@2.5.0-1%2Bdeb12u1?arch=amd64&Distro=debian-12#sub/x");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->type, "deb");
  EXPECT_EQ(p->name_space, "debian");
  EXPECT_EQ(p->name, "libexpat1");
  EXPECT_EQ(p->version, "2.5.0-1+deb12u1");
  EXPECT_EQ(p->qualifiers.at("arch"), "amd64");
  EXPECT_EQ(p->qualifiers.at("distro"), "debian-12");
  EXPECT_EQ(p->subpath, "sub/x");

  auto scoped = ParsePurl("pkg:npm/%40babel/core@7.0.0");
  ASSERT_TRUE(scoped.ok());
  EXPECT_EQ(scoped->name_space, "@babel");
  EXPECT_EQ(scoped->name, "core");
  auto raw_at = ParsePurl("pkg:npm/@babel/core");
  ASSERT_TRUE(raw_at.ok());
  EXPECT_EQ(raw_at->name_space, "@babel");
  EXPECT_EQ(raw_at->version, "");

  for (const char* bad :
       {"", "npm/lodash", "pkg:", "pkg:npm", "pkg:npm/", "pkg:/lodash", "pkg:npm/lodash?novalue"}) {
    EXPECT_FALSE(ParsePurl(bad).ok()) << bad;
  }
}

TEST(PurlTest, MatchesAsVexRequires) {
  auto m = [](const char* pattern, const char* purl) {
    auto a = ParsePurl(pattern);
    auto b = ParsePurl(purl);
    return a.ok() && b.ok() && PurlMatches(*a, *b);
  };
  EXPECT_TRUE(m("pkg:npm/lodash", "pkg:npm/lodash@4.17.15"));
  EXPECT_TRUE(m("pkg:npm/lodash@4.17.15", "pkg:npm/lodash@4.17.15"));
  EXPECT_FALSE(m("pkg:npm/lodash@4.17.21", "pkg:npm/lodash@4.17.15"));
  EXPECT_FALSE(m("pkg:npm/lodash", "pkg:pypi/lodash@1"));
  EXPECT_TRUE(m("pkg:pypi/Foo_Bar", "pkg:pypi/foo-bar@1.0"));
  EXPECT_TRUE(m("pkg:deb/debian/curl", "pkg:deb/debian/curl@7.88?arch=amd64"));
  EXPECT_TRUE(m("pkg:deb/debian/curl?arch=amd64", "pkg:deb/debian/curl@7.88?arch=amd64"));
  EXPECT_FALSE(m("pkg:deb/debian/curl?arch=arm64", "pkg:deb/debian/curl@7.88?arch=amd64"));
  EXPECT_FALSE(m("pkg:deb/debian/curl?arch=amd64", "pkg:deb/debian/curl@7.88"));
  EXPECT_FALSE(m("pkg:deb/ubuntu/curl", "pkg:deb/debian/curl@7.88"));
  EXPECT_FALSE(m("pkg:deb/debian/Curl", "pkg:deb/debian/curl@7.88"));
  EXPECT_TRUE(m("pkg:deb/debian/libc6@2.36-9%2Bdeb12u4", "pkg:deb/debian/libc6@2.36-9+deb12u4"));
}

TEST(SuppressionNoteTest, RoundTripsThroughRemediation) {
  Finding f;
  f.remediation = "Upgrade lodash to 4.17.21";
  AppendSuppressionNote(f,
                        "Suppressed by VEX (a.json statements[0]): not_affected "
                        "(vulnerable_code_not_present): never\ncalled");
  EXPECT_EQ(f.remediation,
            "Upgrade lodash to 4.17.21\nSuppressed by VEX (a.json statements[0]): not_affected "
            "(vulnerable_code_not_present): never called");
  auto note = FindSuppressionNote(f.remediation);
  ASSERT_TRUE(note.has_value());
  EXPECT_TRUE(note->vex);
  EXPECT_EQ(note->vex_status, "not_affected");
  EXPECT_EQ(note->justification, "vulnerable_code_not_present");
  EXPECT_EQ(RemediationWithoutNote(f.remediation), "Upgrade lodash to 4.17.21");

  auto fixed = FindSuppressionNote("Suppressed by VEX (b.json statements[2]): fixed");
  ASSERT_TRUE(fixed.has_value());
  EXPECT_EQ(fixed->vex_status, "fixed");
  EXPECT_EQ(fixed->justification, "");
  EXPECT_FALSE(FindSuppressionNote("Upgrade to 1.2").has_value());
  EXPECT_FALSE(FindSuppressionNote("").has_value());
}

TEST(VexTest, LoadVexFileNamesMissingFile) {
  auto r = LoadVexFile("/nonexistent/x.vex.json");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("/nonexistent/x.vex.json"), std::string::npos);
}

TEST(VexTest, HostileJsonIsAnErrorNotACrash) {
  std::string deep(100000, '[');
  for (const std::string& text :
       {deep, std::string("{\"statements\": [1]}"), std::string("{\"statements\": [{}]}"),
        std::string("{\"statements\": [{\"vulnerability\": 3}]}"), std::string("null"),
        std::string("{\"@context\": \"https://example.com\", \"statements\": []}")}) {
    auto r = ParseOpenVex(text, "h.json");
    EXPECT_FALSE(r.ok()) << text.substr(0, 40);
  }
}

}  // namespace
}  // namespace vigil::report
