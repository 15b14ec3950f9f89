// Fuzz target: every Python parser over the same bytes (core metadata, .egg zip,
// requirements.txt, poetry.lock, Pipfile.lock).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "catalog/python.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  vigil::catalog::ParsePythonMetadata("/x.dist-info/METADATA", text);
  vigil::catalog::ParseEgg("/x.egg", text);
  vigil::catalog::ParseRequirementsTxt("/requirements.txt", text);
  vigil::catalog::ParsePoetryLock("/poetry.lock", text);
  vigil::catalog::ParsePipfileLock("/Pipfile.lock", text);
  return 0;
}
