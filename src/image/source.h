// Image sources: where an image's manifest, config and layer blobs come from. Every form
// (registry, docker-archive, oci layout, oci-archive, containers-storage) implements
// ImageSource, so the layer walk, the catalogers and the cache never know which one it was.
//
// Contract: Resolve() picks one platform's manifest (an index / manifest list is resolved
// against `platform`), reads the config and returns what the walk needs. OpenLayer(i)
// streams layer i as stored (compressed or not); the layer walk detects the compression,
// verifies `digest` (of the stored bytes, when the source knows it) and `diff_id` (of the
// uncompressed tar, from the config) and fails on mismatch.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/fs.h"
#include "base/status.h"

namespace vigil::image {

struct Platform {
  std::string os = "linux";
  std::string architecture = "amd64";
  std::string variant;  // "v8" for arm64 etc.; empty matches any
  // "linux/amd64", "linux/arm64/v8"; errors name the bad value.
  static StatusOr<Platform> Parse(std::string_view text);
  std::string ToString() const;
};

// A pull-style byte stream. Read returns 0 at end of stream.
class BlobReader {
 public:
  virtual ~BlobReader() = default;
  virtual StatusOr<size_t> Read(char* buf, size_t len) = 0;
};

struct LayerRef {
  std::string media_type;  // OCI/Docker layer media type; empty when the source has none
  std::string digest;      // "sha256:..." of the stored blob; empty when unknown (docker-archive)
  int64_t size = -1;       // stored size when known
  std::string diff_id;     // "sha256:..." of the uncompressed tar, from the config
};

struct ResolvedImage {
  std::string reference;        // as the user wrote it, normalised ("docker.io/library/x:1")
  std::string manifest_digest;  // digest of the platform manifest, when there is one
  std::string config_digest;    // "sha256:..." of the config blob
  std::string config_json;      // raw config (history, env, labels, rootfs.diff_ids)
  std::string repo_digest;      // "name@sha256:..." when known
  std::vector<std::string> repo_tags;
  std::vector<LayerRef> layers;  // base layer first
};

class ImageSource {
 public:
  virtual ~ImageSource() = default;
  // Human-readable form for reports and errors ("oci-archive:/tmp/x.tar").
  virtual std::string Describe() const = 0;
  virtual StatusOr<ResolvedImage> Resolve(const Platform& platform) = 0;
  // Streams layer `index` of the last Resolve() result.
  virtual StatusOr<std::unique_ptr<BlobReader>> OpenLayer(size_t index) = 0;
  // A source that is a plain root filesystem (dir:) has no layers and returns its tree
  // here; layered sources keep the default nullptr.
  virtual std::shared_ptr<const FileSystem> Rootfs() const { return nullptr; }
};

}  // namespace vigil::image
