// Helpers shared by the scheme implementations. Internal to src/match.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>

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

// A parsed version and the text it was parsed from. The value may point into `text`, so the
// handle is heap-allocated once and never moved.
template <typename T>
class ParsedHandle final : public ParsedVersion {
 public:
  ParsedHandle(const VersionScheme* scheme, std::string text)
      : scheme_(scheme), text_(std::move(text)) {}
  ParsedHandle(const ParsedHandle&) = delete;
  ParsedHandle& operator=(const ParsedHandle&) = delete;

  std::string_view text() const override { return text_; }
  const VersionScheme* scheme() const override { return scheme_; }

  T value;

 private:
  const VersionScheme* scheme_;
  const std::string text_;
};

// Base of every scheme: it parses into a T and orders two T's; Compare, Parse and
// CompareParsed follow from that.
template <typename T>
class SchemeImpl : public VersionScheme {
 public:
  virtual StatusOr<T> ParseValue(std::string_view v) const = 0;
  // Any sign; callers normalise with Sign().
  virtual int CompareValues(const T& a, const T& b) const = 0;

  StatusOr<int> Compare(std::string_view a, std::string_view b) const override {
    StatusOr<T> pa = ParseValue(a);
    if (!pa.ok()) return pa.status();
    StatusOr<T> pb = ParseValue(b);
    if (!pb.ok()) return pb.status();
    return Sign(CompareValues(*pa, *pb));
  }

  StatusOr<std::unique_ptr<const ParsedVersion>> Parse(std::string_view v) const override {
    auto handle = std::make_unique<ParsedHandle<T>>(this, std::string(v));
    StatusOr<T> value = ParseValue(handle->text());
    if (!value.ok()) return value.status();
    handle->value = *std::move(value);
    return std::unique_ptr<const ParsedVersion>(std::move(handle));
  }

  int CompareParsed(const ParsedVersion& a, const ParsedVersion& b) const override {
    if (a.scheme() != this || b.scheme() != this) {
      // Another scheme's handle: order the texts with this scheme rather than misread it.
      return Compare(a.text(), b.text()).value_or(0);
    }
    return Sign(CompareValues(static_cast<const ParsedHandle<T>&>(a).value,
                              static_cast<const ParsedHandle<T>&>(b).value));
  }
};

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
