// The vulnerability database file (schema: docs/db.md).
//
// This file talks to SQLite directly rather than through src/store/sqlite.h: store's Db
// always switches a connection to WAL, which a read-only, copied-around database file must
// not need (WAL readers want a writable -shm beside the file). The few statements here are
// wrapped by the small Stmt below.
#include "vulndb/db.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <tuple>
#include <unordered_map>

#include "base/clock.h"
#include "nlohmann/json.hpp"

namespace vigil::vulndb {
namespace {

using nlohmann::json;

Status SqlError(sqlite3* db, int rc, std::string_view what) {
  std::string msg =
      std::string(what) + ": " + (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return DataLossError(msg);
    case SQLITE_FULL:
    case SQLITE_NOMEM:
    case SQLITE_TOOBIG:
      return ResourceExhaustedError(msg);
    case SQLITE_CANTOPEN:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
      return UnavailableError(msg);
    case SQLITE_PERM:
    case SQLITE_READONLY:
      return PermissionDeniedError(msg);
    default:
      return InternalError(msg);
  }
}

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DbHandle = std::unique_ptr<sqlite3, DbCloser>;

// One prepared statement. Binds are 1-based, columns 0-based; Step returns true per row.
class Stmt {
 public:
  Stmt() = default;
  Stmt(Stmt&& o) noexcept : db_(o.db_), stmt_(o.stmt_) { o.stmt_ = nullptr; }
  Stmt& operator=(Stmt&& o) noexcept {
    std::swap(db_, o.db_);
    std::swap(stmt_, o.stmt_);
    return *this;
  }
  ~Stmt() { sqlite3_finalize(stmt_); }

