// Fuzz target: untrusted layer bytes through the layer walk (compression detection, gzip /
// zstd / xz decoding, libarchive's tar parser, whiteout and path checks) and through the
// outer-tar index used for docker-archive / oci-archive. Limits are small so bombs end fast.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "image/blob.h"
#include "image/layer_cache.h"
#include "image/layered.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vigil::image;
  std::string bytes(reinterpret_cast<const char*>(data), size);
  WalkOptions options;
  options.limits.max_layer_bytes = 64 << 20;
  options.limits.max_entries = 100000;
  // Both chunk sources, chosen by the input so each run stays deterministic.
  options.pipeline = (size & 1) != 0;
  CaptureSpec capture;
  capture.patterns = {"**/*"};
  capture.max_file_bytes = 1 << 20;
  for (GzipEngine engine : {GzipEngine::kIsal, GzipEngine::kLibarchive}) {
    options.gzip = engine;
    StringBlobReader reader(bytes);
    LayerRef ref;
    auto layer = ReadLayerBlob(reader, ref, "fuzz", capture, options);
    if (layer.ok()) {
      // Whatever the walk accepted must round-trip through the cache codec.
      auto back = DecodeLayerData(EncodeLayerData(*layer));
      if (!back.ok()) __builtin_trap();
    }
  }
  auto index = TarIndex::Build(
      [&](uint64_t off, char* buf, size_t len) -> vigil::StatusOr<size_t> {
        if (off >= bytes.size()) return size_t{0};
        size_t n = std::min<size_t>(len, bytes.size() - off);
        std::memcpy(buf, bytes.data() + off, n);
        return n;
      },
      bytes.size());
  if (index.ok()) {
    for (const TarMember& m : index->members()) {
      if (m.offset + m.size > bytes.size()) __builtin_trap();
      index->Find(m.name);
    }
  }
  DecodeLayerData(bytes).status().IgnoreError();
  return 0;
}
