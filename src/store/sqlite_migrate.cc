#include "store/sqlite_migrate.h"

namespace vigil::store {

Status SqliteMigrationBackend::Begin() { return db_.Exec("BEGIN IMMEDIATE"); }

Status SqliteMigrationBackend::Commit() { return db_.Exec("COMMIT"); }

Status SqliteMigrationBackend::Rollback() {
  // SQLite rolls back by itself after some errors (SQLITE_FULL, IOERR); nothing left to undo.
  if (!db_.InTransaction()) return OkStatus();
  return db_.Exec("ROLLBACK");
}

Status SqliteMigrationBackend::EnsureMigrationTable() {
  return db_.Exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version INTEGER PRIMARY KEY,"
      " name TEXT NOT NULL,"
      " checksum TEXT NOT NULL,"
      " applied_at TEXT NOT NULL)");
}

StatusOr<std::vector<AppliedMigration>> SqliteMigrationBackend::ListApplied() {
  VIGIL_ASSIGN_OR_RETURN(
      Statement stmt,
      db_.Prepare("SELECT version, name, checksum FROM schema_migrations ORDER BY version"));
  std::vector<AppliedMigration> out;
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    AppliedMigration& a = out.emplace_back();
    a.version = static_cast<int>(stmt.ColumnInt64(0));
    a.name = stmt.ColumnText(1);
    a.checksum = stmt.ColumnText(2);
  }
  return out;
}

Status SqliteMigrationBackend::Execute(std::string_view sql) { return db_.Exec(sql); }

Status SqliteMigrationBackend::RecordApplied(const Migration& migration,
                                             std::string_view checksum) {
  VIGIL_ASSIGN_OR_RETURN(
      Statement stmt,
      db_.Prepare("INSERT INTO schema_migrations (version, name, checksum, applied_at)"
                  " VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))"));
  stmt.BindInt64(1, migration.version).BindText(2, migration.name).BindText(3, checksum);
  return stmt.Run();
}

StatusOr<MigrationResult> MigrateSqlite(Db& db, std::span<const Migration> migrations) {
  SqliteMigrationBackend backend(db);
  return RunMigrations(backend, migrations);
}

}  // namespace vigil::store
