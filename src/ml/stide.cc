#include "ml/stide.h"

#include <algorithm>
#include <utility>

#include "ml/codec.h"
#include "ml/model_checks.h"
#include "ml/models.h"

namespace vigil::ml {
namespace {

uint64_t Power(uint64_t base, int exp) {
  uint64_t out = 1;
  for (int i = 0; i < exp; ++i) out *= base;
  return out;
}

// The calls of each thread as contiguous arrays, with their positions in the trace.
struct ThreadCalls {
  uint32_t tid = 0;
  std::vector<uint16_t> calls;
  std::vector<size_t> pos;
};

std::vector<ThreadCalls> GatherThreads(const Trace& trace) {
  ThreadSplit split = SplitThreads(trace);
  std::vector<ThreadCalls> out(split.tid.size());
  for (size_t t = 0; t < split.tid.size(); ++t) {
    out[t].tid = split.tid[t];
    out[t].pos = std::move(split.index[t]);
    out[t].calls.reserve(out[t].pos.size());
    for (size_t p : out[t].pos) out[t].calls.push_back(trace.calls[p]);
  }
  return out;
}

}  // namespace

StatusOr<std::unique_ptr<StideModel>> StideModel::Create(const ModelOptions& options) {
  VIGIL_ASSIGN_OR_RETURN(int64_t n, options.Int("n", 6, 1, 32));
  VIGIL_ASSIGN_OR_RETURN(int64_t frame, options.Int("frame", 0, 0, 1 << 20));
  VIGIL_RETURN_IF_ERROR(options.CheckAllUsed("stide"));
  return std::unique_ptr<StideModel>(new StideModel(static_cast<int>(n), static_cast<int>(frame)));
}

StatusOr<std::unique_ptr<Model>> NewStideModel(const ModelOptions& options) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<StideModel> m, StideModel::Create(options));
  return std::unique_ptr<Model>(std::move(m));
}

ModelOptions StideModel::options() const {
  return ModelOptions({{"n", std::to_string(n_)}, {"frame", std::to_string(frame_)}});
}

template <typename Fn>
void StideModel::ForEachWindow(const uint16_t* calls, size_t count, Fn&& fn) const {
  const uint64_t top = Power(kNgramBase, n_);
  const size_t n = static_cast<size_t>(n_);
  uint64_t key = 0;
  for (size_t i = 0; i < count; ++i) {
    key = NgramExtend(key, calls[i]);
    if (i >= n) key -= NgramDigit(calls[i - n]) * top;
    fn(i, NgramNonZero(key));
  }
}

Status StideModel::Learn(const Trace& trace) {
  VIGIL_RETURN_IF_ERROR(CheckLearnTable("stide", learned_, table_, trace));
  table_ = trace.table;
  learned_ = true;
  auto add = [this](size_t, uint64_t key) {
    bool inserted = false;
    set_.Insert(key, &inserted);
  };
  if (SingleThread(trace)) {
    ForEachWindow(trace.calls.data(), trace.calls.size(), add);
  } else {
    for (const ThreadCalls& t : GatherThreads(trace)) {
      ForEachWindow(t.calls.data(), t.calls.size(), add);
    }
  }
  return OkStatus();
}

Status StideModel::Merge(const Model& other_model) {
  VIGIL_ASSIGN_OR_RETURN(const StideModel* other, MergeSource<StideModel>("stide", other_model));
  if (other->n_ != n_ || other->frame_ != frame_) {
    return InvalidArgumentError(
        "stide: cannot merge a model with other options (n=" + std::to_string(other->n_) +
        " frame=" + std::to_string(other->frame_) + ", this n=" + std::to_string(n_) +
        " frame=" + std::to_string(frame_) + ")");
  }
  if (!other->learned_) return OkStatus();
  VIGIL_RETURN_IF_ERROR(CheckMergeTable("stide", learned_, table_, other->table_));
  table_ = other->table_;
  learned_ = true;
  set_.Reserve(set_.size() + other->set_.size());
  for (const auto& slot : other->set_.slots()) {
    if (slot.key == 0) continue;
    bool inserted = false;
    set_.Insert(slot.key, &inserted);
  }
  return OkStatus();
}

Status StideModel::Prepare() {
  if (!learned_) return FailedPreconditionError("stide: nothing learned");
  return OkStatus();
}

bool StideModel::Contains(const uint16_t* begin, const uint16_t* end) const {
  return set_.Find(NgramNonZero(NgramKey(begin, end))) != nullptr;
}

void StideModel::Mismatches(const Trace& trace, std::vector<uint8_t>* miss) const {
  miss->assign(trace.calls.size(), 0);
  if (SingleThread(trace)) {
    uint8_t* out = miss->data();
    ForEachWindow(trace.calls.data(), trace.calls.size(),
                  [&](size_t i, uint64_t key) { out[i] = set_.Find(key) == nullptr; });
    return;
  }
  for (const ThreadCalls& t : GatherThreads(trace)) {
    ForEachWindow(t.calls.data(), t.calls.size(),
                  [&](size_t i, uint64_t key) { (*miss)[t.pos[i]] = set_.Find(key) == nullptr; });
  }
}

void StideModel::ScoreEvents(const Trace& trace, std::vector<float>* out) const {
  std::vector<uint8_t> miss;
  Mismatches(trace, &miss);
  out->assign(trace.calls.size(), 0.0f);
  if (frame_ == 0 || (learned_ && trace.table != table_)) {
    for (size_t i = 0; i < miss.size(); ++i) (*out)[i] = miss[i];
    if (learned_ && trace.table != table_) out->assign(trace.calls.size(), 1.0f);
    return;
  }
  // Locality frame count per thread: unseen windows among the thread's last `frame` windows.
  ThreadSplit split = SplitThreads(trace);
  for (const std::vector<size_t>& idx : split.index) {
    int count = 0;
    for (size_t j = 0; j < idx.size(); ++j) {
      count += miss[idx[j]];
      if (j >= static_cast<size_t>(frame_)) count -= miss[idx[j - frame_]];
      (*out)[idx[j]] = static_cast<float>(count) / static_cast<float>(frame_);
    }
  }
}

