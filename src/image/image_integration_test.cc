// Real images built by testdata/images/make_fixtures.sh (umoci, skopeo, podman) once per
// build dir, read through every local transport; all must yield the same tree.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <map>

#include "base/fs.h"
#include "base/hash.h"
#include "base/test_paths.h"
#include "image/containers_storage.h"
#include "image/load.h"
#include "image/open.h"
#include "image/test_util.h"

namespace vigil::image {
namespace {

std::string Env(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

class ImageIntegrationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = Env("VIGIL_BUILD_DIR", "/tmp") + "/fixtures/images";
    std::string script = test_paths::SourceDir() + "/testdata/images/make_fixtures.sh";
    std::string cmd = script + " " + dir_ + " > " + dir_ + ".log 2>&1";
    ::mkdir((Env("VIGIL_BUILD_DIR", "/tmp") + "/fixtures").c_str(), 0755);
    int rc = std::system(cmd.c_str());
    status_ = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  }
  void SetUp() override {
    if (status_ == 77)
      GTEST_SKIP() << "umoci/skopeo/busybox-static missing; see " << dir_ << ".log";
    ASSERT_EQ(status_, 0) << "make_fixtures.sh failed; see " << dir_ << ".log";
  }
  static bool PodmanOk() {
    struct stat st;
    return ::stat((dir_ + "/podman.ok").c_str(), &st) == 0;
  }

  static CaptureSpec CaptureAll() {
    CaptureSpec spec;
    spec.patterns = {"**/*"};
    spec.version = "test-all";
    return spec;
  }

  // path -> "type mode size link [content]" over the whole merged tree.
  static std::map<std::string, std::string> Snapshot(const FileSystem& fs, bool with_content) {
    std::map<std::string, std::string> out;
    Status st = Walk(fs, "/", [&](const std::string& path, const FileInfo& info) {
      std::string line = std::to_string(static_cast<int>(info.type)) + " " +
                         std::to_string(info.mode) + " " +
                         std::to_string(info.type == FileType::kDirectory ? 0 : info.size) + " " +
                         info.link_target;
      if (with_content && info.type == FileType::kRegular) {
        auto data = fs.ReadFile(path);
        line += " " + (data.ok() ? std::to_string(std::hash<std::string>()(*data))
                                 : data.status().ToString());
      }
      out[path] = line;
      return true;
    });
    EXPECT_TRUE(st.ok()) << st;
    return out;
  }

  static StatusOr<LayeredImage> Load(const std::string& ref, LoadOptions options = {}) {
    OpenOptions open;
    open.storage_root = dir_ + "/storage";
    auto source = OpenImage(ref, open);
    if (!source.ok()) return source.status();
    if (options.cache_dir.empty()) options.use_cache = false;
    return LoadImage(**source, Platform(), CaptureAll(), options);
  }

