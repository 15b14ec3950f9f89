// Feeds arbitrary bytes to every parser of untrusted JSON in src/report, and whatever parses
// through every writer: no input may crash, throw or trip a sanitizer.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string_view>

#include "report/alert.h"
#include "report/json.h"
#include "report/writer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vigil::report;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto report = ReportFromJson(text);
  auto sbom = SbomFromJson(text);
  auto cdx = SbomFromCycloneDx(text);
  std::ostringstream sink;
  if (report.ok()) {
    const Sbom* s = cdx.ok() ? &*cdx : nullptr;
    for (Format f : {Format::kTable, Format::kJson, Format::kSarif, Format::kJunit,
                     Format::kCycloneDx, Format::kHtml}) {
      WriteReport(*report, f, sink, {.color = true}, s).IgnoreError();
    }
  }
  for (const auto* inventory : {sbom.ok() ? &*sbom : nullptr, cdx.ok() ? &*cdx : nullptr}) {
    if (inventory == nullptr) continue;
    for (Format f : {Format::kTable, Format::kJson, Format::kCycloneDx, Format::kSpdx}) {
      WriteSbom(*inventory, f, sink).IgnoreError();
    }
  }
  if (auto alert = AlertFromFalcoJson(text); alert.ok()) {
    sink << AlertToFalcoJson(*alert) << FindingToJson(AlertToFinding(*alert));
  }
  if (auto finding = FindingFromJson(text); finding.ok()) sink << FindingToJson(*finding);
  return 0;
}
