// Secret rules: what a credential looks like. One format, TOML, read by one loader that also
// accepts gitleaks configuration files unchanged (docs/secrets.md "Rule files").
//
// A rule is a regular expression in RE2 syntax with a capture group for the secret, an
// optional keyword prefilter (a rule applies to a file only when one of its keywords occurs in
// it, case-insensitively), an optional Shannon-entropy floor for the captured secret and
// allowlists (paths, regexes, stopwords). A rule set also has a global allowlist. Built-in
// placeholder detection (EXAMPLE, xxxx, changeme, ${VAR}, <token> ...) applies to every rule
// whose `placeholders` flag is on (the default).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "report/finding.h"

namespace vigil::secrets {

// What an allowlist regex is matched against (gitleaks `regexTarget`).
enum class RegexTarget { kSecret, kMatch, kLine };

struct Allowlist {
  std::vector<std::string> paths;    // RE2 regexes, searched in the file path
  std::vector<std::string> regexes;  // RE2 regexes, searched in `regex_target`
  RegexTarget regex_target = RegexTarget::kSecret;
  std::vector<std::string> stopwords;  // case-insensitive substrings of the secret
  bool empty() const { return paths.empty() && regexes.empty() && stopwords.empty(); }
};

struct Rule {
  std::string id;     // stable, unique in a set ("aws-access-key-id")
  std::string title;  // one line for people
  report::Severity severity = report::Severity::kHigh;
  std::vector<std::string> keywords;  // lower-cased; empty = the rule applies to every file
  std::string regex;                  // RE2 syntax; empty only for path-only rules
  int secret_group = 0;  // capture group holding the secret; 0 = first group, or the whole match
  double entropy = 0;    // minimum Shannon entropy (bits per byte) of the secret; 0 = none
  std::string path;      // RE2 regex: the rule applies only to matching paths ("" = all)
  bool binary = false;   // also scan files that look binary (NUL in the first 8 KiB)
  bool placeholders = true;  // drop secrets that look like placeholders
  // Candidates are scored by the learned re-ranker (ranker.h) and dropped below its threshold:
  // for rules that see many non-credentials (the generic ones).
  bool rerank = false;
  std::vector<Allowlist> allowlists;
  std::string source;  // "built-in" or the rule file
  int source_line = 0;
};

struct RuleSet {
  std::vector<Rule> rules;
  Allowlist global;  // applies to every rule
};

// Parses rules from TOML text: the native format or a gitleaks configuration. `source` names
// the text in errors ("rules.toml:12: rule "x": regex: missing )"). Every regex is compiled
// with RE2 here, so a set that parses is a set the scanner can use.
StatusOr<RuleSet> ParseRules(std::string_view text, std::string_view source);
// Reads and parses a host file (at most 16 MiB), or, for "builtin:NAME", the opt-in profile
// shipped in the binary (data/secrets/profiles/NAME.toml; "builtin:detect-secrets").
StatusOr<RuleSet> LoadRuleFile(const std::string& path);
// The built-in rules (data/secrets/*.toml, embedded at build time).
const RuleSet& BuiltinRules();
// Appends `extra` to `base`: a rule whose id already exists replaces the earlier one (so a
// user file can tune a built-in rule); global allowlists are concatenated.
void MergeRules(RuleSet extra, RuleSet* base);

// Shannon entropy of `s` in bits per byte (0 for an empty string).
double ShannonEntropy(std::string_view s);
// True when `secret` looks like a placeholder or documentation value rather than a credential:
// EXAMPLE, xxxx, ****, changeme, your_..., ${VAR}, {{ var }}, <token>, %(x)s, repeated or
// sequential characters.
bool LooksLikePlaceholder(std::string_view secret);

}  // namespace vigil::secrets
