#include "image/containers_storage.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fs.h"
#include "image/blob.h"
#include "image/test_util.h"

namespace vigil::image {
namespace {

using testing::TempDir;

std::string Segment(std::string_view bytes) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t v = (static_cast<uint8_t>(bytes[i]) << 16) |
                 (static_cast<uint8_t>(bytes[i + 1]) << 8) | static_cast<uint8_t>(bytes[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out.push_back(kAlphabet[(v >> s) & 63]);
  }
  if (i < bytes.size()) {
    uint32_t v = static_cast<uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return R"({"type":2,"payload":")" + out +
         R"("})"
         "\n";
}

std::string FileLine(std::string_view name, size_t size) {
  return R"({"type":1,"name":")" + std::string(name) + R"(","size":)" + std::to_string(size) +
         "}\n";
}

TEST(TarSplitTest, ReplaysSegmentsAndFiles) {
  TempDir dir;
  ASSERT_TRUE(WriteFileAtomic(dir.path() + "/hello", "world").ok());
  std::string lines = Segment("HEADER") + FileLine("hello", 5) + Segment("PAD") +
                      R"({"type":1,"name":"etc/.wh.x","payload":null})"
                      "\n";
  auto reader = NewTarSplitReader(lines, dir.path());
  auto all = ReadAll(*reader, 1 << 20);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(*all, "HEADERworldPAD");
}

TEST(TarSplitTest, RefusesNamesOutsideTheLayer) {
  TempDir dir;
  ASSERT_EQ(::mkdir((dir.path() + "/layer").c_str(), 0755), 0);
  ASSERT_TRUE(WriteFileAtomic(dir.path() + "/outside", "secret").ok());
  ASSERT_EQ(::symlink("../outside", (dir.path() + "/layer/link").c_str()), 0);
  for (const std::string& name :
       {std::string("../outside"), std::string("/etc/passwd"), std::string("link")}) {
    auto reader = NewTarSplitReader(FileLine(name, 6), dir.path() + "/layer");
    auto all = ReadAll(*reader, 1 << 20);
    EXPECT_FALSE(all.ok()) << name << " read " << *all;
  }
  auto short_file = NewTarSplitReader(FileLine("missing", 3), dir.path() + "/layer");
  EXPECT_FALSE(ReadAll(*short_file, 1 << 20).ok());
  auto garbage = NewTarSplitReader("{not json\n", dir.path());
  EXPECT_FALSE(ReadAll(*garbage, 1 << 20).ok());
}

TEST(PodmanPsTest, ParsesRunningContainers) {
  auto ps = ParsePodmanPs(R"([{"Id":"abc","Image":"docker.io/library/alpine:3","ImageID":"def",
      "Names":["web"],"State":"running"},{"Id":"x","State":"exited","Names":["old"]}])");
  ASSERT_TRUE(ps.ok()) << ps.status();
  ASSERT_EQ(ps->size(), 1u);
  EXPECT_EQ((*ps)[0].container_name, "web");
  EXPECT_EQ((*ps)[0].image, "docker.io/library/alpine:3");
  EXPECT_EQ((*ps)[0].image_id, "def");
  EXPECT_TRUE(ParsePodmanPs("").ok());
  EXPECT_TRUE(ParsePodmanPs("null").ok());
  EXPECT_FALSE(ParsePodmanPs("{}").ok());
}

TEST(ContainersStorageTest, MissingStoreIsNotFound) {
  TempDir dir;
  auto source = OpenContainersStorage("x", dir.path());
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace vigil::image
