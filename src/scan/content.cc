#include "scan/content.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>

#include "base/strings.h"
#include "fmt/format.h"
#include "image/layer.h"
#include "image/layered.h"
#include "image/open.h"
#include "malware/heuristics.h"
#include "nlohmann/json.hpp"
#include "secrets/fs_scan.h"

namespace vigil::scan {
namespace {

// Files kept whole for the heuristics are small (package lists, setuid binaries, cron
// tables); files in temporary and hidden directories are kept only as far as the heuristics
// look into them (the ELF or #! magic), so a large cache under /root/.cache costs nothing.
constexpr size_t kMagicPrefix = 4096;

bool InTempOrHiddenDir(std::string_view path) {
  for (std::string_view dir : {"/tmp/", "/var/tmp/", "/dev/shm/"}) {
    if (StartsWith(path, dir)) return true;
  }
  // A hidden directory directly under / or /root (/.x/..., /root/.x/...).
  std::string_view rest = path;
  if (StartsWith(rest, "/root/")) rest.remove_prefix(5);
  return rest.size() > 2 && rest[0] == '/' && rest[1] == '.' &&
         rest.find('/', 1) != std::string_view::npos;
}

// One file read by the walk, waiting to be scanned.
struct WorkItem {
  size_t layer = 0;  // index into the pool's layer names
  std::string path;
  std::string data;
};

// Scanning threads fed by the walk through a queue bounded in bytes. The secret and malware
// scanners are thread-safe (each Scan borrows its own scratch), so workers share them.
// Findings are collected per worker and merged at Finish (the caller sorts them).
class ScanPool {
 public:
  ScanPool(const ContentScanOptions& options, std::vector<std::string> layer_names)
      : options_(options), layer_names_(std::move(layer_names)) {
    int n = options.threads;
    // One per core: the walk's own threads block whenever the queue is full, so scanning
    // may use every core (measured on 2 cores: 2 threads 0.47x of the walk, 1 thread 0.32x).
    if (n <= 0) n = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    results_.resize(n);
    for (int i = 0; i < n; ++i) {
      try {
        threads_.emplace_back([this, i] { Run(i); });
      } catch (const std::system_error&) {
        break;  // fewer threads; with none, Push scans on the caller's thread
      }
    }
  }
  ~ScanPool() { Finish(); }
  ScanPool(const ScanPool&) = delete;
  ScanPool& operator=(const ScanPool&) = delete;

  // Blocks while the queue holds more than max_queued_bytes (one item always fits).
  void Push(WorkItem item) {
    if (threads_.empty()) {
      ScanOne(item, results_[0]);
      return;
    }
    std::unique_lock<std::mutex> lock(mu_);
    not_full_.wait(lock, [&] {
      return queue_.empty() || queued_bytes_ + item.data.size() <= options_.max_queued_bytes;
    });
    queued_bytes_ += item.data.size();
    queue_.push_back(std::move(item));
    not_empty_.notify_one();
  }

  // Waits until every queued file is scanned and joins the workers. Idempotent.
  void Finish() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      closed_ = true;
    }
    not_empty_.notify_all();
    for (std::thread& t : threads_) t.join();
    threads_.clear();
  }

  // After Finish: every finding, and the secret scanner's and YARA's counters.
  void TakeResults(std::vector<report::Finding>* findings, std::vector<std::string>* warnings,
                   ContentStats* stats) {
    for (Result& r : results_) {
      for (report::Finding& f : r.findings) findings->push_back(std::move(f));
      stats->malware_errors += r.malware_errors;
      for (std::string& e : r.malware_error_samples) {
        warnings->push_back("malware scan: " + std::move(e));
      }
    }
    if (stats->malware_errors > kMaxErrorSamples) {
      warnings->push_back(fmt::format("malware scan: {} file(s) could not be scanned in all",
                                      stats->malware_errors));
    }
    if (options_.secrets != nullptr) {
      const secrets::ScanOptions& so = options_.secrets->options();
      if (secret_stats_.skipped_large > 0) {
        warnings->push_back(
            fmt::format("secret scan: {} file(s) larger than {} bytes were not scanned",
                        secret_stats_.skipped_large.load(), so.max_file_size));
      }
      if (secret_stats_.truncated > 0) {
        warnings->push_back(
            fmt::format("secret scan: {} file(s) hit the limit of {} findings per file",
                        secret_stats_.truncated.load(), so.max_matches_per_file));
      }
    }
  }

 private:
  static constexpr uint64_t kMaxErrorSamples = 5;

