// Training and evaluation: what `vigil ml train` and `vigil ml eval` run.
//
// Protocol (ADFA-LD's usual one): learn every training trace, Prepare, Calibrate on the
// validation normals, score every validation and attack trace, and take thresholds at the
// chosen false-alarm rates from the validation scores (metrics.h's convention). Scoring runs
// on `threads` threads; results keep the input order, so the output is deterministic.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "ml/io.h"
#include "ml/metrics.h"
#include "ml/model.h"
#include "ml/trace.h"

namespace vigil::ml {

struct TrainOptions {
  std::string model = "ensemble";
  ModelOptions params;
  std::vector<double> fars = {0.01, 0.05, 0.10};  // calibrated rates (with validation traces)
  std::string workload;
  int threads = 2;
  // Called after each learned trace (progress); may be empty.
  std::function<void(size_t done, size_t total)> progress;
};

struct PhaseTimes {
  double train_s = 0;      // Learn over the training traces
  double prepare_s = 0;    // Prepare
  double calibrate_s = 0;  // Model::Calibrate + validation scoring for the thresholds
  double score_s = 0;      // scoring the evaluation traces (wall time, all threads)
  double metrics_s = 0;
};

// Learns `train` (every trace; labels are not looked at), prepares, and when `validation`
// has traces calibrates on them: Model::Calibrate, then thresholds at options.fars from the
// validation scores. The syscall table is the traces' (InvalidArgument when they mix tables).
StatusOr<ModelFile> TrainModel(const std::vector<Trace>& train,
                               const std::vector<Trace>& validation, const TrainOptions& options,
                               PhaseTimes* times = nullptr);

// Recalibrates a prepared model on the normal traces of `validation` (Model::Calibrate, then
// thresholds at `fars` from their scores), replacing file->calibration. `merge` uses it.
Status CalibrateModelFile(ModelFile* file, const std::vector<Trace>& validation,
                          const std::vector<double>& fars, int threads);

// Scores of traces, in input order, on `threads` threads.
std::vector<Score> ScoreAll(const Model& model, const std::vector<const Trace*>& traces,
                            const ScoreOptions& options, int threads);

struct ClassResult {
  size_t traces = 0;
  std::vector<size_t> detected;  // per EvalResult::at_far entry
};

struct EvalResult {
  std::string model;
  size_t train_traces = 0, train_calls = 0;
  size_t validation_traces = 0, validation_calls = 0;  // the calibration normals
  size_t normal_traces = 0;  // normal traces evaluated (validation normals + test normals)
  size_t attack_traces = 0, attack_calls = 0;  // attack traces evaluated
  double auc = 0;
  std::vector<OperatingPoint> at_far;          // per TrainOptions::fars
  std::map<std::string, ClassResult> classes;  // by Trace::group of the attack traces
  std::optional<LidDsMetrics> lidds;           // when any trace carries attack_start
  double lidds_threshold = 0;                  // the largest per-call validation score
  size_t model_bytes = 0;                      // Model::MemoryBytes after training
  size_t hidden_groups = 0;   // evaluated traces whose group (label metadata) was hidden
  uint64_t scored_calls = 0;  // validation + attack calls scored
  PhaseTimes times;
  // Every evaluated trace: validation traces, then attack traces, in input order.
  struct TraceScore {
    std::string id;
    std::string group;
    bool attack = false;  // its role in the evaluation
    double score = 0;
  };
  std::vector<TraceScore> traces;
};

// The whole protocol. Roles come from the sets, refined by labels where the reader knew
// them: a trace labelled kAttack in `validation` is evaluated as an attack (not calibrated
// on), and a trace labelled kNormal in `attack` (LID-DS test sets mix normal and exploit
// recordings) is evaluated as a normal trace. Thresholds come from the validation normals
// only; the realised false-alarm rates, the AUC and the normal side of the LID-DS metrics use
// every evaluated normal trace. The LID-DS metrics (threshold = the largest per-call score
// over the validation normals, LID-DS's own convention; recordings = the `attack` set) are
// computed when any trace of `attack` has attack_start set. An evaluated trace whose group no
// training trace has (ADFA-LD's attack class, LID-DS's exploit name) is scored with the
// training set's group instead (or none): the group would hand the label to models keyed by
// workload. EvalResult::classes still reports by the real group.
StatusOr<EvalResult> Evaluate(const std::vector<Trace>& train, const std::vector<Trace>& validation,
                              const std::vector<Trace>& attack, const TrainOptions& options);

}  // namespace vigil::ml
