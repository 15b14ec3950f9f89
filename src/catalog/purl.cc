#include "catalog/purl.h"

#include <algorithm>
#include <cctype>

namespace vigil::catalog {

std::string PurlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '.' || c == '-' || c == '_' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xF]);
    }
  }
  return out;
}

std::string MakePurl(std::string_view type, std::string_view ns, std::string_view name,
                     std::string_view version,
                     std::vector<std::pair<std::string, std::string>> qualifiers) {
  std::string out = "pkg:";
  out += type;
  out += '/';
  if (!ns.empty()) {
    out += PurlEncode(ns);
    out += '/';
  }
  out += PurlEncode(name);
  if (!version.empty()) {
    out += '@';
    out += PurlEncode(version);
  }
  std::sort(qualifiers.begin(), qualifiers.end());
  char sep = '?';
  for (const auto& [key, value] : qualifiers) {
    if (value.empty()) continue;
    out += sep;
    out += key;
    out += '=';
    out += PurlEncode(value);
    sep = '&';
  }
  return out;
}

}  // namespace vigil::catalog
