// A variable-order Markov model of the system-call stream (an n-gram language model) with
// interpolated Witten-Bell smoothing — PPM's method C escape, used as interpolation instead of
// exclusion. It has no smoothing parameter to tune: the weight of a context's own counts
// against its shorter context is C(h) / (C(h) + T(h)), with C the context's count and T the
// number of distinct calls that followed it:
//   P_k(c | h) = (C(h, c) + T(h) * P_{k-1}(c | h')) / (C(h) + T(h)),  h' = h without its oldest
//   call, P_{-1}(c) = 1 / 1024 (every syscall number the readers accept).
// A context never seen backs off to its suffix unchanged. Each call's surprise is
// -log2 P(call | the `order` calls before it in its thread) in bits.
//
// Trace score (option agg):
//   mean (default)  mean surprise over the trace: on ADFA-LD attacks differ from normal runs
//                   throughout the trace (AUC 0.846) rather than in one burst (window: 0.70);
//   window          max over the sliding windows of `window` calls of a thread of the mean
//                   surprise in the window (a thread shorter than the window: its mean);
//   max             the largest single-call surprise.
// ScoreEvents gives each call the mean surprise of the window of `window` calls of its thread
// ending there whatever agg says (0 before the first full window; a thread shorter than the
// window gets its mean at its last call), so alarms in a live stream come from recent calls.
// Options: order=6 (0..16), window=32 (1..1M), agg=mean, max_ngrams=16777216 (cap on
// learned n-grams over all orders; n-grams first seen beyond it are not learned and counted in
// dropped(), so memory stays bounded on endless input).
//
// Measured on ADFA-LD dev (train on the 833 Training traces, score the 2,186 Validation and 377
// Attack traces): ROC AUC by order 2..12 = 0.828 0.838 0.839 0.843 0.846 0.848 0.848 - 0.849 -
// 0.850 (order 6: DR 0.18 / 0.32 / 0.42 at 1 / 5 / 10 % false alarms); agg=window with window
// 16 / 64 / 256 / 1024 = 0.655 / 0.786 / 0.831 / 0.843; agg=max 0.552.
//
// Per event: the order+1 rolling keys (multiply-add each), one hash probe when the longest
// n-gram was seen in training, at most 2*(order+1) probes when it was not.
//
// Memory. Learning counts n-grams in hash tables (24-byte slots, load 1/4..1/2). Prepare
// freezes the model: per order one read-only table of exact capacity (load <= 0.6) with
// 16-byte slots {key, log2 P, log2 escape as a context} — a context of k calls is itself a
// learned k-gram (learned n-grams are prefix-closed), so it needs no table of its own — and
// the counts kept only as the encoded body (SaveBody's bytes, varint deltas). Learn or Merge
// after Prepare decodes the counts back (exact). On ADFA-LD (216k n-grams at order 6) that is
// 27.0 MB before and ~7 MB after Prepare, with the same scores bit for bit. A body whose
// n-grams are not prefix- and suffix-closed (only a corrupt one) fails Prepare (DataLoss).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ml/model.h"
#include "ml/ngram.h"

namespace vigil::ml {

class MarkovModel : public Model {
 public:
  static constexpr uint8_t kBodyVersion = 1;
  static constexpr int kMaxOrder = 16;
  enum class Aggregate : uint8_t { kWindow, kMean, kMax };

  static StatusOr<std::unique_ptr<MarkovModel>> Create(const ModelOptions& options);

  std::string_view name() const override { return "markov"; }
  Granularity granularity() const override { return Granularity::kPerEvent; }
  ModelOptions options() const override;

  Status Learn(const Trace& trace) override;
  Status Merge(const Model& other) override;
  Status Prepare() override;
  Score ScoreTrace(const Trace& trace, const ScoreOptions& options) const override;
  void ScoreEvents(const Trace& trace, std::vector<float>* out) const override;
  std::string SaveBody() const override;
  Status LoadBody(std::string_view body) override;
  size_t MemoryBytes() const override;

