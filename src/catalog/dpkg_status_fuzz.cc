// Fuzz target: the dpkg status parser (deb822 paragraphs) and the copyright licence reader.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "catalog/dpkg.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  vigil::catalog::ParseDpkgStatus(text, "status", true);
  vigil::catalog::ParseDpkgStatus(text, "status.d/x", false);
  vigil::catalog::ParseDebianCopyrightLicenses(text);
  vigil::catalog::ParseDpkgFileList(text);
  vigil::catalog::ParseDpkgMd5sums(text);
  return 0;
}
