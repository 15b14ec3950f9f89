// OSV importer, format detection and the file/directory drivers, over the hand-made
// samples in testdata/vulndb/osv (README there) and in-memory trees.
#include "vulndb/import.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "base/fs.h"
#include "base/test_paths.h"

namespace vigil::vulndb {
namespace {

class CollectSink : public AdvisorySink {
 public:
  Status Add(Advisory a) override {
    advisories.push_back(std::move(a));
    return OkStatus();
  }
  Status AddSeverity(SeverityRecord r) override {
    severities.push_back(std::move(r));
    return OkStatus();
  }
  const Advisory* Find(const std::string& id) const {
    for (const Advisory& a : advisories) {
      if (a.id == id) return &a;
    }
    return nullptr;
  }
  std::vector<Advisory> advisories;
  std::vector<SeverityRecord> severities;
};

std::string OsvDir() { return test_paths::SourceDir() + "/testdata/vulndb/osv"; }

bool AnyWarningHas(const std::vector<std::string>& warnings, const std::string& a,
                   const std::string& b = "") {
  for (const std::string& w : warnings) {
    if (w.find(a) != std::string::npos && w.find(b) != std::string::npos) return true;
  }
  return false;
}

// A zip made at test time from `members` (name -> bytes), deflated, in memory.
std::string MakeZip(const std::vector<std::pair<std::string, std::string>>& members) {
  std::string out(64 << 20, '\0');
  size_t used = 0;
  archive* a = archive_write_new();
  archive_write_set_format_zip(a);
  archive_write_set_options(a, "zip:compression=deflate");
  EXPECT_EQ(archive_write_open_memory(a, out.data(), out.size(), &used), ARCHIVE_OK);
  for (const auto& [name, bytes] : members) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, static_cast<la_int64_t>(bytes.size()));
    EXPECT_EQ(archive_write_header(a, e), ARCHIVE_OK) << archive_error_string(a);
    EXPECT_EQ(archive_write_data(a, bytes.data(), bytes.size()),
              static_cast<la_ssize_t>(bytes.size()));
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  out.resize(used);
  return out;
}

TEST(DetectFormat, ByNameAndHead) {
  EXPECT_EQ(DetectFormat("/x/all.zip", "PK\x03\x04"), "osv-zip");
  EXPECT_EQ(DetectFormat("/a.json", R"({"schema_version": "1.3.1", "id": "GO-1"})"), "osv-json");
  EXPECT_EQ(DetectFormat("/a.json", R"({"id": "GHSA-x", "modified": "2020"})"), "osv-json");
  EXPECT_EQ(DetectFormat("/a.yaml", "id: PYSEC-1\ndetails: x\naffected:\n"), "osv-yaml");
  EXPECT_EQ(DetectFormat("/main.yaml", "---\ndistroversion: v3.11\nreponame: main\npackages:\n"),
            "alpine-secdb");
  EXPECT_EQ(DetectFormat("/main.json", R"({"distroversion": "v3.18", "packages": []})"),
            "alpine-secdb");
  EXPECT_EQ(DetectFormat("/1.json", R"({"id": 1, "module_name": "bassmaster"})"), "nswg-json");
  EXPECT_EQ(DetectFormat("/n.json", R"({"format": "NVD_CVE", "vulnerabilities": []})"), "nvd-json");
  EXPECT_EQ(DetectFormat("/t.json", R"({"openssl": {"CVE-2023-0001": {}}})"),
            "debian-tracker-json");
  EXPECT_EQ(DetectFormat("/list", "[29 Mar 2023] DSA-5380-1 xorg-server - security update\n"),
            "debian-dsa-list");
  EXPECT_EQ(DetectFormat("/list", "[01 Apr 2023] DLA-3380-1 firmware-nonfree - x\n"),
            "debian-dsa-list");
  // Not feeds: documentation, an NSWG core record, a JSON value naming a key in a string.
  EXPECT_EQ(DetectFormat("/README.md", "# Title\n"), "");
  EXPECT_EQ(DetectFormat("/core/1.json", R"({"cve": ["CVE-1"], "vulnerable": "8.x"})"), "");
  EXPECT_EQ(DetectFormat("/x.json", R"({"note": "\"module_name\": no"})"), "");
  EXPECT_EQ(DetectFormat("/empty", ""), "");
}

TEST(ImportOsv, GhsaWithLastKnownAffectedRange) {
  RealFileSystem fs;
  CollectSink sink;
  auto stats = ImportFile(fs, OsvDir() + "/ghsa/GHSA-29mw-wpgm-hmr9.json", sink);
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->format, "osv-json");
  EXPECT_EQ(stats->advisories, 1);
  EXPECT_EQ(stats->skipped, 0);
  ASSERT_EQ(sink.advisories.size(), 1u);
  const Advisory& a = sink.advisories[0];
  EXPECT_EQ(a.source, "osv");
  EXPECT_EQ(a.id, "GHSA-29mw-wpgm-hmr9");
  EXPECT_EQ(a.aliases, std::vector<std::string>{"CVE-2020-28500"});
  EXPECT_EQ(a.published, "2022-01-06T20:30:46Z");
  // The vendor's word wins over the CVSS band; the CVSS vector and score are kept.
  EXPECT_EQ(a.severity, report::Severity::kMedium);
  EXPECT_EQ(a.severity_source, "ghsa");
  EXPECT_DOUBLE_EQ(a.cvss_score, 5.3);  // NVD's score for CVE-2020-28500
  EXPECT_EQ(a.references.size(), 2u);
  ASSERT_EQ(a.affected.size(), 2u);
  EXPECT_EQ(a.affected[0].ecosystem, "npm");
  EXPECT_EQ(a.affected[0].package, "lodash");
  EXPECT_EQ(a.affected[0].last_known_affected, "");
  ASSERT_EQ(a.affected[0].ranges.size(), 1u);
  EXPECT_EQ(a.affected[0].ranges[0].type, "ECOSYSTEM");
  ASSERT_EQ(a.affected[0].ranges[0].events.size(), 2u);
  EXPECT_EQ(a.affected[0].ranges[0].events[1].kind, EventKind::kFixed);
  EXPECT_EQ(a.affected[0].ranges[0].events[1].version, "4.17.21");
  EXPECT_EQ(a.affected[1].package, "lodash-es");
  EXPECT_EQ(a.affected[1].last_known_affected, "<= 4.17.20");
}

