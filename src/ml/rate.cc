// PLACEHOLDER: replaced by the engineer who builds the rate model.
#include "ml/models.h"

namespace vigil::ml {

StatusOr<std::unique_ptr<Model>> NewRateModel(const ModelOptions& options) {
  (void)options;
  return UnimplementedError("model 'rate' is not built yet");
}

}  // namespace vigil::ml
