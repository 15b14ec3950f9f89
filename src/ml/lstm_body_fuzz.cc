// Fuzz target: the LSTM model's LoadBody on arbitrary bytes (a tiny network, hidden=4 embed=2,
// and one training epoch, so a body whose sequences load but carry no weights trains fast). A
// body that loads must save to bytes that load back to the same bytes, prepare (or refuse to),
// and score a small multi-threaded trace without crashing, with one finite event score per
// call. Seeds: testdata/ml/lstm/fuzz (an empty, an untrained and a trained body).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ml/model.h"
#include "ml/sequence_fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vigil::ml;
  ModelOptions options;
  for (const char* kv :
       {"hidden=4", "embed=2", "epochs=1", "batch=4", "bptt=8", "max_calls=4096"}) {
    if (!options.Add(kv).ok()) __builtin_trap();
  }
  CheckSequenceModelBody("lstm", options,
                         std::string_view(reinterpret_cast<const char*>(data), size),
                         FuzzScores::kFinite);
  return 0;
}
