#include "report/compliance.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <sstream>

#include "base/strings.h"

namespace vigil::report::internal {
namespace {

// Failing resources listed per control in the table and HTML; JSON always has all of them.
constexpr size_t kMaxListed = 100;

std::string E(std::string_view s) { return XmlEscape(s); }

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::string StatusLabel(std::string_view status) {
  if (status == "not_applicable") return "not applicable";
  return std::string(status);
}

std::string LocationText(const Location& loc) {
  std::string text = loc.path;
  if (!text.empty() && loc.line > 0) text += ":" + std::to_string(loc.line);
  return text;
}

OrderedJson ScoreJson(double score) {
  if (score < 0) return nullptr;
  return std::round(score * 10) / 10;
}

std::string Title(const ComplianceReport& a) {
  std::string t = a.title.empty() ? a.id : a.title;
  if (!a.version.empty()) t += " " + a.version;
  return t;
}

// Bar/donut colour for a score: green from 80, amber from 50, red below, grey for n/a.
std::string_view ScoreColor(double score) {
  if (score < 0) return "#9e9e9e";
  if (score >= 80) return "#2e7d32";
  if (score >= 50) return "#f9a825";
  return "#c62828";
}

std::string Fixed1(double v) {
  std::ostringstream s;
  s.setf(std::ios::fixed);
  s.precision(1);
  s << v;
  return s.str();
}

// One horizontal bar per standard, its length the score.
void ScoreChart(const std::vector<ComplianceReport>& audits, std::ostream& out) {
  constexpr int kLabel = 260, kBar = 400, kRow = 28;
  int height = static_cast<int>(audits.size()) * kRow + 10;
  out << "<svg class=\"chart\" role=\"img\" aria-label=\"Score per standard\" width=\""
      << kLabel + kBar + 90 << "\" height=\"" << height << "\" viewBox=\"0 0 " << kLabel + kBar + 90
      << " " << height << "\" xmlns=\"http://www.w3.org/2000/svg\">\n";
  for (size_t i = 0; i < audits.size(); ++i) {
    const ComplianceReport& a = audits[i];
    int y = static_cast<int>(i) * kRow + 5;
    double width = a.score < 0 ? 0 : kBar * a.score / 100.0;
    out << "<text x=\"0\" y=\"" << y + 17 << "\" font-size=\"13\">" << E(Truncate(Title(a), 34))
        << "</text>\n<rect x=\"" << kLabel << "\" y=\"" << y << "\" width=\"" << kBar
        << "\" height=\"22\" fill=\"#eeeeee\"/>\n<rect x=\"" << kLabel << "\" y=\"" << y
        << "\" width=\"" << Fixed1(width) << "\" height=\"22\" fill=\"" << ScoreColor(a.score)
        << "\"><title>" << E(a.id) << ": " << FormatScore(a.score) << "</title></rect>\n"
        << "<text x=\"" << kLabel + kBar + 8 << "\" y=\"" << y + 17
        << "\" font-size=\"13\" font-weight=\"bold\">" << FormatScore(a.score)
        << (a.score < 0 ? "" : " %") << "</text>\n";
  }
  out << "</svg>\n";
}

// Donut of the control statuses with the score in the middle (the circle's circumference
// is 100 units, so each segment's dash length is its percentage).
void Donut(const ComplianceReport& a, std::ostream& out) {
  const std::pair<int, std::string_view> parts[] = {{a.passed, "#2e7d32"},
                                                    {a.failed, "#c62828"},
                                                    {a.manual, "#9e9e9e"},
                                                    {a.not_applicable, "#d7ccc8"}};
  int total = a.passed + a.failed + a.manual + a.not_applicable;
  out << "<svg class=\"donut\" role=\"img\" aria-label=\"Control status of " << E(a.id)
      << "\" width=\"160\" height=\"160\" viewBox=\"0 0 42 42\" "
      << "xmlns=\"http://www.w3.org/2000/svg\">\n"
      << "<circle cx=\"21\" cy=\"21\" r=\"15.91549\" fill=\"none\" stroke=\"#eeeeee\" "
      << "stroke-width=\"5\"/>\n";
  double offset = 25;  // start at 12 o'clock
  for (const auto& [count, color] : parts) {
    if (count == 0 || total == 0) continue;
    double len = 100.0 * count / total;
    out << "<circle cx=\"21\" cy=\"21\" r=\"15.91549\" fill=\"none\" stroke=\"" << color
        << "\" stroke-width=\"5\" stroke-dasharray=\"" << Fixed1(len) << " " << Fixed1(100 - len)
        << "\" stroke-dashoffset=\"" << Fixed1(offset) << "\"/>\n";
    offset -= len;
  }
  out << "<text x=\"21\" y=\"22.5\" text-anchor=\"middle\" font-size=\"6\" "
      << "font-weight=\"bold\">" << FormatScore(a.score) << (a.score < 0 ? "" : "%")
      << "</text>\n<text x=\"21\" y=\"28\" text-anchor=\"middle\" font-size=\"3\">score</text>\n"
      << "</svg>\n";
}

std::string FailureBody(const ControlResult& c) {
  std::string body;
  for (const ControlFailure& f : c.failures) {
    body += f.check + " [" + std::string(SeverityName(f.severity)) + "] " + f.location.resource;
    std::string loc = LocationText(f.location);
    if (!loc.empty()) body += " " + loc;
    if (!f.title.empty()) body += ": " + f.title;
    body += "\n";
  }
  for (const std::string& r : c.remediation) body += "Remediation: " + r + "\n";
  return body;
}

}  // namespace

std::string FormatScore(double score) {
  if (score < 0) return "n/a";
  return Fixed1(std::round(score * 10) / 10);
}

OrderedJson ComplianceJson(const std::vector<ComplianceReport>& audits) {
  OrderedJson list = OrderedJson::array();
  for (const ComplianceReport& a : audits) {
    OrderedJson j;
    j["id"] = a.id;
    j["title"] = a.title;
    if (!a.version.empty()) j["version"] = a.version;
    if (!a.url.empty()) j["url"] = a.url;
    j["source"] = a.source;
    j["score"] = ScoreJson(a.score);
    j["weighted_score"] = ScoreJson(a.weighted_score);
    j["counts"] = {{"pass", a.passed},
                   {"fail", a.failed},
                   {"manual", a.manual},
                   {"not_applicable", a.not_applicable}};
    OrderedJson controls = OrderedJson::array();
    for (const ControlResult& c : a.controls) {
      OrderedJson cj;
      cj["id"] = c.id;
      cj["title"] = c.title;
      if (!c.section.empty()) cj["section"] = c.section;
      cj["severity"] = std::string(SeverityName(c.severity));
      cj["status"] = c.status;
      cj["checks"] = c.checks;
      if (c.suppressed > 0) cj["suppressed"] = c.suppressed;
      if (!c.failures.empty()) {
        OrderedJson fails = OrderedJson::array();
        for (const ControlFailure& f : c.failures) {
          OrderedJson fj;
          fj["check"] = f.check;
          fj["severity"] = std::string(SeverityName(f.severity));
          if (!f.title.empty()) fj["title"] = f.title;
          if (!f.location.path.empty()) fj["path"] = f.location.path;
          if (f.location.line > 0) fj["line"] = f.location.line;
          if (!f.location.resource.empty()) fj["resource"] = f.location.resource;
          fails.push_back(std::move(fj));
        }
        cj["failures"] = std::move(fails);
      }
      if (!c.remediation.empty()) cj["remediation"] = c.remediation;
      controls.push_back(std::move(cj));
    }
    j["controls"] = std::move(controls);
    list.push_back(std::move(j));
  }
  return list;
}

OrderedJson ComplianceSarif(const std::vector<ComplianceReport>& audits) {
  OrderedJson list = OrderedJson::array();
  for (const ComplianceReport& a : audits) {
    OrderedJson j;
    j["id"] = a.id;
    j["title"] = a.title;
    if (!a.version.empty()) j["version"] = a.version;
    j["score"] = ScoreJson(a.score);
    j["weightedScore"] = ScoreJson(a.weighted_score);
    j["passed"] = a.passed;
    j["failed"] = a.failed;
    j["manual"] = a.manual;
    j["notApplicable"] = a.not_applicable;
    OrderedJson controls = OrderedJson::array();
    for (const ControlResult& c : a.controls) {
      OrderedJson cj = {{"id", c.id}, {"status", c.status}};
      if (!c.checks.empty()) cj["rules"] = c.checks;
      if (!c.failures.empty()) cj["failures"] = c.failures.size();
      controls.push_back(std::move(cj));
    }
    j["controls"] = std::move(controls);
    list.push_back(std::move(j));
  }
  return list;
}

void WriteComplianceTable(const std::vector<ComplianceReport>& audits, std::ostream& out) {
  for (const ComplianceReport& a : audits) {
    out << "\nStandard: " << SanitizeUtf8(Title(a)) << " (" << SanitizeUtf8(a.id) << "): score "
        << FormatScore(a.score) << (a.score < 0 ? "" : "%") << " (weighted "
        << FormatScore(a.weighted_score) << (a.weighted_score < 0 ? "" : "%") << "); pass "
        << a.passed << ", fail " << a.failed << ", manual " << a.manual << ", not applicable "
        << a.not_applicable << "\n";
    std::vector<std::array<std::string, 4>> rows;
    for (const ControlResult& c : a.controls) {
      if (c.status != "fail") continue;
      rows.push_back({SanitizeUtf8(c.id), Upper(SeverityName(c.severity)),
                      std::to_string(c.failures.size()), Truncate(SanitizeUtf8(c.title), 70)});
    }
    if (rows.empty()) continue;
    std::array<std::string, 4> head = {"CONTROL", "SEVERITY", "RESOURCES", "TITLE"};
    std::array<size_t, 4> width{};
    for (size_t i = 0; i < 4; ++i) width[i] = DisplayWidth(head[i]);
    for (const auto& r : rows) {
      for (size_t i = 0; i < 4; ++i) width[i] = std::max(width[i], DisplayWidth(r[i]));
    }
    auto print = [&](const std::array<std::string, 4>& r) {
      std::string line;
      for (size_t i = 0; i < 4; ++i) {
        line += r[i];
        if (i < 3) line.append(width[i] - DisplayWidth(r[i]) + 2, ' ');
      }
      out << line << "\n";
    };
    out << "Failing controls (" << rows.size() << ")\n";
    print(head);
    print({std::string(width[0], '-'), std::string(width[1], '-'), std::string(width[2], '-'),
           std::string(width[3], '-')});
    for (const auto& r : rows) print(r);
  }
}

std::string_view ComplianceCss() {
  return ".chart,.donut{display:block;margin:.5em 0}"
         ".stdhead{display:flex;gap:2em;align-items:center}"
         ".score{font-size:1.3em}.legend span{display:inline-block;width:.9em;height:.9em;"
         "margin-right:.3em;vertical-align:middle}"
         ".st-pass{background:#c8e6c9}.st-fail{background:#ffcdd2;font-weight:bold}"
         ".st-manual{background:#eeeeee}.st-not_applicable{background:#efebe9;color:#666}"
         ".failing{border-left:4px solid #c62828;padding:.2em 1em;margin-bottom:1.5em}";
}

void WriteComplianceHtml(const std::vector<ComplianceReport>& audits, std::ostream& out) {
  if (audits.empty()) return;
  out << "<h2>Compliance</h2>\n<p>Score = passed / (passed + failed) automated controls; "
      << "manual and not applicable controls are not scored. The weighted score counts a "
      << "control critical 4, high 3, medium 2, low 1.</p>\n";
  ScoreChart(audits, out);
  for (const ComplianceReport& a : audits) {
    out << "<section class=\"standard\" id=\"std-" << E(a.id) << "\">\n<h2>" << E(Title(a))
        << " <small>(" << E(a.id) << ")</small></h2>\n<div class=\"stdhead\">\n";
    Donut(a, out);
    out << "<div><p class=\"score\">Score: <strong>" << FormatScore(a.score)
        << (a.score < 0 ? "" : " %") << "</strong> (weighted " << FormatScore(a.weighted_score)
        << (a.weighted_score < 0 ? "" : " %") << ")</p>\n<p class=\"legend\">"
        << "<span style=\"background:#2e7d32\"></span>pass " << a.passed
        << " &nbsp; <span style=\"background:#c62828\"></span>fail " << a.failed
        << " &nbsp; <span style=\"background:#9e9e9e\"></span>manual " << a.manual
        << " &nbsp; <span style=\"background:#d7ccc8\"></span>not applicable " << a.not_applicable
        << "</p>\n<p>Source: " << E(a.source);
    if (StartsWith(a.url, "https://") || StartsWith(a.url, "http://")) {
      out << " &middot; <a href=\"" << E(a.url) << "\" rel=\"noreferrer\">" << E(a.url) << "</a>";
    }
    out << "</p></div>\n</div>\n<table>\n<tr><th>Control</th><th>Section</th><th>Title</th>"
        << "<th>Severity</th><th>Status</th><th>Checks</th><th>Resources</th></tr>\n";
    for (const ControlResult& c : a.controls) {
      std::string sev(SeverityName(c.severity));
      out << "<tr><td>" << E(c.id) << "</td><td>" << E(c.section) << "</td><td>" << E(c.title)
          << "</td><td class=\"sev " << sev << "\">"
          << (c.severity == Severity::kUnknown ? "" : Upper(sev)) << "</td><td class=\"st-"
          << E(c.status) << "\">" << E(StatusLabel(c.status)) << "</td><td>"
          << E(Join(c.checks, ", ")) << "</td><td>" << c.failures.size();
      if (c.suppressed > 0) out << " (+" << c.suppressed << " suppressed)";
      out << "</td></tr>\n";
    }
    out << "</table>\n";
    size_t failing = std::count_if(a.controls.begin(), a.controls.end(),
                                   [](const ControlResult& c) { return c.status == "fail"; });
    if (failing == 0) {
      out << "<p>No failing controls.</p>\n</section>\n";
      continue;
    }
    out << "<h3>Failing controls (" << failing << ")</h3>\n";
    for (const ControlResult& c : a.controls) {
      if (c.status != "fail") continue;
      out << "<div class=\"failing\">\n<h4>" << E(c.id) << " " << E(c.title) << "</h4>\n";
      for (const std::string& r : c.remediation) {
        out << "<p><strong>Remediation:</strong> " << E(r) << "</p>\n";
      }
      out << "<table>\n<tr><th>Resource</th><th>Location</th><th>Check</th><th>Severity</th>"
          << "<th>Finding</th></tr>\n";
      for (size_t i = 0; i < c.failures.size() && i < kMaxListed; ++i) {
        const ControlFailure& f = c.failures[i];
        std::string fsev(SeverityName(f.severity));
        out << "<tr><td>" << E(f.location.resource) << "</td><td><code>"
            << E(LocationText(f.location)) << "</code></td><td>" << E(f.check)
            << "</td><td class=\"sev " << fsev << "\">" << Upper(fsev) << "</td><td>" << E(f.title)
            << "</td></tr>\n";
      }
      out << "</table>\n";
      if (c.failures.size() > kMaxListed) {
        out << "<p>… and " << c.failures.size() - kMaxListed
            << " more (every resource is listed in the JSON report).</p>\n";
      }
      out << "</div>\n";
    }
    out << "</section>\n";
  }
}

std::string ComplianceJunit(const std::vector<ComplianceReport>& audits, std::string_view timestamp,
                            int* tests, int* failures, int* skipped) {
  std::ostringstream suites;
  for (const ComplianceReport& a : audits) {
    int n = static_cast<int>(a.controls.size());
    int skip = a.manual + a.not_applicable;
    *tests += n;
    *failures += a.failed;
    *skipped += skip;
    suites << "  <testsuite name=\"compliance:" << XmlEscape(a.id) << "\" tests=\"" << n
           << "\" failures=\"" << a.failed << "\" errors=\"0\" skipped=\"" << skip
           << "\" time=\"0\"";
    if (!timestamp.empty()) suites << " timestamp=\"" << XmlEscape(timestamp) << "\"";
    suites << ">\n    <properties>\n"
           << "      <property name=\"standard\" value=\"" << XmlEscape(Title(a)) << "\"/>\n"
           << "      <property name=\"score\" value=\"" << FormatScore(a.score) << "\"/>\n"
           << "      <property name=\"weighted_score\" value=\"" << FormatScore(a.weighted_score)
           << "\"/>\n    </properties>\n";
    for (const ControlResult& c : a.controls) {
      suites << "    <testcase classname=\"" << XmlEscape(a.id) << "\" name=\""
             << XmlEscape(c.id + " " + c.title) << "\" time=\"0\">\n";
      if (c.status == "fail") {
        suites << "      <failure message=\"" << c.failures.size()
               << " resource(s) fail this control\" type=\"" << Upper(SeverityName(c.severity))
               << "\">" << XmlEscape(FailureBody(c)) << "</failure>\n";
      } else if (c.status == "manual") {
        suites << "      <skipped message=\"manual: not decidable from configuration files\"/>\n";
      } else if (c.status == "not_applicable") {
        suites << "      <skipped message=\"not applicable: no scanned resource of the kinds its "
                  "checks apply to\"/>\n";
      }
      suites << "    </testcase>\n";
    }
    suites << "  </testsuite>\n";
  }
  return suites.str();
}

}  // namespace vigil::report::internal
