// `vigil ml models|train|score|eval|merge`: argument parsing and output only; the work is in
// src/ml (datasets.h, eval.h, io.h, metrics.h). docs/ml.md documents the commands.
#include <sys/stat.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include "cli/commands.h"
#include "ml/datasets.h"
#include "ml/eval.h"
#include "ml/io.h"
#include "ml/metrics.h"
#include "ml/model.h"
#include "nlohmann/json.hpp"

namespace vigil::cli {
namespace {

using nlohmann::ordered_json;

// Exit code of `vigil ml score` when any trace alarms (the CI gate).
constexpr int kExitAlarm = 1;

struct DataArgs {
  std::string format;  // --dataset-format
  std::vector<std::string> params;
  std::string model = "ensemble";
  std::string fars = "0.01,0.05,0.10";
  int threads = 2;
};

struct TrainArgs {
  DataArgs data;
  std::string train, validation, workload, out;
};

struct ScoreArgs {
  std::string model_file, format;
  std::vector<std::string> paths;
  double far = 0.05;
  double threshold = 0;
  bool has_threshold = false;  // --threshold was given
  size_t max_reasons = 3;
  int threads = 2;
};

struct EvalArgs {
  DataArgs data;
  std::string train, validation, attack;
};

struct MergeArgs {
  std::vector<std::string> inputs;
  std::string out, validation, format, fars = "0.01,0.05,0.10";
  int threads = 2;
};

int Usage(const std::string& message) {
  std::fprintf(stderr, "vigil: %s\n", message.c_str());
  return kExitUsage;
}

// "0.05" for 0.05, "0.10" for 0.1 (two decimals when they are exact), "0.001" otherwise.
std::string FarKey(double far) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", far);
  if (std::fabs(std::strtod(buf, nullptr) - far) < 1e-12) return buf;
  std::snprintf(buf, sizeof buf, "%g", far);
  return buf;
}

StatusOr<std::vector<double>> ParseFars(const std::string& text) {
  std::vector<double> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    char* end = nullptr;
    double v = std::strtod(item.c_str(), &end);
    if (item.empty() || end != item.c_str() + item.size() || !(v > 0 && v <= 1)) {
      return InvalidArgumentError("--far: '" + item + "' is not a rate in (0, 1]");
    }
    out.push_back(v);
  }
  if (out.empty()) return InvalidArgumentError("--far: no rate given");
  return out;
}

StatusOr<ml::ModelOptions> ParseParams(const std::vector<std::string>& params) {
  ml::ModelOptions options;
  for (const std::string& p : params) VIGIL_RETURN_IF_ERROR(options.Add(p));
  return options;
}

// Reads a dataset path, with a progress line on a terminal.
StatusOr<std::vector<ml::Trace>> Read(ml::DatasetFormat format, const std::string& path,
                                      bool progress, const char* role) {
  if (progress) {
    std::fprintf(stderr, "\r\033[Kvigil: reading %s traces from %s...", role, path.c_str());
    std::fflush(stderr);
  }
  auto traces = ml::ReadTraces(format, path, ml::Label::kUnknown);
  if (progress) std::fprintf(stderr, "\r\033[K");
  return traces;
}

size_t Calls(const std::vector<ml::Trace>& traces) {
  size_t n = 0;
  for (const ml::Trace& t : traces) n += t.calls.size();
  return n;
}

std::function<void(size_t, size_t)> LearnProgress(bool progress) {
  if (!progress) return {};
  return [](size_t done, size_t total) {
    if (done % 64 == 0 || done == total) {
      std::fprintf(stderr, "\r\033[Kvigil: learning %zu/%zu traces", done, total);
      if (done == total) std::fprintf(stderr, "\r\033[K");
      std::fflush(stderr);
    }
  };
}

