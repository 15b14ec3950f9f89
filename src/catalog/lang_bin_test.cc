// Tests of the binary-format language catalogers: the ELF reader and ReduceExecutable, Go
// build info (a module built at test time with Debian's Go toolchain, and Go binaries from
// Debian packages on this host), cargo-auditable sections (crafted with objcopy and zlib),
// and nested Java archives zipped at test time. Tests that need a tool skip without it.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "base/fs.h"
#include "base/test_paths.h"
#include "catalog/elf.h"
#include "catalog/golang.h"
#include "catalog/java.h"
#include "catalog/lang.h"
#include "catalog/rust.h"

namespace vigil::catalog {
namespace {

namespace stdfs = std::filesystem;

std::string ReadAll(const stdfs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void WriteAll(const stdfs::path& p, std::string_view data) {
  stdfs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << data;
}

// Runs a shell command; returns its exit status and stdout+stderr.
int Shell(const std::string& cmd, std::string* output = nullptr) {
  FILE* f = popen((cmd + " 2>&1").c_str(), "r");
  if (f == nullptr) return -1;
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), f)) > 0) out.append(buf, n);
  int rc = pclose(f);
  if (output != nullptr) *output = out;
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

bool HaveTool(const std::string& tool) { return Shell("command -v " + tool) == 0; }

using test_paths::SourceDir;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (stdfs::temp_directory_path() / "vigil-lang-bin-XXXXXX").string();
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

