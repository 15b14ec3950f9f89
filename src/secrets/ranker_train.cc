// secrets_ranker_train: trains the secret re-ranker on a labelled set and writes the model.
//
//   secrets_ranker_train testdata/secrets/labelled/train data/secrets/ranker.json
//   secrets_ranker_train --scan DIR   (debugging: every finding under DIR with its score)
//
// Scans the set's files with the built-in rules and re-ranking off, takes every candidate of
// a rule flagged `rerank = true` as a sample (its line's label; 0 on unlabelled lines) and
// fits the logistic regression (ranker.h TrainRanker: deterministic, so the committed model
// is reproducible from the committed set). Prints the training figures.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "secrets/labelled_set.h"
#include "secrets/ranker.h"
#include "secrets/rules.h"
#include "secrets/scanner.h"

namespace {

// Scans every regular file below `dir` (links not followed) with the re-ranker on, keeping
// what it drops, and prints each finding: path:line rule score kept|dropped redacted-line.
int ScanDir(const std::string& dir) {
  using namespace vigil::secrets;
  namespace stdfs = std::filesystem;
  ScanOptions opts;
  opts.keep_reranked = true;
  auto scanner = SecretScanner::Create(BuiltinRules(), opts);
  if (!scanner.ok()) {
    std::fprintf(stderr, "%s\n", scanner.status().ToString().c_str());
    return 1;
  }
  size_t files = 0, kept = 0, dropped = 0;
  std::error_code ec;
  for (auto it = stdfs::recursive_directory_iterator(
           dir, stdfs::directory_options::skip_permission_denied, ec);
       !ec && it != stdfs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec) || it->is_symlink(ec)) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::vector<SecretMatch> out;
    const std::string rel = stdfs::relative(it->path(), dir).string();
    (*scanner)->Scan(rel, ss.str(), &out);
    ++files;
    for (const auto& m : out) {
      (m.below_threshold ? dropped : kept) += 1;
      std::printf("%s:%d\t%s\t%s\t%s\t%s\n", rel.c_str(), m.line, m.rule_id.c_str(),
                  m.score < 0 ? "-" : std::to_string(m.score).c_str(),
                  m.below_threshold ? "dropped" : "kept", m.redacted.c_str());
    }
  }
  std::printf("%zu files: %zu findings kept, %zu dropped by the re-ranker\n", files, kept, dropped);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace vigil::secrets;
  if (argc == 3 && std::string(argv[1]) == "--scan") return ScanDir(argv[2]);
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s LABELLED_SET_DIR OUT.json | --scan DIR\n", argv[0]);
    return 2;
  }
  ScanOptions opts;
  opts.rerank = false;
  auto scanner = SecretScanner::Create(BuiltinRules(), opts);
  if (!scanner.ok()) {
    std::fprintf(stderr, "%s\n", scanner.status().ToString().c_str());
    return 1;
  }
  auto set = LoadLabelledSet(argv[1], **scanner);
  if (!set.ok()) {
    std::fprintf(stderr, "%s\n", set.status().ToString().c_str());
    return 1;
  }
  std::vector<RankerSample> samples;
  size_t positives = 0;
  for (const auto& c : set->candidates) {
    if (!(*scanner)->rules()[c.match.rule_index].rerank) continue;
    samples.push_back({c.features, c.label});
    positives += c.label;
  }
  RankerModel model = TrainRanker(samples, TrainOptions{});
  model.trained_on = "testdata/secrets/labelled/train: " + std::to_string(samples.size()) +
                     " candidates of rerank rules (" + std::to_string(positives) +
                     " credentials), " + std::to_string(set->files) + " files";
  std::ofstream out(argv[2], std::ios::binary | std::ios::trunc);
  out << RankerModelToJson(model);
  if (!out) {
    std::fprintf(stderr, "%s: cannot write\n", argv[2]);
    return 1;
  }
  size_t tp = 0, fp = 0, fn = 0;
  for (const auto& s : samples) {
    const bool keep = model.Score(s.x) >= model.threshold;
    tp += keep && s.label == 1;
    fp += keep && s.label == 0;
    fn += !keep && s.label == 1;
  }
  std::printf(
      "%zu samples (%zu credentials); threshold %.4f; on the training samples: %zu kept "
      "credentials, %zu kept non-credentials, %zu dropped credentials\n",
      samples.size(), positives, model.threshold, tp, fp, fn);
  for (size_t k = 0; k < model.features.size(); ++k) {
    std::printf("  %-18s %+.3f\n", model.features[k].c_str(), model.weights[k]);
  }
  return 0;
}
