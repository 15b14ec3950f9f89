// Fuzz target: ScanImageConfigSecrets over arbitrary bytes as an image config (a registry or
// archive hands us any JSON): never a crash, lines within the entries' positions.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "scan/content.h"
#include "secrets/rules.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto* scanner =
      vigil::secrets::SecretScanner::Create(vigil::secrets::BuiltinRules()).value().release();
  std::string_view json(reinterpret_cast<const char*>(data), size);
  auto findings = vigil::scan::ScanImageConfigSecrets(json, *scanner);
  if (findings.ok()) {
    for (const auto& f : *findings) {
      if (f.location.line < 1 || static_cast<size_t>(f.location.line) > size) __builtin_trap();
    }
  }
  return 0;
}
