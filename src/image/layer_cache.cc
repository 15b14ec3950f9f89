#include "image/layer_cache.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "base/fs.h"
#include "base/hash.h"
#include "base/strings.h"
#include "fmt/format.h"
#include "image/manifest.h"

namespace vigil::image {
namespace {

constexpr std::string_view kMagic = "VGLC";
constexpr size_t kTrailer = 32;

class Encoder {
 public:
  void U(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void I(int64_t v) { U((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }
  void S(std::string_view s) {
    U(s.size());
    out_.append(s);
  }
  std::string& out() { return out_; }

 private:
  std::string out_;
};

class Decoder {
 public:
  explicit Decoder(std::string_view in) : in_(in) {}
  bool U(uint64_t* v) {
    uint64_t r = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) return false;
      auto b = static_cast<uint8_t>(in_[pos_++]);
      r |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) {
        *v = r;
        return true;
      }
    }
    return false;
  }
  bool U32(uint32_t* v) {
    uint64_t x;
    if (!U(&x) || x > UINT32_MAX) return false;
    *v = static_cast<uint32_t>(x);
    return true;
  }
  bool I(int64_t* v) {
    uint64_t x;
    if (!U(&x)) return false;
    *v = static_cast<int64_t>(x >> 1) ^ -static_cast<int64_t>(x & 1);
    return true;
  }
  bool S(std::string* s) {
    uint64_t n;
    if (!U(&n) || n > in_.size() - pos_) return false;
    s->assign(in_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  // A count of items each at least one byte long: bounded by what is left.
  bool Count(uint64_t* n) { return U(n) && *n <= in_.size() - pos_; }
  bool done() const { return pos_ == in_.size(); }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

Status Corrupt(std::string_view what) {
  return DataLossError(fmt::format("layer cache entry: {}", what));
}

// Creates `path` and its missing parents; a relative path stays relative to the working
// directory.
Status MakeDirs(const std::string& path) {
  std::string cur = StartsWith(path, "/") ? "" : ".";
  for (std::string_view part : Split(path, '/', true)) {
    cur += "/";
    cur += part;
    if (::mkdir(cur.c_str(), 0700) != 0 && errno != EEXIST) {
      return InternalError(fmt::format("mkdir {}: {}", cur, std::strerror(errno)));
    }
  }
  return OkStatus();
}

}  // namespace

std::string EncodeLayerData(const LayerData& layer) {
  Encoder e;
  e.out().append(kMagic);
  e.U(kLayerCacheFormat);
  e.S(layer.diff_id);
  const LayerStats& s = layer.stats;
  for (uint64_t v :
       {static_cast<uint64_t>(s.compression), s.stored_bytes, s.uncompressed_bytes, s.entries,
        s.skipped_unsafe, s.captured_files, s.captured_bytes, s.uncaptured}) {
    e.U(v);
  }
  e.U(layer.files.size());
  for (const FileRecord& f : layer.files) {
    e.S(f.path);
    e.U(static_cast<uint64_t>(f.info.type));
    e.U(f.info.mode);
    e.U(f.info.uid);
    e.U(f.info.gid);
    e.U(f.info.size);
    e.I(f.info.mtime);
    e.S(f.info.link_target);
    e.S(f.hardlink_target);
    e.U(f.captured ? 1 : 0);
    if (f.captured) e.S(f.content);
  }
  e.U(layer.whiteouts.size());
  for (const std::string& w : layer.whiteouts) e.S(w);
  e.U(layer.opaque_dirs.size());
  for (const std::string& d : layer.opaque_dirs) e.S(d);
  Sha256 h;
  h.Update(e.out());
  auto digest = h.Finish();
  e.out().append(reinterpret_cast<const char*>(digest.data()), digest.size());
  return std::move(e.out());
}

StatusOr<LayerData> DecodeLayerData(std::string_view bytes) {
  if (bytes.size() < kMagic.size() + kTrailer || bytes.substr(0, kMagic.size()) != kMagic) {
    return Corrupt("bad magic");
  }
  std::string_view body = bytes.substr(0, bytes.size() - kTrailer);
  Sha256 h;
  h.Update(body);
  auto digest = h.Finish();
  if (std::memcmp(digest.data(), bytes.data() + body.size(), kTrailer) != 0) {
    return Corrupt("checksum mismatch");
  }
  Decoder d(body.substr(kMagic.size()));
  uint64_t version = 0;
  if (!d.U(&version) || version != kLayerCacheFormat) return Corrupt("unsupported format version");
  LayerData layer;
  if (!d.S(&layer.diff_id)) return Corrupt("truncated header");
  uint64_t compression = 0;
  LayerStats& s = layer.stats;
  for (uint64_t* v : {&compression, &s.stored_bytes, &s.uncompressed_bytes, &s.entries,
                      &s.skipped_unsafe, &s.captured_files, &s.captured_bytes, &s.uncaptured}) {
    if (!d.U(v)) return Corrupt("truncated stats");
  }
  if (compression > static_cast<uint64_t>(Compression::kBzip2)) return Corrupt("bad compression");
  s.compression = static_cast<Compression>(compression);
  uint64_t n = 0;
  if (!d.Count(&n)) return Corrupt("bad file count");
  layer.files.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    FileRecord f;
    uint64_t type = 0, captured = 0;
    if (!d.S(&f.path) || !d.U(&type) || !d.U32(&f.info.mode) || !d.U32(&f.info.uid) ||
        !d.U32(&f.info.gid) || !d.U(&f.info.size) || !d.I(&f.info.mtime) ||
        !d.S(&f.info.link_target) || !d.S(&f.hardlink_target) || !d.U(&captured)) {
      return Corrupt("truncated file record");
    }
    if (type > static_cast<uint64_t>(FileType::kOther) || captured > 1)
      return Corrupt("bad file record");
    if (f.path.empty() || f.path[0] != '/' || NormalizePath(f.path) != f.path) {
      return Corrupt("bad path");
    }
    if (!layer.files.empty() && !(layer.files.back().path < f.path))
      return Corrupt("unsorted paths");
    f.info.type = static_cast<FileType>(type);
    f.captured = captured == 1;
    if (f.captured && !d.S(&f.content)) return Corrupt("truncated content");
    layer.files.push_back(std::move(f));
  }
  for (auto* list : {&layer.whiteouts, &layer.opaque_dirs}) {
    if (!d.Count(&n)) return Corrupt("bad list count");
    for (uint64_t i = 0; i < n; ++i) {
      std::string p;
      if (!d.S(&p)) return Corrupt("truncated list");
      if (p.empty() || p[0] != '/' || NormalizePath(p) != p) return Corrupt("bad path");
      list->push_back(std::move(p));
    }
  }
  if (!d.done()) return Corrupt("trailing bytes");
  return layer;
}

std::string DefaultCacheDir() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg != nullptr && xdg[0] == '/') return std::string(xdg) + "/vigil";
  const char* home = std::getenv("HOME");
  if (home != nullptr && home[0] == '/') return std::string(home) + "/.cache/vigil";
  return "/tmp/vigil-cache";
}

std::string LayerCache::PathFor(std::string_view diff_id, std::string_view fingerprint) const {
  auto hex = DigestHex(diff_id);
  std::string key = hex.ok() ? *hex : vigil::Sha256Hex(diff_id);
  return fmt::format("{}/layers/v{}/{}-{}.vlc", dir_, kLayerCacheFormat, key, fingerprint);
}

StatusOr<LayerData> LayerCache::Load(std::string_view diff_id, std::string_view fingerprint) const {
  std::string path = PathFor(diff_id, fingerprint);
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return NotFoundError(fmt::format("{}: not cached", path));
  auto bytes = ReadHostFile(path, UINT64_MAX);
  if (!bytes.ok()) return bytes.status();
  auto layer = DecodeLayerData(*bytes);
  if (!layer.ok()) return Annotate(layer.status(), path);
  if (layer->diff_id != diff_id) return DataLossError(fmt::format("{}: holds another layer", path));
  return layer;
}

Status LayerCache::Store(const LayerData& layer, std::string_view fingerprint) const {
  std::string path = PathFor(layer.diff_id, fingerprint);
  VIGIL_RETURN_IF_ERROR(MakeDirs(std::string(Dirname(path))));
  return WriteFileAtomic(path, EncodeLayerData(layer));
}

}  // namespace vigil::image
