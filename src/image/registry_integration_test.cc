// Integration tests of the registry client against a real Debian docker-registry on
// loopback (see registry_test_server.h): anonymous, basic and bearer-token auth, OCI and
// Docker media types, platform selection, paging, TLS, tampered blobs.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "base/fs.h"
#include "base/hash.h"
#include "base/strings.h"
#include "image/layer.h"
#include "image/open.h"
#include "image/registry.h"
#include "image/registry_test_server.h"

namespace vigil::image {
namespace {

using testing::TestRegistry;
using testing::TestRegistryOptions;
using Auth = TestRegistryOptions::Auth;

std::unique_ptr<TestRegistry> StartOrSkip(TestRegistryOptions options = {}) {
  // The developer's own ~/.docker/config.json must not change what these tests see.
  setenv("DOCKER_CONFIG", "/nonexistent/vigil-test-docker-config", 1);
  auto r = TestRegistry::Start(options);
  if (!r.ok() && IsUnavailable(r.status()) &&
      r.status().message().find("need docker-registry") != std::string::npos) {
    return nullptr;
  }
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? std::move(*r) : nullptr;
}

#define START_REGISTRY(var, ...)                                                         \
  auto var = StartOrSkip(__VA_ARGS__);                                                   \
  if (var == nullptr) {                                                                  \
    if (HasFailure()) return;                                                            \
    GTEST_SKIP() << "docker-registry/skopeo/umoci not installed (see docs/registry.md)"; \
  }

Reference Ref(const TestRegistry& r, const std::string& name_and_tag) {
  auto ref = Reference::Parse(r.host() + "/" + name_and_tag);
  EXPECT_TRUE(ref.ok()) << ref.status();
  return *ref;
}

Platform MakePlatform(std::string text) { return *Platform::Parse(text); }

// Reads a whole layer through OpenLayer; returns the status of the last read.
StatusOr<std::string> ReadLayer(ImageSource& source, size_t index) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<BlobReader> reader, source.OpenLayer(index));
  std::string out;
  char buf[7000];  // not a power of two, to cross chunk boundaries
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(size_t n, reader->Read(buf, sizeof(buf)));
    if (n == 0) return out;
    out.append(buf, n);
  }
}

StatusOr<ResolvedImage> Pull(const TestRegistry& r, const std::string& name,
                             const RegistryOptions& options = {},
                             const std::string& platform = "linux/amd64",
                             std::unique_ptr<ImageSource>* keep = nullptr) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<ImageSource> source,
                         OpenRegistrySource(Ref(r, name), options));
  VIGIL_ASSIGN_OR_RETURN(ResolvedImage image, source->Resolve(MakePlatform(platform)));
  for (size_t i = 0; i < image.layers.size(); ++i) {
    VIGIL_ASSIGN_OR_RETURN(std::string data, ReadLayer(*source, i));
    if (static_cast<int64_t>(data.size()) != image.layers[i].size) {
      return InternalError("layer size differs");
    }
  }
  if (keep != nullptr) *keep = std::move(source);
  return image;
}

RegistryOptions NoDockerConfig() {
  RegistryOptions o;
  o.docker_config_path = "/dev/null/none";  // explicit and absent: must not be read
  return o;
}

