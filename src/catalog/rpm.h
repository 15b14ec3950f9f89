// The rpm cataloger: RHEL/Fedora/CentOS/Rocky/Alma/openSUSE/Amazon packages from the rpm
// database, read through librpm (librpm-dev) rather than a reimplementation of its formats.
//
// librpm opens databases on the host's disk only, so the database directory's files
// (/usr/lib/sysimage/rpm/* or /var/lib/rpm/*: rpmdb.sqlite[-wal], Packages, Packages.db,
// ...) are copied out of the FileSystem into a private temporary directory and librpm is
// pointed at it with %_dbpath; the image itself is never opened by librpm and never written.
// The backend is chosen from the file present: rpmdb.sqlite -> sqlite, Packages.db -> ndb,
// Packages -> bdb_ro (Berkeley DB, read-only: Debian's librpm 4.18 has no read-write bdb).
// A backend this librpm lacks (ndb on Debian 12) is an Unimplemented error, never an empty
// result.
//
// Thread-safety: librpm keeps global state (macro context, config, log callback), so every
// librpm call is serialised behind one process-wide mutex; Catalog() may be called from any
// thread, but rpm databases are read one at a time.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "catalog/cataloger.h"

namespace vigil::catalog {

struct RpmPackage {
  std::string name;
  int64_t epoch = -1;  // -1: no EPOCH tag
  std::string version;
  std::string release;
  std::string arch;
  std::string source_rpm;  // "bash-5.1.8-6.el9.src.rpm"
  std::string license;
  std::string vendor;
  std::vector<std::string> files;  // regular files, links, etc.; directories excluded
};

// "bash-5.1.8-6.el9.src.rpm" -> {"bash", "5.1.8-6.el9"}; false when not of that form.
bool ParseSourceRpm(std::string_view source_rpm, std::string* name, std::string* version);

// The purl namespace for a vendor string or OS id: "Red Hat, Inc." or "rhel" -> "redhat".
std::string RpmNamespace(std::string_view vendor, const report::OsInfo& os);

// pkg:rpm/<ns>/<name>@<version>-<release>?arch=..&epoch=..&distro=<id>-<version_id>.
std::string RpmPurl(const RpmPackage& pkg, const report::OsInfo& os);

// Reads every package of the rpm database in host directory `dbpath`, through librpm.
StatusOr<std::vector<RpmPackage>> ReadRpmDatabase(const std::string& dbpath,
                                                  std::vector<std::string>* warnings);

// True when this build links librpm.
bool HaveLibrpm();

class RpmCataloger : public Cataloger {
 public:
  std::string_view name() const override { return "rpm"; }
  std::string_view version() const override { return "1"; }
  bool Wants(std::string_view path) const override;
  StatusOr<CatalogResult> Catalog(const FileSystem& fs, const report::OsInfo& os) const override;
};

}  // namespace vigil::catalog
