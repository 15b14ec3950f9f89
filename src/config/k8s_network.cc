// Services (NodePort, external load balancers, externalIPs) and cross-resource checks that
// need every object of the scan: NetworkPolicy / LimitRange / ResourceQuota /
// PodDisruptionBudget coverage, service account token automount through the ServiceAccount,
// shared service accounts and roles that expose secrets to service accounts.
//
// Cross-resource checks only judge namespaces the scan contains workloads for, and a
// missing object means "missing from the scanned files": scan every manifest of the
// cluster (or of the namespace) together.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "base/strings.h"
#include "config/k8s_checks.h"
#include "config/k8s_util.h"

namespace vigil::config {
namespace {

using k8s::Def;
using k8s::Index;
using k8s::IsFalse;
using k8s::IsTrue;
using k8s::Str;
using k8s::Strings;
using k8s::StrView;
using report::Severity;

void NodePort(const CheckContext& ctx, std::vector<Violation>* out) {
  if (Str(ctx.resource.Find("spec.type")) != "NodePort") return;
  out->push_back({"spec.type", "Service opens a port on every node"});
}

bool InternalLoadBalancer(const Node* annotations) {
  if (annotations == nullptr || !annotations->IsMap()) return false;
  for (const auto& [key, value] : annotations->map()) {
    std::string v = ToLower(value.IsScalar() ? value.scalar() : "");
    if ((key == "networking.gke.io/load-balancer-type" ||
         key == "cloud.google.com/load-balancer-type") &&
        v == "internal") {
      return true;
    }
    if (key == "service.beta.kubernetes.io/aws-load-balancer-internal" &&
        (v == "true" || v == "0.0.0.0/0")) {
      return true;
    }
    if (key == "service.beta.kubernetes.io/aws-load-balancer-scheme" && v == "internal") {
      return true;
    }
    if ((key == "service.beta.kubernetes.io/azure-load-balancer-internal" ||
         key == "service.beta.kubernetes.io/openstack-internal-load-balancer" ||
         key == "service.beta.kubernetes.io/oci-load-balancer-internal" ||
         key == "service.kubernetes.io/ibm-load-balancer-cloud-provider-ip-type") &&
        (v == "true" || v == "private")) {
      return true;
    }
  }
  return false;
}

void ExternalLoadBalancer(const CheckContext& ctx, std::vector<Violation>* out) {
  if (Str(ctx.resource.Find("spec.type")) != "LoadBalancer") return;
  const Node* ann = ctx.resource.Find("metadata.annotations");
  if (InternalLoadBalancer(ann)) return;
  out->push_back({ann ? "metadata.annotations" : "metadata.name",
                  "Service creates an external load balancer"});
}

void ExternalIps(const CheckContext& ctx, std::vector<Violation>* out) {
  const Node* ips = ctx.resource.Find("spec.externalIPs");
  if (ips == nullptr || !ips->IsSeq() || ips->seq().empty()) return;
  out->push_back({"spec.externalIPs", "Service claims external IPs " + Join(Strings(ips), ",") +
                                          " (CVE-2020-8554 traffic interception)"});
}

// ---- cross-resource helpers ----

struct Workload {
  size_t index;
  const Resource* r;
  PodSpecRef pod;
  const Node* labels;  // pod template labels
};

std::vector<Workload> Workloads(const std::vector<const Resource*>& all) {
  std::vector<Workload> out;
  for (size_t i = 0; i < all.size(); ++i) {
    Workload w{i, all[i], {}, nullptr};
    if (!ExtractPodSpec(*all[i], &w.pod)) continue;
    w.labels = w.pod.metadata ? w.pod.metadata->Get("labels") : nullptr;
    out.push_back(std::move(w));
  }
  return out;
}

// Workloads grouped by namespace (indices into the Workloads() vector), so per-namespace
// lookups stay linear in the size of the scan.
std::map<std::string, std::vector<const Workload*>, std::less<>> ByNamespace(
    const std::vector<Workload>& workloads) {
  std::map<std::string, std::vector<const Workload*>, std::less<>> out;
  for (const auto& w : workloads) out[w.r->ns].push_back(&w);
  return out;
}

// matchLabels / matchExpressions (In, NotIn, Exists, DoesNotExist) against `labels`.
// An empty selector matches everything.
bool Selects(const Node* selector, const Node* labels) {
  if (selector == nullptr || selector->IsNull()) return true;
  auto label = [&](const std::string& k) -> const Node* {
    return labels && labels->IsMap() ? labels->Get(k) : nullptr;
  };
  const Node* ml = selector->Get("matchLabels");
  if (ml != nullptr && ml->IsMap()) {
    for (const auto& [k, v] : ml->map()) {
      const Node* l = label(k);
      if (l == nullptr || StrView(l) != StrView(&v)) return false;
    }
  }
  const Node* me = selector->Get("matchExpressions");
  if (me != nullptr && me->IsSeq()) {
    for (const auto& e : me->seq()) {
      std::string key = Str(e.Get("key")), op = Str(e.Get("operator"));
      std::vector<std::string> values = Strings(e.Get("values"));
      const Node* l = label(key);
      bool in = l != nullptr && std::find(values.begin(), values.end(), Str(l)) != values.end();
      if (op == "In" && !in) return false;
      if (op == "NotIn" && in) return false;
      if (op == "Exists" && l == nullptr) return false;
      if (op == "DoesNotExist" && l != nullptr) return false;
    }
  }
  return true;
}

// A plain map selector (Service spec.selector): every pair must match.
bool SelectsMap(const Node* selector, const Node* labels) {
  if (selector == nullptr || !selector->IsMap() || selector->map().empty()) return false;
  for (const auto& [k, v] : selector->map()) {
    const Node* l = labels && labels->IsMap() ? labels->Get(k) : nullptr;
    if (l == nullptr || StrView(l) != StrView(&v)) return false;
  }
  return true;
}

// The directions a NetworkPolicy restricts: policyTypes when given, otherwise Ingress plus
// Egress when it has egress rules (the API server's defaulting).
void PolicyDirections(const Resource& policy, bool* ingress, bool* egress) {
  std::vector<std::string> types = Strings(policy.Find("spec.policyTypes"));
  if (types.empty()) {
    *ingress = true;
    *egress = policy.Find("spec.egress") != nullptr;
    return;
  }
  *ingress = std::find(types.begin(), types.end(), "Ingress") != types.end();
  *egress = std::find(types.begin(), types.end(), "Egress") != types.end();
}

// Workloads whose ingress and egress are not both restricted by NetworkPolicies of their
// namespace (a policy applies only inside its own namespace).
void MissingNetworkPolicy(const std::vector<const Resource*>& all,
                          std::vector<ResourceViolation>* out) {
  // Each policy's selector and directions, computed once rather than once per workload.
  struct Policy {
    const Node* selector;
    bool ingress = false;
    bool egress = false;
  };
  std::map<std::string_view, std::vector<Policy>> policies;
  for (const Resource* r : all) {
    if (r->kind != "NetworkPolicy") continue;
    Policy p{r->Find("spec.podSelector")};
    PolicyDirections(*r, &p.ingress, &p.egress);
    policies[r->ns].push_back(p);
  }
  static const std::vector<Policy> kNone;
  for (const auto& w : Workloads(all)) {
    bool ingress = false, egress = false;
    auto found = policies.find(w.r->ns);
    for (const Policy& p : found == policies.end() ? kNone : found->second) {
      if ((p.ingress && !ingress) || (p.egress && !egress)) {
        if (!Selects(p.selector, w.labels)) continue;
        ingress = ingress || p.ingress;
        egress = egress || p.egress;
      }
      if (ingress && egress) break;
    }
    if (ingress && egress) continue;
    std::string missing = !ingress && !egress ? "ingress and egress"
                          : !ingress          ? "ingress"
                                              : "egress";
    out->push_back({w.index,
                    {"metadata.name", w.r->kind + " " + w.r->name + "'s " + missing +
                                          " is not restricted by any NetworkPolicy "
                                          "in namespace " +
                                          w.r->ns}});
  }
}

// NetworkPolicies whose podSelector matches no workload of their namespace (judged only when
// the scan has workloads in that namespace).
void PolicyTargetsNothing(const std::vector<const Resource*>& all,
                          std::vector<ResourceViolation>* out) {
  std::vector<Workload> workloads = Workloads(all);
  auto by_ns = ByNamespace(workloads);
  for (size_t i = 0; i < all.size(); ++i) {
    const Resource* r = all[i];
    if (r->kind != "NetworkPolicy") continue;
    const Node* sel = r->Find("spec.podSelector");
    auto ns = by_ns.find(r->ns);
    if (ns == by_ns.end()) continue;  // no workload of that namespace in the scan
    bool matched = false;
    for (const Workload* w : ns->second) {
      if (Selects(sel, w->labels)) {
        matched = true;
        break;
      }
    }
    if (matched) continue;
    std::string path = "spec.podSelector";
    const Node* ml = sel ? sel->Get("matchLabels") : nullptr;
    if (ml != nullptr && ml->IsMap() && !ml->map().empty()) {
      path += ".matchLabels[\"" + ml->map().front().first + "\"]";
    }
    out->push_back({i, {path, "NetworkPolicy " + r->name + " selects no pod in the scan"}});
  }
}

// Services whose selector matches no workload of their namespace (judged only when the
// scan has workloads there; services without a selector are external endpoints).
void ServiceTargetsNothing(const std::vector<const Resource*>& all,
                           std::vector<ResourceViolation>* out) {
  std::vector<Workload> workloads = Workloads(all);
  auto by_ns = ByNamespace(workloads);
  for (size_t i = 0; i < all.size(); ++i) {
    const Resource* r = all[i];
    if (r->kind != "Service" || r->api_version != "v1") continue;
    const Node* sel = r->Find("spec.selector");
    if (sel == nullptr || !sel->IsMap() || sel->map().empty()) continue;
    auto ns = by_ns.find(r->ns);
    if (ns == by_ns.end()) continue;
    bool matched = false;
    for (const Workload* w : ns->second) {
      if (SelectsMap(sel, w->labels)) {
        matched = true;
        break;
      }
    }
    if (matched) continue;
    out->push_back({i, {"spec.selector", "Service " + r->name + " selects no pod in the scan"}});
  }
}

// First workload of each namespace lacking an object of `kind`.
void NamespaceLacks(const std::vector<const Resource*>& all, const char* kind,
                    std::vector<ResourceViolation>* out) {
  std::set<std::string> have;
  for (const Resource* r : all) {
    if (r->kind == kind) have.insert(r->ns);
  }
  std::set<std::string> reported;
  for (size_t i = 0; i < all.size(); ++i) {
    const Resource* r = all[i];
    if (!HasPodSpec(r->kind) && r->kind != "PersistentVolumeClaim") continue;
    PodSpecRef pod;
    if (r->kind != "PersistentVolumeClaim" && !ExtractPodSpec(*r, &pod)) continue;
    if (have.count(r->ns) || !reported.insert(r->ns).second) continue;
    bool explicit_ns = r->Find("metadata.namespace") != nullptr;
    out->push_back({i,
                    {explicit_ns ? "metadata.namespace" : "metadata.name",
                     "namespace " + r->ns + " has no " + kind}});
  }
}

// Deployments/StatefulSets with more than one replica not covered by a PodDisruptionBudget.
void MissingPdb(const std::vector<const Resource*>& all, std::vector<ResourceViolation>* out) {
  std::multimap<std::string, const Resource*> pdbs;
  for (const Resource* r : all) {
    if (r->kind == "PodDisruptionBudget") pdbs.emplace(r->ns, r);
  }
  for (const auto& w : Workloads(all)) {
    if (w.r->kind != "Deployment" && w.r->kind != "StatefulSet") continue;
    const Node* replicas = w.r->Find("spec.replicas");
    auto n = replicas ? replicas->AsInt() : std::nullopt;
    if (!n || *n <= 1) continue;
    bool covered = false;
    auto [b, e] = pdbs.equal_range(w.r->ns);
    for (auto it = b; it != e && !covered; ++it) {
      const Node* sel = it->second->Find("spec.selector");
      // Pods carry the template labels; a PDB written against the workload's own selector
      // (matchLabels) is accepted too.
      covered = sel != nullptr &&
                (Selects(sel, w.labels) || Selects(sel, w.r->Find("spec.selector.matchLabels")));
    }
    if (covered) continue;
    out->push_back({w.index,
                    {"spec.selector.matchLabels", w.r->kind + " with " + std::to_string(*n) +
                                                      " replicas has no PodDisruptionBudget"}});
  }
}

std::string ServiceAccountOf(const PodSpecRef& pod) {
  std::string sa = Str(pod.spec->Get("serviceAccountName"));
  if (sa.empty()) sa = Str(pod.spec->Get("serviceAccount"));
  return sa.empty() ? "default" : sa;
}

// Pods that get a service account token mounted: the pod field wins, else the
// ServiceAccount's (when the scan has it), else the API default (true).
void TokenAutomount(const std::vector<const Resource*>& all, std::vector<ResourceViolation>* out) {
  std::map<std::pair<std::string, std::string>, size_t> accounts;
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i]->kind == "ServiceAccount") accounts[{all[i]->ns, all[i]->name}] = i;
  }
  for (const auto& w : Workloads(all)) {
    const Node* a = w.pod.spec->Get("automountServiceAccountToken");
    if (IsFalse(a)) continue;
    if (a != nullptr) {
      out->push_back({w.index,
                      {w.pod.spec_path + ".automountServiceAccountToken",
                       "pod automounts its service account token"}});
      continue;
    }
    std::string sa = ServiceAccountOf(w.pod);
    auto it = accounts.find({w.r->ns, sa});
    if (it != accounts.end()) {
      const Resource* acct = all[it->second];
      const Node* sa_auto = acct->Find("automountServiceAccountToken");
      if (IsFalse(sa_auto)) continue;
      if (sa_auto != nullptr) {
        out->push_back({it->second,
                        {"automountServiceAccountToken",
                         "ServiceAccount " + sa + " automounts tokens into pod " + w.r->name}});
        continue;
      }
    }
    out->push_back({w.index,
                    {w.pod.spec_path, "pod automounts the token of service account " + sa +
                                          " (automountServiceAccountToken unset)"}});
  }
}

