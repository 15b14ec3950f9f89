#include "secrets/scanner.h"

#include <gtest/gtest.h>

#include <thread>

#include "secrets/fs_scan.h"

namespace vigil::secrets {
namespace {

std::unique_ptr<SecretScanner> Builtin(ScanOptions opts = {}) {
  auto s = SecretScanner::Create(BuiltinRules(), opts);
  EXPECT_TRUE(s.ok()) << s.status();
  return std::move(s).value();
}

// Synthetic tokens of the documented shapes (never real credentials).
constexpr char kGhp[] = "ghp_R7kq2LzV9pWr3XcNa8BsD4mFh6JgQe1Uy5Ko";
constexpr char kAwsId[] = "AKIAQ3ZJ7WXN5RTYUVL2";

TEST(Scanner, FindsTokenWithLineAndRedaction) {
  auto scanner = Builtin();
  std::string text = "# config\nname: demo\ntoken: " + std::string(kGhp) + "\n";
  std::vector<SecretMatch> out;
  scanner->Scan("/app/config.yaml", text, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].rule_id, "github-pat");
  EXPECT_EQ(out[0].line, 3);
  EXPECT_EQ(out[0].secret, kGhp);
  EXPECT_EQ(out[0].file_type, "yaml");
  EXPECT_TRUE(out[0].keyword_on_line);
  EXPECT_EQ(out[0].redacted.find(kGhp), std::string::npos);
  EXPECT_EQ(out[0].redacted.rfind("token: ghp_*", 0), 0u) << out[0].redacted;
  EXPECT_GT(out[0].entropy, 4.0);
}

// Each of two consecutive assignment lines is found: a match that consumed the first line's
// newline must not hide the second (the next search starts at the secret's end).
TEST(Scanner, ConsecutiveAssignmentLinesAreAllFound) {
  ScanOptions opts;
  opts.rerank = false;
  auto scanner = Builtin(opts);
  std::string text =
      "DB_PASSWORD=Vq8mZ2rT6yLp\nREDIS_PASSWORD=Hw3nK9cX5bQs\nAPI_SECRET=Qm7vT2xZr9LpW4kYh8Nc\n";
  std::vector<SecretMatch> out;
  scanner->Scan("app/.env", text, &out);
  ASSERT_EQ(out.size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(out[i].line, i + 1);
}

TEST(Scanner, MultilinePrivateKeyReportsItsFirstLine) {
  auto scanner = Builtin();
  std::string text =
      "x\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAvQ9zKm3Xh7pLw2Rt\n"
      "Yq8Nc4Vb6Jd1Fg5Hs0Ke3Lm9Pz7Ua2Wx\n-----END RSA PRIVATE KEY-----\n";
  std::vector<SecretMatch> out;
  scanner->Scan("/k.pem", text, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].rule_id, "private-key-rsa");
  EXPECT_EQ(out[0].line, 2);
}

TEST(Scanner, SkipsBinaryAndLargeFilesAndCountsThem) {
  ScanOptions opts;
  opts.max_file_size = 64;
  auto scanner = Builtin(opts);
  ScanStats stats;
  std::vector<SecretMatch> out;
  std::string binary = std::string(
                           "\x7f"
                           "ELF\0\0",
                           6) +
                       kGhp;
  scanner->Scan("/bin/x", binary, &out, &stats);
  scanner->Scan("/big", std::string(100, 'a') + kGhp, &out, &stats);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(stats.skipped_binary.load(), 1u);
  EXPECT_EQ(stats.skipped_large.load(), 1u);
}

TEST(Scanner, PlaceholdersInlineAllowAndKeywords) {
  auto scanner = Builtin();
  std::vector<SecretMatch> out;
  scanner->Scan("/a", "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n", &out);
  scanner->Scan("/a", std::string("k = ") + kAwsId + "  # pragma: allowlist secret\n", &out);
  scanner->Scan("/a", "password = ${DB_PASSWORD}\napi_key: <your-api-key>\n", &out);
  EXPECT_TRUE(out.empty()) << out[0].rule_id;
}

TEST(Scanner, CustomRulesWithAllowlistsAndKeywordPrefilter) {
  auto rules = ParseRules(R"toml(
[allowlist]
paths = ['''^/vendor/''']
[[rules]]
id = "acme"
keywords = ["acme"]
regex = '''acme_key\s*=\s*(\w{12})'''
  [rules.allowlist]
  stopwords = ["zzz"]
[[rules]]
id = "lookahead-free"
regex = '''tok:([0-9]{6})'''
placeholders = false
)toml",
                          "custom.toml");
  ASSERT_TRUE(rules.ok()) << rules.status();
  auto scanner = SecretScanner::Create(*rules);
  ASSERT_TRUE(scanner.ok()) << scanner.status();
  std::vector<SecretMatch> out;
  (*scanner)->Scan("/src/a.ini", "acme_key = Q1w2E3r4T5y6\nacme_key = Q1w2zzzT5y6X\n", &out);
  (*scanner)->Scan("/vendor/a.ini", "acme_key = Q1w2E3r4T5y6\n", &out);
  (*scanner)->Scan("/src/b.ini", "tok:123456 tok:654321", &out);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].secret, "Q1w2E3r4T5y6");
  EXPECT_EQ(out[1].secret, "123456");
  EXPECT_EQ(out[2].secret, "654321");
  EXPECT_EQ(out[2].line, 1);
}

