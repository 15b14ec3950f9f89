// Comparisons per second for every scheme on realistic versions, and OSV range checks.
// Runs as a gtest (label `slow`) so ctest drives it like every other test; pass Google
// Benchmark flags after "--", e.g. `match_version_bench -- --benchmark_filter=dpkg`.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "benchmark/benchmark.h"
#include "gtest/gtest.h"
#include "match/osv_range.h"
#include "match/version.h"

namespace vigil::match {
namespace {

struct Sample {
  std::string_view ecosystem;
  std::vector<std::string_view> versions;
};

const std::vector<Sample>& Samples() {
  static const auto* const kSamples = new std::vector<Sample>{
      {"Debian",
       {"2.8.6-1+squeeze5", "1:2.12.20-8+deb7u4", "0.9.8c-4etch3+m68k1", "1.2.3-1~deb7u1",
        "2.7.4+reloaded2-13ubuntu1", "3.0.11-1~deb12u2"}},
      {"Alpine",
       {"2.4.6-r4", "1.2.3_rc1-r0", "0.99.3.20040818", "4.2.52_p4-r2", "6.6.2_p1-r1", "3.1.5-r2"}},
      {"Red Hat",
       {"0:3.10.0-229.1.2.ael7b", "1:1.0^git1~pre-1.el9", "2.4.21-9.0.1.EL", "5.14.0-362.8.1.el9_3",
        "1.0~rc1-3.fc38", "4.18.0-513.5.1.el8_9"}},
      {"PyPI", {"1.36.0rc1", "1!2.0.post3.dev4", "2.31.0", "0.9.0b2", "1.0.0+local.7", "3.2.1"}},
      {"npm", {"1.0.0-alpha.beta", "4.17.21", "0.0.0-20191109", "2.0.0-rc.1", "1.2.3", "10.1.0"}},
      {"Go",
       {"v0.0.0-20191109021931-daa7c04131f5", "v1.20.5", "v2.0.0+incompatible",
        "v1.2.4-0.20191109021931-daa7c04131f5", "v0.14.0", "v1.0.0-rc.1"}},
      {"Maven",
       {"1.0-alpha-1-SNAPSHOT", "2.13.4.2", "5.3.20.RELEASE", "1.0.1.Final", "6.1.0rc3",
        "1.0-beta-1-20150521"}},
      {"RubyGems", {"1.2.4.beta", "7.0.4", "1.0.a.10", "5.2.8.1", "6.1.7.3", "0.7.213"}},
      {"Packagist", {"v5.0.0-RC", "4.6.5", "1.0.0-beta2.1", "dev-master", "2.2.1", "1.0pl1"}},
      {"NuGet",
       {"1.0.0.1-1.2.A+meta", "13.0.3", "6.0.0-preview.7.21377.19", "4.3.0", "1.0.01", "2.1.1"}},
      {"crates.io", {"1.0.0-alpha.1", "0.4.31", "1.28.2", "0.9.0", "2.0.0-rc.1", "1.0.197"}},
      {"Pub", {"1.2.3+build.1", "0.13.5", "2.0.0-nullsafety.0", "1.0.0", "3.1.1", "0.1.2"}},
      {"CRAN", {"0.1-2", "1.0.0", "3.4.1.2", "1.2-10", "0.9.22", "1.8.7"}},
      {"Hackage", {"0.11.3.0", "1.0.0.0", "2.0", "0.1.26.0", "1.0.1", "1.2"}},
  };
  return *kSamples;
}

void BM_Compare(benchmark::State& state, const Sample* sample) {
  const VersionScheme& scheme = **SchemeForEcosystem(sample->ecosystem);
  const auto& v = sample->versions;
  int64_t compares = 0;
  for (auto _ : state) {
    for (size_t i = 0; i < v.size(); ++i) {
      for (size_t j = 0; j < v.size(); ++j) {
        benchmark::DoNotOptimize(scheme.Compare(v[i], v[j]));
      }
    }
    compares += static_cast<int64_t>(v.size() * v.size());
  }
  state.SetItemsProcessed(compares);
  state.SetLabel("comparisons");
}

void BM_CompareParsed(benchmark::State& state, const Sample* sample) {
  const VersionScheme& scheme = **SchemeForEcosystem(sample->ecosystem);
  std::vector<std::unique_ptr<const ParsedVersion>> v;
  for (std::string_view s : sample->versions) v.push_back(*scheme.Parse(s));
  int64_t compares = 0;
  for (auto _ : state) {
    for (size_t i = 0; i < v.size(); ++i) {
      for (size_t j = 0; j < v.size(); ++j) {
        benchmark::DoNotOptimize(scheme.CompareParsed(*v[i], *v[j]));
      }
    }
    compares += static_cast<int64_t>(v.size() * v.size());
  }
  state.SetItemsProcessed(compares);
  state.SetLabel("comparisons");
}

void BM_OsvRangeContains(benchmark::State& state) {
  auto range = OsvRange::Create(**SchemeForEcosystem("Debian"),
                                {{OsvEventKind::kIntroduced, "0"},
                                 {OsvEventKind::kFixed, "2.8.6-1+squeeze5"},
                                 {OsvEventKind::kIntroduced, "2.12.20-1"},
                                 {OsvEventKind::kFixed, "1:2.12.20-8+deb7u4"}});
  auto installed = (*SchemeForEcosystem("Debian"))->Parse("2.12.20-8+deb7u3");
  int64_t n = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(range->Contains(**installed));
    ++n;
  }
  state.SetItemsProcessed(n);
}

TEST(VersionBench, ComparisonsPerSecond) {
  for (const Sample& s : Samples()) {
    std::string name(s.ecosystem);
    for (char& c : name) c = c == ' ' ? '_' : c;
    benchmark::RegisterBenchmark(("Compare/" + name).c_str(), BM_Compare, &s);
    benchmark::RegisterBenchmark(("CompareParsed/" + name).c_str(), BM_CompareParsed, &s);
  }
  benchmark::RegisterBenchmark("OsvRange/Contains/Debian", BM_OsvRangeContains);
  // Short runs keep the whole suite well inside the ctest timeout.
  std::string min_time = "--benchmark_min_time=0.1";
  std::string program = "match_version_bench";
  char* argv[] = {program.data(), min_time.data(), nullptr};
  int argc = 2;
  benchmark::Initialize(&argc, argv);
  EXPECT_GT(benchmark::RunSpecifiedBenchmarks(), 0u);
  benchmark::Shutdown();
}

}  // namespace
}  // namespace vigil::match
