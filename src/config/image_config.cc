#include "config/image_config.h"

#include <algorithm>
#include <cctype>
#include <utility>
#include <vector>

#include "base/strings.h"
#include "config/k8s_util.h"
#include "config/secret_names.h"
#include "config/yaml_loader.h"
#include "fmt/format.h"

namespace vigil::config {
namespace {

using k8s::Def;
using k8s::ObjectCheck;
using report::Severity;

// "KEY=VALUE" split at the first '='; false without one.
bool SplitAssignment(std::string_view item, std::string_view* key, std::string_view* value) {
  size_t eq = item.find('=');
  if (eq == std::string_view::npos || eq == 0) return false;
  *key = item.substr(0, eq);
  *value = item.substr(eq + 1);
  return true;
}

// A value shown in a message: enough to recognise it, never the credential itself.
std::string Redact(std::string_view value) {
  if (value.size() <= 4) return std::string(value.size(), '*');
  return std::string(value.substr(0, 2)) + std::string(std::min<size_t>(value.size() - 2, 8), '*');
}

const Node* ConfigOf(const Resource& r) { return k8s::Sub(r.node, "config"); }

// The image's user: `config.User`, "" when unset.
std::string UserOf(const Resource& r) { return k8s::Str(k8s::Sub(ConfigOf(r), "User")); }

bool IsRootUser(std::string_view user) {
  std::string_view name = user.substr(0, user.find(':'));
  return name.empty() || name == "root" || name == "0";
}

// NAME=VALUE words of a history entry's created_by: BuildKit records build arguments of a
// RUN as "RUN |2 A=1 B=2 /bin/sh -c ...", and ENV/ARG instructions as "ENV A=1" / "ARG A=1".
std::vector<std::pair<std::string, std::string>> Assignments(std::string_view created_by) {
  std::vector<std::pair<std::string, std::string>> out;
  for (std::string_view word : Split(created_by, ' ', true)) {
    std::string_view key, value;
    if (!SplitAssignment(word, &key, &value)) continue;
    bool name_like = std::all_of(key.begin(), key.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
    });
    if (!name_like) continue;
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    out.emplace_back(std::string(key), std::string(value));
  }
  return out;
}

// "scheme://user:password@host" inside a command line: the password, or "".
std::string UrlPassword(std::string_view text) {
  size_t pos = 0;
  while ((pos = text.find("://", pos)) != std::string_view::npos) {
    pos += 3;
    size_t end = text.find_first_of(" \t\"'/", pos);
    std::string_view authority =
        text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    size_t at = authority.rfind('@');
    if (at == std::string_view::npos) continue;
    std::string_view userinfo = authority.substr(0, at);
    size_t colon = userinfo.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view password = userinfo.substr(colon + 1);
    if (!password.empty() && !PlaceholderValue(password)) return std::string(password);
  }
  return "";
}

void EachHistory(const Resource& r, const std::function<void(size_t, const std::string&)>& visit) {
  const Node* history = k8s::Sub(r.node, "history");
  if (history == nullptr || !history->IsSeq()) return;
  for (size_t i = 0; i < history->seq().size(); ++i) {
    std::string created_by = k8s::Str(history->seq()[i].Get("created_by"));
    if (!created_by.empty()) visit(i, created_by);
  }
}

// The instruction of a history entry without the legacy "/bin/sh -c #(nop) " prefix.
std::string_view Instruction(std::string_view created_by) {
  constexpr std::string_view kNop = "#(nop)";
  size_t nop = created_by.find(kNop);
  if (nop != std::string_view::npos) created_by.remove_prefix(nop + kNop.size());
  return Trim(created_by);
}

bool DownloadPipedToShell(std::string_view command) {
  for (std::string_view fetch : {"curl ", "wget "}) {
    size_t at = command.find(fetch);
    while (at != std::string_view::npos) {
      size_t end = command.find_first_of(";&", at);
      std::string_view segment = command.substr(at, end == std::string_view::npos ? end : end - at);
      size_t pipe = segment.find('|');
      if (pipe != std::string_view::npos) {
        std::string_view after = Trim(segment.substr(pipe + 1));
        if (StartsWith(after, "sudo ")) after = Trim(after.substr(5));
        for (std::string_view shell : {"sh", "bash", "zsh", "ash", "dash", "/bin/sh", "/bin/bash",
                                       "python", "python3", "perl", "ruby"}) {
          if (after == shell || StartsWith(after, std::string(shell) + " ") ||
              StartsWith(after, std::string(shell) + "\t")) {
            return true;
          }
        }
      }
      at = command.find(fetch, at + 1);
    }
  }
  return false;
}

constexpr std::string_view kHistoryRemedy =
    "Pass credentials at run time (mounted secrets, a secret store) or, at build time, with "
    "BuildKit secret mounts (RUN --mount=type=secret); rebuild the image: deleting them in a "
    "later layer leaves them in the history and the lower layers.";

std::vector<Def> Checks() {
  const std::vector<std::string> kinds = {std::string(kImageConfigKind)};
  std::vector<Def> defs;
  defs.push_back(ObjectCheck(
      "VGL-IMG-001", Severity::kHigh, "Image runs as root",
      "The image sets no USER (or USER root/0), so its processes run as root inside the "
      "container: root on the host too without user-namespace remapping, one kernel or runtime "
      "flaw away from a host compromise.",
      "Create an unprivileged user in the image and end the Dockerfile with `USER <uid>` (a "
      "numeric id lets runAsNonRoot verify it).",
      kinds, {"cis-docker/4.1"}, [](const CheckContext& ctx, std::vector<Violation>* out) {
        std::string user = UserOf(ctx.resource);
        if (!IsRootUser(user)) return;
        out->push_back({"config.User", user.empty()
                                           ? "The image config sets no user: it runs as root"
                                           : "The image runs as user '" + user + "' (root)"});
      }));
  defs.push_back(ObjectCheck(
      "VGL-IMG-002", Severity::kCritical, "Credential in the image environment",
      "Environment variables set in the image config are readable by anyone who can pull the "
      "image (`docker inspect`) and by every process in every container started from it.",
      "Remove the variable from the image (ENV) and inject it at run time from a secret store; "
      "rotate the exposed credential.",
      kinds, {"cis-docker/4.10"}, [](const CheckContext& ctx, std::vector<Violation>* out) {
        const Node* env = k8s::Sub(ConfigOf(ctx.resource), "Env");
        if (env == nullptr || !env->IsSeq()) return;
        for (size_t i = 0; i < env->seq().size(); ++i) {
          std::string item = k8s::Str(&env->seq()[i]);
          std::string_view key, value;
          if (!SplitAssignment(item, &key, &value)) continue;
          if (!SecretLikeName(key) || PlaceholderValue(value)) continue;
          out->push_back(
              {fmt::format("config.Env[{}]", i),
               fmt::format("ENV {} holds a value ({}) in the image config", key, Redact(value))});
        }
      }));
  defs.push_back(ObjectCheck(
      "VGL-IMG-003", Severity::kHigh, "Credential in an image label",
      "Labels are public metadata of the image: anyone who can pull or inspect it reads them.",
      "Remove the label and rotate the credential; labels are for metadata, never secrets.", kinds,
      {"cis-docker/4.10"}, [](const CheckContext& ctx, std::vector<Violation>* out) {
        const Node* labels = k8s::Sub(ConfigOf(ctx.resource), "Labels");
        if (labels == nullptr || !labels->IsMap()) return;
        for (const auto& [key, value] : labels->map()) {
          std::string v = k8s::Str(&value);
          if (!SecretLikeName(key) || PlaceholderValue(v)) continue;
          out->push_back({"config.Labels[\"" + key + "\"]",
                          fmt::format("Label {} holds a value ({})", key, Redact(v))});
        }
      }));
  defs.push_back(ObjectCheck(
      "VGL-IMG-004", Severity::kCritical, "Credential in the image build history",
      "The build history records build arguments, ENV values and command lines verbatim; "
      "`docker history --no-trunc` shows them to anyone who can pull the image.",
      std::string(kHistoryRemedy), kinds, {"cis-docker/4.10"},
      [](const CheckContext& ctx, std::vector<Violation>* out) {
        EachHistory(ctx.resource, [&](size_t i, const std::string& created_by) {
          std::string path = fmt::format("history[{}].created_by", i);
          for (const auto& [key, value] : Assignments(Instruction(created_by))) {
            if (SecretLikeName(key) && !PlaceholderValue(value)) {
              out->push_back(
                  {path, fmt::format("history entry {} sets {} ({})", i, key, Redact(value))});
              return;
            }
          }
          std::string password = UrlPassword(created_by);
          if (!password.empty()) {
            out->push_back({path, fmt::format("history entry {} has a URL with a password ({})", i,
                                              Redact(password))});
          }
        });
      }));
  defs.push_back(ObjectCheck(
      "VGL-IMG-005", Severity::kMedium, "ADD from a remote URL",
      "ADD <url> downloads at build time without checksum verification (unless --checksum) "
      "and the fetched content is not reproducible: a compromised or changed server changes "
      "the image.",
      "Download with curl/wget and verify a pinned checksum, or use ADD --checksum=sha256:...; "
      "prefer COPY for local files.",
      kinds, {"cis-docker/4.9"}, [](const CheckContext& ctx, std::vector<Violation>* out) {
        EachHistory(ctx.resource, [&](size_t i, const std::string& created_by) {
          std::string_view ins = Instruction(created_by);
          if (!StartsWith(ins, "ADD ")) return;
          if (ins.find("--checksum=") != std::string_view::npos) return;
          if (ins.find("http://") == std::string_view::npos &&
              ins.find("https://") == std::string_view::npos) {
            return;
          }
          out->push_back({fmt::format("history[{}].created_by", i),
                          fmt::format("history entry {}: {}", i, ins.substr(0, 160))});
        });
      }));
  defs.push_back(ObjectCheck(
      "VGL-IMG-006", Severity::kHigh, "Remote administration port exposed",
      "The image exposes a remote shell or administration port (SSH, telnet, RDP, VNC, the "
      "Docker API): containers should be entered with `exec`, not run a login service.",
      "Remove the EXPOSE and the daemon behind it; use `kubectl exec` / `docker exec`.", kinds,
      {"cis-docker/5.7"}, [](const CheckContext& ctx, std::vector<Violation>* out) {
        const Node* ports = k8s::Sub(ConfigOf(ctx.resource), "ExposedPorts");
        if (ports == nullptr || !ports->IsMap()) return;
        static const std::vector<std::pair<std::string, std::string>> kAdmin = {
            {"22", "SSH"},          {"23", "telnet"}, {"2375", "Docker API (plain)"},
            {"2376", "Docker API"}, {"3389", "RDP"},  {"5900", "VNC"},
            {"5985", "WinRM"},      {"5986", "WinRM"}};
        for (const auto& [spec, value] : ports->map()) {
          std::string port = spec.substr(0, spec.find('/'));
          for (const auto& [admin, what] : kAdmin) {
            if (port == admin) {
              out->push_back({"config.ExposedPorts[\"" + spec + "\"]",
                              fmt::format("The image exposes {} ({})", spec, what)});
            }
          }
        }
      }));
  defs.push_back(ObjectCheck(
      "VGL-IMG-007", Severity::kLow, "No HEALTHCHECK",
      "Without a HEALTHCHECK the engine cannot tell a hung service from a healthy one, so it is "
      "neither restarted nor taken out of rotation.",
      "Add a HEALTHCHECK instruction (or define liveness/readiness probes where Kubernetes runs "
      "the image).",
      kinds, {"cis-docker/4.6"}, [](const CheckContext& ctx, std::vector<Violation>* out) {
        const Node* hc = k8s::Sub(ConfigOf(ctx.resource), "Healthcheck");
        std::vector<std::string> test = k8s::Strings(k8s::Sub(hc, "Test"));
        if (hc == nullptr || test.empty()) {
          out->push_back({"config", "The image config defines no HEALTHCHECK"});
        } else if (test.front() == "NONE") {
          out->push_back({"config.Healthcheck.Test", "HEALTHCHECK NONE disables the check"});
        }
      }));
  defs.push_back(ObjectCheck(
      "VGL-IMG-008", Severity::kMedium, "Base image not pinned",
      "The base image recorded in the image's OCI annotations (org.opencontainers.image."
      "base.name) uses `latest` or no tag, so rebuilds silently take whatever the tag points "
      "to.",
      "Pin the base image to a version tag and digest (FROM debian:12.8@sha256:...).", kinds,
      {"cis-docker/4.2"}, [](const CheckContext& ctx, std::vector<Violation>* out) {
        const Node* labels = k8s::Sub(ConfigOf(ctx.resource), "Labels");
        std::string base = k8s::Str(k8s::Sub(labels, "org.opencontainers.image.base.name"));
        if (base.empty() || base.find('@') != std::string::npos) return;
        size_t slash = base.rfind('/');
        size_t colon = base.rfind(':');
        bool tagged = colon != std::string::npos && (slash == std::string::npos || colon > slash);
        if (tagged && base.substr(colon + 1) != "latest") return;
        out->push_back({"config.Labels[\"org.opencontainers.image.base.name\"]",
                        "Base image '" + base + "' is not pinned to a version"});
      }));
  defs.push_back(ObjectCheck(
      "VGL-IMG-009", Severity::kMedium, "Download piped to a shell at build time",
      "`curl ... | sh` runs whatever the server returns, unverified, as root during the build.",
      "Download to a file, verify a pinned checksum or signature, then run it.", kinds,
      {"cis-docker/4.11"}, [](const CheckContext& ctx, std::vector<Violation>* out) {
        EachHistory(ctx.resource, [&](size_t i, const std::string& created_by) {
          if (DownloadPipedToShell(created_by)) {
            out->push_back({fmt::format("history[{}].created_by", i),
                            fmt::format("history entry {} pipes a download into a shell", i)});
          }
        });
      }));
  return defs;
}

}  // namespace

