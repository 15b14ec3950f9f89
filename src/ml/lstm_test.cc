// The LSTM language model (lstm.h) on small fixtures: it learns a toy grammar, is thread-aware,
// trains deterministically (merge == training on the union, byte for byte), round-trips
// through its body without retraining, and rejects bad options and bad bodies by name.
#include "ml/lstm.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/test_paths.h"
#include "ml/model.h"

namespace vigil::ml {
namespace {

// Small network and few calls: each training takes a few milliseconds.
ModelOptions Small(std::vector<std::string> extra = {}) {
  ModelOptions o;
  for (const char* kv : {"hidden=16", "embed=8", "epochs=25", "batch=4", "bptt=16", "lr=0.01"}) {
    EXPECT_TRUE(o.Add(kv).ok());
  }
  for (const std::string& kv : extra) EXPECT_TRUE(o.Add(kv).ok()) << kv;
  return o;
}

std::unique_ptr<LstmModel> Make(const ModelOptions& o) {
  auto m = LstmModel::Create(o);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return m.ok() ? std::move(m).value() : nullptr;
}

// A toy grammar of "file sessions": open(5), one to three read(3), close(6); sometimes an
// mmap(90) + mprotect(125) pair between sessions. `seed` picks the sample.
Trace Grammar(uint64_t seed, size_t sessions, std::string id = "t") {
  Trace t;
  t.id = std::move(id);
  t.table = SyscallTable::kX86_32;
  uint64_t s = seed * 2654435761u + 12345;
  auto next = [&s] {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return s >> 33;
  };
  for (size_t k = 0; k < sessions; ++k) {
    t.calls.push_back(5);
    const uint64_t reads = 1 + next() % 3;
    for (uint64_t r = 0; r < reads; ++r) t.calls.push_back(3);
    t.calls.push_back(6);
    if (next() % 4 == 0) {
      t.calls.push_back(90);
      t.calls.push_back(125);
    }
  }
  return t;
}

std::unique_ptr<LstmModel> Trained(const ModelOptions& o, uint64_t first, uint64_t last) {
  auto m = Make(o);
  for (uint64_t seed = first; seed < last; ++seed) {
    EXPECT_TRUE(m->Learn(Grammar(seed, 12)).ok());
  }
  EXPECT_TRUE(m->Prepare().ok());
  return m;
}

TEST(Lstm, LearnsToyGrammar) {
  auto m = Trained(Small(), 0, 16);
  ASSERT_EQ(m->vocabulary(), 5u);
  ASSERT_EQ(m->epoch_loss().size(), 25u);
  // Training lowers the loss well below a uniform guess over 5 calls (ln 5 = 1.61 nats).
  EXPECT_LT(m->epoch_loss().back(), 0.8);
  EXPECT_LT(m->epoch_loss().back(), m->epoch_loss().front());

  Trace in = Grammar(999, 12, "in-grammar");
  Trace out = in;  // the same calls, sessions reversed: close before open, reads after close
  out.id = "out-of-grammar";
  std::reverse(out.calls.begin(), out.calls.end());
  ScoreOptions so;
  Score s_in = m->ScoreTrace(in, so);
  Score s_out = m->ScoreTrace(out, so);
  std::printf("toy grammar: in %.3f out %.3f nats/call\n", s_in.value, s_out.value);
  EXPECT_LT(s_in.value, 0.8);
  EXPECT_GT(s_out.value, s_in.value + 1.0);
  ASSERT_FALSE(s_out.reasons.empty());
  EXPECT_NE(s_out.reasons[0].detail.find("improbable "), std::string::npos)
      << s_out.reasons[0].detail;
  EXPECT_NE(s_out.reasons[0].detail.find(" after "), std::string::npos);
  EXPECT_NE(s_out.reasons[0].detail.find("(p="), std::string::npos);
}

TEST(Lstm, UnseenCallGetsTheCeilingAndIsNamed) {
  auto m = Trained(Small({"epochs=2"}), 0, 4);
  Trace t = Grammar(7, 3);
  t.calls.insert(t.calls.begin() + 4, 11);  // execve: never seen in training
  std::vector<float> s;
  m->ScoreEvents(t, &s);
  ASSERT_EQ(s.size(), t.calls.size());
  uint64_t n = 0;
  for (uint64_t seed = 0; seed < 4; ++seed) n += Grammar(seed, 12).calls.size();
  EXPECT_FLOAT_EQ(s[4], static_cast<float>(std::log(double(n) + 1)));
  for (size_t i = 0; i < s.size(); ++i) {
    EXPECT_GE(s[i], 0.0f);
    EXPECT_LE(s[i], s[4]);
  }
  Score score = m->ScoreTrace(t, ScoreOptions{});
  ASSERT_FALSE(score.reasons.empty());
  EXPECT_EQ(score.reasons[0].position, 4u);
  EXPECT_EQ(score.reasons[0].detail.rfind("call never seen in training: 11 after ", 0), 0u)
      << score.reasons[0].detail;
}

TEST(Lstm, ThreadAware) {
  auto m = Trained(Small({"epochs=3"}), 0, 8);
  Trace a = Grammar(100, 3), b = Grammar(101, 4);
  // Interleave a (tid 7) and b (tid 9): each thread scores exactly as it does alone.
  Trace mixed;
  mixed.table = SyscallTable::kX86_32;
  size_t i = 0, j = 0;
  while (i < a.calls.size() || j < b.calls.size()) {
    if (i < a.calls.size() && (j >= b.calls.size() || (i + j) % 3 != 2)) {
      mixed.calls.push_back(a.calls[i++]);
      mixed.tids.push_back(7);
    } else {
      mixed.calls.push_back(b.calls[j++]);
      mixed.tids.push_back(9);
    }
  }
  std::vector<float> sa, sb, sm;
  m->ScoreEvents(a, &sa);
  m->ScoreEvents(b, &sb);
  m->ScoreEvents(mixed, &sm);
  size_t ia = 0, ib = 0;
  for (size_t k = 0; k < mixed.calls.size(); ++k) {
    EXPECT_EQ(sm[k], mixed.tids[k] == 7 ? sa[ia++] : sb[ib++]) << k;
  }
  Score s = m->ScoreTrace(mixed, ScoreOptions{});
  ASSERT_FALSE(s.reasons.empty());
  EXPECT_NE(s.reasons[0].detail.find(", tid "), std::string::npos) << s.reasons[0].detail;
}

TEST(Lstm, TrainingIsDeterministicAndMergeIsTheUnion) {
  const ModelOptions o = Small({"epochs=4"});
  auto whole = Trained(o, 0, 10);
  auto again = Trained(o, 0, 10);
  EXPECT_EQ(whole->SaveBody(), again->SaveBody());

  // Two replicas learn halves (one trace twice, in another order); merged and prepared they
  // are the model that learned everything.
  auto left = Make(o);
  auto right = Make(o);
  for (uint64_t seed = 9; seed >= 5; --seed) ASSERT_TRUE(left->Learn(Grammar(seed, 12)).ok());
  for (uint64_t seed = 0; seed < 5; ++seed) ASSERT_TRUE(right->Learn(Grammar(seed, 12)).ok());
  ASSERT_TRUE(right->Prepare().ok());  // trained weights are dropped by the merge
  ASSERT_TRUE(left->Merge(*right).ok());
  ASSERT_TRUE(left->Prepare().ok());
  EXPECT_EQ(left->SaveBody(), whole->SaveBody());

  // A different seed gives a different network.
  auto other = Trained(Small({"epochs=4", "seed=2"}), 0, 10);
  EXPECT_NE(other->SaveBody(), whole->SaveBody());

  // Counts: a trace learned twice weighs twice, and merging counts adds them.
  auto twice = Make(o);
  ASSERT_TRUE(twice->Learn(Grammar(1, 12)).ok());
  ASSERT_TRUE(twice->Learn(Grammar(1, 12)).ok());
  auto once = Make(o);
  ASSERT_TRUE(once->Learn(Grammar(1, 12)).ok());
  auto once_more = Make(o);
  ASSERT_TRUE(once_more->Learn(Grammar(1, 12)).ok());
  ASSERT_TRUE(once->Merge(*once_more).ok());
  ASSERT_TRUE(twice->Prepare().ok());
  ASSERT_TRUE(once->Prepare().ok());
  EXPECT_EQ(once->SaveBody(), twice->SaveBody());
  EXPECT_EQ(twice->sequences(), 1u);
}

TEST(Lstm, MergeRefusesOtherOptionsModelsAndTables) {
  auto a = Trained(Small({"epochs=1"}), 0, 2);
  auto b = Trained(Small({"epochs=2"}), 0, 2);
  Status s = a->Merge(*b);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "lstm: cannot merge a model with other options");
  auto stide = NewModel("stide", ModelOptions());
  ASSERT_TRUE(stide.ok());
  EXPECT_EQ(a->Merge(**stide).message(), "lstm: cannot merge a 'stide' model");
  Trace other = Grammar(1, 2, "x64");
  other.table = SyscallTable::kX86_64;
  EXPECT_EQ(a->Learn(other).message(),
            "lstm: trace x64 uses the x86_64 syscall table, the model learned x86_32");
}

TEST(Lstm, SaveLoadScoresIdenticallyWithoutRetraining) {
  auto m = Trained(Small({"epochs=3", "score=top", "top=20"}), 0, 6);
  const std::string body = m->SaveBody();
  auto loaded = Make(m->options());
  ASSERT_TRUE(loaded->LoadBody(body).ok());
  ASSERT_TRUE(loaded->Prepare().ok());
  EXPECT_TRUE(loaded->epoch_loss().empty());  // the weights came from the body
  EXPECT_EQ(loaded->SaveBody(), body);
  for (uint64_t seed : {50, 51, 52}) {
    Trace t = Grammar(seed, 5);
    t.calls.push_back(200);
    std::vector<float> x, y;
    m->ScoreEvents(t, &x);
    loaded->ScoreEvents(t, &y);
    EXPECT_EQ(x, y);
    EXPECT_EQ(m->ScoreTrace(t, ScoreOptions{}).value, loaded->ScoreTrace(t, ScoreOptions{}).value);
  }
  // Learning after loading drops the weights: Prepare trains again.
  ASSERT_TRUE(loaded->Learn(Grammar(77, 3)).ok());
  ASSERT_TRUE(loaded->Prepare().ok());
  EXPECT_EQ(loaded->epoch_loss().size(), 3u);

  // An untrained (learned, not prepared) model round-trips too and trains on Prepare.
  auto fresh = Make(Small({"epochs=3", "score=top", "top=20"}));
  for (uint64_t seed = 0; seed < 6; ++seed) ASSERT_TRUE(fresh->Learn(Grammar(seed, 12)).ok());
  auto restored = Make(fresh->options());
  ASSERT_TRUE(restored->LoadBody(fresh->SaveBody()).ok());
  ASSERT_TRUE(restored->Prepare().ok());
  EXPECT_EQ(restored->SaveBody(), body);
}

// nets=2: two networks from seeds 1 and 2, mixed by their mean probability.
TEST(Lstm, MixtureOfNetworks) {
  auto one = Trained(Small({"epochs=3"}), 0, 6);
  auto two = Trained(Small({"epochs=3", "nets=2"}), 0, 6);
  auto second = Trained(Small({"epochs=3", "seed=2"}), 0, 6);
  Trace t = Grammar(61, 4);
  std::vector<float> a, b, mix;
  one->ScoreEvents(t, &a);
  second->ScoreEvents(t, &b);
  two->ScoreEvents(t, &mix);
  for (size_t i = 0; i < t.calls.size(); ++i) {
    const double p = (std::exp(-double(a[i])) + std::exp(-double(b[i]))) / 2;
    EXPECT_NEAR(mix[i], -std::log(p), 1e-4) << i;
  }
  auto loaded = Make(two->options());
  ASSERT_TRUE(loaded->LoadBody(two->SaveBody()).ok());
  ASSERT_TRUE(loaded->Prepare().ok());
  std::vector<float> again;
  loaded->ScoreEvents(t, &again);
  EXPECT_EQ(again, mix);
  // A body of two networks does not load as one.
  Status s = Make(one->options())->LoadBody(two->SaveBody());
  EXPECT_NE(s.message().find("1 network(s) of"), std::string::npos) << s.message();
}

TEST(Lstm, Aggregates) {
  auto mean = Trained(Small({"epochs=3"}), 0, 6);
  const std::string body = mean->SaveBody();
  Trace t = Grammar(40, 6);
  std::reverse(t.calls.begin() + 10, t.calls.end());
  std::vector<float> s;
  mean->ScoreEvents(t, &s);
  double sum = 0, max = 0;
  for (float v : s) {
    sum += v;
    max = std::max(max, double(v));
  }
  EXPECT_NEAR(mean->ScoreTrace(t, ScoreOptions{}).value, sum / double(s.size()), 1e-5);
  for (const char* agg : {"max", "top", "window"}) {
    ModelOptions o = Small({"epochs=3", std::string("score=") + agg, "top=100", "window=4"});
    auto m = Make(o);
    ASSERT_TRUE(m->LoadBody(body).ok());
    ASSERT_TRUE(m->Prepare().ok());
    const double v = m->ScoreTrace(t, ScoreOptions{}).value;
    if (std::string(agg) == "max") {
      EXPECT_FLOAT_EQ(v, max);
    } else if (std::string(agg) == "top") {
      EXPECT_NEAR(v, sum / double(s.size()), 1e-5);  // top 100 %
    } else {
      double best = 0;
      for (size_t i = 3; i < s.size(); ++i) {
        best = std::max(best, (double(s[i]) + s[i - 1] + s[i - 2] + s[i - 3]) / 4);
      }
      EXPECT_NEAR(v, best, 1e-5);
    }
  }
}

TEST(Lstm, BadOptions) {
  auto err = [](std::vector<std::string> kvs) {
    ModelOptions o;
    for (const std::string& kv : kvs) EXPECT_TRUE(o.Add(kv).ok());
    auto m = NewModel("lstm", o);
    return m.ok() ? std::string("ok") : std::string(m.status().message());
  };
  EXPECT_EQ(err({"hidden=0"}), "model option hidden=0 is outside [1, 512]");
  EXPECT_EQ(err({"lr=fast"}), "model option lr='fast' is not a number");
  EXPECT_EQ(err({"score=median"}),
            "lstm: option score: 'median' is not one of mean, max, top, window");
  EXPECT_EQ(err({"layers=2"}), "model 'lstm' has no option 'layers'");
  EXPECT_EQ(err({"epochs=3", "seed=9"}), "ok");
  auto m = Make(Small());
  EXPECT_EQ(m->Prepare().code(), StatusCode::kFailedPrecondition);
  // The stored calls are bounded.
  auto tight = Make(Small({"max_calls=20"}));
  Status s = tight->Learn(Grammar(1, 12, "big"));
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(s.message().find("more than max_calls=20"), std::string::npos) << s.message();
}

TEST(Lstm, BadBodies) {
  auto m = Trained(Small({"epochs=1"}), 0, 3);
  const std::string body = m->SaveBody();
  auto load = [](const ModelOptions& o, std::string_view bytes) {
    auto fresh = LstmModel::Create(o);
    EXPECT_TRUE(fresh.ok());
    return (*fresh)->LoadBody(bytes);
  };
  // Every truncation is refused with DataLoss naming the body.
  for (size_t n = 0; n < body.size(); n += 1 + n / 8) {
    Status s = load(m->options(), std::string_view(body).substr(0, n));
    EXPECT_EQ(s.code(), StatusCode::kDataLoss) << n;
    EXPECT_EQ(s.message().rfind("lstm body: ", 0), 0u) << s.message();
  }
  EXPECT_EQ(load(m->options(), body + "x").code(), StatusCode::kDataLoss);
  std::string version = body;
  version[0] = 9;
  EXPECT_EQ(load(m->options(), version).code(), StatusCode::kDataLoss);
  // Another network size than the options.
  Status s = load(Small({"epochs=1", "hidden=8"}), body);
  EXPECT_NE(s.message().find("the network has hidden=16, the options say hidden=8"),
            std::string::npos)
      << s.message();
  // A weight that is not finite.
  std::string nan = body;
  const uint32_t bits = 0x7fc00000;
  std::memcpy(&nan[nan.size() - 4], &bits, 4);
  s = load(m->options(), nan);
  EXPECT_NE(s.message().find("weight at byte"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("not a finite number"), std::string::npos) << s.message();
  // Too many stored calls for max_calls.
  s = load(Small({"epochs=1", "max_calls=10"}), body);
  EXPECT_NE(s.message().find("more than max_calls=10"), std::string::npos) << s.message();
}

// The fuzz target's seeds (testdata/ml/lstm/fuzz) are bodies the fuzz target's options load.
TEST(Lstm, FuzzSeedsLoad) {
  const std::string dir = test_paths::SourceDir() + "/testdata/ml/lstm/fuzz/";
  ModelOptions o;
  for (const char* kv :
       {"hidden=4", "embed=2", "epochs=1", "batch=4", "bptt=8", "max_calls=4096"}) {
    ASSERT_TRUE(o.Add(kv).ok());
  }
  for (const char* name : {"empty.bin", "untrained.bin", "trained.bin"}) {
    std::ifstream in(dir + name, std::ios::binary);
    ASSERT_TRUE(in) << dir << name;
    const std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto m = LstmModel::Create(o);
    ASSERT_TRUE(m.ok());
    Status s = (*m)->LoadBody(body);
    EXPECT_TRUE(s.ok()) << name << ": " << s.ToString();
    if (std::string(name) != "empty.bin") {
      EXPECT_TRUE((*m)->Prepare().ok()) << name;
    }
  }
}

}  // namespace
}  // namespace vigil::ml
