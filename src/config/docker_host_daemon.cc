// VGL-DKR-001..099: checks of the Docker daemon's configuration (daemon.json, or dockerd
// flags normalised to daemon.json keys by LoadDockerdFlags). Controls are CIS Docker 1.6.0
// section 2 ids, matched to the daemon.json key each CIS audit reads
// (../shared/corpora/cis/cis-docker-docker-bench.json). A missing key is reported at the
// first line of the configuration (the `{` of daemon.json, the dockerd command line).
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
using docker::Items;
using docker::Text;
using report::Severity;

const std::vector<std::string>& Daemon() {
  static const std::vector<std::string> kKinds = {std::string(kDockerDaemonKind)};
  return kKinds;
}

int LineOr(const Field& f, const Resource& r) { return f ? f.line : r.line; }

// A boolean key that must be `want`: reports a missing key (default != want) or a wrong one.
k8s::Eval BoolMust(std::string key, bool want, bool default_value, std::string why) {
  return [key, want, default_value, why](const CheckContext& ctx, std::vector<Violation>* out) {
    Field f = Get(ctx.resource.node, key);
    std::optional<bool> v = f ? f.value->AsBool() : std::nullopt;
    bool effective = v.value_or(default_value);
    if (effective == want) return;
    std::string state = f ? key + " is " + Text(f.value) : key + " is not set";
    AddViolation(out, LineOr(f, ctx.resource), state + ": " + why);
  };
}

k8s::Eval MustBeSet(std::string key, std::string why) {
  return [key, why](const CheckContext& ctx, std::vector<Violation>* out) {
    Field f = Get(ctx.resource.node, key);
    bool set = f && !f.value->IsNull() &&
               ((f.value->IsScalar() && !Text(f.value).empty()) ||
                (f.value->IsSeq() && !f.value->seq().empty()) ||
                (f.value->IsMap() && !f.value->map().empty()));
    if (!set) AddViolation(out, LineOr(f, ctx.resource), key + " is not set: " + why);
  };
}

