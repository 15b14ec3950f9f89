// Fuzz target: the sequence models' and the ensemble's LoadBody on arbitrary bytes. The first
// byte picks the model (mod 4: stide n=4, markov order=3, bag n=2, ensemble of markov and
// stide with their defaults); the rest is the body. A body that loads must save to bytes that
// load back to the same bytes, prepare (or refuse to), and score a small trace without
// crashing, with one finite event score per call.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ml/model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vigil::ml;
  if (size == 0) return 0;
  static const char* kNames[] = {"stide", "markov", "bag", "ensemble"};
  static const char* kOptions[] = {"n=4", "order=3", "n=2", "members=markov,stide"};
  const int pick = data[0] % 4;
  ModelOptions options;
  if (!options.Add(kOptions[pick]).ok()) __builtin_trap();
  auto made = NewModel(kNames[pick], options);
  if (!made.ok()) __builtin_trap();
  Model& m = **made;
  std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (!m.LoadBody(body).ok()) return 0;
  const std::string saved = m.SaveBody();
  auto again = NewModel(kNames[pick], options);
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
