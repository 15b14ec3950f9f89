// The data-driven catalog suite: every testdata/catalog/<case>/ holds a mini root filesystem
// (rootfs/, real file formats) and expected.json, the OS, packages and warnings the inventory
// must produce. One runner for all cases; VIGIL_UPDATE_GOLDEN=1 rewrites the expected files.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "base/fs.h"
#include "base/test_paths.h"
#include "catalog/cataloger.h"
#include "catalog/inventory.h"

namespace vigil::catalog {
namespace {

namespace stdfs = std::filesystem;

stdfs::path SuiteDir() { return stdfs::path(test_paths::SourceDir()) / "testdata" / "catalog"; }

nlohmann::json ToJson(const report::Sbom& sbom) {
  nlohmann::json j;
  j["os"] = {{"id", sbom.os.id},
             {"version_id", sbom.os.version_id},
             {"codename", sbom.os.codename},
             {"pretty_name", sbom.os.pretty_name}};
  j["packages"] = nlohmann::json::array();
  for (const auto& c : sbom.components) {
    j["packages"].push_back({{"ecosystem", c.ecosystem},
                             {"name", c.name},
                             {"version", c.version},
                             {"arch", c.arch},
                             {"source_name", c.source_name},
                             {"source_version", c.source_version},
                             {"purl", c.purl},
                             {"licenses", c.licenses},
                             {"supplier", c.supplier},
                             {"location", c.location},
                             {"file_count", c.files.size()},
                             {"first_file", c.files.empty() ? "" : c.files.front()}});
  }
  j["warnings"] = sbom.warnings;
  return j;
}

std::vector<std::string> Cases() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : stdfs::directory_iterator(SuiteDir(), ec)) {
    if (entry.is_directory() && stdfs::is_directory(entry.path() / "rootfs")) {
      out.push_back(entry.path().filename().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

class CatalogGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(CatalogGolden, MatchesExpected) {
  stdfs::path dir = SuiteDir() / GetParam();
  RealFileSystem fs((dir / "rootfs").string());
  InventoryOptions options;
  options.target = GetParam();
  auto sbom = InventoryFileSystem(fs, options);
  ASSERT_TRUE(sbom.ok()) << sbom.status();
  nlohmann::json actual = ToJson(*sbom);
  stdfs::path expected_path = dir / "expected.json";
  const char* update = std::getenv("VIGIL_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(expected_path) << actual.dump(2) << "\n";
    GTEST_SKIP() << "rewrote " << expected_path;
  }
  std::ifstream in(expected_path);
  ASSERT_TRUE(in.good()) << expected_path << " missing; run with VIGIL_UPDATE_GOLDEN=1";
  nlohmann::json expected = nlohmann::json::parse(in, nullptr, false);
  ASSERT_FALSE(expected.is_discarded()) << expected_path << ": invalid JSON";
  EXPECT_EQ(expected["os"], actual["os"]);
  EXPECT_EQ(expected["warnings"], actual["warnings"]);
  ASSERT_EQ(expected["packages"].size(), actual["packages"].size()) << "actual:\n"
                                                                    << actual["packages"].dump(2);
  for (size_t i = 0; i < actual["packages"].size(); ++i) {
    EXPECT_EQ(expected["packages"][i], actual["packages"][i]) << "package #" << i;
  }
}

// The capture contract (cataloger.h): a tree holding only the paths OsCaptureWants() keeps,
// as the image layer walk would store them, must inventory exactly like the full tree.
TEST_P(CatalogGolden, CaptureSetGivesTheSameInventory) {
  stdfs::path dir = SuiteDir() / GetParam();
  RealFileSystem full((dir / "rootfs").string());
  MemFileSystem captured;
  size_t kept = 0;
  Status walked = Walk(full, "/", [&](const std::string& path, const FileInfo& info) {
    if (path == "/" || !OsCaptureWants(path)) return true;
    ++kept;
    if (info.type == FileType::kSymlink) {
      captured.AddSymlink(path, info.link_target);
    } else if (info.type == FileType::kRegular) {
      auto data = full.ReadFile(path);
      EXPECT_TRUE(data.ok()) << data.status();
      if (data.ok()) captured.AddFile(path, *data);
    } else if (info.type == FileType::kDirectory) {
      captured.AddDir(path);
    }
    return true;
  });
  ASSERT_TRUE(walked.ok()) << walked;
  InventoryOptions options;
  options.target = GetParam();
  auto from_full = InventoryFileSystem(full, options);
  auto from_captured = InventoryFileSystem(captured, options);
  ASSERT_TRUE(from_full.ok() && from_captured.ok());
  EXPECT_EQ(ToJson(*from_full).dump(1), ToJson(*from_captured).dump(1)) << kept << " kept";
}

INSTANTIATE_TEST_SUITE_P(Cases, CatalogGolden, ::testing::ValuesIn(Cases()), [](const auto& info) {
  std::string name = info.param;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
});

TEST(CatalogGoldenSuite, HasCases) { EXPECT_GE(Cases().size(), 5u) << SuiteDir(); }

}  // namespace
}  // namespace vigil::catalog
