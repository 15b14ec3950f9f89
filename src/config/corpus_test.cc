// Third-party misconfiguration fixtures (../shared/corpora: KICS, Checkov, Polaris) run
// through Vigil's checks. For every mapped query: KICS positives must be found at each
// expected line, Checkov FAILED / Polaris failure files must be flagged, and negatives
// (KICS negative*, Checkov PASSED, Polaris success) must be clean. Mappings whose upstream
// semantics differ from the Pod Security Standards are listed with the reason and reported,
// not asserted. Prints a coverage table. Skips when the corpora are absent.
#include <gtest/gtest.h>

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
};

const std::vector<Mapping>& Mappings() {
  static const std::vector<Mapping> kMappings = {
      {Source::kKics, "container_is_privileged", "", "VGL-K8S-001", ""},
      {Source::kKics, "shared_host_pid_namespace", "", "VGL-K8S-002", ""},
      {Source::kKics, "shared_host_ipc_namespace", "", "VGL-K8S-002", ""},
      {Source::kKics, "shared_host_network_namespace", "", "VGL-K8S-002", ""},
      {Source::kKics, "containers_with_sys_admin_capabilities", "", "VGL-K8S-005", ""},
      {Source::kKics, "container_runs_unmasked", "", "VGL-K8S-007",
       "positives are PodSecurityPolicy.allowedProcMountTypes (PSP, removed in v1.25); PSS "
       "checks pods"},
      {Source::kKics, "cluster_allows_unsafe_sysctls", "", "VGL-K8S-008",
       "positive1 is a PodSecurityPolicy (allowedUnsafeSysctls); PSS checks pods"},
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
      {Source::kCheckov, "CKV_K8S_16", "example_PrivilegedContainers", "VGL-K8S-001", ""},
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
  };
  return kMappings;
}

std::string CorporaDir() {
  const char* env = std::getenv("VIGIL_SOURCE_DIR");
  return std::string(env ? env : ".") + "/../shared/corpora";
}

// Lines of findings with `id` in `file` (scanned alone).
std::multiset<int> Scan(const std::string& file, const std::string& id, std::string* warning) {
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
  for (const auto& f : report.findings) {
    if (f.id == id) lines.insert(f.location.line);
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
    std::string file = e.value("fileName", "");
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
    bool fail = name.find("FAILED") != std::string::npos || StartsWith(name, "failure");
    bool pass = name.find("PASSED") != std::string::npos ||
                name.find("-PASS.") != std::string::npos || StartsWith(name, "success");
    if (!fail && !pass) continue;
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
