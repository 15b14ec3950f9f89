#include "config/scan.h"

#include <algorithm>
#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "base/strings.h"
#include "config/discovery.h"
#include "config/docker_host.h"
#include "config/dockerfile.h"
#include "config/image_config.h"
#include "config/k8s_checks.h"
#include "config/pss.h"
#include "config/resource.h"
#include "config/standards.h"
#include "config/suppress.h"
#include "config/yaml_loader.h"

namespace vigil::config {
namespace {

bool Selected(const CheckInfo& info, const ScanOptions& options) {
  if (options.standards.empty() && options.standard_checks.empty()) return true;
  if (std::find(options.standard_checks.begin(), options.standard_checks.end(), info.id) !=
      options.standard_checks.end()) {
    return true;
  }
  for (const auto& control : info.controls) {
    for (const auto& std_name : options.standards) {
      if (StartsWith(control, std_name + "/")) return true;
    }
  }
  return false;
}

bool Contains(const std::vector<std::string>& list, std::string_view v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

}  // namespace

StatusOr<const CheckRegistry*> BuiltinRegistry() {
  static CheckRegistry* registry = nullptr;
  static Status status;
  static std::once_flag once;
  std::call_once(once, [] {
    auto* r = new CheckRegistry();  // lives for the process, shared const
    status = RegisterPodSecurityChecks(r);
    if (status.ok()) status = RegisterK8sChecks(r);
    if (status.ok()) status = RegisterDockerfileChecks(r);
    if (status.ok()) status = RegisterDockerHostChecks(r);
    if (status.ok()) status = RegisterImageConfigChecks(r);
    registry = r;
  });
  if (!status.ok()) return status;
  return static_cast<const CheckRegistry*>(registry);
}

namespace {

// One loaded file. Resources point into `loaded`, so a LoadedFile never moves once its
// resources are extracted (they live in a std::deque).
struct LoadedFile {
  FileKind kind = FileKind::kUnknown;
  LoadResult loaded;
  std::map<int, IgnoreRule> inline_rules;
  std::vector<Resource> resources;
};

// Loads one file as the kind its name says (kUnknown: decided by content) and extracts the
// resources the checks see. kind stays kUnknown for structured files that are no
// configuration Vigil knows (and parse errors of unknown files are kept in loaded.error).
void LoadFile(FileKind by_name, std::string_view text, std::string_view path, LoadedFile* file) {
  file->inline_rules = ParseInlineIgnores(text);
  if (by_name == FileKind::kDockerfile) {
    file->loaded = LoadDockerfile(text, path);
  } else if (by_name == FileKind::kDockerdFlags) {
    file->loaded = LoadDockerdFlags(text, path);  // daemon.json-shaped document
  } else {
    file->loaded = LoadYamlStream(text, path);
  }
  file->kind = by_name != FileKind::kUnknown ? by_name : DetectByContent(file->loaded.documents);
  for (const Document& doc : file->loaded.documents) {
    std::vector<Resource> found;
    switch (file->kind) {
      case FileKind::kKubernetes:
      case FileKind::kKubeletConfig:
      case FileKind::kUnknown:
        found = ExtractResources(doc);
        break;
      case FileKind::kDockerfile:
        found = DockerfileResources(doc);
        break;
      case FileKind::kCompose:
        found = ComposeResources(doc);
        break;
      case FileKind::kDaemonJson:
      case FileKind::kDockerdFlags:
        found = DaemonResources(doc);
        break;
      case FileKind::kContainerInspect:
        found = ContainerInspectResources(doc);
        break;
    }
    for (Resource& r : found) file->resources.push_back(std::move(r));
  }
}

struct ScannedResource {
  Resource resource;
  const LoadedFile* file;
};

// `annotation` is the resource's own ignore annotation (AnnotationIgnore), parsed once per
// resource by the caller rather than once per finding.
void Emit(const CheckInfo& info, const Resource& r, const Violation& v, const LoadedFile& file,
          const IgnoreRule& annotation, const ScanOptions& options, report::Report* report) {
  report::Finding f = MakeFinding(info, r, v);
  if (Contains(annotation.ids, info.id)) {
    f.status = "suppressed";
    f.description += " (suppressed by annotation: " + annotation.reason + ")";
  } else if (const IgnoreRule* rule =
                 InlineSuppression(file.inline_rules, f.location.line, info.id)) {
    f.status = "suppressed";
    f.description += " (suppressed inline: " + rule->reason + ")";
  } else if (Contains(options.ignore_ids, info.id)) {
    f.status = "suppressed";
    f.description += " (suppressed by --ignore)";
  }
  report->findings.push_back(std::move(f));
}

// Runs the per-object checks (built-in, then custom) over resources [begin, end) of `file`,
// appending findings to `report`. Touches nothing but `report`, so ranges may run
// concurrently (Check::Evaluate is const and thread-safe by contract).
void EvaluateRange(const CheckRegistry& registry, const LoadedFile& file,
                   const ScanOptions& options, const K8sVersion& version, size_t begin, size_t end,
                   report::Report* report) {
  std::vector<Violation> violations;
  CheckMemo memo;
  for (size_t i = begin; i < end; ++i) {
    const Resource& r = file.resources[i];
    PodSpecRef pod;
    bool has_pod = ExtractPodSpec(r, &pod);
    memo.clear();
    CheckContext ctx{r, has_pod ? &pod : nullptr, version, &memo};
    std::optional<IgnoreRule> annotation;  // parsed on the resource's first violation
    for (const CheckRegistry* reg : {&registry, options.custom}) {
      if (reg == nullptr) continue;
      for (const Check* check : reg->ChecksFor(r.kind)) {
        const CheckInfo& info = check->info();
        if (!Selected(info, options)) continue;
        violations.clear();
        check->Evaluate(ctx, &violations);
        if (violations.empty()) continue;
        if (!annotation) annotation = AnnotationIgnore(r.node);
        for (const auto& v : violations) Emit(info, r, v, file, *annotation, options, report);
      }
    }
  }
}

// Scans with at least this many resources are checked on two threads (a 10,000-object
// manifest: ~0.5 s of checks); below it a thread costs more than it saves.
constexpr size_t kParallelResources = 512;
// Per-object checks run in chunks of this many resources, so the two threads stay balanced
// whatever the mix of kinds.
constexpr size_t kChunkResources = 256;

// Runs fn(0), ..., fn(n - 1) on the calling thread and, when `parallel`, one more; each index
// runs exactly once and fn must be safe to call concurrently for different indexes.
void ForEachIndex(size_t n, bool parallel, const std::function<void(size_t)>& fn) {
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < n; i = next++) fn(i);
  };
  if (!parallel || n < 2 || std::thread::hardware_concurrency() < 2) {
    work();
    return;
  }
  std::thread worker(work);
  work();
  worker.join();
}

// Moves every finding of `parts`, in order, to the end of `report`.
void AppendFindings(std::vector<report::Report>& parts, report::Report* report) {
  size_t total = report->findings.size();
  for (const auto& p : parts) total += p.findings.size();
  report->findings.reserve(total);
  for (auto& p : parts) {
    for (report::Finding& f : p.findings) report->findings.push_back(std::move(f));
  }
}

// Runs the per-object checks over one file and appends its resources to `all`. Findings come
// out in resource order whether or not the file was split across threads.
void ScanLoaded(const CheckRegistry& registry, const LoadedFile& file, const ScanOptions& options,
                const K8sVersion& version, report::Report* report,
                std::vector<ScannedResource>* all) {
  if (!file.loaded.error.ok()) {
    report->warnings.push_back(file.loaded.error.message());
    ++report->input_errors;
  }
  const size_t n = file.resources.size();
  if (n >= kParallelResources) {
    std::vector<report::Report> parts((n + kChunkResources - 1) / kChunkResources);
    ForEachIndex(parts.size(), /*parallel=*/true, [&](size_t i) {
      EvaluateRange(registry, file, options, version, i * kChunkResources,
                    std::min(n, (i + 1) * kChunkResources), &parts[i]);
    });
    AppendFindings(parts, report);
  } else {
    EvaluateRange(registry, file, options, version, 0, n, report);
  }
  for (const Resource& r : file.resources) {
    if (options.scanned_kinds != nullptr) options.scanned_kinds->insert(r.kind);
    all->push_back({r, &file});
  }
}

// Runs the cross-resource checks once over every resource of the scan; findings in check
// order (checks of a large scan run on two threads).
void ScanCrossResource(const CheckRegistry& registry, const std::vector<ScannedResource>& all,
                       const ScanOptions& options, report::Report* report) {
  std::vector<const Check*> checks;
  for (const Check* check : registry.cross_resource()) {
    if (Selected(check->info(), options)) checks.push_back(check);
  }
  if (checks.empty()) return;
  std::vector<const Resource*> resources;
  resources.reserve(all.size());
  for (const auto& sr : all) resources.push_back(&sr.resource);
  std::vector<report::Report> parts(checks.size());
  ForEachIndex(checks.size(), all.size() >= kParallelResources, [&](size_t i) {
    std::vector<ResourceViolation> violations;
    checks[i]->EvaluateAll(resources, &violations);
    for (const auto& rv : violations) {
      if (rv.resource >= all.size()) continue;
      const ScannedResource& sr = all[rv.resource];
      Emit(checks[i]->info(), sr.resource, rv.violation, *sr.file,
           AnnotationIgnore(sr.resource.node), options, &parts[i]);
    }
  });
  AppendFindings(parts, report);
}

// Ignore-file entries (misconfigurations: check id + resource and path globs) mark matching
// findings suppressed. The file's own warnings (expired entries) are the caller's to report,
// once per run rather than once per scanned path.
void ApplyIgnoreFile(const ScanOptions& options, report::Report* report) {
  if (options.ignore != nullptr) report::ApplyIgnoreRules(*options.ignore, *report);
}

}  // namespace

