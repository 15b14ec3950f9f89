// Docker compose files, the Docker daemon's configuration (daemon.json, dockerd flags) and
// container inspect JSON as configuration input: Resources under their own kinds, checked by
// the VGL-DC-* (compose) and VGL-DKR-* (daemon, containers) checks.
//
// PLACEHOLDER: owned by the compose/daemon engineer; the declarations below are the contract
// scan.cc relies on.
#pragma once

#include <string_view>
#include <vector>

#include "base/status.h"
#include "config/check.h"
#include "config/resource.h"
#include "config/yaml_loader.h"

namespace vigil::config {

inline constexpr std::string_view kComposeServiceKind = "ComposeService";
inline constexpr std::string_view kDockerDaemonKind = "DockerDaemon";
inline constexpr std::string_view kDockerContainerKind = "DockerContainer";

// Resources of a compose document (one per service, plus whatever file-level kinds the
// checks need), of a daemon.json document, and of `docker inspect` output (one per
// container). Resource::node points into `doc`; Resource::ns is empty.
std::vector<Resource> ComposeResources(const Document& doc);
std::vector<Resource> DaemonResources(const Document& doc);
std::vector<Resource> ContainerInspectResources(const Document& doc);

// Registers VGL-DC-* and VGL-DKR-* checks.
Status RegisterDockerHostChecks(CheckRegistry* registry);

}  // namespace vigil::config
