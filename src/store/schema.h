// The store's schema history for SQLite, as migrations (store/migrate.h). docs/store.md
// describes the tables; this list is their single source of truth.
//
// Policy: append only. A migration that has shipped is never edited (its checksum is
// recorded in every database it touched, and RunMigrations refuses a mismatch); changes go
// into a new migration at the end. The PostgreSQL list of the server issue keeps the same
// versions and names, in its own dialect.
#pragma once

#include <span>

#include "store/migrate.h"

namespace vigil::store {

std::span<const Migration> SqliteSchemaMigrations();

// The version a database has after SqliteSchemaMigrations() is applied.
int SqliteSchemaVersion();

}  // namespace vigil::store
