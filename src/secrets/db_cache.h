// An on-disk cache of compiled Hyperscan databases. Compiling the built-in secret rules takes
// ~0.5-1 s, paid by every `vigil image`/`vigil fs` run although the rules rarely change;
// hs_serialize_database / hs_deserialize_database turn that into a few milliseconds.
//
// Entries are keyed by a SHA-256 over everything the compile depends on: Hyperscan's version,
// the mode, and every (pattern, flags, id) in order. A changed rule, a Hyperscan upgrade or
// different flags is a different file, so an entry is never stale; nothing is invalidated.
// A missing, unreadable or corrupt entry (hs_deserialize_database checks its own CRC) is a
// miss: the patterns are compiled and the entry rewritten atomically. The cache directory is
// the user's own (`<cache-dir>/secrets`): its files are trusted like the binary.
//
// SecretScanner::Create compiles through CompileMultiCached when ScanOptions::db_cache_dir is
// set (`vigil image`/`vigil fs` set it to <cache-dir>/secrets).
#pragma once

#include <hs.h>

#include <string>
#include <vector>

namespace vigil::secrets {

struct DbCacheStats {
  bool hit = false;           // loaded from the cache
  bool write_failed = false;  // compiled, but the entry could not be stored
};

// The cache file for these inputs under `cache_dir` (<dir>/hs-<sha256>.db).
std::string DatabaseCachePath(const std::string& cache_dir,
                              const std::vector<std::string>& patterns,
                              const std::vector<unsigned>& flags, const std::vector<unsigned>& ids,
                              unsigned mode);

// hs_compile_multi with the same contract (true and *db set, or false and *error set), but
// loads the database from `cache_dir` when an entry exists and stores it after compiling.
// An empty `cache_dir` compiles only. The caller frees *db with hs_free_database.
bool CompileMultiCached(const std::string& cache_dir, const std::vector<std::string>& patterns,
                        const std::vector<unsigned>& flags, const std::vector<unsigned>& ids,
                        unsigned mode, hs_database_t** db, std::string* error,
                        DbCacheStats* stats = nullptr);

}  // namespace vigil::secrets
