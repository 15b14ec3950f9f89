#include "image/reference.h"

#include <array>
#include <cctype>

#include "base/strings.h"
#include "fmt/format.h"

namespace vigil::image {
namespace {

constexpr size_t kMaxNameLength = 255;
constexpr size_t kMaxTagLength = 128;

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// One path component of a repository: [a-z0-9]+ joined by ".", "_", "__" or "-"+.
bool ValidComponent(std::string_view c) {
  if (c.empty() || !IsLowerAlnum(c.front()) || !IsLowerAlnum(c.back())) return false;
  for (size_t i = 0; i < c.size(); ++i) {
    char ch = c[i];
    if (IsLowerAlnum(ch)) continue;
    if (ch == '.') {
      if (!IsLowerAlnum(c[i + 1])) return false;
    } else if (ch == '_') {
      if (c[i + 1] == '_') ++i;
      if (!IsLowerAlnum(c[i + 1])) return false;
    } else if (ch == '-') {
      while (c[i + 1] == '-') ++i;
      if (!IsLowerAlnum(c[i + 1])) return false;
    } else {
      return false;
    }
  }
  return true;
}

// host, host:port, or [ipv6]:port. Loose on purpose: the registry client validates by
// connecting; here we only refuse characters that cannot be in a host name.
bool ValidDomain(std::string_view d) {
  if (d.empty()) return false;
  std::string_view host = d;
  if (host.front() == '[') {
    size_t close = host.find(']');
    if (close == std::string_view::npos) return false;
    for (char c : host.substr(1, close - 1)) {
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':') return false;
    }
    host = host.substr(close + 1);
    if (host.empty()) return true;
    if (host.front() != ':') return false;
    std::string_view port = host.substr(1);
    if (port.empty()) return false;
    for (char c : port) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    }
    return true;
  }
  size_t colon = host.find(':');
  std::string_view name = host.substr(0, colon);
  if (name.empty()) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-') return false;
  }
  if (colon != std::string_view::npos) {
    std::string_view port = host.substr(colon + 1);
    if (port.empty()) return false;
    for (char c : port) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    }
  }
  return true;
}

bool ValidTag(std::string_view t) {
  if (t.empty() || t.size() > kMaxTagLength) return false;
  for (size_t i = 0; i < t.size(); ++i) {
    char c = t[i];
    bool word = std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    if (i == 0 ? !word : !(word || c == '.' || c == '-')) return false;
  }
  return true;
}

Status ValidateDigest(std::string_view d, std::string_view text) {
  size_t colon = d.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    return InvalidArgumentError(
        fmt::format("reference \"{}\": digest \"{}\" is not ALGO:HEX", text, d));
  }
  std::string_view algo = d.substr(0, colon);
  std::string_view hex = d.substr(colon + 1);
  for (char c : algo) {
    if (!IsLowerAlnum(c) && c != '+' && c != '.' && c != '_' && c != '-') {
      return InvalidArgumentError(
          fmt::format("reference \"{}\": bad digest algorithm \"{}\"", text, algo));
    }
  }
  for (char c : hex) {
    if (!IsHex(c)) {
      return InvalidArgumentError(
          fmt::format("reference \"{}\": digest \"{}\" is not lower-case hex", text, d));
    }
  }
  size_t want = algo == "sha256" ? 64 : algo == "sha512" ? 128 : 0;
  if ((want != 0 && hex.size() != want) || hex.size() < 32) {
    return InvalidArgumentError(
        fmt::format("reference \"{}\": digest \"{}\" has {} hex digits", text, d, hex.size()));
  }
  return OkStatus();
}

// Splits "PATH[:TAG]" where TAG is the text after the last ':' when it has no '/'.
void SplitPathTag(std::string_view rest, std::string* path, std::string* tag) {
  size_t colon = rest.rfind(':');
  if (colon != std::string_view::npos && colon + 1 < rest.size() &&
      rest.substr(colon + 1).find('/') == std::string_view::npos && colon > 0) {
    *path = std::string(rest.substr(0, colon));
    *tag = std::string(rest.substr(colon + 1));
  } else {
    *path = std::string(rest);
  }
}

}  // namespace

