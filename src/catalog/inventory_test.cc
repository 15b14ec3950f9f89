#include "catalog/inventory.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "catalog/os_release.h"

namespace vigil::catalog {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string Para(const std::string& name, const std::string& version,
                 const std::string& status = "install ok installed") {
  return "Package: " + name + "\nStatus: " + status + "\nArchitecture: amd64\nVersion: " + version +
         "\n\n";
}

TEST(Inventory, NoDatabaseIsAWarningNotACleanResult) {
  MemFileSystem fs;
  fs.AddFile("/etc/os-release", "ID=debian\nVERSION_ID=12\n");
  fs.AddFile("/app/server", "binary");
  InventoryOptions options;
  options.target = "x";
  auto sbom = InventoryFileSystem(fs, options);
  ASSERT_TRUE(sbom.ok()) << sbom.status();
  EXPECT_EQ(sbom->os.id, "debian");
  EXPECT_THAT(sbom->components, IsEmpty());
  EXPECT_THAT(sbom->warnings, Contains(HasSubstr("no OS package database found")));
  EXPECT_EQ(sbom->target, "x");
}

TEST(Inventory, EmptyDatabaseIsNotMissing) {
  MemFileSystem fs;
  fs.AddFile("/etc/alpine-release", "3.19.1\n");
  fs.AddFile("/lib/apk/db/installed", "");
  auto sbom = InventoryFileSystem(fs);
  ASSERT_TRUE(sbom.ok());
  EXPECT_THAT(sbom->warnings, IsEmpty());
}

TEST(Inventory, UnknownOsWarnsAndSorts) {
  MemFileSystem fs;
  fs.AddFile("/var/lib/dpkg/status", Para("zlib1g", "1") + Para("bash", "5"));
  fs.AddFile("/lib/apk/db/installed", "P:musl\nV:1\n");
  auto sbom = InventoryFileSystem(fs);
  ASSERT_TRUE(sbom.ok());
  EXPECT_EQ(sbom->os.id, "debian");  // a dpkg database alone says Debian
  ASSERT_EQ(sbom->components.size(), 3u);
  EXPECT_EQ(sbom->components[0].name, "musl");  // apk < deb
  EXPECT_EQ(sbom->components[1].name, "bash");
  EXPECT_EQ(sbom->components[2].name, "zlib1g");

  MemFileSystem bare;
  bare.AddFile("/lib/apk/db/installed", "P:musl\nV:1\n");
  auto unknown = InventoryFileSystem(bare);
  ASSERT_TRUE(unknown.ok());
  EXPECT_THAT(unknown->warnings, Contains(HasSubstr("operating system not detected")));
}

class FailingCataloger : public Cataloger {
 public:
  std::string_view name() const override { return "broken"; }
  std::string_view version() const override { return "1"; }
  bool Wants(std::string_view) const override { return false; }
  StatusOr<CatalogResult> Catalog(const FileSystem&, const report::OsInfo&) const override {
    return DataLossError("corrupt");
  }
};

TEST(Inventory, FailingCatalogerIsReported) {
  MemFileSystem fs;
  fs.AddFile("/var/lib/dpkg/status", Para("bash", "5"));
  FailingCataloger broken;
  std::vector<const Cataloger*> catalogers = OsCatalogers();
  catalogers.push_back(&broken);
  InventoryOptions options;
  options.catalogers = catalogers;
  auto sbom = InventoryFileSystem(fs, options);
  ASSERT_TRUE(sbom.ok());
  EXPECT_EQ(sbom->components.size(), 1u);
  EXPECT_THAT(sbom->warnings, Contains(HasSubstr("broken cataloger failed: DATA_LOSS")));
  // Only a failure and no database at all: the failure is the result.
  MemFileSystem empty;
  options.catalogers = {&broken};
  auto failed = InventoryFileSystem(empty, options);
  EXPECT_FALSE(failed.ok());
}

TEST(AttributeLayers, FirstLayerWithThePackage) {
  // Layer 0: base with bash 5 and libc 1; layer 1: adds curl; layer 2: touches no db;
  // layer 3: upgrades libc to 2.
  MemFileSystem l0, l1, l2, l3;
  std::string base = Para("bash", "5") + Para("libc6", "1");
  l0.AddFile("/var/lib/dpkg/status", base);
  l1.AddFile("/var/lib/dpkg/status", base + Para("curl", "8"));
  l2.AddFile("/var/lib/dpkg/status", base + Para("curl", "8"));
  l2.AddFile("/app", "x");
  l3.AddFile("/var/lib/dpkg/status", Para("bash", "5") + Para("libc6", "2") + Para("curl", "8"));
  auto sbom = InventoryFileSystem(l3);
  ASSERT_TRUE(sbom.ok());
  report::Component npm;
  npm.name = "left-pad";
  npm.ecosystem = "npm";
  sbom->components.push_back(npm);
  AttributeLayers(sbom->components, {&l0, &l1, &l2, &l3},
                  {"sha256:0", "sha256:1", "sha256:2", "sha256:3"}, {true, true, false, true});
  std::map<std::string, std::string> layer_of;
  for (const auto& c : sbom->components) layer_of[c.name] = c.layer;
  EXPECT_EQ(layer_of["bash"], "sha256:0");
  EXPECT_EQ(layer_of["curl"], "sha256:1");
  EXPECT_EQ(layer_of["libc6"], "sha256:3");
  EXPECT_EQ(layer_of["left-pad"], "");
}

TEST(AttributeLayers, MismatchedSizesDoNothing) {
  MemFileSystem l0;
  l0.AddFile("/var/lib/dpkg/status", Para("bash", "5"));
  auto sbom = InventoryFileSystem(l0);
  ASSERT_TRUE(sbom.ok());
  AttributeLayers(sbom->components, {&l0}, {});
  EXPECT_EQ(sbom->components[0].layer, "");
  AttributeLayers(sbom->components, {&l0}, {"sha256:a"});
  EXPECT_EQ(sbom->components[0].layer, "sha256:a");
}

TEST(Capture, PredicateCoversEveryInput) {
  EXPECT_TRUE(OsCaptureWants("var/lib/dpkg/status"));
  EXPECT_TRUE(OsCaptureWants("./etc/os-release"));
  EXPECT_TRUE(OsCaptureWants("/usr/lib/os-release"));
  EXPECT_TRUE(OsCaptureWants("etc/debian_version"));
  EXPECT_TRUE(OsCaptureWants("lib/apk/db/installed"));
  EXPECT_TRUE(OsCaptureWants("var/lib/rpm/Packages"));
  EXPECT_TRUE(OsCaptureWants("/var/lib/rpm"));
  EXPECT_TRUE(OsCaptureWants("usr/lib/sysimage/rpm/rpmdb.sqlite"));
  EXPECT_TRUE(OsCaptureWants("usr/share/doc/bash/copyright"));
  EXPECT_FALSE(OsCaptureWants("usr/bin/bash"));
  EXPECT_FALSE(OsCaptureWants("var/lib/rpm/sub/x"));
  EXPECT_EQ(OsCatalogersFingerprint(), "dpkg/1,apk/1,rpm/1,os/1");
}

TEST(Capture, PackageDatabasePaths) {
  EXPECT_TRUE(IsPackageDatabasePath("var/lib/dpkg/status"));
  EXPECT_TRUE(IsPackageDatabasePath("/var/lib/dpkg/status.d/libc6"));
  EXPECT_TRUE(IsPackageDatabasePath("lib/apk/db/installed"));
  EXPECT_TRUE(IsPackageDatabasePath("var/lib/rpm/rpmdb.sqlite"));
  EXPECT_TRUE(IsPackageDatabasePath("usr/lib/sysimage/rpm/Packages"));
  EXPECT_TRUE(IsPackageDatabasePath("var/lib/rpm"));
  EXPECT_FALSE(IsPackageDatabasePath("var/lib/dpkg/info/bash.list"));
  EXPECT_FALSE(IsPackageDatabasePath("usr/share/doc/bash/copyright"));
  EXPECT_FALSE(IsPackageDatabasePath("etc/os-release"));
  EXPECT_FALSE(IsPackageDatabasePath("var/lib/dpkg/status-old"));
}

}  // namespace
}  // namespace vigil::catalog
