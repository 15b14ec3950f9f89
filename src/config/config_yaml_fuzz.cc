// Fuzz target: the YAML/JSON loader and everything a hostile manifest reaches after it:
// resource extraction, pod spec views, field-path lookups, suppression comments and every
// built-in check. The loader must return a Status (never throw, crash or blow the stack).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/scan.h"
#include "config/suppress.h"
#include "config/yaml_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  vigil::config::LoadResult loaded = vigil::config::LoadYamlStream(text, "fuzz.yaml");
  for (const auto& doc : loaded.documents) {
    doc.root.LineOf("spec.template.spec.containers[0].securityContext.privileged");
    doc.root.Find("metadata.annotations[\"vigil.dev/ignore\"]");
  }
  vigil::config::ParseInlineIgnores(text);
  auto registry = vigil::config::BuiltinRegistry();
  if (registry.ok()) {
    vigil::report::Report report;
    vigil::config::ScanText(**registry, "fuzz.yaml", text, vigil::config::ScanOptions{},
                            vigil::config::K8sVersion{}, &report);
  }
  return 0;
}
