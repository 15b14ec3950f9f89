#include "vulndb/update.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "base/hash.h"

namespace vigil::vulndb {
namespace {

constexpr const char* kHexA = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
constexpr const char* kHexB = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

// ---- sources file ----

TEST(SourcesConfigTest, ParsesEveryKey) {
  auto config = ParseSourcesConfig(R"(# feeds
feeds:
  - name: osv-go
    url: https://osv-vulnerabilities.storage.googleapis.com/Go/all.zip
    format: osv-zip
    sha256: 0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef
    size: 1234
    checksum_url: https://example.org/all.zip.sha256
    max_size: 300MiB
  - name: dsa
    url: data/DSA/list
  - name: abs
    url: file:///srv/feeds/main%2Ejson
)",
                                   "/etc/vigil/sources.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->feeds.size(), 3u);
  const FeedSource& go = config->feeds[0];
  EXPECT_EQ(go.name, "osv-go");
  EXPECT_EQ(go.format, "osv-zip");
  EXPECT_EQ(go.sha256, kHexA);  // lower-cased
  ASSERT_TRUE(go.size.has_value());
  EXPECT_EQ(*go.size, 1234u);
  EXPECT_EQ(go.checksum_url, "https://example.org/all.zip.sha256");
  EXPECT_EQ(go.max_size, 300ull << 20);
  EXPECT_EQ(go.line, 3);
  // Relative paths are anchored at the sources file's directory.
  EXPECT_EQ(config->feeds[1].url, "/etc/vigil/data/DSA/list");
  EXPECT_EQ(config->feeds[1].max_size, kDefaultFeedMaxSize);
  EXPECT_FALSE(config->feeds[1].size.has_value());
  EXPECT_EQ(config->feeds[2].url, "file:///srv/feeds/main%2Ejson");
}

struct BadConfig {
  const char* text;
  const char* expected;  // substring of the error, which always names file:line
};

TEST(SourcesConfigTest, ErrorsNameFileLineAndProblem) {
  const BadConfig cases[] = {
      {"feeds:\n  - name: a\n    url: https://x/y\n    sha265: abc\n",
       "s.yaml:4: unknown key 'sha265'"},
      {"feeds:\n  - name: a\n    url: https://x/y\n    sha256: abc\n",
       "s.yaml:4: sha256 must be 64"},
      {"feeds:\n  - name: a\n    url: ftp://x/y\n", "s.yaml:2: feed 'a': unsupported URL scheme"},
      {"feeds:\n  - url: https://x/y\n", "s.yaml:2: a feed needs a name"},
      {"feeds:\n  - name: a\n", "s.yaml:2: feed 'a' needs a url"},
      {"feeds:\n  - name: ../a\n    url: /x\n", "s.yaml:2: feed name '../a' must be"},
      {"feeds:\n  - {name: a, url: /x}\n  - {name: a, url: /y}\n",
       "s.yaml:3: feed name 'a' is used twice"},
      {"feeds:\n  - name: a\n    url: /x\n    format: osv\n", "s.yaml:4: unknown format 'osv'"},
      {"feeds:\n  - name: a\n    url: /x\n    size: 12kb\n", "s.yaml:4: size:"},
      {"feeds:\n  - name: a\n    url: /x\n    max_size: 2 parsecs\n", "s.yaml:4: max_size:"},
      {"feeds:\n  - name: a\n    url: /x\n    size: 2000\n    max_size: 1K\n",
       "size is above max_size"},
      {"feeds: []\n", "s.yaml:1: no feeds listed"},
      {"feed:\n  - name: a\n", "s.yaml:1: unknown key 'feed'"},
      {"- a\n- b\n", "s.yaml:1: expected a mapping"},
      {"feeds:\n  - name: a\n    url: [x]\n", "s.yaml:3: 'url' must be a string"},
      {"feeds:\n  - name: a\n   url: x\n", "s.yaml:3: invalid YAML"},
      {"feeds:\n  - name: a\n    url: file://relative/x\n", "needs an absolute path"},
      {"", "expected a mapping"},
      {"feeds:\n  - name: a\n    url: /x\n    url: /y\n", "s.yaml:4: 'url' given twice"},
  };
  for (const BadConfig& c : cases) {
    auto config = ParseSourcesConfig(c.text, "s.yaml");
    ASSERT_FALSE(config.ok()) << c.text;
    EXPECT_NE(config.status().message().find(c.expected), std::string::npos)
        << c.text << " -> " << config.status().message();
  }
}

TEST(SourcesConfigTest, DefaultsRoundTripThroughTheFormatter) {
  SourcesConfig defaults = DefaultSources();
  ASSERT_FALSE(defaults.feeds.empty());
  bool has_osv_npm = false, has_alpine = false, has_debian = false;
  for (const FeedSource& f : defaults.feeds) {
    EXPECT_TRUE(f.url.starts_with("https://")) << f.url;
    EXPECT_FALSE(f.format.empty()) << f.name;
    has_osv_npm |= f.url == "https://osv-vulnerabilities.storage.googleapis.com/npm/all.zip";
    has_alpine |= f.url == "https://secdb.alpinelinux.org/v3.20/main.json";
    has_debian |= f.url == "https://security-tracker.debian.org/tracker/data/json";
  }
  EXPECT_TRUE(has_osv_npm && has_alpine && has_debian);
  std::string text = FormatSourcesConfig(defaults);
  auto back = ParseSourcesConfig(text, "listed.yaml");
  ASSERT_TRUE(back.ok()) << back.status() << "\n" << text;
  ASSERT_EQ(back->feeds.size(), defaults.feeds.size());
  for (size_t i = 0; i < defaults.feeds.size(); ++i) {
    EXPECT_EQ(back->feeds[i].name, defaults.feeds[i].name);
    EXPECT_EQ(back->feeds[i].url, defaults.feeds[i].url);
    EXPECT_EQ(back->feeds[i].format, defaults.feeds[i].format);
  }
}

TEST(SourcesConfigTest, FormatterKeepsVerificationFields) {
  SourcesConfig c;
  c.origin = "x";
  FeedSource f;
  f.name = "a";
  f.url = "https://h/p \"q\"";
  f.sha256 = kHexB;
  f.size = 42;
  f.checksum_url = "https://h/SHA256SUMS";
  f.max_size = 1 << 20;
  c.feeds.push_back(f);
  auto back = ParseSourcesConfig(FormatSourcesConfig(c), "/tmp/x.yaml");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->feeds[0].url, f.url);
  EXPECT_EQ(back->feeds[0].sha256, f.sha256);
  EXPECT_EQ(back->feeds[0].size, f.size);
  EXPECT_EQ(back->feeds[0].checksum_url, f.checksum_url);
  EXPECT_EQ(back->feeds[0].max_size, f.max_size);
}

TEST(ByteSizeTest, UnitsAndErrors) {
  EXPECT_EQ(*ParseByteSize("1234"), 1234u);
  EXPECT_EQ(*ParseByteSize("512K"), 512u << 10);
  EXPECT_EQ(*ParseByteSize("300MiB"), 300ull << 20);
  EXPECT_EQ(*ParseByteSize("2 GiB"), 2ull << 30);
  EXPECT_EQ(*ParseByteSize("2g"), 2ull << 30);
  EXPECT_FALSE(ParseByteSize("").ok());
  EXPECT_FALSE(ParseByteSize("GiB").ok());
  EXPECT_FALSE(ParseByteSize("-1").ok());
  EXPECT_FALSE(ParseByteSize("1.5G").ok());
  EXPECT_FALSE(ParseByteSize("99999999999999999999").ok());
  EXPECT_FALSE(ParseByteSize("17179869184T").ok());  // overflows 64 bits
}

// ---- checksum files ----

TEST(ChecksumFileTest, NvdMetaStyle) {
  // The layout of NVD's feed .meta files: key:value lines, upper-case hex.
  std::string meta =
      "lastModifiedDate:2023-11-01T03:00:01-04:00\r\nsize:81234567\r\n"
      "zipSize:4567890\r\ngzSize:4567800\r\nsha256:" +
      std::string("0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF") + "\r\n";
  auto c = ParseChecksumFile(meta, "/feeds/x.json", "https://h/x.meta");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->sha256, kHexA);
  ASSERT_TRUE(c->size.has_value());
  EXPECT_EQ(*c->size, 81234567u);
}

