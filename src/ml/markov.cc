#include "ml/markov.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <utility>

#include "ml/codec.h"
#include "ml/model_checks.h"
#include "ml/models.h"

namespace vigil::ml {
namespace {

constexpr double kAlphabet = static_cast<double>(kMaxSyscall) + 1;  // P_{-1} = 1 / 1024
// The surprise a model without any data, or of another syscall table, gives every call.
constexpr float kUniformBits = 10.0f;

uint64_t Power(uint64_t base, int exp) {
  uint64_t out = 1;
  for (int i = 0; i < exp; ++i) out *= base;
  return out;
}

std::string_view AggregateName(MarkovModel::Aggregate agg) {
  switch (agg) {
    case MarkovModel::Aggregate::kMean:
      return "mean";
    case MarkovModel::Aggregate::kMax:
      return "max";
    case MarkovModel::Aggregate::kWindow:
      break;
  }
  return "window";
}

std::string Bits(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f", v);
  return buf;
}

}  // namespace

StatusOr<std::unique_ptr<MarkovModel>> MarkovModel::Create(const ModelOptions& options) {
  VIGIL_ASSIGN_OR_RETURN(int64_t order, options.Int("order", 6, 0, kMaxOrder));
  VIGIL_ASSIGN_OR_RETURN(int64_t window, options.Int("window", 32, 1, 1 << 20));
  VIGIL_ASSIGN_OR_RETURN(std::string agg_name, options.String("agg", "mean"));
  VIGIL_ASSIGN_OR_RETURN(int64_t cap,
                         options.Int("max_ngrams", int64_t{1} << 24, 1, int64_t{1} << 32));
  Aggregate agg;
  if (agg_name == "window") {
    agg = Aggregate::kWindow;
  } else if (agg_name == "mean") {
    agg = Aggregate::kMean;
  } else if (agg_name == "max") {
    agg = Aggregate::kMax;
  } else {
    return InvalidArgumentError("model option agg='" + agg_name +
                                "' is not one of window, mean, max");
  }
  VIGIL_RETURN_IF_ERROR(options.CheckAllUsed("markov"));
  return std::unique_ptr<MarkovModel>(new MarkovModel(
      static_cast<int>(order), static_cast<int>(window), agg, static_cast<uint64_t>(cap)));
}

StatusOr<std::unique_ptr<Model>> NewMarkovModel(const ModelOptions& options) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<MarkovModel> m, MarkovModel::Create(options));
  return std::unique_ptr<Model>(std::move(m));
}

ModelOptions MarkovModel::options() const {
  return ModelOptions({{"order", std::to_string(order_)},
                       {"window", std::to_string(window_)},
                       {"agg", std::string(AggregateName(agg_))},
                       {"max_ngrams", std::to_string(max_ngrams_)}});
}

size_t MarkovModel::ngrams() const {
  size_t n = 0;
  for (const auto& t : ngrams_) n += t.size();
  for (const auto& t : score_) n += t.size();
  return n;
}

size_t MarkovModel::MemoryBytes() const {
  size_t bytes = frozen_body_.capacity();
  for (const auto& t : ngrams_) bytes += t.MemoryBytes();
  for (const auto& t : score_) bytes += t.MemoryBytes();
  return bytes;
}

size_t MarkovModel::ScoreTable::Index(uint64_t key, size_t home) {
  // murmur3's finaliser spreads base-1025 keys; the product maps it onto [0, home).
  key ^= key >> 33;
  key *= 0xff51afd7ed558ccdULL;
  key ^= key >> 33;
  key *= 0xc4ceb9fe1a85ec53ULL;
  key ^= key >> 33;
  return static_cast<size_t>((static_cast<unsigned __int128>(key) * home) >> 64);
}

void MarkovModel::ScoreTable::Build(const std::vector<uint64_t>& keys) {
  size_ = keys.size();
  home_ = keys.size() + keys.size() * 2 / 3 + 1;  // load <= 0.6
  slots_.assign(home_ + 1, ScoreSlot{});
  for (uint64_t key : keys) {
    size_t i = Index(key, home_);
    while (slots_[i].key != 0) ++i;
    slots_[i].key = key;
    if (i + 1 == slots_.size()) slots_.emplace_back();  // keep an empty slot last
  }
  slots_.shrink_to_fit();
}

