// RBAC over-permission (Role/ClusterRole rules, bindings) and PodSecurityPolicy checks
// (policy/v1beta1, removed in v1.25 but still found in manifests of older clusters).
#include <algorithm>
#include <string>
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
using k8s::Sub;
using report::Severity;

bool Has(const std::vector<std::string>& list, std::string_view v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

// One rule of a Role/ClusterRole. A missing apiGroups list means the core group ("").
struct Rule {
  std::vector<std::string> groups, resources, verbs;
  std::string path;
  bool GrantsVerb(std::string_view v) const { return Has(verbs, v) || Has(verbs, "*"); }
  // RBAC matches "*" (everything, subresources included), an exact name, and "*/sub"
  // (that subresource of every resource).
  bool GrantsResource(std::string_view r) const {
    if (Has(resources, r) || Has(resources, "*")) return true;
    size_t slash = r.find('/');
    return slash != std::string_view::npos && Has(resources, "*" + std::string(r.substr(slash)));
  }
  bool InGroup(std::string_view g) const { return Has(groups, g) || Has(groups, "*"); }
};

std::vector<Rule> Rules(const Resource& r) {
  std::vector<Rule> out;
  const Node* rules = r.Find("rules");
  if (rules == nullptr || !rules->IsSeq()) return out;
  for (size_t i = 0; i < rules->seq().size(); ++i) {
    const Node& n = rules->seq()[i];
    Rule rule;
    const Node* groups = n.Get("apiGroups");
    rule.groups = groups ? Strings(groups) : std::vector<std::string>{""};
    rule.resources = Strings(n.Get("resources"));
    rule.verbs = Strings(n.Get("verbs"));
    rule.path = Index("rules", i);
    out.push_back(std::move(rule));
  }
  return out;
}

const std::vector<std::string> kRoleKinds = {"Role", "ClusterRole"};
const std::vector<std::string> kBindingKinds = {"RoleBinding", "ClusterRoleBinding"};

void Wildcards(const CheckContext& ctx, std::vector<Violation>* out) {
  for (const auto& rule : Rules(ctx.resource)) {
    if (Has(rule.groups, "*"))
      out->push_back({rule.path + ".apiGroups", "rule allows every API group"});
    if (Has(rule.resources, "*"))
      out->push_back({rule.path + ".resources", "rule allows every resource"});
    if (Has(rule.verbs, "*")) out->push_back({rule.path + ".verbs", "rule allows every verb"});
  }
}

// A rule granting any of `verbs` on any of `resources` in `group`.
k8s::Eval Grants(std::vector<std::string> verbs, std::vector<std::string> resources,
                 std::string group, bool at_resources, std::string what) {
  return [=](const CheckContext& ctx, std::vector<Violation>* out) {
    for (const auto& rule : Rules(ctx.resource)) {
      if (!rule.InGroup(group)) continue;
      bool verb = false, res = false;
      for (const auto& v : verbs) verb = verb || rule.GrantsVerb(v);
      for (const auto& r : resources) res = res || rule.GrantsResource(r);
      if (!verb || !res) continue;
      out->push_back({rule.path + (at_resources ? ".resources" : ".verbs"), "rule " + what});
    }
  };
}

void CsrApproval(const CheckContext& ctx, std::vector<Violation>* out) {
  bool approve_subresource = false, approve_signers = false;
  std::string path;
  for (const auto& rule : Rules(ctx.resource)) {
    if (!rule.InGroup("certificates.k8s.io")) continue;
    if (rule.GrantsResource("certificatesigningrequests/approval") &&
        (rule.GrantsVerb("update") || rule.GrantsVerb("patch"))) {
      approve_subresource = true;
      if (path.empty()) path = rule.path + ".resources";
    }
    if (rule.GrantsResource("signers") && rule.GrantsVerb("approve")) approve_signers = true;
  }
  if (approve_subresource && approve_signers) {
    out->push_back({path,
                    "role can approve CertificateSigningRequests (issue any client "
                    "certificate, e.g. system:masters)"});
  }
}

void ClusterAdminBinding(const CheckContext& ctx, std::vector<Violation>* out) {
  if (Str(ctx.resource.Find("roleRef.name")) != "cluster-admin") return;
  if (StartsWith(ctx.resource.name, "system:")) return;  // the API server's own bootstrap
  out->push_back({"roleRef.name", "binding grants cluster-admin"});
}

// Subjects matching `pred(kind, name, namespace)`.
template <typename Pred>
void Subjects(const CheckContext& ctx, Pred pred, const std::string& what,
              std::vector<Violation>* out) {
  const Node* subjects = ctx.resource.Find("subjects");
  if (subjects == nullptr || !subjects->IsSeq()) return;
  for (size_t i = 0; i < subjects->seq().size(); ++i) {
    const Node& s = subjects->seq()[i];
    std::string kind = Str(s.Get("kind")), name = Str(s.Get("name"));
    if (!pred(kind, name)) continue;
    out->push_back(
        {Index("subjects", i) + ".name",
         "binding grants " + Str(ctx.resource.Find("roleRef.name")) + " to " + what + " " + name});
  }
}

void DefaultSaBinding(const CheckContext& ctx, std::vector<Violation>* out) {
  Subjects(
      ctx,
      [](const std::string& kind, const std::string& name) {
        return kind == "ServiceAccount" && name == "default";
      },
      "the default service account", out);
}

void AnonymousBinding(const CheckContext& ctx, std::vector<Violation>* out) {
  Subjects(
      ctx,
      [](const std::string& kind, const std::string& name) {
        return (kind == "User" || kind == "Group") &&
               (name == "system:anonymous" || name == "system:unauthenticated");
      },
      "unauthenticated users:", out);
}

void MastersBinding(const CheckContext& ctx, std::vector<Violation>* out) {
  if (StartsWith(ctx.resource.name, "system:")) return;
  Subjects(
      ctx,
      [](const std::string& kind, const std::string& name) {
        return kind == "Group" && name == "system:masters";
      },
      "group", out);
}

// The default ServiceAccount must not automount its token (CIS 5.1.5).
void DefaultServiceAccount(const CheckContext& ctx, std::vector<Violation>* out) {
  if (ctx.resource.name != "default") return;
  const Node* a = ctx.resource.Find("automountServiceAccountToken");
  if (IsFalse(a)) return;
  out->push_back({a ? "automountServiceAccountToken" : "metadata.name",
                  "default service account automounts its token"});
}

// ---- PodSecurityPolicy ----

void PspPrivileged(const CheckContext& ctx, std::vector<Violation>* out) {
  if (IsTrue(ctx.resource.Find("spec.privileged"))) {
    out->push_back({"spec.privileged", "PodSecurityPolicy admits privileged pods"});
  }
}

k8s::Eval PspHostNamespace(std::string field) {
  return [field](const CheckContext& ctx, std::vector<Violation>* out) {
    std::string path = "spec." + field;
    if (IsTrue(ctx.resource.Find(path))) {
      out->push_back({path, "PodSecurityPolicy admits " + field});
    }
  };
}

void PspEscalation(const CheckContext& ctx, std::vector<Violation>* out) {
  const Node* spec = ctx.resource.Find("spec");
  if (spec == nullptr || !spec->IsMap()) return;
  const Node* a = spec->Get("allowPrivilegeEscalation");
  if (IsFalse(a)) return;
  out->push_back({a ? "spec.allowPrivilegeEscalation" : "spec",
                  "PodSecurityPolicy allows privilege escalation (default true)"});
}

void PspAllowedCaps(const CheckContext& ctx, std::vector<Violation>* out) {
  const Node* caps = ctx.resource.Find("spec.allowedCapabilities");
  if (caps == nullptr || !caps->IsSeq() || caps->seq().empty()) return;
  out->push_back(
      {"spec.allowedCapabilities", "PodSecurityPolicy lets pods add " + Join(Strings(caps), ",")});
}

void PspRequiredDrop(const CheckContext& ctx, std::vector<Violation>* out) {
  const Node* spec = ctx.resource.Find("spec");
  if (spec == nullptr || !spec->IsMap()) return;
  const Node* drop = spec->Get("requiredDropCapabilities");
  std::vector<std::string> caps = Strings(drop);
  if (Has(caps, "ALL") || Has(caps, "NET_RAW")) return;
  out->push_back({drop ? "spec.requiredDropCapabilities" : "spec",
                  "PodSecurityPolicy does not require dropping ALL (or NET_RAW)"});
}

void PspRunAsUser(const CheckContext& ctx, std::vector<Violation>* out) {
  const Node* spec = ctx.resource.Find("spec");
  if (spec == nullptr || !spec->IsMap()) return;
  const Node* rule = Sub(spec->Get("runAsUser"), "rule");
  std::string r = Str(rule);
  if (r == "MustRunAsNonRoot") return;
  if (r == "MustRunAs") {
    // Non-root when every range starts above 0.
    const Node* ranges = Sub(spec->Get("runAsUser"), "ranges");
    bool ok = ranges != nullptr && ranges->IsSeq() && !ranges->seq().empty();
    if (ok) {
      for (const auto& range : ranges->seq()) {
        auto min = range.Get("min") ? range.Get("min")->AsInt() : std::nullopt;
        ok = ok && min && *min > 0;
      }
    }
    if (ok) return;
  }
  out->push_back({rule ? "spec.runAsUser.rule" : "spec",
                  "PodSecurityPolicy admits containers running as root"});
}

void PspHostPaths(const CheckContext& ctx, std::vector<Violation>* out) {
  const Node* spec = ctx.resource.Find("spec");
  if (spec == nullptr || !spec->IsMap()) return;
  const Node* paths = spec->Get("allowedHostPaths");
  if (paths == nullptr || !paths->IsSeq()) {
    // Without allowedHostPaths every host path is allowed when hostPath volumes are.
    std::vector<std::string> vols = Strings(spec->Get("volumes"));
    if (Has(vols, "hostPath") || Has(vols, "*") || !spec->Get("volumes")) {
      out->push_back({"spec", "PodSecurityPolicy allows any host path"});
    }
    return;
  }
  for (size_t i = 0; i < paths->seq().size(); ++i) {
    const Node& p = paths->seq()[i];
    if (IsTrue(p.Get("readOnly"))) continue;
    out->push_back(
        {p.Get("readOnly") ? Index("spec.allowedHostPaths", i) + ".readOnly"
                           : Index("spec.allowedHostPaths", i),
         "PodSecurityPolicy allows host path " + Str(p.Get("pathPrefix")) + " writable"});
  }
}

void PspSeccomp(const CheckContext& ctx, std::vector<Violation>* out) {
  std::string v = Str(ctx.resource.Find(
      "metadata.annotations[\"seccomp.security.alpha.kubernetes.io/defaultProfileName\"]"));
  if (v == "docker/default" || v == "runtime/default") return;
  out->push_back({v.empty() ? "metadata.name"
                            : "metadata.annotations[\"seccomp.security.alpha.kubernetes.io/"
                              "defaultProfileName\"]",
                  "PodSecurityPolicy sets no default seccomp profile"});
}

void PspSysctls(const CheckContext& ctx, std::vector<Violation>* out) {
  const Node* s = ctx.resource.Find("spec.allowedUnsafeSysctls");
  if (s == nullptr || !s->IsSeq() || s->seq().empty()) return;
  out->push_back({"spec.allowedUnsafeSysctls",
                  "PodSecurityPolicy allows unsafe sysctls " + Join(Strings(s), ",")});
}

void PspProcMount(const CheckContext& ctx, std::vector<Violation>* out) {
  if (!Has(Strings(ctx.resource.Find("spec.allowedProcMountTypes")), "Unmasked")) return;
  out->push_back({"spec.allowedProcMountTypes", "PodSecurityPolicy allows Unmasked /proc"});
}

}  // namespace