  static StatusOr<Stmt> Prepare(sqlite3* db, std::string_view sql) {
    Stmt s;
    s.db_ = db;
    int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &s.stmt_, nullptr);
    if (rc != SQLITE_OK) return SqlError(db, rc, "prepare `" + std::string(sql) + "`");
    return s;
  }
  Stmt& Text(int i, std::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Int(int i, int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Stmt& Real(int i, double v) {
    sqlite3_bind_double(stmt_, i, v);
    return *this;
  }
  StatusOr<bool> Step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return SqlError(db_, rc, std::string("step `") + sqlite3_sql(stmt_) + "`");
  }
  Status Run() {
    StatusOr<bool> r = Step();
    Reset();
    return r.status();
  }
  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  int64_t ColInt(int c) const { return sqlite3_column_int64(stmt_, c); }
  double ColReal(int c) const { return sqlite3_column_double(stmt_, c); }
  std::string ColText(int c) const {
    const unsigned char* p = sqlite3_column_text(stmt_, c);
    return p == nullptr ? std::string()
                        : std::string(reinterpret_cast<const char*>(p),
                                      static_cast<size_t>(sqlite3_column_bytes(stmt_, c)));
  }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

Status Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return OkStatus();
  std::string msg = std::string("`") + sql + "`: " + (err != nullptr ? err : sqlite3_errstr(rc));
  sqlite3_free(err);
  return SqlError(nullptr, rc, msg);
}

StatusOr<int64_t> QueryInt(sqlite3* db, const char* sql) {
  VIGIL_ASSIGN_OR_RETURN(Stmt s, Stmt::Prepare(db, sql));
  VIGIL_ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? s.ColInt(0) : 0;
}

constexpr const char* kSchema = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sources(
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, format TEXT NOT NULL, location TEXT NOT NULL,
  digest TEXT NOT NULL, advisories INTEGER NOT NULL DEFAULT 0,
  withdrawn INTEGER NOT NULL DEFAULT 0, affected INTEGER NOT NULL DEFAULT 0,
  severities INTEGER NOT NULL DEFAULT 0, skipped INTEGER NOT NULL DEFAULT 0);
CREATE TABLE advisories(
  id INTEGER PRIMARY KEY, source_id INTEGER NOT NULL REFERENCES sources(id),
  advisory_id TEXT NOT NULL, aliases TEXT NOT NULL, summary TEXT NOT NULL,
  details TEXT NOT NULL, published TEXT NOT NULL, modified TEXT NOT NULL,
  withdrawn INTEGER NOT NULL, severity TEXT NOT NULL, severity_source TEXT NOT NULL,
  cvss_score REAL NOT NULL, cvss_vector TEXT NOT NULL, refs TEXT NOT NULL);
CREATE TABLE affected(
  id INTEGER PRIMARY KEY, advisory INTEGER NOT NULL REFERENCES advisories(id),
  ecosystem TEXT NOT NULL, package TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL,
  data TEXT NOT NULL);
CREATE TABLE severities(
  vuln_id TEXT NOT NULL, source TEXT NOT NULL, severity TEXT NOT NULL, score REAL NOT NULL,
  vector TEXT NOT NULL, published TEXT NOT NULL, description TEXT NOT NULL,
  PRIMARY KEY(vuln_id, source));
)sql";

// The kind-specific fields of an Affected entry as compact JSON (only non-empty fields).
std::string AffectedData(const Affected& a) {
  json d = json::object();
  switch (a.kind) {
    case AffectedKind::kOsv: {
      if (!a.ranges.empty()) {
        json ranges = json::array();
        for (const Range& r : a.ranges) {
          json events = json::array();
          for (const Event& e : r.events) {
            events.push_back({{std::string(EventKindName(e.kind)), e.version}});
          }
          ranges.push_back({{"type", r.type}, {"events", std::move(events)}});
        }
        d["ranges"] = std::move(ranges);
      }
      if (!a.versions.empty()) d["versions"] = a.versions;
      if (!a.last_known_affected.empty()) d["last_known_affected"] = a.last_known_affected;
      break;
    }
    case AffectedKind::kNpmRange:
      d["npm_range"] = a.npm_range;
      if (!a.patched_range.empty()) d["patched_range"] = a.patched_range;
      break;
    case AffectedKind::kDistro:
      d["status"] = std::string(DistroStatusName(a.distro_status));
      if (!a.fixed_version.empty()) d["fixed_version"] = a.fixed_version;
      break;
  }
  if (!a.severity.empty()) d["severity"] = a.severity;
  // Invalid UTF-8 from a feed is replaced rather than failing the whole build.
  return d.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string JsonStrings(const std::vector<std::string>& v) {
  return json(v).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::vector<std::string> ParseStrings(const std::string& text) {
  std::vector<std::string> out;
  json j = json::parse(text, nullptr, false);
  if (!j.is_array()) return out;
  for (const json& v : j) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

StatusOr<AffectedKind> ParseKind(std::string_view s) {
  for (AffectedKind k : {AffectedKind::kOsv, AffectedKind::kNpmRange, AffectedKind::kDistro}) {
    if (AffectedKindName(k) == s) return k;
  }
  return DataLossError("unknown affected kind `" + std::string(s) + "`");
}

Status DecodeAffected(const std::string& data, Affected& a) {
  json d = json::parse(data, nullptr, false);
  if (!d.is_object()) return DataLossError("affected data is not a JSON object");
  auto str = [&](const char* key) -> std::string {
    auto it = d.find(key);
    return it != d.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (auto it = d.find("ranges"); it != d.end() && it->is_array()) {
    for (const json& r : *it) {
      Range range;
      if (r.contains("type") && r["type"].is_string()) range.type = r["type"];
      if (auto ev = r.find("events"); ev != r.end() && ev->is_array()) {
        for (const json& e : *ev) {
          if (!e.is_object() || e.empty()) continue;
          const auto& [key, value] = *e.items().begin();
          Event event;
          for (EventKind k : {EventKind::kIntroduced, EventKind::kFixed, EventKind::kLastAffected,
                              EventKind::kLimit}) {
            if (EventKindName(k) == key) event.kind = k;
          }
          if (value.is_string()) event.version = value.get<std::string>();
          range.events.push_back(std::move(event));
        }
      }
      a.ranges.push_back(std::move(range));
    }
  }
  if (auto it = d.find("versions"); it != d.end() && it->is_array()) {
    for (const json& v : *it) {
      if (v.is_string()) a.versions.push_back(v.get<std::string>());
    }
  }
  a.last_known_affected = str("last_known_affected");
  a.npm_range = str("npm_range");
  a.patched_range = str("patched_range");
  a.fixed_version = str("fixed_version");
  a.severity = str("severity");
  std::string status = str("status");
  for (DistroStatus s : {DistroStatus::kFixed, DistroStatus::kUnfixed, DistroStatus::kNotAffected,
                         DistroStatus::kEndOfLife, DistroStatus::kNoDsa, DistroStatus::kIgnored,
                         DistroStatus::kPostponed}) {
    if (DistroStatusName(s) == status) a.distro_status = s;
  }
  return OkStatus();
}

report::Severity SeverityFromName(const std::string& name) {
  StatusOr<report::Severity> s = report::ParseSeverity(name);
  return s.ok() ? *s : report::Severity::kUnknown;
}

// ---------------------------------------------------------------- writer

class SqliteDbWriter : public DbWriter {
 public:
  SqliteDbWriter(DbHandle db, std::string path, std::string built_by)
      : db_(std::move(db)), path_(std::move(path)), built_by_(std::move(built_by)) {}

  Status Init() {
    // A build writes a fresh file that is renamed into place only when complete, so no
    // on-disk journal and no fsync per transaction are needed; Finish() syncs once.
    VIGIL_RETURN_IF_ERROR(Exec(db_.get(),
                               "PRAGMA page_size=4096; PRAGMA journal_mode=MEMORY; "
                               "PRAGMA synchronous=OFF; PRAGMA cache_size=-65536;"));
    VIGIL_RETURN_IF_ERROR(Exec(db_.get(), kSchema));
    VIGIL_ASSIGN_OR_RETURN(
        insert_source_,
        Stmt::Prepare(db_.get(),
                      "INSERT INTO sources(name, format, location, digest) VALUES(?,?,?,?)"));
    VIGIL_ASSIGN_OR_RETURN(
        update_source_,
        Stmt::Prepare(db_.get(),
                      "UPDATE sources SET advisories=?, withdrawn=?, affected=?, severities=?, "
                      "skipped=? WHERE id=?"));
    VIGIL_ASSIGN_OR_RETURN(
        insert_advisory_,
        Stmt::Prepare(db_.get(),
                      "INSERT INTO advisories(source_id, advisory_id, aliases, summary, details, "
                      "published, modified, withdrawn, severity, severity_source, cvss_score, "
                      "cvss_vector, refs) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)"));
    VIGIL_ASSIGN_OR_RETURN(
        insert_affected_,
        Stmt::Prepare(db_.get(),
                      "INSERT INTO affected(advisory, ecosystem, package, name, kind, data) "
                      "VALUES(?,?,?,?,?,?)"));
    VIGIL_ASSIGN_OR_RETURN(
        insert_severity_,
        Stmt::Prepare(db_.get(),
                      "INSERT OR REPLACE INTO severities(vuln_id, source, severity, score, "
                      "vector, published, description) VALUES(?,?,?,?,?,?,?)"));
    return OkStatus();
  }

  // A source already seen in this build (same name, format and location) continues its row:
  // a directory walk may come back to a source after another one.
  Status BeginSource(const SourceInfo& info) override {
    if (current_ != nullptr) return FailedPreconditionError("BeginSource inside a source");
    if (finished_) return FailedPreconditionError("BeginSource after Finish");
    auto key = std::make_tuple(info.name, info.format, info.location);
    auto it = sources_.find(key);
    if (it == sources_.end()) {
      insert_source_.Text(1, info.name)
          .Text(2, info.format)
          .Text(3, info.location)
          .Text(4, info.digest);
      VIGIL_RETURN_IF_ERROR(insert_source_.Run());
      Counts c;
      c.row = sqlite3_last_insert_rowid(db_.get());
      it = sources_.emplace(key, c).first;
    }
    VIGIL_RETURN_IF_ERROR(Exec(db_.get(), "BEGIN"));
    current_ = &it->second;
    return OkStatus();
  }

  Status AddAdvisory(const Advisory& a) override {
    if (current_ == nullptr) return FailedPreconditionError("AddAdvisory outside a source");
    std::string severity = a.severity == report::Severity::kUnknown
                               ? ""
                               : std::string(report::SeverityName(a.severity));
    insert_advisory_.Int(1, current_->row)
        .Text(2, a.id)
        .Text(3, JsonStrings(a.aliases))
        .Text(4, a.summary)
        .Text(5, a.details)
        .Text(6, a.published)
        .Text(7, a.modified)
        .Int(8, a.withdrawn ? 1 : 0)
        .Text(9, severity)
        .Text(10, a.severity_source)
        .Real(11, a.cvss_score)
        .Text(12, a.cvss_vector)
        .Text(13, JsonStrings(a.references));
    VIGIL_RETURN_IF_ERROR(insert_advisory_.Run());
    int64_t row = sqlite3_last_insert_rowid(db_.get());
    for (const Affected& f : a.affected) {
      std::string ecosystem = CanonicalEcosystem(f.ecosystem);
      insert_affected_.Int(1, row)
          .Text(2, ecosystem)
          .Text(3, NormalizePackageName(ecosystem, f.package))
          .Text(4, f.package)
          .Text(5, AffectedKindName(f.kind))
          .Text(6, AffectedData(f));
      VIGIL_RETURN_IF_ERROR(insert_affected_.Run());
    }
    ++current_->advisories;
    if (a.withdrawn) ++current_->withdrawn;
    current_->affected += static_cast<int64_t>(a.affected.size());
    return OkStatus();
  }

  Status AddSeverity(const SeverityRecord& r) override {
    if (current_ == nullptr) return FailedPreconditionError("AddSeverity outside a source");
    std::string severity = r.severity == report::Severity::kUnknown
                               ? ""
                               : std::string(report::SeverityName(r.severity));
    insert_severity_.Text(1, r.vuln_id)
        .Text(2, r.source)
        .Text(3, severity)
        .Real(4, r.score)
        .Text(5, r.vector)
        .Text(6, r.published)
        .Text(7, r.description);
    VIGIL_RETURN_IF_ERROR(insert_severity_.Run());
    ++current_->severities;
    return OkStatus();
  }

  Status EndSource(int64_t skipped) override {
    if (current_ == nullptr) return FailedPreconditionError("EndSource outside a source");
    current_->skipped += skipped;
    update_source_.Int(1, current_->advisories)
        .Int(2, current_->withdrawn)
        .Int(3, current_->affected)
        .Int(4, current_->severities)
        .Int(5, current_->skipped)
        .Int(6, current_->row);
    VIGIL_RETURN_IF_ERROR(update_source_.Run());
    current_ = nullptr;
    return Exec(db_.get(), "COMMIT");
  }

  Status Finish() override {
    if (current_ != nullptr) return FailedPreconditionError("Finish inside a source");
    if (finished_) return FailedPreconditionError("Finish called twice");
    finished_ = true;
    // Indexes built once at the end are faster than maintained row by row, and compact.
    VIGIL_RETURN_IF_ERROR(
        Exec(db_.get(), "CREATE INDEX affected_key ON affected(ecosystem, package)"));
    VIGIL_RETURN_IF_ERROR(Exec(db_.get(), "ANALYZE"));
    VIGIL_RETURN_IF_ERROR(Exec(db_.get(), "PRAGMA synchronous=FULL; BEGIN"));
    {
      VIGIL_ASSIGN_OR_RETURN(Stmt meta,
                             Stmt::Prepare(db_.get(), "INSERT INTO meta(key, value) VALUES(?,?)"));
      std::pair<const char*, std::string> rows[] = {
          {"schema_version", std::to_string(kSchemaVersion)},
          {"built_at", FormatRfc3339(Clock::Real().Now())},
          {"built_by", built_by_}};
      for (const auto& [k, v] : rows) {
        meta.Text(1, k).Text(2, v);
        VIGIL_RETURN_IF_ERROR(meta.Run());
      }
    }  // finalised here: the connection closes below
    VIGIL_RETURN_IF_ERROR(Exec(db_.get(), "COMMIT"));
    // Statements must be finalised before the connection closes.
    insert_source_ = Stmt();
    update_source_ = Stmt();
    insert_advisory_ = Stmt();
    insert_affected_ = Stmt();
    insert_severity_ = Stmt();
    sqlite3* raw = db_.release();
    int rc = sqlite3_close(raw);
    if (rc != SQLITE_OK) {
      sqlite3_close_v2(raw);
      return SqlError(nullptr, rc, "closing " + path_);
    }
    return OkStatus();
  }

  ~SqliteDbWriter() override {
    if (current_ != nullptr && db_) Exec(db_.get(), "ROLLBACK").IgnoreError();
    insert_source_ = Stmt();
    update_source_ = Stmt();
    insert_advisory_ = Stmt();
    insert_affected_ = Stmt();
    insert_severity_ = Stmt();
  }

 private:
  struct Counts {
    int64_t row = 0;
    int64_t advisories = 0, withdrawn = 0, affected = 0, severities = 0, skipped = 0;
  };
  DbHandle db_;
  std::string path_;
  std::string built_by_;
  Stmt insert_source_, update_source_, insert_advisory_, insert_affected_, insert_severity_;
  std::map<std::tuple<std::string, std::string, std::string>, Counts> sources_;
  Counts* current_ = nullptr;
  bool finished_ = false;
};

// ---------------------------------------------------------------- reader

class SqliteDatabase : public Database {
 public:
  SqliteDatabase(std::string path, DbHandle db) : Database(std::move(path)), db_(std::move(db)) {}
  ~SqliteDatabase() override {
    lookup_ = Stmt();
    advisory_ = Stmt();
    severity_ = Stmt();
  }

  Status Prepare() {
    VIGIL_ASSIGN_OR_RETURN(
        lookup_, Stmt::Prepare(db_.get(),
                               "SELECT advisory, ecosystem, name, kind, data FROM affected "
                               "WHERE ecosystem=? AND package=? ORDER BY id"));
    VIGIL_ASSIGN_OR_RETURN(
        advisory_,
        Stmt::Prepare(db_.get(),
                      "SELECT s.name, a.advisory_id, a.aliases, a.summary, a.details, "
                      "a.published, a.modified, a.withdrawn, a.severity, a.severity_source, "
                      "a.cvss_score, a.cvss_vector, a.refs FROM advisories a "
                      "JOIN sources s ON s.id = a.source_id WHERE a.id=?"));
    VIGIL_ASSIGN_OR_RETURN(
        severity_, Stmt::Prepare(db_.get(),
                                 "SELECT source, severity, score, vector, published, description "
                                 "FROM severities WHERE vuln_id=? ORDER BY source='nvd' DESC, "
                                 "source LIMIT 1"));
    return OkStatus();
  }

  StatusOr<std::vector<Candidate>> Lookup(std::string_view ecosystem,
                                          std::string_view package) const override {
    std::string eco = CanonicalEcosystem(ecosystem);
    std::string key = NormalizePackageName(eco, package);
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Candidate> out;
    lookup_.Text(1, eco).Text(2, key);
    for (;;) {
      StatusOr<bool> row = lookup_.Step();
      if (!row.ok()) {
        lookup_.Reset();
        return Annotate(row.status(), path());
      }
      if (!*row) break;
      Candidate c;
      int64_t adv_row = lookup_.ColInt(0);
      c.affected.ecosystem = lookup_.ColText(1);
      c.affected.package = lookup_.ColText(2);
      StatusOr<AffectedKind> kind = ParseKind(lookup_.ColText(3));
      Status st = kind.ok() ? DecodeAffected(lookup_.ColText(4), c.affected) : kind.status();
      if (!st.ok()) {
        lookup_.Reset();
        return Annotate(st, path() + ": affected row of advisory " + std::to_string(adv_row));
      }
      c.affected.kind = *kind;
      StatusOr<std::shared_ptr<const Advisory>> adv = AdvisoryLocked(adv_row);
      if (!adv.ok()) {
        lookup_.Reset();
        return adv.status();
      }
      c.advisory = *std::move(adv);
      out.push_back(std::move(c));
    }
    lookup_.Reset();
    return out;
  }

  StatusOr<SeverityRecord> Severity(std::string_view vuln_id) const override {
    std::lock_guard<std::mutex> lock(mu_);
    severity_.Text(1, vuln_id);
    StatusOr<bool> row = severity_.Step();
    if (!row.ok() || !*row) {
      severity_.Reset();
      if (!row.ok()) return Annotate(row.status(), path());
      return NotFoundError("no severity record for " + std::string(vuln_id));
    }
    SeverityRecord r;
    r.vuln_id = std::string(vuln_id);
    r.source = severity_.ColText(0);
    r.severity = SeverityFromName(severity_.ColText(1));
    r.score = severity_.ColReal(2);
    r.vector = severity_.ColText(3);
    r.published = severity_.ColText(4);
    r.description = severity_.ColText(5);
    severity_.Reset();
    return r;
  }

  StatusOr<DbInfo> Info() const override {
    std::lock_guard<std::mutex> lock(mu_);
    DbInfo info;
    sqlite3* db = db_.get();
    VIGIL_ASSIGN_OR_RETURN(Stmt meta, Stmt::Prepare(db, "SELECT key, value FROM meta"));
    for (;;) {
      VIGIL_ASSIGN_OR_RETURN(bool row, meta.Step());
      if (!row) break;
      std::string k = meta.ColText(0);
      if (k == "schema_version") info.schema_version = std::atoi(meta.ColText(1).c_str());
      if (k == "built_at") info.built_at = meta.ColText(1);
      if (k == "built_by") info.built_by = meta.ColText(1);
    }
    VIGIL_ASSIGN_OR_RETURN(
        Stmt src, Stmt::Prepare(db,
                                "SELECT name, format, location, digest, advisories, withdrawn, "
                                "affected, severities, skipped FROM sources ORDER BY id"));
    for (;;) {
      VIGIL_ASSIGN_OR_RETURN(bool row, src.Step());
      if (!row) break;
      SourceCounts c;
      c.info = {src.ColText(0), src.ColText(1), src.ColText(2), src.ColText(3)};
      c.advisories = src.ColInt(4);
      c.withdrawn = src.ColInt(5);
      c.affected = src.ColInt(6);
      c.severities = src.ColInt(7);
      c.skipped = src.ColInt(8);
      info.sources.push_back(std::move(c));
    }
    VIGIL_ASSIGN_OR_RETURN(info.advisories, QueryInt(db, "SELECT count(*) FROM advisories"));
    VIGIL_ASSIGN_OR_RETURN(info.affected, QueryInt(db, "SELECT count(*) FROM affected"));
    VIGIL_ASSIGN_OR_RETURN(info.severities, QueryInt(db, "SELECT count(*) FROM severities"));
    VIGIL_ASSIGN_OR_RETURN(
        Stmt eco, Stmt::Prepare(db,
                                "SELECT ecosystem, count(*) FROM affected GROUP BY ecosystem "
                                "ORDER BY ecosystem"));
    for (;;) {
      VIGIL_ASSIGN_OR_RETURN(bool row, eco.Step());
      if (!row) break;
      info.ecosystems.emplace_back(eco.ColText(0), eco.ColInt(1));
    }
    return info;
  }

 private:
  // Reads (or returns the cached) advisory of row `id`; mu_ is held.
  StatusOr<std::shared_ptr<const Advisory>> AdvisoryLocked(int64_t id) const {
    if (auto it = cache_.find(id); it != cache_.end()) return it->second;
    advisory_.Int(1, id);
    StatusOr<bool> row = advisory_.Step();
    if (!row.ok() || !*row) {
      advisory_.Reset();
      if (!row.ok()) return Annotate(row.status(), path());
      return DataLossError(path() + ": affected row points at missing advisory " +
                           std::to_string(id));
    }
    auto a = std::make_shared<Advisory>();
    a->source = advisory_.ColText(0);
    a->id = advisory_.ColText(1);
    a->aliases = ParseStrings(advisory_.ColText(2));
    a->summary = advisory_.ColText(3);
    a->details = advisory_.ColText(4);
    a->published = advisory_.ColText(5);
    a->modified = advisory_.ColText(6);
    a->withdrawn = advisory_.ColInt(7) != 0;
    a->severity = SeverityFromName(advisory_.ColText(8));
    a->severity_source = advisory_.ColText(9);
    a->cvss_score = advisory_.ColReal(10);
    a->cvss_vector = advisory_.ColText(11);
    a->references = ParseStrings(advisory_.ColText(12));
    advisory_.Reset();
    std::shared_ptr<const Advisory> shared = std::move(a);
    cache_.emplace(id, shared);
    return shared;
  }

  DbHandle db_;
  // One connection, its statements and the advisory cache, all guarded by mu_.
  mutable std::mutex mu_;
  mutable Stmt lookup_, advisory_, severity_;
  mutable std::unordered_map<int64_t, std::shared_ptr<const Advisory>> cache_;
};

}  // namespace

std::string DefaultDbPath(const std::string& cache_dir) { return cache_dir + "/db/vigil.db"; }

StatusOr<std::unique_ptr<DbWriter>> DbWriter::Create(const std::string& path,
                                                     const std::string& built_by) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    return AlreadyExistsError(path + ": exists (the writer only creates new database files)");
  }
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  DbHandle db(raw);
  if (rc != SQLITE_OK) return SqlError(raw, rc, "creating " + path);
  auto writer = std::make_unique<SqliteDbWriter>(std::move(db), path, built_by);
  Status st2 = writer->Init();
  if (!st2.ok()) return Annotate(st2, path);
  return std::unique_ptr<DbWriter>(std::move(writer));
}

StatusOr<std::unique_ptr<Database>> Database::Open(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return NotFoundError(path +
                         ": no vulnerability database here; run `vigil db update` or "
                         "`vigil db build --from PATH`");
  }
  if (!S_ISREG(st.st_mode)) return FailedPreconditionError(path + ": not a regular file");
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  DbHandle db(raw);
  if (rc != SQLITE_OK) return SqlError(raw, rc, "opening " + path);
  // The first real read tells a database from any other file.
  StatusOr<int64_t> has_meta =
      QueryInt(db.get(), "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='meta'");
  if (!has_meta.ok()) {
    return DataLossError(path + ": not a Vigil vulnerability database (" +
                         has_meta.status().message() + ")");
  }
  if (*has_meta == 0) {
    return FailedPreconditionError(path + ": not a Vigil vulnerability database (no meta table)");
  }
  StatusOr<Stmt> version =
      Stmt::Prepare(db.get(), "SELECT value FROM meta WHERE key='schema_version'");
  if (!version.ok()) return Annotate(version.status(), path);
  StatusOr<bool> row = version->Step();
  if (!row.ok()) return Annotate(row.status(), path);
  std::string found = *row ? version->ColText(0) : "none";
  version = Stmt();  // finalised before the connection may close
  if (found != std::to_string(kSchemaVersion)) {
    return FailedPreconditionError(
        path + ": schema version " + found + ", expected " + std::to_string(kSchemaVersion) +
        ": the database was built by an incompatible version; run `vigil db update` or "
        "`vigil db build`");
  }
  auto database = std::make_unique<SqliteDatabase>(path, std::move(db));
  VIGIL_RETURN_IF_ERROR(Annotate(database->Prepare(), path));
  return std::unique_ptr<Database>(std::move(database));
}

}  // namespace vigil::vulndb
