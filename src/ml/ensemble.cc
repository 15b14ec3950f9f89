// PLACEHOLDER: replaced by the engineer who builds the ensemble model.
#include "ml/models.h"

namespace vigil::ml {

StatusOr<std::unique_ptr<Model>> NewEnsembleModel(const ModelOptions& options) {
  (void)options;
  return UnimplementedError("model 'ensemble' is not built yet");
}

}  // namespace vigil::ml
