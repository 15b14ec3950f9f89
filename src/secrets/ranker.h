// The learned re-ranker of secret candidates. Generic rules ("a password assigned in a file",
// "a high-entropy string assigned to something") see many values that are not credentials:
// hashes of secrets, bcrypt strings, UUIDs, public keys, base64 of ordinary text, key ids,
// placeholders that slip past the placeholder filter. The scanner scores every candidate of a
// rule flagged `rerank = true` with a logistic-regression model over features of the value and
// its line, and drops candidates scoring below the model's threshold.
//
// The model is data (data/secrets/ranker.json, embedded at build time), trained by
// `secrets_ranker_train` on testdata/secrets/labelled/train (docs/secrets.md "Ranking").
// Feature extraction is this file's single implementation, shared by training, evaluation and
// scanning, so the three can never disagree.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace vigil::secrets {

struct SecretMatch;

// The features, in model order. A model file names them; loading fails when its names differ
// (a model trained on other features must not be applied silently).
const std::vector<std::string>& RankerFeatureNames();

// Features of `match` (its secret, rule id, path, file type, and its line: `content` is the
// scanned file, match.offset the secret's offset in it). Pure; safe from any thread.
std::vector<double> RankerFeatures(const SecretMatch& match, std::string_view content);

struct RankerModel {
  std::vector<std::string> features;  // RankerFeatureNames() at training time
  std::vector<double> mean, scale;    // standardisation: (x - mean) / scale
  std::vector<double> weights;
  double bias = 0;
  double threshold = 0.5;  // candidates with Score < threshold are dropped
  std::string trained_on;  // provenance, for people
  // Probability that the candidate with these features is a credential.
  double Score(const std::vector<double>& x) const;
};

// Parses a model file (JSON). `source` names it in errors ("ranker.json: field weights: ...").
StatusOr<RankerModel> ParseRankerModel(std::string_view text, std::string_view source);
std::string RankerModelToJson(const RankerModel& model);
// The embedded model (data/secrets/ranker.json).
const RankerModel& BuiltinRanker();

// One labelled training example.
struct RankerSample {
  std::vector<double> x;
  int label = 0;  // 1 = credential
};

struct TrainOptions {
  int iterations = 4000;  // full-batch gradient descent: deterministic
  double learning_rate = 0.5;
  double l2 = 1e-3;
};

// Logistic regression on standardised features, positive and negative classes weighted
// equally; the threshold is the one maximising F1 on the training samples (the lowest such).
// Deterministic: the same samples give the same model, bit for bit.
RankerModel TrainRanker(const std::vector<RankerSample>& samples, const TrainOptions& options);

}  // namespace vigil::secrets
