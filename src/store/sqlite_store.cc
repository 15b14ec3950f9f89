#include "store/sqlite_store.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <map>

#include "base/hash.h"
#include "nlohmann/json.hpp"
#include "store/codes.h"
#include "store/schema.h"
#include "store/sqlite_migrate.h"

namespace vigil::store {
namespace {

using json = nlohmann::json;

int64_t ToNs(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

TimePoint FromNs(int64_t ns) {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::nanoseconds(ns)));
}

// JSON text of a string list. Invalid UTF-8 (a path from a hostile image, say) cannot be
// represented in JSON; it is replaced by U+FFFD rather than failing the whole scan.
std::string ListToJson(const std::vector<std::string>& list) {
  if (list.empty()) return "[]";  // the common case, without building a json value
  return json(list).dump(-1, ' ', false, json::error_handler_t::replace);
}

Status ListFromJson(std::string_view text, std::string_view column, std::vector<std::string>* out) {
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_array()) {
    return DataLossError("column " + std::string(column) + " is not a JSON array");
  }
  out->clear();
  out->reserve(parsed.size());
  for (const json& item : parsed) {
    if (!item.is_string()) {
      return DataLossError("column " + std::string(column) + " holds a non-string item");
    }
    out->push_back(item.get<std::string>());
  }
  return OkStatus();
}

constexpr std::string_view kScanColumns =
    "id, target, target_kind, artifact_digest, created_at, tool_version, recorded_ns, total,"
    " suppressed, sev_unknown, sev_info, sev_low, sev_medium, sev_high, sev_critical, warnings";

ScanInfo ReadScanInfo(const Statement& stmt) {
  ScanInfo info;
  info.id = stmt.ColumnInt64(0);
  info.target = stmt.ColumnText(1);
  info.target_kind = stmt.ColumnText(2);
  info.artifact_digest = stmt.ColumnText(3);
  info.created_at = stmt.ColumnText(4);
  info.tool_version = stmt.ColumnText(5);
  info.recorded_at = FromNs(stmt.ColumnInt64(6));
  info.summary.total = static_cast<int>(stmt.ColumnInt64(7));
  info.summary.suppressed = static_cast<int>(stmt.ColumnInt64(8));
  for (int i = 0; i < 6; ++i) {
    info.summary.by_severity[i] = static_cast<int>(stmt.ColumnInt64(9 + i));
  }
  return info;
}

constexpr std::string_view kFindingColumns =
    "kind, finding_id, severity, title, description, path, line, end_line, layer, resource,"
    " package_name, package_version, package_ecosystem, package_purl, fixed_version, status,"
    " aliases, controls, refs, remediation, data_source, match_text, fingerprint";

Status ReadFinding(const Statement& stmt, report::Finding* f, std::string* fingerprint) {
  std::string kind = stmt.ColumnText(0);
  std::optional<report::FindingKind> k = KindFromCode(kind);
  if (!k) return DataLossError("unknown finding kind '" + kind + "'");
  f->kind = *k;
  f->id = stmt.ColumnText(1);
  std::string severity = stmt.ColumnText(2);
  std::optional<report::Severity> sev = SeverityFromCode(severity);
  if (!sev) return DataLossError("unknown severity '" + severity + "'");
  f->severity = *sev;
  f->title = stmt.ColumnText(3);
  f->description = stmt.ColumnText(4);
  f->location.path = stmt.ColumnText(5);
  f->location.line = static_cast<int>(stmt.ColumnInt64(6));
  f->location.end_line = static_cast<int>(stmt.ColumnInt64(7));
  f->location.layer = stmt.ColumnText(8);
  f->location.resource = stmt.ColumnText(9);
  if (stmt.ColumnIsNull(10)) {
    f->package.reset();
  } else {
    f->package = report::PackageRef{stmt.ColumnText(10), stmt.ColumnText(11), stmt.ColumnText(12),
                                    stmt.ColumnText(13)};
  }
  f->fixed_version = stmt.ColumnText(14);
  f->status = stmt.ColumnText(15);
  VIGIL_RETURN_IF_ERROR(ListFromJson(stmt.ColumnText(16), "aliases", &f->aliases));
  VIGIL_RETURN_IF_ERROR(ListFromJson(stmt.ColumnText(17), "controls", &f->controls));
  VIGIL_RETURN_IF_ERROR(ListFromJson(stmt.ColumnText(18), "refs", &f->references));
  f->remediation = stmt.ColumnText(19);
  f->data_source = stmt.ColumnText(20);
  f->match = stmt.ColumnText(21);
  if (fingerprint != nullptr) *fingerprint = stmt.ColumnText(22);
  return OkStatus();
}

