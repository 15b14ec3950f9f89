// PLACEHOLDER: replaced by the compose/daemon engineer.
#include "config/docker_host.h"

namespace vigil::config {

std::vector<Resource> ComposeResources(const Document& /*doc*/) { return {}; }
std::vector<Resource> DaemonResources(const Document& /*doc*/) { return {}; }
std::vector<Resource> ContainerInspectResources(const Document& /*doc*/) { return {}; }

Status RegisterDockerHostChecks(CheckRegistry* /*registry*/) { return OkStatus(); }

}  // namespace vigil::config