TEST(RegistryAnonymous, PullOciByTagAndDigest) {
  START_REGISTRY(r);
  auto image = Pull(*r, "vigil/small:1.0");
  ASSERT_TRUE(image.ok()) << image.status() << "\n" << r->Log();
  ASSERT_EQ(image->layers.size(), 2u);
  for (const LayerRef& l : image->layers) {
    EXPECT_EQ(l.media_type, "application/vnd.oci.image.layer.v1.tar+gzip");
    EXPECT_TRUE(l.diff_id.starts_with("sha256:"));
    EXPECT_GT(l.size, 0);
  }
  auto tag_digest = testing::TagDigest(r->storage(), "vigil/small", "1.0");
  ASSERT_TRUE(tag_digest.ok());
  EXPECT_EQ(image->manifest_digest, *tag_digest);
  auto client = RegistryClient::Create(r->host(), {});
  ASSERT_TRUE(client.ok());
  auto head_digest = (*client)->ResolveDigest("vigil/small", "1.0");
  ASSERT_TRUE(head_digest.ok()) << head_digest.status();
  EXPECT_EQ(*head_digest, *tag_digest);
  auto head_missing = (*client)->ResolveDigest("vigil/small", "nope");
  ASSERT_FALSE(head_missing.ok());
  EXPECT_TRUE(IsNotFound(head_missing.status())) << head_missing.status();
  EXPECT_EQ(image->repo_digest, r->host() + "/vigil/small@" + *tag_digest);
  EXPECT_EQ(image->repo_tags, std::vector<std::string>{r->host() + "/vigil/small:1.0"});
  EXPECT_EQ("sha256:" + Sha256Hex(image->config_json), image->config_digest);

  auto by_digest = Pull(*r, "vigil/small@" + *tag_digest);
  ASSERT_TRUE(by_digest.ok()) << by_digest.status();
  EXPECT_EQ(by_digest->manifest_digest, *tag_digest);
  EXPECT_EQ(by_digest->config_digest, image->config_digest);
  EXPECT_TRUE(by_digest->repo_tags.empty());

  // A well-formed digest the registry does not have.
  auto missing = Pull(*r, "vigil/small@sha256:" + std::string(64, 'a'));
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(IsNotFound(missing.status())) << missing.status();
  EXPECT_NE(missing.status().message().find("MANIFEST_UNKNOWN"), std::string::npos);
}

TEST(RegistryAnonymous, DockerSchema2MediaTypes) {
  START_REGISTRY(r);
  RegistryOptions options;
  auto client = RegistryClient::Create(r->host(), options);
  ASSERT_TRUE(client.ok());
  auto manifest = (*client)->GetManifest("vigil/small-docker", "1.0");
  ASSERT_TRUE(manifest.ok()) << manifest.status();
  EXPECT_EQ(manifest->media_type, "application/vnd.docker.distribution.manifest.v2+json");
  EXPECT_FALSE(manifest->is_index);
  auto image = Pull(*r, "vigil/small-docker:1.0");
  ASSERT_TRUE(image.ok()) << image.status();
  ASSERT_EQ(image->layers.size(), 2u);
  EXPECT_EQ(image->layers[0].media_type, "application/vnd.docker.image.rootfs.diff.tar.gzip");
  // Same content as the OCI push: same diff_ids.
  auto oci = Pull(*r, "vigil/small:1.0");
  ASSERT_TRUE(oci.ok());
  EXPECT_EQ(image->layers[1].diff_id, oci->layers[1].diff_id);
  EXPECT_EQ("http://" + r->host(), (*client)->BaseUrl());  // loopback: plain http found
}

TEST(RegistryAnonymous, PlatformSelectionFromIndex) {
  START_REGISTRY(r);
  std::unique_ptr<ImageSource> source;
  auto arm = Pull(*r, "vigil/multi:1.0", {}, "linux/arm64", &source);
  ASSERT_TRUE(arm.ok()) << arm.status();
  EXPECT_NE(arm->config_json.find("\"architecture\":\"arm64\""), std::string::npos)
      << arm->config_json;
  auto index_digest = testing::TagDigest(r->storage(), "vigil/multi", "1.0");
  ASSERT_TRUE(index_digest.ok());
  EXPECT_EQ(arm->repo_digest, r->host() + "/vigil/multi@" + *index_digest);
  EXPECT_NE(arm->manifest_digest, *index_digest);

  auto amd = Pull(*r, "vigil/multi:1.0", {}, "linux/amd64");
  ASSERT_TRUE(amd.ok()) << amd.status();
  EXPECT_NE(amd->config_json.find("\"architecture\":\"amd64\""), std::string::npos);
  EXPECT_NE(amd->manifest_digest, arm->manifest_digest);
  auto arm_v8 = Pull(*r, "vigil/multi:1.0", {}, "linux/arm64/v8");
  ASSERT_TRUE(arm_v8.ok());
  EXPECT_EQ(arm_v8->manifest_digest, arm->manifest_digest);

  auto missing = Pull(*r, "vigil/multi:1.0", {}, "linux/s390x");
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(IsNotFound(missing.status()));
  EXPECT_NE(missing.status().message().find(
                "has no image for platform linux/s390x; available: linux/amd64, linux/arm64/v8"),
            std::string::npos)
      << missing.status();
}

