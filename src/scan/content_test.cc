// The content walk over in-memory images and trees with the real built-in secret rules (and
// the real YARA scanner when this build has it): layer attribution, deleted files, the image
// config's pseudo-files, the thread pool's inline fallback, and the heuristics' capture set.
#include "scan/content.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "image/test_util.h"
#include "secrets/rules.h"

namespace vigil::scan {
namespace {

using image::testing::File;
using image::testing::MakeTar;
using image::testing::MemImageSource;

// A synthetic GitHub token: the right alphabet and length, not a credential.
const std::string kToken = "ghp_" + std::string("Zq7Rm2Xk9Lp4Wn8Tb3Vc6Hd1Jf5Gs0Ya2Ue7");

const secrets::SecretScanner& Scanner() {
  static const auto* scanner = [] {
    auto s = secrets::SecretScanner::Create(secrets::BuiltinRules());
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? s->release() : nullptr;
  }();
  return *scanner;
}

std::set<std::tuple<std::string, std::string, int, std::string>> Keys(const report::Report& r) {
  std::set<std::tuple<std::string, std::string, int, std::string>> out;
  for (const report::Finding& f : r.findings) {
    out.emplace(f.id, f.location.path, f.location.line, f.location.layer);
  }
  return out;
}

TEST(ContentScan, LayerFilesAndDeletedFilesNameTheirLayer) {
  std::string env = "NODE_ENV=production\nGITHUB_TOKEN=" + kToken + "\n";
  std::string layer1 = MakeTar({File("app/.env", env), File("app/readme.txt", "nothing here\n")});
  std::string layer2 = MakeTar({File("app/.wh..env", ""), File("srv/deploy.sh", "echo " + kToken)});
  for (int threads : {1, 2}) {
    MemImageSource source({layer1, layer2}, image::Compression::kGzip);
    auto resolved = source.Resolve(image::Platform());
    ASSERT_TRUE(resolved.ok());
    ContentScanOptions options;
    options.secrets = &Scanner();
    options.threads = threads;
    ContentStats stats;
    auto report = ScanImageSourceContent(source, TargetOptions{}, options, &stats);
    ASSERT_TRUE(report.ok()) << report.status();
    const std::string d0 = resolved->layers[0].diff_id, d1 = resolved->layers[1].diff_id;
    EXPECT_EQ(Keys(*report),
              (std::set<std::tuple<std::string, std::string, int, std::string>>{
                  {"github-pat", "/app/.env", 2, d0}, {"github-pat", "/srv/deploy.sh", 1, d1}}));
    EXPECT_EQ(stats.files, 3u);
    for (const report::Finding& f : report->findings) {
      EXPECT_EQ(f.kind, report::FindingKind::kSecret);
      EXPECT_EQ(f.match.find(kToken), std::string::npos) << "secret printed in full";
    }
  }
}

TEST(ContentScan, LargeFilesAreCountedNotRead) {
  std::string big(11u << 20, 'a');
  MemImageSource source({MakeTar({File("big.txt", big), File("small.txt", kToken)})},
                        image::Compression::kNone);
  ContentScanOptions options;
  options.secrets = &Scanner();
  ContentStats stats;
  auto report = ScanImageSourceContent(source, TargetOptions{}, options, &stats);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(stats.files, 1u);
  EXPECT_EQ(stats.skipped_large, 1u);
  EXPECT_EQ(report->findings.size(), 1u);
  EXPECT_TRUE(std::any_of(report->warnings.begin(), report->warnings.end(),
                          [](const std::string& w) { return w.find("not read") != w.npos; }));
}

TEST(ContentScan, CorruptLayerIsAnErrorNamingIt) {
  MemImageSource source({MakeTar({File("a.txt", kToken)})}, image::Compression::kGzip);
  source.blobs()[0].resize(source.blobs()[0].size() / 2);
  ContentScanOptions options;
  options.secrets = &Scanner();
  auto report = ScanImageSourceContent(source, TargetOptions{}, options);
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find("layer 0"), std::string::npos)
      << report.status().message();
}

TEST(ContentScan, TreeScan) {
  MemFileSystem fs;
  fs.AddFile("/home/u/.env", "X=1\nGITHUB_TOKEN=" + kToken + "\n");
  fs.AddFile("/proc/1/environ", "GITHUB_TOKEN=" + kToken);  // pseudo filesystem: skipped
  fs.AddFile("/etc/hosts", "127.0.0.1 localhost\n");
  ContentScanOptions options;
  options.secrets = &Scanner();
  ContentStats stats;
  auto report = ScanTreeContent(fs, options, &stats);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(Keys(*report), (std::set<std::tuple<std::string, std::string, int, std::string>>{
                               {"github-pat", "/home/u/.env", 2, ""}}));
  EXPECT_EQ(stats.files, 2u);
}

TEST(ContentScan, ImageConfigPseudoFiles) {
  std::string config = R"({
    "config": {"Env": ["PATH=/usr/bin", "GITHUB_TOKEN=)" +
                       kToken + R"("],
               "Labels": {"a.plain": "x", "b.token": ")" +
                       kToken + R"("}},
    "rootfs": {"type": "layers", "diff_ids": ["sha256:l0", "sha256:l1"]},
    "history": [
      {"created_by": "ADD rootfs.tar /"},
      {"created_by": "ENV X=)" +
                       kToken + R"(", "empty_layer": true},
      {"created_by": "RUN echo )" +
                       kToken + R"( > /t"}
    ]})";
  auto findings = ScanImageConfigSecrets(config, Scanner());
  ASSERT_TRUE(findings.ok()) << findings.status();
  report::Report r;
  r.findings = *findings;
  EXPECT_EQ(Keys(r), (std::set<std::tuple<std::string, std::string, int, std::string>>{
                         {"github-pat", "image-config:ENV", 2, ""},
                         {"github-pat", "image-config:LABEL", 2, ""},
                         {"github-pat", "image-config:history", 2, ""},
                         {"github-pat", "image-config:history", 3, "sha256:l1"}}));
  EXPECT_FALSE(ScanImageConfigSecrets("[1, 2", Scanner()).ok());
  EXPECT_TRUE(
      ScanImageConfigSecrets(R"({"config": {"Env": [1, null]}, "history": 3})", Scanner()).ok());
}

