// ImageSources over local files: an OCI image layout (directory or tar), a `docker save`
// archive, podman's containers-storage, and a plain root filesystem.
//
// oci-archive and docker-archive are read in place: the tar is indexed once (headers only,
// see TarIndex) and each blob is streamed from its offset, so nothing is extracted to disk.
// Every manifest and config read from a layout is verified against its digest.
//
// Thread-safety: a source is used by one thread at a time.
#pragma once

#include <memory>
#include <string>

#include "base/fs.h"
#include "base/status.h"
#include "image/blob.h"
#include "image/source.h"

namespace vigil::image {

// An OCI layout in `store`. `tag` selects the manifest whose
// org.opencontainers.image.ref.name annotation equals it; empty = the only image, or the
// one matching the platform. Nested indexes and manifest lists are resolved by platform.
std::unique_ptr<ImageSource> NewOciLayoutSource(std::unique_ptr<BlobStore> store, std::string tag,
                                                std::string describe);
StatusOr<std::unique_ptr<ImageSource>> OpenOciDir(const std::string& dir, const std::string& tag);
StatusOr<std::unique_ptr<ImageSource>> OpenOciArchive(const std::string& path,
                                                      const std::string& tag);
// A `docker save` tar (manifest.json, <config>.json, layer tars; docker >= 25 stores them as
// OCI blobs). `tag` selects among several images by RepoTags ("name:tag" or just "tag");
// empty takes the first. Layer digests are known (and verified) only for blobs/sha256/ names.
StatusOr<std::unique_ptr<ImageSource>> OpenDockerArchive(const std::string& path,
                                                         const std::string& tag);

// A root filesystem directory: no layers; Rootfs() is a RealFileSystem over it.
class RootfsSource : public ImageSource {
 public:
  explicit RootfsSource(std::string dir);
  std::string Describe() const override { return "dir:" + dir_; }
  StatusOr<ResolvedImage> Resolve(const Platform& platform) override;
  StatusOr<std::unique_ptr<BlobReader>> OpenLayer(size_t index) override;
  std::shared_ptr<const FileSystem> Rootfs() const override { return fs_; }

 private:
  std::string dir_;
  std::shared_ptr<const FileSystem> fs_;
};

// What a host path holds, by content: an OCI layout dir (index.json), a rootfs dir, a
// docker-archive tar (manifest.json) or an oci-archive tar (index.json + oci-layout).
enum class PathKind { kOciDir, kRootfsDir, kDockerArchive, kOciArchive };
StatusOr<PathKind> DetectPathKind(const std::string& path);

}  // namespace vigil::image
