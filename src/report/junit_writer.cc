// JUnit XML for CI dashboards: one <testsuite> per finding kind present, one <testcase> per
// finding; an open finding is a <failure>, a suppressed one is <skipped> so it stays visible.
#include <sstream>

#include "base/strings.h"
#include "report/compliance.h"
#include "report/internal.h"

namespace vigil::report::internal {
namespace {

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::string CaseName(const Finding& f) {
  std::string name = "[" + Upper(SeverityName(f.severity)) + "] " + f.id;
  if (f.package) {
    name += " " + f.package->name;
    if (!f.package->version.empty()) name += "@" + f.package->version;
  }
  if (!f.location.path.empty()) {
    name += " " + f.location.path;
    if (f.location.line > 0) name += ":" + std::to_string(f.location.line);
  }
  if (!f.location.resource.empty()) name += " " + f.location.resource;
  return name;
}

std::string FailureBody(const Finding& f) {
  std::string body;
  auto line = [&](std::string_view key, const std::string& value) {
    if (!value.empty()) body += std::string(key) + ": " + value + "\n";
  };
  line("ID", f.id);
  line("Severity", std::string(SeverityName(f.severity)));
  line("Title", f.title);
  if (f.package) {
    line("Package", f.package->name);
    line("Installed", f.package->version);
  }
  line("Fixed", f.fixed_version);
  line("Status", f.status);
  line("Path", f.location.path);
  line("Resource", f.location.resource);
  line("Layer", f.location.layer);
  line("Match", f.match);
  line("Remediation", f.remediation);
  for (const std::string& r : f.references) line("Reference", r);
  if (!f.description.empty()) body += "\n" + f.description + "\n";
  return body;
}

}  // namespace

void WriteJunit(const Report& report, std::ostream& out) {
  std::ostringstream suites;
  int tests = 0, failures = 0, skipped = 0;
  for (FindingKind kind : {FindingKind::kVulnerability, FindingKind::kSecret, FindingKind::kMalware,
                           FindingKind::kMisconfig, FindingKind::kRuntime}) {
    std::ostringstream cases;
    int suite_tests = 0, suite_failures = 0, suite_skipped = 0;
    for (const Finding& f : report.findings) {
      if (f.kind != kind) continue;
      ++suite_tests;
      cases << "    <testcase classname=\"" << XmlEscape(report.target) << "\" name=\""
            << XmlEscape(CaseName(f)) << "\"";
      if (!f.location.path.empty()) cases << " file=\"" << XmlEscape(f.location.path) << "\"";
      if (f.location.line > 0) cases << " line=\"" << f.location.line << "\"";
      cases << " time=\"0\">\n";
      if (f.status == "suppressed") {
        ++suite_skipped;
        cases << "      <skipped message=\"suppressed\"/>\n";
      } else {
        ++suite_failures;
        cases << "      <failure message=\"" << XmlEscape(f.title.empty() ? f.id : f.title)
              << "\" type=\"" << Upper(SeverityName(f.severity)) << "\">"
              << XmlEscape(FailureBody(f)) << "</failure>\n";
      }
      cases << "    </testcase>\n";
    }
    if (suite_tests == 0) continue;
    tests += suite_tests;
    failures += suite_failures;
    skipped += suite_skipped;
    suites << "  <testsuite name=\"" << FindingKindName(kind) << "\" tests=\"" << suite_tests
           << "\" failures=\"" << suite_failures << "\" errors=\"0\" skipped=\"" << suite_skipped
           << "\" time=\"0\"";
    if (!report.created_at.empty()) {
      suites << " timestamp=\"" << XmlEscape(report.created_at) << "\"";
    }
    suites << ">\n"
           << "    <properties>\n"
           << "      <property name=\"target\" value=\"" << XmlEscape(report.target) << "\"/>\n";
    if (!report.artifact_digest.empty()) {
      suites << "      <property name=\"artifact_digest\" value=\""
             << XmlEscape(report.artifact_digest) << "\"/>\n";
    }
    suites << "    </properties>\n" << cases.str() << "  </testsuite>\n";
  }
  suites << ComplianceJunit(report.compliance, report.created_at, &tests, &failures, &skipped);
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<testsuites name=\"vigil\" tests=\"" << tests << "\" failures=\"" << failures
      << "\" errors=\"0\" skipped=\"" << skipped << "\" time=\"0\">\n"
      << suites.str() << "</testsuites>\n";
}

}  // namespace vigil::report::internal
