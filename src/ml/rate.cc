#include "ml/rate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <utility>

#include "ml/codec.h"
#include "ml/model_checks.h"
#include "ml/models.h"

namespace vigil::ml {
namespace {

constexpr size_t kBytesIn = kSyscallCategoryCount;
constexpr size_t kBytesOut = kBytesIn + 1;
constexpr size_t kConnOut = kBytesIn + 2;
constexpr size_t kConnIn = kBytesIn + 3;
constexpr size_t kFileChanges = kBytesIn + 4;
constexpr size_t kExecutions = kBytesIn + 5;
static_assert(kExecutions + 1 == RateModel::kFeatures);

// Adds one activity to a window's features.
void AddActivity(const Activity& a, RateModel::Features* f) {
  switch (a.kind) {
    case ActivityKind::kBytesIn:
      (*f)[kBytesIn] += static_cast<double>(a.amount);
      break;
    case ActivityKind::kBytesOut:
      (*f)[kBytesOut] += static_cast<double>(a.amount);
      break;
    case ActivityKind::kConnect:
      (*f)[kConnOut] += 1;
      break;
    case ActivityKind::kAccept:
      (*f)[kConnIn] += 1;
      break;
    case ActivityKind::kFileWrite:
      (*f)[kFileChanges] += 1;
      break;
    case ActivityKind::kExec:
      (*f)[kExecutions] += 1;
      break;
    default:
      break;
  }
}

uint64_t DisplayLow(size_t bin) {
  return bin == 0 ? 0 : static_cast<uint64_t>(std::ceil(RateModel::BinLow(bin)));
}
uint64_t DisplayHigh(size_t bin) {
  if (bin == 0) return 0;
  double edge = std::pow(2.0, static_cast<double>(bin) / 2);
  return std::max(DisplayLow(bin), static_cast<uint64_t>(std::ceil(edge)) - 1);
}

}  // namespace

std::string_view RateModel::FeatureName(size_t feature) {
  static constexpr std::string_view kNames[kFeatures] = {
      "file calls",     "network calls", "process calls", "memory calls", "ipc calls",
      "time calls",     "other calls",   "bytes in",      "bytes out",    "connections out",
      "connections in", "file changes",  "executions"};
  return feature < kFeatures ? kNames[feature] : "?";
}

size_t RateModel::Bin(double value) {
  if (!(value >= 1)) return 0;
  double b = 1 + std::floor(2 * std::log2(value));
  return b >= static_cast<double>(kBins - 1) ? kBins - 1 : static_cast<size_t>(b);
}

double RateModel::BinLow(size_t bin) {
  return bin == 0 ? 0 : std::pow(2.0, static_cast<double>(bin - 1) / 2);
}

double RateModel::BinHigh(size_t bin) { return static_cast<double>(DisplayHigh(bin)); }

StatusOr<std::unique_ptr<RateModel>> RateModel::Create(const ModelOptions& options) {
  Options o;
  VIGIL_ASSIGN_OR_RETURN(o.window_s, options.Double("window_s", 10, 0.001, 1e6));
  VIGIL_ASSIGN_OR_RETURN(o.window_calls, options.Int("window_calls", 100, 1, 1 << 24));
  VIGIL_ASSIGN_OR_RETURN(o.quantile, options.Double("quantile", 0.01, 0, 0.49));
  VIGIL_ASSIGN_OR_RETURN(std::string score, options.String("score", "range"));
  VIGIL_ASSIGN_OR_RETURN(std::string trace, options.String("trace", "max"));
  if (score != "range" && score != "surprise") {
    return InvalidArgumentError("model option score='" + score + "' is not range or surprise");
  }
  if (trace != "max" && trace != "mean") {
    return InvalidArgumentError("model option trace='" + trace + "' is not max or mean");
  }
  o.surprise = score == "surprise";
  o.mean = trace == "mean";
  VIGIL_RETURN_IF_ERROR(options.CheckAllUsed("rate"));
  return std::unique_ptr<RateModel>(new RateModel(o));
}

StatusOr<std::unique_ptr<Model>> NewRateModel(const ModelOptions& options) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<RateModel> m, RateModel::Create(options));
  return std::unique_ptr<Model>(std::move(m));
}

