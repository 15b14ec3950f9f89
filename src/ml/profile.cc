// PLACEHOLDER: replaced by the engineer who builds the profile model.
#include "ml/models.h"

namespace vigil::ml {

StatusOr<std::unique_ptr<Model>> NewProfileModel(const ModelOptions& options) {
  (void)options;
  return UnimplementedError("model 'profile' is not built yet");
}

}  // namespace vigil::ml
