// Benchmark (label `slow`): match 10,000 packages against the full database built from
// ../shared/vulndata, and compare with the floor any DB-backed matcher has, a plain SQLite
// loop that looks up the same (ecosystem, package) keys and steps every row, same run.
// Prints packages/s for both and the ratio. The DB build itself is not timed.
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "base/test_paths.h"
#include "gtest/gtest.h"
#include "match/matcher.h"
#include "vulndb/build.h"
#include "vulndb/db.h"

namespace vigil::match {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

struct Key {
  std::string ecosystem;  // canonical, as stored
  std::string package;    // normalised, as stored
};

// Distinct keys of the affected table, read with the raw C API.
std::vector<Key> DistinctKeys(const std::string& db_path) {
  std::vector<Key> keys;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    return keys;
  }
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT DISTINCT ecosystem, package FROM affected ORDER BY 1, 2", -1, &st,
                     nullptr);
  while (st != nullptr && sqlite3_step(st) == SQLITE_ROW) {
    keys.push_back({reinterpret_cast<const char*>(sqlite3_column_text(st, 0)),
                    reinterpret_cast<const char*>(sqlite3_column_text(st, 1))});
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return keys;
}

// A plausible installed version for the ecosystem (the matcher parses it once per package).
std::string VersionFor(std::string_view ecosystem, size_t i) {
  std::string minor = std::to_string(i % 20);
  if (ecosystem.rfind("Debian", 0) == 0) return "1." + minor + "-1+deb11u1";
  if (ecosystem.rfind("Alpine", 0) == 0) return "1." + minor + ".0-r1";
  if (ecosystem == "Go") return "v1." + minor + ".0";
  return "1." + minor + ".0";
}

report::Component ComponentFor(const Key& key, size_t i) {
  report::Component c;
  c.name = key.package;
  c.version = VersionFor(key.ecosystem, i);
  if (key.ecosystem.rfind("Debian", 0) == 0) {
    c.ecosystem = "deb";
    c.source_name = key.package;
    c.source_version = c.version;
  } else if (key.ecosystem.rfind("Alpine", 0) == 0) {
    c.ecosystem = "apk";
    c.source_name = key.package;
    c.source_version = c.version;
  } else if (key.ecosystem == "npm") {
    c.ecosystem = "npm";
  } else if (key.ecosystem == "PyPI") {
    c.ecosystem = "pypi";
  } else if (key.ecosystem == "Go") {
    c.ecosystem = "golang";
  } else {
    c.ecosystem = "unknown";
  }
  return c;
}

TEST(MatcherBench, TenThousandPackagesAgainstTheFullDb) {
  std::filesystem::path shared = std::filesystem::path(test_paths::SharedDir()) / "vulndata";
  if (!std::filesystem::is_directory(shared)) GTEST_SKIP() << "../shared/vulndata absent";
  std::string dir =
      std::filesystem::temp_directory_path() / ("vigil-match-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::string db_path = dir + "/vuln.db";
  vulndb::BuildOptions build;
  build.built_by = "matcher_bench";
  auto t_build = Clock::now();
  auto info = vulndb::BuildDatabase({shared.string()}, db_path, build);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  double build_s = Seconds(t_build);

  // 10,000 packages: 60 % whose name has advisories (every distinct key of Debian 11, the
  // language ecosystems and Alpine 3.11, round-robin), 40 % without any (most packages of a
  // real image), as one Debian 11 image SBOM and one Alpine 3.11 SBOM.
  std::vector<Key> keys = DistinctKeys(db_path);
  std::vector<Key> debian_side, alpine_side;
  for (const Key& k : keys) {
    if (k.ecosystem == "Alpine:v3.11") {
      alpine_side.push_back(k);
    } else if (k.ecosystem == "Debian:11" || k.ecosystem == "npm" || k.ecosystem == "PyPI" ||
               k.ecosystem == "Go") {
      debian_side.push_back(k);
    }
  }
  ASSERT_FALSE(debian_side.empty());
  ASSERT_FALSE(alpine_side.empty());
  constexpr size_t kPackages = 10000;
  report::Sbom debian, alpine;
  debian.os = {"debian", "11", "bullseye", "Debian GNU/Linux 11 (bullseye)"};
  alpine.os = {"alpine", "3.11.13", "", "Alpine Linux v3.11"};
  std::vector<Key> lookups;
  for (size_t i = 0; i < kPackages; ++i) {
    bool alpine_pkg = i % 5 == 0;
    const std::vector<Key>& side = alpine_pkg ? alpine_side : debian_side;
    Key key = side[(i * 7919) % side.size()];
    if (i % 5 >= 3) key.package += "-no-advisory-" + std::to_string(i);
    report::Component c = ComponentFor(key, i);
    (alpine_pkg ? alpine : debian).components.push_back(c);
    lookups.push_back(key);
  }

  auto db = vulndb::Database::Open(db_path);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  MatchOptions options;
  // Warm-up (page cache, advisory cache of the reader), then the timed runs.
  ASSERT_TRUE(MatchSbom(debian, **db, options).ok());
  constexpr int kRuns = 3;
  double match_s = 1e9;
  size_t findings = 0;
  for (int run = 0; run < kRuns; ++run) {
    auto fresh = vulndb::Database::Open(db_path);  // a cold advisory cache each run
    ASSERT_TRUE(fresh.ok());
    auto t = Clock::now();
    auto a = MatchSbom(debian, **fresh, options);
    auto b = MatchSbom(alpine, **fresh, options);
    double s = Seconds(t);
    ASSERT_TRUE(a.ok() && b.ok());
    findings = a->findings.size() + b->findings.size();
    match_s = std::min(match_s, s);
  }

  // The floor: the same keys, one prepared statement, every row stepped and its columns read.
  double sqlite_s = 1e9;
  size_t rows = 0;
  for (int run = 0; run < kRuns; ++run) {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open_v2(db_path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(
        sqlite3_prepare_v2(
            raw, "SELECT advisory, kind, data FROM affected WHERE ecosystem = ? AND package = ?",
            -1, &st, nullptr),
        SQLITE_OK)
        << sqlite3_errmsg(raw);
    auto t = Clock::now();
    rows = 0;
    size_t bytes = 0;
    for (const Key& k : lookups) {
      sqlite3_bind_text(st, 1, k.ecosystem.c_str(), -1, SQLITE_STATIC);
      sqlite3_bind_text(st, 2, k.package.c_str(), -1, SQLITE_STATIC);
      while (sqlite3_step(st) == SQLITE_ROW) {
        ++rows;
        bytes += static_cast<size_t>(sqlite3_column_bytes(st, 2)) +
                 static_cast<size_t>(sqlite3_column_int64(st, 0) & 1);
      }
      sqlite3_reset(st);
    }
    sqlite_s = std::min(sqlite_s, Seconds(t));
    sqlite3_finalize(st);
    sqlite3_close(raw);
    ASSERT_GT(bytes, 0u);
  }

  std::printf(
      "matcher bench: DB %s (%lld advisories, %lld affected rows; built in %.1f s)\n"
      "  %zu packages, %zu findings, %zu affected rows looked up\n"
      "  vigil MatchSbom      %8.3f s  %10.0f packages/s\n"
      "  plain SQLite lookup  %8.3f s  %10.0f packages/s\n"
      "  ratio (matcher / plain lookup): %.2fx\n",
      db_path.c_str(), static_cast<long long>(info->advisories),
      static_cast<long long>(info->affected), build_s, kPackages, findings, rows, match_s,
      kPackages / match_s, sqlite_s, kPackages / sqlite_s, match_s / sqlite_s);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace vigil::match
