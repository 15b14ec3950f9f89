// The content scan of a target (`--scanners secret,malware`): every regular file is read once
// and its bytes go to the secret scanner AND the malware scanner. For images that is every
// layer's own files, including files a later layer deletes (they still ship in the image),
// each finding naming its layer; then the malware heuristics run over the merged filesystem.
// For directories (and dir: rootfs sources) the same over the tree. The image config's ENV
// values, labels and history lines go through the secret scanner as pseudo-files.
//
// Pipeline: each layer is decompressed and parsed once (image::ReadLayer, itself pipelined:
// inflate on a worker thread); every file's bytes are moved to a bounded queue that scanning
// threads drain, so scanning one file overlaps with decoding the next. Only the few files the
// heuristics read (package databases, setuid files, cron, ...) are kept after scanning; the
// rest of the content is dropped once scanned. Nothing is written to disk.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/fs.h"
#include "base/status.h"
#include "malware/scanner.h"
#include "report/finding.h"
#include "scan/target.h"
#include "secrets/scanner.h"

namespace vigil::scan {

struct ContentScanOptions {
  // Not owned; null = that scanner is not run. Both must outlive the call.
  const secrets::SecretScanner* secrets = nullptr;
  const malware::MalwareScanner* malware = nullptr;
  // Run malware::RunHeuristics over the merged filesystem / the tree (misconfig findings).
  bool heuristics = false;
  // Threads that scan file contents, besides the walk's; 0 = one per core.
  int threads = 0;
  // Bytes of read-but-not-yet-scanned content the queue may hold (bounds memory: the walk
  // waits while the scanners are behind).
  uint64_t max_queued_bytes = 64ull << 20;
};

// What one content scan read and skipped; also the benchmark's byte counts.
struct ContentStats {
  uint64_t files = 0;               // regular files whose content was read
  uint64_t bytes = 0;               // bytes of those files
  uint64_t skipped_large = 0;       // larger than every scanner's size limit: not read
  uint64_t malware_errors = 0;      // files YARA could not scan (timeout, too many matches)
  uint64_t uncompressed_bytes = 0;  // tar bytes of every layer walked
};

// Walks every layer of image `ref` once (no per-layer cache: the cache keeps no contents).
// A layer that fails to walk (digest mismatch, truncation, limits) is an error naming it.
StatusOr<report::Report> ScanImageContent(const std::string& ref, const TargetOptions& options,
                                          const ContentScanOptions& scan,
                                          ContentStats* stats = nullptr);

// The same over an opened source (tests use an in-memory one); the report's target is
// source.Describe().
StatusOr<report::Report> ScanImageSourceContent(image::ImageSource& source,
                                                const TargetOptions& options,
                                                const ContentScanOptions& scan,
                                                ContentStats* stats = nullptr);

// Scans the host directory `path` (links not followed; /proc, /sys, /dev skipped).
StatusOr<report::Report> ScanDirectoryContent(const std::string& path,
                                              const ContentScanOptions& scan,
                                              ContentStats* stats = nullptr);

// The same over any tree (a dir: rootfs source, an in-memory tree in tests); findings'
// paths are the tree's absolute paths.
StatusOr<report::Report> ScanTreeContent(const FileSystem& fs, const ContentScanOptions& scan,
                                         ContentStats* stats = nullptr);

// Secrets in an image config JSON: each ENV entry ("NAME=value"), each label ("key=value")
// and each history created_by line is scanned as a pseudo-file "image-config:ENV",
// "image-config:LABEL" or "image-config:history", the finding's line being the entry's
// 1-based position (ENV order, labels sorted by key, history order). A history entry that
// made a layer names that layer's diff_id. A config that is not JSON is an error.
StatusOr<std::vector<report::Finding>> ScanImageConfigSecrets(
    std::string_view config_json, const secrets::SecretScanner& scanner);

// Whether the heuristics may read this file's content (package databases and lists, setuid
// and setgid files, cron tables, ld.so.preload, files in temporary or hidden directories):
// these are kept from the image walk, every other file only as metadata.
bool HeuristicsWantContent(std::string_view path, const FileInfo& info);

}  // namespace vigil::scan
