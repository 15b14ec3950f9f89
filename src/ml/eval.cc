#include "ml/eval.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <set>
#include <thread>

namespace vigil::ml {
namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// Runs fn(i) for i in [0, n) on `threads` threads; each index is handled exactly once, and
// results written by index keep the input order.
template <typename Fn>
void ParallelFor(size_t n, int threads, const Fn& fn) {
  size_t workers =
      std::clamp<size_t>(threads < 1 ? 1 : static_cast<size_t>(threads), 1, std::max<size_t>(n, 1));
  std::atomic<size_t> next{0};
  auto work = [&]() {
    for (size_t i = next.fetch_add(1); i < n; i = next.fetch_add(1)) fn(i);
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < workers; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
}

StatusOr<SyscallTable> TableOf(const std::vector<Trace>& traces, const char* what) {
  SyscallTable table = SyscallTable::kUnknown;
  for (const Trace& t : traces) {
    if (table == SyscallTable::kUnknown) table = t.table;
    if (t.table != table) {
      return InvalidArgumentError(std::string(what) + " traces mix syscall tables: " + t.id +
                                  " is " + std::string(SyscallTableName(t.table)) +
                                  ", earlier traces are " + std::string(SyscallTableName(table)));
    }
  }
  return table;
}

// Model::Calibrate on `normal`, then thresholds at `fars` from their scores. Returns the
// scores (input order).
StatusOr<std::vector<double>> Calibrate(Model* model, SyscallTable table,
                                        const std::vector<const Trace*>& normal,
                                        std::vector<double> fars, int threads,
                                        Calibration* calibration) {
  for (const Trace* t : normal) {
    if (t->table != table) {
      return InvalidArgumentError(
          t->id + ": syscall table " + std::string(SyscallTableName(t->table)) +
          " differs from the model's " + std::string(SyscallTableName(table)));
    }
  }
  VIGIL_RETURN_IF_ERROR(model->Calibrate(normal));
  ScoreOptions so;
  so.max_reasons = 0;
  std::vector<Score> scores = ScoreAll(*model, normal, so, threads);
  std::vector<double> values;
  values.reserve(scores.size());
  for (const Score& s : scores) values.push_back(s.value);
  std::sort(fars.begin(), fars.end());
  fars.erase(std::unique(fars.begin(), fars.end()), fars.end());
  *calibration = Calibration();
  for (double far : fars) calibration->thresholds.emplace_back(far, ThresholdAtFar(values, far));
  calibration->samples = normal.size();
  return values;
}

struct Trained {
  ModelFile file;
  std::vector<double> validation_scores;  // of the calibration normals, input order
};

StatusOr<Trained> Train(const std::vector<Trace>& train,
                        const std::vector<const Trace*>& calibration, const TrainOptions& options,
                        PhaseTimes* times) {
  if (train.empty()) return InvalidArgumentError("no training traces");
  VIGIL_ASSIGN_OR_RETURN(SyscallTable table, TableOf(train, "training"));
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Model> model, NewModel(options.model, options.params));
  auto start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < train.size(); ++i) {
    VIGIL_RETURN_IF_ERROR(Annotate(model->Learn(train[i]), train[i].id));
    if (options.progress) options.progress(i + 1, train.size());
  }
  times->train_s = Seconds(start);
  start = std::chrono::steady_clock::now();
  VIGIL_RETURN_IF_ERROR(model->Prepare());
  times->prepare_s = Seconds(start);

  Trained out;
  start = std::chrono::steady_clock::now();
  if (!calibration.empty()) {
    VIGIL_ASSIGN_OR_RETURN(out.validation_scores,
                           Calibrate(model.get(), table, calibration, options.fars, options.threads,
                                     &out.file.calibration));
  }
  times->calibrate_s = Seconds(start);
  out.file.model = std::move(model);
  out.file.table = table;
  out.file.workload = options.workload;
  return out;
}

}  // namespace

Status CalibrateModelFile(ModelFile* file, const std::vector<Trace>& validation,
                          const std::vector<double>& fars, int threads) {
  std::vector<const Trace*> normal;
  for (const Trace& t : validation) {
    if (t.label != Label::kAttack) normal.push_back(&t);
  }
  if (normal.empty()) return InvalidArgumentError("no normal validation traces");
  auto scores =
      Calibrate(file->model.get(), file->table, normal, fars, threads, &file->calibration);
  return scores.status();
}

std::vector<Score> ScoreAll(const Model& model, const std::vector<const Trace*>& traces,
                            const ScoreOptions& options, int threads) {
  std::vector<Score> out(traces.size());
  ParallelFor(traces.size(), threads,
              [&](size_t i) { out[i] = model.ScoreTrace(*traces[i], options); });
  return out;
}

StatusOr<ModelFile> TrainModel(const std::vector<Trace>& train,
                               const std::vector<Trace>& validation, const TrainOptions& options,
                               PhaseTimes* times) {
  PhaseTimes local;
  std::vector<const Trace*> calibration;
  for (const Trace& t : validation) {
    if (t.label != Label::kAttack) calibration.push_back(&t);
  }
  VIGIL_ASSIGN_OR_RETURN(Trained trained,
                         Train(train, calibration, options, times ? times : &local));
  return std::move(trained.file);
}

