// DbWriter -> Database round trip, schema checks, lookups, concurrency, and BuildDatabase
// over the hand-made samples in testdata/vulndb/osv.
#include "vulndb/db.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "base/test_paths.h"
#include "vulndb/build.h"

namespace vigil::vulndb {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "vulndb_test.XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

Advisory OsvAdvisory() {
  Advisory a;
  a.source = "osv";
  a.id = "PYSEC-2021-1";
  a.aliases = {"CVE-2021-0001", "GHSA-aaaa-bbbb-cccc"};
  a.summary = "summary";
  a.details = "details with \"quotes\" and unicode \xc3\xa9";
  a.published = "2021-01-01T00:00:00Z";
  a.modified = "2021-02-01T00:00:00Z";
  a.severity = report::Severity::kHigh;
  a.severity_source = "cvss:3.1";
  a.cvss_score = 7.5;
  a.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H";
  a.references = {"https://example.org/1"};
  Affected f;
  f.ecosystem = "PyPI";
  f.package = "Django_REST.framework";
  f.ranges = {{"ECOSYSTEM",
               {{EventKind::kIntroduced, "0"},
                {EventKind::kFixed, "3.11.2"},
                {EventKind::kIntroduced, "3.12.0"},
                {EventKind::kLastAffected, "3.12.1"}}}};
  f.versions = {"3.12.0"};
  f.last_known_affected = "<= 3.12.1";
  a.affected.push_back(f);
  Affected g = f;
  g.ecosystem = "pypi";
  g.package = "djangorestframework";
  g.ranges[0].type = "SEMVER";
  g.ranges[0].events.push_back({EventKind::kLimit, "*"});
  a.affected.push_back(g);
  return a;
}

Advisory DistroAdvisory() {
  Advisory a;
  a.source = "debian-dsa";
  a.id = "DSA-5380-1";
  a.aliases = {"CVE-2023-1393"};
  a.published = "2023-03-29";
  Affected f;
  f.ecosystem = "debian:11";
  f.package = "xorg-server";
  f.kind = AffectedKind::kDistro;
  f.distro_status = DistroStatus::kFixed;
  f.fixed_version = "2:1.20.11-1+deb11u6";
  f.severity = "high";
  a.affected.push_back(f);
  Affected n = f;
  n.ecosystem = "Debian:10";
  n.distro_status = DistroStatus::kNoDsa;
  n.fixed_version.clear();
  a.affected.push_back(n);
  return a;
}

Advisory NpmAdvisory(bool withdrawn) {
  Advisory a;
  a.source = "nswg";
  a.id = withdrawn ? "NSWG-ECO-2" : "NSWG-ECO-1";
  a.withdrawn = withdrawn;
  Affected f;
  f.ecosystem = "npm";
  f.package = "Bassmaster";
  f.kind = AffectedKind::kNpmRange;
  f.npm_range = ">=1.4.0 <=1.11.3 || >=1.12.3 <=2.2.4";
  f.patched_range = ">=1.5.2";
  a.affected.push_back(f);
  return a;
}

// Writes the three sources above plus an NVD severity into `path`.
void WriteSample(const std::string& path) {
  auto w = DbWriter::Create(path, "vigil test");
  ASSERT_TRUE(w.ok()) << w.status();
  ASSERT_TRUE((*w)->BeginSource({"osv", "osv-json", "/feeds/osv", ""}).ok());
  ASSERT_TRUE((*w)->AddAdvisory(OsvAdvisory()).ok());
  ASSERT_TRUE((*w)->EndSource(2).ok());
  ASSERT_TRUE((*w)->BeginSource({"debian-dsa", "debian-dsa-list", "/feeds/list", "ab12"}).ok());
  ASSERT_TRUE((*w)->AddAdvisory(DistroAdvisory()).ok());
  ASSERT_TRUE((*w)->EndSource(0).ok());
  ASSERT_TRUE((*w)->BeginSource({"nswg", "nswg-json", "/feeds/nswg", ""}).ok());
  ASSERT_TRUE((*w)->AddAdvisory(NpmAdvisory(false)).ok());
  ASSERT_TRUE((*w)->EndSource(0).ok());
  // The same source again continues its row.
  ASSERT_TRUE((*w)->BeginSource({"nswg", "nswg-json", "/feeds/nswg", ""}).ok());
  ASSERT_TRUE((*w)->AddAdvisory(NpmAdvisory(true)).ok());
  ASSERT_TRUE((*w)->EndSource(1).ok());
  ASSERT_TRUE((*w)->BeginSource({"nvd", "nvd-json", "/feeds/nvd.json", ""}).ok());
  SeverityRecord r;
  r.vuln_id = "CVE-2023-1393";
  r.source = "nvd";
  r.severity = report::Severity::kHigh;
  r.score = 7.8;
  r.vector = "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H";
  r.published = "2023-03-30";
  r.description = "use after free";
  ASSERT_TRUE((*w)->AddSeverity(r).ok());
  ASSERT_TRUE((*w)->EndSource(0).ok());
  ASSERT_TRUE((*w)->Finish().ok());
}

TEST(Database, RoundTrip) {
  TempDir dir;
  std::string path = dir / "v.db";
  WriteSample(path);
  auto db = Database::Open(path);
  ASSERT_TRUE(db.ok()) << db.status();

  // PEP 503 normalisation on both sides; ecosystem in any case.
  auto found = (*db)->Lookup("PYPI", "django-rest-framework");
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->size(), 1u);
  const Candidate& c = (*found)[0];
  Advisory want = OsvAdvisory();
  EXPECT_EQ(c.affected.ecosystem, "PyPI");
  EXPECT_EQ(c.affected.package, "Django_REST.framework");  // as published
  EXPECT_EQ(c.affected.kind, AffectedKind::kOsv);
  ASSERT_EQ(c.affected.ranges.size(), 1u);
  EXPECT_EQ(c.affected.ranges[0].type, "ECOSYSTEM");
  ASSERT_EQ(c.affected.ranges[0].events.size(), 4u);
  EXPECT_EQ(c.affected.ranges[0].events[3].kind, EventKind::kLastAffected);
  EXPECT_EQ(c.affected.ranges[0].events[3].version, "3.12.1");
  EXPECT_EQ(c.affected.versions, want.affected[0].versions);
  EXPECT_EQ(c.affected.last_known_affected, "<= 3.12.1");
  ASSERT_NE(c.advisory, nullptr);
  EXPECT_EQ(c.advisory->source, "osv");
  EXPECT_EQ(c.advisory->id, want.id);
  EXPECT_EQ(c.advisory->aliases, want.aliases);
  EXPECT_EQ(c.advisory->summary, want.summary);
  EXPECT_EQ(c.advisory->details, want.details);
  EXPECT_EQ(c.advisory->published, want.published);
  EXPECT_EQ(c.advisory->modified, want.modified);
  EXPECT_EQ(c.advisory->severity, report::Severity::kHigh);
  EXPECT_EQ(c.advisory->severity_source, "cvss:3.1");
  EXPECT_DOUBLE_EQ(c.advisory->cvss_score, 7.5);
  EXPECT_EQ(c.advisory->cvss_vector, want.cvss_vector);
  EXPECT_EQ(c.advisory->references, want.references);
  EXPECT_TRUE(c.advisory->affected.empty());

