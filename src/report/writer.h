// Report writers. One function per output family; each command documents which formats it
// offers (docs/). Writers are pure: model in, bytes out; no I/O besides the stream.
#pragma once

#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "report/finding.h"
#include "report/sbom.h"

namespace vigil::report {

enum class Format { kTable, kJson, kSarif, kJunit, kCycloneDx, kSpdx, kHtml };

std::string_view FormatName(Format f);
// "table", "json", "sarif", "junit", "cyclonedx", "spdx" (also "spdx-json"), "html".
StatusOr<Format> ParseFormat(std::string_view name);

// A scored rating of a vulnerability (a CVSS vector and its base score) from one source.
struct Rating {
  std::string source;  // "nvd", "ghsa", "osv", ...
  Severity severity = Severity::kUnknown;
  double score = 0;    // 0 = no score
  std::string vector;  // "CVSS:3.1/AV:N/AC:L/..." or a CVSS v2 vector; may be empty
};

struct WriteOptions {
  bool color = false;  // ANSI colours in table output (set when stdout is a terminal)
  // Scored ratings by finding id, for the formats that carry them (CycloneDX `ratings`);
  // the finding's own severity is always written. Filled by the vulnerability scan from the
  // database; empty elsewhere.
  std::map<std::string, std::vector<Rating>> ratings = {};
};

// Findings report in any finding format (table, json, sarif, junit; cyclonedx with
// vulnerabilities when `sbom` is given). Unsupported format -> InvalidArgument.
Status WriteReport(const Report& report, Format format, std::ostream& out,
                   const WriteOptions& options = {}, const Sbom* sbom = nullptr);

// Inventory in table, json, cyclonedx or spdx.
Status WriteSbom(const Sbom& sbom, Format format, std::ostream& out,
                 const WriteOptions& options = {});

}  // namespace vigil::report
