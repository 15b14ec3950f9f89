#include "catalog/npm.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>
#include <vector>

#include "base/strings.h"
#include "catalog/lang.h"
#include "catalog/purl.h"
#include "fmt/format.h"

namespace vigil::catalog {
namespace {

using nlohmann::json;

// An installed package.json is a few KB; the largest seen in the wild are a few hundred KB.
constexpr uint64_t kMaxPackageJson = 4ull << 20;
// Lock files of large monorepos reach tens of MB; a parsed JSON DOM costs several times the
// text, so the bound stays well below the memory of a small scanner host.
constexpr uint64_t kMaxLockFile = 64ull << 20;
// package-lock v1 nests "dependencies" once per node_modules level; real trees are a few
// dozen deep. Deeper input is hostile and is cut off with a warning.
constexpr int kMaxLockDepth = 128;
// Per-file cap on itemised line warnings; the rest are counted.
constexpr int kMaxItemisedWarnings = 10;

// npm's own limit is 214 characters; a name with whitespace or control characters cannot
// come from the registry.
bool PlausibleName(std::string_view name) {
  if (name.empty() || name.size() > 214) return false;
  return std::none_of(name.begin(), name.end(),
                      [](char c) { return static_cast<unsigned char>(c) <= ' ' || c == 0x7f; });
}

bool PlausibleVersion(std::string_view version) {
  if (version.empty() || version.size() > 256) return false;
  return std::none_of(version.begin(), version.end(),
                      [](char c) { return static_cast<unsigned char>(c) <= ' ' || c == 0x7f; });
}

// Gathers one file's packages, deduplicated on (name, version) in first-seen order. A package
// met as dev and as non-dev is not dev (something in production needs it).
class Collector {
 public:
  explicit Collector(std::string_view path) : path_(path) {}

  void Add(std::string name, std::string version, bool dev, std::vector<std::string> licenses) {
    if (!PlausibleName(name) || !PlausibleVersion(version)) {
      Warn(fmt::format("skipped an entry with an implausible name or version '{}@{}'",
                       name.substr(0, 64), version.substr(0, 64)));
      return;
    }
    auto key = std::make_pair(name, version);
    auto it = index_.find(key);
    if (it != index_.end()) {
      report::Component& c = result_.components[it->second];
      c.dev = c.dev && dev;
      if (c.licenses.empty()) c.licenses = std::move(licenses);
      return;
    }
    report::Component c;
    c.name = std::move(name);
    c.version = std::move(version);
    c.ecosystem = "npm";
    c.purl = NpmPurl(c.name, c.version);
    c.licenses = std::move(licenses);
    c.location = path_;
    c.dev = dev;
    index_.emplace(std::move(key), result_.components.size());
    result_.components.push_back(std::move(c));
  }

  // A warning about the file as a whole: "<path>: <message>".
  void Warn(std::string message) {
    result_.warnings.push_back(fmt::format("npm: {}: {}", path_, message));
  }

  // A warning about one line: the first kMaxItemisedWarnings are itemised, the rest counted.
  void WarnLine(size_t line, std::string_view message) {
    if (++line_warnings_ <= kMaxItemisedWarnings) {
      result_.warnings.push_back(fmt::format("npm: {}:{}: {}", path_, line, message));
    }
  }

