#include "ml/ensemble.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <utility>

#include "ml/codec.h"
#include "ml/model_checks.h"
#include "ml/models.h"
#include "ml/ngram.h"

namespace vigil::ml {
namespace {

std::vector<std::string> SplitNames(const std::string& list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    out.push_back(list.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

std::string Fixed(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3f", v);
  return buf;
}

}  // namespace

StatusOr<std::unique_ptr<EnsembleModel>> EnsembleModel::Create(const ModelOptions& options) {
  VIGIL_ASSIGN_OR_RETURN(std::string list, options.String("members", "markov,stide"));
  VIGIL_ASSIGN_OR_RETURN(std::string combine_name, options.String("combine", "mean"));
  Combine combine;
  if (combine_name == "mean") {
    combine = Combine::kMean;
  } else if (combine_name == "max") {
    combine = Combine::kMax;
  } else {
    return InvalidArgumentError("model option combine='" + combine_name +
                                "' is not one of mean, max");
  }
  std::vector<std::string> names = SplitNames(list);
  std::map<std::string, std::map<std::string, std::string>> member_options;
  for (const std::string& n : names) {
    if (n.empty() || n == "ensemble") {
      return InvalidArgumentError("model option members='" + list +
                                  "' must name registered models other than the ensemble");
    }
    if (member_options.count(n) != 0) {
      return InvalidArgumentError("model option members='" + list + "' names " + n + " twice");
    }
    member_options[n];
  }
  for (const auto& [key, value] : options.values()) {
    size_t dot = key.find('.');
    if (dot == std::string::npos) continue;
    std::string member = key.substr(0, dot);
    auto it = member_options.find(member);
    if (it == member_options.end()) {
      return InvalidArgumentError("model option '" + key + "' is for '" + member +
                                  "', which is not a member (" + list + ")");
    }
    VIGIL_ASSIGN_OR_RETURN(std::string v, options.String(key, ""));
    it->second[key.substr(dot + 1)] = v;
  }
  VIGIL_RETURN_IF_ERROR(options.CheckAllUsed("ensemble"));
  std::vector<std::unique_ptr<Model>> members;
  std::map<std::string, std::string> effective{{"members", list}, {"combine", combine_name}};
  for (const std::string& n : names) {
    auto m = NewModel(n, ModelOptions(member_options[n]));
    if (!m.ok()) {
      return Status(m.status().code(), "ensemble member " + n + ": " + m.status().message());
    }
    const ModelOptions member_effective = m.value()->options();
    for (const auto& [k, v] : member_effective.values()) effective[n + "." + k] = v;
    members.push_back(std::move(m).value());
  }
  return std::unique_ptr<EnsembleModel>(
      new EnsembleModel(ModelOptions(std::move(effective)), combine, std::move(members)));
}

StatusOr<std::unique_ptr<Model>> NewEnsembleModel(const ModelOptions& options) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<EnsembleModel> m, EnsembleModel::Create(options));
  return std::unique_ptr<Model>(std::move(m));
}

Granularity EnsembleModel::granularity() const {
  for (const auto& m : members_) {
    if (m->granularity() == Granularity::kWindowed) return Granularity::kWindowed;
  }
  return Granularity::kPerEvent;
}

size_t EnsembleModel::MemoryBytes() const {
  size_t bytes = 0;
  for (const auto& m : members_) bytes += m->MemoryBytes();
  for (const auto& s : normal_scores_) bytes += s.capacity() * sizeof(double);
  return bytes;
}

Status EnsembleModel::Learn(const Trace& trace) {
  for (auto& m : members_) VIGIL_RETURN_IF_ERROR(m->Learn(trace));
  normal_scores_.clear();
  return OkStatus();
}

Status EnsembleModel::Merge(const Model& other_model) {
  VIGIL_ASSIGN_OR_RETURN(const EnsembleModel* other,
                         MergeSource<EnsembleModel>("ensemble", other_model));
  if (other->options_.values() != options_.values()) {
    return InvalidArgumentError("ensemble: cannot merge a model with other options");
  }
  for (size_t i = 0; i < members_.size(); ++i) {
    VIGIL_RETURN_IF_ERROR(members_[i]->Merge(*other->members_[i]));
  }
  normal_scores_.clear();
  return OkStatus();
}

Status EnsembleModel::Prepare() {
  for (auto& m : members_) VIGIL_RETURN_IF_ERROR(m->Prepare());
  return OkStatus();
}

Status EnsembleModel::Calibrate(const std::vector<const Trace*>& normal) {
  if (normal.empty()) return InvalidArgumentError("ensemble: no normal traces to calibrate on");
  ScoreOptions none;
  none.max_reasons = 0;
  std::vector<std::vector<double>> scores(members_.size());
  for (size_t i = 0; i < members_.size(); ++i) {
    VIGIL_RETURN_IF_ERROR(members_[i]->Calibrate(normal));
    scores[i].reserve(normal.size());
    for (const Trace* t : normal) scores[i].push_back(members_[i]->ScoreTrace(*t, none).value);
    std::sort(scores[i].begin(), scores[i].end());
  }
  normal_scores_ = std::move(scores);
  return OkStatus();
}

double EnsembleModel::Calibrated(size_t i, double s) const {
  const std::vector<double>& n = normal_scores_[i];
  auto lo = std::lower_bound(n.begin(), n.end(), s);
  auto hi = std::upper_bound(lo, n.end(), s);
  double below = static_cast<double>(lo - n.begin());
  double equal = static_cast<double>(hi - lo);
  return (below + equal / 2) / static_cast<double>(n.size());
}

Score EnsembleModel::ScoreTrace(const Trace& trace, const ScoreOptions& options) const {
  Score score;
  std::vector<Score> member_scores;
  std::vector<double> level(members_.size());
  for (size_t i = 0; i < members_.size(); ++i) {
    member_scores.push_back(members_[i]->ScoreTrace(trace, options));
    level[i] = calibrated() ? Calibrated(i, member_scores[i].value) : member_scores[i].value;
  }
  if (combine_ == Combine::kMax) {
    score.value = *std::max_element(level.begin(), level.end());
  } else {
    for (double l : level) score.value += l;
    score.value /= static_cast<double>(level.size());
  }
  // Reasons: members in order of their calibrated score, each contributing its top reasons
  // round-robin, so every anomalous member is heard.
  std::vector<size_t> order(members_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return level[a] > level[b]; });
  for (size_t r = 0; score.reasons.size() < options.max_reasons; ++r) {
    bool any = false;
    for (size_t i : order) {
      if (r >= member_scores[i].reasons.size() || score.reasons.size() >= options.max_reasons) {
        continue;
      }
      any = true;
      Explanation e = member_scores[i].reasons[r];
      e.detail = std::string(members_[i]->name()) + " (" + (calibrated() ? "rank " : "score ") +
                 Fixed(level[i]) + "): " + e.detail;
      score.reasons.push_back(std::move(e));
    }
    if (!any) break;
  }
  return score;
}

