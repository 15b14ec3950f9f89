#include "report/finding.h"

#include <algorithm>
#include <tuple>

#include "base/strings.h"

namespace vigil::report {

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kUnknown:
      return "unknown";
    case Severity::kInfo:
      return "info";
    case Severity::kLow:
      return "low";
    case Severity::kMedium:
      return "medium";
    case Severity::kHigh:
      return "high";
    case Severity::kCritical:
      return "critical";
  }
  return "unknown";
}

StatusOr<Severity> ParseSeverity(std::string_view name) {
  std::string s = ToLower(Trim(name));
  // Vendor spellings seen in feeds: GitHub "moderate", Red Hat "important", Ubuntu
  // "negligible", Debian tracker "unimportant", CVSS qualitative "none".
  if (s == "critical") return Severity::kCritical;
  if (s == "high" || s == "important") return Severity::kHigh;
  if (s == "medium" || s == "moderate") return Severity::kMedium;
  if (s == "low" || s == "negligible" || s == "unimportant") return Severity::kLow;
  if (s == "info" || s == "informational" || s == "none") return Severity::kInfo;
  if (s == "unknown") return Severity::kUnknown;
  return InvalidArgumentError("unknown severity '" + std::string(name) +
                              "' (want critical, high, medium, low, info or unknown)");
}

StatusOr<std::vector<Severity>> ParseSeverityList(std::string_view list) {
  std::vector<Severity> out;
  for (std::string_view piece : Split(list, ',')) {
    piece = Trim(piece);
    if (piece.empty()) continue;
    VIGIL_ASSIGN_OR_RETURN(Severity s, ParseSeverity(piece));
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  }
  return out;
}

std::string_view FindingKindName(FindingKind k) {
  switch (k) {
    case FindingKind::kVulnerability:
      return "vulnerability";
    case FindingKind::kSecret:
      return "secret";
    case FindingKind::kMalware:
      return "malware";
    case FindingKind::kMisconfig:
      return "misconfig";
    case FindingKind::kRuntime:
      return "runtime";
  }
  return "vulnerability";
}

StatusOr<FindingKind> ParseFindingKind(std::string_view name) {
  std::string s = ToLower(Trim(name));
  if (s == "vulnerability") return FindingKind::kVulnerability;
  if (s == "secret") return FindingKind::kSecret;
  if (s == "malware") return FindingKind::kMalware;
  if (s == "misconfig") return FindingKind::kMisconfig;
  if (s == "runtime") return FindingKind::kRuntime;
  return InvalidArgumentError("unknown finding kind '" + std::string(name) +
                              "' (want vulnerability, secret, malware, misconfig or runtime)");
}

// Suppressed findings are kept in the report but counted apart: `total` and `by_severity`
// describe what the user still has to act on.
Summary Report::Summarize() const {
  Summary summary;
  for (const Finding& f : findings) {
    if (f.status == "suppressed") {
      ++summary.suppressed;
      continue;
    }
    ++summary.total;
    ++summary.by_severity[static_cast<int>(f.severity)];
  }
  return summary;
}

bool AnyCounted(const Report& report, const std::vector<Severity>& counted) {
  for (const Finding& f : report.findings) {
    if (f.status == "suppressed") continue;
    if (counted.empty() || std::find(counted.begin(), counted.end(), f.severity) != counted.end()) {
      return true;
    }
  }
  return false;
}

void SortFindings(std::vector<Finding>& findings) {
  auto key = [](const Finding& f) {
    static const std::string kEmpty;
    const std::string& pkg = f.package ? f.package->name : kEmpty;
    const std::string& ver = f.package ? f.package->version : kEmpty;
    return std::tie(f.id, f.location.path, f.location.line, pkg, ver, f.location.resource,
                    f.location.layer);
  };
  // Sorts indices, then moves each finding once: a Finding is two dozen strings and
  // vectors, and moving them through every step of the sort dominated large scans.
  std::vector<size_t> order(findings.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t ia, size_t ib) {
    const Finding& a = findings[ia];
    const Finding& b = findings[ib];
    if (a.severity != b.severity) return a.severity > b.severity;
    if (a.kind != b.kind) return a.kind < b.kind;
    return key(a) < key(b);
  });
  std::vector<Finding> sorted;
  sorted.reserve(findings.size());
  for (size_t i : order) sorted.push_back(std::move(findings[i]));
  findings = std::move(sorted);
}

}  // namespace vigil::report
