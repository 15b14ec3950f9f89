// Helpers shared by the scheme implementations. Internal to src/match.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "match/version.h"

namespace vigil::match::internal {

// ASCII-only classification: the native tools all use the C locale.
inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
inline bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
inline bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
inline bool IsAlpha(char c) { return IsLower(c) || IsUpper(c); }
inline bool IsAlnum(char c) { return IsAlpha(c) || IsDigit(c); }
inline char LowerAscii(char c) { return IsUpper(c) ? static_cast<char>(c - 'A' + 'a') : c; }

inline int Sign(int v) { return (v > 0) - (v < 0); }

// Compares two runs of decimal digits as unbounded integers (leading zeros ignored), so
// 30-digit components order correctly without overflow. Either may be empty (== 0).
int CompareDigits(std::string_view a, std::string_view b);

// Byte-wise three-way comparison, result in {-1, 0, 1}.
int CompareBytes(std::string_view a, std::string_view b);

// Byte-wise comparison after ASCII lower-casing.
int CompareBytesIgnoreCase(std::string_view a, std::string_view b);

bool AllDigits(std::string_view s);

// The error every scheme returns for a version it cannot parse.
Status InvalidVersion(std::string_view scheme, std::string_view version, std::string_view why);

// Shared Compare body for schemes with a Parse(string_view) -> StatusOr<T> and a
// Cmp(const T&, const T&) -> int.
template <typename Parser>
StatusOr<int> CompareWith(const Parser& parser, std::string_view a, std::string_view b) {
  auto pa = parser.Parse(a);
  if (!pa.ok()) return pa.status();
  auto pb = parser.Parse(b);
  if (!pb.ok()) return pb.status();
  return Sign(parser.Cmp(*pa, *pb));
}

// Singletons, one per scheme; defined in the scheme's own .cc file.
const VersionScheme& DpkgScheme();
const VersionScheme& ApkScheme();
const VersionScheme& RpmScheme();
const VersionScheme& Pep440Scheme();
const VersionScheme& SemVerScheme();
const VersionScheme& NpmScheme();
const VersionScheme& GoScheme();
const VersionScheme& PubScheme();
const VersionScheme& MavenScheme();
const VersionScheme& RubyGemsScheme();
const VersionScheme& ComposerScheme();
const VersionScheme& NuGetScheme();
const VersionScheme& CranScheme();
const VersionScheme& HackageScheme();

}  // namespace vigil::match::internal
