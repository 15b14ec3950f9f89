#include "ml/cover.h"

#include <algorithm>
#include <utility>

#include "base/logging.h"
#include "ml/codec.h"
#include "ml/model_checks.h"
#include "ml/models.h"
#include "ml/ngram.h"

namespace vigil::ml {
namespace {

// The threads of a trace as index lists into its calls (one list when single-threaded).
void Threads(const Trace& trace, std::vector<std::vector<size_t>>* threads,
             std::vector<uint32_t>* tids) {
  threads->clear();
  tids->clear();
  if (SingleThread(trace)) {
    threads->emplace_back(trace.calls.size());
    for (size_t i = 0; i < trace.calls.size(); ++i) (*threads)[0][i] = i;
    tids->push_back(0);
    return;
  }
  ThreadSplit split = SplitThreads(trace);
  *threads = std::move(split.index);
  *tids = std::move(split.tid);
}

// Per-call values of the per-event score: 1 / (1 + L) — 1 for a call never seen, falling as the
// longest training stretch ending at the call grows — except 0 while the thread's whole stream
// so far is a training stretch (L = calls so far): near a thread's start L is small only
// because the stream is short, which is no evidence of novelty.
void EventValues(const std::vector<uint32_t>& match,
                 const std::vector<std::vector<size_t>>& threads, std::vector<float>* out) {
  out->assign(match.size(), 0.0f);
  for (const std::vector<size_t>& idx : threads) {
    for (size_t j = 0; j < idx.size(); ++j) {
      const uint32_t m = match[idx[j]];
      (*out)[idx[j]] = m == j + 1 ? 0.0f : 1.0f / (1.0f + static_cast<float>(m));
    }
  }
}

// One covering segment: [begin, begin + length) in a thread's own call order.
struct Segment {
  size_t thread = 0;
  size_t begin = 0;
  size_t length = 0;
};

// Minimum covering of one thread from its matching statistics: walking back from the end, each
// segment is the longest training substring ending there (at least one call).
void Cover(const std::vector<uint32_t>& match, size_t thread, std::vector<Segment>* out) {
  size_t end = match.size();
  while (end > 0) {
    size_t len = std::max<size_t>(1, std::min<size_t>(match[end - 1], end));
    out->push_back({thread, end - len, len});
    end -= len;
  }
}

}  // namespace

// ---- CallAutomaton ----

void CallAutomaton::Clear() { *this = CallAutomaton(); }

uint32_t CallAutomaton::NewState(uint32_t len) {
  len_.push_back(len);
  link_.push_back(kNone);
  edges_.emplace_back();
  return static_cast<uint32_t>(len_.size() - 1);
}

uint32_t CallAutomaton::Next(uint32_t state, uint16_t c) const {
  for (const auto& [sym, to] : edges_[state]) {
    if (sym == c) return to;
  }
  return kNone;
}

void CallAutomaton::SetNext(uint32_t state, uint16_t c, uint32_t to) {
  for (auto& [sym, target] : edges_[state]) {
    if (sym == c) {
      target = to;
      return;
    }
  }
  edges_[state].emplace_back(c, to);
}

void CallAutomaton::Add(const std::vector<uint16_t>& calls) {
  if (len_.empty()) NewState(0);
  uint32_t last = 0;
  for (uint16_t c : calls) {
    // Splits q so that a state of length len(p) + 1 reaches it by c; returns the clone.
    auto split = [this, c](uint32_t p, uint32_t q) {
      uint32_t clone = NewState(len_[p] + 1);
      link_[clone] = link_[q];
      edges_[clone] = edges_[q];
      while (p != kNone && Next(p, c) == q) {
        SetNext(p, c, clone);
        p = link_[p];
      }
      link_[q] = clone;
      return clone;
    };
    uint32_t existing = Next(last, c);
    if (existing != kNone) {
      // The extended string already occurs (generalised automaton: a new sequence revisits
      // known text): reuse its state, splitting when it also stands for longer strings.
      last = len_[existing] == len_[last] + 1 ? existing : split(last, existing);
      continue;
    }
    uint32_t cur = NewState(len_[last] + 1);
    uint32_t p = last;
    while (p != kNone && Next(p, c) == kNone) {
      SetNext(p, c, cur);
      p = link_[p];
    }
    if (p == kNone) {
      link_[cur] = 0;
    } else {
      uint32_t q = Next(p, c);
      link_[cur] = len_[p] + 1 == len_[q] ? q : split(p, q);
    }
    last = cur;
  }
}

void CallAutomaton::Freeze() {
  if (len_.empty()) NewState(0);
  offset_.assign(len_.size() + 1, 0);
  size_t total = 0;
  for (size_t s = 0; s < edges_.size(); ++s) {
    offset_[s] = static_cast<uint32_t>(total);
    total += edges_[s].size();
  }
  offset_[edges_.size()] = static_cast<uint32_t>(total);
  symbol_.resize(total);
  target_.resize(total);
  for (size_t s = 0; s < edges_.size(); ++s) {
    std::sort(edges_[s].begin(), edges_[s].end());
    size_t o = offset_[s];
    for (const auto& [sym, to] : edges_[s]) {
      symbol_[o] = sym;
      target_[o] = to;
      ++o;
    }
  }
  root_.assign(static_cast<size_t>(kMaxSyscall) + 1, kNone);
  for (const auto& [sym, to] : edges_[0]) root_[sym] = to;
  edges_.clear();
  edges_.shrink_to_fit();
  frozen_ = true;
}

uint32_t CallAutomaton::Step(uint32_t state, uint16_t c) const {
  if (state == 0) return c <= kMaxSyscall ? root_[c] : kNone;
  const uint16_t* begin = symbol_.data() + offset_[state];
  const uint16_t* end = symbol_.data() + offset_[state + 1];
  const uint16_t* it = std::lower_bound(begin, end, c);
  return it != end && *it == c ? target_[it - symbol_.data()] : kNone;
}

void CallAutomaton::Count(const std::vector<uint16_t>& calls, uint64_t weight) {
  if (!frozen_) return;
  if (support_.size() != len_.size()) {
    support_.assign(len_.size(), 0);
    stamp_.assign(len_.size(), 0);
  }
  ++counted_;
  // Every substring of `calls` is a suffix of one of its prefixes: mark the states of the
  // prefixes and their suffix-link ancestors once each.
  uint32_t state = 0;
  for (uint16_t c : calls) {
    state = Step(state, c);
    if (state == kNone) return;  // not indexed (cannot happen for an added sequence)
    for (uint32_t s = state; s != 0 && stamp_[s] != counted_; s = link_[s]) {
      stamp_[s] = counted_;
      support_[s] += weight;
    }
  }
}

void CallAutomaton::Match(const uint16_t* calls, size_t count, std::vector<uint32_t>* match,
                          uint64_t min_support) const {
  match->assign(count, 0);
  if (!frozen_) return;
  const bool filter = min_support > 1 && support_.size() == len_.size();
  uint32_t state = 0;
  uint32_t length = 0;
  for (size_t i = 0; i < count; ++i) {
    uint32_t next = Step(state, calls[i]);
    while (next == kNone && state != 0) {
      state = link_[state];
      length = len_[state];
      next = Step(state, calls[i]);
    }
    if (next == kNone) {
      state = 0;
      length = 0;
    } else {
      state = next;
      ++length;
      // Support only grows along suffix links (a suffix occurs wherever its extension does):
      // fall back to the longest suffix that enough sequences contain.
      if (filter) {
        while (state != 0 && support_[state] < min_support) {
          state = link_[state];
          length = len_[state];
        }
      }
    }
    (*match)[i] = length;
  }
}

size_t CallAutomaton::MemoryBytes() const {
  return len_.capacity() * 4 + link_.capacity() * 4 + offset_.capacity() * 4 +
         symbol_.capacity() * 2 + target_.capacity() * 4 + root_.capacity() * 4 +
         support_.capacity() * 8 + stamp_.capacity() * 4;
}

// ---- CoverModel ----

StatusOr<std::unique_ptr<CoverModel>> CoverModel::Create(const ModelOptions& options) {
  VIGIL_ASSIGN_OR_RETURN(std::string score, options.String("score", "segments"));
  VIGIL_ASSIGN_OR_RETURN(int64_t top, options.Int("top", 10, 1, 100));
  VIGIL_ASSIGN_OR_RETURN(int64_t support, options.Int("support", 1, 1, 1 << 20));
  VIGIL_ASSIGN_OR_RETURN(int64_t max_calls,
                         options.Int("max_calls", 4'000'000, 1, int64_t{1} << 31));
  VIGIL_RETURN_IF_ERROR(options.CheckAllUsed("cover"));
  Aggregate aggregate;
  if (score == "segments") {
    aggregate = Aggregate::kSegments;
  } else if (score == "mean") {
    aggregate = Aggregate::kMean;
  } else if (score == "top") {
    aggregate = Aggregate::kTop;
  } else {
    return InvalidArgumentError("cover: option score: '" + score +
                                "' is not one of segments, mean, top");
  }
  return std::unique_ptr<CoverModel>(new CoverModel(aggregate, static_cast<int>(top),
                                                    static_cast<uint64_t>(support),
                                                    static_cast<uint64_t>(max_calls)));
}

StatusOr<std::unique_ptr<Model>> NewCoverModel(const ModelOptions& options) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<CoverModel> m, CoverModel::Create(options));
  return std::unique_ptr<Model>(std::move(m));
}

