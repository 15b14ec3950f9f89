// Pod Security Standards (Baseline and Restricted) as Vigil checks, following the upstream
// specification (kubernetes.io/docs/concepts/security/pod-security-standards) and the
// admission implementation's check ids and policy-version gates (k8s.io/pod-security-admission).
#pragma once

#include "base/status.h"
#include "config/check.h"

namespace vigil::config {

// Registers VGL-K8S-001..017 into `registry`.
Status RegisterPodSecurityChecks(CheckRegistry* registry);

}  // namespace vigil::config
