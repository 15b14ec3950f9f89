// A labelled set of the re-ranker (testdata/secrets/labelled/<set>/: files/ and labels.tsv,
// written by testdata/secrets/labelled/generate.py): loading, scanning, scoring. Shared by the
// trainer (secrets_ranker_train) and the evaluation test; not part of the product library.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "secrets/ranker.h"
#include "secrets/scanner.h"

namespace vigil::secrets {

struct LineLabel {
  std::string rule;  // expected rule id, or "*" (any rule)
  int label = 0;     // 1 = credential
  std::string kind;  // what the generator planted ("password-human", "hash-sha1", ...)
};

struct LabelledCandidate {
  SecretMatch match;
  std::vector<double> features;  // RankerFeatures(match, file content)
  int label = 0;                 // from the line's label; 0 on an unlabelled line
  bool on_labelled_line = false;
  std::string kind;  // the line's kind, "unlabelled" when none
};

struct LabelledSet {
  std::map<std::pair<std::string, int>, LineLabel> lines;  // (file, line) -> label
  std::vector<LabelledCandidate> candidates;               // what the scanner reported
  size_t files = 0;
  size_t secrets = 0;  // lines labelled 1
};

// Reads `dir`/labels.tsv and scans every file under `dir`/files with `scanner` (paths relative
// to files/). Errors name labels.tsv and the line.
StatusOr<LabelledSet> LoadLabelledSet(const std::string& dir, const SecretScanner& scanner);

struct Metrics {
  size_t candidates = 0, true_candidates = 0, secrets = 0, found = 0;
  double precision() const {
    return candidates ? static_cast<double>(true_candidates) / candidates : 0;
  }
  double recall() const { return secrets ? static_cast<double>(found) / secrets : 0; }
};

// Precision over the set's candidates (a candidate is true when its line is labelled 1 and its
// rule is the expected one or the label says "*") and recall over the lines labelled 1.
// `keep(candidate)` selects the candidates counted (all of them by default).
template <typename Keep>
Metrics Evaluate(const LabelledSet& set, Keep keep) {
  Metrics m;
  m.secrets = set.secrets;
  std::map<std::pair<std::string, int>, bool> found;
  for (const auto& c : set.candidates) {
    if (!keep(c)) continue;
    ++m.candidates;
    auto it = set.lines.find({c.match.path, c.match.line});
    const bool rule_ok =
        it != set.lines.end() && (it->second.rule == "*" || it->second.rule == c.match.rule_id);
    if (rule_ok && it->second.label == 1) {
      ++m.true_candidates;
      found[it->first] = true;
    }
  }
  m.found = found.size();
  return m;
}

}  // namespace vigil::secrets