ModelOptions CoverModel::options() const {
  static const char* kNames[] = {"segments", "mean", "top"};
  return ModelOptions({{"score", kNames[static_cast<int>(aggregate_)]},
                       {"top", std::to_string(top_)},
                       {"support", std::to_string(support_)},
                       {"max_calls", std::to_string(max_calls_)}});
}

void CoverModel::Add(std::vector<uint16_t> calls, uint64_t count, std::string_view what) {
  if (calls.empty() || count == 0) return;
  auto it = sequences_.find(calls);
  if (it != sequences_.end()) {
    it->second = it->second > UINT64_MAX - count ? UINT64_MAX : it->second + count;
    return;
  }
  const uint64_t room = max_calls_ - stored_calls_;
  if (calls.size() <= room) {
    stored_calls_ += calls.size();
    sequences_.emplace(std::move(calls), count);
    return;
  }
  const bool first = dropped_sequences_ == 0;
  ++dropped_sequences_;
  const uint64_t lost = calls.size() - room;
  dropped_calls_ =
      lost > (UINT64_MAX - dropped_calls_) / count ? UINT64_MAX : dropped_calls_ + lost * count;
  if (room > 0) {
    // The prefix that fits is real behaviour: keep it (unless it is already stored).
    calls.resize(room);
    auto [prefix, inserted] = sequences_.emplace(std::move(calls), count);
    if (inserted) {
      stored_calls_ += room;
    } else {
      prefix->second = prefix->second > UINT64_MAX - count ? UINT64_MAX : prefix->second + count;
    }
  }
  if (first) WarnDropped(what);
}

