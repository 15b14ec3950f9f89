// Workload checks over pod templates: resources, probes, images, root filesystem, UIDs,
// secrets in the environment, host paths, service account tokens, capabilities, plus
// whole-object checks (namespace, CronJob, dashboard, Tiller, deprecated API versions).
#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "base/strings.h"
#include "config/k8s_checks.h"
#include "config/k8s_util.h"
#include "config/secret_names.h"

namespace vigil::config {
namespace {

using k8s::ContainerLabel;
using k8s::Def;
using k8s::Index;
using k8s::IsFalse;
using k8s::IsTrue;
using k8s::Str;
using k8s::Sub;
using report::Severity;

bool IsRegular(const ContainerRef& c) { return c.kind == ContainerKind::kContainer; }
bool IsEphemeral(const ContainerRef& c) { return c.kind == ContainerKind::kEphemeral; }

// Resource field `section.key` (section: requests|limits) missing on a container; reported
// at the deepest existing ancestor (the container, resources, or the section).
// at_container: a container without the section is reported at the container itself
// rather than at its resources key.
Def ResourceCheck(const char* id, const char* section, const char* key, Severity sev,
                  const char* title, const char* rationale, std::vector<std::string> controls,
                  bool at_container = false) {
  Def d;
  d.id = id;
  d.severity = sev;
  d.title = title;
  d.rationale = rationale;
  d.remediation = std::string("Set resources.") + section + "." + key + " on every container.";
  d.applies_to = PodSpecKinds();
  d.controls = std::move(controls);
  d.needs_pod = true;
  std::string sec = section, k = key;
  d.eval = [sec, k, at_container](const CheckContext& ctx, std::vector<Violation>* out) {
    for (const auto& c : ctx.pod->containers) {
      if (IsEphemeral(c)) continue;  // ephemeral containers may not set resources
      const Node* section_node = Sub(c.node->Get("resources"), sec);
      const Node* v = Sub(section_node, k);
      if (v != nullptr && !v->IsNull()) continue;
      bool here = at_container && section_node == nullptr;
      out->push_back({here ? c.path : c.path + ".resources." + sec + "." + k,
                      ContainerLabel(c) + " has no resources." + sec + "." + k});
    }
  };
  return d;
}

Def ProbeCheck(const char* id, const char* probe, Severity sev, const char* title,
               const char* rationale, bool skip_jobs) {
  Def d;
  d.id = id;
  d.severity = sev;
  d.title = title;
  d.rationale = rationale;
  d.remediation = std::string("Define ") + probe + " on every long-running container.";
  d.applies_to = PodSpecKinds();
  d.needs_pod = true;
  std::string p = probe;
  d.eval = [p, skip_jobs](const CheckContext& ctx, std::vector<Violation>* out) {
    const std::string& kind = ctx.resource.kind;
    // Run-to-completion pods have nothing to probe.
    if (skip_jobs && (kind == "Job" || kind == "CronJob")) return;
    for (const auto& c : ctx.pod->containers) {
      if (!IsRegular(c)) continue;  // init/ephemeral containers cannot have probes
      if (c.node->Get(p) != nullptr) continue;
      out->push_back({c.path, ContainerLabel(c) + " has no " + p});
    }
  };
  return d;
}

struct ImageRef {
  std::string name;  // repository without tag/digest
  std::string tag;   // "" when untagged
  bool digest = false;
};

ImageRef ParseImage(std::string_view image) {
  ImageRef r;
  size_t at = image.find('@');
  if (at != std::string_view::npos) {
    r.digest = true;
    image = image.substr(0, at);
  }
  size_t slash = image.rfind('/');
  size_t colon = image.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    r.tag = std::string(image.substr(colon + 1));
    image = image.substr(0, colon);
  }
  r.name = std::string(image);
  return r;
}

void ImageTag(const CheckContext& ctx, std::vector<Violation>* out) {
  for (const auto& c : ctx.pod->containers) {
    const Node* img = c.node->Get("image");
    std::string image = Str(img);
    ImageRef ref = ParseImage(image);
    if (ref.digest) continue;
    if (ref.tag.empty()) {
      out->push_back({c.path + ".image",
                      ContainerLabel(c) + " image \"" + image + "\" has no tag (means latest)"});
    } else if (ref.tag == "latest") {
      out->push_back({c.path + ".image", ContainerLabel(c) + " image uses the latest tag"});
    }
  }
}

void ImageDigest(const CheckContext& ctx, std::vector<Violation>* out) {
  for (const auto& c : ctx.pod->containers) {
    std::string image = Str(c.node->Get("image"));
    if (ParseImage(image).digest) continue;
    out->push_back({c.path + ".image",
                    ContainerLabel(c) + " image \"" + image + "\" is not pinned by digest"});
  }
}

// Effective pull policy: explicit, else Always for :latest/untagged, IfNotPresent otherwise.
// Images pinned by digest are immutable, so the policy does not matter.
void PullPolicy(const CheckContext& ctx, std::vector<Violation>* out) {
  for (const auto& c : ctx.pod->containers) {
    ImageRef ref = ParseImage(Str(c.node->Get("image")));
    if (ref.digest) continue;
    const Node* policy = c.node->Get("imagePullPolicy");
    std::string p = Str(policy);
    if (p.empty()) p = (ref.tag.empty() || ref.tag == "latest") ? "Always" : "IfNotPresent";
    if (p == "Always") continue;
    out->push_back({policy ? c.path + ".imagePullPolicy" : c.path,
                    ContainerLabel(c) + " pulls a mutable tag with policy " + p});
  }
}

void ReadOnlyRoot(const CheckContext& ctx, std::vector<Violation>* out) {
  for (const auto& c : ctx.pod->containers) {
    if (IsEphemeral(c)) continue;
    if (IsTrue(Sub(c.node->Get("securityContext"), "readOnlyRootFilesystem"))) continue;
    out->push_back({c.path + ".securityContext.readOnlyRootFilesystem",
                    ContainerLabel(c) + " has a writable root filesystem"});
  }
}

// Effective runAsUser below 10000 (or unset), unless the pod runs in its own user namespace.
void HighUid(const CheckContext& ctx, std::vector<Violation>* out) {
  if (IsFalse(ctx.pod->spec->Get("hostUsers"))) return;
  const Node* pod_uid = Sub(ctx.pod->spec->Get("securityContext"), "runAsUser");
  for (const auto& c : ctx.pod->containers) {
    if (IsEphemeral(c)) continue;
    const Node* uid = Sub(c.node->Get("securityContext"), "runAsUser");
    std::string path = c.path + ".securityContext.runAsUser";
    if (uid == nullptr || uid->IsNull()) {
      uid = pod_uid;
      if (uid != nullptr) path = ctx.pod->spec_path + ".securityContext.runAsUser";
    }
    auto v = uid ? uid->AsInt() : std::nullopt;
    if (v && *v >= 10000) continue;
    out->push_back({uid ? path : c.path + ".securityContext.runAsUser",
                    ContainerLabel(c) + (v ? " runs as UID " + std::to_string(*v) + " (< 10000)"
                                           : " does not set runAsUser")});
  }
}

void SecretEnv(const CheckContext& ctx, std::vector<Violation>* out) {
  for (const auto& c : ctx.pod->containers) {
    const Node* env = c.node->Get("env");
    if (env != nullptr && env->IsSeq()) {
      for (size_t i = 0; i < env->seq().size(); ++i) {
        const Node& e = env->seq()[i];
        if (Sub(e.Get("valueFrom"), "secretKeyRef") == nullptr) continue;
        out->push_back({Index(c.path + ".env", i) + ".valueFrom.secretKeyRef",
                        ContainerLabel(c) + " reads secret into variable " + Str(e.Get("name"))});
      }
    }
    const Node* env_from = c.node->Get("envFrom");
    if (env_from != nullptr && env_from->IsSeq()) {
      for (const auto& e : env_from->seq()) {
        if (e.Get("secretRef") == nullptr) continue;
        out->push_back({c.path + ".envFrom", ContainerLabel(c) + " imports secret " +
                                                 Str(Sub(e.Get("secretRef"), "name")) +
                                                 " into its environment"});
        break;
      }
    }
  }
}

// Literal values in env for secret-looking names (a secretKeyRef is the fix, not a finding).
void LiteralSecretEnv(const CheckContext& ctx, std::vector<Violation>* out) {
  for (const auto& c : ctx.pod->containers) {
    const Node* env = c.node->Get("env");
    if (env == nullptr || !env->IsSeq()) continue;
    for (size_t i = 0; i < env->seq().size(); ++i) {
      const Node& e = env->seq()[i];
      const Node* value = e.Get("value");
      std::string name = Str(e.Get("name"));
      if (value == nullptr || Str(value).empty() || !SecretLikeName(name)) continue;
      out->push_back({Index(c.path + ".env", i) + ".value",
                      ContainerLabel(c) + " sets " + name + " to a literal value"});
    }
  }
}

std::string NormalizeHostPath(std::string p) {
  while (p.size() > 1 && (p.back() == '/' || p.back() == ' ')) p.pop_back();
  return p;
}

bool IsDockerSocket(const std::string& p) {
  return p == "/var/run/docker.sock" || p == "/run/docker.sock" ||
         p == "/var/run/containerd/containerd.sock" || p == "/run/containerd/containerd.sock" ||
         p == "/var/run/crio/crio.sock" || p == "/run/crio/crio.sock" || p == "/var/run" ||
         p == "/run";
}

bool UnderAny(const std::string& p, std::initializer_list<const char*> dirs) {
  for (const char* d : dirs) {
    std::string_view dir(d);
    if (p == dir || (StartsWith(p, dir) && p.size() > dir.size() && p[dir.size()] == '/')) {
      return true;
    }
  }
  return false;
}

bool IsSensitiveHostPath(const std::string& p) {
  return p == "/" || UnderAny(p, {"/bin", "/boot", "/dev", "/etc", "/lib", "/lib64", "/proc",
                                  "/root", "/run", "/sbin", "/sys", "/usr", "/var"});
}

template <typename Pred>
void HostPaths(const CheckContext& ctx, Pred pred, const char* what, std::vector<Violation>* out) {
  if (ctx.pod == nullptr) {
    // A PersistentVolume's hostPath reaches the node just the same.
    const Node* hp = ctx.resource.Find("spec.hostPath");
    if (hp == nullptr || !hp->IsMap()) return;
    std::string p = NormalizeHostPath(std::string(Trim(Str(hp->Get("path")))));
    if (pred(p)) {
      out->push_back(
          {"spec.hostPath.path", "PersistentVolume mounts " + std::string(what) + " " + p});
    }
    return;
  }
  const Node* vols = ctx.pod->spec->Get("volumes");
  if (vols == nullptr || !vols->IsSeq()) return;
  for (size_t i = 0; i < vols->seq().size(); ++i) {
    const Node* hp = vols->seq()[i].Get("hostPath");
    if (hp == nullptr || !hp->IsMap()) continue;
    std::string p = NormalizeHostPath(std::string(Trim(Str(hp->Get("path")))));
    if (!pred(p)) continue;
    out->push_back({Index(ctx.pod->spec_path + ".volumes", i) + ".hostPath.path",
                    "volume \"" + Str(vols->seq()[i].Get("name")) + "\" mounts " + what + " " + p});
  }
}

// Writable mounts over host OS directories inside the container (any volume type).
void WritableOsMount(const CheckContext& ctx, std::vector<Violation>* out) {
  for (const auto& c : ctx.pod->containers) {
    const Node* mounts = c.node->Get("volumeMounts");
    if (mounts == nullptr || !mounts->IsSeq()) continue;
    for (size_t i = 0; i < mounts->seq().size(); ++i) {
      const Node& m = mounts->seq()[i];
      std::string p = NormalizeHostPath(Str(m.Get("mountPath")));
      if (!(p == "/" || UnderAny(p, {"/bin", "/boot", "/dev", "/etc", "/lib", "/lib64", "/proc",
                                     "/sbin", "/sys", "/usr", "/var/run", "/run"}))) {
        continue;
      }
      if (IsTrue(m.Get("readOnly"))) continue;
      std::string path = Index(c.path + ".volumeMounts", i);
      out->push_back({m.Get("readOnly") ? path + ".readOnly" : path + ".name",
                      ContainerLabel(c) + " mounts " + p + " writable"});
    }
  }
}

void NetRawNotDropped(const CheckContext& ctx, std::vector<Violation>* out) {
  for (const auto& c : ctx.pod->containers) {
    if (IsEphemeral(c)) continue;
    const Node* drop = Sub(Sub(c.node->Get("securityContext"), "capabilities"), "drop");
    bool ok = false;
    for (const auto& cap : k8s::Strings(drop)) {
      std::string u = cap;
      for (char& ch : u) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      if (u == "ALL" || u == "NET_RAW" || u == "CAP_NET_RAW") ok = true;
    }
    if (ok) continue;
    bool has_caps = Sub(c.node->Get("securityContext"), "capabilities") != nullptr;
    out->push_back({has_caps ? c.path + ".securityContext.capabilities.drop" : c.path,
                    ContainerLabel(c) + " does not drop NET_RAW (or ALL)"});
  }
}

void AddedCapabilities(const CheckContext& ctx, std::vector<Violation>* out) {
  for (const auto& c : ctx.pod->containers) {
    const Node* add = Sub(Sub(c.node->Get("securityContext"), "capabilities"), "add");
    if (add == nullptr || !add->IsSeq() || add->seq().empty()) continue;
    std::vector<std::string> caps;
    for (const auto& cap : k8s::Strings(add)) {
      if (cap != "NET_BIND_SERVICE") caps.push_back(cap);
    }
    if (caps.empty()) continue;
    out->push_back({c.path + ".securityContext.capabilities.add",
                    ContainerLabel(c) + " adds capabilities " + Join(caps, ",")});
  }
}

void SecurityContextMissing(const CheckContext& ctx, std::vector<Violation>* out) {
  const Node* psc = ctx.pod->spec->Get("securityContext");
  if (psc == nullptr || psc->IsNull()) {
    out->push_back({ctx.pod->spec_path, "pod has no securityContext"});
  }
  for (const auto& c : ctx.pod->containers) {
    if (IsEphemeral(c)) continue;
    const Node* sc = c.node->Get("securityContext");
    if (sc != nullptr && !sc->IsNull()) continue;
    out->push_back({c.path, ContainerLabel(c) + " has no securityContext"});
  }
}

void ServiceAccountName(const CheckContext& ctx, std::vector<Violation>* out) {
  const Node* san = ctx.pod->spec->Get("serviceAccountName");
  if (san == nullptr) san = ctx.pod->spec->Get("serviceAccount");
  if (san == nullptr || san->IsNull()) {
    out->push_back({ctx.pod->spec_path, "pod uses the namespace's default service account"});
  } else if (Str(san).empty() || Str(san) == "default") {
    out->push_back(
        {ctx.pod->spec_path + ".serviceAccountName", "pod uses the default service account"});
  }
}

bool DashboardLabels(const Node* labels) {
  if (labels == nullptr || !labels->IsMap()) return false;
  for (const char* key : {"app", "k8s-app", "app.kubernetes.io/name"}) {
    if (Str(labels->Get(key)) == "kubernetes-dashboard") return true;
  }
  return false;
}

void Dashboard(const CheckContext& ctx, std::vector<Violation>* out) {
  size_t before = out->size();
  for (const auto& c : ctx.pod->containers) {
    std::string image = Str(c.node->Get("image"));
    if (image.find("kubernetes-dashboard") == std::string::npos &&
        image.find("kubernetesui") == std::string::npos) {
      continue;
    }
    out->push_back({c.path + ".image", "Kubernetes dashboard deployed (" + image + ")"});
  }
  const Node* pod_labels = ctx.pod->metadata ? ctx.pod->metadata->Get("labels") : nullptr;
  if (out->size() == before &&
      (DashboardLabels(ctx.resource.Find("metadata.labels")) || DashboardLabels(pod_labels))) {
    out->push_back({"metadata.name",
                    "Kubernetes dashboard deployed (labelled "
                    "kubernetes-dashboard)"});
  }
}

bool IsTillerImage(const std::string& image) { return image.find("tiller") != std::string::npos; }

void Tiller(const CheckContext& ctx, std::vector<Violation>* out) {
  for (const auto& c : ctx.pod->containers) {
    if (!IsTillerImage(Str(c.node->Get("image")))) continue;
    out->push_back({c.path + ".image", "Tiller (Helm v2) deployed"});
  }
}

// Tiller must listen on localhost only: --listen=localhost:44134 / 127.0.0.1.
void TillerListen(const CheckContext& ctx, std::vector<Violation>* out) {
  for (const auto& c : ctx.pod->containers) {
    if (!IsTillerImage(Str(c.node->Get("image")))) continue;
    bool local = false;
    std::vector<std::string> args = k8s::Strings(c.node->Get("args"));
    std::vector<std::string> cmd = k8s::Strings(c.node->Get("command"));
    args.insert(args.end(), cmd.begin(), cmd.end());
    for (size_t i = 0; i < args.size(); ++i) {
      std::string v;
      if (StartsWith(args[i], "--listen=")) {
        v = args[i].substr(9);
      } else if (args[i] == "--listen" && i + 1 < args.size()) {
        v = args[i + 1];
      } else {
        continue;
      }
      local = StartsWith(v, "localhost:") || StartsWith(v, "127.0.0.1:") || v == "localhost" ||
              v == "127.0.0.1";
    }
    if (local) continue;
    out->push_back({c.node->Get("args") ? c.path + ".args" : ctx.pod->spec_path + ".containers",
                    "Tiller listens on all interfaces (no --listen=localhost:...)"});
  }
}

// Kinds that live in a namespace and are commonly authored (cluster-scoped kinds excluded).
const std::vector<std::string>& NamespacedKinds() {
  static const std::vector<std::string> kKinds = [] {
    std::vector<std::string> k = PodSpecKinds();
    for (const char* s : {"ConfigMap", "Secret", "ServiceAccount", "Role", "RoleBinding", "Ingress",
                          "NetworkPolicy", "PersistentVolumeClaim", "HorizontalPodAutoscaler",
                          "PodDisruptionBudget", "LimitRange", "ResourceQuota", "Endpoints"}) {
      k.push_back(s);
    }
    return k;
  }();
  return kKinds;
}

void DefaultNamespace(const CheckContext& ctx, std::vector<Violation>* out) {
  const Node* ns = ctx.resource.Find("metadata.namespace");
  std::string v = Str(ns);
  if (!v.empty() && v != "default") return;
  // The API's own objects in default are not user workloads.
  const std::string& kind = ctx.resource.kind;
  const std::string& name = ctx.resource.name;
  if ((kind == "Service" && name == "kubernetes") ||
      (kind == "ServiceAccount" && name == "default")) {
    return;
  }
  out->push_back({ns ? "metadata.namespace" : "metadata.name",
                  ns ? "object is in the default namespace"
                     : "object has no namespace (lands in default or the kubectl context's)"});
}

void SystemNamespace(const CheckContext& ctx, std::vector<Violation>* out) {
  std::string v = Str(ctx.resource.Find("metadata.namespace"));
  if (v != "kube-system" && v != "kube-public") return;
  out->push_back({"metadata.namespace", "workload placed in system namespace " + v});
}

void CronJobDeadline(const CheckContext& ctx, std::vector<Violation>* out) {
  const Node* spec = ctx.resource.Find("spec");
  if (spec == nullptr || !spec->IsMap()) return;
  if (spec->Get("startingDeadlineSeconds") != nullptr) return;
  out->push_back({"spec", "CronJob has no spec.startingDeadlineSeconds"});
}

void CronJobConcurrency(const CheckContext& ctx, std::vector<Violation>* out) {
  const Node* spec = ctx.resource.Find("spec");
  if (spec == nullptr || !spec->IsMap()) return;
  std::string p = Str(spec->Get("concurrencyPolicy"));
  if (p == "Forbid" || p == "Replace") return;
  out->push_back({spec->Get("concurrencyPolicy") ? "spec.concurrencyPolicy" : "spec",
                  "CronJob allows concurrent runs (concurrencyPolicy " +
                      (p.empty() ? std::string("Allow by default") : p) + ")"});
}

// Removed API versions per kind ("group/version" -> first release without it).
void DeprecatedApi(const CheckContext& ctx, std::vector<Violation>* out) {
  struct Removed {
    const char* api;
    const char* kind;  // nullptr: every kind of that group version
    const char* release;
  };
  static const Removed kRemoved[] = {
      {"extensions/v1beta1", nullptr, "v1.16/v1.22"},
      {"apps/v1beta1", nullptr, "v1.16"},
      {"apps/v1beta2", nullptr, "v1.16"},
      {"networking.k8s.io/v1beta1", nullptr, "v1.22"},
      {"batch/v1beta1", nullptr, "v1.25"},
      {"batch/v2alpha1", nullptr, "v1.21"},
      {"policy/v1beta1", nullptr, "v1.25"},
      {"rbac.authorization.k8s.io/v1beta1", nullptr, "v1.22"},
      {"rbac.authorization.k8s.io/v1alpha1", nullptr, "v1.22"},
      {"admissionregistration.k8s.io/v1beta1", nullptr, "v1.22"},
      {"apiextensions.k8s.io/v1beta1", nullptr, "v1.22"},
      {"apiregistration.k8s.io/v1beta1", nullptr, "v1.22"},
      {"authentication.k8s.io/v1beta1", nullptr, "v1.22"},
      {"authorization.k8s.io/v1beta1", nullptr, "v1.22"},
      {"certificates.k8s.io/v1beta1", nullptr, "v1.22"},
      {"coordination.k8s.io/v1beta1", nullptr, "v1.22"},
      {"scheduling.k8s.io/v1beta1", nullptr, "v1.22"},
      {"storage.k8s.io/v1beta1", nullptr, "v1.22/v1.25"},
      {"autoscaling/v2beta1", nullptr, "v1.25"},
      {"autoscaling/v2beta2", nullptr, "v1.26"},
      {"discovery.k8s.io/v1beta1", nullptr, "v1.25"},
      {"events.k8s.io/v1beta1", nullptr, "v1.25"},
      {"node.k8s.io/v1beta1", nullptr, "v1.25"},
      {"flowcontrol.apiserver.k8s.io/v1beta1", nullptr, "v1.26"},
      {"flowcontrol.apiserver.k8s.io/v1beta2", nullptr, "v1.29"},
  };
  for (const auto& r : kRemoved) {
    if (ctx.resource.api_version != r.api) continue;
    if (r.kind != nullptr && ctx.resource.kind != r.kind) continue;
    out->push_back({"apiVersion", ctx.resource.kind + " uses " + ctx.resource.api_version +
                                      ", removed in " + r.release});
  }
}

// Label values: at most 63 characters, alphanumerics at both ends, '-', '_', '.' inside.
bool ValidLabelValue(std::string_view v) {
  if (v.empty()) return true;
  if (v.size() > 63) return false;
  auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  if (!alnum(v.front()) || !alnum(v.back())) return false;
  for (char c : v) {
    if (!alnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

void InvalidLabels(const CheckContext& ctx, std::vector<Violation>* out) {
  const Node* labels = ctx.resource.Find("metadata.labels");
  if (labels == nullptr || !labels->IsMap()) return;
  for (const auto& [key, value] : labels->map()) {
    if (!value.IsScalar() || ValidLabelValue(value.scalar())) continue;
    out->push_back({"metadata.labels[\"" + key + "\"]",
                    "label " + key + " has invalid value \"" + value.scalar() + "\""});
  }
}

// nginx-ingress configuration snippets (CVE-2021-25742): any snippet annotation, and the
// ones with Lua code or alias directives.
Def SnippetCheck(const char* id, const char* title, const char* needle) {
  Def d;
  d.id = id;
  d.severity = Severity::kHigh;
  d.title = title;
  d.rationale =
      "ingress-nginx snippet annotations are copied into the controller's nginx.conf; a "
      "user who can create Ingresses can read the controller's service account token "
      "(CVE-2021-25742).";
  d.remediation =
      "Remove *-snippet annotations and set allow-snippet-annotations: false in the "
      "controller ConfigMap.";
  d.applies_to = {"Ingress"};
  std::string n = needle;
  d.eval = [n](const CheckContext& ctx, std::vector<Violation>* out) {
    const Node* ann = ctx.resource.Find("metadata.annotations");
    if (ann == nullptr || !ann->IsMap()) return;
    for (const auto& [key, value] : ann->map()) {
      if (!EndsWith(key, "-snippet") || key.find("nginx") == std::string::npos) continue;
      std::string text = value.IsScalar() ? value.scalar() : "";
      if (!n.empty() && text.find(n) == std::string::npos) continue;
      out->push_back(
          {"metadata.annotations[\"" + key + "\"]", "Ingress uses snippet annotation " + key});
    }
  };
  return d;
}

Def PodDef(const char* id, Severity sev, const char* title, const char* rationale,
           const char* remediation, std::vector<std::string> controls, k8s::Eval eval) {
  Def d = k8s::ObjectCheck(id, sev, title, rationale, remediation, PodSpecKinds(),
                           std::move(controls), std::move(eval));
  d.needs_pod = true;
  return d;
}

// Host path checks also read PersistentVolume.spec.hostPath.
void WithPersistentVolumes(Def* d) {
  d->needs_pod = false;
  d->applies_to.push_back("PersistentVolume");
}

}  // namespace

Status RegisterWorkloadChecks(CheckRegistry* registry) {
  std::vector<Def> defs;
  defs.push_back(ProbeCheck("VGL-K8S-018", "livenessProbe", Severity::kLow,
                            "Liveness probe not configured",
                            "Without a liveness probe a hung container is never restarted.", true));
  defs.push_back(ProbeCheck("VGL-K8S-019", "readinessProbe", Severity::kLow,
                            "Readiness probe not configured",
                            "Without a readiness probe traffic reaches containers that are not "
                            "ready to serve it.",
                            true));
  defs.push_back(ResourceCheck("VGL-K8S-020", "requests", "cpu", Severity::kLow,
                               "CPU request not set",
                               "Without CPU requests the scheduler cannot place pods by "
                               "capacity and the pod gets BestEffort CPU.",
                               {"nsa/4.1"}));
  defs.push_back(ResourceCheck("VGL-K8S-021", "limits", "cpu", Severity::kLow, "CPU limit not set",
                               "Without a CPU limit one container can starve its neighbours.",
                               {"nsa/4.1"}));
  defs.push_back(ResourceCheck("VGL-K8S-022", "requests", "memory", Severity::kMedium,
                               "Memory request not set",
                               "Without memory requests nodes are overcommitted and pods are "
                               "evicted first under pressure.",
                               {"nsa/4.1"}, true));
  defs.push_back(ResourceCheck("VGL-K8S-023", "limits", "memory", Severity::kMedium,
                               "Memory limit not set",
                               "Without a memory limit one container can exhaust the node's "
                               "memory (denial of service).",
                               {"nsa/4.1"}, true));
  defs.push_back(ResourceCheck("VGL-K8S-024", "requests", "ephemeral-storage", Severity::kLow,
                               "Ephemeral storage request not set",
                               "Without an ephemeral-storage request the scheduler ignores the "
                               "container's disk use.",
                               {}));
  defs.push_back(ResourceCheck("VGL-K8S-025", "limits", "ephemeral-storage", Severity::kLow,
                               "Ephemeral storage limit not set",
                               "Without an ephemeral-storage limit a container can fill the "
                               "node's disk.",
                               {}));
  defs.push_back(PodDef("VGL-K8S-026", Severity::kMedium, "Image tag is latest or missing",
                        "A latest or missing tag makes the running version unpredictable and "
                        "breaks rollbacks.",
                        "Pin a specific version tag (better: a digest).", {}, ImageTag));
  defs.push_back(PodDef("VGL-K8S-027", Severity::kLow, "Image not pinned by digest",
                        "Tags are mutable; only a digest guarantees the image that was "
                        "reviewed is the one that runs.",
                        "Reference images as name@sha256:<digest>.", {}, ImageDigest));
  defs.push_back(PodDef("VGL-K8S-028", Severity::kLow, "Image pull policy is not Always",
                        "With a mutable tag and IfNotPresent/Never a node keeps running "
                        "whatever it pulled first, and any pod on the node can use a cached "
                        "private image.",
                        "Set imagePullPolicy: Always or pin the image by digest.", {}, PullPolicy));
  defs.push_back(PodDef("VGL-K8S-029", Severity::kLow, "Root filesystem is writable",
                        "A writable root filesystem lets an intruder modify binaries and "
                        "persist.",
                        "Set securityContext.readOnlyRootFilesystem: true; mount emptyDir "
                        "volumes where writes are needed.",
                        {"nsa/1.1"}, ReadOnlyRoot));
  defs.push_back(PodDef("VGL-K8S-030", Severity::kLow, "Container runs with a low UID",
                        "UIDs below 10000 may collide with host users, so an escape lands with "
                        "that user's rights.",
                        "Set runAsUser to 10000 or more (or run the pod with hostUsers: false).",
                        {}, HighUid));
  defs.push_back(PodDef("VGL-K8S-031", Severity::kLow, "Secret exposed as environment variable",
                        "Environment variables leak into logs, crash dumps and child "
                        "processes; secrets mounted as files do not.",
                        "Mount the Secret as a volume instead of secretKeyRef/envFrom.",
                        {"cis-k8s/5.4.1"}, SecretEnv));
  defs.push_back(PodDef("VGL-K8S-032", Severity::kHigh, "Secret value written in the manifest",
                        "A password or token written as a literal env value is stored in "
                        "plain text in the manifest, its repository and etcd.",
                        "Move the value into a Secret and mount it (or use secretKeyRef).", {},
                        LiteralSecretEnv));
  defs.push_back(PodDef(
      "VGL-K8S-033", Severity::kHigh, "Container runtime socket mounted",
      "The Docker/containerd socket gives full control of the node's containers: root on the "
      "node.",
      "Do not mount the runtime socket; use a dedicated build service or rootless tooling.",
      {"cis-k8s/5.2.11"}, [](const CheckContext& ctx, std::vector<Violation>* out) {
        HostPaths(ctx, IsDockerSocket, "the container runtime socket", out);
      }));
  WithPersistentVolumes(&defs.back());
  defs.push_back(
      PodDef("VGL-K8S-034", Severity::kHigh, "Sensitive host directory mounted",
             "hostPath volumes of /, /etc, /proc, /sys, /var, /root, /boot, /dev or the system "
             "binaries expose credentials and kernel interfaces of the node.",
             "Do not mount host system directories; use ConfigMaps, Secrets or PVCs.",
             {"cis-k8s/5.2.11"}, [](const CheckContext& ctx, std::vector<Violation>* out) {
               HostPaths(ctx, IsSensitiveHostPath, "sensitive host directory", out);
             }));
  WithPersistentVolumes(&defs.back());
  defs.push_back(PodDef("VGL-K8S-035", Severity::kHigh, "Host OS directory mounted writable",
                        "A writable volume over /bin, /etc, /usr, /var/run, /proc, /sys ... "
                        "inside the container lets it replace system files.",
                        "Mount such paths with readOnly: true or elsewhere.", {}, WritableOsMount));
  defs.push_back(PodDef("VGL-K8S-036", Severity::kMedium, "NET_RAW capability not dropped",
                        "NET_RAW (granted by default) allows packet spoofing and ARP/DNS "
                        "attacks on the pod network.",
                        "Add NET_RAW (or ALL) to securityContext.capabilities.drop.",
                        {"cis-k8s/5.2.8"}, NetRawNotDropped));
  defs.push_back(PodDef("VGL-K8S-037", Severity::kMedium, "Capabilities added",
                        "Every added capability widens what a compromised process can do.",
                        "Remove securityContext.capabilities.add (NET_BIND_SERVICE is "
                        "tolerated).",
                        {"cis-k8s/5.2.9"}, AddedCapabilities));
  defs.push_back(PodDef("VGL-K8S-038", Severity::kLow, "Security context not set",
                        "Without a securityContext the pod and its containers run with every "
                        "runtime default, root included.",
                        "Set spec.securityContext and securityContext on each container.",
                        {"cis-k8s/5.6.3"}, SecurityContextMissing));
  defs.push_back(PodDef("VGL-K8S-039", Severity::kMedium, "Default service account used",
                        "Every pod of the namespace shares the default service account; "
                        "permissions granted to it leak to all of them.",
                        "Create a dedicated ServiceAccount and set spec.serviceAccountName.",
                        {"cis-k8s/5.1.5"}, ServiceAccountName));
  defs.push_back(k8s::ObjectCheck("VGL-K8S-040", Severity::kLow, "Default namespace used",
                                  "Objects in default share one security boundary with everything "
                                  "else placed there.",
                                  "Set metadata.namespace to a dedicated namespace.",
                                  NamespacedKinds(), {"cis-k8s/5.6.4", "cis-k8s/5.6.1"},
                                  DefaultNamespace));
  defs.push_back(k8s::ObjectCheck("VGL-K8S-041", Severity::kMedium,
                                  "Workload in a system namespace",
                                  "kube-system and kube-public hold cluster components; user "
                                  "workloads there inherit their privileges.",
                                  "Move the workload to an application namespace.", PodSpecKinds(),
                                  {"nsa/1.12"}, SystemNamespace));
  defs.push_back(
      k8s::ObjectCheck("VGL-K8S-042", Severity::kLow, "CronJob has no starting deadline",
                       "Without startingDeadlineSeconds missed runs pile up and, after 100 "
                       "misses, the CronJob stops scheduling.",
                       "Set spec.startingDeadlineSeconds.", {"CronJob"}, {}, CronJobDeadline));
  defs.push_back(k8s::ObjectCheck(
      "VGL-K8S-043", Severity::kLow, "CronJob allows concurrent runs",
      "With concurrencyPolicy Allow overlapping runs can exhaust resources.",
      "Set spec.concurrencyPolicy: Forbid or Replace.", {"CronJob"}, {}, CronJobConcurrency));
  defs.push_back(PodDef("VGL-K8S-044", Severity::kMedium, "Kubernetes dashboard deployed",
                        "The dashboard has been a frequent entry point (exposed with a "
                        "privileged service account).",
                        "Remove the dashboard or restrict it to authenticated, least-privilege "
                        "access.",
                        {}, Dashboard));
  defs.push_back(PodDef("VGL-K8S-045", Severity::kHigh, "Tiller (Helm v2) deployed",
                        "Tiller runs with cluster-admin and an unauthenticated gRPC API; Helm "
                        "v2 is unsupported.",
                        "Migrate to Helm v3 and delete Tiller.", {}, Tiller));
  defs.push_back(PodDef("VGL-K8S-046", Severity::kHigh, "Tiller reachable from the cluster",
                        "Any pod can drive an unauthenticated Tiller to deploy privileged "
                        "workloads.",
                        "Run Tiller with --listen=localhost:44134, or remove it.", {},
                        TillerListen));
  defs.push_back(k8s::ObjectCheck("VGL-K8S-047", Severity::kLow, "Removed API version",
                                  "Objects using removed API versions are rejected by current API "
                                  "servers and miss security fields added since.",
                                  "Migrate to the stable API version (kubectl convert).", {"*"}, {},
                                  DeprecatedApi));
  defs.push_back(
      k8s::ObjectCheck("VGL-K8S-048", Severity::kLow, "Invalid label value",
                       "The API server rejects invalid label values, so the manifest does "
                       "not apply as written.",
                       "Use values of at most 63 characters: alphanumerics at both ends, "
                       "'-', '_' or '.' inside.",
                       {"*"}, {}, InvalidLabels));
  defs.push_back(SnippetCheck("VGL-K8S-049", "ingress-nginx snippet annotation", ""));
  defs.push_back(SnippetCheck("VGL-K8S-050", "ingress-nginx snippet with Lua code", "_by_lua"));
  defs.push_back(
      SnippetCheck("VGL-K8S-051", "ingress-nginx snippet with alias directive", "alias"));
  return k8s::Register(registry, std::move(defs));
}

}  // namespace vigil::config
