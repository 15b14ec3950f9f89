#include "config/k8s_util.h"

#include <utility>

namespace vigil::config::k8s {
namespace {

class FnCheck : public Check {
 public:
  explicit FnCheck(Def def) : def_(std::move(def)) {
    info_.id = def_.id;
    info_.title = def_.title;
    info_.severity = def_.severity;
    info_.rationale = def_.rationale;
    info_.remediation = def_.remediation;
    info_.applies_to = def_.applies_to;
    info_.controls = def_.controls;
  }
  const CheckInfo& info() const override { return info_; }
  void Evaluate(const CheckContext& ctx, std::vector<Violation>* out) const override {
    if (!def_.eval || (def_.needs_pod && ctx.pod == nullptr)) return;
    def_.eval(ctx, out);
  }
  bool cross_resource() const override { return static_cast<bool>(def_.cross); }
  void EvaluateAll(const std::vector<const Resource*>& resources,
                   std::vector<ResourceViolation>* out) const override {
    if (def_.cross) def_.cross(resources, out);
  }

 private:
  Def def_;
  CheckInfo info_;
};

}  // namespace

namespace {

Def Metadata(std::string id, report::Severity severity, std::string title, std::string rationale,
             std::string remediation, std::vector<std::string> applies_to,
             std::vector<std::string> controls) {
  Def d;
  d.id = std::move(id);
  d.severity = severity;
  d.title = std::move(title);
  d.rationale = std::move(rationale);
  d.remediation = std::move(remediation);
  d.applies_to = std::move(applies_to);
  d.controls = std::move(controls);
  return d;
}

}  // namespace

Def ObjectCheck(std::string id, report::Severity severity, std::string title, std::string rationale,
                std::string remediation, std::vector<std::string> applies_to,
                std::vector<std::string> controls, Eval eval) {
  Def d = Metadata(std::move(id), severity, std::move(title), std::move(rationale),
                   std::move(remediation), std::move(applies_to), std::move(controls));
  d.eval = std::move(eval);
  return d;
}

Def CrossCheck(std::string id, report::Severity severity, std::string title, std::string rationale,
               std::string remediation, std::vector<std::string> applies_to,
               std::vector<std::string> controls, CrossEval cross) {
  Def d = Metadata(std::move(id), severity, std::move(title), std::move(rationale),
                   std::move(remediation), std::move(applies_to), std::move(controls));
  d.cross = std::move(cross);
  return d;
}

Status Register(CheckRegistry* registry, std::vector<Def> defs) {
  for (auto& def : defs) {
    if (static_cast<bool>(def.eval) == static_cast<bool>(def.cross)) {
      return InvalidArgumentError(def.id + ": needs exactly one evaluator");
    }
    VIGIL_RETURN_IF_ERROR(registry->Add(std::make_unique<FnCheck>(std::move(def))));
  }
  return OkStatus();
}

bool IsTrue(const Node* n) { return n != nullptr && n->AsBool().value_or(false); }

bool IsFalse(const Node* n) {
  if (n == nullptr) return false;
  auto b = n->AsBool();
  return b.has_value() && !*b;
}

std::string Str(const Node* n) {
  if (n == nullptr) return "";
  return n->AsString().value_or("");
}

std::string_view StrView(const Node* n) {
  if (n == nullptr || !n->IsScalar() || n->IsNull()) return {};
  return n->scalar();
}

const Node* Sub(const Node* n, std::string_view key) { return n ? n->Get(key) : nullptr; }

std::vector<std::string> Strings(const Node* n) {
  std::vector<std::string> out;
  if (n == nullptr) return out;
  if (n->IsScalar()) {
    if (auto s = n->AsString()) out.push_back(*s);
    return out;
  }
  if (!n->IsSeq()) return out;
  for (const auto& item : n->seq()) {
    if (auto s = item.AsString()) out.push_back(*s);
  }
  return out;
}

std::string ContainerLabel(const ContainerRef& c) {
  switch (c.kind) {
    case ContainerKind::kInit:
      return "init container \"" + c.name + "\"";
    case ContainerKind::kEphemeral:
      return "ephemeral container \"" + c.name + "\"";
    case ContainerKind::kContainer:
      break;
  }
  return "container \"" + c.name + "\"";
}

std::string Index(std::string_view base, size_t i) {
  std::string s(base);
  s += "[" + std::to_string(i) + "]";
  return s;
}

const std::vector<std::string>& WorkloadKinds() { return PodSpecKinds(); }

}  // namespace vigil::config::k8s
