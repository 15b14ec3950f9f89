// The built-in re-ranker model (data/secrets/*.json), embedded at build time by
// cmake/embed_files.cmake.
#pragma once

#include <vector>

#include "secrets/rules_data.h"

namespace vigil::secrets::internal {

const std::vector<EmbeddedRuleFile>& EmbeddedRankerFiles();

}  // namespace vigil::secrets::internal
