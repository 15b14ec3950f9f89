// The one result model. The image, config and runtime planes all produce Findings, so
// reports, the store, the server and the response engine never care which plane a result
// came from. Serialised as JSON schema `vigil.report/v1` (docs/report-format.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace vigil::report {

enum class Severity { kUnknown = 0, kInfo, kLow, kMedium, kHigh, kCritical };

// "critical", "high", ... (lower case, as in the JSON schema).
std::string_view SeverityName(Severity s);
// Case-insensitive; accepts "CRITICAL" (Trivy) and "moderate" (GitHub advisories -> medium).
StatusOr<Severity> ParseSeverity(std::string_view name);
// Parses a comma-separated list ("HIGH,CRITICAL") into a set of severities.
StatusOr<std::vector<Severity>> ParseSeverityList(std::string_view list);

enum class FindingKind { kVulnerability, kSecret, kMalware, kMisconfig, kRuntime };
std::string_view FindingKindName(FindingKind k);
StatusOr<FindingKind> ParseFindingKind(std::string_view name);

struct Location {
  std::string path;      // file inside the target ("/usr/lib/node_modules/x/package.json")
  int line = 0;          // 1-based; 0 = not applicable
  int end_line = 0;      // 0 = same as line
  std::string layer;     // layer diff-id ("sha256:...") for image findings
  std::string resource;  // "Kind/namespace/name" for config findings, container id at runtime
};

struct PackageRef {
  std::string name;
  std::string version;
  std::string ecosystem;  // OSV ecosystem name ("Debian:12", "npm", "PyPI", ...)
  std::string purl;
};

struct Finding {
  FindingKind kind = FindingKind::kVulnerability;
  std::string id;                    // CVE-..., GHSA-..., VGL-K8S-001, rule name
  std::vector<std::string> aliases;  // other ids of the same issue
  Severity severity = Severity::kUnknown;
  std::string title;
  std::string description;
  Location location;
  std::optional<PackageRef> package;
  std::string fixed_version;
  // Vulnerabilities: "fixed", "affected", "will_not_fix", "fix_deferred", "end_of_life",
  // "under_investigation"; misconfig: "fail"; any kind: "suppressed" when an ignore rule
  // matched (suppressed findings are kept and counted, never silently dropped).
  std::string status;
  std::vector<std::string> controls;    // framework controls: "pss-baseline/privileged", ...
  std::vector<std::string> references;  // URLs
  std::string remediation;
  std::string data_source;  // where the knowledge came from ("osv:PyPI", "debian-tracker")
  std::string match;        // redacted match for secrets; never the secret in full
};

struct Summary {
  int total = 0;
  int suppressed = 0;
  int by_severity[6] = {0, 0, 0, 0, 0, 0};  // indexed by Severity
};

// Compliance audit (`vigil config --standard ID|FILE`): one ComplianceReport per standard,
// computed by the config plane from the findings (src/config/standards.h); the writers only
// print it. Formula and statuses: docs/config.md "Standards and audit reports".

// One unsuppressed finding that makes a control fail: which check and where.
struct ControlFailure {
  std::string check;  // "VGL-K8S-001"
  Severity severity = Severity::kUnknown;
  std::string title;
  Location location;  // path, line and "Kind/ns/name"
};

struct ControlResult {
  std::string id;  // "5.2.2", "privileged", "1.0"
  std::string title;
  std::string section;
  Severity severity = Severity::kUnknown;
  // "pass", "fail", "manual" (no check decides it from files) or "not_applicable" (no
  // scanned resource has a kind any of its checks applies to).
  std::string status;
  std::vector<std::string> checks;       // ids of the checks that evaluate it
  std::vector<ControlFailure> failures;  // set when status is "fail"
  int suppressed = 0;                    // suppressed findings of its checks (not failures)
  std::vector<std::string> remediation;  // distinct remediation texts of the failing checks
};

struct ComplianceReport {
  std::string id;  // "cis-k8s", or the id of a framework file
  std::string title;
  std::string version;
  std::string url;
  std::string source;  // "built-in", "controls" (derived from check mappings) or a file path
  std::vector<ControlResult> controls;
  int passed = 0;
  int failed = 0;
  int manual = 0;
  int not_applicable = 0;
  // 100 * passed / (passed + failed), and the same with each control weighted by severity;
  // negative when no control was decided (every control manual or not applicable).
  double score = -1;
  double weighted_score = -1;
};

// A scan's result: what was scanned and what was found. Warnings are things the user must
// see that are not findings ("no package database found; results may be incomplete").
struct Report {
  std::string target;       // "alpine:3.19", "dir:/srv/app", "k8s/"
  std::string target_kind;  // "image", "filesystem", "config", "runtime", "sbom"
  std::string artifact_digest;
  std::string created_at;  // RFC 3339
  std::string tool_version;
  std::vector<Finding> findings;
  std::vector<std::string> warnings;
  // Inputs that could not be read or parsed (each also named in `warnings`). Commands write
  // the report and then exit 3: bad input is never a clean result.
  int input_errors = 0;
  // Audit sections, one per requested standard (empty unless `--standard` was given).
  std::vector<ComplianceReport> compliance;

  Summary Summarize() const;
};

// The exit-code gate shared by every scanning command (Trivy's --severity/--exit-code):
// true when any finding that is not suppressed has a severity in `counted`
// (an empty set counts every severity).
bool AnyCounted(const Report& report, const std::vector<Severity>& counted);

// Sorts findings for stable output: severity (highest first), then id, path, line.
void SortFindings(std::vector<Finding>& findings);

}  // namespace vigil::report
