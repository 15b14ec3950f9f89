// `vigil debug ...`: developer tools that expose one library function each.
#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "fmt/format.h"
#include "match/version.h"
#include "scan/target.h"

namespace vigil::cli {
namespace {

struct DebugState {
  std::string ecosystem;
  std::string batch;
  std::string ref;
  std::string platform = "linux/amd64";
  std::string storage_root;
};

int RunVersionCompare(const DebugState& s) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (s.batch != "-") {
    file.open(s.batch);
    if (!file) {
      std::fprintf(stderr, "vigil: %s: cannot open\n", s.batch.c_str());
      return kExitRuntime;
    }
    in = &file;
  }
  Status st = match::CompareBatch(s.ecosystem, *in, std::cout);
  if (!st.ok()) {
    std::fprintf(stderr, "vigil: --ecosystem: %s\n", st.message().c_str());
    return IsInvalidArgument(st) || IsNotFound(st) ? kExitUsage : kExitRuntime;
  }
  return kExitOk;
}

// One line per layer: index, diff-id, stored and uncompressed size, entries, whiteouts,
// whether it came from the cache. For bug reports about layer handling.
int RunLayers(const DebugState& s, const CommonFlags& flags) {
  scan::TargetOptions opts;
  opts.cache_dir = ResolveCacheDir(flags);
  auto platform = image::Platform::Parse(s.platform);
  if (!platform.ok()) return Fail(Annotate(platform.status(), "--platform"));
  opts.platform = *platform;
  opts.storage_root = s.storage_root;
  auto target = scan::LoadImageTarget(s.ref, opts);
  if (!target.ok()) return Fail(target.status());
  if (!target->layered) {
    std::printf("%s: a root filesystem, no layers\n", s.ref.c_str());
    return kExitOk;
  }
  const image::LayeredImage& img = *target->layered;
  std::printf("manifest %s\nconfig   %s\n", img.image().manifest_digest.c_str(),
              img.image().config_digest.c_str());
  std::printf("layers from cache: %zu, walked: %zu\n", img.stats().layers_from_cache,
              img.stats().layers_walked);
  for (size_t i = 0; i < img.layer_count(); ++i) {
    const image::LayerData& layer = img.layer(i);
    std::printf(
        "%2zu %s stored=%llu uncompressed=%llu entries=%llu whiteouts=%zu opaque=%zu "
        "skipped_unsafe=%llu\n",
        i, img.diff_id(i).c_str(), static_cast<unsigned long long>(layer.stats.stored_bytes),
        static_cast<unsigned long long>(layer.stats.uncompressed_bytes),
        static_cast<unsigned long long>(layer.stats.entries), layer.whiteouts.size(),
        layer.opaque_dirs.size(), static_cast<unsigned long long>(layer.stats.skipped_unsafe));
  }
  return kExitOk;
}

}  // namespace

Command RegisterDebug(CLI::App& root, CommonFlags& flags) {
  auto* cmd = root.add_subcommand("debug", "Developer tools (one library function each)");
  cmd->require_subcommand(1);
  auto state = std::make_shared<DebugState>();

  auto* vc = cmd->add_subcommand(
      "version-compare",
      "Compare versions with an ecosystem's ordering: reads A<TAB>B lines, prints <, =, > or "
      "'error: ...' per line");
  vc->add_option("--ecosystem", state->ecosystem,
                 "OSV ecosystem name, case-insensitive (Debian, Ubuntu, Alpine, Red Hat, npm, "
                 "PyPI, Maven, Go, RubyGems, Packagist, NuGet, crates.io, ...)")
      ->required();
  vc->add_option("--batch", state->batch, "File of A<TAB>B lines; - for stdin")->required();

  auto* layers = cmd->add_subcommand("layers", "Load an image and print what each layer holds");
  layers->add_option("REF", state->ref, "The image (any form `vigil image` accepts)")->required();
  layers->add_option("--platform", state->platform, "OS/ARCH[/VARIANT]")->capture_default_str();
  layers->add_option("--storage-root", state->storage_root, "containers-storage root");
  AddCommonFlags(layers, &flags, kCacheFlags, "");

  return {cmd, [state, vc, layers, &flags]() {
            if (vc->parsed()) return RunVersionCompare(*state);
            if (layers->parsed()) return RunLayers(*state, flags);
            return kExitUsage;
          }};
}

}  // namespace vigil::cli
