#include "scan/target.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include "base/hash.h"
#include "base/strings.h"
#include "catalog/cataloger.h"
#include "catalog/inventory.h"
#include "catalog/lang.h"
#include "fmt/format.h"
#include "image/layer_cache.h"
#include "image/open.h"
#include "report/json.h"

namespace vigil::scan {
namespace {

// The layer walk keeps exactly what the OS and language catalogers read (their capture
// contracts); language files are reduced as their catalogers ask (Go binaries keep only
// their build info), OS files never.
image::CaptureSpec InventoryCapture() {
  image::CaptureSpec spec;
  spec.predicate = [](std::string_view path, const FileInfo& info) {
    return catalog::OsCaptureWants(path) || catalog::LanguageCaptureWants(path, info);
  };
  spec.reduce = [](std::string_view path, const FileInfo& info, std::string& content) {
    if (catalog::OsCaptureWants(path)) return true;
    return catalog::LanguageCaptureReduce(path, info, content);
  };
  // "reduce/2": files reduced to nothing are kept as empty content.
  spec.predicate_key = catalog::OsCatalogersFingerprint() + ";" +
                       catalog::LanguageCatalogersFingerprint() + ";reduce/2";
  return spec;
}

// The layer that last added or modified `path` (a language package's file), walking the
// layers from the top; empty when no layer changed it (a rootfs source).
std::string LayerOfPath(const std::vector<image::LayerChanges>& changes,
                        const image::LayeredImage& img, const std::string& path) {
  for (size_t i = changes.size(); i-- > 0;) {
    const image::LayerChanges& c = changes[i];
    if (std::binary_search(c.added.begin(), c.added.end(), path) ||
        std::binary_search(c.modified.begin(), c.modified.end(), path)) {
      return img.diff_id(i);
    }
  }
  return "";
}

// Bump when Inventory()'s own logic changes what it produces from the same layers (the
// catalogers' versions are already part of the capture fingerprint).
constexpr std::string_view kInventoryFormat = "1";

// <cache>/inventory/v<format>/<sha256 of fingerprint and diff_ids>.json, or "" when a
// layer has no diff_id (nothing identifies its content before it is read).
std::string InventoryCachePath(const std::string& cache_dir, const image::ResolvedImage& image,
                               const image::CaptureSpec& capture) {
  if (image.layers.empty()) return "";
  std::string key = capture.Fingerprint();
  for (const image::LayerRef& layer : image.layers) {
    if (layer.diff_id.empty()) return "";
    key += "\n" + layer.diff_id;
  }
  return fmt::format("{}/inventory/v{}/{}.json",
                     cache_dir.empty() ? image::DefaultCacheDir() : cache_dir, kInventoryFormat,
                     Sha256Hex(key));
}

bool TouchesPackageDb(const image::LayerChanges& changes) {
  for (const auto* list : {&changes.added, &changes.modified, &changes.deleted}) {
    for (const std::string& path : *list) {
      if (catalog::OsCaptureWants(path)) return true;
    }
  }
  return false;
}

}  // namespace

StatusOr<std::unique_ptr<image::ImageSource>> OpenImageSource(const std::string& ref,
                                                              const TargetOptions& options) {
  image::OpenOptions open;
  if (!options.storage_root.empty()) open.storage_root = options.storage_root;
  image::RegistryOptions registry = options.registry;
  registry.platform = options.platform;
  open.registry = [registry](const image::Reference& r) {
    return image::OpenRegistrySource(r, registry);
  };
  return image::OpenImage(ref, open);
}

StatusOr<std::string> ResolveImageConfig(const std::string& ref, const TargetOptions& options) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<image::ImageSource> source, OpenImageSource(ref, options));
  VIGIL_ASSIGN_OR_RETURN(image::ResolvedImage resolved, source->Resolve(options.platform));
  if (resolved.config_json.empty()) {
    return FailedPreconditionError(
        fmt::format("{}: a root filesystem has no image config", source->Describe()));
  }
  return std::move(resolved.config_json);
}

