// Trivy-compatible ignore files: `.trivyignore` (text) and `.trivyignore.yaml`.
//
// Text form: one id per line, `#` starts a comment line (or a trailing comment after the id),
// an optional ` exp:YYYY-MM-DD` after the id sets an expiry. YAML form: top-level
// `vulnerabilities`, `misconfigurations`, `secrets` (and `licenses`, accepted and unused:
// Vigil has no licence findings) lists of {id, paths, purls, expired_at, statement}.
//
// An entry matches a finding when the id equals the finding's id or one of its aliases, the
// section matches the finding's kind (text entries apply to every kind), and, when given,
// one of `paths` (globs: `*`, `?`, `**`) matches the finding's location path and one of
// `purls` matches its package purl (qualifiers and version compared only when the entry
// has them). `misconfigurations` entries may also name `resources`: globs over the finding's
// Location::resource ("Deployment/prod/*", "ComposeService/web"), so an entry is keyed by
// check id + resource (+ path); Vigil's extension, other sections reject it. As in Trivy, an entry
// expires at 00:00 UTC of its date: from then on it no longer applies and the parser reports a
// warning instead.
//
// Matching findings are marked `status = "suppressed"` (kept and counted by Summarize,
// never dropped) and the reason is appended to their remediation (AppendSuppressionNote,
// vex.h).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "report/finding.h"

namespace vigil::report {

struct IgnoreEntry {
  std::string id;
  // Kinds this entry applies to; empty = every kind (the text form).
  std::vector<FindingKind> kinds;
  std::vector<std::string> paths;  // globs over Location::path, leading '/' ignored
  std::vector<std::string> purls;
  // Globs over Location::resource (`*` and `?` stay within one '/'-separated part, `**`
  // spans parts); empty = any resource.
  std::vector<std::string> resources;
  std::string statement;
  std::string origin;  // "FILE:LINE", named in the suppression note
};

struct IgnoreRules {
  std::vector<IgnoreEntry> entries;  // only entries still in force
  // Expired entries ("FILE:LINE: ignore entry CVE-... expired on 2024-01-01; it no longer
  // applies") and tolerated oddities; callers add them to the report's warnings.
  std::vector<std::string> warnings;
};

// Parses the text form. `file` names the input in messages; `now` decides expiry.
// Errors name file and line ("FILE:3: exp:2024-13-01: not a date (want exp:YYYY-MM-DD)").
StatusOr<IgnoreRules> ParseTrivyIgnore(std::string_view text, std::string_view file,
                                       std::chrono::system_clock::time_point now);

// Parses the YAML form (errors name file, line and field).
StatusOr<IgnoreRules> ParseTrivyIgnoreYaml(std::string_view text, std::string_view file,
                                           std::chrono::system_clock::time_point now);

// Reads a host file (at most 4 MiB) and parses it by name: *.yaml / *.yml are the YAML form,
// anything else the text form.
StatusOr<IgnoreRules> LoadIgnoreFile(const std::string& path, const Clock& clock);

// Marks every finding an entry matches as suppressed; returns how many changed.
int ApplyIgnoreRules(const IgnoreRules& rules, Report& report);

// Glob match used for `paths`: `**` spans directories, `*` and `?` stay within one.
bool GlobMatch(std::string_view pattern, std::string_view path);

}  // namespace vigil::report