TEST(RegistryAnonymous, ErrorsNameUrlStatusAndCode) {
  START_REGISTRY(r);
  auto tag = Pull(*r, "vigil/small:nope");
  ASSERT_FALSE(tag.ok());
  EXPECT_TRUE(IsNotFound(tag.status()));
  std::string m = tag.status().message();
  EXPECT_NE(m.find("/v2/vigil/small/manifests/nope"), std::string::npos) << m;
  EXPECT_NE(m.find("HTTP 404"), std::string::npos) << m;
  EXPECT_NE(m.find("MANIFEST_UNKNOWN"), std::string::npos) << m;

  auto client = RegistryClient::Create(r->host(), NoDockerConfig());
  // An explicitly named config file that does not exist is an error.
  EXPECT_FALSE(client.ok());
  client = RegistryClient::Create(r->host(), {});
  ASSERT_TRUE(client.ok());
  auto tags = (*client)->ListTags("vigil/absent");
  ASSERT_FALSE(tags.ok());
  EXPECT_NE(tags.status().message().find("NAME_UNKNOWN"), std::string::npos) << tags.status();
  EXPECT_TRUE((*client)->Ping().ok());
}

TEST(RegistryAnonymous, CatalogAndTagsFollowPages) {
  START_REGISTRY(r);
  auto client = RegistryClient::Create(r->host(), {});
  ASSERT_TRUE(client.ok());
  std::vector<std::string> want_repos = {"vigil/extra1", "vigil/extra2", "vigil/multi",
                                         "vigil/small", "vigil/small-docker"};
  for (int n : {0, 1, 2, 100}) {
    auto repos = (*client)->ListRepositories(n);
    ASSERT_TRUE(repos.ok()) << repos.status();
    EXPECT_EQ(*repos, want_repos) << "n=" << n;
  }
  // docker-registry 2.8 ignores n for tags/list (unsorted, one page); paging of tags is
  // covered against the fake registry below.
  auto tags = (*client)->ListTags("vigil/small", 2);
  ASSERT_TRUE(tags.ok()) << tags.status();
  std::sort(tags->begin(), tags->end());
  EXPECT_EQ(*tags, (std::vector<std::string>{"1.0", "t1", "t2", "t3", "t4", "t5"}));
}

TEST(RegistryAnonymous, TamperedBlobsAreRejected) {
  START_REGISTRY(r);
  auto good = Pull(*r, "vigil/small:1.0");
  ASSERT_TRUE(good.ok()) << good.status();

  // Flip one byte of the second layer in the registry's storage, keeping its size.
  std::string layer_path = testing::BlobDataPath(r->storage(), good->layers[1].digest);
  {
    std::fstream f(layer_path, std::ios::in | std::ios::out | std::ios::binary);
    ASSERT_TRUE(f.good()) << layer_path;
    f.seekg(10);
    char c = 0;
    f.read(&c, 1);
    f.seekp(10);
    c = static_cast<char>(c ^ 0x5a);
    f.write(&c, 1);
  }
  auto source = OpenRegistrySource(Ref(*r, "vigil/small:1.0"), {});
  ASSERT_TRUE(source.ok());
  auto image = (*source)->Resolve(MakePlatform("linux/amd64"));
  ASSERT_TRUE(image.ok()) << image.status();
  EXPECT_TRUE(ReadLayer(**source, 0).ok());
  auto bad = ReadLayer(**source, 1);
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(IsDataLoss(bad.status())) << bad.status();
  EXPECT_NE(bad.status().message().find("digest mismatch: expected " + good->layers[1].digest),
            std::string::npos)
      << bad.status();

  // A tampered config fails Resolve before anything is parsed from it.
  std::string config_path = testing::BlobDataPath(r->storage(), good->config_digest);
  auto config = ReadHostFile(config_path);
  ASSERT_TRUE(config.ok());
  ASSERT_TRUE(WriteFileAtomic(config_path, ReplaceAll(*config, "amd64", "AMD64")).ok());
  auto bad_config = Pull(*r, "vigil/small:1.0");
  ASSERT_FALSE(bad_config.ok());
  EXPECT_TRUE(IsDataLoss(bad_config.status())) << bad_config.status();

  // A manifest changed in storage: the registry still labels it with the digest it was
  // pushed as, and the client checks the content against that header.
  auto docker_digest = testing::TagDigest(r->storage(), "vigil/small-docker", "1.0");
  ASSERT_TRUE(docker_digest.ok());
  std::string manifest_path = testing::BlobDataPath(r->storage(), *docker_digest);
  auto manifest = ReadHostFile(manifest_path);
  ASSERT_TRUE(manifest.ok());
  ASSERT_TRUE(WriteFileAtomic(manifest_path, *manifest + "\n").ok());
  auto bad_manifest = Pull(*r, "vigil/small-docker:1.0");
  ASSERT_FALSE(bad_manifest.ok());
  EXPECT_TRUE(IsDataLoss(bad_manifest.status())) << bad_manifest.status();
  EXPECT_NE(bad_manifest.status().message().find("Docker-Content-Digest " + *docker_digest),
            std::string::npos)
      << bad_manifest.status();
  // By digest, the reference itself is the expectation.
  auto by_digest = Pull(*r, "vigil/small-docker@" + *docker_digest);
  ASSERT_FALSE(by_digest.ok());
  EXPECT_TRUE(IsDataLoss(by_digest.status())) << by_digest.status();
}

