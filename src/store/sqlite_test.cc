#include "store/sqlite.h"

#include <sys/stat.h>

#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/test_util.h"

namespace vigil::store {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;

std::unique_ptr<Db> MustOpen(const std::string& path) {
  auto db = Db::Open(path);
  EXPECT_TRUE(db.ok()) << db.status();
  return db.ok() ? std::move(db).value() : nullptr;
}

TEST(DbTest, OpenAppliesConnectionSettings) {
  TempDir dir;
  auto db = MustOpen(dir.File("a.db"));
  ASSERT_NE(db, nullptr);
  auto mode = db->Prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok());
  ASSERT_TRUE(*mode->Step());
  EXPECT_EQ(mode->ColumnText(0), "wal");
  EXPECT_EQ(*db->QueryInt64("PRAGMA foreign_keys"), 1);
  EXPECT_EQ(*db->QueryInt64("PRAGMA synchronous"), 1);  // NORMAL
  EXPECT_EQ(*db->QueryInt64("PRAGMA busy_timeout"), 5000);
}

TEST(DbTest, CreatesFileReadableByOwnerOnly) {
  TempDir dir;
  auto db = MustOpen(dir.File("a.db"));
  ASSERT_NE(db, nullptr);
  struct stat st {};
  ASSERT_EQ(stat(dir.File("a.db").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(DbTest, MissingDirectoryIsNotFound) {
  TempDir dir;
  auto db = Db::Open(dir.File("no/such/dir/a.db"));
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(db.status().message(), HasSubstr("no/such/dir/a.db"));
}

TEST(DbTest, GarbageFileIsDataLossNamingThePath) {
  TempDir dir;
  const std::string path = dir.File("garbage.db");
  {
    std::ofstream out(path, std::ios::binary);
    for (int i = 0; i < 4096; ++i) out.put(static_cast<char>(i * 7 + 3));
  }
  auto db = Db::Open(path);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(db.status().message(), HasSubstr(path));
  EXPECT_THAT(db.status().message(), HasSubstr("not a database"));
}

TEST(DbTest, PrepareErrorNamesSqlAndSqliteMessage) {
  TempDir dir;
  auto db = MustOpen(dir.File("a.db"));
  ASSERT_NE(db, nullptr);
  auto stmt = db->Prepare("SELECT nope FROM nowhere");
  ASSERT_FALSE(stmt.ok());
  EXPECT_THAT(stmt.status().message(), HasSubstr("SELECT nope FROM nowhere"));
  EXPECT_THAT(stmt.status().message(), HasSubstr("no such table: nowhere"));
  EXPECT_EQ(db->Exec("CREATE TABLE").code(), StatusCode::kInternal);
}

TEST(StatementTest, TypedBindAndColumnRoundTrip) {
  TempDir dir;
  auto db = MustOpen(dir.File("a.db"));
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->Exec("CREATE TABLE t (i INTEGER, d REAL, s TEXT, b BLOB, n TEXT)").ok());
  const std::string blob("\0\x01\xff zero", 8);
  {
    auto insert = db->Prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5)");
    ASSERT_TRUE(insert.ok());
    insert->BindInt64(1, INT64_MIN)
        .BindDouble(2, 2.5)
        .BindText(3, "h\xc3\xa9llo")
        .BindBlob(4, blob);
    insert->BindNull(5);
    ASSERT_TRUE(insert->Run().ok());
    insert->Reset();
    insert->BindInt64(1, 7).BindText(3, std::string_view()).BindText(5, "");
    ASSERT_TRUE(insert->Run().ok());
  }
  auto select = db->Prepare("SELECT i, d, s, b, n FROM t ORDER BY rowid");
  ASSERT_TRUE(select.ok());
  EXPECT_EQ(select->ColumnCount(), 5);
  ASSERT_TRUE(*select->Step());
  EXPECT_EQ(select->ColumnInt64(0), INT64_MIN);
  EXPECT_EQ(select->ColumnDouble(1), 2.5);
  EXPECT_EQ(select->ColumnText(2), "h\xc3\xa9llo");
  EXPECT_EQ(select->ColumnBlob(3), blob);
  EXPECT_TRUE(select->ColumnIsNull(4));
  ASSERT_TRUE(*select->Step());
  EXPECT_TRUE(select->ColumnIsNull(1));  // Reset cleared the old bindings
  // An empty string is TEXT, not NULL, even from a default string_view.
  EXPECT_FALSE(select->ColumnIsNull(2));
  EXPECT_FALSE(select->ColumnIsNull(4));
  EXPECT_FALSE(*select->Step());
}

TEST(StatementTest, BindErrorSurfacesAtStep) {
  TempDir dir;
  auto db = MustOpen(dir.File("a.db"));
  ASSERT_NE(db, nullptr);
  auto stmt = db->Prepare("SELECT ?1");
  ASSERT_TRUE(stmt.ok());
  stmt->BindInt64(1, 1).BindInt64(5, 2);
  auto row = stmt->Step();
  ASSERT_FALSE(row.ok());
  EXPECT_EQ(row.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(row.status().message(), HasSubstr("bind parameter 5"));
  EXPECT_THAT(row.status().message(), HasSubstr("SELECT ?1"));
}

TEST(StatementTest, ConstraintViolationIsFailedPrecondition) {
  TempDir dir;
  auto db = MustOpen(dir.File("a.db"));
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->Exec("CREATE TABLE p (id INTEGER PRIMARY KEY);"
                       "CREATE TABLE c (p INTEGER NOT NULL REFERENCES p (id))")
                  .ok());
  // foreign_keys=ON is what makes this fail.
  Status status = db->Exec("INSERT INTO c VALUES (42)");
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(status.message(), HasSubstr("FOREIGN KEY"));
}

TEST(TransactionTest, RollsBackUnlessCommitted) {
  TempDir dir;
  auto db = MustOpen(dir.File("a.db"));
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->Exec("CREATE TABLE t (x INTEGER)").ok());
  {
    auto tx = Transaction::Begin(*db);
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (1)").ok());
    EXPECT_TRUE(db->InTransaction());
  }
  EXPECT_FALSE(db->InTransaction());
  EXPECT_EQ(*db->QueryInt64("SELECT count(*) FROM t"), 0);
  {
    auto tx = Transaction::Begin(*db);
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (2)").ok());
    ASSERT_TRUE(tx->Commit().ok());
    EXPECT_FALSE(tx->Commit().ok());  // already finished
  }
  EXPECT_EQ(*db->QueryInt64("SELECT count(*) FROM t"), 1);
}

TEST(TransactionTest, SecondWriterWaitsThenFailsWithUnavailable) {
  TempDir dir;
  auto a = MustOpen(dir.File("a.db"));
  DbOptions quick;
  quick.busy_timeout_ms = 50;
  auto b = Db::Open(dir.File("a.db"), quick);
  ASSERT_NE(a, nullptr);
  ASSERT_TRUE(b.ok());
  auto tx = Transaction::Begin(*a);
  ASSERT_TRUE(tx.ok());
  auto other = Transaction::Begin(**b);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(other.status().message(), HasSubstr("locked"));
}

}  // namespace
}  // namespace vigil::store
