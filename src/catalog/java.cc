#include "catalog/java.h"

#include <archive.h>
#include <archive_entry.h>

#include <cctype>
#include <memory>
#include <optional>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include "base/strings.h"
#include "catalog/lang.h"
#include "catalog/purl.h"
#include "fmt/format.h"

namespace vigil::catalog {
namespace {

struct Budget {
  uint64_t entries = 0;
  uint64_t bytes = 0;
  bool exhausted = false;
};

struct ArchiveDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};

// "commons-lang3-3.12.0.jar" -> {"commons-lang3", "3.12.0"}: the version starts at the
// first '-' followed by a digit. No such '-': the whole stem is the artifact.
std::pair<std::string, std::string> SplitFileName(std::string_view location) {
  std::string_view base = location.substr(location.find_last_of("/!") + 1);
  size_t dot = base.rfind('.');
  if (dot != std::string_view::npos) base = base.substr(0, dot);
  for (size_t i = 0; i + 1 < base.size(); ++i) {
    if (base[i] == '-' && std::isdigit(static_cast<unsigned char>(base[i + 1]))) {
      return {std::string(base.substr(0, i)), std::string(base.substr(i + 1))};
    }
  }
  return {std::string(base), ""};
}

std::string Get(const std::map<std::string, std::string>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? std::string() : it->second;
}

// "Apache-2.0;link=https://...,MIT" -> {"Apache-2.0", "MIT"}.
std::vector<std::string> BundleLicenses(std::string_view value) {
  std::vector<std::string> out;
  for (std::string_view part : Split(value, ',', true)) {
    std::string_view name = Trim(part.substr(0, part.find(';')));
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
      name = Trim(name.substr(1, name.size() - 2));
    }
    if (!name.empty()) out.emplace_back(name);
  }
  return out;
}

report::Component MavenComponent(std::string_view location, const std::string& group,
                                 const std::string& artifact, const std::string& version) {
  report::Component c;
  c.name = group + ":" + artifact;
  c.version = version;
  c.ecosystem = "maven";
  c.purl = MavenPurl(group, artifact, version);
  c.location = std::string(location);
  return c;
}

bool IsPomProperties(std::string_view name) {
  return StartsWith(name, "META-INF/maven/") && EndsWith(name, "/pom.properties");
}

class Scanner {
 public:
  Scanner(const JavaArchiveLimits& limits, CatalogResult* out) : limits_(limits), out_(out) {}

  void Scan(const std::string& location, std::string_view data, int depth) {
    std::unique_ptr<archive, ArchiveDeleter> a(archive_read_new());
    if (!a) {
      Warn(location, "cannot allocate an archive reader");
      return;
    }
    archive_read_support_format_zip(a.get());
    if (archive_read_open_memory(a.get(), data.data(), data.size()) != ARCHIVE_OK) {
      Warn(location, fmt::format("not a zip archive: {}", ErrorOf(a.get())));
      return;
    }
    std::vector<std::map<std::string, std::string>> poms;
    std::map<std::string, std::string> manifest;
    while (true) {
      archive_entry* entry = nullptr;
      int rc = archive_read_next_header(a.get(), &entry);
      if (rc == ARCHIVE_EOF) break;
      if (rc == ARCHIVE_RETRY) continue;
      if (rc < ARCHIVE_WARN) {
        Warn(location, fmt::format("unreadable archive: {}", ErrorOf(a.get())));
        break;
      }
      if (++budget_.entries > limits_.max_entries) {
        Exhausted(location, fmt::format("more than {} entries", limits_.max_entries));
        break;
      }
      if (archive_entry_filetype(entry) != AE_IFREG) continue;
      const char* raw_name = archive_entry_pathname(entry);
      if (raw_name == nullptr) continue;
      std::string name = raw_name;
      bool is_pom = IsPomProperties(name);
      bool is_manifest = EqualsIgnoreCase(name, "META-INF/MANIFEST.MF");
      bool is_nested = IsJavaArchiveName(name) && depth < limits_.max_depth;
      if (!is_pom && !is_manifest && !is_nested) continue;
      uint64_t limit = is_nested ? limits_.max_nested_bytes : limits_.max_metadata_bytes;
      std::string content;
      if (!ReadEntry(a.get(), location, name, limit, &content)) {
        if (budget_.exhausted) break;
        continue;
      }
      if (is_pom) {
        poms.push_back(ParsePomProperties(content));
      } else if (is_manifest) {
        manifest = ParseJarManifest(content);
      } else {
        // Scanned right away, so at most one nested archive per level is in memory.
        Scan(location + "!/" + name, content, depth + 1);
        if (budget_.exhausted) break;
      }
    }
    Emit(location, poms, manifest);
  }

