// Persistence for everything Vigil keeps between runs: scan history with its findings (for
// "what changed since the last scan"), the audit trail of actions taken, learned behaviour
// models, and small settings. `Store` is the engine-neutral interface; the embedded SQLite
// implementation (store/sqlite_store.h) is the default, and the server issue adds
// PostgreSQL behind the same interface.
//
// Thread-safety: a Store is NOT safe for concurrent use. Open one per thread (or guard one
// with a mutex); stores on the same database file, in one process or several, may be used
// concurrently: readers never block and are never blocked (WAL), writers take turns within
// the busy timeout.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "report/finding.h"

namespace vigil::store {

using TimePoint = std::chrono::system_clock::time_point;

struct StoreOptions {
  // Source of recorded_at/updated_at times and of an audit entry's default time; not owned,
  // must outlive the store.
  const Clock* clock = &Clock::Real();
  // How long a write waits for another connection's write lock before Unavailable.
  int busy_timeout_ms = 5000;
};

// A scan as listed: everything but its findings.
struct ScanInfo {
  int64_t id = 0;
  std::string target;
  std::string target_kind;
  std::string artifact_digest;
  std::string created_at;  // as the report gave it
  std::string tool_version;
  TimePoint recorded_at;  // when the store recorded it
  // As report::Report::Summarize() computed it when recorded: `total` and `by_severity`
  // count the findings that are not suppressed, `suppressed` the others.
  report::Summary summary;
};

struct ScanFilter {
  std::string target;       // exact match; empty: every target
  std::string target_kind;  // exact match; empty: every kind
  int limit = 100;          // at most this many, newest first; <= 0: no limit
};

// Findings of two scans matched by Fingerprint(). Duplicates are matched as a multiset:
// a fingerprint seen twice before and three times now is two unchanged and one added.
struct ScanDiff {
  std::vector<report::Finding> added;      // only in the new scan (as the new scan has them)
  std::vector<report::Finding> fixed;      // only in the old scan (as the old scan had them)
  std::vector<report::Finding> unchanged;  // in both (as the new scan has them)
};

// One action taken by or through Vigil. The audit log is append-only: the schema rejects
// UPDATE and DELETE on it.
struct AuditEntry {
  int64_t id = 0;       // assigned by AppendAudit; ignored on input
  TimePoint time;       // when it happened; the epoch (default) means "now" on append
  std::string actor;    // who: "cli:uid=1000", "agent:node-1", "server:alice"
  std::string action;   // what: "respond.kill", "scan.image", "policy.update"
  std::string target;   // on what: container id, image reference, policy name
  std::string detail;   // a JSON object (text); empty is stored as "{}"
  std::string outcome;  // "success", "failure", "denied", "shadow" (dry run)
};

struct ModelRecord {
  std::string workload;    // whose behaviour: "deployment/ns/name", image digest, ...
  std::string name;        // which model: "syscall-seq", "net-profile", ...
  int format_version = 0;  // the model code's serialisation version, for its own migration
  std::string blob;        // the serialised model (bytes)
  TimePoint updated_at;    // set by PutModel
};

// A model as listed, without its blob.
struct ModelInfo {
  std::string workload;
  std::string name;
  int format_version = 0;
  int64_t size_bytes = 0;
  std::string sha256;
  TimePoint updated_at;
};

class Store {
 public:
  virtual ~Store() = default;

  // Opens the store at `path` (a file: the SQLite store, created if missing; the default
  // place is DefaultStorePath(cache_dir)), applying pending migrations. A
  // "postgres://"/"postgresql://" URL is reserved for the server issue (Unimplemented).
  // Fails with FailedPrecondition on a database newer than this build, DataLoss on a file
  // that is not an SQLite database, and FailedPrecondition on an SQLite database that is
  // not Vigil's.
  static StatusOr<std::unique_ptr<Store>> Open(const std::string& path,
                                               const StoreOptions& options = {});

  // The schema version of the open database.
  virtual StatusOr<int> SchemaVersion() = 0;

  // Records a report and all its findings atomically; returns the new scan's id.
  virtual StatusOr<int64_t> RecordScan(const report::Report& report) = 0;
  virtual StatusOr<std::vector<ScanInfo>> ListScans(const ScanFilter& filter) = 0;
  // The report as recorded, findings in their recorded order. NotFound for an unknown id.
  virtual StatusOr<report::Report> GetScan(int64_t scan_id) = 0;
  // What changed from `old_scan_id` to `new_scan_id`. NotFound when either is unknown.
  virtual StatusOr<ScanDiff> DiffScans(int64_t old_scan_id, int64_t new_scan_id) = 0;
  // Retention: deletes scans (and their findings) created before `cutoff` (by the report's
  // created_at, or the recording time where created_at was absent or unparseable); returns
  // how many scans were deleted. The audit log is never pruned here.
  virtual StatusOr<int64_t> DeleteScansBefore(TimePoint cutoff) = 0;

  // Appends to the audit log; returns the entry's id. InvalidArgument when `detail` is not
  // a JSON object or actor/action/outcome is empty.
  virtual StatusOr<int64_t> AppendAudit(const AuditEntry& entry) = 0;
  // Entries with time >= `since`, oldest first (ties in append order), at most `limit`
  // (<= 0: no limit).
  virtual StatusOr<std::vector<AuditEntry>> ListAudit(TimePoint since, int limit) = 0;

  // Inserts or replaces the model (workload, name); updated_at is the store clock's now.
  virtual Status PutModel(const ModelRecord& model) = 0;
  // NotFound when absent; DataLoss when the blob no longer matches its recorded SHA-256.
  virtual StatusOr<ModelRecord> GetModel(std::string_view workload, std::string_view name) = 0;
  // Models of `workload` (empty: all), ordered by workload then name.
  virtual StatusOr<std::vector<ModelInfo>> ListModels(std::string_view workload) = 0;
  // NotFound when absent.
  virtual Status DeleteModel(std::string_view workload, std::string_view name) = 0;

  virtual Status PutSetting(std::string_view key, std::string_view value) = 0;
  // NotFound when absent.
  virtual StatusOr<std::string> GetSetting(std::string_view key) = 0;

  // Returns free pages to the filesystem (after retention deleted a lot). Takes the write
  // lock for as long as rewriting the file takes; not for the hot path.
  virtual Status Vacuum() = 0;
};

// `cache_dir`/vigil.db: where the CLI keeps its store (--cache-dir).
std::string DefaultStorePath(std::string_view cache_dir);

// The identity of a finding across scans, for diffing: lower-case hex SHA-256 over kind, id,
// package name, path and resource. Version, line, severity and title are left out on
// purpose, so an upgrade that leaves a package vulnerable, a secret that moved lines or a
// re-scored CVE is still "the same finding".
std::string Fingerprint(const report::Finding& finding);

// Parses RFC 3339 ("2026-11-24T06:04:43Z", "...T06:04:43.5+02:00"); InvalidArgument
// otherwise.
StatusOr<TimePoint> ParseRfc3339(std::string_view text);

}  // namespace vigil::store
