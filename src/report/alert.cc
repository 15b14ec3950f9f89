#include "report/alert.h"

#include <cstdint>

#include "base/clock.h"
#include "base/strings.h"
#include "nlohmann/json.hpp"
#include "report/internal.h"

namespace vigil::report {
namespace {

using nlohmann::json;

Status FieldError(std::string_view field, std::string_view why) {
  return InvalidArgumentError("alert field '" + std::string(field) + "': " + std::string(why));
}

Status ReadAlertString(const json& j, std::string_view key, bool required, std::string* out) {
  auto it = j.find(std::string(key));
  if (it == j.end() || it->is_null()) {
    return required ? FieldError(key, "missing") : OkStatus();
  }
  if (!it->is_string()) {
    return FieldError(key, std::string("expected string, got ") + it->type_name());
  }
  *out = it->get<std::string>();
  return OkStatus();
}

}  // namespace

std::string_view PriorityName(Priority p) {
  switch (p) {
    case Priority::kEmergency:
      return "Emergency";
    case Priority::kAlert:
      return "Alert";
    case Priority::kCritical:
      return "Critical";
    case Priority::kError:
      return "Error";
    case Priority::kWarning:
      return "Warning";
    case Priority::kNotice:
      return "Notice";
    case Priority::kInformational:
      return "Informational";
    case Priority::kDebug:
      return "Debug";
  }
  return "Warning";
}

StatusOr<Priority> ParsePriority(std::string_view name) {
  std::string s = ToLower(Trim(name));
  if (s == "emergency") return Priority::kEmergency;
  if (s == "alert") return Priority::kAlert;
  if (s == "critical") return Priority::kCritical;
  if (s == "error") return Priority::kError;
  if (s == "warning" || s == "warn") return Priority::kWarning;
  if (s == "notice") return Priority::kNotice;
  if (s == "informational" || s == "info") return Priority::kInformational;
  if (s == "debug") return Priority::kDebug;
  return InvalidArgumentError("unknown priority '" + std::string(name) +
                              "' (want Emergency, Alert, Critical, Error, Warning, Notice, "
                              "Informational or Debug)");
}

Severity PriorityToSeverity(Priority p) {
  switch (p) {
    case Priority::kEmergency:
    case Priority::kAlert:
    case Priority::kCritical:
      return Severity::kCritical;
    case Priority::kError:
      return Severity::kHigh;
    case Priority::kWarning:
      return Severity::kMedium;
    case Priority::kNotice:
      return Severity::kLow;
    case Priority::kInformational:
    case Priority::kDebug:
      return Severity::kInfo;
  }
  return Severity::kUnknown;
}

// nlohmann::json keeps object keys sorted, which is the order Falco's own json_output has
// (it serialises with the same library), so the bytes match Falco's line for line.
std::string AlertToFalcoJson(const Alert& alert) {
  json j;
  j["hostname"] = alert.hostname;
  j["output"] = alert.output;
  json fields = json::object();
  for (const auto& [name, value] : alert.output_fields) {
    switch (value.type) {
      case FieldValue::Type::kNull:
        fields[name] = nullptr;
        break;
      case FieldValue::Type::kString:
        fields[name] = value.str;
        break;
      case FieldValue::Type::kInt:
        fields[name] = value.num;
        break;
    }
  }
  j["output_fields"] = std::move(fields);
  j["priority"] = PriorityName(alert.priority);
  j["rule"] = alert.rule;
  j["source"] = alert.source;
  j["tags"] = alert.tags;
  j["time"] = FormatRfc3339Nanos(alert.time);
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

StatusOr<Alert> AlertFromFalcoJson(std::string_view text) {
  json j;
  try {
    j = json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    return InvalidArgumentError(std::string("alert: invalid JSON: ") + e.what());
  }
  if (!j.is_object()) {
    return InvalidArgumentError(std::string("alert: expected a JSON object, got ") + j.type_name());
  }
  Alert a;
  VIGIL_RETURN_IF_ERROR(ReadAlertString(j, "rule", true, &a.rule));
  VIGIL_RETURN_IF_ERROR(ReadAlertString(j, "output", true, &a.output));
  std::string priority, time;
  VIGIL_RETURN_IF_ERROR(ReadAlertString(j, "priority", true, &priority));
  auto p = ParsePriority(priority);
  if (!p.ok()) return FieldError("priority", p.status().message());
  a.priority = *p;
  VIGIL_RETURN_IF_ERROR(ReadAlertString(j, "time", true, &time));
  auto t = internal::ParseRfc3339(time);
  if (!t.ok()) return FieldError("time", t.status().message());
  a.time = *t;
  VIGIL_RETURN_IF_ERROR(ReadAlertString(j, "source", false, &a.source));
  VIGIL_RETURN_IF_ERROR(ReadAlertString(j, "hostname", false, &a.hostname));
  if (auto it = j.find("tags"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) {
      return FieldError("tags", std::string("expected array, got ") + it->type_name());
    }
    for (size_t i = 0; i < it->size(); ++i) {
      const json& tag = (*it)[i];
      if (!tag.is_string()) {
        return FieldError("tags[" + std::to_string(i) + "]",
                          std::string("expected string, got ") + tag.type_name());
      }
      a.tags.push_back(tag.get<std::string>());
    }
  }
  if (auto it = j.find("output_fields"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) {
      return FieldError("output_fields", std::string("expected object, got ") + it->type_name());
    }
    for (const auto& [name, value] : it->items()) {
      // Falco emits strings, integers and null; anything else (booleans, floats, lists from
      // plugins) is kept as its JSON text rather than rejected, so no event is lost.
      if (value.is_null()) {
        a.output_fields[name] = FieldValue::Null();
      } else if (value.is_string()) {
        a.output_fields[name] = FieldValue::Str(value.get<std::string>());
      } else if (value.is_number_integer() &&
                 (!value.is_number_unsigned() ||
                  value.get<uint64_t>() <= static_cast<uint64_t>(INT64_MAX))) {
        a.output_fields[name] = FieldValue::Int(value.get<int64_t>());
      } else {
        a.output_fields[name] =
            FieldValue::Str(value.dump(-1, ' ', false, json::error_handler_t::replace));
      }
    }
  }
  return a;
}

Finding AlertToFinding(const Alert& alert) {
  Finding f;
  f.kind = FindingKind::kRuntime;
  f.id = alert.rule;
  f.severity = PriorityToSeverity(alert.priority);
  f.title = alert.rule;
  f.description = alert.output;
  f.controls = alert.tags;
  f.data_source = alert.source;
  auto field_string = [&](const char* name) -> std::string {
    auto it = alert.output_fields.find(name);
    if (it == alert.output_fields.end()) return "";
    if (it->second.type == FieldValue::Type::kString) return it->second.str;
    if (it->second.type == FieldValue::Type::kInt) return std::to_string(it->second.num);
    return "";
  };
  f.location.resource = field_string("container.id");
  // fd.name is a file path only for file descriptors; sockets render as "ip:port->ip:port".
  if (std::string fd = field_string("fd.name"); StartsWith(fd, "/")) f.location.path = fd;
  return f;
}

}  // namespace vigil::report
