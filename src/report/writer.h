// Report writers. One function per output family; each command documents which formats it
// offers (docs/). Writers are pure: model in, bytes out; no I/O besides the stream.
#pragma once

#include <ostream>
#include <string_view>

#include "base/status.h"
#include "report/finding.h"
#include "report/sbom.h"

namespace vigil::report {

enum class Format { kTable, kJson, kSarif, kJunit, kCycloneDx, kSpdx, kHtml };

std::string_view FormatName(Format f);
// "table", "json", "sarif", "junit", "cyclonedx", "spdx" (also "spdx-json"), "html".
StatusOr<Format> ParseFormat(std::string_view name);

struct WriteOptions {
  bool color = false;  // ANSI colours in table output (set when stdout is a terminal)
};

// Findings report in any finding format (table, json, sarif, junit; cyclonedx with
// vulnerabilities when `sbom` is given). Unsupported format -> InvalidArgument.
Status WriteReport(const Report& report, Format format, std::ostream& out,
                   const WriteOptions& options = {}, const Sbom* sbom = nullptr);

// Inventory in table, json, cyclonedx or spdx.
Status WriteSbom(const Sbom& sbom, Format format, std::ostream& out,
                 const WriteOptions& options = {});

}  // namespace vigil::report