Status RegisterImageConfigChecks(CheckRegistry* registry) {
  return k8s::Register(registry, Checks());
}

StatusOr<report::Report> ScanImageConfig(std::string_view config_json, std::string_view image_name,
                                         const ScanOptions& options) {
  VIGIL_ASSIGN_OR_RETURN(const CheckRegistry* registry, BuiltinRegistry());
  VIGIL_ASSIGN_OR_RETURN(std::vector<Document> docs,
                         LoadYaml(config_json, std::string(image_name) + " (image config)"));
  if (docs.size() != 1 || !docs[0].root.IsMap()) {
    return InvalidArgumentError(
        fmt::format("{}: the image config is not a JSON object", image_name));
  }
  Resource r;
  r.kind = std::string(kImageConfigKind);
  r.name = std::string(image_name);
  r.ns.clear();
  r.line = 1;
  r.node = &docs[0].root;
  report::Report report;
  report.target = std::string(image_name);
  report.target_kind = "image";
  CheckContext ctx{r, nullptr, K8sVersion{}};
  std::vector<Violation> violations;
  for (const Check* check : registry->ChecksFor(r.kind)) {
    const CheckInfo& info = check->info();
    bool selected = options.standards.empty();
    for (const std::string& s : options.standards) {
      for (const std::string& control : info.controls) {
        selected = selected || StartsWith(control, s + "/");
      }
    }
    if (!selected) continue;
    violations.clear();
    check->Evaluate(ctx, &violations);
    for (const Violation& v : violations) {
      report::Finding f = MakeFinding(info, r, v);
      // No file: the config lives in the image; the field is named by the message.
      f.location.path.clear();
      f.location.line = 0;
      if (std::find(options.ignore_ids.begin(), options.ignore_ids.end(), info.id) !=
          options.ignore_ids.end()) {
        f.status = "suppressed";
        f.description += " (suppressed by --ignore)";
      }
      report.findings.push_back(std::move(f));
    }
  }
  report::SortFindings(report.findings);
  return report;
}

}  // namespace vigil::config
