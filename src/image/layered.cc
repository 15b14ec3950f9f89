#include "image/layered.h"

#include <fnmatch.h>

#include <algorithm>
#include <map>
#include <mutex>

#include "base/hash.h"
#include "base/strings.h"
#include "fmt/format.h"
#include "image/blob.h"

namespace vigil::image {
namespace {

constexpr int kMaxHardlinkHops = 16;

// path -> record; nullptr marks a directory implied by a deeper path but never listed.
using NodeMap = std::map<std::string, const FileRecord*, std::less<>>;

void EraseSubtree(NodeMap& m, const std::string& dir, bool include_self) {
  if (include_self) m.erase(dir);
  std::string prefix = dir == "/" ? "/" : dir + "/";
  for (auto it = m.lower_bound(prefix); it != m.end() && StartsWith(it->first, prefix);) {
    it = m.erase(it);
  }
}

void EnsureParents(NodeMap& m, std::string_view path) {
  std::string_view dir = Dirname(path);
  while (true) {
    if (m.find(dir) != m.end()) break;
    m.emplace(std::string(dir), nullptr);
    if (dir == "/") break;
    dir = Dirname(dir);
  }
}

bool IsDir(const FileRecord* r) { return r == nullptr || r->info.type == FileType::kDirectory; }

void ApplyLayer(NodeMap& m, const LayerData& layer) {
  for (const std::string& d : layer.opaque_dirs) {
    EraseSubtree(m, d, false);
  }
  for (const std::string& w : layer.whiteouts) {
    EraseSubtree(m, w, true);
  }
  for (const FileRecord& rec : layer.files) {
    auto it = m.find(rec.path);
    if (it != m.end() && IsDir(it->second) && rec.info.type != FileType::kDirectory) {
      EraseSubtree(m, rec.path, false);
    }
    EnsureParents(m, rec.path);
    m[rec.path] = &rec;
  }
  for (const std::string& d : layer.opaque_dirs) {
    if (m.find(d) == m.end()) {
      EnsureParents(m, d);
      m.emplace(d, nullptr);
    }
  }
}

// A FileSystem over a NodeMap. Holds the layers it points into.
class TreeView : public FileSystem {
 public:
  TreeView(NodeMap nodes, std::vector<std::shared_ptr<const LayerData>> keep)
      : nodes_(std::move(nodes)), keep_(std::move(keep)) {
    nodes_.emplace("/", nullptr);
    for (const auto& [path, rec] : nodes_) {
      if (path == "/") continue;
      children_[std::string(Dirname(path))].push_back(
          DirEntry{std::string(Basename(path)), rec ? rec->info.type : FileType::kDirectory});
    }
  }
  const NodeMap& nodes() const { return nodes_; }

 protected:
  StatusOr<FileInfo> LStatCanonical(const std::string& path) const override {
    auto it = nodes_.find(path);
    if (it == nodes_.end())
      return NotFoundError(fmt::format("{}: no such file or directory", path));
    if (it->second == nullptr) {
      FileInfo info;
      info.type = FileType::kDirectory;
      info.mode = 0755;
      return info;
    }
    return it->second->info;
  }

  StatusOr<std::string> ReadCanonical(const std::string& path, uint64_t max_bytes) const override {
    auto it = nodes_.find(path);
    if (it == nodes_.end())
      return NotFoundError(fmt::format("{}: no such file or directory", path));
    const FileRecord* rec = it->second;
    for (int hop = 0; rec != nullptr && !rec->captured && !rec->hardlink_target.empty() &&
                      hop < kMaxHardlinkHops;
         ++hop) {
      auto target = nodes_.find(rec->hardlink_target);
      rec = target == nodes_.end() ? nullptr : target->second;
    }
    if (rec == nullptr || rec->info.type != FileType::kRegular) {
      return FailedPreconditionError(fmt::format("{}: not a regular file", path));
    }
    if (!rec->captured)
      return FailedPreconditionError(fmt::format("{}: content not captured", path));
    if (rec->content.size() > max_bytes) {
      return ResourceExhaustedError(fmt::format("{}: larger than {} bytes", path, max_bytes));
    }
    return rec->content;
  }

