// Bag of n-grams with nearest-neighbour distance: each trace becomes a sparse vector of the
// counts of its n-grams of 1..n calls (per thread), weighted log(1 + tf) * idf (idf over the
// learned traces) and normalised to unit length; a trace scores 1 - its largest cosine
// similarity to any learned trace. Sequence models ask "was each window seen?"; this one asks
// "does the trace as a whole resemble one normal run?" — a program that never ran in training
// is far from all of them even when each of its short windows is common.
//
// Learned statistics: the count vectors of the learned traces (a multiset, kept sorted so the
// body does not depend on learning or merge order). Options: n=3 (1..6) longest n-gram (keys of up
// to 6 calls are exact, so reasons name the calls), k=1 (1..64) neighbours averaged. Windowed:
// scored once per trace (ScoreEvents gives every call the trace's score). Cost per trace: the
// postings of its distinct n-grams.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ml/model.h"
#include "ml/ngram.h"

namespace vigil::ml {

class BagModel : public Model {
 public:
  static constexpr uint8_t kBodyVersion = 1;
  static StatusOr<std::unique_ptr<BagModel>> Create(const ModelOptions& options);

  std::string_view name() const override { return "bag"; }
  Granularity granularity() const override { return Granularity::kWindowed; }
  ModelOptions options() const override;

  Status Learn(const Trace& trace) override;
  Status Merge(const Model& other) override;
  Status Prepare() override;
  Score ScoreTrace(const Trace& trace, const ScoreOptions& options) const override;
  void ScoreEvents(const Trace& trace, std::vector<float>* out) const override;
  std::string SaveBody() const override;
  Status LoadBody(std::string_view body) override;
  size_t MemoryBytes() const override;

 private:
  using Counts = std::vector<std::pair<uint64_t, uint32_t>>;  // sorted by key
  struct Posting {
    uint32_t trace;
    float weight;
  };
  struct Feature {
    float idf = 0;
    uint32_t first = 0;  // postings_[first, first + count)
    uint32_t count = 0;
  };

  BagModel(int n, int k) : n_(n), k_(k) {}
  Counts Vectorise(const Trace& trace) const;
  void SortTraces();

  int n_;
  int k_;
  SyscallTable table_ = SyscallTable::kUnknown;
  bool learned_ = false;
  bool prepared_ = false;
  std::vector<Counts> traces_;   // learned, sorted
  FlatTable<Feature> features_;  // Prepare: idf and postings per n-gram
  std::vector<Posting> postings_;
};

}  // namespace vigil::ml
