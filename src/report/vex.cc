#include "report/vex.h"

#include <algorithm>

#include "base/fs.h"
#include "base/strings.h"
#include "fmt/format.h"
#include "nlohmann/json.hpp"
#include "report/internal.h"

namespace vigil::report {
namespace {

using Json = nlohmann::json;
using TimePoint = std::chrono::system_clock::time_point;

constexpr uint64_t kMaxVexFileBytes = 16 << 20;
constexpr std::string_view kNotePrefix = "Suppressed by ";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

bool CaseInsensitiveType(std::string_view type) {
  return type == "npm" || type == "pypi" || type == "github" || type == "bitbucket" ||
         type == "composer" || type == "nuget" || type == "cargo";
}

// PEP 503: lower case, runs of '-', '_' and '.' become one '-'.
std::string Pep503(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == '-' || c == '_' || c == '.') {
      if (out.empty() || out.back() != '-') out.push_back('-');
    } else {
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
  }
  return out;
}

bool SameName(std::string_view type, const std::string& a, const std::string& b) {
  if (type == "pypi") return Pep503(a) == Pep503(b);
  if (CaseInsensitiveType(type)) return EqualsIgnoreCase(a, b);
  return a == b;
}

bool Contains(const std::vector<std::string>& list, const std::string& s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

// --- OpenVEX parsing -------------------------------------------------------------------

struct ParseContext {
  std::string file;
};

Status FieldError(const ParseContext& ctx, const std::string& field, std::string_view what) {
  return InvalidArgumentError(fmt::format("{}: {}: {}", ctx.file, field, what));
}

StatusOr<std::string> OptString(const ParseContext& ctx, const Json& obj, const char* key,
                                const std::string& path) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::string();
  if (!it->is_string()) return FieldError(ctx, path + "." + key, "want a string");
  return it->get<std::string>();
}

StatusOr<std::optional<TimePoint>> OptTime(const ParseContext& ctx, const Json& obj,
                                           const std::string& path) {
  VIGIL_ASSIGN_OR_RETURN(std::string text, OptString(ctx, obj, "timestamp", path));
  if (text.empty()) return std::optional<TimePoint>();
  auto t = internal::ParseRfc3339(text);
  if (!t.ok()) return FieldError(ctx, path + ".timestamp", t.status().message());
  return std::optional<TimePoint>(*t);
}

void AddVulnId(std::vector<std::string>& ids, std::string id) {
  id = std::string(Trim(id));
  if (id.empty()) return;
  // An @id may be a URL ("https://nvd.nist.gov/vuln/detail/CVE-2021-44228"): its last
  // segment is the id people match on.
  if (id.find("://") != std::string::npos) {
    std::string_view tail = id;
    while (EndsWith(tail, "/")) tail.remove_suffix(1);
    size_t slash = tail.rfind('/');
    if (slash != std::string_view::npos && slash + 1 < tail.size()) {
      std::string last(tail.substr(slash + 1));
      if (!Contains(ids, last)) ids.push_back(last);
    }
  }
  if (!Contains(ids, id)) ids.push_back(std::move(id));
}

Status ParseVulnerability(const ParseContext& ctx, const Json& v, const std::string& path,
                          VexStatement* st) {
  if (v.is_string()) {  // OpenVEX 0.0.x
    AddVulnId(st->vuln_ids, v.get<std::string>());
  } else if (v.is_object()) {
    VIGIL_ASSIGN_OR_RETURN(std::string name, OptString(ctx, v, "name", path));
    VIGIL_ASSIGN_OR_RETURN(std::string id, OptString(ctx, v, "@id", path));
    AddVulnId(st->vuln_ids, name);
    AddVulnId(st->vuln_ids, id);
    if (auto it = v.find("aliases"); it != v.end() && !it->is_null()) {
      if (!it->is_array()) return FieldError(ctx, path + ".aliases", "want an array of strings");
      for (size_t i = 0; i < it->size(); ++i) {
        if (!(*it)[i].is_string()) {
          return FieldError(ctx, fmt::format("{}.aliases[{}]", path, i), "want a string");
        }
        AddVulnId(st->vuln_ids, (*it)[i].get<std::string>());
      }
    }
  } else {
    return FieldError(ctx, path, "want an object with name or @id");
  }
  if (st->vuln_ids.empty()) return FieldError(ctx, path, "neither name nor @id is set");
  return OkStatus();
}

// A product or subcomponent: a string (0.0.x) or an object with @id and/or
// identifiers.purl. Identifiers that are not purls (hashes, CPEs) cannot name a package
// here and are skipped.
Status ParseComponent(const ParseContext& ctx, const Json& c, const std::string& path,
                      std::vector<Purl>* out) {
  std::vector<std::string> texts;
  if (c.is_string()) {
    texts.push_back(c.get<std::string>());
  } else if (c.is_object()) {
    VIGIL_ASSIGN_OR_RETURN(std::string id, OptString(ctx, c, "@id", path));
    if (!id.empty()) texts.push_back(id);
    if (auto it = c.find("identifiers"); it != c.end() && !it->is_null()) {
      if (!it->is_object()) return FieldError(ctx, path + ".identifiers", "want an object");
      VIGIL_ASSIGN_OR_RETURN(std::string purl, OptString(ctx, *it, "purl", path + ".identifiers"));
      if (!purl.empty()) texts.push_back(purl);
    }
  } else {
    return FieldError(ctx, path, "want an object with @id");
  }
  for (const std::string& t : texts) {
    if (!StartsWith(ToLower(t), "pkg:")) continue;
    auto purl = ParsePurl(t);
    if (!purl.ok()) return FieldError(ctx, path, purl.status().message());
    out->push_back(std::move(purl).value());
  }
  return OkStatus();
}

Status ParseStatement(const ParseContext& ctx, const Json& s, const std::string& path,
                      VexStatement* st) {
  if (!s.is_object()) return FieldError(ctx, path, "want an object");
  st->origin = fmt::format("{} {}", ctx.file, path);
  auto v = s.find("vulnerability");
  if (v == s.end()) return FieldError(ctx, path + ".vulnerability", "missing");
  VIGIL_RETURN_IF_ERROR(ParseVulnerability(ctx, *v, path + ".vulnerability", st));

  auto products = s.find("products");
  if (products == s.end() || !products->is_array() || products->empty()) {
    return FieldError(ctx, path + ".products", "want a non-empty array");
  }
  for (size_t i = 0; i < products->size(); ++i) {
    std::string ppath = fmt::format("{}.products[{}]", path, i);
    const Json& p = (*products)[i];
    VIGIL_RETURN_IF_ERROR(ParseComponent(ctx, p, ppath, &st->products));
    if (p.is_object()) {
      if (auto sub = p.find("subcomponents"); sub != p.end() && !sub->is_null()) {
        if (!sub->is_array()) return FieldError(ctx, ppath + ".subcomponents", "want an array");
        for (size_t k = 0; k < sub->size(); ++k) {
          VIGIL_RETURN_IF_ERROR(ParseComponent(
              ctx, (*sub)[k], fmt::format("{}.subcomponents[{}]", ppath, k), &st->products));
        }
      }
    }
  }
  // OpenVEX 0.0.x kept subcomponents beside products.
  if (auto sub = s.find("subcomponents"); sub != s.end() && sub->is_array()) {
    for (size_t k = 0; k < sub->size(); ++k) {
      VIGIL_RETURN_IF_ERROR(ParseComponent(
          ctx, (*sub)[k], fmt::format("{}.subcomponents[{}]", path, k), &st->products));
    }
  }

  VIGIL_ASSIGN_OR_RETURN(std::string status, OptString(ctx, s, "status", path));
  if (status == "not_affected") {
    st->status = VexStatus::kNotAffected;
  } else if (status == "affected") {
    st->status = VexStatus::kAffected;
  } else if (status == "fixed") {
    st->status = VexStatus::kFixed;
  } else if (status == "under_investigation") {
    st->status = VexStatus::kUnderInvestigation;
  } else {
    return FieldError(ctx, path + ".status",
                      status.empty()
                          ? "missing (want not_affected, affected, fixed or under_investigation)"
                          : fmt::format("unknown status '{}' (want not_affected, affected, fixed "
                                        "or under_investigation)",
                                        status));
  }
  VIGIL_ASSIGN_OR_RETURN(st->justification, OptString(ctx, s, "justification", path));
  VIGIL_ASSIGN_OR_RETURN(st->impact_statement, OptString(ctx, s, "impact_statement", path));
  VIGIL_ASSIGN_OR_RETURN(st->action_statement, OptString(ctx, s, "action_statement", path));
  VIGIL_ASSIGN_OR_RETURN(st->status_notes, OptString(ctx, s, "status_notes", path));
  static constexpr std::string_view kJustifications[] = {
      "component_not_present", "vulnerable_code_not_present", "vulnerable_code_not_in_execute_path",
      "vulnerable_code_cannot_be_controlled_by_adversary", "inline_mitigations_already_exist"};
  if (!st->justification.empty() &&
      std::find(std::begin(kJustifications), std::end(kJustifications), st->justification) ==
          std::end(kJustifications)) {
    return FieldError(ctx, path + ".justification",
                      fmt::format("unknown justification '{}' (want one of {})", st->justification,
                                  fmt::join(kJustifications, ", ")));
  }
  // The spec requires a reason for not_affected: a justification or an impact statement.
  if (st->status == VexStatus::kNotAffected && st->justification.empty() &&
      st->impact_statement.empty()) {
    return FieldError(ctx, path + ".justification",
                      "status not_affected needs a justification or an impact_statement");
  }
  VIGIL_ASSIGN_OR_RETURN(st->timestamp, OptTime(ctx, s, path));
  return OkStatus();
}

}  // namespace

