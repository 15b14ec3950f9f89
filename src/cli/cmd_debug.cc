#include "cli/commands.h"

namespace vigil::cli {
Command RegisterDebug(CLI::App& root, CommonFlags& flags) {
  auto* cmd = root.add_subcommand("debug", "Developer tools");
  return {cmd, [] { return kExitRuntime; }};
}
}  // namespace vigil::cli
