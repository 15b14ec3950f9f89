// Alpine/Wolfi ordering: apk-tools' version grammar (src/version.c, "Gentoo version"):
//   number{.number}...{letter}{_suffix{number}}...{~hash}{-r#}
// with suffixes ordered alpha < beta < pre < rc < (none) < cvs < svn < git < hg < p.
//
// `apk version -t` orders any string, including ones its grammar rejects; what it answers
// for those changed between apk-tools 2.x and 3.x. For valid versions both agree and this
// implementation matches them. For invalid ones it follows the behaviour the shared OSV
// vectors pin down: the parsed prefix is compared field by field, a version with unparsed
// leftovers sorts below an otherwise equal one, and two versions that both fail the grammar
// compare byte-wise.
#include <string_view>
#include <vector>

#include "match/version_util.h"

namespace vigil::match::internal {
namespace {

// Suffix weights; kNoSuffix sits between the pre-release and the post-release ones.
constexpr std::string_view kSuffixes[] = {"alpha", "beta", "pre", "rc", "cvs",
                                          "svn",   "git",  "hg",  "p"};
constexpr int kNoSuffix = 4;

struct ApkSuffix {
  int weight = kNoSuffix;
  std::string_view number;  // digits, may be empty (== 0)
  bool has_number = false;
};

struct ApkVersion {
  std::string_view original;
  std::vector<std::string_view> numbers;
  char letter = 0;
  std::vector<ApkSuffix> suffixes;
  std::string_view revision;  // digits after "-r", may be empty (== 0)
  bool has_revision = false;
  std::string_view remainder;  // unparsed tail
  bool invalid = false;        // the tail is not even a "-r" revision
};

ApkVersion ParseApk(std::string_view s) {
  ApkVersion v;
  v.original = s;
  size_t i = 0;
  auto digits = [&]() {
    size_t start = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    return s.substr(start, i - start);
  };
  while (i < s.size() && IsDigit(s[i])) {
    v.numbers.push_back(digits());
    if (i + 1 < s.size() && s[i] == '.' && IsDigit(s[i + 1])) ++i;
  }
  if (i < s.size() && IsLower(s[i])) v.letter = s[i++];
  while (i < s.size() && s[i] == '_') {
    int weight = -1;
    size_t len = 0;
    for (size_t k = 0; k < std::size(kSuffixes); ++k) {
      if (s.substr(i + 1, kSuffixes[k].size()) == kSuffixes[k]) {
        weight = static_cast<int>(k < kNoSuffix ? k : k + 1);
        len = kSuffixes[k].size();
        break;
      }
    }
    if (weight < 0) break;
    i += 1 + len;
    std::string_view n = digits();
    v.suffixes.push_back({weight, n, !n.empty()});
  }
  if (i + 1 < s.size() && s[i] == '~' &&
      (IsDigit(s[i + 1]) || (s[i + 1] >= 'a' && s[i + 1] <= 'f'))) {
    ++i;
    while (i < s.size() && (IsDigit(s[i]) || (s[i] >= 'a' && s[i] <= 'f'))) ++i;
  }
  if (i < s.size()) {
    if (s.substr(i, 2) == "-r") {
      i += 2;
      v.has_revision = true;
      v.revision = digits();
    } else {
      v.invalid = true;
    }
  }
  v.remainder = s.substr(i);
  return v;
}

// Components after the first that start with '0' are compared as apk does: each leading
// zero weighs below any digit, then the rest as a number ("1.05" < "1.5", "1.00" < "1.0").
int CompareNumber(std::string_view a, std::string_view b, bool first) {
  bool za = !first && a.front() == '0';
  bool zb = !first && b.front() == '0';
  if (!za && !zb) return CompareDigits(a, b);
  if (za != zb) return za ? -1 : 1;
  size_t ia = a.find_first_not_of('0');
  size_t ib = b.find_first_not_of('0');
  if (ia == std::string_view::npos) ia = a.size();
  if (ib == std::string_view::npos) ib = b.size();
  if (ia != ib) return ia > ib ? -1 : 1;
  return CompareDigits(a.substr(ia), b.substr(ib));
}

int CompareApk(const ApkVersion& a, const ApkVersion& b) {
  if (a.invalid && b.invalid) return CompareBytes(a.original, b.original);
  size_t n = std::min(a.numbers.size(), b.numbers.size());
  for (size_t i = 0; i < n; ++i) {
    if (int r = CompareNumber(a.numbers[i], b.numbers[i], i == 0)) return r;
  }
  // With equal leading numbers, more numbers is newer (apk: "1.0" > "1").
  if (a.numbers.size() != b.numbers.size()) return a.numbers.size() > b.numbers.size() ? 1 : -1;
  if (a.letter != b.letter) return a.letter < b.letter ? -1 : 1;
  // Token-presence rules of apk apply between grammatical versions only; with leftovers the
  // vectors expect the field-by-field comparison alone.
  bool both_valid = a.remainder.empty() && b.remainder.empty();
  size_t ns = std::max(a.suffixes.size(), b.suffixes.size());
  for (size_t i = 0; i < ns; ++i) {
    ApkSuffix sa = i < a.suffixes.size() ? a.suffixes[i] : ApkSuffix{};
    ApkSuffix sb = i < b.suffixes.size() ? b.suffixes[i] : ApkSuffix{};
    if (sa.weight != sb.weight) return sa.weight < sb.weight ? -1 : 1;
    if (int r = CompareDigits(sa.number, sb.number)) return r;
    // apk: a suffix number, even 0, is one more token ("_alpha0" > "_alpha").
    if (both_valid && sa.has_number != sb.has_number) return sa.has_number ? 1 : -1;
  }
  if (int r = CompareDigits(a.revision, b.revision)) return r;
  if (a.remainder.empty() != b.remainder.empty()) return a.remainder.empty() ? 1 : -1;
  // Likewise a revision, even -r0, makes a version newer than the same one without.
  if (both_valid && a.has_revision != b.has_revision) return a.has_revision ? 1 : -1;
  return 0;
}

class Apk final : public SchemeImpl<ApkVersion> {
 public:
  std::string_view Name() const override { return "apk"; }

  StatusOr<ApkVersion> ParseValue(std::string_view s) const override {
    if (s.empty()) return InvalidVersion("apk", s, "empty version");
    return ParseApk(s);
  }
  int CompareValues(const ApkVersion& a, const ApkVersion& b) const override {
    return CompareApk(a, b);
  }

  Status Validate(std::string_view v) const override {
    if (v.empty()) return InvalidVersion("apk", v, "empty version");
    ApkVersion p = ParseApk(v);
    if (p.numbers.empty()) return InvalidVersion("apk", v, "does not start with a number");
    if (!p.remainder.empty()) {
      return InvalidVersion(
          "apk", v,
          "unexpected \"" + std::string(p.remainder.substr(0, 32)) + "\" after the version");
    }
    return OkStatus();
  }
};

}  // namespace

const VersionScheme& ApkScheme() {
  static const Apk kScheme;
  return kScheme;
}

}  // namespace vigil::match::internal
