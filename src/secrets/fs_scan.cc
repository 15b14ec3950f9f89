#include "secrets/fs_scan.h"

#include <algorithm>
#include <cstdio>

namespace vigil::secrets {

report::Finding MakeSecretFinding(const SecretScanner& scanner, const SecretMatch& match,
                                  const std::string& layer) {
  const Rule& rule = scanner.rules()[match.rule_index];
  report::Finding f;
  f.kind = report::FindingKind::kSecret;
  f.id = rule.id;
  f.severity = rule.severity;
  f.title = rule.title;
  f.location.path = match.path;
  f.location.line = match.line;
  f.location.layer = layer;
  f.match = match.redacted;
  f.data_source = rule.source == "built-in" ? "vigil-secrets" : "rules:" + rule.source;
  f.remediation =
      "Remove the secret from the file (and from every layer and the history that "
      "contain it), revoke it, and pass it at run time instead.";
  if (match.score >= 0) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "Re-ranker score %.2f (threshold %.2f).", match.score,
                  scanner.options().ranker != nullptr ? scanner.options().ranker->threshold
                                                      : BuiltinRanker().threshold);
    f.description = buf;
  }
  // Kept only because ScanOptions::keep_reranked asked: visible, and counted as suppressed.
  if (match.below_threshold) f.status = "suppressed";
  return f;
}

Status ScanFileSystem(const SecretScanner& scanner, const FileSystem& fs,
                      const FsScanOptions& options, std::vector<report::Finding>* findings,
                      ScanStats* stats, int* read_errors) {
  std::vector<SecretMatch> matches;
  const uint64_t limit = scanner.options().max_file_size;
  return Walk(fs, options.root, [&](const std::string& path, const FileInfo& info) {
    if (info.type == FileType::kDirectory) {
      return std::find(options.skip_dirs.begin(), options.skip_dirs.end(), path) ==
             options.skip_dirs.end();
    }
    if (info.type != FileType::kRegular) return true;
    if (info.size > limit) {
      if (stats != nullptr) {
        ++stats->files;
        ++stats->skipped_large;
      }
      return true;
    }
    if (scanner.PathAllowlisted(path)) {
      if (stats != nullptr) {
        ++stats->files;
        ++stats->skipped_allowlisted;
      }
      return true;
    }
    auto content = fs.ReadFile(path, limit);
    if (!content.ok()) {
      if (read_errors != nullptr) ++*read_errors;
      return true;
    }
    matches.clear();
    scanner.Scan(path, *content, &matches, stats);
    for (const auto& m : matches) findings->push_back(MakeSecretFinding(scanner, m, options.layer));
    return true;
  });
}

}  // namespace vigil::secrets
