#include "image/open.h"

#include <sys/stat.h>

#include "fmt/format.h"
#include "image/local_source.h"

namespace vigil::image {
namespace {

StatusOr<std::unique_ptr<ImageSource>> OpenPath(const std::string& path) {
  VIGIL_ASSIGN_OR_RETURN(PathKind kind, DetectPathKind(path));
  switch (kind) {
    case PathKind::kOciDir:
      return OpenOciDir(path, "");
    case PathKind::kRootfsDir:
      return std::unique_ptr<ImageSource>(std::make_unique<RootfsSource>(path));
    case PathKind::kDockerArchive:
      return OpenDockerArchive(path, "");
    case PathKind::kOciArchive:
      return OpenOciArchive(path, "");
  }
  return InternalError("unreachable");
}

}  // namespace

StatusOr<std::unique_ptr<ImageSource>> OpenImage(std::string_view text,
                                                 const OpenOptions& options) {
  VIGIL_ASSIGN_OR_RETURN(Reference ref, Reference::Parse(text));
  struct stat st;
  bool explicit_registry = text.starts_with("registry:") || text.starts_with("docker://");
  if (ref.IsRegistry() && !explicit_registry && ::stat(std::string(text).c_str(), &st) == 0) {
    ref.transport = std::string(kTransportPath);
    ref.path = std::string(text);
  }
  const std::string& t = ref.transport;
  if (t == kTransportPath) return OpenPath(ref.path);
  if (t == kTransportOci) return OpenOciDir(ref.path, ref.tag);
  if (t == kTransportOciArchive) return OpenOciArchive(ref.path, ref.tag);
  if (t == kTransportDockerArchive) return OpenDockerArchive(ref.path, "");
  if (t == kTransportDir) {
    if (::stat(ref.path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return NotFoundError(fmt::format("dir:{}: not a directory", ref.path));
    }
    return std::unique_ptr<ImageSource>(std::make_unique<RootfsSource>(ref.path));
  }
  if (t == kTransportContainersStorage)
    return OpenContainersStorage(ref.path, options.storage_root);
  if (!options.registry) {
    return UnimplementedError(fmt::format(
        "{}: registry references need a registry source (OpenOptions::registry is not set)",
        ref.ToString()));
  }
  return options.registry(ref);
}

}  // namespace vigil::image