  struct Result {
    std::vector<report::Finding> findings;
    std::vector<secrets::SecretMatch> secret_matches;
    std::vector<malware::MalwareMatch> malware_matches;
    uint64_t malware_errors = 0;
    std::vector<std::string> malware_error_samples;
  };

  void Run(int worker) {
    Result& result = results_[worker];
    for (;;) {
      WorkItem item;
      {
        std::unique_lock<std::mutex> lock(mu_);
        not_empty_.wait(lock, [&] { return closed_ || !queue_.empty(); });
        if (queue_.empty()) return;
        item = std::move(queue_.front());
        queue_.pop_front();
        queued_bytes_ -= item.data.size();
      }
      not_full_.notify_one();
      ScanOne(item, result);
    }
  }

  void ScanOne(const WorkItem& item, Result& result) {
    const std::string& layer = layer_names_[item.layer];
    if (const secrets::SecretScanner* s = options_.secrets) {
      if (item.data.size() > s->options().max_file_size) {
        ++secret_stats_.files;
        ++secret_stats_.skipped_large;
      } else if (s->PathAllowlisted(item.path)) {
        ++secret_stats_.files;
        ++secret_stats_.skipped_allowlisted;
      } else {
        result.secret_matches.clear();
        s->Scan(item.path, item.data, &result.secret_matches, &secret_stats_);
        for (const secrets::SecretMatch& m : result.secret_matches) {
          result.findings.push_back(secrets::MakeSecretFinding(*s, m, layer));
        }
      }
    }
    if (const malware::MalwareScanner* m = options_.malware) {
      if (item.data.size() <= m->options().max_file_size) {
        result.malware_matches.clear();
        Status st = m->Scan(item.path, item.data, &result.malware_matches);
        if (!st.ok()) {
          if (++result.malware_errors <= kMaxErrorSamples) {
            result.malware_error_samples.push_back(st.message());
          }
        }
        for (const malware::MalwareMatch& match : result.malware_matches) {
          result.findings.push_back(malware::MakeMalwareFinding(match, layer));
        }
      }
    }
  }

  const ContentScanOptions& options_;
  std::vector<std::string> layer_names_;  // not changed while workers run
  std::vector<Result> results_;           // one per worker, touched only by it
  std::vector<std::thread> threads_;
  secrets::ScanStats secret_stats_;  // atomics: shared by the workers

  std::mutex mu_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<WorkItem> queue_;  // guarded by mu_
  uint64_t queued_bytes_ = 0;   // guarded by mu_
  bool closed_ = false;         // guarded by mu_
};

// The largest file any requested consumer reads; larger files are metadata only.
uint64_t ReadLimit(const ContentScanOptions& scan) {
  uint64_t limit = 0;
  if (scan.secrets != nullptr) limit = std::max(limit, scan.secrets->options().max_file_size);
  if (scan.malware != nullptr) limit = std::max(limit, scan.malware->options().max_file_size);
  if (limit == 0) limit = 16ull << 20;  // heuristics alone
  return limit;
}

bool WantsBytes(const ContentScanOptions& scan) {
  return scan.secrets != nullptr || scan.malware != nullptr;
}

void RunHeuristicsInto(const FileSystem& fs, report::Report* report) {
  std::vector<std::string> unread;
  malware::HeuristicOptions options;
  options.warnings = &unread;
  Status st = malware::RunHeuristics(fs, options, &report->findings);
  if (!st.ok()) report->warnings.push_back("malware heuristics not run: " + st.message());
  for (const std::string& w : unread) report->warnings.push_back("malware heuristics: " + w);
}

}  // namespace

bool HeuristicsWantContent(std::string_view path, const FileInfo& info) {
  if ((info.mode & 06000) != 0) return true;
  for (std::string_view prefix : {"/var/lib/dpkg/", "/lib/apk/db/", "/usr/lib/apk/db/",
                                  "/var/lib/rpm/", "/usr/lib/sysimage/rpm/", "/etc/cron",
                                  "/var/spool/cron/", "/etc/anacrontab", "/etc/ld.so.preload"}) {
    if (StartsWith(path, prefix)) return true;
  }
  return InTempOrHiddenDir(path);
}