Status BindFinding(Statement& stmt, int64_t scan_id, const report::Finding& f) {
  stmt.BindInt64(1, scan_id)
      .BindText(2, KindCode(f.kind))
      .BindText(3, f.id)
      .BindText(4, SeverityCode(f.severity))
      .BindText(5, f.title)
      .BindText(6, f.description)
      .BindText(7, f.location.path)
      .BindInt64(8, f.location.line)
      .BindInt64(9, f.location.end_line)
      .BindText(10, f.location.layer)
      .BindText(11, f.location.resource);
  if (f.package) {
    stmt.BindText(12, f.package->name)
        .BindText(13, f.package->version)
        .BindText(14, f.package->ecosystem)
        .BindText(15, f.package->purl);
  } else {
    stmt.BindNull(12).BindNull(13).BindNull(14).BindNull(15);
  }
  stmt.BindText(16, f.fixed_version)
      .BindText(17, f.status)
      .BindText(18, ListToJson(f.aliases))
      .BindText(19, ListToJson(f.controls))
      .BindText(20, ListToJson(f.references))
      .BindText(21, f.remediation)
      .BindText(22, f.data_source)
      .BindText(23, f.match)
      .BindText(24, Fingerprint(f));
  return stmt.Run();
}

std::string ScanContext(int64_t scan_id) { return "scan " + std::to_string(scan_id); }

}  // namespace

StatusOr<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path,
                                                         const StoreOptions& options) {
  DbOptions db_options;
  db_options.busy_timeout_ms = options.busy_timeout_ms;
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Db> db, Db::Open(path, db_options));
  std::unique_ptr<SqliteStore> store(new SqliteStore(std::move(db), options));
  if (store->IsCurrent()) return store;
  VIGIL_RETURN_IF_ERROR(Annotate(store->ClaimApplicationId(), "store " + path));
  auto migrated = MigrateSqlite(*store->db_, SqliteSchemaMigrations());
  if (!migrated.ok()) return Annotate(migrated.status(), "store " + path);
  return store;
}

// The common case, a Vigil database already at this build's version, is confirmed in a
// read transaction: in WAL that never waits for a writer, so opening the store is not
// delayed by a long RecordScan or Vacuum elsewhere. Any doubt (or error) answers false and
// leaves the verdict to the locked path, which reports errors properly.
bool SqliteStore::IsCurrent() {
  auto tx = Transaction::Begin(*db_, Transaction::Mode::kDeferred);
  if (!tx.ok()) return false;
  auto app_id = db_->QueryInt64("PRAGMA application_id");
  if (!app_id.ok() || *app_id != kSqliteApplicationId) return false;
  auto has_table = db_->QueryInt64(
      "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'");
  if (!has_table.ok() || *has_table != 1) return false;
  SqliteMigrationBackend backend(*db_);
  auto applied = backend.ListApplied();
  const auto known = SqliteSchemaMigrations();
  return applied.ok() && applied->size() == known.size() && CheckApplied(*applied, known).ok() &&
         tx->Commit().ok();
}

