// Issue 10's ADFA-LD figure for the LSTM language model (lstm.h) on the shared dev set
// (../shared/datasets/adfa-ld-dev): learn Training_Data_Master, calibrate on
// Validation_Data_Master, score every Validation and Attack trace. Skips when ../shared is
// absent. Each TEST trains the network once (most of a CPU minute), so ctest runs them as
// separate entries (src/ml/CMakeLists.txt). The asserted bounds are the figures measured here,
// rounded down: the LSTM does NOT beat cover (0.848) on this set; see lstm.h.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "ml/adfa_testutil.h"
#include "ml/lstm.h"
#include "ml/metrics.h"

namespace vigil::ml {
namespace {

using testing::AdfaLd;
using testing::EvaluateAdfa;
using testing::Figure;

// Measured: AUC 0.836, DR 0.11 / 0.29 / 0.45 at 1 / 5 / 10 % false alarms.
TEST_F(AdfaLd, LstmDefaults) {
  Figure f = EvaluateAdfa("lstm", {});
  EXPECT_GE(f.auc, 0.83);
  EXPECT_GE(f.dr5, 0.27);
}

// Kim et al.'s gain came from an ensemble; here lstm + cover (mean of calibrated ranks)
// measures 0.844, between its members (lstm 0.836, cover 0.848).
TEST_F(AdfaLd, LstmCoverEnsemble) {
  Figure f = EvaluateAdfa("ensemble", {"members=lstm,cover"});
  EXPECT_GE(f.auc, 0.84);
}

// The trace aggregations of one trained network, for the variants table of lstm.h and
// src/ml/README.md. Runs only when VIGIL_LSTM_VARIANTS holds the model options to train with
// ("epochs=20", "" for the defaults): each run trains once and prints every aggregation's
// figure.
TEST_F(AdfaLd, LstmAggregations) {
  const char* env = std::getenv("VIGIL_LSTM_VARIANTS");
  if (env == nullptr) GTEST_SKIP() << "set VIGIL_LSTM_VARIANTS=\"k=v ...\" to run";
  ModelOptions o;
  std::istringstream in(env);
  std::string kv;
  while (in >> kv) ASSERT_TRUE(o.Add(kv).ok()) << kv;
  auto m = LstmModel::Create(o);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const testing::Adfa* a = testing::LoadAdfa();
  for (const Trace& t : a->train) ASSERT_TRUE((*m)->Learn(t).ok());
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE((*m)->Prepare().ok());
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("options '%s': training %.1f s wall; loss per epoch (nats/call):", env, secs);
  for (double l : (*m)->epoch_loss()) std::printf(" %.3f", l);
  std::printf("\n");
  std::vector<std::vector<float>> normal, attack;
  double sum = 0, calls = 0;
  for (const Trace& t : a->validation) {
    normal.emplace_back();
    (*m)->Surprisals(t, &normal.back());
    for (float x : normal.back()) sum += x;
    calls += double(normal.back().size());
  }
  for (const Trace& t : a->attack) {
    attack.emplace_back();
    (*m)->Surprisals(t, &attack.back());
  }
  std::printf("validation mean surprisal %.3f nats/call\n", sum / calls);
  auto report = [&](const std::string& name, auto f) {
    std::vector<double> n, at;
    for (const auto& s : normal) n.push_back(s.empty() ? 0.0 : f(s));
    for (const auto& s : attack) at.push_back(s.empty() ? 0.0 : f(s));
    std::printf("  %-12s AUC %.4f DR@5%% %.3f\n", name.c_str(), RocAuc(n, at),
                AtFar(n, at, 0.05).dr);
  };
  report("mean", [](const std::vector<float>& s) {
    double x = 0;
    for (float v : s) x += v;
    return x / double(s.size());
  });
  report("sum", [](const std::vector<float>& s) {
    double x = 0;
    for (float v : s) x += v;
    return x;
  });
  report("max",
         [](const std::vector<float>& s) { return double(*std::max_element(s.begin(), s.end())); });
  for (int top : {1, 10, 25, 50}) {
    report("top" + std::to_string(top), [top](std::vector<float> s) {
      const size_t k = std::max<size_t>(1, (s.size() * size_t(top) + 99) / 100);
      std::sort(s.begin(), s.end(), std::greater<float>());
      double x = 0;
      for (size_t i = 0; i < k; ++i) x += s[i];
      return x / double(k);
    });
  }
  report("median", [](std::vector<float> s) {
    std::sort(s.begin(), s.end());
    return double(s[s.size() / 2]);
  });
  for (double threshold : {1.0, 2.0, 4.0}) {
    report("frac>" + std::to_string(int(threshold)), [threshold](const std::vector<float>& s) {
      double x = 0;
      for (float v : s) x += v > threshold ? 1 : 0;
      return x / double(s.size());
    });
  }
}

}  // namespace
}  // namespace vigil::ml