TEST(ChecksumFileTest, Sha256SumsPicksTheLineForTheFile) {
  std::string sums =
      std::string(kHexB) + "  npm/all.zip\n" + kHexA + " *Go/all.zip\n" + kHexB + "  README\n";
  auto c = ParseChecksumFile(sums, "/Go/all.zip", "SUMS");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->sha256, kHexA);
  EXPECT_FALSE(c->size.has_value());

  auto plain =
      ParseChecksumFile(std::string(kHexA) + "  main.yaml\n" + kHexB + "  community.yaml\n",
                        "/v3.11/main.yaml", "SUMS");
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(plain->sha256, kHexA);

  auto missing = ParseChecksumFile(sums, "/PyPI/all.zip", "https://h/SUMS");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("https://h/SUMS: no sha256 for all.zip"),
            std::string::npos)
      << missing.status();
}

TEST(ChecksumFileTest, BareBsdAndSignedForms) {
  auto bare = ParseChecksumFile(std::string(kHexA) + "\n", "/x/all.zip", "all.zip.sha256");
  ASSERT_TRUE(bare.ok()) << bare.status();
  EXPECT_EQ(bare->sha256, kHexA);

  auto bsd = ParseChecksumFile("SHA256 (list) = " + std::string(kHexB) + "\n", "/data/DSA/list",
                               "list.sha256");
  ASSERT_TRUE(bsd.ok()) << bsd.status();
  EXPECT_EQ(bsd->sha256, kHexB);

  // A clear-signed SHA256SUMS: armour lines are not checksums.
  std::string signed_sums = "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n" +
                            std::string(kHexA) +
                            "  all.zip\n-----BEGIN PGP SIGNATURE-----\n"
                            "iQIzBAEBCAAdFiEE\n-----END PGP SIGNATURE-----\n";
  auto s = ParseChecksumFile(signed_sums, "/all.zip", "SHA256SUMS");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->sha256, kHexA);
}

