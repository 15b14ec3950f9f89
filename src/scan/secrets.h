// Secret scanning of a target (`--scanners secret`): for images every layer's own files,
// including files a later layer deletes (they still ship in the image), each finding naming
// the layer; for directories the tree. Streams layer contents through the scanner: nothing
// is kept or written to disk.
#pragma once

#include <string>

#include "base/status.h"
#include "report/finding.h"
#include "scan/target.h"
#include "secrets/scanner.h"

namespace vigil::scan {

// Walks every layer of image `ref` once. Files larger than the scanner's max_file_size are
// counted, not read. A layer that fails to walk (digest mismatch, truncation) is an error.
StatusOr<report::Report> ScanImageSecrets(const std::string& ref, const TargetOptions& options,
                                          const secrets::SecretScanner& scanner);

// Scans the host directory `path` (links not followed; /proc, /sys, /dev skipped).
StatusOr<report::Report> ScanDirectorySecrets(const std::string& path,
                                              const secrets::SecretScanner& scanner);

}  // namespace vigil::scan
