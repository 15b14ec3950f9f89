#include "report/writer.h"

#include "base/strings.h"
#include "report/internal.h"
#include "report/json.h"

namespace vigil::report {

std::string_view FormatName(Format f) {
  switch (f) {
    case Format::kTable:
      return "table";
    case Format::kJson:
      return "json";
    case Format::kSarif:
      return "sarif";
    case Format::kJunit:
      return "junit";
    case Format::kCycloneDx:
      return "cyclonedx";
    case Format::kSpdx:
      return "spdx";
    case Format::kHtml:
      return "html";
  }
  return "table";
}

StatusOr<Format> ParseFormat(std::string_view name) {
  std::string s = ToLower(Trim(name));
  if (s == "table") return Format::kTable;
  if (s == "json") return Format::kJson;
  if (s == "sarif") return Format::kSarif;
  if (s == "junit") return Format::kJunit;
  if (s == "cyclonedx" || s == "cyclonedx-json") return Format::kCycloneDx;
  if (s == "spdx" || s == "spdx-json") return Format::kSpdx;
  if (s == "html") return Format::kHtml;
  return InvalidArgumentError("unknown format '" + std::string(name) +
                              "' (want table, json, sarif, junit, cyclonedx, spdx or html)");
}

Status WriteReport(const Report& report, Format format, std::ostream& out,
                   const WriteOptions& options, const Sbom* sbom) {
  switch (format) {
    case Format::kTable:
      internal::WriteTable(report, out, options);
      break;
    case Format::kJson:
      internal::WriteJson(report, out);
      break;
    case Format::kSarif:
      internal::WriteSarif(report, out);
      break;
    case Format::kJunit:
      internal::WriteJunit(report, out);
      break;
    case Format::kCycloneDx:
      internal::WriteCycloneDx(&report, sbom, out, options);
      break;
    case Format::kSpdx:
      // SPDX 2.3 has no place for findings; with the inventory at hand it is still the
      // document the user asked for.
      if (sbom == nullptr) {
        return InvalidArgumentError(
            "format spdx is an SBOM format: findings cannot be written as SPDX "
            "(use cyclonedx to carry vulnerabilities)");
      }
      internal::WriteSpdx(*sbom, out);
      break;
    case Format::kHtml:
      internal::WriteHtml(report, out);
      break;
  }
  if (!out) return InternalError("writing " + std::string(FormatName(format)) + " output failed");
  return OkStatus();
}

Status WriteSbom(const Sbom& sbom, Format format, std::ostream& out, const WriteOptions& options) {
  switch (format) {
    case Format::kTable:
      internal::WriteSbomTable(sbom, out, options);
      break;
    case Format::kJson:
      out << SbomToJson(sbom);
      break;
    case Format::kCycloneDx:
      internal::WriteCycloneDx(nullptr, &sbom, out);
      break;
    case Format::kSpdx:
      internal::WriteSpdx(sbom, out);
      break;
    default:
      return InvalidArgumentError("format " + std::string(FormatName(format)) +
                                  " is not an SBOM format (want table, json, cyclonedx or spdx)");
  }
  if (!out) return InternalError("writing " + std::string(FormatName(format)) + " output failed");
  return OkStatus();
}

}  // namespace vigil::report
