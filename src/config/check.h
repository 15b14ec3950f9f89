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

struct CheckContext {
  const Resource& resource;
  const PodSpecRef* pod;  // non-null for kinds with a pod template
  K8sVersion version;
};

// Thread-safety: Evaluate is const and must be safe to call concurrently.
class Check {
 public:
  virtual ~Check() = default;
  virtual const CheckInfo& info() const = 0;
  virtual void Evaluate(const CheckContext& ctx, std::vector<Violation>* out) const = 0;
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
  const std::vector<std::unique_ptr<Check>>& all() const { return checks_; }
  const Check* Find(std::string_view id) const;

 private:
  std::vector<std::unique_ptr<Check>> checks_;
  std::map<std::string, std::vector<const Check*>, std::less<>> by_kind_;
  std::vector<const Check*> wildcard_;
};

// Turns a violation into a misconfig Finding (status "fail") with the check's metadata.
report::Finding MakeFinding(const CheckInfo& info, const Resource& r, const Violation& v);

}  // namespace vigil::config