// The flags train and eval share: the dataset format and the training options (model,
// --param, --far, --threads, progress on a terminal). InvalidArgument carries the usage
// message naming the flag.
struct DataSetup {
  ml::DatasetFormat format;
  ml::TrainOptions options;
  bool progress = false;
};
StatusOr<DataSetup> ParseDataArgs(const DataArgs& data, const CommonFlags& flags) {
  DataSetup setup;
  auto format = ml::ParseDatasetFormat(data.format);
  if (!format.ok()) return InvalidArgumentError("--dataset-format: " + format.status().message());
  setup.format = *format;
  auto fars = ParseFars(data.fars);
  if (!fars.ok()) return InvalidArgumentError(fars.status().message());
  auto params = ParseParams(data.params);
  if (!params.ok()) return InvalidArgumentError("--param: " + params.status().message());
  setup.progress = ShowProgress(flags);
  setup.options.model = data.model;
  setup.options.params = std::move(*params);
  setup.options.fars = std::move(*fars);
  setup.options.threads = data.threads;
  setup.options.progress = LearnProgress(setup.progress);
  return setup;
}

long long FileBytes(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<long long>(st.st_size) : -1;
}

// ---- models ----

int RunModels(const CommonFlags& flags) {
  if (flags.format != "table" && flags.format != "json") {
    return Usage("ml models: unknown --format '" + flags.format + "' (table, json)");
  }
  std::vector<ml::ModelInfo> models = ml::ModelNames();
  Status st = WriteOutput(flags, [&](std::ostream& os) -> Status {
    if (flags.format == "json") {
      ordered_json out = ordered_json::array();
      for (const ml::ModelInfo& m : models) {
        out.push_back(
            {{"name", std::string(m.name)},
             {"granularity", m.granularity == ml::Granularity::kPerEvent ? "event" : "window"},
             {"summary", std::string(m.summary)}});
      }
      os << out.dump(2) << "\n";
      return OkStatus();
    }
    os << std::left << std::setw(12) << "MODEL" << std::setw(8) << "SCORES"
       << "SUMMARY\n";
    for (const ml::ModelInfo& m : models) {
      os << std::left << std::setw(12) << m.name << std::setw(8)
         << (m.granularity == ml::Granularity::kPerEvent ? "event" : "window") << m.summary << "\n";
    }
    return OkStatus();
  });
  return st.ok() ? kExitOk : Fail(st);
}

// ---- train ----

int RunTrain(const TrainArgs& args, const CommonFlags& flags) {
  auto setup = ParseDataArgs(args.data, flags);
  if (!setup.ok()) return Usage(setup.status().message());
  const ml::DatasetFormat format = setup->format;
  const bool progress = setup->progress;

  auto train = Read(format, args.train, progress, "training");
  if (!train.ok()) return Fail(train.status());
  std::vector<ml::Trace> validation;
  if (!args.validation.empty()) {
    auto v = Read(format, args.validation, progress, "validation");
    if (!v.ok()) return Fail(v.status());
    validation = std::move(*v);
  }
  ml::TrainOptions options = std::move(setup->options);
  options.workload = args.workload;
  ml::PhaseTimes times;
  auto file = ml::TrainModel(*train, validation, options, &times);
  if (!file.ok()) return Fail(file.status());
  Status saved = ml::SaveModelFile(*file, args.out);
  if (!saved.ok()) return Fail(saved);
  if (flags.quiet) return kExitOk;
  std::printf("trained %s on %zu traces (%zu calls, %s syscalls) in %.2f s\n",
              args.data.model.c_str(), train->size(), Calls(*train),
              std::string(ml::SyscallTableName(file->table)).c_str(),
              times.train_s + times.prepare_s);
  if (!file->calibration.empty()) {
    std::printf("calibrated on %llu validation traces:",
                static_cast<unsigned long long>(file->calibration.samples));
    for (const auto& [far, threshold] : file->calibration.thresholds) {
      std::printf(" threshold@%s=%.6g", FarKey(far).c_str(), threshold);
    }
    std::printf("\n");
  } else {
    std::printf("not calibrated (no --validation): score needs --threshold\n");
  }
  std::printf("wrote %s (%lld bytes)\n", args.out.c_str(), FileBytes(args.out));
  return kExitOk;
}

// ---- score ----

