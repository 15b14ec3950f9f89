// Fuzz target: the rule loader (native and gitleaks TOML) and, for rule sets that load, the
// scanner built from them over the same bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "secrets/rules.h"
#include "secrets/scanner.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto rules = vigil::secrets::ParseRules(text, "fuzz.toml");
  if (!rules.ok() || rules->rules.size() > 20) return 0;
  auto scanner = vigil::secrets::SecretScanner::Create(*rules);
  if (!scanner.ok()) return 0;
  std::vector<vigil::secrets::SecretMatch> out;
  (*scanner)->Scan("/fuzz", text, &out);
  return 0;
}
