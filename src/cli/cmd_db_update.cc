// `vigil db update`: downloads the configured feeds (verified) and rebuilds the database.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "vulndb/db.h"
#include "vulndb/update.h"

namespace vigil::cli {
namespace {

constexpr size_t kWarningsShown = 20;

struct UpdateArgs {
  std::string config;
  std::string db;
  std::string cacert;
  bool insecure = false;
  bool skip_failed = false;
  int timeout_s = 60;
  int retries = 3;
  bool list_sources = false;
};

std::string HumanBytes(uint64_t n) {
  char buf[32];
  if (n >= (1ull << 30)) {
    std::snprintf(buf, sizeof(buf), "%.1f GiB", static_cast<double>(n) / (1ull << 30));
  } else if (n >= (1ull << 20)) {
    std::snprintf(buf, sizeof(buf), "%.1f MiB", static_cast<double>(n) / (1ull << 20));
  } else if (n >= (1ull << 10)) {
    std::snprintf(buf, sizeof(buf), "%.1f KiB", static_cast<double>(n) / (1ull << 10));
  } else {
    std::snprintf(buf, sizeof(buf), "%llu B", static_cast<unsigned long long>(n));
  }
  return buf;
}

// Draws "<feed>  <done> / <total>" on one terminal line, at most ten times a second.
class ProgressLine {
 public:
  void Update(const std::string& feed, uint64_t done, uint64_t total) {
    auto now = std::chrono::steady_clock::now();
    if (feed == feed_ && done != total && now - last_ < std::chrono::milliseconds(100)) return;
    feed_ = feed;
    last_ = now;
    std::string line = "  " + feed + "  " + HumanBytes(done);
    if (total > 0) line += " / " + HumanBytes(total);
    std::fprintf(stderr, "\r\033[K%s", line.c_str());
    std::fflush(stderr);
    drawn_ = true;
  }
  void Clear() {
    if (drawn_) std::fprintf(stderr, "\r\033[K");
    drawn_ = false;
  }