void EnsembleModel::ScoreEvents(const Trace& trace, std::vector<float>* out) const {
  out->assign(trace.calls.size(), 0.0f);
  std::vector<float> member;
  for (size_t i = 0; i < members_.size(); ++i) {
    members_[i]->ScoreEvents(trace, &member);
    for (size_t j = 0; j < out->size() && j < member.size(); ++j) {
      // Event scores go through the member's trace-score calibration: a window's score is on
      // the scale of the trace scores it aggregates into.
      float level = calibrated() ? static_cast<float>(Calibrated(i, member[j])) : member[j];
      if (combine_ == Combine::kMax) {
        (*out)[j] = i == 0 ? level : std::max((*out)[j], level);
      } else {
        (*out)[j] += level / static_cast<float>(members_.size());
      }
    }
  }
}

std::string EnsembleModel::SaveBody() const {
  ByteWriter out;
  out.U8(kBodyVersion);
  out.Varint(members_.size());
  for (const auto& m : members_) {
    out.Bytes(m->name());
    out.Bytes(m->SaveBody());
  }
  out.U8(calibrated() ? 1 : 0);
  for (const auto& scores : normal_scores_) {
    out.Varint(scores.size());
    for (double s : scores) out.Double(s);
  }
  return out.Take();
}

Status EnsembleModel::LoadBody(std::string_view body) {
  ByteReader in(body, "ensemble body");
  VIGIL_RETURN_IF_ERROR(ReadBodyVersion(in, kBodyVersion));
  VIGIL_ASSIGN_OR_RETURN(uint64_t count, in.Varint("member count"));
  if (count != members_.size()) {
    return in.Error("member count", std::to_string(count) + " members, the options name " +
                                        std::to_string(members_.size()));
  }
  for (auto& m : members_) {
    VIGIL_ASSIGN_OR_RETURN(std::string_view name, in.Bytes("member name"));
    if (name != m->name()) {
      return in.Error("member name", "'" + std::string(name) + "' where the options say '" +
                                         std::string(m->name()) + "'");
    }
    VIGIL_ASSIGN_OR_RETURN(std::string_view member_body, in.Bytes("member body"));
    Status s = m->LoadBody(member_body);
    if (!s.ok()) return Status(s.code(), "ensemble member " + s.message());
  }
  VIGIL_ASSIGN_OR_RETURN(uint64_t calibrated, in.Bounded("calibration flag", 0, 1));
  std::vector<std::vector<double>> scores;
  if (calibrated == 1) {
    scores.resize(members_.size());
    for (auto& s : scores) {
      VIGIL_ASSIGN_OR_RETURN(uint64_t n, in.Bounded("calibration size", 1, in.remaining() / 8));
      s.reserve(n);
      for (uint64_t i = 0; i < n; ++i) {
        VIGIL_ASSIGN_OR_RETURN(double v, in.Double("calibration score"));
        if (!s.empty() && v < s.back()) {
          return in.Error("calibration score", "scores are not in increasing order");
        }
        s.push_back(v);
      }
    }
  }
  VIGIL_RETURN_IF_ERROR(in.ExpectEnd());
  normal_scores_ = std::move(scores);
  return OkStatus();
}

}  // namespace vigil::ml
