// OSV importer (https://ossf.github.io/osv-schema/): JSON records, YAML records (PyPA) and
// OSV.dev zip exports. YAML is converted node by node into the same nlohmann::json form as
// JSON input, so one function maps a record to an Advisory.
//
// Conventions (docs/db.md, "Counts"): one Advisory per record with a non-empty string `id`;
// one Affected per `affected[]` entry with package.ecosystem and package.name that keeps at
// least one ECOSYSTEM/SEMVER range or a non-empty `versions` list (GIT ranges name commits,
// not versions, and are dropped).
#include <archive.h>
#include <archive_entry.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "base/strings.h"
#include "nlohmann/json.hpp"
#include "vulndb/import_formats.h"
#include "vulndb/import_util.h"
#include "yaml-cpp/yaml.h"

namespace vigil::vulndb::internal {
namespace {

using nlohmann::json;

// YAML documents are bounded in nesting so a hostile file cannot exhaust the stack.
constexpr int kMaxYamlDepth = 64;
// Aliases are expanded on conversion: the node budget stops an alias bomb.
constexpr size_t kMaxYamlNodes = 1'000'000;
// Zip bounds (an OSV.dev ecosystem export is ~10^5 members of a few KiB each).
constexpr int64_t kMaxZipMembers = 2'000'000;
constexpr int64_t kMaxZipMemberBytes = 16ll << 20;
constexpr int64_t kMaxZipTotalBytes = 8ll << 30;

// ---- CVSS 3.x base score (FIRST CVSS v3.1 specification, section 7) ----

// Round up to one decimal as the 3.1 specification defines it (Appendix A), which avoids
// floating point artefacts such as 4.000000001 -> 4.1.
double Roundup(double x) {
  auto scaled = static_cast<int64_t>(std::llround(x * 100000.0));
  if (scaled % 10000 == 0) return static_cast<double>(scaled) / 100000.0;
  return (std::floor(static_cast<double>(scaled) / 10000.0) + 1.0) / 10.0;
}

std::optional<double> CvssV3BaseScore(std::string_view vector) {
  if (!StartsWith(vector, "CVSS:3.0/") && !StartsWith(vector, "CVSS:3.1/")) return std::nullopt;
  char av = 0, ac = 0, pr = 0, ui = 0, s = 0, c = 0, i = 0, a = 0;
  for (std::string_view part : Split(vector.substr(9), '/', true)) {
    size_t colon = part.find(':');
    if (colon == std::string_view::npos || colon + 2 != part.size()) return std::nullopt;
    std::string_view key = part.substr(0, colon);
    char value = part[colon + 1];
    char* slot = key == "AV"   ? &av
                 : key == "AC" ? &ac
                 : key == "PR" ? &pr
                 : key == "UI" ? &ui
                 : key == "S"  ? &s
                 : key == "C"  ? &c
                 : key == "I"  ? &i
                 : key == "A"  ? &a
                               : nullptr;
    if (slot != nullptr) *slot = value;  // temporal/environmental metrics do not change it
  }
  bool changed = s == 'C';
  if (s != 'U' && s != 'C') return std::nullopt;
  auto cia = [](char v) -> std::optional<double> {
    if (v == 'H') return 0.56;
    if (v == 'L') return 0.22;
    if (v == 'N') return 0.0;
    return std::nullopt;
  };
  std::optional<double> wc = cia(c), wi = cia(i), wa = cia(a);
  double wav = av == 'N' ? 0.85 : av == 'A' ? 0.62 : av == 'L' ? 0.55 : av == 'P' ? 0.2 : -1;
  double wac = ac == 'L' ? 0.77 : ac == 'H' ? 0.44 : -1;
  double wpr = pr == 'N'   ? 0.85
               : pr == 'L' ? (changed ? 0.68 : 0.62)
               : pr == 'H' ? (changed ? 0.5 : 0.27)
                           : -1;
  double wui = ui == 'N' ? 0.85 : ui == 'R' ? 0.62 : -1;
  if (!wc || !wi || !wa || wav < 0 || wac < 0 || wpr < 0 || wui < 0) return std::nullopt;
  double iss = 1 - (1 - *wc) * (1 - *wi) * (1 - *wa);
  double impact = changed ? 7.52 * (iss - 0.029) - 3.25 * std::pow(iss - 0.02, 15) : 6.42 * iss;
  double exploitability = 8.22 * wav * wac * wpr * wui;
  if (impact <= 0) return 0.0;
  if (changed) return Roundup(std::min(1.08 * (impact + exploitability), 10.0));
  return Roundup(std::min(impact + exploitability, 10.0));
}

// ---- JSON field access that warns instead of throwing ----

class Record {
 public:
  Record(std::string_view path, std::string id, ImportStats& stats)
      : path_(path), id_(std::move(id)), stats_(stats) {}

