#include "store/migrate.h"

#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/schema.h"
#include "store/sqlite_migrate.h"
#include "store/test_util.h"

namespace vigil::store {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::TempDir;

constexpr Migration kV1{1, "create_a", "CREATE TABLE a (x INTEGER)"};
constexpr Migration kV2{2, "create_b", "CREATE TABLE b (y TEXT); CREATE INDEX b_y ON b (y)"};
constexpr Migration kV3{3, "add_a_z", "ALTER TABLE a ADD COLUMN z TEXT"};

std::unique_ptr<Db> MustOpen(const std::string& path) {
  auto db = Db::Open(path);
  EXPECT_TRUE(db.ok()) << db.status();
  return db.ok() ? std::move(db).value() : nullptr;
}

bool TableExists(Db& db, const std::string& name) {
  auto stmt = db.Prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1");
  if (!stmt.ok()) return false;
  stmt->BindText(1, name);
  auto row = stmt->Step();
  return row.ok() && *row;
}

TEST(MigrateTest, AppliesAllFromEmptyThenNothing) {
  TempDir dir;
  auto db = MustOpen(dir.File("m.db"));
  ASSERT_NE(db, nullptr);
  const std::vector<Migration> list = {kV1, kV2};

  auto first = MigrateSqlite(*db, list);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->from_version, 0);
  EXPECT_EQ(first->to_version, 2);
  EXPECT_THAT(first->applied, ElementsAre(1, 2));
  EXPECT_TRUE(TableExists(*db, "a"));
  EXPECT_TRUE(TableExists(*db, "b"));

  auto again = MigrateSqlite(*db, list);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->from_version, 2);
  EXPECT_EQ(again->to_version, 2);
  EXPECT_TRUE(again->applied.empty());
  EXPECT_EQ(*db->QueryInt64("SELECT count(*) FROM schema_migrations"), 2);
}

TEST(MigrateTest, AppliesOnlyPendingOnes) {
  TempDir dir;
  auto db = MustOpen(dir.File("m.db"));
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(MigrateSqlite(*db, std::vector<Migration>{kV1}).ok());
  auto result = MigrateSqlite(*db, std::vector<Migration>{kV1, kV2, kV3});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->from_version, 1);
  EXPECT_THAT(result->applied, ElementsAre(2, 3));
  EXPECT_TRUE(db->Prepare("SELECT x, z FROM a").ok());
}

TEST(MigrateTest, RefusesDatabaseNewerThanTheList) {
  TempDir dir;
  auto db = MustOpen(dir.File("m.db"));
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(MigrateSqlite(*db, std::vector<Migration>{kV1, kV2, kV3}).ok());
  auto result = MigrateSqlite(*db, std::vector<Migration>{kV1, kV2});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(result.status().message(), HasSubstr("schema version 3 (add_a_z) is newer"));
  EXPECT_THAT(result.status().message(), HasSubstr("supports (2)"));
  EXPECT_FALSE(db->InTransaction());
}

TEST(MigrateTest, RefusesAnEditedMigration) {
  TempDir dir;
  auto db = MustOpen(dir.File("m.db"));
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(MigrateSqlite(*db, std::vector<Migration>{kV1}).ok());
  const Migration edited{1, "create_a", "CREATE TABLE a (x INTEGER, w TEXT)"};
  auto result = MigrateSqlite(*db, std::vector<Migration>{edited, kV2});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(result.status().message(), HasSubstr("migration 1 (create_a)"));
  EXPECT_THAT(result.status().message(), HasSubstr("different definition"));
  EXPECT_FALSE(TableExists(*db, "b"));
}

TEST(MigrateTest, FailingMigrationLeavesNothingBehind) {
  TempDir dir;
  auto db = MustOpen(dir.File("m.db"));
  ASSERT_NE(db, nullptr);
  const Migration broken{2, "half_done", "CREATE TABLE c (x INTEGER); INSERT INTO nope VALUES (1)"};
  auto result = MigrateSqlite(*db, std::vector<Migration>{kV1, broken});
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.status().message(), HasSubstr("migration 2 (half_done)"));
  EXPECT_THAT(result.status().message(), HasSubstr("no such table: nope"));
  EXPECT_TRUE(TableExists(*db, "a"));   // migration 1 committed on its own
  EXPECT_FALSE(TableExists(*db, "c"));  // migration 2's first statement rolled back
  EXPECT_EQ(*db->QueryInt64("SELECT max(version) FROM schema_migrations"), 1);
  EXPECT_FALSE(db->InTransaction());
}

TEST(MigrateTest, RejectsMalformedLists) {
  TempDir dir;
  auto db = MustOpen(dir.File("m.db"));
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(MigrateSqlite(*db, std::vector<Migration>{kV1, kV3}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(MigrateSqlite(*db, std::vector<Migration>{kV2}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(
      MigrateSqlite(*db, std::vector<Migration>{Migration{1, "", "SELECT 1"}}).status().code(),
      StatusCode::kInvalidArgument);
  EXPECT_FALSE(TableExists(*db, "schema_migrations"));
}

TEST(MigrateTest, ConcurrentOpenersApplyEachMigrationOnce) {
  TempDir dir;
  const std::string path = dir.File("m.db");
  const std::vector<Migration> list = {kV1, kV2, kV3};
  constexpr int kThreads = 4;
  std::vector<Status> results(kThreads);
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      auto db = Db::Open(path);
      if (!db.ok()) {
        results[i] = db.status();
        return;
      }
      results[i] = MigrateSqlite(**db, list).status();
    });
  }
  for (std::thread& t : threads) t.join();
  for (const Status& s : results) EXPECT_TRUE(s.ok()) << s;
  auto db = MustOpen(path);
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(*db->QueryInt64("SELECT count(*) FROM schema_migrations"), 3);
}

TEST(SchemaTest, ShippedListIsWellFormed) {
  EXPECT_TRUE(ValidateMigrations(SqliteSchemaMigrations()).ok());
  EXPECT_EQ(SqliteSchemaVersion(), static_cast<int>(SqliteSchemaMigrations().size()));
}

// Shipped migrations are never edited (docs/store.md). Pinning each checksum makes an
// accidental edit fail here, in review, instead of on a user's existing database.
TEST(SchemaTest, ShippedMigrationsAreUnchanged) {
  const std::vector<std::string> pinned = {
      "ea23d3b1fef535e6f91448ce1d9a4cdc885d94d171dc4684e44b00d39299e562",  // 1 initial_schema
  };
  auto list = SqliteSchemaMigrations();
  ASSERT_EQ(list.size(), pinned.size()) << "pin the new migration's checksum here";
  for (size_t i = 0; i < list.size(); ++i) {
    EXPECT_EQ(MigrationChecksum(list[i]), pinned[i])
        << "migration " << list[i].version << " (" << list[i].name
        << ") changed; add a new migration instead of editing a shipped one";
  }
}

}  // namespace
}  // namespace vigil::store
