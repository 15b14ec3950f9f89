#include "config/discovery.h"

#include <algorithm>

#include "base/strings.h"
#include "config/docker_host.h"

namespace vigil::config {

std::string_view FileKindName(FileKind kind) {
  switch (kind) {
    case FileKind::kKubernetes:
      return "kubernetes";
    case FileKind::kDockerfile:
      return "dockerfile";
    case FileKind::kCompose:
      return "compose";
    case FileKind::kDaemonJson:
      return "daemon.json";
    case FileKind::kKubeletConfig:
      return "kubelet-config";
    case FileKind::kContainerInspect:
      return "container-inspect";
    case FileKind::kDockerdFlags:
      return "dockerd-flags";
    case FileKind::kUnknown:
      break;
  }
  return "unknown";
}

FileKind DetectByName(std::string_view path) {
  std::string_view base = Basename(path);
  std::string lower = ToLower(base);
  if (lower == "dockerfile" || EndsWith(lower, ".dockerfile") || StartsWith(lower, "dockerfile.")) {
    return FileKind::kDockerfile;
  }
  bool yaml = EndsWith(lower, ".yml") || EndsWith(lower, ".yaml");
  if (yaml && (StartsWith(lower, "docker-compose") || StartsWith(lower, "compose"))) {
    return FileKind::kCompose;
  }
  if (lower == "daemon.json") return FileKind::kDaemonJson;
  if (lower == "docker.service" || lower == "dockerd.flags") return FileKind::kDockerdFlags;
  std::string dir = ToLower(Basename(Dirname(path)));
  if (dir == "docker.service.d" && EndsWith(lower, ".conf")) return FileKind::kDockerdFlags;
  if (lower == "docker" && (dir == "default" || dir == "sysconfig")) return FileKind::kDockerdFlags;
  return FileKind::kUnknown;
}

bool IsStructuredName(std::string_view path) {
  std::string lower = ToLower(Basename(path));
  return EndsWith(lower, ".yml") || EndsWith(lower, ".yaml") || EndsWith(lower, ".json");
}

FileKind DetectByContent(const std::vector<Document>& docs) {
  bool k8s = false;
  for (const auto& doc : docs) {
    const Node& root = doc.root;
    if (IsContainerInspect(root)) return FileKind::kContainerInspect;
    if (!root.IsMap()) continue;
    const Node* kind = root.Get("kind");
    const Node* api = root.Get("apiVersion");
    if (kind && kind->AsString() == "KubeletConfiguration") return FileKind::kKubeletConfig;
    if (kind && api && kind->IsScalar() && api->IsScalar()) k8s = true;
    const Node* services = root.Get("services");
    if (!k8s && services != nullptr && services->IsMap()) return FileKind::kCompose;
  }
  return k8s ? FileKind::kKubernetes : FileKind::kUnknown;
}

std::vector<std::string> DiscoverFiles(const FileSystem& fs, const std::vector<std::string>& paths,
                                       std::vector<std::string>* warnings) {
  std::vector<std::string> out;
  for (const auto& p : paths) {
    std::string root = NormalizePath(p);
    auto info = fs.Stat(root);
    if (!info.ok()) {
      warnings->push_back(info.status().message());
      continue;
    }
    if (info->type != FileType::kDirectory) {
      out.push_back(root);
      continue;
    }
    Status st = Walk(
        fs, root,
        [&](const std::string& path, const FileInfo& fi) {
          std::string_view base = Basename(path);
          if (fi.type == FileType::kDirectory) return !StartsWith(base, ".");
          if (fi.type != FileType::kRegular) return true;
          if (IsStructuredName(path) || DetectByName(path) != FileKind::kUnknown) {
            out.push_back(path);
          }
          return true;
        },
        [&](const std::string& path, const Status& s) {
          warnings->push_back(path + ": " + s.message());
        });
    if (!st.ok()) warnings->push_back(p + ": " + st.message());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace vigil::config