std::vector<k8s::Def> Defs() {
  std::vector<k8s::Def> d;
  d.push_back(k8s::ObjectCheck(
      "VGL-DKR-001", Severity::kMedium, "Docker daemon does not remap user namespaces",
      "Without userns-remap uid 0 in a container is uid 0 on the host: any container escape "
      "(or a root-owned host mount) is a host root compromise.",
      "Set \"userns-remap\": \"default\" (or a dedicated user) in daemon.json.", Daemon(),
      {"cis-docker/2.9"}, MustBeSet("userns-remap", "root in a container is root on the host")));
  d.push_back(k8s::ObjectCheck(
      "VGL-DKR-002", Severity::kMedium, "Docker daemon allows traffic between containers",
      "With inter-container communication on (the default) every container on the default "
      "bridge can reach every other one's ports.",
      "Set \"icc\": false and connect containers that must talk through user-defined networks.",
      Daemon(), {"cis-docker/2.2"},
      BoolMust("icc", false, true, "containers on the default bridge can reach each other")));
  d.push_back(k8s::ObjectCheck(
      "VGL-DKR-003", Severity::kLow, "Docker daemon live restore is disabled",
      "Without live-restore every daemon restart or upgrade stops all containers, which makes "
      "patching the daemon costly and so delayed.",
      "Set \"live-restore\": true.", Daemon(), {"cis-docker/2.15"},
      BoolMust("live-restore", true, false, "containers stop whenever the daemon restarts")));
  d.push_back(k8s::ObjectCheck(
      "VGL-DKR-004", Severity::kMedium, "Docker daemon does not default to no-new-privileges",
      "Without the daemon-wide default every container that does not opt in can gain "
      "privileges through setuid binaries.",
      "Set \"no-new-privileges\": true.", Daemon(), {"cis-docker/2.14"},
      BoolMust("no-new-privileges", true, false,
               "containers may gain privileges through setuid binaries")));
  d.push_back(k8s::ObjectCheck(
      "VGL-DKR-005", Severity::kCritical, "Docker API listens on TCP without TLS client auth",
      "The Docker API is root on the host. A TCP listener without tlsverify and a CA, "
      "certificate and key lets anyone who can reach the port run privileged containers.",
      "Listen on the unix socket only, or set tlsverify: true with tlscacert, tlscert and "
      "tlskey (clients need certificates signed by that CA).",
      Daemon(), {"cis-docker/2.7"}, [](const CheckContext& ctx, std::vector<Violation>* out) {
        const Node* n = ctx.resource.node;
        std::vector<std::string> missing;
        if (!k8s::IsTrue(Get(n, "tlsverify").value)) missing.push_back("tlsverify");
        for (const char* key : {"tlscacert", "tlscert", "tlskey"}) {
          if (Text(Get(n, key).value).empty()) missing.push_back(key);
        }
        if (missing.empty()) return;
        for (const Field& host : Items(Get(n, "hosts"))) {
          std::string h = ToLower(Text(host.value));
          if (!StartsWith(h, "tcp://")) continue;
          AddViolation(out, host.line,
                       "API listener " + Text(host.value) + " without " + Join(missing, ", ") +
                           ": unauthenticated root access");
        }
      }));
  d.push_back(k8s::ObjectCheck(
      "VGL-DKR-006", Severity::kHigh, "Docker daemon trusts insecure registries",
      "Images from an insecure registry are fetched over plain HTTP or unverified TLS: anyone "
      "on the path can substitute them.",
      "Remove insecure-registries; give the registry a certificate the host trusts.", Daemon(),
      {"cis-docker/2.5"}, [](const CheckContext& ctx, std::vector<Violation>* out) {
        for (const Field& reg : Items(Get(ctx.resource.node, "insecure-registries"))) {
          AddViolation(out, reg.line, "insecure registry " + Text(reg.value));
        }
      }));
  d.push_back(k8s::ObjectCheck(
      "VGL-DKR-007", Severity::kLow, "Docker daemon logs only locally",
      "Container logs kept on the host (json-file, local, journald) are lost with the host and "
      "can be erased by an intruder who gains root; CIS asks for centralized remote logging.",
      "Set log-driver to a remote driver (syslog with syslog-address, fluentd, gelf, splunk, "
      "awslogs, gcplogs...).",
      Daemon(), {"cis-docker/2.13"}, [](const CheckContext& ctx, std::vector<Violation>* out) {
        Field f = Get(ctx.resource.node, "log-driver");
        std::string driver = f ? Text(f.value) : "json-file";
        if (driver == "json-file" || driver == "local" || driver == "journald" ||
            driver == "none" || driver.empty()) {
          AddViolation(out, LineOr(f, ctx.resource),
                       "log-driver " + driver + " keeps logs on the host");
        }
      }));
  d.push_back(k8s::ObjectCheck(
      "VGL-DKR-008", Severity::kLow, "Docker daemon container logs grow without limit",
      "The default json-file driver never rotates: one chatty (or malicious) container fills "
      "the host's disk.",
      "Set log-opts max-size (and max-file), e.g. {\"max-size\": \"10m\", \"max-file\": \"3\"}.",
      Daemon(), {}, [](const CheckContext& ctx, std::vector<Violation>* out) {
        Field f = Get(ctx.resource.node, "log-driver");
        std::string driver = f ? Text(f.value) : "json-file";
        if (driver != "json-file") return;
        Field opts = Get(ctx.resource.node, "log-opts");
        if (Get(opts.value, "max-size")) return;
        AddViolation(out, opts ? opts.line : LineOr(f, ctx.resource),
                     "json-file logging without log-opts max-size");
      }));
  d.push_back(k8s::ObjectCheck(
      "VGL-DKR-009", Severity::kMedium, "Docker daemon may not manage iptables",
      "With iptables false Docker cannot install its isolation and NAT rules; networking is "
      "left to hand-made rules that usually end up permissive.",
      "Remove \"iptables\": false.", Daemon(), {"cis-docker/2.4"},
      BoolMust("iptables", true, true, "Docker cannot install its network isolation rules")));
  d.push_back(k8s::ObjectCheck(
      "VGL-DKR-010", Severity::kLow, "Docker daemon userland proxy is enabled",
      "docker-proxy processes forward published ports in user space, adding attack surface "
      "(and hiding client addresses) where hairpin NAT suffices.",
      "Set \"userland-proxy\": false.", Daemon(), {"cis-docker/2.16"},
      BoolMust("userland-proxy", false, true, "published ports go through docker-proxy")));
  d.push_back(k8s::ObjectCheck(
      "VGL-DKR-011", Severity::kLow, "Docker daemon runs experimental features",
      "Experimental features are not covered by Docker's stability and security guarantees.",
      "Remove \"experimental\": true on production hosts.", Daemon(), {"cis-docker/2.18"},
      BoolMust("experimental", false, false, "experimental features enabled")));
  d.push_back(k8s::ObjectCheck(
      "VGL-DKR-012", Severity::kLow, "Docker daemon sets no default ulimits",
      "Without default-ulimits containers inherit the daemon's limits (often very high "
      "nofile/nproc), so one container can exhaust them for all.",
      "Set default-ulimits, e.g. {\"nofile\": {\"Name\": \"nofile\", \"Soft\": 64000, "
      "\"Hard\": 64000}}.",
      Daemon(), {"cis-docker/2.8"},
      MustBeSet("default-ulimits", "containers inherit the daemon's limits")));
  d.push_back(k8s::ObjectCheck(
      "VGL-DKR-013", Severity::kLow, "Docker daemon does not enable SELinux",
      "On SELinux hosts selinux-enabled is what labels containers; without it SELinux does "
      "not separate containers from the host or each other.",
      "Set \"selinux-enabled\": true on SELinux hosts (irrelevant on AppArmor hosts: suppress "
      "with a reason).",
      Daemon(), {"cis-docker/5.3"},
      BoolMust("selinux-enabled", true, false, "containers get no SELinux labels")));
  d.push_back(k8s::ObjectCheck(
      "VGL-DKR-014", Severity::kLow, "Docker daemon has no authorization plugin",
      "Without an authorization plugin every client of the API may do everything, including "
      "running privileged containers.",
      "Configure authorization-plugins (e.g. opa-docker-authz) with a policy.", Daemon(),
      {"cis-docker/2.12"},
      MustBeSet("authorization-plugins", "every API client is fully trusted")));
  d.push_back(k8s::ObjectCheck(
      "VGL-DKR-015", Severity::kHigh, "Docker daemon disables seccomp by default",
      "seccomp-profile unconfined removes the default syscall filter from every container "
      "that does not bring its own.",
      "Remove \"seccomp-profile\": \"unconfined\" (or point it at a reviewed profile).", Daemon(),
      {"cis-docker/2.17"}, [](const CheckContext& ctx, std::vector<Violation>* out) {
        Field f = Get(ctx.resource.node, "seccomp-profile");
        if (f && ToLower(Text(f.value)) == "unconfined") {
          AddViolation(out, f.line, "seccomp-profile is unconfined");
        }
      }));
  d.push_back(k8s::ObjectCheck(
      "VGL-DKR-016", Severity::kLow, "Docker daemon uses a custom cgroup parent",
      "A non-default cgroup-parent places containers outside the hierarchy the host limits and "
      "monitors.",
      "Remove cgroup-parent unless the host's cgroup layout requires it.", Daemon(),
      {"cis-docker/2.10"}, [](const CheckContext& ctx, std::vector<Violation>* out) {
        Field f = Get(ctx.resource.node, "cgroup-parent");
        if (f && !Text(f.value).empty())
          AddViolation(out, f.line, "cgroup-parent is " + Text(f.value));
      }));
  d.push_back(k8s::ObjectCheck(
      "VGL-DKR-017", Severity::kLow, "Docker daemon log level is not info",
      "debug logs API payloads (which can carry secrets); warn/error/fatal drop the events an "
      "investigation needs.",
      "Set \"log-level\": \"info\" (the default) and do not enable debug.", Daemon(),
      {"cis-docker/2.3"}, [](const CheckContext& ctx, std::vector<Violation>* out) {
        Field f = Get(ctx.resource.node, "log-level");
        if (f && ToLower(Text(f.value)) != "info") {
          AddViolation(out, f.line, "log-level is " + Text(f.value));
        }
        Field dbg = Get(ctx.resource.node, "debug");
        if (dbg && k8s::IsTrue(dbg.value)) AddViolation(out, dbg.line, "debug logging is enabled");
      }));
  d.push_back(k8s::ObjectCheck(
      "VGL-DKR-018", Severity::kMedium, "Docker daemon uses the aufs storage driver",
      "aufs is unmaintained, out of the mainline kernel and has had privilege-escalation "
      "bugs.",
      "Use overlay2.", Daemon(), {"cis-docker/2.6"},
      [](const CheckContext& ctx, std::vector<Violation>* out) {
        Field f = Get(ctx.resource.node, "storage-driver");
        if (f && ToLower(Text(f.value)) == "aufs")
          AddViolation(out, f.line, "storage-driver is aufs");
      }));
  d.push_back(k8s::ObjectCheck(
      "VGL-DKR-019", Severity::kLow, "Docker daemon changes the base device size",
      "A larger dm.basesize lets every container grow its filesystem until the host's storage "
      "pool is exhausted.",
      "Remove dm.basesize from storage-opts unless needed.", Daemon(), {"cis-docker/2.11"},
      [](const CheckContext& ctx, std::vector<Violation>* out) {
        for (const Field& opt : Items(Get(ctx.resource.node, "storage-opts"))) {
          if (StartsWith(Text(opt.value), "dm.basesize")) {
            AddViolation(out, opt.line, "storage-opts sets " + Text(opt.value));
          }
        }
      }));
  return d;
}

}  // namespace

Status RegisterDockerDaemonChecks(CheckRegistry* registry) {
  return k8s::Register(registry, Defs());
}

}  // namespace vigil::config