  static std::string dir_;
  static int status_;
};

std::string ImageIntegrationTest::dir_;
int ImageIntegrationTest::status_ = -1;

TEST_F(ImageIntegrationTest, EveryTransportGivesTheSameTree) {
  auto reference = Load("oci:" + dir_ + "/oci:v1");
  ASSERT_TRUE(reference.ok()) << reference.status();
  ASSERT_EQ(reference->layer_count(), 4u);
  auto want = Snapshot(*reference->Merged(), true);
  EXPECT_GT(want.size(), 8u);

  std::vector<std::string> refs = {"oci-archive:" + dir_ + "/oci.tar:v1",
                                   "docker-archive:" + dir_ + "/docker.tar",
                                   dir_ + "/oci-zstd",
                                   dir_ + "/oci.tar",
                                   dir_ + "/docker.tar",
                                   dir_ + "/oci"};
  if (PodmanOk()) refs.push_back("containers-storage:vigil/test:v1");
  for (const std::string& ref : refs) {
    auto image = Load(ref);
    ASSERT_TRUE(image.ok()) << ref << ": " << image.status();
    EXPECT_EQ(image->layer_count(), 4u) << ref;
    for (size_t i = 0; i < 4; ++i) EXPECT_EQ(image->diff_id(i), reference->diff_id(i)) << ref;
    EXPECT_EQ(Snapshot(*image->Merged(), true), want) << ref;
  }
  if (!PodmanOk())
    GTEST_SKIP() << "podman unusable (see " << dir_
                 << "/podman.log); containers-storage not compared";
}

TEST_F(ImageIntegrationTest, RootfsDirMatchesTheMergedLayers) {
  auto layered = Load("oci:" + dir_ + "/oci:v1");
  ASSERT_TRUE(layered.ok()) << layered.status();
  auto rootfs = Load("dir:" + dir_ + "/rootfs");
  ASSERT_TRUE(rootfs.ok()) << rootfs.status();
  EXPECT_EQ(rootfs->layer_count(), 0u);
  auto a = Snapshot(*layered->Merged(), false);
  auto b = Snapshot(*rootfs->Merged(), false);
  // umoci unpack writes the hard link as a hard link: same tree, same metadata.
  EXPECT_EQ(a, b);
}

TEST_F(ImageIntegrationTest, LayerSemantics) {
  auto image = Load("oci-archive:" + dir_ + "/oci.tar:v1");
  ASSERT_TRUE(image.ok()) << image.status();
  auto merged = image->Merged();
  EXPECT_FALSE(merged->Exists("/etc/secret.key"));
  auto secret = image->LayerView(0)->ReadFile("/etc/secret.key");
  ASSERT_TRUE(secret.ok()) << secret.status();
  EXPECT_NE(secret->find("aws_secret_access_key"), std::string::npos);
  EXPECT_TRUE(image->ViewAt(0)->Exists("/etc/secret.key"));
  EXPECT_EQ(image->ChangedPaths(1).deleted, std::vector<std::string>{"/etc/secret.key"});
  auto opt = merged->ListDir("/opt/dir");
  ASSERT_TRUE(opt.ok());
  ASSERT_EQ(opt->size(), 1u);
  EXPECT_EQ((*opt)[0].name, "c");
  EXPECT_EQ(*merged->ReadFile("/etc/os-release"),
            "NAME=\"Vigil Test\"\nID=vigiltest\nVERSION_ID=2\n");
  auto busybox = merged->ReadFile("/bin/busybox");
  ASSERT_TRUE(busybox.ok());
  EXPECT_EQ(*merged->ReadFile("/bin/ls"), *busybox);
  EXPECT_EQ(*merged->ReadFile("/bin/sh"), *busybox);
  auto loop = merged->ReadFile("/loop/a");
  EXPECT_FALSE(loop.ok());
  EXPECT_EQ(image->stats().skipped_unsafe, 0u);
}

TEST_F(ImageIntegrationTest, WarmCacheSkipsDecompression) {
  testing::TempDir cache;
  LoadOptions options;
  options.cache_dir = cache.path();
  int progress_calls = 0;
  options.progress = [&](const LoadProgress&) { ++progress_calls; };
  auto t0 = std::chrono::steady_clock::now();
  auto cold = Load("oci:" + dir_ + "/oci:v1", options);
  auto t1 = std::chrono::steady_clock::now();
  ASSERT_TRUE(cold.ok()) << cold.status();
  auto warm = Load("oci:" + dir_ + "/oci:v1", options);
  auto t2 = std::chrono::steady_clock::now();
  ASSERT_TRUE(warm.ok()) << warm.status();
  EXPECT_EQ(cold->stats().layers_walked, 4u);
  EXPECT_EQ(warm->stats().layers_walked, 0u);
  EXPECT_EQ(warm->stats().layers_from_cache, 4u);
  EXPECT_GE(progress_calls, 8);
  EXPECT_EQ(Snapshot(*warm->Merged(), true), Snapshot(*cold->Merged(), true));
  double cold_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
  double warm_ms = std::chrono::duration<double, std::milli>(t2 - t1).count();
  std::printf("cold load %.2f ms, warm load %.2f ms (%.1f%%)\n", cold_ms, warm_ms,
              100 * warm_ms / cold_ms);
  EXPECT_LT(warm_ms, cold_ms);
}

TEST_F(ImageIntegrationTest, ErrorsNameTheProblem) {
  auto missing = Load("oci:" + dir_ + "/oci:nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("no image tagged \"nope\""), std::string::npos)
      << missing.status();
  auto wrong_platform = [&] {
    OpenOptions open;
    auto source = OpenImage("oci:" + dir_ + "/oci:v1", open);
    return source;
  }();
  ASSERT_TRUE(wrong_platform.ok());
  auto registry = OpenImage("alpine:3");
  ASSERT_FALSE(registry.ok());
  EXPECT_EQ(registry.status().code(), StatusCode::kUnimplemented);
  auto cs = OpenImage("containers-storage:nope", OpenOptions{dir_ + "/no-storage", nullptr});
  EXPECT_FALSE(cs.ok());
}

