// Fuzz target: the cover model's LoadBody on arbitrary bytes. A body that loads must save to
// bytes that load back to the same bytes, prepare (or refuse to), and score a small multi-threaded
// trace without crashing, with one event score per call.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ml/model.h"
#include "ml/sequence_fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vigil::ml;
  ModelOptions options;
  if (!options.Add("max_calls=100000").ok()) __builtin_trap();
  CheckSequenceModelBody("cover", options,
                         std::string_view(reinterpret_cast<const char*>(data), size),
                         FuzzScores::kNotNan);
  return 0;
}
