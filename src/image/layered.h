// The layered filesystem view of an image, built WITHOUT extracting anything to disk.
//
// Each layer is walked once (streaming, see layer.h); for every entry we keep its metadata
// (path, type, mode, uid, gid, size, mtime, link target) and, for files matched by the
// caller's CaptureSpec, its content (bounded). A LayeredImage then answers, as
// vigil::FileSystem views:
//   ViewAt(i)    the merged tree after layers [0..i] (whiteouts and opaque dirs applied),
//   Merged()     ViewAt(layer_count() - 1),
//   LayerView(i) layer i's own entries only, including files a later layer deletes
//                (the secrets scanner needs what an image "removed" but still ships),
//   ChangedPaths(i) what layer i added, modified or deleted.
// Reading a file whose content was not captured fails with FailedPrecondition
// "content not captured"; Stat and ListDir work for every path.
//
// Thread-safety: a LayeredImage and the views it returns are safe for concurrent const use
// (views are built lazily under a mutex and immutable afterwards). Views keep the layer
// data alive (shared ownership), so they may outlive the LayeredImage handle.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/fs.h"
#include "base/status.h"
#include "image/layer.h"
#include "image/source.h"

namespace vigil::image {

// Which files' contents to keep. Patterns are fnmatch(3) globs over absolute paths with
// FNM_PATHNAME ('*' stops at '/'); a pattern "**/NAME" matches NAME (a glob) in any
// directory. Matching is on the path stored in the layer, before any symlink: a file read
// later through a linked directory (merged /usr: /lib -> usr/lib) must be matched by its
// stored path, so specs name both forms where distributions differ. Files above max_file_bytes, or
// beyond max_layer_bytes captured per layer, are recorded without content (counted in
// LayerStats::uncaptured).
struct CaptureSpec {
  std::vector<std::string> patterns;
  uint64_t max_file_bytes = 256ull << 20;  // rpm's BDB Packages reaches ~100 MB
  uint64_t max_layer_bytes = 1ull << 30;
  // Optional extra predicate over the entry's path and metadata (size, mode: executables);
  // when set, predicate_key must name its behaviour (it is part of the cache key: change
  // the key whenever the predicate's or the reducer's answers change).
  std::function<bool(std::string_view path, const FileInfo& info)> predicate;
  std::string predicate_key;
  // Optional reduction of a captured file's content before it is kept (a Go binary is
  // kept as its build-info blob): returns false to keep it as empty content (what the
  // catalogers wanted is not in it: an executable that is not a Go binary). With a reducer,
  // max_layer_bytes bounds the reduced bytes, so large inputs that reduce to little do not
  // exhaust the per-layer budget.
  std::function<bool(std::string_view path, const FileInfo& info, std::string& content)> reduce;
  // Bumped when the set of default patterns changes meaning.
  std::string version = "1";

  bool Matches(std::string_view path, const FileInfo& info) const;
  // Stable hash of everything above; part of the per-layer cache key.
  std::string Fingerprint() const;
  // What the OS-package catalogers read: os-release files, dpkg, apk and rpm databases,
  // copyright files.
  static CaptureSpec CatalogDefaults();
};

struct FileRecord {
  std::string path;             // absolute, normalised
  FileInfo info;                // hard links carry their target's type and size
  std::string hardlink_target;  // non-empty for hard links (absolute path in the layer)
  bool captured = false;
  std::string content;  // when captured
};

struct LayerStats {
  Compression compression = Compression::kNone;
  uint64_t stored_bytes = 0;
  uint64_t uncompressed_bytes = 0;
  uint64_t entries = 0;
  uint64_t skipped_unsafe = 0;
  uint64_t captured_files = 0;
  uint64_t captured_bytes = 0;
  uint64_t uncaptured = 0;  // matched the spec but too large to keep
};

// One layer's metadata and captured contents: what the cache stores.
struct LayerData {
  std::string diff_id;
  std::vector<FileRecord> files;         // sorted by path, unique (last tar entry wins)
  std::vector<std::string> whiteouts;    // paths this layer deletes from lower layers
  std::vector<std::string> opaque_dirs;  // dirs whose lower contents this layer hides
  LayerStats stats;

  const FileRecord* Find(std::string_view path) const;
};

// Walks layer `index` of `image` once and returns its LayerData.
StatusOr<LayerData> ReadLayer(ImageSource& source, const ResolvedImage& image, size_t index,
                              const CaptureSpec& capture, const WalkOptions& options);
// The same over a stored blob (tests, fuzzing).
StatusOr<LayerData> ReadLayerBlob(BlobReader& stored, const LayerRef& layer, std::string_view name,
                                  const CaptureSpec& capture, const WalkOptions& options);

struct LayerChanges {
  std::vector<std::string> added;     // sorted
  std::vector<std::string> modified;  // present below, replaced by this layer
  std::vector<std::string> deleted;   // present below, gone after this layer
};

struct LoadStats {
  size_t layers_from_cache = 0;
  size_t layers_walked = 0;  // layers decompressed and parsed in this load
  uint64_t stored_bytes = 0;
  uint64_t uncompressed_bytes = 0;
  uint64_t skipped_unsafe = 0;
  uint64_t cache_write_errors = 0;
};

// A cheap, copyable handle: copies share the layers and the lazily built views.
class LayeredImage {
 public:
  LayeredImage(ResolvedImage image, std::vector<std::shared_ptr<const LayerData>> layers,
               std::shared_ptr<const FileSystem> rootfs = nullptr, LoadStats stats = {});

  const ResolvedImage& image() const;
  size_t layer_count() const;
  const std::string& diff_id(size_t i) const;
  const LayerData& layer(size_t i) const;
  const LoadStats& stats() const;

  // nullptr when i >= layer_count().
  std::shared_ptr<const FileSystem> ViewAt(size_t i) const;
  // The final tree; for a rootfs source (no layers) the rootfs itself; for an image with
  // no layers an empty tree.
  std::shared_ptr<const FileSystem> Merged() const;
  std::shared_ptr<const FileSystem> LayerView(size_t i) const;
  // Empty when i >= layer_count().
  LayerChanges ChangedPaths(size_t i) const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace vigil::image
