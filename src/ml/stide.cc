// PLACEHOLDER: replaced by the engineer who builds the stide model.
#include "ml/models.h"

namespace vigil::ml {

StatusOr<std::unique_ptr<Model>> NewStideModel(const ModelOptions& options) {
  (void)options;
  return UnimplementedError("model 'stide' is not built yet");
}

}  // namespace vigil::ml
