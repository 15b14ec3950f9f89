#include "config/scan.h"

#include <algorithm>
#include <map>
#include <mutex>

#include "base/strings.h"
#include "config/discovery.h"
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
    registry = r;
  });
  if (!status.ok()) return status;
  return static_cast<const CheckRegistry*>(registry);
}

namespace {

void ScanLoaded(const CheckRegistry& registry, std::string_view text, const LoadResult& loaded,
                const ScanOptions& options, const K8sVersion& version, report::Report* report) {
  if (!loaded.error.ok()) {
    report->warnings.push_back(loaded.error.message());
    ++report->input_errors;
  }
  std::map<int, IgnoreRule> inline_rules = ParseInlineIgnores(text);
  for (const auto& doc : loaded.documents) {
    for (const Resource& r : ExtractResources(doc)) {
      PodSpecRef pod;
      bool has_pod = ExtractPodSpec(r, &pod);
      CheckContext ctx{r, has_pod ? &pod : nullptr, version};
      IgnoreRule annotation = AnnotationIgnore(r.node);
      for (const Check* check : registry.ChecksFor(r.kind)) {
        const CheckInfo& info = check->info();
        if (!Selected(info, options)) continue;
        std::vector<Violation> violations;
        check->Evaluate(ctx, &violations);
        for (const auto& v : violations) {
          report::Finding f = MakeFinding(info, r, v);
          if (Contains(annotation.ids, info.id)) {
            f.status = "suppressed";
            f.description += " (suppressed by annotation: " + annotation.reason + ")";
          } else if (const IgnoreRule* rule =
                         InlineSuppression(inline_rules, f.location.line, info.id)) {
            f.status = "suppressed";
            f.description += " (suppressed inline: " + rule->reason + ")";
          } else if (Contains(options.ignore_ids, info.id)) {
            f.status = "suppressed";
            f.description += " (suppressed by --ignore)";
          }
          report->findings.push_back(std::move(f));
        }
      }
    }
  }
}

}  // namespace

void ScanText(const CheckRegistry& registry, std::string_view path, std::string_view text,
              const ScanOptions& options, const K8sVersion& version, report::Report* report) {
  ScanLoaded(registry, text, LoadYamlStream(text, path), options, version, report);
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
    if (kind == FileKind::kKubernetes || (kind == FileKind::kUnknown && !probe.error.ok())) {
      ScanLoaded(*registry, *text, probe, options, version, &report);
    } else if (kind != FileKind::kUnknown) {
      not_checked[kind]++;
    } else if (Contains(explicit_files, path)) {
      // Named on the command line, so the user expects it checked: say why it was not.
      report.warnings.push_back(path + ": not a recognised configuration file");
    }
  }
  for (const auto& [kind, count] : not_checked) {
    report.warnings.push_back(std::to_string(count) + " " + std::string(FileKindName(kind)) +
                              " file(s) found; checks for this type are not implemented yet");
  }
  report::SortFindings(report.findings);
  return report;
}

}  // namespace vigil::config
