// A neural language model of the system-call stream (after Kim et al., "LSTM-based System-Call
// Language Modeling and Robust Ensemble Method for Designing Host-Based Intrusion Detection
// Systems", 2016): an LSTM reads each thread's calls and predicts the next one; a trace is as
// anomalous as its calls are surprising to the network.
//
// Network: the previous call (or a start token at the beginning of a thread, or an "unseen call"
// token) -> an embedding of `embed` floats -> one LSTM layer of `hidden` cells (forget-gate bias
// 1) -> a softmax over the calls seen in training. An LSTM and not a GRU: it is the published
// ADFA-LD model, so the figures compare; a GRU would save a quarter of the recurrent work.
// Thread-aware like stide: each thread's calls are their own stream, the state is reset at the
// first call of every thread.
//
// Learning keeps the distinct per-thread call sequences with how often each was seen (a
// multiset, like cover: Merge adds counts). Prepare trains the network from them alone, with a
// fixed seed: single-threaded, deterministic on one build and CPU model (Eigen sizes its
// matrix-product blocks from the cache sizes, which can change float rounding on another CPU),
// so Merge(A, B) followed by Prepare gives exactly the network trained on the union. One thread
// far longer than the others fills one lane alone while the others pad: training time follows
// the longest lane (fine for ADFA-LD's 833 traces; long live captures are a known gap). Training:
// the sequences, shuffled per epoch, are dealt to `batch` parallel lanes (each next sequence to the
// shortest lane); each lane's stream is cut into chunks of `bptt` steps (truncated backpropagation
// through time; the state runs on across chunks, the gradient does not); every chunk of all lanes
// is one mini-batch (matrix-matrix products) and one Adam step, after clipping the gradient's
// global norm to `clip`. The loss is the mean per-call negative log-likelihood over the training
// multiset (a sequence seen k times weighs k). The body keeps the sequences AND the trained
// weights, so a loaded model is not trained again (Learn or Merge after loading drops the weights).
//
// Scoring: each call's surprisal -ln p(call | the calls before it in its thread), with p floored
// at 1 / (N + 1) for N training calls (probabilities below that cannot be estimated from N
// calls; it bounds what one call can contribute) — a call never seen in training gets that
// ceiling, ln(N + 1). ScoreEvents gives every call its surprisal. Trace score (option score):
//   mean (default)  mean surprisal per call: the length-normalised negative log-likelihood of
//                   Kim et al.;
//   max             the largest surprisal;
//   top             the mean of the largest top% of the surprisals;
//   window          the largest mean surprisal of `window` consecutive calls of a thread (a
//                   thread shorter than the window: its mean).
// Explanations name the most improbable calls with the calls before them in their thread.
// nets=K trains K networks from seeds seed..seed+K-1 (K times the training) and scores with
// their mixture: p = the mean of their probabilities (the seed alone moves the ADFA-LD AUC by
// 0.03; averaging networks is Kim et al.'s ensemble within one model).
//
// Measured on ADFA-LD dev (train on the 833 Training traces, score the 2,186 Validation and 377
// Attack traces), defaults: AUC 0.836, DR 0.11 / 0.29 / 0.45 at 1 / 5 / 10 % false alarms;
// 28 s of training on one core, 0.27 M calls/s scored per core. Not better than cover (0.848):
// src/ml/README.md has every variant (seeds, epochs, size, aggregations, ensembles).
//
// Options: hidden=64 (1..512), embed=32 (1..256), epochs=8 (0..1000), nets=1 (1..16),
// batch=32 (1..1024),
// bptt=32 (1..4096), lr=0.005 (Adam step), clip=5 (global gradient norm; 0 = none),
// seed=1, score=mean, top=10 (1..100), window=32 (1..1M), max_calls=4000000 (bound on the
// stored distinct calls: Learn/Merge beyond it is ResourceExhausted, LoadBody DataLoss).
// Cost: training about 6 * (4H * (E + H) + V * H) flops per stored call and epoch; scoring
// 2 * (4H * H + V * H) flops per call (the embedding and input weights are folded into one
// table per token at Prepare).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ml/model.h"

namespace vigil::ml {

class LstmModel : public Model {
 public:
  static constexpr uint8_t kBodyVersion = 1;
  enum class Aggregate : uint8_t { kMean, kMax, kTop, kWindow };

  struct Params {
    int hidden = 64;
    int embed = 32;
    int epochs = 8;
    int nets = 1;
    int batch = 32;
    int bptt = 32;
    double lr = 0.005;
    double clip = 5;
    uint64_t seed = 1;
    Aggregate aggregate = Aggregate::kMean;
    int top = 10;
    int window = 32;
    uint64_t max_calls = 4'000'000;
  };

  static StatusOr<std::unique_ptr<LstmModel>> Create(const ModelOptions& options);

  std::string_view name() const override { return "lstm"; }
  Granularity granularity() const override { return Granularity::kPerEvent; }
  ModelOptions options() const override;

  Status Learn(const Trace& trace) override;
  Status Merge(const Model& other) override;
  // Trains the network unless the weights are current (loaded, or trained since the last
  // Learn/Merge), then builds the scoring tables.
  Status Prepare() override;
  Score ScoreTrace(const Trace& trace, const ScoreOptions& options) const override;
  void ScoreEvents(const Trace& trace, std::vector<float>* out) const override;
  std::string SaveBody() const override;
  Status LoadBody(std::string_view body) override;
  size_t MemoryBytes() const override;

  size_t sequences() const { return sequences_.size(); }
  uint64_t stored_calls() const { return stored_calls_; }
  // Calls in the output softmax (distinct calls of the stored sequences).
  size_t vocabulary() const { return vocab_.size(); }
  // Mean training loss (nats per call) of each epoch of the last training; empty after Load.
  const std::vector<double>& epoch_loss() const { return epoch_loss_; }
  // Per-call surprisal (nats, see above) in trace order. Requires Prepare.
  void Surprisals(const Trace& trace, std::vector<float>* out) const;

 private:
  explicit LstmModel(const Params& p) : p_(p) {}
  Status Add(std::vector<uint16_t> calls, uint64_t count, std::string_view what);
  void Train();
  // Trains one network from `seed` into `weights`; cls maps calls to softmax classes.
  void TrainNet(const std::vector<int>& cls, uint64_t seed, float* weights);
  void BuildScoringTables();
  // Surprisals of one thread's calls (its own stream from a reset state).
  void ThreadSurprisals(const uint16_t* calls, size_t n, float* out) const;
  // The same for network `net` alone.
  void NetSurprisals(int net, const uint16_t* calls, size_t n, float* out) const;

  Params p_;
  SyscallTable table_ = SyscallTable::kUnknown;
  bool learned_ = false;
  std::map<std::vector<uint16_t>, uint64_t> sequences_;
  uint64_t stored_calls_ = 0;  // distinct calls
  uint64_t total_calls_ = 0;   // calls with multiplicity (N of the probability floor)

  // The network: vocab_ (sorted calls) gives the softmax classes; weights_ is every parameter,
  // laid out as in lstm.cc's Layout. Empty until trained or loaded.
  bool trained_ = false;
  std::vector<uint16_t> vocab_;
  std::vector<float> weights_;
  std::vector<double> epoch_loss_;

  // Scoring tables (Prepare).
  bool prepared_ = false;
  std::vector<int16_t> class_of_;  // call -> softmax class, -1 = never seen
  std::vector<float> gate_in_;     // per input token: W_x * embedding + b (4H floats)
  float ceiling_ = 0;              // ln(N + 1)
};

}  // namespace vigil::ml
