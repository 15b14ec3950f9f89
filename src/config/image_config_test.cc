// The image-configuration checks over config JSON shaped as real registries serve it
// (Docker and BuildKit history forms).
#include "config/image_config.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "config/secret_names.h"

namespace vigil::config {
namespace {

std::multiset<std::string> Ids(const report::Report& r) {
  std::multiset<std::string> out;
  for (const auto& f : r.findings) out.insert(f.id);
  return out;
}

TEST(ImageConfig, RiskyConfig) {
  // One line, as every registry serves it.
  const std::string config =
      R"({"architecture":"amd64","os":"linux","config":{"User":"","Env":["PATH=/usr/bin",)"
      R"("DB_PASSWORD=s3cr3t-Value-42","API_KEY=${API_KEY}","GPG_KEY=A4A9406876FCBD3C456770C88C718D3B5072E1F5"],)"
      R"("ExposedPorts":{"22/tcp":{},"8080/tcp":{}},"Labels":{"org.opencontainers.image.base.name":"docker.io/library/debian:latest",)"
      R"("deploy.token":"ghp_0123456789abcdefghij0123456789abcdef"}},)"
      R"("history":[{"created_by":"/bin/sh -c #(nop) ADD file:1234 in / "},)"
      R"({"created_by":"ADD https://example.com/tool.tar.gz /opt/ # buildkit"},)"
      R"({"created_by":"RUN |2 NPM_TOKEN=npm_abcdefghijklmnopqrstuvwxyz0123456789 HTTP_PROXY=http://p:3128 /bin/sh -c npm ci # buildkit"},)"
      R"({"created_by":"RUN /bin/sh -c curl -fsSL https://get.example.sh | sh # buildkit"},)"
      R"({"created_by":"RUN /bin/sh -c git clone https://bot:hunter2hunter2@git.example.com/x.git # buildkit"}],)"
      R"("rootfs":{"type":"layers","diff_ids":[]}})";
  auto r = ScanImageConfig(config, "registry.example/app:1", ScanOptions{});
  ASSERT_TRUE(r.ok()) << r.status();
  std::multiset<std::string> want = {"VGL-IMG-001", "VGL-IMG-002", "VGL-IMG-003", "VGL-IMG-004",
                                     "VGL-IMG-004", "VGL-IMG-005", "VGL-IMG-006", "VGL-IMG-007",
                                     "VGL-IMG-008", "VGL-IMG-009"};
  EXPECT_EQ(Ids(*r), want);
  for (const auto& f : r->findings) {
    EXPECT_EQ(f.location.resource, "ImageConfig/registry.example/app:1");
    EXPECT_EQ(f.location.line, 0);
    // Never the credential in full.
    EXPECT_EQ(f.description.find("s3cr3t-Value-42"), std::string::npos) << f.description;
    EXPECT_EQ(f.description.find("hunter2hunter2"), std::string::npos) << f.description;
    EXPECT_EQ(f.description.find("npm_abcdefghijklmnopqrstuvwxyz0123456789"), std::string::npos);
  }
}

TEST(ImageConfig, HardenedConfigIsClean) {
  const std::string config = R"({
  "config": {
    "User": "10001:10001",
    "Env": ["PATH=/usr/bin", "PASSWORD_FILE=/run/secrets/db", "TOKEN_URL=https://auth/token"],
    "ExposedPorts": {"8443/tcp": {}},
    "Labels": {"org.opencontainers.image.base.name": "docker.io/library/debian:12.8@sha256:0123"},
    "Healthcheck": {"Test": ["CMD", "/app", "health"]}
  },
  "history": [{"created_by": "COPY app /app # buildkit"},
              {"created_by": "ADD --checksum=sha256:ab https://example.com/x /x # buildkit"}]
})";
  auto r = ScanImageConfig(config, "app", ScanOptions{});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->findings.empty()) << r->findings[0].id << ": " << r->findings[0].description;
}

TEST(ImageConfig, RootUserFormsAndStandardsFilter) {
  for (std::string user : {"root", "0", "0:0", "root:wheel"}) {
    auto r =
        ScanImageConfig(R"({"config":{"User":")" + user + R"(","Healthcheck":{"Test":["NONE"]}}})",
                        "x", ScanOptions{});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(Ids(*r), (std::multiset<std::string>{"VGL-IMG-001", "VGL-IMG-007"})) << user;
  }
  ScanOptions only_cis;
  only_cis.standards = {"pss-baseline"};
  auto r = ScanImageConfig(R"({"config":{}})", "x", only_cis);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->findings.empty());
  ScanOptions ignoring;
  ignoring.ignore_ids = {"VGL-IMG-007"};
  r = ScanImageConfig(R"({"config":{"User":"app"}})", "x", ignoring);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->findings.size(), 1u);
  EXPECT_EQ(r->findings[0].status, "suppressed");
}

TEST(ImageConfig, BadInput) {
  EXPECT_FALSE(ScanImageConfig("[1,2]", "x", ScanOptions{}).ok());
  auto r = ScanImageConfig("{\"config\": ", "img", ScanOptions{});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("img (image config)"), std::string::npos) << r.status();
}

TEST(ImageConfig, SecretNames) {
  for (const char* yes : {"DB_PASSWORD", "aws_secret_access_key", "GITHUB_TOKEN", "API_KEY",
                          "PRIVATE_KEY", "MYSQL_ROOT_PASSWORD", "PGPASS", "REDIS_PASS"}) {
    EXPECT_TRUE(SecretLikeName(yes)) << yes;
  }
  for (const char* no : {"PATH", "PWD", "GPG_KEY", "PUBLIC_KEY", "AWS_ACCESS_KEY_ID_FILE",
                         "PASSWORD_FILE", "TOKEN_URL", "KEY_ID", "LANG"}) {
    EXPECT_FALSE(SecretLikeName(no)) << no;
  }
  for (const char* p :
       {"", "changeme", "${TOKEN}", "<your-token>", "xxxxxxxx", "/run/secrets/x", "true", "0000"}) {
    EXPECT_TRUE(PlaceholderValue(p)) << p;
  }
  EXPECT_FALSE(PlaceholderValue("s3cr3t-Value-42"));
}

}  // namespace
}  // namespace vigil::config