void CoverModel::WarnDropped(std::string_view when) const {
  spdlog::warn(
      "cover: max_calls={} reached ({}): {} distinct sequences kept ({} calls); {} sequences "
      "dropped or truncated so far ({} calls not stored); raise max_calls to keep them",
      max_calls_, when, sequences_.size(), stored_calls_, dropped_sequences_, dropped_calls_);
}

Status CoverModel::Learn(const Trace& trace) {
  VIGIL_RETURN_IF_ERROR(CheckLearnTable("cover", learned_, table_, trace));
  table_ = trace.table;
  learned_ = true;
  prepared_ = false;
  if (SingleThread(trace)) {
    Add(trace.calls, 1, "learning trace " + trace.id);
    return OkStatus();
  }
  ThreadSplit split = SplitThreads(trace);
  for (const std::vector<size_t>& idx : split.index) {
    std::vector<uint16_t> calls;
    calls.reserve(idx.size());
    for (size_t p : idx) calls.push_back(trace.calls[p]);
    Add(std::move(calls), 1, "learning trace " + trace.id);
  }
  return OkStatus();
}

Status CoverModel::Merge(const Model& other_model) {
  VIGIL_ASSIGN_OR_RETURN(const CoverModel* other, MergeSource<CoverModel>("cover", other_model));
  if (other->aggregate_ != aggregate_ || other->top_ != top_ || other->support_ != support_ ||
      other->max_calls_ != max_calls_) {
    return InvalidArgumentError("cover: cannot merge a model with other options");
  }
  if (!other->learned_) return OkStatus();
  VIGIL_RETURN_IF_ERROR(CheckMergeTable("cover", learned_, table_, other->table_));
  table_ = other->table_;
  learned_ = true;
  prepared_ = false;
  dropped_sequences_ += other->dropped_sequences_;
  dropped_calls_ = other->dropped_calls_ > UINT64_MAX - dropped_calls_
                       ? UINT64_MAX
                       : dropped_calls_ + other->dropped_calls_;
  for (const auto& [calls, count] : other->sequences_) Add(calls, count, "merging");
  return OkStatus();
}

