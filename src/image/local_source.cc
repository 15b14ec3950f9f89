#include "image/local_source.h"

#include <sys/stat.h>

#include <algorithm>

#include "base/hash.h"
#include "base/strings.h"
#include "fmt/format.h"
#include "image/manifest.h"

namespace vigil::image {
namespace {

constexpr int kMaxIndexDepth = 4;

std::string BlobName(const std::string& digest) {
  size_t colon = digest.find(':');
  if (colon == std::string::npos) return {};
  return "blobs/" + digest.substr(0, colon) + "/" + digest.substr(colon + 1);
}

StatusOr<std::string> ReadVerified(const BlobStore& store, const Descriptor& d,
                                   std::string_view what) {
  std::string name = BlobName(d.digest);
  if (!SafeBlobName(name))
    return InvalidArgumentError(fmt::format("{}: bad digest \"{}\"", what, d.digest));
  auto data = store.ReadSmall(name, kMaxJsonDocument);
  if (!data.ok()) return Annotate(data.status(), what);
  VIGIL_RETURN_IF_ERROR(VerifyDigest(*data, d.digest, fmt::format("{} {}", what, d.digest)));
  return data;
}

std::string DescribeCandidates(const std::vector<Descriptor>& list) {
  std::vector<std::string> out;
  for (const Descriptor& d : list) {
    auto it = d.annotations.find(std::string(kRefNameAnnotation));
    std::string name = it != d.annotations.end() ? it->second : d.digest.substr(0, 19);
    if (d.has_platform) name += " [" + d.platform.ToString() + "]";
    out.push_back(name);
  }
  return Join(out, ", ");
}

class OciLayoutSource : public ImageSource {
 public:
  OciLayoutSource(std::unique_ptr<BlobStore> store, std::string tag, std::string describe)
      : store_(std::move(store)), tag_(std::move(tag)), describe_(std::move(describe)) {}

  std::string Describe() const override { return describe_; }

  StatusOr<ResolvedImage> Resolve(const Platform& platform) override {
    auto index_json = store_->ReadSmall("index.json", kMaxJsonDocument);
    if (!index_json.ok()) return Annotate(index_json.status(), describe_);
    auto index = ParseIndex(*index_json);
    if (!index.ok()) return Annotate(index.status(), describe_ + ": index.json");
    std::vector<Descriptor> candidates;
    for (const Descriptor& d : index->manifests) {
      auto it = d.annotations.find(std::string(kRefNameAnnotation));
      std::string ref_name = it != d.annotations.end() ? it->second : "";
      // skopeo/umoci write the bare tag; buildkit may write a full "name:tag".
      if (tag_.empty() || ref_name == tag_ || EndsWith(ref_name, ":" + tag_)) {
        candidates.push_back(d);
      }
    }
    if (candidates.empty()) {
      return NotFoundError(fmt::format("{}: no image tagged \"{}\" (available: {})", describe_,
                                       tag_, DescribeCandidates(index->manifests)));
    }
    VIGIL_ASSIGN_OR_RETURN(Descriptor chosen, Pick(candidates, platform, 0));
    VIGIL_ASSIGN_OR_RETURN(std::string manifest_json,
                           ReadVerified(*store_, chosen, describe_ + ": manifest"));
    auto manifest = ParseManifest(manifest_json);
    if (!manifest.ok()) return Annotate(manifest.status(), describe_);
    VIGIL_ASSIGN_OR_RETURN(std::string config_json,
                           ReadVerified(*store_, manifest->config, describe_ + ": config"));
    auto config = ParseImageConfig(config_json);
    if (!config.ok()) return Annotate(config.status(), describe_);
    if (config->diff_ids.size() != manifest->layers.size()) {
      return InvalidArgumentError(
          fmt::format("{}: manifest has {} layers but config has {} diff_ids", describe_,
                      manifest->layers.size(), config->diff_ids.size()));
    }
    ResolvedImage image;
    image.reference = describe_;
    image.manifest_digest = chosen.digest;
    image.config_digest = manifest->config.digest;
    image.config_json = std::move(config_json);
    if (!tag_.empty()) image.repo_tags.push_back(tag_);
    blob_names_.clear();
    for (size_t i = 0; i < manifest->layers.size(); ++i) {
      const Descriptor& l = manifest->layers[i];
      std::string name = BlobName(l.digest);
      if (!SafeBlobName(name)) {
        return InvalidArgumentError(
            fmt::format("{}: layer {} has a bad digest \"{}\"", describe_, i, l.digest));
      }
      image.layers.push_back(LayerRef{l.media_type, l.digest, l.size, config->diff_ids[i]});
      blob_names_.push_back(std::move(name));
    }
    return image;
  }

