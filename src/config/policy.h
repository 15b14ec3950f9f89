// Custom policies: an organisation's own checks, declared in YAML (docs/config.md "Custom
// policies") and compiled once into Check objects that run next to the built-in ones.
//
// A policy file holds one policy (a mapping with `id`), a list of policies, or a mapping
// `policies: [...]`; several YAML documents may follow each other. Each policy has an id (not
// starting with "VGL-", which is reserved for built-in checks), a title, a severity, optional
// description/remediation/controls/message, `match` (kinds, optional apiVersion, namespaces and
// labels) and `condition`: a tree of `all` / `any` / `not` over leaves
// `{field, op, value}`. Field paths use the Node syntax plus `[*]` (every element of a
// sequence, every value of a mapping).
//
// Semantics (the condition describes a violation):
// - A leaf yields one witness per concrete field it holds for; `[*]` expands over existing
//   elements only. `absent` holds for a missing or null field; every value operator is false
//   on an absent field.
// - `any` yields the union of its children's witnesses; `all` holds when every child holds,
//   and its witnesses are the combinations whose wildcards agree (two leaves under
//   `spec.containers[*]` speak of the same container); the first child's path is reported.
// - `not` holds when its child yields no witness; its witness is the resource itself.
// - One finding per distinct witness path, at that field's line (for an absent field, the
//   line of its nearest existing ancestor).
//
// Regular expressions are RE2 (linear time whatever the pattern or input, so a policy
// cannot make a scan hang), compiled when the policy is loaded.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "base/fs.h"
#include "base/status.h"
#include "config/check.h"

namespace vigil::config {

// Limits on untrusted policy files.
inline constexpr uint64_t kMaxPolicyFileBytes = 4u << 20;
inline constexpr int kMaxConditionDepth = 32;
// Witnesses kept per condition node (bounds the cross product of uncorrelated wildcards).
inline constexpr size_t kMaxWitnesses = 4096;

// Compiles custom policies into a registry of their own (the built-in registry is static
// and shared). Not thread-safe while loading; the registry is then shared const.
class PolicySet {
 public:
  // Compiles every policy of `text`; `file` names it in errors ("FILE:LINE: ..."). An error
  // leaves the policies of earlier calls in place and adds none of this file's.
  Status AddText(std::string_view text, std::string_view file);
  // A policy file, or every *.yaml / *.yml file under a directory (recursively, sorted).
  Status AddPath(const FileSystem& fs, const std::string& path);

  const CheckRegistry& registry() const { return registry_; }
  size_t size() const { return registry_.all().size(); }

 private:
  CheckRegistry registry_;
  std::map<std::string, std::string, std::less<>> origins_;  // id -> "FILE:LINE"
};

// Parses a Kubernetes quantity ("512Mi", "500m", "1.5G", "2e3") or plain number.
bool ParseQuantity(std::string_view text, double* out);

}  // namespace vigil::config