// "name@version purl" for each component, sorted, for exact comparison.
std::vector<std::string> Ids(const CatalogResult& r) {
  std::vector<std::string> out;
  for (const auto& c : r.components) {
    out.push_back(c.name + "@" + c.version + " " + c.purl + " " + c.ecosystem + " " + c.location);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Both binary parsers on `content` and on its reduction must agree; the reduction is
// idempotent and small. Returns the reduced content.
std::string CheckReduction(const std::string& path, const std::string& content,
                           size_t max_reduced = 64 << 10) {
  std::string reduced = content;
  EXPECT_TRUE(ReduceExecutable(reduced)) << path;
  EXPECT_LE(reduced.size(), max_reduced) << path;
  std::string again = reduced;
  EXPECT_TRUE(ReduceExecutable(again)) << path;
  EXPECT_EQ(again, reduced) << path << ": reduction is not idempotent";
  EXPECT_EQ(Ids(CatalogGoBinary(path, content)), Ids(CatalogGoBinary(path, reduced))) << path;
  EXPECT_EQ(CatalogGoBinary(path, content).warnings, CatalogGoBinary(path, reduced).warnings);
  EXPECT_EQ(Ids(CatalogCargoAuditableBinary(path, content)),
            Ids(CatalogCargoAuditableBinary(path, reduced)))
      << path;
  EXPECT_EQ(CatalogCargoAuditableBinary(path, content).warnings,
            CatalogCargoAuditableBinary(path, reduced).warnings);
  return reduced;
}

// A small ELF writer for the layouts no toolchain here produces (ELF32, big endian).
struct Sec {
  std::string name;
  uint32_t type;
  uint64_t flags;
  uint64_t addr;
  std::string bytes;
};

void Put(std::string& out, uint64_t v, int width, bool be) {
  for (int i = 0; i < width; ++i) {
    int shift = be ? 8 * (width - 1 - i) : 8 * i;
    out.push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

std::string MakeElf(bool is64, bool be, std::vector<Sec> sections) {
  std::string names(1, '\0');
  sections.push_back({".shstrtab", 3, 0, 0, ""});
  std::vector<uint32_t> name_off;
  for (auto& s : sections) {
    name_off.push_back(static_cast<uint32_t>(names.size()));
    names += s.name + '\0';
  }
  sections.back().bytes = names;
  const int ehsize = is64 ? 64 : 52, shentsize = is64 ? 64 : 40, word = is64 ? 8 : 4;
  std::string body;
  std::vector<uint64_t> offs;
  for (auto& s : sections) {
    offs.push_back(ehsize + body.size());
    body += s.bytes;
    while (body.size() % 8) body.push_back('\0');
  }
  uint64_t shoff = ehsize + body.size();
  std::string out =
      "\x7f"
      "ELF";
  out.push_back(is64 ? 2 : 1);
  out.push_back(be ? 2 : 1);
  out.push_back(1);
  out.append(9, '\0');
  Put(out, 2, 2, be);     // e_type
  Put(out, 8, 2, be);     // e_machine (MIPS)
  Put(out, 1, 4, be);     // e_version
  Put(out, 0, word, be);  // e_entry
  Put(out, 0, word, be);  // e_phoff
  Put(out, shoff, word, be);
  Put(out, 0, 4, be);  // e_flags
  Put(out, ehsize, 2, be);
  Put(out, 0, 2, be);
  Put(out, 0, 2, be);
  Put(out, shentsize, 2, be);
  Put(out, sections.size() + 1, 2, be);
  Put(out, sections.size(), 2, be);  // .shstrtab is last
  out += body;
  out.append(shentsize, '\0');  // null section
  for (size_t i = 0; i < sections.size(); ++i) {
    const Sec& s = sections[i];
    Put(out, name_off[i], 4, be);
    Put(out, s.type, 4, be);
    Put(out, s.flags, word, be);
    Put(out, s.addr, word, be);
    Put(out, offs[i], word, be);
    Put(out, s.bytes.size(), word, be);
    Put(out, 0, 4, be);
    Put(out, 0, 4, be);
    Put(out, 1, word, be);
    Put(out, 0, word, be);
  }
  return out;
}

std::string Uvarint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}

// The linker frames modinfo with two 16-byte sentinels; only their length matters to readers.
const std::string kSentinelStart(16, '\x30');
const std::string kSentinelEnd(16, '\xf9');
const std::string kModInfo =
    "path\texample.com/tool\nmod\texample.com/tool\tv0.4.0\th1:x=\n"
    "dep\tgithub.com/pkg/errors\tv0.9.1\th1:y=\n"
    "dep\tgolang.org/x/net\tv0.0.1\n=>\tgolang.org/x/net\tv0.7.0\th1:z=\n";

std::string InlineBuildInfo(const std::string& version, const std::string& mod) {
  std::string s = "\xff Go buildinf:";
  s.push_back(8);
  s.push_back(2);
  s.append(16, '\0');
  std::string framed = kSentinelStart + mod + kSentinelEnd;
  return s + Uvarint(version.size()) + version + Uvarint(framed.size()) + framed;
}

const std::vector<std::string> kToolIds = {
    "example.com/tool@v0.4.0 pkg:golang/example.com/tool@v0.4.0 golang /bin/t",
    "github.com/pkg/errors@v0.9.1 pkg:golang/github.com/pkg/errors@v0.9.1 golang /bin/t",
    "golang.org/x/net@v0.7.0 pkg:golang/golang.org/x/net@v0.7.0 golang /bin/t",
    "stdlib@1.21.3 pkg:golang/stdlib@1.21.3 golang /bin/t",
};

TEST(Elf, ReadsAllFourLayouts) {
  for (bool is64 : {false, true}) {
    for (bool be : {false, true}) {
      std::string elf =
          MakeElf(is64, be,
                  {{".text", 1, 6, 0x1000, std::string(100, '\x90')},
                   {".go.buildinfo", 1, 3, 0x2000, InlineBuildInfo("go1.21.3", kModInfo)},
                   {".bss", kElfSectionNoBits, 3, 0x3000, ""}});
      auto parsed = ParseElf(elf);
      ASSERT_TRUE(parsed.ok()) << parsed.status();
      EXPECT_EQ(parsed->is64, is64);
      EXPECT_EQ(parsed->big_endian, be);
      ASSERT_NE(parsed->Find(".text"), nullptr);
      EXPECT_EQ(*parsed->Contents(*parsed->Find(".text")), std::string(100, '\x90'));
      EXPECT_EQ(parsed->ReadAddress(0x1010, 4), std::string(4, '\x90'));
      EXPECT_FALSE(parsed->ReadAddress(0x1060, 8).has_value());  // runs past the section
      CatalogResult r = CatalogGoBinary("/bin/t", elf);
      EXPECT_EQ(Ids(r), kToolIds) << is64 << be;
      EXPECT_TRUE(r.warnings.empty());
      std::string reduced = CheckReduction("/bin/t", elf);
      auto small = ParseElf(reduced);
      ASSERT_TRUE(small.ok());
      EXPECT_EQ(small->sections.size(), 3u);  // null, .go.buildinfo, .shstrtab
      EXPECT_EQ(small->machine, 8);
    }
  }
}

TEST(Elf, RejectsMalformedHeaders) {
  std::string good =
      MakeElf(true, false, {{".go.buildinfo", 1, 3, 0, InlineBuildInfo("go1.20", kModInfo)}});
  EXPECT_FALSE(ParseElf("").ok());
  EXPECT_FALSE(ParseElf(good.substr(0, 40)).ok());
  // Section header table beyond the end.
  std::string bad = good;
  bad[0x28 + 3] = 0x7f;
  EXPECT_FALSE(ParseElf(bad).ok());
  // Every truncation and every single-byte corruption is handled (no crash, no hang).
  for (size_t n = 0; n < good.size(); ++n) {
    std::string t = good.substr(0, n);
    (void)ParseElf(t);
    (void)ReduceExecutable(t);
    (void)CatalogGoBinary("/t", good.substr(0, n));
  }
  for (size_t i = 0; i < good.size(); ++i) {
    for (unsigned char v : {0x00, 0x7f, 0xff}) {
      std::string t = good;
      t[i] = static_cast<char>(v);
      (void)CatalogGoBinary("/t", t);
      (void)CatalogCargoAuditableBinary("/t", t);
      if (ReduceExecutable(t)) (void)CatalogGoBinary("/t", t);
    }
  }
  std::string not_elf = "#!/bin/sh\necho hi\n";
  EXPECT_FALSE(ReduceExecutable(not_elf));
  EXPECT_TRUE(CatalogGoBinary("/t", not_elf).warnings.empty());
}

TEST(GoBuildInfo, PointerFormatIsReadAndKeptWhole) {
  // Go < 1.18 (here a 32-bit big-endian target): the header points at two Go string headers
  // {data, len} in .data, which point at the bytes.
  const std::string version = "go1.16.15";
  const std::string mod = kSentinelStart + kModInfo + kSentinelEnd;
  const uint64_t data_addr = 0x10000;
  std::string data;
  Put(data, data_addr + 16, 4, true);
  Put(data, version.size(), 4, true);
  Put(data, data_addr + 16 + version.size(), 4, true);
  Put(data, mod.size(), 4, true);
  data += version + mod;
  std::string header = "\xff Go buildinf:";
  header.push_back(4);
  header.push_back(1);  // big endian, pointer format
  Put(header, data_addr, 4, true);
  Put(header, data_addr + 8, 4, true);
  header.append(32 - header.size(), '\0');
  std::string elf = MakeElf(
      false, true, {{".go.buildinfo", 1, 3, 0x9000, header}, {".data", 1, 3, data_addr, data}});
  CatalogResult r = CatalogGoBinary("/bin/t", elf);
  EXPECT_TRUE(r.warnings.empty()) << r.warnings[0];
  std::vector<std::string> expected = kToolIds;
  expected.back() = "stdlib@1.16.15 pkg:golang/stdlib@1.16.15 golang /bin/t";
  EXPECT_EQ(Ids(r), expected);
  std::string kept = elf;
  EXPECT_TRUE(ReduceExecutable(kept));
  EXPECT_EQ(kept, elf);
  // A pointer into nowhere is a warning.
  std::string dangling = elf;
  size_t at = dangling.find("\xff Go buildinf:") + 16;
  dangling[at] = '\x7f';
  CatalogResult d = CatalogGoBinary("/bin/t", dangling);
  EXPECT_TRUE(d.components.empty());
  ASSERT_EQ(d.warnings.size(), 1u);
  EXPECT_NE(d.warnings[0].find("out of bounds"), std::string::npos) << d.warnings[0];
}

TEST(GoBuildInfo, ModInfoLines) {
  GoBuildInfo info = ParseGoModInfo(
      "path\tx/cmd\nmod\tx\t(devel)\t\ndep\ta/b\tv1\ndep\t\t(devel)\n=>\t./c\t(devel)\t\n"
      "dep\tc/d\tv2\n=>\t../d\t\t\nbuild\tGOOS=linux\n");
  EXPECT_EQ(info.path, "x/cmd");
  EXPECT_EQ(info.main.version, "(devel)");
  ASSERT_EQ(info.deps.size(), 2u);
  EXPECT_EQ(info.deps[0].replace_path, "");
  EXPECT_EQ(info.deps[1].replace_path, "../d");
  EXPECT_EQ(GoPurl("github.com/Foo/bar.v2", "v2.0.0+incompatible"),
            "pkg:golang/github.com/Foo/bar.v2@v2.0.0%2Bincompatible");
}

// A module proxy on disk (GOPROXY=file://), so the Go toolchain resolves modules offline.
void AddProxyModule(const stdfs::path& root, const std::string& path, const std::string& version,
                    const std::vector<std::pair<std::string, std::string>>& files) {
  stdfs::path src = root / "src" / (path + "@" + version);
  for (const auto& [name, text] : files) WriteAll(src / name, text);
  stdfs::path at = root / "proxy" / path / "@v";
  stdfs::create_directories(at);
  ASSERT_EQ(Shell("cd '" + (root / "src").string() + "' && zip -q -r -D '" +
                  (at / (version + ".zip")).string() + "' '" + path + "@" + version + "'"),
            0);
  WriteAll(at / (version + ".mod"), files[0].second);
  WriteAll(at / (version + ".info"),
           "{\"Version\":\"" + version + "\",\"Time\":\"2023-01-01T00:00:00Z\"}\n");
  WriteAll(at / "list", version + "\n");
}

class GoBuild : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HaveTool("go") || !HaveTool("zip")) GTEST_SKIP() << "needs go (golang-go) and zip";
    ASSERT_FALSE(dir_.path().empty());
    const stdfs::path& d = dir_.path();
    AddProxyModule(d, "example.com/greet", "v1.2.0",
                   {{"go.mod", "module example.com/greet\n\ngo 1.18\n"},
                    {"greet.go", "package greet\n\nfunc Hello() string { return \"hello\" }\n"},
                    {"cmd/hello/main.go",
                     "package main\n\nimport \"example.com/greet\"\n\n"
                     "func main() { println(greet.Hello()) }\n"}});
    AddProxyModule(d, "example.com/newgreet", "v1.3.0",
                   {{"go.mod", "module example.com/newgreet\n\ngo 1.18\n"},
                    {"old.go", "package old\n\nfunc Old() string { return \"new\" }\n"}});
    const char* build = std::getenv("VIGIL_BUILD_DIR");
    std::string cache =
        build != nullptr ? std::string(build) + "/go-cache" : (d / "cache").string();
    env_ = "GOPROXY=file://" + (d / "proxy").string() +
           " GOSUMDB=off GOFLAGS='-mod=mod -modcacherw' GOMODCACHE='" + (d / "modcache").string() +
           "' GOPATH='" + (d / "gopath").string() + "' GOCACHE='" + cache +
           "' CGO_ENABLED=0 GOTOOLCHAIN=local GOTELEMETRY=off HOME='" + d.string() + "'";
    std::string out;
    ASSERT_EQ(Shell(env_ + " go env GOVERSION", &out), 0) << out;
    go_version_ = std::string(Trim(out));
    ASSERT_TRUE(StartsWith(go_version_, "go")) << go_version_;
  }

  std::string Trim(const std::string& s) {
    size_t b = s.find_first_not_of(" \n\t"), e = s.find_last_not_of(" \n\t");
    return b == std::string::npos ? "" : s.substr(b, e - b + 1);
  }
  static bool StartsWith(const std::string& s, const std::string& p) {
    return s.compare(0, p.size(), p) == 0;
  }

  TempDir dir_;
  std::string env_;
  std::string go_version_;
};

