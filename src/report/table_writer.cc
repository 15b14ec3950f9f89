// Human-readable output: aligned columns, one section per finding kind, highest severity first.
#include <algorithm>
#include <array>
#include <tuple>

#include "base/strings.h"
#include "report/compliance.h"
#include "report/internal.h"

namespace vigil::report::internal {
namespace {

constexpr size_t kTitleWidth = 60;
// Debian copyright files list dozens of licences; the full list is in the json/SBOM formats.
constexpr size_t kLicenseWidth = 50;
constexpr std::string_view kReset = "\x1b[0m";

std::string_view SeverityColor(Severity s) {
  switch (s) {
    case Severity::kCritical:
      return "\x1b[1;31m";
    case Severity::kHigh:
      return "\x1b[31m";
    case Severity::kMedium:
      return "\x1b[33m";
    case Severity::kLow:
      return "\x1b[34m";
    case Severity::kInfo:
      return "\x1b[36m";
    case Severity::kUnknown:
      return "\x1b[90m";
  }
  return "";
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// A cell's text and, optionally, the ANSI colour it is printed in. Widths are computed on
// the text alone so colour never breaks alignment.
struct Cell {
  std::string text;
  std::string_view color;
};

void PrintTable(const std::vector<std::string>& header, const std::vector<std::vector<Cell>>& rows,
                std::ostream& out) {
  std::vector<size_t> widths(header.size());
  for (size_t c = 0; c < header.size(); ++c) widths[c] = DisplayWidth(header[c]);
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) {
      widths[c] = std::max(widths[c], DisplayWidth(row[c].text));
    }
  }
  auto print_row = [&](const std::vector<Cell>& row) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      if (!row[c].color.empty()) {
        line += row[c].color;
        line += row[c].text;
        line += kReset;
      } else {
        line += row[c].text;
      }
      if (c + 1 < row.size()) line.append(widths[c] - DisplayWidth(row[c].text) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  };
  std::vector<Cell> head;
  for (const std::string& h : header) head.push_back({h, {}});
  print_row(head);
  std::vector<Cell> rule;
  for (size_t c = 0; c < header.size(); ++c) rule.push_back({std::string(widths[c], '-'), {}});
  print_row(rule);
  for (const auto& row : rows) print_row(row);
}

std::string LocationText(const Location& loc) {
  std::string text = loc.path;
  if (!text.empty() && loc.line > 0) {
    text += ":" + std::to_string(loc.line);
    if (loc.end_line > loc.line) text += "-" + std::to_string(loc.end_line);
  }
  if (!loc.resource.empty()) text = text.empty() ? loc.resource : text + " (" + loc.resource + ")";
  return text.empty() ? "-" : text;
}

std::string OrDash(const std::string& s) { return s.empty() ? "-" : s; }

}  // namespace

