// Image references: what a user types to name an image, parsed into its parts.
//
//   alpine                         -> registry docker.io, repository library/alpine, tag latest
//   docker.io/library/alpine:3     -> the same registry and repository, tag 3
//   127.0.0.1:5000/x@sha256:<hex>  -> registry 127.0.0.1:5000, repository x, digest
//   registry:NAME, docker://NAME   -> explicit registry transport
//   docker-archive:PATH            -> a `docker save` tar
//   oci:DIR[:TAG]                  -> an OCI image layout directory (TAG = ref.name annotation)
//   oci-archive:PATH[:TAG]         -> a tar of an OCI layout
//   dir:PATH                       -> a root filesystem directory (no layers)
//   containers-storage:NAME        -> podman's local store (NAME is an image name or ID)
//   /abs/path, ./rel, ../rel       -> a local path whose form is detected when opened
//
// Normalisation follows docker's: a first component without '.', ':' and other than
// "localhost" is a path on docker.io; single-component names on docker.io get "library/";
// "index.docker.io" is docker.io; a registry reference without tag or digest gets "latest".
// Parse is pure (no filesystem access), so it is safe on untrusted input.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace vigil::image {

inline constexpr std::string_view kTransportRegistry = "registry";
inline constexpr std::string_view kTransportDockerArchive = "docker-archive";
inline constexpr std::string_view kTransportOci = "oci";
inline constexpr std::string_view kTransportOciArchive = "oci-archive";
inline constexpr std::string_view kTransportDir = "dir";
inline constexpr std::string_view kTransportContainersStorage = "containers-storage";
// A bare filesystem path; OpenImage detects whether it is a layout, an archive or a rootfs.
inline constexpr std::string_view kTransportPath = "path";

inline constexpr std::string_view kDefaultRegistry = "docker.io";
inline constexpr std::string_view kDefaultTag = "latest";

struct Reference {
  // One of the kTransport* values above.
  std::string transport = std::string(kTransportRegistry);
  // Registry form (transport registry; also filled for containers-storage names that parse
  // as one): host[:port], normalised ("docker.io").
  std::string registry;
  std::string repository;  // "library/alpine"
  std::string tag;         // "3"; "latest" when a registry ref names neither tag nor digest
  std::string digest;      // "sha256:<64 hex>" or empty
  // Local forms: the path (docker-archive, oci, oci-archive, dir, path) or the raw name
  // (containers-storage). For oci/oci-archive `tag` holds the optional ref name.
  std::string path;

  // Parses any form listed above. Errors are InvalidArgument and quote the input.
  static StatusOr<Reference> Parse(std::string_view text);
  // Parses only the registry form ("alpine", "host:5000/a/b:t@sha256:..").
  static StatusOr<Reference> ParseRegistry(std::string_view text);

  bool IsRegistry() const { return transport == kTransportRegistry; }
  // "docker.io/library/alpine" (registry/repository).
  std::string Name() const;
  // Canonical string that Parse accepts and maps back to an equal Reference: registry refs
  // print without a transport prefix ("docker.io/library/alpine:3",
  // "host/x@sha256:..", "host/x:t@sha256:.."), the others as "transport:path[:tag]".
  std::string ToString() const;

  friend bool operator==(const Reference&, const Reference&) = default;
};

}  // namespace vigil::image
