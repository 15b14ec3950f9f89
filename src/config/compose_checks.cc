// VGL-DC-*: checks of docker compose services (and top-level volumes). Controls are CIS
// Docker 1.6.0 section 5 (container runtime) ids: a compose service is the recipe of a
// container, so each check reads the compose key that sets the runtime option CIS audits.
// Every violation sets its line explicitly: fields may come from a merge key (`<<: *x`).
#include <string>
#include <vector>

#include "base/strings.h"
#include "config/docker_host.h"
#include "config/docker_host_util.h"
#include "config/k8s_util.h"
#include "config/secret_names.h"

namespace vigil::config {
namespace {

using docker::AddViolation;
using docker::Field;
using docker::Get;
using docker::GetPath;
using docker::Items;
using docker::Text;
using report::Severity;

const std::vector<std::string>& Services() {
  static const std::vector<std::string> kKinds = {std::string(kComposeServiceKind)};
  return kKinds;
}

// A mount of a service, from the short ("src:dst:mode") or long (map) syntax.
struct Mount {
  std::string source;  // host path or volume name; "" for anonymous volumes
  bool host_path = false;
  std::string propagation;
  int line = 0;
};

std::vector<Mount> Mounts(const Node* svc) {
  std::vector<Mount> out;
  for (const Field& item : Items(Get(svc, "volumes"))) {
    Mount m;
    m.line = item.line;
    if (item.value->IsScalar()) {
      docker::VolumeSpec v = docker::ParseVolume(Text(item.value));
      m.source = v.host;
      m.host_path = v.host_path;
      for (std::string_view opt : Split(v.mode, ',', true)) {
        if (opt == "shared" || opt == "rshared" || opt == "slave" || opt == "rslave" ||
            opt == "private" || opt == "rprivate") {
          m.propagation = std::string(opt);
        }
      }
    } else if (item.value->IsMap()) {
      std::string type = Text(item.value->Get("type"));
      m.source = Text(item.value->Get("source"));
      m.host_path = type == "bind" || (!m.source.empty() && m.source[0] == '/');
      if (Field src = Get(item.value, "source")) m.line = src.line;
      if (Field prop = GetPath(item.value, "bind.propagation")) {
        m.propagation = Text(prop.value);
        m.line = prop.line;
      }
    } else {
      continue;
    }
    out.push_back(std::move(m));
  }
  return out;
}

// A published port of a service from the short or long syntax.
struct Port {
  docker::PortSpec spec;
  int line = 0;
};

std::vector<Port> Ports(const Node* svc) {
  std::vector<Port> out;
  for (const Field& item : Items(Get(svc, "ports"))) {
    Port p;
    p.line = item.line;
    if (item.value->IsScalar()) {
      p.spec = docker::ParsePort(Text(item.value));
    } else if (item.value->IsMap()) {
      // Long syntax: target, published ("8080" or "8080-8081"), host_ip.
      std::string target = Text(item.value->Get("target"));
      std::string published = Text(item.value->Get("published"));
      std::string ip = Text(item.value->Get("host_ip"));
      // Some files write the address into `published` ("127.0.0.1:8080", "127.0.0.1").
      if (size_t colon = published.rfind(':'); colon != std::string::npos && ip.empty()) {
        ip = published.substr(0, colon);
        published = published.substr(colon + 1);
      } else if (published.find('.') != std::string::npos && ip.empty()) {
        ip = published;
        published.clear();
      }
      std::string spec = published.empty() ? target : published + ":" + target;
      if (!ip.empty()) spec = (published.empty() ? ip + "::" + target : ip + ":" + spec);
      p.spec = docker::ParsePort(spec);
    } else {
      continue;
    }
    if (p.spec.valid) out.push_back(p);
  }
  return out;
}

std::vector<std::pair<docker::SecurityOpt, int>> SecurityOpts(const Node* svc) {
  std::vector<std::pair<docker::SecurityOpt, int>> out;
  for (const Field& item : Items(Get(svc, "security_opt"))) {
    out.emplace_back(docker::ParseSecurityOpt(Text(item.value)), item.line);
  }
  return out;
}

// Environment entries (name, value, has_value, line) from the list or map form.
struct EnvVar {
  std::string name;
  std::string value;
  bool has_value = false;
  int line = 0;
};
std::vector<EnvVar> Environment(const Node* svc) {
  std::vector<EnvVar> out;
  Field env = Get(svc, "environment");
  if (!env) return out;
  if (env.value->IsMap()) {
    const auto& entries = env.value->map();
    for (size_t i = 0; i < entries.size(); ++i) {
      const Node& v = entries[i].second;
      out.push_back({entries[i].first, Text(&v), !v.IsNull(), env.value->key_lines()[i]});
    }
    return out;
  }
  for (const Field& item : Items(env)) {
    std::string s = Text(item.value);
    size_t eq = s.find('=');
    if (eq == std::string::npos) {
      out.push_back({s, "", false, item.line});
    } else {
      out.push_back({s.substr(0, eq), s.substr(eq + 1), true, item.line});
    }
  }
  return out;
}

bool NamespaceIsHost(const Node* svc, std::string_view key, int* line) {
  Field f = Get(svc, key);
  if (!f || Text(f.value) != "host") return false;
  *line = f.line;
  return true;
}

k8s::Eval HostNamespace(std::string key, std::string what) {
  return [key, what](const CheckContext& ctx, std::vector<Violation>* out) {
    int line = 0;
    if (NamespaceIsHost(ctx.resource.node, key, &line)) {
      AddViolation(out, line,
                   "service \"" + ctx.resource.name + "\" shares the host's " + what +
                       " namespace (" + key + ": host)");
    }
  };
}

// Sysctls Kubernetes classes as safe (namespaced, no effect outside the container).
bool SafeSysctl(std::string_view name) {
  static constexpr std::string_view kSafe[] = {"kernel.shm_rmid_forced",
                                               "net.ipv4.ip_local_port_range",
                                               "net.ipv4.ip_unprivileged_port_start",
                                               "net.ipv4.tcp_syncookies",
                                               "net.ipv4.ping_group_range",
                                               "net.ipv4.ip_local_reserved_ports",
                                               "net.ipv4.tcp_keepalive_time",
                                               "net.ipv4.tcp_fin_timeout",
                                               "net.ipv4.tcp_keepalive_intvl",
                                               "net.ipv4.tcp_keepalive_probes",
                                               "net.ipv4.tcp_rmem",
                                               "net.ipv4.tcp_wmem"};
  for (std::string_view s : kSafe) {
    if (name == s) return true;
  }
  return false;
}

std::vector<k8s::Def> Defs() {
  std::vector<k8s::Def> d;
  d.push_back(k8s::ObjectCheck(
      "VGL-DC-001", Severity::kHigh, "Compose service runs privileged",
      "A privileged container has every capability, all host devices and no seccomp/AppArmor "
      "confinement: root in it is root on the host.",
      "Remove `privileged: true`; add only the capabilities and devices the service needs.",
      Services(), {"cis-docker/5.5"}, [](const CheckContext& ctx, std::vector<Violation>* out) {
        Field f = Get(ctx.resource.node, "privileged");
        if (f && k8s::IsTrue(f.value)) {
          AddViolation(out, f.line, "service \"" + ctx.resource.name + "\" sets privileged: true");
        }
      }));
  d.push_back(k8s::ObjectCheck(
      "VGL-DC-002", Severity::kHigh, "Compose service adds a dangerous capability",
      "ALL, SYS_ADMIN, NET_ADMIN, SYS_MODULE, SYS_PTRACE, DAC_READ_SEARCH, BPF and similar "
      "capabilities let a process escape the container or take over host networking.",
      "Drop the capability from cap_add; if one is truly needed, document why and keep the "
      "rest dropped.",
      Services(), {"cis-docker/5.4"}, [](const CheckContext& ctx, std::vector<Violation>* out) {
        for (const Field& cap : Items(Get(ctx.resource.node, "cap_add"))) {
          std::string name = docker::NormalizeCap(Text(cap.value));
          if (docker::IsDangerousCap(name)) {
            AddViolation(out, cap.line,
                         "service \"" + ctx.resource.name + "\" adds capability " + name);
          }
        }
      }));
  d.push_back(k8s::ObjectCheck(
      "VGL-DC-003", Severity::kLow, "Compose service does not drop all capabilities",
      "Docker grants 14 capabilities by default (NET_RAW, CHOWN, DAC_OVERRIDE, SETUID...); "
      "few services need any of them.",
      "Add `cap_drop: [ALL]` and add back only what the service needs with cap_add.", Services(),
      {"cis-docker/5.4"}, [](const CheckContext& ctx, std::vector<Violation>* out) {
        Field drop = Get(ctx.resource.node, "cap_drop");
        for (const Field& cap : Items(drop)) {
          if (docker::NormalizeCap(Text(cap.value)) == "ALL") return;
        }
        AddViolation(out, drop ? drop.line : ctx.resource.line,
                     "service \"" + ctx.resource.name + "\" does not drop ALL capabilities");
      }));
  d.push_back(k8s::ObjectCheck(
      "VGL-DC-004", Severity::kHigh, "Compose service uses the host network",
      "With the host's network namespace the container can bind any host port, reach services "
      "on localhost and sniff host traffic (with NET_RAW).",
      "Remove `network_mode: host`; publish the needed ports instead.", Services(),
      {"cis-docker/5.10"}, HostNamespace("network_mode", "network")));
  d.push_back(k8s::ObjectCheck(
      "VGL-DC-005", Severity::kHigh, "Compose service shares the host PID namespace",
      "A container in the host's PID namespace sees and can signal (or ptrace) every host "
      "process.",
      "Remove `pid: host`.", Services(), {"cis-docker/5.16"}, HostNamespace("pid", "PID")));
  d.push_back(k8s::ObjectCheck(
      "VGL-DC-006", Severity::kMedium, "Compose service shares the host IPC namespace",
      "The host's IPC namespace exposes shared memory and semaphores of host processes.",
      "Remove `ipc: host`.", Services(), {"cis-docker/5.17"}, HostNamespace("ipc", "IPC")));
  d.push_back(k8s::ObjectCheck(
      "VGL-DC-007", Severity::kLow, "Compose service shares the host UTS namespace",
      "With the host's UTS namespace the container can change the host's hostname.",
      "Remove `uts: host`.", Services(), {"cis-docker/5.21"}, HostNamespace("uts", "UTS")));
  d.push_back(k8s::ObjectCheck(
      "VGL-DC-008", Severity::kMedium, "Compose service shares the host user namespace",
      "`userns_mode: host` disables user-namespace remapping for the container: its root is "
      "the host's root.",
      "Remove `userns_mode: host`.", Services(), {"cis-docker/5.31"},
      HostNamespace("userns_mode", "user")));
  d.push_back(k8s::ObjectCheck(
      "VGL-DC-009", Severity::kCritical, "Compose service mounts the Docker socket",
      "Whoever can talk to the Docker API can start a privileged container mounting the host's "
      "root filesystem: the socket is root on the host.",
      "Do not mount docker.sock (or /var/run); use a restricted API proxy if the service must "
      "manage containers.",
      Services(), {"cis-docker/5.32"}, [](const CheckContext& ctx, std::vector<Violation>* out) {
        for (const Mount& m : Mounts(ctx.resource.node)) {
          if (m.host_path && docker::IsDockerSocketPath(m.source)) {
            AddViolation(out, m.line, "service \"" + ctx.resource.name + "\" mounts " + m.source);
          }
        }
      }));
  d.push_back(k8s::ObjectCheck(
      "VGL-DC-010", Severity::kHigh, "Compose mount of a sensitive host directory",
      "Mounting /, /etc, /proc, /sys, /dev, /boot, /usr, /var, /run or /root exposes host "
      "configuration, credentials and kernel interfaces to the container (and, writable, "
      "lets it change them).",
      "Mount only application directories; use named volumes for data.",
      {std::string(kComposeServiceKind), std::string(kComposeVolumeKind)}, {"cis-docker/5.6"},
      [](const CheckContext& ctx, std::vector<Violation>* out) {
        const Resource& r = ctx.resource;
        if (r.kind == kComposeVolumeKind) {
          // A named volume bound to a host directory through the local driver's options.
          for (const char* key : {"driver_opts.device", "driver_opts.mountpoint"}) {
            Field f = GetPath(r.node, key);
            std::string path = Text(f.value);
            if (f && docker::IsSensitiveHostPath(path)) {
              AddViolation(out, f.line, "volume \"" + r.name + "\" binds host directory " + path);
            }
          }
          return;
        }
        for (const Mount& m : Mounts(r.node)) {
          if (m.host_path && docker::IsSensitiveHostPath(m.source) &&
              !docker::IsDockerSocketPath(m.source)) {
            AddViolation(out, m.line,
                         "service \"" + r.name + "\" mounts host directory " + m.source);
          }
        }
      }));
  d.push_back(k8s::ObjectCheck(
      "VGL-DC-011", Severity::kLow, "Compose port published on every host interface",
      "A port without a host address is published on 0.0.0.0 (and Docker's iptables rules "
      "bypass host firewalls such as ufw), so the service is reachable from every network "
      "the host is on.",
      "Bind the port to the interface that should reach it: \"127.0.0.1:8080:80\" or "
      "host_ip in the long syntax.",
      Services(), {"cis-docker/5.14"}, [](const CheckContext& ctx, std::vector<Violation>* out) {
        if (Text(Get(ctx.resource.node, "network_mode").value) == "host") return;
        for (const Port& p : Ports(ctx.resource.node)) {
          if (docker::IsAnyAddress(p.spec.ip)) {
            AddViolation(out, p.line,
                         "service \"" + ctx.resource.name + "\" publishes container port " +
                             std::to_string(p.spec.container_lo) + " on all interfaces");
          }
        }
      }));
  d.push_back(k8s::ObjectCheck(
      "VGL-DC-012", Severity::kLow, "Compose service maps a privileged host port",
      "Host ports below 1024 are reserved for system services; mapping one lets the container "
      "impersonate them (ssh, dns, http).",
      "Publish on a host port of 1024 or above (put a reverse proxy in front if needed).",
      Services(), {"cis-docker/5.8"}, [](const CheckContext& ctx, std::vector<Violation>* out) {
        for (const Port& p : Ports(ctx.resource.node)) {
          if (p.spec.host_lo > 0 && p.spec.host_lo < 1024) {
            AddViolation(out, p.line,
                         "service \"" + ctx.resource.name + "\" maps host port " +
                             std::to_string(p.spec.host_lo));
          }
        }
      }));
  d.push_back(k8s::ObjectCheck(
      "VGL-DC-013", Severity::kHigh, "Compose service disables seccomp",
      "Docker's default seccomp profile blocks ~44 dangerous syscalls (keyctl, mount, "
      "kexec_load, bpf...); unconfined exposes the whole kernel syscall surface.",
      "Remove `seccomp:unconfined` (or point seccomp at a reviewed profile).", Services(),
      {"cis-docker/5.22"}, [](const CheckContext& ctx, std::vector<Violation>* out) {
        for (const auto& [opt, line] : SecurityOpts(ctx.resource.node)) {
          if (opt.name == "seccomp" && ToLower(opt.value) == "unconfined") {
            AddViolation(out, line, "service \"" + ctx.resource.name + "\" runs without seccomp");
          }
        }
      }));
  d.push_back(k8s::ObjectCheck(
      "VGL-DC-014", Severity::kMedium, "Compose service disables AppArmor",
      "apparmor:unconfined removes the docker-default profile that denies writes to /proc and "
      "/sys and mounts.",
      "Remove `apparmor:unconfined` (or use a custom profile).", Services(), {"cis-docker/5.2"},
      [](const CheckContext& ctx, std::vector<Violation>* out) {
        for (const auto& [opt, line] : SecurityOpts(ctx.resource.node)) {
          if (opt.name == "apparmor" && ToLower(opt.value) == "unconfined") {
            AddViolation(out, line, "service \"" + ctx.resource.name + "\" runs without AppArmor");
          }
        }
      }));
  d.push_back(k8s::ObjectCheck(
      "VGL-DC-015", Severity::kMedium, "Compose service allows privilege escalation",
      "Without no-new-privileges a process can gain privileges through setuid/setgid binaries "
      "or file capabilities.",
      "Add `security_opt: [\"no-new-privileges:true\"]`.", Services(), {"cis-docker/5.26"},
      [](const CheckContext& ctx, std::vector<Violation>* out) {
        for (const auto& [opt, line] : SecurityOpts(ctx.resource.node)) {
          if (docker::IsNoNewPrivileges(opt)) return;
        }
        Field f = Get(ctx.resource.node, "security_opt");
        AddViolation(out, f ? f.line : ctx.resource.line,
                     "service \"" + ctx.resource.name + "\" does not set no-new-privileges:true");
      }));
  d.push_back(k8s::ObjectCheck(
      "VGL-DC-016", Severity::kMedium, "Compose service runs as root",
      "A process running as root in the container is root on the host if it escapes (and "
      "without user-namespace remapping shares the host's uid 0).",
      "Set `user:` to a non-root uid (\"1000:1000\"), or create a USER in the image.", Services(),
      {"cis-docker/4.1"}, [](const CheckContext& ctx, std::vector<Violation>* out) {
        Field f = Get(ctx.resource.node, "user");
        if (!f) {
          AddViolation(
              out, ctx.resource.line,
              "service \"" + ctx.resource.name +
                  "\" does not set user (the image's USER decides; root unless it sets one)");
          return;
        }
        std::string user = Text(f.value);
        std::string name = user.substr(0, user.find(':'));
        if (name.empty() || name == "root" || name == "0") {
          AddViolation(out, f.line, "service \"" + ctx.resource.name + "\" runs as user " + user);
        }
      }));
  d.push_back(k8s::ObjectCheck(
      "VGL-DC-017", Severity::kLow, "Compose service root filesystem is writable",
      "A writable root filesystem lets an intruder drop tools and persist changes in the "
      "container.",
      "Set `read_only: true` and mount tmpfs or volumes where the service writes.", Services(),
      {"cis-docker/5.13"}, [](const CheckContext& ctx, std::vector<Violation>* out) {
        Field f = Get(ctx.resource.node, "read_only");
        if (f && k8s::IsTrue(f.value)) return;
        AddViolation(out, f ? f.line : ctx.resource.line,
                     "service \"" + ctx.resource.name + "\" does not set read_only: true");
      }));
  d.push_back(k8s::ObjectCheck(
      "VGL-DC-018", Severity::kMedium, "Compose service has no memory limit",
      "Without a memory limit one container can exhaust host memory and trigger the OOM killer "
      "on other workloads.",
      "Set `mem_limit` or `deploy.resources.limits.memory`.", Services(), {"cis-docker/5.11"},
      [](const CheckContext& ctx, std::vector<Violation>* out) {
        const Node* svc = ctx.resource.node;
        if (Get(svc, "mem_limit") || GetPath(svc, "deploy.resources.limits.memory")) return;
        AddViolation(out,
                     docker::DeepestLine(svc, "deploy.resources.limits.memory", ctx.resource.line),
                     "service \"" + ctx.resource.name + "\" has no memory limit");
      }));
  d.push_back(k8s::ObjectCheck(
      "VGL-DC-019", Severity::kLow, "Compose service has no CPU limit",
      "Without a CPU limit or share one container can starve the others on the host.",
      "Set `cpus` (or cpu_quota/cpu_shares) or `deploy.resources.limits.cpus`.", Services(),
      {"cis-docker/5.12"}, [](const CheckContext& ctx, std::vector<Violation>* out) {
        const Node* svc = ctx.resource.node;
        for (const char* key : {"cpus", "cpu_quota", "cpu_shares", "cpu_count", "cpu_percent"}) {
          if (Get(svc, key)) return;
        }
        if (GetPath(svc, "deploy.resources.limits.cpus")) return;
        AddViolation(out,
                     docker::DeepestLine(svc, "deploy.resources.limits.cpus", ctx.resource.line),
                     "service \"" + ctx.resource.name + "\" has no CPU limit");
      }));
  d.push_back(k8s::ObjectCheck(
      "VGL-DC-020", Severity::kMedium, "Compose service has no PIDs limit",
      "Without a PIDs limit a fork bomb in the container exhausts the host's process table.",
      "Set `pids_limit` (e.g. 200) or `deploy.resources.limits.pids`.", Services(),
      {"cis-docker/5.29"}, [](const CheckContext& ctx, std::vector<Violation>* out) {
        const Node* svc = ctx.resource.node;
        for (const char* key : {"pids_limit", "deploy.resources.limits.pids"}) {
          Field f = GetPath(svc, key);
          if (!f) continue;
          auto n = f.value->AsInt();
          if (n && *n > 0) return;
          AddViolation(out, f.line,
                       "service \"" + ctx.resource.name + "\" sets an unlimited " + key + " (" +
                           Text(f.value) + ")");
          return;
        }
        AddViolation(out, ctx.resource.line,
                     "service \"" + ctx.resource.name + "\" has no pids_limit");
      }));
  d.push_back(k8s::ObjectCheck(
      "VGL-DC-021", Severity::kLow, "Compose restart policy retries on failure without bound",
      "An on-failure restart policy without a small retry limit turns a crashing (or "
      "attacked) container into an endless restart loop that can deny service to the host.",
      "Use `restart: on-failure:5` / `deploy.restart_policy.max_attempts: 5`.", Services(),
      {"cis-docker/5.15"}, [](const CheckContext& ctx, std::vector<Violation>* out) {
        const Node* svc = ctx.resource.node;
        const std::string& name = ctx.resource.name;
        Field restart = Get(svc, "restart");
        std::string policy = Text(restart.value);
        if (StartsWith(policy, "on-failure")) {
          std::string count = policy.size() > 11 ? policy.substr(11) : "";
          long n = std::atol(count.c_str());
          if (n <= 0 || n > 5) {
            AddViolation(out, restart.line,
                         "service \"" + name + "\" restarts on failure " +
                             (n <= 0 ? "without limit" : count + " times"));
          }
        }
        Field rp = GetPath(svc, "deploy.restart_policy");
        if (!rp || Text(Get(rp.value, "condition").value) != "on-failure") return;
        Field max = Get(rp.value, "max_attempts");
        auto n = max ? max.value->AsInt() : std::nullopt;
        if (!n || *n <= 0 || *n > 5) {
          AddViolation(out, max ? max.line : rp.line,
                       "service \"" + name + "\" deploy.restart_policy retries " +
                           (max ? Text(max.value) + " times" : std::string("without limit")));
        }
      }));
  d.push_back(k8s::ObjectCheck(
      "VGL-DC-022", Severity::kLow, "Compose image is not pinned",
      "An untagged or :latest image changes under the same file: deployments are not "
      "reproducible and a compromised upstream push is pulled silently.",
      "Pin a version tag, or better a digest (image: name:1.2.3@sha256:...).", Services(), {},
      [](const CheckContext& ctx, std::vector<Violation>* out) {
        Field f = Get(ctx.resource.node, "image");
        if (!f) return;
        std::string why;
        if (!docker::ImageIsPinned(Text(f.value), &why)) {
          AddViolation(
              out, f.line,
              "service \"" + ctx.resource.name + "\" image " + Text(f.value) + " is " + why);
        }
      }));
  d.push_back(k8s::ObjectCheck(
      "VGL-DC-023", Severity::kHigh, "Compose file holds a secret in environment",
      "A literal password, token or key in the compose file is readable by everyone with the "
      "repository, and by `docker inspect` on the host.",
      "Use compose `secrets:` (files under /run/secrets), an env_file kept out of version "
      "control, or ${VAR} interpolation.",
      Services(), {}, [](const CheckContext& ctx, std::vector<Violation>* out) {
        for (const EnvVar& e : Environment(ctx.resource.node)) {
          if (!e.has_value || !SecretLikeName(e.name) || docker::IsReferenceValue(e.value)) {
            continue;
          }
          AddViolation(out, e.line,
                       "service \"" + ctx.resource.name + "\" sets " + e.name +
                           " to a literal value in environment");
        }
      }));
  d.push_back(k8s::ObjectCheck(
      "VGL-DC-024", Severity::kLow, "Compose service has no health check",
      "Without a health check a hung service is never restarted or taken out of rotation.",
      "Define `healthcheck.test` (or rely on a HEALTHCHECK in the image and do not disable "
      "it).",
      Services(), {"cis-docker/5.27"}, [](const CheckContext& ctx, std::vector<Violation>* out) {
        const std::string& name = ctx.resource.name;
        Field hc = Get(ctx.resource.node, "healthcheck");
        if (!hc) {
          AddViolation(out, ctx.resource.line, "service \"" + name + "\" defines no healthcheck");
          return;
        }
        Field disable = Get(hc.value, "disable");
        if (disable && k8s::IsTrue(disable.value)) {
          AddViolation(out, disable.line, "service \"" + name + "\" disables its healthcheck");
          return;
        }
        Field test = Get(hc.value, "test");
        std::vector<Field> words = Items(test);
        if (!words.empty() && Text(words[0].value) == "NONE") {
          AddViolation(out, test.line, "service \"" + name + "\" disables its healthcheck (NONE)");
        }
      }));
  d.push_back(k8s::ObjectCheck(
      "VGL-DC-025", Severity::kMedium, "Compose service exposes host devices",
      "A host device node in the container gives raw access to hardware (disks, GPUs, "
      "/dev/mem) bypassing filesystem permissions.",
      "Remove `devices:` entries the service does not need; never map block devices.", Services(),
      {"cis-docker/5.18"}, [](const CheckContext& ctx, std::vector<Violation>* out) {
        for (const Field& dev : Items(Get(ctx.resource.node, "devices"))) {
          std::string text = dev.value->IsMap() ? Text(dev.value->Get("source")) : Text(dev.value);
          AddViolation(out, dev.line,
                       "service \"" + ctx.resource.name + "\" maps host device " +
                           text.substr(0, text.find(':')));
        }
      }));
  d.push_back(k8s::ObjectCheck(
      "VGL-DC-026", Severity::kLow, "Compose service sets an unsafe sysctl",
      "Sysctls outside the set Kubernetes considers safe change kernel behaviour beyond the "
      "container's own sockets (ip_forward makes it a router, kernel.shm*/msg* size shared "
      "IPC memory).",
      "Remove the sysctl or keep to the safe set (net.ipv4.ip_local_port_range, "
      "tcp_syncookies, ping_group_range, ...).",
      Services(), {}, [](const CheckContext& ctx, std::vector<Violation>* out) {
        Field f = Get(ctx.resource.node, "sysctls");
        if (!f) return;
        auto flag = [&](const std::string& name, int line) {
          if (!SafeSysctl(name)) {
            AddViolation(out, line, "service \"" + ctx.resource.name + "\" sets sysctl " + name);
          }
        };
        if (f.value->IsMap()) {
          for (size_t i = 0; i < f.value->map().size(); ++i) {
            flag(f.value->map()[i].first, f.value->key_lines()[i]);
          }
        } else {
          for (const Field& item : Items(f)) {
            std::string s = Text(item.value);
            flag(s.substr(0, s.find('=')), item.line);
          }
        }
      }));
  d.push_back(k8s::ObjectCheck(
      "VGL-DC-027", Severity::kLow, "Compose service uses a custom cgroup parent",
      "A cgroup_parent outside Docker's own hierarchy escapes the limits and accounting the "
      "host applies to containers.",
      "Remove `cgroup_parent` unless the host's cgroup layout requires it.", Services(),
      {"cis-docker/5.25"}, [](const CheckContext& ctx, std::vector<Violation>* out) {
        Field f = Get(ctx.resource.node, "cgroup_parent");
        if (f && !Text(f.value).empty()) {
          AddViolation(out, f.line,
                       "service \"" + ctx.resource.name + "\" sets cgroup_parent " + Text(f.value));
        }
      }));
  d.push_back(k8s::ObjectCheck(
      "VGL-DC-028", Severity::kMedium, "Compose mount uses shared propagation",
      "With shared propagation mounts made inside the container appear on the host (and in "
      "other containers sharing the mount).",
      "Use the default private propagation; remove `propagation: shared/rshared`.", Services(),
      {"cis-docker/5.20"}, [](const CheckContext& ctx, std::vector<Violation>* out) {
        for (const Mount& m : Mounts(ctx.resource.node)) {
          if (m.propagation == "shared" || m.propagation == "rshared") {
            AddViolation(out, m.line,
                         "service \"" + ctx.resource.name + "\" mounts " + m.source + " with " +
                             m.propagation + " propagation");
          }
        }
      }));
  d.push_back(k8s::ObjectCheck(
      "VGL-DC-029", Severity::kMedium, "Compose service disables SELinux labelling",
      "label:disable turns off SELinux separation for the container (on SELinux hosts the "
      "main barrier between containers and host files).",
      "Remove `label:disable`; set a specific label type if the default is too strict.", Services(),
      {"cis-docker/5.3"}, [](const CheckContext& ctx, std::vector<Violation>* out) {
        for (const auto& [opt, line] : SecurityOpts(ctx.resource.node)) {
          if (opt.name == "label" && (opt.value == "disable" || opt.value == "disable:true")) {
            AddViolation(out, line,
                         "service \"" + ctx.resource.name + "\" disables SELinux labels");
          }
        }
      }));
  return d;
}

}  // namespace

Status RegisterComposeChecks(CheckRegistry* registry) { return k8s::Register(registry, Defs()); }

}  // namespace vigil::config
