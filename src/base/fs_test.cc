#include "base/fs.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "gtest/gtest.h"

namespace vigil {
namespace {

TEST(NormalizePathTest, CollapsesAndClamps) {
  EXPECT_EQ(NormalizePath("/a//b/./c/"), "/a/b/c");
  EXPECT_EQ(NormalizePath("/../../etc/shadow"), "/etc/shadow");
  EXPECT_EQ(NormalizePath("a/../.."), "/");
  EXPECT_EQ(NormalizePath(""), "/");
  EXPECT_EQ(Dirname("/a/b"), "/a");
  EXPECT_EQ(Dirname("/a"), "/");
  EXPECT_EQ(Basename("/a/b"), "b");
}

TEST(MemFileSystemTest, ReadsListsAndStats) {
  MemFileSystem fs;
  fs.AddFile("/etc/os-release", "ID=debian\n");
  fs.AddFile("/etc/passwd", "root:x:0:0\n", 0600);
  auto data = fs.ReadFile("/etc/os-release");
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(*data, "ID=debian\n");
  auto entries = fs.ListDir("/etc");
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].name, "os-release");
  EXPECT_EQ((*entries)[1].name, "passwd");
  EXPECT_EQ(fs.Stat("/etc/passwd")->mode, 0600u);
  EXPECT_TRUE(IsNotFound(fs.ReadFile("/etc/missing").status()));
  EXPECT_FALSE(fs.ReadFile("/etc").ok());
}

TEST(MemFileSystemTest, AddDirGivesParentsDefaultMode) {
  MemFileSystem fs;
  fs.AddDir("/a/b", 01777);
  auto b = fs.Stat("/a/b");
  auto a = fs.Stat("/a");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(b->mode & 07777, 01777u);
  EXPECT_EQ(a->mode & 07777, 0755u);
}

TEST(MemFileSystemTest, LinksResolveInsideTheTree) {
  MemFileSystem fs;
  fs.AddFile("/etc/shadow", "inside");
  fs.AddSymlink("/escape", "/../../../etc/shadow");
  fs.AddSymlink("/lib", "usr/lib");
  fs.AddFile("/usr/lib/os-release", "ID=alpine\n");
  fs.AddSymlink("/etc/os-release", "../lib/os-release");
  EXPECT_EQ(*fs.ReadFile("/escape"), "inside");
  EXPECT_EQ(*fs.ReadFile("/etc/os-release"), "ID=alpine\n");
  EXPECT_EQ(*fs.Resolve("/lib/os-release"), "/usr/lib/os-release");
  EXPECT_EQ(fs.Stat("/lib", false)->type, FileType::kSymlink);
  EXPECT_EQ(fs.Stat("/lib", true)->type, FileType::kDirectory);
}

TEST(MemFileSystemTest, SymlinkLoopIsAnErrorNotACrash) {
  MemFileSystem fs;
  fs.AddSymlink("/a", "/b");
  fs.AddSymlink("/b", "/a");
  auto st = fs.ReadFile("/a");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.status().message().find("too many levels"), std::string::npos);
}

TEST(MemFileSystemTest, ReadLimitIsEnforced) {
  MemFileSystem fs;
  fs.AddFile("/big", std::string(1000, 'x'));
  EXPECT_TRUE(IsResourceExhausted(fs.ReadFile("/big", 999).status()));
  EXPECT_TRUE(fs.ReadFile("/big", 1000).ok());
}

TEST(WalkTest, VisitsInSortedPreOrder) {
  MemFileSystem fs;
  fs.AddFile("/b/2", "");
  fs.AddFile("/b/1", "");
  fs.AddFile("/a", "");
  fs.AddSymlink("/c", "/b");
  std::vector<std::string> seen;
  ASSERT_TRUE(Walk(fs, "/", [&](const std::string& p, const FileInfo&) {
                seen.push_back(p);
                return true;
              }).ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"/", "/a", "/b", "/b/1", "/b/2", "/c"}));
}

class RealFileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/vigil-fs-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(RealFileSystemTest, ConfinesAbsoluteLinksToRoot) {
  std::filesystem::create_directories(dir_ + "/etc");
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/etc/shadow", "root-of-tree").ok());
  ASSERT_EQ(symlink("/etc/shadow", (dir_ + "/link").c_str()), 0);
  ASSERT_EQ(symlink("../../../../../../etc/shadow", (dir_ + "/etc/rel").c_str()), 0);
  RealFileSystem fs(dir_);
  EXPECT_EQ(*fs.ReadFile("/link"), "root-of-tree");
  EXPECT_EQ(*fs.ReadFile("/etc/rel"), "root-of-tree");
  EXPECT_EQ(*fs.HostPath("/link"), dir_ + "/etc/shadow");
  auto entries = fs.ListDir("/");
  ASSERT_TRUE(entries.ok());
  EXPECT_EQ(entries->size(), 2u);
}

TEST_F(RealFileSystemTest, RelativeRootIsTakenFromTheWorkingDirectory) {
  std::filesystem::create_directories(dir_ + "/tree/sub");
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/tree/sub/f", "x").ok());
  std::filesystem::path saved = std::filesystem::current_path();
  std::filesystem::current_path(dir_);
  RealFileSystem fs("tree");
  std::filesystem::current_path(saved);
  EXPECT_EQ(fs.root(), dir_ + "/tree");
  auto content = fs.ReadFile("/sub/f");
  ASSERT_TRUE(content.ok()) << content.status().ToString();
  EXPECT_EQ(*content, "x");
}

TEST_F(RealFileSystemTest, AtomicWriteNeverReplacesADevice) {
  ASSERT_EQ(mkfifo((dir_ + "/fifo").c_str(), 0600), 0);
  Status st = WriteFileAtomic(dir_ + "/fifo", "data");
  EXPECT_TRUE(IsFailedPrecondition(st)) << st;
  struct stat after {};
  ASSERT_EQ(lstat((dir_ + "/fifo").c_str(), &after), 0);
  EXPECT_TRUE(S_ISFIFO(after.st_mode));
  EXPECT_TRUE(IsFailedPrecondition(WriteFileAtomic(dir_, "data")));
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/file", "one").ok());
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/file", "two").ok());
  EXPECT_EQ(*ReadHostFile(dir_ + "/file"), "two");
}

TEST_F(RealFileSystemTest, ReadHostFileErrorsNameThePath) {
  auto st = ReadHostFile(dir_ + "/nope");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.status().message().find(dir_ + "/nope"), std::string::npos);
}

}  // namespace
}  // namespace vigil
