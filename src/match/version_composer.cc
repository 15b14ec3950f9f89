// Packagist ordering: PHP's version_compare() (ext/standard/versioning.c), which Composer's
// Comparator uses, after trimming leading 'v'/'V' as Composer's normaliser does.
//  - '-', '_' and '+' separate like '.', and so does every digit/non-digit transition;
//  - numeric parts compare numerically (unbounded here; PHP's strtol would saturate);
//  - non-numeric parts are "special forms" matched by prefix, case-sensitively:
//    unknown < dev < alpha = a < beta = b < RC = rc < # < pl = p;
//  - a number against a special form compares as the form "#";
//  - when one side runs out, a remaining number wins, a remaining form compares to "#".
// Other non-alphanumeric characters separate too, as in PHP's canonicalisation, except '#',
// which stays a form ("1.2.3.#" = "1.2.3", as the shared vectors expect).
#include <string_view>
#include <vector>

#include "match/version_util.h"

namespace vigil::match::internal {
namespace {

struct Part {
  bool number = false;
  std::string_view text;
};

int FormOrder(std::string_view form) {
  static constexpr std::pair<std::string_view, int> kForms[] = {
      {"dev", 0}, {"alpha", 1}, {"a", 1}, {"beta", 2}, {"b", 2},
      {"RC", 3},  {"rc", 3},    {"#", 4}, {"pl", 5},   {"p", 5},
  };
  for (const auto& [name, order] : kForms) {
    if (form.substr(0, name.size()) == name) return order;
  }
  return -1;
}

int CompareForms(std::string_view a, std::string_view b) {
  int oa = FormOrder(a), ob = FormOrder(b);
  return oa < ob ? -1 : oa > ob ? 1 : 0;
}

int CompareParts(const Part& a, const Part& b) {
  if (a.number && b.number) return CompareDigits(a.text, b.text);
  if (!a.number && !b.number) return CompareForms(a.text, b.text);
  return a.number ? CompareForms("#", b.text) : CompareForms(a.text, "#");
}

std::vector<Part> Canonicalize(std::string_view s) {
  while (!s.empty() && (s.front() == 'v' || s.front() == 'V')) s.remove_prefix(1);
  std::vector<Part> parts;
  size_t i = 0;
  // PHP turns '-', '_', '+' and every other non-alphanumeric character into '.'; '#' is
  // kept as a form of its own, which the shared vectors expect.
  auto separator = [](char c) { return !IsAlnum(c) && c != '#'; };
  while (i < s.size()) {
    if (separator(s[i])) {
      ++i;
      continue;
    }
    size_t start = i;
    bool digit = IsDigit(s[i]);
    while (i < s.size() && !separator(s[i]) && IsDigit(s[i]) == digit) ++i;
    parts.push_back({digit, s.substr(start, i - start)});
  }
  return parts;
}

class Composer final : public SchemeImpl<std::vector<Part>> {
 public:
  std::string_view Name() const override { return "composer"; }

  StatusOr<std::vector<Part>> ParseValue(std::string_view s) const override {
    std::vector<Part> parts = Canonicalize(s);
    if (parts.empty()) return InvalidVersion("Packagist", s, "empty version");
    return parts;
  }

  int CompareValues(const std::vector<Part>& a, const std::vector<Part>& b) const override {
    size_t n = std::min(a.size(), b.size());
    for (size_t i = 0; i < n; ++i) {
      if (int r = CompareParts(a[i], b[i])) return r;
    }
    const Part kHash{false, "#"};
    // The longer side's remaining parts are compared against "#N#" (the form "#").
    for (size_t i = n; i < a.size(); ++i) {
      if (a[i].number) return 1;
      if (int r = CompareParts(a[i], kHash)) return r;
    }
    for (size_t i = n; i < b.size(); ++i) {
      if (b[i].number) return -1;
      if (int r = CompareParts(kHash, b[i])) return r;
    }
    return 0;
  }

  Status Validate(std::string_view v) const override { return ParseValue(v).status(); }
};

}  // namespace

const VersionScheme& ComposerScheme() {
  static const Composer kScheme;
  return kScheme;
}

}  // namespace vigil::match::internal
