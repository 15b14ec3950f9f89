// Versioned schema migrations, independent of the database engine.
//
// A schema is an ordered list of Migrations compiled into the binary: versions 1, 2, 3...
// without gaps, each applied once, in its own transaction, and recorded (version, name,
// checksum of its SQL) in a bookkeeping table. RunMigrations applies the pending ones and
// refuses a database that records a version newer than the list knows, or an applied
// migration whose SQL has since changed: a shipped migration is never edited, only followed
// by a new one (docs/store.md).
//
// The engine-specific half is a MigrationBackend (SQLite: store/sqlite_migrate.h; the
// PostgreSQL backend of the server issue implements the same interface over its own list
// of the same shape).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace vigil::store {

struct Migration {
  int version = 0;        // 1-based, contiguous in a list
  std::string_view name;  // short snake_case description ("initial_schema")
  std::string_view sql;   // one or more statements in the backend's dialect
};

// A row of the bookkeeping table.
struct AppliedMigration {
  int version = 0;
  std::string name;
  std::string checksum;  // MigrationChecksum() when it was applied
};

// Lower-case hex SHA-256 of the migration's SQL: what "this migration changed after it
// shipped" is detected by.
std::string MigrationChecksum(const Migration& migration);

// InvalidArgument unless versions are 1..N in order, names non-empty and SQL non-empty.
Status ValidateMigrations(std::span<const Migration> migrations);

// OK when `applied` (a database's records, ascending) is a prefix of `known` with matching
// names and checksums; otherwise the FailedPrecondition RunMigrations would return.
Status CheckApplied(const std::vector<AppliedMigration>& applied, std::span<const Migration> known);

class MigrationBackend {
 public:
  virtual ~MigrationBackend() = default;
  // Opens a transaction that excludes every other migrator of the same database until
  // Commit/Rollback (SQLite: BEGIN IMMEDIATE; PostgreSQL: BEGIN + an advisory lock), so two
  // processes opening a fresh database at once apply each migration exactly once.
  virtual Status Begin() = 0;
  virtual Status Commit() = 0;
  virtual Status Rollback() = 0;
  // Inside the transaction: creates the bookkeeping table when it is missing.
  virtual Status EnsureMigrationTable() = 0;
  // Inside the transaction: every recorded migration, ascending by version.
  virtual StatusOr<std::vector<AppliedMigration>> ListApplied() = 0;
  // Inside the transaction: runs a migration's SQL.
  virtual Status Execute(std::string_view sql) = 0;
  // Inside the transaction: records `migration` as applied with `checksum`.
  virtual Status RecordApplied(const Migration& migration, std::string_view checksum) = 0;
};

struct MigrationResult {
  int from_version = 0;      // the database's version before (0: empty)
  int to_version = 0;        // after; the list's last version on success
  std::vector<int> applied;  // versions applied by this call, in order
};

// Brings the database to the list's last version. Idempotent: a second call applies
// nothing. Errors: InvalidArgument for a malformed list; FailedPrecondition when the
// database is newer than the list, has a gap, or an applied migration's name or checksum
// differs from the list's; a failing migration's error names its version and name, and
// that migration leaves nothing behind (its transaction is rolled back; the earlier ones
// stay applied).
StatusOr<MigrationResult> RunMigrations(MigrationBackend& backend,
                                        std::span<const Migration> migrations);

}  // namespace vigil::store
