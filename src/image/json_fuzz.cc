// Fuzz target: the JSON documents an image source reads from untrusted images (OCI index,
// manifest, config, docker-archive manifest.json, podman ps output) and image references.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "image/containers_storage.h"
#include "image/manifest.h"
#include "image/reference.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vigil::image;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  ParseIndex(text).status().IgnoreError();
  ParseManifest(text).status().IgnoreError();
  ParseImageConfig(text).status().IgnoreError();
  ParseDockerArchiveManifest(text).status().IgnoreError();
  ParsePodmanPs(text).status().IgnoreError();
  LooksLikeIndex(text);
  auto ref = Reference::Parse(text);
  if (ref.ok()) {
    // The canonical form must parse back to the same reference.
    auto again = Reference::Parse(ref->ToString());
    if (ref->IsRegistry() && (!again.ok() || !(*again == *ref))) __builtin_trap();
  }
  return 0;
}
