// Internal: the YAML of the built-in standards (data/standards/*.yaml), embedded at build
// time by cmake/embed_files.cmake. Used by standards.cc only.
#pragma once

#include <string_view>
#include <vector>

namespace vigil::config::internal {

struct EmbeddedStandard {
  std::string_view id;    // file name without .yaml: "cis-k8s"
  std::string_view file;  // "data/standards/cis-k8s.yaml", for error messages
  std::string_view yaml;
};

const std::vector<EmbeddedStandard>& EmbeddedStandards();

}  // namespace vigil::config::internal