Score StideModel::ScoreTrace(const Trace& trace, const ScoreOptions& options) const {
  Score score;
  if (learned_ && trace.table != table_) {
    score.value = 1;
    score.reasons.push_back(TableMismatch(trace.table, table_, 1));
    return score;
  }
  if (trace.calls.empty()) return score;
  std::vector<uint8_t> miss;
  Mismatches(trace, &miss);
  size_t unseen = 0;
  for (uint8_t m : miss) unseen += m;
  size_t focus = 0;  // where the explanation starts looking: the densest frame in LFC mode
  if (frame_ == 0) {
    score.value = static_cast<double>(unseen) / static_cast<double>(trace.calls.size());
  } else {
    std::vector<float> lfc;
    ScoreEvents(trace, &lfc);
    auto best = std::max_element(lfc.begin(), lfc.end());
    score.value = *best;
    size_t end = static_cast<size_t>(best - lfc.begin());
    focus = end >= static_cast<size_t>(frame_) ? end - frame_ + 1 : 0;
  }
  if (unseen == 0 || options.max_reasons == 0) return score;
  // Reasons: unseen windows from the focus on (wrapping), each with its calls, in its thread.
  std::vector<size_t> thread_of;
  std::vector<size_t> rank_in_thread;
  ThreadSplit split;
  if (!SingleThread(trace)) {
    split = SplitThreads(trace);
    thread_of.assign(trace.calls.size(), 0);
    rank_in_thread.assign(trace.calls.size(), 0);
    for (size_t t = 0; t < split.index.size(); ++t) {
      for (size_t j = 0; j < split.index[t].size(); ++j) {
        thread_of[split.index[t][j]] = t;
        rank_in_thread[split.index[t][j]] = j;
      }
    }
  }
  const double weight = 1.0 / static_cast<double>(frame_ == 0 ? trace.calls.size() : frame_);
  for (size_t k = 0; k < miss.size() && score.reasons.size() < options.max_reasons; ++k) {
    size_t i = (focus + k) % miss.size();
    if (!miss[i]) continue;
    std::string calls;
    size_t first = i;
    uint32_t tid = 0;
    if (thread_of.empty()) {
      first = i + 1 >= static_cast<size_t>(n_) ? i + 1 - n_ : 0;
      calls = CallWindow(trace.table, trace.calls, first, i + 1);
    } else {
      const std::vector<size_t>& idx = split.index[thread_of[i]];
      size_t j = rank_in_thread[i];
      size_t j0 = j + 1 >= static_cast<size_t>(n_) ? j + 1 - n_ : 0;
      first = idx[j0];
      tid = split.tid[thread_of[i]];
      for (size_t q = j0; q <= j; ++q) {
        if (!calls.empty()) calls += ',';
        calls += CallName(trace.table, trace.calls[idx[q]]);
      }
    }
    size_t len = static_cast<size_t>(std::count(calls.begin(), calls.end(), ',')) + 1;
    score.reasons.push_back({"sequence",
                             "unseen " + std::to_string(len) + "-gram " + calls + " at call " +
                                 std::to_string(first) + " (tid " + std::to_string(tid) + ")",
                             weight, first});
  }
  return score;
}

std::string StideModel::SaveBody() const {
  ByteWriter out;
  WriteBodyHeader(out, kBodyVersion, table_);
  out.U8(learned_ ? 1 : 0);
  out.Varint(static_cast<uint64_t>(n_));
  std::vector<uint64_t> keys = set_.SortedKeys();
  out.Varint(keys.size());
  uint64_t prev = 0;
  for (uint64_t k : keys) {
    out.Varint(k - prev);
    prev = k;
  }
  return out.Take();
}

Status StideModel::LoadBody(std::string_view body) {
  ByteReader in(body, "stide body");
  VIGIL_ASSIGN_OR_RETURN(SyscallTable table, ReadBodyHeader(in, kBodyVersion));
  VIGIL_ASSIGN_OR_RETURN(uint64_t learned, in.Bounded("learned flag", 0, 1));
  VIGIL_ASSIGN_OR_RETURN(uint64_t n, in.Bounded("n", 1, 32));
  if (static_cast<int>(n) != n_) {
    return in.Error(
        "n", "body has n=" + std::to_string(n) + ", the options say n=" + std::to_string(n_));
  }
  // Each key takes at least one byte: a count beyond the remaining bytes is corrupt (and must
  // not size an allocation).
  VIGIL_ASSIGN_OR_RETURN(uint64_t count, in.Bounded("window count", 0, in.remaining()));
  FlatTable<uint8_t> set;
  set.Reserve(count);
  uint64_t key = 0;
  for (uint64_t i = 0; i < count; ++i) {
    VIGIL_ASSIGN_OR_RETURN(uint64_t delta, in.Varint("window key"));
    if (delta == 0 || key + delta < key) {
      return in.Error("window key", "keys are not strictly increasing");
    }
    key += delta;
    bool inserted = false;
    set.Insert(key, &inserted);
  }
  VIGIL_RETURN_IF_ERROR(in.ExpectEnd());
  if (learned == 0 && count != 0) return in.Error("learned flag", "windows in an empty model");
  table_ = table;
  learned_ = learned != 0;
  set_ = std::move(set);
  return OkStatus();
}

}  // namespace vigil::ml
