// npm version ranges as node-semver parses and tests them (https://github.com/npm/node-semver
// "Ranges"): "||"-separated sets of space-separated comparators, with X-ranges ("1.2.x",
// "*", ""), tilde ("~1.2.3"), caret ("^0.2.3") and hyphen ("1.2 - 2.3.4") forms.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "match/semver.h"

namespace vigil::match {

class NpmRange {
 public:
  // Parses a range. As an extension for GitHub advisories (">= 1.0.0, < 1.4.2") a comma
  // joins comparators like a space. Errors name the offending part of the range.
  static StatusOr<NpmRange> Parse(std::string_view range);

  // node-semver's satisfies(): a version with a pre-release tag only matches a comparator
  // set that has a comparator with a pre-release on the same MAJOR.MINOR.PATCH, unless
  // `include_prerelease`.
  bool Contains(const SemVer& version, bool include_prerelease = false) const;
  StatusOr<bool> Contains(std::string_view version, bool include_prerelease = false) const;

  // The desugared range, e.g. "^1.2.3" -> ">=1.2.3 <2.0.0-0" (node-semver's Range.range).
  std::string ToString() const;

  // The lowest version above `floor` that the range names as a lower bound (">=" or "=")
  // and that satisfies the range, as text ("4.17.19" for ">=4.17.19" above 4.17.15): the
  // first fixed version of a "patched" range. Empty when no bound qualifies.
  std::string LowestBoundAbove(const SemVer& floor) const;

 private:
  enum class Op { kLess, kLessEqual, kGreater, kGreaterEqual, kEqual };
  struct Comparator {
    Op op;
    SemVer version;
  };
  // An empty comparator list matches every version (node-semver's ANY).
  using ComparatorSet = std::vector<Comparator>;

  static bool Test(const Comparator& c, const SemVer& v);
  static bool TestSet(const ComparatorSet& set, const SemVer& v, bool include_prerelease);

  std::vector<ComparatorSet> sets_;
};

// One-shot form of NpmRange::Parse(range)->Contains(version).
StatusOr<bool> SatisfiesNpmRange(std::string_view version, std::string_view range,
                                 bool include_prerelease = false);

}  // namespace vigil::match
