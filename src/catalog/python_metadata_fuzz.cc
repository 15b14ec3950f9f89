// Fuzz target: every Python parser over the same bytes (core metadata, .egg zip,
// requirements.txt, poetry.lock, Pipfile.lock).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "catalog/python.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  vigil::catalog::ParsePythonMetadata("/x.dist-info/METADATA", text);
  // The capture contract: a reduced egg catalogs exactly like the original.
  vigil::catalog::CatalogResult egg = vigil::catalog::ParseEgg("/x.egg", text);
  std::string reduced(text);
  if (vigil::catalog::ReduceEgg(reduced)) {
    vigil::catalog::CatalogResult again = vigil::catalog::ParseEgg("/x.egg", reduced);
    bool same = egg.warnings == again.warnings && egg.components.size() == again.components.size();
    for (size_t i = 0; same && i < egg.components.size(); ++i) {
      const auto& a = egg.components[i];
      const auto& b = again.components[i];
      same = a.name == b.name && a.version == b.version && a.purl == b.purl &&
             a.licenses == b.licenses && a.supplier == b.supplier && a.location == b.location;
    }
    if (!same) __builtin_trap();
  }
  vigil::catalog::ParseRequirementsTxt("/requirements.txt", text);
  vigil::catalog::ParsePoetryLock("/poetry.lock", text);
  vigil::catalog::ParsePipfileLock("/Pipfile.lock", text);
  return 0;
}
