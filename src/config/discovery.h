// Which configuration files a path holds and what each one is.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/fs.h"
#include "base/status.h"
#include "config/yaml_loader.h"

namespace vigil::config {

enum class FileKind {
  kUnknown,
  kKubernetes,
  kDockerfile,
  kCompose,
  kDaemonJson,
  kKubeletConfig,
  kContainerInspect,  // `docker inspect` / `podman inspect` output: a JSON array of containers
  kDockerdFlags,      // dockerd command line: docker.service (+ drop-ins), /etc/default/docker
};
std::string_view FileKindName(FileKind kind);

// Detection from the file name alone: Dockerfile, *.Dockerfile, Dockerfile.*; docker-compose*.yml
// / compose*.yaml; daemon.json; dockerd flag files (docker.service, *.conf in a
// docker.service.d drop-in directory, /etc/default/docker, /etc/sysconfig/docker,
// dockerd.flags). kUnknown when the content decides.
FileKind DetectByName(std::string_view path);
// True for names whose content may be a manifest (.yaml, .yml, .json).
bool IsStructuredName(std::string_view path);
// Detection from parsed documents: a top-level `services:` map is compose, kind
// KubeletConfiguration is a kubelet config, apiVersion+kind is Kubernetes, a JSON array of
// objects with Id and HostConfig is container inspect output.
FileKind DetectByContent(const std::vector<Document>& docs);

// Candidate files under `paths` (files are taken as given, directories walked, hidden
// directories such as .git skipped), sorted and de-duplicated. Directory entries that are
// neither structured nor named like a known kind are not candidates. Errors walking or
// stat-ing a path are appended to `warnings`.
std::vector<std::string> DiscoverFiles(const FileSystem& fs, const std::vector<std::string>& paths,
                                       std::vector<std::string>* warnings);

}  // namespace vigil::config