int RunScore(const ScoreArgs& args, const CommonFlags& flags) {
  if (flags.format != "table" && flags.format != "json") {
    return Usage("ml score: unknown --format '" + flags.format + "' (table, json)");
  }
  auto format = ml::ParseDatasetFormat(args.format);
  if (!format.ok()) return Usage("--dataset-format: " + format.status().message());
  if (!(args.far > 0 && args.far <= 1)) return Usage("--far: not a rate in (0, 1]");
  auto file = ml::LoadModelFile(args.model_file);
  if (!file.ok()) return Fail(file.status());
  double threshold = 0;
  if (args.has_threshold) {
    threshold = args.threshold;
  } else {
    auto t = file->calibration.ThresholdAt(args.far);
    if (!t.ok()) {
      return Fail(Annotate(t.status(), args.model_file + " (give --threshold to score anyway)"));
    }
    threshold = *t;
  }
  const bool progress = ShowProgress(flags);
  std::vector<ml::Trace> traces;
  for (const std::string& path : args.paths) {
    auto ts = Read(*format, path, progress, "");
    if (!ts.ok()) return Fail(ts.status());
    for (ml::Trace& t : *ts) {
      if (t.table != file->table) {
        return Fail(InvalidArgumentError(
            t.id + ": syscall table " + std::string(ml::SyscallTableName(t.table)) +
            " differs from the model's " + std::string(ml::SyscallTableName(file->table))));
      }
      traces.push_back(std::move(t));
    }
  }
  std::vector<const ml::Trace*> ptrs;
  for (const ml::Trace& t : traces) ptrs.push_back(&t);
  ml::ScoreOptions so;
  so.max_reasons = args.max_reasons;
  std::vector<ml::Score> scores = ml::ScoreAll(*file->model, ptrs, so, args.threads);
  size_t alarms = 0;
  for (const ml::Score& s : scores) alarms += s.value > threshold ? 1 : 0;

  Status st = WriteOutput(flags, [&](std::ostream& os) -> Status {
    if (flags.format == "json") {
      ordered_json out;
      out["model"] = std::string(file->model->name());
      out["model_file"] = args.model_file;
      out["workload"] = file->workload;
      if (!args.has_threshold) out["far"] = args.far;
      out["threshold"] = threshold;
      out["alarms"] = alarms;
      ordered_json list = ordered_json::array();
      for (size_t i = 0; i < traces.size(); ++i) {
        ordered_json reasons = ordered_json::array();
        for (const ml::Explanation& e : scores[i].reasons) {
          reasons.push_back({{"kind", e.kind},
                             {"detail", e.detail},
                             {"weight", e.weight},
                             {"position", e.position}});
        }
        list.push_back({{"id", traces[i].id},
                        {"group", traces[i].group},
                        {"label", std::string(ml::LabelName(traces[i].label))},
                        {"calls", traces[i].calls.size()},
                        {"score", scores[i].value},
                        {"alarm", scores[i].value > threshold},
                        {"reasons", std::move(reasons)}});
      }
      out["traces"] = std::move(list);
      os << out.dump(2) << "\n";
      return OkStatus();
    }
    os << "model " << file->model->name() << " (" << args.model_file << "), threshold "
       << threshold;
    if (!args.has_threshold) os << " at false-alarm rate " << FarKey(args.far);
    os << "\n\n";
    os << std::left << std::setw(6) << "ALARM" << std::setw(12) << "SCORE"
       << "TRACE\n";
    for (size_t i = 0; i < traces.size(); ++i) {
      bool alarm = scores[i].value > threshold;
      std::ostringstream score;
      score << std::setprecision(6) << scores[i].value;
      os << std::left << std::setw(6) << (alarm ? "yes" : "no") << std::setw(12) << score.str()
         << traces[i].id << "\n";
      if (!alarm) continue;
      for (const ml::Explanation& e : scores[i].reasons) {
        os << "      " << e.kind << ": " << e.detail << "\n";
      }
    }
    os << "\n" << alarms << " of " << traces.size() << " traces alarm\n";
    return OkStatus();
  });
  if (!st.ok()) return Fail(st);
  return alarms > 0 ? kExitAlarm : kExitOk;
}

// ---- eval ----

