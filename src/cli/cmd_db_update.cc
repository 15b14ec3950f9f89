// PLACEHOLDER (being written now).
#include "cli/commands.h"

namespace vigil::cli {
Command RegisterDbUpdate(CLI::App& db, CommonFlags&) {
  CLI::App* update = db.add_subcommand("update", "Download the configured feeds and rebuild");
  return {update, [] { return kExitRuntime; }};
}
}  // namespace vigil::cli
