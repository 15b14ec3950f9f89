// Fuzz target: arbitrary bytes as a rule file (YAML items, conditions, outputs, exceptions)
// through the loader and compiler, then one synthetic event through what compiled. Loading
// must end with a value or a Status, never a crash, hang or unbounded allocation.
#include <cstddef>
#include <cstdint>
#include <string>

#include "rules/condition.h"
#include "rules/rules.h"
#include "runtime/event.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;
  std::string text(reinterpret_cast<const char*>(data), size);
  (void)vigil::rules::ParseCondition(text);
  auto engine = vigil::rules::Engine::Load({{"fuzz.yaml", text}});
  if (engine.ok()) {
    vigil::runtime::Event e;
    e.syscall = 257;
    e.path = "/etc/shadow";
    e.comm = "cat";
    e.ret = 3;
    (*engine)->Process(e, nullptr, [](const vigil::rules::Alert&) {});
    e.type = vigil::runtime::EventType::kProcessExec;
    e.args = std::string_view("sh\0-c\0id\0", 9);
    (*engine)->Process(e, nullptr, [](const vigil::rules::Alert&) {});
  }
  (void)vigil::rules::CheckSources({{"fuzz.yaml", text}});
  return 0;
}
