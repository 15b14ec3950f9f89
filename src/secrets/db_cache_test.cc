// The Hyperscan database cache: miss then hit, the loaded database matches as the compiled
// one does, corrupt entries are recompiled and rewritten, different inputs use different
// entries, an empty directory compiles only.
#include "secrets/db_cache.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

namespace vigil::secrets {
namespace {

struct TempDir {
  TempDir() {
    char tmpl[] = "/tmp/vigil-dbcache-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string path;
};

const std::vector<std::string> kPatterns = {"ghp_[A-Za-z0-9]{36}", "AKIA[0-9A-Z]{16}",
                                            "xox[bp]-[0-9]+-[A-Za-z0-9-]+"};
const std::vector<unsigned> kFlags = {HS_FLAG_SINGLEMATCH, HS_FLAG_SINGLEMATCH, 0};
const std::vector<unsigned> kIds = {1, 2, 3};

std::set<unsigned> Matches(hs_database_t* db, const std::string& text) {
  hs_scratch_t* scratch = nullptr;
  EXPECT_EQ(hs_alloc_scratch(db, &scratch), HS_SUCCESS);
  std::set<unsigned> ids;
  hs_scan(
      db, text.data(), static_cast<unsigned>(text.size()), 0, scratch,
      [](unsigned id, unsigned long long, unsigned long long, unsigned, void* ctx) {
        static_cast<std::set<unsigned>*>(ctx)->insert(id);
        return 0;
      },
      &ids);
  hs_free_scratch(scratch);
  return ids;
}

const std::string kText = "token ghp_" + std::string(36, 'a') + " key AKIA" + std::string(16, 'B');

TEST(DbCache, MissThenHitSameMatches) {
  TempDir dir;
  hs_database_t* db = nullptr;
  std::string error;
  DbCacheStats stats;
  ASSERT_TRUE(
      CompileMultiCached(dir.path, kPatterns, kFlags, kIds, HS_MODE_BLOCK, &db, &error, &stats))
      << error;
  EXPECT_FALSE(stats.hit);
  EXPECT_FALSE(stats.write_failed);
  std::string path = DatabaseCachePath(dir.path, kPatterns, kFlags, kIds, HS_MODE_BLOCK);
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_EQ(Matches(db, kText), (std::set<unsigned>{1, 2}));
  hs_free_database(db);

  db = nullptr;
  ASSERT_TRUE(
      CompileMultiCached(dir.path, kPatterns, kFlags, kIds, HS_MODE_BLOCK, &db, &error, &stats));
  EXPECT_TRUE(stats.hit);
  EXPECT_EQ(Matches(db, kText), (std::set<unsigned>{1, 2}));
  hs_free_database(db);
}

TEST(DbCache, CorruptEntryIsRecompiled) {
  TempDir dir;
  std::string path = DatabaseCachePath(dir.path, kPatterns, kFlags, kIds, HS_MODE_BLOCK);
  std::ofstream(path) << "not a hyperscan database";
  hs_database_t* db = nullptr;
  std::string error;
  DbCacheStats stats;
  ASSERT_TRUE(
      CompileMultiCached(dir.path, kPatterns, kFlags, kIds, HS_MODE_BLOCK, &db, &error, &stats));
  EXPECT_FALSE(stats.hit);
  EXPECT_EQ(Matches(db, kText), (std::set<unsigned>{1, 2}));
  hs_free_database(db);
  db = nullptr;
  ASSERT_TRUE(
      CompileMultiCached(dir.path, kPatterns, kFlags, kIds, HS_MODE_BLOCK, &db, &error, &stats));
  EXPECT_TRUE(stats.hit) << "the corrupt entry was not rewritten";
  hs_free_database(db);
}

TEST(DbCache, KeyCoversPatternsFlagsIdsAndMode) {
  std::set<std::string> paths;
  paths.insert(DatabaseCachePath("/c", kPatterns, kFlags, kIds, HS_MODE_BLOCK));
  auto patterns = kPatterns;
  patterns[2] += "x";
  paths.insert(DatabaseCachePath("/c", patterns, kFlags, kIds, HS_MODE_BLOCK));
  auto flags = kFlags;
  flags[2] = HS_FLAG_CASELESS;
  paths.insert(DatabaseCachePath("/c", kPatterns, flags, kIds, HS_MODE_BLOCK));
  auto ids = kIds;
  ids[0] = 9;
  paths.insert(DatabaseCachePath("/c", kPatterns, kFlags, ids, HS_MODE_BLOCK));
  paths.insert(DatabaseCachePath("/c", kPatterns, kFlags, kIds, HS_MODE_STREAM));
  // Moving text between adjacent patterns changes the key too (length-prefixed fields).
  paths.insert(DatabaseCachePath("/c", {"ab", "c", "d"}, kFlags, kIds, HS_MODE_BLOCK));
  paths.insert(DatabaseCachePath("/c", {"a", "bc", "d"}, kFlags, kIds, HS_MODE_BLOCK));
  EXPECT_EQ(paths.size(), 7u);
}

TEST(DbCache, EmptyDirCompilesOnlyAndErrorsPassThrough) {
  hs_database_t* db = nullptr;
  std::string error;
  DbCacheStats stats;
  ASSERT_TRUE(CompileMultiCached("", kPatterns, kFlags, kIds, HS_MODE_BLOCK, &db, &error, &stats));
  EXPECT_FALSE(stats.hit);
  hs_free_database(db);
  TempDir dir;
  EXPECT_FALSE(CompileMultiCached(dir.path, {"a(b"}, {0}, {1}, HS_MODE_BLOCK, &db, &error));
  EXPECT_FALSE(error.empty());
  EXPECT_TRUE(std::filesystem::is_empty(dir.path));
}

}  // namespace
}  // namespace vigil::secrets
