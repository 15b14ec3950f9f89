// The check shared by the fuzz targets of the sequence-model bodies (sequence_body_fuzz.cc,
// cover_body_fuzz.cc, lstm_body_fuzz.cc); each target keeps its own seeds and options. A body
// that loads must save to bytes that load back and save to the same bytes, and a model that
// prepares must score a small two-thread trace without crashing, with one event score per call.
// Violations trap (a libFuzzer finding); bodies that do not load or prepare are simply rejected.
#pragma once

#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "ml/model.h"

namespace vigil::ml {

// How strict the scores must be: kFinite (the trace score and every event score finite) or
// kNotNan (the trace score is not NaN; event scores unchecked), the cover target's check as it
// was written.
enum class FuzzScores { kFinite, kNotNan };

inline void CheckSequenceModelBody(const std::string& name, const ModelOptions& options,
                                   std::string_view body, FuzzScores scores) {
  auto made = NewModel(name, options);
  if (!made.ok()) __builtin_trap();
  Model& m = **made;
  if (!m.LoadBody(body).ok()) return;
  const std::string saved = m.SaveBody();
  auto again = NewModel(name, options);
  if (!again.ok() || !again.value()->LoadBody(saved).ok()) __builtin_trap();
  if (again.value()->SaveBody() != saved) __builtin_trap();
  if (!m.Prepare().ok()) return;
  Trace t;
  t.table = SyscallTable::kX86_32;
  t.calls = {5, 3, 3, 192, 6, 5, 3, 1023, 0, 5};
  t.tids = {1, 1, 2, 1, 2, 1, 1, 2, 2, 1};
  Score s = m.ScoreTrace(t, ScoreOptions{});
  std::vector<float> events;
  m.ScoreEvents(t, &events);
  if (events.size() != t.calls.size()) __builtin_trap();
  if (scores == FuzzScores::kNotNan) {
    if (std::isnan(s.value)) __builtin_trap();
    return;
  }
  if (!std::isfinite(s.value)) __builtin_trap();
  for (float e : events) {
    if (!std::isfinite(e)) __builtin_trap();
  }
}

}  // namespace vigil::ml
