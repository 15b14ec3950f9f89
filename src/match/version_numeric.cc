// Purely numeric schemes.
//  - CRAN: R's package_version / compareVersion: non-negative integers separated by '.' or
//    '-', compared component-wise; with an equal prefix the longer version is newer
//    ("0.1.0" < "0.1.0.0").
//  - Hackage: Haskell's Data.Version ordering of versionBranch (integers separated by '.'),
//    lexicographic on the lists, so "1.0" < "1.0.0".
#include <string_view>
#include <vector>

#include "match/version_util.h"

namespace vigil::match::internal {
namespace {

class NumericList final : public SchemeImpl<std::vector<std::string_view>> {
 public:
  NumericList(std::string_view name, std::string_view display, std::string_view separators)
      : name_(name), display_(display), separators_(separators) {}

  std::string_view Name() const override { return name_; }

  StatusOr<std::vector<std::string_view>> ParseValue(std::string_view text) const override {
    std::string_view s = text;
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    if (s.empty()) return InvalidVersion(display_, text, "empty version");
    std::vector<std::string_view> parts;
    size_t start = 0;
    while (true) {
      size_t sep = s.find_first_of(separators_, start);
      std::string_view n = s.substr(start, sep == std::string_view::npos ? s.npos : sep - start);
      if (n.empty() || !AllDigits(n)) {
        return InvalidVersion(display_, text,
                              "expected numbers separated by " +
                                  std::string(separators_ == "." ? "'.'" : "'.' or '-'"));
      }
      parts.push_back(n);
      if (sep == std::string_view::npos) break;
      start = sep + 1;
    }
    return parts;
  }

  int CompareValues(const std::vector<std::string_view>& a,
                    const std::vector<std::string_view>& b) const override {
    size_t n = std::min(a.size(), b.size());
    for (size_t i = 0; i < n; ++i) {
      if (int r = CompareDigits(a[i], b[i])) return r;
    }
    if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
    return 0;
  }

  Status Validate(std::string_view v) const override { return ParseValue(v).status(); }

 private:
  std::string_view name_;
  std::string_view display_;
  std::string_view separators_;
};

}  // namespace

const VersionScheme& CranScheme() {
  static const NumericList kScheme("cran", "CRAN", ".-");
  return kScheme;
}

const VersionScheme& HackageScheme() {
  static const NumericList kScheme("hackage", "Hackage", ".");
  return kScheme;
}

}  // namespace vigil::match::internal
