// RPM ordering (Red Hat, Rocky, Alma, SUSE, ...): rpm's rpmvercmp() (rpmio/rpmvercmp.c)
// applied to epoch, version and release of an "[epoch:]version[-release]" string, parsed as
// rpm's parseEVR() does: the epoch is the leading digits only when a ':' follows them
// ("a:1" has no epoch), the release is what follows the last '-'. A missing epoch is 0.
//
// One deliberate refinement: rpm compares releases only when both sides have one; here a
// version without a release sorts before the same version with any release ("1" < "1-0"),
// which is what OSV's vectors and affected ranges expect.
#include <string_view>

#include "match/version_util.h"

namespace vigil::match::internal {
namespace {

struct Evr {
  std::string_view epoch;  // digits, may be empty (== 0)
  std::string_view version;
  std::string_view release;
  bool has_release = false;
};

Evr ParseEvr(std::string_view s) {
  Evr v;
  size_t i = 0;
  while (i < s.size() && IsDigit(s[i])) ++i;
  if (i < s.size() && s[i] == ':') {
    v.epoch = s.substr(0, i);
    s = s.substr(i + 1);
  }
  size_t hyphen = s.rfind('-');
  if (hyphen != std::string_view::npos) {
    v.release = s.substr(hyphen + 1);
    v.has_release = true;
    s = s.substr(0, hyphen);
  }
  v.version = s;
  return v;
}

// rpmvercmp: alternating runs of digits and ASCII letters, anything else separates; '~'
// sorts before everything (even the end), '^' after the end but before anything else.
int RpmVerCmp(std::string_view a, std::string_view b) {
  if (a == b) return 0;
  size_t i = 0, j = 0;
  auto sep = [](char c) { return !IsAlnum(c) && c != '~' && c != '^'; };
  while (i < a.size() || j < b.size()) {
    while (i < a.size() && sep(a[i])) ++i;
    while (j < b.size() && sep(b[j])) ++j;
    bool ta = i < a.size() && a[i] == '~';
    bool tb = j < b.size() && b[j] == '~';
    if (ta || tb) {
      if (!ta) return 1;
      if (!tb) return -1;
      ++i;
      ++j;
      continue;
    }
    bool ca = i < a.size() && a[i] == '^';
    bool cb = j < b.size() && b[j] == '^';
    if (ca || cb) {
      if (i == a.size()) return -1;
      if (j == b.size()) return 1;
      if (!ca) return 1;
      if (!cb) return -1;
      ++i;
      ++j;
      continue;
    }
    if (i == a.size() || j == b.size()) break;
    bool numeric = IsDigit(a[i]);
    auto run = [numeric](std::string_view s, size_t& k) {
      size_t start = k;
      while (k < s.size() && (numeric ? IsDigit(s[k]) : IsAlpha(s[k]))) ++k;
      return s.substr(start, k - start);
    };
    std::string_view sa = run(a, i);
    std::string_view sb = run(b, j);
    // A numeric segment is newer than an alphabetic one.
    if (sb.empty()) return numeric ? 1 : -1;
    int r = numeric ? CompareDigits(sa, sb) : CompareBytes(sa, sb);
    if (r) return r;
  }
  if (i == a.size() && j == b.size()) return 0;
  return i == a.size() ? -1 : 1;
}

class Rpm final : public SchemeImpl<Evr> {
 public:
  std::string_view Name() const override { return "rpm"; }

  StatusOr<Evr> ParseValue(std::string_view s) const override {
    if (s.empty()) return InvalidVersion("rpm", s, "empty version");
    return ParseEvr(s);
  }

  int CompareValues(const Evr& a, const Evr& b) const override {
    if (int r = CompareDigits(a.epoch, b.epoch)) return r;
    if (int r = RpmVerCmp(a.version, b.version)) return r;
    if (a.has_release != b.has_release) return a.has_release ? 1 : -1;
    return RpmVerCmp(a.release, b.release);
  }

  Status Validate(std::string_view v) const override { return ParseValue(v).status(); }
};

}  // namespace

const VersionScheme& RpmScheme() {
  static const Rpm kScheme;
  return kScheme;
}

}  // namespace vigil::match::internal
