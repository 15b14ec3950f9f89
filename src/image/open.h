// OpenImage: one entry point from what the user typed to an ImageSource.
//
// Dispatch on the transport (see reference.h): docker-archive, oci, oci-archive, dir,
// containers-storage; a bare path (or any argument that names an existing file or
// directory) is detected by content (DetectPathKind); everything else is a registry
// reference, opened through OpenOptions::registry. To force the registry for a name that
// also exists on disk, write registry:NAME or docker://NAME.
//
// The registry client lives in vigil_image_registry (libcurl) and depends on this library,
// so it is injected rather than linked: the CLI sets
//   options.registry = [&](const Reference& r) { return OpenRegistrySource(r, reg_opts); };
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "image/containers_storage.h"
#include "image/reference.h"
#include "image/source.h"

namespace vigil::image {

using RegistrySourceFactory =
    std::function<StatusOr<std::unique_ptr<ImageSource>>(const Reference& ref)>;

struct OpenOptions {
  std::string storage_root = std::string(kDefaultStorageRoot);  // containers-storage
  RegistrySourceFactory registry;  // unset: registry references are Unimplemented
};

StatusOr<std::unique_ptr<ImageSource>> OpenImage(std::string_view text,
                                                 const OpenOptions& options = {});

}  // namespace vigil::image
