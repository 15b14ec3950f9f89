#include "ml/metrics.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <utility>

namespace vigil::ml {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

double Ratio(double num, double den) { return den > 0 ? num / den : 0; }

double F1(double precision, double recall) {
  return precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0;
}

// Number of values in `sorted_desc` strictly above `threshold`.
size_t CountAbove(const std::vector<double>& sorted_desc, double threshold) {
  return std::lower_bound(sorted_desc.begin(), sorted_desc.end(), threshold,
                          std::greater<double>()) -
         sorted_desc.begin();
}

std::vector<double> SortedDesc(std::vector<double> v) {
  std::sort(v.begin(), v.end(), std::greater<double>());
  return v;
}

}  // namespace

double RocAuc(const std::vector<double>& normal, const std::vector<double>& attack) {
  if (normal.empty() || attack.empty()) return 0.5;
  // Ranks of the pooled scores, ties sharing their average rank; the attack rank sum minus
  // its minimum is the Mann-Whitney U (pairs where the attack is higher, ties one half).
  std::vector<std::pair<double, bool>> pooled;
  pooled.reserve(normal.size() + attack.size());
  for (double s : normal) pooled.emplace_back(s, false);
  for (double s : attack) pooled.emplace_back(s, true);
  std::sort(pooled.begin(), pooled.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  double attack_rank_sum = 0;
  size_t i = 0;
  while (i < pooled.size()) {
    size_t j = i;
    size_t attacks = 0;
    while (j < pooled.size() && pooled[j].first == pooled[i].first) {
      attacks += pooled[j].second ? 1 : 0;
      ++j;
    }
    // Ranks i+1 .. j (1-based) share their mean.
    double mean_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;
    attack_rank_sum += mean_rank * static_cast<double>(attacks);
    i = j;
  }
  double na = static_cast<double>(attack.size());
  double nn = static_cast<double>(normal.size());
  double u = attack_rank_sum - na * (na + 1) / 2;
  return u / (na * nn);
}

std::vector<RocPoint> RocCurve(const std::vector<double>& normal,
                               const std::vector<double>& attack) {
  std::vector<double> n = SortedDesc(normal);
  std::vector<double> a = SortedDesc(attack);
  std::vector<double> all = n;
  all.insert(all.end(), a.begin(), a.end());
  all = SortedDesc(std::move(all));
  all.erase(std::unique(all.begin(), all.end()), all.end());
  std::vector<RocPoint> out;
  out.reserve(all.size() + 1);
  double nn = static_cast<double>(n.size());
  double na = static_cast<double>(a.size());
  for (double t : all) {
    out.push_back({t, Ratio(static_cast<double>(CountAbove(n, t)), nn),
                   Ratio(static_cast<double>(CountAbove(a, t)), na)});
  }
  out.push_back({kNegInf, n.empty() ? 0.0 : 1.0, a.empty() ? 0.0 : 1.0});
  return out;
}

double ThresholdAtFar(const std::vector<double>& normal, double far) {
  if (normal.empty()) return kNegInf;
  std::vector<double> n = SortedDesc(normal);
  far = std::clamp(far, 0.0, 1.0);
  // k = floor(far * N), guarding against 0.05 * 100 = 5.000000000000001 style rounding.
  size_t k = static_cast<size_t>(std::floor(far * static_cast<double>(n.size()) + 1e-9));
  k = std::min(k, n.size() - 1);
  // n[k] has at most k scores strictly above it (those before it, fewer when they tie), and
  // every smaller normal score has at least k + 1 above it.
  return n[k];
}

OperatingPoint AtFar(const std::vector<double>& normal, const std::vector<double>& attack,
                     double far) {
  OperatingPoint p;
  p.target_far = far;
  p.threshold = ThresholdAtFar(normal, far);
  size_t fa = 0, hits = 0;
  for (double s : normal) fa += s > p.threshold ? 1 : 0;
  for (double s : attack) hits += s > p.threshold ? 1 : 0;
  p.far = Ratio(static_cast<double>(fa), static_cast<double>(normal.size()));
  p.dr = Ratio(static_cast<double>(hits), static_cast<double>(attack.size()));
  return p;
}

LidDsMetrics ComputeLidDsMetrics(const std::vector<RecordingScores>& recordings, double threshold) {
  LidDsMetrics m;
  for (const RecordingScores& r : recordings) {
    bool attack = r.label == Label::kAttack;
    size_t start = attack ? (r.attack_start == Trace::npos ? 0 : r.attack_start) : r.calls.size();
    if (attack) {
      ++m.attack_recordings;
    } else {
      ++m.normal_recordings;
    }
    bool in_run = false;
    bool any_false_alarm = false;
    bool detected = false;
    for (size_t i = 0; i < r.calls.size(); ++i) {
      bool alarm = static_cast<double>(r.calls[i]) > threshold;
      if (i >= start) {
        if (alarm) detected = true;
        in_run = false;
        continue;
      }
      if (alarm) {
        ++m.false_alarm_calls;
        any_false_alarm = true;
        if (!in_run) ++m.cfa;
      }
      in_run = alarm;
    }
    if (attack && detected) ++m.detected;
    if (!attack && any_false_alarm) ++m.normal_recordings_alarmed;
  }
  double detected = static_cast<double>(m.detected);
  m.detection_rate = Ratio(detected, static_cast<double>(m.attack_recordings));
  m.precision_cfa = Ratio(detected, detected + static_cast<double>(m.cfa));
  m.f1_cfa = F1(m.precision_cfa, m.detection_rate);
  m.precision = Ratio(detected, detected + static_cast<double>(m.normal_recordings_alarmed));
  m.f1 = F1(m.precision, m.detection_rate);
  return m;
}

}  // namespace vigil::ml