  CatalogResult Finish() {
    if (line_warnings_ > kMaxItemisedWarnings) {
      Warn(fmt::format("{} more malformed lines not itemised",
                       line_warnings_ - kMaxItemisedWarnings));
    }
    return std::move(result_);
  }

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::map<std::pair<std::string, std::string>, size_t> index_;
  CatalogResult result_;
  int line_warnings_ = 0;
};

const json* Member(const json& j, std::string_view key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

std::string StringMember(const json& j, std::string_view key) {
  const json* m = Member(j, key);
  return m != nullptr && m->is_string() ? m->get<std::string>() : std::string();
}

bool TrueMember(const json& j, std::string_view key) {
  const json* m = Member(j, key);
  return m != nullptr && m->is_boolean() && m->get<bool>();
}

// "license": "MIT" | {"type": "MIT", "url": ...}; legacy "licenses": ["MIT"] |
// [{"type": "MIT"}, ...].
std::vector<std::string> NpmLicenses(const json& pkg) {
  std::vector<std::string> out;
  auto add = [&](const json& v) {
    std::string s;
    if (v.is_string()) {
      s = v.get<std::string>();
    } else if (v.is_object()) {
      s = StringMember(v, "type");
    }
    std::string_view t = Trim(s);
    if (!t.empty() && std::find(out.begin(), out.end(), t) == out.end()) out.emplace_back(t);
  };
  if (const json* l = Member(pkg, "license")) add(*l);
  if (out.empty()) {
    if (const json* ls = Member(pkg, "licenses"); ls != nullptr && ls->is_array()) {
      for (const json& v : *ls) add(v);
    } else if (ls != nullptr) {
      add(*ls);
    }
  }
  return out;
}

// Parses JSON; on failure records a warning and returns a discarded value.
json ParseJson(std::string_view text, Collector& out) {
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    out.Warn(fmt::format("malformed JSON: {}", e.what()));
    return json(json::value_t::discarded);
  }
}

// Splits "name@version" (the name may be scoped: "@babel/core@7.0.0") at the last '@' that is
// not the scope's.
bool SplitAtVersion(std::string_view spec, std::string_view* name, std::string_view* version) {
  size_t at = spec.rfind('@');
  if (at == std::string_view::npos || at == 0) return false;
  *name = spec.substr(0, at);
  *version = spec.substr(at + 1);
  return !name->empty() && !version->empty();
}

// Versions that name no registry release: local directories and links.
bool IsLocalVersion(std::string_view version) {
  return StartsWith(version, "file:") || StartsWith(version, "link:");
}

// package-lock v1: "dependencies": {name: {version, dev, dependencies: {...}}}.
void WalkLockV1(const json& deps, int depth, Collector& out, bool* too_deep) {
  if (!deps.is_object()) return;
  if (depth > kMaxLockDepth) {
    if (!*too_deep) out.Warn(fmt::format("dependencies nested deeper than {}", kMaxLockDepth));
    *too_deep = true;
    return;
  }
  for (const auto& [key, entry] : deps.items()) {
    if (!entry.is_object()) continue;
    std::string name = key;
    std::string version = StringMember(entry, "version");
    // An alias ("foo": {"version": "npm:bar@1.0.0"}) installs bar.
    if (StartsWith(version, "npm:")) {
      std::string_view n, v;
      if (SplitAtVersion(std::string_view(version).substr(4), &n, &v)) {
        name = std::string(n);
        version = std::string(v);
      }
    }
    if (!version.empty() && !IsLocalVersion(version)) {
      out.Add(std::move(name), std::move(version), TrueMember(entry, "dev"), {});
    }
    if (const json* nested = Member(entry, "dependencies")) {
      WalkLockV1(*nested, depth + 1, out, too_deep);
    }
  }
}

// package-lock v2/v3: "packages": {"": root, "node_modules/a": {...},
// "node_modules/a/node_modules/@s/b": {...}, "packages/ws": workspace source}.
void ReadLockPackages(const json& packages, Collector& out) {
  constexpr std::string_view kNodeModules = "node_modules/";
  for (const auto& [key, entry] : packages.items()) {
    if (!entry.is_object()) continue;
    size_t nm = key.rfind(kNodeModules);
    // The root project ("") and workspace sources are not installed packages; a workspace is
    // reported through the node_modules link that installs it.
    if (nm == std::string::npos || (nm != 0 && key[nm - 1] != '/')) continue;
    std::string name = key.substr(nm + kNodeModules.size());
    const json* source = &entry;
    if (TrueMember(entry, "link")) {
      std::string target = StringMember(entry, "resolved");
      const json* resolved = Member(packages, target);
      if (resolved == nullptr || !resolved->is_object()) continue;  // link out of the tree
      source = resolved;
    }
    std::string version = StringMember(*source, "version");
    if (version.empty() || IsLocalVersion(version)) continue;
    // An aliased dependency ("node_modules/foo" installing bar) records bar's name.
    std::string declared = StringMember(entry, "name");
    if (!declared.empty() && !TrueMember(entry, "link")) name = declared;
    out.Add(std::move(name), std::move(version), TrueMember(entry, "dev"), NpmLicenses(*source));
  }
}

// Removes one layer of YAML/yarn quoting.
std::string_view Unquote(std::string_view s) {
  s = Trim(s);
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front()) {
    return s.substr(1, s.size() - 2);
  }
  return s;
}

size_t Indent(std::string_view line) {
  size_t n = 0;
  while (n < line.size() && line[n] == ' ') ++n;
  return n;
}

// One entry of a yarn.lock: its header specifiers and the fields yarn writes at indent 2.
struct YarnEntry {
  size_t line = 0;
  std::vector<std::string> specs;
  std::string version;
  std::string resolution;  // berry only
  bool metadata = false;
};

void FlushYarnEntry(const YarnEntry& e, Collector& out) {
  if (e.metadata || e.specs.empty()) return;
  if (!e.resolution.empty()) {
    // Berry: "lodash@npm:4.17.15". Only registry packages count; workspace:, patch: (a
    // patched copy of a package also listed on its own), link:, portal:, file: are not
    // releases.
    size_t at = e.resolution.find('@', 1);
    if (at == std::string::npos) {
      out.WarnLine(e.line, fmt::format("unreadable resolution '{}'", e.resolution.substr(0, 80)));
      return;
    }
    std::string_view rest = std::string_view(e.resolution).substr(at + 1);
    if (!StartsWith(rest, "npm:")) return;
    std::string version = e.version.empty() ? std::string(rest.substr(4)) : e.version;
    out.Add(e.resolution.substr(0, at), std::move(version), false, {});
    return;
  }
  // Classic: the name comes from the first specifier ("lodash@^4.17.15", "@babel/core@^7.0.0",
  // split at the first '@' after a scope's); an alias ("foo@npm:bar@^1.0.0") installs bar.
  std::string_view spec = e.specs.front();
  size_t at = spec.find('@', 1);
  if (at == std::string_view::npos) {
    out.WarnLine(e.line, fmt::format("unreadable entry '{}'", spec.substr(0, 80)));
    return;
  }
  std::string_view name = spec.substr(0, at);
  std::string_view range = spec.substr(at + 1);
  if (StartsWith(range, "npm:")) {
    std::string_view real = range.substr(4);
    size_t real_at = real.find('@', 1);
    name = real.substr(0, real_at);
  }
  if (IsLocalVersion(range)) return;
  if (e.version.empty()) {
    out.WarnLine(e.line, fmt::format("entry '{}' without version", spec.substr(0, 80)));
    return;
  }
  out.Add(std::string(name), e.version, false, {});
}

// "/name/1.2.3_peer@1.0.0" (v5), "/name@1.2.3(peer@1.0.0)" (v6), "name@1.2.3" (v9).
bool SplitPnpmKey(std::string_view key, bool slash_form, std::string* name, std::string* version) {
  if (StartsWith(key, "/")) key.remove_prefix(1);
  if (slash_form) {
    size_t slash = key.rfind('/');
    if (slash == std::string_view::npos || slash == 0) return false;
    std::string_view v = key.substr(slash + 1);
    v = v.substr(0, v.find('_'));
    *name = std::string(key.substr(0, slash));
    *version = std::string(v);
  } else {
    key = key.substr(0, key.find('('));
    std::string_view n, v;
    if (!SplitAtVersion(key, &n, &v)) return false;
    *name = std::string(n);
    *version = std::string(v);
  }
  return !name->empty() && !version->empty();
}

struct PnpmEntry {
  size_t line = 0;
  std::string key;
  std::string name;
  std::string version;
  bool dev = false;
  bool has_dev = false;  // a `dev:` field was present (v5, v6)
  bool open = false;
};

struct PnpmPackage {
  std::string name;
  std::string version;
  bool dev = false;
  bool has_dev = false;
};

void FlushPnpmEntry(PnpmEntry& e, bool slash_form, Collector& out,
                    std::vector<PnpmPackage>* packages) {
  if (!e.open) return;
  e.open = false;
  std::string name, version;
  bool split = SplitPnpmKey(e.key, slash_form, &name, &version);
  if (!e.name.empty()) name = e.name;
  if (!e.version.empty()) version = e.version;
  // A tarball or git dependency without explicit fields has a URL where the version goes.
  if ((!split && (e.name.empty() || e.version.empty())) || version.find(':') != std::string::npos) {
    out.WarnLine(e.line, fmt::format("cannot tell name and version of '{}'", e.key.substr(0, 80)));
    return;
  }
  packages->push_back({std::move(name), std::move(version), e.dev, e.has_dev});
}

// "name@1.2.3(peer@1.0.0)" -> "name@1.2.3": snapshot and importer ids carry peer suffixes,
// `packages:` keys of v9 do not.
std::string_view StripPeers(std::string_view id) {
  if (StartsWith(id, "/")) id.remove_prefix(1);
  return id.substr(0, id.find('('));
}

// A YAML mapping key at the start of `s` (after indentation): quoted, or plain up to ": " or
// a trailing ':'. Returns false when `s` is not "key:" or "key: value".
bool YamlKey(std::string_view s, std::string* key, std::string_view* value) {
  if (s.empty()) return false;
  size_t end;
  if (s.front() == '"' || s.front() == '\'') {
    size_t close = s.find(s.front(), 1);
    if (close == std::string_view::npos || close + 1 >= s.size() || s[close + 1] != ':') {
      return false;
    }
    *key = std::string(s.substr(1, close - 1));
    end = close + 1;
  } else {
    size_t colon = s.find(": ");
    if (colon == std::string_view::npos) {
      if (s.back() != ':') return false;
      colon = s.size() - 1;
    }
    *key = std::string(s.substr(0, colon));
    end = colon;
  }
  *value = Trim(s.substr(end + 1));
  return true;
}

// Is `path` .../node_modules/<name>/package.json or .../node_modules/@scope/<name>/package.json?
bool IsInstalledPackageJson(std::string_view path) {
  if (Basename(path) != "package.json") return false;
  std::string_view dir = Dirname(path);  // .../node_modules/<name> or .../@scope/<name>
  std::string_view parent = Dirname(dir);
  if (Basename(parent) == "node_modules") return !StartsWith(Basename(dir), "@");
  return StartsWith(Basename(parent), "@") && Basename(Dirname(parent)) == "node_modules";
}

bool IsLockFile(std::string_view base) {
  return base == "package-lock.json" || base == "npm-shrinkwrap.json" || base == "yarn.lock" ||
         base == "pnpm-lock.yaml";
}

}  // namespace

