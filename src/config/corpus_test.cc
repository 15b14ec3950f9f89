// Third-party misconfiguration fixtures (../shared/corpora: KICS, Checkov, Polaris) run
// through Vigil's checks. For every mapped query: KICS positives must be found at each
// expected line, Checkov FAILED / Polaris failure files must be flagged, and negatives
// (KICS negative*, Checkov PASSED, Polaris success) must be clean. Mappings whose upstream
// semantics differ from the Pod Security Standards are listed with the reason and reported,
// not asserted. Prints a coverage table. Skips when the corpora are absent.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "base/fs.h"
#include "base/strings.h"
#include "base/test_paths.h"
#include "config/scan.h"

namespace vigil::config {
namespace {

namespace stdfs = std::filesystem;

enum class Source { kKics, kCheckov, kPolaris };

struct Mapping {
  Source source;
  std::string query;    // KICS query dir, Checkov check id, Polaris check dir
  std::string fixture;  // Checkov fixture dir (empty otherwise)
  std::string vigil_id;
  // Empty: Vigil must agree on every fixture. Otherwise why the semantics differ; the
  // result is reported but not asserted.
  std::string differs;
  // Checkov fixture files whose PASSED/FAILED marker belongs to another check sharing the
  // fixture directory (e.g. example_PSP serves ten checks); skipped for this mapping.
  std::vector<std::string> not_for = {};
};

const std::vector<Mapping>& Mappings() {
  static const std::vector<Mapping> kMappings = {
      {Source::kKics, "container_is_privileged", "", "VGL-K8S-001", ""},
      {Source::kKics, "shared_host_pid_namespace", "", "VGL-K8S-002", ""},
      {Source::kKics, "shared_host_ipc_namespace", "", "VGL-K8S-002", ""},
      {Source::kKics, "shared_host_network_namespace", "", "VGL-K8S-002", ""},
      {Source::kKics, "containers_with_sys_admin_capabilities", "", "VGL-K8S-005", ""},
      {Source::kKics, "container_runs_unmasked", "", "VGL-K8S-007,VGL-K8S-181", ""},
      {Source::kKics, "cluster_allows_unsafe_sysctls", "", "VGL-K8S-008,VGL-K8S-180", ""},
      {Source::kKics, "privilege_escalation_allowed", "", "VGL-K8S-012", ""},
      {Source::kKics, "no_drop_capabilities_for_containers", "", "VGL-K8S-013",
       "KICS accepts drop: [all]; admission compares \"ALL\" exactly"},
      {Source::kKics, "seccomp_profile_is_not_configured", "", "VGL-K8S-016",
       "KICS accepts the deprecated seccomp annotations and flags only the pod-level field; "
       "PSS v1.19+ reads the fields and lets containers set them"},
      {Source::kKics, "non_kube_system_pod_with_host_mount", "", "VGL-K8S-004",
       "KICS exempts kube-system and points at hostPath.path; PSS flags every hostPath volume "
       "at its hostPath key"},
      {Source::kKics, "containers_running_as_root", "", "VGL-K8S-014",
       "KICS treats runAsUser > 0 as non-root and points at different lines; PSS requires "
       "runAsNonRoot=true"},
      {Source::kKics, "liveness_probe_is_not_defined", "", "VGL-K8S-018", ""},
      {Source::kKics, "readiness_probe_is_not_configured", "", "VGL-K8S-019", ""},
      {Source::kKics, "cpu_requests_not_set", "", "VGL-K8S-020", ""},
      {Source::kKics, "cpu_limits_not_set", "", "VGL-K8S-021", ""},
      {Source::kKics, "memory_requests_not_defined", "", "VGL-K8S-022", ""},
      {Source::kKics, "memory_limits_not_defined", "", "VGL-K8S-023", ""},
      {Source::kKics, "invalid_image", "", "VGL-K8S-026", ""},
      {Source::kKics, "image_without_digest", "", "VGL-K8S-027", ""},
      {Source::kKics, "image_pull_policy_of_container_is_not_always", "", "VGL-K8S-028", ""},
      {Source::kKics, "root_container_not_mounted_as_read_only", "", "VGL-K8S-029", ""},
      {Source::kKics, "containers_run_with_low_uid", "", "VGL-K8S-030", ""},
      {Source::kKics, "secrets_as_environment_variables", "", "VGL-K8S-031", ""},
      {Source::kKics, "docker_daemon_socket_is_exposed_to_containers", "", "VGL-K8S-033", ""},
      {Source::kKics, "workload_mounting_with_sensitive_os_directory", "", "VGL-K8S-034", ""},
      {Source::kKics, "volume_mount_with_os_directory_write_permissions", "", "VGL-K8S-035", ""},
      {Source::kKics, "net_raw_capabilities_not_being_dropped", "", "VGL-K8S-036", ""},
      {Source::kKics, "containers_with_added_capabilities", "", "VGL-K8S-037", ""},
      {Source::kKics, "pod_or_container_without_security_context", "", "VGL-K8S-038", ""},
      {Source::kKics, "service_account_name_undefined_or_empty", "", "VGL-K8S-039", ""},
      {Source::kKics, "using_unrecommended_namespace", "", "VGL-K8S-040,VGL-K8S-041", ""},
      {Source::kKics, "cronjob_deadline_not_configured", "", "VGL-K8S-042", ""},
      {Source::kKics, "dashboard_is_enabled", "", "VGL-K8S-044", ""},
      {Source::kKics, "tiller_is_deployed", "", "VGL-K8S-045",
       "KICS reports the metadata/label lines naming tiller; Vigil reports the Tiller container "
       "image line"},
      {Source::kKics, "tiller_deployment_is_accessible_from_within_the_cluster", "", "VGL-K8S-046",
       ""},
      {Source::kKics, "object_is_using_a_deprecated_api_version", "", "VGL-K8S-047", ""},
      {Source::kKics, "metadata_label_is_invalid", "", "VGL-K8S-048", ""},
      {Source::kKics, "service_account_token_automount_not_disabled", "", "VGL-K8S-052", ""},
      {Source::kKics, "shared_service_account", "", "VGL-K8S-053", ""},
      {Source::kKics, "rbac_wildcard_in_rule", "", "VGL-K8S-060", ""},
      {Source::kKics, "rbac_roles_with_read_secrets_permissions", "", "VGL-K8S-061", ""},
      {Source::kKics, "permissive_access_to_create_pods", "", "VGL-K8S-062",
       "positive1 uses partial globs (verbs c*e, resources p*ds) as wildcards; Kubernetes RBAC "
       "honours only a lone *, so Vigil does not flag them"},
      {Source::kKics, "rbac_roles_allow_privilege_escalation", "", "VGL-K8S-063,VGL-K8S-064", ""},
      {Source::kKics, "rbac_roles_with_impersonate_permission", "", "VGL-K8S-065", ""},
      {Source::kKics, "rbac_roles_with_exec_permission", "", "VGL-K8S-066", ""},
      {Source::kKics, "rbac_roles_with_attach_permission", "", "VGL-K8S-067", ""},
      {Source::kKics, "rbac_roles_with_portforwarding_permissions", "", "VGL-K8S-068", ""},
      {Source::kKics, "cluster_admin_role_binding_with_super_user_permissions", "", "VGL-K8S-074",
       ""},
      {Source::kKics, "role_binding_to_default_service_account", "", "VGL-K8S-075", ""},
      {Source::kKics, "service_account_allows_access_secrets", "", "VGL-K8S-079",
       "KICS matches a RoleBinding to a Role of another namespace by name; a RoleBinding can only "
       "reference a Role in its own namespace"},
      {Source::kKics, "psp_set_to_privileged", "", "VGL-K8S-080", ""},
      {Source::kKics, "psp_allows_sharing_host_pid", "", "VGL-K8S-081", ""},
      {Source::kKics, "psp_allows_sharing_host_ipc", "", "VGL-K8S-082", ""},
      {Source::kKics, "psp_containers_share_host_network_namespace", "", "VGL-K8S-083", ""},
      {Source::kKics, "psp_allows_privilege_escalation", "", "VGL-K8S-084", ""},
      {Source::kKics, "psp_with_added_capabilities", "", "VGL-K8S-085", ""},
      {Source::kKics, "net_raw_capabilities_disabled_for_psp", "", "VGL-K8S-086", ""},
      {Source::kKics, "not_limited_capabilities_for_pod_security_policy", "", "VGL-K8S-086", ""},
      {Source::kKics, "psp_with_unrestricted_access_to_host_path", "", "VGL-K8S-088", ""},
      {Source::kKics, "service_type_is_nodeport", "", "VGL-K8S-090", ""},
      {Source::kKics, "service_with_external_load_balancer", "", "VGL-K8S-091", ""},
      {Source::kKics, "pod_misconfigured_network_policy", "", "VGL-K8S-093",
       "negative2 counts a policy of another namespace matching the pod labels; NetworkPolicies "
       "apply only within their namespace"},
      {Source::kKics, "network_policy_is_not_targeting_any_pod", "", "VGL-K8S-094", ""},
      {Source::kKics, "service_does_not_target_pod", "", "VGL-K8S-095",
       "positive2 fails on a port not exposed by the pod; Vigil checks the selector only"},
      {Source::kKics, "pod_or_container_without_limit_range", "", "VGL-K8S-096", ""},
      {Source::kKics, "pod_or_container_without_resource_quota", "", "VGL-K8S-097", ""},
      {Source::kKics, "deployment_without_pod_disruption_budget", "", "VGL-K8S-098", ""},
      {Source::kKics, "statefulset_without_pod_disruption_budget", "", "VGL-K8S-098",
       "KICS accepts a PDB sharing one label with the StatefulSet selector; Vigil requires the PDB "
       "selector to match the pods"},
      {Source::kKics, "anonymous_auth_is_not_set_to_false", "", "VGL-K8S-100,VGL-K8S-165", ""},
      {Source::kKics, "token_auth_file_is_set", "", "VGL-K8S-101", ""},
      {Source::kKics, "basic_auth_file_is_set", "", "VGL-K8S-102", ""},
      {Source::kKics, "kubelet_https_set_to_false", "", "VGL-K8S-103", ""},
      {Source::kKics, "kubelet_client_certificate_or_key_not_set", "", "VGL-K8S-104", ""},
      {Source::kKics, "kubelet_certificate_authority_not_set", "", "VGL-K8S-105", ""},
      {Source::kKics, "authorization_mode_set_to_always_allow", "", "VGL-K8S-106,VGL-K8S-166", ""},
      {Source::kKics, "authorization_mode_node_not_set", "", "VGL-K8S-107", ""},
      {Source::kKics, "authorization_mode_rbac_not_set", "", "VGL-K8S-108", ""},
      {Source::kKics, "event_rate_limit_admission_control_plugin_not_set", "", "VGL-K8S-109", ""},
      {Source::kKics, "always_admit_admission_control_plugin_set", "", "VGL-K8S-110", ""},
      {Source::kKics, "always_pull_images_admission_control_plugin_not_set", "", "VGL-K8S-111", ""},
      {Source::kKics, "service_account_admission_control_plugin_disabled", "", "VGL-K8S-112", ""},
      {Source::kKics, "namespace_lifecycle_admission_control_plugin_disabled", "", "VGL-K8S-113",
       ""},
      {Source::kKics, "node_restriction_admission_control_plugin_not_set", "", "VGL-K8S-114", ""},
      {Source::kKics, "insecure_bind_address_set", "", "VGL-K8S-115", ""},
      {Source::kKics, "insecure_port_not_properly_set", "", "VGL-K8S-116", ""},
      {Source::kKics, "secure_port_set_to_zero", "", "VGL-K8S-117", ""},
      {Source::kKics, "profiling_not_set_to_false", "", "VGL-K8S-118,VGL-K8S-141,VGL-K8S-150", ""},
      {Source::kKics, "audit_log_path_not_set", "", "VGL-K8S-119", ""},
      {Source::kKics, "audit_log_maxage_not_properly_set", "", "VGL-K8S-120", ""},
      {Source::kKics, "audit_log_maxbackup_not_properly_set", "", "VGL-K8S-121", ""},
      {Source::kKics, "audit_log_maxsize_not_properly_set", "", "VGL-K8S-122", ""},
      {Source::kKics, "request_timeout_not_properly_set", "", "VGL-K8S-123", ""},
      {Source::kKics, "service_account_lookup_set_to_false", "", "VGL-K8S-124", ""},
      {Source::kKics, "service_account_key_file_not_properly_set", "", "VGL-K8S-125", ""},
      {Source::kKics, "etcd_tls_certificate_not_properly_configured", "", "VGL-K8S-126", ""},
      {Source::kKics, "tls_connection_certificate_not_setup", "", "VGL-K8S-127,VGL-K8S-173", ""},
      {Source::kKics, "client_certificate_authentication_not_setup_properly", "",
       "VGL-K8S-128,VGL-K8S-167",
       "KICS requires the CA file name to end in .pem/.crt; Vigil only requires --client-ca-file / "
       "clientCAFile to be set"},
      {Source::kKics, "etcd_client_certificate_file_not_defined", "", "VGL-K8S-129", ""},
      {Source::kKics, "encryption_provider_config_is_not_defined", "", "VGL-K8S-130", ""},
      {Source::kKics, "weak_tls_cipher_suites", "", "VGL-K8S-131,VGL-K8S-176", ""},
      {Source::kKics, "audit_policy_file_not_defined", "", "VGL-K8S-132",
       "positive2 sets --audit-policy-file to a path KICS cannot find as a Policy document in the "
       "same file; Vigil checks the flag is set"},
      {Source::kKics, "image_policy_webhook_admission_control_plugin_not_set", "", "VGL-K8S-133",
       ""},
      {Source::kKics, "terminated_pod_garbage_collector_threshold_not_properly_set", "",
       "VGL-K8S-140", ""},
      {Source::kKics, "use_service_account_credentials_not_set_to_true", "", "VGL-K8S-142", ""},
      {Source::kKics, "service_account_private_key_file_not_defined", "", "VGL-K8S-143", ""},
      {Source::kKics, "root_ca_file_not_defined", "", "VGL-K8S-144", ""},
      {Source::kKics, "rotate_kubelet_server_certificate_not_active", "", "VGL-K8S-145", ""},
      {Source::kKics, "bind_address_not_properly_set", "", "VGL-K8S-146,VGL-K8S-151", ""},
      {Source::kKics, "etcd_tls_certificate_files_not_properly_set", "", "VGL-K8S-155", ""},
      {Source::kKics, "etcd_client_certificate_authentication_set_to_false", "", "VGL-K8S-156", ""},
      {Source::kKics, "auto_tls_set_to_true", "", "VGL-K8S-157", ""},
      {Source::kKics, "etcd_peer_tls_certificate_files_not_properly_set", "", "VGL-K8S-158", ""},
      {Source::kKics, "etcd_peer_client_certificate_authentication_set_to_false", "", "VGL-K8S-159",
       ""},
      {Source::kKics, "peer_auto_tls_set_to_true", "", "VGL-K8S-160", ""},
      {Source::kKics, "kubelet_read_only_port_is_not_set_to_zero", "", "VGL-K8S-168", ""},
      {Source::kKics, "kubelet_streaming_connection_timeout_disabled", "", "VGL-K8S-169", ""},
      {Source::kKics, "kubelet_not_managing_ip_tables", "", "VGL-K8S-170", ""},
      {Source::kKics, "kubelet_hostname_override_is_set", "", "VGL-K8S-171", ""},
      {Source::kKics, "kubelet_event_qps_not_properly_set", "", "VGL-K8S-172", ""},
      {Source::kKics, "kubelet_client_periodic_certificate_switch_disabled", "", "VGL-K8S-174", ""},
      {Source::kKics, "kubelet_protect_kernel_defaults_set_to_false", "", "VGL-K8S-177", ""},
      {Source::kCheckov, "CKV_K8S_16", "example_PrivilegedContainers", "VGL-K8S-001", ""},
      {Source::kCheckov, "CKV_K8S_8", "example_LivenessReadiness", "VGL-K8S-018", ""},
      {Source::kCheckov, "CKV_K8S_9", "example_LivenessReadiness", "VGL-K8S-019", ""},
      {Source::kCheckov, "CKV_K8S_10", "example_Requests_Limits", "VGL-K8S-020", ""},
      {Source::kCheckov, "CKV_K8S_11", "example_Requests_Limits", "VGL-K8S-021", ""},
      {Source::kCheckov, "CKV_K8S_12", "example_Requests_Limits", "VGL-K8S-022", ""},
      {Source::kCheckov, "CKV_K8S_13", "example_Requests_Limits", "VGL-K8S-023", ""},
      {Source::kCheckov, "CKV_K8S_14", "example_ImageTagFixed", "VGL-K8S-026", ""},
      {Source::kCheckov, "CKV_K8S_43", "example_ImageDigest", "VGL-K8S-027", ""},
      {Source::kCheckov, "CKV_K8S_15", "example_ImagePullPolicy", "VGL-K8S-028", ""},
      {Source::kCheckov, "CKV_K8S_22", "example_ReadOnlyFilesystem", "VGL-K8S-029", ""},
      {Source::kCheckov, "CKV_K8S_40", "example_RootContainersHighUID", "VGL-K8S-030", ""},
      {Source::kCheckov, "CKV_K8S_35", "example_Secrets", "VGL-K8S-031", ""},
      {Source::kCheckov, "CKV_K8S_27", "example_DockerSocketVolume", "VGL-K8S-033", ""},
      {Source::kCheckov, "CKV_K8S_28", "example_DropCapabilities", "VGL-K8S-036", ""},
      {Source::kCheckov, "CKV_K8S_29", "example_SecurityContexts", "VGL-K8S-038",
       "pod-container-FAILED_malformed_spec has a sequence as spec: not a pod Vigil can read"},
      {Source::kCheckov, "CKV_K8S_30", "example_SecurityContexts", "VGL-K8S-038",
       "pod-container-FAILED_malformed_spec has a sequence as spec: not a pod Vigil can read"},
      {Source::kCheckov, "CKV_K8S_21", "example_DefaultNamespace", "VGL-K8S-040", ""},
      {Source::kCheckov, "CKV_K8S_33", "example_KubernetesDashboard", "VGL-K8S-044", ""},
      {Source::kCheckov, "CKV_K8S_34", "example_Tiller", "VGL-K8S-045", ""},
      {Source::kCheckov, "CKV_K8S_45", "example_TillerDeploymentListener", "VGL-K8S-046", ""},
      {Source::kCheckov, "CKV_K8S_152", "example_NginxIngressCVE202125742", "VGL-K8S-050", ""},
      {Source::kCheckov, "CKV_K8S_153", "example_NginxIngressCVE202125742", "VGL-K8S-049", ""},
      {Source::kCheckov,
       "CKV_K8S_154",
       "example_NginxIngressCVE202125742",
       "VGL-K8S-051",
       "",
       {"annotation1-FAILED.yaml"}},
      {Source::kCheckov, "CKV_K8S_38", "example_ServiceAccountTokens", "VGL-K8S-052", ""},
      {Source::kCheckov, "CKV_K8S_49", "example_WildcardRoles", "VGL-K8S-060", ""},
      {Source::kCheckov, "CKV_K8S_157", "example_RbacBindRoleBindings", "VGL-K8S-063",
       "clusterrole-failed-1 grants bind on rolebindings, which Kubernetes ignores (bind applies "
       "to roles/clusterroles only)"},
      {Source::kCheckov, "CKV_K8S_158", "example_RbacEscalateRoles", "VGL-K8S-064", ""},
      {Source::kCheckov, "CKV_K8S_156", "example_RbacApproveCertificateSigningRequests",
       "VGL-K8S-070", ""},
      {Source::kCheckov, "CKV_K8S_155", "example_RbacControlWebhooks", "VGL-K8S-071", ""},
      {Source::kCheckov, "CKV_K8S_42", "example_DefaultServiceAccountBinding", "VGL-K8S-075", ""},
      {Source::kCheckov, "CKV_K8S_41", "example_DefaultServiceAccount", "VGL-K8S-078", ""},
      {Source::kCheckov,
       "CKV_K8S_2",
       "example_PSP",
       "VGL-K8S-080",
       "",
       {"psp-no-annotations-FAILED.yml"}},
      {Source::kCheckov,
       "CKV_K8S_1",
       "example_PSP",
       "VGL-K8S-081",
       "",
       {"psp-no-annotations-FAILED.yml"}},
      {Source::kCheckov,
       "CKV_K8S_3",
       "example_PSP",
       "VGL-K8S-082",
       "",
       {"psp-no-annotations-FAILED.yml"}},
      {Source::kCheckov,
       "CKV_K8S_4",
       "example_PSP",
       "VGL-K8S-083",
       "",
       {"psp-no-annotations-FAILED.yml"}},
      {Source::kCheckov,
       "CKV_K8S_5",
       "example_PSP",
       "VGL-K8S-084",
       "",
       {"psp-no-annotations-FAILED.yml"}},
      {Source::kCheckov,
       "CKV_K8S_24",
       "example_PSP",
       "VGL-K8S-085",
       "",
       {"psp-no-annotations-FAILED.yml"}},
      {Source::kCheckov,
       "CKV_K8S_7",
       "example_PSP",
       "VGL-K8S-086",
       "",
       {"psp-no-annotations-FAILED.yml"}},
      {Source::kCheckov,
       "CKV_K8S_36",
       "example_PSP",
       "VGL-K8S-086",
       "",
       {"psp-no-annotations-FAILED.yml"}},
      {Source::kCheckov, "CKV_K8S_6", "example_RootContainersPSP", "VGL-K8S-087", ""},
      {Source::kCheckov, "CKV_K8S_32", "example_PSP", "VGL-K8S-089", ""},
      {Source::kCheckov, "CKV_K8S_68", "example_ApiServerAnonymousAuth", "VGL-K8S-100", ""},
      {Source::kCheckov, "CKV_K8S_70", "example_ApiServerTokenAuthFile", "VGL-K8S-101", ""},
      {Source::kCheckov, "CKV_K8S_69", "example_ApiServerBasicAuthFile", "VGL-K8S-102", ""},
      {Source::kCheckov, "CKV_K8S_71", "example_ApiServerKubeletHttps", "VGL-K8S-103", ""},
      {Source::kCheckov, "CKV_K8S_72", "example_ApiServerKubeletClientCertAndKey", "VGL-K8S-104",
       ""},
      {Source::kCheckov, "CKV_K8S_73", "example_ApiServerkubeletCertificateAuthority",
       "VGL-K8S-105", ""},
      {Source::kCheckov, "CKV_K8S_74", "example_ApiServerAuthorizationModeNotAlwaysAllow",
       "VGL-K8S-106",
       "Checkov passes an API server without --authorization-mode; the default is AlwaysAllow, so "
       "Vigil (like KICS) flags it"},
      {Source::kCheckov, "CKV_K8S_75", "example_ApiServerAuthorizationModeNode", "VGL-K8S-107", ""},
      {Source::kCheckov, "CKV_K8S_77", "example_ApiServerAuthorizationModeRBAC", "VGL-K8S-108", ""},
      {Source::kCheckov, "CKV_K8S_78", "example_ApiServerAdmissionControlEventRateLimit",
       "VGL-K8S-109",
       "Checkov reads an AdmissionConfiguration document; Vigil reads --enable-admission-plugins"},
      {Source::kCheckov, "CKV_K8S_79", "example_ApiServerAdmissionControlAlwaysAdmit",
       "VGL-K8S-110", ""},
      {Source::kCheckov, "CKV_K8S_80", "example_ApiServerAlwaysPullImagesPlugin", "VGL-K8S-111",
       ""},
      {Source::kCheckov, "CKV_K8S_82", "example_ApiServerServiceAccountPlugin", "VGL-K8S-112",
       "Checkov requires ServiceAccount to be listed in --enable-admission-plugins; it is enabled "
       "by default, so Vigil only flags --disable-admission-plugins"},
      {Source::kCheckov, "CKV_K8S_83", "example_ApiServerNamespaceLifecyclePlugin", "VGL-K8S-113",
       "Checkov requires NamespaceLifecycle to be listed in --enable-admission-plugins; it is "
       "enabled by default, so Vigil only flags --disable-admission-plugins"},
      {Source::kCheckov, "CKV_K8S_85", "example_ApiServerNodeRestrictionPlugin", "VGL-K8S-114", ""},
      {Source::kCheckov, "CKV_K8S_86", "example_ApiServerInsecureBindAddress", "VGL-K8S-115", ""},
      {Source::kCheckov, "CKV_K8S_88", "example_ApiServerInsecurePort", "VGL-K8S-116", ""},
      {Source::kCheckov, "CKV_K8S_89", "example_ApiServerSecurePort", "VGL-K8S-117", ""},
      {Source::kCheckov, "CKV_K8S_90", "example_ApiServerProfiling", "VGL-K8S-118", ""},
      {Source::kCheckov, "CKV_K8S_91", "example_ApiServerAuditLog", "VGL-K8S-119", ""},
      {Source::kCheckov, "CKV_K8S_92", "example_ApiServerAuditLogMaxAge", "VGL-K8S-120", ""},
      {Source::kCheckov, "CKV_K8S_93", "example_ApiServerAuditLogMaxBackup", "VGL-K8S-121", ""},
      {Source::kCheckov, "CKV_K8S_94", "example_ApiServerAuditLogMaxSize", "VGL-K8S-122", ""},
      {Source::kCheckov, "CKV_K8S_95", "example_ApiServerRequestTimeout", "VGL-K8S-123", ""},
      {Source::kCheckov, "CKV_K8S_96", "example_ApiServerServiceAccountLookup", "VGL-K8S-124",
       "Checkov fails an unset --service-account-lookup; its default is true"},
      {Source::kCheckov, "CKV_K8S_97", "example_ApiServerServiceAccountKeyFile", "VGL-K8S-125",
       "Checkov requires a .pem file name; Vigil requires the flag to be set"},
      {Source::kCheckov, "CKV_K8S_99", "example_ApiServerEtcdCertAndKey", "VGL-K8S-126", ""},
      {Source::kCheckov, "CKV_K8S_100", "example_ApiServerTlsCertAndKey", "VGL-K8S-127", ""},
      {Source::kCheckov, "CKV_K8S_102", "example_ApiServerEtcdCaFile", "VGL-K8S-129", ""},
      {Source::kCheckov, "CKV_K8S_104", "example_ApiServerEncryptionProviders", "VGL-K8S-130", ""},
      {Source::kCheckov, "CKV_K8S_105", "example_ApiServerStrongCryptographicCiphers",
       "VGL-K8S-131", ""},
      {Source::kCheckov, "CKV_K8S_106", "example_KubeControllerManagerTerminatedPods",
       "VGL-K8S-140",
       "Checkov accepts any value (55555, or the bare flag); Vigil (like KICS) requires 1..12500"},
      {Source::kCheckov, "CKV_K8S_107", "example_KubeControllerManagerBlockProfiles", "VGL-K8S-141",
       ""},
      {Source::kCheckov, "CKV_K8S_108", "example_KubeControllerManagerServiceAccountCredentials",
       "VGL-K8S-142", ""},
      {Source::kCheckov, "CKV_K8S_110", "example_KubeControllerManagerServiceAccountPrivateKeyFile",
       "VGL-K8S-143",
       "Checkov passes an unset flag and requires .pem; Vigil requires the flag to be set"},
      {Source::kCheckov, "CKV_K8S_111", "example_KubeControllerManagerRootCAFile", "VGL-K8S-144",
       "Checkov passes an unset flag and requires .pem; Vigil requires the flag to be set"},
      {Source::kCheckov, "CKV_K8S_112", "example_RotateKubeletServerCertificate", "VGL-K8S-145",
       ""},
      {Source::kCheckov, "CKV_K8S_113", "example_ControllerManagerBindAddress", "VGL-K8S-146", ""},
      {Source::kCheckov, "CKV_K8S_114", "example_SchedulerProfiling", "VGL-K8S-150", ""},
      {Source::kCheckov, "CKV_K8S_115", "example_SchedulerBindAddress", "VGL-K8S-151", ""},
      {Source::kCheckov, "CKV_K8S_116", "example_EtcdCertAndKey", "VGL-K8S-155", ""},
      {Source::kCheckov, "CKV_K8S_117", "example_EtcdClientCertAuth", "VGL-K8S-156", ""},
      {Source::kCheckov, "CKV_K8S_118", "example_EtcdAutoTls", "VGL-K8S-157", ""},
      {Source::kCheckov, "CKV_K8S_119", "example_EtcdPeerFiles", "VGL-K8S-158", ""},
      {Source::kCheckov, "CKV_K8S_121", "example_PeerClientCertAuthTrue", "VGL-K8S-159", ""},
      {Source::kCheckov, "CKV_K8S_138", "example_KubeletAnonymousAuth", "VGL-K8S-165", ""},
      {Source::kCheckov, "CKV_K8S_139", "example_KubeletAuthorizationModeNotAlwaysAllow",
       "VGL-K8S-166", ""},
      {Source::kCheckov, "CKV_K8S_140", "example_KubeletClientCa", "VGL-K8S-167", ""},
      {Source::kCheckov, "CKV_K8S_141", "example_KubeletReadOnlyPort", "VGL-K8S-168", ""},
      {Source::kCheckov, "CKV_K8S_143", "example_KubeletStreamingConnectionIdleTimeout",
       "VGL-K8S-169", ""},
      {Source::kCheckov, "CKV_K8S_145", "example_KubeletMakeIptablesUtilChains", "VGL-K8S-170", ""},
      {Source::kCheckov, "CKV_K8S_146", "example_KubeletHostnameOverride", "VGL-K8S-171", ""},
      {Source::kCheckov, "CKV_K8S_147", "example_KubletEventCapture", "VGL-K8S-172",
       "Checkov accepts any --event-qps; Vigil (like KICS and CIS 4.2.8's audit) wants 0"},
      {Source::kCheckov, "CKV_K8S_148", "example_KubeletKeyFilesSetAppropriate", "VGL-K8S-173", ""},
      {Source::kCheckov, "CKV_K8S_149", "example_KubletRotateCertificates", "VGL-K8S-174", ""},
      {Source::kCheckov, "CKV_K8S_151", "example_KubeletCryptographicCiphers", "VGL-K8S-176", ""},
      {Source::kCheckov, "CKV_K8S_144", "example_KubeletProtectKernelDefaults", "VGL-K8S-177", ""},
      {Source::kCheckov, "CKV_K8S_17", "example_ShareHost", "VGL-K8S-002", ""},
      {Source::kCheckov, "CKV_K8S_18", "example_ShareHost", "VGL-K8S-002", ""},
      {Source::kCheckov, "CKV_K8S_19", "example_ShareHost", "VGL-K8S-002", ""},
      {Source::kCheckov, "CKV_K8S_20", "example_AllowPrivilegeEscalation", "VGL-K8S-012", ""},
      {Source::kCheckov, "CKV_K8S_26", "example_HostPort", "VGL-K8S-003", ""},
      {Source::kCheckov, "CKV_K8S_39", "example_AllowedCapabilitiesSysAdmin", "VGL-K8S-005",
       "pod-FAILED2.yaml has no containers at all; nothing for PSS to flag"},
      {Source::kCheckov, "CKV_K8S_23", "example_RootContainers", "VGL-K8S-014",
       "Checkov accepts runAsUser > 0 without runAsNonRoot and fails a malformed spec; PSS "
       "requires runAsNonRoot=true"},
      {Source::kPolaris, "runAsPrivileged", "", "VGL-K8S-001", ""},
      {Source::kPolaris, "hostIPCSet", "", "VGL-K8S-002", ""},
      {Source::kPolaris, "hostNetworkSet", "", "VGL-K8S-002", ""},
      {Source::kPolaris, "hostPIDSet", "", "VGL-K8S-002", ""},
      {Source::kPolaris, "hostPortSet", "", "VGL-K8S-003", ""},
      {Source::kPolaris, "hostPathSet", "", "VGL-K8S-004", ""},
      {Source::kPolaris, "dangerousCapabilities", "", "VGL-K8S-005", ""},
      {Source::kPolaris, "procMount", "", "VGL-K8S-007", ""},
      {Source::kPolaris, "hostProcess", "", "VGL-K8S-011", ""},
      {Source::kPolaris, "privilegeEscalationAllowed", "", "VGL-K8S-012", ""},
      {Source::kPolaris, "runAsRootAllowed", "", "VGL-K8S-014", ""},
      {Source::kPolaris, "automountServiceAccountToken", "", "VGL-K8S-052", ""},
      {Source::kPolaris, "cpuLimitsMissing", "", "VGL-K8S-021", ""},
      {Source::kPolaris, "cpuRequestsMissing", "", "VGL-K8S-020", ""},
      {Source::kPolaris, "memoryLimitsMissing", "", "VGL-K8S-023", ""},
      {Source::kPolaris, "memoryRequestsMissing", "", "VGL-K8S-022", ""},
      {Source::kPolaris, "livenessProbeMissing", "", "VGL-K8S-018", ""},
      {Source::kPolaris, "readinessProbeMissing", "", "VGL-K8S-019", ""},
      {Source::kPolaris, "notReadOnlyRootFilesystem", "", "VGL-K8S-029", ""},
      {Source::kPolaris, "pullPolicyNotAlways", "", "VGL-K8S-028",
       "Polaris requires an explicit Always; Vigil uses the effective policy (untagged and :latest "
       "images default to Always)"},
      {Source::kPolaris, "tagNotSpecified", "", "VGL-K8S-026", ""},
      {Source::kPolaris, "insecureCapabilities", "", "VGL-K8S-036",
       "Polaris requires dropping a list of capabilities; Vigil requires NET_RAW (or ALL)"},
      {Source::kPolaris, "missingNetworkPolicy", "", "VGL-K8S-093",
       "Polaris also fails policies whose ingress/egress rule lists are empty; an empty list with "
       "the policy type set denies all, which Vigil accepts"},
      {Source::kPolaris, "missingPodDisruptionBudget", "", "VGL-K8S-098",
       "Polaris fails workloads by name/namespace matching of the PDB and on replicas of 1; Vigil "
       "checks replicated Deployments/StatefulSets by selector"},
      {Source::kPolaris, "sensitiveContainerEnvVar", "", "VGL-K8S-032",
       "Polaris also flags values that look like private keys whatever the variable name; Vigil "
       "flags secret-looking names with literal values"},
      {Source::kPolaris, "clusterrolePodExecAttach", "", "VGL-K8S-066,VGL-K8S-067",
       "Polaris exempts system: and default roles (admin, cluster-admin, edit); Vigil flags every "
       "role granting exec/attach"},
      {Source::kPolaris, "rolePodExecAttach", "", "VGL-K8S-066,VGL-K8S-067",
       "Polaris exempts system: and known vendor roles; Vigil flags every role granting "
       "exec/attach"},
      {Source::kPolaris, "clusterrolebindingClusterAdmin", "", "VGL-K8S-074",
       "Polaris also flags bindings to roles equivalent to cluster-admin (all verbs on all "
       "resources) and system: bindings; Vigil flags bindings to cluster-admin by name"},
  };
  return kMappings;
}

std::string CorporaDir() { return test_paths::SharedDir() + "/corpora"; }

// Lines of findings of any of the comma-separated `ids` in `file` (scanned alone, so
// cross-resource checks see the objects of that file only).
std::multiset<int> Scan(const std::string& file, const std::string& ids, std::string* warning) {
  std::multiset<int> lines;
  auto text = ReadHostFile(file);
  if (!text.ok()) {
    *warning = text.status().ToString();
    return lines;
  }
  auto reg = BuiltinRegistry();
  report::Report report;
  ScanText(**reg, file, *text, ScanOptions{}, K8sVersion{}, &report);
  if (!report.warnings.empty()) *warning = report.warnings[0];
  std::set<std::string> wanted;
  for (auto id : Split(ids, ',', true)) wanted.insert(std::string(Trim(id)));
  for (const auto& f : report.findings) {
    if (wanted.count(f.id)) lines.insert(f.location.line);
  }
  return lines;
}

std::vector<stdfs::path> Files(const stdfs::path& dir) {
  std::vector<stdfs::path> out;
  if (!stdfs::is_directory(dir)) return out;
  for (const auto& e : stdfs::directory_iterator(dir)) {
    if (e.is_regular_file()) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

struct Outcome {
  int files = 0;
  std::vector<std::string> problems;
};

Outcome RunKics(const stdfs::path& root, const Mapping& m) {
  Outcome o;
  stdfs::path test = root / "kics-k8s" / m.query / "test";
  std::map<std::string, std::set<int>> expected;
  std::ifstream in(test / "positive_expected_result.json");
  auto j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    o.problems.push_back("cannot parse positive_expected_result.json");
    return o;
  }
  for (const auto& e : j) {
    // The corpus spells the key both "fileName" and "filename".
    std::string file = e.value("fileName", e.value("filename", ""));
    if (file.empty()) file = "positive.yaml";
    expected[file].insert(e.value("line", 0));
  }
  for (const auto& file : Files(test)) {
    std::string name = file.filename().string();
    if (!EndsWith(name, ".yaml") && !EndsWith(name, ".yml") && !EndsWith(name, ".json")) continue;
    if (name == "positive_expected_result.json") continue;
    ++o.files;
    std::string warning;
    auto got = Scan(file.string(), m.vigil_id, &warning);
    if (StartsWith(name, "negative")) {
      if (!got.empty())
        o.problems.push_back(name + ": flagged at line " + std::to_string(*got.begin()));
      continue;
    }
    for (int line : expected[name]) {
      if (!got.count(line)) {
        o.problems.push_back(name + ": missed line " + std::to_string(line) +
                             (warning.empty() ? "" : " (" + warning + ")"));
      }
    }
  }
  return o;
}

Outcome RunNamed(const stdfs::path& dir, const Mapping& m) {
  Outcome o;
  for (const auto& file : Files(dir)) {
    std::string name = file.filename().string();
    // Checkov names files per resource outcome (FAILED/PASSED, some lower-case; a file with
    // both, e.g. "1FAILED1PASSED", must be flagged); Polaris uses failure*/success*.
    std::string upper = name;
    for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    bool fail = upper.find("FAILED") != std::string::npos || StartsWith(name, "failure");
    bool pass = !fail && (upper.find("PASSED") != std::string::npos ||
                          upper.find("-PASS.") != std::string::npos || StartsWith(name, "success"));
    if (!fail && !pass) continue;
    if (std::find(m.not_for.begin(), m.not_for.end(), name) != m.not_for.end()) continue;
    ++o.files;
    std::string warning;
    auto got = Scan(file.string(), m.vigil_id, &warning);
    if (fail && got.empty()) o.problems.push_back(name + ": not flagged " + std::move(warning));
    if (pass && !got.empty()) {
      o.problems.push_back(name + ": flagged at line " + std::to_string(*got.begin()));
    }
  }
  return o;
}

size_t CountLines(const stdfs::path& file) {
  std::ifstream in(file);
  size_t n = 0;
  for (std::string line; std::getline(in, line);) n += !line.empty();
  return n;
}

// Debug aid: VIGIL_DUMP=file prints every finding Vigil reports for that file.
TEST(Corpora, Dump) {
  const char* file = std::getenv("VIGIL_DUMP");
  if (file == nullptr) GTEST_SKIP() << "set VIGIL_DUMP=file to print its findings";
  auto text = ReadHostFile(file);
  ASSERT_TRUE(text.ok()) << text.status();
  auto reg = BuiltinRegistry();
  ASSERT_TRUE(reg.ok());
  report::Report report;
  ScanText(**reg, file, *text, ScanOptions{}, K8sVersion{}, &report);
  for (const auto& w : report.warnings) std::cout << "warning: " << w << "\n";
  for (const auto& f : report.findings) {
    std::cout << f.location.line << " " << f.id << " " << f.location.resource << ": "
              << f.description << "\n";
  }
}

TEST(Corpora, ThirdPartyFixtures) {
  stdfs::path root = CorporaDir();
  if (!stdfs::is_directory(root / "kics-k8s")) {
    GTEST_SKIP() << "corpora not found at " << root << " (../shared/corpora is optional)";
  }
  std::map<Source, std::set<std::string>> mapped;
  int agreeing = 0;
  for (const auto& m : Mappings()) {
    Outcome o;
    const char* source = "";
    switch (m.source) {
      case Source::kKics:
        source = "kics";
        o = RunKics(root, m);
        break;
      case Source::kCheckov:
        source = "checkov";
        o = RunNamed(root / "checkov-k8s" / m.fixture, m);
        break;
      case Source::kPolaris:
        source = "polaris";
        o = RunNamed(root / "polaris" / m.query, m);
        break;
    }
    mapped[m.source].insert(m.query);
    std::cout << (o.problems.empty() ? "agree   " : "DIFFER  ") << source << " " << m.query
              << " -> " << m.vigil_id << " (" << o.files << " files)\n";
    for (const auto& p : o.problems) std::cout << "          " << p << "\n";
    if (!m.differs.empty()) std::cout << "          known difference: " << m.differs << "\n";
    if (o.problems.empty()) ++agreeing;
    EXPECT_GT(o.files, 0) << source << " " << m.query << ": no fixtures";
    if (m.differs.empty()) {
      EXPECT_TRUE(o.problems.empty()) << source << " " << m.query << " -> " << m.vigil_id;
    }
  }
  size_t kics_total = 0;
  for (const auto& e : stdfs::directory_iterator(root / "kics-k8s")) kics_total += e.is_directory();
  size_t checkov_total = CountLines(root / "checkov-k8s" / "check_catalogue.tsv");
  size_t polaris_total = 0;
  for (const auto& e : stdfs::directory_iterator(root / "polaris")) {
    polaris_total += e.is_directory();
  }
  std::cout << "\ncoverage (third-party k8s checks with a Vigil equivalent)\n"
            << "  KICS k8s queries:   " << mapped[Source::kKics].size() << " / " << kics_total
            << "\n  Checkov k8s checks: " << mapped[Source::kCheckov].size() << " / "
            << checkov_total << "\n  Polaris checks:     " << mapped[Source::kPolaris].size()
            << " / " << polaris_total << "\n  mappings agreeing on every fixture: " << agreeing
            << " / " << Mappings().size() << "\n";
}

}  // namespace
}  // namespace vigil::config
