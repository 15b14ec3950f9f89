#include "base/fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "base/strings.h"
#include "fmt/format.h"

namespace vigil {
namespace {

Status ErrnoStatus(int err, std::string_view what) {
  std::string msg = fmt::format("{}: {}", what, std::strerror(err));
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return NotFoundError(msg);
    case EACCES:
    case EPERM:
      return PermissionDeniedError(msg);
    default:
      return InternalError(msg);
  }
}

FileType TypeFromMode(mode_t mode) {
  if (S_ISREG(mode)) return FileType::kRegular;
  if (S_ISDIR(mode)) return FileType::kDirectory;
  if (S_ISLNK(mode)) return FileType::kSymlink;
  return FileType::kOther;
}

// Reads `fd` to its end, at most `max_bytes` (the bound holds even when the file grows while
// it is read), and closes it. `path` names the file in errors.
StatusOr<std::string> ReadAllAndClose(int fd, std::string_view path, uint64_t max_bytes) {
  std::string out;
  char buf[65536];
  while (true) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      close(fd);
      return ErrnoStatus(err, path);
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_bytes) {
      close(fd);
      return ResourceExhaustedError(
          fmt::format("{}: file exceeds the limit of {} bytes", path, max_bytes));
    }
    out.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return out;
}

}  // namespace