ModelOptions RateModel::options() const {
  std::map<std::string, std::string> v;
  v["window_s"] = fmt::format("{}", o_.window_s);
  v["window_calls"] = std::to_string(o_.window_calls);
  v["quantile"] = fmt::format("{}", o_.quantile);
  v["score"] = o_.surprise ? "surprise" : "range";
  v["trace"] = o_.mean ? "mean" : "max";
  return ModelOptions(std::move(v));
}

bool RateModel::Windows(const Trace& trace, std::vector<Window>* windows,
                        std::vector<uint32_t>* window_of) const {
  windows->clear();
  window_of->assign(trace.calls.size(), 0);
  bool timed = trace.calls.empty() ? !(trace.activities.empty() && trace.counts.empty())
                                   : trace.ts_ns.size() == trace.calls.size();
  if (!timed) {
    const size_t w = static_cast<size_t>(o_.window_calls);
    const size_t n = trace.calls.size();
    size_t full = n / w, rem = n % w;
    bool keep_rem = rem > 0 && (full == 0 || rem * 4 >= w);
    windows->resize(full + (keep_rem ? 1 : 0));
    for (size_t i = 0; i < n; ++i) {
      size_t k = std::min(i / w, windows->size() - 1);
      (*window_of)[i] = static_cast<uint32_t>(k);
      (*windows)[k].values[static_cast<size_t>(CategoryOf(trace.table, trace.calls[i]))] += 1;
    }
    for (size_t k = 0; k < windows->size(); ++k) (*windows)[k].index = k;
    if (keep_rem) {
      double scale = static_cast<double>(w) / static_cast<double>(rem);
      for (double& v : windows->back().values) v *= scale;
    }
    return false;
  }
  uint64_t t0 = UINT64_MAX;
  for (uint64_t ts : trace.ts_ns) t0 = std::min(t0, ts);
  for (const Activity& a : trace.activities) t0 = std::min(t0, a.ts_ns);
  for (const Trace::CallCount& c : trace.counts) t0 = std::min(t0, c.ts_ns);
  const uint64_t span = std::max<uint64_t>(1, static_cast<uint64_t>(o_.window_s * 1e9));
  std::unordered_map<uint64_t, uint32_t> slot;
  auto at = [&](uint64_t ts) -> Features& {
    uint64_t k = (ts - t0) / span;
    auto [it, added] = slot.emplace(k, static_cast<uint32_t>(windows->size()));
    if (added) windows->push_back(Window{k, {}});
    return (*windows)[it->second].values;
  };
  for (size_t i = 0; i < trace.calls.size(); ++i) {
    at(trace.ts_ns[i])[static_cast<size_t>(CategoryOf(trace.table, trace.calls[i]))] += 1;
  }
  for (const Trace::CallCount& c : trace.counts) {
    at(c.ts_ns)[static_cast<size_t>(CategoryOf(trace.table, c.syscall))] +=
        static_cast<double>(c.count);
  }
  for (const Activity& a : trace.activities) AddActivity(a, &at(a.ts_ns));
  // Time order, then the calls' windows by index.
  std::sort(windows->begin(), windows->end(),
            [](const Window& a, const Window& b) { return a.index < b.index; });
  for (uint32_t k = 0; k < windows->size(); ++k) slot[(*windows)[k].index] = k;
  for (size_t i = 0; i < trace.calls.size(); ++i) {
    (*window_of)[i] = slot[(trace.ts_ns[i] - t0) / span];
  }
  return true;
}

