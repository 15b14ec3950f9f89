// The ADFA-LD dev set (../shared/datasets/adfa-ld-dev) for the models' acceptance tests, and
// issue 10's protocol run through the product's own harness (eval.h: learn Training, calibrate
// on Validation, score every Validation and Attack trace, metrics.h's conventions). Tests skip
// when LoadAdfa() returns nullptr (../shared absent).
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "base/test_paths.h"
#include "ml/datasets.h"
#include "ml/eval.h"
#include "ml/model.h"

namespace vigil::ml::testing {

inline std::string SharedDatasets() { return test_paths::SharedDir() + "/datasets"; }

struct Adfa {
  std::vector<Trace> train, validation, attack;
};

// Read once per test binary; nullptr when the data set is absent.
inline const Adfa* LoadAdfa() {
  static const Adfa* adfa = []() -> const Adfa* {
    const std::string root = SharedDatasets() + "/adfa-ld-dev/";
    if (!std::filesystem::exists(root)) return nullptr;
    auto* a = new Adfa;
    auto read = [&](const char* dir, Label label, std::vector<Trace>* out) {
      auto traces = ReadTraces(DatasetFormat::kAdfaLd, root + dir, label);
      EXPECT_TRUE(traces.ok()) << traces.status().ToString();
      if (traces.ok()) *out = std::move(traces).value();
    };
    read("Training_Data_Master", Label::kNormal, &a->train);
    read("Validation_Data_Master", Label::kNormal, &a->validation);
    read("Attack_Data_Master", Label::kAttack, &a->attack);
    return a;
  }();
  return adfa;
}

struct Figure {
  double auc = 0, dr1 = 0, dr5 = 0, dr10 = 0;
};

// The figure of model `name` with `options` ("key=value"), printed for the log.
inline Figure EvaluateAdfa(const std::string& name, const std::vector<std::string>& options) {
  const Adfa* adfa = LoadAdfa();
  if (adfa == nullptr) return {};
  TrainOptions train;
  train.model = name;
  for (const std::string& kv : options) EXPECT_TRUE(train.params.Add(kv).ok()) << kv;
  train.fars = {0.01, 0.05, 0.10};
  auto result = Evaluate(adfa->train, adfa->validation, adfa->attack, train);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  if (!result.ok() || result->at_far.size() != 3) return {};
  Figure f{result->auc, result->at_far[0].dr, result->at_far[1].dr, result->at_far[2].dr};
  std::string label = name;
  for (const std::string& kv : options) label += " " + kv;
  std::printf("ADFA-LD %-44s AUC %.4f  DR@1%% %.3f  DR@5%% %.3f  DR@10%% %.3f\n", label.c_str(),
              f.auc, f.dr1, f.dr5, f.dr10);
  return f;
}

class AdfaLd : public ::testing::Test {
 protected:
  void SetUp() override {
    if (LoadAdfa() == nullptr) GTEST_SKIP() << "no " << SharedDatasets() << "/adfa-ld-dev";
    ASSERT_EQ(LoadAdfa()->train.size(), 833u);
  }
};

}  // namespace vigil::ml::testing
