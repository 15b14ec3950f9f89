// Fuzz target: the LSTM model's LoadBody on arbitrary bytes (a tiny network, hidden=4 embed=2,
// and one training epoch, so a body whose sequences load but carry no weights trains fast). A
// body that loads must save to bytes that load back to the same bytes, prepare (or refuse to),
// and score a small multi-threaded trace without crashing, with one finite event score per
// call. Seeds: testdata/ml/lstm/fuzz (an empty, an untrained and a trained body).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ml/model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vigil::ml;
  ModelOptions options;
  for (const char* kv :
       {"hidden=4", "embed=2", "epochs=1", "batch=4", "bptt=8", "max_calls=4096"}) {
    if (!options.Add(kv).ok()) __builtin_trap();
  }
  auto made = NewModel("lstm", options);
  if (!made.ok()) __builtin_trap();
  Model& m = **made;
  std::string_view body(reinterpret_cast<const char*>(data), size);
  if (!m.LoadBody(body).ok()) return 0;
  const std::string saved = m.SaveBody();
  auto again = NewModel("lstm", options);
  if (!again.ok() || !again.value()->LoadBody(saved).ok()) __builtin_trap();
  if (again.value()->SaveBody() != saved) __builtin_trap();
  if (!m.Prepare().ok()) return 0;
  Trace t;
  t.table = SyscallTable::kX86_32;
  t.calls = {5, 3, 3, 192, 6, 5, 3, 1023, 0, 5};
  t.tids = {1, 1, 2, 1, 2, 1, 1, 2, 2, 1};
  Score s = m.ScoreTrace(t, ScoreOptions{});
  std::vector<float> events;
  m.ScoreEvents(t, &events);
  if (events.size() != t.calls.size() || !std::isfinite(s.value)) __builtin_trap();
  for (float e : events) {
    if (!std::isfinite(e)) __builtin_trap();
  }
  return 0;
}