 private:
  std::string feed_;
  std::chrono::steady_clock::time_point last_{};
  bool drawn_ = false;
};

int RunUpdate(const UpdateArgs& args, const CommonFlags& flags) {
  vulndb::SourcesConfig config;
  if (args.config.empty()) {
    config = vulndb::DefaultSources();
  } else {
    auto loaded = vulndb::LoadSourcesConfig(args.config);
    if (!loaded.ok()) {
      std::fprintf(stderr, "vigil: %s\n", loaded.status().message().c_str());
      return kExitUsage;
    }
    config = std::move(*loaded);
  }
  if (args.list_sources) {
    std::cout << vulndb::FormatSourcesConfig(config);
    return kExitOk;
  }

  const std::string cache_dir = ResolveCacheDir(flags);
  vulndb::UpdateOptions options;
  options.db_path = args.db.empty() ? vulndb::DefaultDbPath(cache_dir) : args.db;
  options.download_dir = cache_dir + "/db/feeds";
  options.cacert = args.cacert;
  options.insecure = args.insecure;
  options.skip_failed = args.skip_failed;
  options.timeout_s = args.timeout_s;
  options.retries = args.retries;
  options.built_by = std::string("vigil ") + VIGIL_VERSION;
  if (args.insecure) {
    std::fprintf(stderr,
                 "vigil: warning: --insecure: TLS certificates are not verified and plain http "
                 "is allowed; feeds could be tampered with\n");
  }

  const bool progress = ShowProgress(flags);
  const bool quiet = flags.quiet;
  auto line = std::make_shared<ProgressLine>();
  if (progress) {
    options.progress = [line](const std::string& feed, uint64_t done, uint64_t total) {
      line->Update(feed, done, total);
    };
  }
  options.feed_done = [line, quiet](const vulndb::FeedResult& r) {
    line->Clear();
    if (quiet) return;
    if (r.outcome == vulndb::FeedOutcome::kFailed) {
      std::fprintf(stderr, "  %-24s failed: %s\n", r.name.c_str(), r.error.message().c_str());
      return;
    }
    std::string size = r.bytes > 0 ? "  " + HumanBytes(r.bytes) : "";
    std::fprintf(stderr, "  %-24s %-10s%s  %s\n", r.name.c_str(),
                 std::string(vulndb::FeedOutcomeName(r.outcome)).c_str(), size.c_str(),
                 r.format.c_str());
  };
  if (progress) {
    options.build_progress = [](const std::string& input,
                                const std::vector<vulndb::ImportStats>& stats) {
      int64_t advisories = 0;
      for (const auto& s : stats) advisories += s.advisories;
      std::fprintf(stderr, "\r\033[K  imported %s (%lld advisories)", input.c_str(),
                   static_cast<long long>(advisories));
      std::fflush(stderr);
    };
  }
  if (!quiet) {
    std::fprintf(stderr, "vigil: updating %s from %zu feeds (%s)\n", options.db_path.c_str(),
                 config.feeds.size(), config.origin.c_str());
  }

  auto result = vulndb::UpdateDatabase(config, options);
  if (progress) std::fprintf(stderr, "\r\033[K");
  if (!result.ok()) {
    line->Clear();
    std::fprintf(stderr, "vigil: %s\nvigil: %s was not changed\n",
                 result.status().message().c_str(), options.db_path.c_str());
    return kExitRuntime;
  }
  size_t failed = 0;
  for (const auto& f : result->feeds) failed += f.outcome == vulndb::FeedOutcome::kFailed;
  if (!quiet) {
    const auto& warnings = result->warnings;
    for (size_t i = 0; i < warnings.size() && i < kWarningsShown; ++i) {
      std::fprintf(stderr, "vigil: warning: %s\n", warnings[i].c_str());
    }
    if (warnings.size() > kWarningsShown) {
      std::fprintf(stderr, "vigil: ... %zu more warnings\n", warnings.size() - kWarningsShown);
    }
    std::fprintf(stderr,
                 "vigil: %s: %lld advisories, %lld affected, %lld severities from %zu feeds%s\n",
                 options.db_path.c_str(), static_cast<long long>(result->info.advisories),
                 static_cast<long long>(result->info.affected),
                 static_cast<long long>(result->info.severities), result->feeds.size() - failed,
                 failed > 0 ? (" (" + std::to_string(failed) + " skipped)").c_str() : "");
  }
  return kExitOk;
}

}  // namespace

Command RegisterDbUpdate(CLI::App& db, CommonFlags& flags) {
  auto args = std::make_shared<UpdateArgs>();
  CLI::App* cmd = db.add_subcommand(
      "update",
      "Download the configured feeds over verified HTTPS (or read local paths) and rebuild the "
      "database atomically");
  AddCommonFlags(cmd, &flags, kCacheFlags, "");
  cmd->add_option("--config", args->config,
                  "Sources file (YAML, docs/db.md); default: the built-in feeds "
                  "(see --list-sources)");
  cmd->add_option("--db", args->db, "Database to replace; default <cache-dir>/db/vigil.db");
  cmd->add_option("--cacert", args->cacert,
                  "PEM file of CA certificates to trust instead of the system store");
  cmd->add_flag("--insecure", args->insecure,
                "Skip TLS verification and allow plain http (never for production feeds)");
  cmd->add_flag("--skip-failed", args->skip_failed,
                "Build from the feeds that worked when some fail (warned), instead of failing");
  cmd->add_option("--timeout", args->timeout_s,
                  "Seconds to connect, and to wait on a stalled transfer (below 1 KiB/s)")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  cmd->add_option("--retries", args->retries,
                  "Extra attempts after a transient failure (5xx, 429, timeout, cut connection)")
      ->check(CLI::Range(0, 10))
      ->capture_default_str();
  cmd->add_flag("--list-sources", args->list_sources,
                "Print the effective sources (a file --config accepts) and exit");
  cmd->footer(
      "Unchanged feeds are not downloaded again (ETag / Last-Modified); downloads are kept in\n"
      "<cache-dir>/db/feeds. On any failure the old database stays. Exit codes: 0 updated,\n"
      "2 bad sources file, 3 a feed or the build failed.");
  return {cmd, [args, &flags] { return RunUpdate(*args, flags); }};
}

}  // namespace vigil::cli
