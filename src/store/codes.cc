#include "store/codes.h"

#include <array>
#include <utility>

namespace vigil::store {
namespace {

using report::FindingKind;
using report::Severity;

constexpr std::array<std::pair<FindingKind, std::string_view>, 5> kKinds = {{
    {FindingKind::kVulnerability, "vulnerability"},
    {FindingKind::kSecret, "secret"},
    {FindingKind::kMalware, "malware"},
    {FindingKind::kMisconfig, "misconfig"},
    {FindingKind::kRuntime, "runtime"},
}};

constexpr std::array<std::pair<Severity, std::string_view>, 6> kSeverities = {{
    {Severity::kUnknown, "unknown"},
    {Severity::kInfo, "info"},
    {Severity::kLow, "low"},
    {Severity::kMedium, "medium"},
    {Severity::kHigh, "high"},
    {Severity::kCritical, "critical"},
}};

template <typename Enum, size_t N>
std::string_view Code(const std::array<std::pair<Enum, std::string_view>, N>& table, Enum v) {
  for (const auto& [value, code] : table) {
    if (value == v) return code;
  }
  return table[0].second;  // unreachable for a valid enumerator
}

template <typename Enum, size_t N>
std::optional<Enum> FromCode(const std::array<std::pair<Enum, std::string_view>, N>& table,
                             std::string_view c) {
  for (const auto& [value, code] : table) {
    if (code == c) return value;
  }
  return std::nullopt;
}

}  // namespace

std::string_view KindCode(FindingKind kind) { return Code(kKinds, kind); }
std::optional<FindingKind> KindFromCode(std::string_view code) { return FromCode(kKinds, code); }

std::string_view SeverityCode(Severity severity) { return Code(kSeverities, severity); }
std::optional<Severity> SeverityFromCode(std::string_view code) {
  return FromCode(kSeverities, code);
}

}  // namespace vigil::store
