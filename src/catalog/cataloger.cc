#include "catalog/cataloger.h"

#include <algorithm>

#include "base/strings.h"
#include "catalog/apk.h"
#include "catalog/dpkg.h"
#include "catalog/os_release.h"
#include "catalog/rpm.h"

namespace vigil::catalog {
namespace {

// Bumped when DetectOs' output for the same files may change.
constexpr std::string_view kOsDetectionVersion = "1";

}  // namespace

const std::vector<const Cataloger*>& OsCatalogers() {
  static const DpkgCataloger dpkg;
  static const ApkCataloger apk;
  static const RpmCataloger rpm;
  static const std::vector<const Cataloger*> all = {&dpkg, &apk, &rpm};
  return all;
}

std::string OsCatalogersFingerprint() {
  std::vector<std::string> parts;
  for (const Cataloger* c : OsCatalogers()) {
    parts.push_back(std::string(c->name()) + "/" + std::string(c->version()));
  }
  parts.push_back("os/" + std::string(kOsDetectionVersion));
  return Join(parts, ",");
}

std::string CapturePath(std::string_view path) { return NormalizePath(path); }

bool OsCaptureWants(std::string_view path) {
  std::string p = CapturePath(path);
  const auto& os_files = OsReleaseFiles();
  if (std::find(os_files.begin(), os_files.end(), p) != os_files.end()) return true;
  for (const Cataloger* c : OsCatalogers()) {
    if (c->Wants(p)) return true;
  }
  return false;
}

bool IsPackageDatabasePath(std::string_view path) {
  std::string p = CapturePath(path);
  auto in_dir = [&p](std::string_view dir) {
    return p == dir || (StartsWith(p, dir) && p.size() > dir.size() && p[dir.size()] == '/' &&
                        Dirname(p) == dir);
  };
  return p == "/var/lib/dpkg/status" || in_dir("/var/lib/dpkg/status.d") ||
         in_dir("/var/lib/dpkg/updates") || p == "/lib/apk/db/installed" ||
         p == "/usr/lib/apk/db/installed" || in_dir("/var/lib/rpm") ||
         in_dir("/usr/lib/sysimage/rpm");
}

}  // namespace vigil::catalog
