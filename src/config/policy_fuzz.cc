// Fuzz target: the custom policy loader and evaluator. The input is a policy file, optionally
// followed by a line "====" and a manifest the compiled policies are run over. Loading must
// return a Status (never throw, crash, hang or blow the stack), and evaluation must stay
// bounded whatever the policy (wildcards, regular expressions, nested conditions).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/policy.h"
#include "config/scan.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string_view policy = input, manifest;
  size_t sep = input.find("\n====\n");
  if (sep != std::string_view::npos) {
    policy = input.substr(0, sep);
    manifest = input.substr(sep + 6);
  }
  vigil::config::PolicySet set;
  if (!set.AddText(policy, "fuzz-policy.yaml").ok() || manifest.empty()) return 0;
  auto registry = vigil::config::BuiltinRegistry();
  if (!registry.ok()) return 0;
  vigil::config::ScanOptions options;
  options.custom = &set.registry();
  vigil::report::Report report;
  vigil::config::ScanText(**registry, "fuzz.yaml", manifest, options, vigil::config::K8sVersion{},
                          &report);
  return 0;
}