TEST(Scanner, PathOnlyRuleAndLineTargetAllowlist) {
  auto rules = ParseRules(R"toml(
[[rules]]
id = "keystore-file"
path = '''\.jks$'''
[[rules]]
id = "internal"
regex = '''internal_key=([a-z0-9]{16})'''
placeholders = false
  [[rules.allowlists]]
  regexTarget = "line"
  regexes = ['''#\s*rotated''']
)toml",
                          "custom.toml");
  ASSERT_TRUE(rules.ok()) << rules.status();
  auto scanner = SecretScanner::Create(*rules);
  ASSERT_TRUE(scanner.ok()) << scanner.status();
  std::vector<SecretMatch> out;
  (*scanner)->Scan("/srv/app/keys.jks", "binary-ish", &out);
  (*scanner)->Scan(
      "/a.env", "internal_key=q1w2e3r4t5y6u7i8  # rotated\ninternal_key=z9x8c7v6b5n4m3l2\n", &out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].rule_id, "keystore-file");
  EXPECT_EQ(out[0].line, 0);
  EXPECT_EQ(out[1].secret, "z9x8c7v6b5n4m3l2");
  EXPECT_EQ(out[1].line, 2);
  EXPECT_EQ(RedactSecret("abc"), "***");
  EXPECT_EQ(RedactSecret("abcdefghijklmnopqrst"), "abcd****************");
}

TEST(Scanner, ConcurrentScansAgree) {
  auto scanner = Builtin();
  std::string text;
  for (int i = 0; i < 200; ++i) text += "line " + std::to_string(i) + " token=" + kGhp + "\n";
  std::vector<std::thread> threads;
  std::vector<size_t> counts(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::vector<SecretMatch> out;
      scanner->Scan("/t", text, &out);
      counts[t] = out.size();
    });
  }
  for (auto& th : threads) th.join();
  for (size_t c : counts) EXPECT_EQ(c, 200u);
}

TEST(FsScan, WalksAFileSystemIntoFindings) {
  auto scanner = Builtin();
  MemFileSystem fs;
  fs.AddFile("/app/.env", std::string("GITHUB_TOKEN=") + kGhp + "\n");
  fs.AddFile("/app/readme.md", "nothing to see\n");
  fs.AddFile("/proc/1/environ", std::string("X=") + kGhp);
  std::vector<report::Finding> findings;
  ScanStats stats;
  FsScanOptions opts;
  opts.layer = "sha256:ab";
  ASSERT_TRUE(ScanFileSystem(*scanner, fs, opts, &findings, &stats).ok());
  ASSERT_EQ(findings.size(), 1u);
  const report::Finding& f = findings[0];
  EXPECT_EQ(f.kind, report::FindingKind::kSecret);
  EXPECT_EQ(f.id, "github-pat");
  EXPECT_EQ(f.severity, report::Severity::kCritical);
  EXPECT_EQ(f.location.path, "/app/.env");
  EXPECT_EQ(f.location.line, 1);
  EXPECT_EQ(f.location.layer, "sha256:ab");
  EXPECT_EQ(f.match.find(kGhp), std::string::npos);
  EXPECT_EQ(stats.files.load(), 2u);
}

// With keep_reranked, what the re-ranker drops is still reported, as suppressed findings that
// state their score; what it keeps states its score too.
TEST(FsScan, ReRankedFindingsStateTheirScore) {
  ScanOptions opts;
  opts.keep_reranked = true;
  auto scanner = Builtin(opts);
  MemFileSystem fs;
  fs.AddFile("/app/.env",
             "token_sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n"
             "SECRET=Qm7vT2xZr9LpW4kYh8NcJ3sFd6GbA1eU\n");
  std::vector<report::Finding> findings;
  ASSERT_TRUE(ScanFileSystem(*scanner, fs, FsScanOptions{}, &findings).ok());
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].status, "suppressed");
  EXPECT_EQ(findings[0].description.rfind("Re-ranker score 0.", 0), 0u) << findings[0].description;
  EXPECT_EQ(findings[1].status, "");
  EXPECT_NE(findings[1].description.find("threshold"), std::string::npos);
}

}  // namespace
}  // namespace vigil::secrets