std::string NormalizePath(std::string_view path) {
  std::vector<std::string_view> parts;
  for (std::string_view part : Split(path, '/', true)) {
    if (part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  if (parts.empty()) return "/";
  std::string out;
  for (auto part : parts) {
    out += '/';
    out += part;
  }
  return out;
}

std::string_view Dirname(std::string_view path) {
  size_t pos = path.rfind('/');
  if (pos == std::string_view::npos) return ".";
  if (pos == 0) return "/";
  return path.substr(0, pos);
}

std::string_view Basename(std::string_view path) {
  size_t pos = path.rfind('/');
  return pos == std::string_view::npos ? path : path.substr(pos + 1);
}

std::string JoinPath(std::string_view dir, std::string_view name) {
  if (dir.empty() || dir == "/") return fmt::format("/{}", name);
  return fmt::format("{}/{}", dir, name);
}

StatusOr<std::string> FileSystem::Resolve(std::string_view path, bool follow_final) const {
  // Iterative component walk: `done` is canonical, `todo` holds the components left.
  std::vector<std::string> todo;
  for (std::string_view part : Split(path, '/', true)) {
    todo.emplace_back(part);
  }
  std::reverse(todo.begin(), todo.end());
  std::string done = "/";
  int hops = 0;
  while (!todo.empty()) {
    std::string part = std::move(todo.back());
    todo.pop_back();
    if (part == ".") continue;
    if (part == "..") {
      done = std::string(Dirname(done));
      continue;
    }
    std::string next = JoinPath(done, part);
    bool is_final = todo.empty();
    if (is_final && !follow_final) {
      done = std::move(next);
      break;
    }
    auto info = LStatCanonical(next);
    // Primitives name the path in their errors already.
    if (!info.ok()) return info.status();
    if (info->type != FileType::kSymlink) {
      if (!is_final && info->type != FileType::kDirectory) {
        return NotFoundError(fmt::format("{}: not a directory", next));
      }
      done = std::move(next);
      continue;
    }
    if (++hops > kMaxLinkHops) {
      return FailedPreconditionError(
          fmt::format("{}: too many levels of symbolic links", std::string(path)));
    }
    const std::string& target = info->link_target;
    if (!target.empty() && target[0] == '/') done.assign(1, '/');
    std::vector<std::string> link_parts;
    for (std::string_view p : Split(target, '/', true)) {
      link_parts.emplace_back(p);
    }
    for (auto it = link_parts.rbegin(); it != link_parts.rend(); ++it) todo.push_back(*it);
  }
  return done;
}

StatusOr<FileInfo> FileSystem::Stat(std::string_view path, bool follow) const {
  VIGIL_ASSIGN_OR_RETURN(std::string canonical, Resolve(path, follow));
  return LStatCanonical(canonical);
}

StatusOr<std::string> FileSystem::ReadFile(std::string_view path, uint64_t max_bytes) const {
  VIGIL_ASSIGN_OR_RETURN(std::string canonical, Resolve(path, true));
  VIGIL_ASSIGN_OR_RETURN(FileInfo info, LStatCanonical(canonical));
  if (info.type != FileType::kRegular) {
    return FailedPreconditionError(fmt::format("{}: not a regular file", std::string(path)));
  }
  if (info.size > max_bytes) {
    return ResourceExhaustedError(fmt::format("{}: file of {} bytes exceeds the limit of {}",
                                              std::string(path), info.size, max_bytes));
  }
  return ReadCanonical(canonical, max_bytes);
}

StatusOr<std::vector<DirEntry>> FileSystem::ListDir(std::string_view path) const {
  VIGIL_ASSIGN_OR_RETURN(std::string canonical, Resolve(path, true));
  return ListCanonical(canonical);
}

bool FileSystem::IsDirectory(std::string_view path) const {
  auto info = Stat(path, true);
  return info.ok() && info->type == FileType::kDirectory;
}

bool FileSystem::IsRegular(std::string_view path) const {
  auto info = Stat(path, true);
  return info.ok() && info->type == FileType::kRegular;
}

Status Walk(const FileSystem& fs, std::string_view root, const WalkVisitor& visit,
            const std::function<void(const std::string&, const Status&)>& on_error) {
  VIGIL_ASSIGN_OR_RETURN(std::string start, fs.Resolve(root, true));
  VIGIL_ASSIGN_OR_RETURN(FileInfo start_info, fs.LStatCanonical(start));
  // Every path below is canonical: `start` is, and the walk descends only into real
  // directories (never through a link), so a child's path is its parent's plus a name.
  // Explicit stack: a hostile tree's depth must not overflow the call stack.
  std::vector<std::pair<std::string, FileInfo>> stack;
  stack.emplace_back(start, start_info);
  while (!stack.empty()) {
    auto [path, info] = std::move(stack.back());
    stack.pop_back();
    bool descend = visit(path, info);
    if (!descend || info.type != FileType::kDirectory) continue;
    auto entries = fs.ListCanonical(path);
    if (!entries.ok()) {
      if (on_error) on_error(path, entries.status());
      continue;
    }
    for (auto it = entries->rbegin(); it != entries->rend(); ++it) {
      std::string child = JoinPath(path, it->name);
      auto child_info = fs.LStatCanonical(child);
      if (!child_info.ok()) {
        if (on_error) on_error(child, child_info.status());
        continue;
      }
      stack.emplace_back(std::move(child), std::move(*child_info));
    }
  }
  return OkStatus();
}

// ---- RealFileSystem ----

// A relative root is taken relative to the working directory at construction, as every
// command-line tool does (NormalizePath alone would anchor it at "/").
RealFileSystem::RealFileSystem(std::string root) {
  if (!root.empty() && root[0] != '/') {
    std::error_code ec;
    std::filesystem::path cwd = std::filesystem::current_path(ec);
    if (!ec) root = (cwd / root).string();
  }
  root_ = NormalizePath(root);
  if (root_ == "/") root_.clear();
}

StatusOr<std::string> RealFileSystem::HostPath(std::string_view path) const {
  VIGIL_ASSIGN_OR_RETURN(std::string canonical, Resolve(path, true));
  return root_ + canonical;
}

StatusOr<FileInfo> RealFileSystem::LStatCanonical(const std::string& path) const {
  std::string host = root_.empty() ? path : (path == "/" ? root_ : root_ + path);
  struct stat st {};
  if (lstat(host.c_str(), &st) != 0) return ErrnoStatus(errno, path);
  FileInfo info;
  info.type = TypeFromMode(st.st_mode);
  info.size = static_cast<uint64_t>(st.st_size);
  info.mode = st.st_mode & 07777;
  info.uid = st.st_uid;
  info.gid = st.st_gid;
  info.mtime = st.st_mtime;
  if (info.type == FileType::kSymlink) {
    std::string buf(4096, '\0');
    ssize_t n = readlink(host.c_str(), buf.data(), buf.size());
    if (n < 0) return ErrnoStatus(errno, path);
    buf.resize(static_cast<size_t>(n));
    info.link_target = std::move(buf);
  }
  return info;
}

StatusOr<std::string> RealFileSystem::ReadCanonical(const std::string& path,
                                                    uint64_t max_bytes) const {
  std::string host = root_ + path;
  // O_NOFOLLOW: the canonical path has no links left; refuse one swapped in since.
  int fd = open(host.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return ErrnoStatus(errno, path);
  return ReadAllAndClose(fd, path, max_bytes);
}

StatusOr<std::vector<DirEntry>> RealFileSystem::ListCanonical(const std::string& path) const {
  std::string host = root_.empty() ? path : (path == "/" ? root_ : root_ + path);
  DIR* dir = opendir(host.c_str());
  if (dir == nullptr) return ErrnoStatus(errno, path);
  std::vector<DirEntry> out;
  while (struct dirent* de = readdir(dir)) {
    std::string_view name = de->d_name;
    if (name == "." || name == "..") continue;
    DirEntry entry;
    entry.name = std::string(name);
    switch (de->d_type) {
      case DT_REG:
        entry.type = FileType::kRegular;
        break;
      case DT_DIR:
        entry.type = FileType::kDirectory;
        break;
      case DT_LNK:
        entry.type = FileType::kSymlink;
        break;
      case DT_UNKNOWN: {
        struct stat st {};
        std::string child = host + "/" + entry.name;
        if (lstat(child.c_str(), &st) == 0) entry.type = TypeFromMode(st.st_mode);
        break;
      }
      default:
        entry.type = FileType::kOther;
    }
    out.push_back(std::move(entry));
  }
  closedir(dir);
  std::sort(out.begin(), out.end(),
            [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  return out;
}

// ---- MemFileSystem ----

MemFileSystem::MemFileSystem() {
  Node root;
  root.info.type = FileType::kDirectory;
  root.info.mode = 0755;
  nodes_["/"] = std::move(root);
}

void MemFileSystem::AddDir(std::string_view path, uint32_t mode) {
  std::string p = NormalizePath(path);
  // `mode` is the directory's own; parents created on the way get 0755, as `mkdir -p` does.
  for (uint32_t m = mode;; m = 0755) {
    auto [it, inserted] = nodes_.try_emplace(p);
    if (inserted) {
      it->second.info.type = FileType::kDirectory;
      it->second.info.mode = m;
    }
    if (p == "/") break;
    p = std::string(Dirname(p));
  }
}

void MemFileSystem::AddFile(std::string_view path, std::string contents, uint32_t mode) {
  std::string p = NormalizePath(path);
  AddDir(Dirname(p));
  Node& node = nodes_[p];
  node.info = FileInfo{};
  node.info.type = FileType::kRegular;
  node.info.mode = mode;
  node.info.size = contents.size();
  node.contents = std::move(contents);
}

void MemFileSystem::AddSymlink(std::string_view path, std::string target) {
  std::string p = NormalizePath(path);
  AddDir(Dirname(p));
  Node& node = nodes_[p];
  node.info = FileInfo{};
  node.info.type = FileType::kSymlink;
  node.info.mode = 0777;
  node.info.size = target.size();
  node.info.link_target = std::move(target);
  node.contents.clear();
}

void MemFileSystem::Remove(std::string_view path) {
  std::string p = NormalizePath(path);
  if (p == "/") return;
  nodes_.erase(p);
  std::string prefix = p + "/";
  auto it = nodes_.lower_bound(prefix);
  while (it != nodes_.end() && it->first.compare(0, prefix.size(), prefix) == 0) {
    it = nodes_.erase(it);
  }
}

StatusOr<FileInfo> MemFileSystem::LStatCanonical(const std::string& path) const {
  auto it = nodes_.find(path);
  if (it == nodes_.end()) return NotFoundError(fmt::format("{}: no such file", path));
  return it->second.info;
}

StatusOr<std::string> MemFileSystem::ReadCanonical(const std::string& path,
                                                   uint64_t max_bytes) const {
  auto it = nodes_.find(path);
  if (it == nodes_.end()) return NotFoundError(fmt::format("{}: no such file", path));
  return it->second.contents;
}

StatusOr<std::vector<DirEntry>> MemFileSystem::ListCanonical(const std::string& path) const {
  auto it = nodes_.find(path);
  if (it == nodes_.end()) return NotFoundError(fmt::format("{}: no such directory", path));
  if (it->second.info.type != FileType::kDirectory) {
    return FailedPreconditionError(fmt::format("{}: not a directory", path));
  }
  std::string prefix = path == "/" ? "/" : path + "/";
  std::vector<DirEntry> out;
  for (auto c = nodes_.upper_bound(prefix); c != nodes_.end(); ++c) {
    if (c->first.compare(0, prefix.size(), prefix) != 0) break;
    std::string_view rest = std::string_view(c->first).substr(prefix.size());
    if (rest.empty() || rest.find('/') != std::string_view::npos) continue;
    out.push_back(DirEntry{std::string(rest), c->second.info.type});
  }
  return out;
}

// ---- host helpers ----

Status WriteFileAtomic(const std::string& path, std::string_view data) {
  // Renaming over a device, FIFO or directory would replace it (a report written to
  // /dev/null must not turn /dev/null into a regular file): only regular files qualify.
  struct stat existing {};
  if (lstat(path.c_str(), &existing) == 0 && !S_ISREG(existing.st_mode)) {
    return FailedPreconditionError(
        fmt::format("{}: not a regular file; refusing to replace it atomically", path));
  }
  // pid + a process-wide counter: unique across processes and across threads of one process,
  // so concurrent writers of the same path never share a temp file (last rename wins).
  static std::atomic<uint64_t> counter{0};
  std::string tmp = fmt::format("{}.tmp.{}.{}", path, getpid(), counter.fetch_add(1));
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus(errno, tmp);
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      close(fd);
      unlink(tmp.c_str());
      return ErrnoStatus(err, tmp);
    }
    off += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0 || close(fd) != 0) {
    int err = errno;
    unlink(tmp.c_str());
    return ErrnoStatus(err, tmp);
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    unlink(tmp.c_str());
    return ErrnoStatus(err, path);
  }
  return OkStatus();
}

StatusOr<std::string> ReadHostFile(const std::string& path, uint64_t max_bytes) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, path);
  struct stat st {};
  if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    close(fd);
    return FailedPreconditionError(fmt::format("{}: is a directory", path));
  }
  return ReadAllAndClose(fd, path, max_bytes);
}

}  // namespace vigil
