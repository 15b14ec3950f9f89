#include <iostream>

#include "cli/commands.h"
#include "nlohmann/json.hpp"

namespace vigil::cli {

Command RegisterVersion(CLI::App& root, CommonFlags& flags) {
  auto* cmd = root.add_subcommand("version", "Print the version and build information");
  cmd->add_option("-f,--format", flags.format, "Output format: table, json")->capture_default_str();
  return {cmd, [&flags]() {
            nlohmann::json j = {{"version", VIGIL_VERSION},
                                {"compiler", __VERSION__},
                                {"report_schema", "vigil.report/v1"}};
            if (flags.format == "json") {
              std::cout << j.dump(2) << "\n";
            } else if (flags.format == "table") {
              std::cout << "vigil " << VIGIL_VERSION << "\n"
                        << "compiler: " << __VERSION__ << "\n"
                        << "report schema: vigil.report/v1\n";
            } else {
              std::cerr << "vigil: version: unknown --format '" << flags.format
                        << "' (table, json)\n";
              return kExitUsage;
            }
            return kExitOk;
          }};
}

}  // namespace vigil::cli