void MarkovModel::Thaw() {
  if (!prepared_) return;
  std::vector<FlatTable<Entry>> tables;
  SyscallTable table;
  bool learned = false;
  uint64_t dropped = 0;
  // The model's own encoding of counts it holds: decoding cannot fail.
  Status st = DecodeBody(frozen_body_, &tables, &table, &learned, &dropped);
  if (st.ok()) ngrams_ = std::move(tables);
  score_.clear();
  frozen_body_.clear();
  frozen_body_.shrink_to_fit();
  prepared_ = false;
}

void MarkovModel::LearnThread(const uint16_t* calls, size_t count) {
  uint64_t keys[kMaxOrder + 1] = {};
  size_t total = ngrams();
  for (size_t i = 0; i < count; ++i) {
    const uint16_t c = calls[i];
    const size_t m = std::min<size_t>(static_cast<size_t>(order_), i);
    // keys[k] becomes the key of the k+1 calls ending at i; descending so keys[k-1] is still
    // the previous position's.
    for (size_t k = m; k >= 1; --k) keys[k] = NgramExtend(keys[k - 1], c);
    keys[0] = NgramDigit(c);
    for (size_t k = 0; k <= m; ++k) {
      const uint64_t key = NgramNonZero(keys[k]);
      Entry* e = ngrams_[k].Find(key);
      if (e == nullptr) {
        if (total >= max_ngrams_) {
          ++dropped_;
          break;  // higher orders are new too (their suffix is this one)
        }
        bool inserted = false;
        e = &ngrams_[k].Insert(key, &inserted);
        e->first = calls[i - k];
        e->last = c;
        ++total;
      }
      ++e->count;
    }
  }
}

Status MarkovModel::Learn(const Trace& trace) {
  VIGIL_RETURN_IF_ERROR(CheckLearnTable("markov", learned_, table_, trace));
  Thaw();
  table_ = trace.table;
  learned_ = true;
  ngrams_.resize(order_ + 1);
  if (SingleThread(trace)) {
    LearnThread(trace.calls.data(), trace.calls.size());
  } else {
    ThreadSplit split = SplitThreads(trace);
    std::vector<uint16_t> calls;
    for (const auto& idx : split.index) {
      calls.clear();
      for (size_t p : idx) calls.push_back(trace.calls[p]);
      LearnThread(calls.data(), calls.size());
    }
  }
  return OkStatus();
}

Status MarkovModel::Merge(const Model& other_model) {
  VIGIL_ASSIGN_OR_RETURN(const MarkovModel* other, MergeSource<MarkovModel>("markov", other_model));
  if (other->order_ != order_ || other->window_ != window_ || other->agg_ != agg_ ||
      other->max_ngrams_ != max_ngrams_) {
    return InvalidArgumentError("markov: cannot merge a model with other options");
  }
  if (!other->learned_) return OkStatus();
  VIGIL_RETURN_IF_ERROR(CheckMergeTable("markov", learned_, table_, other->table_));
  // A frozen source keeps its counts encoded: decode them (its own encoding, so it is valid).
  std::vector<FlatTable<Entry>> decoded;
  if (other->prepared_) {
    SyscallTable table;
    bool learned = false;
    uint64_t dropped = 0;
    VIGIL_RETURN_IF_ERROR(DecodeBody(other->frozen_body_, &decoded, &table, &learned, &dropped));
  }
  const std::vector<FlatTable<Entry>>& source = other->prepared_ ? decoded : other->ngrams_;
  Thaw();
  table_ = other->table_;
  learned_ = true;
  ngrams_.resize(order_ + 1);
  size_t total = ngrams();
  dropped_ += other->dropped_;
  // Lower orders first, so a capped merge keeps every learned n-gram's suffix and context.
  for (size_t k = 0; k <= static_cast<size_t>(order_) && k < source.size(); ++k) {
    for (const auto& slot : source[k].slots()) {
      if (slot.key == 0) continue;
      Entry* e = ngrams_[k].Find(slot.key);
      if (e == nullptr) {
        if (total >= max_ngrams_) {
          dropped_ += slot.value.count;
          continue;
        }
        bool inserted = false;
        e = &ngrams_[k].Insert(slot.key, &inserted);
        e->first = slot.value.first;
        e->last = slot.value.last;
        ++total;
      }
      e->count += slot.value.count;
    }
  }
  return OkStatus();
}

