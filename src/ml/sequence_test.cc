// Sequence models (stide, markov, bag) and the ensemble on the fixtures of
// testdata/ml/sequence: pinned scores, merge equality, body round trip and corruption.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "base/test_paths.h"
#include "ml/adfa_testutil.h"
#include "ml/bag.h"
#include "ml/ensemble.h"
#include "ml/markov.h"
#include "ml/model.h"
#include "ml/stide.h"

namespace vigil::ml {
namespace {

std::string Fixture(const std::string& name) {
  return test_paths::SourceDir() + "/testdata/ml/sequence/" + name;
}

// One trace per line of whitespace-separated numbers.
std::vector<Trace> ReadFixture(const std::string& name,
                               SyscallTable table = SyscallTable::kX86_32) {
  std::ifstream in(Fixture(name));
  EXPECT_TRUE(in.good()) << Fixture(name);
  std::vector<Trace> out;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    Trace t;
    t.id = name + ":" + std::to_string(out.size() + 1);
    t.table = table;
    int call;
    while (words >> call) t.calls.push_back(static_cast<uint16_t>(call));
    if (!t.calls.empty()) out.push_back(std::move(t));
  }
  return out;
}

Trace MakeTrace(std::vector<uint16_t> calls, SyscallTable table = SyscallTable::kX86_32) {
  Trace t;
  t.id = "inline";
  t.table = table;
  t.calls = std::move(calls);
  return t;
}

std::unique_ptr<Model> New(const std::string& name, std::vector<std::string> options = {}) {
  ModelOptions o;
  for (const std::string& kv : options) EXPECT_TRUE(o.Add(kv).ok());
  auto m = NewModel(name, o);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return std::move(m).value();
}

std::unique_ptr<Model> Trained(const std::string& name, const std::vector<Trace>& traces,
                               std::vector<std::string> options = {}) {
  auto m = New(name, options);
  for (const Trace& t : traces) EXPECT_TRUE(m->Learn(t).ok());
  EXPECT_TRUE(m->Prepare().ok());
  return m;
}

double Value(const Model& m, const Trace& t) { return m.ScoreTrace(t, ScoreOptions()).value; }

TEST(Stide, PinnedFractionOfUnseenWindows) {
  auto m = Trained("stide", ReadFixture("stide_train.txt"), {"n=3"});
  Trace test = ReadFixture("stide_test.txt")[0];
  EXPECT_DOUBLE_EQ(Value(*m, test), 0.5);  // 3 of 6 windows unseen (README)
  std::vector<float> events;
  m->ScoreEvents(test, &events);
  EXPECT_EQ(events, (std::vector<float>{0, 0, 0, 1, 1, 1}));
  EXPECT_DOUBLE_EQ(Value(*m, ReadFixture("stide_train.txt")[0]), 0.0);
  // Locality frame of 4 windows: at most 3 unseen among any 4 consecutive ones.
  auto lfc = Trained("stide", ReadFixture("stide_train.txt"), {"n=3", "frame=4"});
  EXPECT_DOUBLE_EQ(Value(*lfc, test), 0.75);
}

TEST(Stide, ThreadAware) {
  // Two threads each running the learned sequence, interleaved: nothing unseen per thread,
  // although the interleaved stream has windows never learned.
  auto m = Trained("stide", {MakeTrace({1, 2, 3, 4, 1, 2, 3, 4})}, {"n=3"});
  Trace t = MakeTrace({1, 1, 2, 2, 3, 3, 4, 4});
  t.tids = {7, 8, 7, 8, 7, 8, 7, 8};
  EXPECT_DOUBLE_EQ(Value(*m, t), 0.0);
  t.tids.clear();
  EXPECT_GT(Value(*m, t), 0.5);
}

TEST(Stide, ExplainsWithNamesOnX8664) {
  // read, write, openat learned; read, write, execve scored.
  auto m = Trained("stide", {MakeTrace({0, 1, 257}, SyscallTable::kX86_64)}, {"n=3"});
  Trace t = MakeTrace({0, 1, 59}, SyscallTable::kX86_64);
  t.tids = {42, 42, 42};
  Score s = m->ScoreTrace(t, ScoreOptions());
  ASSERT_FALSE(s.reasons.empty());
  EXPECT_EQ(s.reasons[0].detail, "unseen 3-gram read,write,execve at call 0 (tid 42)");
  EXPECT_EQ(s.reasons[0].position, 0u);
  // Other tables are named by number.
  auto m32 = Trained("stide", {MakeTrace({3, 4, 5})}, {"n=2"});
  Score s32 = m32->ScoreTrace(MakeTrace({3, 4, 11}), ScoreOptions());
  ASSERT_FALSE(s32.reasons.empty());
  EXPECT_EQ(s32.reasons[0].detail, "unseen 2-gram 4,11 at call 1 (tid 0)");
}

TEST(Stide, RejectsAnotherSyscallTable) {
  auto m = New("stide");
  ASSERT_TRUE(m->Learn(MakeTrace({1, 2, 3})).ok());
  Status s = m->Learn(MakeTrace({1, 2, 3}, SyscallTable::kX86_64));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("x86_64"), std::string::npos) << s.message();
}

