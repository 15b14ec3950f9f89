#include "image/manifest.h"

#include <nlohmann/json.hpp>

#include "base/hash.h"
#include "base/strings.h"
#include "fmt/format.h"

namespace vigil::image {
namespace {

using nlohmann::json;

StatusOr<json> ParseJson(std::string_view text, std::string_view what) {
  if (text.size() > kMaxJsonDocument) {
    return InvalidArgumentError(
        fmt::format("{}: document of {} bytes is too large", what, text.size()));
  }
  json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return InvalidArgumentError(fmt::format("{}: not valid JSON", what));
  if (!doc.is_object() && !doc.is_array()) {
    return InvalidArgumentError(fmt::format("{}: expected a JSON object", what));
  }
  return doc;
}

std::string GetString(const json& obj, const char* key) {
  auto it = obj.find(key);
  return (it != obj.end() && it->is_string()) ? it->get<std::string>() : std::string();
}

StatusOr<Descriptor> ParseDescriptor(const json& j, std::string_view what) {
  if (!j.is_object())
    return InvalidArgumentError(fmt::format("{}: descriptor is not an object", what));
  Descriptor d;
  d.media_type = GetString(j, "mediaType");
  d.digest = GetString(j, "digest");
  if (d.digest.empty())
    return InvalidArgumentError(fmt::format("{}: descriptor without digest", what));
  auto size = j.find("size");
  if (size != j.end() && size->is_number_integer()) d.size = size->get<int64_t>();
  auto ann = j.find("annotations");
  if (ann != j.end() && ann->is_object()) {
    for (auto it = ann->begin(); it != ann->end(); ++it) {
      if (it.value().is_string()) d.annotations[it.key()] = it.value().get<std::string>();
    }
  }
  auto platform = j.find("platform");
  if (platform != j.end() && platform->is_object()) {
    d.has_platform = true;
    d.platform.os = GetString(*platform, "os");
    d.platform.architecture = GetString(*platform, "architecture");
    d.platform.variant = GetString(*platform, "variant");
  }
  return d;
}

// The required array `key` of descriptors in `doc`; `what` names the document in errors
// ("image index: no \"manifests\" array", "image manifest layers[]: ...").
StatusOr<std::vector<Descriptor>> ParseDescriptorArray(const json& doc, const char* key,
                                                       std::string_view what) {
  auto list = doc.find(key);
  if (list == doc.end() || !list->is_array()) {
    return InvalidArgumentError(fmt::format("{}: no \"{}\" array", what, key));
  }
  std::vector<Descriptor> out;
  std::string context = fmt::format("{} {}[]", what, key);
  for (const json& item : *list) {
    VIGIL_ASSIGN_OR_RETURN(Descriptor d, ParseDescriptor(item, context));
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace

bool IsIndexMediaType(std::string_view media_type) {
  return media_type == kOciIndexType || media_type == kDockerListType;
}

bool LooksLikeIndex(std::string_view text) {
  json doc = json::parse(text.begin(), text.end(), nullptr, false);
  if (!doc.is_object()) return false;
  std::string mt = GetString(doc, "mediaType");
  if (!mt.empty()) return IsIndexMediaType(mt);
  return doc.contains("manifests") && !doc.contains("layers");
}

StatusOr<Index> ParseIndex(std::string_view text) {
  VIGIL_ASSIGN_OR_RETURN(json doc, ParseJson(text, "image index"));
  if (!doc.is_object()) return InvalidArgumentError("image index: expected a JSON object");
  Index index;
  index.media_type = GetString(doc, "mediaType");
  VIGIL_ASSIGN_OR_RETURN(index.manifests, ParseDescriptorArray(doc, "manifests", "image index"));
  return index;
}

StatusOr<Manifest> ParseManifest(std::string_view text) {
  VIGIL_ASSIGN_OR_RETURN(json doc, ParseJson(text, "image manifest"));
  if (!doc.is_object()) return InvalidArgumentError("image manifest: expected a JSON object");
  Manifest m;
  m.media_type = GetString(doc, "mediaType");
  if (IsIndexMediaType(m.media_type)) {
    return InvalidArgumentError("image manifest: is an index, not a manifest");
  }
  auto config = doc.find("config");
  if (config == doc.end()) return InvalidArgumentError("image manifest: no \"config\"");
  VIGIL_ASSIGN_OR_RETURN(m.config, ParseDescriptor(*config, "image manifest config"));
  VIGIL_ASSIGN_OR_RETURN(m.layers, ParseDescriptorArray(doc, "layers", "image manifest"));
  return m;
}

StatusOr<ImageConfig> ParseImageConfig(std::string_view text) {
  VIGIL_ASSIGN_OR_RETURN(json doc, ParseJson(text, "image config"));
  if (!doc.is_object()) return InvalidArgumentError("image config: expected a JSON object");
  ImageConfig c;
  c.platform.os = GetString(doc, "os");
  c.platform.architecture = GetString(doc, "architecture");
  c.platform.variant = GetString(doc, "variant");
  auto rootfs = doc.find("rootfs");
  if (rootfs == doc.end() || !rootfs->is_object()) {
    return InvalidArgumentError("image config: no \"rootfs\" object");
  }
  auto ids = rootfs->find("diff_ids");
  if (ids == rootfs->end() || !ids->is_array()) {
    return InvalidArgumentError("image config: no \"rootfs.diff_ids\" array");
  }
  for (const json& id : *ids) {
    if (!id.is_string()) return InvalidArgumentError("image config: diff_id is not a string");
    c.diff_ids.push_back(id.get<std::string>());
    VIGIL_RETURN_IF_ERROR(DigestHex(c.diff_ids.back()).status());
  }
  return c;
}

StatusOr<std::vector<DockerArchiveImage>> ParseDockerArchiveManifest(std::string_view text) {
  VIGIL_ASSIGN_OR_RETURN(json doc, ParseJson(text, "manifest.json"));
  if (!doc.is_array()) return InvalidArgumentError("manifest.json: expected a JSON array");
  std::vector<DockerArchiveImage> out;
  for (const json& e : doc) {
    if (!e.is_object()) return InvalidArgumentError("manifest.json: entry is not an object");
    DockerArchiveImage img;
    img.config = GetString(e, "Config");
    if (img.config.empty()) return InvalidArgumentError("manifest.json: entry without \"Config\"");
    auto tags = e.find("RepoTags");
    if (tags != e.end() && tags->is_array()) {
      for (const json& t : *tags) {
        if (t.is_string()) img.repo_tags.push_back(t.get<std::string>());
      }
    }
    auto layers = e.find("Layers");
    if (layers == e.end() || !layers->is_array()) {
      return InvalidArgumentError("manifest.json: entry without \"Layers\"");
    }
    for (const json& l : *layers) {
      if (!l.is_string()) return InvalidArgumentError("manifest.json: layer is not a string");
      img.layers.push_back(l.get<std::string>());
    }
    out.push_back(std::move(img));
  }
  if (out.empty()) return InvalidArgumentError("manifest.json: no images");
  return out;
}

bool PlatformMatches(const Platform& want, const Platform& have) {
  if (want.os != have.os || want.architecture != have.architecture) return false;
  if (want.variant.empty() || want.variant == have.variant) return true;
  return want.architecture == "arm64" && want.variant == "v8" && have.variant.empty();
}

StatusOr<std::string> DigestHex(std::string_view digest) {
  if (!StartsWith(digest, "sha256:")) {
    return InvalidArgumentError(fmt::format("unsupported digest \"{}\" (only sha256)", digest));
  }
  std::string_view hex = digest.substr(7);
  bool ok = hex.size() == 64;
  for (char c : hex) ok = ok && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  if (!ok) return InvalidArgumentError(fmt::format("malformed digest \"{}\"", digest));
  return std::string(hex);
}

Status VerifyDigest(std::string_view data, std::string_view digest, std::string_view what) {
  VIGIL_ASSIGN_OR_RETURN(std::string want, DigestHex(digest));
  std::string got = vigil::Sha256Hex(data);
  if (got != want) {
    return DataLossError(
        fmt::format("{}: digest mismatch: expected {}, got sha256:{}", what, digest, got));
  }
  return OkStatus();
}

}  // namespace vigil::image