// Several workloads running under the same non-default service account.
void SharedServiceAccount(const std::vector<const Resource*>& all,
                          std::vector<ResourceViolation>* out) {
  std::map<std::pair<std::string, std::string>, std::vector<const Workload*>> by_sa;
  std::vector<Workload> workloads = Workloads(all);
  for (const auto& w : workloads) {
    std::string sa = Str(w.pod.spec->Get("serviceAccountName"));
    if (sa.empty() || sa == "default") continue;
    by_sa[{w.r->ns, sa}].push_back(&w);
  }
  for (const auto& [key, list] : by_sa) {
    if (list.size() < 2) continue;
    for (const Workload* w : list) {
      out->push_back({w->index,
                      {w->pod.spec_path + ".serviceAccountName",
                       "service account " + key.second + " is shared by " +
                           std::to_string(list.size()) + " workloads"}});
    }
  }
}

// Roles granting read access to secrets that are bound to a ServiceAccount in the scan.
void ServiceAccountSecrets(const std::vector<const Resource*>& all,
                           std::vector<ResourceViolation>* out) {
  std::set<std::pair<std::string, std::string>> bound;  // (role kind, role name/ns key)
  for (const Resource* b : all) {
    if (b->kind != "RoleBinding" && b->kind != "ClusterRoleBinding") continue;
    bool to_sa = false;
    const Node* subjects = b->Find("subjects");
    if (subjects != nullptr && subjects->IsSeq()) {
      for (const auto& s : subjects->seq()) to_sa = to_sa || Str(s.Get("kind")) == "ServiceAccount";
    }
    if (!to_sa) continue;
    std::string kind = Str(b->Find("roleRef.kind")), name = Str(b->Find("roleRef.name"));
    bound.insert({kind, kind == "Role" ? b->ns + "/" + name : name});
  }
  for (size_t i = 0; i < all.size(); ++i) {
    const Resource* r = all[i];
    if (r->kind != "Role" && r->kind != "ClusterRole") continue;
    if (!bound.count({r->kind, r->kind == "Role" ? r->ns + "/" + r->name : r->name})) continue;
    const Node* rules = r->Find("rules");
    if (rules == nullptr || !rules->IsSeq()) continue;
    for (size_t j = 0; j < rules->seq().size(); ++j) {
      const Node& rule = rules->seq()[j];
      std::vector<std::string> res = Strings(rule.Get("resources"));
      std::vector<std::string> verbs = Strings(rule.Get("verbs"));
      auto has = [](const std::vector<std::string>& l, const char* v) {
        return std::find(l.begin(), l.end(), v) != l.end();
      };
      if (!has(res, "secrets") && !has(res, "*")) continue;
      if (!has(verbs, "get") && !has(verbs, "list") && !has(verbs, "watch") && !has(verbs, "*")) {
        continue;
      }
      out->push_back({i,
                      {Index("rules", j) + ".verbs",
                       r->kind + " " + r->name + " lets a bound service account read secrets"}});
    }
  }
}

