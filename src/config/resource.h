// Kubernetes view over loaded documents: one Resource per object (List items expanded),
// and the pod template of every workload kind with the field path of each container, so
// a check can name the exact line it objects to.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/node.h"
#include "config/yaml_loader.h"

namespace vigil::config {

// A Kubernetes object inside a loaded document. Does not own the tree: `node` points into a
// Document that must outlive the Resource.
struct Resource {
  std::string api_version;
  std::string kind;
  std::string name;
  std::string ns = "default";  // metadata.namespace, "default" when unset; "" outside Kubernetes
  std::string file;
  int line = 0;             // first line of the object
  std::string path_prefix;  // "" for a top-level object, "items[3]." inside a List
  const Node* node = nullptr;

  // "Kind/namespace/name" ("Kind/name" without a namespace), the Location.resource of findings.
  std::string Id() const { return ns.empty() ? kind + "/" + name : kind + "/" + ns + "/" + name; }
  // Line of a field path relative to this object ("spec.hostPID").
  int LineOf(std::string_view path) const { return node ? node->LineOf(path) : line; }
  const Node* Find(std::string_view path) const { return node ? node->Find(path) : nullptr; }
};

// Objects of every document (skipping empty ones and documents without apiVersion+kind).
// Items of `kind: List` (and any *List kind with an items sequence) become Resources.
std::vector<Resource> ExtractResources(const Document& doc);

enum class ContainerKind { kContainer, kInit, kEphemeral };

struct ContainerRef {
  ContainerKind kind = ContainerKind::kContainer;
  std::string name;
  std::string path;  // field path from the resource root: "spec.containers[0]"
  const Node* node = nullptr;
};

// The pod template of a workload: where its spec and metadata live.
struct PodSpecRef {
  std::string spec_path;      // "spec", "spec.template.spec", "spec.jobTemplate.spec.template.spec"
  std::string metadata_path;  // metadata of the pod (template) carrying pod annotations
  const Node* spec = nullptr;
  const Node* metadata = nullptr;        // may be null
  std::vector<ContainerRef> containers;  // containers, then initContainers, then ephemeral
};

// Kinds that may carry a pod template: Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet,
// Job, CronJob, ReplicationController, PodTemplate, OpenShift DeploymentConfig, and Knative
// Service/Configuration/Revision (serving.knative.dev only; a core Service has no pod) and
// ContainerSource (Knative eventing).
const std::vector<std::string>& PodSpecKindList();
bool HasPodSpec(std::string_view kind);
// Pod spec of `r`; false when the kind carries none or the spec is absent/not a map.
bool ExtractPodSpec(const Resource& r, PodSpecRef* out);

}  // namespace vigil::config
