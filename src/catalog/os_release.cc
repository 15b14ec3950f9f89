#include "catalog/os_release.h"

#include <cctype>

#include "base/strings.h"

namespace vigil::catalog {
namespace {

// Release files are a line or a few; anything larger is not one.
constexpr uint64_t kMaxReleaseFile = 64 << 10;

std::string ReadSmall(const FileSystem& fs, std::string_view path) {
  auto text = fs.ReadFile(path, kMaxReleaseFile);
  return text.ok() ? std::move(*text) : std::string();
}

// Decodes the value part of an os-release assignment; false when malformed (unterminated
// quote).
bool DecodeValue(std::string_view raw, std::string* out) {
  out->clear();
  raw = Trim(raw);
  if (raw.empty()) return true;
  if (raw.front() == '\'') {
    size_t end = raw.find('\'', 1);
    if (end == std::string_view::npos) return false;
    out->assign(raw.substr(1, end - 1));
    return true;
  }
  if (raw.front() == '"') {
    for (size_t i = 1; i < raw.size(); ++i) {
      char c = raw[i];
      if (c == '"') return true;
      if (c == '\\' && i + 1 < raw.size()) {
        char next = raw[i + 1];
        if (next == '"' || next == '\\' || next == '$' || next == '`') {
          out->push_back(next);
          ++i;
          continue;
        }
      }
      out->push_back(c);
    }
    return false;
  }
  // Unquoted: shell semantics would stop at whitespace; real files put nothing after the
  // value, so take the first word and let a backslash escape the next character.
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (std::isspace(static_cast<unsigned char>(c))) break;
    if (c == '\\' && i + 1 < raw.size()) c = raw[++i];
    out->push_back(c);
  }
  return true;
}

report::OsInfo FromOsRelease(const std::map<std::string, std::string>& kv) {
  report::OsInfo os;
  auto get = [&](const char* key) {
    auto it = kv.find(key);
    return it == kv.end() ? std::string() : it->second;
  };
  os.id = ToLower(get("ID"));
  os.version_id = get("VERSION_ID");
  os.codename = get("VERSION_CODENAME");
  if (os.codename.empty()) os.codename = get("UBUNTU_CODENAME");
  os.pretty_name = get("PRETTY_NAME");
  if (os.pretty_name.empty()) os.pretty_name = get("NAME");
  return os;
}

std::string_view FirstLine(std::string_view text) { return Trim(text.substr(0, text.find('\n'))); }

// "Rocky Linux release 9.3 (Blue Onyx)" -> {"rocky", "9.3", "Blue Onyx"}.
bool ParseRedHatRelease(std::string_view text, report::OsInfo* os) {
  std::string_view line = FirstLine(text);
  if (line.empty()) return false;
  std::string lower = ToLower(line);
  struct Vendor {
    const char* prefix;
    const char* id;
  };
  static constexpr Vendor kVendors[] = {
      {"red hat enterprise linux", "rhel"},
      {"centos stream", "centos"},
      {"centos", "centos"},
      {"rocky", "rocky"},
      {"almalinux", "almalinux"},
      {"fedora", "fedora"},
      {"oracle linux", "ol"},
      {"amazon linux", "amzn"},
  };
  os->id.clear();
  for (const auto& v : kVendors) {
    if (StartsWith(lower, v.prefix)) {
      os->id = v.id;
      break;
    }
  }
  if (os->id.empty()) return false;
  size_t rel = lower.find(" release ");
  if (rel != std::string::npos) {
    std::string_view rest = line.substr(rel + 9);
    size_t end = 0;
    while (end < rest.size() &&
           (std::isdigit(static_cast<unsigned char>(rest[end])) || rest[end] == '.')) {
      ++end;
    }
    std::string version(rest.substr(0, end));
    // CentOS writes "7.9.2009" but its os-release says VERSION_ID="7"; keep that form.
    if (os->id == "centos") version = version.substr(0, version.find('.'));
    os->version_id = version;
    size_t open = rest.find('(');
    size_t close = rest.find(')', open == std::string_view::npos ? 0 : open);
    if (open != std::string_view::npos && close != std::string_view::npos) {
      os->codename = std::string(rest.substr(open + 1, close - open - 1));
    }
  }
  os->pretty_name = std::string(line);
  return true;
}

bool ParseDebianVersion(std::string_view text, report::OsInfo* os) {
  std::string_view line = FirstLine(text);
  if (line.empty()) return false;
  os->id = "debian";
  if (std::isdigit(static_cast<unsigned char>(line.front()))) {
    // "12.5" -> "12": Debian's os-release uses the major number from 7 on.
    os->version_id = std::string(line.substr(0, line.find('.')));
    os->pretty_name = "Debian GNU/Linux " + os->version_id;
  } else {
    // "bookworm/sid": a testing or unstable system; the codename, no number.
    os->codename = std::string(line.substr(0, line.find('/')));
    os->pretty_name = "Debian GNU/Linux " + std::string(line);
  }
  return true;
}

}  // namespace

std::map<std::string, std::string> ParseOsRelease(std::string_view text) {
  std::map<std::string, std::string> out;
  for (std::string_view line : SplitLines(text)) {
    line = Trim(line);
    if (line.empty() || line.front() == '#') continue;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    std::string_view key = Trim(line.substr(0, eq));
    bool valid_key = !key.empty();
    for (char c : key) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') valid_key = false;
    }
    if (!valid_key) continue;
    std::string value;
    if (!DecodeValue(line.substr(eq + 1), &value)) continue;
    out[std::string(key)] = std::move(value);
  }
  return out;
}

const std::vector<std::string>& OsReleaseFiles() {
  static const std::vector<std::string> kFiles = {
      "/etc/os-release",     "/usr/lib/os-release", "/etc/lsb-release",    "/etc/alpine-release",
      "/etc/centos-release", "/etc/redhat-release", "/etc/debian_version",
  };
  return kFiles;
}

report::OsInfo DetectOs(const FileSystem& fs) {
  for (const char* path : {"/etc/os-release", "/usr/lib/os-release"}) {
    std::string text = ReadSmall(fs, path);
    if (text.empty()) continue;
    report::OsInfo os = FromOsRelease(ParseOsRelease(text));
    if (!os.id.empty()) return os;
  }
  report::OsInfo os;
  {
    auto kv = ParseOsRelease(ReadSmall(fs, "/etc/lsb-release"));
    auto id = kv.find("DISTRIB_ID");
    if (id != kv.end() && !id->second.empty()) {
      os.id = ToLower(id->second);
      os.version_id = kv["DISTRIB_RELEASE"];
      os.codename = kv["DISTRIB_CODENAME"];
      os.pretty_name = kv["DISTRIB_DESCRIPTION"];
      return os;
    }
  }
  std::string alpine = ReadSmall(fs, "/etc/alpine-release");
  if (std::string_view v = FirstLine(alpine); !v.empty()) {
    os.id = "alpine";
    os.version_id = std::string(v);
    os.pretty_name = "Alpine Linux v" + os.version_id;
    return os;
  }
  for (const char* path : {"/etc/centos-release", "/etc/redhat-release"}) {
    if (ParseRedHatRelease(ReadSmall(fs, path), &os)) return os;
  }
  if (ParseDebianVersion(ReadSmall(fs, "/etc/debian_version"), &os)) return os;
  if (fs.IsDirectory("/var/lib/dpkg/status.d") || fs.IsRegular("/var/lib/dpkg/status")) {
    os.id = "debian";
    os.pretty_name = "Debian GNU/Linux";
    return os;
  }
  return report::OsInfo{};
}

}  // namespace vigil::catalog
