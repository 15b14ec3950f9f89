// The rate model (issue 10): how much of each kind of work a workload does per time window,
// and how far a window falls outside its usual range.
//
// Features of a window (kFeatures):
//   0..6  calls per syscall category (syscall_category.h: file, network, process, memory, ipc,
//         time, other), Trace::calls plus the kernel's aggregated Trace::counts
//   7, 8  bytes in / out on sockets (kBytesIn / kBytesOut activities)
//   9, 10 connections out (kConnect) / in (kAccept)
//   11    file changes (kFileWrite)
//   12    executions (kExec)
// Windows: traces with timing (Trace::ts_ns for every call, or calls-free traces of timed
// activities) are cut into windows of `window_s` seconds from their first event; only windows
// with at least one event exist (idle stretches are neither learned nor scored). Traces
// without timing (ADFA-LD, UNM) are cut into windows of `window_calls` calls and only the
// category features are used; a last partial window of n calls is scaled to window_calls
// when n >= window_calls / 4 (it joins no window otherwise, and its calls score as the
// previous window; a trace shorter than that is one scaled window).
//
// Learning keeps, per workload (Trace::group) and feature, a histogram of the window values
// over fixed log-scale bins (bin 0: < 1; bin b >= 1: [2^((b-1)/2), 2^(b/2)), half an octave
// each), so Learn, Merge and SaveBody are exact integer sums: Merge == Learn on the union,
// byte for byte. Prepare derives each feature's usual range, the bins at the `quantile` and
// 1 - `quantile` points of its histogram.
//
// Score of a window (option score):
//   range     (default) sum over the features of how many octaves its value lies outside the
//             usual range (0 inside): a normal window scores exactly 0;
//   surprise  sum over the features of -ln P(bin), P from the workload's histogram with
//             add-0.5 smoothing: every window scores, rarer combinations more (what ranks
//             bare syscall traces best, ADFA-LD).
// A trace scores its worst window (option trace=max, default) or the mean of its windows
// (trace=mean: long traces are not penalised for having more windows); ScoreEvents gives each
// call its window's score. Reasons name the features outside their usual range, each with
// its share of the window's score. A workload never learned is compared with all workloads pooled
// (a reason says so, weight 0: the score is behaviour alone). Explanations:
//   "connections out 340/window (usual 2-15)".
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ml/model.h"
#include "ml/syscall_category.h"

namespace vigil::ml {

class RateModel : public Model {
 public:
  static constexpr uint8_t kBodyVersion = 1;
  static constexpr size_t kFeatures = 13;
  static constexpr size_t kBins = 130;  // up to 2^64.5
  // 13.5 KiB of histograms per workload: at most 54 MiB.
  static constexpr size_t kMaxWorkloads = 4096;

  static StatusOr<std::unique_ptr<RateModel>> Create(const ModelOptions& options);

  std::string_view name() const override { return "rate"; }
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

  static std::string_view FeatureName(size_t feature);  // "connections out", "file calls"
  static size_t Bin(double value);
  // Smallest value of bin b, and the largest integer value below its upper edge.
  static double BinLow(size_t bin);
  static double BinHigh(size_t bin);

  using Features = std::array<double, kFeatures>;
  struct Window {
    uint64_t index = 0;  // time windows: (start - trace start) / window_s; else the k-th
    Features values{};
  };
  // The windows of a trace in order, and the window of each call (window_of has one entry
  // per call; calls of a dropped partial window point at the previous window). Returns
  // whether the windows are timed.
  bool Windows(const Trace& trace, std::vector<Window>* windows,
               std::vector<uint32_t>* window_of) const;

  size_t workloads() const { return workloads_.size(); }

 private:
  struct Hist {
    uint64_t windows = 0;
    std::array<std::array<uint64_t, kBins>, kFeatures> bins{};
  };
  struct Range {
    std::array<uint16_t, kFeatures> lo{}, hi{};
  };
  struct Options {
    double window_s = 10;
    int64_t window_calls = 100;
    double quantile = 0.01;
    bool surprise = false;  // score=surprise
    bool mean = false;      // trace=mean
  };
  // -ln P(bin) per feature and bin (score=surprise), derived at Prepare.
  struct Surprise {
    std::array<std::array<float, kBins>, kFeatures> nll{};
  };
  static Surprise SurpriseOf(const Hist& h);

  explicit RateModel(Options o) : o_(o) {}
  static Range RangeOf(const Hist& h, double quantile);
  // Score of one window against `range`; reasons appended when `reasons` is not null.
  double ScoreWindow(const Window& w, const Range& range, const Surprise& surprise, bool timed,
                     std::vector<Explanation>* reasons) const;
  // The range and surprise tables a trace is compared with (its workload's, else pooled).
  void TablesFor(const Trace& trace, const Range** range, const Surprise** surprise,
                 bool* unknown) const;

  Options o_;
  SyscallTable table_ = SyscallTable::kUnknown;
  uint64_t traces_ = 0;
  std::map<std::string, Hist, std::less<>> workloads_;
  bool prepared_ = false;
  std::map<std::string, Range, std::less<>> ranges_;
  std::map<std::string, Surprise, std::less<>> surprises_;
  Range pooled_range_;
  Surprise pooled_surprise_;
};

}  // namespace vigil::ml
