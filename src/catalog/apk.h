// The apk cataloger: Alpine (and Wolfi/Chainguard-style apk) packages from
// /lib/apk/db/installed (or /usr/lib/apk/db/installed on usr-merged apk systems).
//
// Format (apk-tools' installed database, the same letters as APKINDEX): paragraphs
// separated by blank lines, one "X:value" line each. Used here: P name, V version, A arch,
// o origin (source package), L licence, m maintainer, F directory (relative to /), R file in
// the last F directory. Others (C checksum, T, U, S, I, D, p, M, a, Z, r, q, c, t, k, ...)
// are skipped. Everything present in the file is installed: apk keeps no removed entries.
//
// Bad input: a line that is not "X:value" is counted and skipped; a paragraph without P or V
// is skipped with a warning naming file and line. Never a crash.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "catalog/cataloger.h"

namespace vigil::catalog {

struct ApkPackage {
  std::string name;
  std::string version;
  std::string arch;
  std::string origin;              // o:, the source package; empty when absent
  std::string license;             // L:, as declared (an SPDX expression on current Alpine)
  std::string maintainer;          // m:
  std::vector<std::string> files;  // absolute paths from F:/R:
  int line = 0;
};

struct ApkInstalledParse {
  std::vector<ApkPackage> packages;
  std::vector<std::string> warnings;
  int bad_lines = 0;
  int bad_paragraphs = 0;
};

ApkInstalledParse ParseApkInstalled(std::string_view text, std::string_view file);

// pkg:apk/<id>/<name>@<version>?arch=<arch>&distro=<id>-<version_id>.
std::string ApkPurl(const ApkPackage& pkg, const report::OsInfo& os);

class ApkCataloger : public Cataloger {
 public:
  std::string_view name() const override { return "apk"; }
  std::string_view version() const override { return "1"; }
  bool Wants(std::string_view path) const override;
  StatusOr<CatalogResult> Catalog(const FileSystem& fs, const report::OsInfo& os) const override;
};

}  // namespace vigil::catalog