Status MarkovModel::Prepare() {
  if (!learned_) return FailedPreconditionError("markov: nothing learned");
  if (prepared_) return OkStatus();
  ngrams_.resize(order_ + 1);
  std::vector<ScoreTable> score(order_ + 1);
  std::vector<uint64_t> keys;
  for (int k = 0; k <= order_; ++k) {
    keys.clear();
    for (const auto& slot : ngrams_[k].slots()) {
      if (slot.key != 0) keys.push_back(slot.key);
    }
    score[k].Build(keys);
  }
  // Context statistics C(h) and T(h), per slot of the table of h's own length (order k - 1),
  // while preparing; the root (the empty context) apart.
  uint64_t root_total = 0, root_types = 0;
  std::vector<std::vector<uint64_t>> totals(order_ + 1), types(order_ + 1);
  for (int k = 0; k < order_; ++k) {
    totals[k].assign(score[k].slots().size(), 0);
    types[k].assign(score[k].slots().size(), 0);
  }
  // The slot index, in score[k - 1], of the context of an n-gram of order k.
  auto context_of = [&](int k, uint64_t key, uint16_t last) -> StatusOr<size_t> {
    const ScoreSlot* c = score[k - 1].Find(NgramNonZero(ContextKey(key, last)));
    if (c == nullptr) {
      return DataLossError("markov body: an n-gram of " + std::to_string(k + 1) +
                           " calls without its context (the n-grams are not prefix-closed)");
    }
    return static_cast<size_t>(c - score[k - 1].slots().data());
  };
  for (int k = 0; k <= order_; ++k) {
    for (const auto& slot : ngrams_[k].slots()) {
      if (slot.key == 0) continue;
      uint64_t* total = &root_total;
      uint64_t* type = &root_types;
      if (k > 0) {
        VIGIL_ASSIGN_OR_RETURN(size_t at, context_of(k, slot.key, slot.value.last));
        total = &totals[k - 1][at];
        type = &types[k - 1][at];
      }
      // Saturating: a hostile body's counts must not wrap a total below its parts (a
      // probability above 1, or a division by zero).
      *total = *total > UINT64_MAX - slot.value.count ? UINT64_MAX : *total + slot.value.count;
      *type += 1;
    }
  }
  auto gamma = [](uint64_t total, uint64_t type) {
    return static_cast<float>(
        std::log2(static_cast<double>(type) / static_cast<double>(total + type)));
  };
  const float root_gamma = root_types > 0 ? gamma(root_total, root_types) : 0.0f;
  for (int k = 0; k < order_; ++k) {
    auto& slots = score[k].slots();
    for (size_t i = 0; i < slots.size(); ++i) {
      // An n-gram nothing extends is no context: its escape factor is 1 (log 0).
      if (slots[i].key != 0 && types[k][i] > 0)
        slots[i].log_gamma = gamma(totals[k][i], types[k][i]);
    }
  }
  // Interpolated probabilities, shortest n-grams first (each uses its suffix's).
  for (int k = 0; k <= order_; ++k) {
    const uint64_t top = Power(kNgramBase, k);
    for (const auto& slot : ngrams_[k].slots()) {
      if (slot.key == 0) continue;
      const Entry& e = slot.value;
      double lower = 1.0 / kAlphabet;
      uint64_t ctx_total = root_total, ctx_types = root_types;
      if (k > 0) {
        const ScoreSlot* suffix =
            score[k - 1].Find(NgramNonZero(slot.key - NgramDigit(e.first) * top));
        if (suffix == nullptr) {
          return DataLossError("markov body: an n-gram of " + std::to_string(k + 1) +
                               " calls without its suffix (the n-grams are not suffix-closed)");
        }
        lower = std::exp2(static_cast<double>(suffix->logp));
        VIGIL_ASSIGN_OR_RETURN(size_t at, context_of(k, slot.key, e.last));
        ctx_total = totals[k - 1][at];
        ctx_types = types[k - 1][at];
      }
      const double c = static_cast<double>(e.count);
      const double total = static_cast<double>(ctx_total);
      const double type = static_cast<double>(ctx_types);
      score[k].Find(slot.key)->logp =
          static_cast<float>(std::log2((c + type * lower) / (total + type)));
    }
  }
  frozen_body_ = EncodeTables();
  frozen_body_.shrink_to_fit();
  score_ = std::move(score);
  root_log_gamma_ = root_gamma;
  ngrams_.clear();
  ngrams_.shrink_to_fit();
  prepared_ = true;
  return OkStatus();
}

