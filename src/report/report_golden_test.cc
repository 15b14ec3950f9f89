// Golden-file suite: every testdata/report/<case>/ is rendered in each format and compared
// byte for byte with expected.<name>. VIGIL_UPDATE_GOLDEN=1 rewrites the expected files.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/test_paths.h"
#include "gtest/gtest.h"
#include "report/golden_cases.h"
#include "report/json.h"

namespace vigil::report {
namespace {

namespace fs = std::filesystem;

fs::path CasesDir() { return fs::path(test_paths::SourceDir()) / "testdata" / "report"; }

std::string ReadOrEmpty(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool Updating() {
  const char* v = std::getenv("VIGIL_UPDATE_GOLDEN");
  return v != nullptr && std::string(v) == "1";
}

TEST(ReportGoldenTest, EveryCaseMatchesExpectedOutputs) {
  std::vector<std::string> cases = ListGoldenCases(CasesDir().string());
  ASSERT_FALSE(cases.empty()) << "no golden cases under " << CasesDir();
  for (const std::string& dir : cases) {
    SCOPED_TRACE(dir);
    auto rendered = RenderGoldenCase(dir);
    ASSERT_TRUE(rendered.ok()) << rendered.status();
    for (const auto& [name, bytes] : *rendered) {
      fs::path expected = fs::path(dir) / ("expected." + name);
      if (Updating()) {
        std::ofstream(expected, std::ios::binary | std::ios::trunc) << bytes;
        continue;
      }
      ASSERT_TRUE(fs::exists(expected))
          << expected << " missing; run with VIGIL_UPDATE_GOLDEN=1 to create it";
      EXPECT_EQ(ReadOrEmpty(expected), bytes)
          << "output differs from " << expected
          << "; if the change is intended, rerun with VIGIL_UPDATE_GOLDEN=1 and review the diff";
    }
  }
}

// The vigil JSON forms are the store's and the re-match path's input: reading what was
// written must give back the same document.
TEST(ReportGoldenTest, VigilJsonRoundTrips) {
  for (const std::string& dir : ListGoldenCases(CasesDir().string())) {
    SCOPED_TRACE(dir);
    if (fs::exists(fs::path(dir) / "input.json")) {
      auto report = ReportFromJson(ReadOrEmpty(fs::path(dir) / "input.json"));
      ASSERT_TRUE(report.ok()) << report.status();
      std::string once = ReportToJson(*report);
      auto again = ReportFromJson(once);
      ASSERT_TRUE(again.ok()) << again.status();
      EXPECT_EQ(ReportToJson(*again), once);
    }
    if (fs::exists(fs::path(dir) / "sbom.json")) {
      auto sbom = SbomFromJson(ReadOrEmpty(fs::path(dir) / "sbom.json"));
      ASSERT_TRUE(sbom.ok()) << sbom.status();
      std::string once = SbomToJson(*sbom);
      auto again = SbomFromJson(once);
      ASSERT_TRUE(again.ok()) << again.status();
      EXPECT_EQ(SbomToJson(*again), once);
    }
  }
}

// A CycloneDX BOM written by Vigil reads back into the same inventory (what re-matching a
// stored SBOM relies on): names, versions, purls, licences and Vigil's properties.
TEST(ReportGoldenTest, CycloneDxReadsBackIntoTheInventory) {
  for (const std::string& dir : ListGoldenCases(CasesDir().string())) {
    if (!fs::exists(fs::path(dir) / "sbom.json")) continue;
    SCOPED_TRACE(dir);
    auto sbom = SbomFromJson(ReadOrEmpty(fs::path(dir) / "sbom.json"));
    ASSERT_TRUE(sbom.ok()) << sbom.status();
    auto rendered = RenderGoldenCase(dir);
    ASSERT_TRUE(rendered.ok()) << rendered.status();
    for (const auto& [name, bytes] : *rendered) {
      if (name != "sbom.cdx.json") continue;
      auto back = SbomFromCycloneDx(bytes);
      ASSERT_TRUE(back.ok()) << back.status();
      EXPECT_EQ(back->target, sbom->target);
      EXPECT_EQ(back->os.id, sbom->os.id);
      EXPECT_EQ(back->os.version_id, sbom->os.version_id);
      ASSERT_EQ(back->components.size(), sbom->components.size());
      for (size_t i = 0; i < back->components.size(); ++i) {
        const Component& a = back->components[i];
        const Component& b = sbom->components[i];
        EXPECT_EQ(a.name, b.name);
        EXPECT_EQ(a.version, b.version);
        EXPECT_EQ(a.purl, b.purl);
        EXPECT_EQ(a.layer, b.layer);
        EXPECT_EQ(a.location, b.location);
        EXPECT_EQ(a.source_name, b.source_name);
        EXPECT_EQ(a.licenses.size(), b.licenses.size());
        if (!b.ecosystem.empty()) {
          EXPECT_EQ(a.ecosystem, b.ecosystem);
        }
      }
    }
  }
}

}  // namespace
}  // namespace vigil::report