TEST_F(GoBuild, ModuleWithReplacements) {
  const stdfs::path& d = dir_.path();
  WriteAll(d / "app/go.mod",
           "module example.com/app\n\ngo 1.18\n\nrequire (\n\texample.com/greet v1.2.0\n"
           "\texample.com/local v0.1.0\n\texample.com/old v1.0.0\n)\n\n"
           "replace example.com/local v0.1.0 => ./local\n\n"
           "replace example.com/old v1.0.0 => example.com/newgreet v1.3.0\n");
  WriteAll(d / "app/main.go",
           "package main\n\nimport (\n\t\"example.com/greet\"\n\t\"example.com/local\"\n"
           "\t\"example.com/old\"\n)\n\nfunc main() { println(greet.Hello(), local.Name(), "
           "old.Old()) }\n");
  WriteAll(d / "app/local/go.mod", "module example.com/local\n\ngo 1.18\n");
  WriteAll(d / "app/local/local.go", "package local\n\nfunc Name() string { return \"l\" }\n");
  std::string out;
  ASSERT_EQ(
      Shell("cd '" + (d / "app").string() + "' && " + env_ + " go build -o ../app.bin .", &out), 0)
      << out;
  std::string binary = ReadAll(d / "app.bin");
  const std::string stdlib = go_version_.substr(2);
  CatalogResult r = CatalogGoBinary("/usr/local/bin/app", binary);
  EXPECT_TRUE(r.warnings.empty());
  // The main module is "(devel)" (built from a checkout) and not reported; the local
  // directory replacement keeps the required identity; the module replacement gives the
  // replacement's path and version.
  EXPECT_EQ(Ids(r),
            (std::vector<std::string>{
                "example.com/greet@v1.2.0 pkg:golang/example.com/greet@v1.2.0 golang "
                "/usr/local/bin/app",
                "example.com/local@v0.1.0 pkg:golang/example.com/local@v0.1.0 golang "
                "/usr/local/bin/app",
                "example.com/newgreet@v1.3.0 pkg:golang/example.com/newgreet@v1.3.0 "
                "golang /usr/local/bin/app",
                "stdlib@" + stdlib + " pkg:golang/stdlib@" + stdlib + " golang /usr/local/bin/app",
            }));
  std::string reduced = CheckReduction("/usr/local/bin/app", binary);
  EXPECT_LT(reduced.size(), 4096u) << "a reduced Go binary is its build info";

  // Through the driver, as an image would hold it: the capture predicate wants the binary,
  // its reduction catalogs the same, and go.mod counts only for filesystem scans.
  FileInfo info;
  info.type = FileType::kRegular;
  info.mode = 0755;
  info.size = binary.size();
  ASSERT_TRUE(LanguageCaptureWants("/usr/local/bin/app", info));
  std::string captured = binary;
  ASSERT_TRUE(LanguageCaptureReduce("/usr/local/bin/app", info, captured));
  EXPECT_EQ(captured, reduced);
  MemFileSystem full, small;
  full.AddFile("/usr/local/bin/app", binary, 0755);
  small.AddFile("/usr/local/bin/app", captured, 0755);
  std::string mod = ReadAll(d / "app/go.mod");
  full.AddFile("/src/go.mod", mod);
  small.AddFile("/src/go.mod", mod);
  // The layer walk keeps the original metadata (size) beside the reduced content, so the
  // driver's Wants sees the same file; the catalogers then read the reduced bytes.
  for (const LanguageCataloger* c : {&GoCataloger(), &RustCataloger()}) {
    auto a = c->CatalogFile(full, "/usr/local/bin/app", LangContext{});
    auto b = c->CatalogFile(small, "/usr/local/bin/app", LangContext{});
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(Ids(*a), Ids(*b));
  }
  for (bool filesystem : {false, true}) {
    LangContext context;
    context.filesystem = filesystem;
    auto a = CatalogLanguages(full, context);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->components.size(), filesystem ? 7u : 4u);
  }
}

