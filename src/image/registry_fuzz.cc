// Fuzz target for the registry client's parsers of untrusted network input: the
// WWW-Authenticate challenge, the Link header, a docker config file and the platform
// selection over an image index. The first byte picks the parser.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "image/docker_config.h"
#include "image/manifest.h"
#include "image/registry.h"
#include "image/registry_auth.h"
#include "image/registry_http.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  using namespace vigil::image;  // NOLINT: a fuzz entry point, not a header
  switch (data[0] % 4) {
    case 0: {
      auto challenges = ParseWwwAuthenticate(input);
      if (challenges.ok()) {
        for (const auto& c : *challenges) (void)c.Param("realm");
      }
      break;
    }
    case 1:
      (void)ParseLinkNext(input);
      break;
    case 2: {
      auto config = ParseDockerConfig(input);
      if (config.ok()) (void)FindDockerCredential(*config, "docker.io");
      break;
    }
    default: {
      auto index = ParseIndex(input);
      if (index.ok()) {
        Platform p;
        (void)SelectPlatformManifest(*index, p, "fuzz");
        p.architecture = "arm64";
        p.variant = "v8";
        (void)SelectPlatformManifest(*index, p, "fuzz");
      }
      break;
    }
  }
  return 0;
}