// A copy of the fixture layout whose index.json points to a nested multi-platform index.
TEST_F(ImageIntegrationTest, NestedIndexAndPlatformSelection) {
  testing::TempDir tmp;
  std::string layout = tmp.path() + "/oci";
  ASSERT_EQ(std::system(("cp -r " + dir_ + "/oci " + layout).c_str()), 0);
  auto index = ReadHostFile(layout + "/index.json");
  ASSERT_TRUE(index.ok());
  size_t at = index->find("sha256:");
  ASSERT_NE(at, std::string::npos);
  std::string manifest_digest = index->substr(at, 71);
  auto manifest = ReadHostFile(layout + "/blobs/sha256/" + manifest_digest.substr(7));
  ASSERT_TRUE(manifest.ok());
  std::string nested =
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[)"
      R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:)" +
      std::string(64, 'e') +
      R"(","size":1,"platform":{"os":"linux","architecture":"arm64","variant":"v8"}},)"
      R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
      manifest_digest + R"(","size":)" + std::to_string(manifest->size()) +
      R"(,"platform":{"os":"linux","architecture":"amd64"}}]})";
  std::string nested_hex = Sha256Hex(nested);
  ASSERT_TRUE(WriteFileAtomic(layout + "/blobs/sha256/" + nested_hex, nested).ok());
  std::string top =
      R"({"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.index.v1+json",)"
      R"("digest":"sha256:)" +
      nested_hex + R"(","size":)" + std::to_string(nested.size()) +
      R"(,"annotations":{"org.opencontainers.image.ref.name":"multi"}}]})";
  ASSERT_TRUE(WriteFileAtomic(layout + "/index.json", top).ok());

  auto source = OpenImage("oci:" + layout + ":multi");
  ASSERT_TRUE(source.ok()) << source.status();
  auto amd64 = (*source)->Resolve(*Platform::Parse("linux/amd64"));
  ASSERT_TRUE(amd64.ok()) << amd64.status();
  EXPECT_EQ(amd64->layers.size(), 4u);
  EXPECT_EQ(amd64->manifest_digest, manifest_digest);
  auto arm = (*source)->Resolve(*Platform::Parse("linux/arm64"));
  ASSERT_FALSE(arm.ok());  // selected, but its manifest blob does not exist
  auto s390 = (*source)->Resolve(*Platform::Parse("linux/s390x"));
  ASSERT_FALSE(s390.ok());
  EXPECT_EQ(s390.status().code(), StatusCode::kNotFound);
  EXPECT_NE(s390.status().message().find("linux/arm64/v8"), std::string::npos) << s390.status();

  // A corrupted layer blob fails the digest check, naming the layer.
  std::string blob = layout + "/blobs/sha256/" + amd64->layers[3].digest.substr(7);
  auto data = ReadHostFile(blob);
  ASSERT_TRUE(data.ok());
  std::string bad = *data;
  bad[bad.size() / 2] ^= 0x40;
  ASSERT_EQ(::unlink(blob.c_str()), 0);
  ASSERT_TRUE(WriteFileAtomic(blob, bad).ok());
  LoadOptions options;
  options.use_cache = false;
  auto image = LoadImage(**source, Platform(), CaptureAll(), options);
  ASSERT_FALSE(image.ok());
  EXPECT_NE(image.status().message().find("layer 3"), std::string::npos) << image.status();
}

TEST_F(ImageIntegrationTest, RunningContainers) {
  if (!PodmanOk()) GTEST_SKIP() << "podman unusable (see " << dir_ << "/podman.log)";
  std::string podman = "CONTAINERS_CONF=" + dir_ + "/containers.conf podman --root " + dir_ +
                       "/storage --runroot " + dir_ + "/runroot ";
  std::string name = "vigil-image-test-" + std::to_string(getpid());
  int rc = std::system((podman + "run -d --name " + name +
                        " --network none vigil/test:v1 /bin/busybox sleep 60 > " + dir_ +
                        "/run.log 2>&1")
                           .c_str());
  if (rc != 0)
    GTEST_SKIP() << "podman run failed (crun needs the host set-up; see " << dir_ << "/run.log)";
  setenv("CONTAINERS_CONF", (dir_ + "/containers.conf").c_str(), 1);
  auto running = ListRunningImages({"--root", dir_ + "/storage", "--runroot", dir_ + "/runroot"});
  std::system((podman + "rm -f -t 0 " + name + " > /dev/null 2>&1").c_str());
  ASSERT_TRUE(running.ok()) << running.status();
  bool found = false;
  for (const RunningImage& r : *running) {
    if (r.container_name == name) {
      found = true;
      EXPECT_EQ(r.image, "docker.io/vigil/test:v1");
      EXPECT_EQ(r.image_id.size(), 64u);
    }
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace vigil::image