  auto second = (*db)->Lookup("PyPI", "djangorestframework");
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->size(), 1u);
  EXPECT_EQ((*second)[0].affected.ranges[0].events.back().kind, EventKind::kLimit);
  // The advisory is read once and shared.
  EXPECT_EQ((*second)[0].advisory.get(), c.advisory.get());

  auto deb = (*db)->Lookup("Debian:11", "xorg-server");
  ASSERT_TRUE(deb.ok());
  ASSERT_EQ(deb->size(), 1u);
  EXPECT_EQ((*deb)[0].affected.kind, AffectedKind::kDistro);
  EXPECT_EQ((*deb)[0].affected.distro_status, DistroStatus::kFixed);
  EXPECT_EQ((*deb)[0].affected.fixed_version, "2:1.20.11-1+deb11u6");
  EXPECT_EQ((*deb)[0].affected.severity, "high");
  auto deb10 = (*db)->Lookup("debian:10", "xorg-server");
  ASSERT_TRUE(deb10.ok());
  ASSERT_EQ(deb10->size(), 1u);
  EXPECT_EQ((*deb10)[0].affected.distro_status, DistroStatus::kNoDsa);
  EXPECT_EQ((*deb10)[0].advisory.get(), (*deb)[0].advisory.get());

  // npm names are case-sensitive: "bassmaster" is another package.
  auto npm = (*db)->Lookup("npm", "Bassmaster");
  ASSERT_TRUE(npm.ok());
  ASSERT_EQ(npm->size(), 2u);
  EXPECT_EQ((*npm)[0].affected.npm_range, ">=1.4.0 <=1.11.3 || >=1.12.3 <=2.2.4");
  EXPECT_EQ((*npm)[0].affected.patched_range, ">=1.5.2");
  EXPECT_TRUE((*npm)[1].advisory->withdrawn);
  EXPECT_TRUE((*db)->Lookup("npm", "bassmaster")->empty());
  EXPECT_TRUE((*db)->Lookup("Go", "stdlib")->empty());

  auto sev = (*db)->Severity("CVE-2023-1393");
  ASSERT_TRUE(sev.ok()) << sev.status();
  EXPECT_EQ(sev->source, "nvd");
  EXPECT_EQ(sev->severity, report::Severity::kHigh);
  EXPECT_DOUBLE_EQ(sev->score, 7.8);
  EXPECT_EQ(sev->description, "use after free");
  EXPECT_TRUE(IsNotFound((*db)->Severity("CVE-1999-0001").status()));

  auto info = (*db)->Info();
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->schema_version, kSchemaVersion);
  EXPECT_EQ(info->built_by, "vigil test");
  EXPECT_EQ(info->built_at.size(), 20u);
  EXPECT_EQ(info->advisories, 4);
  EXPECT_EQ(info->affected, 6);
  EXPECT_EQ(info->severities, 1);
  ASSERT_EQ(info->sources.size(), 4u);
  EXPECT_EQ(info->sources[0].info.name, "osv");
  EXPECT_EQ(info->sources[0].affected, 2);
  EXPECT_EQ(info->sources[0].skipped, 2);
  EXPECT_EQ(info->sources[1].info.digest, "ab12");
  EXPECT_EQ(info->sources[2].info.name, "nswg");
  EXPECT_EQ(info->sources[2].advisories, 2);
  EXPECT_EQ(info->sources[2].withdrawn, 1);
  EXPECT_EQ(info->sources[2].skipped, 1);
  EXPECT_EQ(info->sources[3].severities, 1);
  std::vector<std::pair<std::string, int64_t>> ecosystems = {
      {"Debian:10", 1}, {"Debian:11", 1}, {"PyPI", 2}, {"npm", 2}};
  EXPECT_EQ(info->ecosystems, ecosystems);
  EXPECT_EQ(DefaultDbPath("/c"), "/c/db/vigil.db");
}

