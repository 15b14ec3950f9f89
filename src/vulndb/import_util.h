// Internal helpers every feed importer shares: the capped warning list, UTF-8-safe text
// truncation, the CVSS score bands and lenient JSON string access.
#pragma once

#include <string>
#include <string_view>

#include "nlohmann/json.hpp"
#include "report/finding.h"
#include "vulndb/import.h"

namespace vigil::vulndb::internal {

// Advisory texts (details, descriptions) are kept to this many bytes.
inline constexpr size_t kMaxText = 4096;

// Appends a warning; past 100 the last entry becomes a running "... N more warnings".
void AddWarning(ImportStats& stats, std::string message);

// A record the importer could not use: counted in `skipped`, with a warning.
void SkipRecord(ImportStats& stats, std::string message);

// `s` cut to at most `max` bytes without splitting a UTF-8 sequence.
std::string TruncateUtf8(std::string_view s, size_t max = kMaxText);

// CVSS score bands: 0.1-3.9 low, 4.0-6.9 medium, 7.0-8.9 high, 9.0-10 critical; anything
// else (0, absent, out of range) unknown.
report::Severity SeverityFromCvssScore(double score);

// A string member of a JSON object; "" when absent or not a string (never throws).
std::string JsonString(const nlohmann::json& object, const char* key);

}  // namespace vigil::vulndb::internal
