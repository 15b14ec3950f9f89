// RubyGems ordering: Gem::Version (rubygems/version.rb). The string is stripped, each '-'
// becomes ".pre.", segments are the runs of digits or letters, trailing zero segments are
// dropped from the numeric head and from the rest (canonical_segments), and segments compare
// pairwise with missing ones as 0: numbers numerically, strings byte-wise, a string sorts
// before a number (so "1.0.a" < "1.0" < "1.0.1").
//
// Gem::Version.new rejects strings such as "1beta" that its pattern does not match, yet OSV
// data and the shared vectors order them; Compare accepts any string made of version
// characters and Validate applies the strict pattern.
#include <string>
#include <string_view>
#include <vector>

#include "match/version_util.h"

namespace vigil::match::internal {
namespace {

struct Segment {
  bool number = false;
  std::string_view text;
};

std::string_view Strip(std::string_view s) {
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == '\0';
  };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

bool IsZero(const Segment& s) { return s.number && s.text.find_first_not_of('0') == s.text.npos; }

// \A[0-9]+(?>\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?\z
bool MatchesGemPattern(std::string_view s) {
  size_t i = 0;
  auto run = [&](bool allow_hyphen) {
    size_t start = i;
    while (i < s.size() && (IsAlnum(s[i]) || (allow_hyphen && s[i] == '-'))) ++i;
    return i > start;
  };
  size_t start = i;
  while (i < s.size() && IsDigit(s[i])) ++i;
  if (i == start) return false;
  while (i < s.size() && s[i] == '.') {
    ++i;
    if (!run(false)) return false;
  }
  if (i < s.size() && s[i] == '-') {
    ++i;
    if (!run(true)) return false;
    while (i < s.size() && s[i] == '.') {
      ++i;
      if (!run(true)) return false;
    }
  }
  return i == s.size();
}

class RubyGems final : public SchemeImpl<std::vector<Segment>> {
 public:
  std::string_view Name() const override { return "rubygems"; }

  StatusOr<std::vector<Segment>> ParseValue(std::string_view text) const override {
    std::string_view s = Strip(text);
    if (s.empty()) return InvalidVersion("RubyGems", text, "empty version");
    std::vector<Segment> segs;
    size_t i = 0;
    while (i < s.size()) {
      char c = s[i];
      if (IsDigit(c) || IsAlpha(c)) {
        size_t start = i;
        bool digit = IsDigit(c);
        while (i < s.size() && (digit ? IsDigit(s[i]) : IsAlpha(s[i]))) ++i;
        segs.push_back({digit, s.substr(start, i - start)});
      } else if (c == '.') {
        ++i;
      } else if (c == '-') {
        segs.push_back({false, "pre"});
        ++i;
      } else {
        return InvalidVersion("RubyGems", text, "malformed version number string");
      }
    }
    if (segs.empty()) return InvalidVersion("RubyGems", text, "malformed version number string");
    // canonical_segments: drop trailing zeros of the numeric head and of the remainder.
    size_t head = 0;
    while (head < segs.size() && segs[head].number) ++head;
    std::vector<Segment> canon(segs.begin(), segs.begin() + static_cast<std::ptrdiff_t>(head));
    while (!canon.empty() && IsZero(canon.back())) canon.pop_back();
    std::vector<Segment> tail(segs.begin() + static_cast<std::ptrdiff_t>(head), segs.end());
    while (!tail.empty() && IsZero(tail.back())) tail.pop_back();
    canon.insert(canon.end(), tail.begin(), tail.end());
    return canon;
  }

  int CompareValues(const std::vector<Segment>& a, const std::vector<Segment>& b) const override {
    const Segment kZero{true, "0"};
    size_t n = std::max(a.size(), b.size());
    for (size_t i = 0; i < n; ++i) {
      const Segment& x = i < a.size() ? a[i] : kZero;
      const Segment& y = i < b.size() ? b[i] : kZero;
      if (x.number != y.number) return x.number ? 1 : -1;
      int r = x.number ? CompareDigits(x.text, y.text) : CompareBytes(x.text, y.text);
      if (r) return r;
    }
    return 0;
  }

  Status Validate(std::string_view v) const override {
    if (!MatchesGemPattern(Strip(v))) {
      return InvalidVersion("RubyGems", v, "malformed version number string");
    }
    return OkStatus();
  }
};

}  // namespace

const VersionScheme& RubyGemsScheme() {
  static const RubyGems kScheme;
  return kScheme;
}

}  // namespace vigil::match::internal
