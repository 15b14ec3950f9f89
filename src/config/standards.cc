#include "config/standards.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>

#include "base/fs.h"
#include "base/strings.h"
#include "config/node.h"
#include "config/standards_data.h"
#include "config/yaml_loader.h"

namespace vigil::config {
namespace {

using report::Severity;

// Framework files are small (a CIS benchmark is ~30 KB); the bound keeps a hostile file
// from exhausting memory before the YAML loader's own node budget applies.
constexpr uint64_t kMaxFrameworkBytes = 4u << 20;
constexpr size_t kMaxControls = 10000;

Status At(std::string_view file, int line, const std::string& message) {
  return InvalidArgumentError(std::string(file) + ":" + std::to_string(line) + ": " + message);
}

bool ValidId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') {
      return false;
    }
  }
  return true;
}

// A scalar field of `map` (absent: ""); an error when it is present but not a scalar.
Status ScalarField(const Node& map, std::string_view key, std::string_view file, std::string* out) {
  const Node* n = map.Get(key);
  if (n == nullptr || n->IsNull()) return OkStatus();
  if (!n->IsScalar()) {
    return At(file, map.KeyLine(key), "\"" + std::string(key) + "\" must be a string");
  }
  *out = n->scalar();
  return OkStatus();
}

Status CheckKeys(const Node& map, const std::vector<std::string_view>& allowed,
                 std::string_view file, std::string_view where) {
  for (size_t i = 0; i < map.map().size(); ++i) {
    const std::string& key = map.map()[i].first;
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return At(
          file, map.key_lines()[i],
          "unknown key \"" + key + "\" in " + std::string(where) + " (allowed: " +
              [&] {
                std::string list;
                for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
                return list;
              }() +
              ")");
    }
  }
  return OkStatus();
}

// Orders control ids as their documents do: "1.2" < "1.10", numbers before words.
bool ControlIdLess(std::string_view a, std::string_view b) {
  auto pa = Split(a, '.');
  auto pb = Split(b, '.');
  for (size_t i = 0; i < pa.size() && i < pb.size(); ++i) {
    bool na = !pa[i].empty() && std::all_of(pa[i].begin(), pa[i].end(), ::isdigit);
    bool nb = !pb[i].empty() && std::all_of(pb[i].begin(), pb[i].end(), ::isdigit);
    if (na && nb) {
      if (pa[i].size() != pb[i].size()) return pa[i].size() < pb[i].size();
      if (pa[i] != pb[i]) return pa[i] < pb[i];
    } else if (na != nb) {
      return na;
    } else if (pa[i] != pb[i]) {
      return pa[i] < pb[i];
    }
  }
  return pa.size() < pb.size();
}

// "<fw>/<control>" mappings of `checks`: control id -> check ids, in check order.
std::map<std::string, std::vector<std::string>> MappedControls(
    std::string_view fw, const std::vector<const CheckInfo*>& checks) {
  std::map<std::string, std::vector<std::string>> out;
  std::string prefix = std::string(fw) + "/";
  for (const CheckInfo* c : checks) {
    for (const std::string& control : c->controls) {
      if (!StartsWith(control, prefix) || control.size() == prefix.size()) continue;
      auto& ids = out[control.substr(prefix.size())];
      if (std::find(ids.begin(), ids.end(), c->id) == ids.end()) ids.push_back(c->id);
    }
  }
  return out;
}