StatusOr<std::vector<report::Finding>> ScanImageConfigSecrets(
    std::string_view config_json, const secrets::SecretScanner& scanner) {
  nlohmann::json doc = nlohmann::json::parse(config_json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return InvalidArgumentError("image config: not a JSON object");
  }
  const nlohmann::json& cdoc = doc;
  std::vector<report::Finding> out;
  std::vector<secrets::SecretMatch> matches;
  auto scan = [&](std::string_view pseudo, std::string_view text, int position,
                  const std::string& layer) {
    matches.clear();
    scanner.Scan(pseudo, text, &matches);
    for (const secrets::SecretMatch& m : matches) {
      report::Finding f = secrets::MakeSecretFinding(scanner, m, layer);
      f.location.line = position;
      out.push_back(std::move(f));
    }
  };
  auto config = cdoc.find("config");
  if (config != cdoc.end() && config->is_object()) {
    auto env = config->find("Env");
    if (env != config->end() && env->is_array()) {
      int i = 0;
      for (const nlohmann::json& e : *env) {
        ++i;
        if (e.is_string()) scan("image-config:ENV", e.get_ref<const std::string&>(), i, "");
      }
    }
    auto labels = config->find("Labels");
    if (labels != config->end() && labels->is_object()) {
      int i = 0;
      for (auto it = labels->begin(); it != labels->end(); ++it) {
        ++i;
        if (!it.value().is_string()) continue;
        scan("image-config:LABEL", it.key() + "=" + it.value().get<std::string>(), i, "");
      }
    }
  }
  std::vector<std::string> diff_ids;
  auto rootfs = cdoc.find("rootfs");
  if (rootfs != cdoc.end() && rootfs->is_object()) {
    auto ids = rootfs->find("diff_ids");
    if (ids != rootfs->end() && ids->is_array()) {
      for (const nlohmann::json& id : *ids)
        diff_ids.push_back(id.is_string() ? id.get<std::string>() : "");
    }
  }
  auto history = cdoc.find("history");
  if (history != cdoc.end() && history->is_array()) {
    int i = 0;
    size_t layer = 0;
    for (const nlohmann::json& h : *history) {
      ++i;
      if (!h.is_object()) continue;
      auto empty = h.find("empty_layer");
      bool makes_layer = !(empty != h.end() && empty->is_boolean() && empty->get<bool>());
      std::string layer_id;
      if (makes_layer) {
        if (layer < diff_ids.size()) layer_id = diff_ids[layer];
        ++layer;
      }
      auto created_by = h.find("created_by");
      if (created_by != h.end() && created_by->is_string()) {
        scan("image-config:history", created_by->get_ref<const std::string&>(), i, layer_id);
      }
    }
  }
  return out;
}

StatusOr<report::Report> ScanTreeContent(const FileSystem& fs, const ContentScanOptions& scan,
                                         ContentStats* stats) {
  ContentStats local;
  if (stats == nullptr) stats = &local;
  report::Report report;
  if (WantsBytes(scan)) {
    const uint64_t limit = ReadLimit(scan);
    const std::vector<std::string> skip = {"/proc", "/sys", "/dev"};
    ScanPool pool(scan, {""});
    uint64_t read_errors = 0;
    Status walked = Walk(fs, "/", [&](const std::string& path, const FileInfo& info) {
      if (info.type == FileType::kDirectory) {
        return std::find(skip.begin(), skip.end(), path) == skip.end();
      }
      if (info.type != FileType::kRegular) return true;
      if (info.size > limit) {
        ++stats->skipped_large;
        return true;
      }
      auto content = fs.ReadFile(path, limit);
      if (!content.ok()) {
        ++read_errors;
        return true;
      }
      ++stats->files;
      stats->bytes += content->size();
      pool.Push(WorkItem{0, path, std::move(*content)});
      return true;
    });
    pool.Finish();
    if (!walked.ok()) return walked;
    pool.TakeResults(&report.findings, &report.warnings, stats);
    if (read_errors > 0) {
      report.warnings.push_back(
          fmt::format("content scan: {} file(s) could not be read", read_errors));
    }
    if (stats->skipped_large > 0) {
      report.warnings.push_back(
          fmt::format("content scan: {} file(s) larger than {} bytes were not read",
                      stats->skipped_large, limit));
    }
  }
  if (scan.heuristics) RunHeuristicsInto(fs, &report);
  report::SortFindings(report.findings);
  return report;
}

StatusOr<report::Report> ScanDirectoryContent(const std::string& path,
                                              const ContentScanOptions& scan, ContentStats* stats) {
  VIGIL_ASSIGN_OR_RETURN(Target target, LoadDirectoryTarget(path));
  VIGIL_ASSIGN_OR_RETURN(report::Report report, ScanTreeContent(*target.fs, scan, stats));
  report.target = path;
  report.target_kind = "filesystem";
  return report;
}

