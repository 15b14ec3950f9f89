#include "vulndb/import_util.h"

#include <charconv>
#include <cstdint>

namespace vigil::vulndb::internal {
namespace {

constexpr size_t kMaxWarnings = 100;

}  // namespace

void AddWarning(ImportStats& stats, std::string message) {
  if (stats.warnings.size() < kMaxWarnings) {
    stats.warnings.push_back(std::move(message));
    return;
  }
  // The entry after the cap is a running "... N more warnings" line.
  int64_t more = 1;
  if (stats.warnings.size() > kMaxWarnings) {
    const std::string& last = stats.warnings.back();
    int64_t previous = 0;
    if (last.size() > 4) std::from_chars(last.data() + 4, last.data() + last.size(), previous);
    more = previous + 1;
    stats.warnings.pop_back();
  }
  stats.warnings.push_back("... " + std::to_string(more) + " more warnings");
}

void SkipRecord(ImportStats& stats, std::string message) {
  ++stats.skipped;
  AddWarning(stats, std::move(message));
}

std::string TruncateUtf8(std::string_view s, size_t max) {
  if (s.size() <= max) return std::string(s);
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return std::string(s.substr(0, cut));
}

report::Severity SeverityFromCvssScore(double score) {
  if (!(score > 0) || score > 10) return report::Severity::kUnknown;
  if (score < 4.0) return report::Severity::kLow;
  if (score < 7.0) return report::Severity::kMedium;
  if (score < 9.0) return report::Severity::kHigh;
  return report::Severity::kCritical;
}

std::string JsonString(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return "";
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

}  // namespace vigil::vulndb::internal