Status RateModel::Learn(const Trace& trace) {
  if (trace.table != SyscallTable::kUnknown) {
    if (table_ == SyscallTable::kUnknown) {
      table_ = trace.table;
    } else if (table_ != trace.table) {
      return InvalidArgumentError(
          fmt::format("rate: trace {} has syscall table {}, the model learned {}", trace.id,
                      SyscallTableName(trace.table), SyscallTableName(table_)));
    }
  }
  auto it = workloads_.find(trace.group);
  if (it == workloads_.end()) {
    if (workloads_.size() >= kMaxWorkloads) {
      return ResourceExhaustedError(
          fmt::format("rate: more than {} workloads (trace {})", kMaxWorkloads, trace.id));
    }
    it = workloads_.emplace(trace.group, Hist{}).first;
  }
  std::vector<Window> windows;
  std::vector<uint32_t> window_of;
  Windows(trace, &windows, &window_of);
  Hist& h = it->second;
  for (const Window& w : windows) {
    ++h.windows;
    for (size_t f = 0; f < kFeatures; ++f) ++h.bins[f][Bin(w.values[f])];
  }
  ++traces_;
  prepared_ = false;
  return OkStatus();
}

Status RateModel::Merge(const Model& other_model) {
  VIGIL_ASSIGN_OR_RETURN(const RateModel* other, MergeSource<RateModel>("rate", other_model));
  if (other->options().values() != options().values()) {
    return InvalidArgumentError("rate: cannot merge a model with other options");
  }
  if (other->table_ != SyscallTable::kUnknown && table_ != SyscallTable::kUnknown &&
      other->table_ != table_) {
    return InvalidArgumentError(fmt::format("rate: cannot merge syscall table {} into {}",
                                            SyscallTableName(other->table_),
                                            SyscallTableName(table_)));
  }
  size_t new_workloads = 0;
  for (const auto& [name, h] : other->workloads_) new_workloads += !workloads_.count(name);
  if (workloads_.size() + new_workloads > kMaxWorkloads) {
    return ResourceExhaustedError(fmt::format("rate: more than {} workloads", kMaxWorkloads));
  }
  if (table_ == SyscallTable::kUnknown) table_ = other->table_;
  traces_ += other->traces_;
  for (const auto& [name, oh] : other->workloads_) {
    Hist& h = workloads_[name];
    h.windows += oh.windows;
    for (size_t f = 0; f < kFeatures; ++f) {
      for (size_t b = 0; b < kBins; ++b) h.bins[f][b] += oh.bins[f][b];
    }
  }
  prepared_ = false;
  return OkStatus();
}

RateModel::Range RateModel::RangeOf(const Hist& h, double quantile) {
  Range r;
  const double n = static_cast<double>(h.windows);
  for (size_t f = 0; f < kFeatures; ++f) {
    uint64_t cum = 0;
    bool lo_set = false;
    r.lo[f] = 0;
    r.hi[f] = kBins - 1;
    for (size_t b = 0; b < kBins; ++b) {
      cum += h.bins[f][b];
      if (!lo_set && static_cast<double>(cum) > quantile * n) {
        r.lo[f] = static_cast<uint16_t>(b);
        lo_set = true;
      }
      if (static_cast<double>(cum) >= (1 - quantile) * n) {
        r.hi[f] = static_cast<uint16_t>(b);
        break;
      }
    }
  }
  return r;
}

RateModel::Surprise RateModel::SurpriseOf(const Hist& h) {
  Surprise s;
  const double total = static_cast<double>(h.windows) + 0.5 * kBins;
  for (size_t f = 0; f < kFeatures; ++f) {
    for (size_t b = 0; b < kBins; ++b) {
      s.nll[f][b] =
          static_cast<float>(-std::log((static_cast<double>(h.bins[f][b]) + 0.5) / total));
    }
  }
  return s;
}

Status RateModel::Prepare() {
  Hist pooled;
  ranges_.clear();
  surprises_.clear();
  for (const auto& [name, h] : workloads_) {
    if (h.windows == 0) continue;
    ranges_[name] = RangeOf(h, o_.quantile);
    if (o_.surprise) surprises_[name] = SurpriseOf(h);
    pooled.windows += h.windows;
    for (size_t f = 0; f < kFeatures; ++f) {
      for (size_t b = 0; b < kBins; ++b) pooled.bins[f][b] += h.bins[f][b];
    }
  }
  if (pooled.windows == 0) return FailedPreconditionError("rate: no window learned");
  pooled_range_ = RangeOf(pooled, o_.quantile);
  if (o_.surprise) pooled_surprise_ = SurpriseOf(pooled);
  prepared_ = true;
  return OkStatus();
}

