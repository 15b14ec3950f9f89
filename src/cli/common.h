// What every `vigil` subcommand shares: the common flags, the exit-code contract, output
// handling and progress. The CLI only parses arguments and calls libraries; nothing here
// scans anything.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "base/status.h"
#include "report/finding.h"
#include "report/writer.h"

namespace vigil::cli {

// The documented exit codes (docs/cli.md). Gated findings exit with the user's
// --exit-code value instead (Trivy's convention), which must not collide with 2 or 3.
inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitRuntime = 3;

struct CommonFlags {
  std::string format = "table";
  std::string output;     // empty = stdout
  std::string severity;   // "HIGH,CRITICAL"; empty = all
  int exit_code = 0;      // exit with this when a counted finding remains; 0 = never
  std::string cache_dir;  // empty = $XDG_CACHE_HOME/vigil or ~/.cache/vigil
  bool quiet = false;
  bool debug = false;
  std::string scanners = "vuln,secret,malware,misconfig";  // image/fs only
};

enum FlagSet : unsigned {
  kFormatFlags = 1u << 0,   // --format, --output
  kGateFlags = 1u << 1,     // --severity, --exit-code
  kCacheFlags = 1u << 2,    // --cache-dir
  kScannerFlags = 1u << 3,  // --scanners
};

// Adds the common flags selected by `sets` to `cmd`; --quiet and --debug are global.
void AddCommonFlags(CLI::App* cmd, CommonFlags* flags, unsigned sets,
                    const std::string& formats_help);

// The cache directory to use: the flag, else $XDG_CACHE_HOME/vigil, else ~/.cache/vigil.
std::string ResolveCacheDir(const CommonFlags& flags);

StatusOr<std::vector<report::Severity>> CountedSeverities(const CommonFlags& flags);

// Writes `render`'s output to --output (atomically) or stdout.
Status WriteOutput(const CommonFlags& flags, const std::function<Status(std::ostream&)>& render);

// True when progress may be drawn: stderr is a terminal, stdout is a terminal or redirected
// to --output, and --quiet is off.
bool ShowProgress(const CommonFlags& flags);

// Colour in tables only when writing to a terminal.
bool UseColor(const CommonFlags& flags);

// Prints a runtime error the way every command does ("vigil: <message>") and returns 3.
int Fail(const Status& status);

// Keeps only findings whose severity is in `counted` (empty = keep all): --severity both
// selects what is shown and what counts, as in Trivy.
void FilterBySeverity(report::Report& report, const std::vector<report::Severity>& counted);

// Applies --severity/--exit-code to a finished report: returns exit_code when any counted,
// unsuppressed finding remains, else 0.
int GateExitCode(const CommonFlags& flags, const report::Report& report);

}  // namespace vigil::cli
