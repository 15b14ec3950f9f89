// Sequence covering (after Marteau, "Sequence Covering for Efficient Host-Based Intrusion
// Detection", IEEE TIFS 2019): a trace is normal when it can be pieced together from few long
// stretches of the training traces, anomalous when it needs many short ones.
//
// Learning keeps the distinct per-thread call sequences of the training traces with how often
// each was seen (a multiset: Merge adds counts, so Merge(A, B) == Learn(traces of A and B)).
// Prepare indexes them in a generalised suffix automaton (O(total distinct calls) states and
// transitions; no substring crosses a sequence boundary). Scoring walks the automaton once per
// thread: at every call i it knows L_i, the length of the longest training substring ending at
// i (the matching statistic, O(1) amortised per call). From L:
//   - the minimum covering: walking back from the end, each segment is the longest training
//     substring ending there (greedy from the right is optimal because the set of training
//     substrings is closed under taking substrings); a call never seen in training is a
//     segment of its own;
//   - score=segments (default): segments / calls of the trace, in (0, 1];
//     score=mean: the mean over calls of the per-event value below (a soft STIDE over every
//     window length);
//     score=top: the mean of the largest top% of the per-event values.
// Per event: 1 / (1 + L_i) (0 < value <= 1; 1 = a call never seen in training), except 0 while
// the thread's whole stream so far is one training stretch (L_i = calls so far): a short
// stream is no evidence of novelty, and the first calls must not alarm on every trace.
// Options:
//   score=segments|mean|top   trace aggregation (see above)
//   top=10                    percent of calls averaged by score=top (1..100)
//   support=1                 a training stretch counts only when at least this many training
//                             sequences (with multiplicity) contain it; 2 ignores what a single
//                             training trace alone shows
//   max_calls=4000000         bound on the stored distinct calls. Sequences plus index take
//                             about 35 bytes per stored call (ADFA-LD: 296k calls, 10 MB);
//                             Prepare about 1,000 instructions and, while building, up to
//                             about 100 bytes per stored call (the default bound: ~400 MB).
//
// Reaching max_calls never fails a training run. What is kept is decided in learning order:
// every distinct sequence is kept whole while it fits; the first one that does not fit is kept
// truncated to the calls that still fit (its prefix: real training behaviour, so its substrings
// stay valid evidence of normality); later new sequences are dropped. Repeats of a kept
// sequence still add to its count. dropped_sequences() and dropped_calls() (with
// multiplicity) say what was lost; they are saved in the body and summed by Merge, and a
// warning with these figures is logged when the bound is first reached and at every Prepare
// after it. Once the bound was reached Merge(A, B) may differ from learning A's and B's traces
// (Merge adds B's sequences in their sorted order). LoadBody still rejects (DataLoss) a body
// storing more than max_calls, which no model with these options writes.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ml/model.h"

namespace vigil::ml {

// Generalised suffix automaton over call sequences: the index Prepare builds.
class CallAutomaton {
 public:
  void Clear();
  // Adds one sequence; substrings never span two added sequences.
  void Add(const std::vector<uint16_t>& calls);
  // Freezes the transitions into sorted arrays for lookup; Add is not allowed afterwards.
  void Freeze();
  size_t states() const { return len_.size(); }
  size_t MemoryBytes() const;

  // After Freeze: counts `weight` more sequences containing each substring of `calls` (call once
  // per indexed sequence, with its multiplicity) for Match's min_support.
  void Count(const std::vector<uint16_t>& calls, uint64_t weight);

  // Matching statistics: (*match)[i] = length of the longest substring of the indexed
  // sequences that ends at calls[i] and lies in at least min_support counted sequences
  // (min_support <= 1: any indexed substring). Requires Freeze.
  void Match(const uint16_t* calls, size_t count, std::vector<uint32_t>* match,
             uint64_t min_support = 1) const;

 private:
  static constexpr uint32_t kNone = UINT32_MAX;
  uint32_t NewState(uint32_t len);
  uint32_t Next(uint32_t state, uint16_t c) const;        // while building
  void SetNext(uint32_t state, uint16_t c, uint32_t to);  // while building
  uint32_t Step(uint32_t state, uint16_t c) const;        // frozen lookup

  std::vector<uint32_t> len_;
  std::vector<uint32_t> link_;
  std::vector<std::vector<std::pair<uint16_t, uint32_t>>> edges_;  // while building
  // Frozen: CSR arrays, symbols sorted within each state; the root is a dense table.
  std::vector<uint32_t> offset_;
  std::vector<uint16_t> symbol_;
  std::vector<uint32_t> target_;
  std::vector<uint32_t> root_;
  std::vector<uint64_t> support_;  // per state: counted sequences containing its strings
  std::vector<uint32_t> stamp_;    // per state: the last Count call that reached it
  uint32_t counted_ = 0;
  bool frozen_ = false;
};

class CoverModel : public Model {
 public:
  // Version 2 adds the dropped figures; version 1 bodies (none dropped) still load.
  static constexpr uint8_t kBodyVersion = 2;
  enum class Aggregate : uint8_t { kSegments, kMean, kTop };
  static StatusOr<std::unique_ptr<CoverModel>> Create(const ModelOptions& options);

  std::string_view name() const override { return "cover"; }
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

  size_t sequences() const { return sequences_.size(); }  // distinct sequences learned
  uint64_t stored_calls() const { return stored_calls_; }
  // What max_calls kept out (see above): sequences dropped or truncated, and their calls that
  // were not stored, with multiplicity.
  uint64_t dropped_sequences() const { return dropped_sequences_; }
  uint64_t dropped_calls() const { return dropped_calls_; }
  const std::map<std::vector<uint16_t>, uint64_t>& sequence_counts() const { return sequences_; }
  // The matching statistic L_i of every call (per thread), in trace order. Requires Prepare.
  void MatchLengths(const Trace& trace, std::vector<uint32_t>* match) const;

 private:
  CoverModel(Aggregate aggregate, int top, uint64_t support, uint64_t max_calls)
      : aggregate_(aggregate), top_(top), support_(support), max_calls_(max_calls) {}
  // Stores `count` occurrences of a sequence within max_calls (see above); `what` names the
  // source in the warning.
  void Add(std::vector<uint16_t> calls, uint64_t count, std::string_view what);
  void WarnDropped(std::string_view when) const;

  Aggregate aggregate_;
  int top_;
  uint64_t support_;
  uint64_t max_calls_;
  SyscallTable table_ = SyscallTable::kUnknown;
  bool learned_ = false;
  std::map<std::vector<uint16_t>, uint64_t> sequences_;
  uint64_t stored_calls_ = 0;
  uint64_t dropped_sequences_ = 0;
  uint64_t dropped_calls_ = 0;
  bool prepared_ = false;
  CallAutomaton index_;
};

}  // namespace vigil::ml