std::string NpmPurl(std::string_view name, std::string_view version) {
  std::string_view ns;
  if (StartsWith(name, "@")) {
    size_t slash = name.find('/');
    if (slash != std::string_view::npos) {
      ns = name.substr(0, slash);
      name = name.substr(slash + 1);
    }
  }
  return MakePurl("npm", ns, name, version, {});
}

CatalogResult ParseNpmPackageJson(std::string_view path, std::string_view text) {
  Collector out(path);
  json pkg = ParseJson(text, out);
  if (pkg.is_discarded()) return out.Finish();
  if (!pkg.is_object()) {
    out.Warn("not a JSON object");
    return out.Finish();
  }
  std::string name = StringMember(pkg, "name");
  std::string version = StringMember(pkg, "version");
  if (name.empty() || version.empty()) return out.Finish();
  out.Add(std::move(name), std::move(version), false, NpmLicenses(pkg));
  return out.Finish();
}

CatalogResult ParsePackageLock(std::string_view path, std::string_view text) {
  Collector out(path);
  json lock = ParseJson(text, out);
  if (lock.is_discarded()) return out.Finish();
  if (!lock.is_object()) {
    out.Warn("not a JSON object");
    return out.Finish();
  }
  if (const json* v = Member(lock, "lockfileVersion");
      v != nullptr && v->is_number_integer() && (v->get<int64_t>() < 1 || v->get<int64_t>() > 3)) {
    out.Warn(fmt::format("unknown lockfileVersion {}; read as version 3", v->get<int64_t>()));
  }
  // lockfileVersion 2 writes both sections for old npm clients: read only "packages".
  if (const json* packages = Member(lock, "packages");
      packages != nullptr && packages->is_object()) {
    ReadLockPackages(*packages, out);
  } else if (const json* deps = Member(lock, "dependencies")) {
    bool too_deep = false;
    WalkLockV1(*deps, 0, out, &too_deep);
  }
  return out.Finish();
}