TEST(ContentScan, HeuristicsCaptureSet) {
  FileInfo plain;
  plain.mode = 0644;
  FileInfo setuid;
  setuid.mode = 04755;
  EXPECT_TRUE(HeuristicsWantContent("/usr/bin/su", setuid));
  EXPECT_FALSE(HeuristicsWantContent("/usr/bin/ls", plain));
  EXPECT_TRUE(HeuristicsWantContent("/var/lib/dpkg/info/bash.list", plain));
  EXPECT_TRUE(HeuristicsWantContent("/etc/cron.d/job", plain));
  EXPECT_TRUE(HeuristicsWantContent("/etc/ld.so.preload", plain));
  EXPECT_TRUE(HeuristicsWantContent("/tmp/x", plain));
  EXPECT_TRUE(HeuristicsWantContent("/root/.cache/m", plain));
  EXPECT_TRUE(HeuristicsWantContent("/.hidden/m", plain));
  EXPECT_FALSE(HeuristicsWantContent("/.dockerenv", plain));
  EXPECT_FALSE(HeuristicsWantContent("/usr/share/.x/m", plain));
}

// With the real YARA scanner (when this build has it): the EICAR test file is found in the
// same walk as a secret, each naming its layer.
TEST(ContentScan, MalwareInTheSameWalk) {
  auto malware = malware::MalwareScanner::Create(malware::MalwareOptions{});
  if (!malware.ok()) GTEST_SKIP() << "malware scanner not available: " << malware.status();
  const std::string eicar =
      std::string("X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*");
  MemImageSource source({MakeTar({File("tmp/eicar.com", eicar), File("a.env", "T=" + kToken)})},
                        image::Compression::kGzip);
  auto resolved = source.Resolve(image::Platform());
  ASSERT_TRUE(resolved.ok());
  ContentScanOptions options;
  options.secrets = &Scanner();
  options.malware = malware->get();
  auto report = ScanImageSourceContent(source, TargetOptions{}, options);
  ASSERT_TRUE(report.ok()) << report.status();
  int malware_findings = 0, secret_findings = 0;
  for (const report::Finding& f : report->findings) {
    if (f.kind == report::FindingKind::kMalware) {
      ++malware_findings;
      EXPECT_EQ(f.location.path, "/tmp/eicar.com");
      EXPECT_EQ(f.location.layer, resolved->layers[0].diff_id);
    }
    if (f.kind == report::FindingKind::kSecret) ++secret_findings;
  }
  EXPECT_GE(malware_findings, 1);
  EXPECT_EQ(secret_findings, 1);
}

}  // namespace
}  // namespace vigil::scan
