// Unit tests of the Docker host inputs: compose resources (merge keys, volumes), dockerd flag
// normalisation (systemd units, drop-ins, /etc/default/docker), container inspect
// detection, the parsing helpers, and end-to-end findings through ScanText.
#include "config/docker_host.h"

#include <gtest/gtest.h>

#include <string>

#include "config/discovery.h"
#include "config/docker_host_util.h"
#include "config/scan.h"
#include "config/secret_names.h"

namespace vigil::config {
namespace {

report::Report Scan(std::string_view path, std::string_view text) {
  auto reg = BuiltinRegistry();
  EXPECT_TRUE(reg.ok()) << reg.status();
  report::Report report;
  ScanText(**reg, path, text, ScanOptions{}, K8sVersion{}, &report);
  return report;
}

// Lines of the findings of `id` (as "resource@line").
std::vector<std::string> Hits(const report::Report& r, std::string_view id) {
  std::vector<std::string> out;
  for (const auto& f : r.findings) {
    if (f.id == id) out.push_back(f.location.resource + "@" + std::to_string(f.location.line));
  }
  return out;
}

TEST(Compose, ResourcesPerServiceAndVolume) {
  auto docs = LoadYaml(
      "services:\n"
      "  web:\n"
      "    image: nginx:1.25\n"
      "  \"my.svc\":\n"
      "    image: redis:7\n"
      "  empty:\n"
      "volumes:\n"
      "  data:\n"
      "    driver: local\n"
      "  plain:\n",
      "docker-compose.yml");
  ASSERT_TRUE(docs.ok()) << docs.status();
  std::vector<Resource> rs = ComposeResources((*docs)[0]);
  ASSERT_EQ(rs.size(), 3u);
  EXPECT_EQ(rs[0].Id(), "ComposeService/web");
  EXPECT_EQ(rs[0].line, 2);
  EXPECT_EQ(rs[0].path_prefix, "services.web.");
  EXPECT_EQ(rs[1].name, "my.svc");
  EXPECT_EQ(rs[1].path_prefix, "services[\"my.svc\"].");
  EXPECT_EQ(rs[2].Id(), "ComposeVolume/data");
}

TEST(Compose, NotAMapYieldsNothing) {
  auto docs = LoadYaml("services:\n  - web\n  - db\n", "compose.yaml");
  ASSERT_TRUE(docs.ok());
  EXPECT_TRUE(ComposeResources((*docs)[0]).empty());
}

TEST(Compose, MergeKeysAreFollowed) {
  report::Report r = Scan("docker-compose.yml",
                          "x-base: &base\n"
                          "  privileged: true\n"
                          "  cap_add: [SYS_ADMIN]\n"
                          "services:\n"
                          "  a:\n"
                          "    <<: *base\n"
                          "    image: a:1\n"
                          "  b:\n"
                          "    <<: *base\n"
                          "    privileged: false\n");
  // The finding points at the line that sets the value (inside the anchor).
  EXPECT_EQ(Hits(r, "VGL-DC-001"), std::vector<std::string>{"ComposeService/a@2"});
  EXPECT_EQ(Hits(r, "VGL-DC-002"),
            (std::vector<std::string>{"ComposeService/a@3", "ComposeService/b@3"}));
}

TEST(Compose, InlineSuppression) {
  report::Report r = Scan("docker-compose.yml",
                          "services:\n"
                          "  a:\n"
                          "    # vigil:ignore=VGL-DC-001 build agent needs it\n"
                          "    privileged: true\n");
  ASSERT_EQ(Hits(r, "VGL-DC-001").size(), 1u);
  for (const auto& f : r.findings) {
    if (f.id == "VGL-DC-001") {
      EXPECT_EQ(f.status, "suppressed");
    }
  }
}

TEST(Compose, LabelSuppression) {
  report::Report r = Scan("docker-compose.yml",
                          "services:\n"
                          "  a:\n"
                          "    labels:\n"
                          "      - \"vigil.dev/ignore=VGL-DC-001,VGL-DC-004 CI runner\"\n"
                          "    privileged: true\n"
                          "    network_mode: host\n"
                          "  b:\n"
                          "    labels:\n"
                          "      vigil.dev/ignore: VGL-DC-004 other check\n"
                          "    privileged: true\n");
  int suppressed = 0, failed = 0;
  for (const auto& f : r.findings) {
    if (f.id != "VGL-DC-001" && f.id != "VGL-DC-004") continue;
    if (f.status == "suppressed") {
      ++suppressed;
      EXPECT_EQ(f.location.resource, "ComposeService/a");
    } else {
      ++failed;
      EXPECT_EQ(f.location.resource, "ComposeService/b");
    }
  }
  EXPECT_EQ(suppressed, 2);
  EXPECT_EQ(failed, 1);
}

TEST(DockerdFlags, SystemdUnitWithContinuations) {
  LoadResult lr = LoadDockerdFlags(
      "[Service]\n"
      "ExecStart=/usr/bin/dockerd -H fd:// \\\n"
      "   -H tcp://0.0.0.0:2375 --icc=false \\\n"
      "   --log-opt max-size=10m --log-opt max-file=3 \\\n"
      "   --default-ulimit nofile=1024:2048 --live-restore \\\n"
      "   --insecure-registry \"reg.local:5000\" -l debug\n",
      "docker.service");
  ASSERT_TRUE(lr.error.ok()) << lr.error;
  ASSERT_EQ(lr.documents.size(), 1u);
  const Node& root = lr.documents[0].root;
  ASSERT_TRUE(root.IsMap());
  const Node* hosts = root.Get("hosts");
  ASSERT_NE(hosts, nullptr);
  ASSERT_TRUE(hosts->IsSeq());
  ASSERT_EQ(hosts->seq().size(), 2u);
  EXPECT_EQ(hosts->seq()[1].scalar(), "tcp://0.0.0.0:2375");
  EXPECT_EQ(hosts->seq()[1].line(), 3);
  EXPECT_EQ(root.Get("icc")->AsBool(), false);
  EXPECT_EQ(root.KeyLine("icc"), 3);
  EXPECT_EQ(root.Find("log-opts.max-size")->scalar(), "10m");
  EXPECT_EQ(root.Find("log-opts.max-file")->scalar(), "3");
  EXPECT_EQ(root.Find("default-ulimits.nofile")->scalar(), "1024:2048");
  EXPECT_EQ(root.Get("live-restore")->AsBool(), true);
  EXPECT_EQ(root.Get("insecure-registries")->seq()[0].scalar(), "reg.local:5000");
  EXPECT_EQ(root.Get("log-level")->scalar(), "debug");
  EXPECT_EQ(root.KeyLine("log-level"), 6);
}

TEST(DockerdFlags, DropInResetAndLastWins) {
  LoadResult lr = LoadDockerdFlags(
      "[Service]\n"
      "ExecStart=\n"
      "ExecStart=-/usr/bin/dockerd --userns-remap=default\n",
      "override.conf");
  ASSERT_TRUE(lr.error.ok()) << lr.error;
  EXPECT_EQ(lr.documents[0].root.Get("userns-remap")->scalar(), "default");
  EXPECT_EQ(lr.documents[0].root.Get("hosts"), nullptr);
}

TEST(DockerdFlags, DefaultFileAppends) {
  LoadResult lr = LoadDockerdFlags(
      "DOCKER_OPTS='--icc=false'\n"
      "export DOCKER_OPTS=\"${DOCKER_OPTS} -H tcp://127.0.0.1:2375\"\n",
      "/etc/default/docker");
  ASSERT_TRUE(lr.error.ok()) << lr.error;
  const Node& root = lr.documents[0].root;
  EXPECT_EQ(root.Get("icc")->AsBool(), false);
  EXPECT_EQ(root.Get("hosts")->seq()[0].scalar(), "tcp://127.0.0.1:2375");
  EXPECT_EQ(root.Get("hosts")->seq()[0].line(), 2);
}

TEST(DockerdFlags, Errors) {
  LoadResult open =
      LoadDockerdFlags("[Service]\nExecStart=/usr/bin/dockerd --label \"a\n", "docker.service");
  EXPECT_FALSE(open.error.ok());
  EXPECT_NE(open.error.message().find("docker.service:2: unterminated quote"), std::string::npos)
      << open.error;
  LoadResult none = LoadDockerdFlags("[Service]\nExecStart=/usr/bin/containerd\n", "x.service");
  EXPECT_FALSE(none.error.ok());
  EXPECT_NE(none.error.message().find("x.service:1: no dockerd command line"), std::string::npos);
  EXPECT_TRUE(none.documents.empty());
}

TEST(DockerdFlags, ScannedThroughScanText) {
  report::Report r =
      Scan("/etc/systemd/system/docker.service.d/override.conf",
           "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H tcp://0.0.0.0:2375\n");
  EXPECT_TRUE(r.warnings.empty());
  EXPECT_EQ(Hits(r, "VGL-DKR-005"), std::vector<std::string>{"DockerDaemon/override.conf@3"});
  EXPECT_EQ(Hits(r, "VGL-DKR-001"), std::vector<std::string>{"DockerDaemon/override.conf@3"});
}

TEST(Discovery, DockerHostFiles) {
  EXPECT_EQ(DetectByName("/lib/systemd/system/docker.service"), FileKind::kDockerdFlags);
  EXPECT_EQ(DetectByName("/etc/systemd/system/docker.service.d/override.conf"),
            FileKind::kDockerdFlags);
  EXPECT_EQ(DetectByName("/etc/systemd/system/foo.service.d/override.conf"), FileKind::kUnknown);
  EXPECT_EQ(DetectByName("/etc/default/docker"), FileKind::kDockerdFlags);
  EXPECT_EQ(DetectByName("/etc/sysconfig/docker"), FileKind::kDockerdFlags);
  EXPECT_EQ(DetectByName("/usr/bin/docker"), FileKind::kUnknown);
  auto inspect = LoadYaml("[{\"Id\": \"abc\", \"Name\": \"/x\", \"HostConfig\": {}}]", "i.json");
  ASSERT_TRUE(inspect.ok());
  EXPECT_EQ(DetectByContent(*inspect), FileKind::kContainerInspect);
  auto images =
      LoadYaml("[{\"Id\": \"sha256:abc\", \"RepoTags\": [], \"Config\": {}}]", "images.json");
  ASSERT_TRUE(images.ok());
  EXPECT_EQ(DetectByContent(*images), FileKind::kUnknown);
}

TEST(Inspect, ResourcesAndFindings) {
  std::string text =
      "[\n"
      "  {\"Id\": \"0123456789abcdef\", \"Name\": \"/api\",\n"
      "   \"HostConfig\": {\"Privileged\": true, \"PidMode\": \"host\"}},\n"
      "  {\"Id\": \"fedcba9876543210\", \"Config\": {}, \"HostConfig\": {}},\n"
      "  {\"Id\": \"sha256:0000\", \"Config\": {}},\n"
      "  \"garbage\"\n"
      "]\n";
  auto docs = LoadYaml(text, "inspect.json");
  ASSERT_TRUE(docs.ok());
  std::vector<Resource> rs = ContainerInspectResources((*docs)[0]);
  ASSERT_EQ(rs.size(), 2u);
  EXPECT_EQ(rs[0].Id(), "DockerContainer/api");
  EXPECT_EQ(rs[1].name, "fedcba987654");  // no Name: the short id
  report::Report r = Scan("inspect.json", text);
  EXPECT_EQ(Hits(r, "VGL-DKR-101"), std::vector<std::string>{"DockerContainer/api@3"});
  EXPECT_EQ(Hits(r, "VGL-DKR-107"), std::vector<std::string>{"DockerContainer/api@3"});
}

TEST(Helpers, Ports) {
  docker::PortSpec p = docker::ParsePort("127.0.0.1:80:8080/tcp");
  EXPECT_TRUE(p.valid);
  EXPECT_EQ(p.ip, "127.0.0.1");
  EXPECT_EQ(p.host_lo, 80);
  EXPECT_EQ(p.container_lo, 8080);
  p = docker::ParsePort("9000-9091:8080-8081");
  EXPECT_TRUE(p.valid);
  EXPECT_EQ(p.host_lo, 9000);
  EXPECT_EQ(p.host_hi, 9091);
  p = docker::ParsePort("[::1]:2375:2375");
  EXPECT_TRUE(p.valid);
  EXPECT_EQ(p.ip, "::1");
  p = docker::ParsePort("127.0.0.1::5000");
  EXPECT_TRUE(p.valid);
  EXPECT_EQ(p.host_lo, 0);
  p = docker::ParsePort("3000");
  EXPECT_TRUE(p.valid);
  EXPECT_FALSE(p.published);
  EXPECT_FALSE(docker::ParsePort("a:b:c:d").valid);
  EXPECT_FALSE(docker::ParsePort("80-70").valid);
}

TEST(Helpers, PathsCapsSecrets) {
  EXPECT_TRUE(docker::IsSensitiveHostPath("/"));
  EXPECT_TRUE(docker::IsSensitiveHostPath("/etc/"));
  EXPECT_TRUE(docker::IsSensitiveHostPath("/var/lib/kubelet"));
  EXPECT_FALSE(docker::IsSensitiveHostPath("/etcetera"));
  EXPECT_FALSE(docker::IsSensitiveHostPath("./etc"));
  EXPECT_FALSE(docker::IsSensitiveHostPath("/srv/app"));
  EXPECT_TRUE(docker::IsDockerSocketPath("/var/run/docker.sock"));
  EXPECT_TRUE(docker::IsDockerSocketPath("/run/"));
  EXPECT_FALSE(docker::IsDockerSocketPath("/run/user/1000"));
  EXPECT_EQ(docker::NormalizeCap("cap_sys_admin"), "SYS_ADMIN");
  EXPECT_TRUE(docker::IsDangerousCap("ALL"));
  EXPECT_FALSE(docker::IsDangerousCap("CHOWN"));
  EXPECT_TRUE(SecretLikeName("DB_PASSWORD"));
  EXPECT_TRUE(SecretLikeName("aws_secret_access_key"));
  EXPECT_FALSE(SecretLikeName("DB_PASSWORD_FILE"));
  EXPECT_FALSE(SecretLikeName("KEYBOARD_LAYOUT"));
  EXPECT_TRUE(docker::IsReferenceValue("${TOKEN}"));
  EXPECT_FALSE(docker::IsReferenceValue("hunter2"));
  std::string why;
  EXPECT_FALSE(docker::ImageIsPinned("localhost:5000/app", &why));
  EXPECT_EQ(why, "untagged (pulls latest)");
  EXPECT_TRUE(docker::ImageIsPinned("localhost:5000/app:1.0", &why));
  docker::VolumeSpec v = docker::ParseVolume("/var/run/docker.sock:/sock:ro");
  EXPECT_TRUE(v.host_path);
  EXPECT_EQ(v.mode, "ro");
  EXPECT_FALSE(docker::ParseVolume("data:/data").host_path);
  EXPECT_TRUE(docker::ParseVolume("/anonymous").host.empty());
}

}  // namespace
}  // namespace vigil::config