// Parses the shared YAML shape. `builtin`: controls carry no checks and are resolved from
// the registry only (no check validation).
StatusOr<Framework> ParseImpl(std::string_view text, std::string_view file, bool builtin,
                              const std::vector<const CheckInfo*>& checks) {
  VIGIL_ASSIGN_OR_RETURN(std::vector<Document> docs, LoadYaml(text, file));
  if (docs.size() != 1 || !docs[0].root.IsMap()) {
    return At(file, docs.empty() ? 1 : docs[0].root.line(),
              "a framework file is one YAML mapping (id, title, version, controls)");
  }
  const Node& root = docs[0].root;
  VIGIL_RETURN_IF_ERROR(CheckKeys(
      root, {"id", "title", "version", "url", "description", "controls"}, file, "the framework"));
  Framework fw;
  fw.source = builtin ? "built-in" : std::string(file);
  VIGIL_RETURN_IF_ERROR(ScalarField(root, "id", file, &fw.id));
  VIGIL_RETURN_IF_ERROR(ScalarField(root, "title", file, &fw.title));
  VIGIL_RETURN_IF_ERROR(ScalarField(root, "version", file, &fw.version));
  VIGIL_RETURN_IF_ERROR(ScalarField(root, "url", file, &fw.url));
  if (fw.id.empty()) return At(file, root.line(), "missing \"id\"");
  if (!ValidId(fw.id)) {
    return At(file, root.KeyLine("id"),
              "id \"" + fw.id + "\" may hold only letters, digits, '.', '-' and '_'");
  }
  if (fw.title.empty()) fw.title = fw.id;
  const Node* controls = root.Get("controls");
  if (controls == nullptr || !controls->IsSeq() || controls->seq().empty()) {
    return At(file, controls ? root.KeyLine("controls") : root.line(),
              "\"controls\" must be a non-empty list");
  }
  if (controls->seq().size() > kMaxControls) {
    return At(file, root.KeyLine("controls"),
              "more than " + std::to_string(kMaxControls) + " controls");
  }
  std::map<std::string, const CheckInfo*, std::less<>> by_id;
  for (const CheckInfo* c : checks) by_id.emplace(c->id, c);
  std::map<std::string, std::vector<std::string>> mapped;
  if (!builtin) mapped = MappedControls(fw.id, checks);
  std::map<std::string, int> seen;  // control id -> line
  for (const Node& item : controls->seq()) {
    if (!item.IsMap()) return At(file, item.line(), "a control must be a mapping");
    VIGIL_RETURN_IF_ERROR(
        CheckKeys(item, {"id", "title", "section", "description", "severity", "manual", "checks"},
                  file, "a control"));
    FrameworkControl c;
    c.line = item.line();
    VIGIL_RETURN_IF_ERROR(ScalarField(item, "id", file, &c.id));
    VIGIL_RETURN_IF_ERROR(ScalarField(item, "title", file, &c.title));
    VIGIL_RETURN_IF_ERROR(ScalarField(item, "section", file, &c.section));
    if (c.id.empty()) return At(file, item.line(), "control without \"id\"");
    if (!ValidId(c.id)) {
      return At(file, item.KeyLine("id"),
                "control id \"" + c.id + "\" may hold only letters, digits, '.', '-' and '_'");
    }
    if (c.title.empty()) return At(file, item.line(), "control " + c.id + " has no \"title\"");
    auto [it, inserted] = seen.emplace(c.id, item.KeyLine("id"));
    if (!inserted) {
      return At(file, item.KeyLine("id"),
                "duplicate control id \"" + c.id + "\" (first at line " +
                    std::to_string(it->second) + ")");
    }
    std::string severity;
    VIGIL_RETURN_IF_ERROR(ScalarField(item, "severity", file, &severity));
    if (!severity.empty()) {
      auto s = report::ParseSeverity(severity);
      if (!s.ok()) {
        return At(file, item.KeyLine("severity"),
                  "control " + c.id + ": unknown severity \"" + severity + "\"");
      }
      c.severity = *s;
    }
    if (const Node* m = item.Get("manual"); m != nullptr && !m->IsNull()) {
      auto b = m->AsBool();
      if (!b) return At(file, item.KeyLine("manual"), "\"manual\" must be true or false");
      c.manual = *b;
    }
    if (const Node* list = item.Get("checks"); list != nullptr && !list->IsNull()) {
      if (builtin) return At(file, item.KeyLine("checks"), "built-in controls list no checks");
      if (!list->IsSeq()) {
        return At(file, item.KeyLine("checks"), "\"checks\" must be a list of check ids");
      }
      for (const Node& id : list->seq()) {
        if (!id.IsScalar() || id.scalar().empty()) {
          return At(file, id.line(), "control " + c.id + ": a check id must be a string");
        }
        if (by_id.find(id.scalar()) == by_id.end()) {
          return At(file, id.line(),
                    "control " + c.id + ": unknown check id \"" + id.scalar() +
                        "\" (not a built-in check nor one of the loaded policies)");
        }
        if (std::find(c.checks.begin(), c.checks.end(), id.scalar()) == c.checks.end()) {
          c.checks.push_back(id.scalar());
        }
      }
    }
    if (!builtin) {
      bool has_checks = !c.checks.empty() || mapped.count(c.id) > 0;
      if (c.manual && !c.checks.empty()) {
        return At(file, item.KeyLine("manual"), "control " + c.id + " is manual but lists checks");
      }
      if (!c.manual && !has_checks) {
        return At(file, item.line(),
                  "control " + c.id + " lists no checks and is not \"manual: true\" (no check " +
                      "maps to \"" + fw.id + "/" + c.id + "\" either)");
      }
    }
    fw.controls.push_back(std::move(c));
  }
  return fw;
}

