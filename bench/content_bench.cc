// Benchmark (label slow): the secret + malware content scan of the big benchmark image
// (bench/make_big_image.sh: Debian bookworm with a toolchain, ~670 MiB uncompressed, built by
// `make bench` under $VIGIL_BUILD_DIR/fixtures/big-image) against the plain decompress-and-walk
// of the same image in the same run: every layer walked with the same pipelined walker and
// every regular file's bytes read, nothing scanned. Issue 7's target: the scan keeps >= 0.5x
// the walk's throughput. Runs alternate (walk, scan, walk, scan, ...) and the ratio is the
// median of each pair's own ratio, which cancels most of a shared machine's drift; the CPU
// seconds of both are printed too (they do not depend on the machine's load). The
// scanners' one-time compile (Hyperscan database, YARA rules) is measured and printed apart:
// every `vigil image` run pays it once, whatever the image's size.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "image/blob.h"
#include "image/layer.h"
#include "image/open.h"
#include "malware/scanner.h"
#include "scan/content.h"
#include "secrets/scanner.h"

namespace vigil::scan {
namespace {

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// CPU seconds of this process, all threads: unlike wall time it does not depend on what
// else the (shared) machine runs.
double Cpu() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// The baseline: decompress and walk every layer, reading every regular file up to `limit`
// (what the content scan reads), on the same pipelined walker. Returns uncompressed bytes.
StatusOr<uint64_t> WalkOnly(const std::string& ref, uint64_t limit, uint64_t* read_bytes) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<image::ImageSource> source, image::OpenImage(ref));
  VIGIL_ASSIGN_OR_RETURN(image::ResolvedImage resolved, source->Resolve(image::Platform()));
  uint64_t total = 0;
  std::string buffer;
  for (size_t i = 0; i < resolved.layers.size(); ++i) {
    image::WalkStats stats;
    VIGIL_RETURN_IF_ERROR(image::WalkLayer(
        *source, resolved, i, image::WalkOptions{},
        [&](const image::LayerEntry& e, image::BlobReader* content) -> Status {
          if (e.kind != image::EntryKind::kRegular || content == nullptr || e.info.size > limit) {
            return OkStatus();
          }
          VIGIL_ASSIGN_OR_RETURN(buffer, image::ReadAll(*content, limit, e.info.size));
          *read_bytes += buffer.size();
          return OkStatus();
        },
        &stats));
    total += stats.uncompressed_bytes;
  }
  return total;
}