Status CoverModel::Prepare() {
  if (!learned_) return FailedPreconditionError("cover: nothing learned");
  if (dropped_sequences_ > 0) WarnDropped("preparing");
  index_.Clear();
  for (const auto& [calls, count] : sequences_) index_.Add(calls);
  index_.Freeze();
  if (support_ > 1) {
    for (const auto& [calls, count] : sequences_) index_.Count(calls, count);
  }
  prepared_ = true;
  return OkStatus();
}

size_t CoverModel::MemoryBytes() const {
  size_t bytes = index_.MemoryBytes();
  for (const auto& [calls, count] : sequences_) bytes += calls.capacity() * 2 + 64;
  return bytes;
}

void CoverModel::MatchLengths(const Trace& trace, std::vector<uint32_t>* match) const {
  if (SingleThread(trace)) {
    index_.Match(trace.calls.data(), trace.calls.size(), match, support_);
    return;
  }
  match->assign(trace.calls.size(), 0);
  ThreadSplit split = SplitThreads(trace);
  std::vector<uint16_t> calls;
  std::vector<uint32_t> m;
  for (const std::vector<size_t>& idx : split.index) {
    calls.clear();
    for (size_t p : idx) calls.push_back(trace.calls[p]);
    index_.Match(calls.data(), calls.size(), &m, support_);
    for (size_t j = 0; j < idx.size(); ++j) (*match)[idx[j]] = m[j];
  }
}

void CoverModel::ScoreEvents(const Trace& trace, std::vector<float>* out) const {
  if (learned_ && trace.table != table_) {
    out->assign(trace.calls.size(), 1.0f);
    return;
  }
  std::vector<uint32_t> match;
  MatchLengths(trace, &match);
  std::vector<std::vector<size_t>> threads;
  std::vector<uint32_t> tids;
  Threads(trace, &threads, &tids);
  EventValues(match, threads, out);
}

