// The check model: static metadata (CheckInfo), an evaluator (Check) and an immutable
// registry indexed by kind, built once and evaluated over many resources.
//
// Ids are stable: VGL-K8S-NNN for Kubernetes checks (documented in docs/config.md); an id
// is never reused for a different meaning.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "config/resource.h"
#include "report/finding.h"

namespace vigil::config {

// A Kubernetes minor version for policy-version gates ("v1.29", "1.29", "latest").
struct K8sVersion {
  int major = 1;
  int minor = 0;
  bool latest = true;
  bool AtLeast(int maj, int min) const {
    return latest || major > maj || (major == maj && minor >= min);
  }
  std::string ToString() const;
};
StatusOr<K8sVersion> ParseK8sVersion(std::string_view text);

struct CheckInfo {
  std::string id;  // "VGL-K8S-001"
  std::string title;
  report::Severity severity = report::Severity::kMedium;
  std::string rationale;
  std::string remediation;
  std::vector<std::string> applies_to;  // kinds; "*" = every kind
  // Framework controls, "<framework>/<control>": "pss-baseline/privileged", "cis-k8s/5.2.2".
  std::vector<std::string> controls;
  std::vector<std::string> references;
};

// One violation a check found: the field path (relative to the resource) and why.
struct Violation {
  std::string path;
  std::string message;
  int line = 0;  // 0: computed from `path`
};

// Per-resource scratch shared by the checks that evaluate one resource, on one thread: lets a
// family of checks derive something once per resource instead of once per check (the
// control-plane checks tokenise a container's command once, not once per CIS control). Keys
// are the addresses of static tags in the owning file; values live until the next resource.
using CheckMemo = std::map<const void*, std::shared_ptr<void>>;

struct CheckContext {
  const Resource& resource;
  const PodSpecRef* pod;  // non-null for kinds with a pod template
  K8sVersion version;
  CheckMemo* memo = nullptr;  // optional; checks must work without it
};

// A violation of a cross-resource check, attached to one resource of the scan.
struct ResourceViolation {
  size_t resource = 0;  // index into the resources passed to EvaluateAll
  Violation violation;
};

// Thread-safety: Evaluate is const and must be safe to call concurrently.
//
// Two kinds of checks: per-object checks (Evaluate, called once per resource whose kind is
// in applies_to) and cross-resource checks (cross_resource() true: EvaluateAll, called once
// per scan with every resource of every scanned file, e.g. "a namespace with workloads has
// no NetworkPolicy"). applies_to of a cross-resource check names the kinds it may report on.
class Check {
 public:
  virtual ~Check() = default;
  virtual const CheckInfo& info() const = 0;
  virtual void Evaluate(const CheckContext& ctx, std::vector<Violation>* out) const = 0;
  virtual bool cross_resource() const { return false; }
  virtual void EvaluateAll(const std::vector<const Resource*>& /*resources*/,
                           std::vector<ResourceViolation>* /*out*/) const {}
};

// Kinds carrying a pod template, the applies_to of every pod-spec check.
const std::vector<std::string>& PodSpecKinds();

// Checks indexed by kind. Add everything, then share const; lookups never allocate.
class CheckRegistry {
 public:
  // Fails on an empty or duplicate id, or a check applying to no kind.
  Status Add(std::unique_ptr<Check> check);
  // Checks for `kind` (including "*" checks), in registration order.
  const std::vector<const Check*>& ChecksFor(std::string_view kind) const;
  // Cross-resource checks, in registration order (never returned by ChecksFor).
  const std::vector<const Check*>& cross_resource() const { return cross_; }
  const std::vector<std::unique_ptr<Check>>& all() const { return checks_; }
  const Check* Find(std::string_view id) const;

 private:
  std::vector<std::unique_ptr<Check>> checks_;
  std::map<std::string, std::vector<const Check*>, std::less<>> by_kind_;
  std::vector<const Check*> wildcard_;
  std::vector<const Check*> cross_;
};

// Turns a violation into a misconfig Finding (status "fail") with the check's metadata.
report::Finding MakeFinding(const CheckInfo& info, const Resource& r, const Violation& v);

}  // namespace vigil::config
