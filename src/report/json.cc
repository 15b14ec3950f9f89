#include "report/json.h"

#include <ostream>

#include "base/strings.h"
#include "report/compliance.h"
#include "report/internal.h"

namespace vigil::report {
namespace {

using internal::OrderedJson;
using nlohmann::json;

// Nested CycloneDX components are walked recursively; a hostile BOM must not be able to
// exhaust the stack.
constexpr int kMaxComponentDepth = 32;

StatusOr<json> ParseJson(std::string_view text) {
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    return InvalidArgumentError(std::string("invalid JSON: ") + e.what());
  }
}

std::string Join(std::string_view path, std::string_view key) {
  if (path.empty()) return std::string(key);
  return std::string(path) + "." + std::string(key);
}

std::string Index(std::string_view path, size_t i) {
  return std::string(path) + "[" + std::to_string(i) + "]";
}

Status TypeError(std::string_view path, std::string_view want, const json& got) {
  return InvalidArgumentError(std::string(path) + ": expected " + std::string(want) + ", got " +
                              got.type_name());
}

Status ExpectObject(const json& j, std::string_view path) {
  if (!j.is_object()) return TypeError(path.empty() ? "document" : path, "object", j);
  return OkStatus();
}

// Field readers: a missing or null member leaves `out` untouched; a member of the wrong type
// is an error naming its path.
const json* Member(const json& obj, std::string_view key) {
  auto it = obj.find(std::string(key));
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

Status ReadString(const json& obj, std::string_view key, std::string_view path, std::string* out) {
  const json* v = Member(obj, key);
  if (v == nullptr) return OkStatus();
  if (!v->is_string()) return TypeError(Join(path, key), "string", *v);
  *out = v->get<std::string>();
  return OkStatus();
}

Status ReadRequiredString(const json& obj, std::string_view key, std::string_view path,
                          std::string* out) {
  if (Member(obj, key) == nullptr) {
    return InvalidArgumentError(Join(path, key) + ": missing required field");
  }
  return ReadString(obj, key, path, out);
}

Status ReadInt(const json& obj, std::string_view key, std::string_view path, int* out) {
  const json* v = Member(obj, key);
  if (v == nullptr) return OkStatus();
  if (!v->is_number_integer()) return TypeError(Join(path, key), "integer", *v);
  if (v->is_number_unsigned() ? v->get<uint64_t>() > 0x7fffffffu
                              : (v->get<int64_t>() < 0 || v->get<int64_t>() > 0x7fffffff)) {
    return InvalidArgumentError(Join(path, key) + ": out of range");
  }
  *out = static_cast<int>(v->get<int64_t>());
  return OkStatus();
}

Status ReadBool(const json& obj, std::string_view key, std::string_view path, bool* out) {
  const json* v = Member(obj, key);
  if (v == nullptr) return OkStatus();
  if (!v->is_boolean()) return TypeError(Join(path, key), "boolean", *v);
  *out = v->get<bool>();
  return OkStatus();
}

Status ReadStringList(const json& obj, std::string_view key, std::string_view path,
                      std::vector<std::string>* out) {
  const json* v = Member(obj, key);
  if (v == nullptr) return OkStatus();
  std::string p = Join(path, key);
  if (!v->is_array()) return TypeError(p, "array of strings", *v);
  out->clear();
  for (size_t i = 0; i < v->size(); ++i) {
    const json& item = (*v)[i];
    if (!item.is_string()) return TypeError(Index(p, i), "string", item);
    out->push_back(item.get<std::string>());
  }
  return OkStatus();
}

void PutIfSet(OrderedJson& j, const char* key, const std::string& value) {
  if (!value.empty()) j[key] = value;
}

void PutIfSet(OrderedJson& j, const char* key, const std::vector<std::string>& values) {
  if (!values.empty()) j[key] = values;
}

OrderedJson FindingJson(const Finding& f) {
  OrderedJson j;
  j["kind"] = FindingKindName(f.kind);
  j["id"] = f.id;
  PutIfSet(j, "aliases", f.aliases);
  j["severity"] = SeverityName(f.severity);
  PutIfSet(j, "title", f.title);
  PutIfSet(j, "description", f.description);
  OrderedJson loc = OrderedJson::object();
  PutIfSet(loc, "path", f.location.path);
  if (f.location.line > 0) loc["line"] = f.location.line;
  if (f.location.end_line > 0) loc["end_line"] = f.location.end_line;
  PutIfSet(loc, "layer", f.location.layer);
  PutIfSet(loc, "resource", f.location.resource);
  if (!loc.empty()) j["location"] = std::move(loc);
  if (f.package) {
    OrderedJson pkg;
    pkg["name"] = f.package->name;
    PutIfSet(pkg, "version", f.package->version);
    PutIfSet(pkg, "ecosystem", f.package->ecosystem);
    PutIfSet(pkg, "purl", f.package->purl);
    j["package"] = std::move(pkg);
  }
  PutIfSet(j, "fixed_version", f.fixed_version);
  PutIfSet(j, "status", f.status);
  PutIfSet(j, "controls", f.controls);
  PutIfSet(j, "references", f.references);
  PutIfSet(j, "remediation", f.remediation);
  PutIfSet(j, "data_source", f.data_source);
  PutIfSet(j, "match", f.match);
  return j;
}

OrderedJson ReportJson(const Report& r) {
  OrderedJson j;
  j["schema"] = kReportSchema;
  j["target"] = r.target;
  j["target_kind"] = r.target_kind;
  PutIfSet(j, "artifact_digest", r.artifact_digest);
  j["created_at"] = r.created_at;
  j["tool"] = {{"name", "vigil"}, {"version", r.tool_version}};
  j["findings"] = OrderedJson::array();
  for (const Finding& f : r.findings) j["findings"].push_back(FindingJson(f));
  j["warnings"] = r.warnings;
  Summary s = r.Summarize();
  OrderedJson by = OrderedJson::object();
  for (Severity sev : {Severity::kCritical, Severity::kHigh, Severity::kMedium, Severity::kLow,
                       Severity::kInfo, Severity::kUnknown}) {
    by[std::string(SeverityName(sev))] = s.by_severity[static_cast<int>(sev)];
  }
  j["summary"] = {{"total", s.total}, {"suppressed", s.suppressed}, {"by_severity", by}};
  if (!r.compliance.empty()) j["compliance"] = internal::ComplianceJson(r.compliance);
  return j;
}

Status ParseFinding(const json& j, std::string_view path, Finding* f) {
  VIGIL_RETURN_IF_ERROR(ExpectObject(j, path));
  std::string kind, severity;
  VIGIL_RETURN_IF_ERROR(ReadRequiredString(j, "kind", path, &kind));
  auto k = ParseFindingKind(kind);
  if (!k.ok()) return Annotate(k.status(), Join(path, "kind"));
  f->kind = *k;
  VIGIL_RETURN_IF_ERROR(ReadRequiredString(j, "id", path, &f->id));
  VIGIL_RETURN_IF_ERROR(ReadStringList(j, "aliases", path, &f->aliases));
  VIGIL_RETURN_IF_ERROR(ReadString(j, "severity", path, &severity));
  if (!severity.empty()) {
    auto s = ParseSeverity(severity);
    if (!s.ok()) return Annotate(s.status(), Join(path, "severity"));
    f->severity = *s;
  }
  VIGIL_RETURN_IF_ERROR(ReadString(j, "title", path, &f->title));
  VIGIL_RETURN_IF_ERROR(ReadString(j, "description", path, &f->description));
  if (const json* loc = Member(j, "location")) {
    std::string p = Join(path, "location");
    VIGIL_RETURN_IF_ERROR(ExpectObject(*loc, p));
    VIGIL_RETURN_IF_ERROR(ReadString(*loc, "path", p, &f->location.path));
    VIGIL_RETURN_IF_ERROR(ReadInt(*loc, "line", p, &f->location.line));
    VIGIL_RETURN_IF_ERROR(ReadInt(*loc, "end_line", p, &f->location.end_line));
    VIGIL_RETURN_IF_ERROR(ReadString(*loc, "layer", p, &f->location.layer));
    VIGIL_RETURN_IF_ERROR(ReadString(*loc, "resource", p, &f->location.resource));
  }
  if (const json* pkg = Member(j, "package")) {
    std::string p = Join(path, "package");
    VIGIL_RETURN_IF_ERROR(ExpectObject(*pkg, p));
    PackageRef ref;
    VIGIL_RETURN_IF_ERROR(ReadRequiredString(*pkg, "name", p, &ref.name));
    VIGIL_RETURN_IF_ERROR(ReadString(*pkg, "version", p, &ref.version));
    VIGIL_RETURN_IF_ERROR(ReadString(*pkg, "ecosystem", p, &ref.ecosystem));
    VIGIL_RETURN_IF_ERROR(ReadString(*pkg, "purl", p, &ref.purl));
    f->package = std::move(ref);
  }
  VIGIL_RETURN_IF_ERROR(ReadString(j, "fixed_version", path, &f->fixed_version));
  VIGIL_RETURN_IF_ERROR(ReadString(j, "status", path, &f->status));
  VIGIL_RETURN_IF_ERROR(ReadStringList(j, "controls", path, &f->controls));
  VIGIL_RETURN_IF_ERROR(ReadStringList(j, "references", path, &f->references));
  VIGIL_RETURN_IF_ERROR(ReadString(j, "remediation", path, &f->remediation));
  VIGIL_RETURN_IF_ERROR(ReadString(j, "data_source", path, &f->data_source));
  VIGIL_RETURN_IF_ERROR(ReadString(j, "match", path, &f->match));
  return OkStatus();
}

Status CheckSchema(const json& j, std::string_view want) {
  std::string schema;
  VIGIL_RETURN_IF_ERROR(ReadRequiredString(j, "schema", "", &schema));
  if (schema != want) {
    return InvalidArgumentError("schema: unsupported '" + schema + "' (want '" + std::string(want) +
                                "')");
  }
  return OkStatus();
}

Status ReadTool(const json& j, std::string* version) {
  if (const json* tool = Member(j, "tool")) {
    VIGIL_RETURN_IF_ERROR(ExpectObject(*tool, "tool"));
    VIGIL_RETURN_IF_ERROR(ReadString(*tool, "version", "tool", version));
  }
  return OkStatus();
}

OrderedJson ComponentJson(const Component& c) {
  OrderedJson j;
  j["name"] = c.name;
  j["version"] = c.version;
  j["type"] = c.type;
  PutIfSet(j, "ecosystem", c.ecosystem);
  PutIfSet(j, "purl", c.purl);
  PutIfSet(j, "licenses", c.licenses);
  PutIfSet(j, "source_name", c.source_name);
  PutIfSet(j, "source_version", c.source_version);
  PutIfSet(j, "layer", c.layer);
  PutIfSet(j, "location", c.location);
  PutIfSet(j, "files", c.files);
  PutIfSet(j, "owner_purl", c.owner_purl);
  PutIfSet(j, "supplier", c.supplier);
  PutIfSet(j, "arch", c.arch);
  if (c.dev) j["dev"] = true;
  return j;
}

Status ParseComponent(const json& j, std::string_view path, Component* c) {
  VIGIL_RETURN_IF_ERROR(ExpectObject(j, path));
  VIGIL_RETURN_IF_ERROR(ReadRequiredString(j, "name", path, &c->name));
  VIGIL_RETURN_IF_ERROR(ReadString(j, "version", path, &c->version));
  VIGIL_RETURN_IF_ERROR(ReadString(j, "type", path, &c->type));
  VIGIL_RETURN_IF_ERROR(ReadString(j, "ecosystem", path, &c->ecosystem));
  VIGIL_RETURN_IF_ERROR(ReadString(j, "purl", path, &c->purl));
  VIGIL_RETURN_IF_ERROR(ReadStringList(j, "licenses", path, &c->licenses));
  VIGIL_RETURN_IF_ERROR(ReadString(j, "source_name", path, &c->source_name));
  VIGIL_RETURN_IF_ERROR(ReadString(j, "source_version", path, &c->source_version));
  VIGIL_RETURN_IF_ERROR(ReadString(j, "layer", path, &c->layer));
  VIGIL_RETURN_IF_ERROR(ReadString(j, "location", path, &c->location));
  VIGIL_RETURN_IF_ERROR(ReadStringList(j, "files", path, &c->files));
  VIGIL_RETURN_IF_ERROR(ReadString(j, "owner_purl", path, &c->owner_purl));
  VIGIL_RETURN_IF_ERROR(ReadString(j, "supplier", path, &c->supplier));
  VIGIL_RETURN_IF_ERROR(ReadString(j, "arch", path, &c->arch));
  VIGIL_RETURN_IF_ERROR(ReadBool(j, "dev", path, &c->dev));
  return OkStatus();
}

OrderedJson SbomJson(const Sbom& s) {
  OrderedJson j;
  j["schema"] = kSbomSchema;
  j["target"] = s.target;
  j["target_kind"] = s.target_kind;
  PutIfSet(j, "artifact_digest", s.artifact_digest);
  j["created_at"] = s.created_at;
  j["tool"] = {{"name", "vigil"}, {"version", s.tool_version}};
  OrderedJson os = OrderedJson::object();
  PutIfSet(os, "id", s.os.id);
  PutIfSet(os, "version_id", s.os.version_id);
  PutIfSet(os, "codename", s.os.codename);
  PutIfSet(os, "pretty_name", s.os.pretty_name);
  if (!os.empty()) j["os"] = std::move(os);
  j["components"] = OrderedJson::array();
  for (const Component& c : s.components) j["components"].push_back(ComponentJson(c));
  j["warnings"] = s.warnings;
  return j;
}

// Vigil's (and Syft's location) properties carried back into the model.
void ApplyCycloneDxProperty(std::string_view name, const std::string& value, Component* c) {
  if (name == "vigil:layer") {
    c->layer = value;
  } else if (name == "vigil:location") {
    c->location = value;
  } else if (name == "vigil:source_name") {
    c->source_name = value;
  } else if (name == "vigil:source_version") {
    c->source_version = value;
  } else if (name == "vigil:ecosystem") {
    c->ecosystem = value;
  } else if (name == "vigil:owner_purl") {
    c->owner_purl = value;
  } else if (name == "vigil:arch") {
    c->arch = value;
  } else if (name == "vigil:dev") {
    c->dev = value == "true";
  } else if (StartsWith(name, "syft:location:0:")) {
    if (EndsWith(name, ":layerID") && c->layer.empty()) c->layer = value;
    if (EndsWith(name, ":path") && c->location.empty()) c->location = value;
  }
}

Status ParseCycloneDxComponent(const json& j, const std::string& path, Sbom* sbom) {
  VIGIL_RETURN_IF_ERROR(ExpectObject(j, path));
  Component c;
  VIGIL_RETURN_IF_ERROR(ReadRequiredString(j, "name", path, &c.name));
  VIGIL_RETURN_IF_ERROR(ReadString(j, "version", path, &c.version));
  VIGIL_RETURN_IF_ERROR(ReadString(j, "type", path, &c.type));
  VIGIL_RETURN_IF_ERROR(ReadString(j, "purl", path, &c.purl));
  if (const json* supplier = Member(j, "supplier")) {
    VIGIL_RETURN_IF_ERROR(ExpectObject(*supplier, Join(path, "supplier")));
    VIGIL_RETURN_IF_ERROR(ReadString(*supplier, "name", Join(path, "supplier"), &c.supplier));
  }
  if (const json* licenses = Member(j, "licenses")) {
    std::string p = Join(path, "licenses");
    if (!licenses->is_array()) return TypeError(p, "array", *licenses);
    for (size_t i = 0; i < licenses->size(); ++i) {
      const json& choice = (*licenses)[i];
      std::string cp = Index(p, i);
      VIGIL_RETURN_IF_ERROR(ExpectObject(choice, cp));
      std::string value;
      VIGIL_RETURN_IF_ERROR(ReadString(choice, "expression", cp, &value));
      if (const json* lic = Member(choice, "license")) {
        std::string lp = Join(cp, "license");
        VIGIL_RETURN_IF_ERROR(ExpectObject(*lic, lp));
        VIGIL_RETURN_IF_ERROR(ReadString(*lic, "name", lp, &value));
        VIGIL_RETURN_IF_ERROR(ReadString(*lic, "id", lp, &value));
      }
      if (!value.empty()) c.licenses.push_back(value);
    }
  }
  if (const json* props = Member(j, "properties")) {
    std::string p = Join(path, "properties");
    if (!props->is_array()) return TypeError(p, "array", *props);
    for (size_t i = 0; i < props->size(); ++i) {
      std::string pp = Index(p, i);
      VIGIL_RETURN_IF_ERROR(ExpectObject((*props)[i], pp));
      std::string name, value;
      VIGIL_RETURN_IF_ERROR(ReadString((*props)[i], "name", pp, &name));
      VIGIL_RETURN_IF_ERROR(ReadString((*props)[i], "value", pp, &value));
      if (c.type == "operating-system") {
        if (name == "vigil:os:codename") sbom->os.codename = value;
        if (name == "vigil:os:pretty_name") sbom->os.pretty_name = value;
      }
      ApplyCycloneDxProperty(name, value, &c);
    }
  }
  if (c.ecosystem.empty()) c.ecosystem = internal::PurlType(c.purl);
  if (c.type == "operating-system") {
    sbom->os.id = c.name;
    sbom->os.version_id = c.version;
  } else {
    sbom->components.push_back(std::move(c));
  }
  return OkStatus();
}

Status WalkCycloneDxComponents(const json& list, const std::string& path, int depth, Sbom* sbom) {
  if (depth > kMaxComponentDepth) {
    return InvalidArgumentError(path + ": components nested deeper than " +
                                std::to_string(kMaxComponentDepth));
  }
  if (!list.is_array()) return TypeError(path, "array", list);
  for (size_t i = 0; i < list.size(); ++i) {
    std::string p = Index(path, i);
    VIGIL_RETURN_IF_ERROR(ParseCycloneDxComponent(list[i], p, sbom));
    if (const json* nested = Member(list[i], "components")) {
      VIGIL_RETURN_IF_ERROR(
          WalkCycloneDxComponents(*nested, Join(p, "components"), depth + 1, sbom));
    }
  }
  return OkStatus();
}

}  // namespace

std::string ReportToJson(const Report& report) { return internal::Dump(ReportJson(report)); }

StatusOr<Report> ReportFromJson(std::string_view text) {
  VIGIL_ASSIGN_OR_RETURN(json j, ParseJson(text));
  VIGIL_RETURN_IF_ERROR(ExpectObject(j, ""));
  VIGIL_RETURN_IF_ERROR(CheckSchema(j, kReportSchema));
  Report r;
  VIGIL_RETURN_IF_ERROR(ReadString(j, "target", "", &r.target));
  VIGIL_RETURN_IF_ERROR(ReadString(j, "target_kind", "", &r.target_kind));
  VIGIL_RETURN_IF_ERROR(ReadString(j, "artifact_digest", "", &r.artifact_digest));
  VIGIL_RETURN_IF_ERROR(ReadString(j, "created_at", "", &r.created_at));
  VIGIL_RETURN_IF_ERROR(ReadTool(j, &r.tool_version));
  if (const json* findings = Member(j, "findings")) {
    if (!findings->is_array()) return TypeError("findings", "array", *findings);
    r.findings.resize(findings->size());
    for (size_t i = 0; i < findings->size(); ++i) {
      VIGIL_RETURN_IF_ERROR(ParseFinding((*findings)[i], Index("findings", i), &r.findings[i]));
    }
  }
  VIGIL_RETURN_IF_ERROR(ReadStringList(j, "warnings", "", &r.warnings));
  return r;
}

std::string FindingToJson(const Finding& finding) {
  return FindingJson(finding).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

StatusOr<Finding> FindingFromJson(std::string_view text) {
  VIGIL_ASSIGN_OR_RETURN(json j, ParseJson(text));
  Finding f;
  VIGIL_RETURN_IF_ERROR(ParseFinding(j, "finding", &f));
  return f;
}

std::string SbomToJson(const Sbom& sbom) { return internal::Dump(SbomJson(sbom)); }

StatusOr<Sbom> SbomFromJson(std::string_view text) {
  VIGIL_ASSIGN_OR_RETURN(json j, ParseJson(text));
  VIGIL_RETURN_IF_ERROR(ExpectObject(j, ""));
  VIGIL_RETURN_IF_ERROR(CheckSchema(j, kSbomSchema));
  Sbom s;
  VIGIL_RETURN_IF_ERROR(ReadString(j, "target", "", &s.target));
  VIGIL_RETURN_IF_ERROR(ReadString(j, "target_kind", "", &s.target_kind));
  VIGIL_RETURN_IF_ERROR(ReadString(j, "artifact_digest", "", &s.artifact_digest));
  VIGIL_RETURN_IF_ERROR(ReadString(j, "created_at", "", &s.created_at));
  VIGIL_RETURN_IF_ERROR(ReadTool(j, &s.tool_version));
  if (const json* os = Member(j, "os")) {
    VIGIL_RETURN_IF_ERROR(ExpectObject(*os, "os"));
    VIGIL_RETURN_IF_ERROR(ReadString(*os, "id", "os", &s.os.id));
    VIGIL_RETURN_IF_ERROR(ReadString(*os, "version_id", "os", &s.os.version_id));
    VIGIL_RETURN_IF_ERROR(ReadString(*os, "codename", "os", &s.os.codename));
    VIGIL_RETURN_IF_ERROR(ReadString(*os, "pretty_name", "os", &s.os.pretty_name));
  }
  if (const json* components = Member(j, "components")) {
    if (!components->is_array()) return TypeError("components", "array", *components);
    s.components.resize(components->size());
    for (size_t i = 0; i < components->size(); ++i) {
      VIGIL_RETURN_IF_ERROR(
          ParseComponent((*components)[i], Index("components", i), &s.components[i]));
    }
  }
  VIGIL_RETURN_IF_ERROR(ReadStringList(j, "warnings", "", &s.warnings));
  return s;
}

StatusOr<Sbom> SbomFromCycloneDx(std::string_view text) {
  VIGIL_ASSIGN_OR_RETURN(json j, ParseJson(text));
  VIGIL_RETURN_IF_ERROR(ExpectObject(j, ""));
  std::string format;
  VIGIL_RETURN_IF_ERROR(ReadRequiredString(j, "bomFormat", "", &format));
  if (format != "CycloneDX") {
    return InvalidArgumentError("bomFormat: expected 'CycloneDX', got '" + format + "'");
  }
  Sbom s;
  s.target_kind = "sbom";
  if (const json* meta = Member(j, "metadata")) {
    VIGIL_RETURN_IF_ERROR(ExpectObject(*meta, "metadata"));
    VIGIL_RETURN_IF_ERROR(ReadString(*meta, "timestamp", "metadata", &s.created_at));
    if (const json* comp = Member(*meta, "component")) {
      VIGIL_RETURN_IF_ERROR(ExpectObject(*comp, "metadata.component"));
      std::string type, version;
      VIGIL_RETURN_IF_ERROR(ReadString(*comp, "name", "metadata.component", &s.target));
      VIGIL_RETURN_IF_ERROR(ReadString(*comp, "type", "metadata.component", &type));
      VIGIL_RETURN_IF_ERROR(ReadString(*comp, "version", "metadata.component", &version));
      if (type == "container") s.target_kind = "image";
      if (type == "file") s.target_kind = "filesystem";
      if (StartsWith(version, "sha256:")) s.artifact_digest = version;
    }
  }
  if (const json* components = Member(j, "components")) {
    VIGIL_RETURN_IF_ERROR(WalkCycloneDxComponents(*components, "components", 0, &s));
  }
  return s;
}

namespace internal {

void WriteJson(const Report& report, std::ostream& out) { out << ReportToJson(report); }

}  // namespace internal
}  // namespace vigil::report
