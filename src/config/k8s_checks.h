// Kubernetes checks beyond the Pod Security Standards: workloads (resources, probes, images,
// service accounts, host paths, secrets), RBAC, PodSecurityPolicy, Services, control-plane
// static pods and kubelet/scheduler configuration files, and cross-resource checks
// (NetworkPolicy, LimitRange, ResourceQuota, PodDisruptionBudget coverage).
//
// Id ranges (stable, documented in docs/config.md):
//   VGL-K8S-018..059  workloads            (k8s_workload.cc)
//   VGL-K8S-060..079  RBAC                 (k8s_rbac.cc)
//   VGL-K8S-080..089  PodSecurityPolicy    (k8s_rbac.cc)
//   VGL-K8S-090..099  Services, namespaces, cross-resource (k8s_network.cc)
//   VGL-K8S-100..179  control plane        (k8s_controlplane.cc)
#pragma once

#include "base/status.h"
#include "config/check.h"

namespace vigil::config {

// Registers every check of this family into `registry`.
Status RegisterK8sChecks(CheckRegistry* registry);

Status RegisterWorkloadChecks(CheckRegistry* registry);
Status RegisterRbacChecks(CheckRegistry* registry);
Status RegisterNetworkChecks(CheckRegistry* registry);
Status RegisterControlPlaneChecks(CheckRegistry* registry);

}  // namespace vigil::config
