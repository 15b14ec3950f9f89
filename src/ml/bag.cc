#include "ml/bag.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>

#include "ml/codec.h"
#include "ml/model_checks.h"
#include "ml/models.h"

namespace vigil::ml {
namespace {

// The calls of an exact (<= 6 calls) n-gram key, oldest first.
std::vector<uint16_t> DecodeKey(uint64_t key) {
  std::vector<uint16_t> calls;
  while (key != 0) {
    calls.push_back(static_cast<uint16_t>(key % kNgramBase - 1));
    key /= kNgramBase;
  }
  std::reverse(calls.begin(), calls.end());
  return calls;
}

std::string Fixed(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3f", v);
  return buf;
}

}  // namespace

StatusOr<std::unique_ptr<BagModel>> BagModel::Create(const ModelOptions& options) {
  VIGIL_ASSIGN_OR_RETURN(int64_t n, options.Int("n", 3, 1, 6));
  VIGIL_ASSIGN_OR_RETURN(int64_t k, options.Int("k", 1, 1, 64));
  VIGIL_RETURN_IF_ERROR(options.CheckAllUsed("bag"));
  return std::unique_ptr<BagModel>(new BagModel(static_cast<int>(n), static_cast<int>(k)));
}

StatusOr<std::unique_ptr<Model>> NewBagModel(const ModelOptions& options) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<BagModel> m, BagModel::Create(options));
  return std::unique_ptr<Model>(std::move(m));
}

ModelOptions BagModel::options() const {
  return ModelOptions({{"n", std::to_string(n_)}, {"k", std::to_string(k_)}});
}

size_t BagModel::MemoryBytes() const {
  size_t bytes = features_.MemoryBytes() + postings_.capacity() * sizeof(Posting);
  for (const Counts& c : traces_) bytes += c.capacity() * sizeof(c[0]);
  return bytes;
}

BagModel::Counts BagModel::Vectorise(const Trace& trace) const {
  FlatTable<uint32_t> counts;
  ThreadSplit split = SplitThreads(trace);
  for (const auto& idx : split.index) {
    uint64_t keys[6] = {};
    for (size_t j = 0; j < idx.size(); ++j) {
      const uint16_t c = trace.calls[idx[j]];
      const size_t m = std::min<size_t>(static_cast<size_t>(n_) - 1, j);
      for (size_t q = m; q >= 1; --q) keys[q] = NgramExtend(keys[q - 1], c);
      keys[0] = NgramDigit(c);
      for (size_t q = 0; q <= m; ++q) {
        bool inserted = false;
        ++counts.Insert(keys[q], &inserted);
      }
    }
  }
  Counts out;
  out.reserve(counts.size());
  for (const auto& slot : counts.slots()) {
    if (slot.key != 0) out.emplace_back(slot.key, slot.value);
  }
  std::sort(out.begin(), out.end());
  return out;
}

void BagModel::SortTraces() { std::sort(traces_.begin(), traces_.end()); }

Status BagModel::Learn(const Trace& trace) {
  VIGIL_RETURN_IF_ERROR(CheckLearnTable("bag", learned_, table_, trace));
  table_ = trace.table;
  learned_ = true;
  prepared_ = false;
  Counts v = Vectorise(trace);
  traces_.insert(std::upper_bound(traces_.begin(), traces_.end(), v), std::move(v));
  return OkStatus();
}

Status BagModel::Merge(const Model& other_model) {
  VIGIL_ASSIGN_OR_RETURN(const BagModel* other, MergeSource<BagModel>("bag", other_model));
  if (other->n_ != n_ || other->k_ != k_) {
    return InvalidArgumentError("bag: cannot merge a model with other options");
  }
  if (!other->learned_) return OkStatus();
  VIGIL_RETURN_IF_ERROR(CheckMergeTable("bag", learned_, table_, other->table_));
  table_ = other->table_;
  learned_ = true;
  prepared_ = false;
  traces_.insert(traces_.end(), other->traces_.begin(), other->traces_.end());
  SortTraces();
  return OkStatus();
}

Status BagModel::Prepare() {
  if (!learned_ || traces_.empty()) return FailedPreconditionError("bag: nothing learned");
  features_.Clear();
  postings_.clear();
  for (const Counts& c : traces_) {
    for (const auto& [key, tf] : c) {
      bool inserted = false;
      ++features_.Insert(key, &inserted).count;
    }
  }
  const double n = static_cast<double>(traces_.size());
  uint32_t next = 0;
  for (auto& slot : features_.slots()) {
    if (slot.key == 0) continue;
    Feature& f = slot.value;
    f.idf = static_cast<float>(std::log((1 + n) / (1 + f.count)) + 1);
    f.first = next;
    next += f.count;
    f.count = 0;
  }
  postings_.resize(next);
  for (uint32_t t = 0; t < traces_.size(); ++t) {
    double norm = 0;
    for (const auto& [key, tf] : traces_[t]) {
      double w = std::log1p(tf) * features_.Find(key)->idf;
      norm += w * w;
    }
    norm = std::sqrt(norm);
    for (const auto& [key, tf] : traces_[t]) {
      Feature* f = features_.Find(key);
      double w = std::log1p(tf) * f->idf / norm;
      postings_[f->first + f->count++] = {t, static_cast<float>(w)};
    }
  }
  prepared_ = true;
  return OkStatus();
}

