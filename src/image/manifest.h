// Parsers for the JSON documents of an image: OCI image index / Docker manifest list, OCI /
// Docker v2 manifest, image config (rootfs.diff_ids, platform) and the manifest.json of a
// `docker save` archive. Pure functions over bytes: errors are InvalidArgument naming the
// document and field; nlohmann exceptions never escape. Shared by every ImageSource.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "image/source.h"

namespace vigil::image {

inline constexpr std::string_view kOciIndexType = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kOciManifestType = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kDockerListType =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kDockerManifestType =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kRefNameAnnotation = "org.opencontainers.image.ref.name";
// Upper bound for any JSON document we read into memory (indexes, manifests, configs).
inline constexpr uint64_t kMaxJsonDocument = 32ull << 20;

struct Descriptor {
  std::string media_type;
  std::string digest;
  int64_t size = -1;
  std::map<std::string, std::string> annotations;
  bool has_platform = false;
  Platform platform;
};

struct Index {
  std::string media_type;
  std::vector<Descriptor> manifests;
};

struct Manifest {
  std::string media_type;
  Descriptor config;
  std::vector<Descriptor> layers;
};

struct ImageConfig {
  std::vector<std::string> diff_ids;
  Platform platform;  // os / architecture / variant of the config
};

struct DockerArchiveImage {
  std::string config;  // member name of the config JSON
  std::vector<std::string> repo_tags;
  std::vector<std::string> layers;  // member names, base first
};

bool IsIndexMediaType(std::string_view media_type);
// A document that is an index when its mediaType says so or, lacking one, when it has
// "manifests" and no "layers".
bool LooksLikeIndex(std::string_view json);

StatusOr<Index> ParseIndex(std::string_view json);
StatusOr<Manifest> ParseManifest(std::string_view json);
StatusOr<ImageConfig> ParseImageConfig(std::string_view json);
StatusOr<std::vector<DockerArchiveImage>> ParseDockerArchiveManifest(std::string_view json);

// `want` matches `have` when os and architecture are equal and want.variant is empty or
// equal ("arm64" with empty variant also matches "v8").
bool PlatformMatches(const Platform& want, const Platform& have);

// Fails with DataLoss naming `what` when sha256(data) != digest ("sha256:<hex>"); digests
// with another algorithm are InvalidArgument.
Status VerifyDigest(std::string_view data, std::string_view digest, std::string_view what);
// "sha256:<hex>" -> "<hex>" when well formed (64 lower-case hex), else an error.
StatusOr<std::string> DigestHex(std::string_view digest);

}  // namespace vigil::image
