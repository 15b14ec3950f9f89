// Fuzz target: the apk installed-database parser.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "catalog/apk.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  vigil::catalog::ParseApkInstalled(text, "installed");
  return 0;
}
