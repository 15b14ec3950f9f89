// Issue 10 benchmark: for every registered model, on the shared ADFA-LD dev set — training
// time (Learn + Prepare over Training_Data_Master), calibration time (Validation), scoring
// throughput in syscalls per CPU second on ONE thread over Validation + Attack (ScoreTrace and
// ScoreEvents separately), model size (model file bytes and MemoryBytes), and the AUC and
// detection rate at 5 % false alarms those scores give. CPU time is the thread's own
// (CLOCK_THREAD_CPUTIME_ID), so the figures hold on a busy machine. Skips when
// ../shared/datasets is absent.
#include <gtest/gtest.h>
#include <time.h>

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "base/fs.h"
#include "base/test_paths.h"
#include "ml/datasets.h"
#include "ml/io.h"
#include "ml/metrics.h"
#include "ml/model.h"

namespace vigil::ml {
namespace {

double ThreadCpu() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Benchmarks the registered model `only` (all when empty) except `skip`.
void BenchAdfaLd(std::string_view only, std::string_view skip) {
  std::string root = test_paths::SharedDir() + "/datasets/adfa-ld-dev";
  if (!RealFileSystem("/").IsDirectory(root)) GTEST_SKIP() << root << " is absent";
  auto train = ReadTraces(DatasetFormat::kAdfaLd, root + "/Training_Data_Master", Label::kNormal);
  auto validation =
      ReadTraces(DatasetFormat::kAdfaLd, root + "/Validation_Data_Master", Label::kNormal);
  auto attack = ReadTraces(DatasetFormat::kAdfaLd, root + "/Attack_Data_Master", Label::kAttack);
  ASSERT_TRUE(train.ok() && validation.ok() && attack.ok());
  // The attack class in Trace::group is label metadata: hide it from models keyed by
  // workload (ADFA-LD is one host, one workload).
  for (auto* set : {&*train, &*validation, &*attack}) {
    for (Trace& t : *set) t.group.clear();
  }
  std::vector<const Trace*> normal_ptrs;
  for (const Trace& t : *validation) normal_ptrs.push_back(&t);
  uint64_t scored_calls = 0;
  for (const auto* set : {&*validation, &*attack}) {
    for (const Trace& t : *set) scored_calls += t.calls.size();
  }

  std::printf("ADFA-LD dev: %zu training, %zu validation, %zu attack traces; %llu calls scored\n",
              train->size(), validation->size(), attack->size(),
              static_cast<unsigned long long>(scored_calls));
  std::printf("%-10s %-7s %9s %9s %13s %13s %11s %11s %7s %7s\n", "MODEL", "SCORES", "TRAIN_S",
              "CALIB_S", "TRACE_CALL/S", "EVENT_CALL/S", "FILE_BYTES", "MEM_BYTES", "AUC", "DR@5%");
  for (const ModelInfo& info : ModelNames()) {
    if ((!only.empty() && info.name != only) || info.name == skip) continue;
    auto model = NewModel(info.name, ModelOptions());
    const char* kind = info.granularity == Granularity::kPerEvent ? "event" : "window";
    if (!model.ok()) {
      std::printf("%-10s %-7s not available: %s\n", std::string(info.name).c_str(), kind,
                  model.status().ToString().c_str());
      continue;
    }
    double t0 = ThreadCpu();
    Status st;
    for (const Trace& t : *train) {
      st = (*model)->Learn(t);
      if (!st.ok()) break;
    }
    if (st.ok()) st = (*model)->Prepare();
    double train_s = ThreadCpu() - t0;
    if (!st.ok()) {
      std::printf("%-10s %-7s not available: %s\n", std::string(info.name).c_str(), kind,
                  st.ToString().c_str());
      continue;
    }
    t0 = ThreadCpu();
    st = (*model)->Calibrate(normal_ptrs);
    double calib_s = ThreadCpu() - t0;
    ASSERT_TRUE(st.ok()) << st;

    ScoreOptions so;
    so.max_reasons = 0;
    std::vector<double> normal, attacks;
    t0 = ThreadCpu();
    for (const Trace& t : *validation) normal.push_back((*model)->ScoreTrace(t, so).value);
    for (const Trace& t : *attack) attacks.push_back((*model)->ScoreTrace(t, so).value);
    double trace_s = ThreadCpu() - t0;
    std::vector<float> events;
    t0 = ThreadCpu();
    for (const auto* set : {&*validation, &*attack}) {
      for (const Trace& t : *set) (*model)->ScoreEvents(t, &events);
    }
    double events_s = ThreadCpu() - t0;

    ModelFileFields fields;
    fields.model_name = std::string(info.name);
    ModelOptions options = (*model)->options();
    for (const auto& [k, v] : options.values()) fields.options.emplace_back(k, v);
    fields.table = SyscallTable::kX86_32;
    fields.body = (*model)->SaveBody();
    size_t file_bytes = EncodeModelFile(fields).size();
    double calls = static_cast<double>(scored_calls);
    std::printf("%-10s %-7s %9.2f %9.2f %13.3g %13.3g %11zu %11zu %7.4f %7.4f\n",
                std::string(info.name).c_str(), kind, train_s, calib_s,
                trace_s > 0 ? calls / trace_s : 0.0, events_s > 0 ? calls / events_s : 0.0,
                file_bytes, (*model)->MemoryBytes(), RocAuc(normal, attacks),
                AtFar(normal, attacks, 0.05).dr);
    std::fflush(stdout);
  }
}

TEST(MlBench, AdfaLd) { BenchAdfaLd("", "lstm"); }

// lstm trains for most of a CPU minute on ADFA-LD: its own ctest entry (bench_ml_lstm) keeps
// each within the 120 s budget.
TEST(MlBench, AdfaLdLstm) { BenchAdfaLd("lstm", ""); }

}  // namespace
}  // namespace vigil::ml
