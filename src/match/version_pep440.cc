// PyPI ordering: PEP 440 as implemented by pypa/packaging's Version (the regex in
// packaging/version.py and its _cmpkey), which is what pip uses.
#include <string>
#include <string_view>

#include "base/strings.h"
#include "match/pep440.h"
#include "match/version_util.h"

namespace vigil::match {
namespace {

using internal::CompareDigits;
using internal::IsDigit;

std::string StripZeros(std::string_view digits) {
  while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
  return std::string(digits.empty() ? "0" : digits);
}

// A cursor over the lower-cased version text.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  size_t pos() const { return pos_; }
  void set_pos(size_t p) { pos_ = p; }
  bool done() const { return pos_ >= s_.size(); }
  char peek() const { return done() ? '\0' : s_[pos_]; }
  bool Consume(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  bool ConsumeSeparator() {
    char c = peek();
    if (c == '-' || c == '_' || c == '.') {
      ++pos_;
      return true;
    }
    return false;
  }
  bool ConsumeWord(std::string_view w) {
    if (s_.substr(pos_, w.size()) != w) return false;
    pos_ += w.size();
    return true;
  }
  std::string_view Digits() {
    size_t start = pos_;
    while (!done() && IsDigit(s_[pos_])) ++pos_;
    return s_.substr(start, pos_ - start);
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

// Tries each label in order, as the regex alternation does (longer spellings first).
std::string_view MatchLabel(Cursor& c, std::initializer_list<std::string_view> labels) {
  for (std::string_view l : labels) {
    if (c.ConsumeWord(l)) return l;
  }
  return {};
}

int CompareOptionalNumber(bool ha, std::string_view a, bool hb, std::string_view b) {
  if (ha != hb) return ha ? 1 : -1;
  return ha ? CompareDigits(a, b) : 0;
}

}  // namespace

std::string Pep440Version::Public() const {
  std::string out;
  if (epoch != "0") out += epoch + "!";
  for (size_t i = 0; i < release.size(); ++i) {
    if (i) out += '.';
    out += release[i];
  }
  if (!pre_label.empty()) out += pre_label + pre_number;
  if (has_post) out += ".post" + post_number;
  if (has_dev) out += ".dev" + dev_number;
  return out;
}

StatusOr<Pep440Version> ParsePep440(std::string_view text) {
  std::string lowered;
  {
    std::string_view t = text;
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t' || t.front() == '\n' ||
                          t.front() == '\r' || t.front() == '\f' || t.front() == '\v')) {
      t.remove_prefix(1);
    }
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t' || t.back() == '\n' ||
                          t.back() == '\r' || t.back() == '\f' || t.back() == '\v')) {
      t.remove_suffix(1);
    }
    lowered.reserve(t.size());
    for (char ch : t) lowered += internal::LowerAscii(ch);
  }
  auto invalid = [&](std::string_view why) {
    return internal::InvalidVersion("PEP 440", text, why);
  };
  Cursor c(lowered);
  Pep440Version v;
  c.Consume('v');
  // Epoch: digits followed by '!'; otherwise those digits start the release.
  {
    size_t start = c.pos();
    std::string_view d = c.Digits();
    if (!d.empty() && c.Consume('!')) {
      v.epoch = StripZeros(d);
    } else {
      c.set_pos(start);
    }
  }
  std::string_view first = c.Digits();
  if (first.empty()) return invalid("not a valid PEP 440 version (no release number)");
  v.release.push_back(StripZeros(first));
  while (c.peek() == '.') {
    size_t save = c.pos();
    c.Consume('.');
    std::string_view d = c.Digits();
    if (d.empty()) {
      c.set_pos(save);
      break;
    }
    v.release.push_back(StripZeros(d));
  }
  // Pre-release: [-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?[0-9]*
  {
    size_t save = c.pos();
    c.ConsumeSeparator();
    std::string_view label =
        MatchLabel(c, {"alpha", "a", "beta", "b", "preview", "pre", "c", "rc"});
    if (label.empty()) {
      c.set_pos(save);
    } else {
      v.pre_label = label == "alpha" || label == "a"  ? "a"
                    : label == "beta" || label == "b" ? "b"
                                                      : "rc";
      // The regex's trailing separator is greedy even without a number ("1.0a-" is valid).
      c.ConsumeSeparator();
      std::string_view n = c.Digits();
      v.pre_number = StripZeros(n);
    }
  }
  // Post-release: -N | [-_.]?(post|rev|r)[-_.]?[0-9]*
  {
    size_t save = c.pos();
    if (c.Consume('-') && IsDigit(c.peek())) {
      v.has_post = true;
      v.post_number = StripZeros(c.Digits());
    } else {
      c.set_pos(save);
      c.ConsumeSeparator();
      std::string_view label = MatchLabel(c, {"post", "rev", "r"});
      if (label.empty()) {
        c.set_pos(save);
      } else {
        v.has_post = true;
        c.ConsumeSeparator();
        std::string_view n = c.Digits();
        v.post_number = StripZeros(n);
      }
    }
  }
  // Development release: [-_.]?dev[-_.]?[0-9]*
  {
    size_t save = c.pos();
    c.ConsumeSeparator();
    if (c.ConsumeWord("dev")) {
      v.has_dev = true;
      c.ConsumeSeparator();
      std::string_view n = c.Digits();
      v.dev_number = StripZeros(n);
    } else {
      c.set_pos(save);
    }
  }
  // Local version: +[a-z0-9]+([-_.][a-z0-9]+)*
  if (c.Consume('+')) {
    std::string part;
    while (true) {
      char ch = c.peek();
      if (internal::IsLower(ch) || IsDigit(ch)) {
        part += ch;
        c.set_pos(c.pos() + 1);
        continue;
      }
      if (part.empty()) return invalid("not a valid PEP 440 version (bad local segment)");
      v.local.push_back(part);
      part.clear();
      if (c.done()) break;
      if (!c.ConsumeSeparator()) break;
    }
  }
  if (!c.done()) return invalid("not a valid PEP 440 version");
  return v;
}

