// PLACEHOLDER (being written now).
#include "cli/commands.h"

namespace vigil::cli {
Command RegisterDb(CLI::App& root, CommonFlags& flags) {
  CLI::App* db = root.add_subcommand("db", "Build, update and inspect the vulnerability database");
  Command update = RegisterDbUpdate(*db, flags);
  return {db, [] { return kExitRuntime; }};
}
}  // namespace vigil::cli
