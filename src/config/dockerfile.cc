// PLACEHOLDER: replaced by the Dockerfile engineer.
#include "config/dockerfile.h"

namespace vigil::config {

LoadResult LoadDockerfile(std::string_view /*text*/, std::string_view path) {
  LoadResult r;
  r.error = UnimplementedError(std::string(path) + ": Dockerfile checks are not implemented yet");
  return r;
}

std::vector<Resource> DockerfileResources(const Document& /*doc*/) { return {}; }

Status RegisterDockerfileChecks(CheckRegistry* /*registry*/) { return OkStatus(); }

}  // namespace vigil::config