  void AddWarning(std::string_view field, std::string_view what) {
    internal::AddWarning(stats_, std::string(path_) + ": " + id_ + ": field `" +
                                     std::string(field) + "` " + std::string(what) + " (ignored)");
  }
  // The string at obj[key]; absent or null -> ""; other types warn.
  std::string String(const json& obj, const char* key, std::string_view field) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return {};
    if (it->is_string()) return it->get<std::string>();
    if (it->is_number()) return it->dump();
    AddWarning(field, "is not a string");
    return {};
  }
  // The array at obj[key]; absent or null -> nullptr; other types warn.
  const json* Array(const json& obj, const char* key, std::string_view field) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return nullptr;
    if (it->is_array()) return &*it;
    AddWarning(field, "is not an array");
    return nullptr;
  }
  const json* Object(const json& obj, const char* key, std::string_view field) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return nullptr;
    if (it->is_object()) return &*it;
    AddWarning(field, "is not an object");
    return nullptr;
  }
  std::vector<std::string> Strings(const json& obj, const char* key, std::string_view field) {
    std::vector<std::string> out;
    const json* arr = Array(obj, key, field);
    if (arr == nullptr) return out;
    for (size_t n = 0; n < arr->size(); ++n) {
      const json& v = (*arr)[n];
      if (v.is_string()) {
        out.push_back(v.get<std::string>());
      } else if (v.is_number()) {
        out.push_back(v.dump());
      } else {
        AddWarning(std::string(field) + "[" + std::to_string(n) + "]", "is not a string");
      }
    }
    return out;
  }

 private:
  std::string_view path_;
  std::string id_;
  ImportStats& stats_;
};

std::optional<Range> ParseRange(Record& rec, const json& r, const std::string& field) {
  if (!r.is_object()) {
    rec.AddWarning(field, "is not an object");
    return std::nullopt;
  }
  std::string type = ToLower(rec.String(r, "type", field + ".type"));
  if (type != "ecosystem" && type != "semver") return std::nullopt;  // GIT, unknown
  Range range;
  range.type = type == "semver" ? "SEMVER" : "ECOSYSTEM";
  const json* events = rec.Array(r, "events", field + ".events");
  if (events == nullptr) return range;
  for (size_t n = 0; n < events->size(); ++n) {
    const json& e = (*events)[n];
    std::string efield = field + ".events[" + std::to_string(n) + "]";
    if (!e.is_object() || e.empty()) {
      rec.AddWarning(efield, "is not an event object");
      continue;
    }
    static constexpr std::pair<const char*, EventKind> kKinds[] = {
        {"introduced", EventKind::kIntroduced},
        {"fixed", EventKind::kFixed},
        {"last_affected", EventKind::kLastAffected},
        {"limit", EventKind::kLimit}};
    bool found = false;
    for (const auto& [key, kind] : kKinds) {
      if (!e.contains(key)) continue;
      std::string version = rec.String(e, key, efield + "." + key);
      if (version.empty()) continue;
      range.events.push_back({kind, std::move(version)});
      found = true;
    }
    if (!found) rec.AddWarning(efield, "has no introduced/fixed/last_affected/limit version");
  }
  return range;
}