// A fresh file is marked as Vigil's; a file marked by another program, or an unmarked one
// that already has tables, is refused before any migration writes into it.
Status SqliteStore::ClaimApplicationId() {
  VIGIL_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(*db_));
  VIGIL_ASSIGN_OR_RETURN(int64_t app_id, db_->QueryInt64("PRAGMA application_id"));
  if (app_id == kSqliteApplicationId) return tx.Commit();
  if (app_id != 0) {
    char hex[16];
    std::snprintf(hex, sizeof(hex), "0x%08" PRIx32, static_cast<uint32_t>(app_id));
    return FailedPreconditionError(std::string("not a Vigil database (application_id ") + hex +
                                   " belongs to another program)");
  }
  VIGIL_ASSIGN_OR_RETURN(
      int64_t tables,
      db_->QueryInt64("SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'"));
  if (tables != 0) {
    return FailedPreconditionError("not a Vigil database (an SQLite file with " +
                                   std::to_string(tables) + " foreign tables or indexes)");
  }
  VIGIL_RETURN_IF_ERROR(
      db_->Exec("PRAGMA application_id = " + std::to_string(kSqliteApplicationId)));
  return tx.Commit();
}

StatusOr<int> SqliteStore::SchemaVersion() {
  VIGIL_ASSIGN_OR_RETURN(
      int64_t v, db_->QueryInt64("SELECT coalesce(max(version), 0) FROM schema_migrations"));
  return static_cast<int>(v);
}

StatusOr<int64_t> SqliteStore::RecordScan(const report::Report& report) {
  const TimePoint now = clock_->Now();
  StatusOr<TimePoint> created = ParseRfc3339(report.created_at);
  const report::Summary summary = report.Summarize();

  VIGIL_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(*db_));
  VIGIL_ASSIGN_OR_RETURN(
      Statement scan,
      db_->Prepare("INSERT INTO scans (target, target_kind, artifact_digest, created_at,"
                   " created_ns, recorded_ns, tool_version, warnings, total, suppressed,"
                   " sev_unknown, sev_info, sev_low, sev_medium, sev_high, sev_critical)"
                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
                   " ?16)"));
  scan.BindText(1, report.target)
      .BindText(2, report.target_kind)
      .BindText(3, report.artifact_digest)
      .BindText(4, report.created_at)
      .BindInt64(5, ToNs(created.ok() ? *created : now))
      .BindInt64(6, ToNs(now))
      .BindText(7, report.tool_version)
      .BindText(8, ListToJson(report.warnings))
      .BindInt64(9, summary.total)
      .BindInt64(10, summary.suppressed);
  for (int i = 0; i < 6; ++i) scan.BindInt64(11 + i, summary.by_severity[i]);
  VIGIL_RETURN_IF_ERROR(scan.Run());
  const int64_t scan_id = db_->LastInsertRowId();

  VIGIL_ASSIGN_OR_RETURN(
      Statement insert,
      db_->Prepare("INSERT INTO findings (scan_id, kind, finding_id, severity, title,"
                   " description, path, line, end_line, layer, resource, package_name,"
                   " package_version, package_ecosystem, package_purl, fixed_version, status,"
                   " aliases, controls, refs, remediation, data_source, match_text, fingerprint)"
                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
                   " ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)"));
  for (size_t i = 0; i < report.findings.size(); ++i) {
    const report::Finding& f = report.findings[i];
    Status status = BindFinding(insert, scan_id, f);
    if (!status.ok()) {
      return Annotate(status, "record scan of " + report.target + ": finding " + std::to_string(i) +
                                  " (" + f.id + ")");
    }
    insert.Reset();
  }
  VIGIL_RETURN_IF_ERROR(tx.Commit());
  return scan_id;
}

StatusOr<std::vector<ScanInfo>> SqliteStore::ListScans(const ScanFilter& filter) {
  VIGIL_ASSIGN_OR_RETURN(
      Statement stmt,
      db_->Prepare("SELECT " + std::string(kScanColumns) +
                   " FROM scans WHERE (?1 = '' OR target = ?1) AND (?2 = '' OR target_kind = ?2)"
                   " ORDER BY id DESC LIMIT ?3"));
  stmt.BindText(1, filter.target)
      .BindText(2, filter.target_kind)
      .BindInt64(3, filter.limit > 0 ? filter.limit : -1);
  std::vector<ScanInfo> out;
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    out.push_back(ReadScanInfo(stmt));
  }
  return out;
}