CatalogResult ParseYarnLock(std::string_view path, std::string_view text) {
  Collector out(path);
  YarnEntry entry;
  bool have_entry = false;
  size_t line_no = 0;
  for (std::string_view line : SplitLines(text)) {
    ++line_no;
    std::string_view trimmed = Trim(line);
    if (trimmed.empty() || trimmed.front() == '#') continue;
    size_t indent = Indent(line);
    if (indent == 0) {
      if (have_entry) FlushYarnEntry(entry, out);
      entry = YarnEntry{};
      have_entry = false;
      if (trimmed.back() != ':') {
        out.WarnLine(line_no, "expected an entry header ending in ':'");
        continue;
      }
      std::string header(trimmed.substr(0, trimmed.size() - 1));
      entry.line = line_no;
      have_entry = true;
      if (header == "__metadata") {
        entry.metadata = true;
        continue;
      }
      // `"a@^1", "a@^1.2"` (classic) or `"a@npm:^1, a@npm:^1.2"` (berry): quotes off, split
      // on commas.
      header.erase(std::remove(header.begin(), header.end(), '"'), header.end());
      for (std::string_view spec : Split(header, ',', true)) {
        spec = Trim(spec);
        if (!spec.empty()) entry.specs.emplace_back(spec);
      }
      continue;
    }
    if (!have_entry) {
      out.WarnLine(line_no, "indented line outside an entry");
      continue;
    }
    if (indent != 2) continue;  // dependency lists and other nested fields
    // `version "1.2.3"` (classic) or `version: 1.2.3` (berry).
    size_t sep = trimmed.find_first_of(" :");
    std::string_view key = trimmed.substr(0, sep);
    std::string_view value;
    if (sep != std::string_view::npos) {
      value = trimmed.substr(sep);
      if (StartsWith(value, ":")) value.remove_prefix(1);
      value = Unquote(value);
    }
    if (key == "version") {
      entry.version = std::string(value);
    } else if (key == "resolution") {
      entry.resolution = std::string(value);
    }
  }
  if (have_entry) FlushYarnEntry(entry, out);
  return out.Finish();
}

