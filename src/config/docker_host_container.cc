// VGL-DKR-101..199: checks of running (or created) containers from `docker inspect` /
// `podman inspect` JSON, mapped to CIS Docker 1.6.0 section 5 (the inspect fields each CIS
// audit reads are in ../shared/corpora/cis/cis-docker-docker-bench.json). A field that is
// absent is reported at the container's first line.
#include <string>
#include <vector>

#include "base/strings.h"
#include "config/docker_host.h"
#include "config/docker_host_util.h"
#include "config/k8s_util.h"

namespace vigil::config {
namespace {

using docker::AddViolation;
using docker::Field;
using docker::Get;
using docker::GetPath;
using docker::Items;
using docker::Text;
using report::Severity;

const std::vector<std::string>& Containers() {
  static const std::vector<std::string> kKinds = {std::string(kDockerContainerKind)};
  return kKinds;
}

std::string Who(const Resource& r) { return "container \"" + r.name + "\""; }

// A mount of the container: from Mounts (docker and podman) or, when absent, HostConfig.Binds.
struct Mount {
  std::string source;
  bool bind = false;
  std::string propagation;
  int line = 0;
};

std::vector<Mount> Mounts(const Node* c) {
  std::vector<Mount> out;
  Field mounts = Get(c, "Mounts");
  if (mounts && mounts.value->IsSeq() && !mounts.value->seq().empty()) {
    for (const Node& m : mounts.value->seq()) {
      if (!m.IsMap()) continue;
      Mount x;
      x.source = Text(m.Get("Source"));
      x.bind = Text(m.Get("Type")) == "bind";
      x.propagation = Text(m.Get("Propagation"));
      x.line = m.KeyLine("Source") ? m.KeyLine("Source") : m.line();
      out.push_back(std::move(x));
    }
    return out;
  }
  for (const Field& b : Items(GetPath(c, "HostConfig.Binds"))) {
    docker::VolumeSpec v = docker::ParseVolume(Text(b.value));
    Mount x;
    x.source = v.host;
    x.bind = v.host_path;
    for (std::string_view opt : Split(v.mode, ',', true)) {
      if (opt == "shared" || opt == "rshared" || opt == "slave" || opt == "rslave") {
        x.propagation = std::string(opt);
      }
    }
    x.line = b.line;
    out.push_back(std::move(x));
  }
  return out;
}

std::vector<std::pair<docker::SecurityOpt, int>> SecurityOpts(const Node* c) {
  std::vector<std::pair<docker::SecurityOpt, int>> out;
  for (const Field& item : Items(GetPath(c, "HostConfig.SecurityOpt"))) {
    out.emplace_back(docker::ParseSecurityOpt(Text(item.value)), item.line);
  }
  return out;
}

// One host binding of HostConfig.PortBindings {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}.
struct Binding {
  std::string container_port;
  std::string host_ip;
  long host_port = 0;
  int line = 0;
};

std::vector<Binding> PortBindings(const Node* c) {
  std::vector<Binding> out;
  Field pb = GetPath(c, "HostConfig.PortBindings");
  if (!pb || !pb.value->IsMap()) return out;
  for (const auto& [port, list] : pb.value->map()) {
    if (!list.IsSeq()) continue;
    for (const Node& b : list.seq()) {
      if (!b.IsMap()) continue;
      Binding x;
      x.container_port = port;
      x.host_ip = Text(b.Get("HostIp"));
      x.host_port = std::atol(Text(b.Get("HostPort")).c_str());
      x.line = b.KeyLine("HostIp") ? b.KeyLine("HostIp") : b.line();
      out.push_back(std::move(x));
    }
  }
  return out;
}

k8s::Eval HostMode(std::string key, std::string what) {
  return [key, what](const CheckContext& ctx, std::vector<Violation>* out) {
    Field f = GetPath(ctx.resource.node, "HostConfig." + key);
    if (f && ToLower(Text(f.value)) == "host") {
      AddViolation(out, f.line, Who(ctx.resource) + " shares the host's " + what + " namespace");
    }
  };
}

// A numeric HostConfig field that must be positive (0 or -1 mean unlimited).
k8s::Eval Limited(std::vector<std::string> keys, std::string what) {
  return [keys, what](const CheckContext& ctx, std::vector<Violation>* out) {
    int line = 0;
    for (const auto& key : keys) {
      Field f = GetPath(ctx.resource.node, "HostConfig." + key);
      if (!f) continue;
      if (line == 0) line = f.line;
      auto n = f.value->AsInt();
      if (n && *n > 0) return;
    }
    AddViolation(out, line ? line : ctx.resource.line, Who(ctx.resource) + " has no " + what);
  };
}

std::vector<k8s::Def> Defs() {
  std::vector<k8s::Def> d;
  d.push_back(k8s::ObjectCheck(
      "VGL-DKR-101", Severity::kHigh, "Container runs privileged",
      "A privileged container has every capability, every host device and no seccomp or "
      "AppArmor confinement.",
      "Recreate it without --privileged; add only the capabilities it needs.", Containers(),
      {"cis-docker/5.5"}, [](const CheckContext& ctx, std::vector<Violation>* out) {
        Field f = GetPath(ctx.resource.node, "HostConfig.Privileged");
        if (f && k8s::IsTrue(f.value))
          AddViolation(out, f.line, Who(ctx.resource) + " is privileged");
      }));
  d.push_back(k8s::ObjectCheck(
      "VGL-DKR-102", Severity::kHigh, "Container has a dangerous added capability",
      "ALL, SYS_ADMIN, NET_ADMIN, SYS_MODULE, SYS_PTRACE and similar capabilities let a "
      "process escape the container or control the host's network.",
      "Recreate it without the --cap-add.", Containers(), {"cis-docker/5.4"},
      [](const CheckContext& ctx, std::vector<Violation>* out) {
        for (const Field& cap : Items(GetPath(ctx.resource.node, "HostConfig.CapAdd"))) {
          std::string name = docker::NormalizeCap(Text(cap.value));
          if (docker::IsDangerousCap(name)) {
            AddViolation(out, cap.line, Who(ctx.resource) + " adds capability " + name);
          }
        }
      }));
  d.push_back(k8s::ObjectCheck(
      "VGL-DKR-103", Severity::kMedium, "Container may gain new privileges",
      "Without no-new-privileges setuid binaries and file capabilities can raise a process's "
      "privileges.",
      "Run with --security-opt no-new-privileges (or set it daemon-wide).", Containers(),
      {"cis-docker/5.26"}, [](const CheckContext& ctx, std::vector<Violation>* out) {
        for (const auto& [opt, line] : SecurityOpts(ctx.resource.node)) {
          if (docker::IsNoNewPrivileges(opt)) return;
        }
        Field f = GetPath(ctx.resource.node, "HostConfig.SecurityOpt");
        AddViolation(out, f ? f.line : ctx.resource.line,
                     Who(ctx.resource) + " runs without no-new-privileges");
      }));
  d.push_back(k8s::ObjectCheck(
      "VGL-DKR-104", Severity::kHigh, "Container runs without seccomp",
      "seccomp=unconfined exposes the whole kernel syscall surface to the container.",
      "Recreate it without --security-opt seccomp=unconfined.", Containers(), {"cis-docker/5.22"},
      [](const CheckContext& ctx, std::vector<Violation>* out) {
        for (const auto& [opt, line] : SecurityOpts(ctx.resource.node)) {
          if (opt.name == "seccomp" && ToLower(opt.value) == "unconfined") {
            AddViolation(out, line, Who(ctx.resource) + " runs with seccomp=unconfined");
          }
        }
      }));
  d.push_back(k8s::ObjectCheck(
      "VGL-DKR-105", Severity::kMedium, "Container runs without AppArmor",
      "An unconfined AppArmor profile removes the docker-default restrictions on /proc, /sys "
      "and mounts.",
      "Recreate it without apparmor=unconfined.", Containers(), {"cis-docker/5.2"},
      [](const CheckContext& ctx, std::vector<Violation>* out) {
        Field prof = Get(ctx.resource.node, "AppArmorProfile");
        if (prof && ToLower(Text(prof.value)) == "unconfined") {
          AddViolation(out, prof.line, Who(ctx.resource) + " has AppArmor profile unconfined");
          return;
        }
        for (const auto& [opt, line] : SecurityOpts(ctx.resource.node)) {
          if (opt.name == "apparmor" && ToLower(opt.value) == "unconfined") {
            AddViolation(out, line, Who(ctx.resource) + " runs with apparmor=unconfined");
          }
        }
      }));
  d.push_back(k8s::ObjectCheck("VGL-DKR-106", Severity::kHigh, "Container uses the host network",
                               "The host's network namespace lets the container bind host "
                               "ports and reach services listening on localhost.",
                               "Recreate it without --network host.", Containers(),
                               {"cis-docker/5.10"}, HostMode("NetworkMode", "network")));
  d.push_back(k8s::ObjectCheck(
      "VGL-DKR-107", Severity::kHigh, "Container shares the host PID namespace",
      "The container sees and can signal every host process.", "Recreate it without --pid host.",
      Containers(), {"cis-docker/5.16"}, HostMode("PidMode", "PID")));
  d.push_back(k8s::ObjectCheck("VGL-DKR-108", Severity::kMedium,
                               "Container shares the host IPC namespace",
                               "The container can read and write the shared memory of host "
                               "processes.",
                               "Recreate it without --ipc host.", Containers(), {"cis-docker/5.17"},
                               HostMode("IpcMode", "IPC")));
  d.push_back(k8s::ObjectCheck(
      "VGL-DKR-109", Severity::kLow, "Container shares the host UTS namespace",
      "The container can change the host's hostname.", "Recreate it without --uts host.",
      Containers(), {"cis-docker/5.21"}, HostMode("UTSMode", "UTS")));
  d.push_back(k8s::ObjectCheck("VGL-DKR-110", Severity::kMedium,
                               "Container shares the host user namespace",
                               "--userns host disables user-namespace remapping: root in the "
                               "container is root on the host.",
                               "Recreate it without --userns host.", Containers(),
                               {"cis-docker/5.31"}, HostMode("UsernsMode", "user")));
  d.push_back(k8s::ObjectCheck(
      "VGL-DKR-111", Severity::kCritical, "Container mounts the Docker socket",
      "The Docker (or containerd) API socket is root on the host.",
      "Recreate it without mounting docker.sock or /var/run.", Containers(), {"cis-docker/5.32"},
      [](const CheckContext& ctx, std::vector<Violation>* out) {
        for (const Mount& m : Mounts(ctx.resource.node)) {
          if (m.bind && docker::IsDockerSocketPath(m.source)) {
            AddViolation(out, m.line, Who(ctx.resource) + " mounts " + m.source);
          }
        }
      }));
  d.push_back(k8s::ObjectCheck(
      "VGL-DKR-112", Severity::kHigh, "Container mounts a sensitive host directory",
      "Host directories such as /, /etc, /proc, /sys, /dev, /boot, /usr, /var, /run or /root "
      "expose host configuration, credentials and kernel interfaces.",
      "Recreate it mounting only application directories or named volumes.", Containers(),
      {"cis-docker/5.6"}, [](const CheckContext& ctx, std::vector<Violation>* out) {
        for (const Mount& m : Mounts(ctx.resource.node)) {
          if (m.bind && docker::IsSensitiveHostPath(m.source) &&
              !docker::IsDockerSocketPath(m.source)) {
            AddViolation(out, m.line, Who(ctx.resource) + " mounts host directory " + m.source);
          }
        }
      }));
  d.push_back(k8s::ObjectCheck("VGL-DKR-113", Severity::kMedium, "Container memory is not limited",
                               "Without a memory limit the container can exhaust host memory.",
                               "Recreate it with --memory.", Containers(), {"cis-docker/5.11"},
                               Limited({"Memory"}, "memory limit")));
  d.push_back(k8s::ObjectCheck(
      "VGL-DKR-114", Severity::kLow, "Container CPU usage is not limited",
      "Without CPU shares, quota or --cpus the container competes unbounded for host CPU.",
      "Recreate it with --cpus or --cpu-shares.", Containers(), {"cis-docker/5.12"},
      [](const CheckContext& ctx, std::vector<Violation>* out) {
        int line = 0;
        for (const char* key : {"CpuShares", "NanoCpus", "CpuQuota"}) {
          Field f = GetPath(ctx.resource.node, std::string("HostConfig.") + key);
          if (!f) continue;
          if (line == 0) line = f.line;
          auto n = f.value->AsInt();
          // 1024 is Docker's default share, the same as not setting it.
          if (n && *n > 0 && !(std::string(key) == "CpuShares" && *n == 1024)) return;
        }
        AddViolation(out, line ? line : ctx.resource.line, Who(ctx.resource) + " has no CPU limit");
      }));
  d.push_back(k8s::ObjectCheck("VGL-DKR-115", Severity::kMedium, "Container PIDs are not limited",
                               "Without a PIDs limit a fork bomb exhausts the host's process "
                               "table.",
                               "Recreate it with --pids-limit.", Containers(), {"cis-docker/5.29"},
                               Limited({"PidsLimit"}, "PIDs limit")));
  d.push_back(k8s::ObjectCheck(
      "VGL-DKR-116", Severity::kLow, "Container root filesystem is writable",
      "A writable root filesystem lets an intruder persist tools in the container.",
      "Recreate it with --read-only (and tmpfs/volumes where it writes).", Containers(),
      {"cis-docker/5.13"}, [](const CheckContext& ctx, std::vector<Violation>* out) {
        Field f = GetPath(ctx.resource.node, "HostConfig.ReadonlyRootfs");
        if (f && k8s::IsTrue(f.value)) return;
        AddViolation(out, f ? f.line : ctx.resource.line,
                     Who(ctx.resource) + " has a writable rootfs");
      }));
  d.push_back(k8s::ObjectCheck(
      "VGL-DKR-117", Severity::kMedium, "Container runs as root",
      "A root process that escapes the container is root on the host (without user-namespace "
      "remapping).",
      "Run as a non-root user (--user 1000:1000 or USER in the image).", Containers(),
      {"cis-docker/4.1"}, [](const CheckContext& ctx, std::vector<Violation>* out) {
        Field f = GetPath(ctx.resource.node, "Config.User");
        std::string user = Text(f.value);
        std::string name = user.substr(0, user.find(':'));
        if (name.empty() || name == "root" || name == "0") {
          AddViolation(
              out, f ? f.line : ctx.resource.line,
              Who(ctx.resource) + " runs as " + (user.empty() ? "root (no user set)" : user));
        }
      }));
  d.push_back(k8s::ObjectCheck(
      "VGL-DKR-118", Severity::kLow, "Container restarts on failure without bound",
      "An on-failure restart policy above 5 retries (or unlimited) turns a crash loop into a "
      "denial of service of the host.",
      "Use --restart on-failure:5.", Containers(), {"cis-docker/5.15"},
      [](const CheckContext& ctx, std::vector<Violation>* out) {
        Field rp = GetPath(ctx.resource.node, "HostConfig.RestartPolicy");
        if (!rp || Text(Get(rp.value, "Name").value) != "on-failure") return;
        Field max = Get(rp.value, "MaximumRetryCount");
        auto n = max ? max.value->AsInt() : std::nullopt;
        if (!n || *n <= 0 || *n > 5) {
          AddViolation(
              out, max ? max.line : rp.line,
              Who(ctx.resource) + " restarts on failure " +
                  (n && *n > 0 ? std::to_string(*n) + " times" : std::string("without limit")));
        }
      }));
  d.push_back(k8s::ObjectCheck(
      "VGL-DKR-119", Severity::kLow, "Container port published on every host interface",
      "A binding without a host address listens on 0.0.0.0 (and Docker's rules bypass host "
      "firewalls).",
      "Publish on a specific address: -p 127.0.0.1:8080:80.", Containers(), {"cis-docker/5.14"},
      [](const CheckContext& ctx, std::vector<Violation>* out) {
        for (const Binding& b : PortBindings(ctx.resource.node)) {
          if (docker::IsAnyAddress(b.host_ip)) {
            AddViolation(
                out, b.line,
                Who(ctx.resource) + " publishes " + b.container_port + " on all interfaces");
          }
        }
      }));
  d.push_back(k8s::ObjectCheck(
      "VGL-DKR-120", Severity::kLow, "Container maps a privileged host port",
      "Host ports below 1024 belong to system services; mapping one lets the container "
      "impersonate them.",
      "Publish on a host port of 1024 or above.", Containers(), {"cis-docker/5.8"},
      [](const CheckContext& ctx, std::vector<Violation>* out) {
        for (const Binding& b : PortBindings(ctx.resource.node)) {
          if (b.host_port > 0 && b.host_port < 1024) {
            AddViolation(out, b.line,
                         Who(ctx.resource) + " maps host port " + std::to_string(b.host_port));
          }
        }
      }));
  d.push_back(k8s::ObjectCheck(
      "VGL-DKR-121", Severity::kMedium, "Container has host devices",
      "A host device node gives raw access to hardware, bypassing filesystem permissions.",
      "Recreate it without --device (never block devices).", Containers(), {"cis-docker/5.18"},
      [](const CheckContext& ctx, std::vector<Violation>* out) {
        Field devs = GetPath(ctx.resource.node, "HostConfig.Devices");
        if (!devs || !devs.value->IsSeq()) return;
        for (const Node& dev : devs.value->seq()) {
          std::string path = dev.IsMap() ? Text(dev.Get("PathOnHost")) : Text(&dev);
          AddViolation(out, dev.line(), Who(ctx.resource) + " has host device " + path);
        }
      }));
  d.push_back(k8s::ObjectCheck(
      "VGL-DKR-122", Severity::kLow, "Container has no health check",
      "Without a health check a hung container is never noticed or restarted.",
      "Add HEALTHCHECK to the image or --health-cmd to the run.", Containers(), {"cis-docker/5.27"},
      [](const CheckContext& ctx, std::vector<Violation>* out) {
        Field hc = GetPath(ctx.resource.node, "Config.Healthcheck");
        std::vector<Field> test = Items(Get(hc.value, "Test"));
        if (!hc || test.empty()) {
          AddViolation(out, hc ? hc.line : ctx.resource.line,
                       Who(ctx.resource) + " has no healthcheck");
        } else if (Text(test[0].value) == "NONE") {
          AddViolation(out, test[0].line, Who(ctx.resource) + " disables its healthcheck");
        }
      }));
  d.push_back(k8s::ObjectCheck(
      "VGL-DKR-123", Severity::kMedium, "Container mount uses shared propagation",
      "Mounts made inside the container propagate to the host.",
      "Recreate it with the default private propagation.", Containers(), {"cis-docker/5.20"},
      [](const CheckContext& ctx, std::vector<Violation>* out) {
        for (const Mount& m : Mounts(ctx.resource.node)) {
          if (m.propagation == "shared" || m.propagation == "rshared") {
            AddViolation(out, m.line,
                         Who(ctx.resource) + " mounts " + m.source + " with " + m.propagation +
                             " propagation");
          }
        }
      }));
  d.push_back(k8s::ObjectCheck(
      "VGL-DKR-124", Severity::kMedium, "Container disables SELinux labelling",
      "label=disable turns off SELinux separation for the container.",
      "Recreate it without --security-opt label=disable.", Containers(), {"cis-docker/5.3"},
      [](const CheckContext& ctx, std::vector<Violation>* out) {
        for (const auto& [opt, line] : SecurityOpts(ctx.resource.node)) {
          if (opt.name == "label" && (opt.value == "disable" || opt.value == "disable:true")) {
            AddViolation(out, line, Who(ctx.resource) + " disables SELinux labels");
          }
        }
      }));
  return d;
}

}  // namespace

Status RegisterDockerContainerChecks(CheckRegistry* registry) {
  return k8s::Register(registry, Defs());
}

}  // namespace vigil::config
