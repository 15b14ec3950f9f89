// The embedded store: one SQLite file in WAL mode (docs/store.md).
//
// Why SQLite: the CLI and the agent need history with no server to run, and one file in
// the cache directory is trivial to back up, copy into a bug report or delete. Why WAL:
// the server and a CLI (or a dashboard request and a scheduled scan) share the file;
// in WAL readers see a consistent snapshot without blocking the single writer, and
// synchronous=NORMAL costs no fsync per commit while never corrupting the file.
//
// Thread-safety: as Store — one SqliteStore per thread; several on one file are fine.
#pragma once

#include <memory>
#include <string>

#include "store/sqlite.h"
#include "store/store.h"

namespace vigil::store {

// PRAGMA application_id of every Vigil database ('VGIL'), so `file(1)` and Open can tell a
// Vigil store from another program's SQLite file.
inline constexpr int32_t kSqliteApplicationId = 0x5647494c;

class SqliteStore : public Store {
 public:
  // Opens or creates the database file at `path` and migrates it to SqliteSchemaVersion().
  static StatusOr<std::unique_ptr<SqliteStore>> Open(const std::string& path,
                                                     const StoreOptions& options = {});

  StatusOr<int> SchemaVersion() override;

  StatusOr<int64_t> RecordScan(const report::Report& report) override;
  StatusOr<std::vector<ScanInfo>> ListScans(const ScanFilter& filter) override;
  StatusOr<report::Report> GetScan(int64_t scan_id) override;
  StatusOr<ScanDiff> DiffScans(int64_t old_scan_id, int64_t new_scan_id) override;
  StatusOr<int64_t> DeleteScansBefore(TimePoint cutoff) override;

  StatusOr<int64_t> AppendAudit(const AuditEntry& entry) override;
  StatusOr<std::vector<AuditEntry>> ListAudit(TimePoint since, int limit) override;

  Status PutModel(const ModelRecord& model) override;
  StatusOr<ModelRecord> GetModel(std::string_view workload, std::string_view name) override;
  StatusOr<std::vector<ModelInfo>> ListModels(std::string_view workload) override;
  Status DeleteModel(std::string_view workload, std::string_view name) override;

  Status PutSetting(std::string_view key, std::string_view value) override;
  StatusOr<std::string> GetSetting(std::string_view key) override;

  Status Vacuum() override;

  // The underlying connection, for tests and tools that inspect the schema.
  Db& db() { return *db_; }

 private:
  SqliteStore(std::unique_ptr<Db> db, const StoreOptions& options)
      : db_(std::move(db)), clock_(options.clock) {}
  bool IsCurrent();
  Status ClaimApplicationId();
  // Returns the scan's findings in recorded order, with their fingerprints.
  Status LoadFindings(int64_t scan_id, std::vector<report::Finding>* findings,
                      std::vector<std::string>* fingerprints);
  StatusOr<bool> ScanExists(int64_t scan_id);

  std::unique_ptr<Db> db_;
  const Clock* clock_;
};

}  // namespace vigil::store