void MarkovModel::ThreadSurprises(const uint16_t* calls, size_t count, float* out) const {
  uint64_t keys[kMaxOrder + 1] = {};
  uint64_t ctx_keys[kMaxOrder + 1] = {};
  const float root_gamma = root_log_gamma_;
  const float uniform = static_cast<float>(-std::log2(kAlphabet));
  // Calls in the longest learned n-gram ending at the previous call. Learned n-grams are
  // prefix-closed (the first k calls of a learned (k+1)-gram were learned one call earlier,
  // also under the cap), so no n-gram longer than match + 1 can end here, and no context
  // longer than match was ever seen (its escape factor is 1): the search starts there, which
  // makes a call in familiar territory cost one probe.
  size_t match = 0;
  for (size_t i = 0; i < count; ++i) {
    const uint16_t c = calls[i];
    const size_t m = std::min<size_t>(static_cast<size_t>(order_), i);
    for (size_t k = m; k >= 1; --k) {
      ctx_keys[k] = keys[k - 1];
      keys[k] = NgramExtend(keys[k - 1], c);
    }
    keys[0] = NgramDigit(c);
    float logp = 0;
    const size_t start = std::min(m, match);
    match = 0;
    for (size_t k = start + 1; k-- > 0;) {
      const ScoreSlot* e = score_[k].Find(NgramNonZero(keys[k]));
      if (e != nullptr) {
        logp += e->logp;
        match = k + 1;
        break;
      }
      if (k > 0) {
        // The context of k calls is the k-gram learned before this call (its log_gamma is 0
        // when nothing extends it: escape factor 1).
        const ScoreSlot* ctx = score_[k - 1].Find(NgramNonZero(ctx_keys[k]));
        if (ctx != nullptr) logp += ctx->log_gamma;
      }
    }
    if (match == 0) logp += root_gamma + uniform;
    out[i] = -logp;
  }
}

void MarkovModel::Surprises(const Trace& trace, std::vector<float>* out) const {
  out->assign(trace.calls.size(), kUniformBits);
  if (!prepared_ || (learned_ && trace.table != table_)) return;
  if (SingleThread(trace)) {
    ThreadSurprises(trace.calls.data(), trace.calls.size(), out->data());
    return;
  }
  ThreadSplit split = SplitThreads(trace);
  std::vector<uint16_t> calls;
  std::vector<float> s;
  for (const auto& idx : split.index) {
    calls.clear();
    for (size_t p : idx) calls.push_back(trace.calls[p]);
    s.resize(calls.size());
    ThreadSurprises(calls.data(), calls.size(), s.data());
    for (size_t j = 0; j < idx.size(); ++j) (*out)[idx[j]] = s[j];
  }
}

void MarkovModel::WindowScores(const float* surprise, size_t count, float* out) const {
  std::fill(out, out + count, 0.0f);
  if (count == 0) return;
  const size_t w = static_cast<size_t>(window_);
  double sum = 0;
  for (size_t i = 0; i < count; ++i) {
    sum += surprise[i];
    if (i >= w) sum -= surprise[i - w];
    if (i + 1 >= w) out[i] = static_cast<float>(sum / static_cast<double>(w));
  }
  if (count < w) out[count - 1] = static_cast<float>(sum / static_cast<double>(count));
}

