#include "catalog/apk.h"

#include <cctype>
#include <utility>

#include "base/strings.h"
#include "catalog/purl.h"
#include "fmt/format.h"

namespace vigil::catalog {
namespace {

// apk-tools' database; usr-merged apk systems (apk-tools 3 on Chimera, postmarketOS) may
// keep it only under /usr/lib.
constexpr std::string_view kInstalledPaths[] = {"/lib/apk/db/installed",
                                                "/usr/lib/apk/db/installed"};
// Only the first few malformed lines are itemised; the count covers the rest.
constexpr int kMaxItemisedWarnings = 10;

}  // namespace

ApkInstalledParse ParseApkInstalled(std::string_view text, std::string_view file) {
  ApkInstalledParse out;
  ApkPackage current;
  bool open = false;
  std::string dir;  // the current F: directory, without leading or trailing '/'
  auto close = [&] {
    if (open) {
      if (current.name.empty() || current.version.empty()) {
        ++out.bad_paragraphs;
        out.warnings.push_back(fmt::format("{}:{}: package without {} (skipped)", file,
                                           current.line, current.name.empty() ? "P:" : "V:"));
      } else {
        out.packages.push_back(std::move(current));
      }
    }
    current = ApkPackage{};
    dir.clear();
    open = false;
  };
  int line_no = 0;
  for (std::string_view line : SplitLines(text)) {
    ++line_no;
    if (Trim(line).empty()) {
      close();
      continue;
    }
    if (!open) {
      open = true;
      current.line = line_no;
    }
    if (line.size() < 2 || line[1] != ':' || !std::isalpha(static_cast<unsigned char>(line[0]))) {
      if (++out.bad_lines <= kMaxItemisedWarnings) {
        out.warnings.push_back(
            fmt::format("{}:{}: expected 'X:value' (line skipped)", file, line_no));
      }
      continue;
    }
    std::string_view value = line.substr(2);
    switch (line[0]) {
      case 'P':
        current.name = std::string(value);
        break;
      case 'V':
        current.version = std::string(value);
        break;
      case 'A':
        current.arch = std::string(value);
        break;
      case 'o':
        current.origin = std::string(value);
        break;
      case 'L':
        current.license = std::string(value);
        break;
      case 'm':
        current.maintainer = std::string(value);
        break;
      case 'F': {
        std::string_view d = value;
        while (!d.empty() && d.front() == '/') d.remove_prefix(1);
        while (!d.empty() && d.back() == '/') d.remove_suffix(1);
        dir = std::string(d);
        break;
      }
      case 'R':
        if (!value.empty()) {
          current.files.push_back(dir.empty() ? fmt::format("/{}", value)
                                              : fmt::format("/{}/{}", dir, value));
        }
        break;
      default:
        break;
    }
  }
  close();
  if (out.bad_lines > kMaxItemisedWarnings) {
    out.warnings.push_back(fmt::format("{}: {} malformed lines in all", file, out.bad_lines));
  }
  return out;
}

std::string ApkPurl(const ApkPackage& pkg, const report::OsInfo& os) {
  std::string ns = os.id.empty() ? "alpine" : os.id;
  std::string distro = os.version_id.empty() ? std::string() : ns + "-" + os.version_id;
  return MakePurl("apk", ns, pkg.name, pkg.version, {{"arch", pkg.arch}, {"distro", distro}});
}

bool ApkCataloger::Wants(std::string_view path) const {
  for (std::string_view p : kInstalledPaths) {
    if (path == p) return true;
  }
  return false;
}

StatusOr<CatalogResult> ApkCataloger::Catalog(const FileSystem& fs,
                                              const report::OsInfo& os) const {
  CatalogResult result;
  std::string db;
  for (std::string_view p : kInstalledPaths) {
    if (fs.IsRegular(p)) {
      db = std::string(p);
      break;
    }
  }
  if (db.empty()) return result;
  auto text = fs.ReadFile(db);
  if (!text.ok()) return Annotate(text.status(), "apk installed database");
  result.databases.push_back(db);
  ApkInstalledParse parse = ParseApkInstalled(*text, db);
  for (auto& w : parse.warnings) result.warnings.push_back("apk: " + w);
  for (auto& pkg : parse.packages) {
    report::Component c;
    c.name = pkg.name;
    c.version = pkg.version;
    c.ecosystem = "apk";
    c.arch = pkg.arch;
    c.purl = ApkPurl(pkg, os);
    if (!pkg.license.empty()) c.licenses.push_back(pkg.license);
    c.source_name = pkg.origin.empty() ? pkg.name : pkg.origin;
    // An origin builds all its subpackages at its own version.
    c.source_version = pkg.version;
    c.supplier = pkg.maintainer;
    c.location = db;
    c.files = std::move(pkg.files);
    result.components.push_back(std::move(c));
  }
  return result;
}

}  // namespace vigil::catalog