  StatusOr<std::vector<DirEntry>> ListCanonical(const std::string& path) const override {
    auto it = nodes_.find(path);
    if (it == nodes_.end())
      return NotFoundError(fmt::format("{}: no such file or directory", path));
    if (!IsDir(it->second))
      return FailedPreconditionError(fmt::format("{}: not a directory", path));
    auto c = children_.find(path);
    if (c == children_.end()) return std::vector<DirEntry>();
    return c->second;  // NodeMap order is path order, so names are already sorted
  }

 private:
  NodeMap nodes_;
  std::map<std::string, std::vector<DirEntry>, std::less<>> children_;
  std::vector<std::shared_ptr<const LayerData>> keep_;
};

bool GlobMatch(const std::string& pattern, std::string_view path) {
  std::string p(path);
  if (StartsWith(pattern, "**/")) {
    std::string base(Basename(p));
    return fnmatch(pattern.c_str() + 3, base.c_str(), 0) == 0;
  }
  return fnmatch(pattern.c_str(), p.c_str(), FNM_PATHNAME) == 0;
}

// Accumulates one layer's entries from the walk.
class LayerBuilder {
 public:
  explicit LayerBuilder(const CaptureSpec& capture) : capture_(capture) {}

  Status Visit(const LayerEntry& e, BlobReader* content) {
    switch (e.kind) {
      case EntryKind::kWhiteout:
        whiteouts_.push_back(e.path);
        return OkStatus();
      case EntryKind::kOpaque:
        opaque_.push_back(e.path);
        return OkStatus();
      default:
        break;
    }
    FileRecord rec;
    rec.path = e.path;
    rec.info = e.info;
    rec.hardlink_target = e.hardlink_target;
    if (e.kind == EntryKind::kRegular && content != nullptr && capture_.Matches(e.path, e.info)) {
      // With a reducer the budget is checked on what is kept, after reduction.
      uint64_t budgeted = capture_.reduce ? 0 : e.info.size;
      if (e.info.size <= capture_.max_file_bytes &&
          data_.stats.captured_bytes + budgeted <= capture_.max_layer_bytes) {
        VIGIL_ASSIGN_OR_RETURN(rec.content,
                               ReadAll(*content, capture_.max_file_bytes, e.info.size));
        bool keep = !capture_.reduce || capture_.reduce(e.path, e.info, rec.content);
        if (!keep) {
          // Reduced to nothing: captured as empty content, so readers see "nothing of
          // interest" rather than "content not captured".
          rec.content.clear();
          rec.content.shrink_to_fit();
          rec.captured = true;
          ++data_.stats.captured_files;
        } else if (data_.stats.captured_bytes + rec.content.size() <= capture_.max_layer_bytes) {
          rec.captured = true;
          ++data_.stats.captured_files;
          data_.stats.captured_bytes += rec.content.size();
        } else {
          ++data_.stats.uncaptured;
          rec.content.clear();
          rec.content.shrink_to_fit();
        }
      } else {
        ++data_.stats.uncaptured;
      }
    }
    auto [it, inserted] = index_.emplace(rec.path, records_.size());
    if (inserted) {
      records_.push_back(std::move(rec));
    } else {
      records_[it->second] = std::move(rec);
    }
    return OkStatus();
  }

  LayerData Finish(std::string diff_id, const WalkStats& walk) {
    // Hard links take their target's type, mode and size; a link the spec matches gets the
    // target's captured content under its own path.
    for (FileRecord& rec : records_) {
      if (rec.hardlink_target.empty()) continue;
      const FileRecord* target = &rec;
      for (int hop = 0; target && !target->hardlink_target.empty() && hop < kMaxHardlinkHops;
           ++hop) {
        auto it = index_.find(target->hardlink_target);
        target = it == index_.end() ? nullptr : &records_[it->second];
      }
      if (target == nullptr || !target->hardlink_target.empty()) continue;
      rec.info.type = target->info.type;
      rec.info.size = target->info.size;
      if (target->captured && capture_.Matches(rec.path, rec.info)) {
        rec.captured = true;
        rec.content = target->content;
      }
    }
    data_.diff_id = std::move(diff_id);
    data_.files = std::move(records_);
    std::sort(data_.files.begin(), data_.files.end(),
              [](const FileRecord& a, const FileRecord& b) { return a.path < b.path; });
    std::sort(whiteouts_.begin(), whiteouts_.end());
    whiteouts_.erase(std::unique(whiteouts_.begin(), whiteouts_.end()), whiteouts_.end());
    std::sort(opaque_.begin(), opaque_.end());
    opaque_.erase(std::unique(opaque_.begin(), opaque_.end()), opaque_.end());
    data_.whiteouts = std::move(whiteouts_);
    data_.opaque_dirs = std::move(opaque_);
    data_.stats.compression = walk.compression;
    data_.stats.stored_bytes = walk.stored_bytes;
    data_.stats.uncompressed_bytes = walk.uncompressed_bytes;
    data_.stats.entries = walk.entries;
    data_.stats.skipped_unsafe = walk.skipped_unsafe;
    return std::move(data_);
  }