StatusOr<Target> LoadImageTarget(const std::string& ref, const TargetOptions& options) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<image::ImageSource> source, OpenImageSource(ref, options));

  VIGIL_ASSIGN_OR_RETURN(image::ResolvedImage resolved, source->Resolve(options.platform));
  const image::CaptureSpec capture = InventoryCapture();
  Target target;
  target.name = ref;
  target.kind = "image";
  if (options.use_cache && source->Rootfs() == nullptr) {
    target.inventory_cache_path = InventoryCachePath(options.cache_dir, resolved, capture);
  }
  if (options.inventory_only && !target.inventory_cache_path.empty()) {
    // A missing or unreadable entry is a cache miss: the image is loaded as usual and the
    // entry rewritten.
    if (auto text = ReadHostFile(target.inventory_cache_path); text.ok()) {
      if (auto sbom = report::SbomFromJson(*text); sbom.ok()) {
        sbom->target = ref;
        sbom->artifact_digest =
            !resolved.manifest_digest.empty() ? resolved.manifest_digest : resolved.config_digest;
        target.cached_inventory = std::move(*sbom);
        return target;
      }
    }
  }

  image::LoadOptions load;
  load.cache_dir = options.cache_dir;
  load.use_cache = options.use_cache;
  load.progress = options.progress;
  VIGIL_ASSIGN_OR_RETURN(image::LayeredImage layered,
                         image::LoadResolvedImage(*source, std::move(resolved), capture, load));
  target.fs = layered.Merged();
  target.layered = std::move(layered);
  return target;
}

StatusOr<Target> LoadDirectoryTarget(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    return NotFoundError(fmt::format("{}: no such directory", path));
  }
  if (!S_ISDIR(st.st_mode)) {
    return InvalidArgumentError(fmt::format("{}: not a directory", path));
  }
  Target target;
  target.name = path;
  target.kind = "filesystem";
  target.fs = std::make_shared<RealFileSystem>(path);
  return target;
}

namespace {

StatusOr<report::Sbom> InventoryUncached(const Target& target) {
  catalog::InventoryOptions opts;
  opts.target = target.name;
  opts.target_kind = target.kind;
  VIGIL_ASSIGN_OR_RETURN(report::Sbom sbom, catalog::InventoryFileSystem(*target.fs, opts));

  // What each layer changed: computed once, for both the language packages' layers and
  // AttributeLayers' touches_db flags.
  std::vector<image::LayerChanges> changes;
  if (target.layered) {
    for (size_t i = 0; i < target.layered->layer_count(); ++i) {
      changes.push_back(target.layered->ChangedPaths(i));
    }
  }

  catalog::LangContext lang;
  lang.filesystem = target.kind == "filesystem";
  VIGIL_ASSIGN_OR_RETURN(catalog::CatalogResult languages,
                         catalog::CatalogLanguages(*target.fs, lang));
  catalog::AssignOsOwners(languages.components, sbom.components, *target.fs);
  for (std::string& w : languages.warnings) sbom.warnings.push_back(std::move(w));
  if (target.layered) {
    for (report::Component& c : languages.components) {
      c.layer = LayerOfPath(changes, *target.layered, c.location.substr(0, c.location.find('!')));
    }
  }
  // Appended after the OS packages are attributed to layers (AttributeLayers compares OS
  // package identities only).
  auto add_languages = [&](report::Sbom& out) {
    for (report::Component& c : languages.components) out.components.push_back(std::move(c));
  };
  if (!target.layered) {
    add_languages(sbom);
    return sbom;
  }

  const image::LayeredImage& img = *target.layered;
  const image::ResolvedImage& resolved = img.image();
  sbom.artifact_digest =
      !resolved.manifest_digest.empty() ? resolved.manifest_digest : resolved.config_digest;
  // The inventory came from the merged view, which is the last layer's cumulative view, so
  // only the layers below it need cataloging: what none of them holds was added by the last
  // layer. This saves a full catalog run per scan (a third of a warm rescan's time).
  std::vector<std::shared_ptr<const FileSystem>> keep;
  std::vector<const FileSystem*> views;
  std::vector<std::string> diff_ids;
  std::vector<bool> touches;
  size_t n = img.layer_count();
  for (size_t i = 0; i + 1 < n; ++i) {
    keep.push_back(img.ViewAt(i));
    views.push_back(keep.back().get());
    diff_ids.push_back(img.diff_id(i));
    touches.push_back(TouchesPackageDb(changes[i]));
  }
  catalog::AttributeLayers(sbom.components, views, diff_ids, touches);
  if (n > 0) {
    for (report::Component& c : sbom.components) {
      if (c.layer.empty()) c.layer = img.diff_id(n - 1);
    }
  }
  if (img.stats().skipped_unsafe > 0) {
    sbom.warnings.push_back(
        fmt::format("{} unsafe layer entries (path traversal or absolute links) were skipped",
                    img.stats().skipped_unsafe));
  }
  add_languages(sbom);
  return sbom;
}

}  // namespace

StatusOr<report::Sbom> Inventory(const Target& target) {
  if (target.cached_inventory) return *target.cached_inventory;
  VIGIL_ASSIGN_OR_RETURN(report::Sbom sbom, InventoryUncached(target));
  if (!target.inventory_cache_path.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(std::string(Dirname(target.inventory_cache_path)), ec);
    if (!ec) (void)WriteFileAtomic(target.inventory_cache_path, report::SbomToJson(sbom));
  }
  return sbom;
}

}  // namespace vigil::scan
