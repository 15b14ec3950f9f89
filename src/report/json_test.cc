#include "report/json.h"

#include "gtest/gtest.h"

namespace vigil::report {
namespace {

Report SampleReport() {
  Report r;
  r.target = "alpine:3.19";
  r.target_kind = "image";
  r.created_at = "2026-11-24T06:00:00Z";
  r.tool_version = "0.1.0";
  Finding f;
  f.id = "CVE-2024-0001";
  f.severity = Severity::kHigh;
  f.package = PackageRef{"openssl", "3.1.4-r0", "Alpine:v3.19", "pkg:apk/alpine/openssl@3.1.4-r0"};
  f.location.layer = "sha256:abc";
  f.location.line = 3;
  f.fixed_version = "3.1.4-r1";
  f.aliases = {"GHSA-xxxx-yyyy-zzzz"};
  r.findings.push_back(f);
  Finding s;
  s.kind = FindingKind::kSecret;
  s.id = "aws-access-key-id";
  s.severity = Severity::kCritical;
  s.location.path = "/app/.env";
  s.match = "AKIA************MPLE";
  r.findings.push_back(s);
  r.warnings = {"no package database found"};
  return r;
}

TEST(ReportJsonTest, RoundTripsAndOmitsEmptyFields) {
  Report r = SampleReport();
  std::string text = ReportToJson(r);
  EXPECT_NE(text.find("\"schema\": \"vigil.report/v1\""), std::string::npos);
  EXPECT_EQ(text.find("\"remediation\""), std::string::npos);
  EXPECT_EQ(text.find("\"artifact_digest\""), std::string::npos);
  EXPECT_NE(text.find("\"critical\": 1"), std::string::npos);
  auto back = ReportFromJson(text);
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->findings.size(), 2u);
  EXPECT_EQ(back->findings[0].package->purl, "pkg:apk/alpine/openssl@3.1.4-r0");
  EXPECT_EQ(back->findings[0].location.line, 3);
  EXPECT_EQ(back->findings[1].kind, FindingKind::kSecret);
  EXPECT_EQ(back->findings[1].match, "AKIA************MPLE");
  EXPECT_EQ(ReportToJson(*back), text);
}

TEST(ReportJsonTest, FindingRoundTripsCompact) {
  Finding f = SampleReport().findings[0];
  std::string text = FindingToJson(f);
  EXPECT_EQ(text.find('\n'), std::string::npos);
  auto back = FindingFromJson(text);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(FindingToJson(*back), text);
}

TEST(ReportJsonTest, ErrorsNameTheField) {
  struct Case {
    const char* json;
    const char* needle;
  } cases[] = {
      {"{", "invalid JSON"},
      {"[]", "expected object"},
      {R"({"target":"x"})", "schema: missing"},
      {R"({"schema":"vigil.report/v9"})", "unsupported 'vigil.report/v9'"},
      {R"({"schema":"vigil.report/v1","findings":{}})", "findings: expected array"},
      {R"({"schema":"vigil.report/v1","findings":[{"kind":"vulnerability"}]})",
       "findings[0].id: missing"},
      {R"({"schema":"vigil.report/v1","findings":[{"kind":"x","id":"a"}]})", "findings[0].kind"},
      {R"({"schema":"vigil.report/v1","findings":[{"kind":"secret","id":"a","severity":"loud"}]})",
       "findings[0].severity"},
      {R"({"schema":"vigil.report/v1","findings":[{"kind":"secret","id":"a",)"
       R"("location":{"line":"7"}}]})",
       "findings[0].location.line: expected integer"},
      {R"({"schema":"vigil.report/v1","findings":[{"kind":"secret","id":"a",)"
       R"("location":{"line":99999999999}}]})",
       "findings[0].location.line: out of range"},
      {R"({"schema":"vigil.report/v1","findings":[{"kind":"secret","id":"a","aliases":[1]}]})",
       "findings[0].aliases[0]: expected string"},
      {R"({"schema":"vigil.report/v1","findings":[{"kind":"secret","id":"a","package":{}}]})",
       "findings[0].package.name: missing"},
      {R"({"schema":"vigil.report/v1","warnings":"w"})", "warnings: expected array"},
  };
  for (const Case& c : cases) {
    auto r = ReportFromJson(c.json);
    ASSERT_FALSE(r.ok()) << c.json;
    EXPECT_NE(r.status().message().find(c.needle), std::string::npos)
        << c.json << " -> " << r.status();
  }
}

TEST(ReportJsonTest, InvalidUtf8IsReplacedNotThrown) {
  Report r = SampleReport();
  r.findings[1].location.path = "/app/\xff\xfe.env";
  std::string text = ReportToJson(r);
  EXPECT_NE(text.find("\xEF\xBF\xBD"), std::string::npos);
  EXPECT_TRUE(ReportFromJson(text).ok());
}

TEST(SbomJsonTest, RoundTrips) {
  Sbom s;
  s.target = "debian:12";
  s.target_kind = "image";
  s.os = {"debian", "12", "bookworm", "Debian GNU/Linux 12 (bookworm)"};
  Component c;
  c.name = "libc6";
  c.version = "2.36-9+deb12u4";
  c.ecosystem = "deb";
  c.purl = "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12";
  c.licenses = {"LGPL-2.1", "GPL-2.0"};
  c.files = {"/lib/x86_64-linux-gnu/libc.so.6"};
  c.dev = true;
  s.components.push_back(c);
  std::string text = SbomToJson(s);
  auto back = SbomFromJson(text);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(SbomToJson(*back), text);
  EXPECT_EQ(back->os.codename, "bookworm");
  EXPECT_TRUE(back->components[0].dev);
  EXPECT_FALSE(SbomFromJson(R"({"schema":"vigil.report/v1"})").ok());
  auto bad = SbomFromJson(R"({"schema":"vigil.sbom/v1","components":[{"name":"a","dev":"yes"}]})");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("components[0].dev"), std::string::npos);
}

