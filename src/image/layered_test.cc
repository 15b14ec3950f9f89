#include "image/layered.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "base/hash.h"
#include "image/blob.h"
#include "image/layer_cache.h"
#include "image/load.h"
#include "image/test_util.h"

namespace vigil::image {
namespace {

using testing::Dir;
using testing::File;
using testing::Hardlink;
using testing::MakeTar;
using testing::MemImageSource;
using testing::Symlink;
using testing::TempDir;

CaptureSpec CaptureAll() {
  CaptureSpec spec;
  spec.patterns = {"/*", "/*/*", "/*/*/*", "/*/*/*/*"};
  return spec;
}

// Three layers: a base with a secret, a layer deleting it and hiding /opt/dir's old files
// behind an opaque dir, and a layer replacing a file.
std::vector<std::string> ThreeLayers() {
  return {
      MakeTar({Dir("etc"), File("etc/os-release", "ID=test\n"),
               File("etc/secret.key", "AKIA-secret"), Dir("opt/dir"), File("opt/dir/a", "a"),
               File("opt/dir/b", "b"), Symlink("bin/sh", "busybox"), File("bin/busybox", "ELF"),
               Hardlink("bin/ls", "bin/busybox"), Symlink("loop/a", "b"), Symlink("loop/b", "a")}),
      MakeTar({File("etc/.wh.secret.key", ""), Dir("opt/dir"), File("opt/dir/.wh..wh..opq", ""),
               File("opt/dir/c", "c")}),
      MakeTar({File("etc/os-release", "ID=test\nVERSION_ID=2\n")}),
  };
}

TEST(LayerWalkTest, DetectsCompression) {
  EXPECT_EQ(DetectCompression("\x1f\x8b\x08"), Compression::kGzip);
  EXPECT_EQ(DetectCompression(std::string("\x28\xb5\x2f\xfd", 4)), Compression::kZstd);
  EXPECT_EQ(DetectCompression("etc/"), Compression::kNone);
  EXPECT_EQ(DetectCompression(""), Compression::kNone);
}

class CompressionTest : public ::testing::TestWithParam<std::tuple<Compression, GzipEngine>> {};

TEST_P(CompressionTest, MergedViewAppliesWhiteoutsAndOpaqueDirs) {
  auto [compression, engine] = GetParam();
  MemImageSource source(ThreeLayers(), compression);
  LoadOptions options;
  options.use_cache = false;
  options.gzip = engine;
  auto image = LoadImage(source, Platform(), CaptureAll(), options);
  ASSERT_TRUE(image.ok()) << image.status();
  ASSERT_EQ(image->layer_count(), 3u);
  EXPECT_EQ(image->layer(0).stats.compression, compression);
  auto merged = image->Merged();
  EXPECT_EQ(*merged->ReadFile("/etc/os-release"), "ID=test\nVERSION_ID=2\n");
  EXPECT_FALSE(merged->Exists("/etc/secret.key"));
  EXPECT_FALSE(merged->Exists("/opt/dir/a"));
  EXPECT_EQ(*merged->ReadFile("/opt/dir/c"), "c");
  auto listing = merged->ListDir("/opt/dir");
  ASSERT_TRUE(listing.ok());
  ASSERT_EQ(listing->size(), 1u);
  EXPECT_EQ((*listing)[0].name, "c");
  // Symlink resolved inside the image, hard link shares content.
  EXPECT_EQ(*merged->ReadFile("/bin/sh"), "ELF");
  EXPECT_EQ(*merged->ReadFile("/bin/ls"), "ELF");
  auto ls = merged->Stat("/bin/ls", false);
  ASSERT_TRUE(ls.ok());
  EXPECT_EQ(ls->type, FileType::kRegular);
  EXPECT_EQ(ls->size, 3u);
  // A symlink loop is an error only when resolved.
  EXPECT_TRUE(merged->Stat("/loop/a", false).ok());
  auto loop = merged->ReadFile("/loop/a");
  EXPECT_FALSE(loop.ok());

  // Earlier views and per-layer views.
  EXPECT_EQ(*image->ViewAt(0)->ReadFile("/etc/secret.key"), "AKIA-secret");
  EXPECT_EQ(*image->ViewAt(0)->ReadFile("/opt/dir/a"), "a");
  EXPECT_FALSE(image->ViewAt(1)->Exists("/etc/secret.key"));
  EXPECT_EQ(*image->ViewAt(1)->ReadFile("/etc/os-release"), "ID=test\n");
  EXPECT_EQ(*image->LayerView(0)->ReadFile("/etc/secret.key"), "AKIA-secret");
  EXPECT_FALSE(image->LayerView(2)->Exists("/bin/sh"));
  EXPECT_TRUE(image->LayerView(2)->IsDirectory("/etc"));
  EXPECT_EQ(image->ViewAt(3), nullptr);
}

INSTANTIATE_TEST_SUITE_P(All, CompressionTest,
                         ::testing::Values(std::make_tuple(Compression::kNone, GzipEngine::kIsal),
                                           std::make_tuple(Compression::kGzip, GzipEngine::kIsal),
                                           std::make_tuple(Compression::kGzip,
                                                           GzipEngine::kLibarchive),
                                           std::make_tuple(Compression::kZstd, GzipEngine::kIsal)));

TEST(LayeredImageTest, ChangedPaths) {
  MemImageSource source(ThreeLayers(), Compression::kGzip);
  LoadOptions options;
  options.use_cache = false;
  auto image = LoadImage(source, Platform(), CaptureAll(), options);
  ASSERT_TRUE(image.ok()) << image.status();
  LayerChanges c1 = image->ChangedPaths(1);
  EXPECT_EQ(c1.added, std::vector<std::string>{"/opt/dir/c"});
  EXPECT_EQ(c1.modified, std::vector<std::string>{"/opt/dir"});
  EXPECT_EQ(c1.deleted, (std::vector<std::string>{"/etc/secret.key", "/opt/dir/a", "/opt/dir/b"}));
  LayerChanges c2 = image->ChangedPaths(2);
  EXPECT_TRUE(c2.added.empty());
  EXPECT_EQ(c2.modified, std::vector<std::string>{"/etc/os-release"});
  EXPECT_TRUE(c2.deleted.empty());
}

TEST(LayeredImageTest, UncapturedContentIsReportedNotInvented) {
  MemImageSource source(ThreeLayers(), Compression::kNone);
  CaptureSpec spec;
  spec.patterns = {"/etc/os-release"};
  LoadOptions options;
  options.use_cache = false;
  auto image = LoadImage(source, Platform(), spec, options);
  ASSERT_TRUE(image.ok()) << image.status();
  auto merged = image->Merged();
  EXPECT_TRUE(merged->ReadFile("/etc/os-release").ok());
  auto other = merged->ReadFile("/opt/dir/c");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(other.status().message().find("content not captured"), std::string::npos);
  EXPECT_TRUE(merged->IsRegular("/opt/dir/c"));
}

TEST(LayeredImageTest, CaptureGlobs) {
  CaptureSpec spec = CaptureSpec::CatalogDefaults();
  FileInfo small;
  small.type = FileType::kRegular;
  small.size = 10;
  EXPECT_TRUE(spec.Matches("/var/lib/dpkg/info/libc6:amd64.list", small));
  EXPECT_TRUE(spec.Matches("/usr/share/doc/bash/copyright", small));
  EXPECT_TRUE(spec.Matches("/etc/redhat-release", small));
  EXPECT_FALSE(spec.Matches("/usr/share/doc/bash/x/copyright", small));
  EXPECT_FALSE(spec.Matches("/etc/passwd", small));
  CaptureSpec any;
  any.patterns = {"**/package.json"};
  EXPECT_TRUE(any.Matches("/app/node_modules/x/package.json", small));
  EXPECT_NE(spec.Fingerprint(), any.Fingerprint());
}

TEST(LayerWalkTest, WrongDigestNamesTheLayer) {
  MemImageSource source(ThreeLayers(), Compression::kGzip);
  source.layers()[1].diff_id = "sha256:" + std::string(64, '0');
  LoadOptions options;
  options.use_cache = false;
  auto image = LoadImage(source, Platform(), CaptureAll(), options);
  ASSERT_FALSE(image.ok());
  EXPECT_EQ(image.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(image.status().message().find("layer 1"), std::string::npos) << image.status();
  EXPECT_NE(image.status().message().find("diff_id mismatch"), std::string::npos);

  MemImageSource blob(ThreeLayers(), Compression::kGzip);
  blob.layers()[2].digest = "sha256:" + std::string(64, 'f');
  image = LoadImage(blob, Platform(), CaptureAll(), options);
  ASSERT_FALSE(image.ok());
  EXPECT_NE(image.status().message().find("layer 2"), std::string::npos) << image.status();
  EXPECT_NE(image.status().message().find("blob digest mismatch"), std::string::npos);
}

TEST(LayerWalkTest, TruncatedLayersFail) {
  for (Compression c : {Compression::kGzip, Compression::kZstd, Compression::kNone}) {
    for (GzipEngine engine : {GzipEngine::kIsal, GzipEngine::kLibarchive}) {
      std::string big(200000, 'x');
      for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + (i * 7919) % 26);
      MemImageSource source({MakeTar({File("big", big)})}, c);
      source.blobs()[0].resize(source.blobs()[0].size() / 2);
      source.layers()[0].digest.clear();
      LoadOptions options;
      options.use_cache = false;
      options.gzip = engine;
      auto image = LoadImage(source, Platform(), CaptureAll(), options);
      ASSERT_FALSE(image.ok()) << CompressionName(c) << " engine " << static_cast<int>(engine)
                               << " stored " << source.blobs()[0].size();
      EXPECT_NE(image.status().message().find("layer 0"), std::string::npos) << image.status();
      EXPECT_EQ(image.status().code(), StatusCode::kDataLoss) << image.status();
    }
  }
}

// A reader that hands out at most `step` bytes per call (sockets and pipes do).
class TrickleReader : public BlobReader {
 public:
  TrickleReader(std::string data, size_t step) : data_(std::move(data)), step_(step) {}
  StatusOr<size_t> Read(char* buf, size_t len) override {
    size_t n = std::min({len, step_, data_.size() - pos_});
    std::memcpy(buf, data_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::string data_;
  size_t step_;
  size_t pos_ = 0;
};

// The pipelined walk (worker threads) and the inline one see the same entries and the same
// digests, whatever sizes the reader returns; a wrong digest fails both.
TEST(LayerWalkTest, PipelinedAndInlineWalksAgree) {
  std::string big(3 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + (i * 7919) % 26);
  const std::string tar =
      MakeTar({Dir("d"), File("d/big", big), File("d/small", "x"), Symlink("d/link", "small")});
  // Two-byte reads cross the 6-byte magic peek and every chunk boundary (small layer only:
  // each read is a hand-over between threads).
  const std::string small = MakeTar({Dir("d"), File("d/big", big.substr(0, 5000)),
                                     File("d/small", "x"), Symlink("d/link", "small")});
  for (Compression c : {Compression::kGzip, Compression::kZstd, Compression::kNone}) {
    MemImageSource source({tar}, c);
    const LayerRef& ref = source.layers()[0];
    MemImageSource small_source({small}, c);
    for (size_t step : {size_t{1} << 20, size_t{4093}, size_t{2}}) {
      MemImageSource& src = step == 2 ? small_source : source;
      const std::string& plain = step == 2 ? small : tar;
      std::vector<std::string> seen[2];
      for (bool pipeline : {false, true}) {
        WalkOptions options;
        options.pipeline = pipeline;
        TrickleReader reader(src.blobs()[0], step);
        WalkStats stats;
        Status st = WalkLayerBlob(
            reader, src.layers()[0], "layer 0", options,
            [&](const LayerEntry& e, BlobReader* content) -> Status {
              std::string line = e.path;
              if (content != nullptr) {
                VIGIL_ASSIGN_OR_RETURN(std::string data, ReadAll(*content, 8 << 20, e.info.size));
                line += " " + Sha256Hex(data);
              }
              seen[pipeline].push_back(line);
              return OkStatus();
            },
            &stats);
        ASSERT_TRUE(st.ok()) << CompressionName(c) << " step " << step << ": " << st;
        EXPECT_EQ(stats.uncompressed_bytes, plain.size());
        EXPECT_EQ(stats.stored_bytes, src.blobs()[0].size());
      }
      EXPECT_EQ(seen[0], seen[1]) << CompressionName(c);
      EXPECT_EQ(seen[0].size(), 4u);
    }
    for (bool pipeline : {false, true}) {
      LayerRef wrong = ref;
      wrong.digest = "sha256:" + std::string(64, 'e');
      WalkOptions options;
      options.pipeline = pipeline;
      StringBlobReader reader(source.blobs()[0]);
      Status st = WalkLayerBlob(
          reader, wrong, "layer 0", options,
          [](const LayerEntry&, BlobReader*) { return OkStatus(); }, nullptr);
      EXPECT_NE(st.message().find("blob digest mismatch"), std::string::npos) << st;
    }
    // A visitor's error stops the walk at once (the worker threads are joined, not leaked).
    for (bool pipeline : {false, true}) {
      WalkOptions options;
      options.pipeline = pipeline;
      StringBlobReader reader(source.blobs()[0]);
      Status st = WalkLayerBlob(
          reader, ref, "layer 0", options,
          [](const LayerEntry&, BlobReader*) { return CancelledError("stop here"); }, nullptr);
      EXPECT_NE(st.message().find("stop here"), std::string::npos) << st;
    }
  }
}

// ReadAll sizes its buffer from the declared size, but a lying header changes nothing:
// short and long streams read exactly, and the limit holds whatever the hint says.
TEST(BlobTest, ReadAllWithSizeHints) {
  std::string data(300000, 'q');
  for (uint64_t hint : {uint64_t{0}, uint64_t{10}, uint64_t{300000}, uint64_t{1} << 40}) {
    StringBlobReader reader(data);
    auto got = ReadAll(reader, 1 << 20, hint);
    ASSERT_TRUE(got.ok()) << hint;
    EXPECT_EQ(*got, data) << hint;
    StringBlobReader limited(data);
    auto over = ReadAll(limited, 1000, hint);
    EXPECT_EQ(over.status().code(), StatusCode::kResourceExhausted) << hint;
  }
  StringBlobReader exact(data);
  EXPECT_TRUE(ReadAll(exact, data.size(), data.size()).ok());
}

TEST(LayerWalkTest, UnsafeNamesAreCountedAndSkipped) {
  std::string escape = "/tmp/vigil-escape-" + std::to_string(getpid());
  MemImageSource source({MakeTar({File("../../etc/passwd", "root::0:0"), File(escape, "x"),
                                  File("ok/../../../x", "y"), File("fine", "z"),
                                  Hardlink("hl", "../../etc/shadow")})},
                        Compression::kGzip);
  LoadOptions options;
  options.use_cache = false;
  auto image = LoadImage(source, Platform(), CaptureAll(), options);
  ASSERT_TRUE(image.ok()) << image.status();
  EXPECT_EQ(image->layer(0).stats.skipped_unsafe, 4u);
  EXPECT_EQ(image->stats().skipped_unsafe, 4u);
  auto merged = image->Merged();
  EXPECT_EQ(*merged->ReadFile("/fine"), "z");
  EXPECT_FALSE(merged->Exists("/etc/passwd"));
  EXPECT_FALSE(merged->Exists(escape));
  struct stat st;
  EXPECT_NE(::stat(escape.c_str(), &st), 0);
}

TEST(LayerWalkTest, DecompressionBombsHitTheLimits) {
  std::string zeros(64 << 20, '\0');
  std::string tar = MakeTar({File("zeros", zeros)});
  zeros.clear();
  MemImageSource source({tar}, Compression::kGzip);
  ASSERT_LT(source.blobs()[0].size(), 1u << 20);
  LoadOptions options;
  options.use_cache = false;
  options.limits.max_layer_bytes = 16 << 20;
  auto image = LoadImage(source, Platform(), CaptureSpec(), options);
  ASSERT_FALSE(image.ok());
  EXPECT_EQ(image.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(image.status().message().find("layer 0"), std::string::npos) << image.status();

  options.limits = Limits();
  options.limits.ratio_floor_bytes = 1 << 20;
  options.limits.max_ratio = 100;
  image = LoadImage(source, Platform(), CaptureSpec(), options);
  ASSERT_FALSE(image.ok());
  EXPECT_NE(image.status().message().find("ratio"), std::string::npos) << image.status();

  options.limits = Limits();
  options.limits.max_total_bytes = 32 << 20;
  image = LoadImage(source, Platform(), CaptureSpec(), options);
  ASSERT_FALSE(image.ok());
  EXPECT_EQ(image.status().code(), StatusCode::kResourceExhausted);
}

TEST(LayerWalkTest, EmptyLayers) {
  for (Compression c : {Compression::kNone, Compression::kGzip}) {
    MemImageSource source({MakeTar({}), std::string(), MakeTar({File("a", "1")})}, c);
    LoadOptions options;
    options.use_cache = false;
    auto image = LoadImage(source, Platform(), CaptureAll(), options);
    ASSERT_TRUE(image.ok()) << CompressionName(c) << ": " << image.status();
    EXPECT_EQ(image->layer_count(), 3u);
    EXPECT_TRUE(image->layer(0).files.empty());
    EXPECT_EQ(*image->Merged()->ReadFile("/a"), "1");
  }
}

TEST(LayerWalkTest, StreamingVisitorSeesEveryFile) {
  MemImageSource source(ThreeLayers(), Compression::kZstd);
  auto resolved = source.Resolve(Platform());
  ASSERT_TRUE(resolved.ok());
  std::vector<std::string> seen;
  std::string secret;
  for (size_t i = 0; i < resolved->layers.size(); ++i) {
    Status st = WalkLayer(source, *resolved, i, WalkOptions(),
                          [&](const LayerEntry& e, BlobReader* content) -> Status {
                            seen.push_back(e.path);
                            if (e.path == "/etc/secret.key" && e.kind == EntryKind::kRegular) {
                              auto data = ReadAll(*content, 1024);
                              if (!data.ok()) return data.status();
                              secret = *data;
                            }
                            return OkStatus();
                          });
    ASSERT_TRUE(st.ok()) << st;
  }
  EXPECT_EQ(secret, "AKIA-secret");
  EXPECT_NE(std::find(seen.begin(), seen.end(), "/opt/dir"), seen.end());
}

TEST(LayerCacheTest, WarmLoadDecompressesNothing) {
  TempDir tmp;
  MemImageSource source(ThreeLayers(), Compression::kGzip);
  LoadOptions options;
  options.cache_dir = tmp.path();
  CaptureSpec spec = CaptureAll();
  auto cold = LoadImage(source, Platform(), spec, options);
  ASSERT_TRUE(cold.ok()) << cold.status();
  EXPECT_EQ(cold->stats().layers_walked, 3u);
  EXPECT_EQ(source.opened(), 3);
  auto warm = LoadImage(source, Platform(), spec, options);
  ASSERT_TRUE(warm.ok()) << warm.status();
  EXPECT_EQ(warm->stats().layers_walked, 0u);
  EXPECT_EQ(warm->stats().layers_from_cache, 3u);
  EXPECT_EQ(source.opened(), 3) << "a warm load must not open any layer";
  EXPECT_EQ(*warm->Merged()->ReadFile("/etc/os-release"), "ID=test\nVERSION_ID=2\n");
  EXPECT_EQ(*warm->LayerView(0)->ReadFile("/etc/secret.key"), "AKIA-secret");
  EXPECT_EQ(warm->ChangedPaths(1).deleted, cold->ChangedPaths(1).deleted);

  // A different capture spec is a different cache entry.
  CaptureSpec other;
  other.patterns = {"/etc/*"};
  auto other_load = LoadImage(source, Platform(), other, options);
  ASSERT_TRUE(other_load.ok());
  EXPECT_EQ(other_load->stats().layers_walked, 3u);

  // A corrupt entry is a miss, rewritten.
  LayerCache cache(tmp.path());
  std::string path = cache.PathFor(source.layers()[0].diff_id, spec.Fingerprint());
  ASSERT_TRUE(WriteFileAtomic(path, "VGLC garbage that is long enough to have a trailer....").ok());
  auto again = LoadImage(source, Platform(), spec, options);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->stats().layers_walked, 1u);
  EXPECT_TRUE(cache.Load(source.layers()[0].diff_id, spec.Fingerprint()).ok());
}

TEST(LayerCacheTest, RoundTrip) {
  MemImageSource source(ThreeLayers(), Compression::kNone);
  auto resolved = source.Resolve(Platform());
  ASSERT_TRUE(resolved.ok());
  auto layer = ReadLayer(source, *resolved, 0, CaptureAll(), WalkOptions());
  ASSERT_TRUE(layer.ok()) << layer.status();
  std::string bytes = EncodeLayerData(*layer);
  auto back = DecodeLayerData(bytes);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(EncodeLayerData(*back), bytes);
  for (size_t cut : {size_t{0}, size_t{5}, bytes.size() / 2, bytes.size() - 1}) {
    EXPECT_FALSE(DecodeLayerData(bytes.substr(0, cut)).ok());
  }
  bytes[bytes.size() / 2] ^= 1;
  EXPECT_FALSE(DecodeLayerData(bytes).ok());
}

TEST(TarIndexTest, IndexesMembersInPlace) {
  std::string tar = MakeTar({File("manifest.json", "[]"), Dir("blobs"), File("blobs/x", "hello"),
                             Symlink("link", "blobs/x"), File(std::string(150, 'n'), "long")});
  auto index = TarIndex::Build(
      [&](uint64_t off, char* buf, size_t len) -> StatusOr<size_t> {
        size_t n = off >= tar.size() ? 0 : std::min<size_t>(len, tar.size() - off);
        std::memcpy(buf, tar.data() + off, n);
        return n;
      },
      tar.size());
  ASSERT_TRUE(index.ok()) << index.status();
  const TarMember* x = index->Find("./link");
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(tar.substr(x->offset, x->size), "hello");
  const TarMember* longname = index->Find(std::string(150, 'n'));
  ASSERT_NE(longname, nullptr);
  EXPECT_EQ(tar.substr(longname->offset, longname->size), "long");
  tar[5] ^= 1;  // breaks the first header's checksum
  auto bad = TarIndex::Build(
      [&](uint64_t off, char* buf, size_t len) -> StatusOr<size_t> {
        size_t n = std::min<size_t>(len, tar.size() - off);
        std::memcpy(buf, tar.data() + off, n);
        return n;
      },
      tar.size());
  EXPECT_FALSE(bad.ok());
}

}  // namespace
}  // namespace vigil::image
