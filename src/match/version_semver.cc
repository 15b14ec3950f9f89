// SemVer 2.0.0 precedence (https://semver.org/#spec-item-11) for npm, Go, pub and SemVer-like
// ecosystems (crates.io), with each dialect's parsing rules (see semver.h).
#include <string>
#include <string_view>

#include "match/semver.h"
#include "match/version_util.h"

namespace vigil::match {
namespace {

using internal::AllDigits;
using internal::CompareDigits;
using internal::IsAlnum;
using internal::IsDigit;

std::string StripZeros(std::string_view digits) {
  while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
  return std::string(digits);
}

std::string_view DialectName(SemVerDialect d) {
  switch (d) {
    case SemVerDialect::kNpm:
      return "npm";
    case SemVerDialect::kGo:
      return "Go";
    case SemVerDialect::kPub:
      return "pub";
    case SemVerDialect::kLenient:
      break;
  }
  return "semver";
}

// Splits dot-separated identifiers of [0-9A-Za-z-]+; empty identifiers are errors.
bool ParseIdentifiers(std::string_view s, std::vector<std::string>* out) {
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string_view id = s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
    if (id.empty()) return false;
    for (char c : id) {
      if (!IsAlnum(c) && c != '-') return false;
    }
    out->emplace_back(id);
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

int CompareIdentifiers(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    bool da = AllDigits(a[i]), db = AllDigits(b[i]);
    if (da != db) return da ? -1 : 1;
    int r = da ? CompareDigits(a[i], b[i]) : internal::CompareBytes(a[i], b[i]);
    if (r) return r;
  }
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return 0;
}

}  // namespace

StatusOr<SemVer> ParseSemVer(std::string_view text, SemVerDialect dialect) {
  std::string_view name = DialectName(dialect);
  auto invalid = [&](std::string_view why) { return internal::InvalidVersion(name, text, why); };
  std::string_view s = text;
  if (dialect == SemVerDialect::kNpm) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    if (!s.empty() && s.front() == '=') s.remove_prefix(1);
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  }
  if (!s.empty() && s.front() == 'v') s.remove_prefix(1);
  if (s.empty()) return invalid("empty version");

  SemVer v;
  std::vector<std::string_view> core;
  size_t i = 0;
  while (true) {
    size_t start = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    if (i == start) return invalid("expected a number");
    core.push_back(s.substr(start, i - start));
    if (i < s.size() && s[i] == '.') {
      ++i;
      continue;
    }
    break;
  }
  std::string_view rest = s.substr(i);
  std::string_view pre, build;
  bool has_pre = false, has_build = false;
  size_t plus = rest.find('+');
  if (plus != std::string_view::npos) {
    build = rest.substr(plus + 1);
    has_build = true;
    rest = rest.substr(0, plus);
  }
  if (!rest.empty()) {
    if (rest.front() != '-')
      return invalid("unexpected \"" + std::string(rest.substr(0, 16)) + "\"");
    pre = rest.substr(1);
    has_pre = true;
  }
  v.major = StripZeros(core[0]);
  v.minor = core.size() > 1 ? StripZeros(core[1]) : "0";
  v.patch = core.size() > 2 ? StripZeros(core[2]) : "0";
  if (has_pre && !ParseIdentifiers(pre, &v.prerelease)) return invalid("bad pre-release");
  if (has_build && !ParseIdentifiers(build, &v.build)) return invalid("bad build metadata");
  // Components after the third belong to the build string.
  if (core.size() > 3) {
    std::vector<std::string> extra;
    for (size_t k = 3; k < core.size(); ++k) extra.emplace_back(core[k]);
    extra.insert(extra.end(), v.build.begin(), v.build.end());
    v.build = std::move(extra);
  }
  return v;
}

int CompareSemVer(const SemVer& a, const SemVer& b, bool compare_build) {
  if (int r = CompareDigits(a.major, b.major)) return r;
  if (int r = CompareDigits(a.minor, b.minor)) return r;
  if (int r = CompareDigits(a.patch, b.patch)) return r;
  if (a.prerelease.empty() != b.prerelease.empty()) return a.prerelease.empty() ? 1 : -1;
  if (int r = CompareIdentifiers(a.prerelease, b.prerelease)) return r;
  if (!compare_build) return 0;
  if (a.build.empty() != b.build.empty()) return a.build.empty() ? -1 : 1;
  return CompareIdentifiers(a.build, b.build);
}

namespace internal {
namespace {

class SemVerFamily final : public SchemeImpl<SemVer> {
 public:
  SemVerFamily(std::string_view name, SemVerDialect dialect) : name_(name), dialect_(dialect) {}
  std::string_view Name() const override { return name_; }
  StatusOr<SemVer> ParseValue(std::string_view s) const override {
    return ParseSemVer(s, dialect_);
  }
  int CompareValues(const SemVer& a, const SemVer& b) const override {
    return CompareSemVer(a, b, dialect_ == SemVerDialect::kPub);
  }
  Status Validate(std::string_view v) const override { return ParseValue(v).status(); }

 private:
  std::string_view name_;
  SemVerDialect dialect_;
};

}  // namespace

const VersionScheme& SemVerScheme() {
  static const SemVerFamily kScheme("semver", SemVerDialect::kLenient);
  return kScheme;
}
const VersionScheme& NpmScheme() {
  static const SemVerFamily kScheme("npm", SemVerDialect::kNpm);
  return kScheme;
}
const VersionScheme& GoScheme() {
  static const SemVerFamily kScheme("go", SemVerDialect::kGo);
  return kScheme;
}
const VersionScheme& PubScheme() {
  static const SemVerFamily kScheme("pub", SemVerDialect::kPub);
  return kScheme;
}

}  // namespace internal
}  // namespace vigil::match
