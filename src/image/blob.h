// Byte access shared by the local image sources: readers over host files and strings, an
// index of a plain (uncompressed) tar file so members can be read in place without
// extracting the archive, and a BlobStore that hides whether an OCI layout is a directory
// or a tar.
//
// Thread-safety: a BlobReader is used by one thread. A TarIndex and a BlobStore are
// immutable after construction and safe for concurrent const use (reads use pread).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "image/source.h"

namespace vigil::image {

// An open host file descriptor, closed when the last owner goes away.
class SharedFile {
 public:
  static StatusOr<std::shared_ptr<SharedFile>> Open(const std::string& path);
  ~SharedFile();
  SharedFile(const SharedFile&) = delete;
  SharedFile& operator=(const SharedFile&) = delete;
  int fd() const { return fd_; }
  uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }
  // pread loop; returns the bytes read (short only at end of file).
  StatusOr<size_t> ReadAt(uint64_t offset, char* buf, size_t len) const;

 private:
  SharedFile(int fd, uint64_t size, std::string path)
      : fd_(fd), size_(size), path_(std::move(path)) {}
  int fd_;
  uint64_t size_;
  std::string path_;
};

// Reads [offset, offset + length) of a shared file.
class FileRangeReader : public BlobReader {
 public:
  FileRangeReader(std::shared_ptr<SharedFile> file, uint64_t offset, uint64_t length)
      : file_(std::move(file)), pos_(offset), end_(offset + length) {}
  StatusOr<size_t> Read(char* buf, size_t len) override;

 private:
  std::shared_ptr<SharedFile> file_;
  uint64_t pos_;
  uint64_t end_;
};

class StringBlobReader : public BlobReader {
 public:
  explicit StringBlobReader(std::string data) : data_(std::move(data)) {}
  StatusOr<size_t> Read(char* buf, size_t len) override;

 private:
  std::string data_;
  size_t pos_ = 0;
};

// Reads a whole stream, failing with ResourceExhausted beyond `max_bytes`. `size_hint`
// (the size a tar header declares) sizes the buffer up front, so the bytes are read in
// place instead of being copied through a bounce buffer and regrown.
StatusOr<std::string> ReadAll(BlobReader& reader, uint64_t max_bytes, uint64_t size_hint = 0);

// One member of a plain tar archive: where its data lies in the archive file.
struct TarMember {
  std::string name;  // normalised, relative, no leading "./" or "/"
  char type = '0';   // tar typeflag: '0' file, '5' dir, '2' symlink, '1' hard link
  uint64_t offset = 0;
  uint64_t size = 0;
  std::string link;  // symlink / hard link target
};

// An index of a plain tar's members, built by reading only the 512-byte headers and
// seeking over the data, so a multi-GB oci-archive or docker-archive costs a few reads.
// Understands ustar (prefix field), GNU long names/links ('L'/'K') and pax 'x' headers
// (path, linkpath, size); rejects malformed headers (bad checksum, non-octal numbers,
// members past the end of the file) with DataLoss naming the offset.
class TarIndex {
 public:
  using ReadAtFn = std::function<StatusOr<size_t>(uint64_t offset, char* buf, size_t len)>;
  static StatusOr<TarIndex> Build(const ReadAtFn& read_at, uint64_t file_size);

  const std::vector<TarMember>& members() const { return members_; }
  // The member at `name`, following symlinks and hard links between members (docker save
  // links duplicate layer.tar files); nullptr when absent or the links loop.
  const TarMember* Find(std::string_view name) const;

 private:
  std::vector<TarMember> members_;
  std::map<std::string, size_t, std::less<>> by_name_;  // last member wins, like tar -x
};

// Named blobs of a layout ("index.json", "blobs/sha256/<hex>"), from a directory or a tar.
class BlobStore {
 public:
  virtual ~BlobStore() = default;
  virtual std::string Describe() const = 0;
  virtual bool Exists(const std::string& name) const = 0;
  virtual StatusOr<std::unique_ptr<BlobReader>> Open(const std::string& name) const = 0;
  // Stored size of `name`, or -1 when unknown.
  virtual int64_t Size(const std::string& name) const = 0;
  StatusOr<std::string> ReadSmall(const std::string& name, uint64_t max_bytes) const;
};

// Blobs as files below a host directory. Names with ".." or absolute are refused.
std::unique_ptr<BlobStore> NewDirBlobStore(std::string dir);
// Blobs as members of a plain tar file, read in place (indexed once at open).
StatusOr<std::unique_ptr<BlobStore>> NewTarBlobStore(const std::string& tar_path);

// Whether `name` is a safe relative blob name (no "..", not absolute, no NUL).
bool SafeBlobName(std::string_view name);

}  // namespace vigil::image
