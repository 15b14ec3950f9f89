// Matching an inventory against a vulnerability database.
//
// OS packages are matched by *source* package name and source version against the data of
// the distribution release they came from ("Debian:11" for a bullseye image, "Alpine:v3.11"
// by apk origin, rpm by name and EVR), so a backported fix (a version the distribution
// marks fixed) is never reported. Language packages are matched by ecosystem and
// normalised name against OSV ranges, explicit version lists and NSWG npm ranges.
// Components owned by an OS package (Component::owner_purl) are never matched as language
// packages: their fixes come through the OS package.
//
// One finding per (package, vulnerability): advisories that alias each other (GHSA, PYSEC,
// CVE, DSA) are merged; the finding id is the CVE when there is one, else the advisory id,
// and the others become aliases. Severity: the vendor's (advisory source), else NVD.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "report/finding.h"
#include "report/sbom.h"
#include "vulndb/model.h"

namespace vigil::match {

struct MatchOptions {
  // Drop findings with no fixed version (Trivy's --ignore-unfixed).
  bool ignore_unfixed = false;
};

struct MatchResult {
  std::vector<report::Finding> findings;
  // Things the user must see: an OS the DB has no data for ("no advisories for
  // Ubuntu:22.04 in the database: OS packages were not matched"), versions that could not
  // be parsed, ranges that could not be evaluated.
  std::vector<std::string> warnings;
  int packages_matched = 0;  // components looked up
  int packages_skipped = 0;  // owned by an OS package, or of an ecosystem with no data
};

// The OSV ecosystem under which `component` is looked up ("npm", "PyPI", "Debian:11",
// "Alpine:v3.11", ...), or "" when it has none (unknown OS, binary without ecosystem).
std::string EcosystemFor(const report::Component& component, const report::OsInfo& os);

// Matches every component of `sbom`. Findings carry package (name, version, ecosystem,
// purl), installed and fixed version, status, data source, layer (Location::layer) and the
// component's location (Location::path).
StatusOr<MatchResult> MatchSbom(const report::Sbom& sbom, const vulndb::AdvisorySource& db,
                                const MatchOptions& options);

}  // namespace vigil::match
