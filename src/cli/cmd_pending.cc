#include <cstdio>
#include <string>

#include "cli/commands.h"

namespace vigil::cli {
namespace {

struct Pending {
  const char* name;
  const char* description;
  const char* issue;
};

// Subcommands whose capability is tracked by an open issue. Listing them keeps `vigil
// --help` an honest map of the tool while they are built.
constexpr Pending kPending[] = {
    {"respond", "Isolate, stop or de-privilege a container; quarantine network segments",
     "response engine"},
    {"server", "Scheduled scans, history, REST API, dashboard, admission webhook", "server"},
};

}  // namespace

std::vector<Command> RegisterPending(CLI::App& root, CommonFlags& flags) {
  std::vector<Command> out;
  for (const Pending& p : kPending) {
    auto* cmd = root.add_subcommand(p.name, std::string(p.description) + " (not implemented yet)");
    cmd->allow_extras();
    out.push_back({cmd, [p]() {
                     std::fprintf(stderr,
                                  "vigil: '%s' is not implemented yet; it is tracked by the %s "
                                  "issue\n",
                                  p.name, p.issue);
                     return kExitRuntime;
                   }});
  }
  return out;
}

}  // namespace vigil::cli
