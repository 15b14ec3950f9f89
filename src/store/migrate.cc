#include "store/migrate.h"

#include <string>

#include "base/hash.h"

namespace vigil::store {
namespace {

std::string Describe(const Migration& m) {
  return "migration " + std::to_string(m.version) + " (" + std::string(m.name) + ")";
}

}  // namespace

Status CheckApplied(const std::vector<AppliedMigration>& applied,
                    std::span<const Migration> known) {
  const int known_max = known.empty() ? 0 : known.back().version;
  for (size_t i = 0; i < applied.size(); ++i) {
    const AppliedMigration& a = applied[i];
    if (a.version > known_max) {
      return FailedPreconditionError(
          "database schema version " + std::to_string(applied.back().version) + " (" +
          applied.back().name + ") is newer than this build of vigil supports (" +
          std::to_string(known_max) +
          "); upgrade vigil, or use a different database (--cache-dir)");
    }
    if (a.version != static_cast<int>(i) + 1) {
      return FailedPreconditionError("database records migration " + std::to_string(a.version) +
                                     " without migration " + std::to_string(i + 1) +
                                     "; the schema history is inconsistent");
    }
    const Migration& k = known[i];
    if (a.name != k.name || a.checksum != MigrationChecksum(k)) {
      const std::string recorded =
          "recorded name '" + a.name + "', checksum " + a.checksum.substr(0, 12);
      return FailedPreconditionError(Describe(k) +
                                     " was applied to this database from a different definition (" +
                                     recorded + "); applied migrations must never be edited");
    }
  }
  return OkStatus();
}

namespace {

// One transaction's work: applies the next pending migration and returns its version, or
// returns 0 when none is left. Re-reading the applied list inside the exclusive transaction
// is what makes concurrent openers safe.
StatusOr<int> ApplyNext(MigrationBackend& backend, std::span<const Migration> migrations,
                        int* current_version) {
  VIGIL_RETURN_IF_ERROR(backend.EnsureMigrationTable());
  VIGIL_ASSIGN_OR_RETURN(std::vector<AppliedMigration> applied, backend.ListApplied());
  VIGIL_RETURN_IF_ERROR(CheckApplied(applied, migrations));
  const size_t current = applied.size();
  *current_version = static_cast<int>(current);
  if (current == migrations.size()) return 0;
  const Migration& next = migrations[current];
  VIGIL_RETURN_IF_ERROR(Annotate(backend.Execute(next.sql), Describe(next)));
  VIGIL_RETURN_IF_ERROR(
      Annotate(backend.RecordApplied(next, MigrationChecksum(next)), Describe(next)));
  return next.version;
}

}  // namespace

std::string MigrationChecksum(const Migration& migration) { return Sha256Hex(migration.sql); }

Status ValidateMigrations(std::span<const Migration> migrations) {
  for (size_t i = 0; i < migrations.size(); ++i) {
    const Migration& m = migrations[i];
    if (m.version != static_cast<int>(i) + 1) {
      return InvalidArgumentError("migration list: entry " + std::to_string(i) + " has version " +
                                  std::to_string(m.version) + ", want " + std::to_string(i + 1));
    }
    if (m.name.empty() || m.sql.empty()) {
      return InvalidArgumentError("migration list: " + Describe(m) + " has no name or no SQL");
    }
  }
  return OkStatus();
}

StatusOr<MigrationResult> RunMigrations(MigrationBackend& backend,
                                        std::span<const Migration> migrations) {
  VIGIL_RETURN_IF_ERROR(ValidateMigrations(migrations));
  MigrationResult result;
  for (bool first = true;; first = false) {
    VIGIL_RETURN_IF_ERROR(backend.Begin());
    int current = 0;
    StatusOr<int> applied = ApplyNext(backend, migrations, &current);
    Status status = applied.ok() ? backend.Commit() : applied.status();
    if (!status.ok()) {
      backend.Rollback().IgnoreError();  // the step's own error is the one worth reporting
      return status;
    }
    if (first) result.from_version = current;
    result.to_version = current;
    if (*applied == 0) break;
    result.applied.push_back(*applied);
    result.to_version = *applied;
  }
  return result;
}

}  // namespace vigil::store
