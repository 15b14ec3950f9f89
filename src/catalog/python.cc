#include "catalog/python.h"

#include <archive.h>
#include <archive_entry.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>
#include <vector>

#include "base/strings.h"
#include "catalog/lang.h"
#include "catalog/purl.h"
#include "fmt/format.h"

namespace vigil::catalog {
namespace {

using nlohmann::json;

// Core metadata is a few KB (a long description makes METADATA reach ~1 MB at most).
constexpr uint64_t kMaxMetadata = 16ull << 20;
constexpr uint64_t kMaxLockFile = 64ull << 20;
// An .egg is read whole (libarchive reads zip central directories from memory).
constexpr uint64_t kMaxEgg = 256ull << 20;
// Entries scanned for EGG-INFO/PKG-INFO, and the largest PKG-INFO read from an egg.
constexpr int kMaxEggEntries = 100000;
constexpr size_t kMaxEggPkgInfo = 1u << 20;
constexpr int kMaxItemisedWarnings = 10;
// A License field longer than this (or spanning lines) is the licence text, not its name.
constexpr size_t kMaxLicenseName = 100;

bool PlausibleToken(std::string_view s, size_t max) {
  if (s.empty() || s.size() > max) return false;
  return std::none_of(s.begin(), s.end(),
                      [](char c) { return static_cast<unsigned char>(c) <= ' ' || c == 0x7f; });
}

// One file's packages, deduplicated on (normalised name, version) in first-seen order; a
// package met as dev and as non-dev is not dev.
class Collector {
 public:
  explicit Collector(std::string_view path) : path_(path) {}

  void Add(std::string_view name, std::string_view version, bool dev,
           std::vector<std::string> licenses = {}, std::string supplier = {}) {
    if (!PlausibleToken(name, 200) || !PlausibleToken(version, 128)) {
      Warn(fmt::format("skipped an entry with an implausible name or version '{}=={}'",
                       name.substr(0, 64), version.substr(0, 64)));
      return;
    }
    auto key = std::make_pair(NormalizePythonName(name), std::string(version));
    auto it = index_.find(key);
    if (it != index_.end()) {
      report::Component& c = result_.components[it->second];
      c.dev = c.dev && dev;
      return;
    }
    report::Component c;
    c.name = std::string(name);
    c.version = std::string(version);
    c.ecosystem = "pypi";
    c.purl = PypiPurl(name, version);
    c.licenses = std::move(licenses);
    c.supplier = std::move(supplier);
    c.location = path_;
    c.dev = dev;
    index_.emplace(std::move(key), result_.components.size());
    result_.components.push_back(std::move(c));
  }

  void Warn(std::string_view message) {
    result_.warnings.push_back(fmt::format("python: {}: {}", path_, message));
  }

  void WarnLine(size_t line, std::string_view message) {
    if (++line_warnings_ <= kMaxItemisedWarnings) {
      result_.warnings.push_back(fmt::format("python: {}:{}: {}", path_, line, message));
    }
  }

  CatalogResult Finish() {
    if (line_warnings_ > kMaxItemisedWarnings) {
      Warn(fmt::format("{} more malformed lines not itemised",
                       line_warnings_ - kMaxItemisedWarnings));
    }
    return std::move(result_);
  }

