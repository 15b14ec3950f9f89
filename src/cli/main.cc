// `vigil`: argument parsing and dispatch only; every capability lives in a library.
#include <cstdio>
#include <vector>

#include "CLI/CLI.hpp"
#include "base/logging.h"
#include "cli/commands.h"
#include "cli/common.h"

int main(int argc, char** argv) {
  using vigil::cli::Command;
  vigil::cli::CommonFlags flags;

  CLI::App app{
      "Vigil: container security in one tool - image, registry and filesystem scanning\n"
      "(vulnerabilities, secrets, malware, misconfigurations), SBOMs, configuration audits\n"
      "against CIS / Pod Security Standards / NSA, and runtime detection with learned\n"
      "behaviour models.",
      "vigil"};
  app.require_subcommand(1);
  app.fallthrough();
  app.add_flag("-q,--quiet", flags.quiet, "Only errors on stderr; no progress");
  app.add_flag("-d,--debug", flags.debug, "Debug logging on stderr");
  app.footer(
      "Exit codes: 0 success; N (--exit-code N) when counted findings remain; 2 usage error;\n"
      "3 runtime error. Docs: docs/cli.md and one page per command in docs/.");

  std::vector<Command> commands;
  commands.push_back(vigil::cli::RegisterImage(app, flags));
  commands.push_back(vigil::cli::RegisterFs(app, flags));
  commands.push_back(vigil::cli::RegisterSbom(app, flags));
  commands.push_back(vigil::cli::RegisterConfig(app, flags));
  commands.push_back(vigil::cli::RegisterDb(app, flags));
  commands.push_back(vigil::cli::RegisterAgent(app, flags));
  commands.push_back(vigil::cli::RegisterMl(app, flags));
  for (auto& c : vigil::cli::RegisterPending(app, flags)) commands.push_back(std::move(c));
  commands.push_back(vigil::cli::RegisterVersion(app, flags));
  commands.push_back(vigil::cli::RegisterDebug(app, flags));

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return vigil::cli::kExitUsage;
  }
  if (flags.exit_code == vigil::cli::kExitUsage || flags.exit_code == vigil::cli::kExitRuntime) {
    std::fprintf(stderr, "vigil: --exit-code %d is reserved (2 = usage error, 3 = runtime error)\n",
                 flags.exit_code);
    return vigil::cli::kExitUsage;
  }
  vigil::InitLogging(flags.debug   ? vigil::LogLevel::kDebug
                     : flags.quiet ? vigil::LogLevel::kQuiet
                                   : vigil::LogLevel::kNormal);
  for (const Command& c : commands) {
    if (c.app->parsed()) return c.run();
  }
  return vigil::cli::kExitUsage;
}
