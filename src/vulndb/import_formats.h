// Internal: one parser per feed format, called by ImportFile (import.cc) once the format is
// known. Each parses one file's bytes (`path` only names it in warnings), emits what it can
// to `sink`, counts into `stats` (advisories, severities, skipped + a warning per skip) and
// returns an error Status only when the whole file is unusable (not the format at all,
// truncated JSON) — the caller then counts the file as skipped with that message.
#pragma once

#include <string_view>

#include "base/status.h"
#include "vulndb/import.h"

namespace vigil::vulndb::internal {

// One OSV record, JSON or YAML (YAML is converted node by node; a JSON file holding an
// array of records is accepted too).
Status ImportOsvJson(std::string_view path, std::string_view text, AdvisorySink& sink,
                     ImportStats& stats);
Status ImportOsvYaml(std::string_view path, std::string_view text, AdvisorySink& sink,
                     ImportStats& stats);
// An OSV.dev zip export; members are OSV JSON (bounded: member count and sizes).
Status ImportOsvZip(std::string_view path, std::string_view bytes, AdvisorySink& sink,
                    ImportStats& stats);
// Alpine secdb, JSON or YAML: {distroversion: v3.11, reponame: main, packages: [...]}.
Status ImportAlpineSecdb(std::string_view path, std::string_view text, AdvisorySink& sink,
                         ImportStats& stats);
// security-tracker.debian.org/tracker/data/json.
Status ImportDebianTrackerJson(std::string_view path, std::string_view text, AdvisorySink& sink,
                               ImportStats& stats);
// data/DSA/list or data/DLA/list (source "debian-dsa" / "debian-dla" from the ids).
Status ImportDebianAdvisoryList(std::string_view path, std::string_view text, AdvisorySink& sink,
                                ImportStats& stats);
// nodejs/security-wg vuln/npm/<n>.json.
Status ImportNswgJson(std::string_view path, std::string_view text, AdvisorySink& sink,
                      ImportStats& stats);
// NVD CVE JSON 2.0 (API response or feed file): SeverityRecords only.
Status ImportNvdJson(std::string_view path, std::string_view text, AdvisorySink& sink,
                     ImportStats& stats);

// Debian release codename -> OSV ecosystem release ("bullseye" -> "11"); "" if unknown.
std::string_view DebianReleaseNumber(std::string_view codename);

}  // namespace vigil::vulndb::internal
