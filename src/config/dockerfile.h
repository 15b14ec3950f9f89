// Dockerfiles as configuration input: a parser (pure, line-aware) that turns a Dockerfile
// into a Document whose Node tree the VGL-DF-* checks read, and those checks.
//
// PLACEHOLDER: owned by the Dockerfile engineer; the declarations below are the contract
// scan.cc relies on.
#pragma once

#include <string_view>
#include <vector>

#include "base/status.h"
#include "config/check.h"
#include "config/resource.h"
#include "config/yaml_loader.h"

namespace vigil::config {

// Kind of the Resource a Dockerfile becomes (one per file).
inline constexpr std::string_view kDockerfileKind = "Dockerfile";

// Parses a Dockerfile. Errors (unterminated heredoc, bad JSON array form...) are returned
// in LoadResult::error naming `path:line`; what was parsed before stays in `documents`.
LoadResult LoadDockerfile(std::string_view text, std::string_view path);

// The Resources of a loaded Dockerfile document (Resource::node points into `doc`).
std::vector<Resource> DockerfileResources(const Document& doc);

// Registers VGL-DF-* checks.
Status RegisterDockerfileChecks(CheckRegistry* registry);

}  // namespace vigil::config
