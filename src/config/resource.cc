#include "config/resource.h"

namespace vigil::config {
namespace {

// Knative's Service/Configuration/Revision share kind names with core objects (Service),
// so they are recognised by API group.
bool IsKnative(const Resource& r) { return r.api_version.starts_with("serving.knative.dev/"); }

std::string ScalarOr(const Node* n, std::string fallback) {
  if (n == nullptr) return fallback;
  auto s = n->AsString();
  return s && !s->empty() ? *s : fallback;
}

bool MakeResource(const Node& node, const std::string& file, std::string prefix, Resource* r) {
  if (!node.IsMap()) return false;
  r->api_version = ScalarOr(node.Get("apiVersion"), "");
  r->kind = ScalarOr(node.Get("kind"), "");
  if (r->api_version.empty() || r->kind.empty()) return false;
  const Node* md = node.Get("metadata");
  r->name = ScalarOr(md ? md->Get("name") : nullptr, "");
  if (r->name.empty()) r->name = ScalarOr(md ? md->Get("generateName") : nullptr, "");
  r->ns = ScalarOr(md ? md->Get("namespace") : nullptr, "default");
  r->file = file;
  r->line = node.line();
  r->path_prefix = std::move(prefix);
  r->node = &node;
  return true;
}

}  // namespace

const std::vector<std::string>& PodSpecKindList() {
  static const std::vector<std::string> kKinds = {
      "Pod",
      "Deployment",
      "StatefulSet",
      "DaemonSet",
      "ReplicaSet",
      "Job",
      "CronJob",
      "ReplicationController",
      "PodTemplate",
      "DeploymentConfig",  // OpenShift, apps.openshift.io: spec.template
      "Service",
      "Configuration",
      "Revision",          // Knative serving only
      "ContainerSource"};  // Knative eventing (sources.knative.dev): spec.template
  return kKinds;
}

std::vector<Resource> ExtractResources(const Document& doc) {
  std::vector<Resource> out;
  Resource r;
  if (!MakeResource(doc.root, doc.file, "", &r)) return out;
  const Node* items = doc.root.Get("items");
  bool is_list = r.kind == "List" || (r.kind.size() > 4 && r.kind.ends_with("List"));
  if (is_list && items != nullptr && items->IsSeq()) {
    for (size_t i = 0; i < items->seq().size(); ++i) {
      Resource item;
      if (MakeResource(items->seq()[i], doc.file, "items[" + std::to_string(i) + "].", &item)) {
        out.push_back(std::move(item));
      }
    }
    return out;
  }
  out.push_back(std::move(r));
  return out;
}

bool HasPodSpec(std::string_view kind) {
  for (const auto& k : PodSpecKindList()) {
    if (k == kind) return true;
  }
  return false;
}

bool ExtractPodSpec(const Resource& r, PodSpecRef* out) {
  if (r.node == nullptr || !HasPodSpec(r.kind)) return false;
  std::string base;
  if (IsKnative(r)) {
    base = r.kind == "Revision" ? "" : "spec.template.";
  } else if (r.kind == "Service" || r.kind == "Configuration" || r.kind == "Revision") {
    return false;
  } else if (r.kind == "Pod") {
    base = "";
  } else if (r.kind == "CronJob") {
    base = "spec.jobTemplate.spec.template.";
  } else if (r.kind == "PodTemplate") {
    base = "template.";
  } else {
    base = "spec.template.";
  }
  *out = PodSpecRef();
  out->spec_path = base + "spec";
  out->metadata_path = base + "metadata";
  out->spec = r.node->Find(out->spec_path);
  if (out->spec == nullptr || !out->spec->IsMap()) return false;
  out->metadata = r.node->Find(out->metadata_path);
  struct Field {
    const char* name;
    ContainerKind kind;
  };
  static constexpr Field kFields[] = {{"containers", ContainerKind::kContainer},
                                      {"initContainers", ContainerKind::kInit},
                                      {"ephemeralContainers", ContainerKind::kEphemeral}};
  for (const auto& f : kFields) {
    const Node* list = out->spec->Get(f.name);
    if (list == nullptr || !list->IsSeq()) continue;
    for (size_t i = 0; i < list->seq().size(); ++i) {
      const Node& c = list->seq()[i];
      if (!c.IsMap()) continue;
      ContainerRef ref;
      ref.kind = f.kind;
      ref.name = ScalarOr(c.Get("name"), "");
      ref.path = out->spec_path + "." + f.name + "[" + std::to_string(i) + "]";
      ref.node = &c;
      out->containers.push_back(std::move(ref));
    }
  }
  return true;
}

}  // namespace vigil::config
