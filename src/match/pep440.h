// PEP 440 versions as the `packaging` library parses and orders them (packaging.version):
// used by the PyPI scheme and by the specifier evaluator.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace vigil::match {

// A parsed, normalised PEP 440 version. Numbers are kept as digit strings (leading zeros
// stripped, "0" for zero) so arbitrarily large components order correctly.
struct Pep440Version {
  std::string epoch = "0";
  std::vector<std::string> release;  // at least one component
  // Pre-release: label is "a", "b" or "rc" (alpha/beta/c/pre/preview normalised); empty if none.
  std::string pre_label;
  std::string pre_number;
  bool has_post = false;
  std::string post_number;
  bool has_dev = false;
  std::string dev_number;
  // Local segment parts, lower-cased, split on [-_.]; empty if none.
  std::vector<std::string> local;

  bool is_prerelease() const { return !pre_label.empty() || has_dev; }
  // The version without its local segment, in normalised text form ("1!2.0rc1.post3").
  std::string Public() const;
};

// Parses like packaging.version.Version: surrounding whitespace and a leading "v" are
// allowed, case is ignored, separators are normalised. Legacy (non-PEP 440) strings fail.
StatusOr<Pep440Version> ParsePep440(std::string_view text);

// packaging's ordering (_cmpkey): epoch, release with trailing zeros ignored, then
// dev-only < pre < final < post, dev within each, then local (absent < present).
int ComparePep440(const Pep440Version& a, const Pep440Version& b);

}  // namespace vigil::match
