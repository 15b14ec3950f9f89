// The filesystem seam (after leveldb's Env). Everything that reads a rootfs, an image's
// merged layers, /proc or a config tree goes through FileSystem, so parsers and catalogers
// are testable in memory and cannot escape the tree they were given.
//
// Paths are absolute inside the filesystem ("/etc/os-release"). Symbolic links are resolved
// *inside* the tree: an absolute target restarts at the tree's root and ".." stops at the
// root, as a container runtime would see it, so a hostile image linking to "/../../etc/shadow"
// can never reach the host. Link chains longer than kMaxLinkHops fail with an error
// (symlink loops are untrusted input, not a crash).
//
// Thread-safety: implementations are safe for concurrent const use once built.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace vigil {

enum class FileType { kRegular, kDirectory, kSymlink, kOther };

struct FileInfo {
  FileType type = FileType::kOther;
  uint64_t size = 0;
  uint32_t mode = 0;  // permission bits incl. setuid/setgid/sticky (07777)
  uint32_t uid = 0;
  uint32_t gid = 0;
  int64_t mtime = 0;        // seconds since the epoch
  std::string link_target;  // for kSymlink
};

struct DirEntry {
  std::string name;
  FileType type = FileType::kOther;
};

// Default bound on ReadFile, so a hostile 50 GB "os-release" cannot exhaust memory.
inline constexpr uint64_t kDefaultMaxRead = 256ull << 20;
inline constexpr int kMaxLinkHops = 40;

// Lexically normalises an absolute path: collapses "//" and ".", applies ".." without going
// above "/". Relative input is taken relative to "/". Never fails.
std::string NormalizePath(std::string_view path);
// "/a/b/c" -> "/a/b"; "/" -> "/".
std::string_view Dirname(std::string_view path);
// "/a/b/c" -> "c".
std::string_view Basename(std::string_view path);
// Joins "/a" and "b" as "/a/b" (no normalisation of `name`).
std::string JoinPath(std::string_view dir, std::string_view name);

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Information about `path`; links in the leading components are followed, the final
  // component is followed only when `follow` is true (stat vs lstat).
  StatusOr<FileInfo> Stat(std::string_view path, bool follow = true) const;
  // Whole contents of a regular file (links followed). Fails with ResourceExhausted when the
  // file is larger than `max_bytes`.
  StatusOr<std::string> ReadFile(std::string_view path, uint64_t max_bytes = kDefaultMaxRead) const;
  // Entries of a directory (links followed), sorted by name, without "." and "..".
  StatusOr<std::vector<DirEntry>> ListDir(std::string_view path) const;

  bool Exists(std::string_view path) const { return Stat(path, true).ok(); }
  bool IsDirectory(std::string_view path) const;
  bool IsRegular(std::string_view path) const;

  // Resolves every link in `path` inside this tree and returns the canonical path.
  StatusOr<std::string> Resolve(std::string_view path, bool follow_final = true) const;

 protected:
  // Walk descends through canonical paths only, so it calls the primitives directly
  // instead of resolving every child again.
  friend Status Walk(const FileSystem& fs, std::string_view root,
                     const std::function<bool(const std::string&, const FileInfo&)>& visit,
                     const std::function<void(const std::string&, const Status&)>& on_error);

  // Primitives over canonical paths (normalised, no link in any leading component; the
  // final component is not followed). Implementations provide only these; link resolution
  // and confinement live here, once.
  virtual StatusOr<FileInfo> LStatCanonical(const std::string& path) const = 0;
  virtual StatusOr<std::string> ReadCanonical(const std::string& path,
                                              uint64_t max_bytes) const = 0;
  virtual StatusOr<std::vector<DirEntry>> ListCanonical(const std::string& path) const = 0;
};

// Visits every entry below `root` in pre-order, names sorted, not following links into
// directories. `visit` returns false to skip descending into a directory. Errors listing a
// directory are passed to `on_error` (default: ignored and counted by the caller) rather
// than aborting the walk; only a failing `root` is returned.
using WalkVisitor = std::function<bool(const std::string& path, const FileInfo& info)>;
Status Walk(const FileSystem& fs, std::string_view root, const WalkVisitor& visit,
            const std::function<void(const std::string&, const Status&)>& on_error = {});

// The host's filesystem, seen from `root` (default "/"): "/etc/passwd" reads
// root + "/etc/passwd", with links resolved inside root.
class RealFileSystem : public FileSystem {
 public:
  explicit RealFileSystem(std::string root = "/");
  const std::string& root() const { return root_; }
  // The host path of a path inside the tree (links resolved inside the tree).
  StatusOr<std::string> HostPath(std::string_view path) const;

 protected:
  StatusOr<FileInfo> LStatCanonical(const std::string& path) const override;
  StatusOr<std::string> ReadCanonical(const std::string& path, uint64_t max_bytes) const override;
  StatusOr<std::vector<DirEntry>> ListCanonical(const std::string& path) const override;

 private:
  std::string root_;  // without trailing slash; "" for "/"
};

// An in-memory tree for tests and for small synthetic inputs. Build it, then share it const.
class MemFileSystem : public FileSystem {
 public:
  MemFileSystem();
  // Adds a regular file, creating parent directories. Overwrites.
  void AddFile(std::string_view path, std::string contents, uint32_t mode = 0644);
  // Adds a directory with `mode`; missing parents are created with 0755 (as `mkdir -p`).
  void AddDir(std::string_view path, uint32_t mode = 0755);
  void AddSymlink(std::string_view path, std::string target);
  // Removes a path and everything below it; no-op if absent.
  void Remove(std::string_view path);

 protected:
  StatusOr<FileInfo> LStatCanonical(const std::string& path) const override;
  StatusOr<std::string> ReadCanonical(const std::string& path, uint64_t max_bytes) const override;
  StatusOr<std::vector<DirEntry>> ListCanonical(const std::string& path) const override;

 private:
  struct Node {
    FileInfo info;
    std::string contents;
  };
  std::map<std::string, Node> nodes_;  // canonical path -> node; "/" always present
};

// Writes `data` to a host path via a temp file + rename, so readers never see a torn file.
// Fails with FailedPrecondition when `path` exists and is not a regular file (a device such
// as /dev/null, a FIFO, a directory): callers write those directly.
Status WriteFileAtomic(const std::string& path, std::string_view data);
// Reads a host file without any root confinement (CLI arguments, config files).
StatusOr<std::string> ReadHostFile(const std::string& path, uint64_t max_bytes = kDefaultMaxRead);

}  // namespace vigil
