#include "config/suppress.h"

#include <algorithm>
#include <optional>

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

namespace {

// The vigil.dev/ignore entry of a label set: a map (`key: value`) or a compose list of
// "key=value" strings. nullopt when absent.
std::optional<std::string> LabelValue(const Node* labels) {
  if (labels == nullptr) return std::nullopt;
  if (labels->IsMap()) {
    const Node* v = labels->Get(kIgnoreAnnotation);
    return v ? v->AsString() : std::nullopt;
  }
  if (!labels->IsSeq()) return std::nullopt;
  std::string prefix = std::string(kIgnoreAnnotation) + "=";
  for (const Node& item : labels->seq()) {
    std::optional<std::string> s = item.AsString();
    if (s && s->compare(0, prefix.size(), prefix) == 0) return s->substr(prefix.size());
  }
  return std::nullopt;
}

}  // namespace

IgnoreRule AnnotationIgnore(const Node* object) {
  if (object == nullptr) return {};
  std::optional<std::string> value;
  if (const Node* ann = object->Find("metadata.annotations")) {
    value = LabelValue(ann->IsMap() ? ann : nullptr);
  }
  // Compose services carry `labels:` at the top level, containers `Config.Labels`
  // (Kubernetes objects keep theirs under metadata, so these never match them).
  if (!value) value = LabelValue(object->Get("labels"));
  if (!value) value = LabelValue(object->Find("Config.Labels"));
  if (!value) return {};
  return ParseIgnoreValue(*value);
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