 private:
  static std::string ErrorOf(archive* a) {
    const char* e = archive_error_string(a);
    return e != nullptr ? e : "unknown error";
  }

  void Warn(const std::string& location, const std::string& what) {
    out_->warnings.push_back(fmt::format("{}: {}", location, what));
  }

  void Exhausted(const std::string& location, const std::string& what) {
    budget_.exhausted = true;
    Warn(location, what + " (limit reached; the rest of the archive is not cataloged)");
  }

  // Reads the current entry into `content`, at most `limit` bytes. False (with a warning)
  // when it is larger, unreadable or the total budget runs out.
  bool ReadEntry(archive* a, const std::string& location, const std::string& name, uint64_t limit,
                 std::string* content) {
    char buf[65536];
    while (true) {
      la_ssize_t n = archive_read_data(a, buf, sizeof(buf));
      if (n == 0) return true;
      if (n < 0) {
        Warn(location, fmt::format("{}: {}", name, ErrorOf(a)));
        return false;
      }
      budget_.bytes += static_cast<uint64_t>(n);
      if (budget_.bytes > limits_.max_total_bytes) {
        Exhausted(location,
                  fmt::format("more than {} bytes decompressed", limits_.max_total_bytes));
        return false;
      }
      if (content->size() + static_cast<uint64_t>(n) > limit) {
        Warn(location, fmt::format("{}: larger than {} bytes (skipped)", name, limit));
        return false;
      }
      content->append(buf, static_cast<size_t>(n));
    }
  }

  void Emit(const std::string& location,
            const std::vector<std::map<std::string, std::string>>& poms,
            const std::map<std::string, std::string>& manifest) {
    auto [file_artifact, file_version] = SplitFileName(location);
    std::vector<std::string> licenses = BundleLicenses(Get(manifest, "Bundle-License"));
    std::set<std::tuple<std::string, std::string>> seen;
    std::vector<report::Component> found;
    for (const auto& pom : poms) {
      std::string group = Get(pom, "groupId"), artifact = Get(pom, "artifactId"),
                  version = Get(pom, "version");
      if (group.empty() || artifact.empty() || version.empty()) {
        Warn(location, "pom.properties without groupId, artifactId or version (skipped)");
        continue;
      }
      if (!seen.emplace(group + ":" + artifact, version).second) continue;
      found.push_back(MavenComponent(location, group, artifact, version));
    }
    if (!found.empty()) {
      // The manifest's licence is the archive's own: the single pom.properties, or the one
      // named like the file (a fat jar carries the poms of everything shaded into it).
      for (auto& c : found) {
        if (found.size() == 1 || c.name.substr(c.name.find(':') + 1) == file_artifact) {
          c.licenses = licenses;
        }
      }
    } else if (!manifest.empty()) {
      std::string group = Get(manifest, "Implementation-Vendor-Id");
      std::string symbolic = std::string(Trim(Get(manifest, "Bundle-SymbolicName")));
      symbolic = std::string(Trim(symbolic.substr(0, symbolic.find(';'))));
      if (group.empty() && !symbolic.empty()) {
        group = symbolic;
        // "com.fasterxml.jackson.core.jackson-databind" names group and artifact at once.
        if (!file_artifact.empty() && EndsWith(group, "." + file_artifact)) {
          group.resize(group.size() - file_artifact.size() - 1);
        }
      }
      std::string version = Get(manifest, "Implementation-Version");
      if (version.empty()) version = Get(manifest, "Bundle-Version");
      if (version.empty()) version = file_version;
      if (!group.empty() && !version.empty() && !file_artifact.empty()) {
        found.push_back(MavenComponent(location, group, file_artifact, version));
        found.back().licenses = licenses;
      }
    }
    for (auto& c : found) out_->components.push_back(std::move(c));
  }