StatusOr<Purl> ParsePurl(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return InvalidArgumentError(fmt::format("'{}' is not a package URL: {}", text, why));
  };
  std::string_view s = Trim(text);
  if (s.size() < 4 || ToLower(s.substr(0, 4)) != "pkg:") return bad("want pkg:TYPE/NAME");
  s.remove_prefix(4);
  while (StartsWith(s, "/")) s.remove_prefix(1);
  Purl p;
  if (size_t hash = s.find('#'); hash != std::string_view::npos) {
    std::string_view sub = s.substr(hash + 1);
    while (StartsWith(sub, "/")) sub.remove_prefix(1);
    while (EndsWith(sub, "/")) sub.remove_suffix(1);
    p.subpath = PercentDecode(sub);
    s = s.substr(0, hash);
  }
  if (size_t q = s.find('?'); q != std::string_view::npos) {
    for (std::string_view kv : Split(s.substr(q + 1), '&', true)) {
      size_t eq = kv.find('=');
      if (eq == std::string_view::npos || eq == 0) return bad("qualifier without key=value");
      std::string value = PercentDecode(kv.substr(eq + 1));
      if (!value.empty()) p.qualifiers[ToLower(kv.substr(0, eq))] = std::move(value);
    }
    s = s.substr(0, q);
  }
  size_t slash = s.find('/');
  if (slash == std::string_view::npos || slash == 0) return bad("want pkg:TYPE/NAME");
  p.type = ToLower(s.substr(0, slash));
  s.remove_prefix(slash + 1);
  while (EndsWith(s, "/")) s.remove_suffix(1);
  size_t at = s.rfind('@');
  size_t last_slash = s.rfind('/');
  if (at != std::string_view::npos && (last_slash == std::string_view::npos || at > last_slash)) {
    p.version = PercentDecode(s.substr(at + 1));
    s = s.substr(0, at);
  }
  last_slash = s.rfind('/');
  if (last_slash != std::string_view::npos) {
    p.name_space = PercentDecode(s.substr(0, last_slash));
    s.remove_prefix(last_slash + 1);
  }
  p.name = PercentDecode(s);
  if (p.name.empty()) return bad("empty name");
  return p;
}

