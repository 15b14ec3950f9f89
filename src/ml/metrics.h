// Detection metrics over model scores: ROC AUC and curve, the operating point at a chosen
// false-alarm rate, and the LID-DS recording metrics (detection per recording, consecutive
// false alarms, precision, F1).
//
// Conventions (docs/ml.md repeats them):
//   - Higher scores are more anomalous; a trace alarms when its score is STRICTLY above the
//     threshold.
//   - ROC AUC is the probability that a random attack scores above a random normal trace,
//     ties counting one half (the Mann-Whitney U statistic / (n_attack * n_normal)).
//   - The threshold at false-alarm rate `far` over N normal scores is the smallest normal
//     score with at most floor(far * N) normal scores strictly above it. The realised
//     false-alarm rate is therefore <= far (less when scores tie at the threshold).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "ml/trace.h"

namespace vigil::ml {

// NaN scores are not allowed anywhere below (callers map them first); O(n log n).
// 0.5 when either side is empty (no evidence either way).
double RocAuc(const std::vector<double>& normal, const std::vector<double>& attack);

struct RocPoint {
  double threshold = 0;  // alarm when score > threshold
  double far = 0;        // fraction of normal scores above the threshold
  double dr = 0;         // fraction of attack scores above the threshold
};
// One point per distinct score (descending thresholds), starting at (0, 0) with threshold
// = the largest score and ending at (1, 1) with threshold = -infinity.
std::vector<RocPoint> RocCurve(const std::vector<double>& normal,
                               const std::vector<double>& attack);

struct OperatingPoint {
  double target_far = 0;  // what was asked
  double threshold = 0;   // see the convention above; -infinity when there are no normals
  double far = 0;         // realised on the normal scores
  double dr = 0;          // detection rate on the attack scores (0 when there are none)
};
// The threshold at `far` (clamped to [0, 1]) over `normal`, with the rates it gives.
double ThresholdAtFar(const std::vector<double>& normal, double far);
OperatingPoint AtFar(const std::vector<double>& normal, const std::vector<double>& attack,
                     double far);

// LID-DS metrics (Grimmer et al., "LID-DS 2021"), over per-call scores of whole recordings.
struct RecordingScores {
  std::vector<float> calls;           // per-call scores (Model::ScoreEvents)
  Label label = Label::kUnknown;      // kAttack = exploit recording
  size_t attack_start = Trace::npos;  // npos in an attack recording = from the first call
};

struct LidDsMetrics {
  size_t attack_recordings = 0;
  size_t normal_recordings = 0;
  size_t detected = 0;  // attack recordings with an alarm at or after attack_start
  // Alarms before attack_start or in normal recordings, counted per call and as runs of
  // consecutive alarming calls (a run ends at a non-alarming call, at the attack start and at
  // the end of the recording).
  uint64_t false_alarm_calls = 0;
  uint64_t cfa = 0;
  size_t normal_recordings_alarmed = 0;  // normal recordings with any alarm
  double detection_rate = 0;             // = recall = detected / attack_recordings
  // LID-DS's precision: detected / (detected + cfa); F1 from it and the detection rate.
  double precision_cfa = 0;
  double f1_cfa = 0;
  // Recording level: an alarmed normal recording is a false positive.
  double precision = 0;  // detected / (detected + normal_recordings_alarmed)
  double f1 = 0;
};
LidDsMetrics ComputeLidDsMetrics(const std::vector<RecordingScores>& recordings, double threshold);

}  // namespace vigil::ml