void MarkovModel::TraceWindows(const Trace& trace, const std::vector<float>& s,
                               std::vector<float>* out) const {
  out->assign(s.size(), 0.0f);
  if (SingleThread(trace)) {
    WindowScores(s.data(), s.size(), out->data());
    return;
  }
  ThreadSplit split = SplitThreads(trace);
  std::vector<float> ts, tw;
  for (const auto& idx : split.index) {
    ts.clear();
    for (size_t p : idx) ts.push_back(s[p]);
    tw.resize(ts.size());
    WindowScores(ts.data(), ts.size(), tw.data());
    for (size_t j = 0; j < idx.size(); ++j) (*out)[idx[j]] = tw[j];
  }
}

void MarkovModel::ScoreEvents(const Trace& trace, std::vector<float>* out) const {
  std::vector<float> s;
  Surprises(trace, &s);
  TraceWindows(trace, s, out);
}

Score MarkovModel::ScoreTrace(const Trace& trace, const ScoreOptions& options) const {
  Score score;
  if (trace.calls.empty()) return score;
  if (learned_ && trace.table != table_) {
    score.value = kUniformBits;
    score.reasons.push_back(TableMismatch(trace.table, table_, kUniformBits));
    return score;
  }
  std::vector<float> s;
  Surprises(trace, &s);
  // The span the score comes from: the best window, or the whole trace.
  size_t begin = 0, end = s.size();
  std::vector<size_t> idx;  // positions of the span's thread (all calls when single-threaded)
  if (agg_ == Aggregate::kMean) {
    score.value = std::accumulate(s.begin(), s.end(), 0.0) / static_cast<double>(s.size());
  } else if (agg_ == Aggregate::kMax) {
    size_t at = static_cast<size_t>(std::max_element(s.begin(), s.end()) - s.begin());
    score.value = s[at];
    begin = at;
    end = at + 1;
  } else {
    std::vector<float> w;
    TraceWindows(trace, s, &w);
    size_t at = static_cast<size_t>(std::max_element(w.begin(), w.end()) - w.begin());
    score.value = w[at];
    if (SingleThread(trace)) {
      end = at + 1;
      begin = end >= static_cast<size_t>(window_) ? end - window_ : 0;
    } else {
      ThreadSplit split = SplitThreads(trace);
      for (auto& t : split.index) {
        auto pos = std::find(t.begin(), t.end(), at);
        if (pos == t.end()) continue;
        size_t j = static_cast<size_t>(pos - t.begin());
        size_t j0 = j + 1 >= static_cast<size_t>(window_) ? j + 1 - window_ : 0;
        idx.assign(t.begin() + j0, t.begin() + j + 1);
        break;
      }
    }
  }
  if (options.max_reasons == 0) return score;
  if (idx.empty()) {
    for (size_t i = begin; i < end; ++i) idx.push_back(i);
  }
  // Reasons: the most surprising calls of the span, each with the context it followed.
  std::vector<size_t> order(idx);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return s[a] > s[b]; });
  if (order.size() > options.max_reasons) order.resize(options.max_reasons);
  ThreadSplit split;
  if (!SingleThread(trace)) split = SplitThreads(trace);
  for (size_t i : order) {
    std::string context;
    uint32_t tid = 0;
    if (SingleThread(trace)) {
      size_t first = i >= static_cast<size_t>(order_) ? i - order_ : 0;
      context = CallWindow(trace.table, trace.calls, first, i);
    } else {
      for (size_t t = 0; t < split.index.size(); ++t) {
        auto pos = std::find(split.index[t].begin(), split.index[t].end(), i);
        if (pos == split.index[t].end()) continue;
        tid = split.tid[t];
        size_t j = static_cast<size_t>(pos - split.index[t].begin());
        for (size_t q = j >= static_cast<size_t>(order_) ? j - order_ : 0; q < j; ++q) {
          if (!context.empty()) context += ',';
          context += CallName(trace.table, trace.calls[split.index[t][q]]);
        }
        break;
      }
    }
    std::string detail = "improbable " + CallName(trace.table, trace.calls[i]) +
                         (context.empty() ? std::string(" at the start") : " after " + context) +
                         " (" + Bits(s[i]) + " bits) at call " + std::to_string(i) + " (tid " +
                         std::to_string(tid) + ")";
    score.reasons.push_back({"sequence", std::move(detail), s[i], i});
  }
  return score;
}

