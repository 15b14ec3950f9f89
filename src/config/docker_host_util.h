// Internal helpers shared by the compose (VGL-DC-*), daemon and container (VGL-DKR-*)
// checks: field lookup through compose merge keys, capability, mount, port and option
// parsing. Not part of the config library's public API.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/check.h"
#include "config/node.h"

namespace vigil::config::docker {

// A field of a map with the line its key is on. Compose files share settings with YAML
// merge keys (`<<: *defaults`); the loader keeps "<<" as an ordinary key holding a copy of
// the anchored map (or a list of them), so lookups fall back to it, nearest first. The line
// is then where the value was written (inside the anchor).
struct Field {
  const Node* value = nullptr;
  int line = 0;
  explicit operator bool() const { return value != nullptr; }
};
Field Get(const Node* map, std::string_view key);
// Follows a dotted key path ("deploy.resources.limits.memory") through Get.
Field GetPath(const Node* map, std::string_view dotted);
// Line of the deepest existing key of `dotted` under `map`; `fallback` when even the first
// key is missing.
int DeepestLine(const Node* map, std::string_view dotted, int fallback);

// Scalar text, "" for anything else.
std::string Text(const Node* n);
// Scalars of a sequence, or the one scalar.
std::vector<Field> Items(const Field& f);

// A capability name normalised: upper case, without the "CAP_" prefix.
std::string NormalizeCap(std::string_view cap);
// Capabilities that amount to (or trivially lead to) control of the host.
bool IsDangerousCap(std::string_view normalized);

// Host paths whose mount into a container exposes the host: "/", /etc, /proc, /sys, /dev,
// /boot, /root, /usr, /lib, /bin, /sbin, /var, /run and below (e.g. /var/lib/kubelet). An
// empty or relative path is never sensitive.
bool IsSensitiveHostPath(std::string_view path);
// The Docker (or containerd/podman) API socket: docker.sock anywhere, or /run, /var/run.
bool IsDockerSocketPath(std::string_view path);

// A short-syntax compose volume "SRC:DST[:MODE]" or a `docker run -v` spec. `host` is empty
// for anonymous volumes and holds the name for named volumes (which do not start with '/',
// '.' or '~').
struct VolumeSpec {
  std::string host;
  std::string container;
  std::string mode;
  bool host_path = false;  // `host` is a path on the host (bind mount)
};
VolumeSpec ParseVolume(std::string_view spec);

// A port mapping "[IP:][HOST[-HOST]:]CONTAINER[-CONTAINER][/PROTO]" (IPv6 IPs in brackets).
struct PortSpec {
  std::string ip;                 // "" when not given (all interfaces)
  bool published = false;         // a host port or range is given (or implied by an IP)
  long host_lo = 0, host_hi = 0;  // 0: ephemeral
  long container_lo = 0, container_hi = 0;
  bool valid = false;
};
PortSpec ParsePort(std::string_view spec);
// True for "", "0.0.0.0", "::" and "[::]": every interface.
bool IsAnyAddress(std::string_view ip);

// A security option "name[=:]value" (compose and `docker run` accept both separators).
struct SecurityOpt {
  std::string name;
  std::string value;
};
SecurityOpt ParseSecurityOpt(std::string_view opt);
// True for no-new-privileges (bare), no-new-privileges:true / =true.
bool IsNoNewPrivileges(const SecurityOpt& o);

// A value that is clearly not a literal secret: empty, a ${VAR} / $VAR reference, or a
// path to a file (*_FILE convention).
bool IsReferenceValue(std::string_view value);

// True when `image` names a tag other than "latest", or a digest; otherwise `why` says
// "untagged" or "latest". A ${VAR} reference counts as pinned (decided at deploy time).
bool ImageIsPinned(std::string_view image, std::string* why);

// Appends a violation at an explicit line (the field path cannot give it: flag files,
// compose merge keys, inspect JSON).
void AddViolation(std::vector<Violation>* out, int line, std::string message);

}  // namespace vigil::config::docker