// log2 of the order-1 Witten-Bell probabilities of markov_train.txt (1 2 1 2 1 3), by hand:
// unigrams 1:3 2:2 3:1 (N = 6, T = 3); bigram contexts 1 -> {2:2, 3:1}, 2 -> {1:2}.
TEST(Markov, PinnedWittenBellSurprise) {
  auto m = Trained("markov", ReadFixture("markov_train.txt"), {"order=1", "agg=mean"});
  auto* markov = dynamic_cast<MarkovModel*>(m.get());
  ASSERT_NE(markov, nullptr);
  const double v = 1024;
  const double p0_1 = (3 + 3 / v) / 9, p0_2 = (2 + 3 / v) / 9, p0_3 = (1 + 3 / v) / 9;
  const double p_2_after_1 = (2 + 2 * p0_2) / (3 + 2);
  const double p_3_after_2 = 1.0 / (2 + 1) * p0_3;  // unseen bigram: context 2's escape
  std::vector<float> s;
  markov->Surprises(ReadFixture("markov_test.txt")[0], &s);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_NEAR(s[0], -std::log2(p0_1), 1e-5);
  EXPECT_NEAR(s[1], -std::log2(p_2_after_1), 1e-5);
  EXPECT_NEAR(s[2], -std::log2(p_3_after_2), 1e-5);
  EXPECT_NEAR(Value(*m, ReadFixture("markov_test.txt")[0]), (s[0] + s[1] + s[2]) / 3, 1e-5);
  // A call never seen: the root escape times 1/1024.
  markov->Surprises(MakeTrace({9}), &s);
  EXPECT_NEAR(s[0], -std::log2(3.0 / 9 / v), 1e-5);
}

// FNV-1a over 64-bit words.
uint64_t Fnv(uint64_t h, uint64_t word) { return (h ^ word) * 1099511628211ull; }
constexpr uint64_t kFnvBasis = 1469598103934665603ull;

// Prepare freezes markov into compact tables (markov.h). The scores are those of the hash
// tables they replaced, bit for bit: the values below were printed by the model before the
// change, on the first 200 ADFA-LD Validation traces (trace scores, per-event scores, body).
TEST(Markov, FrozenTablesKeepAdfaScores) {
  const testing::Adfa* adfa = testing::LoadAdfa();
  if (adfa == nullptr) GTEST_SKIP() << testing::SharedDatasets() << " is absent";
  auto m = Trained("markov", adfa->train);
  ScoreOptions no_reasons;
  no_reasons.max_reasons = 0;
  uint64_t traces = kFnvBasis, events = kFnvBasis;
  std::vector<float> ev;
  for (size_t i = 0; i < 200; ++i) {
    double v = m->ScoreTrace(adfa->validation[i], no_reasons).value;
    uint64_t bits = 0;
    std::memcpy(&bits, &v, sizeof(bits));
    traces = Fnv(traces, bits);
    m->ScoreEvents(adfa->validation[i], &ev);
    for (float f : ev) {
      uint32_t b = 0;
      std::memcpy(&b, &f, sizeof(b));
      events = Fnv(events, b);
    }
  }
  EXPECT_EQ(traces, 0x37a688352a1d6b6dull);
  EXPECT_EQ(events, 0xa3c7f2d50e1fd6f1ull);
  std::string body = m->SaveBody();
  EXPECT_EQ(body.size(), 1457062u);
  uint64_t body_hash = kFnvBasis;
  for (char c : body) body_hash = Fnv(body_hash, static_cast<uint8_t>(c));
  EXPECT_EQ(body_hash, 0xa434197ba007cb44ull);
  // 27.0 MB in the learning tables before the change.
  EXPECT_LT(m->MemoryBytes(), size_t{8} << 20);
  std::printf("markov on ADFA-LD: %zu n-grams, %zu bytes after Prepare\n",
              dynamic_cast<MarkovModel&>(*m).ngrams(), m->MemoryBytes());

  // Learning or merging after Prepare decodes the frozen counts exactly: the same model as
  // learning everything at once.
  const size_t half = adfa->train.size() / 2;
  std::vector<Trace> first(adfa->train.begin(), adfa->train.begin() + half);
  std::vector<Trace> second(adfa->train.begin() + half, adfa->train.end());
  auto resumed = Trained("markov", first);
  for (const Trace& t : second) ASSERT_TRUE(resumed->Learn(t).ok());
  ASSERT_TRUE(resumed->Prepare().ok());
  EXPECT_EQ(resumed->SaveBody(), body);
  auto merged = Trained("markov", second);
  auto frozen_first = Trained("markov", first);
  ASSERT_TRUE(merged->Merge(*frozen_first).ok());
  ASSERT_TRUE(merged->Prepare().ok());
  EXPECT_EQ(merged->SaveBody(), body);
}

