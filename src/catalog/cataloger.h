// The OS package cataloger interface and registry.
//
// A Cataloger reads one package database out of a FileSystem (host rootfs, an image's
// merged layer view, or memory) and returns Components. Catalogers are stateless and
// const: one instance serves any number of threads, except where a cataloger says
// otherwise (rpm serialises its librpm calls internally).
//
// Capture contract for the image layer walk: a layer walk that does not extract whole
// layers keeps exactly the paths for which OsCaptureWants() is true (each cataloger's
// Wants() plus the OS release files); running the catalogers over a tree holding only those
// paths gives the same result as over the full tree.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/fs.h"
#include "base/status.h"
#include "report/sbom.h"

namespace vigil::catalog {

struct CatalogResult {
  std::vector<report::Component> components;
  // Non-fatal problems ("/var/lib/dpkg/status:120: expected 'Field: value'"), surfaced in
  // the SBOM so a partial result is never mistaken for a clean one.
  std::vector<std::string> warnings;
  // Database files that were present and read (empty: this ecosystem is absent).
  std::vector<std::string> databases;
};

class Cataloger {
 public:
  virtual ~Cataloger() = default;
  // "dpkg", "apk", "rpm".
  virtual std::string_view name() const = 0;
  // Bumped whenever output for the same input may change; part of the layer cache key.
  virtual std::string_view version() const = 0;
  // True for the paths (absolute, normalised) this cataloger may read.
  virtual bool Wants(std::string_view path) const = 0;
  // Reads the database. An absent database is OK with an empty `databases`; a database
  // that exists but cannot be read at all is an error Status.
  virtual StatusOr<CatalogResult> Catalog(const FileSystem& fs, const report::OsInfo& os) const = 0;
  // The same packages with only their identity (name, version, arch, ecosystem) filled:
  // what layer attribution compares, without the file lists and licences that dominate a
  // full run. The default is the full Catalog().
  virtual StatusOr<CatalogResult> CatalogPackages(const FileSystem& fs,
                                                  const report::OsInfo& os) const {
    return Catalog(fs, os);
  }
};

// Every OS package cataloger, in a fixed order (dpkg, apk, rpm). Static storage.
const std::vector<const Cataloger*>& OsCatalogers();

// "dpkg/1,apk/1,rpm/1,os/1": the versions of everything the OS inventory runs, for cache
// keys.
std::string OsCatalogersFingerprint();

// The capture predicate for the image layer walk: true for every path an OS inventory may
// read. Accepts tar-style paths too ("var/lib/dpkg/status", "./etc/os-release").
bool OsCaptureWants(std::string_view path);

// True when a change to `path` (added, modified or deleted) can change which OS packages are
// installed: the dpkg status file and status.d/ entries, the apk installed database, and the
// rpm database directories. The layer walk uses it to compute AttributeLayers' touches_db
// flags from a layer's changed paths; side files (.list, copyright, os-release) change no
// package's identity and do not count. Accepts tar-style paths.
bool IsPackageDatabasePath(std::string_view path);

// Normalises a tar-style or absolute path to the absolute form Wants() expects.
std::string CapturePath(std::string_view path);

}  // namespace vigil::catalog
