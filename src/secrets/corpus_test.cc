// Data-driven accuracy of the built-in rules:
//  - testdata/secrets/positive/: one planted synthetic secret per rule (expected.tsv gives
//    file, line, rule): every one must be found by its own rule, nothing else reported;
//  - testdata/secrets/negative/: placeholders, hashes, UUIDs, fixtures, base64 images, lorem
//    ipsum, minified JS: zero findings;
//  - ../shared/corpora/detect-secrets (when present): how many of its baseline's secret lines
//    are found, with the misses listed. Precision and recall are printed for each set.
#include <gtest/gtest.h>
#include <openssl/sha.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "base/fs.h"
#include "base/strings.h"
#include "base/test_paths.h"
#include "secrets/rules.h"
#include "secrets/scanner.h"

namespace vigil::secrets {
namespace {

namespace stdfs = std::filesystem;

using test_paths::SourceDir;

const SecretScanner& Scanner() {
  static const SecretScanner* s = SecretScanner::Create(BuiltinRules()).value().release();
  return *s;
}

std::string Slurp(const stdfs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Scans every regular file below `root`; the path given to the scanner is the relative one.
std::vector<SecretMatch> ScanTree(const stdfs::path& root) {
  std::vector<SecretMatch> out;
  std::vector<stdfs::path> files;
  for (const auto& e : stdfs::recursive_directory_iterator(root)) {
    if (e.is_regular_file()) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    Scanner().Scan(stdfs::relative(f, root).string(), Slurp(f), &out);
  }
  return out;
}

TEST(SecretsCorpus, PositiveEveryPlantedSecretFoundByItsRule) {
  stdfs::path root = stdfs::path(SourceDir()) / "testdata/secrets/positive";
  std::ifstream tsv(root / "expected.tsv");
  ASSERT_TRUE(tsv) << "missing " << (root / "expected.tsv");
  std::map<std::pair<std::string, int>, std::string> expected;  // (file, line) -> rule
  std::string row;
  while (std::getline(tsv, row)) {
    if (row.empty() || row[0] == '#') continue;
    auto cols = Split(row, '\t');
    ASSERT_EQ(cols.size(), 3u) << row;
    expected[{std::string(cols[0]), std::stoi(std::string(cols[1]))}] = std::string(cols[2]);
  }
  auto found = ScanTree(root);
  std::set<std::pair<std::string, int>> hit;
  int false_positives = 0;
  for (const auto& m : found) {
    if (m.path == "expected.tsv") continue;
    auto it = expected.find({m.path, m.line});
    if (it != expected.end() && it->second == m.rule_id) {
      hit.insert(it->first);
    } else {
      ++false_positives;
      ADD_FAILURE() << "unexpected: " << m.path << ":" << m.line << " " << m.rule_id << " ("
                    << m.redacted << ")";
    }
  }
  for (const auto& [key, rule] : expected) {
    EXPECT_TRUE(hit.count(key)) << "missed: " << key.first << ":" << key.second << " " << rule;
  }
  std::set<std::string> rules_covered;
  for (const auto& k : hit) rules_covered.insert(expected[k]);
  const double tp = static_cast<double>(hit.size());
  std::printf(
      "positive set: %zu planted secrets, %zu found by their rule, %d other findings; "
      "precision %.3f recall %.3f; rules covered %zu of %zu\n",
      expected.size(), hit.size(), false_positives,
      tp + false_positives > 0 ? tp / (tp + false_positives) : 0.0,
      expected.empty() ? 0.0 : tp / expected.size(), rules_covered.size(),
      Scanner().rules().size());
  EXPECT_EQ(rules_covered.size(), Scanner().rules().size()) << "every built-in rule is tested";
}

TEST(SecretsCorpus, NegativeYieldsNothing) {
  stdfs::path root = stdfs::path(SourceDir()) / "testdata/secrets/negative";
  auto found = ScanTree(root);
  int files = 0;
  for (const auto& e : stdfs::recursive_directory_iterator(root)) files += e.is_regular_file();
  for (const auto& m : found) {
    ADD_FAILURE() << "false positive: " << m.path << ":" << m.line << " " << m.rule_id << " ("
                  << m.redacted << ")";
  }
  std::printf("negative set: %d files, %zu findings (false positives)\n", files, found.size());
}

std::string Sha1Hex(std::string_view s) {
  unsigned char d[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : d) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

// Why each baseline line we do not report is not reported (checked by the test, so the list
// stays true): values the corpus itself marks as non-secrets in other places, or values the
// scanner deliberately treats as placeholders or too weak to be credentials.
const std::map<std::string, std::string>& KnownMisses() {
  static const std::map<std::string, std::string> kMisses = {
      {"config.ini:10", "10-character value \"23456789a1\": below every rule's minimum length"},
      {"config.yaml:3",
       "\"1234567890a\": 11 sequential characters under a name without a "
       "secret keyword"},
      {"config.yaml:4",
       "no value in the file has the baseline's hash (the file changed after "
       "the baseline; the line is now \"nested:\")"},
      {"each_secret.py:8",
       "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY is AWS's documentation "
       "example secret: a placeholder"},
      {"sample.diff:10", "\"012345678a\" in code: sequential characters, no assignment"},
      {"sample.diff:72",
       "\"hashed_secret\": the SHA-1 of a secret (detect-secrets' own baseline format), not a "
       "credential: the re-ranker scores hashes under hash-named keys low"},
      {"sample.diff:34",
       "bare quoted 32-hex string with no name: indistinguishable from an "
       "MD5 digest, which the negative set requires us not to report"},
      {"short_files/first_line.php:1",
       "'notHighEnoughEntropy' (the corpus names it so): generic-secret reports it, the "
       "re-ranker drops it (a camel-case English phrase)"},
      {"short_files/last_line.ini:5", "\"BEEF0123456789a\": 15 hex chars on a continuation line"},
  };
  return kMisses;
}

// Scans the detect-secrets corpus with `scanner` and compares with its baseline; returns the
// number of baseline lines found. With `known_misses`, every miss must have a stated reason
// and no listed miss may be found.
int RunDetectSecretsBaseline(const stdfs::path& root, const SecretScanner& scanner,
                             bool known_misses) {
  auto baseline = nlohmann::json::parse(Slurp(root / "baseline.file"), nullptr, false);
  EXPECT_FALSE(baseline.is_discarded());
  if (baseline.is_discarded()) return 0;
  // (file, line) -> types and hashes the baseline lists there.
  std::map<std::pair<std::string, int>, std::vector<std::pair<std::string, std::string>>> want;
  for (const auto& [file, results] : baseline["results"].items()) {
    for (const auto& r : results) {
      want[{file, r["line_number"].get<int>()}].push_back(
          {r["type"].get<std::string>(), r["hashed_secret"].get<std::string>()});
    }
  }
  int found = 0, exact = 0, misses = 0, extra = 0;
  std::set<const SecretMatch*> claimed;
  std::map<std::string, std::vector<SecretMatch>> by_file;
  for (const auto& [key, types] : want) {
    if (by_file.count(key.first)) continue;
    stdfs::path p = root / key.first;
    if (!stdfs::exists(p)) p = root / (key.first + ".txt");  // the corpus stores *.py as *.py.txt
    std::vector<SecretMatch> out;
    if (stdfs::exists(p)) scanner.Scan(key.first, Slurp(p), &out);
    by_file[key.first] = std::move(out);
  }
  for (const auto& [key, types] : want) {
    std::string where = key.first + ":" + std::to_string(key.second);
    // The corpus files changed after the baseline was written (some lines moved), so a
    // baseline secret is found when a match has its SHA-1 anywhere in the file, or failing
    // that when a match is on the baseline's line.
    const SecretMatch* hit = nullptr;
    for (const auto& m : by_file[key.first]) {
      for (const auto& t : types) {
        if (t.second == Sha1Hex(m.secret)) hit = &m;
      }
    }
    for (const auto& m : by_file[key.first]) {
      if (hit == nullptr && m.line == key.second) hit = &m;
    }
    if (hit != nullptr) claimed.insert(hit);
    std::string type_list;
    for (const auto& t : types) type_list += (type_list.empty() ? "" : ", ") + t.first;
    if (hit != nullptr) {
      ++found;
      bool same = false;
      for (const auto& t : types) same = same || t.second == Sha1Hex(hit->secret);
      exact += same;
      std::printf("  found %-34s %-26s (baseline: %s)%s\n", where.c_str(), hit->rule_id.c_str(),
                  type_list.c_str(), same ? "" : " [on the baseline line; different span]");
      if (known_misses) {
        EXPECT_FALSE(KnownMisses().count(where)) << where << " is listed as a known miss";
      }
    } else {
      ++misses;
      auto reason = KnownMisses().find(where);
      std::printf("  MISS  %-34s (baseline: %s): %s\n", where.c_str(), type_list.c_str(),
                  reason != KnownMisses().end() ? reason->second.c_str() : "no reason known");
      if (known_misses) {
        EXPECT_TRUE(reason != KnownMisses().end()) << "unexplained miss " << where;
      }
    }
  }
  for (const auto& [file, matches] : by_file) {
    for (const auto& m : matches) {
      if (!claimed.count(&m)) {
        ++extra;
        std::printf("  extra %s:%d %s (%s)\n", file.c_str(), m.line, m.rule_id.c_str(),
                    m.redacted.c_str());
      }
    }
  }
  const double p = found + extra > 0 ? static_cast<double>(found) / (found + extra) : 0;
  const double r = want.empty() ? 0 : static_cast<double>(found) / want.size();
  std::printf(
      "detect-secrets baseline: %d of %zu secret lines found (%d with the same secret "
      "span), %d missed, %d findings on lines the baseline does not list; precision "
      "%.3f recall %.3f\n",
      found, want.size(), exact, misses, extra, p, r);
  return found;
}

stdfs::path DetectSecretsRoot() {
  return stdfs::path(test_paths::SharedDir()) / "corpora/detect-secrets/test_data";
}

TEST(SecretsCorpus, DetectSecretsBaseline) {
  stdfs::path root = DetectSecretsRoot();
  if (!stdfs::exists(root / "baseline.file")) {
    GTEST_SKIP() << "detect-secrets corpus absent (" << root << ")";
  }
  std::printf("built-in rules:\n");
  EXPECT_GE(RunDetectSecretsBaseline(root, Scanner(), /*known_misses=*/true), 12);
}

// The same corpus with the builtin:detect-secrets profile merged over the built-in
// rules (detect-secrets' own detectors as a user rule file): every baseline line whose value
// is still in the file is found. The one left, config.yaml:4, has a hash no value of the
// current file has (the file changed after its baseline).
TEST(SecretsCorpus, DetectSecretsBaselineWithCompatRules) {
  stdfs::path root = DetectSecretsRoot();
  if (!stdfs::exists(root / "baseline.file")) {
    GTEST_SKIP() << "detect-secrets corpus absent (" << root << ")";
  }
  RuleSet rules = BuiltinRules();
  auto extra = LoadRuleFile("builtin:detect-secrets");
  ASSERT_TRUE(extra.ok()) << extra.status();
  MergeRules(std::move(*extra), &rules);
  auto scanner = SecretScanner::Create(rules);
  ASSERT_TRUE(scanner.ok()) << scanner.status();
  std::printf("built-in rules + builtin:detect-secrets:\n");
  EXPECT_GE(RunDetectSecretsBaseline(root, **scanner, /*known_misses=*/false), 20);
}

}  // namespace
}  // namespace vigil::secrets
