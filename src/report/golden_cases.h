// Test support: renders one golden case folder (testdata/report/<case>/) into every output
// format the case covers. A case holds `input.json` (a vigil.report/v1 Report), `sbom.json`
// (a vigil.sbom/v1 Sbom), or both; each rendered file is compared with `expected.<name>`.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "base/status.h"

namespace vigil::report {

// (output name, bytes) pairs, e.g. ("sarif.json", "{...}"). Names end in the extension the
// schema validator keys on: .sarif.json, .cdx.json, .spdx.json.
using RenderedCase = std::vector<std::pair<std::string, std::string>>;

StatusOr<RenderedCase> RenderGoldenCase(const std::string& case_dir);

// Sub-folders of `cases_dir` that hold input.json or sbom.json, sorted.
std::vector<std::string> ListGoldenCases(const std::string& cases_dir);

}  // namespace vigil::report
