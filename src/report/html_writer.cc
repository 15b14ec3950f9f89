// A single self-contained HTML page (inline CSS, no scripts, no external resources) that can
// be attached to a CI run or mailed: summary, warnings, then one table per finding kind.
// Every model string is escaped; nothing from the scanned target is ever emitted as markup.
#include <algorithm>

#include "base/strings.h"
#include "report/compliance.h"
#include "report/internal.h"

namespace vigil::report::internal {
namespace {

constexpr std::string_view kStyle =
    "body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
    "table{border-collapse:collapse;margin-bottom:2em;width:100%}"
    "th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}"
    "th{background:#f2f2f2}code{font-size:90%}"
    ".sev{font-weight:bold;white-space:nowrap}"
    ".critical{color:#fff;background:#b00020}.high{color:#fff;background:#e65100}"
    ".medium{background:#fdd835}.low{background:#90caf9}.info{background:#b2ebf2}"
    ".unknown{background:#e0e0e0}.suppressed{opacity:.55}"
    ".warning{background:#fff8e1;border-left:4px solid #ffb300;padding:.5em 1em}";

std::string E(std::string_view s) { return XmlEscape(s); }

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::string SeverityCell(Severity s) {
  std::string name(SeverityName(s));
  return "<td class=\"sev " + name + "\">" + Upper(name) + "</td>";
}

// Only http(s) references become links; anything else (javascript:, data:) stays text.
std::string ReferenceList(const std::vector<std::string>& refs) {
  std::string out;
  for (const std::string& r : refs) {
    if (!out.empty()) out += "<br>";
    if (StartsWith(r, "https://") || StartsWith(r, "http://")) {
      out += "<a href=\"" + E(r) + "\" rel=\"noreferrer\">" + E(r) + "</a>";
    } else {
      out += E(r);
    }
  }
  return out;
}

std::string LocationHtml(const Location& loc) {
  std::string out;
  if (!loc.path.empty()) {
    out = "<code>" + E(loc.path);
    if (loc.line > 0) out += ":" + std::to_string(loc.line);
    if (loc.end_line > loc.line) out += "-" + std::to_string(loc.end_line);
    out += "</code>";
  }
  if (!loc.resource.empty()) out += (out.empty() ? "" : "<br>") + E(loc.resource);
  return out;
}

}  // namespace

void WriteHtml(const Report& report, std::ostream& out) {
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<title>Vigil report: " << E(report.target) << "</title>\n"
      << "<style>" << kStyle << (report.compliance.empty() ? "" : ComplianceCss())
      << "</style>\n</head>\n<body>\n"
      << "<h1>Vigil report: " << E(report.target) << "</h1>\n<p>";
  if (!report.target_kind.empty()) out << "Kind: " << E(report.target_kind) << "<br>";
  if (!report.artifact_digest.empty()) {
    out << "Digest: <code>" << E(report.artifact_digest) << "</code><br>";
  }
  if (!report.created_at.empty()) out << "Created: " << E(report.created_at) << "<br>";
  out << "Tool: vigil " << E(report.tool_version) << "</p>\n";
  for (const std::string& w : report.warnings) {
    out << "<p class=\"warning\">" << E(w) << "</p>\n";
  }
  Summary summary = report.Summarize();
  out << "<h2>Summary</h2>\n<table>\n<tr><th>Total</th>";
  const Severity kOrder[] = {Severity::kCritical, Severity::kHigh, Severity::kMedium,
                             Severity::kLow,      Severity::kInfo, Severity::kUnknown};
  for (Severity s : kOrder) out << "<th>" << Upper(SeverityName(s)) << "</th>";
  out << "<th>Suppressed</th></tr>\n<tr><td>" << summary.total << "</td>";
  for (Severity s : kOrder) out << "<td>" << summary.by_severity[static_cast<int>(s)] << "</td>";
  out << "<td>" << summary.suppressed << "</td></tr>\n</table>\n";
  WriteComplianceHtml(report.compliance, out);
  if (report.findings.empty()) out << "<p>No findings.</p>\n";
  std::vector<Finding> sorted = report.findings;
  SortFindings(sorted);
  for (FindingKind kind : {FindingKind::kVulnerability, FindingKind::kSecret, FindingKind::kMalware,
                           FindingKind::kMisconfig, FindingKind::kRuntime}) {
    size_t n = std::count_if(sorted.begin(), sorted.end(),
                             [&](const Finding& f) { return f.kind == kind; });
    if (n == 0) continue;
    out << "<h2>" << SectionTitle(kind) << " (" << n << ")</h2>\n<table>\n<tr>";
    if (kind == FindingKind::kVulnerability) {
      out << "<th>Package</th><th>Installed</th><th>Fixed</th>";
    } else {
      out << "<th>Location</th>";
    }
    out << "<th>ID</th><th>Severity</th><th>Status</th><th>Title</th><th>References</th>"
        << "</tr>\n";
    for (const Finding& f : sorted) {
      if (f.kind != kind) continue;
      out << (f.status == "suppressed" ? "<tr class=\"suppressed\">" : "<tr>");
      if (kind == FindingKind::kVulnerability) {
        out << "<td>" << (f.package ? E(f.package->name) : "") << "</td><td>"
            << (f.package ? E(f.package->version) : "") << "</td><td>" << E(f.fixed_version)
            << "</td>";
      } else {
        out << "<td>" << LocationHtml(f.location) << "</td>";
      }
      out << "<td>" << E(f.id) << "</td>" << SeverityCell(f.severity) << "<td>" << E(f.status)
          << "</td><td>" << E(f.title.empty() ? f.description : f.title);
      if (!f.match.empty()) out << "<br><code>" << E(f.match) << "</code>";
      if (!f.remediation.empty()) out << "<br><em>" << E(f.remediation) << "</em>";
      out << "</td><td>" << ReferenceList(f.references) << "</td></tr>\n";
    }
    out << "</table>\n";
  }
  out << "</body>\n</html>\n";
}

}  // namespace vigil::report::internal
