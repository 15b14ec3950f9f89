#include "ml/io.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "base/hash.h"
#include "base/test_paths.h"
#include "ml/datasets.h"

namespace vigil::ml {
namespace {

ModelFileFields SampleFields() {
  ModelFileFields f;
  f.model_name = "stide";
  f.options = {{"n", "7"}, {"window", "20"}};
  f.table = SyscallTable::kX86_32;
  f.workload = "nginx";
  f.calibration.thresholds = {{0.01, 0.5}, {0.05, 0.25}};
  f.calibration.samples = 2186;
  f.body = std::string("body\0bytes", 10);
  return f;
}

TEST(ModelFile, FieldsRoundTrip) {
  std::string bytes = EncodeModelFile(SampleFields());
  auto f = DecodeModelFile(bytes, "m.vml");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->model_name, "stide");
  EXPECT_EQ(f->options, SampleFields().options);
  EXPECT_EQ(f->table, SyscallTable::kX86_32);
  EXPECT_EQ(f->workload, "nginx");
  EXPECT_EQ(f->calibration.thresholds, SampleFields().calibration.thresholds);
  EXPECT_EQ(f->calibration.samples, 2186u);
  EXPECT_EQ(f->body, std::string("body\0bytes", 10));
  EXPECT_EQ(*f->calibration.ThresholdAt(0.05), 0.25);
  EXPECT_EQ(f->calibration.ThresholdAt(0.1).status().message(),
            "the model has no threshold at false-alarm rate 0.1 (calibrated: 0.01, 0.05)");
  EXPECT_EQ(Calibration().ThresholdAt(0.1).status().code(), StatusCode::kFailedPrecondition);
}

// Re-signs `content` (a file without its checksum) so field-level errors can be reached.
std::string Signed(std::string content) {
  Sha256 sha;
  sha.Update(content);
  auto digest = sha.Finish();
  content.append(reinterpret_cast<const char*>(digest.data()), digest.size());
  return content;
}

TEST(ModelFile, CorruptionIsNamed) {
  std::string good = EncodeModelFile(SampleFields());
  std::string bad_magic = good;
  bad_magic[0] = 'X';
  EXPECT_EQ(DecodeModelFile(bad_magic, "m.vml").status().message(),
            "m.vml: not a Vigil model file (bad magic)");
  std::string version = good;
  version[8] = 9;
  EXPECT_EQ(DecodeModelFile(version, "m.vml").status().message(),
            "m.vml: model file format version 9 is not supported (this build reads version 1)");
  std::string flipped = good;
  flipped[good.size() - 40] ^= 1;
  EXPECT_EQ(DecodeModelFile(flipped, "m.vml").status().message(),
            "m.vml: checksum mismatch (the file is corrupted or truncated)");
  EXPECT_EQ(DecodeModelFile(good.substr(0, good.size() - 1), "m.vml").status().code(),
            StatusCode::kDataLoss);
  EXPECT_EQ(DecodeModelFile(good.substr(0, 20), "m.vml").status().message(),
            "m.vml: truncated (20 bytes is shorter than any model file)");
  // A correctly signed file whose fields stop early.
  std::string content = good.substr(0, good.size() - 32);
  EXPECT_EQ(DecodeModelFile(Signed(content.substr(0, 30)), "m.vml").status().message(),
            "m.vml: option value at byte 30: truncated");
  EXPECT_EQ(DecodeModelFile(Signed(content + "x"), "m.vml").status().message(),
            "m.vml: 1 unexpected bytes after the model body");
  ModelFileFields f = SampleFields();
  f.calibration.thresholds = {{0.05, 1}, {0.01, 2}};
  EXPECT_EQ(DecodeModelFile(EncodeModelFile(f), "m.vml").status().message(),
            "m.vml: calibration entry 1 is not an ascending rate in [0, 1] with a threshold");
  f = SampleFields();
  f.model_name = "nosuch";
  EXPECT_EQ(
      InstantiateModelFile(*DecodeModelFile(EncodeModelFile(f), "m.vml"), "m.vml").status().code(),
      StatusCode::kNotFound);
}

std::vector<Trace> Fixtures() {
  std::string root = test_paths::SourceDir() + "/testdata/ml/datasets/lidds";
  std::vector<Trace> out;
  for (const char* sub : {"training", "test"}) {
    auto ts = ReadTraces(DatasetFormat::kLidDs, root + "/" + sub, Label::kUnknown);
    EXPECT_TRUE(ts.ok()) << ts.status();
    if (ts.ok()) out.insert(out.end(), ts->begin(), ts->end());
  }
  return out;
}

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("vigil_ml_io_test_" + std::to_string(getpid()) + "_" + name))
      .string();
}

