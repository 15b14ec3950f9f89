// The configuration plane's entry point: discover files, load them, run the compiled check
// registry and return one Report.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "base/fs.h"
#include "base/status.h"
#include "config/check.h"
#include "report/finding.h"
#include "report/ignore.h"

namespace vigil::config {

struct ScanOptions {
  // Pod Security Standards policy version: "latest" (default), "v1.29", "1.25"...
  std::string k8s_version = "latest";
  // Standards whose checks run ("pss-baseline", "pss-restricted", "cis-k8s", "cis-docker",
  // "nsa", or a control prefix of the checks such as "acme"); a check runs when one of its
  // controls starts with "<standard>/" or its id is in `standard_checks`. Both empty: every
  // check. An id that is neither built-in nor any check's prefix fails ScanPaths.
  std::vector<std::string> standards;
  // Check ids that also run when `standards` or this list is non-empty: the checks a
  // framework file names (config/standards.h FrameworkChecks).
  std::vector<std::string> standard_checks;
  // When set, receives the kind of every scanned resource (the audit decides from them
  // which controls are not applicable). Not owned.
  std::set<std::string>* scanned_kinds = nullptr;
  // Check ids to suppress everywhere (findings are kept with status "suppressed").
  std::vector<std::string> ignore_ids;
  // Custom policy checks (config/policy.h PolicySet::registry()): run after the built-in
  // checks of each resource, suppressed and selected by `standards` (through their controls)
  // exactly like them. The built-in registry stays static and shared. Not owned.
  const CheckRegistry* custom = nullptr;
  // Ignore-file entries (report/ignore.h), applied to the findings of ScanPaths and ScanText:
  // matches keep status "suppressed". Its warnings are the caller's to report. Not owned.
  const report::IgnoreRules* ignore = nullptr;
  uint64_t max_file_bytes = 16u << 20;  // bigger files are skipped with a warning
};

// The built-in checks, compiled once (thread-safe lazy initialisation).
StatusOr<const CheckRegistry*> BuiltinRegistry();

// Scans files and directories of `fs`. Findings are misconfig findings with controls and
// remediation; files that cannot be read or parsed become warnings naming file:line (never
// silently skipped). Fails only on invalid options.
StatusOr<report::Report> ScanPaths(const FileSystem& fs, const std::vector<std::string>& paths,
                                   const ScanOptions& options);

// Evaluates `registry` over the already-read text of one file (exposed for tests and fuzzing).
// Appends findings and warnings to `report`.
void ScanText(const CheckRegistry& registry, std::string_view path, std::string_view text,
              const ScanOptions& options, const K8sVersion& version, report::Report* report);

}  // namespace vigil::config
