// Node.js security WG importer: nodejs/security-wg vuln/npm/<n>.json, one advisory per file:
//   {"id": 1, "module_name": "bassmaster", "cves": ["CVE-2014-7205"],
//    "vulnerable_versions": "<=1.5.1", "patched_versions": ">=1.5.2", "title", "overview",
//    "publish_date", "updated_at", "references": [...], "cvss_vector", "cvss_score": 6.5}
// Ranges are npm range strings, stored exactly as published (match/ evaluates them; some
// are odd: ">= 1.x", "<3.11 || >= 4 <4.5", "=3.0.0-rc.1"). Files without module_name
// (vuln/core, vuln/deps, vuln/npm/index.json) are not npm advisories: skipped and counted.
#include <charconv>
#include <string>
#include <utility>

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
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

// CVSS score → severity: 0.1-3.9 low, 4.0-6.9 medium, 7.0-8.9 high, 9.0-10 critical;
// 0, absent or out of range → unknown.
report::Severity SeverityFromScore(double score) {
  if (!(score > 0) || score > 10) return report::Severity::kUnknown;
  if (score < 4.0) return report::Severity::kLow;
  if (score < 7.0) return report::Severity::kMedium;
  if (score < 9.0) return report::Severity::kHigh;
  return report::Severity::kCritical;
}

}  // namespace

Status ImportNswgJson(std::string_view path, std::string_view text, AdvisorySink& sink,
                      ImportStats& stats) {
  json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return InvalidArgumentError(std::string(path) + ": invalid JSON");
  if (!doc.is_object()) {
    return InvalidArgumentError(std::string(path) + ": NSWG advisory must be a JSON object");
  }
  const std::string p(path);
  std::string module = Str(doc, "module_name");
  if (module.empty()) {
    Warn(stats, p + ": module_name: absent (not an npm advisory: core, deps or an index)");
    return OkStatus();
  }
  auto id_it = doc.find("id");
  std::string id;
  if (id_it != doc.end() && id_it->is_number_integer()) {
    id = std::to_string(id_it->get<int64_t>());
  } else if (id_it != doc.end() && id_it->is_string()) {
    id = id_it->get<std::string>();
  }
  if (id.empty()) {
    Warn(stats, p + ": id: absent or not a number");
    return OkStatus();
  }
  auto range_it = doc.find("vulnerable_versions");
  if (range_it == doc.end() || !range_it->is_string()) {
    Warn(stats, p + ": vulnerable_versions: absent or not a string");
    return OkStatus();
  }

  Advisory adv;
  adv.source = "nswg";
  adv.id = "NSWG-ECO-" + id;
  if (auto it = doc.find("cves"); it != doc.end() && it->is_array()) {
    for (const json& c : *it) {
      if (c.is_string() && !c.get<std::string>().empty()) adv.aliases.push_back(c);
    }
  }
  adv.summary = Truncate(Str(doc, "title"), kMaxText);
  std::string details = Str(doc, "overview");
  std::string recommendation = Str(doc, "recommendation");
  if (!recommendation.empty()) details += (details.empty() ? "" : "\n\n") + recommendation;
  adv.details = Truncate(details, kMaxText);
  adv.published = Str(doc, "publish_date");
  adv.modified = Str(doc, "updated_at");
  if (auto it = doc.find("references"); it != doc.end() && it->is_array()) {
    for (const json& r : *it) {
      if (r.is_string()) adv.references.push_back(r);
    }
  }
  adv.cvss_vector = Str(doc, "cvss_vector");
  if (auto it = doc.find("cvss_score"); it != doc.end() && it->is_number()) {
    double score = it->get<double>();
    if (score > 0 && score <= 10) {
      adv.cvss_score = score;
      adv.severity = SeverityFromScore(score);
      adv.severity_source = "nswg";
    }
  }
  Affected aff;
  aff.ecosystem = "npm";
  aff.package = module;
  aff.kind = AffectedKind::kNpmRange;
  aff.npm_range = range_it->get<std::string>();
  aff.patched_range = Str(doc, "patched_versions");
  adv.affected.push_back(std::move(aff));
  ++stats.advisories;
  return sink.Add(std::move(adv));
}

}  // namespace vigil::vulndb::internal