StatusOr<bool> SqliteStore::ScanExists(int64_t scan_id) {
  VIGIL_ASSIGN_OR_RETURN(Statement stmt, db_->Prepare("SELECT 1 FROM scans WHERE id = ?1"));
  stmt.BindInt64(1, scan_id);
  return stmt.Step();
}

Status SqliteStore::LoadFindings(int64_t scan_id, std::vector<report::Finding>* findings,
                                 std::vector<std::string>* fingerprints) {
  VIGIL_ASSIGN_OR_RETURN(Statement stmt,
                         db_->Prepare("SELECT " + std::string(kFindingColumns) +
                                      ", id FROM findings WHERE scan_id = ?1 ORDER BY id"));
  stmt.BindInt64(1, scan_id);
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    std::string fingerprint;
    Status status = ReadFinding(stmt, &findings->emplace_back(), &fingerprint);
    if (!status.ok()) {
      return Annotate(
          status, ScanContext(scan_id) + " finding row " + std::to_string(stmt.ColumnInt64(23)));
    }
    if (fingerprints != nullptr) fingerprints->push_back(std::move(fingerprint));
  }
  return OkStatus();
}

StatusOr<report::Report> SqliteStore::GetScan(int64_t scan_id) {
  // One read transaction: the scan row and its findings come from the same snapshot even
  // if retention deletes the scan meanwhile.
  VIGIL_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(*db_, Transaction::Mode::kDeferred));
  VIGIL_ASSIGN_OR_RETURN(Statement stmt, db_->Prepare("SELECT " + std::string(kScanColumns) +
                                                      " FROM scans WHERE id = ?1"));
  stmt.BindInt64(1, scan_id);
  VIGIL_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return NotFoundError(ScanContext(scan_id) + ": no such scan");
  ScanInfo info = ReadScanInfo(stmt);
  report::Report report;
  report.target = std::move(info.target);
  report.target_kind = std::move(info.target_kind);
  report.artifact_digest = std::move(info.artifact_digest);
  report.created_at = std::move(info.created_at);
  report.tool_version = std::move(info.tool_version);
  VIGIL_RETURN_IF_ERROR(Annotate(ListFromJson(stmt.ColumnText(15), "warnings", &report.warnings),
                                 ScanContext(scan_id)));
  VIGIL_RETURN_IF_ERROR(LoadFindings(scan_id, &report.findings, nullptr));
  VIGIL_RETURN_IF_ERROR(tx.Commit());
  return report;
}

StatusOr<ScanDiff> SqliteStore::DiffScans(int64_t old_scan_id, int64_t new_scan_id) {
  VIGIL_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(*db_, Transaction::Mode::kDeferred));
  for (int64_t id : {old_scan_id, new_scan_id}) {
    VIGIL_ASSIGN_OR_RETURN(bool exists, ScanExists(id));
    if (!exists) return NotFoundError(ScanContext(id) + ": no such scan");
  }
  std::vector<report::Finding> old_findings, new_findings;
  std::vector<std::string> old_prints, new_prints;
  VIGIL_RETURN_IF_ERROR(LoadFindings(old_scan_id, &old_findings, &old_prints));
  VIGIL_RETURN_IF_ERROR(LoadFindings(new_scan_id, &new_findings, &new_prints));
  VIGIL_RETURN_IF_ERROR(tx.Commit());

  // fingerprint -> indices into old_findings not yet matched, in recorded order.
  std::map<std::string, std::vector<size_t>> unmatched_old;
  for (size_t i = old_prints.size(); i-- > 0;) unmatched_old[old_prints[i]].push_back(i);
  std::vector<bool> matched(old_findings.size(), false);

  ScanDiff diff;
  for (size_t i = 0; i < new_findings.size(); ++i) {
    auto it = unmatched_old.find(new_prints[i]);
    if (it != unmatched_old.end() && !it->second.empty()) {
      matched[it->second.back()] = true;
      it->second.pop_back();
      diff.unchanged.push_back(std::move(new_findings[i]));
    } else {
      diff.added.push_back(std::move(new_findings[i]));
    }
  }
  for (size_t i = 0; i < old_findings.size(); ++i) {
    if (!matched[i]) diff.fixed.push_back(std::move(old_findings[i]));
  }
  return diff;
}

