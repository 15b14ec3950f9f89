// KICS docker-compose queries (../shared/corpora/kics-compose) run through the VGL-DC-*
// checks. For every mapped query each positive must be flagged at every expected line and
// every negative must be clean; mappings whose semantics differ are listed with the reason
// and reported, not asserted. Prints the coverage table. Skips when the corpora are absent.
//
// Line convention: for list-valued keys (ports) KICS reports the key and Vigil the offending
// entry; a mapping marked `entry_of_key` accepts a finding on any line of the block the
// expected key opens.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "base/fs.h"
#include "base/strings.h"
#include "base/test_paths.h"
#include "config/scan.h"

namespace vigil::config {
namespace {

namespace stdfs = std::filesystem;

struct Mapping {
  std::string query;    // KICS query directory
  std::string ids;      // comma-separated Vigil check ids; "" = not implemented
  std::string differs;  // why the semantics differ ("" = must agree); for "" ids: why skipped
  bool entry_of_key = false;
};

const std::vector<Mapping>& Mappings() {
  static const std::vector<Mapping> kMappings = {
      {"cgroup_not_default", "VGL-DC-027", ""},
      {"container_capabilities_unrestricted", "VGL-DC-002,VGL-DC-003", "", true},
      {"container_traffic_not_bound_to_host_interface", "VGL-DC-011", "", true},
      {"cpus_not_limited", "VGL-DC-019",
       "positive3 (deploy: with no value) is expected at both the service and the deploy line; "
       "Vigil reports one finding, at the deepest key present (deploy)"},
      {"default_seccomp_profile_disabled", "VGL-DC-013",
       "positive1 writes label:seccomp:unconfined, which Docker parses as an (invalid) SELinux "
       "label option, not a seccomp setting; Vigil only reads seccomp options"},
      {"docker_socket_mounted_in_container", "VGL-DC-009", ""},
      {"healthcheck_not_set", "VGL-DC-024", ""},
      {"host_namespace_is_shared", "VGL-DC-005", ""},
      {"memory_not_limited", "VGL-DC-018",
       "positive3 (deploy: with no value) is expected at both the service and the deploy line; "
       "Vigil reports one finding, at the deepest key present (deploy)"},
      {"no_new_privileges_not_set", "VGL-DC-015", ""},
      {"pids_limit_not_set", "VGL-DC-020", ""},
      {"privileged_containers_enabled", "VGL-DC-001", ""},
      {"privileged_ports_mapped_in_container", "VGL-DC-012",
       "KICS also flags container ports below 1024 published on unprivileged (or ephemeral) "
       "host ports (\"7000:80\", \"80\"); CIS 5.8 and Vigil concern the host port only",
       true},
      {"restart_policy_on_failure_not_set_to_5", "VGL-DC-021",
       "KICS requires exactly 5 retries (positive2 has on-failure:3); Vigil, like CIS 5.15's "
       "audit, flags unbounded or more than 5 retries"},
      {"security_opt_not_set", "VGL-DC-015",
       "KICS only asks for a security_opt key (its negative has just apparmor:unconfined); "
       "Vigil asks for no-new-privileges:true in it"},
      {"shared_host_ipc_namespace", "VGL-DC-006", ""},
      {"shared_host_network_namespace", "VGL-DC-004", ""},
      {"shared_host_user_namespace", "VGL-DC-008", ""},
      {"shared_volumes_between_containers", "",
       "not implemented: sharing a named volume or directory is how compose services exchange "
       "data by design (KICS rates it INFO); no CIS control"},
      {"volume_has_sensitive_host_directory", "VGL-DC-010",
       "positive1 is an anonymous volume (\"/var/lib/backup/data\" is the container path, no "
       "host directory is mounted); KICS reads it as a host path. positive3 has no services "
       "(only top-level volumes), so under that name it is not recognised as a compose file; "
       "named docker-compose.yml its volume is flagged"},
      {"volume_mounted_in_multiple_containers", "VGL-DC-028",
       "KICS also flags slave/rslave propagation (host mounts propagate into the container); "
       "CIS 5.20 and Vigil flag shared/rshared (container mounts propagate to the host)"},
  };
  return kMappings;
}

std::string CorporaDir() { return test_paths::SharedDir() + "/corpora"; }

std::vector<std::string> FileLines(const stdfs::path& file) {
  std::vector<std::string> lines;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

size_t Indent(const std::string& line) {
  size_t n = 0;
  while (n < line.size() && line[n] == ' ') ++n;
  return n;
}

// True when 1-based `line` lies in the block the key on line `key_line` opens.
bool InBlock(const std::vector<std::string>& lines, int key_line, int line) {
  if (key_line < 1 || line <= key_line || line > static_cast<int>(lines.size())) return false;
  size_t key_indent = Indent(lines[key_line - 1]);
  for (int i = key_line + 1; i <= line; ++i) {
    const std::string& l = lines[i - 1];
    if (Trim(l).empty()) continue;
    if (Indent(l) <= key_indent) return false;
  }
  return true;
}

struct Outcome {
  int files = 0;
  std::vector<std::string> problems;
};

Outcome RunQuery(const stdfs::path& root, const Mapping& m) {
  Outcome o;
  stdfs::path test = root / m.query / "test";
  std::map<std::string, std::set<int>> expected;
  std::ifstream in(test / "positive_expected_result.json");
  auto j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_array()) {
    o.problems.push_back("cannot parse positive_expected_result.json");
    return o;
  }
  for (const auto& e : j) {
    std::string file = e.value("fileName", e.value("filename", ""));
    if (file.empty()) file = "positive.yaml";
    expected[file].insert(e.value("line", 0));
  }
  std::set<std::string> wanted;
  for (auto id : Split(m.ids, ',', true)) wanted.insert(std::string(Trim(id)));
  auto reg = BuiltinRegistry();
  std::vector<stdfs::path> files;
  for (const auto& e : stdfs::directory_iterator(test)) {
    std::string name = e.path().filename().string();
    if (e.is_regular_file() && (EndsWith(name, ".yaml") || EndsWith(name, ".yml"))) {
      files.push_back(e.path());
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    std::string name = file.filename().string();
    auto text = ReadHostFile(file.string());
    if (!text.ok()) {
      o.problems.push_back(name + ": " + text.status().ToString());
      continue;
    }
    ++o.files;
    report::Report report;
    // The fixtures are named positiveN.yaml: scan them as compose files (by content).
    ScanText(**reg, file.string(), *text, ScanOptions{}, K8sVersion{}, &report);
    std::multiset<int> got;
    for (const auto& f : report.findings) {
      if (wanted.count(f.id)) got.insert(f.location.line);
    }
    if (StartsWith(name, "negative")) {
      if (!got.empty()) {
        o.problems.push_back(name + ": flagged at line " + std::to_string(*got.begin()));
      }
      continue;
    }
    std::vector<std::string> lines = FileLines(file);
    for (int line : expected[name]) {
      bool found = got.count(line) > 0;
      if (!found && m.entry_of_key) {
        for (int g : got) found = found || InBlock(lines, line, g);
      }
      if (!found) {
        o.problems.push_back(name + ": missed line " + std::to_string(line) +
                             (report.warnings.empty() ? "" : " (" + report.warnings[0] + ")"));
      }
    }
  }
  return o;
}

TEST(ComposeCorpus, KicsQueries) {
  stdfs::path root = stdfs::path(CorporaDir()) / "kics-compose";
  if (!stdfs::is_directory(root)) {
    GTEST_SKIP() << "KICS compose corpus not found at " << root
                 << " (../shared/corpora is optional)";
  }
  ASSERT_TRUE(BuiltinRegistry().ok());
  std::set<std::string> listed;
  int mapped = 0, agreeing = 0;
  for (const auto& m : Mappings()) {
    listed.insert(m.query);
    if (m.ids.empty()) {
      std::cout << "skip    " << m.query << ": " << m.differs << "\n";
      continue;
    }
    ++mapped;
    Outcome o = RunQuery(root, m);
    std::cout << (o.problems.empty() ? "agree   " : "DIFFER  ") << m.query << " -> " << m.ids
              << " (" << o.files << " files)\n";
    for (const auto& p : o.problems) std::cout << "          " << p << "\n";
    if (!m.differs.empty()) std::cout << "          known difference: " << m.differs << "\n";
    if (o.problems.empty()) ++agreeing;
    EXPECT_GT(o.files, 0) << m.query << ": no fixtures";
    if (m.differs.empty()) {
      EXPECT_TRUE(o.problems.empty()) << m.query << " -> " << m.ids;
    }
  }
  size_t total = 0;
  for (const auto& e : stdfs::directory_iterator(root)) {
    if (!e.is_directory()) continue;
    ++total;
    EXPECT_TRUE(listed.count(e.path().filename().string()))
        << "KICS compose query without a mapping or a reason: " << e.path().filename();
  }
  std::cout << "\ncoverage (KICS docker-compose queries with a Vigil equivalent)\n"
            << "  mapped:   " << mapped << " / " << total << "\n"
            << "  agreeing on every fixture: " << agreeing << " / " << mapped << "\n";
}

}  // namespace
}  // namespace vigil::config
