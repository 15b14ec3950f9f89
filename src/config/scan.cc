#include "config/scan.h"

#include <algorithm>
#include <deque>
#include <map>
#include <mutex>

#include "base/strings.h"
#include "config/discovery.h"
#include "config/k8s_checks.h"
#include "config/pss.h"
#include "config/resource.h"
#include "config/suppress.h"
#include "config/yaml_loader.h"

namespace vigil::config {
namespace {

bool Selected(const CheckInfo& info, const ScanOptions& options) {
  if (options.standards.empty()) return true;
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
    registry = r;
  });
  if (!status.ok()) return status;
  return static_cast<const CheckRegistry*>(registry);
}

namespace {

// One loaded file. Resources point into `loaded`, so a LoadedFile never moves once its
// resources are extracted (they live in a std::deque).
struct LoadedFile {
  LoadResult loaded;
  std::map<int, IgnoreRule> inline_rules;
};

struct ScannedResource {
  Resource resource;
  const LoadedFile* file;
};

void Emit(const CheckInfo& info, const Resource& r, const Violation& v, const LoadedFile& file,
          const ScanOptions& options, report::Report* report) {
  report::Finding f = MakeFinding(info, r, v);
  IgnoreRule annotation = AnnotationIgnore(r.node);
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

// Runs the per-object checks over one file and appends its resources to `all`.
void ScanLoaded(const CheckRegistry& registry, const LoadedFile& file, const ScanOptions& options,
                const K8sVersion& version, report::Report* report,
                std::vector<ScannedResource>* all) {
  if (!file.loaded.error.ok()) {
    report->warnings.push_back(file.loaded.error.message());
    ++report->input_errors;
  }
  std::vector<Violation> violations;
  for (const auto& doc : file.loaded.documents) {
    for (Resource& r : ExtractResources(doc)) {
      PodSpecRef pod;
      bool has_pod = ExtractPodSpec(r, &pod);
      CheckContext ctx{r, has_pod ? &pod : nullptr, version};
      for (const Check* check : registry.ChecksFor(r.kind)) {
        const CheckInfo& info = check->info();
        if (!Selected(info, options)) continue;
        violations.clear();
        check->Evaluate(ctx, &violations);
        for (const auto& v : violations) Emit(info, r, v, file, options, report);
      }
      all->push_back({std::move(r), &file});
    }
  }
}

// Runs the cross-resource checks once over every resource of the scan.
void ScanCrossResource(const CheckRegistry& registry, const std::vector<ScannedResource>& all,
                       const ScanOptions& options, report::Report* report) {
  if (registry.cross_resource().empty()) return;
  std::vector<const Resource*> resources;
  resources.reserve(all.size());
  for (const auto& sr : all) resources.push_back(&sr.resource);
  std::vector<ResourceViolation> violations;
  for (const Check* check : registry.cross_resource()) {
    const CheckInfo& info = check->info();
    if (!Selected(info, options)) continue;
    violations.clear();
    check->EvaluateAll(resources, &violations);
    for (const auto& rv : violations) {
      if (rv.resource >= all.size()) continue;
      const ScannedResource& sr = all[rv.resource];
      Emit(info, sr.resource, rv.violation, *sr.file, options, report);
    }
  }
}

}  // namespace

void ScanText(const CheckRegistry& registry, std::string_view path, std::string_view text,
              const ScanOptions& options, const K8sVersion& version, report::Report* report) {
  LoadedFile file{LoadYamlStream(text, path), ParseInlineIgnores(text)};
  std::vector<ScannedResource> all;
  ScanLoaded(registry, file, options, version, report, &all);
  ScanCrossResource(registry, all, options, report);
}

StatusOr<report::Report> ScanPaths(const FileSystem& fs, const std::vector<std::string>& paths,
                                   const ScanOptions& options) {
  VIGIL_ASSIGN_OR_RETURN(K8sVersion version, ParseK8sVersion(options.k8s_version));
  VIGIL_ASSIGN_OR_RETURN(const CheckRegistry* registry, BuiltinRegistry());
  for (const auto& s : options.standards) {
    bool known = false;
    for (const auto& c : registry->all()) {
      for (const auto& control : c->info().controls) known = known || StartsWith(control, s + "/");
    }
    if (!known) return InvalidArgumentError("unknown standard \"" + s + "\"");
  }
  report::Report report;
  std::vector<std::string> targets(paths.begin(), paths.end());
  report.target = Join(targets, ",");
  report.target_kind = "config";
  std::map<FileKind, int> not_checked;
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
    FileKind by_name = DetectByName(path);
    if (by_name != FileKind::kUnknown) {
      not_checked[by_name]++;
      continue;
    }
    auto text = fs.ReadFile(path, options.max_file_bytes);
    if (!text.ok()) {
      report.warnings.push_back(path + ": not scanned: " + text.status().message());
      ++report.input_errors;
      continue;
    }
    LoadResult probe = LoadYamlStream(*text, path);
    FileKind kind = DetectByContent(probe.documents);
    // Kubelet configuration files are Kubernetes-style objects the control-plane checks read.
    if (kind == FileKind::kKubernetes || kind == FileKind::kKubeletConfig ||
        (kind == FileKind::kUnknown && !probe.error.ok())) {
      files_loaded.push_back({std::move(probe), ParseInlineIgnores(*text)});
      ScanLoaded(*registry, files_loaded.back(), options, version, &report, &all);
    } else if (kind != FileKind::kUnknown) {
      not_checked[kind]++;
    } else if (Contains(explicit_files, path)) {
      // Named on the command line, so the user expects it checked: say why it was not.
      report.warnings.push_back(path + ": not a recognised configuration file");
    }
  }
  ScanCrossResource(*registry, all, options, &report);
  for (const auto& [kind, count] : not_checked) {
    report.warnings.push_back(std::to_string(count) + " " + std::string(FileKindName(kind)) +
                              " file(s) found; checks for this type are not implemented yet");
  }
  report::SortFindings(report.findings);
  return report;
}

}  // namespace vigil::config