TEST(Markov, WindowAggregate) {
  auto m =
      Trained("markov", ReadFixture("markov_train.txt"), {"order=1", "window=2", "agg=window"});
  auto* markov = dynamic_cast<MarkovModel*>(m.get());
  Trace t = ReadFixture("markov_test.txt")[0];
  std::vector<float> s, w;
  markov->Surprises(t, &s);
  m->ScoreEvents(t, &w);
  EXPECT_EQ(w[0], 0.0f);  // before the first full window
  EXPECT_NEAR(w[1], (s[0] + s[1]) / 2, 1e-5);
  EXPECT_NEAR(w[2], (s[1] + s[2]) / 2, 1e-5);
  Score score = m->ScoreTrace(t, ScoreOptions());
  EXPECT_NEAR(score.value, std::max(w[1], w[2]), 1e-6);
  ASSERT_FALSE(score.reasons.empty());
  EXPECT_EQ(score.reasons[0].position, 2u);
  EXPECT_NE(score.reasons[0].detail.find("improbable 3 after 2"), std::string::npos)
      << score.reasons[0].detail;
}

TEST(Markov, CapBoundsTheTables) {
  auto m = Trained("markov", ReadFixture("merge_a.txt"), {"order=4", "max_ngrams=50"});
  auto* markov = dynamic_cast<MarkovModel*>(m.get());
  EXPECT_EQ(markov->ngrams(), 50u);
  EXPECT_GT(markov->dropped(), 0u);
  for (const Trace& t : ReadFixture("merge_test.txt")) EXPECT_TRUE(std::isfinite(Value(*m, t)));
}

struct Case {
  std::string model;
  std::vector<std::string> options;
};

class EveryModel : public ::testing::TestWithParam<Case> {};

TEST_P(EveryModel, MergeEqualsLearningTheUnion) {
  std::vector<Trace> a = ReadFixture("merge_a.txt"), b = ReadFixture("merge_b.txt");
  std::vector<Trace> all = a;
  all.insert(all.end(), b.begin(), b.end());
  auto whole = Trained(GetParam().model, all, GetParam().options);
  auto ma = New(GetParam().model, GetParam().options);
  auto mb = New(GetParam().model, GetParam().options);
  for (const Trace& t : a) ASSERT_TRUE(ma->Learn(t).ok());
  for (const Trace& t : b) ASSERT_TRUE(mb->Learn(t).ok());
  ASSERT_TRUE(mb->Merge(*ma).ok());  // B then A: order must not matter
  ASSERT_TRUE(mb->Prepare().ok());
  EXPECT_EQ(mb->SaveBody(), whole->SaveBody());
  for (const Trace& t : ReadFixture("merge_test.txt")) {
    EXPECT_DOUBLE_EQ(Value(*mb, t), Value(*whole, t));
  }
}

TEST_P(EveryModel, BodyRoundTripScoresTheSame) {
  auto m = Trained(GetParam().model, ReadFixture("merge_a.txt"), GetParam().options);
  std::vector<const Trace*> normal;
  std::vector<Trace> b = ReadFixture("merge_b.txt");
  for (const Trace& t : b) normal.push_back(&t);
  ASSERT_TRUE(m->Calibrate(normal).ok());
  std::string body = m->SaveBody();
  auto loaded = New(GetParam().model, GetParam().options);
  ASSERT_TRUE(loaded->LoadBody(body).ok());
  ASSERT_TRUE(loaded->Prepare().ok());
  EXPECT_EQ(loaded->SaveBody(), body);
  for (const Trace& t : ReadFixture("merge_test.txt")) {
    EXPECT_DOUBLE_EQ(Value(*loaded, t), Value(*m, t));
    std::vector<float> e1, e2;
    m->ScoreEvents(t, &e1);
    loaded->ScoreEvents(t, &e2);
    EXPECT_EQ(e1, e2);
  }
}

