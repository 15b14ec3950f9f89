#include "catalog/purl.h"

#include <gtest/gtest.h>

#include "catalog/apk.h"
#include "catalog/dpkg.h"
#include "catalog/rpm.h"

namespace vigil::catalog {
namespace {

TEST(Purl, EncodesEverythingButUnreserved) {
  EXPECT_EQ(PurlEncode("1:2.36+b1~rc.1_x-y"), "1%3A2.36%2Bb1~rc.1_x-y");
  EXPECT_EQ(PurlEncode("a b/c@d?e"), "a%20b%2Fc%40d%3Fe");
  EXPECT_EQ(MakePurl("deb", "debian", "bash", "5.2", {{"distro", "debian-12"}, {"arch", "x"}}),
            "pkg:deb/debian/bash@5.2?arch=x&distro=debian-12");
  EXPECT_EQ(MakePurl("npm", "", "left-pad", "", {{"arch", ""}}), "pkg:npm/left-pad");
}

TEST(Purl, PerEcosystem) {
  report::OsInfo debian{"debian", "12", "bookworm", ""};
  DpkgPackage deb;
  deb.name = "libgcc-s1";
  deb.version = "1:12.2.0-14";
  deb.arch = "amd64";
  EXPECT_EQ(DebPurl(deb, debian),
            "pkg:deb/debian/libgcc-s1@1%3A12.2.0-14?arch=amd64&distro=debian-12");
  report::OsInfo ubuntu{"ubuntu", "22.04", "jammy", ""};
  EXPECT_EQ(DebPurl(deb, ubuntu),
            "pkg:deb/ubuntu/libgcc-s1@1%3A12.2.0-14?arch=amd64&distro=ubuntu-22.04");

  ApkPackage apk;
  apk.name = "musl";
  apk.version = "1.2.4-r2";
  apk.arch = "x86_64";
  EXPECT_EQ(ApkPurl(apk, report::OsInfo{"alpine", "3.19.1", "", ""}),
            "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.19.1");

  RpmPackage rpm;
  rpm.name = "openssl-libs";
  rpm.epoch = 1;
  rpm.version = "3.0.7";
  rpm.release = "25.el9_3";
  rpm.arch = "x86_64";
  rpm.vendor = "Red Hat, Inc.";
  EXPECT_EQ(RpmPurl(rpm, report::OsInfo{"rhel", "9.3", "", ""}),
            "pkg:rpm/redhat/openssl-libs@3.0.7-25.el9_3?arch=x86_64&distro=rhel-9.3&epoch=1");
  rpm.vendor = "";
  rpm.epoch = -1;
  EXPECT_EQ(RpmPurl(rpm, report::OsInfo{"rocky", "9.3", "", ""}),
            "pkg:rpm/rocky/openssl-libs@3.0.7-25.el9_3?arch=x86_64&distro=rocky-9.3");
}

TEST(Purl, SourceRpm) {
  std::string name, version;
  ASSERT_TRUE(ParseSourceRpm("python3.11-3.11.5-1.el9_3.src.rpm", &name, &version));
  EXPECT_EQ(name, "python3.11");
  EXPECT_EQ(version, "3.11.5-1.el9_3");
  EXPECT_FALSE(ParseSourceRpm("garbage", &name, &version));
  EXPECT_FALSE(ParseSourceRpm("-1.src.rpm", &name, &version));
  EXPECT_FALSE(ParseSourceRpm(".src.rpm", &name, &version));
}

}  // namespace
}  // namespace vigil::catalog