Status RegisterRbacChecks(CheckRegistry* registry) {
  const std::vector<std::string> psp = {"PodSecurityPolicy"};
  std::vector<Def> defs;
  defs.push_back(
      k8s::ObjectCheck("VGL-K8S-060", Severity::kHigh, "Wildcard in RBAC rule",
                       "A '*' in apiGroups, resources or verbs grants everything, including "
                       "kinds and verbs added later.",
                       "List the API groups, resources and verbs explicitly.", kRoleKinds,
                       {"cis-k8s/5.1.3"}, Wildcards));
  defs.push_back(k8s::ObjectCheck(
      "VGL-K8S-061", Severity::kHigh, "Role can read Secrets",
      "get/list/watch on secrets reveals every credential of the namespace "
      "(or cluster), service account tokens included.",
      "Grant secret access only by resourceNames, to the workloads that need "
      "it.",
      kRoleKinds, {"cis-k8s/5.1.2"},
      Grants({"get", "list", "watch"}, {"secrets"}, "", false, "can read secrets")));
  defs.push_back(k8s::ObjectCheck(
      "VGL-K8S-062", Severity::kHigh, "Role can create pods",
      "Whoever can create pods can run them with any service account of the "
      "namespace and mount its secrets.",
      "Restrict pod creation to controllers and deployment tooling.", kRoleKinds, {"cis-k8s/5.1.4"},
      Grants({"create"}, {"pods"}, "", false, "can create pods")));
  defs.push_back(
      k8s::ObjectCheck("VGL-K8S-063", Severity::kHigh, "Role can bind roles",
                       "The bind verb on roles lets a subject grant roles it does not hold.",
                       "Remove bind on roles/clusterroles.", kRoleKinds, {"cis-k8s/5.1.8"},
                       Grants({"bind"}, {"roles", "clusterroles"}, "rbac.authorization.k8s.io",
                              false, "can bind roles it does not hold")));
  defs.push_back(
      k8s::ObjectCheck("VGL-K8S-064", Severity::kHigh, "Role can escalate roles",
                       "The escalate verb lets a subject write roles with more permissions "
                       "than it holds.",
                       "Remove escalate on roles/clusterroles.", kRoleKinds, {"cis-k8s/5.1.8"},
                       Grants({"escalate"}, {"roles", "clusterroles"}, "rbac.authorization.k8s.io",
                              false, "can escalate role permissions")));
  defs.push_back(k8s::ObjectCheck(
      "VGL-K8S-065", Severity::kHigh, "Role can impersonate",
      "impersonate lets a subject act as any user, group or service account.",
      "Remove the impersonate verb.", kRoleKinds, {"cis-k8s/5.1.8"},
      Grants({"impersonate"},
             {"users", "groups", "serviceaccounts", "uids", "userextras/scopes", "*"}, "", false,
             "can impersonate identities")));
  defs.push_back(k8s::ObjectCheck(
      "VGL-K8S-066", Severity::kMedium, "Role can exec into pods",
      "pods/exec runs arbitrary commands in any pod of the scope.",
      "Remove pods/exec from production roles.", kRoleKinds, {},
      Grants({"create", "get"}, {"pods/exec"}, "", true, "allows exec into pods")));
  defs.push_back(k8s::ObjectCheck(
      "VGL-K8S-067", Severity::kMedium, "Role can attach to pods",
      "pods/attach reads and writes the console of running processes.",
      "Remove pods/attach from production roles.", kRoleKinds, {},
      Grants({"create", "get"}, {"pods/attach"}, "", true, "allows attaching to pods")));
  defs.push_back(k8s::ObjectCheck(
      "VGL-K8S-068", Severity::kMedium, "Role can port-forward to pods",
      "pods/portforward opens connections to pods that bypass network "
      "policies.",
      "Remove pods/portforward from production roles.", kRoleKinds, {},
      Grants({"create", "get"}, {"pods/portforward"}, "", true, "allows port-forwarding to pods")));
  defs.push_back(
      k8s::ObjectCheck("VGL-K8S-069", Severity::kHigh, "Role can proxy to nodes",
                       "nodes/proxy reaches the kubelet API directly, bypassing admission "
                       "and audit.",
                       "Remove nodes/proxy.", kRoleKinds, {"cis-k8s/5.1.10"},
                       Grants({"get", "create", "*"}, {"nodes/proxy"}, "", true,
                              "allows proxying to the kubelet API")));
  defs.push_back(k8s::ObjectCheck("VGL-K8S-070", Severity::kHigh,
                                  "Role can approve certificate requests",
                                  "Approving CSRs issues client certificates for any identity, "
                                  "system:masters included.",
                                  "Limit CSR approval to the controller manager.", {"ClusterRole"},
                                  {"cis-k8s/5.1.11"}, CsrApproval));
  defs.push_back(k8s::ObjectCheck(
      "VGL-K8S-071", Severity::kHigh, "Role controls admission webhooks",
      "Whoever can write webhook configurations can intercept or silently "
      "allow every API request.",
      "Limit webhook configuration rights to cluster administrators.", {"ClusterRole"},
      {"cis-k8s/5.1.12"},
      Grants({"create", "update", "patch"},
             {"validatingwebhookconfigurations", "mutatingwebhookconfigurations"},
             "admissionregistration.k8s.io", true, "can modify admission webhook configurations")));
  defs.push_back(
      k8s::ObjectCheck("VGL-K8S-072", Severity::kMedium, "Role can mint service account tokens",
                       "create on serviceaccounts/token issues tokens for any service account "
                       "of the scope.",
                       "Remove create on serviceaccounts/token.", kRoleKinds, {"cis-k8s/5.1.13"},
                       Grants({"create"}, {"serviceaccounts/token"}, "", true,
                              "can create service account tokens")));
  defs.push_back(k8s::ObjectCheck(
      "VGL-K8S-073", Severity::kMedium, "Role can create persistent volumes",
      "Creating PersistentVolumes allows hostPath volumes that bypass pod "
      "admission.",
      "Restrict PersistentVolume creation to storage administrators.", {"ClusterRole"},
      {"cis-k8s/5.1.9"},
      Grants({"create"}, {"persistentvolumes"}, "", true, "can create persistent volumes")));
  defs.push_back(
      k8s::ObjectCheck("VGL-K8S-074", Severity::kHigh, "cluster-admin bound",
                       "cluster-admin is unrestricted superuser access.",
                       "Bind a narrower role; keep cluster-admin for break-glass accounts.",
                       kBindingKinds, {"cis-k8s/5.1.1"}, ClusterAdminBinding));
  defs.push_back(k8s::ObjectCheck(
      "VGL-K8S-075", Severity::kMedium, "Role bound to the default service account",
      "Every pod without its own service account gets the default one, so "
      "the role leaks to all of them.",
      "Bind the role to a dedicated service account.", kBindingKinds, {"cis-k8s/5.1.5"},
      DefaultSaBinding));
  defs.push_back(
      k8s::ObjectCheck("VGL-K8S-076", Severity::kCritical, "Role bound to unauthenticated users",
                       "Subjects system:anonymous / system:unauthenticated are anyone who can "
                       "reach the API server.",
                       "Remove the anonymous subjects.", kBindingKinds, {}, AnonymousBinding));
  defs.push_back(k8s::ObjectCheck("VGL-K8S-077", Severity::kHigh, "system:masters group bound",
                                  "system:masters bypasses RBAC entirely and cannot be revoked by "
                                  "removing bindings.",
                                  "Do not use the system:masters group.", kBindingKinds,
                                  {"cis-k8s/5.1.7"}, MastersBinding));
  defs.push_back(k8s::ObjectCheck(
      "VGL-K8S-078", Severity::kMedium, "Default service account automounts its token",
      "Pods that never asked for API access get a token anyway.",
      "Set automountServiceAccountToken: false on the default ServiceAccount.", {"ServiceAccount"},
      {"cis-k8s/5.1.5", "nsa/1.11"}, DefaultServiceAccount));
  // PodSecurityPolicy
  defs.push_back(
      k8s::ObjectCheck("VGL-K8S-080", Severity::kHigh, "PodSecurityPolicy admits privileged pods",
                       "A PSP with privileged: true admits containers with full host access.",
                       "Set spec.privileged: false.", psp, {"cis-k8s/5.2.2"}, PspPrivileged));
  defs.push_back(
      k8s::ObjectCheck("VGL-K8S-081", Severity::kHigh, "PodSecurityPolicy admits hostPID",
                       "hostPID exposes every host process to the pod.", "Set spec.hostPID: false.",
                       psp, {"cis-k8s/5.2.3"}, PspHostNamespace("hostPID")));
  defs.push_back(k8s::ObjectCheck(
      "VGL-K8S-082", Severity::kHigh, "PodSecurityPolicy admits hostIPC",
      "hostIPC shares host shared memory and semaphores with the pod.", "Set spec.hostIPC: false.",
      psp, {"cis-k8s/5.2.4"}, PspHostNamespace("hostIPC")));
  defs.push_back(k8s::ObjectCheck(
      "VGL-K8S-083", Severity::kHigh, "PodSecurityPolicy admits hostNetwork",
      "hostNetwork exposes the node's interfaces and bypasses network policy.",
      "Set spec.hostNetwork: false.", psp, {"cis-k8s/5.2.5"}, PspHostNamespace("hostNetwork")));
  defs.push_back(k8s::ObjectCheck(
      "VGL-K8S-084", Severity::kHigh, "PodSecurityPolicy allows privilege escalation",
      "allowPrivilegeEscalation defaults to true in a PSP.",
      "Set spec.allowPrivilegeEscalation: false.", psp, {"cis-k8s/5.2.6"}, PspEscalation));
  defs.push_back(k8s::ObjectCheck(
      "VGL-K8S-085", Severity::kHigh, "PodSecurityPolicy allows added capabilities",
      "allowedCapabilities lets pods add capabilities beyond the default set.",
      "Remove spec.allowedCapabilities.", psp, {"cis-k8s/5.2.9"}, PspAllowedCaps));
  defs.push_back(k8s::ObjectCheck(
      "VGL-K8S-086", Severity::kMedium, "PodSecurityPolicy does not drop NET_RAW",
      "Without requiredDropCapabilities ALL (or NET_RAW) admitted pods keep "
      "raw sockets.",
      "Set spec.requiredDropCapabilities: [ALL].", psp, {"cis-k8s/5.2.8"}, PspRequiredDrop));
  defs.push_back(k8s::ObjectCheck(
      "VGL-K8S-087", Severity::kMedium, "PodSecurityPolicy admits root containers",
      "runAsUser RunAsAny (or a range including 0) admits UID 0.",
      "Set spec.runAsUser.rule: MustRunAsNonRoot.", psp, {"cis-k8s/5.2.7"}, PspRunAsUser));
  defs.push_back(k8s::ObjectCheck(
      "VGL-K8S-088", Severity::kHigh, "PodSecurityPolicy allows writable host paths",
      "Writable host paths let pods modify the node.",
      "List spec.allowedHostPaths with readOnly: true.", psp, {"cis-k8s/5.2.11"}, PspHostPaths));
  defs.push_back(k8s::ObjectCheck(
      "VGL-K8S-089", Severity::kMedium, "PodSecurityPolicy sets no default seccomp profile",
      "Without a default profile pods run unconfined.",
      "Annotate seccomp.security.alpha.kubernetes.io/defaultProfileName: "
      "runtime/default.",
      psp, {"cis-k8s/5.6.2"}, PspSeccomp));
  defs.push_back(k8s::ObjectCheck("VGL-K8S-180", Severity::kHigh,
                                  "PodSecurityPolicy allows unsafe sysctls",
                                  "Unsafe sysctls affect the whole node.",
                                  "Remove spec.allowedUnsafeSysctls.", psp, {}, PspSysctls));
  defs.push_back(
      k8s::ObjectCheck("VGL-K8S-181", Severity::kHigh, "PodSecurityPolicy allows unmasked /proc",
                       "An Unmasked /proc exposes kernel interfaces.",
                       "Remove Unmasked from spec.allowedProcMountTypes.", psp, {}, PspProcMount));
  return k8s::Register(registry, std::move(defs));
}

}  // namespace vigil::config
