// Fuzz target: the Dockerfile parser, its view and every VGL-DF check. The parser must
// return a Status for any input (never throw, crash, hang or grow without bound).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/dockerfile.h"
#include "config/scan.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  vigil::config::LoadResult loaded = vigil::config::LoadDockerfile(text, "Dockerfile");
  for (const auto& doc : loaded.documents) {
    vigil::config::ViewDockerfile(&doc.root);
    vigil::config::DockerfileResources(doc);
  }
  auto registry = vigil::config::BuiltinRegistry();
  if (registry.ok()) {
    vigil::report::Report report;
    vigil::config::ScanText(**registry, "Dockerfile", text, vigil::config::ScanOptions{},
                            vigil::config::K8sVersion{}, &report);
  }
  return 0;
}
