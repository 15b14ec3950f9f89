#include "config/scan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "base/strings.h"
#include "base/test_paths.h"
#include "config/check.h"
#include "config/discovery.h"
#include "config/suppress.h"

namespace vigil::config {
namespace {

constexpr const char* kPrivilegedPod =
    "apiVersion: v1\n"
    "kind: Pod\n"
    "metadata:\n"
    "  name: p\n"
    "  namespace: web\n"
    "spec:\n"
    "  containers:\n"
    "  - name: c\n"
    "    image: nginx\n"
    "    securityContext:\n"
    "      privileged: true\n";

std::vector<report::Finding> WithId(const report::Report& r, const std::string& id) {
  std::vector<report::Finding> out;
  for (const auto& f : r.findings) {
    if (f.id == id) out.push_back(f);
  }
  return out;
}

TEST(ScanPaths, FindsPrivilegedAtLine) {
  MemFileSystem fs;
  fs.AddFile("/k8s/pod.yaml", kPrivilegedPod);
  auto report = ScanPaths(fs, {"/k8s"}, ScanOptions{});
  ASSERT_TRUE(report.ok()) << report.status();
  auto f = WithId(*report, "VGL-K8S-001");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].location.path, "/k8s/pod.yaml");
  EXPECT_EQ(f[0].location.line, 11);
  EXPECT_EQ(f[0].location.resource, "Pod/web/p");
  EXPECT_EQ(f[0].kind, report::FindingKind::kMisconfig);
  EXPECT_EQ(f[0].status, "fail");
  EXPECT_FALSE(f[0].remediation.empty());
  EXPECT_EQ(f[0].controls[0], "pss-baseline/privileged");
}

TEST(ScanPaths, StandardsFilter) {
  MemFileSystem fs;
  fs.AddFile("/pod.yaml", kPrivilegedPod);
  ScanOptions opts;
  opts.standards = {"pss-baseline"};
  auto report = ScanPaths(fs, {"/pod.yaml"}, opts);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(WithId(*report, "VGL-K8S-014").empty());  // restricted-only
  EXPECT_EQ(WithId(*report, "VGL-K8S-001").size(), 1u);
  opts.standards = {"no-such"};
  EXPECT_FALSE(ScanPaths(fs, {"/pod.yaml"}, opts).ok());
}

TEST(ScanPaths, MalformedFileIsAWarningWithLine) {
  MemFileSystem fs;
  fs.AddFile("/d/bad.yaml", "apiVersion: v1\nkind: Pod\nspec: [\n");
  fs.AddFile("/d/Dockerfile", "FROM debian:12.5\nRUN <<EOF\necho never terminated\n");
  auto report = ScanPaths(fs, {"/d"}, ScanOptions{});
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->warnings.size(), 2u);
  EXPECT_NE(report->warnings[0].find("/d/Dockerfile:2: heredoc"), std::string::npos)
      << report->warnings[0];
  EXPECT_NE(report->warnings[1].find("/d/bad.yaml:"), std::string::npos) << report->warnings[1];
}

TEST(ScanPaths, MissingPathIsAWarning) {
  MemFileSystem fs;
  auto report = ScanPaths(fs, {"/nope"}, ScanOptions{});
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->warnings.size(), 1u);
}

TEST(ScanPaths, DocumentsBeforeAnErrorAreChecked) {
  MemFileSystem fs;
  fs.AddFile("/m.yaml", std::string(kPrivilegedPod) + "---\nkind: [\n");
  fs.AddFile("/notes.yaml", "just: data\n");
  auto report = ScanPaths(fs, {"/m.yaml", "/notes.yaml"}, ScanOptions{});
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(WithId(*report, "VGL-K8S-001").size(), 1u);
  ASSERT_EQ(report->warnings.size(), 2u);
  EXPECT_NE(report->warnings[0].find("/m.yaml:14:1: invalid YAML"), std::string::npos)
      << report->warnings[0];
  EXPECT_NE(report->warnings[1].find("not a recognised"), std::string::npos);
}

TEST(ScanPaths, VersionGate) {
  MemFileSystem fs;
  fs.AddFile("/p.yaml",
             "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  os: {name: windows}\n"
             "  securityContext: {runAsNonRoot: true}\n  containers:\n  - name: c\n");
  ScanOptions opts;
  auto latest = ScanPaths(fs, {"/p.yaml"}, opts);
  ASSERT_TRUE(latest.ok());
  EXPECT_TRUE(WithId(*latest, "VGL-K8S-012").empty());  // windows pods exempt since v1.25
  opts.k8s_version = "v1.24";
  auto old = ScanPaths(fs, {"/p.yaml"}, opts);
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(WithId(*old, "VGL-K8S-012").size(), 1u);
}

TEST(ScanPaths, BadVersion) {
  MemFileSystem fs;
  ScanOptions opts;
  opts.k8s_version = "banana";
  EXPECT_FALSE(ScanPaths(fs, {"/"}, opts).ok());
}

TEST(ScanPaths, RealTree) {
  RealFileSystem fs(test_paths::SourceDir());
  auto report = ScanPaths(fs, {"/testdata/config/pss"}, ScanOptions{});
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->warnings.empty()) << report->warnings[0];
  EXPECT_GT(report->findings.size(), 50u);
  for (const auto& f : report->findings) {
    EXPECT_TRUE(StartsWith(f.location.path, "/testdata/config/pss/")) << f.location.path;
    EXPECT_GT(f.location.line, 0) << f.id << " " << f.location.path;
  }
}

