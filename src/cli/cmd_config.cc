// `vigil config PATH...`: argument parsing and output only; the checks are config::ScanPaths.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <optional>
#include <set>

#include "base/clock.h"
#include "base/strings.h"
#include "cli/commands.h"
#include "config/policy.h"
#include "config/scan.h"
#include "config/standards.h"
#include "report/ignore.h"
#include "report/writer.h"

namespace vigil::cli {
namespace {

// Scans one user path. Relative paths are scanned inside the working directory so findings
// carry paths relative to it (as SARIF consumers and code review tools expect); absolute
// paths are scanned from "/".
StatusOr<report::Report> ScanOne(const std::string& path, const config::ScanOptions& options) {
  bool absolute = !path.empty() && path[0] == '/';
  std::string root = absolute ? "/" : std::filesystem::current_path().string();
  RealFileSystem fs(root);
  VIGIL_ASSIGN_OR_RETURN(report::Report r,
                         config::ScanPaths(fs, {absolute ? path : "/" + path}, options));
  if (!absolute) {
    for (report::Finding& f : r.findings) {
      if (StartsWith(f.location.path, "/")) f.location.path.erase(0, 1);
    }
    for (std::string& w : r.warnings) {
      if (StartsWith(w, "/")) w.erase(0, 1);
    }
  }
  return r;
}

}  // namespace

int RunConfigScan(const ConfigScanArgs& s, const CommonFlags& flags) {
  auto format = report::ParseFormat(flags.format);
  if (!format.ok() || *format == report::Format::kCycloneDx || *format == report::Format::kSpdx) {
    std::fprintf(stderr, "vigil: config: unknown --format '%s' (table, json, sarif, junit, html)\n",
                 flags.format.c_str());
    return kExitUsage;
  }
  auto counted = CountedSeverities(flags);
  if (!counted.ok()) {
    std::fprintf(stderr, "vigil: %s\n", counted.status().message().c_str());
    return kExitUsage;
  }
  config::ScanOptions options;
  options.k8s_version = s.k8s_version;
  // --policy FILE|DIR: custom checks compiled once into their own registry, run after the
  // built-in ones. A policy that cannot be used is a usage error naming FILE:LINE.
  config::PolicySet policies;
  RealFileSystem host_fs("/");
  for (const std::string& p : s.policies) {
    std::string abs = std::filesystem::absolute(p).lexically_normal().string();
    Status added = policies.AddPath(host_fs, abs);
    if (!added.ok()) {
      std::fprintf(stderr, "vigil: config: --policy: %s\n", added.message().c_str());
      return kExitUsage;
    }
  }
  if (policies.size() > 0) options.custom = &policies.registry();
  // --ignorefile FILE (default ./.trivyignore when present, as for `vigil image`).
  std::optional<report::IgnoreRules> ignore_rules;
  std::string ignorefile = s.ignorefile;
  if (ignorefile.empty() && ::access(".trivyignore", F_OK) == 0) ignorefile = ".trivyignore";
  if (!ignorefile.empty()) {
    auto rules = report::LoadIgnoreFile(ignorefile, Clock::Real());
    if (!rules.ok()) {
      std::fprintf(stderr, "vigil: config: --ignorefile: %s\n", rules.status().message().c_str());
      return kExitUsage;
    }
    ignore_rules = std::move(*rules);
    options.ignore = &*ignore_rules;
  }
  // --standard: a built-in id, a control prefix of the checks ("acme") or a framework FILE;
  // each becomes one audit section, and only the checks its controls need run.
  auto builtin_registry = config::BuiltinRegistry();
  if (!builtin_registry.ok()) return Fail(builtin_registry.status());
  std::vector<const config::CheckInfo*> check_infos =
      config::CheckInfos({*builtin_registry, options.custom});
  std::vector<config::Framework> frameworks;
  for (const std::string& arg : s.standards) {
    auto fw = config::ResolveStandard(arg, check_infos);
    if (!fw.ok()) {
      std::fprintf(stderr, "vigil: config: --standard: %s\n", fw.status().message().c_str());
      return kExitUsage;
    }
    for (const config::Framework& other : frameworks) {
      if (other.id == fw->id) {
        std::fprintf(stderr, "vigil: config: --standard: standard \"%s\" given twice\n",
                     fw->id.c_str());
        return kExitUsage;
      }
    }
    if (!config::IsFrameworkPath(arg)) options.standards.push_back(arg);
    for (std::string& id : config::FrameworkChecks(*fw, check_infos)) {
      options.standard_checks.push_back(std::move(id));
    }
    frameworks.push_back(std::move(*fw));
  }
  if (!frameworks.empty() && options.standards.empty() && options.standard_checks.empty()) {
    // Only manual controls were asked for: run no check (an id no check has), not all.
    options.standard_checks.push_back("");
  }
  std::set<std::string> scanned_kinds;
  options.scanned_kinds = &scanned_kinds;
  for (std::string_view id : Split(s.ignore, ',', true)) options.ignore_ids.emplace_back(Trim(id));

  report::Report merged;
  merged.target_kind = "config";
  std::vector<std::string> targets;
  for (const std::string& path : s.paths) {
    auto r = ScanOne(path, options);
    if (!r.ok()) {
      // Only invalid options fail ScanPaths (bad --k8s-version or --standard).
      std::fprintf(stderr, "vigil: config: %s\n", r.status().message().c_str());
      return IsInvalidArgument(r.status()) ? kExitUsage : kExitRuntime;
    }
    targets.push_back(path);
    for (auto& f : r->findings) merged.findings.push_back(std::move(f));
    for (auto& w : r->warnings) merged.warnings.push_back(std::move(w));
    merged.input_errors += r->input_errors;
  }
  if (ignore_rules) {
    for (const std::string& w : ignore_rules->warnings) merged.warnings.push_back(w);
  }
  merged.target = Join(targets, ",");
  merged.tool_version = VIGIL_VERSION;
  merged.created_at = FormatRfc3339(Clock::Real().Now());
  // The audit sees every finding: --severity narrows the listing, not the controls' status.
  for (const config::Framework& fw : frameworks) {
    merged.compliance.push_back(config::Audit(fw, check_infos, merged.findings, scanned_kinds));
  }
  FilterBySeverity(merged, *counted);
  report::SortFindings(merged.findings);
  for (const std::string& w : merged.warnings) {
    if (!flags.quiet) std::fprintf(stderr, "vigil: warning: %s\n", w.c_str());
  }
  report::WriteOptions wopts;
  wopts.color = UseColor(flags);
  Status written = WriteOutput(
      flags, [&](std::ostream& out) { return report::WriteReport(merged, *format, out, wopts); });
  if (!written.ok()) return Fail(written);
  if (merged.input_errors > 0) {
    std::fprintf(stderr, "vigil: config: %d file(s) could not be read or parsed (see warnings)\n",
                 merged.input_errors);
    return kExitRuntime;
  }
  return GateExitCode(flags, merged);
}

Command RegisterConfig(CLI::App& root, CommonFlags& flags) {
  auto* cmd = root.add_subcommand(
      "config",
      "Check configuration files for misconfigurations and audit them against standards: "
      "Kubernetes manifests, kubelet and control-plane configuration, Dockerfiles, compose "
      "files, the Docker daemon (daemon.json, dockerd flags) and container inspect JSON");
  auto state = std::make_shared<ConfigScanArgs>();
  cmd->add_option("PATH", state->paths, "Files or directories (walked; types detected)")
      ->required();
  cmd->add_option("--k8s-version", state->k8s_version,
                  "Pod Security Standards policy version (1.N or latest)")
      ->capture_default_str();
  cmd->add_option("--standard", state->standards,
                  "Audit against a standard (repeatable): pss-baseline, pss-restricted, cis-k8s, "
                  "cis-docker, nsa, or a framework FILE (.yaml); only its checks run and the "
                  "report gets a scored section per standard");
  cmd->add_option("--ignore", state->ignore,
                  "Check ids to suppress, comma-separated (kept in the report as suppressed)");
  cmd->add_option(
      "--policy", state->policies,
      "Custom policy FILE or DIR of *.yaml (repeatable): the organisation's own checks, "
      "run with the built-in ones (docs/config.md \"Custom policies\")");
  cmd->add_option("--ignorefile", state->ignorefile,
                  "Ignore file: .trivyignore text or .trivyignore.yaml (misconfigurations keyed "
                  "by id + resources/paths globs); default ./.trivyignore when it exists");
  AddCommonFlags(cmd, &flags, kFormatFlags | kGateFlags, "table, json, sarif, junit, html");
  return {cmd, [state, &flags]() { return RunConfigScan(*state, flags); }};
}

}  // namespace vigil::cli