// Maps one OSV record; nullopt (counted as skipped, with a warning) when it has no id.
std::optional<Advisory> ParseRecord(std::string_view path, const json& doc, size_t index,
                                    ImportStats& stats) {
  std::string where = std::string(path) + (index > 0 ? "[" + std::to_string(index - 1) + "]" : "");
  if (!doc.is_object()) {
    AddWarning(stats, where + ": record is not an object (skipped)");
    return std::nullopt;
  }
  auto id_it = doc.find("id");
  if (id_it == doc.end() || !id_it->is_string() || id_it->get<std::string>().empty()) {
    AddWarning(stats, where + ": field `id` missing or not a string (record skipped)");
    return std::nullopt;
  }
  Advisory adv;
  adv.source = "osv";
  adv.id = id_it->get<std::string>();
  Record rec(path, adv.id, stats);
  adv.aliases = rec.Strings(doc, "aliases", "aliases");
  adv.summary = rec.String(doc, "summary", "summary");
  adv.details = TruncateUtf8(rec.String(doc, "details", "details"));
  adv.published = rec.String(doc, "published", "published");
  adv.modified = rec.String(doc, "modified", "modified");
  auto withdrawn = doc.find("withdrawn");
  adv.withdrawn = withdrawn != doc.end() && !withdrawn->is_null() &&
                  !(withdrawn->is_string() && withdrawn->get<std::string>().empty());

  if (const json* refs = rec.Array(doc, "references", "references")) {
    for (size_t n = 0; n < refs->size(); ++n) {
      const json& r = (*refs)[n];
      std::string url = r.is_object() ? rec.String(r, "url", "references.url") : "";
      if (!url.empty()) adv.references.push_back(std::move(url));
    }
  }

  // Severity: the vendor's word (GHSA database_specific.severity) first, then CVSS v3.
  if (const json* sev = rec.Array(doc, "severity", "severity")) {
    for (size_t n = 0; n < sev->size(); ++n) {
      const json& s = (*sev)[n];
      if (!s.is_object()) continue;
      std::string field = "severity[" + std::to_string(n) + "]";
      std::string type = rec.String(s, "type", field + ".type");
      std::string score = rec.String(s, "score", field + ".score");
      if (type == "CVSS_V3") {
        std::optional<double> base = CvssV3BaseScore(score);
        if (!base) {
          rec.AddWarning(field + ".score", "is not a CVSS 3.x base vector");
          continue;
        }
        adv.cvss_vector = score;
        adv.cvss_score = *base;
        adv.severity = SeverityFromCvssScore(*base);
        adv.severity_source = "cvss:3.1";
        break;
      }
      if (type == "CVSS_V4" && adv.cvss_vector.empty()) adv.cvss_vector = score;
    }
  }
  if (const json* dbs = rec.Object(doc, "database_specific", "database_specific")) {
    std::string name = rec.String(*dbs, "severity", "database_specific.severity");
    if (!name.empty()) {
      StatusOr<report::Severity> parsed = report::ParseSeverity(name);
      if (parsed.ok()) {
        adv.severity = *parsed;
        adv.severity_source = "ghsa";
      } else {
        rec.AddWarning("database_specific.severity", "is not a known severity");
      }
    }
  }

  if (const json* affected = rec.Array(doc, "affected", "affected")) {
    for (size_t n = 0; n < affected->size(); ++n) {
      const json& a = (*affected)[n];
      std::string field = "affected[" + std::to_string(n) + "]";
      if (!a.is_object()) {
        rec.AddWarning(field, "is not an object");
        continue;
      }
      const json* pkg = rec.Object(a, "package", field + ".package");
      if (pkg == nullptr) continue;  // OSV allows affected entries without a package
      Affected out;
      out.kind = AffectedKind::kOsv;
      out.ecosystem =
          CanonicalEcosystem(rec.String(*pkg, "ecosystem", field + ".package.ecosystem"));
      out.package = rec.String(*pkg, "name", field + ".package.name");
      if (out.ecosystem.empty() || out.package.empty()) continue;
      if (const json* ranges = rec.Array(a, "ranges", field + ".ranges")) {
        for (size_t r = 0; r < ranges->size(); ++r) {
          std::optional<Range> range =
              ParseRange(rec, (*ranges)[r], field + ".ranges[" + std::to_string(r) + "]");
          if (range) out.ranges.push_back(std::move(*range));
        }
      }
      out.versions = rec.Strings(a, "versions", field + ".versions");
      if (const json* dbs = rec.Object(a, "database_specific", field + ".database_specific")) {
        out.last_known_affected =
            rec.String(*dbs, "last_known_affected_version_range",
                       field + ".database_specific.last_known_affected_version_range");
      }
      if (out.ranges.empty() && out.versions.empty()) continue;  // GIT-only or nothing usable
      adv.affected.push_back(std::move(out));
    }
  }
  return adv;
}

