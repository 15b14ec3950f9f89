// `vigil image`, `vigil fs`, `vigil sbom`: argument parsing and output only; the pipeline is
// scan::LoadImageTarget / scan::Inventory -> match::MatchSbom (vuln), config checks
// (misconfig), scan::ScanImageContent / ScanDirectoryContent (secret and malware in one walk)
// -> report::ApplyVex / ApplyIgnoreRules -> severity filter -> writer -> exit-code gate.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>

#include "base/clock.h"
#include "base/fs.h"
#include "base/strings.h"
#include "cli/commands.h"
#include "config/image_config.h"
#include "config/scan.h"
#include "fmt/format.h"
#include "image/containers_storage.h"
#include "malware/scanner.h"
#include "match/matcher.h"
#include "nlohmann/json.hpp"
#include "report/ignore.h"
#include "report/json.h"
#include "report/vex.h"
#include "report/writer.h"
#include "scan/content.h"
#include "scan/target.h"
#include "secrets/rules.h"
#include "vulndb/db.h"

namespace vigil::cli {
namespace {

struct ImageFlags {
  std::string platform = "linux/amd64";
  bool insecure = false;
  std::string cacert;
  std::string username;
  std::string password;
  std::string docker_config;
  bool no_cache = false;
  std::string storage_root;
};

void AddImageFlags(CLI::App* cmd, ImageFlags* f) {
  cmd->add_option("--platform", f->platform,
                  "Platform to select from a multi-platform image (OS/ARCH[/VARIANT])")
      ->capture_default_str();
  cmd->add_flag("--insecure", f->insecure,
                "Allow plain HTTP and unverified TLS for the registry (loopback registries "
                "use HTTP without this flag)");
  cmd->add_option("--cacert", f->cacert, "PEM CA bundle to verify the registry with");
  cmd->add_option("--username", f->username, "Registry user name (env VIGIL_USERNAME)")
      ->envname("VIGIL_USERNAME");
  cmd->add_option("--password", f->password, "Registry password or token (env VIGIL_PASSWORD)")
      ->envname("VIGIL_PASSWORD");
  cmd->add_option("--docker-config", f->docker_config,
                  "Docker client config with credentials (default $DOCKER_CONFIG/config.json "
                  "or ~/.docker/config.json)");
  cmd->add_flag("--no-cache", f->no_cache, "Neither read nor write the per-layer cache");
  cmd->add_option("--storage-root", f->storage_root,
                  "containers-storage root for containers-storage: references (podman --root); "
                  "default /var/lib/containers/storage");
}

// Flag storage of one subcommand; shared with its runner so CLI11's pointers stay valid.
struct ImageCommandState {
  std::string ref;
  std::string format;
  bool running = false;
  ImageFlags image;
};

// Draws "layer i/n" progress on stderr; erased when loading ends.
class ProgressLine {
 public:
  explicit ProgressLine(bool enabled) : enabled_(enabled) {}
  ~ProgressLine() { Clear(); }
  void Update(const image::LoadProgress& p) {
    if (!enabled_) return;
    std::string what = p.from_cache ? "cached" : fmt::format("{:.1f} MiB", p.bytes / 1048576.0);
    if (p.total_bytes > 0 && !p.from_cache) {
      what += fmt::format(" / {:.1f} MiB", p.total_bytes / 1048576.0);
    }
    std::fprintf(stderr, "\r\033[Klayer %zu/%zu  %s", p.layer + 1, p.layer_count, what.c_str());
    std::fflush(stderr);
    drawn_ = true;
  }
  void Clear() {
    if (drawn_) std::fprintf(stderr, "\r\033[K");
    drawn_ = false;
  }

