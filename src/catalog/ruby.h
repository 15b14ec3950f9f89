// Ruby gems: installed gemspecs (`.../specifications/<name>-<version>.gemspec`, the Ruby
// files RubyGems writes at install time) and Gemfile.lock. Pure functions over one file's
// text, so tests and fuzzers need no filesystem; RubyCataloger (lang.h) dispatches to them.
#pragma once

#include <string>
#include <string_view>

#include "catalog/cataloger.h"

namespace vigil::catalog {

// pkg:gem/<name>@<version>.
std::string GemPurl(std::string_view name, std::string_view version);

// An installed gemspec. The Ruby DSL is not evaluated: `<var>.name = ...`,
// `<var>.version = ...` and `<var>.license(s) = ...` assignments are read, their right-hand
// sides taken as string literals ("x", 'x', %q{x}, with `.freeze`) or
// `Gem::Version.new("x")`; the `# stub: <name> <version>` line RubyGems writes is the
// fallback. No name or version: a warning.
CatalogResult ParseGemspec(std::string_view path, std::string_view text);

// Gemfile.lock: the `GEM` section's `specs:` entries `    name (version)`; a platform
// suffix ("1.13.10-x86_64-linux") is not part of the version. Dependency lines (6 spaces)
// and the PATH/GIT sections (local and git sources, no registry version) are not read.
CatalogResult ParseGemfileLock(std::string_view path, std::string_view text);

}  // namespace vigil::catalog