TEST(CycloneDxReadTest, ReadsThirdPartyBom) {
  // Shaped like Syft's CycloneDX JSON output: nested components, license ids and names,
  // an operating-system component, syft location properties.
  auto s = SbomFromCycloneDx(R"({
    "bomFormat": "CycloneDX", "specVersion": "1.4", "version": 1,
    "metadata": {"timestamp": "2024-01-01T00:00:00Z",
                 "component": {"type": "container", "name": "nginx:1.25",
                               "version": "sha256:0123"}},
    "components": [
      {"type": "library", "name": "openssl", "version": "3.0.11-1~deb12u2",
       "purl": "pkg:deb/debian/openssl@3.0.11-1~deb12u2",
       "licenses": [{"license": {"id": "Apache-2.0"}}, {"license": {"name": "custom"}}],
       "properties": [{"name": "syft:location:0:layerID", "value": "sha256:aa"},
                      {"name": "syft:location:0:path", "value": "/var/lib/dpkg/status"}],
       "components": [{"type": "library", "name": "inner", "purl": "pkg:npm/inner@1.0.0"}]},
      {"type": "operating-system", "name": "debian", "version": "12"},
      {"type": "library", "name": "lodash", "version": "4.17.21",
       "licenses": [{"expression": "MIT OR Apache-2.0"}]}
    ]})");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->target, "nginx:1.25");
  EXPECT_EQ(s->target_kind, "image");
  EXPECT_EQ(s->artifact_digest, "sha256:0123");
  EXPECT_EQ(s->os.id, "debian");
  EXPECT_EQ(s->os.version_id, "12");
  ASSERT_EQ(s->components.size(), 3u);
  EXPECT_EQ(s->components[0].ecosystem, "deb");
  EXPECT_EQ(s->components[0].layer, "sha256:aa");
  EXPECT_EQ(s->components[0].location, "/var/lib/dpkg/status");
  EXPECT_EQ(s->components[0].licenses, (std::vector<std::string>{"Apache-2.0", "custom"}));
  EXPECT_EQ(s->components[1].name, "inner");
  EXPECT_EQ(s->components[1].ecosystem, "npm");
  EXPECT_EQ(s->components[2].licenses, (std::vector<std::string>{"MIT OR Apache-2.0"}));
}

TEST(CycloneDxReadTest, RejectsMalformedWithPaths) {
  struct Case {
    const char* json;
    const char* needle;
  } cases[] = {
      {R"({"bomFormat":"SPDX"})", "bomFormat"},
      {R"({"specVersion":"1.5"})", "bomFormat: missing"},
      {R"({"bomFormat":"CycloneDX","components":[{"version":"1"}]})", "components[0].name"},
      {R"({"bomFormat":"CycloneDX","components":[{"name":"a","licenses":[{"license":[]}]}]})",
       "components[0].licenses[0].license"},
      {R"({"bomFormat":"CycloneDX","components":[{"name":"a","components":[{"name":1}]}]})",
       "components[0].components[0].name"},
  };
  for (const Case& c : cases) {
    auto s = SbomFromCycloneDx(c.json);
    ASSERT_FALSE(s.ok()) << c.json;
    EXPECT_NE(s.status().message().find(c.needle), std::string::npos) << s.status();
  }
  std::string deep = R"({"bomFormat":"CycloneDX","components":)";
  for (int i = 0; i < 100; ++i) deep += R"([{"name":"a","components":)";
  deep += "[]";
  for (int i = 0; i < 100; ++i) deep += "}]";
  deep += "}";
  auto s = SbomFromCycloneDx(deep);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("nested deeper"), std::string::npos);
}

}  // namespace
}  // namespace vigil::report
