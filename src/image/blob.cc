#include "image/blob.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/fs.h"
#include "base/strings.h"
#include "fmt/format.h"

namespace vigil::image {
namespace {

constexpr size_t kBlock = 512;
// Bounds on metadata records read into memory while indexing (hostile archives).
constexpr uint64_t kMaxLongName = 64 << 10;
constexpr uint64_t kMaxPaxHeader = 1 << 20;
constexpr int kMaxMemberLinkHops = 16;

std::string Field(const char* p, size_t n) {
  size_t len = strnlen(p, n);
  return std::string(p, len);
}

// Octal (NUL/space terminated) or GNU base-256 number.
bool ParseNumber(const char* p, size_t n, uint64_t* out) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  if (u[0] & 0x80) {
    if (u[0] != 0x80) return false;  // negative
    uint64_t v = 0;
    for (size_t i = 1; i < n; ++i) {
      if (v >> 56) return false;
      v = (v << 8) | u[i];
    }
    *out = v;
    return true;
  }
  uint64_t v = 0;
  size_t i = 0;
  while (i < n && p[i] == ' ') ++i;
  bool any = false;
  for (; i < n && p[i] != '\0' && p[i] != ' '; ++i) {
    if (p[i] < '0' || p[i] > '7') return false;
    if (v >> 60) return false;
    v = v * 8 + static_cast<uint64_t>(p[i] - '0');
    any = true;
  }
  *out = any ? v : 0;
  return true;
}

bool ChecksumOk(const char* h) {
  uint64_t stored = 0;
  if (!ParseNumber(h + 148, 8, &stored)) return false;
  uint64_t sum = 0;
  for (size_t i = 0; i < kBlock; ++i) {
    sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(h[i]);
  }
  return sum == stored;
}

std::string CleanName(std::string_view name) {
  std::string norm = NormalizePath(name);  // "/a/b"
  return norm == "/" ? std::string() : norm.substr(1);
}

// Applies pax records ("LEN key=value\n") that the index cares about.
Status ParsePax(std::string_view data, std::string* path, std::string* link, uint64_t* size,
                bool* has_size) {
  while (!data.empty()) {
    size_t sp = data.find(' ');
    if (sp == std::string_view::npos || sp == 0 || sp > 20) return DataLossError("bad pax record");
    uint64_t len = 0;
    for (char c : data.substr(0, sp)) {
      if (c < '0' || c > '9') return DataLossError("bad pax record length");
      len = len * 10 + static_cast<uint64_t>(c - '0');
    }
    if (len <= sp + 1 || len > data.size()) return DataLossError("pax record overruns header");
    std::string_view rec = data.substr(sp + 1, len - sp - 1);
    if (rec.empty() || rec.back() != '\n') return DataLossError("pax record without newline");
    rec.remove_suffix(1);
    size_t eq = rec.find('=');
    if (eq != std::string_view::npos) {
      std::string_view key = rec.substr(0, eq);
      std::string_view value = rec.substr(eq + 1);
      if (key == "path") {
        *path = std::string(value);
      } else if (key == "linkpath") {
        *link = std::string(value);
      } else if (key == "size") {
        uint64_t v = 0;
        for (char c : value) {
          if (c < '0' || c > '9' || (v >> 59)) return DataLossError("bad pax size");
          v = v * 10 + static_cast<uint64_t>(c - '0');
        }
        *size = v;
        *has_size = true;
      }
    }
    data.remove_prefix(len);
  }
  return OkStatus();
}

class DirBlobStore : public BlobStore {
 public:
  explicit DirBlobStore(std::string dir) : dir_(std::move(dir)) {}
  std::string Describe() const override { return dir_; }
  bool Exists(const std::string& name) const override {
    struct stat st;
    return SafeBlobName(name) && ::stat(Host(name).c_str(), &st) == 0 && S_ISREG(st.st_mode);
  }
  int64_t Size(const std::string& name) const override {
    struct stat st;
    if (!SafeBlobName(name) || ::stat(Host(name).c_str(), &st) != 0) return -1;
    return st.st_size;
  }
  StatusOr<std::unique_ptr<BlobReader>> Open(const std::string& name) const override {
    if (!SafeBlobName(name))
      return InvalidArgumentError(fmt::format("unsafe blob name \"{}\"", name));
    VIGIL_ASSIGN_OR_RETURN(auto file, SharedFile::Open(Host(name)));
    uint64_t size = file->size();
    return std::unique_ptr<BlobReader>(std::make_unique<FileRangeReader>(std::move(file), 0, size));
  }

