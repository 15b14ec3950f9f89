#include "image/load.h"

#include <memory>

#include "fmt/format.h"
#include "image/layer_cache.h"

namespace vigil::image {

StatusOr<LayeredImage> LoadImage(ImageSource& source, const Platform& platform,
                                 const CaptureSpec& capture, const LoadOptions& options) {
  auto resolved = source.Resolve(platform);
  if (!resolved.ok()) return resolved.status();
  return LoadResolvedImage(source, std::move(*resolved), capture, options);
}

StatusOr<LayeredImage> LoadResolvedImage(ImageSource& source, ResolvedImage resolved_image,
                                         const CaptureSpec& capture, const LoadOptions& options) {
  ResolvedImage* resolved = &resolved_image;
  if (auto rootfs = source.Rootfs()) {
    return LayeredImage(std::move(*resolved), {}, std::move(rootfs));
  }
  const std::string fingerprint = capture.Fingerprint();
  LayerCache cache(options.cache_dir.empty() ? DefaultCacheDir() : options.cache_dir);
  LoadStats stats;
  uint64_t total = 0;
  std::vector<std::shared_ptr<const LayerData>> layers;
  const size_t n = resolved->layers.size();
  for (size_t i = 0; i < n; ++i) {
    const LayerRef& ref = resolved->layers[i];
    LoadProgress progress;
    progress.layer = i;
    progress.layer_count = n;
    progress.total_bytes = ref.size;
    std::shared_ptr<const LayerData> data;
    if (options.use_cache && !ref.diff_id.empty()) {
      auto cached = cache.Load(ref.diff_id, fingerprint);
      if (cached.ok()) {
        data = std::make_shared<const LayerData>(std::move(*cached));
        ++stats.layers_from_cache;
        progress.from_cache = true;
      }
    }
    if (!data) {
      WalkOptions walk;
      walk.limits = options.limits;
      walk.gzip = options.gzip;
      walk.total_budget =
          options.limits.max_total_bytes > total ? options.limits.max_total_bytes - total : 0;
      if (options.progress) {
        walk.on_bytes = [&](uint64_t bytes) {
          LoadProgress p = progress;
          p.bytes = bytes;
          options.progress(p);
        };
      }
      auto read = ReadLayer(source, *resolved, i, capture, walk);
      if (!read.ok()) return Annotate(read.status(), source.Describe());
      ++stats.layers_walked;
      if (options.use_cache && !ref.diff_id.empty()) {
        if (!cache.Store(*read, fingerprint).ok()) ++stats.cache_write_errors;
      }
      data = std::make_shared<const LayerData>(std::move(*read));
    }
    total += data->stats.uncompressed_bytes;
    if (total > options.limits.max_total_bytes) {
      return ResourceExhaustedError(
          fmt::format("{}: uncompressed image size exceeds the limit of {} bytes",
                      source.Describe(), options.limits.max_total_bytes));
    }
    stats.stored_bytes += data->stats.stored_bytes;
    stats.uncompressed_bytes += data->stats.uncompressed_bytes;
    stats.skipped_unsafe += data->stats.skipped_unsafe;
    if (options.progress) {
      progress.bytes = data->stats.stored_bytes;
      progress.layer_done = true;
      options.progress(progress);
    }
    layers.push_back(std::move(data));
  }
  return LayeredImage(std::move(*resolved), std::move(layers), nullptr, stats);
}

}  // namespace vigil::image
