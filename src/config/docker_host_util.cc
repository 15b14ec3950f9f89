#include "config/docker_host_util.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <utility>

#include "base/strings.h"

namespace vigil::config::docker {
namespace {

// Merge keys may nest (an anchor that itself merges another); the loader bounds depth, this
// bounds the search so a pathological file cannot make every lookup expensive.
constexpr int kMaxMergeDepth = 8;

Field GetDepth(const Node* map, std::string_view key, int depth) {
  if (map == nullptr || !map->IsMap() || depth > kMaxMergeDepth) return {};
  if (const Node* v = map->Get(key)) return {v, map->KeyLine(key)};
  const Node* merge = map->Get("<<");
  if (merge == nullptr) return {};
  if (merge->IsMap()) return GetDepth(merge, key, depth + 1);
  if (merge->IsSeq()) {
    for (const Node& m : merge->seq()) {
      if (Field f = GetDepth(&m, key, depth + 1)) return f;
    }
  }
  return {};
}

bool ParseLong(std::string_view s, long* out) {
  s = Trim(s);
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

// "8000" or "8000-8010".
bool ParseRange(std::string_view s, long* lo, long* hi) {
  size_t dash = s.find('-');
  if (dash == std::string_view::npos) {
    if (!ParseLong(s, lo)) return false;
    *hi = *lo;
    return true;
  }
  return ParseLong(s.substr(0, dash), lo) && ParseLong(s.substr(dash + 1), hi) && *lo <= *hi;
}

bool UnderAny(std::string_view path, std::initializer_list<std::string_view> roots) {
  for (std::string_view root : roots) {
    if (path == root) return true;
    if (StartsWith(path, root) && path.size() > root.size() && path[root.size()] == '/') {
      return true;
    }
  }
  return false;
}

}  // namespace

Field Get(const Node* map, std::string_view key) { return GetDepth(map, key, 0); }

Field GetPath(const Node* map, std::string_view dotted) {
  Field f{map, 0};
  for (std::string_view key : Split(dotted, '.')) {
    f = Get(f.value, key);
    if (!f) return {};
  }
  return f;
}

int DeepestLine(const Node* map, std::string_view dotted, int fallback) {
  int line = fallback;
  const Node* cur = map;
  for (std::string_view key : Split(dotted, '.')) {
    Field f = Get(cur, key);
    if (!f) break;
    line = f.line;
    cur = f.value;
  }
  return line;
}

std::string Text(const Node* n) {
  if (n == nullptr) return "";
  return n->AsString().value_or("");
}

std::vector<Field> Items(const Field& f) {
  std::vector<Field> out;
  if (!f) return out;
  if (f.value->IsScalar()) {
    out.push_back(f);
  } else if (f.value->IsSeq()) {
    for (const Node& item : f.value->seq()) out.push_back({&item, item.line()});
  }
  return out;
}

std::string NormalizeCap(std::string_view cap) {
  std::string s(Trim(cap));
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (StartsWith(s, "CAP_")) s.erase(0, 4);
  return s;
}

bool IsDangerousCap(std::string_view c) {
  static constexpr std::string_view kDangerous[] = {
      "ALL",       "SYS_ADMIN",       "SYS_MODULE",      "SYS_PTRACE",   "SYS_RAWIO", "SYS_BOOT",
      "NET_ADMIN", "DAC_READ_SEARCH", "MAC_ADMIN",       "MAC_OVERRIDE", "BPF",       "PERFMON",
      "SYS_TIME",  "SYSLOG",          "LINUX_IMMUTABLE", "SETFCAP"};
  return std::find(std::begin(kDangerous), std::end(kDangerous), c) != std::end(kDangerous);
}

bool IsSensitiveHostPath(std::string_view path) {
  std::string p(Trim(path));
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  if (p.empty() || p[0] != '/') return false;
  if (p == "/") return true;
  return UnderAny(p, {"/etc", "/proc", "/sys", "/dev", "/boot", "/root", "/usr", "/lib", "/lib64",
                      "/bin", "/sbin", "/var", "/run"});
}

bool IsDockerSocketPath(std::string_view path) {
  std::string p(Trim(path));
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  if (p.find("docker.sock") != std::string::npos) return true;
  // Mounting the whole run directory hands over docker.sock (and containerd's) as well.
  return p == "/var/run" || p == "/run" || p == "/var/run/docker" || p == "/run/docker" ||
         p == "/run/containerd" || p == "/var/run/containerd";
}

VolumeSpec ParseVolume(std::string_view spec) {
  VolumeSpec v;
  std::vector<std::string_view> parts = Split(Trim(spec), ':');
  if (parts.size() == 1) {
    v.container = std::string(parts[0]);
    return v;
  }
  v.host = std::string(parts[0]);
  v.container = std::string(parts[1]);
  if (parts.size() > 2) v.mode = std::string(parts[2]);
  v.host_path = !v.host.empty() &&
                (v.host[0] == '/' || v.host[0] == '.' || v.host[0] == '~' || v.host[0] == '$');
  return v;
}

PortSpec ParsePort(std::string_view spec) {
  PortSpec p;
  std::string s(Trim(spec));
  size_t slash = s.find('/');
  if (slash != std::string::npos) s.erase(slash);
  std::string rest = s;
  if (!rest.empty() && rest[0] == '[') {  // [::1]:8080:80
    size_t close = rest.find(']');
    if (close == std::string::npos) return p;
    p.ip = rest.substr(1, close - 1);
    rest = rest.substr(close + 1);
    if (!rest.empty() && rest[0] == ':') rest.erase(0, 1);
    p.published = true;
  }
  std::vector<std::string_view> parts = Split(rest, ':');
  std::string_view host, container;
  if (parts.size() == 1) {
    container = parts[0];
  } else if (parts.size() == 2) {
    host = parts[0];
    container = parts[1];
    p.published = true;
  } else if (parts.size() == 3) {
    p.ip = std::string(parts[0]);
    host = parts[1];
    container = parts[2];
    p.published = true;
  } else {
    return p;
  }
  if (!ParseRange(container, &p.container_lo, &p.container_hi)) return p;
  if (!host.empty() && !ParseRange(host, &p.host_lo, &p.host_hi)) return p;
  p.valid = true;
  return p;
}

bool IsAnyAddress(std::string_view ip) {
  return ip.empty() || ip == "0.0.0.0" || ip == "::" || ip == "[::]";
}

SecurityOpt ParseSecurityOpt(std::string_view opt) {
  SecurityOpt o;
  std::string_view s = Trim(opt);
  size_t sep = s.find_first_of(":=");
  if (sep == std::string_view::npos) {
    o.name = ToLower(s);
    return o;
  }
  o.name = ToLower(Trim(s.substr(0, sep)));
  o.value = std::string(Trim(s.substr(sep + 1)));
  return o;
}

bool IsNoNewPrivileges(const SecurityOpt& o) {
  return o.name == "no-new-privileges" && (o.value.empty() || ToLower(o.value) == "true");
}

bool IsReferenceValue(std::string_view value) {
  std::string_view v = Trim(value);
  if (v.empty()) return true;
  if (v[0] == '$') return true;  // ${VAR}, $VAR: interpolated from the environment
  return StartsWith(v, "/run/secrets/");
}

bool ImageIsPinned(std::string_view image, std::string* why) {
  std::string_view ref = Trim(image);
  if (ref.find('$') != std::string_view::npos) return true;
  if (ref.find('@') != std::string_view::npos) return true;
  size_t slash = ref.rfind('/');
  std::string_view last = slash == std::string_view::npos ? ref : ref.substr(slash + 1);
  size_t colon = last.find(':');
  if (colon == std::string_view::npos) {
    *why = "untagged (pulls latest)";
    return false;
  }
  if (last.substr(colon + 1) == "latest") {
    *why = "tagged latest";
    return false;
  }
  return true;
}

void AddViolation(std::vector<Violation>* out, int line, std::string message) {
  Violation v;
  v.line = line;
  v.message = std::move(message);
  out->push_back(std::move(v));
}

}  // namespace vigil::config::docker
