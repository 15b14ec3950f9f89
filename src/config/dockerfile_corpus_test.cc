// KICS Dockerfile queries (../shared/corpora/kics-dockerfile) run through the VGL-DF-*
// checks. For every mapped query: each positive*.dockerfile must be flagged at exactly the
// lines positive_expected_result.json lists (compared as sets of lines: KICS repeats a line
// once per package), each negative*.dockerfile must be clean. Mappings whose KICS semantics
// differ are listed with the reason and reported, not asserted. Unmapped queries are listed
// with why. Prints the coverage table (N/48). Skips when the corpora are absent.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
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

struct Mapping {
  std::string query;
  std::string ids;  // comma-separated Vigil check ids
  // Empty: must agree on every fixture. Otherwise why the semantics differ (reported only).
  std::string differs;
};

const std::vector<Mapping>& Mappings() {
  static const std::vector<Mapping> kMappings = {
      {"missing_user_instruction", "VGL-DF-001",
       "KICS exempts a final FROM scratch stage; a scratch image without USER still runs as uid 0, "
       "so Vigil flags it"},
      {"last_user_is_root", "VGL-DF-002", ""},
      {"image_version_using_latest", "VGL-DF-003", ""},
      {"image_version_not_explicit", "VGL-DF-004", ""},
      {"add_instead_of_copy", "VGL-DF-005", ""},
      {"curl_or_wget_instead_of_add", "VGL-DF-006", ""},
      {"apt_get_missing_flags_to_avoid_manual_input", "VGL-DF-007", ""},
      {"apt_get_not_avoiding_additional_packages", "VGL-DF-008", ""},
      {"apt_get_install_lists_were_not_deleted", "VGL-DF-009",
       "KICS accepts apt-get clean, which empties /var/cache/apt/archives but leaves "
       "/var/lib/apt/lists in the layer; Vigil requires the lists removed (or a cache mount), as "
       "hadolint DL3009 does"},
      {"apt_get_install_pin_version_not_defined", "VGL-DF-010",
       "KICS flags `apt-get install -y -t python`; -t takes the target release as its value, so "
       "that command installs no package and there is nothing to pin"},
      {"apk_add_using_local_cache_path", "VGL-DF-011", ""},
      {"unpinned_package_version_in_apk_add", "VGL-DF-012", ""},
      {"unpinned_package_version_in_pip_install", "VGL-DF-013", ""},
      {"pip_install_keeping_cached_packages", "VGL-DF-014", ""},
      {"npm_install_without_pinned_version", "VGL-DF-015", ""},
      {"gem_install_without_version", "VGL-DF-016", ""},
      {"run_using_sudo", "VGL-DF-018", ""},
      {"exposing_port_22", "VGL-DF-020", ""},
      {"healthcheck_instruction_missing", "VGL-DF-021", ""},
      {"multiple_cmd_instructions_listed", "VGL-DF-022", ""},
      {"multiple_entrypoint_instructions_listed", "VGL-DF-023", ""},
      {"maintainer_instruction_being_used", "VGL-DF-025", ""},
      {"workdir_path_not_absolute", "VGL-DF-026", ""},
      {"copy_from_references_current_from_alias", "VGL-DF-027", ""},
      {"run_command_cd_instead_of_workdir", "VGL-DF-029", ""},
      {"update_instruction_alone", "VGL-DF-030", ""},
      {"yum_install_allows_manual_input", "VGL-DF-031",
       "KICS reads the exec form [\"sudo yum\", \"install\", ...] as yum; exec form runs a program "
       "literally named \"sudo yum\", which does not exist"},
      {"yum_clean_all_missing", "VGL-DF-032",
       "the KICS fixtures join `yum install \\` and `yum clean all` into one command (installing "
       "packages named yum, clean and all) and flag `yum clean all yum -y install`; Vigil reads "
       "the shell commands as written"},
      {"yum_install_without_version", "VGL-DF-033", ""},
      {"missing_flag_from_dnf_install", "VGL-DF-034", ""},
      {"missing_dnf_clean_all", "VGL-DF-035",
       "KICS passes `dnf install -vy docker-ce` without any clean in its negative fixture; Vigil "
       "flags it"},
      {"missing_version_specification_in_dnf_install", "VGL-DF-036", ""},
      {"missing_zypper_non_interactive_switch", "VGL-DF-037",
       "KICS passes `zypper install httpd` (no -n/-y) in its negative fixture; Vigil flags it"},
      {"missing_zypper_clean", "VGL-DF-038",
       "KICS's positive fixture flags a bare `zypper install` that its negative2 fixture passes; "
       "an install naming no package installs nothing, and Vigil passes it"},
      {"zypper_install_without_version", "VGL-DF-039", ""},
      {"not_using_json_in_cmd_and_entrypoint_arguments", "VGL-DF-040", ""},
      {"run_using_apt", "VGL-DF-041", ""},
      {"same_alias_in_different_froms", "VGL-DF-042", ""},
      {"copy_with_more_than_two_arguments_not_ending_with_slash", "VGL-DF-043", ""},
      {"unix_ports_out_of_range", "VGL-DF-044", ""},
      {"shell_running_a_pipe_without_pipefail_flag", "VGL-DF-045",
       "KICS flags the exec form [\"/bin/bash\", \"a\", \"|\", \"b\"] (no shell interprets \"|\" "
       "there) and exempts `RUN pwsh a | b`, which /bin/sh still runs as a pipe"},
      {"changing_default_shell_using_run_command", "VGL-DF-046",
       "KICS flags `RUN powershell -command`, which runs PowerShell once without replacing "
       "/bin/sh; Vigil flags only relinking /bin/sh"},
      {"chown_flag_exists", "VGL-DF-047", ""},
  };
  return kMappings;
}

