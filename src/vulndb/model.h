// The advisory model every importer produces, the DB stores and the matcher reads.
//
// One Advisory is one record of one source (an OSV file, one DSA entry, one Alpine secfix
// id for one package, one NSWG JSON file). Its `affected` entries say which packages of
// which ecosystem it concerns and how to decide whether an installed version is affected.
// Nothing here orders versions: this folder sits above src/match (DESIGN.md layout), so
// ranges are stored exactly as published and evaluated by match/.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "report/finding.h"

namespace vigil::vulndb {

enum class EventKind { kIntroduced, kFixed, kLastAffected, kLimit };
std::string_view EventKindName(EventKind k);  // "introduced", "fixed", ...

struct Event {
  EventKind kind = EventKind::kIntroduced;
  std::string version;  // "0" for introduced-from-the-start, "*" for an open limit
};

// An OSV range of type ECOSYSTEM or SEMVER (GIT ranges are dropped at import: they name
// commits, not versions).
struct Range {
  std::string type;  // "ECOSYSTEM" or "SEMVER"
  std::vector<Event> events;
};

// How an Affected entry decides "is version V affected?".
enum class AffectedKind {
  // OSV: `ranges` (any matching range) or `versions` (exact list); `last_known_affected`
  // bounds an open-ended range (GHSA database_specific.last_known_affected_version_range).
  kOsv,
  // An npm range string as published by the Node.js security WG ("<=0.3.5",
  // ">=1.4.0 <=1.11.3 || >=1.12.3 <=2.2.4"): affected when the version satisfies `npm_range`.
  kNpmRange,
  // Distribution data (Debian tracker/DSA/DLA, Alpine secdb): `distro_status` and, for
  // kFixed, the first fixed version of the source package in that release.
  kDistro,
};
std::string_view AffectedKindName(AffectedKind k);

// The Debian tracker's states (Alpine only has kFixed and kNotAffected, its "0" key).
enum class DistroStatus {
  kFixed,        // affected below fixed_version
  kUnfixed,      // affected, no fix yet (tracker "<unfixed>")
  kNotAffected,  // "<not-affected>", Alpine "0": never a finding
  kEndOfLife,    // "<end-of-life>": affected, no fix will come for this release
  kNoDsa,        // "<no-dsa>": affected, minor issue, fix deferred to a point release
  kIgnored,      // "<ignored>": affected, will not be fixed
  kPostponed,    // "<postponed>": affected, fix deferred
};
std::string_view DistroStatusName(DistroStatus s);  // "fixed", "unfixed", "not-affected", ...

struct Affected {
  // OSV ecosystem, with the release for distributions: "npm", "PyPI", "Go", "Maven",
  // "Debian:11", "Alpine:v3.11". Stored and looked up in canonical case (CanonicalEcosystem).
  std::string ecosystem;
  // The package as the source names it (Debian/Alpine: the *source* package). Looked up
  // by NormalizePackageName(ecosystem, package).
  std::string package;
  AffectedKind kind = AffectedKind::kOsv;
  std::vector<Range> ranges;          // kOsv
  std::vector<std::string> versions;  // kOsv explicit list
  std::string last_known_affected;    // kOsv: "<= 1.2.3" (GHSA), empty when absent
  std::string npm_range;              // kNpmRange
  std::string patched_range;          // kNpmRange: NSWG patched_versions (display only)
  DistroStatus distro_status = DistroStatus::kFixed;  // kDistro
  std::string fixed_version;                          // kDistro with kFixed
  std::string severity;  // per-package vendor severity when the source has one (Debian urgency)
};

struct Advisory {
  std::string source;  // importer source name: "osv", "nswg", "alpine-secdb", "debian-dsa",
                       // "debian-dla", "debian-tracker" (see docs/db.md)
  std::string id;      // "GHSA-...", "PYSEC-2021-1", "GO-2022-0969", "DSA-5380-1", "CVE-..."
  std::vector<std::string> aliases;
  std::string summary;
  std::string details;    // truncated to 4 KiB at import
  std::string published;  // RFC 3339 or date as published; may be empty
  std::string modified;
  bool withdrawn = false;  // kept (and counted) but never matched
  // Vendor severity: GHSA database_specific.severity, OSV CVSS vector, NSWG cvss_score.
  report::Severity severity = report::Severity::kUnknown;
  std::string severity_source;  // "ghsa", "cvss:3.1", "nswg", ...
  double cvss_score = 0;        // 0 = unknown
  std::string cvss_vector;
  std::vector<std::string> references;  // URLs
  std::vector<Affected> affected;
};

// Severity enrichment keyed by vulnerability id (NVD CVE JSON 2.0): used only when the
// advisory's own source gives none. Never used to decide what is affected.
struct SeverityRecord {
  std::string vuln_id;  // "CVE-2021-44228"
  std::string source;   // "nvd"
  report::Severity severity = report::Severity::kUnknown;
  double score = 0;
  std::string vector;  // "CVSS:3.1/AV:N/..."
  std::string published;
  std::string description;  // first English description, truncated to 4 KiB
};

// What a lookup returns: one affected entry with its advisory (shared between the entries
// of one advisory).
struct Candidate {
  std::shared_ptr<const Advisory> advisory;  // `affected` is left empty here
  Affected affected;
};

// The matcher's view of a vulnerability database. Implementations: Database (SQLite,
// db.h) and MemAdvisorySource (below). Must be safe for concurrent const use.
class AdvisorySource {
 public:
  virtual ~AdvisorySource() = default;
  // Every affected entry for `package` in `ecosystem` (both as the caller has them; the
  // source canonicalises). Withdrawn advisories are included (the matcher skips them).
  virtual StatusOr<std::vector<Candidate>> Lookup(std::string_view ecosystem,
                                                  std::string_view package) const = 0;
  // Enrichment for `vuln_id`, or NotFound.
  virtual StatusOr<SeverityRecord> Severity(std::string_view vuln_id) const = 0;
};

// "npm", "PyPI", "Debian:11", "Alpine:v3.11", ... from any case ("pypi", "debian:11",
// "alpine:v3.11"); unknown ecosystems keep their spelling.
std::string CanonicalEcosystem(std::string_view ecosystem);

// The lookup key for a package name: PyPI per PEP 503 (lower case, runs of "-_." → "-"),
// NuGet, Packagist and crates.io lower case; every other ecosystem as published.
std::string NormalizePackageName(std::string_view ecosystem, std::string_view name);

// An in-memory AdvisorySource: for tests of the matcher and for `vigil image sbom:` with
// advisories given on the command line. Not thread-safe while adding.
class MemAdvisorySource : public AdvisorySource {
 public:
  void Add(const Advisory& advisory);
  void AddSeverity(const SeverityRecord& record);
  StatusOr<std::vector<Candidate>> Lookup(std::string_view ecosystem,
                                          std::string_view package) const override;
  StatusOr<SeverityRecord> Severity(std::string_view vuln_id) const override;

 private:
  std::vector<std::pair<std::string, Candidate>> entries_;  // key "ecosystem\0package"
  std::vector<SeverityRecord> severities_;
};

}  // namespace vigil::vulndb
