#include "report/internal.h"

#include <array>
#include <cctype>
#include <ctime>

#include "base/clock.h"
#include "base/hash.h"
#include "base/strings.h"

namespace vigil::report::internal {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is invalid (overlong
// forms, surrogates and code points above U+10FFFF are rejected as RFC 3629 requires).
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  if (c < 0x80) return 1;
  size_t len;
  uint32_t cp;
  if ((c & 0xE0) == 0xC0) {
    len = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

}  // namespace

std::string Dump(const OrderedJson& j) {
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string Dump(const nlohmann::json& j) {
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string SanitizeUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t len = Utf8SequenceLength(s, i);
    if (len == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s.substr(i, len));
      i += len;
    }
  }
  return out;
}

size_t DisplayWidth(std::string_view s) {
  size_t width = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++width;
  }
  return width;
}

std::string Truncate(std::string_view s, size_t width) {
  if (DisplayWidth(s) <= width) return std::string(s);
  if (width < 4) return std::string(width, '.');
  size_t keep = width - 3;
  size_t count = 0;
  size_t i = 0;
  for (; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (count == keep) break;
      ++count;
    }
  }
  return std::string(s.substr(0, i)) + "...";
}

std::string XmlEscape(std::string_view raw) {
  std::string s = SanitizeUtf8(raw);
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        if (c < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') break;  // not allowed in XML
        out += ch;
    }
  }
  return out;
}

std::string DeterministicUuid(std::string_view seed) {
  std::string hex = Sha256Hex(seed).substr(0, 32);
  hex[12] = '5';
  static constexpr char kVariant[] = "89ab";
  hex[16] = kVariant[std::stoi(hex.substr(16, 1), nullptr, 16) & 3];
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

StatusOr<std::chrono::system_clock::time_point> ParseRfc3339(std::string_view s) {
  auto bad = [&](std::string_view why) {
    return InvalidArgumentError("invalid RFC 3339 time '" + std::string(s) +
                                "': " + std::string(why));
  };
  auto digits = [&](size_t pos, size_t n, int* out) {
    if (pos + n > s.size()) return false;
    int v = 0;
    for (size_t k = pos; k < pos + n; ++k) {
      if (!std::isdigit(static_cast<unsigned char>(s[k]))) return false;
      v = v * 10 + (s[k] - '0');
    }
    *out = v;
    return true;
  };
  int year, month, day, hour, minute, second;
  if (!digits(0, 4, &year) || s.size() < 19 || s[4] != '-' || !digits(5, 2, &month) ||
      s[7] != '-' || !digits(8, 2, &day) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      !digits(11, 2, &hour) || s[13] != ':' || !digits(14, 2, &minute) || s[16] != ':' ||
      !digits(17, 2, &second)) {
    return bad("want YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm)");
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return bad("field out of range");
  }
  size_t pos = 19;
  int64_t nanos = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int ndigits = 0;
    while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
      if (ndigits < 9) nanos = nanos * 10 + (s[pos] - '0');
      ++ndigits;
      ++pos;
    }
    if (ndigits == 0) return bad("empty fraction");
    for (int k = ndigits; k < 9; ++k) nanos *= 10;
  }
  int offset_minutes = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!digits(pos + 1, 2, &oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !digits(pos + 4, 2, &om)) {
      return bad("invalid offset");
    }
    offset_minutes = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return bad("missing time zone");
  }
  if (pos != s.size()) return bad("trailing characters");
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  std::time_t secs = timegm(&tm);
  secs -= static_cast<std::time_t>(offset_minutes) * 60;
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::seconds(secs) + std::chrono::nanoseconds(nanos)));
}

std::string NormalizeTimestamp(std::string_view s) {
  auto t = ParseRfc3339(s);
  return FormatRfc3339(t.ok() ? *t : std::chrono::system_clock::time_point());
}

