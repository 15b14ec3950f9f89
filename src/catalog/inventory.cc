#include "catalog/inventory.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "base/strings.h"
#include "catalog/os_release.h"
#include "fmt/format.h"

namespace vigil::catalog {
namespace {

constexpr std::string_view kNoDatabaseWarning =
    "no OS package database found (looked for /var/lib/dpkg/status, "
    "/var/lib/dpkg/status.d/, /lib/apk/db/installed, rpmdb in /usr/lib/sysimage/rpm and "
    "/var/lib/rpm); the inventory may be incomplete";

using PackageKey = std::tuple<std::string, std::string, std::string, std::string>;

PackageKey KeyOf(const report::Component& c) { return {c.ecosystem, c.name, c.version, c.arch}; }

const std::vector<const Cataloger*>& Effective(const std::vector<const Cataloger*>& given) {
  return given.empty() ? OsCatalogers() : given;
}

bool IsOsEcosystem(std::string_view ecosystem) {
  return ecosystem == "deb" || ecosystem == "apk" || ecosystem == "rpm";
}

}  // namespace

StatusOr<report::Sbom> InventoryFileSystem(const FileSystem& fs, const InventoryOptions& options) {
  report::Sbom sbom;
  sbom.target = options.target;
  sbom.target_kind = options.target_kind;
  sbom.os = DetectOs(fs);
  if (sbom.os.id.empty()) {
    sbom.warnings.push_back(
        "operating system not detected (no /etc/os-release, /usr/lib/os-release or release "
        "file); package URLs carry no distro");
  }
  int databases = 0;
  int failures = 0;
  Status first_failure;
  for (const Cataloger* cataloger : Effective(options.catalogers)) {
    auto result = cataloger->Catalog(fs, sbom.os);
    if (!result.ok()) {
      ++failures;
      if (first_failure.ok()) first_failure = result.status();
      sbom.warnings.push_back(
          fmt::format("{} cataloger failed: {}; its packages are missing "
                      "from the inventory",
                      cataloger->name(), result.status().ToString()));
      continue;
    }
    if (!result->databases.empty()) ++databases;
    for (auto& w : result->warnings) sbom.warnings.push_back(std::move(w));
    for (auto& c : result->components) sbom.components.push_back(std::move(c));
  }
  if (databases == 0 && failures > 0) return first_failure;
  if (databases == 0) sbom.warnings.emplace_back(kNoDatabaseWarning);
  std::sort(
      sbom.components.begin(), sbom.components.end(),
      [](const report::Component& a, const report::Component& b) { return KeyOf(a) < KeyOf(b); });
  return sbom;
}

void AttributeLayers(std::vector<report::Component>& components,
                     const std::vector<const FileSystem*>& cumulative_views,
                     const std::vector<std::string>& diff_ids, const std::vector<bool>& touches_db,
                     const std::vector<const Cataloger*>& catalogers) {
  if (cumulative_views.size() != diff_ids.size()) return;
  size_t pending = 0;
  for (const auto& c : components) {
    // Only OS packages can be found by the OS catalogers; others must not keep the loop going.
    if (c.layer.empty() && IsOsEcosystem(c.ecosystem)) ++pending;
  }
  std::set<PackageKey> present;
  for (size_t i = 0; i < cumulative_views.size() && pending > 0; ++i) {
    bool touches = touches_db.size() != cumulative_views.size() || touches_db[i];
    if (touches && cumulative_views[i] != nullptr) {
      const FileSystem& view = *cumulative_views[i];
      report::OsInfo os = DetectOs(view);
      present.clear();
      for (const Cataloger* cataloger : Effective(catalogers)) {
        auto result = cataloger->CatalogPackages(view, os);
        if (!result.ok()) continue;
        for (const auto& c : result->components) present.insert(KeyOf(c));
      }
    }
    for (auto& c : components) {
      if (c.layer.empty() && IsOsEcosystem(c.ecosystem) && present.count(KeyOf(c)) > 0) {
        c.layer = diff_ids[i];
        --pending;
      }
    }
  }
}

}  // namespace vigil::catalog
