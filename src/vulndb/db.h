// The vulnerability database: one SQLite file, schema versioned (docs/db.md).
//
// DbWriter fills a new file (one transaction per source, indexes built at the end);
// Database opens a finished file read-only and answers Lookup/Severity for the matcher.
// Package keys are stored normalised (NormalizePackageName), ecosystems canonical
// (CanonicalEcosystem), so lookups are a single index probe.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/status.h"
#include "vulndb/model.h"

namespace vigil::vulndb {

// Where commands look for the database when --db is not given: <cache_dir>/db/vigil.db.
std::string DefaultDbPath(const std::string& cache_dir);

// Bumped on any incompatible schema change; Database::Open refuses other versions with a
// FailedPrecondition telling the user to rebuild (`vigil db update` / `vigil db build`).
inline constexpr int kSchemaVersion = 1;

// One imported input (a file, directory or archive) as recorded in the `sources` table.
struct SourceInfo {
  std::string name;      // importer source name ("osv", "alpine-secdb", ...)
  std::string format;    // "osv-json", "osv-yaml", "osv-zip", "alpine-secdb-yaml", ...
  std::string location;  // path or URL it came from
  std::string digest;    // sha256 of the input when it is one file; empty for directories
};

// Counts `vigil db info` prints: per source, and per table.
struct SourceCounts {
  SourceInfo info;
  int64_t advisories = 0;
  int64_t withdrawn = 0;
  int64_t affected = 0;  // rows in the affected table
  int64_t severities = 0;
  int64_t skipped = 0;  // records the importer could not use (each one warned about)
};

struct DbInfo {
  int schema_version = 0;
  std::string built_at;  // RFC 3339
  std::string built_by;  // "vigil <version>"
  std::vector<SourceCounts> sources;
  int64_t advisories = 0;  // rows per table
  int64_t affected = 0;
  int64_t severities = 0;
  std::vector<std::pair<std::string, int64_t>> ecosystems;  // affected rows per ecosystem
};

// Writes a new database. Not thread-safe. Until Finish() succeeds the file is incomplete;
// callers write to a temporary path and rename (BuildDatabase does).
class DbWriter {
 public:
  // Creates `path`, which must not exist.
  static StatusOr<std::unique_ptr<DbWriter>> Create(const std::string& path,
                                                    const std::string& built_by);
  virtual ~DbWriter() = default;

  // Starts a source; its records follow until EndSource().
  virtual Status BeginSource(const SourceInfo& info) = 0;
  virtual Status AddAdvisory(const Advisory& advisory) = 0;
  virtual Status AddSeverity(const SeverityRecord& record) = 0;
  // `skipped` is the importer's count of unusable records.
  virtual Status EndSource(int64_t skipped) = 0;
  // Builds indexes, records meta (schema version, build time), closes the file.
  virtual Status Finish() = 0;
};

// A finished database, open read-only. Lookup and Severity are safe from any thread (they
// serialise on one connection; a lookup is a few microseconds).
class Database : public AdvisorySource {
 public:
  static StatusOr<std::unique_ptr<Database>> Open(const std::string& path);
  ~Database() override = default;

  virtual StatusOr<DbInfo> Info() const = 0;
  const std::string& path() const { return path_; }

 protected:
  explicit Database(std::string path) : path_(std::move(path)) {}

 private:
  std::string path_;
};

}  // namespace vigil::vulndb