StatusOr<Reference> Reference::ParseRegistry(std::string_view text) {
  if (text.empty()) return InvalidArgumentError("empty image reference");
  Reference ref;
  std::string_view name = text;
  size_t at = name.find('@');
  if (at != std::string_view::npos) {
    ref.digest = std::string(name.substr(at + 1));
    VIGIL_RETURN_IF_ERROR(ValidateDigest(ref.digest, text));
    name = name.substr(0, at);
  }
  size_t last_slash = name.rfind('/');
  size_t colon = name.rfind(':');
  if (colon != std::string_view::npos &&
      (last_slash == std::string_view::npos || colon > last_slash)) {
    ref.tag = std::string(name.substr(colon + 1));
    if (!ValidTag(ref.tag)) {
      return InvalidArgumentError(
          fmt::format("reference \"{}\": invalid tag \"{}\"", text, ref.tag));
    }
    name = name.substr(0, colon);
  }
  if (name.empty()) return InvalidArgumentError(fmt::format("reference \"{}\": empty name", text));
  if (name.size() > kMaxNameLength) {
    return InvalidArgumentError(
        fmt::format("reference \"{}\": name longer than {}", text, kMaxNameLength));
  }
  std::string_view repo = name;
  size_t slash = name.find('/');
  if (slash != std::string_view::npos) {
    std::string_view first = name.substr(0, slash);
    bool is_domain = first.find_first_of(".:") != std::string_view::npos || first == "localhost" ||
                     ToLower(first) != first;
    if (is_domain) {
      if (!ValidDomain(first)) {
        return InvalidArgumentError(
            fmt::format("reference \"{}\": invalid registry \"{}\"", text, first));
      }
      ref.registry = std::string(first);
      repo = name.substr(slash + 1);
    }
  }
  if (ref.registry.empty() || ref.registry == "index.docker.io") {
    ref.registry = std::string(kDefaultRegistry);
  }
  if (ToLower(repo) != repo) {
    return InvalidArgumentError(
        fmt::format("reference \"{}\": repository name must be lowercase", text));
  }
  for (std::string_view component : Split(repo, '/')) {
    if (!ValidComponent(component)) {
      return InvalidArgumentError(
          fmt::format("reference \"{}\": invalid repository component \"{}\"", text, component));
    }
  }
  ref.repository = std::string(repo);
  if (ref.registry == kDefaultRegistry && repo.find('/') == std::string_view::npos) {
    ref.repository = "library/" + ref.repository;
  }
  if (ref.tag.empty() && ref.digest.empty()) ref.tag = std::string(kDefaultTag);
  return ref;
}

StatusOr<Reference> Reference::Parse(std::string_view text) {
  if (text.empty()) return InvalidArgumentError("empty image reference");
  if (StartsWith(text, "docker://")) return ParseRegistry(text.substr(9));
  size_t colon = text.find(':');
  if (colon != std::string_view::npos) {
    std::string_view scheme = text.substr(0, colon);
    std::string_view rest = text.substr(colon + 1);
    auto need_rest = [&]() -> Status {
      if (rest.empty()) {
        return InvalidArgumentError(
            fmt::format("reference \"{}\": nothing after \"{}:\"", text, scheme));
      }
      return OkStatus();
    };
    if (scheme == kTransportRegistry) return ParseRegistry(rest);
    if (scheme == kTransportOci || scheme == kTransportOciArchive) {
      VIGIL_RETURN_IF_ERROR(need_rest());
      Reference ref;
      ref.transport = std::string(scheme);
      SplitPathTag(rest, &ref.path, &ref.tag);
      return ref;
    }
    if (scheme == kTransportDockerArchive || scheme == kTransportDir) {
      VIGIL_RETURN_IF_ERROR(need_rest());
      Reference ref;
      ref.transport = std::string(scheme);
      ref.path = std::string(rest);
      return ref;
    }
    if (scheme == kTransportContainersStorage) {
      VIGIL_RETURN_IF_ERROR(need_rest());
      Reference ref;
      auto named = ParseRegistry(rest);
      if (named.ok()) ref = *named;
      ref.transport = std::string(kTransportContainersStorage);
      ref.path = std::string(rest);
      return ref;
    }
  }
  if (text.front() == '/' || text == "." || text == ".." || StartsWith(text, "./") ||
      StartsWith(text, "../")) {
    Reference ref;
    ref.transport = std::string(kTransportPath);
    ref.path = std::string(text);
    return ref;
  }
  return ParseRegistry(text);
}

std::string Reference::Name() const { return registry + "/" + repository; }

std::string Reference::ToString() const {
  if (transport == kTransportRegistry) {
    std::string out = Name();
    if (!tag.empty()) out += ":" + tag;
    if (!digest.empty()) out += "@" + digest;
    return out;
  }
  if (transport == kTransportPath) return path;
  std::string out = transport + ":" + path;
  if ((transport == kTransportOci || transport == kTransportOciArchive) && !tag.empty()) {
    out += ":" + tag;
  }
  return out;
}

}  // namespace vigil::image