 private:
  const CaptureSpec& capture_;
  LayerData data_;
  std::vector<FileRecord> records_;
  std::map<std::string, size_t, std::less<>> index_;
  std::vector<std::string> whiteouts_;
  std::vector<std::string> opaque_;
};

}  // namespace

bool CaptureSpec::Matches(std::string_view path, const FileInfo& info) const {
  for (const std::string& p : patterns) {
    if (GlobMatch(p, path)) return true;
  }
  return predicate && predicate(path, info);
}

std::string CaptureSpec::Fingerprint() const {
  std::vector<std::string> sorted = patterns;
  std::sort(sorted.begin(), sorted.end());
  std::string key = fmt::format("v={}\nmax_file={}\nmax_layer={}\npredicate={}\n", version,
                                max_file_bytes, max_layer_bytes, predicate ? predicate_key : "");
  for (const std::string& p : sorted) key += p + "\n";
  return vigil::Sha256Hex(key).substr(0, 16);
}

CaptureSpec CaptureSpec::CatalogDefaults() {
  CaptureSpec spec;
  spec.patterns = {
      "/etc/os-release",
      "/usr/lib/os-release",
      "/etc/*-release",
      "/etc/*_version",
      "/etc/debian_version",
      "/etc/alpine-release",
      "/etc/issue",
      "/var/lib/dpkg/status",
      "/var/lib/dpkg/status.d/*",
      "/var/lib/dpkg/info/*.list",
      "/var/lib/dpkg/info/*.md5sums",
      "/lib/apk/db/installed",
      "/usr/lib/apk/db/installed",
      "/var/lib/rpm/*",
      "/usr/lib/sysimage/rpm/*",
      "/usr/share/doc/*/copyright",
  };
  return spec;
}

const FileRecord* LayerData::Find(std::string_view path) const {
  auto it = std::lower_bound(files.begin(), files.end(), path,
                             [](const FileRecord& r, std::string_view p) { return r.path < p; });
  return (it != files.end() && it->path == path) ? &*it : nullptr;
}

StatusOr<LayerData> ReadLayerBlob(BlobReader& stored, const LayerRef& layer, std::string_view name,
                                  const CaptureSpec& capture, const WalkOptions& options) {
  LayerBuilder builder(capture);
  WalkStats walk;
  VIGIL_RETURN_IF_ERROR(WalkLayerBlob(
      stored, layer, name, options,
      [&](const LayerEntry& e, BlobReader* content) { return builder.Visit(e, content); }, &walk));
  return builder.Finish(layer.diff_id, walk);
}

StatusOr<LayerData> ReadLayer(ImageSource& source, const ResolvedImage& image, size_t index,
                              const CaptureSpec& capture, const WalkOptions& options) {
  if (index >= image.layers.size()) {
    return OutOfRangeError(
        fmt::format("layer {} of an image with {} layers", index, image.layers.size()));
  }
  const LayerRef& layer = image.layers[index];
  std::string name = LayerName(index, layer);
  auto reader = source.OpenLayer(index);
  if (!reader.ok()) return Annotate(reader.status(), name);
  return ReadLayerBlob(**reader, layer, name, capture, options);
}

struct LayeredImage::Impl {
  ResolvedImage image;
  std::vector<std::shared_ptr<const LayerData>> layers;
  std::shared_ptr<const FileSystem> rootfs;
  LoadStats stats;
  std::mutex mu;
  std::vector<std::shared_ptr<const TreeView>> views;  // guarded by mu; lazily filled
  std::vector<std::shared_ptr<const TreeView>> layer_views;
  std::shared_ptr<const FileSystem> empty;

