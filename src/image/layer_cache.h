// The per-layer cache: a layer's LayerData (metadata of every entry + captured contents)
// in one compact file, keyed by the layer's diff_id and the CaptureSpec fingerprint, so a
// warm rescan reads a few small files and decompresses nothing.
//
// Layout: <cache_dir>/layers/v<kLayerCacheFormat>/<diff_id hex>-<capture fingerprint>.vlc
// Format (little-endian, all integers LEB128 varints, strings length-prefixed):
//   "VGLC" magic, format version, diff_id, stats (8 numbers),
//   file count, per file: path, type, mode, uid, gid, size, mtime (zigzag), link target,
//     hard link target, captured flag [, content],
//   whiteout count + paths, opaque dir count + paths,
//   trailer: the 32-byte SHA-256 of everything before it.
// Files are written with WriteFileAtomic (temp + rename), so concurrent scanners never see a
// torn entry; a file failing the magic, version, bounds or checksum is treated as a miss
// and rewritten.
//
// Thread-safety: LayerCache is stateless apart from its directory; concurrent use is safe.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "image/layered.h"

namespace vigil::image {

inline constexpr int kLayerCacheFormat = 1;

std::string EncodeLayerData(const LayerData& layer);
// DataLoss on any malformed input (never crashes; fuzzed).
StatusOr<LayerData> DecodeLayerData(std::string_view bytes);

// $XDG_CACHE_HOME/vigil, else $HOME/.cache/vigil, else /tmp/vigil-cache.
std::string DefaultCacheDir();

class LayerCache {
 public:
  explicit LayerCache(std::string dir) : dir_(std::move(dir)) {}
  const std::string& dir() const { return dir_; }
  std::string PathFor(std::string_view diff_id, std::string_view fingerprint) const;
  // NotFound on a miss; DataLoss for a corrupt entry (callers treat both as a miss).
  StatusOr<LayerData> Load(std::string_view diff_id, std::string_view fingerprint) const;
  // Creates directories as needed (0700) and writes atomically.
  Status Store(const LayerData& layer, std::string_view fingerprint) const;

 private:
  std::string dir_;
};

}  // namespace vigil::image
