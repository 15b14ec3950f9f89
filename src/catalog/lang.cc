#include "catalog/lang.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include "base/strings.h"
#include "fmt/format.h"

namespace vigil::catalog {
namespace {

// Trees that never hold installed packages; walking them (a host's /proc) would be slow
// and could block on special files.
bool SkipDirectory(std::string_view path) {
  static constexpr std::string_view kSkipped[] = {"/proc", "/sys", "/dev"};
  for (std::string_view s : kSkipped) {
    if (path == s) return true;
  }
  std::string_view base = path.substr(path.rfind('/') + 1);
  return base == ".git" || base == ".svn" || base == ".hg";
}

std::string ParentDir(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos || slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

}  // namespace

const std::vector<const LanguageCataloger*>& LanguageCatalogers() {
  static const std::vector<const LanguageCataloger*> kAll = {
      &NpmCataloger(),  &PythonCataloger(), &GoCataloger(),  &JavaCataloger(),
      &RubyCataloger(), &RustCataloger(),   &PhpCataloger(),
  };
  return kAll;
}

std::string LanguageCatalogersFingerprint() {
  std::vector<std::string> parts;
  for (const LanguageCataloger* c : LanguageCatalogers()) {
    parts.push_back(fmt::format("{}/{}", c->name(), c->version()));
  }
  return Join(parts, ",");
}

bool LanguageCaptureWants(std::string_view path, const FileInfo& info) {
  for (const LanguageCataloger* c : LanguageCatalogers()) {
    if (c->Wants(path, info)) return true;
  }
  return false;
}

bool LanguageCaptureReduce(std::string_view path, const FileInfo& info, std::string& content) {
  for (const LanguageCataloger* c : LanguageCatalogers()) {
    if (c->Wants(path, info)) return c->Reduce(path, content);
  }
  return true;
}

StatusOr<CatalogResult> CatalogLanguages(const FileSystem& fs, const LangContext& context,
                                         std::string_view root,
                                         const std::vector<const LanguageCataloger*>& given) {
  const std::vector<const LanguageCataloger*>& catalogers =
      given.empty() ? LanguageCatalogers() : given;
  CatalogResult out;
  std::vector<std::pair<std::string, const LanguageCataloger*>> work;
  Status walked = Walk(
      fs, root,
      [&](const std::string& path, const FileInfo& info) {
        if (info.type == FileType::kDirectory) return !SkipDirectory(path);
        if (info.type != FileType::kRegular) return true;
        for (const LanguageCataloger* c : catalogers) {
          if (c->Wants(path, info)) work.emplace_back(path, c);
        }
        return true;
      },
      [&](const std::string& path, const Status& status) {
        out.warnings.push_back(fmt::format("{}: {}", path, status.message()));
      });
  if (!walked.ok()) return walked;
  std::set<std::string> databases;
  for (const auto& [path, cataloger] : work) {
    auto result = cataloger->CatalogFile(fs, path, context);
    if (!result.ok()) {
      // A file the layer walk saw but did not capture (too large) lands here too.
      out.warnings.push_back(
          fmt::format("{} cataloger: {}: {}", cataloger->name(), path, result.status().message()));
      continue;
    }
    for (auto& w : result->warnings) out.warnings.push_back(std::move(w));
    for (auto& d : result->databases) databases.insert(std::move(d));
    for (auto& c : result->components) out.components.push_back(std::move(c));
  }
  out.databases.assign(databases.begin(), databases.end());
  std::sort(out.components.begin(), out.components.end(),
            [](const report::Component& a, const report::Component& b) {
              return std::tie(a.ecosystem, a.name, a.version, a.location) <
                     std::tie(b.ecosystem, b.name, b.version, b.location);
            });
  return out;
}

int AssignOsOwners(std::vector<report::Component>& language,
                   const std::vector<report::Component>& os, const FileSystem& fs) {
  if (language.empty()) return 0;
  // OS file lists are long (tens of thousands of paths) and language packages few, so the
  // lists are indexed by base name and only the candidates sharing a base name with a
  // language package's file are resolved. Package lists name paths as the package shipped
  // them (/bin/x), which merged-/usr trees reach through a link (/usr/bin/x): comparing the
  // resolved forms catches both.
  std::unordered_multimap<std::string_view, std::pair<std::string_view, const report::Component*>>
      by_base;
  for (const report::Component& pkg : os) {
    for (const std::string& file : pkg.files) {
      std::string_view path = file;
      by_base.emplace(path.substr(path.rfind('/') + 1), std::make_pair(path, &pkg));
    }
  }
  if (by_base.empty()) return 0;
  auto resolved = [&](std::string_view path) {
    auto r = fs.Resolve(path, /*follow_final=*/false);
    return r.ok() ? *r : std::string(path);
  };
  auto owner_of = [&](const std::string& path) -> const report::Component* {
    std::string canonical = resolved(path);
    std::string_view base = std::string_view(path).substr(path.rfind('/') + 1);
    auto [begin, end] = by_base.equal_range(base);
    for (auto it = begin; it != end; ++it) {
      if (it->second.first == path || resolved(it->second.first) == canonical) {
        return it->second.second;
      }
    }
    return nullptr;
  };
  int owned = 0;
  for (report::Component& c : language) {
    if (c.location.empty() || !c.owner_purl.empty()) continue;
    // Nested archives ("a.jar!/b.jar") are owned through their outermost file.
    std::string path = c.location.substr(0, c.location.find('!'));
    const report::Component* owner = owner_of(path);
    if (owner == nullptr &&
        (EndsWith(ParentDir(path), ".dist-info") || EndsWith(ParentDir(path), ".egg-info"))) {
      owner = owner_of(ParentDir(path));
    }
    if (owner == nullptr) continue;
    c.owner_purl = owner->purl;
    ++owned;
  }
  return owned;
}

}  // namespace vigil::catalog
