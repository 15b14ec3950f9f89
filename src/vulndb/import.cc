// Format detection and the file/directory drivers over the per-format parsers.
#include "vulndb/import.h"

#include <cctype>
#include <charconv>
#include <map>

#include "base/strings.h"
#include "vulndb/import_formats.h"
#include "vulndb/import_util.h"

namespace vigil::vulndb {
namespace {

using internal::AddWarning;

constexpr size_t kHeadBytes = 4096;
// Largest feed file read whole. OSV.dev exports are zips of the whole ecosystem (npm and
// PyPI run to hundreds of MiB compressed): a zip is held compressed while its members are
// inflated one at a time (each bounded by the zip importer), so zips get a larger bound.
constexpr uint64_t kMaxFileBytes = 256ull << 20;
constexpr uint64_t kMaxZipBytes = 2ull << 30;

uint64_t MaxBytesFor(std::string_view path, std::string_view format) {
  bool zip = format == "osv-zip" || EndsWith(ToLower(Basename(path)), ".zip");
  return zip ? kMaxZipBytes : kMaxFileBytes;
}

std::string_view SkipSpace(std::string_view s) {
  if (StartsWith(s, "\xEF\xBB\xBF")) s.remove_prefix(3);  // UTF-8 BOM
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  return s;
}

// `"key"` followed by optional space and ':' anywhere in `s` (a JSON object key; an escaped
// quote inside a string value never matches because the closing quote must follow the name).
bool HasJsonKey(std::string_view s, std::string_view key) {
  std::string quoted = "\"" + std::string(key) + "\"";
  for (size_t pos = s.find(quoted); pos != std::string_view::npos; pos = s.find(quoted, pos + 1)) {
    std::string_view rest = SkipSpace(s.substr(pos + quoted.size()));
    if (!rest.empty() && rest.front() == ':') return true;
  }
  return false;
}

// `key:` at the start of a line (a top-level YAML key).
bool HasYamlKey(std::string_view s, std::string_view key) {
  std::string needle = std::string(key) + ":";
  for (size_t pos = s.find(needle); pos != std::string_view::npos; pos = s.find(needle, pos + 1)) {
    if (pos == 0 || s[pos - 1] == '\n') return true;
  }
  return false;
}

// `{"<pkg>": {"CVE-` or `"TEMP-` (the tracker's package -> issue map).
bool LooksLikeTracker(std::string_view s) {
  s = SkipSpace(s);
  if (s.empty() || s.front() != '{') return false;
  s = SkipSpace(s.substr(1));
  if (s.empty() || s.front() != '"') return false;
  size_t end = s.find('"', 1);
  if (end == std::string_view::npos) return false;
  s = SkipSpace(s.substr(end + 1));
  if (s.empty() || s.front() != ':') return false;
  s = SkipSpace(s.substr(1));
  if (s.empty() || s.front() != '{') return false;
  s = SkipSpace(s.substr(1));
  return StartsWith(s, "\"CVE-") || StartsWith(s, "\"TEMP-");
}

// `[dd Mon yyyy] DSA-` or `DLA-` on the first non-empty line.
bool LooksLikeDsaList(std::string_view s) {
  for (std::string_view line : SplitLines(s)) {
    line = Trim(line);
    if (line.empty()) continue;
    if (line.size() < 19 || line[0] != '[' || line[12] != ']' || line[13] != ' ') return false;
    auto digit = [&](size_t i) { return std::isdigit(static_cast<unsigned char>(line[i])) != 0; };
    if (!digit(1) || !digit(2) || line[3] != ' ' || line[7] != ' ' || !digit(8) || !digit(9) ||
        !digit(10) || !digit(11)) {
      return false;
    }
    std::string_view id = line.substr(14);
    return StartsWith(id, "DSA-") || StartsWith(id, "DLA-");
  }
  return false;
}

bool IsDocumentation(std::string_view name) {
  std::string lower = ToLower(name);
  return EndsWith(lower, ".md") || StartsWith(lower, "license") || StartsWith(lower, "notice") ||
         StartsWith(lower, "readme");
}

using Parser = Status (*)(std::string_view, std::string_view, AdvisorySink&, ImportStats&);

Parser ParserFor(std::string_view format) {
  if (format == "osv-json") return internal::ImportOsvJson;
  if (format == "osv-yaml") return internal::ImportOsvYaml;
  if (format == "osv-zip") return internal::ImportOsvZip;
  if (format == "alpine-secdb") return internal::ImportAlpineSecdb;
  if (format == "debian-tracker-json") return internal::ImportDebianTrackerJson;
  if (format == "debian-dsa-list") return internal::ImportDebianAdvisoryList;
  if (format == "nswg-json") return internal::ImportNswgJson;
  if (format == "nvd-json") return internal::ImportNvdJson;
  return nullptr;
}

// Imports one regular file into `by_format` (ImportPath's per-file step).
Status ImportOne(const FileSystem& fs, const std::string& path, uint64_t size, AdvisorySink& sink,
                 std::map<std::string, ImportStats>& by_format) {
  std::string_view name = Basename(path);
  if (IsDocumentation(name)) {
    ImportStats& s = by_format["unrecognised"];
    ++s.files;
    ++s.skipped;
    return OkStatus();
  }
  const uint64_t limit = MaxBytesFor(path, "");
  if (size > limit) {
    ImportStats& s = by_format["unrecognised"];
    ++s.files;
    ++s.skipped;
    AddWarning(s, path + ": " + std::to_string(size >> 20) + " MiB, over the " +
                      std::to_string(limit >> 20) + " MiB limit (skipped)");
    return OkStatus();
  }
  StatusOr<std::string> bytes = fs.ReadFile(path, limit);
  if (!bytes.ok()) {
    ImportStats& s = by_format["unrecognised"];
    ++s.files;
    ++s.skipped;
    AddWarning(s, bytes.status().message() + " (skipped)");
    return OkStatus();
  }
  std::string format =
      DetectFormat(path, std::string_view(*bytes).substr(0, std::min(bytes->size(), kHeadBytes)));
  if (format.empty()) {
    ImportStats& s = by_format["unrecognised"];
    ++s.files;
    ++s.skipped;
    AddWarning(s, path + ": not a known feed format (skipped)");
    return OkStatus();
  }
  ImportStats& s = by_format[format];
  s.format = format;
  ++s.files;
  Status st = ParserFor(format)(path, *bytes, sink, s);
  if (!st.ok()) {
    if (IsInvalidArgument(st) || IsResourceExhausted(st) || IsDataLoss(st) || IsOutOfRange(st)) {
      ++s.skipped;
      AddWarning(s, st.message() + " (file skipped)");
      return OkStatus();
    }
    return st;  // the sink failed: the build cannot go on
  }
  return OkStatus();
}

}  // namespace

std::string DetectFormat(std::string_view path, std::string_view head) {
  std::string lower = ToLower(Basename(path));
  if (EndsWith(lower, ".zip")) return "osv-zip";
  head = head.substr(0, kHeadBytes);
  std::string_view body = SkipSpace(head);
  if (body.empty()) return "";
  if (LooksLikeDsaList(body)) return "debian-dsa-list";  // its entries start with '[' too
  if (body.front() == '{' || body.front() == '[') {
    if (HasJsonKey(body, "packages") &&
        (HasJsonKey(body, "distroversion") || HasJsonKey(body, "reponame"))) {
      return "alpine-secdb";
    }
    if (HasJsonKey(body, "module_name") || HasJsonKey(body, "vulnerable_versions")) {
      return "nswg-json";
    }
    if ((HasJsonKey(body, "vulnerabilities") && HasJsonKey(body, "cve")) ||
        (HasJsonKey(body, "format") && body.find("\"NVD_CVE\"") != std::string_view::npos)) {
      return "nvd-json";
    }
    if (LooksLikeTracker(body)) return "debian-tracker-json";
    if (HasJsonKey(body, "id") && (HasJsonKey(body, "affected") || HasJsonKey(body, "modified") ||
                                   HasJsonKey(body, "schema_version"))) {
      return "osv-json";
    }
    return "";
  }
  // YAML: keys at the start of a line.
  std::string_view text = head;
  if (HasYamlKey(text, "packages") &&
      (HasYamlKey(text, "distroversion") || HasYamlKey(text, "reponame"))) {
    return "alpine-secdb";
  }
  if (HasYamlKey(text, "id") && (HasYamlKey(text, "affected") || HasYamlKey(text, "modified") ||
                                 HasYamlKey(text, "schema_version"))) {
    return "osv-yaml";
  }
  return "";
}

StatusOr<ImportStats> ImportFile(const FileSystem& fs, const std::string& path, AdvisorySink& sink,
                                 std::string_view format) {
  VIGIL_ASSIGN_OR_RETURN(std::string bytes, fs.ReadFile(path, MaxBytesFor(path, format)));
  std::string fmt(format);
  if (fmt.empty()) {
    fmt = DetectFormat(path, std::string_view(bytes).substr(0, std::min(bytes.size(), kHeadBytes)));
    if (fmt.empty()) return InvalidArgumentError(path + ": not a known feed format");
  }
  Parser parser = ParserFor(fmt);
  if (parser == nullptr) return InvalidArgumentError("unknown feed format `" + fmt + "`");
  ImportStats stats;
  stats.format = fmt;
  stats.files = 1;
  Status st = parser(path, bytes, sink, stats);
  if (!st.ok()) {
    if (!(IsInvalidArgument(st) || IsResourceExhausted(st) || IsDataLoss(st) || IsOutOfRange(st))) {
      return st;
    }
    ++stats.skipped;
    AddWarning(stats, st.message() + " (file skipped)");
  }
  return stats;
}

StatusOr<std::vector<ImportStats>> ImportPath(const FileSystem& fs, const std::string& path,
                                              AdvisorySink& sink) {
  VIGIL_ASSIGN_OR_RETURN(FileInfo info, fs.Stat(path));
  std::map<std::string, ImportStats> by_format;
  if (info.type == FileType::kRegular) {
    VIGIL_RETURN_IF_ERROR(ImportOne(fs, path, info.size, sink, by_format));
  } else if (info.type == FileType::kDirectory) {
    Status failed;
    VIGIL_RETURN_IF_ERROR(Walk(
        fs, path,
        [&](const std::string& p, const FileInfo& fi) {
          if (!failed.ok()) return false;
          if (fi.type == FileType::kDirectory) {
            return Basename(p) != ".git";  // VCS metadata is not feed data
          }
          if (fi.type != FileType::kRegular) return true;
          failed = ImportOne(fs, p, fi.size, sink, by_format);
          return true;
        },
        [&](const std::string& p, const Status& st) {
          ImportStats& s = by_format["unrecognised"];
          ++s.skipped;
          AddWarning(s, p + ": cannot list: " + st.message());
        }));
    VIGIL_RETURN_IF_ERROR(failed);
  } else {
    return InvalidArgumentError(path + ": not a file or directory");
  }
  std::vector<ImportStats> out;
  for (auto& [format, stats] : by_format) {
    stats.format = format;
    out.push_back(std::move(stats));
  }
  return out;
}

}  // namespace vigil::vulndb
