// Fuzz target for model files. The input is a model file WITHOUT its checksum: the target
// signs it, so mutations reach the field decoder and the models' LoadBody instead of stopping
// at the checksum. Every input must give a model or an error, never a crash.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "base/hash.h"
#include "ml/io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  vigil::Sha256 sha;
  sha.Update(bytes);
  std::array<uint8_t, 32> digest = sha.Finish();
  bytes.append(reinterpret_cast<const char*>(digest.data()), digest.size());
  auto fields = vigil::ml::DecodeModelFile(bytes, "fuzz");
  if (!fields.ok()) return 0;
  vigil::ml::InstantiateModelFile(std::move(*fields), "fuzz").status().IgnoreError();
  return 0;
}