  // Surprise in bits of every call of the trace (in trace order; each call conditioned on its
  // own thread's history). Requires Prepare.
  void Surprises(const Trace& trace, std::vector<float>* out) const;
  uint64_t dropped() const { return dropped_; }
  size_t ngrams() const;

 private:
  struct Entry {
    uint64_t count = 0;
    uint16_t first = 0;  // oldest call of the n-gram (its suffix key drops it)
    uint16_t last = 0;   // newest call (its context key drops it)
  };
  // What scoring reads of one n-gram of k+1 calls: log2 P(last | context) and, as a context
  // of the (k+2)-grams extending it, log2 T / (C + T) (0 when nothing extends it).
  struct ScoreSlot {
    uint64_t key = 0;  // 0 = empty
    float logp = 0;
    float log_gamma = 0;
  };
  // Read-only open-addressing table built once by Prepare: linear probing from a home slot
  // in [0, home) of an exact capacity (no power-of-two rounding: a frozen model takes ~27
  // bytes per n-gram), runs spilling past the end into extra slots, and always one empty slot
  // last, so a probe never wraps.
  class ScoreTable {
   public:
    void Build(const std::vector<uint64_t>& keys);  // keys distinct and nonzero
    const ScoreSlot* Find(uint64_t key) const {
      if (home_ == 0) return nullptr;
      for (const ScoreSlot* s = slots_.data() + Index(key, home_);; ++s) {
        if (s->key == key) return s;
        if (s->key == 0) return nullptr;
      }
    }
    ScoreSlot* Find(uint64_t key) {
      return const_cast<ScoreSlot*>(static_cast<const ScoreTable*>(this)->Find(key));
    }
    size_t size() const { return size_; }
    size_t MemoryBytes() const { return slots_.capacity() * sizeof(ScoreSlot); }
    std::vector<ScoreSlot>& slots() { return slots_; }

   private:
    static size_t Index(uint64_t key, size_t home);
    std::vector<ScoreSlot> slots_;
    size_t home_ = 0;
    size_t size_ = 0;
  };

  MarkovModel(int order, int window, Aggregate agg, uint64_t max_ngrams)
      : order_(order), window_(window), agg_(agg), max_ngrams_(max_ngrams) {}
  void LearnThread(const uint16_t* calls, size_t count);
  // Before a change to the counts: a frozen model decodes its body back into the tables.
  void Thaw();
  // The counts' encoding (SaveBody's bytes) from the learning tables.
  std::string EncodeTables() const;
  // Decodes a body with this model's order: its tables, header fields and dropped count.
  Status DecodeBody(std::string_view body, std::vector<FlatTable<Entry>>* tables,
                    SyscallTable* table, bool* learned, uint64_t* dropped) const;
  // Surprise of each call of one thread.
  void ThreadSurprises(const uint16_t* calls, size_t count, float* out) const;
  // Window score ending at each call of a thread (0 before the first full window; a thread
  // shorter than the window gets its mean at its last call).
  void WindowScores(const float* surprise, size_t count, float* out) const;
  // WindowScores of every thread of the trace, from the trace's surprises.
  void TraceWindows(const Trace& trace, const std::vector<float>& surprise,
                    std::vector<float>* out) const;

  int order_;
  int window_;
  Aggregate agg_;
  uint64_t max_ngrams_;
  SyscallTable table_ = SyscallTable::kUnknown;
  bool learned_ = false;
  bool prepared_ = false;
  uint64_t dropped_ = 0;
  // Learning state: [k] = n-grams of k+1 calls (context length k). Empty once frozen.
  std::vector<FlatTable<Entry>> ngrams_;
  // Frozen state (after Prepare): the scoring tables per order, the counts as their encoded
  // body, and the empty context (order 0).
  std::vector<ScoreTable> score_;
  std::string frozen_body_;
  float root_log_gamma_ = 0;
};

}  // namespace vigil::ml
