// Opt-in secret rule profiles (data/secrets/profiles/*.toml), embedded at build time by
// cmake/embed_files.cmake. `--secret-config builtin:NAME` loads one (rules.h LoadRuleFile).
#pragma once

#include <string_view>
#include <vector>

namespace vigil::secrets::internal {

struct EmbeddedProfile {
  std::string_view name;  // file stem: "detect-secrets"
  std::string_view path;  // repository path, for messages
  std::string_view text;
};

const std::vector<EmbeddedProfile>& EmbeddedProfiles();

}  // namespace vigil::secrets::internal
