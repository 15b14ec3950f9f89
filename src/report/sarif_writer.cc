// SARIF 2.1.0 as GitHub code scanning reads it: one run, rules deduplicated by id with
// properties.security-severity (a CVSS-like score GitHub buckets into critical/high/medium/
// low), results with a physical location for every finding.
#include <map>

#include "base/strings.h"
#include "report/compliance.h"
#include "report/internal.h"

namespace vigil::report::internal {
namespace {

std::string_view Level(Severity s) {
  switch (s) {
    case Severity::kCritical:
    case Severity::kHigh:
      return "error";
    case Severity::kMedium:
      return "warning";
    default:
      return "note";
  }
}

// GitHub maps > 9.0 to critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low and 0 to none.
std::string_view SecuritySeverity(Severity s) {
  switch (s) {
    case Severity::kCritical:
      return "9.5";
    case Severity::kHigh:
      return "8.0";
    case Severity::kMedium:
      return "5.5";
    case Severity::kLow:
      return "2.0";
    default:
      return "0.0";
  }
}

// A relative URI reference: the leading "/" is dropped (paths are relative to the scanned
// root) and everything outside RFC 3986's unreserved set and "/" is percent-encoded, so
// "alpine:3.19" cannot be read as a URI with scheme "alpine".
std::string RelativeUri(std::string_view path) {
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : path) {
    unsigned char c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || ch == '-' ||
        ch == '.' || ch == '_' || ch == '~' || ch == '/') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out.empty() ? "." : out;
}

std::string MessageText(const Finding& f) {
  std::string text;
  if (f.kind == FindingKind::kVulnerability && f.package) {
    text = f.id + " in " + f.package->name;
    if (!f.package->version.empty()) text += " " + f.package->version;
    if (!f.fixed_version.empty()) text += " (fixed in " + f.fixed_version + ")";
    if (!f.title.empty()) text += ": " + f.title;
  } else {
    text = f.title.empty() ? f.id : f.title;
    if (!f.location.resource.empty()) text += " [" + f.location.resource + "]";
  }
  if (!f.match.empty()) text += " (match: " + f.match + ")";
  text += "\nSeverity: " + std::string(SeverityName(f.severity));
  if (!f.location.layer.empty()) text += "\nLayer: " + f.location.layer;
  if (!f.status.empty()) text += "\nStatus: " + f.status;
  return text;
}

std::string HelpMarkdown(const Finding& f) {
  std::string md = "**" + f.id + "**";
  if (!f.title.empty()) md += ": " + f.title;
  md += "\n\n| Severity | Kind |\n| --- | --- |\n| " + std::string(SeverityName(f.severity)) +
        " | " + std::string(FindingKindName(f.kind)) + " |\n";
  if (!f.description.empty()) md += "\n" + f.description + "\n";
  if (!f.remediation.empty()) md += "\n**Remediation:** " + f.remediation + "\n";
  if (!f.controls.empty()) md += "\n**Controls:** " + Join(f.controls, ", ") + "\n";
  if (!f.references.empty()) {
    md += "\n**References:**\n";
    for (const std::string& r : f.references) md += "- " + r + "\n";
  }
  return md;
}

std::string HelpText(const Finding& f) {
  std::string text = f.id;
  if (!f.title.empty()) text += ": " + f.title;
  text += "\nSeverity: " + std::string(SeverityName(f.severity));
  if (!f.description.empty()) text += "\n" + f.description;
  if (!f.remediation.empty()) text += "\nRemediation: " + f.remediation;
  for (const std::string& r : f.references) text += "\n" + r;
  return text;
}

OrderedJson Rule(const Finding& f) {
  OrderedJson rule;
  rule["id"] = f.id;
  rule["name"] = std::string(FindingKindName(f.kind));
  rule["shortDescription"] = {{"text", f.title.empty() ? f.id : f.title}};
  rule["fullDescription"] = {
      {"text", f.description.empty() ? (f.title.empty() ? f.id : f.title) : f.description}};
  rule["defaultConfiguration"] = {{"level", Level(f.severity)}};
  if (!f.references.empty()) rule["helpUri"] = f.references.front();
  rule["help"] = {{"text", HelpText(f)}, {"markdown", HelpMarkdown(f)}};
  OrderedJson tags = OrderedJson::array(
      {"security", std::string(FindingKindName(f.kind)), std::string(SeverityName(f.severity))});
  for (const std::string& c : f.controls) tags.push_back(c);
  rule["properties"] = {{"tags", tags},
                        {"precision", "very-high"},
                        {"security-severity", SecuritySeverity(f.severity)}};
  return rule;
}

}  // namespace

void WriteSarif(const Report& report, std::ostream& out) {
  OrderedJson rules = OrderedJson::array();
  std::map<std::string, size_t> rule_index;
  OrderedJson results = OrderedJson::array();
  for (const Finding& f : report.findings) {
    auto [it, inserted] = rule_index.emplace(f.id, rules.size());
    if (inserted) rules.push_back(Rule(f));
    OrderedJson result;
    result["ruleId"] = f.id;
    result["ruleIndex"] = it->second;
    result["level"] = Level(f.severity);
    result["message"] = {{"text", MessageText(f)}};
    OrderedJson physical;
    physical["artifactLocation"] = {
        {"uri", RelativeUri(f.location.path.empty() ? report.target : f.location.path)}};
    if (!f.location.path.empty() && f.location.line >= 1) {
      OrderedJson region = {{"startLine", f.location.line}};
      if (f.location.end_line > f.location.line) region["endLine"] = f.location.end_line;
      physical["region"] = std::move(region);
    }
    OrderedJson location = {{"physicalLocation", std::move(physical)}};
    if (!f.location.resource.empty()) {
      location["logicalLocations"] =
          OrderedJson::array({{{"fullyQualifiedName", f.location.resource}, {"kind", "resource"}}});
    }
    result["locations"] = OrderedJson::array({std::move(location)});
    // A fingerprint that survives line shifts of unrelated code, so code scanning keeps one
    // alert per issue across runs.
    std::string identity = std::string(FindingKindName(f.kind)) + "|" + f.id + "|" +
                           f.location.path + "|" + f.location.resource + "|" +
                           (f.package ? f.package->name + "@" + f.package->version : "") + "|" +
                           f.match;
    result["partialFingerprints"] = {{"vigilFindingHash/v1", ShortHash(identity, 32)}};
    if (f.status == "suppressed") {
      result["suppressions"] = OrderedJson::array({{{"kind", "external"}}});
    }
    results.push_back(std::move(result));
  }
  OrderedJson driver;
  driver["name"] = "vigil";
  driver["version"] = report.tool_version.empty() ? "0.0.0" : report.tool_version;
  driver["rules"] = std::move(rules);
  OrderedJson run;
  run["tool"] = {{"driver", std::move(driver)}};
  run["results"] = std::move(results);
  run["columnKind"] = "utf16CodeUnits";
  OrderedJson props = {{"target", report.target}, {"targetKind", report.target_kind}};
  if (!report.artifact_digest.empty()) props["artifactDigest"] = report.artifact_digest;
  if (!report.created_at.empty()) props["createdAt"] = report.created_at;
  if (!report.compliance.empty()) props["compliance"] = ComplianceSarif(report.compliance);
  run["properties"] = std::move(props);
  OrderedJson doc;
  doc["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json";
  doc["version"] = "2.1.0";
  doc["runs"] = OrderedJson::array({std::move(run)});
  out << Dump(doc);
}

}  // namespace vigil::report::internal