std::vector<std::string> WithPvc() {
  std::vector<std::string> k = PodSpecKinds();
  k.push_back("PersistentVolumeClaim");
  return k;
}

}  // namespace

Status RegisterNetworkChecks(CheckRegistry* registry) {
  const std::vector<std::string> svc = {"Service"};
  std::vector<Def> defs;
  defs.push_back(k8s::ObjectCheck("VGL-K8S-090", Severity::kLow, "NodePort service",
                                  "NodePort opens the port on every node's interfaces, bypassing "
                                  "ingress controls.",
                                  "Use ClusterIP behind an Ingress, or an internal LoadBalancer.",
                                  svc, {}, NodePort));
  defs.push_back(
      k8s::ObjectCheck("VGL-K8S-091", Severity::kMedium, "External load balancer",
                       "A LoadBalancer service without an internal annotation is reachable "
                       "from outside the cluster network.",
                       "Annotate the Service as internal for the cloud provider, or put it "
                       "behind an authenticated ingress.",
                       svc, {}, ExternalLoadBalancer));
  defs.push_back(
      k8s::ObjectCheck("VGL-K8S-092", Severity::kHigh, "Service with externalIPs",
                       "externalIPs let whoever can create Services intercept traffic to any "
                       "IP (CVE-2020-8554).",
                       "Remove spec.externalIPs and enable DenyServiceExternalIPs.", svc,
                       {"cis-k8s/1.2.3"}, ExternalIps));
  defs.push_back(
      k8s::CrossCheck("VGL-K8S-093", Severity::kMedium, "Workload not covered by a NetworkPolicy",
                      "Pods not selected by any NetworkPolicy accept traffic from every pod "
                      "in the cluster.",
                      "Add a NetworkPolicy (a default-deny for the namespace plus allow "
                      "rules) selecting the pods.",
                      PodSpecKinds(), {"cis-k8s/5.3.2", "nsa/2.0"}, MissingNetworkPolicy));
  defs.push_back(
      k8s::CrossCheck("VGL-K8S-094", Severity::kLow, "NetworkPolicy selects no pod",
                      "A policy whose selector matches nothing protects nothing; often a "
                      "label typo.",
                      "Fix spec.podSelector to match the intended pods.", {"NetworkPolicy"}, {},
                      PolicyTargetsNothing));
  defs.push_back(k8s::CrossCheck("VGL-K8S-095", Severity::kLow, "Service selects no pod",
                                 "A Service whose selector matches no pod serves nothing; often a "
                                 "label typo.",
                                 "Fix spec.selector to match the intended pods.", svc, {},
                                 ServiceTargetsNothing));
  defs.push_back(k8s::CrossCheck(
      "VGL-K8S-096", Severity::kLow, "Namespace without LimitRange",
      "Without a LimitRange containers that omit resources run unbounded.",
      "Add a LimitRange with default requests and limits to the namespace.", WithPvc(), {"nsa/4.1"},
      [](const std::vector<const Resource*>& all, std::vector<ResourceViolation>* out) {
        NamespaceLacks(all, "LimitRange", out);
      }));
  defs.push_back(k8s::CrossCheck(
      "VGL-K8S-097", Severity::kLow, "Namespace without ResourceQuota",
      "Without a ResourceQuota one namespace can consume the whole cluster.",
      "Add a ResourceQuota to the namespace.", WithPvc(), {"nsa/4.0"},
      [](const std::vector<const Resource*>& all, std::vector<ResourceViolation>* out) {
        NamespaceLacks(all, "ResourceQuota", out);
      }));
  defs.push_back(k8s::CrossCheck("VGL-K8S-098", Severity::kLow,
                                 "Replicated workload without PodDisruptionBudget",
                                 "Without a PDB a node drain can evict every replica at once.",
                                 "Add a PodDisruptionBudget selecting the workload's pods.",
                                 {"Deployment", "StatefulSet"}, {}, MissingPdb));
  defs.push_back(k8s::CrossCheck(
      "VGL-K8S-052", Severity::kMedium, "Service account token automounted",
      "A mounted token lets anyone who compromises the pod call the API "
      "server with the service account's rights.",
      "Set automountServiceAccountToken: false on the pod (or its "
      "ServiceAccount) unless it calls the API.",
      [] {
        std::vector<std::string> k = PodSpecKinds();
        k.push_back("ServiceAccount");
        return k;
      }(),
      {"cis-k8s/5.1.6", "nsa/1.11"}, TokenAutomount));
  defs.push_back(k8s::CrossCheck(
      "VGL-K8S-053", Severity::kMedium, "Service account shared by workloads",
      "Workloads sharing a service account share its permissions and token; "
      "compromising one compromises all.",
      "Give each workload its own ServiceAccount.", PodSpecKinds(), {}, SharedServiceAccount));
  defs.push_back(
      k8s::CrossCheck("VGL-K8S-079", Severity::kMedium, "Service account can read secrets",
                      "A role bound to a service account with get/list/watch on secrets "
                      "hands every secret to the pods using that account.",
                      "Narrow the rule with resourceNames or drop secret access.",
                      {"Role", "ClusterRole"}, {"cis-k8s/5.1.2"}, ServiceAccountSecrets));
  return k8s::Register(registry, std::move(defs));
}

Status RegisterK8sChecks(CheckRegistry* registry) {
  VIGIL_RETURN_IF_ERROR(RegisterWorkloadChecks(registry));
  VIGIL_RETURN_IF_ERROR(RegisterRbacChecks(registry));
  VIGIL_RETURN_IF_ERROR(RegisterNetworkChecks(registry));
  return RegisterControlPlaneChecks(registry);
}

}  // namespace vigil::config
