#include "ml/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace vigil::ml {
namespace {

TEST(RocAuc, HandComputedWithTies) {
  // Pairs won by the attack: 0.9 beats all 4; 0.4 beats 0.1 and 0.35 and ties 0.4 (2.5);
  // 0.6 beats 3. (4 + 2.5 + 3) / 12.
  EXPECT_DOUBLE_EQ(RocAuc({0.1, 0.4, 0.35, 0.8}, {0.9, 0.4, 0.6}), 9.5 / 12);
  EXPECT_DOUBLE_EQ(RocAuc({1, 2}, {3, 4}), 1.0);
  EXPECT_DOUBLE_EQ(RocAuc({3, 4}, {1, 2}), 0.0);
  EXPECT_DOUBLE_EQ(RocAuc({7, 7, 7}, {7, 7}), 0.5);
  EXPECT_DOUBLE_EQ(RocAuc({}, {1}), 0.5);
  EXPECT_DOUBLE_EQ(RocAuc({1}, {}), 0.5);
}

TEST(RocAuc, AgreesWithThePairwiseDefinitionOnLargerInput) {
  std::vector<double> normal, attack;
  for (int i = 0; i < 300; ++i) normal.push_back(static_cast<double>((i * 37) % 101) / 10);
  for (int i = 0; i < 200; ++i) attack.push_back(static_cast<double>((i * 53) % 131) / 10);
  double wins = 0;
  for (double a : attack) {
    for (double n : normal) wins += a > n ? 1.0 : (a == n ? 0.5 : 0.0);
  }
  EXPECT_NEAR(RocAuc(normal, attack), wins / (300.0 * 200.0), 1e-12);
}

TEST(RocCurve, OnePointPerDistinctScore) {
  std::vector<RocPoint> c = RocCurve({1, 3}, {2, 4});
  ASSERT_EQ(c.size(), 5u);
  double expected[5][3] = {{4, 0, 0}, {3, 0, 0.5}, {2, 0.5, 0.5}, {1, 0.5, 1}, {0, 1, 1}};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_DOUBLE_EQ(c[i].threshold, expected[i][0]) << i;
    EXPECT_DOUBLE_EQ(c[i].far, expected[i][1]) << i;
    EXPECT_DOUBLE_EQ(c[i].dr, expected[i][2]) << i;
  }
  EXPECT_TRUE(std::isinf(c[4].threshold) && c[4].threshold < 0);
  EXPECT_DOUBLE_EQ(c[4].far, 1);
  EXPECT_DOUBLE_EQ(c[4].dr, 1);
}

TEST(Threshold, SmallestNormalScoreWithAtMostFarNAbove) {
  std::vector<double> normal = {3, 1, 2, 4, 5, 6, 7, 8, 9, 10};
  EXPECT_DOUBLE_EQ(ThresholdAtFar(normal, 0.1), 9);    // k = 1: only 10 above
  EXPECT_DOUBLE_EQ(ThresholdAtFar(normal, 0.05), 10);  // k = 0: nothing above
  EXPECT_DOUBLE_EQ(ThresholdAtFar(normal, 0.25), 8);   // k = 2
  EXPECT_DOUBLE_EQ(ThresholdAtFar(normal, 1.0), 1);    // all but the smallest alarm
  EXPECT_DOUBLE_EQ(ThresholdAtFar(normal, 0.3), 7);    // 0.3 * 10 rounds to k = 3, not 2
  // Ties at the threshold make the realised rate lower than asked.
  OperatingPoint tied = AtFar({5, 5, 5, 1}, {6}, 0.5);
  EXPECT_DOUBLE_EQ(tied.threshold, 5);
  EXPECT_DOUBLE_EQ(tied.far, 0);
  EXPECT_DOUBLE_EQ(tied.dr, 1);
  OperatingPoint p = AtFar(normal, {9.5, 8.5, 10.5, 3}, 0.1);
  EXPECT_DOUBLE_EQ(p.target_far, 0.1);
  EXPECT_DOUBLE_EQ(p.threshold, 9);
  EXPECT_DOUBLE_EQ(p.far, 0.1);
  EXPECT_DOUBLE_EQ(p.dr, 0.5);
  EXPECT_TRUE(std::isinf(ThresholdAtFar({}, 0.1)));
}

TEST(LidDs, RecordingMetricsByHand) {
  std::vector<RecordingScores> recs = {
      // Two alarms before the attack (one run), then a detection.
      {{0.9f, 0.9f, 0.1f, 0.2f, 0.7f}, Label::kAttack, 3},
      // One false alarm, no detection.
      {{0.6f, 0.1f, 0.2f, 0.3f}, Label::kAttack, 2},
      // Three false-alarm calls in two runs.
      {{0.1f, 0.8f, 0.2f, 0.9f, 0.95f}, Label::kNormal, Trace::npos},
      {{0.1f, 0.2f}, Label::kNormal, Trace::npos},
      // An exploit without a start time: every call counts as after it.
      {{0.1f, 0.6f}, Label::kAttack, Trace::npos},
  };
  LidDsMetrics m = ComputeLidDsMetrics(recs, 0.5);
  EXPECT_EQ(m.attack_recordings, 3u);
  EXPECT_EQ(m.normal_recordings, 2u);
  EXPECT_EQ(m.detected, 2u);
  EXPECT_EQ(m.false_alarm_calls, 6u);
  EXPECT_EQ(m.cfa, 4u);
  EXPECT_EQ(m.normal_recordings_alarmed, 1u);
  EXPECT_DOUBLE_EQ(m.detection_rate, 2.0 / 3);
  EXPECT_DOUBLE_EQ(m.precision_cfa, 2.0 / 6);
  EXPECT_DOUBLE_EQ(m.f1_cfa, 4.0 / 9);
  EXPECT_DOUBLE_EQ(m.precision, 2.0 / 3);
  EXPECT_DOUBLE_EQ(m.f1, 2.0 / 3);
}

TEST(LidDs, RunEndsAtTheAttackStart) {
  LidDsMetrics m = ComputeLidDsMetrics(
      {{{0.9f, 0.9f, 0.9f, 0.9f}, Label::kAttack, 2}, {{0.9f}, Label::kNormal, Trace::npos}}, 0.5);
  EXPECT_EQ(m.false_alarm_calls, 3u);
  EXPECT_EQ(m.cfa, 2u);  // one run per recording
  EXPECT_EQ(m.detected, 1u);
  // A score equal to the threshold is not an alarm.
  EXPECT_EQ(ComputeLidDsMetrics({{{0.5f}, Label::kNormal, Trace::npos}}, 0.5).cfa, 0u);
}

}  // namespace
}  // namespace vigil::ml
