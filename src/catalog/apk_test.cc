#include "catalog/apk.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace vigil::catalog {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kInstalled[] =
    "C:Q1abc=\n"
    "P:musl\n"
    "V:1.2.4_git20230717-r4\n"
    "A:x86_64\n"
    "S:407278\n"
    "I:667648\n"
    "T:the musl c library (libc) implementation\n"
    "U:https://musl.libc.org/\n"
    "L:MIT\n"
    "o:musl\n"
    "m:Timo Teras <timo.teras@iki.fi>\n"
    "t:1700000000\n"
    "c:abc\n"
    "F:lib\n"
    "R:ld-musl-x86_64.so.1\n"
    "a:0:0:755\n"
    "Z:Q1xyz=\n"
    "R:libc.musl-x86_64.so.1\n"
    "\n"
    "C:Q1def=\n"
    "P:libcrypto3\n"
    "V:3.1.4-r5\n"
    "A:x86_64\n"
    "L:Apache-2.0\n"
    "o:openssl\n"
    "F:usr/lib/\n"
    "R:libcrypto.so.3\n"
    "F:etc/ssl\n"
    "F:/etc/ssl/misc\n"
    "R:CA.pl\n"
    "\n";

TEST(ParseApkInstalled, Fields) {
  auto parse = ParseApkInstalled(kInstalled, "/lib/apk/db/installed");
  EXPECT_THAT(parse.warnings, IsEmpty());
  ASSERT_EQ(parse.packages.size(), 2u);
  const auto& musl = parse.packages[0];
  EXPECT_EQ(musl.name, "musl");
  EXPECT_EQ(musl.version, "1.2.4_git20230717-r4");
  EXPECT_EQ(musl.arch, "x86_64");
  EXPECT_EQ(musl.origin, "musl");
  EXPECT_EQ(musl.license, "MIT");
  EXPECT_EQ(musl.maintainer, "Timo Teras <timo.teras@iki.fi>");
  EXPECT_THAT(musl.files, ElementsAre("/lib/ld-musl-x86_64.so.1", "/lib/libc.musl-x86_64.so.1"));
  EXPECT_EQ(musl.line, 1);
  const auto& crypto = parse.packages[1];
  EXPECT_EQ(crypto.origin, "openssl");
  EXPECT_THAT(crypto.files, ElementsAre("/usr/lib/libcrypto.so.3", "/etc/ssl/misc/CA.pl"));
}

TEST(ParseApkInstalled, BadInput) {
  auto parse = ParseApkInstalled("P:a\nV:1\nnot a field\n\nV:2\n\nP:nover\n\nR:orphan\nP:b\nV:3\n",
                                 "installed");
  ASSERT_EQ(parse.packages.size(), 2u);
  EXPECT_EQ(parse.packages[0].name, "a");
  EXPECT_EQ(parse.packages[1].name, "b");
  EXPECT_THAT(parse.packages[1].files, ElementsAre("/orphan"));
  EXPECT_EQ(parse.bad_lines, 1);
  EXPECT_EQ(parse.bad_paragraphs, 2);
  ASSERT_EQ(parse.warnings.size(), 3u);
  EXPECT_EQ(parse.warnings[0], "installed:3: expected 'X:value' (line skipped)");
  EXPECT_THAT(parse.warnings[1], HasSubstr("installed:5: package without P:"));
  EXPECT_THAT(parse.warnings[2], HasSubstr("installed:7: package without V:"));
  EXPECT_THAT(ParseApkInstalled("", "x").packages, IsEmpty());
}

TEST(ApkCataloger, Catalog) {
  MemFileSystem fs;
  fs.AddFile("/lib/apk/db/installed", kInstalled);
  auto result = ApkCataloger().Catalog(fs, report::OsInfo{"alpine", "3.19.1", "", ""});
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->components.size(), 2u);
  const auto& c = result->components[1];
  EXPECT_EQ(c.purl, "pkg:apk/alpine/libcrypto3@3.1.4-r5?arch=x86_64&distro=alpine-3.19.1");
  EXPECT_EQ(c.source_name, "openssl");
  EXPECT_EQ(c.source_version, "3.1.4-r5");
  EXPECT_THAT(c.licenses, ElementsAre("Apache-2.0"));
  EXPECT_EQ(c.ecosystem, "apk");
  EXPECT_TRUE(ApkCataloger().Wants("/lib/apk/db/installed"));
  EXPECT_FALSE(ApkCataloger().Wants("/lib/apk/db/lock"));
  EXPECT_TRUE(ApkCataloger().Wants("/usr/lib/apk/db/installed"));

  MemFileSystem usr_merged;
  usr_merged.AddFile("/usr/lib/apk/db/installed", "P:musl\nV:1.2.5-r0\n");
  auto merged = ApkCataloger().Catalog(usr_merged, {});
  ASSERT_TRUE(merged.ok());
  ASSERT_EQ(merged->components.size(), 1u);
  EXPECT_EQ(merged->components[0].location, "/usr/lib/apk/db/installed");
}

}  // namespace
}  // namespace vigil::catalog
