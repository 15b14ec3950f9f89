#include "ml/profile.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "base/test_paths.h"
#include "ml/behaviour_testutil.h"
#include "ml/capture.h"
#include "ml/model.h"

namespace vigil::ml {
namespace {

using testing::Inject;
using testing::LearnWeb;

std::unique_ptr<ProfileModel> NewProfile(std::map<std::string, std::string> options = {}) {
  auto m = ProfileModel::Create(ModelOptions(std::move(options)));
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? std::move(*m) : nullptr;
}

class ProfileWebTest : public ::testing::Test {
 protected:
  void SetUp() override {
    model_ = NewProfile();
    LearnWeb(model_.get(), 1, 20);
    ASSERT_TRUE(model_->Prepare().ok());
  }
  Score ScoreOf(Inject inject, uint32_t seed = 201) const {
    return model_->ScoreTrace(testing::WebServerTrace(seed, inject), ScoreOptions{});
  }
  std::unique_ptr<ProfileModel> model_;
};

TEST_F(ProfileWebTest, NormalRunsScoreZero) {
  EXPECT_EQ(model_->workloads(), 2u);  // web and the host's conmon
  for (uint32_t seed = 101; seed <= 110; ++seed) {
    Score s = ScoreOf(Inject::kNone, seed);
    EXPECT_EQ(s.value, 0) << "seed " << seed << ": "
                          << (s.reasons.empty() ? "" : s.reasons[0].detail);
  }
}

TEST_F(ProfileWebTest, InjectedBehavioursAreExplained) {
  struct Case {
    Inject inject;
    double score;
    std::string kind;
    std::string detail;
  };
  const Case cases[] = {
      {Inject::kShell, 3, "process", "new process /bin/sh (parent /usr/sbin/nginx)"},
      {Inject::kNewPeer, 2, "network", "new outbound peer 203.0.113.9:4444"},
      {Inject::kUsrBinWrite, 2, "file", "new file written /usr/bin/evil"},
      {Inject::kShadowRead, 4, "file", "new sensitive read /etc/shadow"},
  };
  for (const Case& c : cases) {
    Score s = ScoreOf(c.inject);
    EXPECT_EQ(s.value, c.score) << c.detail;
    ASSERT_EQ(s.reasons.size(), 1u) << c.detail;
    EXPECT_EQ(s.reasons[0].kind, c.kind);
    EXPECT_EQ(s.reasons[0].detail, c.detail);
    EXPECT_EQ(s.reasons[0].weight, c.score);
  }
  // More of a known behaviour is not new: the burst of upstream connections is the rate
  // model's to see.
  EXPECT_EQ(ScoreOf(Inject::kConnectBurst).value, 0);
}

TEST_F(ProfileWebTest, ScoreEventsMarksTheWindowOfTheNewBehaviour) {
  Trace t = testing::WebServerTrace(201, Inject::kShell);
  std::vector<float> events;
  model_->ScoreEvents(t, &events);
  ASSERT_EQ(events.size(), t.calls.size());
  // Calls in the 10 s window of the shell's execution score its weight, the others 0.
  uint64_t t0 = std::min(t.ts_ns.front(), t.activities.front().ts_ns);
  uint64_t shell_ts = 0;
  for (const Activity& a : t.activities) {
    if (a.kind == ActivityKind::kExec && a.object == "/bin/sh") shell_ts = a.ts_ns;
  }
  ASSERT_NE(shell_ts, 0u);
  const uint64_t shell_window = (shell_ts - t0) / testing::kWindowNs;
  EXPECT_EQ(shell_window, 4u);
  size_t flagged = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    uint64_t window = (t.ts_ns[i] - t0) / testing::kWindowNs;
    EXPECT_EQ(events[i], window == shell_window ? 3.0f : 0.0f) << "call " << i;
    flagged += events[i] > 0;
  }
  EXPECT_GT(flagged, 10u);
}

TEST_F(ProfileWebTest, UnknownWorkloadIsComparedWithAllAndSaysSo) {
  Trace t = testing::WebServerTrace(201, Inject::kNone);
  t.group = "web-canary";
  Score s = model_->ScoreTrace(t, ScoreOptions{});
  EXPECT_EQ(s.value, 1);
  ASSERT_EQ(s.reasons.size(), 1u);
  EXPECT_EQ(s.reasons[0].detail,
            "workload 'web-canary' was never learned: compared with all workloads");
}

TEST(ProfileTest, HalfWeightForKnownProgramsAndPeers) {
  auto m = NewProfile();
  Trace learned;
  learned.group = "w";
  learned.activities = {{1, ActivityKind::kExec, "/usr/bin/bash", "/usr/bin/curl", 1},
                        {2, ActivityKind::kConnect, "/usr/bin/curl", "10.0.0.1:443", 1}};
  // Three training traces: the reasons quote the counts; the weights do not use them.
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(m->Learn(learned).ok());
  ASSERT_TRUE(m->Prepare().ok());
  Trace t;
  t.group = "w";
  t.activities = {{1, ActivityKind::kExec, "/usr/sbin/cron", "/usr/bin/curl", 1},
                  {2, ActivityKind::kConnect, "/usr/bin/curl", "10.0.0.1:80", 1},
                  {3, ActivityKind::kConnect, "/usr/bin/curl", "10.9.9.9:443", 1},
                  {4, ActivityKind::kConnect, "/usr/bin/curl", "10.9.9.9:443", 1},
                  {5, ActivityKind::kUser, "/usr/bin/curl", "0", 1},
                  {6, ActivityKind::kCapability, "/usr/bin/curl", "CAP_SYS_ADMIN", 1},
                  {7, ActivityKind::kListen, "/usr/bin/curl", "tcp/9000", 1},
                  {8, ActivityKind::kAccept, "/usr/bin/curl", "192.168.7.9", 1},
                  {9, ActivityKind::kBytesOut, "/usr/bin/curl", "", 100000}};
  Score s = m->ScoreTrace(t, ScoreOptions{10});
  // 1.5 (exec, known program) + 1 + 1 (peers) + 3 (user) + 3 (capability) + 3 (listen) + 0.5
  EXPECT_EQ(s.value, 13);
  ASSERT_EQ(s.reasons.size(), 7u);
  EXPECT_EQ(s.reasons[0].detail, "new user uid 0 (/usr/bin/curl)");
  EXPECT_EQ(s.reasons[1].detail, "new capability CAP_SYS_ADMIN (/usr/bin/curl)");
  EXPECT_EQ(s.reasons[2].detail, "new listening port tcp/9000");
  EXPECT_EQ(s.reasons[3].detail,
            "known process /usr/bin/curl with a new parent /usr/sbin/cron (run 3 times in "
            "training, under other parents)");
  EXPECT_EQ(s.reasons[4].detail,
            "new port of a known outbound peer 10.0.0.1:80 (host contacted 3 times in training)");
  EXPECT_EQ(s.reasons[5].detail,
            "new outbound peer 10.9.9.9:443 (known port, used 3 times in training)");
  EXPECT_EQ(s.reasons[6].detail, "new inbound peer 192.168.7.9 (192.168.7.0/24)");
  EXPECT_EQ(s.reasons[6].position, 7u);
  EXPECT_EQ(m->ScoreTrace(t, ScoreOptions{2}).reasons.size(), 2u);
}

TEST(ProfileTest, GeneralizePath) {
  EXPECT_EQ(ProfileModel::GeneralizePath("/proc/1234/environ", 64), "/proc/*/environ");
  EXPECT_EQ(ProfileModel::GeneralizePath("/var/log/nginx/access.log", 3), "/var/log/nginx/*");
  EXPECT_EQ(ProfileModel::GeneralizePath("/usr/bin/evil", 3), "/usr/bin/evil");
  EXPECT_EQ(ProfileModel::GeneralizePath("/tmp/tmpAb3dE9xQ", 3), "/tmp/*");
  EXPECT_EQ(ProfileModel::GeneralizePath("/tmp/build-2024/x", 3), "/tmp/*/x");
  EXPECT_EQ(ProfileModel::GeneralizePath("/var/lib/docker/0123abcd4567ef89/x", 8),
            "/var/lib/docker/*/x");
  EXPECT_EQ(ProfileModel::GeneralizePath("/lib/x86_64-linux-gnu/libc.so.6", 8),
            "/lib/x86_64-linux-gnu/libc.so.6");
  EXPECT_EQ(ProfileModel::GeneralizePath("//etc/./passwd", 3), "/etc/./passwd");
  EXPECT_EQ(ProfileModel::GeneralizePath("/", 3), "/");
  EXPECT_EQ(ProfileModel::GeneralizePath("", 3), "");
  EXPECT_EQ(ProfileModel::GeneralizePath("nginx", 3), "nginx");
  EXPECT_EQ(ProfileModel::GeneralizePath("data/12345/x", 3), "data/*/x");
}

TEST(ProfileTest, MergeEqualsLearningTheUnion) {
  auto a = NewProfile();
  auto b = NewProfile();
  auto all = NewProfile();
  LearnWeb(a.get(), 1, 6);
  LearnWeb(b.get(), 7, 12);
  for (uint32_t seed : {201u}) {
    for (const Trace& t : testing::WebServerTraces(seed, Inject::kShell)) {
      ASSERT_TRUE(b->Learn(t).ok());
    }
  }
  LearnWeb(all.get(), 1, 12);
  for (const Trace& t : testing::WebServerTraces(201, Inject::kShell)) {
    ASSERT_TRUE(all->Learn(t).ok());
  }
  ASSERT_TRUE(a->Merge(*b).ok());
  EXPECT_EQ(a->SaveBody(), all->SaveBody());
  // Merging is commutative in effect.
  auto a2 = NewProfile();
  LearnWeb(a2.get(), 1, 6);
  ASSERT_TRUE(b->Merge(*a2).ok());
  EXPECT_EQ(b->SaveBody(), all->SaveBody());

  auto other = NewProfile({{"depth", "4"}});
  Status s = a->Merge(*other);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  Trace x32;
  x32.table = SyscallTable::kX86_32;
  EXPECT_EQ(a->Learn(x32).code(), StatusCode::kInvalidArgument);
}

TEST(ProfileTest, SaveLoadRoundTripScoresTheSame) {
  auto m = NewProfile({{"w_sensitive", "10"}});
  LearnWeb(m.get(), 1, 5);
  std::string body = m->SaveBody();
  EXPECT_EQ(body.size(), 520u);  // pinned: the encoding is versioned
  auto loaded = NewProfile({{"w_sensitive", "10"}});
  ASSERT_TRUE(loaded->LoadBody(body).ok());
  EXPECT_EQ(loaded->SaveBody(), body);
  ASSERT_TRUE(m->Prepare().ok());
  ASSERT_TRUE(loaded->Prepare().ok());
  Trace t = testing::WebServerTrace(300, Inject::kShadowRead);
  EXPECT_EQ(loaded->ScoreTrace(t, {}).value, 10);
  EXPECT_EQ(m->ScoreTrace(t, {}).value, loaded->ScoreTrace(t, {}).value);
  EXPECT_GT(loaded->MemoryBytes(), body.size());
}

TEST(ProfileTest, CorruptBodiesAreRejected) {
  auto m = NewProfile();
  LearnWeb(m.get(), 1, 2);
  const std::string body = m->SaveBody();
  auto fresh = NewProfile();
  for (size_t n = 0; n < body.size(); ++n) {
    EXPECT_FALSE(fresh->LoadBody(body.substr(0, n)).ok()) << "truncated at " << n;
  }
  EXPECT_EQ(fresh->LoadBody(body + "x").message(),
            "profile body: end at byte " + std::to_string(body.size()) + ": 1 trailing bytes");
  std::string v9 = body;
  v9[0] = 9;
  EXPECT_EQ(fresh->LoadBody(v9).message(),
            "profile body: version at byte 1: unsupported version 9 (this build reads 1)");
  // Every single-byte corruption either loads (a different but valid model) or fails with a
  // message; never a crash or an unbounded allocation.
  size_t rejected = 0;
  for (size_t i = 0; i < body.size(); ++i) {
    for (uint8_t flip : {0x01, 0x80, 0xff}) {
      std::string bad = body;
      bad[i] = static_cast<char>(bad[i] ^ flip);
      Status s = fresh->LoadBody(bad);
      if (!s.ok()) {
        ++rejected;
        EXPECT_EQ(s.code(), StatusCode::kDataLoss);
        EXPECT_EQ(s.message().rfind("profile body: ", 0), 0u) << s.message();
      }
    }
  }
  EXPECT_GT(rejected, body.size());
  // A failed load leaves the model as it was.
  ASSERT_TRUE(fresh->LoadBody(body).ok());
  EXPECT_FALSE(fresh->LoadBody("\x01").ok());
  EXPECT_EQ(fresh->SaveBody(), body);
}

// The real podman recording (testdata/ml/captures): the container's profile learned from it
// scores the recording itself 0, and one added execution is the only reason.
TEST(ProfileTest, RealRecording) {
  std::string path = test_paths::SourceDir() + "/testdata/ml/captures/podman-httpd.vgl";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "no recording at " << path;
  auto traces = ReadVigilCapture(path);
  ASSERT_TRUE(traces.ok()) << traces.status();
  auto m = NewProfile();
  for (const Trace& t : *traces) ASSERT_TRUE(m->Learn(t).ok());
  ASSERT_TRUE(m->Prepare().ok());
  const Trace* httpd = nullptr;
  for (const Trace& t : *traces) {
    EXPECT_EQ(m->ScoreTrace(t, {}).value, 0) << t.group;
    if (t.group == "httpd") httpd = &t;
  }
  ASSERT_NE(httpd, nullptr);
  Trace changed = *httpd;
  changed.activities.push_back(Activity{changed.activities.back().ts_ns, ActivityKind::kExec,
                                        "/bin/busybox", "/usr/bin/nc", 1});
  Score s = m->ScoreTrace(changed, {});
  EXPECT_EQ(s.value, 3);
  ASSERT_EQ(s.reasons.size(), 1u);
  EXPECT_EQ(s.reasons[0].detail, "new process /usr/bin/nc (parent /bin/busybox)");
}

TEST(ProfileTest, OptionsAndRegistry) {
  auto m = NewModel("profile", ModelOptions(std::map<std::string, std::string>{{"depth", "2"}}));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ((*m)->name(), "profile");
  EXPECT_EQ((*m)->granularity(), Granularity::kWindowed);
  EXPECT_EQ((*m)->options().values().at("depth"), "2");
  EXPECT_EQ((*m)->options().values().at("w_exec"), "3");
  EXPECT_EQ((*m)->Prepare().code(), StatusCode::kFailedPrecondition);
  auto bad = NewModel("profile", ModelOptions(std::map<std::string, std::string>{{"depht", "2"}}));
  EXPECT_EQ(bad.status().message(), "model 'profile' has no option 'depht'");
  auto range =
      NewModel("profile", ModelOptions(std::map<std::string, std::string>{{"depth", "0"}}));
  EXPECT_EQ(range.status().code(), StatusCode::kInvalidArgument);
  // Unprepared scoring is all zeros, not a crash.
  Trace t = testing::WebServerTrace(1, Inject::kShell);
  std::vector<float> events;
  (*m)->ScoreEvents(t, &events);
  EXPECT_EQ(events, std::vector<float>(t.calls.size(), 0.0f));
}

}  // namespace
}  // namespace vigil::ml
