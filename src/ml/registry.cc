#include <iterator>

#include "ml/model.h"
#include "ml/models.h"

namespace vigil::ml {
namespace {

using Factory = StatusOr<std::unique_ptr<Model>> (*)(const ModelOptions&);

struct Entry {
  ModelInfo info;
  Factory factory;
};

// One line per model; `vigil ml models` prints this table.
const Entry kModels[] = {
    {{"stide", "thread-aware STIDE: fraction of unseen n-grams (Forrest et al.)",
      Granularity::kPerEvent},
     NewStideModel},
    {{"markov", "smoothed variable-order Markov model of the syscall stream",
      Granularity::kPerEvent},
     NewMarkovModel},
    {{"profile",
      "behaviour profile: executions, files written, sensitive reads, ports, peers, users",
      Granularity::kWindowed},
     NewProfileModel},
    {{"rate", "per-window syscall-category histograms and byte/connection/file-change rates",
      Granularity::kWindowed},
     NewRateModel},
    {{"ensemble", "calibrated combination of other models", Granularity::kPerEvent},
     NewEnsembleModel},
    {{"bag", "bag of 1..n-grams, log-tf idf cosine distance to the nearest normal trace",
      Granularity::kWindowed},
     NewBagModel},
    {{"cover", "sequence covering: training stretches needed to piece the trace together",
      Granularity::kPerEvent},
     NewCoverModel},
    {{"lstm", "LSTM language model of each thread's calls: mean surprisal per call (Kim et al.)",
      Granularity::kPerEvent},
     NewLstmModel},
};

}  // namespace

std::vector<ModelInfo> ModelNames() {
  std::vector<ModelInfo> out;
  for (const Entry& e : kModels) out.push_back(e.info);
  return out;
}

StatusOr<std::unique_ptr<Model>> NewModel(std::string_view name, const ModelOptions& options) {
  for (const Entry& e : kModels) {
    if (e.info.name == name) return e.factory(options);
  }
  std::string known;
  for (const Entry& e : kModels) {
    if (!known.empty()) known += ", ";
    known += e.info.name;
  }
  return Status(StatusCode::kNotFound,
                "unknown model '" + std::string(name) + "' (known: " + known + ")");
}

}  // namespace vigil::ml