TEST(Suppression, AnnotationInlineAndOption) {
  MemFileSystem fs;
  fs.AddFile("/a.yaml",
             "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  annotations:\n"
             "    vigil.dev/ignore: \"VGL-K8S-002,VGL-K8S-014 host agent\"\n"
             "spec:\n  hostPID: true\n  containers:\n  - name: c\n    securityContext:\n"
             "      # vigil:ignore=VGL-K8S-001 needs devices\n"
             "      privileged: true\n"
             "      capabilities: {add: [SYS_ADMIN]}  # vigil:ignore=VGL-K8S-005 fuse\n"
             "      runAsUser: 0\n");
  ScanOptions opts;
  opts.ignore_ids = {"VGL-K8S-015"};
  auto report = ScanPaths(fs, {"/a.yaml"}, opts);
  ASSERT_TRUE(report.ok());
  for (const char* id :
       {"VGL-K8S-001", "VGL-K8S-002", "VGL-K8S-005", "VGL-K8S-014", "VGL-K8S-015"}) {
    auto f = WithId(*report, id);
    ASSERT_FALSE(f.empty()) << id;
    for (const auto& x : f) EXPECT_EQ(x.status, "suppressed") << id;
  }
  auto seccomp = WithId(*report, "VGL-K8S-016");
  ASSERT_EQ(seccomp.size(), 1u);
  EXPECT_EQ(seccomp[0].status, "fail");
  int suppressed = 0;
  for (const auto& f : report->findings) suppressed += f.status == "suppressed";
  EXPECT_GE(suppressed, 5);
  EXPECT_EQ(report->Summarize().suppressed, suppressed);
}

TEST(Suppression, ParseValue) {
  IgnoreRule r = ParseIgnoreValue(" A,B  because reasons ");
  EXPECT_EQ(r.ids, (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(r.reason, "because reasons");
  auto inline_rules =
      ParseInlineIgnores("x: \"#\" # vigil:ignore=X why\ny: 1 # not vigil:ignore=Y\n");
  ASSERT_EQ(inline_rules.size(), 1u);
  EXPECT_EQ(inline_rules.begin()->first, 1);
}

TEST(Discovery, DetectByName) {
  EXPECT_EQ(DetectByName("/a/Dockerfile"), FileKind::kDockerfile);
  EXPECT_EQ(DetectByName("/a/api.Dockerfile"), FileKind::kDockerfile);
  EXPECT_EQ(DetectByName("/a/Dockerfile.prod"), FileKind::kDockerfile);
  EXPECT_EQ(DetectByName("/a/docker-compose.override.yml"), FileKind::kCompose);
  EXPECT_EQ(DetectByName("/a/compose.yaml"), FileKind::kCompose);
  EXPECT_EQ(DetectByName("/etc/docker/daemon.json"), FileKind::kDaemonJson);
  EXPECT_EQ(DetectByName("/a/deploy.yaml"), FileKind::kUnknown);
}

TEST(Discovery, DetectByContent) {
  auto compose = LoadYaml("services:\n  web: {image: nginx}\n", "x.yml");
  ASSERT_TRUE(compose.ok());
  EXPECT_EQ(DetectByContent(*compose), FileKind::kCompose);
  auto kubelet =
      LoadYaml("apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n", "k.yaml");
  ASSERT_TRUE(kubelet.ok());
  EXPECT_EQ(DetectByContent(*kubelet), FileKind::kKubeletConfig);
}

TEST(Registry, IndexesByKindAndRejectsDuplicates) {
  auto reg = BuiltinRegistry();
  ASSERT_TRUE(reg.ok());
  auto applies = [](const Check* c, const std::string& kind) {
    const auto& kinds = c->info().applies_to;
    return std::find(kinds.begin(), kinds.end(), kind) != kinds.end() ||
           std::find(kinds.begin(), kinds.end(), "*") != kinds.end();
  };
  // Every check returned for a kind applies to it, and every per-object check applying to
  // it is returned; cross-resource checks are never returned by ChecksFor.
  for (const std::string kind : {"Deployment", "ConfigMap", "ClusterRole", "NoSuchKind"}) {
    size_t expected = 0;
    for (const auto& c : (*reg)->all()) expected += !c->cross_resource() && applies(c.get(), kind);
    const auto& got = (*reg)->ChecksFor(kind);
    EXPECT_EQ(got.size(), expected) << kind;
    for (const Check* c : got) {
      EXPECT_TRUE(applies(c, kind)) << c->info().id << " " << kind;
      EXPECT_FALSE(c->cross_resource()) << c->info().id;
    }
  }
  EXPECT_GE((*reg)->ChecksFor("Deployment").size(), 17u);
  EXPECT_FALSE((*reg)->cross_resource().empty());
  EXPECT_NE((*reg)->Find("VGL-K8S-017"), nullptr);
  EXPECT_NE((*reg)->Find("VGL-K8S-093"), nullptr);  // cross-resource checks are found too
}

TEST(K8sVersion, Parse) {
  auto v = ParseK8sVersion("v1.24");
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->AtLeast(1, 25));
  EXPECT_TRUE(v->AtLeast(1, 24));
  EXPECT_TRUE(ParseK8sVersion("latest")->AtLeast(1, 99));
  EXPECT_TRUE(ParseK8sVersion("1.30.2").ok());
  EXPECT_FALSE(ParseK8sVersion("2.1").ok());
}

}  // namespace
}  // namespace vigil::config