TEST_F(GoBuild, InstalledModuleHasAVersion) {
  const stdfs::path& d = dir_.path();
  std::string out;
  ASSERT_EQ(Shell(env_ + " GOBIN='" + (d / "bin").string() +
                      "' go install example.com/greet/cmd/hello@v1.2.0",
                  &out),
            0)
      << out;
  std::string binary = ReadAll(d / "bin/hello");
  CatalogResult r = CatalogGoBinary("/bin/hello", binary);
  const std::string stdlib = go_version_.substr(2);
  EXPECT_EQ(Ids(r), (std::vector<std::string>{
                        "example.com/greet@v1.2.0 pkg:golang/example.com/greet@v1.2.0 golang "
                        "/bin/hello",
                        "stdlib@" + stdlib + " pkg:golang/stdlib@" + stdlib + " golang /bin/hello",
                    }));
  CheckReduction("/bin/hello", binary);
}

TEST(GoDebian, PackagedBinaries) {
  int checked = 0;
  for (const char* path : {"/usr/bin/umoci", "/usr/bin/skopeo", "/usr/bin/podman"}) {
    if (!stdfs::exists(path)) continue;
    std::string binary = ReadAll(path);
    auto info = ReadGoBuildInfo(binary);
    ASSERT_TRUE(info.ok()) << path << ": " << info.status();
    CatalogResult r = CatalogGoBinary(path, binary);
    std::string stdlib;
    for (const auto& c : r.components) {
      if (c.name == "stdlib") stdlib = c.version;
    }
    EXPECT_TRUE(std::regex_match(stdlib, std::regex(R"(1\.\d+(\.\d+)?)")))
        << path << ": " << stdlib;
    if (HaveTool("go")) {
      // `go version <file>` prints "<file>: go1.19.8" from the same build info.
      std::string out;
      ASSERT_EQ(Shell(std::string("go version ") + path, &out), 0) << out;
      EXPECT_NE(out.find(": go" + stdlib + "\n"), std::string::npos) << out;
    }
    CheckReduction(path, binary);
    ++checked;
  }
  if (checked == 0) GTEST_SKIP() << "no Debian-packaged Go binary (umoci, skopeo, podman) here";
}