TEST(Database, RefusesOtherSchemaVersionsAndNonDatabases) {
  TempDir dir;
  std::string path = dir / "v.db";
  WriteSample(path);
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "UPDATE meta SET value='99' WHERE key='schema_version'", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(raw);
  auto db = Database::Open(path);
  ASSERT_FALSE(db.ok());
  EXPECT_TRUE(IsFailedPrecondition(db.status())) << db.status();
  EXPECT_NE(db.status().message().find("incompatible"), std::string::npos);
  EXPECT_NE(db.status().message().find("vigil db build"), std::string::npos);

  auto missing = Database::Open(dir / "absent.db");
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(IsNotFound(missing.status()));
  EXPECT_NE(missing.status().message().find("absent.db"), std::string::npos);

  std::ofstream(dir / "text.db") << "this is not an SQLite database, just some text\n";
  auto text = Database::Open(dir / "text.db");
  ASSERT_FALSE(text.ok());
  EXPECT_NE(text.status().message().find("text.db"), std::string::npos) << text.status();

  std::ofstream(dir / "empty.db");
  EXPECT_FALSE(Database::Open(dir / "empty.db").ok());
  // The writer never overwrites.
  EXPECT_TRUE(IsAlreadyExists(DbWriter::Create(path, "x").status()));
}

