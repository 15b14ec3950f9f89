// Factories of the registered models (registry.cc lists them by name). Each model's own
// header documents what it learns and how it scores; NewModel() in model.h is the way in.
#pragma once

#include <memory>

#include "base/status.h"
#include "ml/model.h"

namespace vigil::ml {

StatusOr<std::unique_ptr<Model>> NewStideModel(const ModelOptions& options);
StatusOr<std::unique_ptr<Model>> NewMarkovModel(const ModelOptions& options);
StatusOr<std::unique_ptr<Model>> NewProfileModel(const ModelOptions& options);
StatusOr<std::unique_ptr<Model>> NewRateModel(const ModelOptions& options);
StatusOr<std::unique_ptr<Model>> NewEnsembleModel(const ModelOptions& options);
// Appended by M2: bag of n-grams with nearest-neighbour distance (bag.h).
StatusOr<std::unique_ptr<Model>> NewBagModel(const ModelOptions& options);
// Appended by M4: sequence covering over a suffix automaton of the training traces (cover.h).
StatusOr<std::unique_ptr<Model>> NewCoverModel(const ModelOptions& options);
// Appended by N1: an LSTM language model of the syscall stream, in Eigen (lstm.h).
StatusOr<std::unique_ptr<Model>> NewLstmModel(const ModelOptions& options);

}  // namespace vigil::ml