class CargoAuditable : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HaveTool("objcopy") || !HaveTool("python3")) GTEST_SKIP() << "needs objcopy, python3";
    if (!stdfs::exists("/usr/bin/true")) GTEST_SKIP() << "no /usr/bin/true to copy";
  }
  // /usr/bin/true with a .dep-v0 section holding zlib(json).
  std::string Build(const std::string& json, const std::string& extra_python = "") {
    const stdfs::path& d = dir_.path();
    WriteAll(d / "deps.json", json);
    std::string out;
    EXPECT_EQ(Shell("python3 -c 'import sys,zlib; d=open(sys.argv[1],\"rb\").read()" +
                        extra_python + "; open(sys.argv[2],\"wb\").write(zlib.compress(d))' '" +
                        (d / "deps.json").string() + "' '" + (d / "payload").string() + "'",
                    &out),
              0)
        << out;
    EXPECT_EQ(Shell("objcopy --add-section .dep-v0='" + (d / "payload").string() +
                        "' --set-section-flags .dep-v0=noload,readonly /usr/bin/true '" +
                        (d / "bin").string() + "'",
                    &out),
              0)
        << out;
    return ReadAll(d / "bin");
  }
  TempDir dir_;
};

TEST_F(CargoAuditable, RuntimeCratesReported) {
  std::string binary = Build(R"({"packages":[
    {"name":"rg","version":"13.0.0","source":"local","kind":"runtime","root":true,"dependencies":[1,2]},
    {"name":"regex","version":"1.7.1","source":"crates.io","dependencies":[2]},
    {"name":"memchr","version":"2.5.0","source":"crates.io"},
    {"name":"cc","version":"1.0.79","source":"crates.io","kind":"build"},
    {"name":"broken"}]})");
  CatalogResult r = CatalogCargoAuditableBinary("/usr/bin/rg", binary);
  EXPECT_EQ(Ids(r), (std::vector<std::string>{
                        "memchr@2.5.0 pkg:cargo/memchr@2.5.0 cargo /usr/bin/rg",
                        "regex@1.7.1 pkg:cargo/regex@1.7.1 cargo /usr/bin/rg",
                        "rg@13.0.0 pkg:cargo/rg@13.0.0 cargo /usr/bin/rg",
                    }));
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0], "/usr/bin/rg: .dep-v0: package 5 has no name or version");
  EXPECT_TRUE(CatalogGoBinary("/usr/bin/rg", binary).components.empty());
  std::string reduced = CheckReduction("/usr/bin/rg", binary);
  // Both catalogers see the file; the first (go) reduces it for both.
  FileInfo info;
  info.type = FileType::kRegular;
  info.mode = 0755;
  info.size = binary.size();
  std::string captured = binary;
  ASSERT_TRUE(LanguageCaptureReduce("/usr/bin/rg", info, captured));
  EXPECT_EQ(captured, reduced);
  MemFileSystem fs, small;
  fs.AddFile("/usr/bin/rg", binary, 0755);
  small.AddFile("/usr/bin/rg", captured, 0755);
  auto all = CatalogLanguages(fs, LangContext{});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(Ids(*all), Ids(r));
  auto from_small = RustCataloger().CatalogFile(small, "/usr/bin/rg", LangContext{});
  ASSERT_TRUE(from_small.ok());
  EXPECT_EQ(Ids(*from_small), Ids(r));
}