int ComparePep440(const Pep440Version& a, const Pep440Version& b) {
  if (int r = CompareDigits(a.epoch, b.epoch)) return r;
  size_t n = std::max(a.release.size(), b.release.size());
  for (size_t i = 0; i < n; ++i) {
    std::string_view x = i < a.release.size() ? std::string_view(a.release[i]) : "0";
    std::string_view y = i < b.release.size() ? std::string_view(b.release[i]) : "0";
    if (int r = CompareDigits(x, y)) return r;
  }
  // Pre-release key: a dev release of a final (no pre, no post) sorts before every pre.
  auto pre_rank = [](const Pep440Version& v) {
    if (v.pre_label.empty() && !v.has_post && v.has_dev) return 0;  // -Infinity
    if (v.pre_label.empty()) return 2;                              // +Infinity
    return 1;
  };
  int ra = pre_rank(a), rb = pre_rank(b);
  if (ra != rb) return ra < rb ? -1 : 1;
  if (ra == 1) {
    if (a.pre_label != b.pre_label) return a.pre_label < b.pre_label ? -1 : 1;
    if (int r = CompareDigits(a.pre_number, b.pre_number)) return r;
  }
  if (int r = CompareOptionalNumber(a.has_post, a.post_number, b.has_post, b.post_number)) {
    return r;
  }
  // Dev: absent sorts after any dev number.
  if (a.has_dev != b.has_dev) return a.has_dev ? -1 : 1;
  if (a.has_dev) {
    if (int r = CompareDigits(a.dev_number, b.dev_number)) return r;
  }
  // Local: absent < present; parts compare numeric > alphanumeric, numbers numerically,
  // strings lexically; a shorter prefix sorts first.
  size_t nl = std::min(a.local.size(), b.local.size());
  for (size_t i = 0; i < nl; ++i) {
    bool da = internal::AllDigits(a.local[i]), db = internal::AllDigits(b.local[i]);
    if (da != db) return da ? 1 : -1;
    int r =
        da ? CompareDigits(a.local[i], b.local[i]) : internal::CompareBytes(a.local[i], b.local[i]);
    if (r) return r;
  }
  if (a.local.size() != b.local.size()) return a.local.size() < b.local.size() ? -1 : 1;
  return 0;
}