  const JavaArchiveLimits& limits_;
  CatalogResult* out_;
  Budget budget_;
};

la_ssize_t AppendToString(archive*, void* client, const void* buffer, size_t length) {
  static_cast<std::string*>(client)->append(static_cast<const char*>(buffer), length);
  return static_cast<la_ssize_t>(length);
}

// Copies into `out` (an uncompressed zip) only the entries CatalogJavaArchive reads, with
// nested archives rewritten the same way. Nullopt on anything unexpected; the caller then
// keeps the original.
std::optional<std::string> RewriteArchive(std::string_view data, int depth,
                                          const JavaArchiveLimits& limits) {
  std::unique_ptr<archive, ArchiveDeleter> in(archive_read_new());
  if (!in) return std::nullopt;
  archive_read_support_format_zip(in.get());
  if (archive_read_open_memory(in.get(), data.data(), data.size()) != ARCHIVE_OK) {
    return std::nullopt;
  }
  std::string out;
  std::unique_ptr<archive, int (*)(archive*)> w(archive_write_new(), archive_write_free);
  if (!w || archive_write_set_format_zip(w.get()) != ARCHIVE_OK ||
      archive_write_set_options(w.get(), "zip:compression=store") != ARCHIVE_OK ||
      // No padding to libarchive's default 10 KiB tape blocks.
      archive_write_set_bytes_per_block(w.get(), 0) != ARCHIVE_OK ||
      archive_write_set_bytes_in_last_block(w.get(), 1) != ARCHIVE_OK ||
      archive_write_open2(w.get(), &out, nullptr, AppendToString, nullptr, nullptr) != ARCHIVE_OK) {
    return std::nullopt;
  }
  char buf[65536];
  while (true) {
    archive_entry* entry = nullptr;
    int rc = archive_read_next_header(in.get(), &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK) return std::nullopt;
    if (archive_entry_filetype(entry) != AE_IFREG) continue;
    const char* raw_name = archive_entry_pathname(entry);
    if (raw_name == nullptr) continue;
    std::string name = raw_name;
    bool is_nested = IsJavaArchiveName(name) && depth < limits.max_depth;
    if (!IsPomProperties(name) && !EqualsIgnoreCase(name, "META-INF/MANIFEST.MF") && !is_nested) {
      continue;
    }
    uint64_t limit = is_nested ? limits.max_nested_bytes : limits.max_metadata_bytes;
    std::string content;
    while (true) {
      la_ssize_t n = archive_read_data(in.get(), buf, sizeof(buf));
      if (n == 0) break;
      if (n < 0 || content.size() + static_cast<uint64_t>(n) > limit) return std::nullopt;
      content.append(buf, static_cast<size_t>(n));
    }
    if (is_nested) {
      auto nested = RewriteArchive(content, depth + 1, limits);
      if (!nested) return std::nullopt;
      content = std::move(*nested);
    }
    std::unique_ptr<archive_entry, void (*)(archive_entry*)> e(archive_entry_new(),
                                                               archive_entry_free);
    archive_entry_set_pathname(e.get(), name.c_str());
    archive_entry_set_filetype(e.get(), AE_IFREG);
    archive_entry_set_perm(e.get(), 0644);
    archive_entry_set_size(e.get(), static_cast<la_int64_t>(content.size()));
    if (archive_write_header(w.get(), e.get()) != ARCHIVE_OK ||
        archive_write_data(w.get(), content.data(), content.size()) < 0) {
      return std::nullopt;
    }
  }
  if (archive_write_close(w.get()) != ARCHIVE_OK) return std::nullopt;
  return out;
}

