// Small string helpers over std::string_view, used by every parser.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vigil {

// Splits on `sep`; `skip_empty` drops empty pieces.
std::vector<std::string_view> Split(std::string_view s, char sep, bool skip_empty = false);
// Splits into lines on '\n', dropping a trailing '\r' from each.
std::vector<std::string_view> SplitLines(std::string_view s);
std::string_view Trim(std::string_view s);
bool StartsWith(std::string_view s, std::string_view prefix);
bool EndsWith(std::string_view s, std::string_view suffix);
std::string ToLower(std::string_view s);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
std::string Join(const std::vector<std::string>& parts, std::string_view sep);
// Replaces all occurrences of `from` (non-empty) with `to`.
std::string ReplaceAll(std::string_view s, std::string_view from, std::string_view to);

}  // namespace vigil
