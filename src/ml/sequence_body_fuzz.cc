// Fuzz target: the sequence models' and the ensemble's LoadBody on arbitrary bytes. The first
// byte picks the model (mod 4: stide n=4, markov order=3, bag n=2, ensemble of markov and
// stide with their defaults); the rest is the body. A body that loads must save to bytes that
// load back to the same bytes, prepare (or refuse to), and score a small trace without
// crashing, with one finite event score per call.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ml/model.h"
#include "ml/sequence_fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vigil::ml;
  if (size == 0) return 0;
  static const char* kNames[] = {"stide", "markov", "bag", "ensemble"};
  static const char* kOptions[] = {"n=4", "order=3", "n=2", "members=markov,stide"};
  const int pick = data[0] % 4;
  ModelOptions options;
  if (!options.Add(kOptions[pick]).ok()) __builtin_trap();
  CheckSequenceModelBody(kNames[pick], options,
                         std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1),
                         FuzzScores::kFinite);
  return 0;
}
