// Version schemes: one class per package ecosystem behind one interface, a registry keyed by
// OSV ecosystem name, and the `vigil debug version-compare --batch` contract.
//
// Every scheme is stateless and immutable, so the registry hands out shared singletons that
// are safe to use from any thread. Versions are untrusted input (image metadata, feeds): no
// scheme asserts or throws on garbage; a version the scheme cannot order is reported as an
// InvalidArgument Status naming the version.
#pragma once

#include <iosfwd>
#include <memory>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace vigil::match {

class VersionScheme;

// A version parsed once by a scheme, to be compared many times (one installed package against
// every range of every advisory for it). Immutable and thread-safe; it owns a copy of its text.
class ParsedVersion {
 public:
  virtual ~ParsedVersion() = default;
  virtual std::string_view text() const = 0;
  // The scheme that parsed it; only that scheme orders it without reparsing.
  virtual const VersionScheme* scheme() const = 0;
};

class VersionScheme {
 public:
  virtual ~VersionScheme() = default;

  // Short stable identifier of the ordering ("dpkg", "apk", "rpm", "pep440", ...).
  virtual std::string_view Name() const = 0;

  // Orders two versions: -1 if a < b, 0 if equal in precedence, 1 if a > b. Fails with
  // InvalidArgument if the scheme cannot order either version. Like their native tools, some
  // schemes order strings Validate rejects (apk outside its grammar, PyPI legacy versions,
  // RubyGems "1beta").
  virtual StatusOr<int> Compare(std::string_view a, std::string_view b) const = 0;

  // OK if `v` is a well-formed version of the ecosystem. Matching uses it to refuse versions
  // whose order would only be a guess. Schemes whose native tool orders any string (rpm,
  // Packagist) reject only empty input.
  virtual Status Validate(std::string_view v) const = 0;

  // Parses once for CompareParsed. Accepts exactly what Compare accepts (which for some
  // schemes is more than Validate: see each scheme).
  virtual StatusOr<std::unique_ptr<const ParsedVersion>> Parse(std::string_view v) const = 0;

  // Same result as Compare(a.text(), b.text()), without reparsing handles of this scheme.
  virtual int CompareParsed(const ParsedVersion& a, const ParsedVersion& b) const = 0;
};

// The scheme for an OSV ecosystem name, case-insensitive, ignoring a ":<release>" suffix
// ("Debian:12", "Alpine:v3.19", "Red Hat:enterprise_linux:9"). Unknown names are NotFound.
StatusOr<const VersionScheme*> SchemeForEcosystem(std::string_view osv_ecosystem);

// Every scheme, once each (fuzzing, benchmarks, docs).
const std::vector<const VersionScheme*>& AllSchemes();

// The `version-compare --batch` contract: for each input line "A<TAB>B" writes one line,
// "<", "=" or ">", or "error: <message>" when the line has no TAB or a version is invalid.
// A trailing '\r' is dropped. Returns NotFound for an unknown ecosystem (writing nothing) and
// DataLoss if reading or writing fails; invalid lines never fail the batch.
Status CompareBatch(std::string_view ecosystem, std::istream& in, std::ostream& out);

}  // namespace vigil::match