ordered_json LidDsJson(const ml::LidDsMetrics& m, double threshold) {
  return {{"threshold", threshold},
          {"attack_recordings", m.attack_recordings},
          {"normal_recordings", m.normal_recordings},
          {"detected", m.detected},
          {"detection_rate", m.detection_rate},
          {"false_alarm_calls", m.false_alarm_calls},
          {"consecutive_false_alarms", m.cfa},
          {"normal_recordings_alarmed", m.normal_recordings_alarmed},
          {"precision_cfa", m.precision_cfa},
          {"f1_cfa", m.f1_cfa},
          {"precision", m.precision},
          {"f1", m.f1}};
}

ordered_json EvalJson(const ml::EvalResult& r, const std::string& format, double read_s) {
  ordered_json out;
  out["model"] = r.model;
  out["dataset_format"] = format;
  out["auc"] = r.auc;
  ordered_json dr, far, thr;
  for (const ml::OperatingPoint& p : r.at_far) {
    dr[FarKey(p.target_far)] = p.dr;
    far[FarKey(p.target_far)] = p.far;
    thr[FarKey(p.target_far)] = p.threshold;
  }
  out["dr_at_far"] = dr;
  out["realised_far"] = far;
  out["thresholds"] = thr;
  out["counts"] = {
      {"train_traces", r.train_traces},           {"train_calls", r.train_calls},
      {"validation_traces", r.validation_traces}, {"validation_calls", r.validation_calls},
      {"normal_traces", r.normal_traces},         {"attack_traces", r.attack_traces},
      {"attack_calls", r.attack_calls},           {"hidden_groups", r.hidden_groups}};
  ordered_json classes = ordered_json::object();
  for (const auto& [name, c] : r.classes) {
    ordered_json rates;
    for (size_t k = 0; k < r.at_far.size(); ++k) {
      rates[FarKey(r.at_far[k].target_far)] =
          c.traces ? static_cast<double>(c.detected[k]) / static_cast<double>(c.traces) : 0.0;
    }
    classes[name.empty() ? "(none)" : name] = {{"traces", c.traces}, {"dr_at_far", rates}};
  }
  out["classes"] = classes;
  if (r.lidds) out["lidds"] = LidDsJson(*r.lidds, r.lidds_threshold);
  out["model_bytes"] = r.model_bytes;
  out["timing_s"] = {{"read", read_s},
                     {"train", r.times.train_s},
                     {"prepare", r.times.prepare_s},
                     {"calibrate", r.times.calibrate_s},
                     {"score", r.times.score_s},
                     {"metrics", r.times.metrics_s}};
  double score_calls = static_cast<double>(r.scored_calls - r.validation_calls);
  out["score_calls_per_s"] = r.times.score_s > 0 ? score_calls / r.times.score_s : 0.0;
  return out;
}

void EvalTable(std::ostream& os, const ml::EvalResult& r) {
  os << "model " << r.model << ": trained on " << r.train_traces << " traces (" << r.train_calls
     << " calls); " << r.normal_traces << " normal and " << r.attack_traces
     << " attack traces evaluated\n\n";
  os << std::fixed << std::setprecision(4);
  os << "ROC AUC  " << r.auc << "\n\n";
  os << "FAR      THRESHOLD     REALISED  DETECTION\n";
  for (const ml::OperatingPoint& p : r.at_far) {
    os << std::left << std::setw(9) << FarKey(p.target_far) << std::setw(14) << p.threshold
       << std::setw(10) << p.far << p.dr << "\n";
  }
  if (!r.classes.empty()) {
    os << "\nATTACK CLASS          TRACES  DETECTION AT EACH FAR\n";
    for (const auto& [name, c] : r.classes) {
      os << std::left << std::setw(22) << (name.empty() ? "(none)" : name) << std::setw(8)
         << c.traces;
      for (size_t k = 0; k < c.detected.size(); ++k) {
        os << (k ? " " : "")
           << (c.traces ? static_cast<double>(c.detected[k]) / static_cast<double>(c.traces) : 0.0);
      }
      os << "\n";
    }
  }
  if (r.lidds) {
    const ml::LidDsMetrics& m = *r.lidds;
    os << "\nLID-DS (threshold " << r.lidds_threshold << "): detection rate " << m.detection_rate
       << ", consecutive false alarms " << m.cfa << ", precision(CFA) " << m.precision_cfa
       << ", F1(CFA) " << m.f1_cfa << ", recording F1 " << m.f1 << "\n";
  }
  os << std::setprecision(2) << "\ntiming: train " << r.times.train_s << " s, prepare "
     << r.times.prepare_s << " s, calibrate " << r.times.calibrate_s << " s, score "
     << r.times.score_s << " s\n";
}

