#include "image/reference.h"

#include <gtest/gtest.h>

namespace vigil::image {
namespace {

Reference MustParse(std::string_view text) {
  auto ref = Reference::Parse(text);
  EXPECT_TRUE(ref.ok()) << text << ": " << ref.status();
  return ref.ok() ? *ref : Reference();
}

TEST(ReferenceTest, DockerHubShortNames) {
  Reference r = MustParse("alpine");
  EXPECT_EQ(r.transport, "registry");
  EXPECT_EQ(r.registry, "docker.io");
  EXPECT_EQ(r.repository, "library/alpine");
  EXPECT_EQ(r.tag, "latest");
  EXPECT_EQ(r.digest, "");
  EXPECT_EQ(r.ToString(), "docker.io/library/alpine:latest");

  EXPECT_EQ(MustParse("docker.io/library/alpine:3").ToString(), "docker.io/library/alpine:3");
  EXPECT_EQ(MustParse("alpine:3"), MustParse("docker.io/library/alpine:3"));
  EXPECT_EQ(MustParse("index.docker.io/library/alpine:3"), MustParse("alpine:3"));
  EXPECT_EQ(MustParse("bitnami/redis").ToString(), "docker.io/bitnami/redis:latest");
  EXPECT_EQ(MustParse("docker.io/alpine").repository, "library/alpine");
}

TEST(ReferenceTest, RegistryWithPortAndDigest) {
  std::string digest = "sha256:" + std::string(64, 'a');
  Reference r = MustParse("127.0.0.1:5000/x@" + digest);
  EXPECT_EQ(r.registry, "127.0.0.1:5000");
  EXPECT_EQ(r.repository, "x");
  EXPECT_EQ(r.tag, "");
  EXPECT_EQ(r.digest, digest);
  EXPECT_EQ(r.ToString(), "127.0.0.1:5000/x@" + digest);

  Reference both = MustParse("localhost/a/b:1.2@" + digest);
  EXPECT_EQ(both.registry, "localhost");
  EXPECT_EQ(both.repository, "a/b");
  EXPECT_EQ(both.tag, "1.2");
  EXPECT_EQ(both.digest, digest);
  EXPECT_EQ(MustParse(both.ToString()), both);

  Reference port = MustParse("localhost:5000/team/app");
  EXPECT_EQ(port.registry, "localhost:5000");
  EXPECT_EQ(port.repository, "team/app");
  EXPECT_EQ(port.tag, "latest");
  EXPECT_EQ(MustParse("[::1]:5000/x:t").registry, "[::1]:5000");
  EXPECT_EQ(MustParse("docker://quay.io/a/b:c").Name(), "quay.io/a/b");
  EXPECT_EQ(MustParse("registry:quay.io/a/b:c").tag, "c");
}

TEST(ReferenceTest, Transports) {
  Reference oci = MustParse("oci:/tmp/layout:v1");
  EXPECT_EQ(oci.transport, "oci");
  EXPECT_EQ(oci.path, "/tmp/layout");
  EXPECT_EQ(oci.tag, "v1");
  EXPECT_EQ(oci.ToString(), "oci:/tmp/layout:v1");
  EXPECT_EQ(MustParse("oci:/tmp/layout").tag, "");
  EXPECT_EQ(MustParse("oci-archive:x.tar:latest").path, "x.tar");
  EXPECT_EQ(MustParse("docker-archive:/tmp/a:b.tar").path, "/tmp/a:b.tar");
  EXPECT_EQ(MustParse("dir:/srv/rootfs").transport, "dir");
  Reference cs = MustParse("containers-storage:localhost/x:1");
  EXPECT_EQ(cs.transport, "containers-storage");
  EXPECT_EQ(cs.path, "localhost/x:1");
  EXPECT_EQ(cs.registry, "localhost");
  EXPECT_EQ(cs.repository, "x");
  EXPECT_EQ(cs.ToString(), "containers-storage:localhost/x:1");
  EXPECT_EQ(MustParse("/tmp/image.tar").transport, "path");
  EXPECT_EQ(MustParse("./rootfs").path, "./rootfs");
}

TEST(ReferenceTest, Rejects) {
  for (const char* bad :
       {"", "Alpine", "docker.io/Library/x", "alpine:", "alpine:-x", "x@sha256:abc",
        "x@sha256:"
        "ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ",
        "a//b", "a/b/", "-a", "a..b", "bad host!/x", "oci:", "dir:"}) {
    auto r = Reference::Parse(bad);
    ASSERT_FALSE(r.ok()) << bad << " parsed as " << r->ToString();
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace vigil::image