 private:
  std::string Host(const std::string& name) const { return dir_ + "/" + name; }
  std::string dir_;
};

class TarBlobStore : public BlobStore {
 public:
  TarBlobStore(std::shared_ptr<SharedFile> file, TarIndex index)
      : file_(std::move(file)), index_(std::move(index)) {}
  std::string Describe() const override { return file_->path(); }
  bool Exists(const std::string& name) const override { return Member(name) != nullptr; }
  int64_t Size(const std::string& name) const override {
    const TarMember* m = Member(name);
    return m ? static_cast<int64_t>(m->size) : -1;
  }
  StatusOr<std::unique_ptr<BlobReader>> Open(const std::string& name) const override {
    const TarMember* m = Member(name);
    if (m == nullptr) {
      return NotFoundError(fmt::format("{}: no member \"{}\"", file_->path(), name));
    }
    return std::unique_ptr<BlobReader>(
        std::make_unique<FileRangeReader>(file_, m->offset, m->size));
  }

 private:
  const TarMember* Member(const std::string& name) const {
    const TarMember* m = index_.Find(name);
    return (m != nullptr && m->type != '5') ? m : nullptr;
  }
  std::shared_ptr<SharedFile> file_;
  TarIndex index_;
};

}  // namespace

StatusOr<std::shared_ptr<SharedFile>> SharedFile::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    std::string msg = fmt::format("{}: {}", path, std::strerror(err));
    return err == ENOENT ? NotFoundError(msg) : PermissionDeniedError(msg);
  }
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return FailedPreconditionError(fmt::format("{}: not a regular file", path));
  }
  return std::shared_ptr<SharedFile>(new SharedFile(fd, static_cast<uint64_t>(st.st_size), path));
}

SharedFile::~SharedFile() { ::close(fd_); }