int RunEval(const EvalArgs& args, const CommonFlags& flags) {
  if (flags.format != "table" && flags.format != "json") {
    return Usage("ml eval: unknown --format '" + flags.format + "' (table, json)");
  }
  auto setup = ParseDataArgs(args.data, flags);
  if (!setup.ok()) return Usage(setup.status().message());
  const ml::DatasetFormat format = setup->format;
  const bool progress = setup->progress;
  auto start = std::chrono::steady_clock::now();
  auto train = Read(format, args.train, progress, "training");
  if (!train.ok()) return Fail(train.status());
  auto validation = Read(format, args.validation, progress, "validation");
  if (!validation.ok()) return Fail(validation.status());
  std::vector<ml::Trace> attack;
  if (!args.attack.empty()) {
    auto a = Read(format, args.attack, progress, "attack");
    if (!a.ok()) return Fail(a.status());
    attack = std::move(*a);
    // The --attack directory is the attack set: unlabelled traces in it are attacks.
    for (ml::Trace& t : attack) {
      if (t.label == ml::Label::kUnknown) t.label = ml::Label::kAttack;
    }
  }
  double read_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  auto result = ml::Evaluate(*train, *validation, attack, setup->options);
  if (!result.ok()) return Fail(result.status());
  Status st = WriteOutput(flags, [&](std::ostream& os) -> Status {
    if (flags.format == "json") {
      os << EvalJson(*result, args.data.format, read_s).dump(2) << "\n";
    } else {
      EvalTable(os, *result);
    }
    return OkStatus();
  });
  return st.ok() ? kExitOk : Fail(st);
}

// ---- merge ----

int RunMerge(const MergeArgs& args, const CommonFlags& flags) {
  if (args.inputs.size() < 2) return Usage("ml merge: give at least two model files");
  std::optional<ml::DatasetFormat> format;
  if (!args.validation.empty()) {
    if (args.format.empty()) return Usage("ml merge: --validation needs --dataset-format");
    auto f = ml::ParseDatasetFormat(args.format);
    if (!f.ok()) return Usage("--dataset-format: " + f.status().message());
    format = *f;
  }
  auto fars = ParseFars(args.fars);
  if (!fars.ok()) return Usage(fars.status().message());
  std::vector<ml::ModelFile> files;
  for (const std::string& path : args.inputs) {
    auto f = ml::LoadModelFile(path);
    if (!f.ok()) return Fail(f.status());
    files.push_back(std::move(*f));
  }
  auto merged = ml::MergeModelFiles(std::move(files), args.inputs);
  if (!merged.ok()) return Fail(merged.status());
  if (format) {
    auto validation = Read(*format, args.validation, ShowProgress(flags), "validation");
    if (!validation.ok()) return Fail(validation.status());
    Status st = ml::CalibrateModelFile(&*merged, *validation, *fars, args.threads);
    if (!st.ok()) return Fail(st);
  }
  Status saved = ml::SaveModelFile(*merged, args.out);
  if (!saved.ok()) return Fail(saved);
  if (flags.quiet) return kExitOk;
  std::printf("merged %zu %s models into %s (%lld bytes)", args.inputs.size(),
              std::string(merged->model->name()).c_str(), args.out.c_str(), FileBytes(args.out));
  if (merged->calibration.empty()) {
    std::printf("; calibration dropped (recalibrate with --validation)\n");
  } else {
    std::printf("; recalibrated on %llu validation traces\n",
                static_cast<unsigned long long>(merged->calibration.samples));
  }
  return kExitOk;
}

void AddDataFlags(CLI::App* cmd, DataArgs* data) {
  cmd->add_option("--dataset-format", data->format, "adfa-ld, unm, lid-ds or vigil")->required();
  cmd->add_option("--model", data->model, "Model name (vigil ml models)")->capture_default_str();
  cmd->add_option("--param", data->params, "Model option key=value (repeatable)");
  cmd->add_option("--far", data->fars, "False-alarm rates to calibrate, comma-separated")
      ->capture_default_str();
  cmd->add_option("--threads", data->threads, "Scoring threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
}

}  // namespace

