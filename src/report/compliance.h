// Internal: the compliance-audit section of each report format (Report::compliance, filled by
// `vigil config --standard`). The writers call these when the report has audit sections;
// layouts are documented in docs/report-format.md.
#pragma once

#include <ostream>
#include <string>

#include "report/finding.h"
#include "report/internal.h"

namespace vigil::report::internal {

// "83.3" (one decimal, rounded half away from zero) or "n/a" for a negative score.
std::string FormatScore(double score);

// `compliance` array of vigil.report/v1.
OrderedJson ComplianceJson(const std::vector<ComplianceReport>& audits);

// SARIF run property `compliance`: per standard, scores, counts and each control's status.
OrderedJson ComplianceSarif(const std::vector<ComplianceReport>& audits);

// Table: one summary line per standard, then its failing controls.
void WriteComplianceTable(const std::vector<ComplianceReport>& audits, std::ostream& out);

// HTML: a score chart over every standard, then per standard a donut, the control table and
// the failing controls with their resources and remediation. Every model string escaped.
void WriteComplianceHtml(const std::vector<ComplianceReport>& audits, std::ostream& out);
// CSS rules the HTML section needs (appended to the page's stylesheet).
std::string_view ComplianceCss();

// JUnit: one <testsuite> per standard, one <testcase> per control (failure: failing control,
// skipped: manual or not applicable). Adds its counts to the totals.
std::string ComplianceJunit(const std::vector<ComplianceReport>& audits, std::string_view timestamp,
                            int* tests, int* failures, int* skipped);

}  // namespace vigil::report::internal
