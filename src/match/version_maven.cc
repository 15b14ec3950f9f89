// Maven ordering: the "Version Order Specification" of the POM reference
// (https://maven.apache.org/pom.html#version-order-specification), which describes what
// maven-artifact's ComparableVersion implements:
//  - tokens split on '.', '-' and digit/non-digit transitions (a transition acts as '-'),
//    each remembering its separator; empty tokens are 0;
//  - qualifiers are case-insensitive; "a1"/"b1"/"m1" mean alpha/beta/milestone 1;
//    "cr" = "rc"; "ga", "final" and "release" are the empty (release) qualifier;
//  - trailing null tokens (0, "") are trimmed at the end and before every remaining '-';
//  - the shorter version is padded with nulls taking the other's separator;
//  - same separator: numbers numerically, numbers after qualifiers, qualifiers
//    alpha < beta < milestone < rc < snapshot < "" < sp < unknown (unknown ones lexically);
//  - different separators: ".qualifier" < "-qualifier" < "-number" < ".number".
#include <string>
#include <string_view>
#include <vector>

#include "match/version_util.h"

namespace vigil::match::internal {
namespace {

struct MavenToken {
  char sep = '.';
  bool number = false;
  bool null = false;  // padding
  std::string value;  // digits without leading zeros ("0" for zero), or lower-case qualifier

  bool IsNullValue() const { return number ? value == "0" : value.empty(); }
  bool operator==(const MavenToken& o) const {
    return sep == o.sep && number == o.number && value == o.value;
  }
};

int QualifierRank(std::string_view q) {
  static constexpr std::string_view kOrder[] = {"alpha",    "beta", "milestone", "rc",
                                                "snapshot", "",     "sp"};
  for (size_t i = 0; i < std::size(kOrder); ++i) {
    if (q == kOrder[i]) return static_cast<int>(i);
  }
  return static_cast<int>(std::size(kOrder));
}

std::vector<MavenToken> Tokenize(std::string_view s) {
  std::vector<MavenToken> tokens;
  char sep = '.';
  size_t i = 0;
  auto add = [&](std::string_view piece, char piece_sep, bool followed_by_digits) {
    MavenToken t;
    t.sep = piece_sep;
    if (piece.empty()) {
      t.number = true;
      t.value = "0";
    } else if (IsDigit(piece.front())) {
      t.number = true;
      while (piece.size() > 1 && piece.front() == '0') piece.remove_prefix(1);
      t.value = std::string(piece);
    } else {
      std::string q;
      for (char c : piece) q += LowerAscii(c);
      if (followed_by_digits && q == "a") q = "alpha";
      if (followed_by_digits && q == "b") q = "beta";
      if (followed_by_digits && q == "m") q = "milestone";
      if (q == "cr") q = "rc";
      if (q == "ga" || q == "final" || q == "release") q.clear();
      t.value = std::move(q);
    }
    tokens.push_back(std::move(t));
  };
  while (true) {
    size_t end = s.find_first_of(".-", i);
    std::string_view raw = s.substr(i, end == std::string_view::npos ? s.npos : end - i);
    if (raw.empty()) {
      add(raw, sep, false);
    } else {
      char piece_sep = sep;
      size_t start = 0;
      for (size_t k = 1; k <= raw.size(); ++k) {
        if (k == raw.size() || IsDigit(raw[k]) != IsDigit(raw[k - 1])) {
          add(raw.substr(start, k - start), piece_sep, k < raw.size());
          piece_sep = '-';
          start = k;
        }
      }
    }
    if (end == std::string_view::npos) break;
    sep = s[end];
    i = end + 1;
  }
  // Trim trailing nulls, then again before each remaining '-' group, walking backwards.
  // The first token is never trimmed.
  size_t k = tokens.size();
  while (k > 1) {
    size_t idx = k - 1;
    if (tokens[idx].IsNullValue()) {
      tokens.erase(tokens.begin() + static_cast<std::ptrdiff_t>(idx));
      k = idx;
      continue;
    }
    while (idx > 0 && tokens[idx].sep != '-') --idx;
    if (idx == 0) break;
    k = idx;  // continue with the token before this '-' group
  }
  return tokens;
}

int CompareTokens(const MavenToken& a, const MavenToken& b) {
  if (a.sep == b.sep) {
    // Padding acts as a number against numbers and as the release qualifier otherwise.
    bool an = a.number && !(a.null && !b.number);
    bool bn = b.number && !(b.null && !a.number);
    if (an && bn) return CompareDigits(a.value, b.value);
    if (an != bn) return an ? 1 : -1;
    std::string_view av = a.null ? "" : std::string_view(a.value);
    std::string_view bv = b.null ? "" : std::string_view(b.value);
    int ra = QualifierRank(av), rb = QualifierRank(bv);
    if (ra != rb) return ra < rb ? -1 : 1;
    return CompareBytes(av, bv);
  }
  auto kind = [](const MavenToken& t) {
    if (t.number) return t.sep == '.' ? 3 : 2;
    return t.sep == '-' ? 1 : 0;
  };
  int ka = kind(a), kb = kind(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

MavenToken NullLike(const MavenToken& other) {
  MavenToken t;
  t.sep = other.sep;
  t.null = true;
  t.number = other.sep == '.';
  t.value = t.number ? "0" : "";
  return t;
}

class Maven final : public SchemeImpl<std::vector<MavenToken>> {
 public:
  std::string_view Name() const override { return "maven"; }

  StatusOr<std::vector<MavenToken>> ParseValue(std::string_view s) const override {
    if (s.empty()) return InvalidVersion("maven", s, "empty version");
    return Tokenize(s);
  }

  int CompareValues(const std::vector<MavenToken>& a,
                    const std::vector<MavenToken>& b) const override {
    size_t n = std::max(a.size(), b.size());
    for (size_t i = 0; i < n; ++i) {
      MavenToken ta = i < a.size() ? a[i] : NullLike(b[i]);
      MavenToken tb = i < b.size() ? b[i] : NullLike(a[i]);
      if (ta == tb) continue;
      if (int r = CompareTokens(ta, tb)) return r;
    }
    return 0;
  }

  Status Validate(std::string_view v) const override { return ParseValue(v).status(); }
};

}  // namespace

const VersionScheme& MavenScheme() {
  static const Maven kScheme;
  return kScheme;
}

}  // namespace vigil::match::internal