TEST_F(CargoAuditable, InflationIsBounded) {
  // 64 MiB of JSON whitespace: compresses to ~64 KB, must not be inflated whole.
  std::string binary = Build("{}", "+b\" \"*(64<<20)");
  CatalogResult r = CatalogCargoAuditableBinary("/usr/bin/bomb", binary);
  EXPECT_TRUE(r.components.empty());
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("inflates beyond"), std::string::npos) << r.warnings[0];
  // Garbage instead of zlib.
  std::string bad = binary;
  auto elf = ParseElf(bad);
  ASSERT_TRUE(elf.ok());
  const ElfSection* s = elf->Find(".dep-v0");
  ASSERT_NE(s, nullptr);
  bad[s->offset] = 'x';
  EXPECT_EQ(CatalogCargoAuditableBinary("/b", bad).warnings.size(), 1u);
}

TEST(Executables, WantedOnlyWhenNoOtherCatalogerReadsThem) {
  FileInfo exec;
  exec.type = FileType::kRegular;
  exec.mode = 0755;
  exec.size = 4096;
  EXPECT_TRUE(WantsExecutable("/usr/bin/app", exec));
  EXPECT_FALSE(WantsExecutable("/opt/app.jar", exec));
  EXPECT_FALSE(WantsExecutable("/src/Cargo.lock", exec));
  EXPECT_FALSE(WantsExecutable("/app/vendor/composer/installed.json", exec));
  FileInfo small = exec;
  small.size = 100;
  EXPECT_FALSE(WantsExecutable("/usr/bin/tiny", small));
  FileInfo plain = exec;
  plain.mode = 0644;
  EXPECT_FALSE(WantsExecutable("/usr/bin/app", plain));
  // An executable jar keeps its content through capture (not an ELF reduction).
  std::string jar = "PK\x03\x04 not really";
  EXPECT_TRUE(LanguageCaptureWants("/opt/app.jar", exec));
  EXPECT_TRUE(LanguageCaptureReduce("/opt/app.jar", exec, jar));
  EXPECT_EQ(jar, "PK\x03\x04 not really");
}

