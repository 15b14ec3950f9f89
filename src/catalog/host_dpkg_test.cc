// Acceptance check (Images issue): on a Debian host, the inventory of the real root equals
// dpkg-query's own listing, field for field: name, version, source name, source version.
// dpkg-query -W lists every package not in the not-installed state, so packages whose
// state leaves no files (config-files, half-installed) are dropped from its side, as the
// dpkg cataloger documents.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <set>
#include <string>

#include "base/fs.h"
#include "base/strings.h"
#include "catalog/inventory.h"

namespace vigil::catalog {
namespace {

std::string RunCommand(const char* cmd, int* exit_code) {
  std::string out;
  FILE* pipe = popen(cmd, "r");
  if (pipe == nullptr) {
    *exit_code = -1;
    return out;
  }
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  *exit_code = pclose(pipe);
  return out;
}

TEST(HostDpkg, InventoryEqualsDpkgQuery) {
  RealFileSystem root("/");
  if (!root.IsRegular("/var/lib/dpkg/status")) GTEST_SKIP() << "not a dpkg system";
  int rc = 0;
  std::string listing = RunCommand(
      "dpkg-query -W -f '${db:Status-Status}\\t${Package}\\t${Version}\\t${source:Package}"
      "\\t${source:Version}\\n' 2>/dev/null",
      &rc);
  if (rc != 0) GTEST_SKIP() << "dpkg-query unavailable";
  std::multiset<std::string> expected;
  for (std::string_view line : SplitLines(listing)) {
    auto fields = Split(line, '\t');
    ASSERT_EQ(fields.size(), 5u) << line;
    if (fields[0] == "config-files" || fields[0] == "half-installed" ||
        fields[0] == "not-installed") {
      continue;
    }
    expected.insert(std::string(fields[1]) + "\t" + std::string(fields[2]) + "\t" +
                    std::string(fields[3]) + "\t" + std::string(fields[4]));
  }
  auto sbom = InventoryFileSystem(root);
  ASSERT_TRUE(sbom.ok()) << sbom.status();
  std::multiset<std::string> actual;
  for (const auto& c : sbom->components) {
    if (c.ecosystem != "deb") continue;
    actual.insert(c.name + "\t" + c.version + "\t" + c.source_name + "\t" + c.source_version);
  }
  // Other sessions may install packages while this runs; a tiny race is not a failure mode
  // worth retrying here: the sets are read within milliseconds of each other.
  EXPECT_EQ(expected.size(), actual.size());
  std::vector<std::string> missing, extra;
  for (const auto& e : expected) {
    if (actual.count(e) == 0) missing.push_back(e);
  }
  for (const auto& a : actual) {
    if (expected.count(a) == 0) extra.push_back(a);
  }
  EXPECT_TRUE(missing.empty()) << "in dpkg-query only:\n" << Join(missing, "\n");
  EXPECT_TRUE(extra.empty()) << "in the inventory only:\n" << Join(extra, "\n");
  EXPECT_GT(actual.size(), 50u);
  for (const auto& w : sbom->warnings) ADD_FAILURE() << "unexpected warning: " << w;
}

}  // namespace
}  // namespace vigil::catalog
