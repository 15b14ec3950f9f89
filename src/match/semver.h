// Semantic Versioning 2.0.0 versions in the dialects OSV ecosystems use: npm (node-semver),
// Go modules (golang.org/x/mod/semver), Dart pub (pub_semver, which orders build metadata)
// and a lenient form for crates.io and other SemVer-like ecosystems.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace vigil::match {

// Every dialect accepts an optional "v" and one or more numeric components: missing minor or
// patch are 0 (Go's "v1.2" shorthand) and components beyond the third are build metadata, as
// OSV's reference implementation orders them; advisories hold such versions.
enum class SemVerDialect {
  kLenient,
  // node-semver: also surrounding spaces and a leading "=".
  kNpm,
  // Go modules: pseudo-versions are ordinary pre-releases, "+incompatible" is build metadata.
  kGo,
  // pub_semver: like kLenient, but build metadata takes part in ordering.
  kPub,
};

struct SemVer {
  std::string major, minor, patch;      // digit strings, leading zeros stripped
  std::vector<std::string> prerelease;  // dot-separated identifiers
  std::vector<std::string> build;       // dot-separated identifiers
};

StatusOr<SemVer> ParseSemVer(std::string_view text, SemVerDialect dialect);

// SemVer precedence: core numerically, a pre-release sorts before its release, identifiers
// numerically when all digits, else byte-wise, numeric before alphanumeric, shorter list first.
// Build metadata is ignored unless `compare_build` (pub: absent build < present build).
int CompareSemVer(const SemVer& a, const SemVer& b, bool compare_build = false);

}  // namespace vigil::match
