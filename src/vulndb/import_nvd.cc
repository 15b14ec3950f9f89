// NVD CVE JSON 2.0 importer (an API 2.0 response or a 2.0 feed file; both are
// {"format": "NVD_CVE", "version": "2.0", "vulnerabilities": [{"cve": {...}}]}).
// Severity enrichment only: one SeverityRecord per CVE, never an advisory, and no CPE data is
// read (configurations are not used to decide what is affected).
//
// Metric choice per CVE: cvssMetricV31 of type Primary (NVD's own), else any V31, else V30
// (Primary first), else V2 (Primary first), else V40 (Primary first; stored score and
// vector). Severity is the metric's published baseSeverity (V3/V4: cvssData.baseSeverity;
// V2: the metric's baseSeverity, where 7.0-10.0 is HIGH), else the score bands. A CVE with no
// metric still gets a record (unknown severity) carrying its description and date.
#include <charconv>
#include <string>
#include <utility>

#include "base/strings.h"
#include "nlohmann/json.hpp"
#include "vulndb/import_formats.h"

namespace vigil::vulndb::internal {
namespace {

using nlohmann::json;

constexpr size_t kMaxWarnings = 100;
constexpr size_t kMaxText = 4096;

void Warn(ImportStats& stats, std::string message) {
  ++stats.skipped;
  if (stats.warnings.size() < kMaxWarnings) {
    stats.warnings.push_back(std::move(message));
    return;
  }
  int64_t more = 1;
  if (stats.warnings.size() > kMaxWarnings) {
    std::string_view last = stats.warnings.back();
    int64_t n = 0;
    if (last.size() > 4) std::from_chars(last.data() + 4, last.data() + last.size(), n);
    more = n + 1;
    stats.warnings.pop_back();
  }
  stats.warnings.push_back("... " + std::to_string(more) + " more warnings");
}

std::string Truncate(std::string_view s, size_t max) {
  if (s.size() <= max) return std::string(s);
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return std::string(s.substr(0, cut));
}

std::string Str(const json& obj, const char* key) {
  if (!obj.is_object()) return "";
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

report::Severity SeverityFromScore(double score) {
  if (!(score > 0) || score > 10) return report::Severity::kUnknown;
  if (score < 4.0) return report::Severity::kLow;
  if (score < 7.0) return report::Severity::kMedium;
  if (score < 9.0) return report::Severity::kHigh;
  return report::Severity::kCritical;
}

report::Severity SeverityFromName(std::string_view name) {
  std::string n = ToLower(name);
  if (n == "critical") return report::Severity::kCritical;
  if (n == "high") return report::Severity::kHigh;
  if (n == "medium") return report::Severity::kMedium;
  if (n == "low") return report::Severity::kLow;
  return report::Severity::kUnknown;
}

// The Primary metric of `list` (a metrics array), else (unless `primary_only`) the first one;
// nullptr when the array is absent or holds no object with cvssData.
const json* PickMetric(const json& metrics, const char* list, bool primary_only) {
  auto it = metrics.find(list);
  if (it == metrics.end() || !it->is_array()) return nullptr;
  const json* any = nullptr;
  for (const json& m : *it) {
    if (!m.is_object() || !m.contains("cvssData") || !m["cvssData"].is_object()) continue;
    if (Str(m, "type") == "Primary") return &m;
    if (any == nullptr) any = &m;
  }
  return primary_only ? nullptr : any;
}

void ApplyMetric(const json& metric, SeverityRecord& rec) {
  const json& data = metric["cvssData"];
  if (auto it = data.find("baseScore"); it != data.end() && it->is_number()) {
    double s = it->get<double>();
    if (s >= 0 && s <= 10) rec.score = s;
  }
  rec.vector = Str(data, "vectorString");
  std::string name = Str(data, "baseSeverity");
  if (name.empty()) name = Str(metric, "baseSeverity");  // V2 keeps it beside cvssData
  rec.severity = SeverityFromName(name);
  if (rec.severity == report::Severity::kUnknown) rec.severity = SeverityFromScore(rec.score);
}

}  // namespace

Status ImportNvdJson(std::string_view path, std::string_view text, AdvisorySink& sink,
                     ImportStats& stats) {
  json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return InvalidArgumentError(std::string(path) + ": invalid JSON");
  if (!doc.is_object()) {
    return InvalidArgumentError(std::string(path) + ": NVD JSON must be an object");
  }
  auto vulns = doc.find("vulnerabilities");
  if (vulns == doc.end() || !vulns->is_array()) {
    return InvalidArgumentError(std::string(path) + ": no `vulnerabilities` array (not NVD 2.0)");
  }
  const std::string p(path);
  for (size_t i = 0; i < vulns->size(); ++i) {
    const json& v = (*vulns)[i];
    std::string field = p + ": vulnerabilities[" + std::to_string(i) + "]";
    const json* cve = nullptr;
    if (v.is_object()) {
      auto it = v.find("cve");
      if (it != v.end() && it->is_object()) cve = &*it;
    }
    if (cve == nullptr) {
      Warn(stats, field + ".cve: absent or not an object");
      continue;
    }
    SeverityRecord rec;
    rec.vuln_id = Str(*cve, "id");
    if (rec.vuln_id.empty()) {
      Warn(stats, field + ".cve.id: absent or not a string");
      continue;
    }
    rec.source = "nvd";
    rec.published = Str(*cve, "published");
    if (auto it = cve->find("descriptions"); it != cve->end() && it->is_array()) {
      for (const json& d : *it) {
        if (Str(d, "lang") == "en") {
          rec.description = Truncate(Str(d, "value"), kMaxText);
          break;
        }
      }
    }
    if (auto it = cve->find("metrics"); it != cve->end() && it->is_object()) {
      const json& m = *it;
      const json* chosen = PickMetric(m, "cvssMetricV31", /*primary_only=*/true);
      if (chosen == nullptr) chosen = PickMetric(m, "cvssMetricV31", false);
      if (chosen == nullptr) chosen = PickMetric(m, "cvssMetricV30", false);
      if (chosen == nullptr) chosen = PickMetric(m, "cvssMetricV2", false);
      if (chosen == nullptr) chosen = PickMetric(m, "cvssMetricV40", false);
      if (chosen != nullptr) ApplyMetric(*chosen, rec);
    }
    ++stats.severities;
    VIGIL_RETURN_IF_ERROR(sink.AddSeverity(std::move(rec)));
  }
  return OkStatus();
}

}  // namespace vigil::vulndb::internal
