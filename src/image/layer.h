// The layer walk: streams one layer blob exactly once, detecting its compression by magic
// bytes, and hands every tar entry (and, on demand, its content) to a visitor while
// verifying the blob digest and the diff_id and enforcing size limits.
//
// Pipeline: BlobReader -> sha256(stored) -> decoder (plain | gzip via ISA-L | zstd via
// libzstd | xz/bzip2 via libarchive) -> sha256(diff_id) + byte limits -> libarchive tar reader.
// The first three stages may run on a worker thread (WalkOptions::pipeline).
// Decompression is ours (not libarchive's filters) because the diff_id is defined over the
// exact uncompressed byte stream, which libarchive does not expose once it parses the tar.
//
// Untrusted input: absolute names and names with ".." (also as hard link targets) are never
// passed on; they are counted in WalkStats::skipped_unsafe. Truncated or corrupt streams,
// digest mismatches and limit overruns fail with a Status naming the layer. Nothing is
// written to disk.
//
// Thread-safety: the visitor and on_bytes run on the calling thread. With
// WalkOptions::pipeline the stored blob is read, hashed and decompressed on one worker
// thread per walk (the source's BlobReader moves to it for the walk's duration). Separate
// walks may run concurrently.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "base/fs.h"
#include "base/status.h"
#include "image/source.h"

namespace vigil::image {

enum class Compression { kNone, kGzip, kZstd, kXz, kBzip2 };
std::string_view CompressionName(Compression c);
// Compression named by the first bytes of a blob (gzip 1f8b, zstd 28b52ffd, xz, bzip2).
Compression DetectCompression(std::string_view head);

enum class GzipEngine { kIsal, kLibarchive };

struct Limits {
  // Uncompressed bytes of one layer / of all layers of an image.
  uint64_t max_layer_bytes = 16ull << 30;
  uint64_t max_total_bytes = 32ull << 30;
  // Once a layer has produced more than ratio_floor_bytes, uncompressed/stored may not
  // exceed max_ratio (gzip tops out near 1032:1, so only nested or zstd bombs trip it).
  double max_ratio = 1000.0;
  uint64_t ratio_floor_bytes = 256ull << 20;
  uint64_t max_entries = 4'000'000;
};

enum class EntryKind { kRegular, kDirectory, kSymlink, kHardlink, kOther, kWhiteout, kOpaque };

struct LayerEntry {
  // Absolute, normalised path in the image ("/etc/passwd"). For kWhiteout: the path the
  // layer deletes; for kOpaque: the directory whose lower contents the layer hides.
  std::string path;
  EntryKind kind = EntryKind::kRegular;
  FileInfo info;                // type/mode/uid/gid/size/mtime/link_target (symlinks)
  std::string hardlink_target;  // kHardlink: absolute path of the entry it links to
};

struct WalkStats {
  Compression compression = Compression::kNone;
  uint64_t stored_bytes = 0;
  uint64_t uncompressed_bytes = 0;
  uint64_t entries = 0;
  uint64_t skipped_unsafe = 0;  // absolute / ".." names or hard link targets
};

struct WalkOptions {
  Limits limits;
  // Bytes the whole image may still produce (LoadImage passes what is left of
  // limits.max_total_bytes); the walk fails with ResourceExhausted beyond it.
  uint64_t total_budget = UINT64_MAX;
  GzipEngine gzip = GzipEngine::kIsal;
  // Called now and then with the stored bytes consumed so far.
  std::function<void(uint64_t stored_bytes)> on_bytes;
  // Decompress on a worker thread while this thread hashes and parses the tar (see above).
  // Off = everything on the calling thread (fuzzing, or one-core budgets).
  bool pipeline = true;
};

// `content` is non-null for kRegular entries only, valid during the call; unread content is
// skipped (and still hashed). Returning an error aborts the walk with it.
using LayerVisitor = std::function<Status(const LayerEntry& entry, BlobReader* content)>;

// Walks one stored layer blob. `layer.digest` is verified when non-empty, `layer.diff_id`
// when non-empty; `name` ("layer 2 (sha256:ab12..)") prefixes every error.
Status WalkLayerBlob(BlobReader& stored, const LayerRef& layer, std::string_view name,
                     const WalkOptions& options, const LayerVisitor& visit, WalkStats* stats);

// Opens layer `index` of `image` (the last Resolve() of `source`) and walks it.
Status WalkLayer(ImageSource& source, const ResolvedImage& image, size_t index,
                 const WalkOptions& options, const LayerVisitor& visit, WalkStats* stats = nullptr);

// "layer 2 (sha256:0123456789ab)" for messages.
std::string LayerName(size_t index, const LayerRef& layer);

}  // namespace vigil::image
