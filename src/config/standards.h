// Compliance standards and audits: `vigil config PATH --standard ID|FILE`.
//
// A standard (Framework) is a list of controls. Built-in standards (pss-baseline,
// pss-restricted, cis-k8s, cis-docker, nsa) are YAML files under data/standards/ embedded at
// build time; a framework FILE has the same shape plus, per control, the check ids that
// evaluate it. Which checks evaluate a control of a built-in standard is never listed by
// hand: it is every check of the scan's registries whose CheckInfo::controls carries
// "<standard>/<control id>", so checks added later (or custom policies mapping themselves to
// a control) are picked up without touching the standard.
//
// The audit turns a scan's findings into one report::ComplianceReport per standard: each
// control pass / fail / manual / not_applicable with its failing resources, and a score
// (docs/config.md "Standards and audit reports").
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "config/check.h"
#include "report/finding.h"

namespace vigil::config {

struct FrameworkControl {
  std::string id;
  std::string title;
  std::string section;
  report::Severity severity = report::Severity::kUnknown;  // kUnknown: from its checks
  bool manual = false;              // a framework file says no file can decide it
  std::vector<std::string> checks;  // check ids a framework file lists
  int line = 0;                     // line of the control in its YAML file
};

struct Framework {
  std::string id;
  std::string title;
  std::string version;
  std::string url;
  std::string source;  // "built-in", "controls" or the framework file's path
  std::vector<FrameworkControl> controls;
};

// The built-in standards, in the order documented.
const std::vector<std::string>& BuiltinStandardIds();
bool IsBuiltinStandard(std::string_view id);
// A built-in standard (NotFound for an unknown id). Parsed from the embedded YAML once.
StatusOr<Framework> BuiltinFramework(std::string_view id);

// Every check of `registries` (null entries skipped), in registration order.
std::vector<const CheckInfo*> CheckInfos(const std::vector<const CheckRegistry*>& registries);

// Parses a framework file. Errors name `file:line`: YAML errors, missing id/controls, a
// control without id or title, a duplicate control id, an unknown check id (not among
// `checks`), a control listing checks and `manual: true`, or neither (and no check of
// `checks` mapped to "<id>/<control>"), an unknown severity, an unknown key.
StatusOr<Framework> ParseFramework(std::string_view text, std::string_view file,
                                   const std::vector<const CheckInfo*>& checks);

// True when `arg` of `--standard` names a file rather than a standard id (it contains '/'
// or ends in .yaml/.yml).
bool IsFrameworkPath(std::string_view arg);

// A standard named on the command line: a built-in id, a framework file (read from the
// host, at most 4 MiB), or an id that only check mappings use ("acme" when custom checks
// map themselves to "acme/1.2"): then one control per distinct "<id>/<control>".
// InvalidArgument when the id is unknown or the file is bad.
StatusOr<Framework> ResolveStandard(std::string_view arg,
                                    const std::vector<const CheckInfo*>& checks);

// The check ids evaluating `control` of `fw`: those the control lists plus every check
// mapped to "<fw.id>/<control.id>"; sorted, distinct.
std::vector<std::string> ControlChecks(const Framework& fw, const FrameworkControl& control,
                                       const std::vector<const CheckInfo*>& checks);
// Union of ControlChecks over every control (what the scan must run for this standard).
std::vector<std::string> FrameworkChecks(const Framework& fw,
                                         const std::vector<const CheckInfo*>& checks);

// Audits `findings` (misconfig findings of one scan, suppressed ones included) against
// `fw`. `kinds` are the kinds of every scanned resource: a control whose checks all apply
// to other kinds is not_applicable. Control order is the framework's.
report::ComplianceReport Audit(const Framework& fw, const std::vector<const CheckInfo*>& checks,
                               const std::vector<report::Finding>& findings,
                               const std::set<std::string>& kinds);

// Recomputes the counts and both scores of `r` from its controls' statuses.
void ScoreCompliance(report::ComplianceReport* r);

// Weight of a control of severity `s` in the weighted score (critical 4, high 3, medium 2,
// low 1, info/unknown 1).
int SeverityWeight(report::Severity s);

}  // namespace vigil::config
