// The detector interface every behaviour model implements, and the registry that names them.
//
// Life of a model: New (by name, with options) -> Learn(trace)* [-> Merge(other)*] ->
// Prepare() -> ScoreTrace/ScoreEvents (const, thread-safe) ... -> Save; or Load -> Prepare ->
// score. Learning stores only sufficient statistics (sets and counts), so a model saved,
// loaded and merged is the same as one that learned everything itself: for the set and count
// models Merge(A, B) == Learn(traces of A and B) exactly (issue 10 tests this).
//
// Scores: higher = more anomalous. Values are comparable only within one model; the
// calibration (calibration.h) turns them into thresholds at a chosen false-alarm rate and the
// ensemble combines models through their calibrated scales.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "ml/trace.h"

namespace vigil::ml {

// Why a trace scored as it did: the unseen or improbable sequence, the new process or peer,
// the rate and its usual range. Most important first.
struct Explanation {
  std::string kind;     // "sequence", "process", "file", "network", "user", "rate", ...
  std::string detail;   // for people: "unseen 7-gram open,read,mmap,... at call 1234 (tid 7)"
  double weight = 0;    // this reason's share of the score (model-specific scale)
  size_t position = 0;  // index into Trace::calls (or activities for profile reasons)
};

struct Score {
  double value = 0;
  std::vector<Explanation> reasons;  // at most ScoreOptions::max_reasons
};

struct ScoreOptions {
  size_t max_reasons = 5;
};

// Models are scored on every event (a sliding window over the syscall stream, O(1) per call;
// the live agent runs these per event) or on windows/whole traces (histograms, rates,
// profiles; run when a window closes).
enum class Granularity : uint8_t { kPerEvent, kWindowed };

// Model options: "key=value" pairs from the command line (--param n=7) or a model file.
// Unknown keys and malformed values are errors naming the key.
class ModelOptions {
 public:
  ModelOptions() = default;
  explicit ModelOptions(std::map<std::string, std::string> values) : values_(std::move(values)) {}
  // Parses "n=7" and adds it; InvalidArgument on a missing '=' or empty key.
  Status Add(std::string_view key_value);
  const std::map<std::string, std::string>& values() const { return values_; }

  // Typed reads with a default; InvalidArgument naming the key when the value does not parse
  // or lies outside [min, max]. Each read marks the key as known.
  StatusOr<int64_t> Int(std::string_view key, int64_t def, int64_t min, int64_t max) const;
  StatusOr<double> Double(std::string_view key, double def, double min, double max) const;
  StatusOr<std::string> String(std::string_view key, std::string_view def) const;
  // InvalidArgument naming the first key that no read asked for (call after all reads).
  Status CheckAllUsed(std::string_view model_name) const;

 private:
  std::map<std::string, std::string> values_;
  mutable std::map<std::string, bool, std::less<>> used_;
};

class Model {
 public:
  virtual ~Model() = default;

  virtual std::string_view name() const = 0;
  virtual Granularity granularity() const = 0;
  // The effective options (defaults filled in), saved with the model so Load reproduces it.
  virtual ModelOptions options() const = 0;

  // Learns one normal trace. InvalidArgument when its syscall table differs from what the
  // model learned before. Invalidates Prepare.
  virtual Status Learn(const Trace& trace) = 0;
  // Adds what `other` learned. InvalidArgument when other is a different model, has other
  // options or another syscall table. Invalidates Prepare.
  virtual Status Merge(const Model& other) = 0;
  // Derives scoring tables from the learned statistics. Must be called after the last
  // Learn/Merge/LoadBody and before scoring; FailedPrecondition when nothing was learned.
  virtual Status Prepare() = 0;
  // Fits score scales on held-out normal traces (ADFA-LD's Validation set), after Prepare.
  // Only models that combine others (the ensemble) need it; the default does nothing.
  virtual Status Calibrate(const std::vector<const Trace*>& normal) {
    (void)normal;
    return Status();
  }

  // Scores a whole trace. Requires Prepare. Thread-safe (const, no shared mutable state).
  virtual Score ScoreTrace(const Trace& trace, const ScoreOptions& options) const = 0;
  // Per-call anomaly of the window ending at each call: out->size() == trace.calls.size()
  // (calls before the first full window score 0). Windowed models give each call the score
  // of the window it belongs to. The LID-DS metrics and alarm timing read this.
  virtual void ScoreEvents(const Trace& trace, std::vector<float>* out) const = 0;

  // Learned statistics, in the model's own versioned encoding (io.h wraps it in a file with
  // the name, options and calibration). LoadBody rejects bodies it cannot read with
  // DataLoss/InvalidArgument naming what is wrong; never crashes on hostile bytes.
  virtual std::string SaveBody() const = 0;
  virtual Status LoadBody(std::string_view body) = 0;

  // Rough heap bytes of the learned statistics (bench: model size per workload).
  virtual size_t MemoryBytes() const = 0;
};

// Registry. Names: "stide", "markov", "bag", "profile", "rate", "ensemble", ... (ModelNames()
// lists what this build has). NotFound for an unknown name, InvalidArgument for bad options.
struct ModelInfo {
  std::string_view name;
  std::string_view summary;  // one line for `vigil ml models`
  Granularity granularity;
};
std::vector<ModelInfo> ModelNames();
StatusOr<std::unique_ptr<Model>> NewModel(std::string_view name, const ModelOptions& options);

}  // namespace vigil::ml
