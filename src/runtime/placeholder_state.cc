// PLACEHOLDER: replaced by the state engineer this session (state.cc, container.cc, ...).
#include "runtime/state.h"

namespace vigil::runtime {

StatusOr<std::unique_ptr<State>> State::Create(const StateOptions&) {
  return Status(StatusCode::kUnimplemented, "runtime state: not built yet");
}

}  // namespace vigil::runtime
