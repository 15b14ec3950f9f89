#include "store/sqlite.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace vigil::store {
namespace {

// Long statements (the schema) are cut in messages; the start identifies them.
std::string ShortSql(std::string_view sql) {
  constexpr size_t kMax = 160;
  std::string s;
  s.reserve(std::min(sql.size(), kMax));
  for (char c : sql.substr(0, kMax)) s.push_back(c == '\n' ? ' ' : c);
  if (sql.size() > kMax) s += "...";
  return s;
}

Status SqliteError(sqlite3* db, int rc, std::string_view context) {
  // errmsg is specific ("no such table: x"); errstr is the generic text of the code, worth
  // adding only when it says something errmsg does not.
  const std::string specific = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  const std::string generic = sqlite3_errstr(rc);
  std::string msg(context);
  msg += ": ";
  msg += specific;
  if (generic != specific) msg += " (" + generic + ")";
  return Status(SqliteCodeToStatusCode(rc), std::move(msg));
}

// Creates the file with mode 0600 before SQLite sees it. SQLite would use 0644 under the
// usual umask, and it gives the -wal and -shm files the database file's mode, so this one
// choice covers all three.
Status CreateOwnerOnly(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    int err = errno;
    std::string msg = "open " + path + ": " + std::strerror(err);
    if (err == ENOENT) return NotFoundError(msg + " (does the directory exist?)");
    if (err == EACCES || err == EPERM || err == EROFS) return PermissionDeniedError(msg);
    return UnavailableError(msg);
  }
  ::close(fd);
  return OkStatus();
}

}  // namespace

StatusCode SqliteCodeToStatusCode(int rc) {
  switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
      return StatusCode::kOk;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
      return StatusCode::kUnavailable;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return StatusCode::kDataLoss;
    case SQLITE_CONSTRAINT:
      return StatusCode::kFailedPrecondition;
    case SQLITE_FULL:
    case SQLITE_NOMEM:
    case SQLITE_TOOBIG:
      return StatusCode::kResourceExhausted;
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_AUTH:
      return StatusCode::kPermissionDenied;
    case SQLITE_RANGE:
    case SQLITE_MISMATCH:
      return StatusCode::kInvalidArgument;
    default:
      return StatusCode::kInternal;
  }
}

Statement::Statement(sqlite3_stmt* stmt, sqlite3* db, std::string sql)
    : stmt_(stmt), db_(db), sql_(std::move(sql)) {}