Score CoverModel::ScoreTrace(const Trace& trace, const ScoreOptions& options) const {
  Score score;
  if (learned_ && trace.table != table_) {
    score.value = 1;
    score.reasons.push_back(TableMismatch(trace.table, table_, 1));
    return score;
  }
  if (trace.calls.empty()) return score;
  const double n = static_cast<double>(trace.calls.size());
  std::vector<std::vector<size_t>> threads;
  std::vector<uint32_t> tids;
  Threads(trace, &threads, &tids);
  std::vector<uint32_t> match;
  MatchLengths(trace, &match);
  std::vector<Segment> segments;
  std::vector<uint32_t> thread_match;
  for (size_t t = 0; t < threads.size(); ++t) {
    thread_match.clear();
    for (size_t p : threads[t]) thread_match.push_back(match[p]);
    Cover(thread_match, t, &segments);
  }
  switch (aggregate_) {
    case Aggregate::kSegments:
      score.value = static_cast<double>(segments.size()) / n;
      break;
    case Aggregate::kMean: {
      std::vector<float> values;
      EventValues(match, threads, &values);
      double sum = 0;
      for (float v : values) sum += v;
      score.value = sum / n;
      break;
    }
    case Aggregate::kTop: {
      std::vector<float> values;
      EventValues(match, threads, &values);
      size_t k = std::max<size_t>(1, (values.size() * static_cast<size_t>(top_) + 99) / 100);
      std::nth_element(values.begin(), values.begin() + (k - 1), values.end(),
                       std::greater<float>());
      double sum = 0;
      for (size_t i = 0; i < k; ++i) sum += values[i];
      score.value = sum / static_cast<double>(k);
      break;
    }
  }
  if (options.max_reasons == 0) return score;
  // Reasons: the shortest covering segments (most novel stretches), earliest first on ties.
  std::stable_sort(segments.begin(), segments.end(), [&](const Segment& a, const Segment& b) {
    if (a.length != b.length) return a.length < b.length;
    return threads[a.thread][a.begin] < threads[b.thread][b.begin];
  });
  for (const Segment& s : segments) {
    if (score.reasons.size() >= options.max_reasons) break;
    const std::vector<size_t>& idx = threads[s.thread];
    // The call that ends the segment could not extend the previous segment: name the novel
    // junction (the segment's first call and up to 5 calls before it, in the thread).
    size_t first = s.begin >= 5 ? s.begin - 5 : 0;
    std::string calls;
    for (size_t j = first; j <= s.begin; ++j) {
      if (!calls.empty()) calls += ',';
      calls += CallName(trace.table, trace.calls[idx[j]]);
    }
    size_t pos = idx[s.begin];
    score.reasons.push_back({"sequence",
                             "covering segment of " + std::to_string(s.length) +
                                 " call(s) at call " + std::to_string(pos) + " (tid " +
                                 std::to_string(tids[s.thread]) +
                                 "): no training trace continues " + calls,
                             1.0 / n, pos});
  }
  return score;
}

std::string CoverModel::SaveBody() const {
  ByteWriter out;
  WriteBodyHeader(out, kBodyVersion, table_);
  out.U8(learned_ ? 1 : 0);
  WriteSequenceCounts(out, sequences_);
  out.Varint(dropped_sequences_);
  out.Varint(dropped_calls_);
  return out.Take();
}

Status CoverModel::LoadBody(std::string_view body) {
  ByteReader in(body, "cover body");
  // Version 1 (no dropped figures) is still read.
  const uint8_t version = !body.empty() && body[0] == 1 ? 1 : kBodyVersion;
  VIGIL_ASSIGN_OR_RETURN(SyscallTable table, ReadBodyHeader(in, version));
  VIGIL_ASSIGN_OR_RETURN(uint64_t learned, in.Bounded("learned flag", 0, 1));
  uint64_t stored = 0;
  VIGIL_ASSIGN_OR_RETURN(SequenceCounts sequences, ReadSequenceCounts(in, max_calls_, &stored));
  uint64_t dropped_sequences = 0, dropped_calls = 0;
  if (version >= 2) {
    VIGIL_ASSIGN_OR_RETURN(dropped_sequences, in.Varint("dropped sequences"));
    VIGIL_ASSIGN_OR_RETURN(dropped_calls, in.Varint("dropped calls"));
  }
  VIGIL_RETURN_IF_ERROR(in.ExpectEnd());
  if (learned == 0 && !sequences.empty()) {
    return in.Error("learned flag", "sequences in an empty model");
  }
  table_ = table;
  dropped_sequences_ = dropped_sequences;
  dropped_calls_ = dropped_calls;
  learned_ = learned != 0;
  sequences_ = std::move(sequences);
  stored_calls_ = stored;
  prepared_ = false;
  index_.Clear();
  return OkStatus();
}

}  // namespace vigil::ml
