// Issue 10's ADFA-LD figure for the sequence-covering model (cover.h) on the shared dev set
// (../shared/datasets/adfa-ld-dev): learn Training_Data_Master, calibrate on
// Validation_Data_Master, score every Validation and Attack trace. Skips when ../shared is
// absent. The asserted bounds are the figures measured here, rounded down.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "ml/adfa_testutil.h"
#include "ml/datasets.h"
#include "ml/metrics.h"
#include "ml/model.h"

namespace vigil::ml {
namespace {

using testing::AdfaLd;
using testing::EvaluateAdfa;
using testing::Figure;

TEST_F(AdfaLd, CoverSegments) {
  Figure f = EvaluateAdfa("cover", {"score=segments"});
  EXPECT_GE(f.auc, 0.845);
  EXPECT_GE(f.dr5, 0.32);
}

TEST_F(AdfaLd, CoverMean) {
  Figure f = EvaluateAdfa("cover", {"score=mean"});
  EXPECT_GE(f.auc, 0.844);
}

// Sensitivity: demanding that a stretch occur in several training traces only loses
// evidence (measured AUC: support=1 0.848, 2 0.832, 3 0.823, 5 0.809).
TEST_F(AdfaLd, CoverSupport) {
  Figure two = EvaluateAdfa("cover", {"score=segments", "support=2"});
  EXPECT_GE(two.auc, 0.83);
  EXPECT_LT(two.auc, EvaluateAdfa("cover", {"score=segments"}).auc);
}

// Sensitivity: the mean of the top k % per-call values (k = 1, 10, 50: AUC 0.65, 0.74,
// 0.84) never beats the whole-trace mean: ADFA-LD's attacks are not short novel bursts.
TEST_F(AdfaLd, CoverTop) {
  EXPECT_GE(EvaluateAdfa("cover", {"score=top", "top=10"}).auc, 0.73);
  EXPECT_GE(EvaluateAdfa("cover", {"score=top", "top=50"}).auc, 0.838);
}

// In M2's ensemble (mean of validation ranks) cover adds nothing to markov: their signals
// are nearly the same (both measure how much context of the trace training has seen).
TEST_F(AdfaLd, Ensemble) {
  EXPECT_GE(EvaluateAdfa("ensemble", {"members=markov,cover"}).auc, 0.845);
}

}  // namespace
}  // namespace vigil::ml
