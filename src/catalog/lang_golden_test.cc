// The data-driven language cataloger suite: every testdata/catalog/lang/<case>/ holds
//   rootfs/          a mini tree in the real on-disk formats (may be absent when archives.json
//                    builds everything),
//   expected.json    {"components": [...], "warnings": [...]} that CatalogLanguages must give,
//   context.json     optional LangContext: {"filesystem": true} for `vigil fs` semantics,
//   archives.json    optional [{"path": "/in/rootfs/x.egg", "from": "dir-in-case",
//                    "format": "zip"}]: archives built at test time from a directory of the
//                    case (so no binary is committed), placed into a copy of rootfs.
// Each case is also cataloged from a memory tree holding only the captured files, reduced
// at capture time (LanguageCaptureWants / LanguageCaptureReduce), which must give the same
// result. One runner for every ecosystem; VIGIL_UPDATE_GOLDEN=1 rewrites the expected files:
// limit it to your own cases with --gtest_filter.
#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/fs.h"
#include "base/test_paths.h"
#include "catalog/lang.h"

namespace vigil::catalog {
namespace {

namespace stdfs = std::filesystem;

stdfs::path SuiteDir() {
  return stdfs::path(test_paths::SourceDir()) / "testdata" / "catalog" / "lang";
}

std::string ReadAll(const stdfs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

nlohmann::json ToJson(const CatalogResult& result) {
  nlohmann::json j;
  j["components"] = nlohmann::json::array();
  for (const auto& c : result.components) {
    j["components"].push_back({{"ecosystem", c.ecosystem},
                               {"name", c.name},
                               {"version", c.version},
                               {"purl", c.purl},
                               {"licenses", c.licenses},
                               {"dev", c.dev},
                               {"location", c.location}});
  }
  j["warnings"] = result.warnings;
  return j;
}

std::vector<std::string> Cases() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : stdfs::directory_iterator(SuiteDir(), ec)) {
    const stdfs::path& d = entry.path();
    if (entry.is_directory() &&
        (stdfs::exists(d / "expected.json") || stdfs::is_directory(d / "rootfs") ||
         stdfs::exists(d / "archives.json"))) {
      out.push_back(entry.path().filename().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Zips the regular files below `from` (names relative to it, sorted) into `to`.
::testing::AssertionResult BuildZip(const stdfs::path& from, const stdfs::path& to) {
  std::vector<stdfs::path> files;
  for (const auto& e : stdfs::recursive_directory_iterator(from)) {
    if (e.is_regular_file()) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::unique_ptr<archive, int (*)(archive*)> a(archive_write_new(), archive_write_free);
  archive_write_set_format_zip(a.get());
  if (archive_write_open_filename(a.get(), to.c_str()) != ARCHIVE_OK) {
    return ::testing::AssertionFailure() << to << ": " << archive_error_string(a.get());
  }
  for (const auto& f : files) {
    std::string data = ReadAll(f);
    std::unique_ptr<archive_entry, void (*)(archive_entry*)> entry(archive_entry_new(),
                                                                   archive_entry_free);
    archive_entry_set_pathname(entry.get(), stdfs::relative(f, from).generic_string().c_str());
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    archive_entry_set_perm(entry.get(), 0644);
    archive_entry_set_size(entry.get(), static_cast<la_int64_t>(data.size()));
    archive_entry_set_mtime(entry.get(), 1600000000, 0);
    if (archive_write_header(a.get(), entry.get()) != ARCHIVE_OK ||
        archive_write_data(a.get(), data.data(), data.size()) < 0) {
      return ::testing::AssertionFailure() << to << ": " << archive_error_string(a.get());
    }
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) {
    return ::testing::AssertionFailure() << to << ": " << archive_error_string(a.get());
  }
  return ::testing::AssertionSuccess();
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (stdfs::temp_directory_path() / "vigil-lang-golden-XXXXXX").string();
    if (mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) stdfs::remove_all(path_, ec);
  }
  const stdfs::path& path() const { return path_; }

 private:
  stdfs::path path_;
};

class LangGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(LangGolden, MatchesExpected) {
  stdfs::path dir = SuiteDir() / GetParam();
  LangContext context;
  if (stdfs::exists(dir / "context.json")) {
    auto ctx = nlohmann::json::parse(ReadAll(dir / "context.json"));
    context.filesystem = ctx.value("filesystem", false);
  }
  stdfs::path root = dir / "rootfs";
  TempDir temp;
  if (stdfs::exists(dir / "archives.json")) {
    // Archives go into a copy of the tree, never into the source checkout.
    ASSERT_FALSE(temp.path().empty()) << "mkdtemp failed";
    stdfs::path copy = temp.path() / "rootfs";
    stdfs::create_directories(copy);
    if (stdfs::exists(root)) {
      stdfs::copy(root, copy, stdfs::copy_options::recursive | stdfs::copy_options::copy_symlinks);
    }
    for (const auto& spec : nlohmann::json::parse(ReadAll(dir / "archives.json"))) {
      std::string format = spec.value("format", "zip");
      ASSERT_EQ(format, "zip") << "archives.json: only zip archives are built";
      stdfs::path target = copy / stdfs::path(spec.at("path").get<std::string>()).relative_path();
      stdfs::create_directories(target.parent_path());
      ASSERT_TRUE(BuildZip(dir / spec.at("from").get<std::string>(), target));
    }
    root = copy;
  }
  ASSERT_TRUE(stdfs::is_directory(root)) << root << " missing";
  RealFileSystem fs(root.string());
  auto result = CatalogLanguages(fs, context);
  ASSERT_TRUE(result.ok()) << result.status();
  nlohmann::json actual = ToJson(*result);

  // The capture contract (lang.h): a tree holding only the files the layer walk captures,
  // reduced as it reduces them, catalogs exactly like the full tree.
  MemFileSystem captured;
  Status walked = Walk(fs, "/", [&](const std::string& path, const FileInfo& info) {
    if (info.type != FileType::kRegular || !LanguageCaptureWants(path, info)) return true;
    auto content = fs.ReadFile(path);
    if (content.ok() && LanguageCaptureReduce(path, info, *content)) {
      captured.AddFile(path, std::move(*content), info.mode);
    }
    return true;
  });
  ASSERT_TRUE(walked.ok()) << walked;
  auto from_capture = CatalogLanguages(captured, context);
  ASSERT_TRUE(from_capture.ok()) << from_capture.status();
  EXPECT_EQ(ToJson(*from_capture).dump(2), actual.dump(2))
      << "cataloging the captured (reduced) files differs from the full tree";

  stdfs::path expected_path = dir / "expected.json";
  const char* update = std::getenv("VIGIL_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(expected_path) << actual.dump(2) << "\n";
    GTEST_SKIP() << "rewrote " << expected_path;
  }
  nlohmann::json expected = nlohmann::json::parse(ReadAll(expected_path));
  EXPECT_EQ(actual["components"].size(), expected["components"].size());
  size_t n = std::min(actual["components"].size(), expected["components"].size());
  for (size_t i = 0; i < n; ++i) {
    EXPECT_EQ(actual["components"][i].dump(), expected["components"][i].dump())
        << "component " << i;
  }
  EXPECT_EQ(actual["warnings"].dump(1), expected["warnings"].dump(1));
  if (HasFailure()) ADD_FAILURE() << "actual:\n" << actual.dump(2);
}

INSTANTIATE_TEST_SUITE_P(Cases, LangGolden, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(LangGolden);

}  // namespace
}  // namespace vigil::catalog