struct BuiltinSet {
  std::map<std::string, Framework, std::less<>> frameworks;
  Status status;
};

const BuiltinSet& Builtins() {
  static BuiltinSet* set = nullptr;
  static std::once_flag once;
  std::call_once(once, [] {
    set = new BuiltinSet();  // lives for the process, shared const
    for (const auto& e : internal::EmbeddedStandards()) {
      auto fw = ParseImpl(e.yaml, e.file, /*builtin=*/true, {});
      if (!fw.ok()) {
        set->status = fw.status();
        return;
      }
      if (fw->id != e.id) {
        set->status = InternalError(std::string(e.file) + ": id \"" + fw->id +
                                    "\" differs from the file name");
        return;
      }
      set->frameworks.emplace(fw->id, std::move(*fw));
    }
  });
  return *set;
}

}  // namespace

const std::vector<std::string>& BuiltinStandardIds() {
  static const std::vector<std::string> kIds = {"pss-baseline", "pss-restricted", "cis-k8s",
                                                "cis-docker", "nsa"};
  return kIds;
}

bool IsBuiltinStandard(std::string_view id) {
  const auto& ids = BuiltinStandardIds();
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

StatusOr<Framework> BuiltinFramework(std::string_view id) {
  const BuiltinSet& set = Builtins();
  if (!set.status.ok()) return set.status;
  auto it = set.frameworks.find(id);
  if (it == set.frameworks.end() || !IsBuiltinStandard(id)) {
    return NotFoundError("no built-in standard \"" + std::string(id) + "\"");
  }
  return it->second;
}

std::vector<const CheckInfo*> CheckInfos(const std::vector<const CheckRegistry*>& registries) {
  std::vector<const CheckInfo*> out;
  for (const CheckRegistry* r : registries) {
    if (r == nullptr) continue;
    for (const auto& c : r->all()) out.push_back(&c->info());
  }
  return out;
}

StatusOr<Framework> ParseFramework(std::string_view text, std::string_view file,
                                   const std::vector<const CheckInfo*>& checks) {
  return ParseImpl(text, file, /*builtin=*/false, checks);
}

bool IsFrameworkPath(std::string_view arg) {
  return arg.find('/') != std::string_view::npos || EndsWith(arg, ".yaml") || EndsWith(arg, ".yml");
}

StatusOr<Framework> ResolveStandard(std::string_view arg,
                                    const std::vector<const CheckInfo*>& checks) {
  if (IsFrameworkPath(arg)) {
    auto text = ReadHostFile(std::string(arg), kMaxFrameworkBytes);
    if (!text.ok()) {
      return InvalidArgumentError("framework file " + std::string(arg) + ": " +
                                  text.status().message());
    }
    return ParseFramework(*text, arg, checks);
  }
  if (IsBuiltinStandard(arg)) return BuiltinFramework(arg);
  auto mapped = MappedControls(arg, checks);
  if (mapped.empty()) {
    return InvalidArgumentError("unknown standard \"" + std::string(arg) +
                                "\" (built-in: " + Join(BuiltinStandardIds(), ", ") +
                                "; or a framework FILE, or a control prefix of the checks)");
  }
  Framework fw;
  fw.id = fw.title = std::string(arg);
  fw.source = "controls";
  for (const auto& [id, ids] : mapped) {
    FrameworkControl c;
    c.id = c.title = id;
    fw.controls.push_back(std::move(c));
  }
  std::stable_sort(fw.controls.begin(), fw.controls.end(),
                   [](const auto& a, const auto& b) { return ControlIdLess(a.id, b.id); });
  return fw;
}

std::vector<std::string> ControlChecks(const Framework& fw, const FrameworkControl& control,
                                       const std::vector<const CheckInfo*>& checks) {
  std::vector<std::string> out = control.checks;
  if (!control.manual) {
    std::string tag = fw.id + "/" + control.id;
    for (const CheckInfo* c : checks) {
      if (std::find(c->controls.begin(), c->controls.end(), tag) != c->controls.end()) {
        out.push_back(c->id);
      }
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<std::string> FrameworkChecks(const Framework& fw,
                                         const std::vector<const CheckInfo*>& checks) {
  std::vector<std::string> out;
  auto mapped = MappedControls(fw.id, checks);
  for (const FrameworkControl& c : fw.controls) {
    if (c.manual) continue;
    out.insert(out.end(), c.checks.begin(), c.checks.end());
    if (auto it = mapped.find(c.id); it != mapped.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

int SeverityWeight(Severity s) {
  switch (s) {
    case Severity::kCritical:
      return 4;
    case Severity::kHigh:
      return 3;
    case Severity::kMedium:
      return 2;
    default:
      return 1;
  }
}

void ScoreCompliance(report::ComplianceReport* r) {
  r->passed = r->failed = r->manual = r->not_applicable = 0;
  int w_pass = 0, w_all = 0;
  for (const auto& c : r->controls) {
    if (c.status == "pass") {
      ++r->passed;
      w_pass += SeverityWeight(c.severity);
      w_all += SeverityWeight(c.severity);
    } else if (c.status == "fail") {
      ++r->failed;
      w_all += SeverityWeight(c.severity);
    } else if (c.status == "manual") {
      ++r->manual;
    } else {
      ++r->not_applicable;
    }
  }
  int decided = r->passed + r->failed;
  r->score = decided == 0 ? -1 : 100.0 * r->passed / decided;
  r->weighted_score = w_all == 0 ? -1 : 100.0 * w_pass / w_all;
}

report::ComplianceReport Audit(const Framework& fw, const std::vector<const CheckInfo*>& checks,
                               const std::vector<report::Finding>& findings,
                               const std::set<std::string>& kinds) {
  std::map<std::string, const CheckInfo*, std::less<>> info;
  for (const CheckInfo* c : checks) info.emplace(c->id, c);
  std::map<std::string, std::vector<const report::Finding*>, std::less<>> by_check;
  for (const report::Finding& f : findings) {
    if (f.kind == report::FindingKind::kMisconfig) by_check[f.id].push_back(&f);
  }
  auto mapped = MappedControls(fw.id, checks);
  report::ComplianceReport out;
  out.id = fw.id;
  out.title = fw.title;
  out.version = fw.version;
  out.url = fw.url;
  out.source = fw.source;
  for (const FrameworkControl& control : fw.controls) {
    report::ControlResult r;
    r.id = control.id;
    r.title = control.title;
    r.section = control.section;
    r.severity = control.severity;
    if (!control.manual) {
      r.checks = control.checks;
      if (auto it = mapped.find(control.id); it != mapped.end()) {
        r.checks.insert(r.checks.end(), it->second.begin(), it->second.end());
      }
      std::sort(r.checks.begin(), r.checks.end());
      r.checks.erase(std::unique(r.checks.begin(), r.checks.end()), r.checks.end());
    }
    if (r.checks.empty()) {
      r.status = "manual";
      out.controls.push_back(std::move(r));
      continue;
    }
    bool applicable = false;
    Severity highest = Severity::kUnknown;
    for (const std::string& id : r.checks) {
      auto ci = info.find(id);
      if (ci == info.end()) continue;
      highest = std::max(highest, ci->second->severity);
      for (const std::string& kind : ci->second->applies_to) {
        if ((kind == "*" && !kinds.empty()) || kinds.count(kind) > 0) applicable = true;
      }
      auto fi = by_check.find(id);
      if (fi == by_check.end()) continue;
      for (const report::Finding* f : fi->second) {
        if (f->status == "suppressed") {
          ++r.suppressed;
          continue;
        }
        r.failures.push_back({f->id, f->severity, f->title, f->location});
        if (!f->remediation.empty() && std::find(r.remediation.begin(), r.remediation.end(),
                                                 f->remediation) == r.remediation.end()) {
          r.remediation.push_back(f->remediation);
        }
      }
    }
    if (r.severity == Severity::kUnknown) r.severity = highest;
    std::stable_sort(r.failures.begin(), r.failures.end(), [](const auto& a, const auto& b) {
      return std::tie(a.location.path, a.location.line, a.location.resource, a.check) <
             std::tie(b.location.path, b.location.line, b.location.resource, b.check);
    });
    r.status = !r.failures.empty() ? "fail" : applicable ? "pass" : "not_applicable";
    out.controls.push_back(std::move(r));
  }
  ScoreCompliance(&out);
  return out;
}

}  // namespace vigil::config