void RateModel::TablesFor(const Trace& trace, const Range** range, const Surprise** surprise,
                          bool* unknown) const {
  auto it = ranges_.find(trace.group);
  *unknown = it == ranges_.end();
  *range = *unknown ? &pooled_range_ : &it->second;
  *surprise = &pooled_surprise_;
  if (!*unknown && o_.surprise) *surprise = &surprises_.at(trace.group);
}

double RateModel::ScoreWindow(const Window& w, const Range& range, const Surprise& surprise,
                              bool timed, std::vector<Explanation>* reasons) const {
  double total = 0;
  size_t features = timed ? kFeatures : kSyscallCategoryCount;
  std::vector<std::pair<size_t, Explanation>> outside;  // (bins outside the range, reason)
  for (size_t f = 0; f < features; ++f) {
    size_t b = Bin(w.values[f]);
    size_t d = b > range.hi[f] ? b - range.hi[f] : (b < range.lo[f] ? range.lo[f] - b : 0);
    double share = o_.surprise ? surprise.nll[f][b] : static_cast<double>(d) / 2;
    total += share;
    if (d == 0 || reasons == nullptr) continue;
    std::string unit =
        timed ? fmt::format("/{}s", o_.window_s) : fmt::format("/{} calls", o_.window_calls);
    outside.emplace_back(
        d, Explanation{"rate",
                       fmt::format("{} {:.0f}{} (usual {}-{})", FeatureName(f), w.values[f], unit,
                                   DisplayLow(range.lo[f]), DisplayHigh(range.hi[f])),
                       share, 0});
  }
  if (reasons != nullptr) {
    // Largest share first; among equal shares (surprise saturates for bins never seen), the
    // feature furthest outside its range.
    std::stable_sort(outside.begin(), outside.end(), [](const auto& a, const auto& b) {
      if (a.second.weight != b.second.weight) return a.second.weight > b.second.weight;
      return a.first > b.first;
    });
    for (auto& [d, e] : outside) reasons->push_back(std::move(e));
  }
  return total;
}

Score RateModel::ScoreTrace(const Trace& trace, const ScoreOptions& options) const {
  Score score;
  if (!prepared_) return score;
  bool unknown;
  const Range* range;
  const Surprise* surprise;
  TablesFor(trace, &range, &surprise, &unknown);
  std::vector<Window> windows;
  std::vector<uint32_t> window_of;
  bool timed = Windows(trace, &windows, &window_of);
  size_t worst = 0;
  double worst_score = -1, sum = 0;
  for (size_t k = 0; k < windows.size(); ++k) {
    double s = ScoreWindow(windows[k], *range, *surprise, timed, nullptr);
    sum += s;
    if (s > worst_score) {
      worst_score = s;
      worst = k;
    }
  }
  if (unknown) {
    score.reasons.push_back(Explanation{
        "workload",
        fmt::format("workload '{}' was never learned: compared with all workloads", trace.group), 0,
        0});
  }
  if (windows.empty()) return score;
  score.value = o_.mean ? sum / static_cast<double>(windows.size()) : worst_score;
  std::vector<Explanation> reasons;
  ScoreWindow(windows[worst], *range, *surprise, timed, &reasons);
  size_t position = 0;
  for (size_t i = 0; i < window_of.size(); ++i) {
    if (window_of[i] == worst) {
      position = i;
      break;
    }
  }
  for (Explanation& e : reasons) {
    e.position = position;
    score.reasons.push_back(std::move(e));
  }
  if (score.reasons.size() > options.max_reasons) score.reasons.resize(options.max_reasons);
  return score;
}

