#include "config/suppress.h"

#include <algorithm>

#include "base/strings.h"

namespace vigil::config {

IgnoreRule ParseIgnoreValue(std::string_view value) {
  IgnoreRule rule;
  value = Trim(value);
  size_t space = value.find_first_of(" \t");
  std::string_view ids = value.substr(0, space);
  if (space != std::string_view::npos) rule.reason = std::string(Trim(value.substr(space)));
  for (auto id : Split(ids, ',', /*skip_empty=*/true)) {
    id = Trim(id);
    if (!id.empty()) rule.ids.emplace_back(id);
  }
  return rule;
}

std::map<int, IgnoreRule> ParseInlineIgnores(std::string_view text) {
  static constexpr std::string_view kMarker = "vigil:ignore=";
  std::map<int, IgnoreRule> out;
  auto lines = SplitLines(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    size_t at = line.find(kMarker);
    if (at == std::string_view::npos) continue;
    // Only a comment counts: '#', optional blanks, then the marker.
    size_t j = at;
    while (j > 0 && (line[j - 1] == ' ' || line[j - 1] == '\t')) --j;
    if (j == 0 || line[j - 1] != '#') continue;
    IgnoreRule rule = ParseIgnoreValue(line.substr(at + kMarker.size()));
    if (!rule.ids.empty()) out[static_cast<int>(i) + 1] = std::move(rule);
  }
  return out;
}

IgnoreRule AnnotationIgnore(const Node* object) {
  if (object == nullptr) return {};
  const Node* ann = object->Find("metadata.annotations");
  if (ann == nullptr) return {};
  const Node* v = ann->Get(kIgnoreAnnotation);
  if (v == nullptr || !v->AsString()) return {};
  return ParseIgnoreValue(*v->AsString());
}

const IgnoreRule* InlineSuppression(const std::map<int, IgnoreRule>& rules, int line,
                                    std::string_view id) {
  for (int l : {line, line - 1}) {
    auto it = rules.find(l);
    if (it == rules.end()) continue;
    const auto& ids = it->second.ids;
    if (std::find(ids.begin(), ids.end(), id) != ids.end()) return &it->second;
  }
  return nullptr;
}

}  // namespace vigil::config