StatusOr<int64_t> SqliteStore::DeleteScansBefore(TimePoint cutoff) {
  VIGIL_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(*db_));
  VIGIL_ASSIGN_OR_RETURN(Statement stmt, db_->Prepare("DELETE FROM scans WHERE created_ns < ?1"));
  stmt.BindInt64(1, ToNs(cutoff));
  VIGIL_RETURN_IF_ERROR(stmt.Run());
  const int64_t deleted = db_->Changes();  // top-level rows only; cascaded findings excluded
  VIGIL_RETURN_IF_ERROR(tx.Commit());
  return deleted;
}

StatusOr<int64_t> SqliteStore::AppendAudit(const AuditEntry& entry) {
  if (entry.actor.empty() || entry.action.empty() || entry.outcome.empty()) {
    return InvalidArgumentError("audit entry needs actor, action and outcome (got actor '" +
                                entry.actor + "', action '" + entry.action + "', outcome '" +
                                entry.outcome + "')");
  }
  std::string detail = entry.detail.empty() ? "{}" : entry.detail;
  if (!json::parse(detail, nullptr, /*allow_exceptions=*/false).is_object()) {
    return InvalidArgumentError("audit entry " + entry.action + ": detail is not a JSON object");
  }
  const TimePoint time = entry.time == TimePoint() ? clock_->Now() : entry.time;
  VIGIL_ASSIGN_OR_RETURN(
      Statement stmt,
      db_->Prepare("INSERT INTO audit_log (time_ns, actor, action, target, detail, outcome)"
                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
  stmt.BindInt64(1, ToNs(time))
      .BindText(2, entry.actor)
      .BindText(3, entry.action)
      .BindText(4, entry.target)
      .BindText(5, detail)
      .BindText(6, entry.outcome);
  VIGIL_RETURN_IF_ERROR(stmt.Run());
  return db_->LastInsertRowId();
}

StatusOr<std::vector<AuditEntry>> SqliteStore::ListAudit(TimePoint since, int limit) {
  VIGIL_ASSIGN_OR_RETURN(
      Statement stmt,
      db_->Prepare("SELECT id, time_ns, actor, action, target, detail, outcome FROM audit_log"
                   " WHERE time_ns >= ?1 ORDER BY time_ns, id LIMIT ?2"));
  stmt.BindInt64(1, ToNs(since)).BindInt64(2, limit > 0 ? limit : -1);
  std::vector<AuditEntry> out;
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    AuditEntry& e = out.emplace_back();
    e.id = stmt.ColumnInt64(0);
    e.time = FromNs(stmt.ColumnInt64(1));
    e.actor = stmt.ColumnText(2);
    e.action = stmt.ColumnText(3);
    e.target = stmt.ColumnText(4);
    e.detail = stmt.ColumnText(5);
    e.outcome = stmt.ColumnText(6);
  }
  return out;
}

Status SqliteStore::PutModel(const ModelRecord& model) {
  if (model.workload.empty() || model.name.empty()) {
    return InvalidArgumentError("model needs a workload and a name");
  }
  VIGIL_ASSIGN_OR_RETURN(
      Statement stmt,
      db_->Prepare("INSERT INTO models (workload, name, format_version, blob, sha256, updated_ns)"
                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
                   " ON CONFLICT (workload, name) DO UPDATE SET"
                   " format_version = excluded.format_version, blob = excluded.blob,"
                   " sha256 = excluded.sha256, updated_ns = excluded.updated_ns"));
  stmt.BindText(1, model.workload)
      .BindText(2, model.name)
      .BindInt64(3, model.format_version)
      .BindBlob(4, model.blob)
      .BindText(5, Sha256Hex(model.blob))
      .BindInt64(6, ToNs(clock_->Now()));
  return Annotate(stmt.Run(), "put model " + model.workload + "/" + model.name);
}

StatusOr<ModelRecord> SqliteStore::GetModel(std::string_view workload, std::string_view name) {
  VIGIL_ASSIGN_OR_RETURN(Statement stmt,
                         db_->Prepare("SELECT format_version, blob, sha256, updated_ns FROM models"
                                      " WHERE workload = ?1 AND name = ?2"));
  stmt.BindText(1, workload).BindText(2, name);
  VIGIL_ASSIGN_OR_RETURN(bool row, stmt.Step());
  const std::string context = "model " + std::string(workload) + "/" + std::string(name);
  if (!row) return NotFoundError(context + ": not found");
  ModelRecord m;
  m.workload = std::string(workload);
  m.name = std::string(name);
  m.format_version = static_cast<int>(stmt.ColumnInt64(0));
  m.blob = stmt.ColumnBlob(1);
  m.updated_at = FromNs(stmt.ColumnInt64(3));
  if (Sha256Hex(m.blob) != stmt.ColumnText(2)) {
    return DataLossError(context + ": blob does not match its recorded SHA-256");
  }
  return m;
}

StatusOr<std::vector<ModelInfo>> SqliteStore::ListModels(std::string_view workload) {
  VIGIL_ASSIGN_OR_RETURN(
      Statement stmt,
      db_->Prepare("SELECT workload, name, format_version, length(blob), sha256, updated_ns"
                   " FROM models WHERE (?1 = '' OR workload = ?1) ORDER BY workload, name"));
  stmt.BindText(1, workload);
  std::vector<ModelInfo> out;
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    ModelInfo& m = out.emplace_back();
    m.workload = stmt.ColumnText(0);
    m.name = stmt.ColumnText(1);
    m.format_version = static_cast<int>(stmt.ColumnInt64(2));
    m.size_bytes = stmt.ColumnInt64(3);
    m.sha256 = stmt.ColumnText(4);
    m.updated_at = FromNs(stmt.ColumnInt64(5));
  }
  return out;
}

