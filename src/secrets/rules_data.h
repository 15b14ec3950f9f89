// The built-in rule files (data/secrets/*.toml), embedded at build time by
// cmake/embed_files.cmake.
#pragma once

#include <string_view>
#include <vector>

namespace vigil::secrets::internal {

struct EmbeddedRuleFile {
  std::string_view name;  // "rules"
  std::string_view path;  // "data/secrets/rules.toml" (named in errors)
  std::string_view text;
};

const std::vector<EmbeddedRuleFile>& EmbeddedRuleFiles();

}  // namespace vigil::secrets::internal