namespace internal {
namespace {

// packaging < 22's LegacyVersion key (the setuptools parse_version of old): the lower-cased
// string split into digit runs, letter runs and single other characters; numbers zero-padded
// to 8 places, words prefixed with '*', "pre"/"preview"/"rc" -> "c", "dev" -> "@", "-" ->
// "final-", trailing zero runs and "-" before pre-release words dropped, then "*final".
std::vector<std::string> LegacyKey(std::string_view text) {
  std::string s;
  for (char ch : text) s += LowerAscii(ch);
  std::vector<std::string> raw;
  size_t i = 0;
  while (i < s.size()) {
    size_t start = i;
    if (IsDigit(s[i])) {
      while (i < s.size() && IsDigit(s[i])) ++i;
    } else if (IsLower(s[i])) {
      while (i < s.size() && IsLower(s[i])) ++i;
    } else {
      // Anything else between matches is one piece, as re.split returns it.
      ++i;
      if (s[start] != '.' && s[start] != '-') {
        while (i < s.size() && !IsDigit(s[i]) && !IsLower(s[i]) && s[i] != '.' && s[i] != '-') {
          ++i;
        }
      }
    }
    raw.push_back(s.substr(start, i - start));
  }
  std::vector<std::string> parts;
  auto add = [&parts](std::string part) {
    if (!part.empty() && part.front() == '*') {
      if (std::string_view(part) < "*final") {
        while (!parts.empty() && parts.back() == "*final-") parts.pop_back();
      }
      while (!parts.empty() && parts.back() == "00000000") parts.pop_back();
    }
    parts.push_back(std::move(part));
  };
  for (const std::string& piece : raw) {
    std::string_view p = piece;
    if (p == "pre" || p == "preview" || p == "rc") p = "c";
    if (p == "dev") p = "@";
    if (p == "-") p = "final-";
    if (p.empty() || p == ".") continue;
    std::string part;
    if (IsDigit(p[0])) {
      if (p.size() < 8) part.append(8 - p.size(), '0');
    } else {
      part.push_back('*');
    }
    part.append(p);
    add(std::move(part));
  }
  add(std::string("*final"));
  return parts;
}

// A PyPI version: PEP 440, or (for ordering only) a legacy string.
struct PypiVersion {
  bool legacy = false;
  Pep440Version pep;
  std::vector<std::string> legacy_key;
};

class Pep440 final : public SchemeImpl<PypiVersion> {
 public:
  std::string_view Name() const override { return "pep440"; }
  // Non-PEP 440 strings are ordered as packaging < 22 did (LegacyVersion, before every
  // valid version) because OSV's PyPI data still holds them; Validate rejects them.
  StatusOr<PypiVersion> ParseValue(std::string_view s) const override {
    PypiVersion v;
    auto pep = ParsePep440(s);
    if (pep.ok()) {
      v.pep = *std::move(pep);
      return v;
    }
    if (Trim(s).empty()) return pep.status();
    v.legacy = true;
    v.legacy_key = LegacyKey(Trim(s));
    return v;
  }
  int CompareValues(const PypiVersion& a, const PypiVersion& b) const override {
    if (a.legacy != b.legacy) return a.legacy ? -1 : 1;
    if (!a.legacy) return ComparePep440(a.pep, b.pep);
    return a.legacy_key < b.legacy_key ? -1 : a.legacy_key > b.legacy_key ? 1 : 0;
  }
  Status Validate(std::string_view v) const override { return ParsePep440(v).status(); }
};

}  // namespace

const VersionScheme& Pep440Scheme() {
  static const Pep440 kScheme;
  return kScheme;
}

}  // namespace internal
}  // namespace vigil::match
