// The image plane's pipeline: from what the user typed (an image reference, an archive, a
// layout, a podman image or a directory) to a loaded target and its inventory. This is the
// one place that composes image/ and catalog/ (and, as they land, match/, secrets/ and
// malware/), so the CLI and the server call a single function and stay free of logic.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "base/fs.h"
#include "base/status.h"
#include "image/layered.h"
#include "image/load.h"
#include "image/registry.h"
#include "image/source.h"
#include "report/sbom.h"

namespace vigil::scan {

struct TargetOptions {
  std::string cache_dir;  // per-layer cache; empty = image::DefaultCacheDir()
  bool use_cache = true;
  image::Platform platform;
  image::RegistryOptions registry;
  std::string storage_root;  // containers-storage root; empty = podman's default
  std::function<void(const image::LoadProgress&)> progress;
  // The caller needs nothing but Inventory(target). When the cache holds the inventory of
  // exactly these layers (same diff_ids in the same order, same catalogers), the layers
  // are not loaded at all: a warm rescan reads one small file instead of every layer's
  // cached metadata (Trivy's artifact cache does the same). Requires use_cache.
  bool inventory_only = false;
};

// A loaded target. For images, `layered` holds every layer's metadata and the captured
// files; for directories only `fs` is set.
struct Target {
  std::string name;  // what the user typed, normalised for display
  std::string kind;  // "image" or "filesystem"
  std::optional<image::LayeredImage> layered;
  std::shared_ptr<const FileSystem> fs;  // the merged tree; null with cached_inventory
  // Set when an inventory_only load found the inventory in the cache (then `layered` and
  // `fs` are empty); Inventory() returns it.
  std::optional<report::Sbom> cached_inventory;
  // Where Inventory() stores this image's inventory for the next inventory_only load;
  // empty when not cached (no cache, a rootfs source, a layer without a diff_id).
  std::string inventory_cache_path;
};

// Opens and loads an image reference (any transport, or a path detected by content).
// A directory given without a transport loads as a rootfs ("filesystem" kind only when
// `as_filesystem` is set, else "image" from dir:).
StatusOr<Target> LoadImageTarget(const std::string& ref, const TargetOptions& options);

// Opens an image reference (any transport, or a path detected by content) with the
// registry, platform and storage settings of `options`.
StatusOr<std::unique_ptr<image::ImageSource>> OpenImageSource(const std::string& ref,
                                                              const TargetOptions& options);

// The image's config JSON (user, env, history...) without loading any layer: what the
// image-configuration checks read.
StatusOr<std::string> ResolveImageConfig(const std::string& ref, const TargetOptions& options);

// A host directory scanned as a filesystem (`vigil fs PATH`).
StatusOr<Target> LoadDirectoryTarget(const std::string& path);

// The OS inventory of a loaded target, with each package attributed to the layer that
// added it (images) and the image's digests in the SBOM. Never a silent empty result: the
// SBOM carries a warning when no package database exists. Stores the result at
// target.inventory_cache_path (a failed write only costs the next scan time).
StatusOr<report::Sbom> Inventory(const Target& target);

}  // namespace vigil::scan
