// The dpkg cataloger: Debian and Ubuntu packages from /var/lib/dpkg/status and, for
// distroless images, one file per package under /var/lib/dpkg/status.d/.
//
// Which packages count: a package is reported when its files are on disk, i.e. when the
// third word of "Status: <want> <flag> <state>" is installed, triggers-pending,
// triggers-awaited, half-configured or unpacked. The want word (install, hold, deinstall,
// purge) is ignored: "deinstall ok installed" is still installed. Excluded, and counted:
// config-files (removed; only its conffiles remain, so no code of it is present),
// half-installed (an interrupted unpack or removal: its files are in an unknown state),
// not-installed. dpkg's journal (/var/lib/dpkg/updates/<number>, one package record each,
// left by an interrupted or running dpkg and applied by dpkg-query) is applied over the
// status file in numeric order, with a warning. Files in status.d/ carry no Status field in
// distroless images; there every paragraph is installed (the directory holds only installed
// packages).
//
// Bad input: a malformed paragraph, or one without Package/Version, is skipped and reported
// as a warning naming file and line (dpkg itself refuses a corrupt database; a scanner must
// still report the rest, and must say it did so). Never a crash, never a silent drop.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/cataloger.h"

namespace vigil::catalog {

struct DpkgPackage {
  std::string name;
  std::string version;         // as written, with epoch ("1:2.36.1-8")
  std::string arch;            // "amd64", "all"
  std::string source_name;     // Source: name, else the package name
  std::string source_version;  // "(version)" of Source:, else the package version
  std::string maintainer;
  std::string status;               // the raw Status field; empty in status.d files
  int64_t installed_size_kib = -1;  // Installed-Size, -1 when absent or malformed
  int line = 0;                     // where the paragraph starts
};

struct DpkgStatusParse {
  std::vector<DpkgPackage> packages;  // installed ones only, in file order
  std::vector<std::string> warnings;  // "file:line: reason" for every skipped bad paragraph
  int bad_paragraphs = 0;
  int not_installed = 0;  // paragraphs excluded by their Status state
  // Those excluded paragraphs' packages (name, arch, status, line): a journal entry in
  // /var/lib/dpkg/updates/ that says "not installed" removes the package from the status.
  std::vector<DpkgPackage> excluded;
};

// Parses dpkg status text. `status_required`: true for /var/lib/dpkg/status (a paragraph
// without Status is bad), false for status.d/ files (no Status means installed).
DpkgStatusParse ParseDpkgStatus(std::string_view text, std::string_view file,
                                bool status_required = true);

// Licences of a /usr/share/doc/<pkg>/copyright file: the distinct short names of every
// License: field of a machine-readable (DEP-5) file, in order of first appearance, an
// "A or B" / "A and B" synopsis split into its names. A file that is not DEP-5 (its first
// paragraph has no Format: field) yields nothing: free text is not guessed at.
std::vector<std::string> ParseDebianCopyrightLicenses(std::string_view text);

// pkg:deb/<debian|ubuntu|id>/<name>@<version>?arch=<arch>&distro=<id>-<version_id>.
std::string DebPurl(const DpkgPackage& pkg, const report::OsInfo& os);

// The paths of the files a package owns, from a dpkg info/*.list file (one absolute path a
// line). Directories are dropped (an entry that is the parent of another entry), as is "/.".
std::vector<std::string> ParseDpkgFileList(std::string_view text);
// The same from a *.md5sums file ("<md5>  <path without leading slash>").
std::vector<std::string> ParseDpkgMd5sums(std::string_view text);

class DpkgCataloger : public Cataloger {
 public:
  std::string_view name() const override { return "dpkg"; }
  std::string_view version() const override { return "1"; }
  bool Wants(std::string_view path) const override;
  StatusOr<CatalogResult> Catalog(const FileSystem& fs, const report::OsInfo& os) const override;
  StatusOr<CatalogResult> CatalogPackages(const FileSystem& fs,
                                          const report::OsInfo& os) const override;

 private:
  // `details`: read file lists and copyright licences too.
  StatusOr<CatalogResult> Run(const FileSystem& fs, const report::OsInfo& os, bool details) const;
};

}  // namespace vigil::catalog
