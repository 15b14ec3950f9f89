// The inventory model the image plane produces and the SBOM writers serialise
// (CycloneDX 1.5 JSON, SPDX 2.3 JSON). Catalogers fill Components; the matcher reads them.
#pragma once

#include <string>
#include <vector>

namespace vigil::report {

struct Component {
  std::string name;
  std::string version;
  std::string type = "library";  // CycloneDX component type: library, application, operating-system
  std::string ecosystem;         // "deb", "apk", "rpm", "npm", "pypi", "golang", "maven", ...
  std::string purl;
  std::vector<std::string> licenses;  // SPDX ids or free text as declared
  std::string source_name;            // dpkg Source:, apk origin, rpm source rpm
  std::string source_version;
  std::string layer;               // diff-id of the layer that added it
  std::string location;            // where it was found (database file, manifest path)
  std::vector<std::string> files;  // files it owns, when the package database says
  std::string owner_purl;          // language package owned by an OS package: the owner's purl
  std::string supplier;            // maintainer / vendor
  std::string arch;
  bool dev = false;  // npm dev dependency and the like
};

struct OsInfo {
  std::string id;          // os-release ID: "debian", "alpine", "rhel", ...
  std::string version_id;  // "12", "3.19.1"
  std::string codename;    // "bookworm"
  std::string pretty_name;
};

struct Sbom {
  std::string target;           // the reference scanned
  std::string target_kind;      // "image", "filesystem"
  std::string artifact_digest;  // image manifest/config digest when known
  std::string created_at;       // RFC 3339
  std::string tool_version;
  OsInfo os;
  std::vector<Component> components;
  std::vector<std::string> warnings;
};

}  // namespace vigil::report