std::optional<std::string> CanonicalSpdxLicenseId(std::string_view id) {
  // A curated subset of the SPDX license list: the licences that package databases declare
  // in practice. report_unit_test checks each against the list shipped with the CycloneDX
  // schema, so every id written here validates there too.
  static constexpr std::string_view kIds[] = {"0BSD",
                                              "AFL-2.1",
                                              "AFL-3.0",
                                              "AGPL-3.0",
                                              "AGPL-3.0-only",
                                              "AGPL-3.0-or-later",
                                              "Apache-1.0",
                                              "Apache-1.1",
                                              "Apache-2.0",
                                              "APSL-2.0",
                                              "Artistic-1.0",
                                              "Artistic-1.0-Perl",
                                              "Artistic-2.0",
                                              "Beerware",
                                              "BlueOak-1.0.0",
                                              "BSD-1-Clause",
                                              "BSD-2-Clause",
                                              "BSD-3-Clause",
                                              "BSD-4-Clause",
                                              "BSL-1.0",
                                              "bzip2-1.0.6",
                                              "CC-BY-3.0",
                                              "CC-BY-4.0",
                                              "CC-BY-SA-3.0",
                                              "CC-BY-SA-4.0",
                                              "CC0-1.0",
                                              "CDDL-1.0",
                                              "CDDL-1.1",
                                              "curl",
                                              "EPL-1.0",
                                              "EPL-2.0",
                                              "EUPL-1.2",
                                              "FTL",
                                              "GFDL-1.2-only",
                                              "GFDL-1.2-or-later",
                                              "GFDL-1.3-only",
                                              "GFDL-1.3-or-later",
                                              "GPL-1.0-only",
                                              "GPL-1.0-or-later",
                                              "GPL-2.0",
                                              "GPL-2.0-only",
                                              "GPL-2.0-or-later",
                                              "GPL-2.0+",
                                              "GPL-3.0",
                                              "GPL-3.0-only",
                                              "GPL-3.0-or-later",
                                              "GPL-3.0+",
                                              "IJG",
                                              "ISC",
                                              "LGPL-2.0-only",
                                              "LGPL-2.0-or-later",
                                              "LGPL-2.1",
                                              "LGPL-2.1-only",
                                              "LGPL-2.1-or-later",
                                              "LGPL-2.1+",
                                              "LGPL-3.0",
                                              "LGPL-3.0-only",
                                              "LGPL-3.0-or-later",
                                              "Libpng",
                                              "libtiff",
                                              "MIT",
                                              "MIT-0",
                                              "MPL-1.1",
                                              "MPL-2.0",
                                              "MS-PL",
                                              "NCSA",
                                              "OFL-1.1",
                                              "OpenSSL",
                                              "PHP-3.01",
                                              "PostgreSQL",
                                              "PSF-2.0",
                                              "Python-2.0",
                                              "Ruby",
                                              "Sleepycat",
                                              "Unicode-DFS-2016",
                                              "Unicode-3.0",
                                              "Unlicense",
                                              "Vim",
                                              "W3C",
                                              "WTFPL",
                                              "X11",
                                              "Zlib",
                                              "zlib-acknowledgement",
                                              "ZPL-2.1"};
  std::string_view trimmed = Trim(id);
  for (std::string_view known : kIds) {
    if (EqualsIgnoreCase(known, trimmed)) return std::string(known);
  }
  return std::nullopt;
}

std::string PurlType(std::string_view purl) {
  if (!StartsWith(purl, "pkg:")) return "";
  purl.remove_prefix(4);
  while (!purl.empty() && purl.front() == '/') purl.remove_prefix(1);
  size_t slash = purl.find('/');
  if (slash == std::string_view::npos || slash == 0) return "";
  return ToLower(purl.substr(0, slash));
}

std::string ShortHash(std::string_view data, size_t hex_chars) {
  return Sha256Hex(data).substr(0, hex_chars);
}

std::string_view SectionTitle(FindingKind k) {
  switch (k) {
    case FindingKind::kVulnerability:
      return "Vulnerabilities";
    case FindingKind::kSecret:
      return "Secrets";
    case FindingKind::kMalware:
      return "Malware";
    case FindingKind::kMisconfig:
      return "Misconfigurations";
    case FindingKind::kRuntime:
      return "Runtime alerts";
  }
  return "Findings";
}

}  // namespace vigil::report::internal
