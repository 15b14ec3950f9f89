// NuGet ordering: NuGet.Versioning's NuGetVersion with VersionComparer.Default. Versions are
// SemVer 2.0 plus the legacy fourth "revision" component (missing components are 0, leading
// zeros allowed); release labels compare case-insensitively (numeric labels numerically and
// before alphanumeric ones, fewer labels first), and build metadata is ignored.
#include <string>
#include <string_view>
#include <vector>

#include "match/version_util.h"

namespace vigil::match::internal {
namespace {

struct NuGetVersion {
  std::vector<std::string_view> numbers;  // exactly 4
  std::vector<std::string_view> labels;
};

class NuGet final : public SchemeImpl<NuGetVersion> {
 public:
  std::string_view Name() const override { return "nuget"; }

  StatusOr<NuGetVersion> ParseValue(std::string_view text) const override {
    std::string_view s = text;
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    if (!s.empty() && (s.front() == 'v' || s.front() == 'V')) s.remove_prefix(1);
    if (s.empty()) return InvalidVersion("NuGet", text, "empty version");
    size_t plus = s.find('+');
    if (plus != std::string_view::npos) {
      std::string_view meta = s.substr(plus + 1);
      if (meta.empty()) return InvalidVersion("NuGet", text, "empty build metadata");
      for (char c : meta) {
        if (!IsAlnum(c) && c != '-' && c != '.') {
          return InvalidVersion("NuGet", text, "bad build metadata");
        }
      }
      s = s.substr(0, plus);
    }
    std::string_view pre;
    bool has_pre = false;
    size_t hyphen = s.find('-');
    if (hyphen != std::string_view::npos) {
      pre = s.substr(hyphen + 1);
      has_pre = true;
      s = s.substr(0, hyphen);
    }
    NuGetVersion v;
    size_t start = 0;
    while (true) {
      size_t dot = s.find('.', start);
      std::string_view n = s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
      if (n.empty() || !AllDigits(n)) {
        return InvalidVersion("NuGet", text, "version numbers must be digits");
      }
      v.numbers.push_back(n);
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
    if (v.numbers.size() > 4) return InvalidVersion("NuGet", text, "more than four numbers");
    while (v.numbers.size() < 4) v.numbers.push_back("0");
    if (has_pre) {
      size_t ls = 0;
      while (true) {
        size_t dot = pre.find('.', ls);
        std::string_view l = pre.substr(ls, dot == std::string_view::npos ? pre.npos : dot - ls);
        if (l.empty()) return InvalidVersion("NuGet", text, "empty release label");
        for (char c : l) {
          if (!IsAlnum(c) && c != '-') return InvalidVersion("NuGet", text, "bad release label");
        }
        v.labels.push_back(l);
        if (dot == std::string_view::npos) break;
        ls = dot + 1;
      }
    }
    return v;
  }

  int CompareValues(const NuGetVersion& a, const NuGetVersion& b) const override {
    for (size_t i = 0; i < 4; ++i) {
      if (int r = CompareDigits(a.numbers[i], b.numbers[i])) return r;
    }
    if (a.labels.empty() != b.labels.empty()) return a.labels.empty() ? 1 : -1;
    size_t n = std::min(a.labels.size(), b.labels.size());
    for (size_t i = 0; i < n; ++i) {
      bool da = AllDigits(a.labels[i]), db = AllDigits(b.labels[i]);
      if (da != db) return da ? -1 : 1;
      int r = da ? CompareDigits(a.labels[i], b.labels[i])
                 : CompareBytesIgnoreCase(a.labels[i], b.labels[i]);
      if (r) return r;
    }
    if (a.labels.size() != b.labels.size()) return a.labels.size() < b.labels.size() ? -1 : 1;
    return 0;
  }

  Status Validate(std::string_view v) const override { return ParseValue(v).status(); }
};

}  // namespace

const VersionScheme& NuGetScheme() {
  static const NuGet kScheme;
  return kScheme;
}

}  // namespace vigil::match::internal
