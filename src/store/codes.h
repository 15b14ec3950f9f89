// The text the store writes for FindingKind and Severity. These spellings are part of the
// on-disk format (and the fingerprint), so they are fixed here rather than borrowed from
// whatever the report writers print: changing one would need a migration.
#pragma once

#include <optional>
#include <string_view>

#include "report/finding.h"

namespace vigil::store {

// "vulnerability", "secret", "malware", "misconfig", "runtime".
std::string_view KindCode(report::FindingKind kind);
std::optional<report::FindingKind> KindFromCode(std::string_view code);

// "unknown", "info", "low", "medium", "high", "critical".
std::string_view SeverityCode(report::Severity severity);
std::optional<report::Severity> SeverityFromCode(std::string_view code);

}  // namespace vigil::store
