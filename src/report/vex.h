// OpenVEX (https://github.com/openvex/spec, v0.2.0; the 0.0.x string forms of
// `vulnerability`, `products` and `subcomponents` are read too) and the suppression notes
// that ignore files and VEX leave in findings.
//
// A finding is suppressed when the statement in force for it has status `not_affected` or
// `fixed`. A statement concerns a finding when its vulnerability (`name`, `@id` — also the
// last segment of an `@id` URL — or one of `aliases`) equals the finding's id or one of its
// aliases, and one of its products or subcomponents (`@id` or `identifiers.purl`) matches
// the finding's package purl (PurlMatches). When several statements concern one finding,
// the latest (statement `timestamp`, else the document's; ties: the later one read) is in
// force, as OpenVEX prescribes; `affected` and `under_investigation` therefore lift an
// earlier `not_affected`, and leave a note with their action statement.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "report/finding.h"

namespace vigil::report {

// A package URL (https://github.com/package-url/purl-spec), components percent-decoded.
struct Purl {
  std::string type;  // lower case
  std::string name_space;
  std::string name;
  std::string version;
  std::map<std::string, std::string> qualifiers;  // keys lower case
  std::string subpath;
};
StatusOr<Purl> ParsePurl(std::string_view purl);

// True when `pattern` (from a VEX statement or an ignore entry) names `purl`: same type,
// namespace and name (PyPI names compared PEP 503-normalised; npm, PyPI, GitHub and
// Composer names and namespaces case-insensitively), and, only when the pattern has them,
// the same version and the same value for each of its qualifiers and subpath.
bool PurlMatches(const Purl& pattern, const Purl& purl);

enum class VexStatus { kNotAffected, kAffected, kFixed, kUnderInvestigation };
std::string_view VexStatusName(VexStatus s);  // "not_affected", ...

struct VexStatement {
  std::vector<std::string> vuln_ids;  // name, @id (and its last URL segment), aliases
  std::vector<Purl> products;         // products and subcomponents
  VexStatus status = VexStatus::kUnderInvestigation;
  std::string justification;  // not_affected: one of the five OpenVEX justifications
  std::string impact_statement;
  std::string action_statement;
  std::string status_notes;
  std::optional<std::chrono::system_clock::time_point> timestamp;
  std::string origin;  // "FILE statements[3]"
};

struct VexDocument {
  std::string file;
  std::vector<VexStatement> statements;
};

// Parses one OpenVEX JSON document. Errors name the file and the field
// ("vex.json: statements[1].status: unknown status 'safe' (want not_affected, ...)").
StatusOr<VexDocument> ParseOpenVex(std::string_view json, std::string_view file);
// Reads a host file (at most 16 MiB) and parses it.
StatusOr<VexDocument> LoadVexFile(const std::string& path);

// Applies the statements of every document (in order) to the report's vulnerability
// findings; returns how many findings were suppressed.
int ApplyVex(const std::vector<VexDocument>& documents, Report& report);

// Why a finding was suppressed, as written into its remediation by ApplyVex and
// ApplyIgnoreRules (one line beginning "Suppressed by ", after any remediation text):
//   Suppressed by VEX (FILE statements[0]): not_affected (vulnerable_code_not_present): ...
//   Suppressed by VEX (FILE statements[2]): fixed
//   Suppressed by ignore file (FILE:3): <statement>
struct SuppressionNote {
  bool vex = false;           // else an ignore file
  std::string vex_status;     // "not_affected", "fixed"
  std::string justification;  // OpenVEX justification, when given
  std::string text;           // the whole note line
};
void AppendSuppressionNote(Finding& finding, const std::string& note);
std::optional<SuppressionNote> FindSuppressionNote(std::string_view remediation);
// The remediation without its suppression note (what the user should do about the issue).
std::string RemediationWithoutNote(std::string_view remediation);

}  // namespace vigil::report