TEST(RegistryBasicAuth, DockerConfigCredentials) {
  START_REGISTRY(r, TestRegistryOptions{.auth = Auth::kHtpasswd});
  auto anonymous = Pull(*r, "vigil/small:1.0");
  ASSERT_FALSE(anonymous.ok());
  EXPECT_TRUE(IsPermissionDenied(anonymous.status())) << anonymous.status();
  EXPECT_NE(anonymous.status().message().find("UNAUTHORIZED"), std::string::npos);
  EXPECT_NE(anonymous.status().message().find("no credentials configured"), std::string::npos);

  std::string config_path = r->dir() + "/docker-config.json";
  ASSERT_TRUE(WriteFileAtomic(config_path, "{\"auths\": {\"http://" + r->host() +
                                               "\": {\"auth\": \"" +
                                               Base64Encode("alice:wonderland") + "\"}}}")
                  .ok());
  RegistryOptions options;
  options.docker_config_path = config_path;
  auto image = Pull(*r, "vigil/multi:1.0", options, "linux/arm64");
  ASSERT_TRUE(image.ok()) << image.status() << "\n" << r->Log();
  auto client = RegistryClient::Create(r->host(), options);
  ASSERT_TRUE(client.ok());
  auto repos = (*client)->ListRepositories(2);
  ASSERT_TRUE(repos.ok()) << repos.status();
  EXPECT_EQ(repos->size(), 5u);

  RegistryOptions wrong;
  wrong.username = "alice";
  wrong.password = "looking-glass";
  auto rejected = Pull(*r, "vigil/small:1.0", wrong);
  ASSERT_FALSE(rejected.ok());
  EXPECT_TRUE(IsPermissionDenied(rejected.status()));
  EXPECT_NE(rejected.status().message().find("UNAUTHORIZED"), std::string::npos)
      << rejected.status();
  EXPECT_NE(rejected.status().message().find("were rejected"), std::string::npos);

  // Credential helpers are not run; the error says so.
  std::string helper_path = r->dir() + "/helper-config.json";
  ASSERT_TRUE(
      WriteFileAtomic(helper_path, "{\"credHelpers\": {\"" + r->host() + "\": \"pass\"}}").ok());
  RegistryOptions helper;
  helper.docker_config_path = helper_path;
  auto unsupported = Pull(*r, "vigil/small:1.0", helper);
  ASSERT_FALSE(unsupported.ok());
  EXPECT_NE(unsupported.status().message().find("docker-credential-pass"), std::string::npos)
      << unsupported.status();
}

std::string ReadTokenLog(const TestRegistry& r) { return ReadHostFile(r.token_log()).value_or(""); }