TEST(Database, ConcurrentLookups) {
  TempDir dir;
  std::string path = dir / "v.db";
  WriteSample(path);
  auto db = Database::Open(path);
  ASSERT_TRUE(db.ok()) << db.status();
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        auto r = (i + t) % 2 ? (*db)->Lookup("pypi", "Django-REST-Framework")
                             : (*db)->Lookup("Debian:11", "xorg-server");
        if (!r.ok() || r->size() != 1 || (*r)[0].advisory == nullptr) ++errors;
        if (!(*db)->Severity("CVE-2023-1393").ok()) ++errors;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(errors.load(), 0);
}

std::string OsvDir() { return test_paths::SourceDir() + "/testdata/vulndb/osv"; }

TEST(BuildDatabase, SamplesAtomicallyWithPerInputSources) {
  TempDir dir;
  std::string out = dir / "db/vigil.db";
  fs::create_directories(dir / "db");
  BuildOptions options;
  options.built_by = "vigil test";
  int calls = 0;
  options.progress = [&](const std::string&, const std::vector<ImportStats>&) { ++calls; };
  std::vector<std::string> warnings;
  auto info = BuildDatabase(
      {OsvDir() + "/go", OsvDir() + "/ghsa/GHSA-29mw-wpgm-hmr9.json", OsvDir() + "/pypa"}, out,
      options, &warnings);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(calls, 3);
  EXPECT_TRUE(warnings.empty()) << warnings[0];
  EXPECT_EQ(info->advisories, 4);
  EXPECT_EQ(info->affected, 6);  // go: 2 + 1, ghsa: 2, pypa: 1
  ASSERT_EQ(info->sources.size(), 3u);
  EXPECT_EQ(info->sources[0].info.format, "osv-json");
  EXPECT_EQ(info->sources[0].withdrawn, 1);
  EXPECT_TRUE(info->sources[0].info.digest.empty());    // a directory
  EXPECT_EQ(info->sources[1].info.digest.size(), 64u);  // sha256 of the single file
  EXPECT_EQ(info->sources[2].info.format, "osv-yaml");
  auto db = Database::Open(out);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ((*db)->Lookup("npm", "lodash-es")->size(), 1u);
  db->reset();

  // A failing build (an input without any advisory) leaves the old file as it was.
  std::string before;
  {
    std::ifstream in(out, std::ios::binary);
    before.assign(std::istreambuf_iterator<char>(in), {});
  }
  fs::create_directories(dir / "nothing");
  std::ofstream(dir / "nothing/README.md") << "# nothing here\n";
  auto failed = BuildDatabase({OsvDir() + "/go", dir / "nothing"}, out, options);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("nothing"), std::string::npos) << failed.status();
  std::string after;
  {
    std::ifstream in(out, std::ios::binary);
    after.assign(std::istreambuf_iterator<char>(in), {});
  }
  EXPECT_EQ(before, after);
  for (const auto& e : fs::directory_iterator(dir / "db")) {
    EXPECT_EQ(e.path().filename(), "vigil.db") << "left behind: " << e.path();
  }
  EXPECT_FALSE(BuildDatabase({dir / "absent"}, out, options).ok());

  // Malformed files are warnings, and their skips are counted on their source.
  auto with_bad = BuildDatabase({OsvDir() + "/malformed"}, out, options, &warnings);
  ASSERT_TRUE(with_bad.ok()) << with_bad.status();
  ASSERT_EQ(with_bad->sources.size(), 1u);
  EXPECT_EQ(with_bad->sources[0].advisories, 2);
  EXPECT_EQ(with_bad->sources[0].skipped, 2);
  EXPECT_FALSE(warnings.empty());
}

}  // namespace
}  // namespace vigil::vulndb