CatalogResult ParsePnpmLock(std::string_view path, std::string_view text) {
  Collector out(path);
  // Format version: "lockfileVersion: 5.4" or "lockfileVersion: '6.0'". Before 6 the keys are
  // "/name/version".
  bool slash_form = false;
  bool saw_version = false;
  enum class Section { kOther, kPackages, kImporters, kSnapshots } section = Section::kOther;
  PnpmEntry entry;
  std::vector<PnpmPackage> packages;
  // v9 records no dev flag: it is derived from the importers' dependency lists and the
  // snapshots' dependency edges (ids "name@version(peers)").
  std::vector<std::string> prod_roots, dev_roots;
  std::map<std::string, std::vector<std::string>, std::less<>> edges;
  std::string importer_section, importer_dep, snapshot_id;
  bool top_level_list = false;  // v5/v6: the root project's lists are top-level keys
  bool snapshot_deps = false;
  size_t line_no = 0;
  for (std::string_view line : SplitLines(text)) {
    ++line_no;
    std::string_view trimmed = Trim(line);
    if (trimmed.empty() || trimmed.front() == '#') continue;
    size_t indent = Indent(line);
    if (indent < line.size() && line[indent] == '\t') {
      out.WarnLine(line_no, "tab indentation is not YAML");
      continue;
    }
    std::string key;
    std::string_view value;
    bool is_key = YamlKey(trimmed, &key, &value);
    if (indent == 0) {
      FlushPnpmEntry(entry, slash_form, out, &packages);
      section = Section::kOther;
      if (!is_key) {
        out.WarnLine(line_no, "expected a top-level 'key:'");
        continue;
      }
      if (key == "packages") section = Section::kPackages;
      if (key == "importers") section = Section::kImporters;
      if (key == "snapshots") section = Section::kSnapshots;
      top_level_list =
          key == "dependencies" || key == "optionalDependencies" || key == "devDependencies";
      if (top_level_list) {
        section = Section::kImporters;
        importer_section = key;
      }
      if (key == "lockfileVersion") {
        saw_version = true;
        std::string_view v = Unquote(value);
        int major = 0;
        size_t i = 0;
        while (i < v.size() && i < 4 && std::isdigit(static_cast<unsigned char>(v[i]))) {
          major = major * 10 + (v[i] - '0');
          ++i;
        }
        if (i == 0) {
          out.WarnLine(line_no, fmt::format("unreadable lockfileVersion '{}'", v.substr(0, 40)));
        }
        slash_form = i > 0 && major < 6;
      }
      continue;
    }
    if (!is_key) {
      if (section == Section::kPackages && indent == 2) {
        FlushPnpmEntry(entry, slash_form, out, &packages);
        out.WarnLine(line_no, "expected a package key");
      }
      continue;
    }
    std::string_view v = Unquote(value);
    switch (section) {
      case Section::kPackages:
        if (indent == 2) {
          FlushPnpmEntry(entry, slash_form, out, &packages);
          entry = PnpmEntry{};
          entry.line = line_no;
          entry.key = std::move(key);
          entry.open = true;
        } else if (indent == 4 && entry.open) {
          if (key == "dev") {
            entry.dev = v == "true";
            entry.has_dev = true;
          } else if (key == "name") {
            entry.name = std::string(v);
          } else if (key == "version") {
            entry.version = std::string(v);
          }
        }
        break;
      case Section::kImporters: {
        // importers: <path>: <list>: <name>: {specifier, version} (v6+ monorepos, v9), or
        // <name>: <version> (v5); top-level lists: <name>: <version> (v5) or
        // <name>: {specifier, version} (v6). Only "devDependencies" roots are dev.
        auto add_root = [&](std::string_view name, std::string_view version) {
          if (version.empty() || StartsWith(version, "link:")) return;
          if (importer_section != "dependencies" && importer_section != "devDependencies" &&
              importer_section != "optionalDependencies") {
            return;  // "specifiers" and other per-importer maps
          }
          std::string id = fmt::format("{}@{}", name, version);
          (importer_section == "devDependencies" ? dev_roots : prod_roots).push_back(id);
        };
        size_t base = top_level_list ? 0 : 4;  // indentation of the list's entries, minus 2
        if (!top_level_list && indent == 4) {
          importer_section = key;
        } else if (indent == base + 2) {
          importer_dep = key;
          if (!v.empty()) add_root(key, v);
        } else if (indent == base + 4 && key == "version") {
          add_root(importer_dep, v);
        }
        break;
      }
      case Section::kSnapshots:
        if (indent == 2) {
          snapshot_id = key;
          snapshot_deps = false;
        } else if (indent == 4) {
          snapshot_deps = key == "dependencies" || key == "optionalDependencies";
        } else if (indent == 6 && snapshot_deps && !v.empty()) {
          edges[snapshot_id].push_back(fmt::format("{}@{}", key, v));
        }
        break;
      case Section::kOther:
        break;
    }
  }
  FlushPnpmEntry(entry, slash_form, out, &packages);
  if (!saw_version && !text.empty()) out.Warn("no lockfileVersion; keys read as version 6+");

  // Reachability over the snapshot graph, bounded by its size (each id visited once).
  auto reach = [&](const std::vector<std::string>& roots) {
    std::set<std::string, std::less<>> seen;
    std::set<std::string, std::less<>> packages_seen;
    std::vector<std::string> stack(roots.begin(), roots.end());
    while (!stack.empty()) {
      std::string id = std::move(stack.back());
      stack.pop_back();
      if (!seen.insert(id).second) continue;
      packages_seen.emplace(StripPeers(id));
      auto it = edges.find(id);
      if (it == edges.end()) continue;
      for (const std::string& next : it->second) {
        if (!seen.count(next)) stack.push_back(next);
      }
    }
    return packages_seen;
  };
  bool derive = !edges.empty() || !dev_roots.empty();
  std::set<std::string, std::less<>> prod, dev;
  if (derive) {
    prod = reach(prod_roots);
    dev = reach(dev_roots);
  }
  for (PnpmPackage& p : packages) {
    bool is_dev = p.dev;
    if (!p.has_dev && derive) {
      std::string id = fmt::format("{}@{}", p.name, p.version);
      is_dev = !prod.count(id) && dev.count(id);
    }
    out.Add(std::move(p.name), std::move(p.version), is_dev, {});
  }
  return out.Finish();
}

