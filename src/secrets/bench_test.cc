// Throughput of the secret scanner (label `slow`): the Hyperscan-prefilter + RE2-capture
// engine vs a plain loop running every rule's RE2 over every file, on generated mixed text
// (source code, config, JSON, base64 blobs, hex digests, prose, and planted tokens). Prints
// MB/s for both. The baseline runs on a slice of the data (it is ~two orders of magnitude
// slower and the test budget is 120 s).
#include <gtest/gtest.h>
#include <re2/re2.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "secrets/rules.h"
#include "secrets/scanner.h"

namespace vigil::secrets {
namespace {

constexpr size_t kFileSize = 1 << 20;
constexpr int kDistinctFiles = 16;
constexpr int kEnginePasses = 16;  // 16 x 16 MiB = 256 MiB through the engine
constexpr int kBaselineFiles = 4;  // 4 MiB through the RE2-per-rule loop

std::string MakeFile(std::mt19937_64& rng) {
  static const char* kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  static const char* kHex = "0123456789abcdef";
  static const char* kLines[] = {
      "    if (token == nullptr || token->size() == 0) return Status::InvalidArgument(\"x\");\n",
      "  password_field: \"password\"  # the form field name\n",
      "export PATH=/usr/local/bin:$PATH\n",
      "The quick brown fox jumps over the lazy dog while the secret service watches.\n",
      "{\"name\": \"vigil\", \"version\": \"1.2.3\", \"private\": true, \"main\": \"index.js\"}\n",
      "for (var i=0;i<e.length;i++){t.push(e[i].key+\":\"+e[i].value)}\n",
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n",
      "SELECT id, name FROM users WHERE api_key_hash = $1 AND active;\n",
  };
  auto pick = [&](const char* alphabet, size_t n, size_t len) {
    std::string s;
    for (size_t i = 0; i < len; ++i) s += alphabet[rng() % n];
    return s;
  };
  std::string out;
  while (out.size() < kFileSize) {
    switch (rng() % 10) {
      case 0:
        out += pick(kB64, 64, 76) + "\n";  // a base64 body line (certificate, mail)
        break;
      case 1:
        out += "sha256 " + pick(kHex, 16, 64) + "  file.tar.gz\n";
        break;
      case 2:
        if (rng() % 50 == 0) out += "GITHUB_TOKEN=ghp_" + pick(kB64, 62, 36) + "\n";
        if (rng() % 50 == 0)
          out += "aws_key = AKIA" + pick("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 32, 16) + "\n";
        break;
      default:
        out += kLines[rng() % (sizeof kLines / sizeof kLines[0])];
    }
  }
  out.resize(kFileSize);
  return out;
}

double Seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

TEST(SecretsBench, EngineVsRe2PerRule) {
  std::mt19937_64 rng(42);
  std::vector<std::string> files;
  for (int i = 0; i < kDistinctFiles; ++i) files.push_back(MakeFile(rng));

  auto t0 = std::chrono::steady_clock::now();
  auto scanner = SecretScanner::Create(BuiltinRules());
  ASSERT_TRUE(scanner.ok()) << scanner.status();
  const double compile_s = Seconds(t0);

  size_t engine_matches = 0;
  t0 = std::chrono::steady_clock::now();
  for (int pass = 0; pass < kEnginePasses; ++pass) {
    for (const auto& f : files) {
      std::vector<SecretMatch> out;
      (*scanner)->Scan("/bench/file.txt", f, &out);
      engine_matches += out.size();
    }
  }
  const double engine_s = Seconds(t0);
  const double engine_mb = static_cast<double>(kEnginePasses) * kDistinctFiles * kFileSize / 1e6;

  // The same engine with the re-ranker off: what scoring the generic rules' candidates costs.
  ScanOptions no_rerank;
  no_rerank.rerank = false;
  auto plain = SecretScanner::Create(BuiltinRules(), no_rerank);
  ASSERT_TRUE(plain.ok()) << plain.status();
  size_t plain_matches = 0;
  t0 = std::chrono::steady_clock::now();
  for (int pass = 0; pass < kEnginePasses; ++pass) {
    for (const auto& f : files) {
      std::vector<SecretMatch> out;
      (*plain)->Scan("/bench/file.txt", f, &out);
      plain_matches += out.size();
    }
  }
  const double plain_s = Seconds(t0);

  // Baseline: each rule's RE2 over each file, every match extracted (no prefilter).
  std::vector<std::unique_ptr<RE2>> res;
  for (const auto& r : BuiltinRules().rules) {
    if (!r.regex.empty()) res.push_back(std::make_unique<RE2>(r.regex, RE2::Quiet));
  }
  size_t baseline_matches = 0;
  t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < kBaselineFiles; ++i) {
    for (const auto& re : res) {
      re2::StringPiece input(files[i]);
      re2::StringPiece m;
      size_t pos = 0;
      while (pos <= input.size() && re->Match(input, pos, input.size(), RE2::UNANCHORED, &m, 1)) {
        ++baseline_matches;
        size_t end = static_cast<size_t>(m.data() - input.data()) + m.size();
        pos = end > pos ? end : pos + 1;
      }
    }
  }
  const double baseline_s = Seconds(t0);
  const double baseline_mb = static_cast<double>(kBaselineFiles) * kFileSize / 1e6;

  std::printf("rules: %zu (Hyperscan compile + RE2: %.2f s, %zu rules on the RE2 fallback)\n",
              BuiltinRules().rules.size(), compile_s, (*scanner)->fallback_rules());
  std::printf(
      "engine (Hyperscan prefilter + RE2 captures): %.0f MB in %.2f s = %.1f MB/s, "
      "%zu findings\n",
      engine_mb, engine_s, engine_mb / engine_s, engine_matches);
  std::printf("engine without the re-ranker: %.1f MB/s, %zu findings\n", engine_mb / plain_s,
              plain_matches);
  std::printf(
      "baseline (RE2 per rule, no prefilter): %.0f MB in %.2f s = %.1f MB/s, %zu raw "
      "regex matches\n",
      baseline_mb, baseline_s, baseline_mb / baseline_s, baseline_matches);
  std::printf("speed-up: %.1fx\n", (engine_mb / engine_s) / (baseline_mb / baseline_s));
  EXPECT_GT(engine_matches, 0u);
}

}  // namespace
}  // namespace vigil::secrets
