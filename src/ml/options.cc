#include <charconv>
#include <cmath>
#include <string>

#include "ml/model.h"
#include "ml/trace.h"

namespace vigil::ml {

std::string_view LabelName(Label label) {
  switch (label) {
    case Label::kNormal:
      return "normal";
    case Label::kAttack:
      return "attack";
    case Label::kUnknown:
      break;
  }
  return "unknown";
}

std::string_view SyscallTableName(SyscallTable table) {
  switch (table) {
    case SyscallTable::kX86_64:
      return "x86_64";
    case SyscallTable::kX86_32:
      return "x86_32";
    case SyscallTable::kSunOs:
      return "sunos";
    case SyscallTable::kUnknown:
      break;
  }
  return "unknown";
}

std::string_view ActivityKindName(ActivityKind kind) {
  switch (kind) {
    case ActivityKind::kExec:
      return "exec";
    case ActivityKind::kFileWrite:
      return "file_write";
    case ActivityKind::kSensitiveRead:
      return "sensitive_read";
    case ActivityKind::kListen:
      return "listen";
    case ActivityKind::kConnect:
      return "connect";
    case ActivityKind::kAccept:
      return "accept";
    case ActivityKind::kUser:
      return "user";
    case ActivityKind::kCapability:
      return "capability";
    case ActivityKind::kBytesIn:
      return "bytes_in";
    case ActivityKind::kBytesOut:
      return "bytes_out";
  }
  return "unknown";
}

Status ModelOptions::Add(std::string_view key_value) {
  size_t eq = key_value.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return InvalidArgumentError("model option '" + std::string(key_value) +
                                "' is not of the form key=value");
  }
  values_[std::string(key_value.substr(0, eq))] = std::string(key_value.substr(eq + 1));
  return OkStatus();
}

StatusOr<int64_t> ModelOptions::Int(std::string_view key, int64_t def, int64_t min,
                                    int64_t max) const {
  used_[std::string(key)] = true;
  auto it = values_.find(std::string(key));
  if (it == values_.end()) return def;
  const std::string& v = it->second;
  int64_t out = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || end != v.data() + v.size()) {
    return InvalidArgumentError("model option " + std::string(key) + "='" + v +
                                "' is not an integer");
  }
  if (out < min || out > max) {
    return InvalidArgumentError("model option " + std::string(key) + "=" + v + " is outside [" +
                                std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return out;
}

StatusOr<double> ModelOptions::Double(std::string_view key, double def, double min,
                                      double max) const {
  used_[std::string(key)] = true;
  auto it = values_.find(std::string(key));
  if (it == values_.end()) return def;
  const std::string& v = it->second;
  double out = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || end != v.data() + v.size() || !std::isfinite(out)) {
    return InvalidArgumentError("model option " + std::string(key) + "='" + v +
                                "' is not a number");
  }
  if (out < min || out > max) {
    return InvalidArgumentError("model option " + std::string(key) + "=" + v + " is outside [" +
                                std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return out;
}

StatusOr<std::string> ModelOptions::String(std::string_view key, std::string_view def) const {
  used_[std::string(key)] = true;
  auto it = values_.find(std::string(key));
  if (it == values_.end()) return std::string(def);
  return it->second;
}

Status ModelOptions::CheckAllUsed(std::string_view model_name) const {
  for (const auto& [key, value] : values_) {
    if (used_.find(key) == used_.end()) {
      return InvalidArgumentError("model '" + std::string(model_name) + "' has no option '" + key +
                                  "'");
    }
  }
  return OkStatus();
}

}  // namespace vigil::ml