StatusOr<report::Report> ScanImageContent(const std::string& ref, const TargetOptions& options,
                                          const ContentScanOptions& scan, ContentStats* stats) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<image::ImageSource> source, OpenImageSource(ref, options));
  VIGIL_ASSIGN_OR_RETURN(report::Report report,
                         ScanImageSourceContent(*source, options, scan, stats));
  report.target = ref;
  return report;
}

StatusOr<report::Report> ScanImageSourceContent(image::ImageSource& source,
                                                const TargetOptions& options,
                                                const ContentScanOptions& scan,
                                                ContentStats* stats) {
  ContentStats local;
  if (stats == nullptr) stats = &local;
  VIGIL_ASSIGN_OR_RETURN(image::ResolvedImage resolved, source.Resolve(options.platform));
  if (auto rootfs = source.Rootfs()) {
    // dir: -- a plain tree, no layers and no config.
    VIGIL_ASSIGN_OR_RETURN(report::Report report, ScanTreeContent(*rootfs, scan, stats));
    report.target = source.Describe();
    report.target_kind = "image";
    return report;
  }
  report::Report report;
  report.target = source.Describe();
  report.target_kind = "image";
  if (scan.secrets != nullptr && !resolved.config_json.empty()) {
    auto config = ScanImageConfigSecrets(resolved.config_json, *scan.secrets);
    if (!config.ok()) return Annotate(config.status(), source.Describe());
    for (report::Finding& f : *config) report.findings.push_back(std::move(f));
  }

  std::vector<std::string> layer_names;
  for (const image::LayerRef& layer : resolved.layers) {
    layer_names.push_back(layer.diff_id.empty() ? layer.digest : layer.diff_id);
  }
  const bool wants_bytes = WantsBytes(scan);
  const uint64_t limit = ReadLimit(scan);
  ScanPool pool(scan, layer_names);
  size_t current_layer = 0;
  // Every regular file up to the read limit is "captured"; the reducer hands its bytes to
  // the scanners and keeps only what the heuristics read. Files above the limit are recorded
  // without content and counted as uncaptured.
  image::CaptureSpec capture;
  capture.max_file_bytes = limit;
  capture.predicate = [&](std::string_view path, const FileInfo& info) {
    return wants_bytes || (scan.heuristics && HeuristicsWantContent(path, info));
  };
  capture.reduce = [&](std::string_view path, const FileInfo& info, std::string& content) {
    bool keep = scan.heuristics && HeuristicsWantContent(path, info);
    ++stats->files;
    stats->bytes += content.size();
    if (!wants_bytes) return keep;
    std::string data;
    if (keep) {
      data = content;
      if ((info.mode & 06000) == 0 && InTempOrHiddenDir(path) && content.size() > kMagicPrefix) {
        content.resize(kMagicPrefix);
      }
    } else {
      data = std::move(content);
    }
    pool.Push(WorkItem{current_layer, std::string(path), std::move(data)});
    return keep;
  };

  std::vector<std::shared_ptr<const image::LayerData>> layers;
  const image::Limits limits;
  uint64_t total = 0;
  for (size_t i = 0; i < resolved.layers.size(); ++i) {
    current_layer = i;
    image::WalkOptions walk;
    walk.limits = limits;
    walk.total_budget = limits.max_total_bytes > total ? limits.max_total_bytes - total : 0;
    if (options.progress) {
      image::LoadProgress progress;
      progress.layer = i;
      progress.layer_count = resolved.layers.size();
      progress.total_bytes = resolved.layers[i].size;
      walk.on_bytes = [&options, progress](uint64_t bytes) {
        image::LoadProgress p = progress;
        p.bytes = bytes;
        options.progress(p);
      };
    }
    auto data = image::ReadLayer(source, resolved, i, capture, walk);
    if (!data.ok()) {
      pool.Finish();
      return Annotate(data.status(), source.Describe());
    }
    total += data->stats.uncompressed_bytes;
    stats->uncompressed_bytes += data->stats.uncompressed_bytes;
    stats->skipped_large += data->stats.uncaptured;
    if (scan.heuristics)
      layers.push_back(std::make_shared<const image::LayerData>(std::move(*data)));
  }
  pool.Finish();
  pool.TakeResults(&report.findings, &report.warnings, stats);
  if (stats->skipped_large > 0) {
    report.warnings.push_back(
        fmt::format("content scan: {} file(s) larger than {} bytes were not read",
                    stats->skipped_large, limit));
  }
  if (scan.heuristics) {
    image::LayeredImage img(std::move(resolved), std::move(layers));
    RunHeuristicsInto(*img.Merged(), &report);
  }
  report::SortFindings(report.findings);
  return report;
}

}  // namespace vigil::scan