TEST(ImportOsv, GoRangesAndWithdrawn) {
  RealFileSystem fs;
  CollectSink sink;
  auto stats = ImportPath(fs, OsvDir() + "/go", sink);
  ASSERT_TRUE(stats.ok()) << stats.status();
  ASSERT_EQ(stats->size(), 1u);
  EXPECT_EQ((*stats)[0].files, 2);
  EXPECT_EQ((*stats)[0].advisories, 2);
  const Advisory* go = sink.Find("GO-2022-0969");
  ASSERT_NE(go, nullptr);
  EXPECT_FALSE(go->withdrawn);
  EXPECT_EQ(go->severity, report::Severity::kUnknown);
  ASSERT_EQ(go->affected.size(), 2u);
  EXPECT_EQ(go->affected[0].ecosystem, "Go");
  EXPECT_EQ(go->affected[0].package, "stdlib");
  ASSERT_EQ(go->affected[0].ranges.size(), 1u);
  EXPECT_EQ(go->affected[0].ranges[0].type, "SEMVER");
  ASSERT_EQ(go->affected[0].ranges[0].events.size(), 4u);
  EXPECT_EQ(go->affected[0].ranges[0].events[2].kind, EventKind::kIntroduced);
  EXPECT_EQ(go->affected[0].ranges[0].events[2].version, "1.19.0-0");
  const Advisory* withdrawn = sink.Find("GO-2020-0001");
  ASSERT_NE(withdrawn, nullptr);
  EXPECT_TRUE(withdrawn->withdrawn);  // kept and counted; the matcher skips it
  EXPECT_EQ(withdrawn->affected.size(), 1u);
}

