#include "match/pep440_specifier.h"

#include <utility>

#include "base/strings.h"
#include "match/version_util.h"

namespace vigil::match {
namespace {

Status SpecError(std::string_view spec, std::string_view why) {
  return InvalidArgumentError("PEP 440 specifier \"" + std::string(spec.substr(0, 128)) +
                              "\": " + std::string(why));
}

// Base version: epoch and release only.
Pep440Version Base(const Pep440Version& v) {
  Pep440Version b;
  b.epoch = v.epoch;
  b.release = v.release;
  return b;
}

Pep440Version Public(Pep440Version v) {
  v.local.clear();
  return v;
}

bool SameBase(const Pep440Version& a, const Pep440Version& b) {
  return ComparePep440(Base(a), Base(b)) == 0;
}

// "==1.2.*": same epoch and the release, zero-padded, starts with the prefix's release.
bool PrefixMatch(const Pep440Version& v, const Pep440Version& prefix) {
  if (internal::CompareDigits(v.epoch, prefix.epoch) != 0) return false;
  for (size_t i = 0; i < prefix.release.size(); ++i) {
    std::string_view part = i < v.release.size() ? std::string_view(v.release[i]) : "0";
    if (internal::CompareDigits(part, prefix.release[i]) != 0) return false;
  }
  return true;
}

}  // namespace

StatusOr<Pep440SpecifierSet> Pep440SpecifierSet::Parse(std::string_view specifiers) {
  Pep440SpecifierSet set;
  for (std::string_view raw : Split(specifiers, ',')) {
    std::string_view item = Trim(raw);
    if (item.empty()) {
      if (Trim(specifiers).empty()) break;
      return SpecError(specifiers, "empty specifier");
    }
    static constexpr std::pair<std::string_view, Op> kOps[] = {
        {"===", Op::kArbitrary}, {"~=", Op::kCompatible}, {"==", Op::kEqual},
        {"!=", Op::kNotEqual},   {"<=", Op::kLessEqual},  {">=", Op::kGreaterEqual},
        {"<", Op::kLess},        {">", Op::kGreater},
    };
    Specifier spec{Op::kEqual, "", false, {}};
    bool found = false;
    for (const auto& [text, op] : kOps) {
      if (StartsWith(item, text)) {
        spec.op = op;
        item.remove_prefix(text.size());
        found = true;
        break;
      }
    }
    if (!found) return SpecError(raw, "missing operator (~=, ==, !=, <=, >=, <, >, ===)");
    item = Trim(item);
    if (item.empty()) return SpecError(raw, "missing version");
    spec.text = std::string(item);
    if (spec.op == Op::kArbitrary) {
      for (char c : item) {
        if (c == ' ' || c == '\t' || c == ',' || c == ';' || c == ')') {
          return SpecError(raw, "bad version for ===");
        }
      }
      set.specs_.push_back(std::move(spec));
      continue;
    }
    std::string_view version_text = item;
    if (EndsWith(item, ".*")) {
      if (spec.op != Op::kEqual && spec.op != Op::kNotEqual) {
        return SpecError(raw, "wildcards are only allowed with == and !=");
      }
      spec.wildcard = true;
      version_text.remove_suffix(2);
    }
    auto parsed = ParsePep440(version_text);
    if (!parsed.ok()) return SpecError(raw, parsed.status().message());
    const Pep440Version& v = *parsed;
    bool suffixed = !v.pre_label.empty() || v.has_post || v.has_dev;
    if (spec.wildcard && (suffixed || !v.local.empty())) {
      return SpecError(raw, "a wildcard cannot follow a pre, post, dev or local version");
    }
    if (!v.local.empty() && spec.op != Op::kEqual && spec.op != Op::kNotEqual) {
      return SpecError(raw, "local versions are only allowed with == and !=");
    }
    if (spec.op == Op::kCompatible && v.release.size() < 2) {
      return SpecError(raw, "~= needs at least two release components");
    }
    spec.version = *std::move(parsed);
    set.specs_.push_back(std::move(spec));
  }
  return set;
}

bool Pep440SpecifierSet::Matches(const Specifier& s, const Pep440Version& v,
                                 std::string_view normalized) {
  switch (s.op) {
    case Op::kArbitrary:
      return EqualsIgnoreCase(normalized, s.text);
    case Op::kEqual:
    case Op::kNotEqual: {
      bool eq;
      if (s.wildcard) {
        eq = PrefixMatch(v, s.version);
      } else if (s.version.local.empty()) {
        eq = ComparePep440(Public(v), s.version) == 0;
      } else {
        eq = ComparePep440(v, s.version) == 0;
      }
      return s.op == Op::kEqual ? eq : !eq;
    }
    case Op::kCompatible: {
      if (ComparePep440(Public(v), s.version) < 0) return false;
      Pep440Version prefix = Base(s.version);
      prefix.release.pop_back();
      return PrefixMatch(v, prefix);
    }
    case Op::kLessEqual:
      return ComparePep440(Public(v), s.version) <= 0;
    case Op::kGreaterEqual:
      return ComparePep440(Public(v), s.version) >= 0;
    case Op::kLess:
      if (ComparePep440(v, s.version) >= 0) return false;
      // "<3.0" excludes 3.0's own pre-releases unless the bound is a pre-release itself.
      if (!s.version.is_prerelease() && v.is_prerelease() && SameBase(v, s.version)) return false;
      return true;
    case Op::kGreater:
      if (ComparePep440(v, s.version) <= 0) return false;
      // ">3.0" excludes 3.0's post-releases (unless the bound is one) and local versions.
      if (!s.version.has_post && v.has_post && SameBase(v, s.version)) return false;
      if (!v.local.empty() && SameBase(v, s.version)) return false;
      return true;
  }
  return false;
}

bool Pep440SpecifierSet::AllowsPrereleases() const {
  for (const Specifier& s : specs_) {
    if (s.op == Op::kNotEqual) continue;
    if (s.op == Op::kArbitrary) {
      auto v = ParsePep440(s.text);
      if (v.ok() && v->is_prerelease()) return true;
      continue;
    }
    if (s.version.is_prerelease()) return true;
  }
  return false;
}

bool Pep440SpecifierSet::ContainsImpl(const Pep440Version& v,
                                      std::optional<bool> prereleases) const {
  bool allow_pre = prereleases.value_or(AllowsPrereleases());
  if (!allow_pre && v.is_prerelease()) return false;
  // "===" compares the normalised text, as packaging compares str(Version).
  std::string normalized = v.Public();
  if (!v.local.empty()) {
    normalized.push_back('+');
    normalized.append(Join(v.local, "."));
  }
  for (const Specifier& s : specs_) {
    if (!Matches(s, v, normalized)) return false;
  }
  return true;
}

bool Pep440SpecifierSet::Contains(const Pep440Version& version,
                                  std::optional<bool> prereleases) const {
  return ContainsImpl(version, prereleases);
}

StatusOr<bool> Pep440SpecifierSet::Contains(std::string_view version,
                                            std::optional<bool> prereleases) const {
  VIGIL_ASSIGN_OR_RETURN(Pep440Version v, ParsePep440(version));
  return ContainsImpl(v, prereleases);
}

StatusOr<bool> SatisfiesPep440(std::string_view version, std::string_view specifiers,
                               std::optional<bool> prereleases) {
  VIGIL_ASSIGN_OR_RETURN(Pep440SpecifierSet set, Pep440SpecifierSet::Parse(specifiers));
  return set.Contains(version, prereleases);
}

}  // namespace vigil::match