namespace {

class NpmImpl : public LanguageCataloger {
 public:
  std::string_view name() const override { return "npm"; }
  std::string_view version() const override { return "1"; }

  bool Wants(std::string_view path, const FileInfo& info) const override {
    (void)info;
    std::string_view base = Basename(path);
    if (base == "package.json") return IsInstalledPackageJson(path);
    // Lock files shipped inside installed packages describe those packages' development,
    // not what is installed here.
    return IsLockFile(base) && path.find("/node_modules/") == std::string_view::npos;
  }

  StatusOr<CatalogResult> CatalogFile(const FileSystem& fs, const std::string& path,
                                      const LangContext& context) const override {
    std::string_view base = Basename(path);
    if (base == "package.json") {
      VIGIL_ASSIGN_OR_RETURN(std::string text, fs.ReadFile(path, kMaxPackageJson));
      return ParseNpmPackageJson(path, text);
    }
    // Images are cataloged from what is installed; lock files only describe a build.
    if (!context.filesystem) return CatalogResult{};
    VIGIL_ASSIGN_OR_RETURN(std::string text, fs.ReadFile(path, kMaxLockFile));
    CatalogResult result;
    if (base == "yarn.lock") {
      result = ParseYarnLock(path, text);
    } else if (base == "pnpm-lock.yaml") {
      result = ParsePnpmLock(path, text);
    } else {
      result = ParsePackageLock(path, text);
    }
    result.databases.push_back(path);
    return result;
  }
};

}  // namespace

const LanguageCataloger& NpmCataloger() {
  static const NpmImpl kInstance;
  return kInstance;
}

}  // namespace vigil::catalog