 private:
  std::string path_;
  std::map<std::pair<std::string, std::string>, size_t> index_;
  CatalogResult result_;
  int line_warnings_ = 0;
};

struct Header {
  std::string name;
  std::string value;
};

// RFC 822-style headers up to the first blank line; continuation lines (leading whitespace)
// are appended to the previous value after a newline.
std::vector<Header> ParseHeaders(std::string_view text, Collector& out) {
  std::vector<Header> headers;
  size_t line_no = 0;
  for (std::string_view line : SplitLines(text)) {
    ++line_no;
    // Only a truly empty line ends the headers (the description body follows); a line of
    // whitespace is a continuation, as in multi-line License fields.
    if (line.empty()) break;
    if (line.front() == ' ' || line.front() == '\t') {
      if (headers.empty()) {
        out.WarnLine(line_no, "continuation line before any header");
        continue;
      }
      headers.back().value += '\n';
      headers.back().value += Trim(line);
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      out.WarnLine(line_no, "expected 'Name: value'");
      continue;
    }
    headers.push_back(
        {std::string(Trim(line.substr(0, colon))), std::string(Trim(line.substr(colon + 1)))});
  }
  return headers;
}

std::string FirstHeader(const std::vector<Header>& headers, std::string_view name) {
  for (const Header& h : headers) {
    if (EqualsIgnoreCase(h.name, name)) return h.value;
  }
  return {};
}

std::vector<std::string> MetadataLicenses(const std::vector<Header>& headers) {
  std::string expression(Trim(FirstHeader(headers, "License-Expression")));
  if (!expression.empty()) return {expression};
  std::string license(Trim(FirstHeader(headers, "License")));
  if (!license.empty() && license.find('\n') == std::string::npos &&
      license.size() <= kMaxLicenseName && !EqualsIgnoreCase(license, "UNKNOWN")) {
    return {license};
  }
  // "Classifier: License :: OSI Approved :: MIT License" -> "MIT License".
  std::vector<std::string> out;
  for (const Header& h : headers) {
    if (!EqualsIgnoreCase(h.name, "Classifier") || !StartsWith(h.value, "License ::")) continue;
    std::string_view v = h.value;
    size_t sep = v.rfind("::");
    std::string_view last = Trim(v.substr(sep + 2));
    if (last.empty() || last == "OSI Approved" || sep == v.find("::")) continue;
    if (std::find(out.begin(), out.end(), last) == out.end()) out.emplace_back(last);
  }
  return out;
}

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
}

// Strips a requirements.txt comment: '#' at the start or after whitespace.
std::string_view StripComment(std::string_view line) {
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
      return line.substr(0, i);
    }
  }
  return line;
}

// A zip entry's data read into memory, bounded.
StatusOr<std::string> ReadEntry(archive* a, size_t max) {
  std::string data;
  char buf[16384];
  for (;;) {
    la_ssize_t n = archive_read_data(a, buf, sizeof buf);
    if (n < 0) return DataLossError(archive_error_string(a) ? archive_error_string(a) : "read");
    if (n == 0) return data;
    if (data.size() + static_cast<size_t>(n) > max) {
      return ResourceExhaustedError(fmt::format("larger than {} bytes", max));
    }
    data.append(buf, static_cast<size_t>(n));
  }
}

bool IsRequirementsFile(std::string_view base) {
  return StartsWith(base, "requirements") && EndsWith(base, ".txt");
}

}  // namespace

