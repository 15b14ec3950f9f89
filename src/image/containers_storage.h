// containers-storage: images in podman's local store (/var/lib/containers/storage), and
// the images of running podman containers.
//
// Approach (exact, no extraction): the store keeps each layer as an unpacked directory
// (overlay/<id>/diff, or vfs/dir/<id>) plus a tar-split file
// (overlay-layers/<id>.tar-split.gz): the original tar's headers and padding verbatim, and for
// each file a pointer to its name in the unpacked directory. Replaying the tar-split with
// the file contents reproduces the layer tar byte for byte — podman's own `push`/`save` does
// this — so the walk verifies the config's diff_id exactly as for any other source, and
// whiteouts arrive as the original .wh. entries rather than overlay's char devices/xattrs.
// Files are opened beneath the layer directory only (openat2 RESOLVE_BENEATH|NO_SYMLINKS),
// so a hostile name in a tar-split cannot read outside it.
//
// The JSON files are read without taking podman's locks: podman replaces them by rename,
// so a reader sees either the old or the new version.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "image/source.h"

namespace vigil::image {

inline constexpr std::string_view kDefaultStorageRoot = "/var/lib/containers/storage";

// `name`: an image ID (full or a unique prefix of at least 12 hex digits) or a name as
// podman stores it ("localhost/x:1", "docker.io/library/alpine:3"; short names are
// normalised like docker's and also tried under localhost/).
StatusOr<std::unique_ptr<ImageSource>> OpenContainersStorage(
    const std::string& name, const std::string& storage_root = std::string(kDefaultStorageRoot));

// Replays a tar-split (already gunzipped, JSON lines) against `layer_dir`, producing the
// original tar stream. Exposed for tests and fuzzing.
std::unique_ptr<BlobReader> NewTarSplitReader(std::string tar_split_json, std::string layer_dir);

struct RunningImage {
  std::string container_id;
  std::string container_name;
  std::string image;     // as podman reports it ("docker.io/library/alpine:3")
  std::string image_id;  // hex
};

// Images of running podman containers, via `podman ps --format json`: podman's runtime state
// lives in libpod's BoltDB (or SQLite) database, whose schema is internal and versioned, and
// containers.json has no run state, so the supported CLI is the reliable interface.
// `podman_args` are inserted before "ps" (e.g. "--root", DIR, "--runroot", DIR).
StatusOr<std::vector<RunningImage>> ListRunningImages(
    const std::vector<std::string>& podman_args = {});
// Parses the JSON printed by `podman ps --format json` (tests, fuzzing).
StatusOr<std::vector<RunningImage>> ParsePodmanPs(std::string_view json);

}  // namespace vigil::image
