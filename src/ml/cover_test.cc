// Sequence covering (cover.h): matching statistics and covering scores pinned on the fixture
// traces under testdata/ml/cover (hand-computed, see the comments), the automaton against a
// brute-force search on random sequences, merge == union of the learned multisets, body round
// trip and corruption, the max_calls bound and option errors.
#include "ml/cover.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "base/test_paths.h"
#include "ml/datasets.h"

namespace vigil::ml {
namespace {

std::string Fixtures() { return test_paths::SourceDir() + "/testdata/ml/cover/"; }

std::vector<Trace> Read(const std::string& dir, Label label) {
  auto traces = ReadTraces(DatasetFormat::kAdfaLd, Fixtures() + dir, label);
  EXPECT_TRUE(traces.ok()) << traces.status().ToString();
  return traces.ok() ? std::move(traces).value() : std::vector<Trace>{};
}

std::unique_ptr<CoverModel> Make(const std::vector<std::string>& options) {
  ModelOptions o;
  for (const std::string& kv : options) EXPECT_TRUE(o.Add(kv).ok());
  auto m = CoverModel::Create(o);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return m.ok() ? std::move(m).value() : nullptr;
}

std::unique_ptr<CoverModel> Trained(const std::vector<std::string>& options) {
  auto m = Make(options);
  for (const Trace& t : Read("train", Label::kNormal)) EXPECT_TRUE(m->Learn(t).ok());
  EXPECT_TRUE(m->Prepare().ok());
  return m;
}

Trace MakeTrace(std::vector<uint16_t> calls, std::vector<uint32_t> tids = {}) {
  Trace t;
  t.id = "t";
  t.table = SyscallTable::kX86_32;
  t.calls = std::move(calls);
  t.tids = std::move(tids);
  return t;
}

// Training: a = 1 2 3 4 5, b = 2 3 9. Scored: t = 1 2 3 9 4 5 7.
// Longest training substring ending at each call of t: "1", "12", "123", "239" (b), "4",
// "45", nothing (7 is unseen) -> L = 1 2 3 3 1 2 0. Covering from the right: [7] [4 5]
// [2 3 9] [1] = 4 segments of 7 calls.
TEST(Cover, MatchingStatisticsOnFixture) {
  auto m = Trained({});
  std::vector<Trace> score = Read("score", Label::kAttack);
  ASSERT_EQ(score.size(), 1u);
  std::vector<uint32_t> match;
  m->MatchLengths(score[0], &match);
  EXPECT_EQ(match, (std::vector<uint32_t>{1, 2, 3, 3, 1, 2, 0}));
  std::vector<float> events;
  m->ScoreEvents(score[0], &events);
  ASSERT_EQ(events.size(), 7u);
  // The first three calls are the start of a (training stretch "1 2 3"): 0, not novel.
  EXPECT_EQ(events, (std::vector<float>{0, 0, 0, 0.25f, 0.5f, 1.0f / 3, 1}));
}

TEST(Cover, ScoresOnFixture) {
  const Trace t = Read("score", Label::kAttack).at(0);
  ScoreOptions opts;
  Score s = Trained({"score=segments"})->ScoreTrace(t, opts);
  EXPECT_DOUBLE_EQ(s.value, 4.0 / 7.0);
  // Shortest segments first, earliest on ties: [1] at 0, then [7] at 6.
  ASSERT_EQ(s.reasons.size(), 4u);
  EXPECT_EQ(s.reasons[0].position, 0u);
  EXPECT_EQ(s.reasons[1].position, 6u);
  EXPECT_NE(s.reasons[1].detail.find("call 6"), std::string::npos) << s.reasons[1].detail;
  EXPECT_EQ(s.reasons[2].position, 4u);
  EXPECT_EQ(s.reasons[3].position, 1u);
  // mean of the event values: (0 + 0 + 0 + 1/4 + 1/2 + 1/3 + 1) / 7.
  EXPECT_NEAR(Trained({"score=mean"})->ScoreTrace(t, opts).value, (0.25 + 0.5 + 1.0 / 3 + 1) / 7,
              1e-6);
  // top=10: ceil(0.7) = 1 call -> 1; top=50: ceil(3.5) = 4 calls -> (1 + 1/2 + 1/3 + 1/4) / 4.
  EXPECT_NEAR(Trained({"score=top", "top=10"})->ScoreTrace(t, opts).value, 1.0, 1e-6);
  EXPECT_NEAR(Trained({"score=top", "top=50"})->ScoreTrace(t, opts).value,
              (1 + 0.5 + 1.0 / 3 + 0.25) / 4, 1e-6);
  // A training trace is one segment.
  EXPECT_DOUBLE_EQ(Trained({})->ScoreTrace(MakeTrace({1, 2, 3, 4, 5}), opts).value, 1.0 / 5);
}

// support=2: a stretch counts only when two training sequences contain it. Of t's stretches
// only "2" and "2 3" lie in both a and b: L = 0 1 2 0 0 0 0, covering [1] [2 3] [9] [4] [5]
// [7] = 6 segments.
TEST(Cover, MinimumSupport) {
  auto m = Trained({"support=2"});
  const Trace t = Read("score", Label::kAttack).at(0);
  std::vector<uint32_t> match;
  m->MatchLengths(t, &match);
  EXPECT_EQ(match, (std::vector<uint32_t>{0, 1, 2, 0, 0, 0, 0}));
  EXPECT_DOUBLE_EQ(m->ScoreTrace(t, {}).value, 6.0 / 7.0);
}

// Threads are learned and matched separately: "1 2" interleaved with "3 4" is two sequences,
// so "2 3" (which crosses threads in trace order) is never learned.
TEST(Cover, ThreadsDoNotMix) {
  auto m = Make({});
  ASSERT_TRUE(m->Learn(MakeTrace({1, 3, 2, 4}, {10, 20, 10, 20})).ok());
  ASSERT_TRUE(m->Prepare().ok());
  EXPECT_EQ(m->sequences(), 2u);
  std::vector<uint32_t> match;
  m->MatchLengths(MakeTrace({2, 3}), &match);
  EXPECT_EQ(match, (std::vector<uint32_t>{1, 1}));
  m->MatchLengths(MakeTrace({1, 3, 2, 4}, {10, 20, 10, 20}), &match);
  EXPECT_EQ(match, (std::vector<uint32_t>{1, 1, 2, 2}));
}

// The generalised suffix automaton against brute force: for random training sequences over a
// small alphabet (many repeats, so many clones), L_i must be the longest suffix of t[0..i]
// that occurs inside one training sequence.
TEST(Cover, AutomatonMatchesBruteForce) {
  std::mt19937 rng(7);
  for (int round = 0; round < 40; ++round) {
    const int alphabet = 2 + round % 4;
    std::uniform_int_distribution<int> sym(0, alphabet - 1), len(1, 30), count(1, 6);
    std::vector<std::vector<uint16_t>> train(count(rng));
    CallAutomaton index;
    for (auto& s : train) {
      s.resize(len(rng));
      for (auto& c : s) c = static_cast<uint16_t>(sym(rng));
      index.Add(s);
    }
    index.Freeze();
    std::vector<uint16_t> t(len(rng) * 2);
    for (auto& c : t) c = static_cast<uint16_t>(sym(rng) + (round % 3 == 0 ? 1 : 0));
    std::vector<uint32_t> match;
    index.Match(t.data(), t.size(), &match);
    for (size_t i = 0; i < t.size(); ++i) {
      uint32_t best = 0;
      for (size_t l = 1; l <= i + 1; ++l) {
        auto first = t.begin() + static_cast<long>(i + 1 - l);
        auto last = t.begin() + static_cast<long>(i + 1);
        bool found = std::any_of(train.begin(), train.end(), [&](const auto& s) {
          return std::search(s.begin(), s.end(), first, last) != s.end();
        });
        if (!found) break;
        best = static_cast<uint32_t>(l);
      }
      ASSERT_EQ(match[i], best) << "round " << round << " call " << i;
    }
  }
}

TEST(Cover, MergeIsUnion) {
  std::vector<Trace> traces = {MakeTrace({1, 2, 3}), MakeTrace({4, 5}), MakeTrace({1, 2, 3}),
                               MakeTrace({6, 7, 8}, {1, 2, 1}), MakeTrace({4, 5})};
  auto all = Make({});
  auto a = Make({});
  auto b = Make({});
  for (size_t i = 0; i < traces.size(); ++i) {
    ASSERT_TRUE(all->Learn(traces[i]).ok());
    ASSERT_TRUE((i < 3 ? a : b)->Learn(traces[i]).ok());
  }
  ASSERT_TRUE(a->Merge(*b).ok());
  EXPECT_EQ(a->sequence_counts(), all->sequence_counts());
  EXPECT_EQ(a->SaveBody(), all->SaveBody());
  EXPECT_EQ(all->sequence_counts().at({1, 2, 3}), 2u);
  EXPECT_EQ(all->sequence_counts().at({4, 5}), 2u);
  EXPECT_EQ(all->sequence_counts().at({6, 8}), 1u);
  EXPECT_EQ(all->stored_calls(), 8u);
  auto other = Make({"score=mean"});
  EXPECT_FALSE(a->Merge(*other).ok());
}

TEST(Cover, BodyRoundTripAndCorruption) {
  auto m = Trained({});
  const std::string body = m->SaveBody();
  auto back = Make({});
  ASSERT_TRUE(back->LoadBody(body).ok());
  EXPECT_EQ(back->SaveBody(), body);
  ASSERT_TRUE(back->Prepare().ok());
  const Trace t = Read("score", Label::kAttack).at(0);
  EXPECT_DOUBLE_EQ(back->ScoreTrace(t, {}).value, m->ScoreTrace(t, {}).value);
  // Every truncation fails with a message naming the model; every byte flip either fails or
  // loads a model whose saved body loads back to the same bytes.
  for (size_t n = 0; n < body.size(); ++n) {
    auto c = Make({});
    Status st = c->LoadBody(body.substr(0, n));
    ASSERT_FALSE(st.ok()) << "truncated at " << n;
    EXPECT_NE(st.ToString().find("cover"), std::string::npos) << st.ToString();
  }
  for (size_t i = 0; i < body.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = body;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      auto c = Make({});
      if (c->LoadBody(bad).ok()) {
        // Saved bytes are canonical (a flip may leave a longer varint spelling of a number).
        const std::string saved = c->SaveBody();
        auto again = Make({});
        ASSERT_TRUE(again->LoadBody(saved).ok());
        EXPECT_EQ(again->SaveBody(), saved);
        if (c->Prepare().ok()) c->ScoreTrace(t, {});
      }
    }
  }
  EXPECT_FALSE(Make({})->LoadBody(body + "x").ok());
}

// Reaching max_calls keeps what fits in learning order, truncates the sequence that crosses
// the bound, drops later new ones, and says so (cover.h); it never fails the training run.
TEST(Cover, MaxCallsBoundKeepsWhatFits) {
  auto m = Make({"max_calls=5"});
  ASSERT_TRUE(m->Learn(MakeTrace({1, 2, 3})).ok());
  ASSERT_TRUE(m->Learn(MakeTrace({1, 2, 3})).ok());     // a repeat stores nothing new
  ASSERT_TRUE(m->Learn(MakeTrace({4, 5, 6, 7})).ok());  // 2 calls fit: kept as 4 5
  ASSERT_TRUE(m->Learn(MakeTrace({1, 2, 3})).ok());     // repeats still count
  // Two threads: 8 9 is new and nothing fits any more; 1 2 3 counts.
  ASSERT_TRUE(m->Learn(MakeTrace({8, 1, 9, 2, 3}, {7, 6, 7, 6, 6})).ok());
  EXPECT_EQ(m->stored_calls(), 5u);
  EXPECT_EQ(m->dropped_sequences(), 2u);
  EXPECT_EQ(m->dropped_calls(), 4u);  // 6 7, then 8 9
  EXPECT_EQ(m->sequence_counts(),
            (std::map<std::vector<uint16_t>, uint64_t>{{{1, 2, 3}, 4}, {{4, 5}, 1}}));
  ASSERT_TRUE(m->Prepare().ok());
  std::vector<uint32_t> match;
  m->MatchLengths(MakeTrace({4, 5, 6, 7}), &match);
  EXPECT_EQ(match, (std::vector<uint32_t>{1, 2, 0, 0}));

  // The figures survive a body round trip and add up in a merge (which is bounded too).
  std::string body = m->SaveBody();
  auto back = Make({"max_calls=5"});
  ASSERT_TRUE(back->LoadBody(body).ok());
  EXPECT_EQ(back->dropped_sequences(), 2u);
  EXPECT_EQ(back->dropped_calls(), 4u);
  EXPECT_EQ(back->SaveBody(), body);
  auto other = Make({"max_calls=5"});
  ASSERT_TRUE(other->Learn(MakeTrace({1, 2, 3})).ok());
  ASSERT_TRUE(other->Learn(MakeTrace({6, 6, 6})).ok());  // 2 of 3 calls fit
  ASSERT_TRUE(other->Merge(*m).ok());
  EXPECT_EQ(other->stored_calls(), 5u);
  EXPECT_EQ(other->sequence_counts(),
            (std::map<std::vector<uint16_t>, uint64_t>{{{1, 2, 3}, 5}, {{6, 6}, 1}}));
  EXPECT_EQ(other->dropped_sequences(), 2u + 1u + 1u);  // m's, 6 6 6's, and m's 4 5
  EXPECT_EQ(other->dropped_calls(), 4u + 1u + 2u);
  // A body storing more than max_calls is no body these options write.
  auto small = Make({"max_calls=2"});
  EXPECT_FALSE(small->LoadBody(body).ok());
  // Version 1 bodies (before the dropped figures) still load: table x86_64, one sequence 1 2
  // seen 3 times.
  auto v1 = Make({});
  ASSERT_TRUE(v1->LoadBody(std::string("\x01\x01\x01\x01\x03\x02\x01\x02", 8)).ok());
  EXPECT_EQ(v1->sequence_counts(), (std::map<std::vector<uint16_t>, uint64_t>{{{1, 2}, 3}}));
  EXPECT_EQ(v1->dropped_sequences(), 0u);
}

TEST(Cover, TableMismatchAndOptions) {
  auto m = Trained({});
  Trace other = MakeTrace({1, 2});
  other.table = SyscallTable::kX86_64;
  EXPECT_FALSE(m->Learn(other).ok());
  EXPECT_DOUBLE_EQ(m->ScoreTrace(other, {}).value, 1.0);
  EXPECT_FALSE(Make({})->Prepare().ok());
  ModelOptions bad;
  ASSERT_TRUE(bad.Add("score=median").ok());
  EXPECT_FALSE(CoverModel::Create(bad).ok());
  ModelOptions unknown;
  ASSERT_TRUE(unknown.Add("n=3").ok());
  EXPECT_FALSE(CoverModel::Create(unknown).ok());
  auto named = NewModel("cover", ModelOptions());
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named.value()->name(), "cover");
}

}  // namespace
}  // namespace vigil::ml
