#include "report/writer.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "base/test_paths.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "report/internal.h"

namespace vigil::report {
namespace {

using nlohmann::json;

Report SampleReport() {
  Report r;
  r.target = "registry.local/app:1.0";
  r.target_kind = "image";
  r.created_at = "2026-11-24T06:00:00.123Z";
  r.tool_version = "0.1.0";
  Finding v;
  v.id = "CVE-2024-0001";
  v.severity = Severity::kCritical;
  v.title = "Buffer overflow in <parser> & \"friends\"";
  v.package = PackageRef{"zlib", "1.2.13", "Debian:12", "pkg:deb/debian/zlib@1.2.13"};
  r.findings.push_back(v);
  Finding v2 = v;
  v2.location.path = "/usr/lib/libz.so";
  v2.status = "suppressed";
  r.findings.push_back(v2);
  Finding m;
  m.kind = FindingKind::kMisconfig;
  m.id = "VGL-K8S-001";
  m.severity = Severity::kMedium;
  m.location = {"/k8s/deploy.yaml", 12, 14, "", "Deployment/default/web"};
  r.findings.push_back(m);
  return r;
}

std::string Write(const Report& r, Format f, WriteOptions o = {}, const Sbom* s = nullptr) {
  std::ostringstream out;
  Status st = WriteReport(r, f, out, o, s);
  EXPECT_TRUE(st.ok()) << st;
  return out.str();
}

TEST(FormatTest, ParsesNamesAndAliases) {
  EXPECT_EQ(*ParseFormat("SARIF"), Format::kSarif);
  EXPECT_EQ(*ParseFormat("spdx-json"), Format::kSpdx);
  EXPECT_EQ(*ParseFormat("cyclonedx"), Format::kCycloneDx);
  for (Format f : {Format::kTable, Format::kJson, Format::kSarif, Format::kJunit,
                   Format::kCycloneDx, Format::kSpdx, Format::kHtml}) {
    EXPECT_EQ(*ParseFormat(FormatName(f)), f);
  }
  auto bad = ParseFormat("yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("yaml"), std::string::npos);
}

TEST(WriterTest, RejectsFormatsThatDoNotFit) {
  std::ostringstream out;
  EXPECT_TRUE(IsInvalidArgument(WriteReport(SampleReport(), Format::kSpdx, out)));
  EXPECT_TRUE(IsInvalidArgument(WriteSbom(Sbom{}, Format::kSarif, out)));
  EXPECT_TRUE(IsInvalidArgument(WriteSbom(Sbom{}, Format::kJunit, out)));
}

TEST(TableTest, ColourOnlyWhenAsked) {
  std::string plain = Write(SampleReport(), Format::kTable);
  EXPECT_EQ(plain.find('\x1b'), std::string::npos);
  EXPECT_NE(plain.find("Total: 2 (CRITICAL: 1, HIGH: 0, MEDIUM: 1, LOW: 0, INFO: 0, UNKNOWN: 0)"
                       ", suppressed: 1"),
            std::string::npos)
      << plain;
  std::string color = Write(SampleReport(), Format::kTable, {.color = true});
  EXPECT_NE(color.find("\x1b[1;31mCRITICAL\x1b[0m"), std::string::npos);
}

TEST(JunitTest, EscapesAndMarksSuppressedSkipped) {
  std::string xml = Write(SampleReport(), Format::kJunit);
  EXPECT_NE(xml.find("Buffer overflow in &lt;parser&gt; &amp; &quot;friends&quot;"),
            std::string::npos);
  EXPECT_NE(xml.find("<skipped message=\"suppressed\"/>"), std::string::npos);
  EXPECT_NE(xml.find("tests=\"3\" failures=\"2\" errors=\"0\" skipped=\"1\""), std::string::npos);
  EXPECT_EQ(internal::XmlEscape(std::string("a\x01"
                                            "b\xff",
                                            4)),
            "ab\xEF\xBF\xBD");
}

TEST(HtmlTest, EscapesEverythingAndLinksOnlyHttp) {
  Report r = SampleReport();
  r.findings[0].references = {"javascript:alert(1)", "https://example.org/a?b=1&c=2"};
  r.target = "<script>x</script>";
  std::string html = Write(r, Format::kHtml);
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;"), std::string::npos);
  EXPECT_EQ(html.find("href=\"javascript:"), std::string::npos);
  EXPECT_NE(html.find("href=\"https://example.org/a?b=1&amp;c=2\""), std::string::npos);
  EXPECT_NE(html.find("class=\"suppressed\""), std::string::npos);
}

TEST(SarifTest, RulesDeduplicatedAndLocationsAlwaysPresent) {
  json doc = json::parse(Write(SampleReport(), Format::kSarif));
  const json& run = doc["runs"][0];
  EXPECT_EQ(run["tool"]["driver"]["rules"].size(), 2u);
  EXPECT_EQ(run["tool"]["driver"]["rules"][0]["properties"]["security-severity"], "9.5");
  ASSERT_EQ(run["results"].size(), 3u);
  // No path: the target stands in, percent-encoded so it stays a relative reference.
  EXPECT_EQ(run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "registry.local/app%3A1.0");
  EXPECT_FALSE(run["results"][0]["locations"][0]["physicalLocation"].contains("region"));
  EXPECT_EQ(run["results"][1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "usr/lib/libz.so");
  EXPECT_TRUE(run["results"][1].contains("suppressions"));
  EXPECT_EQ(run["results"][2]["locations"][0]["physicalLocation"]["region"]["startLine"], 12);
  EXPECT_EQ(run["results"][2]["locations"][0]["physicalLocation"]["region"]["endLine"], 14);
  EXPECT_EQ(run["results"][2]["level"], "warning");
}

TEST(CycloneDxTest, BomRefsUniqueAndVulnerabilitiesAffectComponents) {
  Sbom s;
  s.target = "registry.local/app:1.0";
  s.target_kind = "image";
  Component a;
  a.name = "zlib";
  a.version = "1.2.13";
  a.purl = "pkg:deb/debian/zlib@1.2.13";
  a.licenses = {"zlib"};
  s.components = {a, a};
  s.components[1].layer = "sha256:bb";
  json doc = json::parse(Write(SampleReport(), Format::kCycloneDx, {}, &s));
  std::set<std::string> refs;
  for (const json& c : doc["components"]) refs.insert(c["bom-ref"].get<std::string>());
  EXPECT_EQ(refs.size(), 2u);
  EXPECT_EQ(doc["components"][0]["licenses"][0]["license"]["id"], "Zlib");
  ASSERT_EQ(doc["vulnerabilities"].size(), 2u);
  EXPECT_EQ(doc["vulnerabilities"][0]["affects"][0]["ref"], "pkg:deb/debian/zlib@1.2.13");
  EXPECT_EQ(doc["metadata"]["timestamp"], "2026-11-24T06:00:00Z");
  // Deterministic serial number: the same model gives the same document.
  EXPECT_EQ(Write(SampleReport(), Format::kCycloneDx, {}, &s),
            Write(SampleReport(), Format::kCycloneDx, {}, &s));
}

TEST(SpdxTest, IdsSanitisedAndLicencesConservative) {
  Sbom s;
  s.target = "app:1.0";
  Component a;
  a.name = "@scope/pkg name";
  a.version = "1.0.0";
  a.licenses = {"mit"};
  Component b = a;
  b.licenses = {"MIT", "Apache-2.0"};
  Component c = a;
  c.licenses = {"Artistic or GPL"};
  s.components = {a, b, c};
  std::ostringstream out;
  ASSERT_TRUE(WriteSbom(s, Format::kSpdx, out).ok());
  json doc = json::parse(out.str());
  std::set<std::string> ids;
  for (const json& p : doc["packages"]) {
    std::string id = p["SPDXID"];
    EXPECT_EQ(id.rfind("SPDXRef-", 0), 0u);
    EXPECT_EQ(id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                   "0123456789.-",
                                   8),
              std::string::npos)
        << id;
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), doc["packages"].size());
  EXPECT_EQ(doc["packages"][1]["licenseDeclared"], "MIT");
  EXPECT_EQ(doc["packages"][2]["licenseDeclared"], "NOASSERTION");
  EXPECT_EQ(doc["packages"][3]["licenseDeclared"], "NOASSERTION");
  EXPECT_EQ(doc["relationships"][0]["relationshipType"], "DESCRIBES");
  EXPECT_EQ(doc["creationInfo"]["created"], "1970-01-01T00:00:00Z");
}

// Every licence id the writers emit as an SPDX id must be on the SPDX list; the list shipped
// with the CycloneDX schema (testdata/schemas/) is the reference.
TEST(LicenseTest, CuratedIdsAreOnTheSpdxList) {
  std::filesystem::path p = std::filesystem::path(test_paths::SourceDir()) / "testdata" /
                            "schemas" / "cyclonedx" / "spdx.SNAPSHOT.schema.json";
  std::ifstream in(p);
  ASSERT_TRUE(in) << p;
  json schema = json::parse(in);
  std::set<std::string> known(schema["enum"].begin(), schema["enum"].end());
  for (const char* id : {"mit", "apache-2.0", "GPL-2.0+", "LGPL-2.1-or-later", "zlib",
                         "BSD-3-Clause", "MPL-2.0", "ISC", "Unlicense", "CC0-1.0"}) {
    auto canon = internal::CanonicalSpdxLicenseId(id);
    ASSERT_TRUE(canon.has_value()) << id;
    EXPECT_TRUE(known.count(*canon)) << *canon;
  }
  EXPECT_FALSE(internal::CanonicalSpdxLicenseId("MIT OR Apache-2.0").has_value());
  EXPECT_FALSE(internal::CanonicalSpdxLicenseId("GPL").has_value());
}

TEST(HelpersTest, UuidIsRfc4122Shaped) {
  std::string u = internal::DeterministicUuid("seed");
  ASSERT_EQ(u.size(), 36u);
  EXPECT_EQ(u[14], '5');
  EXPECT_NE(std::string("89ab").find(u[19]), std::string::npos);
  EXPECT_EQ(u, internal::DeterministicUuid("seed"));
  EXPECT_NE(u, internal::DeterministicUuid("seed2"));
  EXPECT_EQ(internal::Truncate("héllo wörld", 8), "héllo...");
  EXPECT_EQ(internal::DisplayWidth("héllo"), 5u);
}

}  // namespace
}  // namespace vigil::report
