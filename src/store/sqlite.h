// A thin RAII layer over the SQLite C API: Db (one connection), Statement (one prepared
// statement with typed binds and column reads) and Transaction (rolls back on destruction
// unless committed). Every failure is a vigil::Status that names the SQL and carries
// sqlite3_errmsg, so "database is locked" or "no such column" says which statement hit it.
// Nothing here throws.
//
// Thread-safety: a Db and everything prepared from it belong to one thread at a time.
// Connections are opened with SQLITE_OPEN_NOMUTEX: concurrency comes from several
// connections on the same file (WAL lets readers proceed while one writer commits), not
// from sharing one connection.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace vigil::store {

struct DbOptions {
  // How long a statement waits for another connection's write lock before failing with
  // Unavailable ("database is locked"). Several processes (CLI, server, agent) may share
  // one file, and a scan write of 10k findings takes well under a second.
  int busy_timeout_ms = 5000;
  // Create the file (mode 0600: findings and audit trails are not for other local users)
  // when it does not exist.
  bool create = true;
};

class Db;

// One prepared statement. Parameters are 1-based (as in SQLite); columns are 0-based.
//
// Bind* never fail on their own: the first bind error is remembered and returned by the
// next Step(), so a run of binds needs one check instead of one per parameter.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& BindInt64(int index, int64_t value);
  Statement& BindDouble(int index, double value);
  // Text and blobs are copied (SQLITE_TRANSIENT): the caller's buffer may die after Bind.
  Statement& BindText(int index, std::string_view value);
  Statement& BindBlob(int index, std::string_view bytes);
  Statement& BindNull(int index);

  // Runs the statement one step: true when a row is available for Column*, false when the
  // statement is done. Errors (including a pending bind error) name the SQL.
  StatusOr<bool> Step();
  // Steps to completion, for statements that return no rows (INSERT, UPDATE, DDL).
  Status Run();
  // Makes the statement ready to run again; bindings are cleared to NULL.
  void Reset();

  int ColumnCount() const;
  bool ColumnIsNull(int col) const;
  int64_t ColumnInt64(int col) const;
  double ColumnDouble(int col) const;
  // NULL reads as "" (and 0 for numbers), as SQLite converts.
  std::string ColumnText(int col) const;
  std::string ColumnBlob(int col) const;

  const std::string& sql() const { return sql_; }

 private:
  friend class Db;
  Statement(sqlite3_stmt* stmt, sqlite3* db, std::string sql);
  Status Error(int rc, std::string_view what) const;
  void NoteBind(int rc, int index);

  sqlite3_stmt* stmt_ = nullptr;
  sqlite3* db_ = nullptr;  // not owned
  std::string sql_;
  Status bind_error_;
};

// One connection. Opening applies the settings every Vigil connection uses:
// journal_mode=WAL (readers never block the writer and vice versa), synchronous=NORMAL
// (durable across application crashes; in WAL an OS crash may lose only the last commits,
// never corrupt the file), foreign_keys=ON, and the busy timeout.
class Db {
 public:
  // Opens (creating per `options`) the database at `path`. ":memory:" works for tests but
  // cannot use WAL. A file that is not an SQLite database fails with DataLoss naming `path`.
  static StatusOr<std::unique_ptr<Db>> Open(const std::string& path, const DbOptions& options = {});
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  StatusOr<Statement> Prepare(std::string_view sql);
  // Runs one or more statements separated by ';' that return no rows (DDL, pragmas).
  Status Exec(std::string_view sql);
  // Runs `sql` and returns the first column of its first row as an integer (0 when no row).
  StatusOr<int64_t> QueryInt64(std::string_view sql);

  // Row id of the last successful INSERT on this connection.
  int64_t LastInsertRowId() const;
  // Rows changed by the last INSERT/UPDATE/DELETE on this connection.
  int64_t Changes() const;
  bool InTransaction() const;

  const std::string& path() const { return path_; }
  sqlite3* raw() { return db_; }

 private:
  Db(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
};

// A transaction scope. Destroying an uncommitted Transaction rolls it back, so every early
// `return status;` inside a write leaves the database as it was.
class Transaction {
 public:
  enum class Mode {
    kDeferred,   // takes the write lock at the first write
    kImmediate,  // takes the write lock now: use for every read-modify-write, so two
                 // writers serialise on the busy timeout instead of failing with BUSY
                 // when the reader upgrades
  };
  static StatusOr<Transaction> Begin(Db& db, Mode mode = Mode::kImmediate);
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  Status Commit();
  // Explicit rollback; also what the destructor does when Commit was not reached.
  Status Rollback();

 private:
  explicit Transaction(Db* db) : db_(db) {}
  Db* db_;  // null once committed or rolled back
};

// Maps an SQLite result code to the closest StatusCode: BUSY/LOCKED/CANTOPEN/IOERR ->
// Unavailable, CORRUPT/NOTADB -> DataLoss, CONSTRAINT -> FailedPrecondition,
// FULL/NOMEM/TOOBIG -> ResourceExhausted, PERM/READONLY/AUTH -> PermissionDenied,
// RANGE/MISMATCH -> InvalidArgument, anything else -> Internal.
StatusCode SqliteCodeToStatusCode(int rc);

}  // namespace vigil::store
