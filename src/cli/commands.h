// Subcommand registration. Each command adds itself to the app and returns a runner that
// main() calls when that subcommand was chosen; runners return the process exit code.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "cli/common.h"

namespace vigil::cli {

using Runner = std::function<int()>;

struct Command {
  CLI::App* app = nullptr;
  Runner run;
};

Command RegisterVersion(CLI::App& root, CommonFlags& flags);
Command RegisterSbom(CLI::App& root, CommonFlags& flags);
Command RegisterImage(CLI::App& root, CommonFlags& flags);
Command RegisterFs(CLI::App& root, CommonFlags& flags);
Command RegisterDebug(CLI::App& root, CommonFlags& flags);
Command RegisterConfig(CLI::App& root, CommonFlags& flags);
// `vigil db` (cmd_db.cc): build, info; `update` is added by RegisterDbUpdate
// (cmd_db_update.cc) on the `db` app and run when that subcommand was chosen.
Command RegisterDb(CLI::App& root, CommonFlags& flags);
Command RegisterDbUpdate(CLI::App& db, CommonFlags& flags);
// `vigil agent` (cmd_agent.cc): live capture or replay, alerts, recording, metrics.
Command RegisterAgent(CLI::App& root, CommonFlags& flags);
// `vigil ml` (cmd_ml.cc): models, train, score, eval, merge of behaviour models.
Command RegisterMl(CLI::App& root, CommonFlags& flags);

// The configuration scan behind `vigil config` and `vigil fs --scanners misconfig`.
struct ConfigScanArgs {
  std::vector<std::string> paths;
  std::string k8s_version = "latest";
  std::vector<std::string> standards;
  std::string ignore;
  std::vector<std::string> policies;  // --policy FILE|DIR
  std::string ignorefile;             // --ignorefile FILE
};
int RunConfigScan(const ConfigScanArgs& args, const CommonFlags& flags);
// Subcommands whose capability has not landed yet: they exist, document their purpose and
// say clearly that they are not implemented (exit 3), rather than pretending.
std::vector<Command> RegisterPending(CLI::App& root, CommonFlags& flags);

}  // namespace vigil::cli
