#include "catalog/dpkg.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <utility>

#include "base/strings.h"
#include "catalog/deb822.h"
#include "catalog/purl.h"
#include "fmt/format.h"

namespace vigil::catalog {
namespace {

constexpr std::string_view kStatusPath = "/var/lib/dpkg/status";
constexpr std::string_view kStatusDir = "/var/lib/dpkg/status.d";
constexpr std::string_view kInfoDir = "/var/lib/dpkg/info";
constexpr std::string_view kUpdatesDir = "/var/lib/dpkg/updates";
constexpr std::string_view kDocDir = "/usr/share/doc";
// Bounds on per-package side files: the largest real .list files are a few MB (texlive);
// copyright files rarely exceed 1 MB.
constexpr uint64_t kMaxListFile = 64ull << 20;
constexpr uint64_t kMaxCopyright = 8ull << 20;

bool StateHasFiles(std::string_view state) {
  return state == "installed" || state == "triggers-pending" || state == "triggers-awaited" ||
         state == "half-configured" || state == "unpacked";
}

bool ParseInt(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() > 18) return false;
  int64_t v = 0;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

// Splits a DEP-5 License synopsis ("GPL-2+ or Artistic-1.0") into names, appending those
// not in `seen` to `out`.
void AddLicenseNames(std::string_view synopsis, std::vector<std::string>* out,
                     std::set<std::string>* seen) {
  std::string current;
  auto flush = [&] {
    std::string name(Trim(current));
    if (!name.empty() && seen->insert(name).second) out->push_back(std::move(name));
    current.clear();
  };
  for (std::string_view word : Split(synopsis, ' ', true)) {
    bool trailing_comma = false;
    if (!word.empty() && word.back() == ',') {
      word.remove_suffix(1);
      trailing_comma = true;
    }
    if (EqualsIgnoreCase(word, "or") || EqualsIgnoreCase(word, "and")) {
      flush();
      continue;
    }
    if (!current.empty()) current += ' ';
    current += word;
    if (trailing_comma) flush();
  }
  flush();
}

std::string ReadOrEmpty(const FileSystem& fs, const std::string& path, uint64_t max,
                        std::vector<std::string>* warnings) {
  auto text = fs.ReadFile(path, max);
  if (text.ok()) return std::move(*text);
  if (!IsNotFound(text.status()) && warnings != nullptr) {
    warnings->push_back(fmt::format("dpkg: {}", text.status().message()));
  }
  return {};
}

struct Found {
  DpkgPackage pkg;
  std::string location;
};

bool AllDigits(std::string_view s) {
  return !s.empty() && s.size() <= 9 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Applies dpkg's journal (updates/<number>) over the packages read from the status file, as
// dpkg itself does when it loads its database: each entry is a whole package record that
// replaces the package's status record, or removes it when the package is not installed.
void ApplyJournal(const FileSystem& fs, std::vector<Found>* found,
                  std::vector<std::string>* warnings) {
  auto entries = fs.ListDir(kUpdatesDir);
  if (!entries.ok()) return;
  std::vector<std::pair<int, std::string>> journal;
  for (const auto& e : *entries) {
    if (AllDigits(e.name)) journal.emplace_back(std::stoi(e.name), e.name);
  }
  if (journal.empty()) return;
  std::sort(journal.begin(), journal.end());
  auto matches = [](const DpkgPackage& a, const DpkgPackage& b) {
    return a.name == b.name && (a.arch == b.arch || b.arch.empty());
  };
  for (const auto& [number, name] : journal) {
    std::string path = JoinPath(kUpdatesDir, name);
    auto text = fs.ReadFile(path, kMaxListFile);
    if (!text.ok()) {
      warnings->push_back("dpkg: " + text.status().message());
      continue;
    }
    DpkgStatusParse parse = ParseDpkgStatus(*text, path, true);
    for (const auto& w : parse.warnings) warnings->push_back("dpkg: " + w);
    for (const auto& gone : parse.excluded) {
      found->erase(std::remove_if(found->begin(), found->end(),
                                  [&](const Found& f) { return matches(f.pkg, gone); }),
                   found->end());
    }
    for (const auto& pkg : parse.packages) {
      auto it = std::find_if(found->begin(), found->end(),
                             [&](const Found& f) { return matches(f.pkg, pkg); });
      if (it != found->end()) {
        *it = Found{pkg, path};
      } else {
        found->push_back(Found{pkg, path});
      }
    }
  }
  warnings->push_back(
      fmt::format("dpkg: applied {} pending journal entries from {} (dpkg was interrupted or still "
                  "running when this filesystem was captured)",
                  journal.size(), kUpdatesDir));
}

}  // namespace

DpkgStatusParse ParseDpkgStatus(std::string_view text, std::string_view file,
                                bool status_required) {
  DpkgStatusParse out;
  for (const Deb822Paragraph& para : ParseDeb822(text, file)) {
    if (!para.error.empty()) {
      ++out.bad_paragraphs;
      out.warnings.push_back(para.error + " (paragraph skipped)");
      continue;
    }
    DpkgPackage pkg;
    pkg.line = para.line;
    pkg.name = std::string(para.FirstLine("Package"));
    pkg.version = std::string(para.FirstLine("Version"));
    pkg.status = std::string(para.FirstLine("Status"));
    if (pkg.name.empty()) {
      ++out.bad_paragraphs;
      out.warnings.push_back(
          fmt::format("{}:{}: paragraph without Package (paragraph skipped)", file, para.line));
      continue;
    }
    if (!pkg.status.empty() || status_required) {
      auto words = Split(pkg.status, ' ', true);
      if (words.size() != 3) {
        ++out.bad_paragraphs;
        out.warnings.push_back(
            fmt::format("{}:{}: package {}: malformed Status '{}' (paragraph skipped)", file,
                        para.line, pkg.name, pkg.status));
        continue;
      }
      // Checked before Version: a not-installed entry may legitimately have none.
      if (!StateHasFiles(words[2])) {
        ++out.not_installed;
        pkg.arch = std::string(para.FirstLine("Architecture"));
        out.excluded.push_back(std::move(pkg));
        continue;
      }
    }
    if (pkg.version.empty()) {
      ++out.bad_paragraphs;
      out.warnings.push_back(fmt::format("{}:{}: package {} without Version (paragraph skipped)",
                                         file, para.line, pkg.name));
      continue;
    }
    pkg.arch = std::string(para.FirstLine("Architecture"));
    pkg.maintainer = std::string(para.FirstLine("Maintainer"));
    int64_t size = -1;
    if (ParseInt(para.FirstLine("Installed-Size"), &size)) pkg.installed_size_kib = size;
    std::string_view source = Trim(para.FirstLine("Source"));
    pkg.source_name = pkg.name;
    pkg.source_version = pkg.version;
    if (!source.empty()) {
      size_t paren = source.find('(');
      if (paren == std::string_view::npos) {
        pkg.source_name = std::string(source);
      } else {
        pkg.source_name = std::string(Trim(source.substr(0, paren)));
        size_t close = source.find(')', paren);
        std::string_view v =
            Trim(source.substr(paren + 1, close == std::string_view::npos ? std::string_view::npos
                                                                          : close - paren - 1));
        if (!v.empty()) pkg.source_version = std::string(v);
        if (pkg.source_name.empty()) pkg.source_name = pkg.name;
      }
    }
    out.packages.push_back(std::move(pkg));
  }
  return out;
}

std::vector<std::string> ParseDebianCopyrightLicenses(std::string_view text) {
  std::vector<std::string> out;
  auto paragraphs = ParseDeb822(text, "copyright", Deb822Options{true});
  if (paragraphs.empty()) return out;
  const Deb822Paragraph& header = paragraphs.front();
  if (header.Find("Format") == nullptr && header.Find("Format-Specification") == nullptr) {
    return out;
  }
  std::set<std::string> seen;
  for (const auto& para : paragraphs) {
    for (const auto& field : para.fields) {
      if (!EqualsIgnoreCase(field.name, "License")) continue;
      std::string_view v = field.value;
      AddLicenseNames(Trim(v.substr(0, v.find('\n'))), &out, &seen);
    }
  }
  return out;
}

std::string DebPurl(const DpkgPackage& pkg, const report::OsInfo& os) {
  std::string ns = os.id.empty() ? "debian" : os.id;
  std::string distro;
  if (!os.version_id.empty()) {
    distro = ns + "-" + os.version_id;
  } else if (!os.codename.empty()) {
    distro = ns + "-" + os.codename;
  }
  return MakePurl("deb", ns, pkg.name, pkg.version, {{"arch", pkg.arch}, {"distro", distro}});
}

std::vector<std::string> ParseDpkgFileList(std::string_view text) {
  std::vector<std::string> entries;
  for (std::string_view line : SplitLines(text)) {
    if (line.empty() || line == "/.") continue;
    entries.emplace_back(line);
  }
  std::vector<std::string> sorted = entries;
  std::sort(sorted.begin(), sorted.end());
  std::vector<std::string> out;
  out.reserve(entries.size());
  for (const auto& e : entries) {
    std::string child_prefix = e + "/";
    auto it = std::lower_bound(sorted.begin(), sorted.end(), child_prefix);
    if (it != sorted.end() && StartsWith(*it, child_prefix)) continue;  // a directory
    out.push_back(e);
  }
  return out;
}

std::vector<std::string> ParseDpkgMd5sums(std::string_view text) {
  std::vector<std::string> out;
  for (std::string_view line : SplitLines(text)) {
    size_t sep = line.find("  ");
    if (sep == std::string_view::npos) continue;
    std::string_view path = line.substr(sep + 2);
    if (path.empty()) continue;
    out.push_back(path.front() == '/' ? std::string(path) : "/" + std::string(path));
  }
  return out;
}

bool DpkgCataloger::Wants(std::string_view path) const {
  if (path == kStatusPath || path == kStatusDir || path == kUpdatesDir) return true;
  if (StartsWith(path, kUpdatesDir) && Dirname(path) == kUpdatesDir) return true;
  if (StartsWith(path, kStatusDir) && path.size() > kStatusDir.size() &&
      path[kStatusDir.size()] == '/') {
    return true;
  }
  if (StartsWith(path, kInfoDir) && Dirname(path) == kInfoDir &&
      (EndsWith(path, ".list") || EndsWith(path, ".md5sums"))) {
    return true;
  }
  if (StartsWith(path, kDocDir) && path.size() > kDocDir.size() && path[kDocDir.size()] == '/') {
    std::string_view rest = path.substr(kDocDir.size() + 1);
    size_t slash = rest.find('/');
    // The package's doc directory itself (it may be a link to another package's) and its
    // copyright file.
    if (slash == std::string_view::npos) return !rest.empty();
    return rest.substr(slash + 1) == "copyright";
  }
  return false;
}

StatusOr<CatalogResult> DpkgCataloger::Catalog(const FileSystem& fs,
                                               const report::OsInfo& os) const {
  return Run(fs, os, true);
}

StatusOr<CatalogResult> DpkgCataloger::CatalogPackages(const FileSystem& fs,
                                                       const report::OsInfo& os) const {
  return Run(fs, os, false);
}

StatusOr<CatalogResult> DpkgCataloger::Run(const FileSystem& fs, const report::OsInfo& os,
                                           bool details) const {
  CatalogResult result;
  std::vector<Found> found;
  std::set<std::pair<std::string, std::string>> seen;  // name, arch

  auto add_parse = [&](const DpkgStatusParse& parse, const std::string& location) {
    for (const auto& w : parse.warnings) result.warnings.push_back("dpkg: " + w);
    for (const auto& pkg : parse.packages) {
      if (!seen.insert({pkg.name, pkg.arch}).second) {
        result.warnings.push_back(fmt::format("dpkg: {}:{}: duplicate package {}:{} ignored",
                                              location, pkg.line, pkg.name, pkg.arch));
        continue;
      }
      found.push_back(Found{pkg, location});
    }
  };

  if (fs.IsRegular(kStatusPath)) {
    auto text = fs.ReadFile(kStatusPath);
    if (!text.ok()) return Annotate(text.status(), "dpkg status");
    result.databases.emplace_back(kStatusPath);
    add_parse(ParseDpkgStatus(*text, kStatusPath, true), std::string(kStatusPath));
  }
  if (!result.databases.empty() && fs.IsDirectory(kUpdatesDir)) {
    ApplyJournal(fs, &found, &result.warnings);
  }
  if (fs.IsDirectory(kStatusDir)) {
    auto entries = fs.ListDir(kStatusDir);
    if (!entries.ok()) return Annotate(entries.status(), "dpkg status.d");
    result.databases.emplace_back(kStatusDir);
    for (const auto& entry : *entries) {
      if (EndsWith(entry.name, ".md5sums") || StartsWith(entry.name, ".")) continue;
      std::string path = JoinPath(kStatusDir, entry.name);
      if (!fs.IsRegular(path)) continue;
      auto text = fs.ReadFile(path, kMaxListFile);
      if (!text.ok()) {
        result.warnings.push_back("dpkg: " + text.status().message());
        continue;
      }
      add_parse(ParseDpkgStatus(*text, path, false), path);
    }
  }
  if (result.databases.empty()) return result;

  std::map<std::string, std::vector<std::string>> licence_cache;
  for (auto& [pkg, location] : found) {
    report::Component c;
    c.name = pkg.name;
    c.version = pkg.version;
    c.ecosystem = "deb";
    c.arch = pkg.arch;
    c.source_name = pkg.source_name;
    c.source_version = pkg.source_version;
    c.supplier = pkg.maintainer;
    c.location = location;
    c.purl = DebPurl(pkg, os);
    if (!details) {
      result.components.push_back(std::move(c));
      continue;
    }

    // Multi-Arch: same packages have "<name>:<arch>.list"; others "<name>.list".
    std::vector<std::string> stems;
    if (!pkg.arch.empty()) stems.push_back(pkg.name + ":" + pkg.arch);
    stems.push_back(pkg.name);
    bool have_files = false;
    for (const auto& stem : stems) {
      std::string path = JoinPath(kInfoDir, stem + ".list");
      if (!fs.IsRegular(path)) continue;
      c.files = ParseDpkgFileList(ReadOrEmpty(fs, path, kMaxListFile, &result.warnings));
      have_files = true;
      break;
    }
    if (!have_files) {
      // Distroless keeps no .list files; its md5sums list the regular files.
      std::vector<std::string> md5_paths;
      for (const auto& stem : stems) md5_paths.push_back(JoinPath(kInfoDir, stem + ".md5sums"));
      md5_paths.push_back(JoinPath(kStatusDir, pkg.name + ".md5sums"));
      for (const auto& path : md5_paths) {
        if (!fs.IsRegular(path)) continue;
        c.files = ParseDpkgMd5sums(ReadOrEmpty(fs, path, kMaxListFile, &result.warnings));
        break;
      }
    }

    std::string copyright = JoinPath(JoinPath(kDocDir, pkg.name), "copyright");
    auto cached = licence_cache.find(copyright);
    if (cached == licence_cache.end()) {
      std::vector<std::string> licences;
      if (fs.IsRegular(copyright)) {
        licences = ParseDebianCopyrightLicenses(
            ReadOrEmpty(fs, copyright, kMaxCopyright, &result.warnings));
      }
      cached = licence_cache.emplace(copyright, std::move(licences)).first;
    }
    c.licenses = cached->second;
    result.components.push_back(std::move(c));
  }
  return result;
}

}  // namespace vigil::catalog
