// Measures the layer walk: gzip via ISA-L vs libarchive (zlib) on a stored layer blob, and
// a cold vs warm LoadImage of a whole image with the catalogers' capture spec.
//   image_layer_bench BLOB [BLOB...]
//   image_layer_bench --image REF
// Not a test: numbers go to stdout for src/image/README.md.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "base/fs.h"
#include "image/blob.h"
#include "image/layered.h"
#include "image/load.h"
#include "image/open.h"
#include "image/test_util.h"

namespace vigil::image {
namespace {

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

int BenchBlob(const std::string& path) {
  auto file = SharedFile::Open(path);
  if (!file.ok()) {
    std::fprintf(stderr, "%s\n", file.status().ToString().c_str());
    return 1;
  }
  for (GzipEngine engine :
       {GzipEngine::kIsal, GzipEngine::kLibarchive, GzipEngine::kIsal, GzipEngine::kLibarchive}) {
    FileRangeReader reader(*file, 0, (*file)->size());
    WalkOptions options;
    options.gzip = engine;
    WalkStats stats;
    double t0 = Now();
    Status st = WalkLayerBlob(
        reader, LayerRef(), path, options,
        [](const LayerEntry&, BlobReader*) { return OkStatus(); }, &stats);
    double dt = Now() - t0;
    std::printf("%-10s %-5s stored %8.1f MiB  tar %8.1f MiB  %6.3f s  %7.1f MiB/s (tar)  %s\n",
                engine == GzipEngine::kIsal ? "isa-l" : "libarchive",
                std::string(CompressionName(stats.compression)).c_str(),
                static_cast<double>(stats.stored_bytes) / (1 << 20),
                static_cast<double>(stats.uncompressed_bytes) / (1 << 20), dt,
                static_cast<double>(stats.uncompressed_bytes) / (1 << 20) / dt,
                st.ToString().c_str());
  }
  return 0;
}

int BenchImage(const std::string& ref) {
  testing::TempDir cache;
  LoadOptions options;
  options.cache_dir = cache.path();
  double times[3];
  for (int run = 0; run < 3; ++run) {
    auto source = OpenImage(ref);
    if (!source.ok()) {
      std::fprintf(stderr, "%s\n", source.status().ToString().c_str());
      return 1;
    }
    double t0 = Now();
    auto image = LoadImage(**source, Platform(), CaptureSpec::CatalogDefaults(), options);
    times[run] = Now() - t0;
    if (!image.ok()) {
      std::fprintf(stderr, "%s\n", image.status().ToString().c_str());
      return 1;
    }
    const LoadStats& s = image->stats();
    std::printf(
        "%s load: %.3f s, layers walked %zu, from cache %zu, stored %.1f MiB, tar %.1f MiB\n",
        run == 0 ? "cold" : "warm", times[run], s.layers_walked, s.layers_from_cache,
        static_cast<double>(s.stored_bytes) / (1 << 20),
        static_cast<double>(s.uncompressed_bytes) / (1 << 20));
  }
  std::printf("warm/cold: %.1f%%\n", 100 * times[2] / times[0]);
  return 0;
}

}  // namespace
}  // namespace vigil::image

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "--image") == 0) return vigil::image::BenchImage(argv[2]);
  int rc = 0;
  for (int i = 1; i < argc; ++i) rc |= vigil::image::BenchBlob(argv[i]);
  return rc;
}
