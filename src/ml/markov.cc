// PLACEHOLDER: replaced by the engineer who builds the markov model.
#include "ml/models.h"

namespace vigil::ml {

StatusOr<std::unique_ptr<Model>> NewMarkovModel(const ModelOptions& options) {
  (void)options;
  return UnimplementedError("model 'markov' is not built yet");
}

}  // namespace vigil::ml
