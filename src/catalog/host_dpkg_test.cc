// Acceptance check (Images issue): the inventory of a real Debian root equals dpkg-query's
// own listing of it, field for field: name, version, source name, source version. Runs on
// this host's "/" and on every extra root named in VIGIL_DPKG_ROOTS (colon-separated, e.g.
// a rootfs made with `mmdebstrap --variant=minbase bookworm DIR`), each read by dpkg-query
// with --admindir=<root>/var/lib/dpkg.
//
// dpkg-query -W lists every package not in the not-installed state, so packages whose state
// leaves no files (config-files, half-installed) are dropped from its side, as the dpkg
// cataloger documents.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>

#include "base/fs.h"
#include "base/strings.h"
#include "catalog/inventory.h"
#include "fmt/format.h"

namespace vigil::catalog {
namespace {

std::string RunCommand(const std::string& cmd, int* exit_code) {
  std::string out;
  FILE* pipe = popen(cmd.c_str(), "r");
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

void CompareWithDpkgQuery(const std::string& root) {
  SCOPED_TRACE("root " + root);
  RealFileSystem fs(root);
  if (!fs.IsRegular("/var/lib/dpkg/status")) GTEST_SKIP() << root << ": not a dpkg system";
  int rc = 0;
  std::string listing = RunCommand(
      fmt::format("dpkg-query --admindir='{}/var/lib/dpkg' -W -f '${{db:Status-Status}}\\t"
                  "${{Package}}\\t${{Version}}\\t${{source:Package}}\\t${{source:Version}}\\n' "
                  "2>/dev/null",
                  root == "/" ? "" : root),
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
    expected.insert(fmt::format("{}\t{}\t{}\t{}", fields[1], fields[2], fields[3], fields[4]));
  }
  auto sbom = InventoryFileSystem(fs);
  ASSERT_TRUE(sbom.ok()) << sbom.status();
  EXPECT_EQ(sbom->os.id, "debian");
  std::multiset<std::string> actual;
  for (const auto& c : sbom->components) {
    if (c.ecosystem != "deb") continue;
    actual.insert(c.name + "\t" + c.version + "\t" + c.source_name + "\t" + c.source_version);
  }
  std::vector<std::string> missing, extra;
  for (const auto& e : expected) {
    if (actual.count(e) == 0) missing.push_back(e);
  }
  for (const auto& a : actual) {
    if (expected.count(a) == 0) extra.push_back(a);
  }
  EXPECT_EQ(expected.size(), actual.size());
  EXPECT_TRUE(missing.empty()) << "in dpkg-query only:\n" << Join(missing, "\n");
  EXPECT_TRUE(extra.empty()) << "in the inventory only:\n" << Join(extra, "\n");
  EXPECT_GT(actual.size(), 50u);
  for (const auto& w : sbom->warnings) {
    // dpkg running elsewhere on this host leaves journal entries; they are applied.
    if (w.find("pending journal entries") != std::string::npos) continue;
    ADD_FAILURE() << "unexpected warning: " << w;
  }
}

TEST(HostDpkg, InventoryEqualsDpkgQuery) { CompareWithDpkgQuery("/"); }

TEST(HostDpkg, ExtraRootsEqualDpkgQuery) {
  const char* roots = std::getenv("VIGIL_DPKG_ROOTS");
  if (roots == nullptr || *roots == '\0') GTEST_SKIP() << "VIGIL_DPKG_ROOTS not set";
  for (std::string_view root : Split(roots, ':', true)) CompareWithDpkgQuery(std::string(root));
}

}  // namespace
}  // namespace vigil::catalog