Statement::Statement(Statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)),
      db_(other.db_),
      sql_(std::move(other.sql_)),
      bind_error_(std::move(other.bind_error_)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
    db_ = other.db_;
    sql_ = std::move(other.sql_);
    bind_error_ = std::move(other.bind_error_);
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Status Statement::Error(int rc, std::string_view what) const {
  std::string context(what);
  context += " [";
  context += ShortSql(sql_);
  context += "]";
  return SqliteError(db_, rc, context);
}

void Statement::NoteBind(int rc, int index) {
  if (rc != SQLITE_OK && bind_error_.ok()) {
    bind_error_ = Error(rc, "bind parameter " + std::to_string(index));
  }
}

Statement& Statement::BindInt64(int index, int64_t value) {
  NoteBind(sqlite3_bind_int64(stmt_, index, value), index);
  return *this;
}

Statement& Statement::BindDouble(int index, double value) {
  NoteBind(sqlite3_bind_double(stmt_, index, value), index);
  return *this;
}

Statement& Statement::BindText(int index, std::string_view value) {
  // A zero-length string must still be TEXT, not NULL: sqlite3_bind_text with a null
  // pointer binds NULL, which string_view{} may carry.
  const char* data = value.data() != nullptr ? value.data() : "";
  NoteBind(sqlite3_bind_text64(stmt_, index, data, value.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
           index);
  return *this;
}

Statement& Statement::BindBlob(int index, std::string_view bytes) {
  const char* data = bytes.data() != nullptr ? bytes.data() : "";
  NoteBind(sqlite3_bind_blob64(stmt_, index, data, bytes.size(), SQLITE_TRANSIENT), index);
  return *this;
}

Statement& Statement::BindNull(int index) {
  NoteBind(sqlite3_bind_null(stmt_, index), index);
  return *this;
}

StatusOr<bool> Statement::Step() {
  if (!bind_error_.ok()) return bind_error_;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Error(rc, "step");
}

Status Statement::Run() {
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return OkStatus();
  }
}

void Statement::Reset() {
  // sqlite3_reset repeats the last step's error code; that error was already reported by
  // Step(), so it is not an error of the reset.
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_error_ = OkStatus();
}

int Statement::ColumnCount() const { return sqlite3_column_count(stmt_); }

bool Statement::ColumnIsNull(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}

int64_t Statement::ColumnInt64(int col) const { return sqlite3_column_int64(stmt_, col); }

double Statement::ColumnDouble(int col) const { return sqlite3_column_double(stmt_, col); }

std::string Statement::ColumnText(int col) const {
  const unsigned char* text = sqlite3_column_text(stmt_, col);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

std::string Statement::ColumnBlob(int col) const {
  const void* blob = sqlite3_column_blob(stmt_, col);
  if (blob == nullptr) return {};
  return std::string(static_cast<const char*>(blob),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

StatusOr<std::unique_ptr<Db>> Db::Open(const std::string& path, const DbOptions& options) {
  const bool in_memory = path == ":memory:" || path.empty();
  if (!in_memory && options.create) VIGIL_RETURN_IF_ERROR(CreateOwnerOnly(path));

  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (options.create) flags |= SQLITE_OPEN_CREATE;
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status status = SqliteError(raw, rc, "open " + path);
    sqlite3_close_v2(raw);  // SQLite allocates a handle even when open fails
    return status;
  }
  std::unique_ptr<Db> db(new Db(raw, path));
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);

  // The first statement that reads the file is where a non-database is noticed
  // (sqlite3_open_v2 is lazy), so this query doubles as the "is it SQLite" check.
  auto probe = db->QueryInt64("PRAGMA schema_version");
  if (!probe.ok()) return Annotate(probe.status(), "open " + path);

  if (!in_memory) {
    VIGIL_ASSIGN_OR_RETURN(Statement wal, db->Prepare("PRAGMA journal_mode=WAL"));
    VIGIL_ASSIGN_OR_RETURN(bool row, wal.Step());
    std::string mode = row ? wal.ColumnText(0) : std::string();
    if (mode != "wal") {
      return UnavailableError("open " + path + ": could not enable WAL (journal_mode=" + mode +
                              "); is the file on a network filesystem?");
    }
  }
  VIGIL_RETURN_IF_ERROR(
      Annotate(db->Exec("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"), "open " + path));
  return db;
}

Db::~Db() {
  // close_v2 defers the close until any statement the caller still holds is finalized,
  // rather than failing with SQLITE_BUSY and leaking the handle.
  sqlite3_close_v2(db_);
}

StatusOr<Statement> Db::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), 0, &stmt, nullptr);
  Statement result(stmt, db_, std::string(sql));
  if (rc != SQLITE_OK) return result.Error(rc, "prepare");
  if (stmt == nullptr) return InvalidArgumentError("prepare [" + ShortSql(sql) + "]: empty SQL");
  return result;
}

Status Db::Exec(std::string_view sql) {
  std::string owned(sql);  // sqlite3_exec needs a NUL-terminated string
  char* err = nullptr;
  int rc = sqlite3_exec(db_, owned.c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return OkStatus();
  const std::string specific = err != nullptr ? err : "";
  const std::string generic = sqlite3_errstr(rc);
  sqlite3_free(err);
  std::string msg = "exec [" + ShortSql(sql) + "]: " + specific;
  if (generic != specific) msg += " (" + generic + ")";
  return Status(SqliteCodeToStatusCode(rc), std::move(msg));
}

StatusOr<int64_t> Db::QueryInt64(std::string_view sql) {
  VIGIL_ASSIGN_OR_RETURN(Statement stmt, Prepare(sql));
  VIGIL_ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? stmt.ColumnInt64(0) : int64_t{0};
}

int64_t Db::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }

int64_t Db::Changes() const { return sqlite3_changes64(db_); }

bool Db::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

StatusOr<Transaction> Transaction::Begin(Db& db, Mode mode) {
  VIGIL_RETURN_IF_ERROR(db.Exec(mode == Mode::kImmediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED"));
  return Transaction(&db);
}

Transaction::Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Transaction::~Transaction() {
  if (db_ != nullptr) Rollback().IgnoreError();  // nothing to tell: the caller already failed
}

Status Transaction::Commit() {
  if (db_ == nullptr) return FailedPreconditionError("commit: transaction already finished");
  Status status = db_->Exec("COMMIT");
  // A failed COMMIT (e.g. BUSY) leaves the transaction open; the destructor rolls it back.
  if (status.ok()) db_ = nullptr;
  return status;
}

Status Transaction::Rollback() {
  if (db_ == nullptr) return OkStatus();
  Db* db = std::exchange(db_, nullptr);
  // SQLite may already have rolled back on its own (after SQLITE_FULL, IOERR, ...).
  if (!db->InTransaction()) return OkStatus();
  return db->Exec("ROLLBACK");
}

}  // namespace vigil::store