std::string NormalizePythonName(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  bool in_separator_run = false;
  for (char c : name) {
    if (c == '-' || c == '_' || c == '.') {
      if (!in_separator_run) out += '-';
      in_separator_run = true;
      continue;
    }
    in_separator_run = false;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string PypiPurl(std::string_view name, std::string_view version) {
  return MakePurl("pypi", "", NormalizePythonName(name), version, {});
}

CatalogResult ParsePythonMetadata(std::string_view path, std::string_view text) {
  Collector out(path);
  std::vector<Header> headers = ParseHeaders(text, out);
  std::string name = FirstHeader(headers, "Name");
  std::string version = FirstHeader(headers, "Version");
  if (name.empty() || version.empty()) {
    out.Warn("no Name or Version header");
    return out.Finish();
  }
  std::string author = FirstHeader(headers, "Author");
  if (EqualsIgnoreCase(author, "UNKNOWN") || author.find('\n') != std::string::npos) {
    author.clear();
  }
  out.Add(name, version, false, MetadataLicenses(headers), std::move(author));
  return out.Finish();
}

namespace {

// An .egg's EGG-INFO/PKG-INFO: `text` when found and read, else the problems met.
struct EggPkgInfo {
  bool found = false;
  std::string text;
  std::vector<std::string> problems;
};

EggPkgInfo ReadEggPkgInfo(std::string_view data) {
  EggPkgInfo out;
  std::unique_ptr<archive, int (*)(archive*)> a(archive_read_new(), archive_read_free);
  if (a == nullptr) {
    out.problems.push_back("cannot allocate an archive reader");
    return out;
  }
  auto error = [&] {
    const char* e = archive_error_string(a.get());
    return std::string(e != nullptr ? e : "unknown error");
  };
  archive_read_support_format_zip(a.get());
  if (archive_read_open_memory(a.get(), data.data(), data.size()) != ARCHIVE_OK) {
    out.problems.push_back("not a zip archive: " + error());
    return out;
  }
  archive_entry* entry = nullptr;
  for (int i = 0; i < kMaxEggEntries; ++i) {
    int r = archive_read_next_header(a.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
      out.problems.push_back("damaged zip archive: " + error());
      break;
    }
    const char* name = archive_entry_pathname(entry);
    std::string_view entry_name = name != nullptr ? name : "";
    if (StartsWith(entry_name, "./")) entry_name.remove_prefix(2);
    if (entry_name != "EGG-INFO/PKG-INFO") continue;
    auto text = ReadEntry(a.get(), kMaxEggPkgInfo);
    if (!text.ok()) {
      out.problems.push_back("EGG-INFO/PKG-INFO: " + text.status().message());
      return out;
    }
    out.found = true;
    out.text = std::move(*text);
    return out;
  }
  out.problems.push_back("no EGG-INFO/PKG-INFO in the archive");
  return out;
}

// A zip holding one stored (uncompressed) file, or nullopt when libarchive fails.
std::optional<std::string> OneFileZip(std::string_view name, std::string_view data) {
  std::string buffer(data.size() + name.size() * 2 + 4096, '\0');
  size_t used = 0;
  std::unique_ptr<archive, int (*)(archive*)> a(archive_write_new(), archive_write_free);
  if (a == nullptr || archive_write_set_format_zip(a.get()) != ARCHIVE_OK ||
      archive_write_set_format_option(a.get(), "zip", "compression", "store") != ARCHIVE_OK ||
      archive_write_open_memory(a.get(), buffer.data(), buffer.size(), &used) != ARCHIVE_OK) {
    return std::nullopt;
  }
  std::unique_ptr<archive_entry, void (*)(archive_entry*)> entry(archive_entry_new(),
                                                                 archive_entry_free);
  archive_entry_set_pathname(entry.get(), std::string(name).c_str());
  archive_entry_set_filetype(entry.get(), AE_IFREG);
  archive_entry_set_perm(entry.get(), 0644);
  archive_entry_set_size(entry.get(), static_cast<la_int64_t>(data.size()));
  if (archive_write_header(a.get(), entry.get()) != ARCHIVE_OK ||
      archive_write_data(a.get(), data.data(), data.size()) !=
          static_cast<la_ssize_t>(data.size()) ||
      archive_write_close(a.get()) != ARCHIVE_OK) {
    return std::nullopt;
  }
  buffer.resize(used);
  return buffer;
}

}  // namespace

CatalogResult ParseEgg(std::string_view path, std::string_view data) {
  EggPkgInfo info = ReadEggPkgInfo(data);
  if (info.found) return ParsePythonMetadata(path, info.text);
  Collector out(path);
  for (const std::string& p : info.problems) out.Warn(p);
  return out.Finish();
}

bool ReduceEgg(std::string& data) {
  EggPkgInfo info = ReadEggPkgInfo(data);
  if (!info.found) return false;
  std::optional<std::string> zip = OneFileZip("EGG-INFO/PKG-INFO", info.text);
  if (!zip) return false;
  data = std::move(*zip);
  return true;
}

CatalogResult ParseRequirementsTxt(std::string_view path, std::string_view text) {
  Collector out(path);
  int unpinned = 0;
  std::vector<std::string_view> lines = SplitLines(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    size_t line_no = i + 1;
    // A trailing backslash continues the requirement on the next line.
    std::string logical(StripComment(lines[i]));
    while (!logical.empty() && logical.back() == '\\' && i + 1 < lines.size()) {
      logical.pop_back();
      logical += ' ';
      logical += StripComment(lines[++i]);
    }
    std::string_view req = Trim(logical);
    if (req.empty() || req.front() == '-') continue;  // -r, -c, -e, --index-url, ...
    req = req.substr(0, req.find(';'));               // environment markers
    size_t option = req.find(" --");                  // --hash=..., per-requirement options
    if (option != std::string_view::npos) req = req.substr(0, option);
    req = Trim(req);
    if (req.find("://") != std::string_view::npos || req.find(" @ ") != std::string_view::npos ||
        req.front() == '.' || req.front() == '/') {
      ++unpinned;  // a URL or a local path: no registry version
      continue;
    }
    size_t n = 0;
    while (n < req.size() && IsNameChar(req[n])) ++n;
    if (n == 0) {
      out.WarnLine(line_no, "expected a requirement 'name==version'");
      continue;
    }
    std::string_view name = req.substr(0, n);
    std::string_view rest = Trim(req.substr(n));
    if (StartsWith(rest, "[")) {  // extras
      size_t close = rest.find(']');
      if (close == std::string_view::npos) {
        out.WarnLine(line_no, "unterminated extras '['");
        continue;
      }
      rest = Trim(rest.substr(close + 1));
    }
    std::string_view version;
    if (StartsWith(rest, "===")) {
      version = Trim(rest.substr(3));
    } else if (StartsWith(rest, "==")) {
      version = Trim(rest.substr(2));
      if (version.find(',') != std::string_view::npos) {
        version = Trim(version.substr(0, version.find(',')));
      }
      if (version.find('*') != std::string_view::npos) version = {};  // ==1.2.*: a range
    }
    if (version.empty()) {
      ++unpinned;
      continue;
    }
    if (!PlausibleToken(version, 128)) {
      out.WarnLine(line_no, fmt::format("unreadable version '{}'", version.substr(0, 64)));
      continue;
    }
    out.Add(name, version, false);
  }
  if (unpinned > 0) {
    out.Warn(fmt::format("{} requirement(s) without a pinned version (name==version) ignored",
                         unpinned));
  }
  return out.Finish();
}

CatalogResult ParsePoetryLock(std::string_view path, std::string_view text) {
  Collector out(path);
  toml::table doc;
  try {
    doc = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    out.Warn(fmt::format("malformed TOML at line {}: {}", e.source().begin.line, e.description()));
    return out.Finish();
  }
  const toml::array* packages = doc["package"].as_array();
  if (packages == nullptr) {
    if (doc.contains("package")) out.Warn("'package' is not an array of tables");
    return out.Finish();
  }
  size_t index = 0;
  for (const toml::node& node : *packages) {
    ++index;
    const toml::table* pkg = node.as_table();
    if (pkg == nullptr) continue;
    std::optional<std::string> name = (*pkg)["name"].value<std::string>();
    std::optional<std::string> version = (*pkg)["version"].value<std::string>();
    if (!name || !version) {
      out.Warn(fmt::format("[[package]] #{} without name or version", index));
      continue;
    }
    bool dev = (*pkg)["category"].value_or(std::string()) == "dev";
    if (const toml::array* groups = (*pkg)["groups"].as_array()) {
      bool main = false;
      for (const toml::node& g : *groups) main = main || g.value_or(std::string()) == "main";
      dev = !main;
    }
    out.Add(*name, *version, dev);
  }
  return out.Finish();
}

CatalogResult ParsePipfileLock(std::string_view path, std::string_view text) {
  Collector out(path);
  json doc;
  try {
    doc = json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    out.Warn(fmt::format("malformed JSON: {}", e.what()));
    return out.Finish();
  }
  if (!doc.is_object()) {
    out.Warn("not a JSON object");
    return out.Finish();
  }
  for (const auto& [section, dev] : {std::pair<const char*, bool>{"default", false},
                                     std::pair<const char*, bool>{"develop", true}}) {
    auto it = doc.find(section);
    if (it == doc.end() || !it->is_object()) continue;
    for (const auto& [name, entry] : it->items()) {
      if (!entry.is_object()) continue;
      auto v = entry.find("version");
      // Git, path and editable entries have no registry version.
      if (v == entry.end() || !v->is_string()) continue;
      std::string_view version = v->get_ref<const std::string&>();
      if (StartsWith(version, "===")) {
        version.remove_prefix(3);
      } else if (StartsWith(version, "==")) {
        version.remove_prefix(2);
      } else {
        out.Warn(fmt::format("{}: {}: version '{}' is not pinned", section, name,
                             version.substr(0, 64)));
        continue;
      }
      out.Add(name, Trim(version), dev);
    }
  }
  return out.Finish();
}

namespace {

class PythonImpl : public LanguageCataloger {
 public:
  std::string_view name() const override { return "python"; }
  std::string_view version() const override { return "1"; }

  bool Wants(std::string_view path, const FileInfo& info) const override {
    (void)info;
    std::string_view base = Basename(path);
    std::string_view dir = Dirname(path);
    if (base == "METADATA") return EndsWith(dir, ".dist-info");
    if (base == "PKG-INFO") {
      return EndsWith(dir, ".egg-info") ||
             (Basename(dir) == "EGG-INFO" && EndsWith(Dirname(dir), ".egg"));
    }
    return EndsWith(base, ".egg-info") || EndsWith(base, ".egg") || IsRequirementsFile(base) ||
           base == "poetry.lock" || base == "Pipfile.lock";
  }

  // An .egg is kept as a small zip holding only its PKG-INFO (ParseEgg reads it the same);
  // one without a readable PKG-INFO is kept whole so its warnings stay the same.
  bool Reduce(std::string_view path, std::string& content) const override {
    if (EndsWith(Basename(path), ".egg")) ReduceEgg(content);
    return true;
  }

  StatusOr<CatalogResult> CatalogFile(const FileSystem& fs, const std::string& path,
                                      const LangContext& context) const override {
    std::string_view base = Basename(path);
    if (EndsWith(base, ".egg")) {
      VIGIL_ASSIGN_OR_RETURN(std::string data, fs.ReadFile(path, kMaxEgg));
      return ParseEgg(path, data);
    }
    if (base == "METADATA" || base == "PKG-INFO" || EndsWith(base, ".egg-info")) {
      VIGIL_ASSIGN_OR_RETURN(std::string text, fs.ReadFile(path, kMaxMetadata));
      return ParsePythonMetadata(path, text);
    }
    // Images are cataloged from what is installed; manifests only describe a build.
    if (!context.filesystem) return CatalogResult{};
    VIGIL_ASSIGN_OR_RETURN(std::string text, fs.ReadFile(path, kMaxLockFile));
    CatalogResult result;
    if (base == "poetry.lock") {
      result = ParsePoetryLock(path, text);
    } else if (base == "Pipfile.lock") {
      result = ParsePipfileLock(path, text);
    } else {
      result = ParseRequirementsTxt(path, text);
    }
    result.databases.push_back(path);
    return result;
  }
};

}  // namespace

const LanguageCataloger& PythonCataloger() {
  static const PythonImpl kInstance;
  return kInstance;
}

}  // namespace vigil::catalog
