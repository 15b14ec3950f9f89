// Unit tests of the registry client's pure parts: WWW-Authenticate and Link parsing,
// docker config credentials, platform selection, URL helpers. No network.
#include <gtest/gtest.h>

#include "image/docker_config.h"
#include "image/registry.h"
#include "image/registry_auth.h"
#include "image/registry_http.h"

namespace vigil::image {
namespace {

TEST(WwwAuthenticate, DockerBearerChallenge) {
  auto c = ParseWwwAuthenticate(
      R"(Bearer realm="https://auth.example.io/token",service="registry.example.io",)"
      R"(scope="repository:samalba/my-app:pull,push")");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->size(), 1u);
  EXPECT_EQ((*c)[0].scheme, "bearer");
  EXPECT_EQ((*c)[0].Param("realm"), "https://auth.example.io/token");
  EXPECT_EQ((*c)[0].Param("SERVICE"), "registry.example.io");
  EXPECT_EQ((*c)[0].Param("scope"), "repository:samalba/my-app:pull,push");
}

TEST(WwwAuthenticate, SeveralChallengesTokensAndEscapes) {
  auto c = ParseWwwAuthenticate(
      R"(Basic realm="Registry \"Realm\"", charset=UTF-8 ,  Bearer realm=x, error="insufficient_scope")");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->size(), 2u);
  EXPECT_EQ((*c)[0].scheme, "basic");
  EXPECT_EQ((*c)[0].Param("realm"), "Registry \"Realm\"");
  EXPECT_EQ((*c)[0].Param("charset"), "UTF-8");
  EXPECT_EQ((*c)[1].scheme, "bearer");
  EXPECT_EQ((*c)[1].Param("realm"), "x");
  EXPECT_EQ((*c)[1].Param("error"), "insufficient_scope");
}

TEST(WwwAuthenticate, Token68AndBareScheme) {
  auto c = ParseWwwAuthenticate("Negotiate abc+/de==, Basic");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->size(), 2u);
  EXPECT_EQ((*c)[0].scheme, "negotiate");
  EXPECT_EQ((*c)[0].token68, "abc+/de==");
  EXPECT_EQ((*c)[1].scheme, "basic");
  EXPECT_TRUE((*c)[1].params.empty());
}

TEST(WwwAuthenticate, Malformed) {
  EXPECT_FALSE(ParseWwwAuthenticate("").ok());
  EXPECT_FALSE(ParseWwwAuthenticate("   ,  ").ok());
  EXPECT_FALSE(ParseWwwAuthenticate(R"(Bearer realm="unterminated)").ok());
  EXPECT_FALSE(ParseWwwAuthenticate(R"(Bearer realm="a", scope=)").ok());
  EXPECT_FALSE(ParseWwwAuthenticate(R"(Bearer realm="a", =x)").ok());
  // A lone "name=" is a token68 with padding, which RFC 7235 allows.
  auto t68 = ParseWwwAuthenticate("Bearer realm=");
  ASSERT_TRUE(t68.ok());
  EXPECT_EQ((*t68)[0].token68, "realm=");
  EXPECT_FALSE(ParseWwwAuthenticate(R"(Bearer realm="a" junk)").ok());
  auto bad = ParseWwwAuthenticate("\"quoted\"");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("offset"), std::string::npos);
}

TEST(LinkHeader, NextAmongSeveral) {
  EXPECT_EQ(ParseLinkNext(R"(</v2/_catalog?last=b&n=2>; rel="next")"), "/v2/_catalog?last=b&n=2");
  EXPECT_EQ(ParseLinkNext(R"(<https://r/x?a=1,2>; rel="prev", <https://r/y;z>; rel=next)"),
            "https://r/y;z");
  EXPECT_EQ(ParseLinkNext(R"(</a>; title="x"; rel="first next")"), "/a");
  EXPECT_EQ(ParseLinkNext(R"(</a>; REL="Next")"), "/a");
  EXPECT_FALSE(ParseLinkNext(R"(</a>; rel="prev")").has_value());
  EXPECT_FALSE(ParseLinkNext("").has_value());
  EXPECT_FALSE(ParseLinkNext("</unterminated; rel=next").has_value());
}

TEST(Urls, ResolveAndOrigin) {
  EXPECT_EQ(*ResolveUrl("http://127.0.0.1:5000/v2/_catalog?n=2", "/v2/_catalog?last=b&n=2"),
            "http://127.0.0.1:5000/v2/_catalog?last=b&n=2");
  EXPECT_EQ(*ResolveUrl("https://r.io/v2/a/blobs/x", "https://cdn.io/b?sig=1"),
            "https://cdn.io/b?sig=1");
  auto o = ParseUrlOrigin("HTTPS://Registry.IO/v2/");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->scheme, "https");
  EXPECT_EQ(o->host, "registry.io");
  EXPECT_EQ(o->port, 443);
  EXPECT_EQ(*ParseUrlOrigin("http://[::1]:5000/x"), (UrlOrigin{"http", "::1", 5000}));
  EXPECT_FALSE(*ParseUrlOrigin("https://a.io/") == *ParseUrlOrigin("https://a.io:444/"));
  EXPECT_FALSE(ParseUrlOrigin("not a url").ok());
}

