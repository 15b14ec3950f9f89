#include "image/test_util.h"

#include <archive.h>
#include <archive_entry.h>
#include <ftw.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

#include "base/hash.h"
#include "image/blob.h"

namespace vigil::image::testing {
namespace {

la_ssize_t AppendCb(archive*, void* out, const void* buf, size_t len) {
  static_cast<std::string*>(out)->append(static_cast<const char*>(buf), len);
  return static_cast<la_ssize_t>(len);
}

}  // namespace

TarEntry File(std::string name, std::string data, uint32_t mode) {
  return TarEntry{std::move(name), '0', std::move(data), mode};
}
TarEntry Dir(std::string name) { return TarEntry{std::move(name), '5', "", 0755}; }
TarEntry Symlink(std::string name, std::string target) {
  return TarEntry{std::move(name), '2', std::move(target), 0777};
}
TarEntry Hardlink(std::string name, std::string target) {
  return TarEntry{std::move(name), '1', std::move(target), 0644};
}

std::string MakeTar(const std::vector<TarEntry>& entries, Compression compression) {
  std::string out;
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  if (compression == Compression::kGzip) archive_write_add_filter_gzip(a);
  if (compression == Compression::kZstd) archive_write_add_filter_zstd(a);
  archive_write_set_bytes_in_last_block(a, 1);
  if (archive_write_open(a, &out, nullptr, AppendCb, nullptr) != ARCHIVE_OK) {
    throw std::runtime_error(archive_error_string(a));
  }
  for (const TarEntry& e : entries) {
    archive_entry* ae = archive_entry_new();
    archive_entry_set_pathname(ae, e.name.c_str());
    archive_entry_set_perm(ae, e.mode);
    archive_entry_set_mtime(ae, 1700000000, 0);
    switch (e.type) {
      case '5':
        archive_entry_set_filetype(ae, AE_IFDIR);
        break;
      case '2':
        archive_entry_set_filetype(ae, AE_IFLNK);
        archive_entry_set_symlink(ae, e.data.c_str());
        break;
      case '1':
        archive_entry_set_filetype(ae, AE_IFREG);
        archive_entry_set_hardlink(ae, e.data.c_str());
        break;
      default:
        archive_entry_set_filetype(ae, AE_IFREG);
        archive_entry_set_size(ae, static_cast<la_int64_t>(e.data.size()));
    }
    archive_write_header(a, ae);
    if (e.type == '0' && !e.data.empty()) archive_write_data(a, e.data.data(), e.data.size());
    archive_entry_free(ae);
  }
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

MemImageSource::MemImageSource(const std::vector<std::string>& tars, Compression compression) {
  for (const std::string& tar : tars) {
    std::string blob = tar;
    if (compression != Compression::kNone) {
      // Re-wrap the tar bytes in the compressor via a raw (single-entry-less) writer.
      std::string out;
      archive* a = archive_write_new();
      archive_write_set_format_raw(a);
      archive_write_set_bytes_in_last_block(a, 1);
      if (compression == Compression::kGzip) archive_write_add_filter_gzip(a);
      if (compression == Compression::kZstd) archive_write_add_filter_zstd(a);
      archive_write_open(a, &out, nullptr, AppendCb, nullptr);
      archive_entry* ae = archive_entry_new();
      archive_entry_set_filetype(ae, AE_IFREG);
      archive_write_header(a, ae);
      archive_write_data(a, tar.data(), tar.size());
      archive_entry_free(ae);
      archive_write_close(a);
      archive_write_free(a);
      blob = std::move(out);
    }
    LayerRef ref;
    ref.diff_id = "sha256:" + Sha256Hex(tar);
    ref.digest = "sha256:" + Sha256Hex(blob);
    ref.size = static_cast<int64_t>(blob.size());
    layers_.push_back(ref);
    blobs_.push_back(std::move(blob));
  }
}

StatusOr<ResolvedImage> MemImageSource::Resolve(const Platform&) {
  ResolvedImage image;
  image.reference = Describe();
  image.layers = layers_;
  return image;
}

StatusOr<std::unique_ptr<BlobReader>> MemImageSource::OpenLayer(size_t index) {
  if (index >= blobs_.size()) return OutOfRangeError("no such layer");
  ++opened_;
  return std::unique_ptr<BlobReader>(std::make_unique<StringBlobReader>(blobs_[index]));
}

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string templ = std::string(base && *base ? base : "/tmp") + "/vigil-image-test.XXXXXX";
  char* made = mkdtemp(templ.data());
  if (made == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = made;
}

TempDir::~TempDir() {
  nftw(
      path_.c_str(),
      [](const char* p, const struct stat*, int, struct FTW*) { return ::remove(p); }, 16,
      FTW_DEPTH | FTW_PHYS);
}

}  // namespace vigil::image::testing
