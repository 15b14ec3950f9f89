// `vigil db build|info` (and `update`, registered by cmd_db_update.cc): argument parsing and
// output only; the work is in src/vulndb.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>

#include "cli/commands.h"
#include "nlohmann/json.hpp"
#include "vulndb/build.h"
#include "vulndb/db.h"

namespace vigil::cli {
namespace {

struct BuildArgs {
  std::vector<std::string> from;
  std::string out;
};

struct InfoArgs {
  std::string db;
};

constexpr size_t kWarningsShown = 20;

int RunBuild(const BuildArgs& args, const CommonFlags& flags) {
  std::string out = args.out.empty() ? vulndb::DefaultDbPath(ResolveCacheDir(flags)) : args.out;
  std::error_code ec;
  std::filesystem::path parent = std::filesystem::absolute(out, ec).parent_path();
  if (!ec) std::filesystem::create_directories(parent, ec);
  if (ec) return Fail(InvalidArgumentError(out + ": cannot create its directory: " + ec.message()));

  const bool progress = ShowProgress(flags);
  vulndb::BuildOptions options;
  options.built_by = std::string("vigil ") + VIGIL_VERSION;
  // Per-format totals over all inputs, for the summary.
  std::map<std::string, vulndb::ImportStats> totals;
  size_t done = 0;
  options.progress = [&](const std::string& input, const std::vector<vulndb::ImportStats>& stats) {
    ++done;
    int64_t advisories = 0;
    for (const vulndb::ImportStats& s : stats) {
      vulndb::ImportStats& t = totals[s.format];
      t.files += s.files;
      t.advisories += s.advisories;
      t.severities += s.severities;
      t.skipped += s.skipped;
      advisories += s.advisories;
    }
    if (progress) {
      std::fprintf(stderr, "\r\033[K  [%zu/%zu] %s: %lld advisories", done, args.from.size(),
                   input.c_str(), static_cast<long long>(advisories));
      std::fflush(stderr);
    }
  };
  if (progress) {
    std::fprintf(stderr, "vigil: building %s from %zu input(s)...", out.c_str(), args.from.size());
    std::fflush(stderr);
  }
  auto start = std::chrono::steady_clock::now();
  std::vector<std::string> warnings;
  StatusOr<vulndb::DbInfo> info = vulndb::BuildDatabase(args.from, out, options, &warnings);
  if (progress) std::fprintf(stderr, "\r\033[K");
  if (!flags.quiet) {
    for (size_t i = 0; i < warnings.size() && i < kWarningsShown; ++i) {
      std::fprintf(stderr, "vigil: warning: %s\n", warnings[i].c_str());
    }
    if (warnings.size() > kWarningsShown) {
      std::fprintf(stderr, "vigil: ... %zu more warnings\n", warnings.size() - kWarningsShown);
    }
  }
  if (!info.ok()) {
    std::fprintf(stderr, "vigil: %s\nvigil: %s was not changed\n", info.status().message().c_str(),
                 out.c_str());
    return kExitRuntime;
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (flags.quiet) return kExitOk;
  struct stat st {};
  long long size = ::stat(out.c_str(), &st) == 0 ? static_cast<long long>(st.st_size) : 0;
  std::printf("%-20s %8s %11s %11s %8s\n", "FORMAT", "FILES", "ADVISORIES", "SEVERITIES",
              "SKIPPED");
  for (const auto& [format, t] : totals) {
    std::printf("%-20s %8lld %11lld %11lld %8lld\n", format.c_str(),
                static_cast<long long>(t.files), static_cast<long long>(t.advisories),
                static_cast<long long>(t.severities), static_cast<long long>(t.skipped));
  }
  std::printf(
      "\nwrote %s: %lld advisories, %lld affected entries, %lld severity records, "
      "%.1f MiB in %.1f s\n",
      out.c_str(), static_cast<long long>(info->advisories), static_cast<long long>(info->affected),
      static_cast<long long>(info->severities), static_cast<double>(size) / (1 << 20), seconds);
  return kExitOk;
}

nlohmann::json InfoJson(const std::string& path, const vulndb::DbInfo& info) {
  nlohmann::json sources = nlohmann::json::array();
  for (const vulndb::SourceCounts& s : info.sources) {
    sources.push_back({{"name", s.info.name},
                       {"format", s.info.format},
                       {"location", s.info.location},
                       {"digest", s.info.digest},
                       {"advisories", s.advisories},
                       {"withdrawn", s.withdrawn},
                       {"affected", s.affected},
                       {"severities", s.severities},
                       {"skipped", s.skipped}});
  }
  nlohmann::json ecosystems = nlohmann::json::object();
  for (const auto& [eco, n] : info.ecosystems) ecosystems[eco] = n;
  return {{"path", path},
          {"schema_version", info.schema_version},
          {"built_at", info.built_at},
          {"built_by", info.built_by},
          {"sources", std::move(sources)},
          {"tables",
           {{"advisories", info.advisories},
            {"affected", info.affected},
            {"severities", info.severities}}},
          {"ecosystems", std::move(ecosystems)}};
}

void InfoTable(std::ostream& os, const std::string& path, const vulndb::DbInfo& info) {
  os << "Database:       " << path << "\n"
     << "Schema version: " << info.schema_version << "\n"
     << "Built at:       " << info.built_at << "\n"
     << "Built by:       " << info.built_by << "\n\n";
  os << std::left << std::setw(16) << "SOURCE" << std::setw(16) << "FORMAT" << std::right
     << std::setw(11) << "ADVISORIES" << std::setw(10) << "WITHDRAWN" << std::setw(10) << "AFFECTED"
     << std::setw(11) << "SEVERITIES" << std::setw(9) << "SKIPPED"
     << "  LOCATION\n";
  for (const vulndb::SourceCounts& s : info.sources) {
    os << std::left << std::setw(16) << s.info.name << std::setw(16) << s.info.format << std::right
       << std::setw(11) << s.advisories << std::setw(10) << s.withdrawn << std::setw(10)
       << s.affected << std::setw(11) << s.severities << std::setw(9) << s.skipped << "  "
       << s.info.location << "\n";
  }
  os << "\nTABLE        ROWS\n"
     << "advisories   " << info.advisories << "\n"
     << "affected     " << info.affected << "\n"
     << "severities   " << info.severities << "\n\n";
  os << std::left << std::setw(24) << "ECOSYSTEM"
     << "AFFECTED\n";
  for (const auto& [eco, n] : info.ecosystems) {
    os << std::left << std::setw(24) << eco << n << "\n";
  }
}

int RunInfo(const InfoArgs& args, const CommonFlags& flags) {
  if (flags.format != "table" && flags.format != "json") {
    std::fprintf(stderr, "vigil: db info: unknown --format '%s' (table, json)\n",
                 flags.format.c_str());
    return kExitUsage;
  }
  std::string path = args.db.empty() ? vulndb::DefaultDbPath(ResolveCacheDir(flags)) : args.db;
  StatusOr<std::unique_ptr<vulndb::Database>> db = vulndb::Database::Open(path);
  if (!db.ok()) return Fail(db.status());
  StatusOr<vulndb::DbInfo> info = (*db)->Info();
  if (!info.ok()) return Fail(info.status());
  Status st = WriteOutput(flags, [&](std::ostream& os) -> Status {
    if (flags.format == "json") {
      os << InfoJson(path, *info).dump(2) << "\n";
    } else {
      InfoTable(os, path, *info);
    }
    return OkStatus();
  });
  return st.ok() ? kExitOk : Fail(st);
}

}  // namespace

Command RegisterDb(CLI::App& root, CommonFlags& flags) {
  CLI::App* db = root.add_subcommand("db", "Build, update and inspect the vulnerability database");
  db->require_subcommand(1);

  auto build_args = std::make_shared<BuildArgs>();
  CLI::App* build = db->add_subcommand(
      "build", "Build the database from local feed files and directories (docs/db.md)");
  build
      ->add_option("--from", build_args->from,
                   "Feed file, directory or OSV.dev zip export (repeatable)")
      ->required()
      ->expected(1, -1);
  build->add_option("--out", build_args->out,
                    "Database file to write (atomically); default <cache-dir>/db/vigil.db");
  AddCommonFlags(build, &flags, kCacheFlags, "");

  auto info_args = std::make_shared<InfoArgs>();
  CLI::App* info = db->add_subcommand(
      "info", "Schema version, build time and counts per source, table and ecosystem");
  info->add_option("--db", info_args->db, "Database file; default <cache-dir>/db/vigil.db");
  AddCommonFlags(info, &flags, kFormatFlags | kCacheFlags, "table, json");

  Command update = RegisterDbUpdate(*db, flags);
  return {db, [&flags, build, info, update, build_args, info_args]() {
            if (build->parsed()) return RunBuild(*build_args, flags);
            if (info->parsed()) return RunInfo(*info_args, flags);
            if (update.app != nullptr && update.app->parsed()) return update.run();
            return kExitUsage;
          }};
}

}  // namespace vigil::cli
