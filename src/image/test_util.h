// Test helpers: hand-built layer tars (via libarchive's writer, which writes whatever names
// it is given, including hostile ones) and an in-memory ImageSource. Tests only.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "image/layer.h"
#include "image/source.h"

namespace vigil::image::testing {

struct TarEntry {
  std::string name;
  char type = '0';   // '0' file, '5' dir, '2' symlink, '1' hard link
  std::string data;  // content, or link target for '1'/'2'
  uint32_t mode = 0644;
};

TarEntry File(std::string name, std::string data, uint32_t mode = 0644);
TarEntry Dir(std::string name);
TarEntry Symlink(std::string name, std::string target);
TarEntry Hardlink(std::string name, std::string target);

// A tar (pax) of `entries`, compressed as asked (kNone, kGzip or kZstd).
std::string MakeTar(const std::vector<TarEntry>& entries,
                    Compression compression = Compression::kNone);

// An image whose layers are blobs held in memory. diff_ids and digests are computed
// (override them in `layers()` to test mismatches).
class MemImageSource : public ImageSource {
 public:
  // `tars` are uncompressed layer tars; each is stored compressed with `compression`.
  MemImageSource(const std::vector<std::string>& tars, Compression compression);
  std::string Describe() const override { return "mem:test"; }
  StatusOr<ResolvedImage> Resolve(const Platform& platform) override;
  StatusOr<std::unique_ptr<BlobReader>> OpenLayer(size_t index) override;

  std::vector<LayerRef>& layers() { return layers_; }
  std::vector<std::string>& blobs() { return blobs_; }
  int opened() const { return opened_; }

 private:
  std::vector<std::string> blobs_;
  std::vector<LayerRef> layers_;
  int opened_ = 0;
};

// A fresh temp dir under $TMPDIR (or /tmp), removed with `rm -rf` semantics by ~TempDir.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace vigil::image::testing
