// Suppression: findings the user has accepted stay in the report with status "suppressed"
// (counted, never dropped).
//
//   metadata.annotations["vigil.dev/ignore"]: "VGL-K8S-001,VGL-K8S-014 reason"
//   labels: {vigil.dev/ignore: "VGL-DC-001 reason"}  (compose service; container Config.Labels)
//   # vigil:ignore=VGL-K8S-001 reason        (on the flagged line or the line above)
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "config/node.h"

namespace vigil::config {

inline constexpr std::string_view kIgnoreAnnotation = "vigil.dev/ignore";

struct IgnoreRule {
  std::vector<std::string> ids;
  std::string reason;
};

// Parses "ID[,ID...] reason".
IgnoreRule ParseIgnoreValue(std::string_view value);

// Inline `# vigil:ignore=...` comments of a file, by 1-based line.
std::map<int, IgnoreRule> ParseInlineIgnores(std::string_view text);

// The ignore rule of an object: metadata.annotations (Kubernetes), else the `labels` of a
// compose service (map or "key=value" list) or Config.Labels of a container; empty when
// absent.
IgnoreRule AnnotationIgnore(const Node* object);

// The reason `id` at `line` is suppressed by an inline comment on that line or the one
// above; nullptr when it is not.
const IgnoreRule* InlineSuppression(const std::map<int, IgnoreRule>& rules, int line,
                                    std::string_view id);

}  // namespace vigil::config
