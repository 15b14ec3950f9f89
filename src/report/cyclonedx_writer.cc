// CycloneDX 1.5 JSON: the inventory as components and, when findings are given, the
// vulnerabilities with `affects` references to those components (a BOM with embedded VEX
// data, as Trivy and Grype write it).
#include <map>
#include <set>

#include "base/strings.h"
#include "report/internal.h"
#include "report/vex.h"

namespace vigil::report::internal {
namespace {

bool IsCycloneDxType(std::string_view type) {
  static constexpr std::string_view kTypes[] = {"application",
                                                "framework",
                                                "library",
                                                "container",
                                                "platform",
                                                "operating-system",
                                                "device",
                                                "device-driver",
                                                "firmware",
                                                "file",
                                                "machine-learning-model",
                                                "data"};
  for (std::string_view t : kTypes) {
    if (t == type) return true;
  }
  return false;
}

void AddProperty(OrderedJson& props, std::string_view name, const std::string& value) {
  if (!value.empty()) props.push_back({{"name", name}, {"value", value}});
}

OrderedJson Licenses(const std::vector<std::string>& licenses) {
  OrderedJson out = OrderedJson::array();
  // A single compound expression must stand alone in the array (CycloneDX "expression").
  if (licenses.size() == 1 && (licenses[0].find(" OR ") != std::string::npos ||
                               licenses[0].find(" AND ") != std::string::npos ||
                               licenses[0].find(" WITH ") != std::string::npos)) {
    out.push_back({{"expression", licenses[0]}});
    return out;
  }
  for (const std::string& l : licenses) {
    if (Trim(l).empty()) continue;
    if (auto id = CanonicalSpdxLicenseId(l)) {
      out.push_back({{"license", {{"id", *id}}}});
    } else {
      out.push_back({{"license", {{"name", l}}}});
    }
  }
  return out;
}

OrderedJson ComponentJson(const Component& c, const std::string& ref) {
  OrderedJson j;
  j["bom-ref"] = ref;
  j["type"] = IsCycloneDxType(c.type) ? c.type : "library";
  if (!c.supplier.empty()) j["supplier"] = {{"name", c.supplier}};
  j["name"] = c.name;
  if (!c.version.empty()) j["version"] = c.version;
  OrderedJson licenses = Licenses(c.licenses);
  if (!licenses.empty()) j["licenses"] = std::move(licenses);
  if (!c.purl.empty()) j["purl"] = c.purl;
  OrderedJson props = OrderedJson::array();
  AddProperty(props, "vigil:ecosystem", c.ecosystem);
  AddProperty(props, "vigil:source_name", c.source_name);
  AddProperty(props, "vigil:source_version", c.source_version);
  AddProperty(props, "vigil:arch", c.arch);
  AddProperty(props, "vigil:layer", c.layer);
  AddProperty(props, "vigil:location", c.location);
  AddProperty(props, "vigil:owner_purl", c.owner_purl);
  if (c.dev) AddProperty(props, "vigil:dev", "true");
  if (!props.empty()) j["properties"] = std::move(props);
  return j;
}

std::string AliasSource(std::string_view id) {
  if (StartsWith(id, "CVE-")) return "NVD";
  if (StartsWith(id, "GHSA-")) return "GitHub";
  if (StartsWith(id, "DSA-") || StartsWith(id, "DLA-")) return "Debian";
  return "";
}

// Where a reader finds the advisory behind a finding: the page of the source that reported
// it (the first of a merged finding's sources), else NVD for a CVE.
std::string SourceUrl(const Finding& f) {
  std::string_view source = f.data_source;
  source = source.substr(0, source.find(','));
  const std::string& id = f.id;
  if (StartsWith(source, "debian")) return "https://security-tracker.debian.org/tracker/" + id;
  if (StartsWith(source, "osv")) {
    // The finding id is the CVE when there is one; the OSV record is the advisory alias.
    std::string osv_id = id;
    for (const std::string& alias : f.aliases) {
      if (StartsWith(id, "CVE-") && !StartsWith(alias, "CVE-")) {
        osv_id = alias;
        break;
      }
    }
    return "https://osv.dev/vulnerability/" + osv_id;
  }
  if (StartsWith(source, "alpine")) return "https://security.alpinelinux.org/vuln/" + id;
  if (StartsWith(source, "nswg") && StartsWith(id, "NSWG-ECO-")) {
    return "https://github.com/nodejs/security-wg/blob/main/vuln/npm/" + id.substr(9) + ".json";
  }
  if (StartsWith(id, "GHSA-")) return "https://github.com/advisories/" + id;
  if (StartsWith(id, "CVE-")) return "https://nvd.nist.gov/vuln/detail/" + id;
  return "";
}

// CycloneDX 1.5 rating methods by CVSS vector prefix.
std::string_view RatingMethod(std::string_view vector) {
  if (StartsWith(vector, "CVSS:3.1/")) return "CVSSv31";
  if (StartsWith(vector, "CVSS:3.0/")) return "CVSSv3";
  if (StartsWith(vector, "CVSS:4.0/")) return "CVSSv4";
  if (StartsWith(vector, "AV:")) return "CVSSv2";
  return "other";
}

// OpenVEX justifications in CycloneDX's vocabulary (impactAnalysisJustification).
std::string_view CycloneDxJustification(std::string_view openvex) {
  if (openvex == "component_not_present" || openvex == "vulnerable_code_not_present") {
    return "code_not_present";
  }
  if (openvex == "vulnerable_code_not_in_execute_path") return "code_not_reachable";
  if (openvex == "vulnerable_code_cannot_be_controlled_by_adversary") {
    return "requires_environment";
  }
  if (openvex == "inline_mitigations_already_exist") return "protected_by_mitigating_control";
  return "";
}

// The analysis of a suppressed finding: VEX not_affected / fixed map to not_affected /
// resolved; any other suppression (an ignore file, --ignore) is a decision to accept the
// risk, which CycloneDX states as exploitable with the response will_not_fix.
OrderedJson SuppressedAnalysis(const Finding& f) {
  OrderedJson a;
  std::optional<SuppressionNote> note = FindSuppressionNote(f.remediation);
  if (note && note->vex && note->vex_status == "fixed") {
    a["state"] = "resolved";
  } else if (note && note->vex) {
    a["state"] = "not_affected";
    if (std::string_view j = CycloneDxJustification(note->justification); !j.empty()) {
      a["justification"] = j;
    }
  } else {
    a["state"] = "exploitable";
    a["response"] = OrderedJson::array({"will_not_fix"});
  }
  a["detail"] = note ? note->text : std::string("Suppressed");
  return a;
}

}  // namespace

void WriteCycloneDx(const Report* report, const Sbom* sbom, std::ostream& out,
                    const WriteOptions& options) {
  // The document describes the scan being written: the report's identity when there is one,
  // else the inventory's.
  const std::string& target = report ? report->target : sbom->target;
  const std::string& target_kind = report ? report->target_kind : sbom->target_kind;
  const std::string& digest = report ? report->artifact_digest : sbom->artifact_digest;
  const std::string& created_at = report ? report->created_at : sbom->created_at;
  const std::string& tool_version = report ? report->tool_version : sbom->tool_version;

  // Without an inventory the components are the packages the findings name.
  std::vector<Component> derived;
  if (sbom == nullptr) {
    std::set<std::string> seen;
    for (const Finding& f : report->findings) {
      if (!f.package) continue;
      std::string key = f.package->purl.empty() ? f.package->ecosystem + "|" + f.package->name +
                                                      "|" + f.package->version
                                                : f.package->purl;
      if (!seen.insert(key).second) continue;
      Component c;
      c.name = f.package->name;
      c.version = f.package->version;
      c.purl = f.package->purl;
      c.ecosystem = f.package->ecosystem;
      derived.push_back(std::move(c));
    }
  }
  const std::vector<Component>& components = sbom ? sbom->components : derived;

  // bom-refs: the purl when it is unique in this BOM, otherwise a stable generated ref
  // (the same package found twice, in two layers or two lockfiles, is two components).
  std::set<std::string> used;
  std::string target_ref = "vigil:target:" + ShortHash(target);
  used.insert(target_ref);
  std::map<std::string, std::string> ref_by_purl, ref_by_name_version;
  OrderedJson comp_json = OrderedJson::array();
  if (sbom != nullptr && !sbom->os.id.empty()) {
    std::string ref = "vigil:os:" + ShortHash(sbom->os.id + "@" + sbom->os.version_id);
    used.insert(ref);
    OrderedJson os;
    os["bom-ref"] = ref;
    os["type"] = "operating-system";
    os["name"] = sbom->os.id;
    if (!sbom->os.version_id.empty()) os["version"] = sbom->os.version_id;
    if (!sbom->os.pretty_name.empty()) os["description"] = sbom->os.pretty_name;
    OrderedJson props = OrderedJson::array();
    AddProperty(props, "vigil:os:codename", sbom->os.codename);
    AddProperty(props, "vigil:os:pretty_name", sbom->os.pretty_name);
    if (!props.empty()) os["properties"] = std::move(props);
    comp_json.push_back(std::move(os));
  }
  for (size_t i = 0; i < components.size(); ++i) {
    const Component& c = components[i];
    std::string ref = c.purl;
    if (ref.empty() || used.count(ref)) {
      ref = "vigil:component:" + ShortHash(c.ecosystem + "|" + c.name + "|" + c.version + "|" +
                                           c.location + "|" + c.layer + "|" + c.purl);
      if (used.count(ref)) ref += "-" + std::to_string(i);
    }
    used.insert(ref);
    if (!c.purl.empty()) ref_by_purl.emplace(c.purl, ref);
    ref_by_name_version.emplace(c.name + "@" + c.version, ref);
    comp_json.push_back(ComponentJson(c, ref));
  }

  OrderedJson vulns = OrderedJson::array();
  if (report != nullptr) {
    for (const Finding& f : report->findings) {
      if (f.kind != FindingKind::kVulnerability) continue;
      OrderedJson v;
      v["id"] = f.id;
      if (!f.data_source.empty()) {
        v["source"] = {{"name", f.data_source}};
        if (std::string url = SourceUrl(f); !url.empty()) v["source"]["url"] = url;
      }
      OrderedJson refs = OrderedJson::array();
      for (const std::string& alias : f.aliases) {
        OrderedJson source = OrderedJson::object();
        if (std::string name = AliasSource(alias); !name.empty()) source["name"] = name;
        refs.push_back({{"id", alias}, {"source", std::move(source)}});
      }
      if (!refs.empty()) v["references"] = std::move(refs);
      v["ratings"] = OrderedJson::array(
          {{{"severity", std::string(SeverityName(f.severity))}, {"method", "other"}}});
      if (auto it = options.ratings.find(f.id); it != options.ratings.end()) {
        for (const Rating& r : it->second) {
          OrderedJson rating;
          if (!r.source.empty()) rating["source"] = {{"name", r.source}};
          if (r.score > 0) rating["score"] = r.score;
          rating["severity"] = std::string(SeverityName(r.severity));
          rating["method"] = RatingMethod(r.vector);
          if (!r.vector.empty()) rating["vector"] = r.vector;
          v["ratings"].push_back(std::move(rating));
        }
      }
      if (!f.description.empty() || !f.title.empty()) {
        v["description"] = f.description.empty() ? f.title : f.description;
      }
      if (!f.title.empty() && !f.description.empty()) v["detail"] = f.title;
      if (std::string advice = RemediationWithoutNote(f.remediation); !advice.empty()) {
        v["recommendation"] = advice;
      } else if (!f.fixed_version.empty() && f.package) {
        v["recommendation"] = "Upgrade " + f.package->name + " to " + f.fixed_version;
      }
      OrderedJson advisories = OrderedJson::array();
      for (const std::string& r : f.references) advisories.push_back({{"url", r}});
      if (!advisories.empty()) v["advisories"] = std::move(advisories);
      std::string ref = target_ref;
      if (f.package) {
        if (auto it = ref_by_purl.find(f.package->purl);
            !f.package->purl.empty() && it != ref_by_purl.end()) {
          ref = it->second;
        } else if (auto it2 = ref_by_name_version.find(f.package->name + "@" + f.package->version);
                   it2 != ref_by_name_version.end()) {
          ref = it2->second;
        }
      }
      OrderedJson analysis;
      if (f.status == "suppressed") analysis = SuppressedAnalysis(f);
      if (!analysis.empty()) v["analysis"] = analysis;
      OrderedJson affect = {{"ref", ref}};
      if (f.package && !f.package->version.empty()) {
        bool unaffected = !analysis.empty() &&
                          (analysis["state"] == "not_affected" || analysis["state"] == "resolved");
        affect["versions"] =
            OrderedJson::array({{{"version", f.package->version},
                                 {"status", unaffected ? "unaffected" : "affected"}}});
      }
      v["affects"] = OrderedJson::array({std::move(affect)});
      OrderedJson props = OrderedJson::array();
      AddProperty(props, "vigil:status", f.status);
      AddProperty(props, "vigil:fixed_version", f.fixed_version);
      AddProperty(props, "vigil:location:path", f.location.path);
      AddProperty(props, "vigil:location:layer", f.location.layer);
      if (!props.empty()) v["properties"] = std::move(props);
      vulns.push_back(std::move(v));
    }
  }

  OrderedJson meta;
  meta["timestamp"] = NormalizeTimestamp(created_at);
  meta["tools"] = {
      {"components",
       OrderedJson::array({{{"type", "application"},
                            {"name", "vigil"},
                            {"version", tool_version.empty() ? "0.0.0" : tool_version}}})}};
  OrderedJson target_comp;
  target_comp["bom-ref"] = target_ref;
  target_comp["type"] = target_kind == "image"        ? "container"
                        : target_kind == "filesystem" ? "file"
                                                      : "application";
  target_comp["name"] = target;
  if (!digest.empty()) target_comp["version"] = digest;
  meta["component"] = std::move(target_comp);

  OrderedJson doc;
  doc["$schema"] = "http://cyclonedx.org/schema/bom-1.5.schema.json";
  doc["bomFormat"] = "CycloneDX";
  doc["specVersion"] = "1.5";
  doc["serialNumber"] =
      "urn:uuid:" +
      DeterministicUuid(target + "|" + target_kind + "|" + digest + "|" + created_at + "|" +
                        std::to_string(components.size()) + "|" + std::to_string(vulns.size()));
  doc["version"] = 1;
  doc["metadata"] = std::move(meta);
  doc["components"] = std::move(comp_json);
  if (report != nullptr) doc["vulnerabilities"] = std::move(vulns);
  out << Dump(doc);
}

}  // namespace vigil::report::internal
