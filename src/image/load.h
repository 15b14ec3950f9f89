// LoadImage: resolve an image source, then give every layer to the layered view, from the
// per-layer cache when it holds the layer (no decompression at all) and otherwise by
// walking the layer once and storing the result.
#pragma once

#include <functional>
#include <string>

#include "base/status.h"
#include "image/layer.h"
#include "image/layered.h"
#include "image/source.h"

namespace vigil::image {

struct LoadProgress {
  size_t layer = 0;  // 0-based index of the layer being loaded
  size_t layer_count = 0;
  uint64_t bytes = 0;        // stored bytes of this layer consumed so far
  int64_t total_bytes = -1;  // stored size of this layer when known
  bool from_cache = false;
  bool layer_done = false;
};

struct LoadOptions {
  // Per-layer cache directory; empty = DefaultCacheDir(). use_cache=false neither reads
  // nor writes it.
  std::string cache_dir;
  bool use_cache = true;
  Limits limits;
  GzipEngine gzip = GzipEngine::kIsal;
  // Called from the loading thread; must not throw.
  std::function<void(const LoadProgress&)> progress;
};

StatusOr<LayeredImage> LoadImage(ImageSource& source, const Platform& platform,
                                 const CaptureSpec& capture, const LoadOptions& options = {});
// The same for an image `source` has already resolved (its last Resolve() returned it).
StatusOr<LayeredImage> LoadResolvedImage(ImageSource& source, ResolvedImage resolved,
                                         const CaptureSpec& capture,
                                         const LoadOptions& options = {});

}  // namespace vigil::image