TEST(RegistryTokenAuth, ChallengeTokenRetry) {
  START_REGISTRY(r, TestRegistryOptions{.auth = Auth::kToken});
  // Anonymous: the token server grants pull, so the challenge -> token -> retry flow works.
  auto anonymous = Pull(*r, "vigil/multi:1.0", {}, "linux/amd64");
  ASSERT_TRUE(anonymous.ok()) << anonymous.status() << "\n" << r->Log();
  std::string log = ReadTokenLog(*r);
  EXPECT_NE(log.find("scope=repository%3Avigil%2Fmulti%3Apull"), std::string::npos) << log;
  // ...but not the catalog: the registry refuses the token it got.
  auto client = RegistryClient::Create(r->host(), {});
  ASSERT_TRUE(client.ok());
  auto denied = (*client)->ListRepositories();
  ASSERT_FALSE(denied.ok());
  EXPECT_TRUE(IsPermissionDenied(denied.status())) << denied.status();
  EXPECT_NE(denied.status().message().find("UNAUTHORIZED"), std::string::npos);

  RegistryOptions user;
  user.username = TestRegistry::kUser;
  user.password = TestRegistry::kPassword;
  auto authed = RegistryClient::Create(r->host(), user);
  ASSERT_TRUE(authed.ok());
  auto repos = (*authed)->ListRepositories(2);
  ASSERT_TRUE(repos.ok()) << repos.status();
  EXPECT_EQ(repos->size(), 5u);
  auto tags = (*authed)->ListTags("vigil/small", 4);
  ASSERT_TRUE(tags.ok()) << tags.status();
  EXPECT_EQ(tags->size(), 6u);
  EXPECT_NE(ReadTokenLog(*r).find("\"account\": \"alice\", \"authorized\": true"),
            std::string::npos);

  RegistryOptions wrong = user;
  wrong.password = "nope";
  auto rejected = Pull(*r, "vigil/small:1.0", wrong);
  ASSERT_FALSE(rejected.ok());
  EXPECT_TRUE(IsPermissionDenied(rejected.status())) << rejected.status();
  EXPECT_NE(rejected.status().message().find("token request"), std::string::npos);
  EXPECT_NE(rejected.status().message().find("UNAUTHORIZED"), std::string::npos);
}

TEST(RegistryTokenAuth, IdentityTokenFromDockerConfig) {
  START_REGISTRY(r, TestRegistryOptions{.auth = Auth::kToken});
  std::string config_path = r->dir() + "/docker-config.json";
  ASSERT_TRUE(WriteFileAtomic(config_path, "{\"auths\": {\"" + r->host() +
                                               "\": {\"identitytoken\": \"" +
                                               TestRegistry::kRefreshToken + "\"}}}")
                  .ok());
  RegistryOptions options;
  options.docker_config_path = config_path;
  auto client = RegistryClient::Create(r->host(), options);
  ASSERT_TRUE(client.ok());
  auto repos = (*client)->ListRepositories();
  ASSERT_TRUE(repos.ok()) << repos.status();
  EXPECT_EQ(repos->size(), 5u);
  EXPECT_NE(ReadTokenLog(*r).find("\"method\": \"POST\""), std::string::npos);
}

TEST(RegistryTls, CaCertRequiredUnlessInsecure) {
  START_REGISTRY(r, TestRegistryOptions{.tls = true});
  auto untrusted = Pull(*r, "vigil/small:1.0");
  ASSERT_FALSE(untrusted.ok());
  EXPECT_NE(untrusted.status().message().find("--cacert"), std::string::npos) << untrusted.status();

  RegistryOptions with_ca;
  with_ca.cacert = r->ca_cert();
  auto client = RegistryClient::Create(r->host(), with_ca);
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE((*client)->Ping().ok());
  EXPECT_EQ((*client)->BaseUrl(), "https://" + r->host());
  auto image = Pull(*r, "vigil/multi:1.0", with_ca, "linux/arm64");
  ASSERT_TRUE(image.ok()) << image.status();

  RegistryOptions insecure;
  insecure.insecure = true;
  EXPECT_TRUE(Pull(*r, "vigil/small:1.0", insecure).ok());
}

