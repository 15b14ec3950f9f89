#include "store/schema.h"

#include <array>

namespace vigil::store {
namespace {

// Times are integer nanoseconds since the Unix epoch (UTC) in *_ns columns: sortable,
// exact for std::chrono round trips, and readable with datetime(x / 1e9, 'unixepoch').
// Lists (aliases, controls, references, warnings) are JSON arrays in TEXT columns: they are
// read back whole, never joined on, so a side table per list would only cost inserts.
constexpr std::string_view kInitialSchema = R"sql(
CREATE TABLE scans (
  id INTEGER PRIMARY KEY,
  target TEXT NOT NULL,
  target_kind TEXT NOT NULL,
  artifact_digest TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_ns INTEGER NOT NULL,
  recorded_ns INTEGER NOT NULL,
  tool_version TEXT NOT NULL,
  warnings TEXT NOT NULL,
  total INTEGER NOT NULL,
  suppressed INTEGER NOT NULL,
  sev_unknown INTEGER NOT NULL,
  sev_info INTEGER NOT NULL,
  sev_low INTEGER NOT NULL,
  sev_medium INTEGER NOT NULL,
  sev_high INTEGER NOT NULL,
  sev_critical INTEGER NOT NULL
);
CREATE INDEX scans_by_target ON scans (target, id);
CREATE INDEX scans_by_created ON scans (created_ns);
CREATE INDEX scans_by_digest ON scans (artifact_digest);

CREATE TABLE findings (
  id INTEGER PRIMARY KEY,
  scan_id INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  finding_id TEXT NOT NULL,
  severity TEXT NOT NULL,
  title TEXT NOT NULL,
  description TEXT NOT NULL,
  path TEXT NOT NULL,
  line INTEGER NOT NULL,
  end_line INTEGER NOT NULL,
  layer TEXT NOT NULL,
  resource TEXT NOT NULL,
  package_name TEXT,
  package_version TEXT,
  package_ecosystem TEXT,
  package_purl TEXT,
  fixed_version TEXT NOT NULL,
  status TEXT NOT NULL,
  aliases TEXT NOT NULL,
  controls TEXT NOT NULL,
  refs TEXT NOT NULL,
  remediation TEXT NOT NULL,
  data_source TEXT NOT NULL,
  match_text TEXT NOT NULL,
  fingerprint TEXT NOT NULL
);
CREATE INDEX findings_by_scan ON findings (scan_id);
CREATE INDEX findings_by_fingerprint ON findings (fingerprint);
CREATE INDEX findings_by_finding_id ON findings (finding_id);

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  time_ns INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  detail TEXT NOT NULL,
  outcome TEXT NOT NULL
);
CREATE INDEX audit_log_by_time ON audit_log (time_ns, id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TABLE models (
  id INTEGER PRIMARY KEY,
  workload TEXT NOT NULL,
  name TEXT NOT NULL,
  format_version INTEGER NOT NULL,
  blob BLOB NOT NULL,
  sha256 TEXT NOT NULL,
  updated_ns INTEGER NOT NULL,
  UNIQUE (workload, name)
);

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_ns INTEGER NOT NULL
);
)sql";

constexpr std::array kMigrations = {
    Migration{1, "initial_schema", kInitialSchema},
};

}  // namespace

std::span<const Migration> SqliteSchemaMigrations() { return kMigrations; }

int SqliteSchemaVersion() { return kMigrations.back().version; }

}  // namespace vigil::store
