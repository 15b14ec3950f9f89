// Vigil's own JSON forms of the model: the findings report (schema `vigil.report/v1`) and the
// inventory (schema `vigil.sbom/v1`), both documented in docs/report-format.md, plus a reader
// for CycloneDX JSON so a stored or third-party SBOM can be matched again.
//
// Serialisers are total (invalid UTF-8 is replaced, never thrown). Parsers take untrusted
// bytes and return a Status whose message names the offending field
// ("findings[3].severity: unknown severity 'urgent'"); no exception escapes.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "report/finding.h"
#include "report/sbom.h"

namespace vigil::report {

inline constexpr std::string_view kReportSchema = "vigil.report/v1";
inline constexpr std::string_view kSbomSchema = "vigil.sbom/v1";

// Pretty-printed (two-space indent) with a trailing newline; empty optional fields omitted.
std::string ReportToJson(const Report& report);
StatusOr<Report> ReportFromJson(std::string_view json);

// One finding as the object found in `findings[]`, compact (no newline), for stores and
// streams that keep findings one per row or line.
std::string FindingToJson(const Finding& finding);
StatusOr<Finding> FindingFromJson(std::string_view json);

std::string SbomToJson(const Sbom& sbom);
StatusOr<Sbom> SbomFromJson(std::string_view json);

// Reads a CycloneDX JSON BOM (1.2 to 1.6): every component (nested ones included) with
// name, version, type, purl, licenses and Vigil's own `vigil:*` properties; an
// `operating-system` component fills `os`; metadata.component names the target.
StatusOr<Sbom> SbomFromCycloneDx(std::string_view json);

}  // namespace vigil::report