TEST(ImportOsv, YamlDropsGitRangesAndKeepsVersionText) {
  RealFileSystem fs;
  CollectSink sink;
  auto stats = ImportFile(fs, OsvDir() + "/pypa/PYSEC-2021-59.yaml", sink);
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->format, "osv-yaml");
  ASSERT_EQ(sink.advisories.size(), 1u);
  const Advisory& a = sink.advisories[0];
  EXPECT_EQ(a.id, "PYSEC-2021-59");
  EXPECT_EQ(a.aliases.size(), 2u);
  EXPECT_EQ(a.modified, "2021-03-20T02:15:00.000000Z");
  EXPECT_EQ(a.severity_source, "cvss:3.1");
  EXPECT_DOUBLE_EQ(a.cvss_score, 5.9);
  EXPECT_EQ(a.severity, report::Severity::kMedium);
  // The GIT-only entry (Urllib3.Mirror) is dropped; the GIT range beside ECOSYSTEM too.
  ASSERT_EQ(a.affected.size(), 1u);
  EXPECT_EQ(a.affected[0].ecosystem, "PyPI");
  EXPECT_EQ(a.affected[0].package, "urllib3");
  ASSERT_EQ(a.affected[0].ranges.size(), 1u);
  EXPECT_EQ(a.affected[0].ranges[0].type, "ECOSYSTEM");
  EXPECT_EQ(a.affected[0].ranges[0].events[1].version, "1.26.4");
  ASSERT_EQ(a.affected[0].versions.size(), 5u);
  EXPECT_EQ(a.affected[0].versions[4], "1.10");  // text, not the float 1.1
}

// CVSS 3.x base scores against published NVD vector -> score pairs.
TEST(ImportOsv, CvssV3BaseScores) {
  struct Case {
    const char* vector;
    double score;
    report::Severity severity;
  } cases[] = {
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, report::Severity::kCritical},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0, report::Severity::kCritical},
      {"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N", 6.5, report::Severity::kMedium},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1, report::Severity::kMedium},
      {"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8, report::Severity::kHigh},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5, report::Severity::kHigh},
      {"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 8.8, report::Severity::kHigh},
      {"CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N", 5.4, report::Severity::kMedium},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:L/A:N", 4.3, report::Severity::kMedium},
      {"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N", 3.3, report::Severity::kLow},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0, report::Severity::kUnknown},
  };
  for (const Case& c : cases) {
    std::string record = std::string(R"({"id": "T-1", "modified": "2020", "severity": [)") +
                         R"({"type": "CVSS_V3", "score": ")" + c.vector + R"("}]})";
    CollectSink sink;
    ImportStats stats;
    MemFileSystem fs;
    fs.AddFile("/r.json", record);
    auto st = ImportFile(fs, "/r.json", sink);
    ASSERT_TRUE(st.ok()) << st.status();
    ASSERT_EQ(sink.advisories.size(), 1u);
    EXPECT_DOUBLE_EQ(sink.advisories[0].cvss_score, c.score) << c.vector;
    EXPECT_EQ(sink.advisories[0].severity, c.severity) << c.vector;
    EXPECT_EQ(sink.advisories[0].cvss_vector, c.vector);
  }
}

