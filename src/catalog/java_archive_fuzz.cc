// Fuzz target: the Java archive reader (libarchive zip from memory, nested archives, entry
// and byte bounds), the capture-time rewrite and the pom.properties / MANIFEST.MF parsers.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "catalog/java.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  vigil::catalog::JavaArchiveLimits limits;
  limits.max_total_bytes = 64u << 20;  // keep each run fast; the bounds are what is tested
  vigil::catalog::CatalogJavaArchive("/app/x.jar", input, limits);
  std::string reduced(input);
  if (vigil::catalog::ReduceJavaArchive("/app/x.jar", reduced)) {
    vigil::catalog::CatalogJavaArchive("/app/x.jar", reduced, limits);
  }
  vigil::catalog::ParsePomProperties(input);
  vigil::catalog::ParseJarManifest(input);
  return 0;
}
