// Fuzz target: the re-ranker's model loader and, for models that load, scoring the features
// of a candidate taken from the same bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "secrets/ranker.h"
#include "secrets/scanner.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto model = vigil::secrets::ParseRankerModel(text, "fuzz.json");
  vigil::secrets::SecretMatch m;
  m.rule_id = "generic-secret";
  m.path = "fuzz/values.yaml";
  m.file_type = "yaml";
  m.offset = size / 2;
  m.secret = std::string(text.substr(size / 2, 64));
  auto features = vigil::secrets::RankerFeatures(m, text);
  if (model.ok()) (void)model->Score(features);
  return 0;
}
