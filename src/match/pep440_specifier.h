// PEP 440 version specifiers as packaging.specifiers.SpecifierSet evaluates them:
// ">=1.0,!=1.3.*,<2", "~=2.2", "===foobar".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "match/pep440.h"

namespace vigil::match {

class Pep440SpecifierSet {
 public:
  // Parses comma-separated specifiers (whitespace around each is ignored); an empty string
  // is the set that allows every version. Errors name the bad specifier.
  static StatusOr<Pep440SpecifierSet> Parse(std::string_view specifiers);

  // packaging's SpecifierSet.contains(). Pre-releases (and dev releases) match only if
  // `prereleases` is true or, when it is unset, if some specifier mentions a pre-release
  // with any operator but != (packaging >= 22).
  bool Contains(const Pep440Version& version, std::optional<bool> prereleases = {}) const;
  // Parses `version` first. "===" compares the normalised version text, case-insensitively.
  StatusOr<bool> Contains(std::string_view version, std::optional<bool> prereleases = {}) const;

 private:
  enum class Op {
    kCompatible,
    kEqual,
    kNotEqual,
    kLessEqual,
    kGreaterEqual,
    kLess,
    kGreater,
    kArbitrary,
  };
  struct Specifier {
    Op op;
    std::string text;       // the version text as written (for ===)
    bool wildcard = false;  // "==1.2.*" / "!=1.2.*"
    Pep440Version version;  // unset for ===; the prefix for wildcards
  };

  static bool Matches(const Specifier& s, const Pep440Version& v, std::string_view normalized);
  bool AllowsPrereleases() const;
  bool ContainsImpl(const Pep440Version& v, std::optional<bool> prereleases) const;

  std::vector<Specifier> specs_;
};

// One-shot form of Pep440SpecifierSet::Parse(specifiers)->Contains(version).
StatusOr<bool> SatisfiesPep440(std::string_view version, std::string_view specifiers,
                               std::optional<bool> prereleases = {});

}  // namespace vigil::match