void RateModel::ScoreEvents(const Trace& trace, std::vector<float>* out) const {
  out->assign(trace.calls.size(), 0.0f);
  if (!prepared_ || trace.calls.empty()) return;
  bool unknown;
  const Range* range;
  const Surprise* surprise;
  TablesFor(trace, &range, &surprise, &unknown);
  std::vector<Window> windows;
  std::vector<uint32_t> window_of;
  bool timed = Windows(trace, &windows, &window_of);
  std::vector<float> per_window(windows.size());
  for (size_t k = 0; k < windows.size(); ++k) {
    per_window[k] = static_cast<float>(ScoreWindow(windows[k], *range, *surprise, timed, nullptr));
  }
  for (size_t i = 0; i < trace.calls.size(); ++i) (*out)[i] = per_window[window_of[i]];
}

std::string RateModel::SaveBody() const {
  ByteWriter w;
  WriteBodyHeader(w, kBodyVersion, table_);
  w.U64(traces_);
  w.U32(static_cast<uint32_t>(workloads_.size()));
  for (const auto& [name, h] : workloads_) {
    w.Bytes32(name);
    w.U64(h.windows);
    for (size_t f = 0; f < kFeatures; ++f) {
      uint32_t nonzero = 0;
      for (uint64_t c : h.bins[f]) nonzero += c != 0;
      w.U32(nonzero);
      for (size_t b = 0; b < kBins; ++b) {
        if (h.bins[f][b] == 0) continue;
        w.U8(static_cast<uint8_t>(b));
        w.U64(h.bins[f][b]);
      }
    }
  }
  return w.Take();
}

Status RateModel::LoadBody(std::string_view data) {
  ByteReader r(data, "rate body");
  VIGIL_ASSIGN_OR_RETURN(SyscallTable table, ReadBodyHeader(r, kBodyVersion));
  VIGIL_ASSIGN_OR_RETURN(uint64_t traces, r.U64("trace count"));
  VIGIL_ASSIGN_OR_RETURN(uint32_t n_workloads,
                         r.Count32("workload count", 4 + 8 + 4 * kFeatures, kMaxWorkloads));
  std::map<std::string, Hist, std::less<>> workloads;
  std::string_view name;
  for (uint32_t i = 0; i < n_workloads; ++i) {
    std::string_view prev = name;
    VIGIL_ASSIGN_OR_RETURN(name, r.Bytes32("workload name"));
    if (i > 0 && !(prev < name)) return r.Error("workload name", "names not in sorted order");
    Hist& h = workloads[std::string(name)];
    VIGIL_ASSIGN_OR_RETURN(h.windows, r.U64("window count"));
    for (size_t f = 0; f < kFeatures; ++f) {
      VIGIL_ASSIGN_OR_RETURN(uint32_t nonzero, r.Count32("bin count", 1 + 8, kBins));
      uint64_t sum = 0;
      int prev_bin = -1;
      for (uint32_t j = 0; j < nonzero; ++j) {
        VIGIL_ASSIGN_OR_RETURN(uint8_t bin, r.U8("bin"));
        VIGIL_ASSIGN_OR_RETURN(uint64_t count, r.U64("bin value"));
        if (bin >= kBins || static_cast<int>(bin) <= prev_bin || count == 0) {
          return r.Error("bin", fmt::format("bin {} out of order, out of range or empty", bin));
        }
        if (count > h.windows - sum) {
          return r.Error("bin value", "bins of a feature exceed the window count");
        }
        sum += count;
        prev_bin = bin;
        h.bins[f][bin] = count;
      }
      if (sum != h.windows) {
        return r.Error("bin value", fmt::format("{} has {} windows in its bins, {} expected",
                                                FeatureName(f), sum, h.windows));
      }
    }
  }
  VIGIL_RETURN_IF_ERROR(r.ExpectEnd());
  table_ = table;
  traces_ = traces;
  workloads_ = std::move(workloads);
  prepared_ = false;
  return OkStatus();
}

size_t RateModel::MemoryBytes() const {
  return sizeof(*this) + workloads_.size() * (sizeof(Hist) + sizeof(Range) +
                                              (o_.surprise ? sizeof(Surprise) : 0) + 128);
}

}  // namespace vigil::ml
