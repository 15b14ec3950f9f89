// The secret scanner: every rule compiled once into one Hyperscan database; one pass over a
// file's bytes finds the end offsets of every rule's candidates and which keywords occur;
// RE2 then runs only on the small regions around those candidates to extract the exact match
// and the secret's capture group (Hyperscan has no capture groups). README.md explains the
// design and its measured throughput.
//
// Thread-safety: a SecretScanner is immutable after Create; Scan may be called concurrently
// (each call borrows a Hyperscan scratch from an internal pool).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "secrets/ranker.h"
#include "secrets/rules.h"

namespace vigil::secrets {

// One secret found. Everything a re-ranker needs is here (rule, entropy, character classes,
// the file's type, the redacted line and whether a rule keyword occurs on the line); the full
// secret is kept in memory only for such consumers and must never be printed or serialised —
// use `redacted`.
struct SecretMatch {
  std::string rule_id;
  size_t rule_index = 0;  // into the scanner's rules()
  std::string path;
  int line = 0;            // 1-based line of the secret's first byte
  size_t offset = 0;       // byte offset of the secret in the file
  size_t match_begin = 0;  // byte range of the whole regex match
  size_t match_end = 0;
  std::string secret;    // the secret in full: in memory only, never written out
  std::string redacted;  // the line around the secret, the secret masked
  double entropy = 0;
  std::string file_type;  // lower-case extension without the dot, or the base name
  bool keyword_on_line = false;
  int lower = 0, upper = 0, digits = 0, other = 0;  // character classes of the secret
  // The re-ranker's probability that this is a credential, for rules with `rerank = true`
  // (-1 otherwise). below_threshold: kept only because ScanOptions::keep_reranked asked.
  double score = -1;
  bool below_threshold = false;
};

struct ScanOptions {
  uint64_t max_file_size = 10ull << 20;  // larger files are skipped (and counted)
  size_t binary_probe = 8192;            // a NUL in this prefix marks a file binary
  size_t max_matches_per_file = 1000;    // bound on findings from one (hostile) file
  // How far before a candidate's end a match may start: for most rules (and never before the
  // start of the candidate's line), and for rules whose matches are blocks of lines (PEM and
  // PuTTY keys, regexes with (?s) or [\s\S]).
  size_t max_match_span = 2048;
  size_t max_block_span = 16384;
  // The learned re-ranker (ranker.h) scores candidates of rules flagged `rerank = true` and
  // drops those below its threshold; `rerank = false` keeps them all (rules' own filters only).
  // keep_reranked (debugging) keeps dropped candidates too, marked below_threshold.
  bool rerank = true;
  bool keep_reranked = false;
  const RankerModel* ranker = nullptr;  // nullptr: the built-in model (BuiltinRanker())
  // Where compiled Hyperscan databases are kept between runs (db_cache.h): compiling the
  // built-in rules costs ~0.5-1 s, loading them a few ms. Empty: compile every time.
  std::string db_cache_dir;
};

// Counters; safe to share between threads.
struct ScanStats {
  std::atomic<uint64_t> files{0};
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> skipped_binary{0};
  std::atomic<uint64_t> skipped_large{0};
  std::atomic<uint64_t> skipped_allowlisted{0};  // files skipped by a global path allowlist
  std::atomic<uint64_t> matches{0};
  std::atomic<uint64_t> truncated{0};  // files that hit max_matches_per_file
};

class SecretScanner {
 public:
  // Compiles `rules` (which ParseRules already validated). Fails with the rule's id and source
  // when a regex compiles with neither engine.
  static StatusOr<std::unique_ptr<SecretScanner>> Create(const RuleSet& rules,
                                                         ScanOptions options = {});
  ~SecretScanner();
  SecretScanner(const SecretScanner&) = delete;
  SecretScanner& operator=(const SecretScanner&) = delete;

  // Appends the secrets in `content` (the file at `path`) to `out`, in file order. Binary and
  // over-size files are skipped and counted in `stats` (optional).
  void Scan(std::string_view path, std::string_view content, std::vector<SecretMatch>* out,
            ScanStats* stats = nullptr) const;

  const std::vector<Rule>& rules() const { return rules_; }
  const ScanOptions& options() const { return options_; }
  // True when a global path allowlist excludes `path` (callers may skip reading it).
  bool PathAllowlisted(std::string_view path) const;
  // Rules that Hyperscan could not compile even in prefilter mode; RE2 scans the whole file for
  // them (slower, still correct).
  size_t fallback_rules() const { return fallback_count_; }

  struct Impl;

 private:
  SecretScanner() = default;
  std::vector<Rule> rules_;
  ScanOptions options_;
  size_t fallback_count_ = 0;
  std::unique_ptr<Impl> impl_;
};

// "AKIA****************" style: the first `keep` characters (at most a quarter of the
// secret, so short secrets show less), the rest as '*'.
std::string RedactSecret(std::string_view secret);

}  // namespace vigil::secrets
