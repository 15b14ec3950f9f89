// Debian/Ubuntu ordering: dpkg's parseversion() and verrevcmp() (lib/dpkg/version.c,
// lib/dpkg/parsehelp.c), as used by `dpkg --compare-versions`.
#include <string_view>

#include "match/version_util.h"

namespace vigil::match::internal {
namespace {

struct DpkgVersion {
  std::string_view epoch;  // digits, may be empty (== 0)
  std::string_view upstream;
  std::string_view revision;  // may be empty (== "0" under verrevcmp)
};

// dpkg's character weight: '~' sorts before everything (even the end), letters before
// non-letters, and the end of a part weighs like a digit run of zero.
int Order(char c) {
  if (IsDigit(c)) return 0;
  if (IsAlpha(c)) return static_cast<unsigned char>(c);
  if (c == '~') return -1;
  if (c) return static_cast<unsigned char>(c) + 256;
  return 0;
}

int VerRevCmp(std::string_view a, std::string_view b) {
  size_t i = 0, j = 0;
  auto at = [](std::string_view s, size_t k) { return k < s.size() ? s[k] : '\0'; };
  while (i < a.size() || j < b.size()) {
    while ((i < a.size() && !IsDigit(a[i])) || (j < b.size() && !IsDigit(b[j]))) {
      int ac = Order(at(a, i));
      int bc = Order(at(b, j));
      if (ac != bc) return Sign(ac - bc);
      ++i;
      ++j;
    }
    while (i < a.size() && a[i] == '0') ++i;
    while (j < b.size() && b[j] == '0') ++j;
    int first_diff = 0;
    while (i < a.size() && IsDigit(a[i]) && j < b.size() && IsDigit(b[j])) {
      if (!first_diff) first_diff = a[i] - b[j];
      ++i;
      ++j;
    }
    if (i < a.size() && IsDigit(a[i])) return 1;
    if (j < b.size() && IsDigit(b[j])) return -1;
    if (first_diff) return Sign(first_diff);
  }
  return 0;
}

class Dpkg final : public SchemeImpl<DpkgVersion> {
 public:
  std::string_view Name() const override { return "dpkg"; }

  StatusOr<DpkgVersion> ParseValue(std::string_view s) const override {
    // dpkg strips surrounding blanks and rejects embedded ones.
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    if (s.empty()) return InvalidVersion("dpkg", s, "version string is empty");
    for (char c : s) {
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\0') {
        return InvalidVersion("dpkg", s, "version string has embedded spaces");
      }
    }
    DpkgVersion v;
    std::string_view rest = s;
    size_t colon = rest.find(':');
    if (colon != std::string_view::npos) {
      v.epoch = rest.substr(0, colon);
      if (v.epoch.empty()) return InvalidVersion("dpkg", s, "epoch in version is empty");
      if (!AllDigits(v.epoch)) return InvalidVersion("dpkg", s, "epoch in version is not number");
      std::string_view e = v.epoch;
      while (e.size() > 1 && e.front() == '0') e.remove_prefix(1);
      // dpkg stores the epoch in an int and rejects values above INT_MAX.
      if (CompareDigits(e, "2147483647") > 0) {
        return InvalidVersion("dpkg", s, "epoch in version is too big");
      }
      rest = rest.substr(colon + 1);
      if (rest.empty()) return InvalidVersion("dpkg", s, "nothing after colon in version number");
    }
    size_t hyphen = rest.rfind('-');
    if (hyphen != std::string_view::npos) {
      v.revision = rest.substr(hyphen + 1);
      rest = rest.substr(0, hyphen);
      if (v.revision.empty()) return InvalidVersion("dpkg", s, "revision number is empty");
    }
    if (rest.empty()) return InvalidVersion("dpkg", s, "version number is empty");
    v.upstream = rest;
    return v;
  }

  int CompareValues(const DpkgVersion& a, const DpkgVersion& b) const override {
    if (int r = CompareDigits(a.epoch, b.epoch)) return r;
    if (int r = VerRevCmp(a.upstream, b.upstream)) return r;
    return VerRevCmp(a.revision, b.revision);
  }

  Status Validate(std::string_view v) const override { return ParseValue(v).status(); }
};

}  // namespace

const VersionScheme& DpkgScheme() {
  static const Dpkg kScheme;
  return kScheme;
}

}  // namespace vigil::match::internal