Status SqliteStore::DeleteModel(std::string_view workload, std::string_view name) {
  VIGIL_ASSIGN_OR_RETURN(Statement stmt,
                         db_->Prepare("DELETE FROM models WHERE workload = ?1 AND name = ?2"));
  stmt.BindText(1, workload).BindText(2, name);
  VIGIL_RETURN_IF_ERROR(stmt.Run());
  if (db_->Changes() == 0) {
    return NotFoundError("model " + std::string(workload) + "/" + std::string(name) +
                         ": not found");
  }
  return OkStatus();
}

Status SqliteStore::PutSetting(std::string_view key, std::string_view value) {
  if (key.empty()) return InvalidArgumentError("setting needs a key");
  VIGIL_ASSIGN_OR_RETURN(
      Statement stmt,
      db_->Prepare("INSERT INTO settings (key, value, updated_ns) VALUES (?1, ?2, ?3)"
                   " ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
                   " updated_ns = excluded.updated_ns"));
  stmt.BindText(1, key).BindText(2, value).BindInt64(3, ToNs(clock_->Now()));
  return stmt.Run();
}

StatusOr<std::string> SqliteStore::GetSetting(std::string_view key) {
  VIGIL_ASSIGN_OR_RETURN(Statement stmt, db_->Prepare("SELECT value FROM settings WHERE key = ?1"));
  stmt.BindText(1, key);
  VIGIL_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return NotFoundError("setting " + std::string(key) + ": not found");
  return stmt.ColumnText(0);
}

Status SqliteStore::Vacuum() {
  VIGIL_RETURN_IF_ERROR(db_->Exec("VACUUM"));
  // VACUUM in WAL mode writes the whole database into the WAL; checkpoint and truncate it
  // so the space is actually returned.
  return db_->Exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

}  // namespace vigil::store
