// A calibrated combination of other models. Each member learns the same traces; Calibrate
// scores held-out normal traces (ADFA-LD's Validation set) with every member and keeps the
// sorted scores; a member's calibrated score of a trace is its rank among those normals — the
// empirical CDF, F(s) = (#normals below s + #normals equal to s / 2) / #normals — which puts
// models of unrelated scales (a fraction, bits, a distance) on one [0, 1] scale where 0.95
// means "more anomalous than 95 % of normal traces". The ensemble's score is the mean (or the
// max) of its members' calibrated scores.
//
// Options: members=markov,stide (registered names, each at most once), combine=mean|max,
// and any member option as "<member>.<key>=<value>" (markov.order=8). Learn, Merge and Prepare
// pass through to the members; Merge drops the calibration (calibrate again). The body nests
// every member's body and the calibration, so a loaded ensemble scores exactly as saved.
// Before Calibrate the score is the plain mean of the members' raw scores.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ml/model.h"

namespace vigil::ml {

class EnsembleModel : public Model {
 public:
  static constexpr uint8_t kBodyVersion = 1;
  static StatusOr<std::unique_ptr<EnsembleModel>> Create(const ModelOptions& options);

  std::string_view name() const override { return "ensemble"; }
  Granularity granularity() const override;
  ModelOptions options() const override { return options_; }

  Status Learn(const Trace& trace) override;
  Status Merge(const Model& other) override;
  Status Prepare() override;
  Status Calibrate(const std::vector<const Trace*>& normal) override;
  Score ScoreTrace(const Trace& trace, const ScoreOptions& options) const override;
  void ScoreEvents(const Trace& trace, std::vector<float>* out) const override;
  std::string SaveBody() const override;
  Status LoadBody(std::string_view body) override;
  size_t MemoryBytes() const override;

  size_t member_count() const { return members_.size(); }
  const Model& member(size_t i) const { return *members_[i]; }
  bool calibrated() const { return !normal_scores_.empty(); }
  // Member i's calibrated score of raw score s (requires calibration).
  double Calibrated(size_t i, double s) const;

 private:
  enum class Combine : uint8_t { kMean, kMax };
  EnsembleModel(ModelOptions options, Combine combine, std::vector<std::unique_ptr<Model>> members)
      : options_(std::move(options)), combine_(combine), members_(std::move(members)) {}

  ModelOptions options_;
  Combine combine_;
  std::vector<std::unique_ptr<Model>> members_;
  std::vector<std::vector<double>> normal_scores_;  // per member, sorted; empty = uncalibrated
};

}  // namespace vigil::ml
