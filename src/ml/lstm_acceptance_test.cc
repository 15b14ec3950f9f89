// Issue 10's ADFA-LD figure for the LSTM language model (lstm.h) on the shared dev set.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
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

TEST_F(AdfaLd, LstmDefaults) {
  Figure f = EvaluateAdfa("lstm", {});
  EXPECT_GE(f.auc, 0.83);
}

TEST_F(AdfaLd, Variants) {
  const char* env = std::getenv("N1_EXP");
  if (env == nullptr) GTEST_SKIP();
  ModelOptions o;
  std::istringstream in(env);
  std::string kv;
  while (in >> kv) ASSERT_TRUE(o.Add(kv).ok());
  auto m = LstmModel::Create(o);
  ASSERT_TRUE(m.ok());
  const testing::Adfa* a = testing::LoadAdfa();
  for (const Trace& t : a->train) ASSERT_TRUE((*m)->Learn(t).ok());
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE((*m)->Prepare().ok());
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("train %.1fs wall; loss:", secs);
  for (double l : (*m)->epoch_loss()) std::printf(" %.3f", l);
  std::printf("\n");
  std::vector<std::vector<float>> vs, as;
  double vsum = 0, vn = 0;
  for (const Trace& t : a->validation) {
    vs.emplace_back();
    (*m)->Surprisals(t, &vs.back());
    for (float x : vs.back()) vsum += x;
    vn += vs.back().size();
  }
  for (const Trace& t : a->attack) {
    as.emplace_back();
    (*m)->Surprisals(t, &as.back());
  }
  std::printf("validation mean surprisal %.3f\n", vsum / vn);
  auto report = [&](const char* name, auto f) {
    std::vector<double> n, at;
    for (auto& s : vs) n.push_back(f(s));
    for (auto& s : as) at.push_back(f(s));
    std::printf("  %-16s AUC %.4f DR@5%% %.3f\n", name, RocAuc(n, at), AtFar(n, at, 0.05).dr);
  };
  auto mean = [](const std::vector<float>& s) {
    double x = 0;
    for (float v : s) x += v;
    return s.empty() ? 0.0 : x / s.size();
  };
  report("mean", mean);
  report("sum", [](const std::vector<float>& s) {
    double x = 0;
    for (float v : s) x += v;
    return x;
  });
  report("max", [](const std::vector<float>& s) {
    double x = 0;
    for (float v : s) x = std::max(x, double(v));
    return x;
  });
  for (int top : {1, 5, 10, 25, 50}) {
    std::string name = "top" + std::to_string(top);
    report(name.c_str(), [top](std::vector<float> s) {
      if (s.empty()) return 0.0;
      size_t k = std::max<size_t>(1, (s.size() * top + 99) / 100);
      std::sort(s.begin(), s.end(), std::greater<float>());
      double x = 0;
      for (size_t i = 0; i < k; ++i) x += s[i];
      return x / k;
    });
  }
  for (double thr : {1.0, 2.0, 4.0, 6.0}) {
    std::string name = "frac>" + std::to_string(thr).substr(0, 3);
    report(name.c_str(), [thr](const std::vector<float>& s) {
      double x = 0;
      for (float v : s) x += v > thr;
      return s.empty() ? 0.0 : x / s.size();
    });
  }
  report("median", [](std::vector<float> s) {
    if (s.empty()) {
      return 0.0;
    }
    std::sort(s.begin(), s.end());
    return double(s[s.size() / 2]);
  });
  report("mean-clip3", [](const std::vector<float>& s) {
    double x = 0;
    for (float v : s) x += std::min(v, 3.0f);
    return s.empty() ? 0.0 : x / s.size();
  });
  report("mean-sqrt", [](const std::vector<float>& s) {
    double x = 0;
    for (float v : s) x += std::sqrt(v);
    return s.empty() ? 0.0 : x / s.size();
  });
}

}  // namespace
}  // namespace vigil::ml
