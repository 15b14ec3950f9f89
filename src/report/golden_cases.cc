#include "report/golden_cases.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>

#include "report/json.h"
#include "report/writer.h"

namespace vigil::report {
namespace {

namespace fs = std::filesystem;

StatusOr<std::string> ReadWholeFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError(path.string() + ": cannot open");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Status Render(RenderedCase* out, const std::string& name,
              const std::function<Status(std::ostream&)>& write) {
  std::ostringstream ss;
  VIGIL_RETURN_IF_ERROR(Annotate(write(ss), name));
  out->emplace_back(name, ss.str());
  return OkStatus();
}

}  // namespace

StatusOr<RenderedCase> RenderGoldenCase(const std::string& case_dir) {
  fs::path dir(case_dir);
  RenderedCase out;
  std::optional<Sbom> sbom;
  if (fs::exists(dir / "sbom.json")) {
    VIGIL_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(dir / "sbom.json"));
    auto parsed = SbomFromJson(text);
    if (!parsed.ok()) return Annotate(parsed.status(), (dir / "sbom.json").string());
    sbom = std::move(parsed).value();
  }
  if (fs::exists(dir / "input.json")) {
    VIGIL_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(dir / "input.json"));
    auto parsed = ReportFromJson(text);
    if (!parsed.ok()) return Annotate(parsed.status(), (dir / "input.json").string());
    const Report& report = *parsed;
    const Sbom* s = sbom ? &*sbom : nullptr;
    auto report_as = [&](Format f, WriteOptions opts = {}) {
      return
          [&report, f, opts, s](std::ostream& os) { return WriteReport(report, f, os, opts, s); };
    };
    VIGIL_RETURN_IF_ERROR(Render(&out, "table", report_as(Format::kTable)));
    VIGIL_RETURN_IF_ERROR(Render(&out, "color.table", report_as(Format::kTable, {.color = true})));
    VIGIL_RETURN_IF_ERROR(Render(&out, "json", report_as(Format::kJson)));
    VIGIL_RETURN_IF_ERROR(Render(&out, "sarif.json", report_as(Format::kSarif)));
    VIGIL_RETURN_IF_ERROR(Render(&out, "junit.xml", report_as(Format::kJunit)));
    VIGIL_RETURN_IF_ERROR(Render(&out, "cdx.json", report_as(Format::kCycloneDx)));
    VIGIL_RETURN_IF_ERROR(Render(&out, "html", report_as(Format::kHtml)));
  }
  if (sbom) {
    auto sbom_as = [&](Format f) {
      return [&sbom, f](std::ostream& os) { return WriteSbom(*sbom, f, os); };
    };
    VIGIL_RETURN_IF_ERROR(Render(&out, "sbom.table", sbom_as(Format::kTable)));
    VIGIL_RETURN_IF_ERROR(Render(&out, "sbom.json", sbom_as(Format::kJson)));
    VIGIL_RETURN_IF_ERROR(Render(&out, "sbom.cdx.json", sbom_as(Format::kCycloneDx)));
    VIGIL_RETURN_IF_ERROR(Render(&out, "sbom.spdx.json", sbom_as(Format::kSpdx)));
  }
  if (out.empty()) return NotFoundError(case_dir + ": neither input.json nor sbom.json");
  return out;
}

std::vector<std::string> ListGoldenCases(const std::string& cases_dir) {
  std::vector<std::string> cases;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(cases_dir, ec)) {
    if (!entry.is_directory()) continue;
    if (fs::exists(entry.path() / "input.json") || fs::exists(entry.path() / "sbom.json")) {
      cases.push_back(entry.path().string());
    }
  }
  std::sort(cases.begin(), cases.end());
  return cases;
}

}  // namespace vigil::report