TEST(ChecksumFileTest, ErrorsNameOriginAndLine) {
  struct Case {
    std::string text;
    const char* expected;
  };
  const Case cases[] = {
      {"sha256:abcd\n", "c.sum:1: sha256 must be 64 hex digits"},
      {"size:12\n", "c.sum: publishes a size but no sha256"},
      {"# nothing\n\n", "c.sum: no sha256 found"},
      {"sha256:" + std::string(kHexA) + "\nsize:x1\n", "c.sum:2: size:"},
      {"abcdef  all.zip\n", "c.sum:1: sha256 must be 64 hex digits"},
      {std::string(kHexA) + "  all.zip\n" + kHexB + "  all.zip\n",
       "c.sum:2: a second, different sha256 for all.zip"},
      {"SHA256 (all.zip) = xyz\n", "c.sum:1: sha256 must be 64 hex digits"},
      {std::string(kHexA) + "\n" + kHexB + "\n", "no sha256 for all.zip"},
  };
  for (const Case& c : cases) {
    auto r = ParseChecksumFile(c.text, "/all.zip", "c.sum");
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_NE(r.status().message().find(c.expected), std::string::npos)
        << c.text << " -> " << r.status().message();
  }
}

// ---- local feeds (no network): the same verification as downloads ----

class LocalFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/vigil-update-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    // A real Alpine secdb record (the shape of alpine-secdb v3.11 main.yaml).
    feed_text_ =
        "---\ndistroversion: v3.11\nreponame: main\narchs:\n  - x86_64\nurlprefix: "
        "http://dl-cdn.alpinelinux.org/alpine\napkurl: "
        "\"{{urlprefix}}/{{distroversion}}/{{reponame}}/{{arch}}/{{pkg.name}}-{{pkg.ver}}.apk\"\n"
        "packages:\n  - pkg:\n      name: musl\n      secfixes:\n        1.1.24-r2:\n"
        "          - CVE-2020-28928\n";
    feed_path_ = dir_ + "/main.yaml";
    std::ofstream(feed_path_) << feed_text_;
    options_.download_dir = dir_ + "/cache";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  FeedSource Feed() const {
    FeedSource f;
    f.name = "alpine-main";
    f.url = feed_path_;
    return f;
  }

  std::string dir_;
  std::string feed_text_;
  std::string feed_path_;
  UpdateOptions options_;
};