void WriteTable(const Report& report, std::ostream& out, const WriteOptions& options) {
  auto sev_cell = [&](Severity s) {
    return Cell{Upper(SeverityName(s)), options.color ? SeverityColor(s) : std::string_view()};
  };
  out << "Target: " << SanitizeUtf8(report.target);
  if (!report.target_kind.empty()) out << " (" << report.target_kind << ")";
  out << "\n";
  if (!report.artifact_digest.empty()) out << "Digest: " << report.artifact_digest << "\n";
  for (const std::string& w : report.warnings) {
    if (options.color) {
      out << "\x1b[33mWARNING\x1b[0m: " << SanitizeUtf8(w) << "\n";
    } else {
      out << "WARNING: " << SanitizeUtf8(w) << "\n";
    }
  }
  Summary summary = report.Summarize();
  out << "\nTotal: " << summary.total << " (";
  bool first = true;
  for (Severity s : {Severity::kCritical, Severity::kHigh, Severity::kMedium, Severity::kLow,
                     Severity::kInfo, Severity::kUnknown}) {
    if (!first) out << ", ";
    first = false;
    out << Upper(SeverityName(s)) << ": " << summary.by_severity[static_cast<int>(s)];
  }
  out << ")";
  if (summary.suppressed > 0) out << ", suppressed: " << summary.suppressed;
  out << "\n";
  WriteComplianceTable(report.compliance, out);
  if (report.findings.empty()) {
    out << "\nNo findings.\n";
    return;
  }
  std::vector<Finding> sorted = report.findings;
  SortFindings(sorted);
  for (FindingKind kind : {FindingKind::kVulnerability, FindingKind::kSecret, FindingKind::kMalware,
                           FindingKind::kMisconfig, FindingKind::kRuntime}) {
    std::vector<std::vector<Cell>> rows;
    for (const Finding& f : sorted) {
      if (f.kind != kind) continue;
      std::string title =
          Truncate(SanitizeUtf8(f.title.empty() ? f.description : f.title), kTitleWidth);
      if (kind == FindingKind::kVulnerability) {
        std::string pkg = f.package ? f.package->name : "";
        std::string ver = f.package ? f.package->version : "";
        rows.push_back({{SanitizeUtf8(OrDash(pkg)), {}},
                        {SanitizeUtf8(OrDash(ver)), {}},
                        {SanitizeUtf8(f.id), {}},
                        sev_cell(f.severity),
                        {OrDash(f.status), {}},
                        {SanitizeUtf8(OrDash(f.fixed_version)), {}},
                        {title, {}}});
      } else {
        rows.push_back({{SanitizeUtf8(f.id), {}},
                        sev_cell(f.severity),
                        {OrDash(f.status), {}},
                        {SanitizeUtf8(LocationText(f.location)), {}},
                        {title, {}}});
      }
    }
    if (rows.empty()) continue;
    out << "\n" << SectionTitle(kind) << " (" << rows.size() << ")\n";
    if (kind == FindingKind::kVulnerability) {
      PrintTable({"PACKAGE", "INSTALLED", "ID", "SEVERITY", "STATUS", "FIXED", "TITLE"}, rows, out);
    } else {
      PrintTable({"ID", "SEVERITY", "STATUS", "LOCATION", "TITLE"}, rows, out);
    }
  }
}

void WriteSbomTable(const Sbom& sbom, std::ostream& out, const WriteOptions& options) {
  out << "Target: " << SanitizeUtf8(sbom.target);
  if (!sbom.target_kind.empty()) out << " (" << sbom.target_kind << ")";
  out << "\n";
  if (!sbom.artifact_digest.empty()) out << "Digest: " << sbom.artifact_digest << "\n";
  if (!sbom.os.id.empty() || !sbom.os.pretty_name.empty()) {
    out << "OS: "
        << SanitizeUtf8(sbom.os.pretty_name.empty() ? sbom.os.id + " " + sbom.os.version_id
                                                    : sbom.os.pretty_name)
        << "\n";
  }
  for (const std::string& w : sbom.warnings) {
    if (options.color) {
      out << "\x1b[33mWARNING\x1b[0m: " << SanitizeUtf8(w) << "\n";
    } else {
      out << "WARNING: " << SanitizeUtf8(w) << "\n";
    }
  }
  out << "\nComponents: " << sbom.components.size() << "\n";
  if (sbom.components.empty()) return;
  std::vector<const Component*> sorted;
  for (const Component& c : sbom.components) sorted.push_back(&c);
  std::stable_sort(sorted.begin(), sorted.end(), [](const Component* a, const Component* b) {
    return std::tie(a->name, a->version, a->ecosystem) <
           std::tie(b->name, b->version, b->ecosystem);
  });
  std::vector<std::vector<Cell>> rows;
  for (const Component* c : sorted) {
    // The layer as the first 12 hex digits of its diff-id, as `docker history` shows ids.
    std::string layer = c->layer;
    if (layer.rfind("sha256:", 0) == 0) layer = layer.substr(7, 12);
    rows.push_back({{SanitizeUtf8(c->name), {}},
                    {SanitizeUtf8(OrDash(c->version)), {}},
                    {SanitizeUtf8(OrDash(c->ecosystem)), {}},
                    {SanitizeUtf8(OrDash(layer)), {}},
                    {Truncate(SanitizeUtf8(OrDash(Join(c->licenses, ", "))), kLicenseWidth), {}}});
  }
  out << "\n";
  PrintTable({"NAME", "VERSION", "TYPE", "LAYER", "LICENSES"}, rows, out);
}

}  // namespace vigil::report::internal
