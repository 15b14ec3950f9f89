// Fuzz target: every npm parser over the same bytes (package.json, package-lock.json v1-v3,
// yarn.lock classic and berry, pnpm-lock.yaml).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "catalog/npm.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  vigil::catalog::ParseNpmPackageJson("/node_modules/x/package.json", text);
  vigil::catalog::ParsePackageLock("/package-lock.json", text);
  vigil::catalog::ParseYarnLock("/yarn.lock", text);
  vigil::catalog::ParsePnpmLock("/pnpm-lock.yaml", text);
  return 0;
}