Score BagModel::ScoreTrace(const Trace& trace, const ScoreOptions& options) const {
  Score score;
  score.value = 1;
  if (!prepared_ || trace.calls.empty() || trace.table != table_) return score;
  Counts v = Vectorise(trace);
  const float unseen_idf = static_cast<float>(std::log(1.0 + traces_.size()) + 1);
  std::vector<double> w(v.size());
  double norm = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    const Feature* f = features_.Find(v[i].first);
    w[i] = std::log1p(v[i].second) * (f != nullptr ? f->idf : unseen_idf);
    norm += w[i] * w[i];
  }
  norm = std::sqrt(norm);
  std::vector<double> dot(traces_.size(), 0.0);
  for (size_t i = 0; i < v.size(); ++i) {
    const Feature* f = features_.Find(v[i].first);
    if (f == nullptr) continue;
    const double wi = w[i] / norm;
    for (uint32_t p = f->first; p < f->first + f->count; ++p) {
      dot[postings_[p].trace] += wi * postings_[p].weight;
    }
  }
  std::vector<uint32_t> order(traces_.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  const size_t k = std::min<size_t>(static_cast<size_t>(k_), order.size());
  std::partial_sort(order.begin(), order.begin() + k, order.end(),
                    [&](uint32_t a, uint32_t b) { return dot[a] > dot[b]; });
  double sim = 0;
  for (size_t i = 0; i < k; ++i) sim += dot[order[i]];
  sim /= static_cast<double>(k);
  score.value = std::clamp(1.0 - sim, 0.0, 1.0);
  if (options.max_reasons == 0) return score;
  // Reasons: the trace's heaviest n-grams that its nearest normal trace lacks.
  const Counts& nearest = traces_[order[0]];
  std::vector<std::pair<double, size_t>> missing;
  for (size_t i = 0; i < v.size(); ++i) {
    auto it = std::lower_bound(nearest.begin(), nearest.end(), std::make_pair(v[i].first, 0u));
    if (it == nearest.end() || it->first != v[i].first) missing.emplace_back(w[i] / norm, i);
  }
  std::sort(missing.begin(), missing.end(), std::greater<>());
  for (size_t r = 0; r < missing.size() && r < options.max_reasons; ++r) {
    std::vector<uint16_t> calls = DecodeKey(v[missing[r].second].first);
    std::string detail =
        std::to_string(calls.size()) + "-gram " + CallWindow(table_, calls, 0, calls.size()) +
        " (" + std::to_string(v[missing[r].second].second) +
        " times) absent from the nearest normal trace (similarity " + Fixed(dot[order[0]]) + ")";
    score.reasons.push_back({"sequence", std::move(detail), missing[r].first, 0});
  }
  return score;
}

void BagModel::ScoreEvents(const Trace& trace, std::vector<float>* out) const {
  ScoreOptions none;
  none.max_reasons = 0;
  out->assign(trace.calls.size(), static_cast<float>(ScoreTrace(trace, none).value));
}

std::string BagModel::SaveBody() const {
  ByteWriter out;
  WriteBodyHeader(out, kBodyVersion, table_);
  out.U8(learned_ ? 1 : 0);
  out.Varint(static_cast<uint64_t>(n_));
  out.Varint(traces_.size());
  for (const Counts& c : traces_) {
    out.Varint(c.size());
    uint64_t prev = 0;
    for (const auto& [key, tf] : c) {
      out.Varint(key - prev);
      out.Varint(tf);
      prev = key;
    }
  }
  return out.Take();
}

Status BagModel::LoadBody(std::string_view body) {
  ByteReader in(body, "bag body");
  VIGIL_ASSIGN_OR_RETURN(SyscallTable table, ReadBodyHeader(in, kBodyVersion));
  VIGIL_ASSIGN_OR_RETURN(uint64_t learned, in.Bounded("learned flag", 0, 1));
  VIGIL_ASSIGN_OR_RETURN(uint64_t n, in.Bounded("n", 1, 6));
  if (static_cast<int>(n) != n_) {
    return in.Error(
        "n", "body has n=" + std::to_string(n) + ", the options say n=" + std::to_string(n_));
  }
  VIGIL_ASSIGN_OR_RETURN(uint64_t count, in.Bounded("trace count", 0, in.remaining()));
  std::vector<Counts> traces(count);
  for (Counts& c : traces) {
    VIGIL_ASSIGN_OR_RETURN(uint64_t size, in.Bounded("n-gram count", 0, in.remaining() / 2));
    c.reserve(size);
    uint64_t key = 0;
    for (uint64_t i = 0; i < size; ++i) {
      VIGIL_ASSIGN_OR_RETURN(uint64_t delta, in.Varint("n-gram key"));
      if (delta == 0 || key + delta < key) {
        return in.Error("n-gram key", "keys are not strictly increasing");
      }
      key += delta;
      VIGIL_ASSIGN_OR_RETURN(uint64_t tf, in.Bounded("n-gram frequency", 1, UINT32_MAX));
      c.emplace_back(key, static_cast<uint32_t>(tf));
    }
  }
  VIGIL_RETURN_IF_ERROR(in.ExpectEnd());
  if (!std::is_sorted(traces.begin(), traces.end())) {
    return in.Error("traces", "traces are not in sorted order");
  }
  table_ = table;
  learned_ = learned != 0;
  prepared_ = false;
  traces_ = std::move(traces);
  features_.Clear();
  postings_.clear();
  return OkStatus();
}

}  // namespace vigil::ml
