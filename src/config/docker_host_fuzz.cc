// Fuzz target: the Docker host inputs. The same bytes go through the dockerd flag parser
// (as a systemd unit) and through ScanText as a compose file, a daemon.json and container
// inspect output, so every VGL-DC-* / VGL-DKR-* check sees hostile trees. Nothing may
// throw, crash, hang or grow without bound; errors are Statuses.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/docker_host.h"
#include "config/scan.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  vigil::config::LoadResult flags = vigil::config::LoadDockerdFlags(text, "docker.service");
  for (const auto& doc : flags.documents) vigil::config::DaemonResources(doc);
  auto registry = vigil::config::BuiltinRegistry();
  if (!registry.ok()) return 0;
  for (const char* name :
       {"docker-compose.yml", "daemon.json", "inspect.json", "docker.service.d/override.conf"}) {
    vigil::report::Report report;
    vigil::config::ScanText(**registry, name, text, vigil::config::ScanOptions{},
                            vigil::config::K8sVersion{}, &report);
  }
  return 0;
}
