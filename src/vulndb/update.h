// `vigil db update`: fetches the configured feeds and rebuilds the database from them.
//
// A sources file (YAML, docs/db.md "Updating the database") lists feeds: a name, a URL
// (https://, http:// to a loopback host, file:// or a local path), and optionally the
// expected format, the published sha256/size, a checksum_url whose contents publish them,
// and a per-feed size bound. Without a sources file the built-in defaults are used
// (DefaultSources()).
//
// Fetching is careful because feeds are untrusted input from the network: TLS is verified
// against the system CAs (or --cacert), plain http is refused except to loopback (or with
// --insecure), every body is bounded, transient failures (5xx, 429, timeouts, cut
// connections) are retried with exponential backoff, and every download is checked against
// Content-Length and everything the source publishes before it replaces the cached copy.
// Conditional GETs (If-None-Match / If-Modified-Since with the ETag / Last-Modified kept in
// the cache) avoid downloading unchanged feeds again; they are still part of the rebuild.
//
// The database is rebuilt by BuildDatabase into a temporary file and renamed over the old
// one, so a failed feed or build leaves the previous database in place.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "vulndb/db.h"
#include "vulndb/import.h"

namespace vigil::vulndb {

inline constexpr uint64_t kDefaultFeedMaxSize = 2ull << 30;  // 2 GiB
// Bound for checksum files and sources files: both are a few lines.
inline constexpr uint64_t kMaxChecksumFileSize = 1u << 20;
inline constexpr uint64_t kMaxSourcesFileSize = 1u << 20;

struct FeedSource {
  std::string name;              // [A-Za-z0-9][A-Za-z0-9._-]*, unique; names the cache folder
  std::string url;               // as written: https://..., http://..., file://..., or a path
  std::string format;            // expected format (import.h names); empty = detected
  std::string sha256;            // lower-case hex of the file's bytes; empty = not published
  std::optional<uint64_t> size;  // bytes; nullopt = not published
  std::string checksum_url;      // file publishing sha256 (and maybe size); empty = none
  uint64_t max_size = kDefaultFeedMaxSize;
  int line = 0;  // line in the sources file (0 for the built-in defaults)
};

struct SourcesConfig {
  std::string origin;  // the sources file, or "built-in defaults"
  std::vector<FeedSource> feeds;
};

// The compiled-in feeds: OSV.dev exports per ecosystem, Alpine secdb of recent releases and
// the Debian security tracker JSON. NVD is not included (its API 2.0 needs paging and a key;
// docs/db.md says how to add NVD JSON files as local feeds).
SourcesConfig DefaultSources();

// Parses a sources file. `file_name` names the file in errors ("sources.yaml:7: ...") and
// anchors relative local paths (resolved against its directory). Unknown keys are errors,
// so a misspelt `sha256` never silently disables verification.
StatusOr<SourcesConfig> ParseSourcesConfig(std::string_view text, const std::string& file_name);
StatusOr<SourcesConfig> LoadSourcesConfig(const std::string& path);
// The config as a sources file ParseSourcesConfig reads back (for --list-sources).
std::string FormatSourcesConfig(const SourcesConfig& config);

// "1234", "512K", "300MiB", "2G", "2GiB" (K/M/G are binary multiples, as in most tools).
StatusOr<uint64_t> ParseByteSize(std::string_view text);

// What a checksum file publishes for one file.
struct PublishedChecksum {
  std::string sha256;  // lower-case hex
  std::optional<uint64_t> size;
};

// Parses a checksum file for `file_name` (the basename of the feed URL). Accepted forms:
//   NVD .meta style   `sha256:HEX` and optional `size:N` lines (other `key:value` lines ignored)
//   SHA256SUMS style  `HEX  name` / `HEX *name` lines; the line for `file_name` is used
//   BSD style         `SHA256 (name) = HEX`
//   bare              a single `HEX` (e.g. all.zip.sha256)
// `origin` (the checksum URL) names the source in errors, with the line.
StatusOr<PublishedChecksum> ParseChecksumFile(std::string_view text, std::string_view file_name,
                                              std::string_view origin);

enum class FeedOutcome { kDownloaded, kUnchanged, kLocal, kFailed };
std::string_view FeedOutcomeName(FeedOutcome outcome);

struct FeedResult {
  std::string name;
  std::string url;
  FeedOutcome outcome = FeedOutcome::kFailed;
  std::string path;    // host path given to the build (a file or a directory)
  std::string format;  // detected format ("" for directories)
  uint64_t bytes = 0;  // size of the file (downloaded or cached); 0 for directories
  std::string sha256;  // of the file; empty for directories
  Status error;        // set when outcome is kFailed
};

struct UpdateOptions {
  std::string db_path;        // the database to replace
  std::string download_dir;   // cache of downloads: <dir>/<feed name>/<file> + state.json
  std::string cacert;         // PEM bundle trusted instead of the system store
  bool insecure = false;      // allows plain http anywhere and skips TLS verification
  bool skip_failed = false;   // build from the feeds that worked (warned) instead of failing
  int timeout_s = 60;         // connect timeout; a transfer below 1 KiB/s this long is aborted
  int retries = 3;            // extra attempts after a transient failure
  int retry_delay_ms = 1000;  // first backoff; doubles per attempt
  std::string built_by;       // "vigil 0.2.0"
  // Called while a feed downloads (throttled by the caller); total is 0 when unknown.
  std::function<void(const std::string& feed, uint64_t done, uint64_t total)> progress;
  // Called as each feed finishes or fails, before the build.
  std::function<void(const FeedResult& result)> feed_done;
  // Passed to BuildDatabase: called after each feed is imported.
  std::function<void(const std::string& input, const std::vector<ImportStats>&)> build_progress;
};

struct UpdateResult {
  std::vector<FeedResult> feeds;
  DbInfo info;
  std::vector<std::string> warnings;  // skipped feeds and importer warnings
};

// Fetches (or locates) one feed and verifies it. Errors name the feed and its URL.
StatusOr<FeedResult> FetchFeed(const FeedSource& feed, const UpdateOptions& options);

// Fetches every feed, then rebuilds options.db_path from them. On error the old database
// is untouched. Holds an exclusive lock on the download dir so two updates cannot mix.
StatusOr<UpdateResult> UpdateDatabase(const SourcesConfig& config, const UpdateOptions& options);

}  // namespace vigil::vulndb