// Every registered model that can learn these traces: saved, loaded and merged through
// files, it scores exactly as the model in memory does.
TEST(ModelFile, EveryWorkingModelRoundTripsAndMerges) {
  std::vector<Trace> traces = Fixtures();
  ASSERT_EQ(traces.size(), 2u);
  Trace probe = traces[1];
  probe.calls.insert(probe.calls.begin(), {2, 2, 59, 42});
  probe.tids.insert(probe.tids.begin(), 4, 200);
  probe.ts_ns.insert(probe.ts_ns.begin(), 4, probe.ts_ns.front());
  if (probe.attack_start != Trace::npos) probe.attack_start += 4;
  size_t tested = 0;
  for (const ModelInfo& info : ModelNames()) {
    SCOPED_TRACE(std::string(info.name));
    auto make = [&]() { return NewModel(info.name, ModelOptions()); };
    auto whole = make();
    if (!whole.ok()) continue;
    Status learned = (*whole)->Learn(traces[0]);
    if (learned.ok()) learned = (*whole)->Learn(traces[1]);
    if (learned.ok()) learned = (*whole)->Prepare();
    if (!learned.ok()) {
      std::printf("  %s: not tested (%s)\n", std::string(info.name).c_str(),
                  learned.ToString().c_str());
      continue;
    }
    ++tested;
    ModelFile file;
    file.model = std::move(*whole);
    file.table = SyscallTable::kX86_64;
    file.workload = "apache";
    file.calibration.thresholds = {{0.05, 0.5}};
    file.calibration.samples = 3;
    std::string path = TempPath(std::string(info.name));
    ASSERT_TRUE(SaveModelFile(file, path).ok());
    auto loaded = LoadModelFile(path);
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    EXPECT_EQ(loaded->table, SyscallTable::kX86_64);
    EXPECT_EQ(loaded->workload, "apache");
    EXPECT_EQ(loaded->calibration.thresholds, file.calibration.thresholds);
    EXPECT_EQ(loaded->model->options().values(), file.model->options().values());
    ScoreOptions so;
    EXPECT_EQ(loaded->model->ScoreTrace(probe, so).value, file.model->ScoreTrace(probe, so).value);
    std::vector<float> a, b;
    loaded->model->ScoreEvents(probe, &a);
    file.model->ScoreEvents(probe, &b);
    EXPECT_EQ(a, b);
    EXPECT_EQ(a.size(), probe.calls.size());

    // Two replicas, each learning one trace, merged through their files.
    std::vector<ModelFile> parts;
    std::vector<std::string> names;
    for (size_t i = 0; i < 2; ++i) {
      auto m = make();
      ASSERT_TRUE(m.ok());
      ASSERT_TRUE((*m)->Learn(traces[i]).ok());
      ASSERT_TRUE((*m)->Prepare().ok());
      ModelFile part;
      part.model = std::move(*m);
      part.table = SyscallTable::kX86_64;
      part.workload = i == 0 ? "apache" : "apache-b";
      part.calibration = file.calibration;
      names.push_back(TempPath(std::string(info.name) + std::to_string(i)));
      ASSERT_TRUE(SaveModelFile(part, names.back()).ok());
      auto back = LoadModelFile(names.back());
      ASSERT_TRUE(back.ok()) << back.status();
      parts.push_back(std::move(*back));
    }
    auto merged = MergeModelFiles(std::move(parts), names);
    ASSERT_TRUE(merged.ok()) << merged.status();
    EXPECT_TRUE(merged->calibration.empty());
    EXPECT_EQ(merged->workload, "apache,apache-b");
    if (info.name != "ensemble") {
      // Sets and counts: the merge is the model of the union.
      EXPECT_EQ(merged->model->ScoreTrace(probe, so).value,
                file.model->ScoreTrace(probe, so).value);
    }
    std::filesystem::remove(path);
    for (const std::string& n : names) std::filesystem::remove(n);
  }
  std::printf("  %zu model(s) tested\n", tested);
}

TEST(ModelFile, MergeRefusesOtherTables) {
  auto a = NewModel("profile", ModelOptions());
  auto b = NewModel("profile", ModelOptions());
  if (!a.ok() || !b.ok()) GTEST_SKIP() << "profile model absent";
  std::vector<ModelFile> files(2);
  files[0].model = std::move(*a);
  files[0].table = SyscallTable::kX86_64;
  files[1].model = std::move(*b);
  files[1].table = SyscallTable::kX86_32;
  EXPECT_EQ(MergeModelFiles(std::move(files), {"a.vml", "b.vml"}).status().message(),
            "b.vml: learned syscall table x86_32, a.vml learned x86_64");
}

TEST(ModelFile, LoadNamesMissingFiles) {
  EXPECT_EQ(LoadModelFile("/nonexistent/m.vml").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace vigil::ml
