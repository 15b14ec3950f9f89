// Matcher tests.
//
// MatcherCase: one data-driven case per folder of testdata/match/<case>/: advisories.json
// (the vulndb::Advisory model in a small JSON form, loaded into a MemAdvisorySource),
// sbom.json (vigil.sbom/v1), optional options.json ({"ignore_unfixed": true}) and
// expected.json (the findings in report order, every warning, and the package counts).
//
// Conformance: real OSV records from ../shared/vulndata (Go JSON, PyPA YAML), converted here
// into Advisory (the real importer lives in vulndb/), matched at synthesised installed
// versions just below and at each fixed / last_affected bound; the expectation comes from an
// independent reading of the events as published (introduced..fixed / ..last_affected
// intervals in file order) plus the versions[] list.
#include "match/matcher.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/test_paths.h"
#include "match/version.h"
#include "report/json.h"
#include "vulndb/model.h"

namespace vigil::match {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using vulndb::Advisory;
using vulndb::Affected;
using vulndb::AffectedKind;
using vulndb::DistroStatus;
using vulndb::Event;
using vulndb::EventKind;

// testdata/match: one folder per case.
fs::path CasesDir() { return fs::path(test_paths::SourceDir()) / "testdata" / "match"; }

std::string ReadText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::vector<std::string> StrList(const json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const json& v : *it) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

// OSV `events` ([{"introduced": "0"}, {"fixed": "1.2"}]), shared by both JSON forms.
std::vector<Event> ParseEvents(const json& events) {
  std::vector<Event> out;
  for (const json& e : events) {
    for (auto [name, kind] :
         {std::pair{"introduced", EventKind::kIntroduced}, std::pair{"fixed", EventKind::kFixed},
          std::pair{"last_affected", EventKind::kLastAffected},
          std::pair{"limit", EventKind::kLimit}}) {
      if (e.contains(name)) out.push_back(Event{kind, e[name].get<std::string>()});
    }
  }
  return out;
}

// The test's JSON form of the advisory model (see the file comment).
Advisory AdvisoryFromTestJson(const json& j) {
  Advisory a;
  a.source = Str(j, "source");
  a.id = Str(j, "id");
  a.aliases = StrList(j, "aliases");
  a.summary = Str(j, "summary");
  a.details = Str(j, "details");
  a.withdrawn = j.value("withdrawn", false);
  if (j.contains("severity")) a.severity = *report::ParseSeverity(Str(j, "severity"));
  a.references = StrList(j, "references");
  for (const json& aj : j.at("affected")) {
    Affected af;
    af.ecosystem = vulndb::CanonicalEcosystem(Str(aj, "ecosystem"));
    af.package = Str(aj, "package");
    std::string kind = aj.value("kind", "osv");
    if (kind == "npm-range") {
      af.kind = AffectedKind::kNpmRange;
    } else if (kind == "distro") {
      af.kind = AffectedKind::kDistro;
    } else {
      EXPECT_EQ(kind, "osv");
    }
    if (aj.contains("ranges")) {
      for (const json& r : aj["ranges"]) {
        af.ranges.push_back({Str(r, "type"), ParseEvents(r.at("events"))});
      }
    }
    af.versions = StrList(aj, "versions");
    af.last_known_affected = Str(aj, "last_known_affected");
    af.npm_range = Str(aj, "npm_range");
    af.patched_range = Str(aj, "patched_range");
    std::string status = aj.value("status", "fixed");
    bool known = false;
    for (DistroStatus s : {DistroStatus::kFixed, DistroStatus::kUnfixed, DistroStatus::kNotAffected,
                           DistroStatus::kEndOfLife, DistroStatus::kNoDsa, DistroStatus::kIgnored,
                           DistroStatus::kPostponed}) {
      if (vulndb::DistroStatusName(s) == status) {
        af.distro_status = s;
        known = true;
      }
    }
    EXPECT_TRUE(known) << "status " << status;
    af.fixed_version = Str(aj, "fixed_version");
    af.severity = Str(aj, "severity");
    a.affected.push_back(std::move(af));
  }
  return a;
}

// A real OSV record (JSON, or YAML converted to JSON) as the importer conventions describe
// (docs in /work/notes/conventions.md): GIT ranges dropped, entries without usable ranges or
// versions dropped.
Advisory AdvisoryFromOsv(const json& j) {
  Advisory a;
  a.source = "osv";
  a.id = Str(j, "id");
  a.aliases = StrList(j, "aliases");
  a.summary = Str(j, "summary");
  a.details = Str(j, "details");
  a.withdrawn = j.contains("withdrawn");
  if (!j.contains("affected")) return a;
  for (const json& aj : j["affected"]) {
    if (!aj.contains("package")) continue;
    Affected af;
    af.ecosystem = vulndb::CanonicalEcosystem(Str(aj["package"], "ecosystem"));
    af.package = Str(aj["package"], "name");
    if (aj.contains("ranges")) {
      for (const json& r : aj["ranges"]) {
        std::string type = Str(r, "type");
        if (type != "ECOSYSTEM" && type != "SEMVER") continue;
        af.ranges.push_back({type, ParseEvents(r.at("events"))});
      }
    }
    af.versions = StrList(aj, "versions");
    if (af.ranges.empty() && af.versions.empty()) continue;
    a.affected.push_back(std::move(af));
  }
  return a;
}

json YamlToJson(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      json out = json::object();
      for (const auto& kv : n) out[kv.first.as<std::string>()] = YamlToJson(kv.second);
      return out;
    }
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (const auto& v : n) out.push_back(YamlToJson(v));
      return out;
    }
    case YAML::NodeType::Scalar:
      return n.Scalar();
    default:
      return nullptr;
  }
}

