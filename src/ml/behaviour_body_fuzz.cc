// Fuzz target: the profile and rate models' LoadBody on arbitrary bytes. The first byte picks
// the model (even: profile, odd: rate), the rest is the body. A body that loads must prepare,
// score a small trace without crashing, and save back to the same bytes (the encoding is
// canonical).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ml/model.h"
#include "ml/profile.h"
#include "ml/rate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vigil::ml;
  if (size == 0) return 0;
  std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto made = NewModel((data[0] & 1) ? "rate" : "profile", ModelOptions());
  if (!made.ok()) __builtin_trap();
  Model& m = **made;
  if (!m.LoadBody(body).ok()) return 0;
  if (m.SaveBody() != body) __builtin_trap();
  if (!m.Prepare().ok()) return 0;
  Trace t;
  t.group = "web";
  t.table = SyscallTable::kX86_64;
  t.calls = {257, 0, 1, 42, 3};
  t.ts_ns = {1, 2, 3, 20000000000ull, 20000000001ull};
  t.activities = {{1, ActivityKind::kExec, "/usr/sbin/nginx", "/bin/sh", 1},
                  {3, ActivityKind::kConnect, "/bin/sh", "203.0.113.9:4444", 1},
                  {4, ActivityKind::kBytesOut, "/bin/sh", "", 1 << 20}};
  Score s = m.ScoreTrace(t, ScoreOptions{});
  std::vector<float> events;
  m.ScoreEvents(t, &events);
  if (events.size() != t.calls.size() || !(s.value >= 0)) __builtin_trap();
  return 0;
}
