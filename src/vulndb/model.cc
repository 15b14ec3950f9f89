#include "vulndb/model.h"

#include <algorithm>

#include "base/strings.h"

namespace vigil::vulndb {
namespace {

// OSV ecosystem names in their published case (https://ossf.github.io/osv-schema/).
constexpr std::string_view kEcosystems[] = {
    "AlmaLinux",   "Alpine",   "Android",   "Bioconductor", "Bitnami",     "Chainguard",
    "ConanCenter", "CRAN",     "crates.io", "Debian",       "GHC",         "GitHub Actions",
    "Go",          "Hackage",  "Hex",       "Linux",        "Maven",       "Mageia",
    "MinimOS",     "npm",      "NuGet",     "openSUSE",     "OSS-Fuzz",    "Packagist",
    "Photon OS",   "Pub",      "PyPI",      "Red Hat",      "Rocky Linux", "RubyGems",
    "SUSE",        "SwiftURL", "Ubuntu",    "Wolfi",
};

std::string Key(std::string_view ecosystem, std::string_view package) {
  std::string key = CanonicalEcosystem(ecosystem);
  key.push_back('\0');
  key += NormalizePackageName(ecosystem, package);
  return key;
}

}  // namespace

std::string_view EventKindName(EventKind k) {
  switch (k) {
    case EventKind::kIntroduced:
      return "introduced";
    case EventKind::kFixed:
      return "fixed";
    case EventKind::kLastAffected:
      return "last_affected";
    case EventKind::kLimit:
      return "limit";
  }
  return "introduced";
}

std::string_view AffectedKindName(AffectedKind k) {
  switch (k) {
    case AffectedKind::kOsv:
      return "osv";
    case AffectedKind::kNpmRange:
      return "npm-range";
    case AffectedKind::kDistro:
      return "distro";
  }
  return "osv";
}

std::string_view DistroStatusName(DistroStatus s) {
  switch (s) {
    case DistroStatus::kFixed:
      return "fixed";
    case DistroStatus::kUnfixed:
      return "unfixed";
    case DistroStatus::kNotAffected:
      return "not-affected";
    case DistroStatus::kEndOfLife:
      return "end-of-life";
    case DistroStatus::kNoDsa:
      return "no-dsa";
    case DistroStatus::kIgnored:
      return "ignored";
    case DistroStatus::kPostponed:
      return "postponed";
  }
  return "fixed";
}

std::string CanonicalEcosystem(std::string_view ecosystem) {
  size_t colon = ecosystem.find(':');
  std::string_view base = ecosystem.substr(0, colon);
  std::string out(base);
  for (std::string_view known : kEcosystems) {
    if (EqualsIgnoreCase(known, base)) {
      out = std::string(known);
      break;
    }
  }
  if (colon != std::string_view::npos) {
    std::string_view release = ecosystem.substr(colon + 1);
    out.push_back(':');
    // Alpine releases are published as "v3.11"; accept "3.11" too.
    if (out == "Alpine:" && !release.empty() && release[0] != 'v') out.push_back('v');
    out += release;
  }
  return out;
}

std::string NormalizePackageName(std::string_view ecosystem, std::string_view name) {
  std::string base = CanonicalEcosystem(ecosystem.substr(0, ecosystem.find(':')));
  if (base == "PyPI") {
    // PEP 503: lower case, runs of '-', '_' and '.' become one '-'.
    std::string out;
    bool in_run = false;
    for (char ch : name) {
      if (ch == '-' || ch == '_' || ch == '.') {
        if (!in_run) out.push_back('-');
        in_run = true;
      } else {
        out.push_back(static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch));
        in_run = false;
      }
    }
    return out;
  }
  if (base == "NuGet" || base == "Packagist" || base == "crates.io") return ToLower(name);
  return std::string(name);
}

void MemAdvisorySource::Add(const Advisory& advisory) {
  auto shared = std::make_shared<Advisory>(advisory);
  shared->affected.clear();
  for (const Affected& a : advisory.affected) {
    entries_.emplace_back(Key(a.ecosystem, a.package), Candidate{shared, a});
  }
}

void MemAdvisorySource::AddSeverity(const SeverityRecord& record) { severities_.push_back(record); }

StatusOr<std::vector<Candidate>> MemAdvisorySource::Lookup(std::string_view ecosystem,
                                                           std::string_view package) const {
  std::string key = Key(ecosystem, package);
  std::vector<Candidate> out;
  for (const auto& [k, candidate] : entries_) {
    if (k == key) out.push_back(candidate);
  }
  return out;
}

StatusOr<SeverityRecord> MemAdvisorySource::Severity(std::string_view vuln_id) const {
  for (const SeverityRecord& r : severities_) {
    if (r.vuln_id == vuln_id) return r;
  }
  return NotFoundError(std::string(vuln_id));
}

}  // namespace vigil::vulndb