// ---------------------------------------------------------------------------------------
// Data-driven cases.

std::vector<std::string> ListCases() {
  std::vector<std::string> out;
  fs::path root = CasesDir();
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    if (entry.is_directory() && fs::exists(entry.path() / "expected.json")) {
      out.push_back(entry.path().filename().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

class MatcherCase : public ::testing::TestWithParam<std::string> {};

TEST_P(MatcherCase, MatchesExpected) {
  fs::path dir = CasesDir() / GetParam();
  json advisories = json::parse(ReadText(dir / "advisories.json"));
  vulndb::MemAdvisorySource db;
  for (const json& a : advisories.at("advisories")) db.Add(AdvisoryFromTestJson(a));
  if (advisories.contains("severities")) {
    for (const json& s : advisories["severities"]) {
      vulndb::SeverityRecord r;
      r.vuln_id = Str(s, "id");
      r.source = "nvd";
      r.severity = *report::ParseSeverity(Str(s, "severity"));
      r.score = s.value("score", 0.0);
      db.AddSeverity(r);
    }
  }
  auto sbom = report::SbomFromJson(ReadText(dir / "sbom.json"));
  ASSERT_TRUE(sbom.ok()) << sbom.status().message();
  MatchOptions options;
  if (fs::exists(dir / "options.json")) {
    options.ignore_unfixed =
        json::parse(ReadText(dir / "options.json")).value("ignore_unfixed", false);
  }
  auto result = MatchSbom(*sbom, db, options);
  ASSERT_TRUE(result.ok()) << result.status().message();

  json expected = json::parse(ReadText(dir / "expected.json"));
  const json& want = expected.at("findings");
  std::string got_text;
  for (const report::Finding& f : result->findings) {
    got_text += f.id + " " + f.package->name + " " + f.package->version +
                " fixed=" + f.fixed_version + " " + f.status + "\n";
  }
  ASSERT_EQ(result->findings.size(), want.size()) << "got:\n" << got_text;
  for (size_t i = 0; i < want.size(); ++i) {
    const report::Finding& f = result->findings[i];
    const json& w = want[i];
    SCOPED_TRACE("finding " + std::to_string(i) + " " + Str(w, "id"));
    EXPECT_EQ(f.kind, report::FindingKind::kVulnerability);
    EXPECT_EQ(f.id, Str(w, "id"));
    EXPECT_EQ(f.aliases, StrList(w, "aliases"));
    ASSERT_TRUE(f.package.has_value());
    EXPECT_EQ(f.package->name, Str(w, "package"));
    EXPECT_EQ(f.package->version, Str(w, "version"));
    EXPECT_EQ(f.fixed_version, Str(w, "fixed_version"));
    EXPECT_EQ(f.status, Str(w, "status"));
    EXPECT_EQ(report::SeverityName(f.severity), Str(w, "severity"));
    for (auto [key, value] :
         {std::pair{"data_source", &f.data_source}, std::pair{"ecosystem", &f.package->ecosystem},
          std::pair{"purl", &f.package->purl}, std::pair{"layer", &f.location.layer},
          std::pair{"path", &f.location.path}, std::pair{"title", &f.title},
          std::pair{"description", &f.description}}) {
      if (w.contains(key)) {
        EXPECT_EQ(*value, Str(w, key)) << key;
      }
    }
    if (w.contains("references")) {
      EXPECT_EQ(f.references, StrList(w, "references"));
    }
  }
  // Every warning is listed (by a substring that must name the package or advisory).
  std::vector<std::string> want_warnings = StrList(expected, "warnings");
  std::string all_warnings;
  for (const std::string& w : result->warnings) all_warnings += "  " + w + "\n";
  EXPECT_EQ(result->warnings.size(), want_warnings.size()) << all_warnings;
  for (const std::string& w : want_warnings) {
    EXPECT_TRUE(std::any_of(result->warnings.begin(), result->warnings.end(),
                            [&](const std::string& g) { return g.find(w) != std::string::npos; }))
        << "no warning contains '" << w << "'; warnings:\n"
        << all_warnings;
  }
  if (expected.contains("packages_matched")) {
    EXPECT_EQ(result->packages_matched, expected["packages_matched"].get<int>());
  }
  if (expected.contains("packages_skipped")) {
    EXPECT_EQ(result->packages_skipped, expected["packages_skipped"].get<int>());
  }
}

INSTANTIATE_TEST_SUITE_P(Testdata, MatcherCase, ::testing::ValuesIn(ListCases()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

TEST(MatcherCases, Present) {
  // Guards against a silently empty suite (wrong source dir).
  EXPECT_GE(ListCases().size(), 15u) << CasesDir();
}

// ---------------------------------------------------------------------------------------
// EcosystemFor.

report::Component Comp(std::string ecosystem) {
  report::Component c;
  c.name = "x";
  c.version = "1";
  c.ecosystem = std::move(ecosystem);
  return c;
}

TEST(EcosystemFor, OsPackages) {
  report::OsInfo debian{"debian", "11", "bullseye", ""};
  report::OsInfo ubuntu{"ubuntu", "22.04", "jammy", ""};
  report::OsInfo alpine{"alpine", "3.19.1", "", ""};
  report::OsInfo rocky{"rocky", "9.3", "", ""};
  report::OsInfo sid{"debian", "", "", ""};
  EXPECT_EQ(EcosystemFor(Comp("deb"), debian), "Debian:11");
  EXPECT_EQ(EcosystemFor(Comp("deb"), report::OsInfo{"debian", "12.4", "", ""}), "Debian:12");
  EXPECT_EQ(EcosystemFor(Comp("deb"), ubuntu), "Ubuntu:22.04");
  EXPECT_EQ(EcosystemFor(Comp("deb"), sid), "");
  EXPECT_EQ(EcosystemFor(Comp("deb"), alpine), "");
  EXPECT_EQ(EcosystemFor(Comp("apk"), alpine), "Alpine:v3.19");
  EXPECT_EQ(EcosystemFor(Comp("apk"), report::OsInfo{"wolfi", "20230201", "", ""}), "Wolfi");
  EXPECT_EQ(EcosystemFor(Comp("apk"), report::OsInfo{"chainguard", "", "", ""}), "Chainguard");
  EXPECT_EQ(EcosystemFor(Comp("rpm"), rocky), "Rocky Linux:9");
  EXPECT_EQ(EcosystemFor(Comp("rpm"), report::OsInfo{"almalinux", "8.9", "", ""}), "AlmaLinux:8");
  EXPECT_EQ(EcosystemFor(Comp("rpm"), report::OsInfo{"rhel", "9.2", "", ""}), "Red Hat:9");
  EXPECT_EQ(EcosystemFor(Comp("rpm"), report::OsInfo{"fedora", "39", "", ""}), "");
}

TEST(EcosystemFor, LanguagePackagesIgnoreTheOs) {
  report::OsInfo none;
  for (auto [sbom, osv] :
       {std::pair{"npm", "npm"}, std::pair{"pypi", "PyPI"}, std::pair{"golang", "Go"},
        std::pair{"maven", "Maven"}, std::pair{"gem", "RubyGems"}, std::pair{"cargo", "crates.io"},
        std::pair{"composer", "Packagist"}, std::pair{"nuget", "NuGet"}}) {
    EXPECT_EQ(EcosystemFor(Comp(sbom), none), osv) << sbom;
    // Every mapped ecosystem has a version scheme.
    EXPECT_TRUE(SchemeForEcosystem(osv).ok()) << osv;
  }
  EXPECT_EQ(EcosystemFor(Comp("binary"), none), "");
  EXPECT_EQ(EcosystemFor(Comp(""), none), "");
}

// A source that fails: lookup errors are returned, not swallowed.
class FailingSource : public vulndb::AdvisorySource {
 public:
  StatusOr<std::vector<vulndb::Candidate>> Lookup(std::string_view,
                                                  std::string_view) const override {
    return DataLossError("database disk image is malformed");
  }
  StatusOr<vulndb::SeverityRecord> Severity(std::string_view) const override {
    return DataLossError("database disk image is malformed");
  }
};

TEST(MatchSbom, LookupErrorIsReturned) {
  report::Sbom sbom;
  sbom.components.push_back(Comp("npm"));
  auto result = MatchSbom(sbom, FailingSource(), MatchOptions());
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("malformed"), std::string::npos);
  EXPECT_NE(result.status().message().find("npm x"), std::string::npos);
}

TEST(MatchSbom, EmptySbom) {
  vulndb::MemAdvisorySource db;
  auto result = MatchSbom(report::Sbom(), db, MatchOptions());
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->findings.empty());
  EXPECT_TRUE(result->warnings.empty());
  EXPECT_EQ(result->packages_matched, 0);
}

// ---------------------------------------------------------------------------------------
// Conformance over ../shared/vulndata.

fs::path VulnData() { return fs::path(test_paths::SharedDir()) / "vulndata"; }

// A version just below `v` in `ecosystem`, or "" when there is no simple one: PEP 440
// "X.dev0" precedes every release, pre and post of X; SemVer "X-0" precedes every
// pre-release of a release X.
std::string JustBelow(const std::string& ecosystem, const std::string& v) {
  if (ecosystem == "PyPI") {
    if (v.find("dev") != std::string::npos || v.find('+') != std::string::npos) return "";
    return v + ".dev0";
  }
  if (v.find('-') != std::string::npos || v.find('+') != std::string::npos) return "";
  return v + "-0";
}

// The installed version as an SBOM would carry it.
std::string AsInstalled(const std::string& ecosystem, const std::string& package,
                        const std::string& v) {
  if (ecosystem != "Go") return v;
  if (package == "stdlib" || package == "toolchain") {
    // Toolchains report "go1.21.3"; the matcher converts release forms back.
    bool plain = v.find('-') == std::string::npos;
    return plain ? "go" + v : v;
  }
  return "v" + v;
}

struct Expectation {
  bool affected = false;
  std::string fixed;  // set when exactly one interval holds the version and it ends "fixed"
};

// The events read as intervals in file order: each "introduced" opens one, the next "fixed"
// (exclusive) or "last_affected" (inclusive) closes it; an unclosed one is open-ended.
Expectation Oracle(const VersionScheme& scheme, const Affected& af, const std::string& v) {
  Expectation out;
  int holding = 0;
  std::string fixed_of_holder;
  for (const vulndb::Range& r : af.ranges) {
    const std::string* intro = nullptr;
    auto close = [&](const Event* end) {
      if (intro == nullptr) return;
      bool above = *intro == "0" || scheme.Compare(v, *intro).value() >= 0;
      bool below = true;
      if (end != nullptr) {
        int c = scheme.Compare(v, end->version).value();
        below = end->kind == EventKind::kFixed ? c < 0 : c <= 0;
      }
      if (above && below) {
        ++holding;
        out.affected = true;
        fixed_of_holder = end != nullptr && end->kind == EventKind::kFixed ? end->version : "";
      }
      intro = nullptr;
    };
    for (const Event& e : r.events) {
      if (e.kind == EventKind::kIntroduced) {
        close(nullptr);
        intro = &e.version;
      } else if (e.kind == EventKind::kFixed || e.kind == EventKind::kLastAffected) {
        close(&e);
      }
    }
    close(nullptr);
  }
  if (holding == 1) out.fixed = fixed_of_holder;
  for (const std::string& listed : af.versions) {
    if (listed == v || scheme.Compare(listed, v).value_or(1) == 0) out.affected = true;
  }
  return out;
}

struct ConformanceStats {
  int advisories = 0;
  int skipped = 0;
  int checks = 0;
  int affected = 0;
};

// Checks one advisory: every bound of every affected entry, at and just below it.
void CheckAdvisory(const Advisory& adv, const std::string& file, ConformanceStats* stats) {
  vulndb::MemAdvisorySource db;
  db.Add(adv);
  ++stats->advisories;
  for (const Affected& af : adv.affected) {
    const VersionScheme& scheme = **SchemeForEcosystem(af.ecosystem);
    bool sound = true;
    for (const vulndb::Range& r : af.ranges) {
      for (const Event& e : r.events) {
        if (e.version != "0" && !scheme.Validate(e.version).ok()) sound = false;
      }
      if (r.events.empty() || r.events.front().kind != EventKind::kIntroduced) sound = false;
    }
    if (!sound) {
      ++stats->skipped;  // the matcher warns and ignores such ranges; nothing to compare
      continue;
    }
    std::vector<std::string> probes;
    for (const vulndb::Range& r : af.ranges) {
      for (const Event& e : r.events) {
        if (e.kind != EventKind::kFixed && e.kind != EventKind::kLastAffected) continue;
        probes.push_back(e.version);
        std::string below = JustBelow(af.ecosystem, e.version);
        if (!below.empty() && scheme.Validate(below).ok()) probes.push_back(below);
      }
    }
    std::string sbom_eco = af.ecosystem == "Go" ? "golang" : "pypi";
    for (const std::string& v : probes) {
      report::Sbom sbom;
      report::Component c;
      c.name = af.package;
      c.version = AsInstalled(af.ecosystem, af.package, v);
      c.ecosystem = sbom_eco;
      sbom.components.push_back(c);
      auto result = MatchSbom(sbom, db, MatchOptions());
      ASSERT_TRUE(result.ok()) << file << ": " << result.status().message();
      Expectation want = Oracle(scheme, af, v);
      // Other affected entries of the same record may name the same package.
      for (const Affected& other : adv.affected) {
        if (&other == &af || other.package != af.package) continue;
        Expectation o = Oracle(scheme, other, v);
        if (o.affected) {
          want.affected = true;
          want.fixed.clear();
        }
      }
      bool got = false;
      std::string got_fixed;
      for (const report::Finding& f : result->findings) {
        bool mine = f.id == adv.id ||
                    std::find(f.aliases.begin(), f.aliases.end(), adv.id) != f.aliases.end();
        if (mine) {
          got = true;
          got_fixed = f.fixed_version;
        }
      }
      ++stats->checks;
      if (want.affected) ++stats->affected;
      EXPECT_EQ(got, want.affected) << file << ": " << af.package << " " << c.version;
      // A fix that is itself inside another interval is not a fix: follow it.
      for (int hops = 0; !want.fixed.empty() && hops < 16; ++hops) {
        Expectation next = Oracle(scheme, af, want.fixed);
        if (!next.affected) break;
        want.fixed = next.fixed;
      }
      if (got && want.affected && !want.fixed.empty()) {
        EXPECT_EQ(got_fixed, want.fixed) << file << ": " << af.package << " " << c.version;
      }
      EXPECT_TRUE(result->warnings.empty())
          << file << ": " << (result->warnings.empty() ? "" : result->warnings[0]);
    }
  }
}

// Every `step`-th file (sorted) of a directory tree with the given extension.
std::vector<fs::path> Sample(const fs::path& root, const std::string& ext, size_t step) {
  std::vector<fs::path> all;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file() && e.path().extension() == ext) all.push_back(e.path());
  }
  std::sort(all.begin(), all.end());
  std::vector<fs::path> out;
  for (size_t i = 0; i < all.size(); i += step) out.push_back(all[i]);
  return out;
}

TEST(MatcherConformance, GoVulnDb) {
  fs::path root = VulnData() / "golang-vulndb" / "data" / "osv";
  if (!fs::is_directory(root)) GTEST_SKIP() << "no shared Go vulndb at " << root;
  ConformanceStats stats;
  int withdrawn = 0;
  for (const fs::path& p : Sample(root, ".json", 7)) {
    Advisory adv = AdvisoryFromOsv(json::parse(ReadText(p)));
    if (adv.withdrawn) {
      // Never matched, even at a version its ranges contain.
      ++withdrawn;
      vulndb::MemAdvisorySource db;
      db.Add(adv);
      for (const Affected& af : adv.affected) {
        report::Sbom sbom;
        sbom.components.push_back(report::Component{});
        sbom.components[0].name = af.package;
        sbom.components[0].version = "v0.0.1";
        sbom.components[0].ecosystem = "golang";
        auto result = MatchSbom(sbom, db, MatchOptions());
        ASSERT_TRUE(result.ok());
        EXPECT_TRUE(result->findings.empty()) << p;
      }
      continue;
    }
    CheckAdvisory(adv, p.string(), &stats);
  }
  std::printf(
      "Go vulndb: %d advisories, %d entries skipped, %d checks (%d affected), "
      "%d withdrawn\n",
      stats.advisories, stats.skipped, stats.checks, stats.affected, withdrawn);
  EXPECT_GT(stats.checks, 500);
  EXPECT_GT(stats.affected, 100);
}

// An indexed in-memory source (MemAdvisorySource scans linearly), to time the matcher itself.
class IndexedSource : public vulndb::AdvisorySource {
 public:
  void Add(const Advisory& advisory) {
    auto shared = std::make_shared<Advisory>(advisory);
    shared->affected.clear();
    for (const Affected& a : advisory.affected) {
      index_[Key(a.ecosystem, a.package)].push_back(vulndb::Candidate{shared, a});
    }
  }
  StatusOr<std::vector<vulndb::Candidate>> Lookup(std::string_view ecosystem,
                                                  std::string_view package) const override {
    auto it = index_.find(Key(ecosystem, package));
    if (it == index_.end()) return std::vector<vulndb::Candidate>();
    return it->second;
  }
  StatusOr<vulndb::SeverityRecord> Severity(std::string_view id) const override {
    return NotFoundError(std::string(id));
  }

 private:
  static std::string Key(std::string_view ecosystem, std::string_view package) {
    return vulndb::CanonicalEcosystem(ecosystem) + '\0' +
           vulndb::NormalizePackageName(ecosystem, package);
  }
  std::unordered_map<std::string, std::vector<vulndb::Candidate>> index_;
};

// Not a benchmark (bench/ has that): a figure for the README and a guard against a
// quadratic slip. 10,000 Go components (every bound of every record, repeated) against the
// whole Go vulndb, timed against a plain lookup loop over the same keys.
TEST(MatcherThroughput, GoVulnDb10k) {
  fs::path root = VulnData() / "golang-vulndb" / "data" / "osv";
  if (!fs::is_directory(root)) GTEST_SKIP() << "no shared Go vulndb at " << root;
  IndexedSource db;
  report::Sbom sbom;
  for (const fs::path& p : Sample(root, ".json", 1)) {
    Advisory adv = AdvisoryFromOsv(json::parse(ReadText(p)));
    db.Add(adv);
    for (const Affected& af : adv.affected) {
      for (const vulndb::Range& r : af.ranges) {
        for (const Event& e : r.events) {
          if (e.version == "0") continue;
          report::Component c;
          c.name = af.package;
          c.version = AsInstalled("Go", af.package, e.version);
          c.ecosystem = "golang";
          sbom.components.push_back(std::move(c));
        }
      }
    }
  }
  ASSERT_GT(sbom.components.size(), 1000u);
  for (size_t i = 0; sbom.components.size() < 10000; ++i) {
    sbom.components.push_back(sbom.components[i]);
  }
  sbom.components.resize(10000);
  auto start = std::chrono::steady_clock::now();
  auto result = MatchSbom(sbom, db, MatchOptions());
  double match_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(result.ok());
  start = std::chrono::steady_clock::now();
  size_t candidates = 0;
  for (const report::Component& c : sbom.components) {
    candidates += db.Lookup("Go", c.name)->size();
  }
  double lookup_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "10,000 Go packages: %zu findings, %zu warnings, match %.3f s (%.0f packages/s); "
      "plain lookup loop %.3f s (%zu candidates); ratio %.1f\n",
      result->findings.size(), result->warnings.size(), match_s, 10000 / match_s, lookup_s,
      candidates, match_s / lookup_s);
  EXPECT_EQ(result->packages_matched, 10000);
  EXPECT_GT(result->findings.size(), 1000u);
  EXPECT_LT(match_s, 30.0);
  // The same keys at versions above every bound: the cost of evaluation without findings.
  for (report::Component& c : sbom.components) c.version = "v999.0.0";
  start = std::chrono::steady_clock::now();
  result = MatchSbom(sbom, db, MatchOptions());
  double clean_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(result.ok());
  // Records without a fixed event (introduced only) still apply.
  std::printf("same packages at v999.0.0: %zu findings, match %.3f s (%.0f packages/s)\n",
              result->findings.size(), clean_s, 10000 / clean_s);
  EXPECT_LT(result->findings.size(), 251907u);
}

TEST(MatcherConformance, PypaAdvisoryDatabase) {
  fs::path root = VulnData() / "pypa-advisory-database" / "vulns";
  if (!fs::is_directory(root)) GTEST_SKIP() << "no shared PyPA database at " << root;
  ConformanceStats stats;
  for (const fs::path& p : Sample(root, ".yaml", 5)) {
    json j;
    try {
      j = YamlToJson(YAML::LoadFile(p.string()));
    } catch (const YAML::Exception& e) {
      ADD_FAILURE() << p << ": " << e.what();
      continue;
    }
    Advisory adv = AdvisoryFromOsv(j);
    if (adv.withdrawn) continue;
    CheckAdvisory(adv, p.string(), &stats);
  }
  std::printf("PyPA: %d advisories, %d entries skipped, %d checks (%d affected)\n",
              stats.advisories, stats.skipped, stats.checks, stats.affected);
  EXPECT_GT(stats.checks, 500);
  EXPECT_GT(stats.affected, 100);
}

}  // namespace
}  // namespace vigil::match