class JavaNested : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HaveTool("zip")) GTEST_SKIP() << "needs zip";
    jars_ = stdfs::path(SourceDir()) / "testdata/catalog/lang/java-jars/jars";
    if (!stdfs::is_directory(jars_)) GTEST_SKIP() << jars_ << " missing";
  }
  // Zips the contents of `from` into `to` (no directory entries, as Maven writes jars).
  void Zip(const stdfs::path& from, const stdfs::path& to) {
    stdfs::create_directories(to.parent_path());
    std::string out;
    ASSERT_EQ(Shell("cd '" + from.string() + "' && zip -q -r -D '" + to.string() + "' .", &out), 0)
        << out;
  }
  stdfs::path jars_;
  TempDir dir_;
};

TEST_F(JavaNested, EarWarJar) {
  const stdfs::path& d = dir_.path();
  Zip(jars_ / "commons-lang3", d / "war/WEB-INF/lib/commons-lang3-3.12.0.jar");
  // A jar nested one level deeper than read (ear > war > jar > jar): ignored.
  Zip(jars_ / "fat", d / "deep/BOOT-INF/lib/app-2.4.1.jar");
  Zip(d / "deep", d / "war/WEB-INF/lib/deep-1.0.jar");
  WriteAll(d / "war/META-INF/maven/com.example/webapp/pom.properties",
           "groupId=com.example\nartifactId=webapp\nversion=1.0.0\n");
  WriteAll(d / "war/WEB-INF/web.xml", "<web-app/>\n");
  Zip(d / "war", d / "ear/webapp.war");
  WriteAll(d / "ear/META-INF/MANIFEST.MF",
           "Manifest-Version: 1.0\nImplementation-Vendor-Id: com.example\n"
           "Implementation-Version: 3.0\n");
  Zip(d / "ear", d / "app-3.0.ear");
  std::string ear = ReadAll(d / "app-3.0.ear");
  CatalogResult r = CatalogJavaArchive("/srv/app-3.0.ear", ear);
  EXPECT_TRUE(r.warnings.empty()) << r.warnings[0];
  EXPECT_EQ(Ids(r), (std::vector<std::string>{
                        "com.example:app@3.0 pkg:maven/com.example/app@3.0 maven /srv/app-3.0.ear",
                        "com.example:webapp@1.0.0 pkg:maven/com.example/webapp@1.0.0 maven "
                        "/srv/app-3.0.ear!/webapp.war",
                        "org.apache.commons:commons-lang3@3.12.0 "
                        "pkg:maven/org.apache.commons/commons-lang3@3.12.0 maven "
                        "/srv/app-3.0.ear!/webapp.war!/WEB-INF/lib/commons-lang3-3.12.0.jar",
                    }));
  // The cataloger and the OS-ownership rule see the outer file.
  MemFileSystem fs;
  fs.AddFile("/srv/app-3.0.ear", ear);
  auto all = CatalogLanguages(fs, LangContext{});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(Ids(*all), Ids(r));
  report::Component owner;
  owner.purl = "pkg:deb/debian/app@1";
  owner.files = {"/srv/app-3.0.ear"};
  EXPECT_EQ(AssignOsOwners(all->components, {owner}, fs), 3);

  // Capture-time reduction: only what the cataloger reads, nested archives included.
  WriteAll(d / "ear/lib/big.bin", std::string(1 << 20, 'x'));
  WriteAll(d / "ear/lib/random.bin", ReadAll("/usr/bin/true"));
  Zip(d / "ear", d / "big-3.0.ear");
  std::string big = ReadAll(d / "big-3.0.ear");
  CatalogResult before = CatalogJavaArchive("/srv/app-3.0.ear", big);
  std::string reduced = big;
  FileInfo info;
  info.type = FileType::kRegular;
  info.mode = 0644;
  info.size = big.size();
  ASSERT_TRUE(LanguageCaptureReduce("/srv/app-3.0.ear", info, reduced));
  EXPECT_LT(reduced.size(), 4096u) << big.size();
  EXPECT_EQ(Ids(CatalogJavaArchive("/srv/app-3.0.ear", reduced)), Ids(before));
  EXPECT_EQ(Ids(before), Ids(r));
  std::string again = reduced;
  EXPECT_FALSE(ReduceJavaArchive("/srv/app-3.0.ear", again));
  EXPECT_EQ(again, reduced);
  // A damaged archive (a warning) is kept as it is.
  std::string damaged = big.substr(0, big.size() / 2);
  std::string kept = damaged;
  EXPECT_FALSE(ReduceJavaArchive("/srv/app-3.0.ear", kept));
  EXPECT_EQ(kept, damaged);
}