  std::shared_ptr<const TreeView> View(size_t i) {
    std::lock_guard<std::mutex> lock(mu);
    if (views[i]) return views[i];
    // Start from the highest already-built view below i.
    size_t start = 0;
    NodeMap nodes;
    for (size_t j = i; j-- > 0;) {
      if (views[j]) {
        nodes = views[j]->nodes();
        start = j + 1;
        break;
      }
    }
    for (size_t j = start; j <= i; ++j) ApplyLayer(nodes, *layers[j]);
    std::vector<std::shared_ptr<const LayerData>> keep(layers.begin(), layers.begin() + i + 1);
    views[i] = std::make_shared<TreeView>(std::move(nodes), std::move(keep));
    return views[i];
  }
};

LayeredImage::LayeredImage(ResolvedImage image,
                           std::vector<std::shared_ptr<const LayerData>> layers,
                           std::shared_ptr<const FileSystem> rootfs, LoadStats stats)
    : impl_(std::make_shared<Impl>()) {
  impl_->image = std::move(image);
  impl_->layers = std::move(layers);
  impl_->rootfs = std::move(rootfs);
  impl_->stats = stats;
  impl_->views.resize(impl_->layers.size());
  impl_->layer_views.resize(impl_->layers.size());
  impl_->empty =
      std::make_shared<TreeView>(NodeMap(), std::vector<std::shared_ptr<const LayerData>>());
}

const ResolvedImage& LayeredImage::image() const { return impl_->image; }
size_t LayeredImage::layer_count() const { return impl_->layers.size(); }
const std::string& LayeredImage::diff_id(size_t i) const { return impl_->layers.at(i)->diff_id; }
const LayerData& LayeredImage::layer(size_t i) const { return *impl_->layers.at(i); }
const LoadStats& LayeredImage::stats() const { return impl_->stats; }

std::shared_ptr<const FileSystem> LayeredImage::ViewAt(size_t i) const {
  if (i >= impl_->layers.size()) return nullptr;
  return impl_->View(i);
}

std::shared_ptr<const FileSystem> LayeredImage::Merged() const {
  if (impl_->layers.empty()) return impl_->rootfs ? impl_->rootfs : impl_->empty;
  return impl_->View(impl_->layers.size() - 1);
}

std::shared_ptr<const FileSystem> LayeredImage::LayerView(size_t i) const {
  if (i >= impl_->layers.size()) return nullptr;
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto& slot = impl_->layer_views[i];
  if (!slot) {
    NodeMap nodes;
    for (const FileRecord& rec : impl_->layers[i]->files) {
      EnsureParents(nodes, rec.path);
      nodes[rec.path] = &rec;
    }
    slot = std::make_shared<TreeView>(
        std::move(nodes), std::vector<std::shared_ptr<const LayerData>>{impl_->layers[i]});
  }
  return slot;
}

LayerChanges LayeredImage::ChangedPaths(size_t i) const {
  LayerChanges out;
  if (i >= impl_->layers.size()) return out;
  NodeMap empty;
  std::shared_ptr<const TreeView> prev_view = i > 0 ? impl_->View(i - 1) : nullptr;
  const NodeMap& prev = prev_view ? prev_view->nodes() : empty;
  std::shared_ptr<const TreeView> cur_view = impl_->View(i);
  const NodeMap& cur = cur_view->nodes();
  const LayerData& layer = *impl_->layers[i];
  auto from_layer = [&](const FileRecord* r) {
    return r != nullptr && !layer.files.empty() && r >= &layer.files.front() &&
           r <= &layer.files.back();
  };
  for (const auto& [path, rec] : cur) {
    if (path == "/") continue;
    auto it = prev.find(path);
    if (it == prev.end()) {
      out.added.push_back(path);
    } else if (from_layer(rec)) {
      out.modified.push_back(path);
    }
  }
  for (const auto& [path, rec] : prev) {
    if (path != "/" && cur.find(path) == cur.end()) out.deleted.push_back(path);
  }
  return out;
}

}  // namespace vigil::image