Status EmitRecords(std::string_view path, const json& doc, AdvisorySink& sink, ImportStats& stats) {
  auto emit = [&](const json& record, size_t index) -> Status {
    std::optional<Advisory> adv = ParseRecord(path, record, index, stats);
    if (!adv) {
      ++stats.skipped;
      return OkStatus();
    }
    VIGIL_RETURN_IF_ERROR(sink.Add(std::move(*adv)));
    ++stats.advisories;
    return OkStatus();
  };
  if (doc.is_array()) {
    for (size_t n = 0; n < doc.size(); ++n) VIGIL_RETURN_IF_ERROR(emit(doc[n], n + 1));
    return OkStatus();
  }
  if (!doc.is_object()) return InvalidArgumentError(std::string(path) + ": not an OSV record");
  return emit(doc, 0);
}

// YAML -> JSON. Scalars stay strings (YAML 1.1 would turn `1.10` into a float and a
// version list must keep its text); `~`/`null`/empty plain scalars become null.
StatusOr<json> YamlToJson(const YAML::Node& node, int depth, size_t& budget,
                          std::string_view path) {
  if (budget == 0) {
    return InvalidArgumentError(std::string(path) + ": more than " + std::to_string(kMaxYamlNodes) +
                                " YAML nodes (alias bomb?)");
  }
  --budget;
  if (depth > kMaxYamlDepth) {
    return InvalidArgumentError(std::string(path) + ":" + std::to_string(node.Mark().line + 1) +
                                ": nesting deeper than " + std::to_string(kMaxYamlDepth));
  }
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return json(nullptr);
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (node.Tag() == "?" && (s == "~" || s == "null" || s == "Null" || s == "NULL")) {
        return json(nullptr);
      }
      return json(s);
    }
    case YAML::NodeType::Sequence: {
      json arr = json::array();
      for (const YAML::Node& child : node) {
        VIGIL_ASSIGN_OR_RETURN(json v, YamlToJson(child, depth + 1, budget, path));
        arr.push_back(std::move(v));
      }
      return arr;
    }
    case YAML::NodeType::Map: {
      json obj = json::object();
      for (const auto& kv : node) {
        if (!kv.first.IsScalar()) {
          return InvalidArgumentError(std::string(path) + ":" +
                                      std::to_string(kv.first.Mark().line + 1) +
                                      ": mapping key is not a scalar");
        }
        VIGIL_ASSIGN_OR_RETURN(json v, YamlToJson(kv.second, depth + 1, budget, path));
        obj[kv.first.Scalar()] = std::move(v);
      }
      return obj;
    }
  }
  return json(nullptr);
}

struct ArchiveDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};

}  // namespace

