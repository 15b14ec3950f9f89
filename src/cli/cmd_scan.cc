// `vigil image`, `vigil fs`, `vigil sbom`: argument parsing and output only; the pipeline is
// scan::LoadImageTarget / scan::Inventory.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "base/clock.h"
#include "base/strings.h"
#include "cli/commands.h"
#include "fmt/format.h"
#include "image/containers_storage.h"
#include "report/writer.h"
#include "scan/target.h"

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

// The names in a --scanners list, trimmed.
std::vector<std::string_view> ScannerNames(std::string_view list) {
  std::vector<std::string_view> names = Split(list, ',', true);
  for (auto& name : names) name = Trim(name);
  return names;
}

// Scanners that have landed. Until the vulnerability, secret, malware and misconfiguration
// scanners exist, `image`/`fs` say so instead of printing a clean-looking empty report.
Status CheckScanners(const std::string& list) {
  static constexpr std::pair<std::string_view, std::string_view> kScanners[] = {
      {"vuln", "vulnerability database and matching"},
      {"secret", "secrets, malware and image-configuration"},
      {"malware", "secrets, malware and image-configuration"},
      {"misconfig", "secrets, malware and image-configuration"},
  };
  std::string_view pending;
  std::string_view pending_issue;
  for (std::string_view s : ScannerNames(list)) {
    const auto* it = std::find_if(std::begin(kScanners), std::end(kScanners),
                                  [s](const auto& k) { return k.first == s; });
    if (it == std::end(kScanners)) {
      return InvalidArgumentError(
          fmt::format("--scanners: unknown scanner '{}' (vuln, secret, malware, misconfig)", s));
    }
    if (pending.empty()) {
      pending = it->first;
      pending_issue = it->second;
    }
  }
  if (pending.empty()) return InvalidArgumentError("--scanners: empty list");
  return UnimplementedError(fmt::format(
      "scanner '{}' is not implemented yet here (tracked by the {} issue); today `vigil sbom` "
      "prints the package inventory and `vigil fs PATH --scanners misconfig` / `vigil config` "
      "check Kubernetes manifests",
      pending, pending_issue));
}

int RunScan(const CommonFlags& flags) {
  Status st = CheckScanners(flags.scanners);
  if (IsInvalidArgument(st)) {
    std::fprintf(stderr, "vigil: %s\n", st.message().c_str());
    return kExitUsage;
  }
  return Fail(st);
}

}  // namespace

Command RegisterImage(CLI::App& root, CommonFlags& flags) {
  auto* cmd = root.add_subcommand(
      "image",
      "Scan a container image: REF is a registry reference (alpine:3.19, "
      "host:5000/app@sha256:...), docker-archive:PATH, oci:DIR[:TAG], oci-archive:PATH[:TAG], "
      "containers-storage:NAME, dir:PATH, or a path detected by content");
  auto state = std::make_shared<ImageCommandState>();
  cmd->add_option("REF", state->ref, "The image to scan");
  cmd->add_flag("--running", state->running, "Scan the images of the running podman containers");
  AddCommonFlags(cmd, &flags, kFormatFlags | kGateFlags | kCacheFlags | kScannerFlags,
                 "table, json, sarif, junit, cyclonedx");
  AddImageFlags(cmd, &state->image);
  return {cmd, [&flags, state]() {
            if (state->ref.empty() && !state->running) {
              std::fprintf(stderr, "vigil: image: give REF or --running\n");
              return kExitUsage;
            }
            return RunScan(flags);
          }};
}

Command RegisterFs(CLI::App& root, CommonFlags& flags) {
  auto* cmd = root.add_subcommand(
      "fs",
      "Scan a directory tree (a project checkout or a rootfs); --scanners misconfig checks the "
      "Kubernetes manifests in it as `vigil config` does");
  auto path = std::make_shared<std::string>();
  cmd->add_option("PATH", *path, "The directory to scan")->required();
  AddCommonFlags(cmd, &flags, kFormatFlags | kGateFlags | kCacheFlags | kScannerFlags,
                 "table, json, sarif, junit, cyclonedx");
  return {cmd, [&flags, path]() {
            // The misconfiguration scanner runs today (Kubernetes manifests in the tree);
            // the others are reported as pending by RunScan.
            std::vector<std::string_view> scanners = ScannerNames(flags.scanners);
            if (scanners.size() == 1 && scanners[0] == "misconfig") {
              ConfigScanArgs args;
              args.paths = {*path};
              return RunConfigScan(args, flags);
            }
            return RunScan(flags);
          }};
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

        // A plain directory is a filesystem scan; anything else goes through OpenImage.
        struct stat st {};
        bool plain_dir = ref.find(':') == std::string::npos && stat(ref.c_str(), &st) == 0 &&
                         S_ISDIR(st.st_mode) && ::access((ref + "/index.json").c_str(), F_OK) != 0;
        auto target =
            plain_dir ? scan::LoadDirectoryTarget(ref) : scan::LoadImageTarget(ref, *opts);
        progress.Clear();
        if (!target.ok()) return Fail(target.status());
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