Command RegisterMl(CLI::App& root, CommonFlags& flags) {
  CLI::App* ml =
      root.add_subcommand("ml", "Train, score, evaluate and merge behaviour models (docs/ml.md)");
  ml->require_subcommand(1);

  CLI::App* models = ml->add_subcommand("models", "The registered models");
  AddCommonFlags(models, &flags, kFormatFlags, "table, json");

  auto train_args = std::make_shared<TrainArgs>();
  CLI::App* train = ml->add_subcommand(
      "train", "Learn a model from normal traces; calibrate thresholds on --validation");
  AddDataFlags(train, &train_args->data);
  train->add_option("--train", train_args->train, "Training traces (file or directory)")
      ->required();
  train->add_option("--validation", train_args->validation,
                    "Held-out normal traces: calibrates the thresholds");
  train->add_option("--workload", train_args->workload, "Name of the modelled workload");
  train->add_option("-o,--output", train_args->out, "Model file to write")->required();

  auto score_args = std::make_shared<ScoreArgs>();
  CLI::App* score =
      ml->add_subcommand("score", "Score traces with a model file; exit 1 when any trace alarms");
  score->add_option("--model-file", score_args->model_file, "Model file (vigil ml train)")
      ->required();
  score->add_option("--dataset-format", score_args->format, "adfa-ld, unm, lid-ds or vigil")
      ->required();
  score->add_option("paths", score_args->paths, "Trace files or directories")
      ->required()
      ->expected(1, -1);
  score->add_option("--far", score_args->far, "Calibrated false-alarm rate to alarm at")
      ->capture_default_str();
  CLI::Option* threshold =
      score->add_option("--threshold", score_args->threshold,
                        "Alarm above this score instead of a calibrated threshold");
  score->add_option("--max-reasons", score_args->max_reasons, "Explanations per trace")
      ->capture_default_str();
  score->add_option("--threads", score_args->threads, "Scoring threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  AddCommonFlags(score, &flags, kFormatFlags, "table, json");

  auto eval_args = std::make_shared<EvalArgs>();
  CLI::App* eval = ml->add_subcommand(
      "eval", "Train, calibrate and measure: ROC AUC, detection at false-alarm rates, LID-DS");
  AddDataFlags(eval, &eval_args->data);
  eval->add_option("--train", eval_args->train, "Training traces")->required();
  eval->add_option("--validation", eval_args->validation,
                   "Normal traces for thresholds and false alarms")
      ->required();
  eval->add_option("--attack", eval_args->attack, "Attack traces (LID-DS: the test set)");
  AddCommonFlags(eval, &flags, kFormatFlags, "table, json");

  auto merge_args = std::make_shared<MergeArgs>();
  CLI::App* merge =
      ml->add_subcommand("merge", "Merge model files of one workload learned on different nodes");
  merge->add_option("inputs", merge_args->inputs, "Model files")->required()->expected(2, -1);
  merge->add_option("-o,--output", merge_args->out, "Merged model file to write")->required();
  merge->add_option("--validation", merge_args->validation,
                    "Recalibrate on these normal traces (else the calibration is dropped)");
  merge->add_option("--dataset-format", merge_args->format, "Format of --validation");
  merge->add_option("--far", merge_args->fars, "False-alarm rates to calibrate")
      ->capture_default_str();

  return {ml, [&flags, models, train, score, eval, merge, train_args, score_args, eval_args,
               merge_args, threshold]() {
            if (models->parsed()) return RunModels(flags);
            if (train->parsed()) return RunTrain(*train_args, flags);
            if (score->parsed()) {
              score_args->has_threshold = threshold->count() > 0;
              return RunScore(*score_args, flags);
            }
            if (eval->parsed()) return RunEval(*eval_args, flags);
            if (merge->parsed()) return RunMerge(*merge_args, flags);
            return kExitUsage;
          }};
}

}  // namespace vigil::cli
