// Shared helpers of the Kubernetes check files (not part of the public API of the config
// library): a check built from metadata plus an evaluator, and small Node accessors.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "config/check.h"
#include "config/node.h"

namespace vigil::config::k8s {

using Eval = std::function<void(const CheckContext&, std::vector<Violation>*)>;
using CrossEval =
    std::function<void(const std::vector<const Resource*>&, std::vector<ResourceViolation>*)>;

// Metadata of one check; `eval` or `cross` is set (never both).
struct Def {
  std::string id;
  report::Severity severity = report::Severity::kMedium;
  std::string title;
  std::string rationale;
  std::string remediation;
  std::vector<std::string> applies_to;
  std::vector<std::string> controls;
  Eval eval;
  CrossEval cross;
  // Per-object checks: true when the evaluator needs ctx.pod (skipped for resources
  // without a pod template).
  bool needs_pod = false;
};

// A per-object check (`eval`) or a cross-resource check (`cross`) from its metadata.
Def ObjectCheck(std::string id, report::Severity severity, std::string title, std::string rationale,
                std::string remediation, std::vector<std::string> applies_to,
                std::vector<std::string> controls, Eval eval);
Def CrossCheck(std::string id, report::Severity severity, std::string title, std::string rationale,
               std::string remediation, std::vector<std::string> applies_to,
               std::vector<std::string> controls, CrossEval cross);

Status Register(CheckRegistry* registry, std::vector<Def> defs);

bool IsTrue(const Node* n);
// True when the node is an explicit boolean false.
bool IsFalse(const Node* n);
std::string Str(const Node* n);
// Str without the copy: the scalar's text, "" for null, non-scalar or missing nodes. Valid
// while the node lives.
std::string_view StrView(const Node* n);
const Node* Sub(const Node* n, std::string_view key);
// The scalar items of a sequence (a lone scalar counts as a one-item list).
std::vector<std::string> Strings(const Node* n);
std::string ContainerLabel(const ContainerRef& c);
std::string Index(std::string_view base, size_t i);
// Every namespaced kind a workload check looks at.
const std::vector<std::string>& WorkloadKinds();

}  // namespace vigil::config::k8s