  StatusOr<std::unique_ptr<BlobReader>> OpenLayer(size_t index) override {
    if (index >= blob_names_.size())
      return OutOfRangeError(fmt::format("{}: no layer {}", describe_, index));
    return store_->Open(blob_names_[index]);
  }

 private:
  // One manifest out of `list`: the only one, or the one for `platform`; indexes recurse.
  StatusOr<Descriptor> Pick(const std::vector<Descriptor>& list, const Platform& platform,
                            int depth) {
    if (depth > kMaxIndexDepth) {
      return InvalidArgumentError(
          fmt::format("{}: indexes nested deeper than {}", describe_, kMaxIndexDepth));
    }
    std::vector<const Descriptor*> matching;
    for (const Descriptor& d : list) {
      if (d.has_platform ? PlatformMatches(platform, d.platform) : list.size() == 1) {
        matching.push_back(&d);
      }
    }
    if (matching.empty()) {
      bool any_platform =
          std::any_of(list.begin(), list.end(), [](auto& d) { return d.has_platform; });
      if (any_platform) {
        return NotFoundError(fmt::format("{}: no manifest for platform {} (available: {})",
                                         describe_, platform.ToString(), DescribeCandidates(list)));
      }
      return InvalidArgumentError(
          fmt::format("{}: {} images in the layout; name one with :TAG (available: {})", describe_,
                      list.size(), DescribeCandidates(list)));
    }
    const Descriptor& d = *matching.front();
    bool is_index = IsIndexMediaType(d.media_type);
    std::string body;
    if (!is_index && d.media_type.empty()) {
      VIGIL_ASSIGN_OR_RETURN(body, ReadVerified(*store_, d, describe_ + ": manifest"));
      is_index = LooksLikeIndex(body);
    }
    if (!is_index) return d;
    if (body.empty()) {
      VIGIL_ASSIGN_OR_RETURN(body, ReadVerified(*store_, d, describe_ + ": index"));
    }
    auto nested = ParseIndex(body);
    if (!nested.ok()) return Annotate(nested.status(), describe_ + ": " + d.digest);
    return Pick(nested->manifests, platform, depth + 1);
  }

  std::unique_ptr<BlobStore> store_;
  std::string tag_;
  std::string describe_;
  std::vector<std::string> blob_names_;
};

class DockerArchiveSource : public ImageSource {
 public:
  DockerArchiveSource(std::unique_ptr<BlobStore> store, std::string path, std::string tag)
      : store_(std::move(store)), path_(std::move(path)), tag_(std::move(tag)) {}

  std::string Describe() const override { return "docker-archive:" + path_; }

  StatusOr<ResolvedImage> Resolve(const Platform& platform) override {
    if (!store_->Exists("manifest.json")) {
      return UnimplementedError(fmt::format(
          "{}: no manifest.json (legacy pre-1.10 `docker save` format is not supported)",
          Describe()));
    }
    VIGIL_ASSIGN_OR_RETURN(std::string text, store_->ReadSmall("manifest.json", kMaxJsonDocument));
    auto images = ParseDockerArchiveManifest(text);
    if (!images.ok()) return Annotate(images.status(), Describe());
    const DockerArchiveImage* chosen = nullptr;
    for (const DockerArchiveImage& img : *images) {
      if (tag_.empty()) {
        chosen = &img;
        break;
      }
      for (const std::string& t : img.repo_tags) {
        if (t == tag_ || EndsWith(t, ":" + tag_) || EndsWith(t, "/" + tag_)) chosen = &img;
      }
      if (chosen) break;
    }
    if (chosen == nullptr)
      return NotFoundError(fmt::format("{}: no image tagged \"{}\"", Describe(), tag_));
    auto config_json = store_->ReadSmall(chosen->config, kMaxJsonDocument);
    if (!config_json.ok()) return Annotate(config_json.status(), Describe() + ": config");
    auto config = ParseImageConfig(*config_json);
    if (!config.ok()) return Annotate(config.status(), Describe() + ": " + chosen->config);
    if (config->diff_ids.size() != chosen->layers.size()) {
      return InvalidArgumentError(
          fmt::format("{}: manifest.json lists {} layers but config has {} diff_ids", Describe(),
                      chosen->layers.size(), config->diff_ids.size()));
    }
    ResolvedImage image;
    image.reference = Describe();
    image.config_digest = "sha256:" + vigil::Sha256Hex(*config_json);
    // The config's name is its digest ("<hex>.json" or "blobs/sha256/<hex>"): check it.
    std::string stem(Basename(chosen->config));
    if (EndsWith(stem, ".json")) stem.resize(stem.size() - 5);
    if (stem.size() == 64 && image.config_digest != "sha256:" + stem) {
      return DataLossError(fmt::format("{}: config {} does not match its digest ({})", Describe(),
                                       chosen->config, image.config_digest));
    }
    image.config_json = std::move(*config_json);
    image.repo_tags = chosen->repo_tags;
    if (!platform.os.empty() && !config->platform.os.empty() &&
        !PlatformMatches(platform, config->platform)) {
      return NotFoundError(fmt::format("{}: image is {}, not {}", Describe(),
                                       config->platform.ToString(), platform.ToString()));
    }
    layer_names_ = chosen->layers;
    for (size_t i = 0; i < chosen->layers.size(); ++i) {
      const std::string& name = chosen->layers[i];
      LayerRef ref;
      ref.diff_id = config->diff_ids[i];
      ref.size = store_->Size(name);
      if (StartsWith(name, "blobs/sha256/") && name.size() == 13 + 64) {
        ref.digest = "sha256:" + name.substr(13);
      }
      image.layers.push_back(std::move(ref));
    }
    return image;
  }