TEST_F(LocalFeedTest, VerifiesSizeAndSha256InPlace) {
  FeedSource f = Feed();
  f.sha256 = Sha256Hex(feed_text_);
  f.size = feed_text_.size();
  auto r = FetchFeed(f, options_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->outcome, FeedOutcome::kLocal);
  EXPECT_EQ(r->path, feed_path_);  // used in place, not copied
  EXPECT_EQ(r->format, "alpine-secdb");
  EXPECT_EQ(r->bytes, feed_text_.size());
  EXPECT_EQ(r->sha256, f.sha256);

  f.url = "file://" + feed_path_;
  auto via_url = FetchFeed(f, options_);
  ASSERT_TRUE(via_url.ok()) << via_url.status();
  EXPECT_EQ(via_url->path, feed_path_);
}

TEST_F(LocalFeedTest, WrongSha256NamesTheFeed) {
  FeedSource f = Feed();
  f.sha256 = kHexA;
  auto r = FetchFeed(f, options_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("feed alpine-main (" + feed_path_ + "): sha256 mismatch"),
            std::string::npos)
      << r.status();
}

TEST_F(LocalFeedTest, ChecksumFileIsVerified) {
  FeedSource f = Feed();
  f.checksum_url = dir_ + "/SHA256SUMS";
  std::ofstream(f.checksum_url) << Sha256Hex(feed_text_) << "  main.yaml\n"
                                << kHexA << "  community.yaml\n";
  auto ok = FetchFeed(f, options_);
  ASSERT_TRUE(ok.ok()) << ok.status();

  std::ofstream(f.checksum_url) << kHexB << "  main.yaml\n";
  auto bad = FetchFeed(f, options_);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find(f.checksum_url + " publishes " + kHexB), std::string::npos)
      << bad.status();
}

TEST_F(LocalFeedTest, SizeBoundFormatAndMissingFile) {
  FeedSource f = Feed();
  f.max_size = 10;
  auto big = FetchFeed(f, options_);
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.status().message().find("max_size"), std::string::npos) << big.status();

  f = Feed();
  f.format = "osv-json";
  auto wrong = FetchFeed(f, options_);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("expected format osv-json but the file is alpine-secdb"),
            std::string::npos)
      << wrong.status();

  f = Feed();
  f.url = dir_ + "/absent.json";
  auto absent = FetchFeed(f, options_);
  ASSERT_FALSE(absent.ok());
  EXPECT_NE(absent.status().message().find("feed alpine-main"), std::string::npos);

  std::ofstream(dir_ + "/notes.txt") << "hello\n";
  f.url = dir_ + "/notes.txt";
  auto unknown = FetchFeed(f, options_);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("not a feed format"), std::string::npos)
      << unknown.status();
}

TEST_F(LocalFeedTest, DirectoriesAreUsedInPlaceWithoutChecksums) {
  FeedSource f = Feed();
  f.url = dir_;
  auto r = FetchFeed(f, options_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->path, dir_);
  f.sha256 = kHexA;
  EXPECT_FALSE(FetchFeed(f, options_).ok());
}

TEST_F(LocalFeedTest, PlainHttpIsRefusedOffLoopback) {
  FeedSource f = Feed();
  f.url = "http://feeds.example.org/main.json";
  auto r = FetchFeed(f, options_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("plain http is refused"), std::string::npos) << r.status();
}

}  // namespace
}  // namespace vigil::vulndb
