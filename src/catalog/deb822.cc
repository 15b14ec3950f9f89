#include "catalog/deb822.h"

#include <unordered_set>

#include "base/strings.h"
#include "fmt/format.h"

namespace vigil::catalog {

const std::string* Deb822Paragraph::Find(std::string_view name) const {
  for (const auto& field : fields) {
    if (EqualsIgnoreCase(field.name, name)) return &field.value;
  }
  return nullptr;
}

std::string_view Deb822Paragraph::FirstLine(std::string_view name) const {
  const std::string* value = Find(name);
  if (value == nullptr) return {};
  std::string_view v = *value;
  return v.substr(0, v.find('\n'));
}

std::vector<Deb822Paragraph> ParseDeb822(std::string_view text, std::string_view file,
                                         const Deb822Options& options) {
  std::vector<Deb822Paragraph> out;
  Deb822Paragraph current;
  // Lower-cased field names of `current`: duplicate detection in O(1), so a hostile
  // paragraph with a million fields stays linear.
  std::unordered_set<std::string> names;
  bool open = false;
  auto fail = [&](int line, std::string_view reason) {
    if (current.error.empty()) current.error = fmt::format("{}:{}: {}", file, line, reason);
  };
  auto close = [&] {
    if (open) out.push_back(std::move(current));
    current = Deb822Paragraph{};
    names.clear();
    open = false;
  };
  int line_no = 0;
  for (std::string_view line : SplitLines(text)) {
    ++line_no;
    if (Trim(line).empty()) {
      close();
      continue;
    }
    if (options.allow_comments && line.front() == '#') continue;
    if (!open) {
      open = true;
      current.line = line_no;
    }
    if (line.front() == ' ' || line.front() == '\t') {
      if (current.fields.empty()) {
        fail(line_no, "continuation line before any field");
        continue;
      }
      std::string& value = current.fields.back().value;
      value += '\n';
      value += Trim(line);
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      fail(line_no, "expected 'Field: value'");
      continue;
    }
    std::string_view name = Trim(line.substr(0, colon));
    if (name.empty()) {
      fail(line_no, "empty field name");
      continue;
    }
    if (!names.insert(ToLower(name)).second) {
      fail(line_no, fmt::format("duplicate field '{}'", name));
      continue;
    }
    current.fields.push_back(
        Deb822Field{std::string(name), std::string(Trim(line.substr(colon + 1))), line_no});
  }
  close();
  return out;
}

}  // namespace vigil::catalog
