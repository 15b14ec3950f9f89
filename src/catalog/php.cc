#include "catalog/php.h"

#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "base/strings.h"
#include "catalog/lang.h"
#include "catalog/purl.h"
#include "fmt/format.h"

namespace vigil::catalog {
namespace {

using nlohmann::json;

std::string Str(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// "license": ["MIT"] or "MIT".
std::vector<std::string> Licenses(const json& pkg) {
  std::vector<std::string> out;
  auto it = pkg.find("license");
  if (it == pkg.end()) return out;
  if (it->is_string() && !it->get<std::string>().empty()) out.push_back(it->get<std::string>());
  if (it->is_array()) {
    for (const json& l : *it) {
      if (l.is_string() && !l.get<std::string>().empty()) out.push_back(l.get<std::string>());
    }
  }
  return out;
}

// Adds the packages of one JSON array; `dev_names` marks dev packages.
void AddPackages(std::string_view path, const json& packages, const char* where, bool dev,
                 const std::set<std::string>& dev_names, CatalogResult* out) {
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& c : out->components) seen.emplace(c.name, c.version);
  size_t index = 0;
  for (const json& pkg : packages) {
    ++index;
    std::string name = pkg.is_object() ? Str(pkg, "name") : "";
    std::string version = pkg.is_object() ? Str(pkg, "version") : "";
    if (name.empty() || version.empty()) {
      out->warnings.push_back(fmt::format("{}: {}[{}]: package without name or version (skipped)",
                                          path, where, index - 1));
      continue;
    }
    if (!seen.emplace(name, version).second) continue;
    report::Component c;
    c.name = name;
    c.version = version;
    c.ecosystem = "composer";
    c.purl = ComposerPurl(name, version);
    c.licenses = Licenses(pkg);
    c.location = std::string(path);
    c.dev = dev || dev_names.count(name) > 0;
    out->components.push_back(std::move(c));
  }
}

json ParseJson(std::string_view path, std::string_view text, CatalogResult* out) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) out->warnings.push_back(fmt::format("{}: malformed JSON", path));
  return doc;
}

class PhpImpl : public LanguageCataloger {
 public:
  std::string_view name() const override { return "php"; }
  std::string_view version() const override { return "1"; }
  bool Wants(std::string_view path, const FileInfo& info) const override {
    return Basename(path) == "composer.lock" || EndsWith(path, "/vendor/composer/installed.json");
  }
  StatusOr<CatalogResult> CatalogFile(const FileSystem& fs, const std::string& path,
                                      const LangContext& context) const override {
    bool is_lock = Basename(path) == "composer.lock";
    if (is_lock && !context.filesystem) return CatalogResult{};
    VIGIL_ASSIGN_OR_RETURN(std::string content, fs.ReadFile(path));
    return is_lock ? ParseComposerLock(path, content) : ParseComposerInstalled(path, content);
  }
};

}  // namespace

std::string ComposerPurl(std::string_view name, std::string_view version) {
  size_t slash = name.find('/');
  if (slash == std::string_view::npos) return MakePurl("composer", "", name, version, {});
  return MakePurl("composer", name.substr(0, slash), name.substr(slash + 1), version, {});
}

CatalogResult ParseComposerInstalled(std::string_view path, std::string_view text) {
  CatalogResult out;
  out.databases.emplace_back(path);
  json doc = ParseJson(path, text, &out);
  if (doc.is_discarded()) return out;
  std::set<std::string> dev_names;
  const json* packages = nullptr;
  if (doc.is_array()) {
    packages = &doc;  // format 1
  } else if (doc.is_object()) {
    auto it = doc.find("packages");
    if (it != doc.end() && it->is_array()) packages = &*it;
    auto dev = doc.find("dev-package-names");
    if (dev != doc.end() && dev->is_array()) {
      for (const json& n : *dev) {
        if (n.is_string()) dev_names.insert(n.get<std::string>());
      }
    }
  }
  if (packages == nullptr) {
    out.warnings.push_back(
        fmt::format("{}: neither a package array nor {{\"packages\": [...]}}", path));
    return out;
  }
  AddPackages(path, *packages, "packages", false, dev_names, &out);
  return out;
}

CatalogResult ParseComposerLock(std::string_view path, std::string_view text) {
  CatalogResult out;
  out.databases.emplace_back(path);
  json doc = ParseJson(path, text, &out);
  if (doc.is_discarded()) return out;
  if (!doc.is_object()) {
    out.warnings.push_back(fmt::format("{}: not a JSON object", path));
    return out;
  }
  for (const char* key : {"packages", "packages-dev"}) {
    auto it = doc.find(key);
    if (it == doc.end() || it->is_null()) continue;
    if (!it->is_array()) {
      out.warnings.push_back(fmt::format("{}: \"{}\" is not an array", path, key));
      continue;
    }
    AddPackages(path, *it, key, std::string_view(key) == "packages-dev", {}, &out);
  }
  return out;
}

const LanguageCataloger& PhpCataloger() {
  static const PhpImpl kInstance;
  return kInstance;
}

}  // namespace vigil::catalog
