// Secret scanning of a vigil::FileSystem (a directory, an image layer's own entries, an
// image's merged view) into report::Findings of kind secret.
#pragma once

#include <string>
#include <vector>

#include "base/fs.h"
#include "base/status.h"
#include "report/finding.h"
#include "secrets/scanner.h"

namespace vigil::secrets {

struct FsScanOptions {
  std::string root = "/";
  std::string layer;  // diff-id put in each finding's location ("" outside images)
  // Directories not descended into (pseudo filesystems of a live root).
  std::vector<std::string> skip_dirs = {"/proc", "/sys", "/dev"};
};

// One finding of kind secret: id = rule id, title and severity of the rule, location
// path/line/layer, `match` = the redacted line (never the secret in full). A re-ranked match
// states its score in `description`; one below the threshold (kept by
// ScanOptions::keep_reranked) has status "suppressed".
report::Finding MakeSecretFinding(const SecretScanner& scanner, const SecretMatch& match,
                                  const std::string& layer);

// Walks `fs` below options.root and scans every regular file (links are not followed, so a
// file is scanned once under its own path). Files that cannot be read are counted in
// `read_errors` (optional) and skipped; only a failing root is an error.
Status ScanFileSystem(const SecretScanner& scanner, const FileSystem& fs,
                      const FsScanOptions& options, std::vector<report::Finding>* findings,
                      ScanStats* stats = nullptr, int* read_errors = nullptr);

}  // namespace vigil::secrets