TEST(ImportOsv, ZipExportBuiltAtTestTime) {
  RealFileSystem real;
  std::vector<std::pair<std::string, std::string>> members;
  for (const char* name :
       {"GHSA-jf85-cpcp-j695.json", "GHSA-vh95-rmgr-6w4m.json", "MAL-2022-1.json"}) {
    auto bytes = real.ReadFile(OsvDir() + "/zip/" + name);
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    members.emplace_back(name, *bytes);
  }
  members.emplace_back("notes.txt", "not a record");
  MemFileSystem fs;
  fs.AddFile("/feeds/npm/all.zip", MakeZip(members));
  CollectSink sink;
  auto stats = ImportPath(fs, "/feeds", sink);
  ASSERT_TRUE(stats.ok()) << stats.status();
  ASSERT_EQ(stats->size(), 1u);
  const ImportStats& s = (*stats)[0];
  EXPECT_EQ(s.format, "osv-zip");
  EXPECT_EQ(s.advisories, 3);
  EXPECT_EQ(s.skipped, 1);
  EXPECT_TRUE(AnyWarningHas(s.warnings, "all.zip!notes.txt")) << s.warnings.size();
  const Advisory* lodash = sink.Find("GHSA-jf85-cpcp-j695");
  ASSERT_NE(lodash, nullptr);
  EXPECT_EQ(lodash->severity, report::Severity::kCritical);
  EXPECT_EQ(lodash->affected.size(), 2u);
  const Advisory* minimist = sink.Find("GHSA-vh95-rmgr-6w4m");
  ASSERT_NE(minimist, nullptr);
  ASSERT_EQ(minimist->affected.size(), 1u);
  EXPECT_EQ(minimist->affected[0].ranges.size(), 2u);
  // A CVSS v4 vector is stored without a score.
  const Advisory* mal = sink.Find("MAL-2022-1");
  ASSERT_NE(mal, nullptr);
  EXPECT_EQ(mal->cvss_vector.rfind("CVSS:4.0/", 0), 0u);
  EXPECT_EQ(mal->cvss_score, 0);
  EXPECT_EQ(mal->severity, report::Severity::kUnknown);
  ASSERT_EQ(mal->affected.size(), 1u);
  EXPECT_EQ(mal->affected[0].versions, (std::vector<std::string>{"1.0.0", "1.0.1"}));
}

TEST(ImportOsv, ZipBombMemberIsRefused) {
  // 17 MiB of zeros deflate to a few KiB: over the per-member bound, skipped with a warning.
  std::string big(17 << 20, '\0');
  MemFileSystem fs;
  fs.AddFile("/all.zip",
             MakeZip({{"big.json", big}, {"ok.json", R"({"id": "OSV-1", "modified": "2020"})"}}));
  CollectSink sink;
  auto stats = ImportFile(fs, "/all.zip", sink);
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->advisories, 1);
  EXPECT_EQ(stats->skipped, 1);
  EXPECT_TRUE(AnyWarningHas(stats->warnings, "big.json", "larger than"));
}

TEST(ImportOsv, CorruptZipIsOneSkippedFile) {
  MemFileSystem fs;
  fs.AddFile("/all.zip", "PK\x03\x04 definitely not a zip");
  CollectSink sink;
  auto stats = ImportFile(fs, "/all.zip", sink);
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->skipped, 1);
  EXPECT_TRUE(AnyWarningHas(stats->warnings, "/all.zip"));
}

TEST(ImportOsv, MalformedInputWarnsNamingFileAndField) {
  RealFileSystem fs;
  CollectSink sink;
  auto stats = ImportPath(fs, OsvDir() + "/malformed", sink);
  ASSERT_TRUE(stats.ok()) << stats.status();
  ASSERT_EQ(stats->size(), 1u);
  const ImportStats& s = (*stats)[0];
  EXPECT_EQ(s.format, "osv-json");
  EXPECT_EQ(s.files, 3);
  // truncated.json: the whole file; no-id.json: its first record.
  EXPECT_EQ(s.skipped, 2);
  EXPECT_EQ(s.advisories, 2);
  EXPECT_TRUE(AnyWarningHas(s.warnings, "truncated.json", "invalid JSON"));
  EXPECT_TRUE(AnyWarningHas(s.warnings, "no-id.json[0]", "`id`"));
  EXPECT_TRUE(AnyWarningHas(s.warnings, "bad-fields.json", "`aliases`"));
  EXPECT_TRUE(AnyWarningHas(s.warnings, "bad-fields.json", "affected[1]"));
  EXPECT_TRUE(AnyWarningHas(s.warnings, "bad-fields.json", "events[1]"));
  EXPECT_TRUE(AnyWarningHas(s.warnings, "bad-fields.json", "severity[0].score"));
  const Advisory* bad = sink.Find("OSV-BAD-2");
  ASSERT_NE(bad, nullptr);
  EXPECT_TRUE(bad->aliases.empty());
  ASSERT_EQ(bad->affected.size(), 1u);
  EXPECT_EQ(bad->affected[0].ranges[0].events.size(), 1u);
  EXPECT_NE(sink.Find("OSV-OK-3"), nullptr);
}