bool PurlMatches(const Purl& pattern, const Purl& purl) {
  if (pattern.type != purl.type) return false;
  if (!SameName(purl.type, pattern.name, purl.name)) return false;
  bool ns_equal = CaseInsensitiveType(purl.type)
                      ? EqualsIgnoreCase(pattern.name_space, purl.name_space)
                      : pattern.name_space == purl.name_space;
  if (!ns_equal) return false;
  if (!pattern.version.empty() && pattern.version != purl.version) return false;
  for (const auto& [key, value] : pattern.qualifiers) {
    auto it = purl.qualifiers.find(key);
    if (it == purl.qualifiers.end() || it->second != value) return false;
  }
  if (!pattern.subpath.empty() && pattern.subpath != purl.subpath) return false;
  return true;
}

std::string_view VexStatusName(VexStatus s) {
  switch (s) {
    case VexStatus::kNotAffected:
      return "not_affected";
    case VexStatus::kAffected:
      return "affected";
    case VexStatus::kFixed:
      return "fixed";
    case VexStatus::kUnderInvestigation:
      return "under_investigation";
  }
  return "under_investigation";
}

StatusOr<VexDocument> ParseOpenVex(std::string_view json, std::string_view file) {
  ParseContext ctx{std::string(file)};
  VexDocument doc;
  doc.file = std::string(file);
  Json root;
  try {
    root = Json::parse(json.begin(), json.end());
  } catch (const Json::parse_error& e) {
    // e.what() names the position ("... at line 2, column 1: syntax error ...").
    return InvalidArgumentError(fmt::format("{}: not valid JSON: {}", file, e.what()));
  }
  try {
    if (!root.is_object()) return FieldError(ctx, "(document)", "want a JSON object");
    VIGIL_ASSIGN_OR_RETURN(std::string context, OptString(ctx, root, "@context", "(document)"));
    if (!context.empty() && context.find("openvex") == std::string::npos) {
      return FieldError(ctx, "@context",
                        fmt::format("'{}' is not an OpenVEX context (want "
                                    "https://openvex.dev/ns/v0.2.0)",
                                    context));
    }
    VIGIL_ASSIGN_OR_RETURN(std::optional<TimePoint> doc_time, OptTime(ctx, root, "(document)"));
    auto statements = root.find("statements");
    if (statements == root.end() || !statements->is_array()) {
      return FieldError(ctx, "statements", "missing or not an array");
    }
    for (size_t i = 0; i < statements->size(); ++i) {
      VexStatement st;
      VIGIL_RETURN_IF_ERROR(
          ParseStatement(ctx, (*statements)[i], fmt::format("statements[{}]", i), &st));
      if (!st.timestamp) st.timestamp = doc_time;
      doc.statements.push_back(std::move(st));
    }
  } catch (const std::exception& e) {
    return InvalidArgumentError(fmt::format("{}: {}", file, e.what()));
  }
  return doc;
}