// KICS queries without a Vigil equivalent, and why.
const std::map<std::string, std::string>& Unmapped() {
  static const std::map<std::string, std::string> kUnmapped = {
      {"multiple_run_add_copy_instructions_listed",
       "layer count is image hygiene, not a security risk"},
      {"run_using_wget_and_curl", "having both tools is size hygiene, not a security risk"},
      {"run_utilities_and_posix_commands",
       "interactive tools (vim, ps, top...) in RUN are not a risk of the image"},
      {"using_platform_with_from", "--platform is how multi-arch builds are written; not a risk"},
      {"using_unnamed_build_stages", "COPY --from=<index> is fragile but not a risk"},
  };
  return kUnmapped;
}

std::string CorpusRoot() { return test_paths::SharedDir() + "/corpora/kics-dockerfile"; }

std::set<int> Flagged(const CheckRegistry& reg, const stdfs::path& file, const std::string& ids,
                      std::vector<std::string>* warnings) {
  auto text = ReadHostFile(file.string());
  std::set<int> lines;
  if (!text.ok()) {
    warnings->push_back(text.status().message());
    return lines;
  }
  report::Report report;
  ScanText(reg, file.string(), *text, ScanOptions{}, K8sVersion{}, &report);
  for (const auto& w : report.warnings) warnings->push_back(w);
  std::vector<std::string> wanted;
  for (auto id : Split(ids, ',')) wanted.emplace_back(id);
  for (const auto& f : report.findings) {
    for (const auto& id : wanted) {
      if (f.id == id) lines.insert(f.location.line);
    }
  }
  return lines;
}

std::string Lines(const std::set<int>& s) {
  std::string out;
  for (int l : s) out += (out.empty() ? "" : ",") + std::to_string(l);
  return "{" + out + "}";
}

TEST(DockerfileCorpus, KicsQueries) {
  stdfs::path root = CorpusRoot();
  if (!stdfs::is_directory(root)) {
    GTEST_SKIP() << "KICS Dockerfile corpus not found at " << root
                 << " (../shared/corpora is optional)";
  }
  auto reg = BuiltinRegistry();
  ASSERT_TRUE(reg.ok()) << reg.status();
  std::set<std::string> queries;
  for (const auto& e : stdfs::directory_iterator(root)) {
    if (e.is_directory()) queries.insert(e.path().filename().string());
  }
  int agree = 0;
  int mapped = 0;
  std::cout << "| KICS query | Vigil | result |\n|---|---|---|\n";
  for (const Mapping& m : Mappings()) {
    SCOPED_TRACE(m.query);
    ASSERT_TRUE(queries.count(m.query)) << "unknown KICS query " << m.query;
    for (auto id : Split(m.ids, ',')) {
      ASSERT_NE((*reg)->Find(id), nullptr) << "no check " << id;
    }
    ++mapped;
    stdfs::path test = root / m.query / "test";
    auto expected_json = ReadHostFile((test / "positive_expected_result.json").string());
    ASSERT_TRUE(expected_json.ok()) << expected_json.status();
    nlohmann::json expected = nlohmann::json::parse(*expected_json, nullptr, false);
    ASSERT_FALSE(expected.is_discarded());
    std::vector<stdfs::path> positives, negatives;
    for (const auto& e : stdfs::directory_iterator(test)) {
      std::string name = e.path().filename().string();
      if (!EndsWith(name, ".dockerfile")) continue;
      (StartsWith(name, "positive") ? positives : negatives).push_back(e.path());
    }
    std::map<std::string, std::set<int>> want;
    for (const auto& r : expected) {
      std::string file = r.value("filename", r.value("fileName", ""));
      if (file.empty() && positives.size() == 1) file = positives[0].filename().string();
      want[file].insert(r.value("line", 0));
    }
    std::vector<std::string> problems;
    std::vector<std::string> warnings;
    for (const auto& p : positives) {
      std::string name = p.filename().string();
      std::set<int> got = Flagged(**reg, p, m.ids, &warnings);
      if (got != want[name]) {
        problems.push_back(name + ": expected lines " + Lines(want[name]) + ", got " + Lines(got));
      }
    }
    for (const auto& n : negatives) {
      std::set<int> got = Flagged(**reg, n, m.ids, &warnings);
      if (!got.empty()) {
        problems.push_back(n.filename().string() + ": negative flagged at " + Lines(got));
      }
    }
    EXPECT_TRUE(warnings.empty()) << warnings[0];
    bool ok = problems.empty();
    if (ok) ++agree;
    std::cout << "| " << m.query << " | " << m.ids << " | "
              << (ok ? "agrees" : "differs: " + (m.differs.empty() ? "?" : m.differs)) << " |\n";
    for (const auto& p : problems) std::cout << "|  |  | " << p << " |\n";
    if (m.differs.empty()) {
      EXPECT_TRUE(ok) << m.query << " (" << m.ids << "): " << Join(problems, "; ");
    }
  }
  for (const auto& [query, why] : Unmapped()) {
    EXPECT_TRUE(queries.count(query)) << "unknown KICS query " << query;
    std::cout << "| " << query << " | - | not implemented: " << why << " |\n";
  }
  for (const auto& q : queries) {
    bool known = Unmapped().count(q) > 0;
    for (const auto& m : Mappings()) known = known || m.query == q;
    EXPECT_TRUE(known) << "KICS query neither mapped nor listed as unmapped: " << q;
  }
  std::cout << "KICS Dockerfile coverage: " << mapped << "/" << queries.size()
            << " queries implemented, " << agree << "/" << mapped << " agree on every fixture\n";
}

}  // namespace
}  // namespace vigil::config