TEST_F(JavaNested, ZipBombIsBounded) {
  const stdfs::path& d = dir_.path();
  // 32 MiB of zeros as a nested "jar" (deflates to ~32 KB), and 200 small entries.
  WriteAll(d / "bomb/lib/zeros.jar", std::string(32u << 20, '\0'));
  for (int i = 0; i < 200; ++i) WriteAll(d / "bomb/res" / std::to_string(i), "x");
  Zip(d / "bomb", d / "bomb.jar");
  std::string jar = ReadAll(d / "bomb.jar");
  ASSERT_LT(jar.size(), 1u << 20);
  JavaArchiveLimits limits;
  limits.max_nested_bytes = 1u << 20;
  CatalogResult r = CatalogJavaArchive("/b.jar", jar, limits);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("larger than 1048576 bytes"), std::string::npos) << r.warnings[0];
  limits = JavaArchiveLimits{};
  limits.max_total_bytes = 4u << 20;
  r = CatalogJavaArchive("/b.jar", jar, limits);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("limit reached"), std::string::npos) << r.warnings[0];
  limits = JavaArchiveLimits{};
  limits.max_entries = 50;
  r = CatalogJavaArchive("/b.jar", jar, limits);
  ASSERT_FALSE(r.warnings.empty());
  EXPECT_NE(r.warnings.back().find("more than 50 entries"), std::string::npos) << r.warnings.back();
}

TEST(JavaText, ManifestAndProperties) {
  auto m = ParseJarManifest(
      "Manifest-Version: 1.0\r\nBundle-Name: a very long na\r\n me\r\nX:y\r\n\r\nName: z\r\n"
      "Bundle-Name: other\r\n");
  EXPECT_EQ(m["Bundle-Name"], "a very long name");
  EXPECT_EQ(m["X"], "y");
  EXPECT_EQ(m.count("Name"), 0u);
  auto p = ParsePomProperties("#c\n! c\ngroupId = g\nartifactId:a\nversion 1\n");
  EXPECT_EQ(p["groupId"], "g");
  EXPECT_EQ(p["artifactId"], "a");
  EXPECT_EQ(p["version"], "1");
  EXPECT_TRUE(IsJavaArchiveName("/x/A.JAR"));
  EXPECT_FALSE(IsJavaArchiveName("/x/a.jar.sha1"));
}

}  // namespace
}  // namespace vigil::catalog
