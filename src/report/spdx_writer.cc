// SPDX 2.3 JSON: the document DESCRIBES one package for the scanned target, which CONTAINS
// a package per component. Values the model does not know are NOASSERTION, as the spec asks,
// never guessed.
#include <set>

#include "base/strings.h"
#include "report/internal.h"

namespace vigil::report::internal {
namespace {

// SPDX element ids allow only [A-Za-z0-9.-] after "SPDXRef-".
std::string SanitizeId(std::string_view s) {
  std::string out;
  for (char c : s) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-';
    out += ok ? c : '-';
  }
  return out;
}

class IdAllocator {
 public:
  // "SPDXRef-<prefix>-<sanitised name>-<hash of identity>", made unique within the document.
  std::string Allocate(std::string_view prefix, std::string_view name, std::string_view identity) {
    std::string base = "SPDXRef-" + std::string(prefix) + "-" +
                       SanitizeId(Truncate(std::string(name), 64)) + "-" + ShortHash(identity, 16);
    std::string id = base;
    for (int n = 2; used_.count(id); ++n) id = base + "-" + std::to_string(n);
    used_.insert(id);
    return id;
  }

 private:
  std::set<std::string> used_;
};

// SPDX agent syntax puts an e-mail in parentheses: "Name (mail@example.org)"; package
// databases write "Name <mail@example.org>".
std::string SpdxAgent(std::string_view supplier) {
  std::string out(Trim(supplier));
  size_t open = out.find('<');
  size_t close = out.find('>', open == std::string::npos ? 0 : open);
  if (open != std::string::npos && close != std::string::npos) {
    out[open] = '(';
    out[close] = ')';
  }
  return out;
}

std::string DeclaredLicense(const std::vector<std::string>& licenses) {
  if (licenses.size() == 1) {
    if (auto id = CanonicalSpdxLicenseId(licenses[0])) return *id;
  }
  return "NOASSERTION";
}

}  // namespace

void WriteSpdx(const Sbom& sbom, std::ostream& out) {
  IdAllocator ids;
  std::string uuid =
      DeterministicUuid(sbom.target + "|" + sbom.target_kind + "|" + sbom.artifact_digest + "|" +
                        sbom.created_at + "|" + std::to_string(sbom.components.size()));
  std::string doc_name = sbom.target.empty() ? "unnamed" : sbom.target;

  OrderedJson packages = OrderedJson::array();
  OrderedJson relationships = OrderedJson::array();

  std::string root_id = ids.Allocate(sbom.target_kind == "image" ? "Image" : "Target", doc_name,
                                     sbom.target + "|" + sbom.artifact_digest);
  OrderedJson root;
  root["name"] = doc_name;
  root["SPDXID"] = root_id;
  if (!sbom.artifact_digest.empty()) root["versionInfo"] = sbom.artifact_digest;
  root["downloadLocation"] = "NOASSERTION";
  root["filesAnalyzed"] = false;
  root["licenseConcluded"] = "NOASSERTION";
  root["licenseDeclared"] = "NOASSERTION";
  root["copyrightText"] = "NOASSERTION";
  if (sbom.target_kind == "image") root["primaryPackagePurpose"] = "CONTAINER";
  packages.push_back(std::move(root));
  relationships.push_back({{"spdxElementId", "SPDXRef-DOCUMENT"},
                           {"relatedSpdxElement", root_id},
                           {"relationshipType", "DESCRIBES"}});

  if (!sbom.os.id.empty()) {
    std::string os_id =
        ids.Allocate("OperatingSystem", sbom.os.id, sbom.os.id + "@" + sbom.os.version_id);
    OrderedJson os;
    os["name"] = sbom.os.id;
    os["SPDXID"] = os_id;
    if (!sbom.os.version_id.empty()) os["versionInfo"] = sbom.os.version_id;
    os["downloadLocation"] = "NOASSERTION";
    os["filesAnalyzed"] = false;
    os["licenseConcluded"] = "NOASSERTION";
    os["licenseDeclared"] = "NOASSERTION";
    os["copyrightText"] = "NOASSERTION";
    if (!sbom.os.pretty_name.empty()) os["description"] = sbom.os.pretty_name;
    os["primaryPackagePurpose"] = "OPERATING-SYSTEM";
    packages.push_back(std::move(os));
    relationships.push_back({{"spdxElementId", root_id},
                             {"relatedSpdxElement", os_id},
                             {"relationshipType", "CONTAINS"}});
  }

  for (const Component& c : sbom.components) {
    std::string id =
        ids.Allocate("Package-" + SanitizeId(c.ecosystem.empty() ? "unknown" : c.ecosystem), c.name,
                     c.purl + "|" + c.name + "|" + c.version + "|" + c.location + "|" + c.layer);
    OrderedJson p;
    p["name"] = c.name;
    p["SPDXID"] = id;
    if (!c.version.empty()) p["versionInfo"] = c.version;
    p["supplier"] = c.supplier.empty() ? "NOASSERTION" : "Organization: " + SpdxAgent(c.supplier);
    p["downloadLocation"] = "NOASSERTION";
    p["filesAnalyzed"] = false;
    if (!c.source_name.empty()) {
      p["sourceInfo"] = "built from source package " + c.source_name +
                        (c.source_version.empty() ? "" : " " + c.source_version);
    }
    p["licenseConcluded"] = "NOASSERTION";
    p["licenseDeclared"] = DeclaredLicense(c.licenses);
    if (!c.licenses.empty()) p["licenseComments"] = "declared: " + Join(c.licenses, ", ");
    p["copyrightText"] = "NOASSERTION";
    if (!c.location.empty() || !c.layer.empty()) {
      std::string comment = "found at " + (c.location.empty() ? "-" : c.location);
      if (!c.layer.empty()) comment += " in layer " + c.layer;
      p["comment"] = comment;
    }
    if (!c.purl.empty()) {
      p["externalRefs"] = OrderedJson::array({{{"referenceCategory", "PACKAGE-MANAGER"},
                                               {"referenceType", "purl"},
                                               {"referenceLocator", c.purl}}});
    }
    p["primaryPackagePurpose"] = c.type == "application" ? "APPLICATION" : "LIBRARY";
    packages.push_back(std::move(p));
    relationships.push_back(
        {{"spdxElementId", root_id}, {"relatedSpdxElement", id}, {"relationshipType", "CONTAINS"}});
  }

  OrderedJson doc;
  doc["spdxVersion"] = "SPDX-2.3";
  doc["dataLicense"] = "CC0-1.0";
  doc["SPDXID"] = "SPDXRef-DOCUMENT";
  doc["name"] = doc_name;
  // The namespace only has to be a unique URI; ".invalid" (RFC 2606) never resolves, which is
  // honest about there being no document to fetch there.
  doc["documentNamespace"] =
      "https://vigil.invalid/spdx/" + SanitizeId(Truncate(doc_name, 64)) + "-" + uuid;
  doc["creationInfo"] = {
      {"created", NormalizeTimestamp(sbom.created_at)},
      {"creators",
       OrderedJson::array({"Tool: vigil-" + (sbom.tool_version.empty() ? std::string("0.0.0")
                                                                       : sbom.tool_version)})}};
  doc["packages"] = std::move(packages);
  doc["relationships"] = std::move(relationships);
  out << Dump(doc);
}

}  // namespace vigil::report::internal
