// Fuzz target: the built-in scanner over arbitrary file contents (the first byte picks the
// path, so path-scoped rules run too).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "secrets/rules.h"
#include "secrets/scanner.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto* scanner =
      vigil::secrets::SecretScanner::Create(vigil::secrets::BuiltinRules()).value().release();
  static constexpr std::string_view kPaths[] = {"/a.txt",
                                                "/root/.pypirc",
                                                "/home/u/.netrc",
                                                "/etc/nginx/htpasswd",
                                                "/root/.git-credentials",
                                                "/root/.docker/config.json"};
  std::string_view path = size > 0 ? kPaths[data[0] % 6] : kPaths[0];
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<vigil::secrets::SecretMatch> out;
  scanner->Scan(path, text, &out);
  for (const auto& m : out) {
    if (m.offset > size || m.line < 0) __builtin_trap();
  }
  return 0;
}