void ScanText(const CheckRegistry& registry, std::string_view path, std::string_view text,
              const ScanOptions& options, const K8sVersion& version, report::Report* report) {
  LoadedFile file;
  LoadFile(DetectByName(path), text, path, &file);
  std::vector<ScannedResource> all;
  ScanLoaded(registry, file, options, version, report, &all);
  ScanCrossResource(registry, all, options, report);
  ApplyIgnoreFile(options, report);
}

StatusOr<report::Report> ScanPaths(const FileSystem& fs, const std::vector<std::string>& paths,
                                   const ScanOptions& options) {
  VIGIL_ASSIGN_OR_RETURN(K8sVersion version, ParseK8sVersion(options.k8s_version));
  VIGIL_ASSIGN_OR_RETURN(const CheckRegistry* registry, BuiltinRegistry());
  for (const auto& s : options.standards) {
    // A built-in standard is valid even while no check maps to it yet (all manual).
    bool known = IsBuiltinStandard(s);
    for (const auto& c : registry->all()) {
      for (const auto& control : c->info().controls) known = known || StartsWith(control, s + "/");
    }
    if (options.custom != nullptr) {
      for (const auto& c : options.custom->all()) {
        for (const auto& control : c->info().controls) {
          known = known || StartsWith(control, s + "/");
        }
      }
    }
    if (!known) return InvalidArgumentError("unknown standard \"" + s + "\"");
  }
  report::Report report;
  std::vector<std::string> targets(paths.begin(), paths.end());
  report.target = Join(targets, ",");
  report.target_kind = "config";
  std::vector<std::string> explicit_files;
  explicit_files.reserve(paths.size());
  for (const auto& p : paths) explicit_files.push_back(NormalizePath(p));
  size_t warnings_before = report.warnings.size();
  std::vector<std::string> files = DiscoverFiles(fs, paths, &report.warnings);
  // Every Kubernetes file stays loaded until the cross-resource checks have run.
  std::deque<LoadedFile> files_loaded;
  std::vector<ScannedResource> all;
  // Every discovery warning is a path that could not be read: bad input, not a clean result.
  report.input_errors += static_cast<int>(report.warnings.size() - warnings_before);
  for (const std::string& path : files) {
    auto text = fs.ReadFile(path, options.max_file_bytes);
    if (!text.ok()) {
      report.warnings.push_back(path + ": not scanned: " + text.status().message());
      ++report.input_errors;
      continue;
    }
    files_loaded.emplace_back();
    LoadedFile& file = files_loaded.back();
    LoadFile(DetectByName(path), *text, path, &file);
    if (file.kind != FileKind::kUnknown || !file.loaded.error.ok()) {
      ScanLoaded(*registry, file, options, version, &report, &all);
    } else {
      if (Contains(explicit_files, path)) {
        // Named on the command line, so the user expects it checked: say why it was not.
        report.warnings.push_back(path + ": not a recognised configuration file");
      }
      files_loaded.pop_back();
    }
  }
  ScanCrossResource(*registry, all, options, &report);
  ApplyIgnoreFile(options, &report);
  report::SortFindings(report.findings);
  return report;
}

}  // namespace vigil::config