 private:
  bool enabled_;
  bool drawn_ = false;
};

StatusOr<scan::TargetOptions> MakeTargetOptions(const CommonFlags& common, const ImageFlags& f) {
  scan::TargetOptions opts;
  opts.cache_dir = ResolveCacheDir(common);
  opts.use_cache = !f.no_cache;
  auto platform = image::Platform::Parse(f.platform);
  if (!platform.ok()) return Annotate(platform.status(), "--platform");
  opts.platform = *platform;
  opts.registry.insecure = f.insecure;
  opts.registry.cacert = f.cacert;
  opts.registry.username = f.username;
  opts.registry.password = f.password;
  opts.registry.docker_config_path = f.docker_config;
  opts.storage_root = f.storage_root;
  return opts;
}

// A host directory scanned as a tree is opened by absolute path: a relative root makes
// every lookup inside it fail ("/: No such file or directory").
std::string AbsolutePath(const std::string& path) {
  std::error_code ec;
  auto abs = std::filesystem::absolute(path, ec);
  return ec ? path : abs.lexically_normal().string();
}

// The names in a --scanners list, trimmed.
std::vector<std::string_view> ScannerNames(std::string_view list) {
  std::vector<std::string_view> names = Split(list, ',', true);
  for (auto& name : names) name = Trim(name);
  return names;
}

// Vulnerability-scan flags of `image` and `fs` (Trivy's spellings).
struct VulnFlags {
  bool ignore_unfixed = false;
  std::string ignorefile;
  std::vector<std::string> vex;
  std::string db;
};

void AddVulnFlags(CLI::App* cmd, VulnFlags* f) {
  cmd->add_flag("--ignore-unfixed", f->ignore_unfixed,
                "Report only vulnerabilities that have a fixed version");
  cmd->add_option("--ignorefile", f->ignorefile,
                  "Ignore file: .trivyignore text (ids, optional exp:YYYY-MM-DD) or "
                  ".trivyignore.yaml; default ./.trivyignore when it exists");
  cmd->add_option("--vex", f->vex,
                  "OpenVEX document whose not_affected/fixed statements suppress findings "
                  "(repeatable)");
  cmd->add_option("--db", f->db,
                  "Vulnerability database (default <cache-dir>/db/vigil.db; make one with "
                  "`vigil db update` or `vigil db build`)");
}

// Flag storage of `image` / `fs`; shared with the runner so CLI11's pointers stay valid.
struct ScanCommandState {
  std::string ref;  // image REF or fs PATH
  bool running = false;
  bool filesystem = false;  // `vigil fs`
  ImageFlags image;
  VulnFlags vuln;
  std::vector<std::string> malware_rules;  // --malware-rules FILE|DIR (repeatable)
  std::string secret_config;               // --secret-config FILE
  bool secret_keep_reranked = false;       // --secret-keep-reranked
  CLI::Option* scanners = nullptr;
};

// The content scanners' flags of `image` and `fs`.
void AddContentFlags(CLI::App* cmd, ScanCommandState* s) {
  cmd->add_option("--malware-rules", s->malware_rules,
                  "YARA rule file, or a directory of .yar/.yara files, added to the bundled "
                  "malware rules (repeatable)");
  cmd->add_option("--secret-config", s->secret_config,
                  "Secret rules file (vigil TOML or a gitleaks configuration) added to the "
                  "built-in rules; a rule with a built-in id replaces it (docs/secrets.md)");
  cmd->add_flag("--secret-keep-reranked", s->secret_keep_reranked,
                "Also report the generic rules' candidates the re-ranker scores below its "
                "threshold, with status \"suppressed\" and their score (to review what the "
                "re-ranker drops; docs/secrets.md \"Ranking\")");
}

// What --scanners asks for.
struct ScannerPlan {
  bool vuln = false;
  bool misconfig = false;
  bool secret = false;
  bool malware = false;  // YARA over every file, then the tampering/persistence heuristics
};

// Unknown names and an empty list are usage errors.
StatusOr<ScannerPlan> PlanScanners(const std::string& list) {
  ScannerPlan plan;
  for (std::string_view s : ScannerNames(list)) {
    if (s == "vuln") {
      plan.vuln = true;
    } else if (s == "misconfig") {
      // fs: the configuration files in the tree; image: the image's own configuration.
      plan.misconfig = true;
    } else if (s == "secret") {
      plan.secret = true;
    } else if (s == "malware") {
      plan.malware = true;
    } else {
      return InvalidArgumentError(
          fmt::format("--scanners: unknown scanner '{}' (vuln, secret, malware, misconfig)", s));
    }
  }
  if (!plan.vuln && !plan.misconfig && !plan.secret && !plan.malware) {
    return InvalidArgumentError("--scanners: empty list");
  }
  return plan;
}

// Findings of `sub` appended to `into` with their warnings and input errors.
void Merge(report::Report& into, report::Report&& sub) {
  for (auto& f : sub.findings) into.findings.push_back(std::move(f));
  for (auto& w : sub.warnings) into.warnings.push_back(std::move(w));
  into.input_errors += sub.input_errors;
}

// A stored SBOM for `vigil image sbom:FILE`: vigil.sbom/v1 or CycloneDX JSON, by content.
StatusOr<report::Sbom> ReadStoredSbom(const std::string& path) {
  constexpr uint64_t kMaxSbomBytes = 512ull << 20;
  VIGIL_ASSIGN_OR_RETURN(std::string text, ReadHostFile(path, kMaxSbomBytes));
  nlohmann::json probe = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (probe.is_discarded() || !probe.is_object()) {
    return InvalidArgumentError(path + ": not a JSON SBOM (want vigil.sbom/v1 or CycloneDX JSON)");
  }
  const nlohmann::json& cprobe = probe;
  auto bom_format = cprobe.find("bomFormat");
  auto schema = cprobe.find("schema");
  StatusOr<report::Sbom> sbom = InvalidArgumentError("");
  auto is = [&probe](const nlohmann::json::const_iterator& it, std::string_view want) {
    return it != probe.cend() && it->is_string() && it->get<std::string>() == want;
  };
  if (is(bom_format, "CycloneDX")) {
    sbom = report::SbomFromCycloneDx(text);
  } else if (is(schema, report::kSbomSchema)) {
    sbom = report::SbomFromJson(text);
  } else if (probe.contains("spdxVersion")) {
    return InvalidArgumentError(path +
                                ": SPDX documents cannot be matched again (no ecosystem or "
                                "source package data); store the SBOM as cyclonedx or json");
  } else {
    return InvalidArgumentError(path + ": not a vigil.sbom/v1 or CycloneDX JSON document");
  }
  if (!sbom.ok()) return Annotate(sbom.status(), path);
  return sbom;
}

// Ratings with scores for the CycloneDX output: the advisory's own CVSS vector (looked up
// by the finding's package) and NVD's, for every id of the finding.
std::map<std::string, std::vector<report::Rating>> CollectRatings(
    const report::Report& report, const vulndb::AdvisorySource& db) {
  std::map<std::string, std::vector<report::Rating>> out;
  for (const report::Finding& f : report.findings) {
    if (f.kind != report::FindingKind::kVulnerability || out.count(f.id)) continue;
    std::vector<report::Rating> ratings;
    std::set<std::string> ids = {f.id};
    ids.insert(f.aliases.begin(), f.aliases.end());
    if (f.package) {
      auto candidates = db.Lookup(f.package->ecosystem, f.package->name);
      std::set<std::string> seen;
      for (const auto& c : candidates.ok() ? *candidates : std::vector<vulndb::Candidate>{}) {
        const vulndb::Advisory& a = *c.advisory;
        if (!ids.count(a.id) || a.cvss_vector.empty() || !seen.insert(a.id).second) continue;
        ratings.push_back({a.severity_source.empty() ? a.source : a.severity_source, a.severity,
                           a.cvss_score, a.cvss_vector});
      }
    }
    for (const std::string& id : ids) {
      if (!StartsWith(id, "CVE-")) continue;
      auto nvd = db.Severity(id);
      if (nvd.ok() && (nvd->score > 0 || !nvd->vector.empty())) {
        ratings.push_back({nvd->source, nvd->severity, nvd->score, nvd->vector});
      }
    }
    if (!ratings.empty()) out[f.id] = std::move(ratings);
  }
  return out;
}

// Everything a vulnerability scan needs before it looks at a target, loaded up front so a
// bad flag or file fails before any image is pulled.
struct VulnContext {
  std::unique_ptr<vulndb::Database> db;
  std::optional<report::IgnoreRules> ignore;
  std::vector<report::VexDocument> vex;
};

StatusOr<VulnContext> PrepareVuln(const CommonFlags& flags, const VulnFlags& v, bool need_db) {
  VulnContext ctx;
  std::string ignorefile = v.ignorefile;
  if (ignorefile.empty() && ::access(".trivyignore", F_OK) == 0) ignorefile = ".trivyignore";
  if (!ignorefile.empty()) {
    VIGIL_ASSIGN_OR_RETURN(ctx.ignore, report::LoadIgnoreFile(ignorefile, Clock::Real()));
  }
  for (const std::string& path : v.vex) {
    VIGIL_ASSIGN_OR_RETURN(report::VexDocument doc, report::LoadVexFile(path));
    ctx.vex.push_back(std::move(doc));
  }
  if (!need_db) return ctx;
  std::string path = v.db.empty() ? vulndb::DefaultDbPath(ResolveCacheDir(flags)) : v.db;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return NotFoundError(fmt::format(
        "vulnerability database not found at {}: run `vigil db update` to download and build it "
        "(or `vigil db build --from DIR --out {}` from local advisory data), or pass --db FILE",
        path, path));
  }
  auto db = vulndb::Database::Open(path);
  if (!db.ok()) return Annotate(db.status(), "vulnerability database " + path);
  ctx.db = std::move(db).value();
  return ctx;
}

// Matches one inventory into a report (target identity, findings, every warning).
StatusOr<report::Report> MatchInventory(const report::Sbom& sbom, const VulnContext& ctx,
                                        const VulnFlags& v) {
  match::MatchOptions options;
  options.ignore_unfixed = v.ignore_unfixed;
  VIGIL_ASSIGN_OR_RETURN(match::MatchResult result, match::MatchSbom(sbom, *ctx.db, options));
  report::Report r;
  r.target = sbom.target;
  r.target_kind = sbom.target_kind;
  r.artifact_digest = sbom.artifact_digest;
  r.findings = std::move(result.findings);
  r.warnings = sbom.warnings;
  for (auto& w : result.warnings) r.warnings.push_back(std::move(w));
  return r;
}

// The image-configuration checks (user, ENV and history secrets, exposed admin ports,
// healthcheck ...) over REF's config; a rootfs (dir:) has none, which is a warning.
StatusOr<report::Report> ImageConfigReport(const std::string& ref,
                                           const scan::TargetOptions& options) {
  auto config = scan::ResolveImageConfig(ref, options);
  if (!config.ok() && IsFailedPrecondition(config.status())) {
    report::Report r;
    r.warnings.push_back(config.status().message() + "; misconfig not run");
    return r;
  }
  if (!config.ok()) return config.status();
  return config::ScanImageConfig(*config, ref, config::ScanOptions{});
}

// The scanners of the target's file contents, compiled once per run and given to one walk:
// secrets (built-in rules plus --secret-config) and malware (bundled YARA rules plus
// --malware-rules, then the heuristics). A rule file that does not load is an error.
struct ContentScanners {
  std::unique_ptr<secrets::SecretScanner> secrets;
  std::unique_ptr<malware::MalwareScanner> malware;
};

StatusOr<ContentScanners> PrepareContent(const ScanCommandState& s, const ScannerPlan& plan,
                                         const CommonFlags& flags) {
  if (!plan.secret && !s.secret_config.empty()) {
    return InvalidArgumentError("--secret-config given but the secret scanner is not selected");
  }
  if (!plan.secret && s.secret_keep_reranked) {
    return InvalidArgumentError(
        "--secret-keep-reranked given but the secret scanner is not selected");
  }
  if (!plan.malware && !s.malware_rules.empty()) {
    return InvalidArgumentError("--malware-rules given but the malware scanner is not selected");
  }
  ContentScanners c;
  // Targets without files (ContentReport warns): nothing to compile the rules for.
  if (s.running || StartsWith(s.ref, "sbom:")) return c;
  if (plan.secret) {
    secrets::RuleSet rules = secrets::BuiltinRules();
    if (!s.secret_config.empty()) {
      VIGIL_ASSIGN_OR_RETURN(secrets::RuleSet extra, secrets::LoadRuleFile(s.secret_config));
      secrets::MergeRules(std::move(extra), &rules);
    }
    secrets::ScanOptions options;
    options.db_cache_dir = ResolveCacheDir(flags) + "/secrets";
    options.keep_reranked = s.secret_keep_reranked;
    VIGIL_ASSIGN_OR_RETURN(c.secrets, secrets::SecretScanner::Create(rules, options));
  }
  if (plan.malware) {
    malware::MalwareOptions options;
    options.extra_rules = s.malware_rules;
    options.db_cache_dir = ResolveCacheDir(flags) + "/malware";
    VIGIL_ASSIGN_OR_RETURN(c.malware, malware::MalwareScanner::Create(options));
  }
  return c;
}

// Secrets and malware in the target's files: one walk over every layer's own files (deleted
// ones included) or the tree, plus the image config's ENV, labels and history for secrets.
StatusOr<report::Report> ContentReport(const ScanCommandState& s, const ContentScanners& c,
                                       const CommonFlags& flags,
                                       const scan::TargetOptions& options) {
  report::Report r;
  if (s.running || StartsWith(s.ref, "sbom:")) {
    r.warnings.push_back(s.running
                             ? "--running: the secret and malware scanners are not run over "
                               "running images"
                             : "sbom: targets carry no files; secret and malware scanners not run");
    return r;
  }
  scan::ContentScanOptions scan;
  scan.secrets = c.secrets.get();
  scan.malware = c.malware.get();
  scan.heuristics = c.malware != nullptr;
  StatusOr<report::Report> scanned = UnknownError("");
  if (s.filesystem) {
    scanned = scan::ScanDirectoryContent(AbsolutePath(s.ref), scan);
  } else {
    scan::TargetOptions opts = options;
    ProgressLine progress(ShowProgress(flags));
    opts.progress = [&progress](const image::LoadProgress& p) { progress.Update(p); };
    scanned = scan::ScanImageContent(s.ref, opts, scan);
  }
  if (!scanned.ok()) return scanned.status();
  Merge(r, std::move(scanned).value());
  return r;
}

// The misconfiguration scan of `vigil fs PATH` as a report, as `vigil config PATH` runs it
// (relative paths scanned inside the working directory so findings keep relative paths).
StatusOr<report::Report> MisconfigReport(const std::string& path) {
  bool absolute = !path.empty() && path[0] == '/';
  std::string root = absolute ? "/" : std::filesystem::current_path().string();
  RealFileSystem fs(root);
  config::ScanOptions options;
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

// Loads and inventories one image (progress on a terminal; cache warnings on stderr).
StatusOr<report::Sbom> InventoryImage(const std::string& ref, const CommonFlags& flags,
                                      const scan::TargetOptions& base) {
  scan::TargetOptions opts = base;
  opts.inventory_only = true;
  ProgressLine progress(ShowProgress(flags));
  opts.progress = [&progress](const image::LoadProgress& p) { progress.Update(p); };
  auto target = scan::LoadImageTarget(ref, opts);
  progress.Clear();
  if (!target.ok()) return target.status();
  if (target->layered && target->layered->stats().cache_write_errors > 0 && !flags.quiet) {
    std::fprintf(stderr,
                 "vigil: warning: %llu layer(s) could not be written to the cache under %s; "
                 "the next scan will read them again\n",
                 static_cast<unsigned long long>(target->layered->stats().cache_write_errors),
                 opts.cache_dir.c_str());
  }
  return scan::Inventory(*target);
}

// `vigil image --running`: every distinct image of the running podman containers, matched
// and merged into one report whose findings name their image (and its containers) in
// location.resource. One document keeps every output format valid (a SARIF log, a
// CycloneDX BOM) and lets one --exit-code gate the node.
StatusOr<report::Report> ScanRunning(const CommonFlags& flags, const ScanCommandState& s,
                                     const VulnContext& ctx, const scan::TargetOptions& opts,
                                     report::Sbom* merged_sbom) {
  std::vector<std::string> podman_args;
  if (!s.image.storage_root.empty()) podman_args = {"--root", s.image.storage_root};
  VIGIL_ASSIGN_OR_RETURN(std::vector<image::RunningImage> running,
                         image::ListRunningImages(podman_args));
  // Image id -> (display name, container names), in first-seen order.
  std::vector<std::string> order;
  std::map<std::string, std::pair<std::string, std::vector<std::string>>> images;
  for (const image::RunningImage& r : running) {
    std::string key = r.image_id.empty() ? r.image : r.image_id;
    if (!images.count(key)) order.push_back(key);
    auto& entry = images[key];
    if (entry.first.empty()) entry.first = r.image.empty() ? r.image_id : r.image;
    entry.second.push_back(r.container_name.empty() ? r.container_id.substr(0, 12)
                                                    : r.container_name);
  }
  report::Report merged;
  merged.target =
      fmt::format("running containers ({} image{})", order.size(), order.size() == 1 ? "" : "s");
  merged.target_kind = "image";
  merged_sbom->target = merged.target;
  merged_sbom->target_kind = "image";
  if (order.empty()) merged.warnings.push_back("no running podman containers on this node");
  for (const std::string& key : order) {
    const auto& [name, containers] = images[key];
    std::string resource = fmt::format("{} (containers: {})", name, Join(containers, ", "));
    auto sbom = InventoryImage("containers-storage:" + key, flags, opts);
    if (!sbom.ok()) {
      merged.warnings.push_back(fmt::format("{}: {}", name, sbom.status().message()));
      ++merged.input_errors;
      continue;
    }
    VIGIL_ASSIGN_OR_RETURN(report::Report r, MatchInventory(*sbom, ctx, s.vuln));
    for (report::Finding& f : r.findings) f.location.resource = resource;
    for (std::string& w : r.warnings) w = name + ": " + w;
    Merge(merged, std::move(r));
    for (auto& c : sbom->components) merged_sbom->components.push_back(std::move(c));
  }
  return merged;
}

int RunScan(const CommonFlags& flags, const ScanCommandState& s) {
  auto plan = PlanScanners(flags.scanners);
  if (!plan.ok()) {
    std::fprintf(stderr, "vigil: %s\n", plan.status().message().c_str());
    return kExitUsage;
  }
  // misconfig alone over a tree keeps its own path (vigil config semantics).
  if (s.filesystem && plan->misconfig && !plan->vuln && !plan->secret && !plan->malware) {
    ConfigScanArgs args;
    args.paths = {s.ref};
    return RunConfigScan(args, flags);
  }
  auto format = report::ParseFormat(flags.format);
  if (!format.ok() || *format == report::Format::kSpdx || *format == report::Format::kHtml) {
    std::fprintf(stderr,
                 "vigil: %s: unknown --format '%s' (table, json, sarif, junit, cyclonedx)\n",
                 s.filesystem ? "fs" : "image", flags.format.c_str());
    return kExitUsage;
  }
  auto counted = CountedSeverities(flags);
  if (!counted.ok()) {
    std::fprintf(stderr, "vigil: %s\n", counted.status().message().c_str());
    return kExitUsage;
  }
  auto topts = MakeTargetOptions(flags, s.image);
  if (!topts.ok()) {
    std::fprintf(stderr, "vigil: %s\n", topts.status().message().c_str());
    return kExitUsage;
  }
  auto ctx = PrepareVuln(flags, s.vuln, plan->vuln);
  if (!ctx.ok()) return Fail(ctx.status());
  auto content = PrepareContent(s, *plan, flags);
  if (!content.ok()) {
    std::fprintf(stderr, "vigil: %s\n", content.status().message().c_str());
    return IsInvalidArgument(content.status()) ? kExitUsage : kExitRuntime;
  }

  report::Report rep;
  report::Sbom sbom;
  if (plan->vuln) {
    StatusOr<report::Sbom> inventory = UnknownError("");
    if (s.running) {
      auto r = ScanRunning(flags, s, *ctx, *topts, &sbom);
      if (!r.ok()) return Fail(r.status());
      rep = std::move(r).value();
    } else {
      if (s.filesystem) {
        auto target = scan::LoadDirectoryTarget(AbsolutePath(s.ref));
        if (!target.ok()) return Fail(target.status());
        target->name = s.ref;  // the report names the tree as the user typed it
        inventory = scan::Inventory(*target);
      } else if (StartsWith(s.ref, "sbom:")) {
        inventory = ReadStoredSbom(s.ref.substr(5));
      } else {
        inventory = InventoryImage(s.ref, flags, *topts);
      }
      if (!inventory.ok()) return Fail(inventory.status());
      sbom = std::move(inventory).value();
      if (StartsWith(s.ref, "sbom:")) {
        if (sbom.target.empty()) sbom.target = s.ref.substr(5);
        sbom.target_kind = "sbom";
      }
      auto r = MatchInventory(sbom, *ctx, s.vuln);
      if (!r.ok()) return Fail(r.status());
      rep = std::move(r).value();
    }
  } else {
    rep.target = s.ref;
    rep.target_kind = s.filesystem ? "filesystem" : "image";
  }
  if (plan->misconfig && s.running) {
    rep.warnings.push_back("--running: the misconfig scanner is not run over running images");
  } else if (plan->misconfig && s.filesystem) {
    auto r = MisconfigReport(s.ref);
    if (!r.ok()) return Fail(r.status());
    Merge(rep, std::move(r).value());
  } else if (plan->misconfig && StartsWith(s.ref, "sbom:")) {
    rep.warnings.push_back("sbom: targets carry no image configuration; misconfig not run");
  } else if (plan->misconfig) {
    auto r = ImageConfigReport(s.ref, *topts);
    if (!r.ok()) return Fail(r.status());
    Merge(rep, std::move(r).value());
  }
  if (plan->secret || plan->malware) {
    auto r = ContentReport(s, *content, flags, *topts);
    if (!r.ok()) return Fail(r.status());
    Merge(rep, std::move(r).value());
  }
  rep.tool_version = VIGIL_VERSION;
  rep.created_at = FormatRfc3339(Clock::Real().Now());

  // Suppression: VEX statements first (they carry the vendor's justification), then the
  // ignore file. Suppressed findings stay in the report, marked and not counted.
  if (!ctx->vex.empty()) report::ApplyVex(ctx->vex, rep);
  if (ctx->ignore) {
    report::ApplyIgnoreRules(*ctx->ignore, rep);
    for (const std::string& w : ctx->ignore->warnings) rep.warnings.push_back(w);
  }
  FilterBySeverity(rep, *counted);
  report::SortFindings(rep.findings);
  // Warnings go to stderr, except when the table they are part of is on the terminal.
  const bool table_on_terminal =
      *format == report::Format::kTable && flags.output.empty() && isatty(STDOUT_FILENO) != 0;
  for (const std::string& w : rep.warnings) {
    if (!flags.quiet && !table_on_terminal) std::fprintf(stderr, "vigil: warning: %s\n", w.c_str());
  }
  report::WriteOptions wopts;
  wopts.color = UseColor(flags);
  if (*format == report::Format::kCycloneDx && ctx->db) {
    wopts.ratings = CollectRatings(rep, *ctx->db);
  }
  const report::Sbom* with_sbom = plan->vuln ? &sbom : nullptr;
  Status written = WriteOutput(flags, [&](std::ostream& out) {
    return report::WriteReport(rep, *format, out, wopts, with_sbom);
  });
  if (!written.ok()) return Fail(written);
  if (rep.input_errors > 0) {
    std::fprintf(stderr, "vigil: %d input(s) could not be read or parsed (see warnings)\n",
                 rep.input_errors);
    return kExitRuntime;
  }
  return GateExitCode(flags, rep);
}

}  // namespace

Command RegisterImage(CLI::App& root, CommonFlags& flags) {
  auto* cmd = root.add_subcommand(
      "image",
      "Scan a container image for known vulnerabilities, hard-coded secrets (every layer, also "
      "files a later layer deleted, and ENV/labels/history), malware (YARA rules and "
      "tampering heuristics) and its configuration (user, exposed admin ports...): REF is a "
      "registry reference "
      "(alpine:3.19, host:5000/app@sha256:...), docker-archive:PATH, oci:DIR[:TAG], "
      "oci-archive:PATH[:TAG], containers-storage:NAME, dir:PATH, sbom:FILE (a stored "
      "vigil.sbom/v1 or CycloneDX JSON SBOM, matched again without the image), or a path "
      "detected by content");
  auto state = std::make_shared<ScanCommandState>();
  cmd->add_option("REF", state->ref, "The image to scan");
  cmd->add_flag("--running", state->running,
                "Scan the images of the running podman containers (one merged report; each "
                "finding names its image and containers in location.resource)");
  AddCommonFlags(cmd, &flags, kFormatFlags | kGateFlags | kCacheFlags | kScannerFlags,
                 "table, json, sarif, junit, cyclonedx (with vulnerabilities)");
  AddImageFlags(cmd, &state->image);
  AddVulnFlags(cmd, &state->vuln);
  AddContentFlags(cmd, state.get());
  state->scanners = cmd->get_option("--scanners");
  return {cmd, [&flags, state]() {
            if (state->ref.empty() == !state->running) {
              std::fprintf(stderr, "vigil: image: give REF or --running (not both)\n");
              return kExitUsage;
            }
            return RunScan(flags, *state);
          }};
}

Command RegisterFs(CLI::App& root, CommonFlags& flags) {
  auto* cmd = root.add_subcommand(
      "fs",
      "Scan a directory tree (a project checkout or a rootfs): its OS and language packages "
      "for known vulnerabilities, every file for hard-coded secrets and malware (YARA rules "
      "and tampering heuristics), and its Kubernetes manifests, Dockerfiles and compose files "
      "as `vigil config` does");
  auto state = std::make_shared<ScanCommandState>();
  state->filesystem = true;
  cmd->add_option("PATH", state->ref, "The directory to scan")->required();
  AddCommonFlags(cmd, &flags, kFormatFlags | kGateFlags | kCacheFlags | kScannerFlags,
                 "table, json, sarif, junit, cyclonedx (with vulnerabilities)");
  AddVulnFlags(cmd, &state->vuln);
  AddContentFlags(cmd, state.get());
  state->scanners = cmd->get_option("--scanners");
  return {cmd, [&flags, state]() { return RunScan(flags, *state); }};
}

Command RegisterSbom(CLI::App& root, CommonFlags& flags) {
  auto* cmd = root.add_subcommand(
      "sbom",
      "Write the software bill of materials of an image or directory (REF as for `vigil "
      "image`; a plain directory is scanned as a filesystem)");
  auto state = std::make_shared<ImageCommandState>();
  state->format = "cyclonedx";
  cmd->add_option("REF", state->ref, "The image or directory")->required();
  cmd->add_option("-f,--format", state->format,
                  "Output format: cyclonedx (1.5 JSON), spdx (2.3 JSON), "
                  "json (vigil inventory), table")
      ->capture_default_str();
  cmd->add_option("-o,--output", flags.output,
                  "Write the result to FILE (atomically) instead of stdout");
  AddCommonFlags(cmd, &flags, kCacheFlags, "");
  AddImageFlags(cmd, &state->image);
  return {
      cmd, [&flags, state]() {
        const std::string& ref = state->ref;
        const std::string& format = state->format;
        auto fmt_or = report::ParseFormat(format);
        if (!fmt_or.ok() || *fmt_or == report::Format::kSarif ||
            *fmt_or == report::Format::kJunit || *fmt_or == report::Format::kHtml) {
          std::fprintf(stderr,
                       "vigil: sbom: unknown --format '%s' (cyclonedx, spdx, json, table)\n",
                       format.c_str());
          return kExitUsage;
        }
        auto opts = MakeTargetOptions(flags, state->image);
        if (!opts.ok()) {
          std::fprintf(stderr, "vigil: %s\n", opts.status().message().c_str());
          return kExitUsage;
        }
        ProgressLine progress(ShowProgress(flags));
        opts->progress = [&progress](const image::LoadProgress& p) { progress.Update(p); };
        opts->inventory_only = true;

        // A plain directory is a filesystem scan; anything else goes through OpenImage.
        struct stat st {};
        bool plain_dir = ref.find(':') == std::string::npos && stat(ref.c_str(), &st) == 0 &&
                         S_ISDIR(st.st_mode) && ::access((ref + "/index.json").c_str(), F_OK) != 0;
        auto target = plain_dir ? scan::LoadDirectoryTarget(AbsolutePath(ref))
                                : scan::LoadImageTarget(ref, *opts);
        progress.Clear();
        if (!target.ok()) return Fail(target.status());
        if (plain_dir) target->name = ref;
        if (target->layered && target->layered->stats().cache_write_errors > 0 && !flags.quiet) {
          std::fprintf(stderr,
                       "vigil: warning: %llu layer(s) could not be written to the cache "
                       "under %s; the next scan will read them again\n",
                       static_cast<unsigned long long>(target->layered->stats().cache_write_errors),
                       opts->cache_dir.c_str());
        }
        auto sbom = scan::Inventory(*target);
        if (!sbom.ok()) return Fail(sbom.status());
        sbom->tool_version = VIGIL_VERSION;
        sbom->created_at = FormatRfc3339(Clock::Real().Now());
        for (const std::string& w : sbom->warnings) {
          if (!flags.quiet) std::fprintf(stderr, "vigil: warning: %s\n", w.c_str());
        }
        report::WriteOptions wopts;
        wopts.color = UseColor(flags);
        Status written = WriteOutput(flags, [&](std::ostream& out) {
          return report::WriteSbom(*sbom, *fmt_or, out, wopts);
        });
        if (!written.ok()) return Fail(written);
        return kExitOk;
      }};
}

}  // namespace vigil::cli
