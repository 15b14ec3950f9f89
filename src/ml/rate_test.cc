#include "ml/rate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "base/test_paths.h"
#include "ml/behaviour_testutil.h"
#include "ml/model.h"
#include "ml/syscall_category.h"

namespace vigil::ml {
namespace {

using testing::Inject;
using testing::LearnWeb;

std::unique_ptr<RateModel> NewRate(std::map<std::string, std::string> options = {}) {
  auto m = RateModel::Create(ModelOptions(std::move(options)));
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? std::move(*m) : nullptr;
}

TEST(RateTest, Bins) {
  EXPECT_EQ(RateModel::Bin(0), 0u);
  EXPECT_EQ(RateModel::Bin(0.9), 0u);
  EXPECT_EQ(RateModel::Bin(1), 1u);
  EXPECT_EQ(RateModel::Bin(2), 3u);
  EXPECT_EQ(RateModel::Bin(3), 4u);
  EXPECT_EQ(RateModel::Bin(4), 5u);
  EXPECT_EQ(RateModel::Bin(300), 17u);
  EXPECT_EQ(RateModel::Bin(1e300), RateModel::kBins - 1);
  EXPECT_EQ(RateModel::Bin(-5), 0u);
  for (size_t b = 1; b < 60; ++b) {
    EXPECT_EQ(RateModel::Bin(RateModel::BinLow(b) * 1.0000001), b) << b;
    // Bin 2, [1.41, 2), holds no integer.
    if (b != 2) {
      EXPECT_EQ(RateModel::Bin(RateModel::BinHigh(b)), b) << b;
    }
  }
}

TEST(RateTest, WindowsOfATimedTrace) {
  auto m = NewRate();
  Trace t = testing::WebServerTrace(1, Inject::kConnectBurst);
  std::vector<RateModel::Window> windows;
  std::vector<uint32_t> window_of;
  EXPECT_TRUE(m->Windows(t, &windows, &window_of));
  ASSERT_EQ(windows.size(), 6u);
  ASSERT_EQ(window_of.size(), t.calls.size());
  double calls = 0, counted = 0;
  for (const auto& w : windows) {
    for (size_t c = 0; c < kSyscallCategoryCount; ++c) calls += w.values[c];
  }
  for (const auto& c : t.counts) counted += static_cast<double>(c.count);
  EXPECT_EQ(calls, static_cast<double>(t.calls.size()) + counted);
  // The burst: 300 upstream connections in the 5th window (the traffic starts 1 s after
  // the trace, so the middle run of requests straddles windows 4 and 5), on top of its
  // usual ones.
  EXPECT_GE(windows[4].values[9], 300);
  EXPECT_LT(windows[3].values[9], 10);
  EXPECT_EQ(windows[0].values[12], 1);  // nginx's execution
}

TEST(RateTest, WindowsOfCallsWithoutTiming) {
  auto m = NewRate({{"window_calls", "10"}});
  Trace t;
  t.table = SyscallTable::kX86_32;
  t.calls.assign(23, 5);                  // open: file
  t.calls.insert(t.calls.end(), 2, 102);  // socketcall: network; the tail is 5 calls
  std::vector<RateModel::Window> windows;
  std::vector<uint32_t> window_of;
  EXPECT_FALSE(m->Windows(t, &windows, &window_of));
  ASSERT_EQ(windows.size(), 3u);
  EXPECT_EQ(windows[0].values[0], 10);
  EXPECT_EQ(windows[2].values[0], 6);  // 3 file + 2 network calls scaled by 10/5
  EXPECT_EQ(windows[2].values[1], 4);
  EXPECT_EQ(window_of[24], 2u);
  t.calls.resize(21);  // a 1-call tail joins no window; its call scores as the previous one
  m->Windows(t, &windows, &window_of);
  ASSERT_EQ(windows.size(), 2u);
  EXPECT_EQ(window_of[20], 1u);
  t.calls.resize(3);  // shorter than a window: one scaled window
  m->Windows(t, &windows, &window_of);
  ASSERT_EQ(windows.size(), 1u);
  EXPECT_NEAR(windows[0].values[0], 10, 1e-9);
}

class RateWebTest : public ::testing::Test {
 protected:
  void SetUp() override {
    model_ = NewRate();
    LearnWeb(model_.get(), 1, 20);
    ASSERT_TRUE(model_->Prepare().ok());
  }
  std::unique_ptr<RateModel> model_;
};

TEST_F(RateWebTest, NormalRunsStayLowAndTheBurstIsExplained) {
  double worst_normal = 0;
  for (uint32_t seed = 101; seed <= 120; ++seed) {
    Score s = model_->ScoreTrace(testing::WebServerTrace(seed, Inject::kNone), {});
    worst_normal = std::max(worst_normal, s.value);
  }
  EXPECT_LE(worst_normal, 0.5);
  Score burst = model_->ScoreTrace(testing::WebServerTrace(201, Inject::kConnectBurst), {});
  EXPECT_GE(burst.value, 5.0);
  ASSERT_FALSE(burst.reasons.empty());
  EXPECT_EQ(burst.reasons[0].kind, "rate");
  EXPECT_EQ(burst.reasons[0].detail.substr(0, 24), "connections out 303/10s ");
  EXPECT_NE(burst.reasons[0].detail.find("(usual "), std::string::npos) << burst.reasons[0].detail;
  // The other injections are single events: within the usual range of rates.
  for (Inject i : {Inject::kShell, Inject::kNewPeer, Inject::kUsrBinWrite, Inject::kShadowRead}) {
    EXPECT_LE(model_->ScoreTrace(testing::WebServerTrace(201, i), {}).value, 0.5);
  }
  // Per call: the burst's window carries the score.
  Trace t = testing::WebServerTrace(201, Inject::kConnectBurst);
  std::vector<float> events;
  model_->ScoreEvents(t, &events);
  ASSERT_EQ(events.size(), t.calls.size());
  EXPECT_EQ(*std::max_element(events.begin(), events.end()), static_cast<float>(burst.value));
  EXPECT_EQ(events.front(), 0.0f);
}

TEST_F(RateWebTest, PinnedScores) {
  Score burst = model_->ScoreTrace(testing::WebServerTrace(201, Inject::kConnectBurst), {});
  // Octaves outside the usual range: the connections, and the socket and close calls that
  // come with them.
  EXPECT_EQ(burst.value, 11.5);
  ASSERT_EQ(burst.reasons.size(), 3u);
  EXPECT_EQ(burst.reasons[0].detail, "connections out 303/10s (usual 0-7)");
  EXPECT_EQ(burst.reasons[0].weight, 5.5);
  EXPECT_EQ(burst.reasons[1].detail, "network calls 615/10s (usual 4-31)");
  EXPECT_EQ(burst.reasons[1].weight, 4.5);
  EXPECT_EQ(burst.reasons[2].detail, "file calls 378/10s (usual 32-181)");
  EXPECT_EQ(burst.reasons[2].weight, 1.5);
}

TEST_F(RateWebTest, SurpriseScoresRankTheBurstFirst) {
  auto m = NewRate({{"score", "surprise"}});
  LearnWeb(m.get(), 1, 20);
  ASSERT_TRUE(m->Prepare().ok());
  double worst_normal = 0;
  for (uint32_t seed = 101; seed <= 120; ++seed) {
    double v = m->ScoreTrace(testing::WebServerTrace(seed, Inject::kNone), {}).value;
    EXPECT_GT(v, 0);  // every window has some surprise
    worst_normal = std::max(worst_normal, v);
  }
  Score burst = m->ScoreTrace(testing::WebServerTrace(201, Inject::kConnectBurst), {});
  EXPECT_GT(burst.value, worst_normal + 1);
  ASSERT_FALSE(burst.reasons.empty());
  EXPECT_EQ(burst.reasons[0].detail, "connections out 303/10s (usual 0-7)");
  EXPECT_EQ(m->options().values().at("score"), "surprise");
  EXPECT_EQ(NewModel("rate", ModelOptions(std::map<std::string, std::string>{{"trace", "sum"}}))
                .status()
                .message(),
            "model option trace='sum' is not max or mean");
}

TEST(RateTest, MergeEqualsLearningTheUnion) {
  auto a = NewRate();
  auto b = NewRate();
  auto all = NewRate();
  LearnWeb(a.get(), 1, 7);
  LearnWeb(b.get(), 8, 15);
  LearnWeb(all.get(), 1, 15);
  ASSERT_TRUE(a->Merge(*b).ok());
  EXPECT_EQ(a->SaveBody(), all->SaveBody());
  auto other = NewRate({{"window_s", "5"}});
  EXPECT_EQ(a->Merge(*other).code(), StatusCode::kInvalidArgument);
}

TEST(RateTest, SaveLoadRoundTripAndCorruption) {
  auto m = NewRate();
  LearnWeb(m.get(), 1, 3);
  const std::string body = m->SaveBody();
  auto loaded = NewRate();
  ASSERT_TRUE(loaded->LoadBody(body).ok());
  EXPECT_EQ(loaded->SaveBody(), body);
  ASSERT_TRUE(m->Prepare().ok());
  ASSERT_TRUE(loaded->Prepare().ok());
  Trace t = testing::WebServerTrace(50, Inject::kConnectBurst);
  EXPECT_EQ(m->ScoreTrace(t, {}).value, loaded->ScoreTrace(t, {}).value);

  auto fresh = NewRate();
  for (size_t n = 0; n < body.size(); ++n) {
    EXPECT_FALSE(fresh->LoadBody(body.substr(0, n)).ok()) << "truncated at " << n;
  }
  size_t rejected = 0;
  for (size_t i = 0; i < body.size(); ++i) {
    for (uint8_t flip : {0x01, 0x80, 0xff}) {
      std::string bad = body;
      bad[i] = static_cast<char>(bad[i] ^ flip);
      Status s = fresh->LoadBody(bad);
      if (!s.ok()) {
        ++rejected;
        EXPECT_EQ(s.message().rfind("rate body: ", 0), 0u) << s.message();
      }
    }
  }
  EXPECT_GT(rejected, body.size());
  std::string v2 = body;
  v2[0] = 2;
  EXPECT_EQ(fresh->LoadBody(v2).message(),
            "rate body: version at byte 1: unsupported version 2 (this build reads 1)");
}

TEST(RateTest, OptionsAndRegistry) {
  auto m = NewModel("rate", ModelOptions(std::map<std::string, std::string>{{"window_s", "2.5"}}));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ((*m)->options().values().at("window_s"), "2.5");
  EXPECT_EQ((*m)->options().values().at("window_calls"), "100");
  EXPECT_EQ((*m)->Prepare().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(NewModel("rate", ModelOptions(std::map<std::string, std::string>{{"quantile", "0.6"}}))
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  Trace x32;
  x32.table = SyscallTable::kX86_32;
  x32.calls = {5, 3, 6};
  Trace x64 = x32;
  x64.table = SyscallTable::kX86_64;
  ASSERT_TRUE((*m)->Learn(x32).ok());
  EXPECT_EQ((*m)->Learn(x64).code(), StatusCode::kInvalidArgument);
}

// ADFA-LD (../shared/datasets/adfa-ld-dev): train on Training, score Validation (normal) and
// Attack; report the ROC AUC. The rate model sees only category histograms of 100-call
// windows here (no timing, no activities); the profile model has nothing to learn from
// bare syscall sequences, so it is not run.
std::vector<Trace> ReadAdfaDir(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() == ".txt") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<Trace> out;
  for (const auto& f : files) {
    std::ifstream in(f);
    Trace t;
    t.id = f.string();
    t.table = SyscallTable::kX86_32;
    int nr;
    while (in >> nr) {
      if (nr >= 0 && nr <= kMaxSyscall) t.calls.push_back(static_cast<uint16_t>(nr));
    }
    out.push_back(std::move(t));
  }
  return out;
}

double Auc(const std::vector<double>& normal, const std::vector<double>& attack) {
  double wins = 0;
  for (double a : attack) {
    for (double n : normal) wins += a > n ? 1 : (a == n ? 0.5 : 0);
  }
  return wins / (static_cast<double>(normal.size()) * static_cast<double>(attack.size()));
}

TEST(RateTest, AdfaLdDev) {
  std::filesystem::path root =
      std::filesystem::path(test_paths::SharedDir()) / "datasets/adfa-ld-dev";
  if (!std::filesystem::exists(root / "Training_Data_Master")) {
    GTEST_SKIP() << "ADFA-LD dev set absent at " << root;
  }
  std::vector<Trace> train = ReadAdfaDir(root / "Training_Data_Master");
  std::vector<Trace> validation = ReadAdfaDir(root / "Validation_Data_Master");
  std::vector<Trace> attack = ReadAdfaDir(root / "Attack_Data_Master");
  ASSERT_FALSE(train.empty());
  // The defaults (range scores of 100-call windows, worst window), and the settings that
  // rank bare syscall traces best here (surprise of 10-call windows, mean over windows).
  const std::vector<std::map<std::string, std::string>> settings = {
      {},
      {{"window_calls", "10"}, {"score", "surprise"}, {"trace", "mean"}},
      {{"window_calls", "20"}, {"score", "surprise"}, {"trace", "mean"}},
  };
  for (const auto& options : settings) {
    std::string name;
    for (const auto& [k, v] : options) name += (name.empty() ? "" : ",") + k + "=" + v;
    if (name.empty()) name = "defaults";
    auto m = NewRate(options);
    for (const Trace& t : train) ASSERT_TRUE(m->Learn(t).ok());
    ASSERT_TRUE(m->Prepare().ok());
    std::vector<double> n, a;
    for (const Trace& t : validation) n.push_back(m->ScoreTrace(t, {}).value);
    for (const Trace& t : attack) a.push_back(m->ScoreTrace(t, {}).value);
    double auc = Auc(n, a);
    // Detection rate at 5 % false alarms: the threshold is the validation scores' 95th
    // percentile; attacks above it are detected.
    std::vector<double> sorted = n;
    std::sort(sorted.begin(), sorted.end());
    double threshold = sorted[static_cast<size_t>(0.95 * static_cast<double>(sorted.size()))];
    double dr = static_cast<double>(
                    std::count_if(a.begin(), a.end(), [&](double x) { return x > threshold; })) /
                static_cast<double>(a.size());
    std::printf(
        "ADFA-LD dev, rate model (%s): AUC %.3f, DR %.3f at 5%% FAR (%zu normal, %zu "
        "attack)\n",
        name.c_str(), auc, dr, n.size(), a.size());
    RecordProperty("auc " + name, std::to_string(auc));
    // A regression guard for the measured figure of the surprise setting (0.816 when written).
    if (options.count("score")) {
      EXPECT_GT(auc, 0.78) << name;
    }
  }
}

}  // namespace
}  // namespace vigil::ml

namespace vigil::ml {
namespace {

// The fuzz target's seeds (testdata/ml/profile/fuzz; first byte: even = profile, odd =
// rate): the *_web bodies are valid, the others are each rejected for one named reason.
TEST(BehaviourFuzzSeeds, LoadAsDocumented) {
  std::filesystem::path dir =
      std::filesystem::path(test_paths::SourceDir()) / "testdata/ml/profile/fuzz";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "no seeds at " << dir;
  auto load = [&](const char* name) {
    std::ifstream in(dir / name, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_FALSE(bytes.empty()) << name;
    auto m = NewModel((bytes[0] & 1) ? "rate" : "profile", ModelOptions());
    return (*m)->LoadBody(std::string_view(bytes).substr(1));
  };
  EXPECT_TRUE(load("profile_web").ok());
  EXPECT_TRUE(load("profile_empty").ok());
  EXPECT_TRUE(load("rate_web").ok());
  EXPECT_EQ(load("profile_truncated").code(), StatusCode::kDataLoss);
  EXPECT_NE(load("rate_bad_bin").message().find("bin 200"), std::string::npos);
  EXPECT_NE(load("rate_version2").message().find("unsupported version 2"), std::string::npos);
}

}  // namespace
}  // namespace vigil::ml