StatusOr<VexDocument> LoadVexFile(const std::string& path) {
  auto text = ReadHostFile(path, kMaxVexFileBytes);
  if (!text.ok()) return Annotate(text.status(), "VEX file " + path);
  return ParseOpenVex(*text, path);
}

int ApplyVex(const std::vector<VexDocument>& documents, Report& report) {
  int suppressed = 0;
  for (Finding& f : report.findings) {
    if (f.kind != FindingKind::kVulnerability || f.status == "suppressed") continue;
    if (!f.package || f.package->purl.empty()) continue;
    auto purl = ParsePurl(f.package->purl);
    if (!purl.ok()) continue;
    const VexStatement* in_force = nullptr;
    for (const VexDocument& doc : documents) {
      for (const VexStatement& st : doc.statements) {
        bool names_vuln = Contains(st.vuln_ids, f.id);
        for (const std::string& alias : f.aliases)
          names_vuln = names_vuln || Contains(st.vuln_ids, alias);
        if (!names_vuln) continue;
        bool names_package = std::any_of(st.products.begin(), st.products.end(),
                                         [&](const Purl& p) { return PurlMatches(p, *purl); });
        if (!names_package) continue;
        // Later statements win; a missing timestamp sorts before any given one.
        auto time_of = [](const VexStatement* s) {
          return s->timestamp.value_or(TimePoint::min());
        };
        if (in_force == nullptr || time_of(&st) >= time_of(in_force)) in_force = &st;
      }
    }
    if (in_force == nullptr) continue;
    if (in_force->status == VexStatus::kNotAffected || in_force->status == VexStatus::kFixed) {
      std::string note = fmt::format("Suppressed by VEX ({}): {}", in_force->origin,
                                     VexStatusName(in_force->status));
      if (!in_force->justification.empty()) note += " (" + in_force->justification + ")";
      for (const std::string* extra : {&in_force->impact_statement, &in_force->status_notes}) {
        if (!extra->empty()) note += ": " + *extra;
      }
      f.status = "suppressed";
      AppendSuppressionNote(f, note);
      ++suppressed;
    } else {
      // Affected or under investigation: still reported, with the vendor's word on it.
      std::string note =
          fmt::format("VEX ({}): {}", in_force->origin, VexStatusName(in_force->status));
      for (const std::string* extra : {&in_force->action_statement, &in_force->status_notes}) {
        if (!extra->empty()) note += ": " + *extra;
      }
      f.remediation = f.remediation.empty() ? note : f.remediation + "\n" + note;
    }
  }
  return suppressed;
}

void AppendSuppressionNote(Finding& finding, const std::string& note) {
  std::string line = note;
  std::replace(line.begin(), line.end(), '\n', ' ');
  finding.remediation = finding.remediation.empty() ? line : finding.remediation + "\n" + line;
}

std::optional<SuppressionNote> FindSuppressionNote(std::string_view remediation) {
  size_t pos = StartsWith(remediation, kNotePrefix) ? 0 : std::string_view::npos;
  if (pos == std::string_view::npos) {
    size_t nl = remediation.find("\n" + std::string(kNotePrefix));
    if (nl == std::string_view::npos) return std::nullopt;
    pos = nl + 1;
  }
  std::string_view line = remediation.substr(pos);
  line = line.substr(0, line.find('\n'));
  SuppressionNote note;
  note.text = std::string(line);
  std::string_view rest = line.substr(kNotePrefix.size());
  if (!StartsWith(rest, "VEX (")) return note;
  note.vex = true;
  size_t close = rest.find("): ");
  if (close == std::string_view::npos) return note;
  rest.remove_prefix(close + 3);
  size_t end = rest.find_first_of(" :");
  note.vex_status = std::string(rest.substr(0, end));
  if (end != std::string_view::npos && rest.substr(end).starts_with(" (")) {
    std::string_view j = rest.substr(end + 2);
    note.justification = std::string(j.substr(0, j.find(')')));
  }
  return note;
}

std::string RemediationWithoutNote(std::string_view remediation) {
  std::string out;
  for (std::string_view line : Split(remediation, '\n')) {
    if (StartsWith(line, kNotePrefix)) continue;
    if (!out.empty()) out += "\n";
    out += line;
  }
  return out;
}

}  // namespace vigil::report
