// The OS inventory of a filesystem: OS detection plus every OS package cataloger, and the
// attribution of each package to the image layer that added it.
#pragma once

#include <string>
#include <vector>

#include "base/fs.h"
#include "base/status.h"
#include "catalog/cataloger.h"
#include "report/sbom.h"

namespace vigil::catalog {

struct InventoryOptions {
  std::string target;                      // copied to Sbom::target
  std::string target_kind = "filesystem";  // Sbom::target_kind
  // Catalogers to run; empty means OsCatalogers().
  std::vector<const Cataloger*> catalogers;
};

// Detects the OS and runs every OS cataloger over `fs`. Components are sorted by ecosystem,
// name, version, arch. Never a silent clean result: when no cataloger finds a database the
// SBOM carries the warning "no OS package database found (...)"; a cataloger that fails
// (unreadable or unsupported database) adds a warning naming it and the others still run.
// The OS is left empty (and warned about) when it cannot be detected. Fails only when no
// cataloger could run at all and at least one database was present but unreadable.
StatusOr<report::Sbom> InventoryFileSystem(const FileSystem& fs,
                                           const InventoryOptions& options = {});

// Sets Component::layer for OS packages: a package's layer is the first layer whose
// cumulative merged view (cumulative_views[i]: base layer 0 up to layer i) already contains
// the same package (ecosystem, name, version, arch). `touches_db[i]` (optional; empty means
// all true) says whether layer i changed a package database path (IsPackageDatabasePath of
// any of its changed paths); views of layers that did not are not cataloged again, their package
// set being their predecessor's. Components already attributed, or not found in any view, are left
// as they are. `diff_ids[i]` names layer i; both vectors must have the same size (otherwise nothing
// is done).
void AttributeLayers(std::vector<report::Component>& components,
                     const std::vector<const FileSystem*>& cumulative_views,
                     const std::vector<std::string>& diff_ids,
                     const std::vector<bool>& touches_db = {},
                     const std::vector<const Cataloger*>& catalogers = {});

}  // namespace vigil::catalog