Status ImportOsvJson(std::string_view path, std::string_view text, AdvisorySink& sink,
                     ImportStats& stats) {
  json doc;
  try {
    doc = json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    return InvalidArgumentError(std::string(path) + ": invalid JSON: " + e.what());
  }
  return EmitRecords(path, doc, sink, stats);
}

Status ImportOsvYaml(std::string_view path, std::string_view text, AdvisorySink& sink,
                     ImportStats& stats) {
  json doc;
  try {
    YAML::Node root = YAML::Load(std::string(text));
    size_t budget = kMaxYamlNodes;
    VIGIL_ASSIGN_OR_RETURN(doc, YamlToJson(root, 0, budget, path));
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError(std::string(path) + ":" + std::to_string(e.mark.line + 1) +
                                ": invalid YAML: " + e.msg);
  }
  return EmitRecords(path, doc, sink, stats);
}

Status ImportOsvZip(std::string_view path, std::string_view bytes, AdvisorySink& sink,
                    ImportStats& stats) {
  std::unique_ptr<archive, ArchiveDeleter> ar(archive_read_new());
  if (!ar) return ResourceExhaustedError(std::string(path) + ": cannot allocate a zip reader");
  archive_read_support_format_zip(ar.get());
  if (archive_read_open_memory(ar.get(), bytes.data(), bytes.size()) != ARCHIVE_OK) {
    return InvalidArgumentError(std::string(path) +
                                ": not a zip archive: " + archive_error_string(ar.get()));
  }
  int64_t members = 0;
  int64_t total = 0;
  std::string buf;
  for (;;) {
    archive_entry* entry = nullptr;
    int rc = archive_read_next_header(ar.get(), &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
      return InvalidArgumentError(std::string(path) + ": corrupt zip after " +
                                  std::to_string(members) +
                                  " members: " + archive_error_string(ar.get()));
    }
    if (archive_entry_filetype(entry) != AE_IFREG) continue;
    if (++members > kMaxZipMembers) {
      return ResourceExhaustedError(std::string(path) + ": more than " +
                                    std::to_string(kMaxZipMembers) + " members");
    }
    const char* raw_name = archive_entry_pathname(entry);
    std::string name = std::string(path) + "!" + (raw_name != nullptr ? raw_name : "?");
    if (!EndsWith(ToLower(name), ".json")) {
      ++stats.skipped;
      AddWarning(stats, name + ": not a JSON member (skipped)");
      continue;
    }
    // Read at most the member bound + 1 byte, whatever the header claims.
    buf.clear();
    char chunk[64 << 10];
    bool too_big = false;
    for (;;) {
      la_ssize_t n = archive_read_data(ar.get(), chunk, sizeof chunk);
      if (n < 0) {
        return InvalidArgumentError(name +
                                    ": cannot decompress: " + archive_error_string(ar.get()));
      }
      if (n == 0) break;
      total += n;
      if (total > kMaxZipTotalBytes) {
        return ResourceExhaustedError(std::string(path) + ": uncompressed size over " +
                                      std::to_string(kMaxZipTotalBytes >> 20) + " MiB");
      }
      if (static_cast<int64_t>(buf.size()) + n > kMaxZipMemberBytes) {
        too_big = true;
        break;
      }
      buf.append(chunk, static_cast<size_t>(n));
    }
    ++stats.files;
    if (too_big) {
      ++stats.skipped;
      AddWarning(stats, name + ": member larger than " + std::to_string(kMaxZipMemberBytes >> 20) +
                            " MiB (skipped)");
      continue;
    }
    Status st = ImportOsvJson(name, buf, sink, stats);
    if (!st.ok()) {
      if (IsInvalidArgument(st)) {
        ++stats.skipped;
        AddWarning(stats, st.message() + " (skipped)");
        continue;
      }
      return st;  // the sink failed (disk full): stop
    }
  }
  return OkStatus();
}

}  // namespace vigil::vulndb::internal
