// The SQLite half of the migration runner (store/migrate.h).
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "store/migrate.h"
#include "store/sqlite.h"

namespace vigil::store {

// Bookkeeping lives in `schema_migrations` (version, name, checksum, applied_at). Exclusion
// between migrators is SQLite's write lock: Begin() is BEGIN IMMEDIATE, which waits up to
// the connection's busy timeout for another writer. DDL is transactional in SQLite, so a
// failing migration leaves no half-made table behind.
//
// Not thread-safe; borrows `db`, which must outlive it.
class SqliteMigrationBackend : public MigrationBackend {
 public:
  explicit SqliteMigrationBackend(Db& db) : db_(db) {}

  Status Begin() override;
  Status Commit() override;
  Status Rollback() override;
  Status EnsureMigrationTable() override;
  StatusOr<std::vector<AppliedMigration>> ListApplied() override;
  Status Execute(std::string_view sql) override;
  Status RecordApplied(const Migration& migration, std::string_view checksum) override;

 private:
  Db& db_;
};

// Convenience: RunMigrations(SqliteMigrationBackend(db), migrations).
StatusOr<MigrationResult> MigrateSqlite(Db& db, std::span<const Migration> migrations);

}  // namespace vigil::store