TEST(ContentBench, SecretAndMalwareScanVsWalk) {
  const char* build = std::getenv("VIGIL_BUILD_DIR");
  std::string fixture = std::string(build ? build : ".") + "/fixtures/big-image";
  if (FILE* f = std::fopen((fixture + "/.complete-v1").c_str(), "r")) {
    std::fclose(f);
  } else {
    GTEST_SKIP() << "benchmark image missing (" << fixture
                 << "); run 'make bench' (bench/make_big_image.sh builds it with mmdebstrap)";
  }
  const std::string ref = "oci:" + fixture + "/oci:big";

  double t0 = Now();
  // DB_CACHE=DIR caches the compiled Hyperscan databases there, as `vigil image` does under
  // its cache dir (the compile is then not repeated under callgrind).
  const std::string db_cache = std::getenv("DB_CACHE") ? std::getenv("DB_CACHE") : "";
  secrets::ScanOptions secret_options;
  if (!db_cache.empty()) secret_options.db_cache_dir = db_cache + "/secrets";
  auto secret_scanner = secrets::SecretScanner::Create(secrets::BuiltinRules(), secret_options);
  double secrets_compile = Now() - t0;
  ASSERT_TRUE(secret_scanner.ok()) << secret_scanner.status();
  t0 = Now();
  // PREFILTER=0 scans every file with YARA (the state before malware/prefilter.h).
  malware::MalwareOptions malware_options;
  if (const char* p = std::getenv("PREFILTER")) malware_options.prefilter = std::atoi(p) != 0;
  if (!db_cache.empty()) malware_options.db_cache_dir = db_cache + "/malware";
  auto malware_scanner = malware::MalwareScanner::Create(malware_options);
  double malware_compile = Now() - t0;
  ContentScanOptions options;
  // THREADS=N overrides the scanning threads (default: one per core).
  if (const char* t = std::getenv("THREADS")) options.threads = std::atoi(t);
  options.secrets = secret_scanner->get();
  options.heuristics = true;
  if (malware_scanner.ok()) {
    options.malware = malware_scanner->get();
  } else {
    std::printf("malware scanner unavailable (%s): secrets and heuristics only\n",
                malware_scanner.status().message().c_str());
  }
  uint64_t limit = (*secret_scanner)->options().max_file_size;
  if (options.malware != nullptr) limit = std::max(limit, options.malware->options().max_file_size);

  const int runs = std::getenv("RUNS") ? std::atoi(std::getenv("RUNS")) : 3;
  std::vector<double> walk_s, scan_s, ratio, walk_cpu, scan_cpu;
  uint64_t uncompressed = 0, read_bytes = 0;
  ContentStats stats;
  size_t findings = 0;
  // ONLY=walk|scan|none runs one side (or neither): for instruction counts under callgrind,
  // which cannot split one process's threads by phase. The ratio is then not checked.
  const std::string only = std::getenv("ONLY") ? std::getenv("ONLY") : "";
  if (!only.empty()) {
    if (only == "walk" || only == "scan") {
      ContentStats one;
      uint64_t bytes = 0;
      Status st = only == "walk" ? WalkOnly(ref, limit, &bytes).status()
                                 : ScanImageContent(ref, TargetOptions{}, options, &one).status();
      ASSERT_TRUE(st.ok()) << st;
    }
    std::printf("ONLY=%s done\n", only.c_str());
    return;
  }
  for (int run = 0; run < std::max(runs, 1); ++run) {
    read_bytes = 0;
    t0 = Now();
    double c0 = Cpu();
    auto walked = WalkOnly(ref, limit, &read_bytes);
    walk_s.push_back(Now() - t0);
    walk_cpu.push_back(Cpu() - c0);
    ASSERT_TRUE(walked.ok()) << walked.status();
    uncompressed = *walked;

    stats = ContentStats{};
    TargetOptions target;
    t0 = Now();
    c0 = Cpu();
    auto report = ScanImageContent(ref, target, options, &stats);
    scan_s.push_back(Now() - t0);
    scan_cpu.push_back(Cpu() - c0);
    ASSERT_TRUE(report.ok()) << report.status();
    findings = report->findings.size();
    ratio.push_back(walk_s.back() / scan_s.back());
  }
  const double mib = static_cast<double>(uncompressed) / (1 << 20);
  std::printf("image: %.0f MiB uncompressed, %llu files / %.0f MiB read by both; median of %d\n",
              mib, static_cast<unsigned long long>(stats.files),
              static_cast<double>(read_bytes) / (1 << 20), runs);
  std::printf("compile once: secret rules %.2f s, YARA rules %.2f s\n", secrets_compile,
              malware_compile);
  if (options.malware != nullptr) {
    std::printf("YARA prefilter %s: %llu files to YARA, %llu skipped (all runs)\n",
                options.malware->prefilter_active() ? "on" : "off",
                static_cast<unsigned long long>(options.malware->yara_scans()),
                static_cast<unsigned long long>(options.malware->prefiltered_files()));
  }
  std::printf("decompress + walk (read every file) : %6.2f s  %7.1f MiB/s  CPU %6.2f s\n",
              Median(walk_s), mib / Median(walk_s), Median(walk_cpu));
  std::printf(
      "secret + malware scan of the same   : %6.2f s  %7.1f MiB/s  CPU %6.2f s  (%zu findings)\n",
      Median(scan_s), mib / Median(scan_s), Median(scan_cpu), findings);
  std::printf("scan throughput / walk throughput   : %.2fx (target >= 0.50x); per run:",
              Median(ratio));
  for (double r : ratio) std::printf(" %.2f", r);
  std::printf("\n");
#ifdef NDEBUG
  EXPECT_GE(Median(ratio), 0.5);
#endif
}

}  // namespace
}  // namespace vigil::scan
