#include "catalog/dpkg.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "catalog/deb822.h"

namespace vigil::catalog {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kStatus[] =
    "Package: libgcc-s1\n"
    "Status: install ok installed\n"
    "Priority: optional\n"
    "Installed-Size: 140\n"
    "Maintainer: Debian GCC Maintainers <debian-gcc@lists.debian.org>\n"
    "Architecture: amd64\n"
    "Multi-Arch: same\n"
    "Source: gcc-12 (12.2.0-14)\n"
    "Version: 1:12.2.0-14\n"
    "Description: GCC support library\n"
    " Shared version of the support library.\n"
    " .\n"
    " More text.\n"
    "\n"
    "Package: bash\n"
    "Essential: yes\n"
    "Status: hold ok installed\n"
    "Architecture: amd64\n"
    "Source: bash (5.2.15-2)\n"
    "Version: 5.2.15-2+b8\n"
    "\n"
    "\n"
    "Package: removed\n"
    "Status: deinstall ok config-files\n"
    "Architecture: all\n"
    "Version: 1.0\n"
    "\n"
    "Package: purged\n"
    "Status: purge ok not-installed\n"
    "\n"
    "Package: broken\n"
    "Status: install reinstreq half-installed\n"
    "Version: 2\n"
    "\n"
    "Package: adduser\n"
    "Status: install ok installed\n"
    "Architecture: all\n"
    "Source: adduser\n"
    "Version: 3.134\n";

TEST(Deb822, Paragraphs) {
  auto paras = ParseDeb822("A: 1\nb:  two \n continued\n\t.\n\n\nC: 3\n", "f");
  ASSERT_EQ(paras.size(), 2u);
  EXPECT_EQ(*paras[0].Find("a"), "1");
  EXPECT_EQ(*paras[0].Find("B"), "two\ncontinued\n.");
  EXPECT_EQ(paras[0].FirstLine("B"), "two");
  EXPECT_EQ(paras[1].line, 7);
  EXPECT_EQ(paras[1].Find("A"), nullptr);
}

TEST(Deb822, ErrorsNameFileAndLine) {
  auto paras =
      ParseDeb822("A: 1\nno colon here\nB: 2\n\n continuation\nC: 3\n\nD: 1\nD: 2\n", "status");
  ASSERT_EQ(paras.size(), 3u);
  EXPECT_EQ(paras[0].error, "status:2: expected 'Field: value'");
  EXPECT_EQ(paras[1].error, "status:5: continuation line before any field");
  EXPECT_EQ(paras[2].error, "status:9: duplicate field 'D'");
}

TEST(ParseDpkgStatus, InstalledOnlyWithSourceAndEpoch) {
  DpkgStatusParse parse = ParseDpkgStatus(kStatus, "/var/lib/dpkg/status");
  EXPECT_THAT(parse.warnings, IsEmpty());
  EXPECT_EQ(parse.bad_paragraphs, 0);
  EXPECT_EQ(parse.not_installed, 3);  // config-files, not-installed, half-installed
  ASSERT_EQ(parse.packages.size(), 3u);
  const DpkgPackage& gcc = parse.packages[0];
  EXPECT_EQ(gcc.name, "libgcc-s1");
  EXPECT_EQ(gcc.version, "1:12.2.0-14");
  EXPECT_EQ(gcc.arch, "amd64");
  EXPECT_EQ(gcc.source_name, "gcc-12");
  EXPECT_EQ(gcc.source_version, "12.2.0-14");
  EXPECT_EQ(gcc.installed_size_kib, 140);
  EXPECT_EQ(gcc.maintainer, "Debian GCC Maintainers <debian-gcc@lists.debian.org>");
  EXPECT_EQ(gcc.line, 1);
  // A binNMU: the source version differs from the binary's.
  EXPECT_EQ(parse.packages[1].name, "bash");
  EXPECT_EQ(parse.packages[1].source_version, "5.2.15-2");
  // Source without a version: the package's version.
  EXPECT_EQ(parse.packages[2].source_name, "adduser");
  EXPECT_EQ(parse.packages[2].source_version, "3.134");
}

TEST(ParseDpkgStatus, BadParagraphsAreSkippedAndReported) {
  DpkgStatusParse parse = ParseDpkgStatus(
      "Package: good\nStatus: install ok installed\nVersion: 1\n\n"
      "Package: bad\nStatus: install ok installed\nthis line is junk\nVersion: 1\n\n"
      "Version: 3\nStatus: install ok installed\n\n"
      "Package: noversion\nStatus: install ok installed\n\n"
      "Package: nostatus\nVersion: 1\n\n"
      "Package: weird\nStatus: installed\nVersion: 1\n",
      "/var/lib/dpkg/status");
  ASSERT_EQ(parse.packages.size(), 1u);
  EXPECT_EQ(parse.packages[0].name, "good");
  EXPECT_EQ(parse.bad_paragraphs, 5);
  ASSERT_EQ(parse.warnings.size(), 5u);
  EXPECT_EQ(parse.warnings[0],
            "/var/lib/dpkg/status:7: expected 'Field: value' (paragraph skipped)");
  EXPECT_THAT(parse.warnings[1], HasSubstr("status:10: paragraph without Package"));
  EXPECT_THAT(parse.warnings[2], HasSubstr("status:13: package noversion without Version"));
  EXPECT_THAT(parse.warnings[3], HasSubstr("status:16: package nostatus: malformed Status"));
  EXPECT_THAT(parse.warnings[4], HasSubstr("status:19: package weird: malformed Status"));
}

TEST(ParseDpkgStatus, StatusDFilesNeedNoStatus) {
  DpkgStatusParse parse =
      ParseDpkgStatus("Package: tzdata\nVersion: 2024a-0+deb12u1\nArchitecture: all\n",
                      "/var/lib/dpkg/status.d/tzdata", false);
  ASSERT_EQ(parse.packages.size(), 1u);
  EXPECT_EQ(parse.packages[0].source_name, "tzdata");
}

TEST(ParseDpkgStatus, EmptyAndGarbage) {
  EXPECT_THAT(ParseDpkgStatus("", "s").packages, IsEmpty());
  EXPECT_THAT(ParseDpkgStatus(std::string("\0\0\n\xff:", 6), "s").packages, IsEmpty());
  auto parse = ParseDpkgStatus(
      "Package: x\nStatus: install ok installed\nVersion: 1\n"
      "Source: (2)\n",
      "s");
  ASSERT_EQ(parse.packages.size(), 1u);
  EXPECT_EQ(parse.packages[0].source_name, "x");
  EXPECT_EQ(parse.packages[0].source_version, "2");
}

TEST(Copyright, Dep5LicencesDistinct) {
  EXPECT_THAT(
      ParseDebianCopyrightLicenses(
          "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
          "Upstream-Name: zlib\n"
          "\n"
          "Files: *\n"
          "Copyright: 1995 Jean-loup Gailly\n"
          "License: Zlib\n"
          "\n"
          "Files: contrib/*\n"
          "License: GPL-2+ or Artistic\n"
          "\n"
          "Files: x/*\n"
          "License: GPL-2+ with OpenSSL exception, BSD-3-clause and Zlib\n"
          "\n"
          "License: Zlib\n"
          " This software is provided 'as-is'.\n"),
      ElementsAre("Zlib", "GPL-2+", "Artistic", "GPL-2+ with OpenSSL exception", "BSD-3-clause"));
}

TEST(Copyright, NotDep5MeansNoLicence) {
  EXPECT_THAT(ParseDebianCopyrightLicenses("This is the Debian prepackaged version of foo.\n"
                                           "License: GPL\n"),
              IsEmpty());
  EXPECT_THAT(ParseDebianCopyrightLicenses(""), IsEmpty());
}

TEST(FileLists, DirectoriesDropped) {
  EXPECT_THAT(ParseDpkgFileList("/.\n/usr\n/usr/bin\n/usr/bin/bash\n/usr/bin-x\n"
                                "/usr/share/doc/bash/copyright\n/bin\n"),
              ElementsAre("/usr/bin/bash", "/usr/bin-x", "/usr/share/doc/bash/copyright", "/bin"));
  EXPECT_THAT(ParseDpkgMd5sums("d41d8cd98f00b204e9800998ecf8427e  usr/lib/x.so\nbad\n"),
              ElementsAre("/usr/lib/x.so"));
}

TEST(DpkgCataloger, WantsCaptureSet) {
  DpkgCataloger c;
  EXPECT_TRUE(c.Wants("/var/lib/dpkg/status"));
  EXPECT_TRUE(c.Wants("/var/lib/dpkg/status.d/libc6"));
  EXPECT_TRUE(c.Wants("/var/lib/dpkg/status.d"));
  EXPECT_TRUE(c.Wants("/var/lib/dpkg/info/libc6:amd64.list"));
  EXPECT_TRUE(c.Wants("/var/lib/dpkg/info/libc6.md5sums"));
  EXPECT_TRUE(c.Wants("/usr/share/doc/libc6/copyright"));
  EXPECT_TRUE(c.Wants("/usr/share/doc/libc6"));
  EXPECT_FALSE(c.Wants("/var/lib/dpkg/info/libc6.postinst"));
  EXPECT_FALSE(c.Wants("/var/lib/dpkg/status-old"));
  EXPECT_FALSE(c.Wants("/usr/share/doc/libc6/changelog.gz"));
  EXPECT_FALSE(c.Wants("/usr/share/doc"));
}

TEST(DpkgCataloger, FilesLicencesAndMultiArch) {
  MemFileSystem fs;
  fs.AddFile("/var/lib/dpkg/status", kStatus);
  fs.AddFile("/var/lib/dpkg/info/libgcc-s1:amd64.list",
             "/.\n/usr\n/usr/lib\n/usr/lib/x86_64-linux-gnu\n"
             "/usr/lib/x86_64-linux-gnu/libgcc_s.so.1\n");
  fs.AddFile("/var/lib/dpkg/info/bash.list", "/.\n/bin\n/bin/bash\n");
  fs.AddFile("/usr/share/doc/gcc-12-base/copyright",
             "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n"
             "Files: *\nLicense: GPL-3+ with GCC-exception\n");
  fs.AddSymlink("/usr/share/doc/libgcc-s1", "gcc-12-base");
  report::OsInfo os{"debian", "12", "bookworm", ""};
  auto result = DpkgCataloger().Catalog(fs, os);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(result->databases, ElementsAre("/var/lib/dpkg/status"));
  ASSERT_EQ(result->components.size(), 3u);
  const auto& gcc = result->components[0];
  EXPECT_EQ(gcc.purl, "pkg:deb/debian/libgcc-s1@1%3A12.2.0-14?arch=amd64&distro=debian-12");
  EXPECT_THAT(gcc.files, ElementsAre("/usr/lib/x86_64-linux-gnu/libgcc_s.so.1"));
  EXPECT_THAT(gcc.licenses, ElementsAre("GPL-3+ with GCC-exception"));
  EXPECT_EQ(gcc.location, "/var/lib/dpkg/status");
  EXPECT_THAT(result->components[1].files, ElementsAre("/bin/bash"));
  EXPECT_THAT(result->components[2].files, IsEmpty());
}

TEST(DpkgCataloger, JournalIsApplied) {
  MemFileSystem fs;
  fs.AddFile("/var/lib/dpkg/status", kStatus);
  // Entry 2 upgrades bash, entry 10 removes adduser, entry 3 installs a new package; they
  // apply in numeric order (2, 3, 10), and a non-numeric file is not a journal entry.
  fs.AddFile("/var/lib/dpkg/updates/0002",
             "Package: bash\nStatus: install ok installed\nArchitecture: amd64\n"
             "Version: 5.2.15-3\n");
  fs.AddFile("/var/lib/dpkg/updates/0003",
             "Package: curl\nStatus: install ok unpacked\nArchitecture: amd64\nVersion: 8\n");
  fs.AddFile("/var/lib/dpkg/updates/0010",
             "Package: adduser\nStatus: purge ok not-installed\nArchitecture: all\n");
  fs.AddFile("/var/lib/dpkg/updates/tmp.i", "Package: junk\nVersion: 1\n");
  auto result = DpkgCataloger().Catalog(fs, {});
  ASSERT_TRUE(result.ok());
  std::vector<std::string> got;
  for (const auto& c : result->components) got.push_back(c.name + "=" + c.version);
  EXPECT_THAT(got, ElementsAre("libgcc-s1=1:12.2.0-14", "bash=5.2.15-3", "curl=8"));
  EXPECT_EQ(result->components[1].location, "/var/lib/dpkg/updates/0002");
  ASSERT_EQ(result->warnings.size(), 1u);
  EXPECT_THAT(result->warnings[0], HasSubstr("applied 3 pending journal entries"));
  EXPECT_TRUE(DpkgCataloger().Wants("/var/lib/dpkg/updates/0002"));
}

TEST(DpkgCataloger, AbsentDatabase) {
  MemFileSystem fs;
  auto result = DpkgCataloger().Catalog(fs, {});
  ASSERT_TRUE(result.ok());
  EXPECT_THAT(result->databases, IsEmpty());
  EXPECT_THAT(result->components, IsEmpty());
}

TEST(DpkgCataloger, SymlinkLoopsAreNotFollowedForever) {
  MemFileSystem fs;
  fs.AddSymlink("/var/lib/dpkg/status", "status");  // a loop: exists, cannot be read
  fs.AddDir("/var/lib/dpkg/status.d");
  fs.AddSymlink("/var/lib/dpkg/status.d/x", "x");
  auto result = DpkgCataloger().Catalog(fs, {});
  // IsRegular() is false for a loop, so status is treated as absent; status.d is present.
  ASSERT_TRUE(result.ok());
  EXPECT_THAT(result->databases, ElementsAre("/var/lib/dpkg/status.d"));
}

}  // namespace
}  // namespace vigil::catalog