  StatusOr<std::unique_ptr<BlobReader>> OpenLayer(size_t index) override {
    if (index >= layer_names_.size())
      return OutOfRangeError(fmt::format("{}: no layer {}", Describe(), index));
    return store_->Open(layer_names_[index]);
  }

 private:
  std::unique_ptr<BlobStore> store_;
  std::string path_;
  std::string tag_;
  std::vector<std::string> layer_names_;
};

}  // namespace

std::unique_ptr<ImageSource> NewOciLayoutSource(std::unique_ptr<BlobStore> store, std::string tag,
                                                std::string describe) {
  return std::make_unique<OciLayoutSource>(std::move(store), std::move(tag), std::move(describe));
}

StatusOr<std::unique_ptr<ImageSource>> OpenOciDir(const std::string& dir, const std::string& tag) {
  struct stat st;
  if (::stat((dir + "/index.json").c_str(), &st) != 0) {
    return NotFoundError(fmt::format("{}: not an OCI layout (no index.json)", dir));
  }
  std::string describe = "oci:" + dir + (tag.empty() ? "" : ":" + tag);
  return NewOciLayoutSource(NewDirBlobStore(dir), tag, describe);
}

StatusOr<std::unique_ptr<ImageSource>> OpenOciArchive(const std::string& path,
                                                      const std::string& tag) {
  VIGIL_ASSIGN_OR_RETURN(auto store, NewTarBlobStore(path));
  if (!store->Exists("index.json")) {
    return NotFoundError(fmt::format("{}: not an OCI archive (no index.json)", path));
  }
  std::string describe = "oci-archive:" + path + (tag.empty() ? "" : ":" + tag);
  return NewOciLayoutSource(std::move(store), tag, describe);
}

StatusOr<std::unique_ptr<ImageSource>> OpenDockerArchive(const std::string& path,
                                                         const std::string& tag) {
  VIGIL_ASSIGN_OR_RETURN(auto store, NewTarBlobStore(path));
  return std::unique_ptr<ImageSource>(
      std::make_unique<DockerArchiveSource>(std::move(store), path, tag));
}

RootfsSource::RootfsSource(std::string dir)
    : dir_(std::move(dir)), fs_(std::make_shared<RealFileSystem>(dir_)) {}

StatusOr<ResolvedImage> RootfsSource::Resolve(const Platform& platform) {
  struct stat st;
  if (::stat(dir_.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return NotFoundError(fmt::format("{}: not a directory", dir_));
  }
  ResolvedImage image;
  image.reference = Describe();
  return image;
}

StatusOr<std::unique_ptr<BlobReader>> RootfsSource::OpenLayer(size_t index) {
  return OutOfRangeError(fmt::format("{}: a root filesystem has no layers", Describe()));
}

StatusOr<PathKind> DetectPathKind(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return NotFoundError(fmt::format("{}: no such file or directory", path));
  if (S_ISDIR(st.st_mode)) {
    struct stat idx;
    bool has_index = ::stat((path + "/index.json").c_str(), &idx) == 0 && S_ISREG(idx.st_mode);
    return has_index ? PathKind::kOciDir : PathKind::kRootfsDir;
  }
  auto store = NewTarBlobStore(path);
  if (!store.ok()) {
    return InvalidArgumentError(fmt::format(
        "{}: neither a directory nor a readable tar archive ({})", path, store.status().message()));
  }
  if ((*store)->Exists("manifest.json")) return PathKind::kDockerArchive;
  if ((*store)->Exists("index.json") && (*store)->Exists("oci-layout"))
    return PathKind::kOciArchive;
  return InvalidArgumentError(
      fmt::format("{}: a tar with neither manifest.json (docker-archive) nor index.json + "
                  "oci-layout (oci-archive)",
                  path));
}

}  // namespace vigil::image
