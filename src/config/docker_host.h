// Docker compose files, the Docker daemon's configuration (daemon.json, dockerd flags) and
// container inspect JSON as configuration input: Resources under their own kinds, checked by
// the VGL-DC-* (compose) and VGL-DKR-* (daemon 001-099, containers 101-199) checks.
//
// Compose: one ComposeService per entry of `services:` (node = the service's map) and one
// ComposeVolume per top-level `volumes:` entry with settings (driver_opts binding a host
// path). Daemon: one DockerDaemon whose node uses daemon.json key names, whether it came from
// daemon.json or from dockerd flags (LoadDockerdFlags). Containers: one DockerContainer per
// element of `docker inspect` / `podman inspect` output (node = the element).
#pragma once

#include <string_view>
#include <vector>

#include "base/status.h"
#include "config/check.h"
#include "config/resource.h"
#include "config/yaml_loader.h"

namespace vigil::config {

inline constexpr std::string_view kComposeServiceKind = "ComposeService";
inline constexpr std::string_view kComposeVolumeKind = "ComposeVolume";
inline constexpr std::string_view kDockerDaemonKind = "DockerDaemon";
inline constexpr std::string_view kDockerContainerKind = "DockerContainer";

// Resources of a compose document (one per service, plus whatever file-level kinds the
// checks need), of a daemon.json document, and of `docker inspect` output (one per
// container). Resource::node points into `doc`; Resource::ns is empty.
std::vector<Resource> ComposeResources(const Document& doc);
std::vector<Resource> DaemonResources(const Document& doc);
std::vector<Resource> ContainerInspectResources(const Document& doc);

// True when a parsed document looks like `docker inspect` output: a sequence whose first
// element is a map with "Id" and "HostConfig" (image inspect output has no HostConfig).
bool IsContainerInspect(const Node& root);

// dockerd command-line flags as a daemon.json-shaped Document, so the same checks read both.
// Accepts a systemd unit or drop-in (every `ExecStart=` line running dockerd, `\`
// continuations joined; the last one wins as in systemd), an /etc/default/docker or
// /etc/sysconfig/docker file (DOCKER_OPTS= / OPTIONS= assignments), or a bare command line.
// Each key's line is the line of its flag. Flag -> key mapping (docs/config.md):
//   -H/--host -> hosts[], --insecure-registry -> insecure-registries[],
//   --authorization-plugin -> authorization-plugins[], --storage-opt -> storage-opts[],
//   --log-opt k=v -> log-opts{k: v}, --default-ulimit n=s:h -> default-ulimits{n: "s:h"},
//   -l -> log-level, -s -> storage-driver, -D -> debug, -G -> group; every other --flag
//   keeps its name (--icc=false -> icc: false, --userns-remap=default -> userns-remap).
// Errors (unterminated quote, no dockerd command at all) are returned in LoadResult::error
// naming `path:line`.
LoadResult LoadDockerdFlags(std::string_view text, std::string_view path);

// Registers VGL-DC-* and VGL-DKR-* checks.
Status RegisterDockerHostChecks(CheckRegistry* registry);

// The three groups RegisterDockerHostChecks registers (compose_checks.cc,
// docker_host_daemon.cc, docker_host_container.cc).
Status RegisterComposeChecks(CheckRegistry* registry);
Status RegisterDockerDaemonChecks(CheckRegistry* registry);
Status RegisterDockerContainerChecks(CheckRegistry* registry);

}  // namespace vigil::config
