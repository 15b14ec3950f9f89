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
#include "vulndb/import_util.h"

namespace vigil::vulndb::internal {
namespace {

using nlohmann::json;

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
    if (JsonString(m, "type") == "Primary") return &m;
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
  rec.vector = JsonString(data, "vectorString");
  std::string name = JsonString(data, "baseSeverity");
  if (name.empty()) name = JsonString(metric, "baseSeverity");  // V2 keeps it beside cvssData
  rec.severity = SeverityFromName(name);
  if (rec.severity == report::Severity::kUnknown) rec.severity = SeverityFromCvssScore(rec.score);
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
      SkipRecord(stats, field + ".cve: absent or not an object");
      continue;
    }
    SeverityRecord rec;
    rec.vuln_id = JsonString(*cve, "id");
    if (rec.vuln_id.empty()) {
      SkipRecord(stats, field + ".cve.id: absent or not a string");
      continue;
    }
    rec.source = "nvd";
    rec.published = JsonString(*cve, "published");
    if (auto it = cve->find("descriptions"); it != cve->end() && it->is_array()) {
      for (const json& d : *it) {
        if (JsonString(d, "lang") == "en") {
          rec.description = TruncateUtf8(JsonString(d, "value"), kMaxText);
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
