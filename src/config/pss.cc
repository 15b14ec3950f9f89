#include "config/pss.h"

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

namespace vigil::config {
namespace {

using Eval = std::function<void(const CheckContext&, std::vector<Violation>*)>;

class PodCheck : public Check {
 public:
  PodCheck(CheckInfo info, Eval eval) : info_(std::move(info)), eval_(std::move(eval)) {}
  const CheckInfo& info() const override { return info_; }
  void Evaluate(const CheckContext& ctx, std::vector<Violation>* out) const override {
    if (ctx.pod == nullptr) return;
    eval_(ctx, out);
  }

 private:
  CheckInfo info_;
  Eval eval_;
};

const char* kSpecUrl = "https://kubernetes.io/docs/concepts/security/pod-security-standards/";

bool IsTrue(const Node* n) { return n != nullptr && n->AsBool().value_or(false); }

std::string Str(const Node* n) {
  if (n == nullptr) return "";
  return n->AsString().value_or("");
}

const Node* Sub(const Node* n, const char* key) { return n ? n->Get(key) : nullptr; }

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

// Since policy v1.25 the Linux-only restricted controls do not apply to pods that declare
// spec.os.name: windows.
bool WindowsExempt(const CheckContext& ctx) {
  return ctx.version.AtLeast(1, 25) && Str(Sub(Sub(ctx.pod->spec, "os"), "name")) == "windows";
}

bool Contains(const std::vector<std::string>& list, const std::string& v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

struct Def {
  const char* id;
  const char* pss_id;
  bool restricted;  // false: Baseline (and therefore Restricted too)
  report::Severity severity;
  const char* title;
  const char* rationale;
  const char* remediation;
  std::vector<std::string> extra_controls;
  Eval eval;
};

void Privileged(const CheckContext& ctx, std::vector<Violation>* out) {
  for (const auto& c : ctx.pod->containers) {
    if (IsTrue(Sub(c.node->Get("securityContext"), "privileged"))) {
      out->push_back({c.path + ".securityContext.privileged",
                      ContainerLabel(c) + " sets securityContext.privileged=true"});
    }
  }
}

void HostNamespaces(const CheckContext& ctx, std::vector<Violation>* out) {
  for (const char* field : {"hostNetwork", "hostPID", "hostIPC"}) {
    if (IsTrue(ctx.pod->spec->Get(field))) {
      out->push_back(
          {ctx.pod->spec_path + "." + field, std::string("pod sets ") + field + "=true"});
    }
  }
}

void HostPorts(const CheckContext& ctx, std::vector<Violation>* out) {
  for (const auto& c : ctx.pod->containers) {
    const Node* ports = c.node->Get("ports");
    if (ports == nullptr || !ports->IsSeq()) continue;
    for (size_t i = 0; i < ports->seq().size(); ++i) {
      const Node* hp = ports->seq()[i].Get("hostPort");
      if (hp == nullptr || hp->IsNull()) continue;
      auto v = hp->AsInt();
      if (v && *v == 0) continue;
      out->push_back({c.path + ".ports[" + std::to_string(i) + "].hostPort",
                      ContainerLabel(c) + " uses hostPort " + hp->scalar()});
    }
  }
}

void HostPathVolumes(const CheckContext& ctx, std::vector<Violation>* out) {
  const Node* vols = ctx.pod->spec->Get("volumes");
  if (vols == nullptr || !vols->IsSeq()) return;
  for (size_t i = 0; i < vols->seq().size(); ++i) {
    const Node& v = vols->seq()[i];
    const Node* hp = v.Get("hostPath");
    if (hp == nullptr || hp->IsNull()) continue;
    out->push_back(
        {ctx.pod->spec_path + ".volumes[" + std::to_string(i) + "].hostPath",
         "volume \"" + Str(v.Get("name")) + "\" mounts hostPath " + Str(hp->Get("path"))});
  }
}

void CapabilitiesBaseline(const CheckContext& ctx, std::vector<Violation>* out) {
  static const std::vector<std::string> kAllowed = {
      "AUDIT_WRITE",      "CHOWN",   "DAC_OVERRIDE", "FOWNER",  "FSETID", "KILL",      "MKNOD",
      "NET_BIND_SERVICE", "SETFCAP", "SETGID",       "SETPCAP", "SETUID", "SYS_CHROOT"};
  for (const auto& c : ctx.pod->containers) {
    const Node* add = Sub(Sub(c.node->Get("securityContext"), "capabilities"), "add");
    if (add == nullptr || !add->IsSeq()) continue;
    for (size_t i = 0; i < add->seq().size(); ++i) {
      std::string cap = Str(&add->seq()[i]);
      if (Contains(kAllowed, cap)) continue;
      out->push_back({c.path + ".securityContext.capabilities.add[" + std::to_string(i) + "]",
                      ContainerLabel(c) + " adds capability " + cap});
    }
  }
}

// Checks one securityContext (pod or container) against the SELinux rules.
void CheckSELinux(const CheckContext& ctx, const Node* sc, const std::string& sc_path,
                  const std::string& who, std::vector<Violation>* out) {
  const Node* opts = Sub(sc, "seLinuxOptions");
  if (opts == nullptr || !opts->IsMap()) return;
  std::vector<std::string> allowed = {"", "container_t", "container_init_t", "container_kvm_t"};
  if (ctx.version.AtLeast(1, 31)) allowed.push_back("container_engine_t");
  std::string type = Str(opts->Get("type"));
  if (!Contains(allowed, type)) {
    out->push_back({sc_path + ".seLinuxOptions.type", who + " sets seLinuxOptions.type " + type});
  }
  for (const char* field : {"user", "role"}) {
    std::string v = Str(opts->Get(field));
    if (!v.empty()) {
      std::string message = who;
      message.append(" sets seLinuxOptions.").append(field).append(" ").append(v);
      out->push_back({sc_path + ".seLinuxOptions." + field, std::move(message)});
    }
  }
}

void SELinuxOptions(const CheckContext& ctx, std::vector<Violation>* out) {
  CheckSELinux(ctx, ctx.pod->spec->Get("securityContext"), ctx.pod->spec_path + ".securityContext",
               "pod", out);
  for (const auto& c : ctx.pod->containers) {
    CheckSELinux(ctx, c.node->Get("securityContext"), c.path + ".securityContext",
                 ContainerLabel(c), out);
  }
}

void ProcMount(const CheckContext& ctx, std::vector<Violation>* out) {
  for (const auto& c : ctx.pod->containers) {
    const Node* pm = Sub(c.node->Get("securityContext"), "procMount");
    if (pm == nullptr || pm->IsNull() || Str(pm) == "Default") continue;
    out->push_back({c.path + ".securityContext.procMount",
                    ContainerLabel(c) + " sets procMount " + pm->scalar()});
  }
}

// Kubernetes accepts sysctl names with '/' as the separator ("net/ipv4/tcp_syncookies"); when
// the first separator is '/', '.' and '/' swap roles, as in sysctl(8).
std::string DotSeparated(std::string name) {
  size_t first = name.find_first_of("./");
  if (first == std::string::npos || name[first] != '/') return name;
  for (char& c : name) {
    if (c == '/') {
      c = '.';
    } else if (c == '.') {
      c = '/';
    }
  }
  return name;
}

void Sysctls(const CheckContext& ctx, std::vector<Violation>* out) {
  std::vector<std::string> allowed = {"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range",
                                      "net.ipv4.ip_unprivileged_port_start",
                                      "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range"};
  if (ctx.version.AtLeast(1, 27)) allowed.push_back("net.ipv4.ip_local_reserved_ports");
  if (ctx.version.AtLeast(1, 29)) {
    for (const char* s : {"net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
                          "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes"}) {
      allowed.push_back(s);
    }
  }
  if (ctx.version.AtLeast(1, 32)) {
    allowed.push_back("net.ipv4.tcp_rmem");
    allowed.push_back("net.ipv4.tcp_wmem");
  }
  const Node* sysctls = Sub(ctx.pod->spec->Get("securityContext"), "sysctls");
  if (sysctls == nullptr || !sysctls->IsSeq()) return;
  for (size_t i = 0; i < sysctls->seq().size(); ++i) {
    std::string name = DotSeparated(Str(sysctls->seq()[i].Get("name")));
    if (Contains(allowed, name)) continue;
    out->push_back({ctx.pod->spec_path + ".securityContext.sysctls[" + std::to_string(i) + "].name",
                    "pod sets unsafe sysctl " + name});
  }
}

// Annotations of the pod (template) metadata, with the path used to locate them.
const Node* PodAnnotations(const CheckContext& ctx) {
  return Sub(ctx.pod->metadata, "annotations");
}

void AppArmor(const CheckContext& ctx, std::vector<Violation>* out) {
  static const std::string kPrefix = "container.apparmor.security.beta.kubernetes.io/";
  if (const Node* ann = PodAnnotations(ctx); ann != nullptr && ann->IsMap()) {
    for (const auto& [key, value] : ann->map()) {
      if (!key.starts_with(kPrefix)) continue;
      std::string v = Str(&value);
      if (v.empty() || v == "runtime/default" || v.starts_with("localhost/")) continue;
      std::string message = "annotation ";
      message.append(key).append(" sets AppArmor profile ").append(v);
      out->push_back(
          {ctx.pod->metadata_path + ".annotations[\"" + key + "\"]", std::move(message)});
    }
  }
  if (!ctx.version.AtLeast(1, 30)) return;
  auto check_field = [&](const Node* sc, const std::string& sc_path, const std::string& who) {
    const Node* type = Sub(Sub(sc, "appArmorProfile"), "type");
    if (type == nullptr || type->IsNull()) return;
    std::string t = Str(type);
    if (t == "RuntimeDefault" || t == "Localhost") return;
    out->push_back({sc_path + ".appArmorProfile.type", who + " sets appArmorProfile.type " + t});
  };
  check_field(ctx.pod->spec->Get("securityContext"), ctx.pod->spec_path + ".securityContext",
              "pod");
  for (const auto& c : ctx.pod->containers) {
    check_field(c.node->Get("securityContext"), c.path + ".securityContext", ContainerLabel(c));
  }
}

void SeccompBaseline(const CheckContext& ctx, std::vector<Violation>* out) {
  if (!ctx.version.AtLeast(1, 19)) {
    // Before v1.19 seccomp was set through annotations only.
    const Node* ann = PodAnnotations(ctx);
    if (ann == nullptr || !ann->IsMap()) return;
    for (const auto& [key, value] : ann->map()) {
      bool relevant = key == "seccomp.security.alpha.kubernetes.io/pod" ||
                      key.starts_with("container.seccomp.security.alpha.kubernetes.io/");
      if (!relevant || Str(&value) != "unconfined") continue;
      out->push_back({ctx.pod->metadata_path + ".annotations[\"" + key + "\"]",
                      "annotation " + key + " sets seccomp unconfined"});
    }
    return;
  }
  auto check_field = [&](const Node* sc, const std::string& sc_path, const std::string& who) {
    const Node* type = Sub(Sub(sc, "seccompProfile"), "type");
    if (type == nullptr || type->IsNull()) return;
    std::string t = Str(type);
    if (t == "RuntimeDefault" || t == "Localhost") return;
    out->push_back({sc_path + ".seccompProfile.type", who + " sets seccompProfile.type " + t});
  };
  check_field(ctx.pod->spec->Get("securityContext"), ctx.pod->spec_path + ".securityContext",
              "pod");
  for (const auto& c : ctx.pod->containers) {
    check_field(c.node->Get("securityContext"), c.path + ".securityContext", ContainerLabel(c));
  }
}

void WindowsHostProcess(const CheckContext& ctx, std::vector<Violation>* out) {
  const Node* pod_sc = ctx.pod->spec->Get("securityContext");
  if (IsTrue(Sub(Sub(pod_sc, "windowsOptions"), "hostProcess"))) {
    out->push_back({ctx.pod->spec_path + ".securityContext.windowsOptions.hostProcess",
                    "pod sets windowsOptions.hostProcess=true"});
  }
  for (const auto& c : ctx.pod->containers) {
    if (IsTrue(Sub(Sub(c.node->Get("securityContext"), "windowsOptions"), "hostProcess"))) {
      out->push_back({c.path + ".securityContext.windowsOptions.hostProcess",
                      ContainerLabel(c) + " sets windowsOptions.hostProcess=true"});
    }
  }
}

void AllowPrivilegeEscalation(const CheckContext& ctx, std::vector<Violation>* out) {
  if (WindowsExempt(ctx)) return;
  for (const auto& c : ctx.pod->containers) {
    const Node* sc = c.node->Get("securityContext");
    const Node* ape = Sub(sc, "allowPrivilegeEscalation");
    if (ape != nullptr && ape->AsBool() == false) continue;
    std::string path =
        ape ? c.path + ".securityContext.allowPrivilegeEscalation" : c.path + ".securityContext";
    out->push_back(
        {path, ContainerLabel(c) + (ape ? " sets allowPrivilegeEscalation=true"
                                        : " does not set allowPrivilegeEscalation=false")});
  }
}

void CapabilitiesRestricted(const CheckContext& ctx, std::vector<Violation>* out) {
  if (WindowsExempt(ctx)) return;
  for (const auto& c : ctx.pod->containers) {
    const Node* caps = Sub(c.node->Get("securityContext"), "capabilities");
    const Node* drop = Sub(caps, "drop");
    bool drops_all = false;
    if (drop != nullptr && drop->IsSeq()) {
      for (const auto& d : drop->seq()) drops_all = drops_all || Str(&d) == "ALL";
    }
    if (!drops_all) {
      std::string path = drop   ? c.path + ".securityContext.capabilities.drop"
                         : caps ? c.path + ".securityContext.capabilities"
                                : c.path + ".securityContext";
      out->push_back({path, ContainerLabel(c) + " does not drop ALL capabilities"});
    }
    const Node* add = Sub(caps, "add");
    if (add == nullptr || !add->IsSeq()) continue;
    for (size_t i = 0; i < add->seq().size(); ++i) {
      std::string cap = Str(&add->seq()[i]);
      if (cap == "NET_BIND_SERVICE") continue;
      out->push_back({c.path + ".securityContext.capabilities.add[" + std::to_string(i) + "]",
                      ContainerLabel(c) + " adds capability " + cap});
    }
  }
}

// Admission's rule: the pod must not set runAsNonRoot=false, and every container must be
// effectively true: its own field, or inherited from the pod when it leaves it unset.
void RunAsNonRoot(const CheckContext& ctx, std::vector<Violation>* out) {
  const Node* pod_sc = ctx.pod->spec->Get("securityContext");
  const Node* pod_v = Sub(pod_sc, "runAsNonRoot");
  bool pod_set = pod_v != nullptr && !pod_v->IsNull();
  bool pod_true = IsTrue(pod_v);
  if (pod_set && !pod_true) {
    out->push_back(
        {ctx.pod->spec_path + ".securityContext.runAsNonRoot", "pod sets runAsNonRoot=false"});
  }
  for (const auto& c : ctx.pod->containers) {
    const Node* v = Sub(c.node->Get("securityContext"), "runAsNonRoot");
    if (v != nullptr && !v->IsNull()) {
      if (!IsTrue(v)) {
        out->push_back({c.path + ".securityContext.runAsNonRoot",
                        ContainerLabel(c) + " sets runAsNonRoot=false"});
      }
    } else if (!pod_true) {
      out->push_back({c.path, ContainerLabel(c) +
                                  " does not set runAsNonRoot=true and the pod does not either"});
    }
  }
}

void RunAsUser(const CheckContext& ctx, std::vector<Violation>* out) {
  auto check = [&](const Node* sc, const std::string& sc_path, const std::string& who) {
    const Node* v = Sub(sc, "runAsUser");
    if (v != nullptr && v->AsInt() == 0) {
      out->push_back({sc_path + ".runAsUser", who + " sets runAsUser=0"});
    }
  };
  check(ctx.pod->spec->Get("securityContext"), ctx.pod->spec_path + ".securityContext", "pod");
  for (const auto& c : ctx.pod->containers) {
    check(c.node->Get("securityContext"), c.path + ".securityContext", ContainerLabel(c));
  }
}

void SeccompRestricted(const CheckContext& ctx, std::vector<Violation>* out) {
  if (WindowsExempt(ctx)) return;
  auto valid = [](const std::string& t) { return t == "RuntimeDefault" || t == "Localhost"; };
  const Node* pod_type = Sub(Sub(ctx.pod->spec->Get("securityContext"), "seccompProfile"), "type");
  bool pod_set = pod_type != nullptr && !pod_type->IsNull();
  if (pod_set && !valid(Str(pod_type))) {
    out->push_back({ctx.pod->spec_path + ".securityContext.seccompProfile.type",
                    "pod sets seccompProfile.type " + Str(pod_type)});
  }
  for (const auto& c : ctx.pod->containers) {
    const Node* t = Sub(Sub(c.node->Get("securityContext"), "seccompProfile"), "type");
    if (t != nullptr && !t->IsNull()) {
      if (!valid(Str(t))) {
        out->push_back({c.path + ".securityContext.seccompProfile.type",
                        ContainerLabel(c) + " sets seccompProfile.type " + Str(t)});
      }
    } else if (!pod_set) {
      out->push_back(
          {c.path, ContainerLabel(c) + " has no seccompProfile.type and the pod sets none"});
    }
  }
}

void RestrictedVolumes(const CheckContext& ctx, std::vector<Violation>* out) {
  static const std::vector<std::string> kAllowed = {
      "configMap", "csi",   "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim",
      "projected", "secret"};
  const Node* vols = ctx.pod->spec->Get("volumes");
  if (vols == nullptr || !vols->IsSeq()) return;
  for (size_t i = 0; i < vols->seq().size(); ++i) {
    const Node& v = vols->seq()[i];
    for (const auto& [key, value] : v.map()) {
      if (key == "name" || value.IsNull() || Contains(kAllowed, key)) continue;
      out->push_back({ctx.pod->spec_path + ".volumes[" + std::to_string(i) + "]." + key,
                      "volume \"" + Str(v.Get("name")) + "\" uses restricted type " + key});
    }
  }
}

// Gates one evaluator on the policy version that introduced it.
Eval Since(int minor, Eval eval) {
  return [minor, eval = std::move(eval)](const CheckContext& ctx, std::vector<Violation>* out) {
    if (ctx.version.AtLeast(1, minor)) eval(ctx, out);
  };
}

std::vector<Def> Definitions() {
  using report::Severity;
  return {
      {"VGL-K8S-001",
       "privileged",
       false,
       Severity::kHigh,
       "Privileged container",
       "Privileged containers disable most isolation: they see every host device and can "
       "load kernel modules.",
       "Remove securityContext.privileged or set it to false.",
       {"cis-k8s/5.2.2", "nsa/1.2"},
       Privileged},
      {"VGL-K8S-002",
       "hostNamespaces",
       false,
       Severity::kHigh,
       "Host namespaces shared",
       "Sharing the host's network, PID or IPC namespace exposes host processes and "
       "traffic to the pod.",
       "Remove hostNetwork, hostPID and hostIPC or set them to false.",
       {"cis-k8s/5.2.3", "cis-k8s/5.2.4", "cis-k8s/5.2.5", "nsa/1.4", "nsa/1.5"},
       HostNamespaces},
      {"VGL-K8S-003",
       "hostPorts",
       false,
       Severity::kMedium,
       "Host port exposed",
       "Host ports bind the node's interfaces and bypass network policy.",
       "Remove ports[].hostPort (or set it to 0); expose the pod through a Service.",
       {"cis-k8s/5.2.12"},
       HostPorts},
      {"VGL-K8S-004",
       "hostPathVolumes",
       false,
       Severity::kHigh,
       "hostPath volume",
       "hostPath volumes give the pod direct access to the node's filesystem.",
       "Replace hostPath volumes with emptyDir, configMap, secret or a PersistentVolumeClaim.",
       {"cis-k8s/5.2.11"},
       HostPathVolumes},
      {"VGL-K8S-005",
       "capabilities_baseline",
       false,
       Severity::kHigh,
       "Capability added beyond the baseline set",
       "Capabilities beyond the container runtime's default set (e.g. SYS_ADMIN, NET_RAW, "
       "NET_ADMIN) enable privilege escalation.",
       "Add only capabilities from the baseline set (AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, "
       "FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT).",
       {"cis-k8s/5.2.9"},
       CapabilitiesBaseline},
      {"VGL-K8S-006",
       "seLinuxOptions",
       false,
       Severity::kMedium,
       "Custom SELinux options",
       "Setting a custom SELinux user, role or a type outside the container types can "
       "escape SELinux confinement.",
       "Leave seLinuxOptions.user and .role unset and use a container type (container_t, "
       "container_init_t, container_kvm_t, container_engine_t).",
       {"nsa/1.8"},
       SELinuxOptions},
      {"VGL-K8S-007",
       "procMount",
       false,
       Severity::kMedium,
       "Unmasked /proc mount",
       "An Unmasked /proc exposes kernel interfaces the runtime normally hides.",
       "Remove securityContext.procMount or set it to Default.",
       {},
       ProcMount},
      {"VGL-K8S-008",
       "sysctls",
       false,
       Severity::kMedium,
       "Unsafe sysctl",
       "Sysctls outside the namespaced safe set can affect the node and other pods.",
       "Set only the safe sysctls listed by the Pod Security Standards.",
       {},
       Sysctls},
      {"VGL-K8S-009",
       "appArmorProfile",
       false,
       Severity::kMedium,
       "AppArmor disabled",
       "An unconfined AppArmor profile removes mandatory access control from the container.",
       "Use the RuntimeDefault or a Localhost AppArmor profile (or leave it unset).",
       {"nsa/1.9"},
       AppArmor},
      {"VGL-K8S-010",
       "seccompProfile_baseline",
       false,
       Severity::kMedium,
       "Seccomp explicitly unconfined",
       "An Unconfined seccomp profile exposes every system call to the container.",
       "Set seccompProfile.type to RuntimeDefault or Localhost, or leave it unset.",
       {"nsa/1.10"},
       SeccompBaseline},
      {"VGL-K8S-011",
       "windowsHostProcess",
       false,
       Severity::kHigh,
       "Windows HostProcess pod",
       "Windows HostProcess containers run with full access to the Windows node.",
       "Remove windowsOptions.hostProcess or set it to false.",
       {"cis-k8s/5.2.10"},
       WindowsHostProcess},
      {"VGL-K8S-012",
       "allowPrivilegeEscalation",
       true,
       Severity::kMedium,
       "Privilege escalation allowed",
       "Without allowPrivilegeEscalation=false a process can gain more privileges than its "
       "parent (setuid binaries, file capabilities).",
       "Set securityContext.allowPrivilegeEscalation: false in every container.",
       {"cis-k8s/5.2.6", "nsa/1.7"},
       Since(8, AllowPrivilegeEscalation)},
      {"VGL-K8S-013",
       "capabilities_restricted",
       true,
       Severity::kMedium,
       "Capabilities not dropped",
       "Restricted pods must drop ALL capabilities and may add back only NET_BIND_SERVICE.",
       "Set securityContext.capabilities.drop: [\"ALL\"] and add at most NET_BIND_SERVICE.",
       {"cis-k8s/5.2.8", "cis-k8s/5.2.9"},
       Since(22, CapabilitiesRestricted)},
      {"VGL-K8S-014",
       "runAsNonRoot",
       true,
       Severity::kMedium,
       "Container may run as root",
       "Containers must be required to run as a non-root user.",
       "Set securityContext.runAsNonRoot: true on the pod or on every container.",
       {"cis-k8s/5.2.7", "nsa/1.0"},
       RunAsNonRoot},
      {"VGL-K8S-015",
       "runAsUser",
       true,
       Severity::kMedium,
       "Container runs as UID 0",
       "runAsUser 0 runs the container as root whatever the image says.",
       "Set runAsUser to a non-zero UID or leave it unset.",
       {"cis-k8s/5.2.7", "nsa/1.0", "nsa/1.6"},
       Since(23, RunAsUser)},
      {"VGL-K8S-016",
       "seccompProfile_restricted",
       true,
       Severity::kLow,
       "Seccomp not enforced",
       "Restricted pods must set a RuntimeDefault or Localhost seccomp profile.",
       "Set spec.securityContext.seccompProfile.type: RuntimeDefault.",
       {"nsa/1.10"},
       Since(19, SeccompRestricted)},
      {"VGL-K8S-017",
       "restrictedVolumes",
       true,
       Severity::kLow,
       "Restricted volume type",
       "Restricted pods may use only configMap, csi, downwardAPI, emptyDir, ephemeral, "
       "persistentVolumeClaim, projected and secret volumes.",
       "Replace the volume with one of the allowed types.",
       {},
       RestrictedVolumes},
  };
}

}  // namespace

Status RegisterPodSecurityChecks(CheckRegistry* registry) {
  for (auto& def : Definitions()) {
    CheckInfo info;
    info.id = def.id;
    info.title = def.title;
    info.severity = def.severity;
    info.rationale = def.rationale;
    info.remediation = def.remediation;
    info.applies_to = PodSpecKinds();
    if (!def.restricted) info.controls.push_back(std::string("pss-baseline/") + def.pss_id);
    info.controls.push_back(std::string("pss-restricted/") + def.pss_id);
    for (auto& c : def.extra_controls) info.controls.push_back(std::move(c));
    info.references = {kSpecUrl};
    VIGIL_RETURN_IF_ERROR(
        registry->Add(std::make_unique<PodCheck>(std::move(info), std::move(def.eval))));
  }
  return OkStatus();
}

}  // namespace vigil::config