StatusOr<EvalResult> Evaluate(const std::vector<Trace>& train, const std::vector<Trace>& validation,
                              const std::vector<Trace>& attack, const TrainOptions& options) {
  EvalResult r;
  r.model = options.model;
  std::vector<const Trace*> calibration;
  std::vector<const Trace*> evaluated;  // validation attacks, then the attack set
  std::vector<bool> is_attack;
  for (const Trace& t : validation) {
    if (t.label == Label::kAttack) {
      evaluated.push_back(&t);
      is_attack.push_back(true);
    } else {
      calibration.push_back(&t);
      r.validation_calls += t.calls.size();
    }
  }
  for (const Trace& t : attack) {
    evaluated.push_back(&t);
    is_attack.push_back(t.label != Label::kNormal);
  }
  if (calibration.empty()) return InvalidArgumentError("no normal validation traces");
  r.train_traces = train.size();
  for (const Trace& t : train) r.train_calls += t.calls.size();
  r.validation_traces = calibration.size();

  VIGIL_ASSIGN_OR_RETURN(Trained trained, Train(train, calibration, options, &r.times));
  const Model& model = *trained.file.model;
  r.model_bytes = model.MemoryBytes();
  for (const Trace* t : evaluated) {
    if (t->table != trained.file.table) {
      return InvalidArgumentError(t->id + ": syscall table " +
                                  std::string(SyscallTableName(t->table)) +
                                  " differs from the training traces' " +
                                  std::string(SyscallTableName(trained.file.table)));
    }
  }

  // A group no training trace had is attack metadata (the ADFA-LD class, the LID-DS exploit
  // name), not a workload: models keyed by workload would read the label from it. Such traces
  // are scored as copies without it.
  std::set<std::string> train_groups;
  for (const Trace& t : train) train_groups.insert(t.group);
  std::vector<Trace> hidden;
  std::vector<const Trace*> to_score = evaluated;
  for (const Trace* t : evaluated) {
    if (!train_groups.count(t->group)) ++r.hidden_groups;
  }
  hidden.reserve(r.hidden_groups);
  for (const Trace*& t : to_score) {
    if (train_groups.count(t->group)) continue;
    hidden.push_back(*t);
    hidden.back().group = train_groups.size() == 1 ? *train_groups.begin() : std::string();
    t = &hidden.back();
  }

  auto start = std::chrono::steady_clock::now();
  ScoreOptions so;
  so.max_reasons = 0;
  std::vector<Score> scores = ScoreAll(model, to_score, so, options.threads);
  r.times.score_s = Seconds(start);

  start = std::chrono::steady_clock::now();
  std::vector<double> normal = trained.validation_scores;
  std::vector<double> attacks;
  for (size_t i = 0; i < calibration.size(); ++i) {
    r.traces.push_back({calibration[i]->id, calibration[i]->group, false, normal[i]});
  }
  for (size_t i = 0; i < evaluated.size(); ++i) {
    const Trace& t = *evaluated[i];
    r.traces.push_back({t.id, t.group, is_attack[i], scores[i].value});
    if (is_attack[i]) {
      attacks.push_back(scores[i].value);
      r.attack_calls += t.calls.size();
    } else {
      normal.push_back(scores[i].value);
    }
  }
  r.scored_calls = r.validation_calls + r.attack_calls;
  for (size_t i = 0; i < evaluated.size(); ++i) {
    if (!is_attack[i]) r.scored_calls += evaluated[i]->calls.size();
  }
  r.normal_traces = normal.size();
  r.attack_traces = attacks.size();
  r.auc = RocAuc(normal, attacks);
  for (const auto& [far, threshold] : trained.file.calibration.thresholds) {
    OperatingPoint p;
    p.target_far = far;
    p.threshold = threshold;
    size_t fa = 0, hits = 0;
    for (double s : normal) fa += s > threshold ? 1 : 0;
    for (double s : attacks) hits += s > threshold ? 1 : 0;
    p.far = normal.empty() ? 0 : static_cast<double>(fa) / static_cast<double>(normal.size());
    p.dr = attacks.empty() ? 0 : static_cast<double>(hits) / static_cast<double>(attacks.size());
    r.at_far.push_back(p);
  }
  for (size_t i = 0; i < evaluated.size(); ++i) {
    if (!is_attack[i]) continue;
    ClassResult& c = r.classes[evaluated[i]->group];
    c.detected.resize(r.at_far.size());
    ++c.traces;
    for (size_t k = 0; k < r.at_far.size(); ++k) {
      if (scores[i].value > r.at_far[k].threshold) ++c.detected[k];
    }
  }
  bool timed = std::any_of(attack.begin(), attack.end(),
                           [](const Trace& t) { return t.attack_start != Trace::npos; });
  if (timed) {
    std::vector<RecordingScores> normal_calls(calibration.size());
    ParallelFor(calibration.size(), options.threads,
                [&](size_t i) { model.ScoreEvents(*calibration[i], &normal_calls[i].calls); });
    double threshold = -std::numeric_limits<double>::infinity();
    for (const RecordingScores& rs : normal_calls) {
      for (float f : rs.calls) threshold = std::max(threshold, static_cast<double>(f));
    }
    std::vector<RecordingScores> recordings(attack.size());
    // The attack set is the tail of `to_score` (group-hidden copies where needed).
    size_t offset = evaluated.size() - attack.size();
    ParallelFor(attack.size(), options.threads, [&](size_t i) {
      model.ScoreEvents(*to_score[offset + i], &recordings[i].calls);
      recordings[i].label = attack[i].label == Label::kNormal ? Label::kNormal : Label::kAttack;
      recordings[i].attack_start = attack[i].attack_start;
    });
    r.lidds_threshold = threshold;
    r.lidds = ComputeLidDsMetrics(recordings, threshold);
  }
  r.times.metrics_s = Seconds(start);
  return r;
}

}  // namespace vigil::ml
