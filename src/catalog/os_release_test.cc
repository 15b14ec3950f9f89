#include "catalog/os_release.h"

#include <gtest/gtest.h>

namespace vigil::catalog {
namespace {

TEST(ParseOsRelease, QuotesEscapesAndComments) {
  auto kv = ParseOsRelease(
      "# a comment\n"
      "\n"
      "NAME=\"Debian GNU/Linux\"\n"
      "ID=debian\n"
      "VERSION_ID='12'\n"
      "PRETTY_NAME=\"A \\\"quoted\\\" \\$name \\\\ and \\`tick\\`\"\n"
      "  SPACED = \"x\"\n"
      "BROKEN=\"unterminated\n"
      "not a line\n"
      "1BAD-KEY=x\n"
      "ID=ubuntu\n");
  EXPECT_EQ(kv["NAME"], "Debian GNU/Linux");
  EXPECT_EQ(kv["ID"], "ubuntu");  // the later assignment wins
  EXPECT_EQ(kv["VERSION_ID"], "12");
  EXPECT_EQ(kv["PRETTY_NAME"], "A \"quoted\" $name \\ and `tick`");
  EXPECT_EQ(kv["SPACED"], "x");
  EXPECT_EQ(kv.count("BROKEN"), 0u);
  EXPECT_EQ(kv.count("1BAD-KEY"), 0u);
}

TEST(DetectOs, OsReleaseThenUsrLib) {
  MemFileSystem fs;
  fs.AddFile("/usr/lib/os-release",
             "ID=ubuntu\nVERSION_ID=\"22.04\"\nUBUNTU_CODENAME=jammy\nPRETTY_NAME=\"Ubuntu\"\n");
  auto os = DetectOs(fs);
  EXPECT_EQ(os.id, "ubuntu");
  EXPECT_EQ(os.version_id, "22.04");
  EXPECT_EQ(os.codename, "jammy");
  // /etc/os-release is usually a link to ../usr/lib/os-release.
  fs.AddSymlink("/etc/os-release", "../usr/lib/os-release");
  EXPECT_EQ(DetectOs(fs).id, "ubuntu");
  fs.Remove("/etc/os-release");
  fs.AddFile("/etc/os-release", "ID=Alpine\nVERSION_ID=3.19.1\n");
  EXPECT_EQ(DetectOs(fs).id, "alpine");
}

TEST(DetectOs, Fallbacks) {
  {
    MemFileSystem fs;
    fs.AddFile("/etc/lsb-release",
               "DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=16.04\nDISTRIB_CODENAME=xenial\n");
    fs.AddFile("/etc/debian_version", "stretch/sid\n");
    auto os = DetectOs(fs);
    EXPECT_EQ(os.id, "ubuntu");
    EXPECT_EQ(os.version_id, "16.04");
    EXPECT_EQ(os.codename, "xenial");
  }
  {
    MemFileSystem fs;
    fs.AddFile("/etc/alpine-release", "3.18.4\n");
    auto os = DetectOs(fs);
    EXPECT_EQ(os.id, "alpine");
    EXPECT_EQ(os.version_id, "3.18.4");
  }
  {
    MemFileSystem fs;
    fs.AddFile("/etc/redhat-release", "CentOS Linux release 7.9.2009 (Core)\n");
    fs.AddFile("/etc/centos-release", "CentOS Linux release 7.9.2009 (Core)\n");
    auto os = DetectOs(fs);
    EXPECT_EQ(os.id, "centos");
    EXPECT_EQ(os.version_id, "7");
    EXPECT_EQ(os.codename, "Core");
  }
  {
    MemFileSystem fs;
    fs.AddFile("/etc/redhat-release", "Red Hat Enterprise Linux release 8.9 (Ootpa)\n");
    auto os = DetectOs(fs);
    EXPECT_EQ(os.id, "rhel");
    EXPECT_EQ(os.version_id, "8.9");
  }
  {
    MemFileSystem fs;
    fs.AddFile("/etc/redhat-release", "Rocky Linux release 9.3 (Blue Onyx)\n");
    EXPECT_EQ(DetectOs(fs).id, "rocky");
  }
  {
    MemFileSystem fs;
    fs.AddFile("/etc/debian_version", "12.5\n");
    auto os = DetectOs(fs);
    EXPECT_EQ(os.id, "debian");
    EXPECT_EQ(os.version_id, "12");
  }
  {
    MemFileSystem fs;
    fs.AddFile("/etc/debian_version", "trixie/sid\n");
    auto os = DetectOs(fs);
    EXPECT_EQ(os.id, "debian");
    EXPECT_EQ(os.version_id, "");
    EXPECT_EQ(os.codename, "trixie");
  }
}

TEST(DetectOs, DistrolessAndUnknown) {
  MemFileSystem fs;
  EXPECT_EQ(DetectOs(fs).id, "");
  fs.AddFile("/var/lib/dpkg/status.d/libc6", "Package: libc6\n");
  auto os = DetectOs(fs);
  EXPECT_EQ(os.id, "debian");
  EXPECT_EQ(os.version_id, "");
  fs.AddFile("/etc/debian_version", "11.9\n");
  EXPECT_EQ(DetectOs(fs).version_id, "11");
}

TEST(DetectOs, HostileInputs) {
  MemFileSystem fs;
  fs.AddSymlink("/etc/os-release", "/etc/os-release");           // a loop
  fs.AddFile("/etc/alpine-release", std::string(1 << 20, 'x'));  // larger than any release file
  fs.AddFile("/etc/redhat-release", "\n\n");
  EXPECT_EQ(DetectOs(fs).id, "");
}

}  // namespace
}  // namespace vigil::catalog