std::string MarkovModel::SaveBody() const { return prepared_ ? frozen_body_ : EncodeTables(); }

std::string MarkovModel::EncodeTables() const {
  ByteWriter out;
  WriteBodyHeader(out, kBodyVersion, table_);
  out.U8(learned_ ? 1 : 0);
  out.Varint(static_cast<uint64_t>(order_));
  out.Varint(dropped_);
  for (int k = 0; k <= order_; ++k) {
    if (static_cast<size_t>(k) >= ngrams_.size()) {
      out.Varint(0);
      continue;
    }
    std::vector<uint64_t> keys = ngrams_[k].SortedKeys();
    out.Varint(keys.size());
    uint64_t prev = 0;
    for (uint64_t key : keys) {
      const Entry* e = ngrams_[k].Find(key);
      out.Varint(key - prev);
      out.Varint(e->count);
      out.Varint(e->first);
      out.Varint(e->last);
      prev = key;
    }
  }
  return out.Take();
}

Status MarkovModel::DecodeBody(std::string_view body, std::vector<FlatTable<Entry>>* tables_out,
                               SyscallTable* table_out, bool* learned_out,
                               uint64_t* dropped_out) const {
  ByteReader in(body, "markov body");
  VIGIL_ASSIGN_OR_RETURN(SyscallTable table, ReadBodyHeader(in, kBodyVersion));
  VIGIL_ASSIGN_OR_RETURN(uint64_t learned, in.Bounded("learned flag", 0, 1));
  VIGIL_ASSIGN_OR_RETURN(uint64_t order, in.Bounded("order", 0, kMaxOrder));
  if (static_cast<int>(order) != order_) {
    return in.Error("order", "body has order=" + std::to_string(order) +
                                 ", the options say order=" + std::to_string(order_));
  }
  VIGIL_ASSIGN_OR_RETURN(uint64_t dropped, in.Varint("dropped count"));
  std::vector<FlatTable<Entry>> tables(order_ + 1);
  for (int k = 0; k <= order_; ++k) {
    // Each entry takes at least four bytes: larger counts are corrupt and must not size an
    // allocation.
    VIGIL_ASSIGN_OR_RETURN(uint64_t count, in.Bounded("n-gram count of order " + std::to_string(k),
                                                      0, in.remaining() / 4));
    tables[k].Reserve(count);
    uint64_t key = 0;
    for (uint64_t i = 0; i < count; ++i) {
      VIGIL_ASSIGN_OR_RETURN(uint64_t delta, in.Varint("n-gram key"));
      if (delta == 0 || key + delta < key) {
        return in.Error("n-gram key", "keys are not strictly increasing");
      }
      key += delta;
      Entry e;
      VIGIL_ASSIGN_OR_RETURN(e.count, in.Bounded("n-gram count", 1, UINT64_MAX / 4));
      VIGIL_ASSIGN_OR_RETURN(uint64_t first, in.Bounded("first call", 0, kMaxSyscall));
      VIGIL_ASSIGN_OR_RETURN(uint64_t last, in.Bounded("last call", 0, kMaxSyscall));
      e.first = static_cast<uint16_t>(first);
      e.last = static_cast<uint16_t>(last);
      bool inserted = false;
      tables[k].Insert(key, &inserted) = e;
    }
  }
  VIGIL_RETURN_IF_ERROR(in.ExpectEnd());
  *tables_out = std::move(tables);
  *table_out = table;
  *learned_out = learned != 0;
  *dropped_out = dropped;
  return OkStatus();
}

Status MarkovModel::LoadBody(std::string_view body) {
  std::vector<FlatTable<Entry>> tables;
  SyscallTable table;
  bool learned = false;
  uint64_t dropped = 0;
  VIGIL_RETURN_IF_ERROR(DecodeBody(body, &tables, &table, &learned, &dropped));
  table_ = table;
  learned_ = learned;
  prepared_ = false;
  dropped_ = dropped;
  ngrams_ = std::move(tables);
  score_.clear();
  frozen_body_.clear();
  return OkStatus();
}

}  // namespace vigil::ml
