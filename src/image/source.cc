#include "image/source.h"

#include "base/strings.h"
#include "fmt/format.h"

namespace vigil::image {

StatusOr<Platform> Platform::Parse(std::string_view text) {
  std::vector<std::string_view> parts = Split(text, '/');
  if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() || parts[1].empty() ||
      (parts.size() == 3 && parts[2].empty())) {
    return InvalidArgumentError(
        fmt::format("platform \"{}\": expected OS/ARCH[/VARIANT], e.g. linux/amd64", text));
  }
  Platform p;
  p.os = ToLower(parts[0]);
  p.architecture = ToLower(parts[1]);
  p.variant = parts.size() == 3 ? ToLower(parts[2]) : std::string();
  return p;
}

std::string Platform::ToString() const {
  std::string out = os + "/" + architecture;
  if (!variant.empty()) out += "/" + variant;
  return out;
}

}  // namespace vigil::image
