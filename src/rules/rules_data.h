// The built-in rule files (data/rules/*.yaml), embedded at build time by
// cmake/embed_files.cmake.
#pragma once

#include <string_view>
#include <vector>

namespace vigil::rules::internal {

struct EmbeddedRuleFile {
  std::string_view name;  // "vigil_rules"
  std::string_view path;  // "data/rules/vigil_rules.yaml" (named in messages)
  std::string_view text;
};

const std::vector<EmbeddedRuleFile>& EmbeddedRuleFiles();

}  // namespace vigil::rules::internal