TEST_P(EveryModel, CorruptBodiesAreErrorsNotCrashes) {
  auto m = Trained(GetParam().model, ReadFixture("merge_a.txt"), GetParam().options);
  std::vector<const Trace*> normal;
  std::vector<Trace> b = ReadFixture("merge_b.txt");
  for (const Trace& t : b) normal.push_back(&t);
  ASSERT_TRUE(m->Calibrate(normal).ok());
  std::string body = m->SaveBody();
  for (size_t len = 0; len < body.size(); ++len) {
    auto loaded = New(GetParam().model, GetParam().options);
    Status s = loaded->LoadBody(body.substr(0, len));
    EXPECT_FALSE(s.ok()) << "truncated to " << len;
  }
  auto extra = New(GetParam().model, GetParam().options);
  EXPECT_EQ(extra->LoadBody(body + "x").code(), StatusCode::kDataLoss);
  // Flipped bytes: an error, or a model that prepares and scores without crashing.
  uint32_t seed = 12345;
  for (int i = 0; i < 300; ++i) {
    std::string bad = body;
    seed = seed * 1664525u + 1013904223u;
    bad[seed % bad.size()] ^= static_cast<char>(1 + (seed >> 24) % 255);
    auto loaded = New(GetParam().model, GetParam().options);
    if (loaded->LoadBody(bad).ok() && loaded->Prepare().ok()) {
      for (const Trace& t : ReadFixture("merge_test.txt")) (void)Value(*loaded, t);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Sequence, EveryModel,
    ::testing::Values(Case{"stide", {"n=4"}}, Case{"markov", {"order=3", "window=8"}},
                      Case{"bag", {"n=2"}},
                      Case{"ensemble", {"members=markov,stide,bag", "markov.order=2"}}),
    [](const auto& info) { return info.param.model; });

TEST(Ensemble, CalibratedRanksAndReasons) {
  auto m = Trained("ensemble", ReadFixture("merge_a.txt"),
                   {"members=stide,markov", "stide.n=3", "markov.agg=mean"});
  auto* e = dynamic_cast<EnsembleModel*>(m.get());
  ASSERT_NE(e, nullptr);
  std::vector<Trace> b = ReadFixture("merge_b.txt");
  std::vector<const Trace*> normal;
  for (const Trace& t : b) normal.push_back(&t);
  ASSERT_TRUE(m->Calibrate(normal).ok());
  ASSERT_TRUE(e->calibrated());
  // A trace of calls never seen outranks every calibration trace in both members.
  Trace alien = MakeTrace({100, 101, 102, 103, 104, 105});
  Score s = m->ScoreTrace(alien, ScoreOptions());
  EXPECT_DOUBLE_EQ(s.value, 1.0);
  ASSERT_GE(s.reasons.size(), 2u);
  EXPECT_EQ(s.reasons[0].detail.rfind("stide (rank 1.000): unseen", 0), 0u) << s.reasons[0].detail;
  EXPECT_EQ(s.reasons[1].detail.rfind("markov (rank 1.000): improbable", 0), 0u)
      << s.reasons[1].detail;
  // Each member's rank is its empirical CDF over the calibration traces.
  double raw = Value(e->member(0), b[0]);
  size_t below = 0, equal = 0;
  for (const Trace& t : b) {
    double v = Value(e->member(0), t);
    below += v < raw;
    equal += v == raw;
  }
  EXPECT_DOUBLE_EQ(e->Calibrated(0, raw), (below + equal / 2.0) / b.size());
  EXPECT_EQ(m->options().values().at("stide.n"), "3");
}

TEST(Options, Errors) {
  ModelOptions o;
  ASSERT_TRUE(o.Add("n=0").ok());
  EXPECT_EQ(NewModel("stide", o).status().code(), StatusCode::kInvalidArgument);
  ModelOptions agg(std::map<std::string, std::string>{{"agg", "median"}});
  EXPECT_NE(NewModel("markov", agg).status().message().find("agg"), std::string::npos);
  ModelOptions unknown(std::map<std::string, std::string>{{"depth", "3"}});
  EXPECT_NE(NewModel("markov", unknown).status().message().find("depth"), std::string::npos);
  ModelOptions member(
      std::map<std::string, std::string>{{"members", "stide"}, {"markov.order", "3"}});
  EXPECT_EQ(NewModel("ensemble", member).status().code(), StatusCode::kInvalidArgument);
  ModelOptions self(std::map<std::string, std::string>{{"members", "stide,ensemble"}});
  EXPECT_EQ(NewModel("ensemble", self).status().code(), StatusCode::kInvalidArgument);
  ModelOptions bad_member(
      std::map<std::string, std::string>{{"members", "stide"}, {"stide.n", "99"}});
  EXPECT_NE(NewModel("ensemble", bad_member).status().message().find("member stide"),
            std::string::npos);
}

TEST(Prepare, NothingLearned) {
  for (const char* name : {"stide", "markov", "bag"}) {
    EXPECT_EQ(New(name)->Prepare().code(), StatusCode::kFailedPrecondition) << name;
  }
}

}  // namespace
}  // namespace vigil::ml