StatusOr<size_t> SharedFile::ReadAt(uint64_t offset, char* buf, size_t len) const {
  size_t done = 0;
  while (done < len) {
    ssize_t n = ::pread(fd_, buf + done, len - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return InternalError(fmt::format("{}: read: {}", path_, std::strerror(errno)));
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return done;
}

StatusOr<size_t> FileRangeReader::Read(char* buf, size_t len) {
  if (pos_ >= end_) return size_t{0};
  size_t want = static_cast<size_t>(std::min<uint64_t>(len, end_ - pos_));
  VIGIL_ASSIGN_OR_RETURN(size_t n, file_->ReadAt(pos_, buf, want));
  if (n == 0) {
    return DataLossError(
        fmt::format("{}: unexpected end of file at offset {}", file_->path(), pos_));
  }
  pos_ += n;
  return n;
}

StatusOr<size_t> StringBlobReader::Read(char* buf, size_t len) {
  size_t n = std::min(len, data_.size() - pos_);
  std::memcpy(buf, data_.data() + pos_, n);
  pos_ += n;
  return n;
}

StatusOr<std::string> ReadAll(BlobReader& reader, uint64_t max_bytes, uint64_t size_hint) {
  constexpr uint64_t kStep = 64 << 10;
  // A header may lie: trust the hint up to 64 MiB, beyond that the buffer grows only as
  // bytes actually arrive. Never more than one byte past the limit (to see an overrun).
  constexpr uint64_t kMaxUpFront = 64 << 20;
  const uint64_t cap = max_bytes == UINT64_MAX ? max_bytes : max_bytes + 1;
  std::string out;
  // One byte past the hint so the end of the stream is seen without another resize.
  out.resize(static_cast<size_t>(std::min({size_hint + 1, kMaxUpFront, cap})));
  size_t used = 0;
  while (true) {
    if (used == out.size()) {
      if (used >= cap) break;
      out.resize(
          static_cast<size_t>(std::min<uint64_t>(std::max<uint64_t>(used * 2, used + kStep), cap)));
    }
    VIGIL_ASSIGN_OR_RETURN(size_t n, reader.Read(out.data() + used, out.size() - used));
    if (n == 0) break;
    used += n;
  }
  if (used > max_bytes) {
    return ResourceExhaustedError(fmt::format("blob larger than the limit of {} bytes", max_bytes));
  }
  out.resize(used);
  return out;
}

StatusOr<TarIndex> TarIndex::Build(const ReadAtFn& read_at, uint64_t file_size) {
  TarIndex index;
  uint64_t pos = 0;
  std::string long_name, long_link, pax_path, pax_link;
  uint64_t pax_size = 0;
  bool has_pax_size = false;
  char h[kBlock];
  auto read_exact = [&](uint64_t off, char* buf, size_t len) -> Status {
    VIGIL_ASSIGN_OR_RETURN(size_t n, read_at(off, buf, len));
    if (n != len) return DataLossError(fmt::format("tar truncated at offset {}", off + n));
    return OkStatus();
  };
  while (pos + kBlock <= file_size) {
    VIGIL_RETURN_IF_ERROR(read_exact(pos, h, kBlock));
    bool zero = true;
    for (char c : h) {
      if (c != 0) {
        zero = false;
        break;
      }
    }
    if (zero) break;
    if (!ChecksumOk(h))
      return DataLossError(fmt::format("tar header checksum mismatch at offset {}", pos));
    uint64_t size = 0;
    if (!ParseNumber(h + 124, 12, &size)) {
      return DataLossError(fmt::format("tar header at offset {}: bad size field", pos));
    }
    char type = h[156] == '\0' ? '0' : h[156];
    uint64_t data = pos + kBlock;
    if (type == 'x' || type == 'L' || type == 'K') {
      uint64_t limit = type == 'x' ? kMaxPaxHeader : kMaxLongName;
      if (size > limit || data + size > file_size) {
        return DataLossError(fmt::format("tar extended header at offset {} too large", pos));
      }
      std::string body(size, '\0');
      VIGIL_RETURN_IF_ERROR(read_exact(data, body.data(), size));
      if (type == 'x') {
        Status st = ParsePax(body, &pax_path, &pax_link, &pax_size, &has_pax_size);
        if (!st.ok()) return Annotate(st, fmt::format("tar offset {}", pos));
      } else {
        (type == 'L' ? long_name : long_link) = Field(body.data(), body.size());
      }
      pos = data + ((size + kBlock - 1) / kBlock) * kBlock;
      continue;
    }
    if (has_pax_size) size = pax_size;
    if (data + size > file_size || data + size < data) {
      return DataLossError(
          fmt::format("tar member at offset {} extends past the end of the file", pos));
    }
    TarMember m;
    std::string name = Field(h, 100);
    std::string magic = Field(h + 257, 6);
    if (magic == "ustar") {
      std::string prefix = Field(h + 345, 155);
      if (!prefix.empty()) name = prefix.append("/").append(name);
    }
    if (!long_name.empty()) name = long_name;
    if (!pax_path.empty()) name = pax_path;
    m.link = Field(h + 157, 100);
    if (!long_link.empty()) m.link = long_link;
    if (!pax_link.empty()) m.link = pax_link;
    m.name = CleanName(name);
    m.type = type;
    m.offset = data;
    m.size = (type == '0' || type == '7') ? size : 0;
    if (type != 'g') {
      index.by_name_[m.name] = index.members_.size();
      index.members_.push_back(std::move(m));
    }
    // Hard links, symlinks and directories carry no data even if size says otherwise,
    // except that the header's size still tells how many blocks follow.
    pos = data + ((size + kBlock - 1) / kBlock) * kBlock;
    long_name.clear();
    long_link.clear();
    pax_path.clear();
    pax_link.clear();
    has_pax_size = false;
  }
  return index;
}

const TarMember* TarIndex::Find(std::string_view name) const {
  std::string want = CleanName(name);
  for (int hop = 0; hop < kMaxMemberLinkHops; ++hop) {
    auto it = by_name_.find(want);
    if (it == by_name_.end()) return nullptr;
    const TarMember& m = members_[it->second];
    if (m.type == '1') {
      want = CleanName(m.link);
    } else if (m.type == '2') {
      want = m.link.starts_with('/') ? CleanName(m.link)
                                     : CleanName(std::string(Dirname("/" + m.name)) + "/" + m.link);
    } else {
      return &m;
    }
  }
  return nullptr;
}

StatusOr<std::string> BlobStore::ReadSmall(const std::string& name, uint64_t max_bytes) const {
  VIGIL_ASSIGN_OR_RETURN(auto reader, Open(name));
  auto data = ReadAll(*reader, max_bytes);
  if (!data.ok()) return Annotate(data.status(), fmt::format("{}: {}", Describe(), name));
  return data;
}

std::unique_ptr<BlobStore> NewDirBlobStore(std::string dir) {
  return std::make_unique<DirBlobStore>(std::move(dir));
}

StatusOr<std::unique_ptr<BlobStore>> NewTarBlobStore(const std::string& tar_path) {
  VIGIL_ASSIGN_OR_RETURN(auto file, SharedFile::Open(tar_path));
  SharedFile* raw = file.get();
  auto index = TarIndex::Build(
      [raw](uint64_t off, char* buf, size_t len) { return raw->ReadAt(off, buf, len); },
      file->size());
  if (!index.ok()) return Annotate(index.status(), tar_path);
  return std::unique_ptr<BlobStore>(
      std::make_unique<TarBlobStore>(std::move(file), std::move(*index)));
}

bool SafeBlobName(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.find('\0') != std::string_view::npos)
    return false;
  for (std::string_view part : Split(name, '/')) {
    if (part == ".." || part.empty()) return false;
  }
  return true;
}

}  // namespace vigil::image
