// Runtime alerts, as Falco emits them, so existing Falco consumers (falcosidekick, SIEM
// parsers) read Vigil's output unchanged. An Alert maps to a Finding of kind `runtime`
// through the documented priority -> severity table (docs/report-format.md).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "report/finding.h"

namespace vigil::report {

// Falco's priorities, in its order (syslog levels).
enum class Priority {
  kEmergency,
  kAlert,
  kCritical,
  kError,
  kWarning,
  kNotice,
  kInformational,
  kDebug
};

// Falco spells these "Emergency", "Alert", "Critical", "Error", "Warning", "Notice",
// "Informational", "Debug" in JSON output.
std::string_view PriorityName(Priority p);
// Case-insensitive; also accepts Falco rule-file spellings ("INFO", "WARN").
StatusOr<Priority> ParsePriority(std::string_view name);
// Emergency/Alert/Critical -> critical, Error -> high, Warning -> medium, Notice -> low,
// Informational/Debug -> info.
Severity PriorityToSeverity(Priority p);

// A value in output_fields: Falco emits strings, numbers and null.
struct FieldValue {
  enum class Type { kNull, kString, kInt } type = Type::kNull;
  std::string str;
  int64_t num = 0;
  static FieldValue Null() { return {}; }
  static FieldValue Str(std::string s) { return {Type::kString, std::move(s), 0}; }
  static FieldValue Int(int64_t n) { return {Type::kInt, {}, n}; }
};

struct Alert {
  std::chrono::system_clock::time_point time;
  std::string rule;
  Priority priority = Priority::kWarning;
  std::string source = "syscall";
  std::string hostname;
  std::string output;  // the rendered output line
  std::vector<std::string> tags;
  std::map<std::string, FieldValue> output_fields;  // "proc.name" -> value
};

// One JSON object, no trailing newline, fields as Falco's json_output:
// {"hostname","output","output_fields","priority","rule","source","tags","time"}.
std::string AlertToFalcoJson(const Alert& alert);
// The inverse, for replaying alert files and tests; errors name the offending field.
StatusOr<Alert> AlertFromFalcoJson(std::string_view json);
// The Finding an alert becomes (kind runtime, id = rule, resource = container.id).
Finding AlertToFinding(const Alert& alert);

}  // namespace vigil::report
