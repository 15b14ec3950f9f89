#include "base/test_paths.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace vigil::test_paths {

std::string SourceDir() {
  const char* dir = std::getenv("VIGIL_SOURCE_DIR");
  if (dir != nullptr) return dir;
  std::error_code ec;
  std::filesystem::path cwd = std::filesystem::current_path(ec);
  return ec ? "." : cwd.string();
}

std::string SharedDir() { return SourceDir() + "/../shared"; }

}  // namespace vigil::test_paths
