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
#include "vulndb/import_util.h"

namespace vigil::vulndb::internal {
namespace {

using nlohmann::json;

}  // namespace

Status ImportNswgJson(std::string_view path, std::string_view text, AdvisorySink& sink,
                      ImportStats& stats) {
  json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return InvalidArgumentError(std::string(path) + ": invalid JSON");
  if (!doc.is_object()) {
    return InvalidArgumentError(std::string(path) + ": NSWG advisory must be a JSON object");
  }
  const std::string p(path);
  std::string module = JsonString(doc, "module_name");
  if (module.empty()) {
    SkipRecord(stats, p + ": module_name: absent (not an npm advisory: core, deps or an index)");
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
    SkipRecord(stats, p + ": id: absent or not a number");
    return OkStatus();
  }
  auto range_it = doc.find("vulnerable_versions");
  if (range_it == doc.end() || !range_it->is_string()) {
    SkipRecord(stats, p + ": vulnerable_versions: absent or not a string");
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
  adv.summary = TruncateUtf8(JsonString(doc, "title"), kMaxText);
  std::string details = JsonString(doc, "overview");
  std::string recommendation = JsonString(doc, "recommendation");
  if (!recommendation.empty()) details += (details.empty() ? "" : "\n\n") + recommendation;
  adv.details = TruncateUtf8(details, kMaxText);
  adv.published = JsonString(doc, "publish_date");
  adv.modified = JsonString(doc, "updated_at");
  if (auto it = doc.find("references"); it != doc.end() && it->is_array()) {
    for (const json& r : *it) {
      if (r.is_string()) adv.references.push_back(r);
    }
  }
  adv.cvss_vector = JsonString(doc, "cvss_vector");
  if (auto it = doc.find("cvss_score"); it != doc.end() && it->is_number()) {
    double score = it->get<double>();
    if (score > 0 && score <= 10) {
      adv.cvss_score = score;
      adv.severity = SeverityFromCvssScore(score);
      adv.severity_source = "nswg";
    }
  }
  Affected aff;
  aff.ecosystem = "npm";
  aff.package = module;
  aff.kind = AffectedKind::kNpmRange;
  aff.npm_range = range_it->get<std::string>();
  aff.patched_range = JsonString(doc, "patched_versions");
  adv.affected.push_back(std::move(aff));
  ++stats.advisories;
  return sink.Add(std::move(adv));
}

}  // namespace vigil::vulndb::internal