// The whole path a scan takes: OpenImage with the registry factory, Resolve, then the layer
// walk (decompression, tar parsing, digest and diff_id checks) over the streamed blobs.
TEST(RegistryAnonymous, OpenImageAndWalkLayers) {
  START_REGISTRY(r);
  RegistryOptions registry_options;
  OpenOptions options;
  options.registry = [&](const Reference& ref) {
    return OpenRegistrySource(ref, registry_options);
  };
  for (const std::string name : {"vigil/multi:1.0", "vigil/small-docker:1.0"}) {
    auto source = OpenImage("docker://" + r->host() + "/" + name, options);
    ASSERT_TRUE(source.ok()) << source.status();
    EXPECT_EQ((*source)->Describe(), "registry:" + r->host() + "/" + name);
    auto image = (*source)->Resolve(MakePlatform("linux/arm64"));
    // small-docker is not an index: resolved anyway (with a warning), as docker does.
    ASSERT_TRUE(image.ok()) << image.status();
    std::vector<std::string> paths;
    for (size_t i = 0; i < image->layers.size(); ++i) {
      WalkStats stats;
      Status walked = WalkLayer(
          **source, *image, i, WalkOptions{},
          [&](const LayerEntry& entry, BlobReader*) {
            paths.push_back(entry.path);
            return OkStatus();
          },
          &stats);
      ASSERT_TRUE(walked.ok()) << walked;
      EXPECT_EQ(stats.compression, Compression::kGzip);
    }
    EXPECT_NE(std::find(paths.begin(), paths.end(), "/bin/busybox"), paths.end()) << name;
    EXPECT_NE(std::find(paths.begin(), paths.end(), "/etc/motd"), paths.end()) << name;
  }
}

// Paging of tags/list and blob redirects, against the scripted fake registry (docker-registry
// 2.8 does neither).
TEST(RegistryFake, TagPagingAndRedirectsWithoutLeakingAuthorization) {
  const std::string blob = "blob content served through a redirect";
  auto r = TestRegistry::StartFake(blob);
  ASSERT_TRUE(r.ok()) << r.status();
  RegistryOptions options;
  options.username = TestRegistry::kUser;
  options.password = TestRegistry::kPassword;
  auto client = RegistryClient::Create((*r)->host(), options);
  ASSERT_TRUE(client.ok());
  auto tags = (*client)->ListTags("paged", 3);
  ASSERT_TRUE(tags.ok()) << tags.status();
  EXPECT_EQ(*tags, (std::vector<std::string>{"t00", "t01", "t02", "t03", "t04", "t05", "t06"}));
  std::string log = ReadHostFile((*r)->request_log()).value_or("");
  EXPECT_NE(log.find("/v2/paged/tags/list?n=3&last=t05"), std::string::npos) << log;

  std::string digest = "sha256:" + Sha256Hex(blob);
  auto read_all = [&](const std::string& repo) -> StatusOr<std::string> {
    VIGIL_ASSIGN_OR_RETURN(auto reader, (*client)->OpenBlob(repo, digest, blob.size()));
    std::string out;
    char buf[5];
    for (;;) {
      VIGIL_ASSIGN_OR_RETURN(size_t n, reader->Read(buf, sizeof(buf)));
      if (n == 0) return out;
      out.append(buf, n);
    }
  };
  // 307 to "localhost": another host, so the storage request must carry no Authorization
  // (the fake storage answers 400 if it does).
  auto cross = read_all("paged");
  ASSERT_TRUE(cross.ok()) << cross.status();
  EXPECT_EQ(*cross, blob);
  // 307 on the same host: Authorization is kept (the target requires it).
  auto same = read_all("same");
  ASSERT_TRUE(same.ok()) << same.status();
  EXPECT_EQ(*same, blob);
  log = ReadHostFile((*r)->request_log()).value_or("");
  EXPECT_NE(log.find("\"path\": \"/storage/"), std::string::npos) << log;
  EXPECT_EQ(log.find("LEAKED"), std::string::npos);

  // 503 twice, then success: retried (Retry-After: 0 keeps this fast).
  auto flaky = (*client)->ListTags("flaky");
  ASSERT_TRUE(flaky.ok()) << flaky.status();
  EXPECT_EQ(*flaky, std::vector<std::string>{"ok"});

  // A blob fetched by the wrong digest fails at EOF even through the redirect.
  auto wrong = (*client)->GetBlob("paged", "sha256:" + std::string(64, '0'), 1 << 20);
  ASSERT_FALSE(wrong.ok());
  EXPECT_TRUE(IsNotFound(wrong.status())) << wrong.status();
  EXPECT_NE(wrong.status().message().find("BLOB_UNKNOWN"), std::string::npos);
}

}  // namespace
}  // namespace vigil::image
