#include "scan/secrets.h"

#include <utility>
#include <vector>

#include "fmt/format.h"
#include "image/blob.h"
#include "image/layer.h"
#include "image/open.h"
#include "secrets/fs_scan.h"

namespace vigil::scan {
namespace {

void AddSkipWarnings(const secrets::ScanStats& stats, const secrets::SecretScanner& scanner,
                     report::Report* report) {
  if (stats.skipped_large > 0) {
    report->warnings.push_back(
        fmt::format("secret scan: {} file(s) larger than {} bytes were not scanned",
                    stats.skipped_large.load(), scanner.options().max_file_size));
  }
  if (stats.truncated > 0) {
    report->warnings.push_back(
        fmt::format("secret scan: {} file(s) hit the limit of {} findings per file",
                    stats.truncated.load(), scanner.options().max_matches_per_file));
  }
}

}  // namespace

StatusOr<report::Report> ScanImageSecrets(const std::string& ref, const TargetOptions& options,
                                          const secrets::SecretScanner& scanner) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<image::ImageSource> source, OpenImageSource(ref, options));
  VIGIL_ASSIGN_OR_RETURN(image::ResolvedImage resolved, source->Resolve(options.platform));
  report::Report report;
  report.target = ref;
  report.target_kind = "image";
  secrets::ScanStats stats;
  if (auto rootfs = source->Rootfs()) {
    // dir: — a plain tree, no layers.
    secrets::FsScanOptions fs_options;
    VIGIL_RETURN_IF_ERROR(
        secrets::ScanFileSystem(scanner, *rootfs, fs_options, &report.findings, &stats));
    AddSkipWarnings(stats, scanner, &report);
    return report;
  }
  const uint64_t max_size = scanner.options().max_file_size;
  std::vector<secrets::SecretMatch> matches;
  for (size_t i = 0; i < resolved.layers.size(); ++i) {
    const std::string& layer = resolved.layers[i].diff_id;
    image::WalkOptions walk;
    Status walked = image::WalkLayer(
        *source, resolved, i, walk,
        [&](const image::LayerEntry& entry, image::BlobReader* content) -> Status {
          if (entry.kind != image::EntryKind::kRegular || content == nullptr) return OkStatus();
          if (scanner.PathAllowlisted(entry.path)) {
            ++stats.skipped_allowlisted;
            return OkStatus();
          }
          if (entry.info.size > max_size) {
            ++stats.skipped_large;
            return OkStatus();
          }
          VIGIL_ASSIGN_OR_RETURN(std::string data,
                                 image::ReadAll(*content, max_size, entry.info.size));
          matches.clear();
          scanner.Scan(entry.path, data, &matches, &stats);
          for (const secrets::SecretMatch& m : matches) {
            report.findings.push_back(secrets::MakeSecretFinding(scanner, m, layer));
          }
          return OkStatus();
        });
    if (!walked.ok()) return Annotate(walked, source->Describe());
  }
  AddSkipWarnings(stats, scanner, &report);
  return report;
}

StatusOr<report::Report> ScanDirectorySecrets(const std::string& path,
                                              const secrets::SecretScanner& scanner) {
  VIGIL_ASSIGN_OR_RETURN(Target target, LoadDirectoryTarget(path));
  report::Report report;
  report.target = path;
  report.target_kind = "filesystem";
  secrets::ScanStats stats;
  int read_errors = 0;
  VIGIL_RETURN_IF_ERROR(secrets::ScanFileSystem(scanner, *target.fs, secrets::FsScanOptions{},
                                                &report.findings, &stats, &read_errors));
  if (read_errors > 0) {
    report.warnings.push_back(
        fmt::format("secret scan: {} file(s) could not be read", read_errors));
  }
  AddSkipWarnings(stats, scanner, &report);
  return report;
}

}  // namespace vigil::scan
