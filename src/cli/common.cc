#include "cli/common.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "base/fs.h"
#include "base/logging.h"

namespace vigil::cli {

void AddCommonFlags(CLI::App* cmd, CommonFlags* flags, unsigned sets,
                    const std::string& formats_help) {
  if (sets & kFormatFlags) {
    cmd->add_option("-f,--format", flags->format, "Output format: " + formats_help)
        ->capture_default_str();
    cmd->add_option("-o,--output", flags->output,
                    "Write the result to FILE (atomically) instead of stdout");
  }
  if (sets & kGateFlags) {
    cmd->add_option("-s,--severity", flags->severity,
                    "Severities that count for --exit-code and are shown, comma-separated "
                    "(CRITICAL,HIGH,MEDIUM,LOW,INFO,UNKNOWN); default all");
    cmd->add_option("--exit-code", flags->exit_code,
                    "Exit with this code when a counted finding remains (CI gate); 0 = never")
        ->check(CLI::Range(0, 255));
  }
  if (sets & kCacheFlags) {
    cmd->add_option("--cache-dir", flags->cache_dir,
                    "Cache directory (layer results, DB); default $XDG_CACHE_HOME/vigil or "
                    "~/.cache/vigil");
  }
  if (sets & kScannerFlags) {
    cmd->add_option("--scanners", flags->scanners,
                    "Scanners to run, comma-separated: vuln,secret,malware,misconfig")
        ->capture_default_str();
  }
}

std::string ResolveCacheDir(const CommonFlags& flags) {
  if (!flags.cache_dir.empty()) {
    std::error_code ec;
    auto abs = std::filesystem::absolute(flags.cache_dir, ec);
    return ec ? flags.cache_dir : abs.lexically_normal().string();
  }
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg != '\0') {
    return std::string(xdg) + "/vigil";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return std::string(home) + "/.cache/vigil";
  }
  return "/tmp/vigil-cache";
}

StatusOr<std::vector<report::Severity>> CountedSeverities(const CommonFlags& flags) {
  if (flags.severity.empty()) return std::vector<report::Severity>{};
  auto list = report::ParseSeverityList(flags.severity);
  if (!list.ok()) return Annotate(list.status(), "--severity");
  return list;
}

Status WriteOutput(const CommonFlags& flags, const std::function<Status(std::ostream&)>& render) {
  if (flags.output.empty() || flags.output == "-") {
    Status st = render(std::cout);
    std::cout.flush();
    return st;
  }
  std::ostringstream buf;
  VIGIL_RETURN_IF_ERROR(render(buf));
  struct stat st {};
  if (stat(flags.output.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    // /dev/null, /dev/stdout, a FIFO: write in place; a rename would replace the node.
    std::ofstream out(flags.output, std::ios::binary);
    out << buf.str();
    out.flush();
    if (!out) return InternalError(flags.output + ": write failed");
    return OkStatus();
  }
  return WriteFileAtomic(flags.output, buf.str());
}

bool ShowProgress(const CommonFlags& flags) {
  if (flags.quiet) return false;
  bool stdout_ok = isatty(STDOUT_FILENO) || !flags.output.empty();
  return stdout_ok && isatty(STDERR_FILENO);
}

bool UseColor(const CommonFlags& flags) {
  if (std::getenv("NO_COLOR") != nullptr) return false;
  return flags.output.empty() && isatty(STDOUT_FILENO);
}

int Fail(const Status& status) {
  std::fprintf(stderr, "vigil: %s\n", status.message().c_str());
  return kExitRuntime;
}

void FilterBySeverity(report::Report& report, const std::vector<report::Severity>& counted) {
  if (counted.empty()) return;
  std::erase_if(report.findings, [&](const report::Finding& f) {
    return std::find(counted.begin(), counted.end(), f.severity) == counted.end();
  });
}

int GateExitCode(const CommonFlags& flags, const report::Report& report) {
  if (flags.exit_code == 0) return kExitOk;
  auto counted = CountedSeverities(flags);
  if (!counted.ok()) return kExitUsage;
  return report::AnyCounted(report, *counted) ? flags.exit_code : kExitOk;
}

}  // namespace vigil::cli
