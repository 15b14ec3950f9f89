// Feed importers: each reads one published format and emits Advisory / SeverityRecord
// values to a sink. Importers are pure parsers over the FileSystem seam (tests feed them
// MemFileSystem trees) and never stop at one bad record: it is counted as skipped with a
// warning naming the file (and line or field), and the import goes on.
//
// Formats (docs/db.md has one example each):
//   osv-json, osv-yaml   one OSV record per file (any ecosystem; GHSA in OSV form too)
//   osv-zip              an OSV.dev export (`<ecosystem>/all.zip`): OSV JSON members
//   alpine-secdb         secdb JSON or YAML (`packages[].pkg.secfixes`, key "0" = NAK)
//   debian-tracker-json  security-tracker.debian.org/tracker/data/json
//   debian-dsa-list      data/DSA/list, data/DLA/list text
//   nswg-json            nodejs/security-wg vuln/npm/*.json
//   nvd-json             NVD CVE API / feed JSON 2.0 (severity enrichment only)
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/fs.h"
#include "base/status.h"
#include "vulndb/model.h"

namespace vigil::vulndb {

class AdvisorySink {
 public:
  virtual ~AdvisorySink() = default;
  virtual Status Add(Advisory advisory) = 0;
  virtual Status AddSeverity(SeverityRecord record) = 0;
};

struct ImportStats {
  std::string format;  // the format detected (or forced)
  int64_t files = 0;   // files read
  int64_t advisories = 0;
  int64_t severities = 0;
  int64_t skipped = 0;                // unusable records and unrecognised files
  std::vector<std::string> warnings;  // one per skip, capped at 100 (+ "... N more")
};

// The format of one file from its name and first bytes, or "" when it is not a feed this
// module reads (README, LICENSE, ...).
std::string DetectFormat(std::string_view path, std::string_view head);

// Imports one file (any format above, detected unless `format` is given).
StatusOr<ImportStats> ImportFile(const FileSystem& fs, const std::string& path, AdvisorySink& sink,
                                 std::string_view format = {});

// Imports everything under `path`: a single file, or a directory walked recursively (files
// of no known format are counted in `skipped` without a warning when they are documentation
// — *.md, LICENSE*, NOTICE* — and with one otherwise). Stats are per detected format.
StatusOr<std::vector<ImportStats>> ImportPath(const FileSystem& fs, const std::string& path,
                                              AdvisorySink& sink);

}  // namespace vigil::vulndb
