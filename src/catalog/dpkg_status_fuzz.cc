// Fuzz target: the dpkg status parser (deb822 paragraphs), the copyright licence reader, the
// .list/.md5sums readers and, as the other small text file of a Debian root, os-release.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "catalog/dpkg.h"
#include "catalog/os_release.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  vigil::catalog::ParseDpkgStatus(text, "status", true);
  vigil::catalog::ParseDpkgStatus(text, "status.d/x", false);
  vigil::catalog::ParseDebianCopyrightLicenses(text);
  vigil::catalog::ParseDpkgFileList(text);
  vigil::catalog::ParseDpkgMd5sums(text);
  vigil::catalog::ParseOsRelease(text);
  return 0;
}
