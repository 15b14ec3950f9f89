// STIDE (Forrest et al. 1996, Hofmeyr et al. 1998): the set of system-call windows of length
// n seen in normal traces; a trace is as anomalous as the windows it has that the set lacks.
//
// Windows are taken per thread (Trace::tids; a trace without tids is one thread), one ending at
// every call: the first n-1 calls of a thread end shorter windows (its start is part of its
// behaviour, and traces shorter than n are still learned and scored). Options:
//   n=6        window length (1..32); Forrest et al. used 6 for lpr, ADFA-LD baselines 7
//   frame=0    0: score = fraction of the trace's windows that are unseen;
//              F > 0: locality frame count, score = max over the last F windows of a thread of
//              the number of unseen windows among them, divided by F (Hofmeyr's LFC)
// ADFA-LD dev (train on Training, score Validation + Attack): AUC for n = 4..10 = 0.722 0.793
// 0.834 0.836 0.836 0.835 0.836 (n=7: DR 0.07 / 0.21 / 0.37 at 1 / 5 / 10 % false alarms);
// frame=20 saturates (0.643). UNM live lpr, n=6, 10-fold over the 567 normal processes: 4
// flagged (0.7 %), all 1001 exploit processes flagged (sequence_acceptance_test.cc).
// Per event: one rolling-key update and one flat hash-set probe (O(1)).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "ml/model.h"
#include "ml/ngram.h"

namespace vigil::ml {

class StideModel : public Model {
 public:
  static constexpr uint8_t kBodyVersion = 1;
  static StatusOr<std::unique_ptr<StideModel>> Create(const ModelOptions& options);

  std::string_view name() const override { return "stide"; }
  Granularity granularity() const override { return Granularity::kPerEvent; }
  ModelOptions options() const override;

  Status Learn(const Trace& trace) override;
  Status Merge(const Model& other) override;
  Status Prepare() override;
  Score ScoreTrace(const Trace& trace, const ScoreOptions& options) const override;
  void ScoreEvents(const Trace& trace, std::vector<float>* out) const override;
  std::string SaveBody() const override;
  Status LoadBody(std::string_view body) override;
  size_t MemoryBytes() const override { return set_.MemoryBytes(); }

  int n() const { return n_; }
  size_t windows() const { return set_.size(); }  // distinct windows learned
  // Whether the window calls[end-len, end) was learned (len <= n).
  bool Contains(const uint16_t* begin, const uint16_t* end) const;

 private:
  StideModel(int n, int frame) : n_(n), frame_(frame) {}
  // Calls fn(position_in_thread, key) for each window of one thread's calls.
  template <typename Fn>
  void ForEachWindow(const uint16_t* calls, size_t count, Fn&& fn) const;
  // Per-call mismatch flags (1 = unseen window), in trace order.
  void Mismatches(const Trace& trace, std::vector<uint8_t>* miss) const;

  int n_;
  int frame_;
  SyscallTable table_ = SyscallTable::kUnknown;
  bool learned_ = false;
  FlatTable<uint8_t> set_;
};

}  // namespace vigil::ml