TEST(Urls, Loopback) {
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_TRUE(IsLoopbackHost("localhost:5000"));
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1:5000"));
  EXPECT_TRUE(IsLoopbackHost("127.255.3.4"));
  EXPECT_TRUE(IsLoopbackHost("[::1]:5000"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_FALSE(IsLoopbackHost("127.0.0.1.example.com"));
  EXPECT_FALSE(IsLoopbackHost("127.example:5000"));
  EXPECT_FALSE(IsLoopbackHost("10.0.0.1"));
  EXPECT_FALSE(IsLoopbackHost("docker.io"));
  EXPECT_FALSE(IsLoopbackHost("[::2]:5000"));
  EXPECT_FALSE(IsLoopbackHost("127.0.0.256"));
}

TEST(Urls, EncodeAndBase64) {
  EXPECT_EQ(UrlEncode("repository:a/b:pull,push"), "repository%3Aa%2Fb%3Apull%2Cpush");
  EXPECT_EQ(Base64Encode("user:pass"), "dXNlcjpwYXNz");
  EXPECT_EQ(Base64Encode("ab"), "YWI=");
  EXPECT_EQ(Base64Encode("a"), "YQ==");
  EXPECT_EQ(*Base64Decode("dXNlcjpwYXNz"), "user:pass");
  EXPECT_EQ(*Base64Decode("YWI"), "ab");
  EXPECT_EQ(*Base64Decode("YQ=="), "a");
  EXPECT_FALSE(Base64Decode("Y").ok());
  EXPECT_FALSE(Base64Decode("a b=").ok());
}

TEST(DockerConfig, AuthsIdentityTokenAndHelpers) {
  auto config = ParseDockerConfig(R"({
    "auths": {
      "127.0.0.1:5000": {"auth": "YWxpY2U6czNjcjM6dA=="},
      "https://index.docker.io/v1/": {"username": "bob", "password": "pw"},
      "https://ghcr.io": {"identitytoken": "refresh-me"},
      "quay.io": {}
    },
    "credHelpers": {"gcr.io": "gcloud"},
    "credsStore": "desktop"
  })");
  ASSERT_TRUE(config.ok()) << config.status();
  auto local = FindDockerCredential(*config, "127.0.0.1:5000");
  ASSERT_TRUE(local.credential.has_value());
  EXPECT_EQ(local.credential->username, "alice");
  EXPECT_EQ(local.credential->password, "s3cr3:t");  // only the first ':' splits
  auto hub = FindDockerCredential(*config, "docker.io");
  ASSERT_TRUE(hub.credential.has_value());
  EXPECT_EQ(hub.credential->username, "bob");
  auto ghcr = FindDockerCredential(*config, "ghcr.io");
  ASSERT_TRUE(ghcr.credential.has_value());
  EXPECT_EQ(ghcr.credential->identity_token, "refresh-me");
  auto gcr = FindDockerCredential(*config, "gcr.io");
  EXPECT_FALSE(gcr.credential.has_value());
  EXPECT_EQ(gcr.helper, "gcloud");
  // An empty entry does not count; the credsStore would have been asked.
  auto quay = FindDockerCredential(*config, "quay.io");
  EXPECT_FALSE(quay.credential.has_value());
  EXPECT_EQ(quay.helper, "desktop");
}

TEST(DockerConfig, Errors) {
  EXPECT_FALSE(ParseDockerConfig("{").ok());
  EXPECT_FALSE(ParseDockerConfig("[]").ok());
  auto bad = ParseDockerConfig(R"({"auths": {"r.io": {"auth": "bm9jb2xvbg=="}}})");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("r.io"), std::string::npos);
  auto empty = ParseDockerConfig("{}");
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(FindDockerCredential(*empty, "r.io").credential.has_value());
  EXPECT_TRUE(FindDockerCredential(*empty, "r.io").helper.empty());
}

Descriptor Entry(std::string digest, std::string os, std::string arch, std::string variant = "") {
  Descriptor d;
  d.media_type = std::string(kOciManifestType);
  d.digest = std::move(digest);
  d.has_platform = true;
  d.platform.os = std::move(os);
  d.platform.architecture = std::move(arch);
  d.platform.variant = std::move(variant);
  return d;
}

TEST(PlatformSelection, ExactThenLooseAndClearError) {
  Index index;
  index.manifests = {Entry("sha256:a", "linux", "amd64"), Entry("sha256:b", "linux", "arm", "v6"),
                     Entry("sha256:c", "linux", "arm", "v7"), Entry("sha256:d", "linux", "arm64"),
                     Entry("sha256:e", "unknown", "unknown")};
  auto pick = [&](std::string os, std::string arch, std::string variant) {
    Platform p;
    p.os = os;
    p.architecture = arch;
    p.variant = variant;
    return SelectPlatformManifest(index, p, "r.io/x:1");
  };
  EXPECT_EQ(pick("linux", "amd64", "")->digest, "sha256:a");
  EXPECT_EQ(pick("linux", "arm", "v7")->digest, "sha256:c");
  EXPECT_EQ(pick("linux", "arm", "")->digest, "sha256:b");      // no variant: first arm entry
  EXPECT_EQ(pick("linux", "arm64", "v8")->digest, "sha256:d");  // arm64 == arm64/v8
  auto missing = pick("linux", "s390x", "");
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(IsNotFound(missing.status()));
  EXPECT_EQ(missing.status().message(),
            "r.io/x:1 has no image for platform linux/s390x; available: linux/amd64, "
            "linux/arm/v6, linux/arm/v7, linux/arm64");
}

TEST(RegistryClient, CreateReadsDockerConfigAndRejectsBadHost) {
  EXPECT_FALSE(RegistryClient::Create("", {}).ok());
  EXPECT_FALSE(RegistryClient::Create("a/b", {}).ok());
  RegistryOptions options;
  options.docker_config_path = "/nonexistent/config.json";
  auto missing = RegistryClient::Create("127.0.0.1:1", options);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("/nonexistent/config.json"), std::string::npos);
}

}  // namespace
}  // namespace vigil::image