TEST(ImportOsv, HostileShapesNeverCrash) {
  const char* inputs[] = {
      "[]",
      "{}",
      "null",
      "[1, \"x\", null]",
      R"({"id": 5})",
      R"({"id": "X", "affected": 3})",
      R"({"id": "X", "affected": [{"package": "p"}]})",
      R"({"id": "X", "affected": [{"package": {"ecosystem": 1, "name": []}}]})",
      R"({"id": "X", "affected": [{"package": {"ecosystem": "npm", "name": "a"},
          "ranges": [{"type": "ECOSYSTEM", "events": "x"}], "versions": {}}]})",
      R"({"id": "X", "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:Q/C:H/I:H/A:H"}]})",
      R"({"id": "X", "details": 12, "withdrawn": null})"};
  for (const char* in : inputs) {
    MemFileSystem fs;
    fs.AddFile("/r.json", in);
    CollectSink sink;
    auto stats = ImportFile(fs, "/r.json", sink, "osv-json");
    ASSERT_TRUE(stats.ok()) << in;
  }
  // A YAML alias bomb is bounded by the node budget.
  std::string bomb = "id: X\na: &a [x, x, x, x, x, x, x, x, x, x]\n";
  char prev = 'a';
  for (char c = 'b'; c <= 'k'; ++c) {
    bomb += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 10; ++i) bomb += std::string(i ? ", *" : "*") + prev;
    bomb += "]\n";
    prev = c;
  }
  MemFileSystem fs;
  fs.AddFile("/bomb.yaml", bomb);
  CollectSink sink;
  auto stats = ImportFile(fs, "/bomb.yaml", sink, "osv-yaml");
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->skipped, 1);
  EXPECT_TRUE(AnyWarningHas(stats->warnings, "/bomb.yaml", "YAML nodes"));
}

TEST(ImportPath, DocumentationSilentUnknownWarnedLargeRefused) {
  MemFileSystem fs;
  fs.AddFile("/feed/README.md", "# docs");
  fs.AddFile("/feed/LICENSE", "CC-BY-4.0");
  fs.AddFile("/feed/.id-allocator", "42");
  fs.AddFile("/feed/a/OSV-1.json", R"({"id": "OSV-1", "modified": "2020"})");
  CollectSink sink;
  auto stats = ImportPath(fs, "/feed", sink);
  ASSERT_TRUE(stats.ok()) << stats.status();
  ASSERT_EQ(stats->size(), 2u);
  const ImportStats* osv = nullptr;
  const ImportStats* other = nullptr;
  for (const ImportStats& s : *stats) (s.format == "osv-json" ? osv : other) = &s;
  ASSERT_NE(osv, nullptr);
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(osv->advisories, 1);
  EXPECT_EQ(other->format, "unrecognised");
  EXPECT_EQ(other->files, 3);
  EXPECT_EQ(other->skipped, 3);
  ASSERT_EQ(other->warnings.size(), 1u);  // documentation is skipped without a warning
  EXPECT_NE(other->warnings[0].find(".id-allocator"), std::string::npos);
  EXPECT_FALSE(ImportPath(fs, "/missing", sink).ok());
}

// The full PyPA and Go snapshots import without a single skipped record.
TEST(ImportPath, SharedOsvSnapshots) {
  std::string data = test_paths::SharedDir() + "/vulndata";
  RealFileSystem fs;
  if (!fs.IsDirectory(data)) GTEST_SKIP() << data << " is absent";
  for (const char* dir : {"/golang-vulndb/data/osv", "/pypa-advisory-database/vulns/django"}) {
    CollectSink sink;
    auto stats = ImportPath(fs, data + dir, sink);
    ASSERT_TRUE(stats.ok()) << stats.status();
    for (const ImportStats& s : *stats) {
      EXPECT_EQ(s.skipped, 0) << dir << " " << s.format
                              << (s.warnings.empty() ? "" : ": " + s.warnings[0]);
    }
    EXPECT_GT(sink.advisories.size(), 100u) << dir;
  }
}

}  // namespace
}  // namespace vigil::vulndb