bool SameResult(const CatalogResult& a, const CatalogResult& b) {
  if (a.warnings != b.warnings || a.components.size() != b.components.size()) return false;
  for (size_t i = 0; i < a.components.size(); ++i) {
    const report::Component& x = a.components[i];
    const report::Component& y = b.components[i];
    if (std::tie(x.name, x.version, x.purl, x.licenses, x.location) !=
        std::tie(y.name, y.version, y.purl, y.licenses, y.location)) {
      return false;
    }
  }
  return true;
}

class JavaImpl : public LanguageCataloger {
 public:
  std::string_view name() const override { return "java"; }
  std::string_view version() const override { return "1"; }
  bool Wants(std::string_view path, const FileInfo& info) const override {
    return IsJavaArchiveName(path);
  }
  bool Reduce(std::string_view path, std::string& content) const override {
    ReduceJavaArchive(path, content);
    return true;
  }
  StatusOr<CatalogResult> CatalogFile(const FileSystem& fs, const std::string& path,
                                      const LangContext& context) const override {
    VIGIL_ASSIGN_OR_RETURN(std::string content, fs.ReadFile(path));
    return CatalogJavaArchive(path, content);
  }
};

}  // namespace

bool IsJavaArchiveName(std::string_view path) {
  size_t dot = path.rfind('.');
  if (dot == std::string_view::npos || path.size() - dot != 4) return false;
  std::string ext = ToLower(path.substr(dot + 1));
  return ext == "jar" || ext == "war" || ext == "ear" || ext == "jpi" || ext == "hpi";
}

std::map<std::string, std::string> ParsePomProperties(std::string_view text) {
  std::map<std::string, std::string> out;
  for (std::string_view line : SplitLines(text)) {
    line = Trim(line);
    if (line.empty() || line[0] == '#' || line[0] == '!') continue;
    size_t sep = line.find_first_of("=: \t");
    if (sep == std::string_view::npos) {
      out[std::string(line)] = "";
      continue;
    }
    std::string_view key = Trim(line.substr(0, sep));
    std::string_view value = Trim(line.substr(sep + 1));
    if (!value.empty() && (value[0] == '=' || value[0] == ':')) value = Trim(value.substr(1));
    out[std::string(key)] = std::string(value);
  }
  return out;
}

std::map<std::string, std::string> ParseJarManifest(std::string_view text) {
  std::map<std::string, std::string> out;
  std::string* last = nullptr;
  // Manifests may use CR, LF or CRLF line ends.
  std::string normalised = ReplaceAll(ReplaceAll(text, "\r\n", "\n"), "\r", "\n");
  for (std::string_view line : Split(normalised, '\n')) {
    if (line.empty()) {
      if (!out.empty()) break;  // end of the main section
      continue;
    }
    if (line[0] == ' ') {
      if (last != nullptr) *last += line.substr(1);
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      last = nullptr;
      continue;
    }
    std::string key(Trim(line.substr(0, colon)));
    std::string value(line.substr(colon + 1));
    if (!value.empty() && value[0] == ' ') value.erase(0, 1);
    last = &(out[key] = value);
  }
  for (auto& [key, value] : out) value = std::string(Trim(value));
  return out;
}

CatalogResult CatalogJavaArchive(std::string_view location, std::string_view data,
                                 const JavaArchiveLimits& limits) {
  CatalogResult out;
  out.databases.emplace_back(location);
  Scanner scanner(limits, &out);
  scanner.Scan(std::string(location), data, 1);
  return out;
}

bool ReduceJavaArchive(std::string_view location, std::string& content) {
  CatalogResult original = CatalogJavaArchive(location, content);
  if (!original.warnings.empty()) return false;
  auto reduced = RewriteArchive(content, 1, JavaArchiveLimits{});
  if (!reduced || reduced->size() >= content.size()) return false;
  if (!SameResult(original, CatalogJavaArchive(location, *reduced))) return false;
  content = std::move(*reduced);
  return true;
}

std::string MavenPurl(std::string_view group, std::string_view artifact, std::string_view version) {
  return MakePurl("maven", group, artifact, version, {});
}

const LanguageCataloger& JavaCataloger() {
  static const JavaImpl kInstance;
  return kInstance;
}

}  // namespace vigil::catalog
