// Control-plane checks: flags of kube-apiserver, kube-controller-manager, kube-scheduler,
// etcd and kubelet as found in static-pod manifests (container command + args), and the
// equivalent fields of KubeletConfiguration / KubeSchedulerConfiguration files. CIS
// Kubernetes Benchmark 1.12 sections 1.2-1.4, 2 and 4.2.
//
// Flags are read the way pflag does: "--name=value" or "--name value"; a repeated flag's
// last value wins. A component is recognised when a command token's basename is exactly its
// binary name. Findings point at the container's `command` (or `args`) key, the line a
// reviewer edits; configuration-file findings at the field, or at `kind` when it is missing.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/strings.h"
#include "config/k8s_checks.h"
#include "config/k8s_util.h"

namespace vigil::config {
namespace {

using k8s::Def;
using k8s::Str;
using report::Severity;

enum class Component { kApiServer, kControllerManager, kScheduler, kEtcd, kKubelet };

const char* BinaryName(Component c) {
  switch (c) {
    case Component::kApiServer:
      return "kube-apiserver";
    case Component::kControllerManager:
      return "kube-controller-manager";
    case Component::kScheduler:
      return "kube-scheduler";
    case Component::kEtcd:
      return "etcd";
    case Component::kKubelet:
      return "kubelet";
  }
  return "";
}

// One component started by one container.
struct Invocation {
  Component component;
  const ContainerRef* container;
  std::map<std::string, std::string, std::less<>> flags;  // name without "--" -> value
  std::string path;                                       // field whose line findings use
};

std::string_view Basename(std::string_view s) {
  size_t slash = s.rfind('/');
  return slash == std::string_view::npos ? s : s.substr(slash + 1);
}

void Tokenize(const Node* list, std::vector<std::string>* out) {
  if (list == nullptr) return;
  for (const auto& s : k8s::Strings(list)) {
    for (auto tok : Split(s, ' ', /*skip_empty=*/true)) {
      tok = Trim(tok);
      // Shell-quoted values ('--x=y') lose their quotes.
      while (!tok.empty() && (tok.front() == '\'' || tok.front() == '"')) tok.remove_prefix(1);
      while (!tok.empty() && (tok.back() == '\'' || tok.back() == '"')) tok.remove_suffix(1);
      if (!tok.empty()) out->emplace_back(tok);
    }
  }
}

// Cheap test before tokenising: does the command (or, without one, the image) mention the
// binary at all? Most containers are not control-plane components.
bool MayRun(const ContainerRef& c, std::string_view bin) {
  const Node* command = c.node->Get("command");
  if (command == nullptr) {
    const Node* image = c.node->Get("image");
    return image != nullptr && image->IsScalar() && image->scalar().find(bin) != std::string::npos;
  }
  if (command->IsScalar()) return command->scalar().find(bin) != std::string::npos;
  if (!command->IsSeq()) return false;
  for (const auto& item : command->seq()) {
    if (item.IsScalar() && item.scalar().find(bin) != std::string::npos) return true;
  }
  return false;
}

std::optional<Invocation> ParseInvocation(const ContainerRef& c, Component want) {
  if (!MayRun(c, BinaryName(want))) return std::nullopt;
  std::vector<std::string> cmd, args;
  Tokenize(c.node->Get("command"), &cmd);
  Tokenize(c.node->Get("args"), &args);
  std::string bin = BinaryName(want);
  size_t start = cmd.size();
  for (size_t i = 0; i < cmd.size(); ++i) {
    if (Basename(cmd[i]) == bin) {
      start = i;
      break;
    }
  }
  if (start == cmd.size()) {
    // Without a command the image's entrypoint runs: recognise the component by the image
    // name ("etcd", "kube-apiserver-amd64") and read its flags from args.
    if (c.node->Get("command") != nullptr) return std::nullopt;
    std::string image = k8s::Str(c.node->Get("image"));
    std::string name = image.substr(0, image.find_first_of(":@"));
    std::string_view repo = Basename(name);
    if (repo != bin && !StartsWith(repo, bin + "-")) return std::nullopt;
    start = cmd.size();
    cmd.push_back(bin);
  }
  Invocation inv{want, &c, {}, c.path + ".command"};
  std::vector<std::string> tokens(cmd.begin() + static_cast<long>(start) + 1, cmd.end());
  tokens.insert(tokens.end(), args.begin(), args.end());
  for (size_t i = 0; i < tokens.size(); ++i) {
    const std::string& t = tokens[i];
    if (!StartsWith(t, "--")) continue;
    size_t eq = t.find('=');
    if (eq != std::string::npos) {
      inv.flags[t.substr(2, eq - 2)] = t.substr(eq + 1);
    } else if (i + 1 < tokens.size() && !StartsWith(tokens[i + 1], "-")) {
      inv.flags[t.substr(2)] = tokens[++i];
    } else {
      inv.flags[t.substr(2)] = "true";  // a bare boolean flag
    }
  }
  return inv;
}

enum class Op {
  kAbsent,         // the flag must not be set
  kPresent,        // the flag must be set (non-empty)
  kEquals,         // must be set to `value` (case-insensitive)
  kNotEquals,      // when set, must not be `value`
  kIncludes,       // comma list must contain `value`
  kExcludes,       // when set, comma list must not contain `value`
  kMinInt,         // must be set to an integer >= value
  kMaxDuration,    // when set, a Go duration <= value seconds
  kPositiveInt,    // must be set to an integer > 0
  kGcThreshold,    // must be set to an integer in 1..12500
  kStrongCiphers,  // must be set and list only strong suites
  kFeatureGate,    // --feature-gates must not turn `value` off (key=false)
};

struct FlagRule {
  Component component;
  const char* flag;
  Op op;
  const char* value = "";
  // The kubelet and the scheduler read most settings from their configuration file
  // (KubeletConfiguration / KubeSchedulerConfiguration, checked by the field rules): for
  // those a missing flag is judged only when the component is configured by flags alone.
  bool missing_ok = false;
};

// A field of a component configuration file (KubeletConfiguration...).
struct FieldRule {
  const char* kind;
  const char* path;
  Op op;
  const char* value = "";
  bool missing_fails = false;       // for kEquals / kNotEquals / kStrongCiphers
  const char* report_at = nullptr;  // field whose line a bad value is reported at
};

bool EqualsValue(std::string_view got, std::string_view want) {
  return EqualsIgnoreCase(Trim(got), want);
}

bool ListContains(std::string_view list, std::string_view want) {
  for (auto item : Split(list, ',', true)) {
    if (EqualsValue(item, want)) return true;
  }
  return false;
}

std::optional<long long> ParseInt(std::string_view s) {
  s = Trim(s);
  if (s.empty()) return std::nullopt;
  long long v = 0;
  bool neg = false;
  size_t i = 0;
  if (s[0] == '-') {
    neg = true;
    i = 1;
  }
  if (i == s.size()) return std::nullopt;
  for (; i < s.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
    if (v > 1'000'000'000'000LL) return std::nullopt;
    v = v * 10 + (s[i] - '0');
  }
  return neg ? -v : v;
}

// Go duration ("1h30m", "45s", "300ms") in seconds; a bare integer counts as seconds.
std::optional<double> ParseDuration(std::string_view s) {
  s = Trim(s);
  if (s.empty()) return std::nullopt;
  if (auto i = ParseInt(s)) return static_cast<double>(*i);
  double total = 0;
  size_t i = 0;
  while (i < s.size()) {
    size_t start = i;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
    if (start == i) return std::nullopt;
    std::string digits(s.substr(start, i - start));
    char* end = nullptr;
    double num = std::strtod(digits.c_str(), &end);
    if (end != digits.c_str() + digits.size()) return std::nullopt;
    size_t ustart = i;
    while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
    std::string_view unit = s.substr(ustart, i - ustart);
    if (unit == "h") {
      total += num * 3600;
    } else if (unit == "m") {
      total += num * 60;
    } else if (unit == "s") {
      total += num;
    } else if (unit == "ms") {
      total += num / 1000;
    } else if (unit == "us" || unit == "µs" || unit == "ns") {
      total += 0;
    } else {
      return std::nullopt;
    }
  }
  return total;
}

bool IsStrongCipher(std::string_view c) {
  static const char* kStrong[] = {"TLS_AES_128_GCM_SHA256",
                                  "TLS_AES_256_GCM_SHA384",
                                  "TLS_CHACHA20_POLY1305_SHA256",
                                  "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
                                  "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
                                  "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
                                  "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
                                  "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                                  "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
                                  "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
                                  "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
                                  "TLS_RSA_WITH_AES_128_GCM_SHA256",
                                  "TLS_RSA_WITH_AES_256_GCM_SHA384"};
  c = Trim(c);
  for (const char* s : kStrong) {
    if (c == s) return true;
  }
  return false;
}

// Why `value` (nullopt: unset) violates `op`, or "" when it does not.
std::string Judge(Op op, std::string_view name, const std::optional<std::string>& value,
                  std::string_view want, bool missing_fails) {
  std::string n(name);
  if (!value) {
    switch (op) {
      case Op::kPresent:
      case Op::kMinInt:
      case Op::kPositiveInt:
      case Op::kGcThreshold:
      case Op::kIncludes:
        return n + " is not set";
      case Op::kEquals:
      case Op::kStrongCiphers:
        return missing_fails ? n + " is not set" : "";
      default:
        return "";
    }
  }
  const std::string& v = *value;
  switch (op) {
    case Op::kAbsent:
      return n + " is set";
    case Op::kPresent:
      return Trim(v).empty() ? n + " is empty" : "";
    case Op::kEquals:
      return EqualsValue(v, want) ? "" : n + " is " + v + ", not " + std::string(want);
    case Op::kNotEquals:
      return EqualsValue(v, want) ? n + " is " + v : "";
    case Op::kIncludes:
      return ListContains(v, want) ? "" : n + " does not include " + std::string(want);
    case Op::kExcludes:
      return ListContains(v, want) ? n + " includes " + std::string(want) : "";
    case Op::kMinInt: {
      auto i = ParseInt(v);
      auto min = ParseInt(want);
      return i && min && *i >= *min ? "" : n + " is " + v + ", below " + std::string(want);
    }
    case Op::kPositiveInt: {
      auto i = ParseInt(v);
      return i && *i > 0 ? "" : n + " is " + v;
    }
    case Op::kGcThreshold: {
      auto i = ParseInt(v);
      return i && *i > 0 && *i <= 12500 ? "" : n + " is " + v + ", outside 1..12500";
    }
    case Op::kMaxDuration: {
      auto d = ParseDuration(v);
      auto max = ParseInt(want);
      if (!d || !max) return n + " is not a duration: " + v;
      return *d <= static_cast<double>(*max)
                 ? ""
                 : n + " is " + v + ", above " + std::string(want) + "s";
    }
    case Op::kStrongCiphers: {
      auto items = Split(v, ',', true);
      if (items.empty()) return n + " is empty";
      for (auto c : items) {
        if (!IsStrongCipher(c)) return n + " allows weak cipher " + std::string(Trim(c));
      }
      return "";
    }
    case Op::kFeatureGate: {
      for (auto item : Split(v, ',', true)) {
        size_t eq = item.find('=');
        if (eq == std::string_view::npos) continue;
        if (Trim(item.substr(0, eq)) == want && EqualsValue(item.substr(eq + 1), "false")) {
          return std::string(want) + " is disabled in " + n;
        }
      }
      return "";
    }
  }
  return "";
}

const Node* FindPath(const Node* root, std::string_view path) {
  return root ? root->Find(path) : nullptr;
}

// Scalar (or sequence joined by ',') text of a configuration field.
std::optional<std::string> FieldValue(const Node* n) {
  if (n == nullptr || n->IsNull()) return std::nullopt;
  if (n->IsSeq()) {
    std::vector<std::string> items = k8s::Strings(n);
    return Join(items, ",");
  }
  if (n->IsMap()) return std::string("{}");
  return n->AsString();
}

struct CpDef {
  const char* id;
  Severity severity;
  const char* title;
  const char* rationale;
  const char* remediation;
  std::vector<std::string> controls;
  std::vector<FlagRule> flags;
  std::vector<FieldRule> fields;
};

// The invocations parsed for one resource's containers, shared through the CheckMemo by the
// ~100 control-plane checks that each look at a few flags of the same command line.
struct InvocationMemo {
  struct Entry {
    const ContainerRef* container;
    Component component;
    std::optional<Invocation> invocation;
  };
  std::deque<Entry> entries;  // a deque: references stay valid as entries are added
};

const std::optional<Invocation>& CachedInvocation(const CheckContext& ctx, const ContainerRef& c,
                                                  Component component,
                                                  std::optional<Invocation>* uncached) {
  if (ctx.memo == nullptr) {
    *uncached = ParseInvocation(c, component);
    return *uncached;
  }
  static const char kTag = 0;
  std::shared_ptr<void>& slot = (*ctx.memo)[&kTag];
  if (slot == nullptr) slot = std::make_shared<InvocationMemo>();
  auto* memo = static_cast<InvocationMemo*>(slot.get());
  for (const auto& e : memo->entries) {
    if (e.container == &c && e.component == component) return e.invocation;
  }
  memo->entries.push_back({&c, component, ParseInvocation(c, component)});
  return memo->entries.back().invocation;
}

void EvalFlags(const std::vector<FlagRule>& rules, const CheckContext& ctx,
               std::vector<Violation>* out) {
  if (ctx.pod == nullptr) return;
  for (const auto& c : ctx.pod->containers) {
    // A rule list targets one component (rules for two components are separate entries).
    const std::optional<Invocation>* inv = nullptr;
    std::optional<Invocation> uncached;
    std::vector<std::string> problems;
    for (const auto& rule : rules) {
      if (inv == nullptr || !*inv || (**inv).component != rule.component) {
        inv = &CachedInvocation(ctx, c, rule.component, &uncached);
      }
      if (!*inv) continue;
      std::optional<std::string> value;
      const Invocation& invocation = **inv;
      auto it = invocation.flags.find(rule.flag);
      if (it != invocation.flags.end()) value = it->second;
      std::string name = std::string(BinaryName(rule.component)) + " --" + rule.flag;
      // missing_ok: a kubelet/scheduler started without flags, or with --config, takes the
      // setting from its configuration file; one configured by flags must pass it.
      if (!value && rule.missing_ok &&
          (invocation.flags.empty() || invocation.flags.count("config") != 0)) {
        continue;
      }
      std::string why = Judge(rule.op, name, value, rule.value, /*missing_fails=*/true);
      if (!why.empty()) problems.push_back(std::move(why));
    }
    if (problems.empty()) continue;
    std::string path = c.path + (c.node->Get("command") ? ".command" : ".args");
    if (c.node->Get("command") == nullptr && c.node->Get("args") == nullptr) path = c.path;
    out->push_back({path, Join(problems, "; ")});
  }
}

void EvalFields(const std::vector<FieldRule>& rules, const CheckContext& ctx,
                std::vector<Violation>* out) {
  for (const auto& rule : rules) {
    if (ctx.resource.kind != rule.kind) continue;
    const Node* n = FindPath(ctx.resource.node, rule.path);
    std::optional<std::string> value = FieldValue(n);
    std::string why = Judge(rule.op, rule.path, value, rule.value, rule.missing_fails);
    if (why.empty()) continue;
    Violation v{value ? std::string(rule.report_at ? rule.report_at : rule.path) : "kind", why};
    out->push_back(std::move(v));
  }
}

std::vector<std::string> AppliesTo(const CpDef& d) {
  std::vector<std::string> kinds;
  if (!d.flags.empty()) kinds = PodSpecKinds();
  for (const auto& f : d.fields) {
    if (std::find(kinds.begin(), kinds.end(), f.kind) == kinds.end()) kinds.push_back(f.kind);
  }
  return kinds;
}

constexpr Component kApi = Component::kApiServer;
constexpr Component kCm = Component::kControllerManager;
constexpr Component kSched = Component::kScheduler;
constexpr Component kEtcd = Component::kEtcd;
constexpr Component kKubelet = Component::kKubelet;
constexpr const char* kKc = "KubeletConfiguration";

std::vector<CpDef> Definitions() {
  return {
      // kube-apiserver (CIS 1.2)
      {"VGL-K8S-100",
       Severity::kHigh,
       "API server allows anonymous requests",
       "With --anonymous-auth left at its default (true) unauthenticated requests reach the "
       "API server as system:anonymous.",
       "Start kube-apiserver with --anonymous-auth=false.",
       {"cis-k8s/1.2.1", "nsa/7.0"},
       {{kApi, "anonymous-auth", Op::kEquals, "false"}},
       {}},
      {"VGL-K8S-101",
       Severity::kHigh,
       "API server uses a static token file",
       "Static tokens in --token-auth-file never expire and cannot be revoked without a "
       "restart.",
       "Remove --token-auth-file; use client certificates, OIDC or service account tokens.",
       {"cis-k8s/1.2.2"},
       {{kApi, "token-auth-file", Op::kAbsent}},
       {}},
      {"VGL-K8S-102",
       Severity::kHigh,
       "API server uses basic authentication",
       "Basic authentication (--basic-auth-file) sends reusable passwords and was removed in "
       "v1.19.",
       "Remove --basic-auth-file.",
       {},
       {{kApi, "basic-auth-file", Op::kAbsent}},
       {}},
      {"VGL-K8S-103",
       Severity::kMedium,
       "API server talks to kubelets over plain HTTP",
       "--kubelet-https=false sends kubelet traffic, including exec streams, unencrypted.",
       "Remove --kubelet-https or set it to true.",
       {},
       {{kApi, "kubelet-https", Op::kNotEquals, "false"}},
       {}},
      {"VGL-K8S-104",
       Severity::kMedium,
       "API server has no kubelet client certificate",
       "Without --kubelet-client-certificate and --kubelet-client-key the API server cannot "
       "authenticate to kubelets.",
       "Set --kubelet-client-certificate and --kubelet-client-key.",
       {"cis-k8s/1.2.4"},
       {{kApi, "kubelet-client-certificate", Op::kPresent},
        {kApi, "kubelet-client-key", Op::kPresent}},
       {}},
      {"VGL-K8S-105",
       Severity::kMedium,
       "API server does not verify kubelet certificates",
       "Without --kubelet-certificate-authority the API server cannot verify the kubelet's "
       "serving certificate (man-in-the-middle).",
       "Set --kubelet-certificate-authority to the kubelet CA bundle.",
       {"cis-k8s/1.2.5"},
       {{kApi, "kubelet-certificate-authority", Op::kPresent}},
       {}},
      {"VGL-K8S-106",
       Severity::kHigh,
       "API server authorizes every request",
       "--authorization-mode AlwaysAllow (the default when unset) lets any authenticated "
       "request do anything.",
       "Set --authorization-mode=Node,RBAC.",
       {"cis-k8s/1.2.6"},
       {{kApi, "authorization-mode", Op::kPresent},
        {kApi, "authorization-mode", Op::kExcludes, "AlwaysAllow"}},
       {}},
      {"VGL-K8S-107",
       Severity::kMedium,
       "API server without the Node authorizer",
       "The Node authorizer limits each kubelet to the objects of its own node.",
       "Include Node in --authorization-mode.",
       {"cis-k8s/1.2.7"},
       {{kApi, "authorization-mode", Op::kIncludes, "Node"}},
       {}},
      {"VGL-K8S-108",
       Severity::kMedium,
       "API server without RBAC",
       "Without the RBAC authorizer role bindings are not enforced.",
       "Include RBAC in --authorization-mode.",
       {"cis-k8s/1.2.8", "nsa/7.1"},
       {{kApi, "authorization-mode", Op::kIncludes, "RBAC"}},
       {}},
      {"VGL-K8S-109",
       Severity::kLow,
       "EventRateLimit admission plugin not enabled",
       "Without EventRateLimit a client can flood the API server and etcd with events.",
       "Add EventRateLimit to --enable-admission-plugins and configure it.",
       {"cis-k8s/1.2.9"},
       {{kApi, "enable-admission-plugins", Op::kIncludes, "EventRateLimit"}},
       {}},
      {"VGL-K8S-110",
       Severity::kHigh,
       "AlwaysAdmit admission plugin enabled",
       "AlwaysAdmit admits every request, disabling admission control.",
       "Remove AlwaysAdmit from --enable-admission-plugins.",
       {"cis-k8s/1.2.10"},
       {{kApi, "enable-admission-plugins", Op::kExcludes, "AlwaysAdmit"}},
       {}},
      {"VGL-K8S-111",
       Severity::kMedium,
       "AlwaysPullImages admission plugin not enabled",
       "Without AlwaysPullImages a pod can use a private image already pulled on the node "
       "by another tenant, without credentials.",
       "Add AlwaysPullImages to --enable-admission-plugins.",
       {"cis-k8s/1.2.11"},
       {{kApi, "enable-admission-plugins", Op::kIncludes, "AlwaysPullImages"}},
       {}},
      {"VGL-K8S-112",
       Severity::kMedium,
       "ServiceAccount admission plugin disabled",
       "The ServiceAccount plugin assigns service accounts and their tokens to pods.",
       "Remove ServiceAccount from --disable-admission-plugins.",
       {"cis-k8s/1.2.12"},
       {{kApi, "disable-admission-plugins", Op::kExcludes, "ServiceAccount"}},
       {}},
      {"VGL-K8S-113",
       Severity::kMedium,
       "NamespaceLifecycle admission plugin disabled",
       "NamespaceLifecycle refuses objects in terminating or non-existent namespaces.",
       "Remove NamespaceLifecycle from --disable-admission-plugins.",
       {"cis-k8s/1.2.13"},
       {{kApi, "disable-admission-plugins", Op::kExcludes, "NamespaceLifecycle"}},
       {}},
      {"VGL-K8S-114",
       Severity::kMedium,
       "NodeRestriction admission plugin not enabled",
       "NodeRestriction stops a kubelet from modifying other nodes and their pods.",
       "Add NodeRestriction to --enable-admission-plugins.",
       {"cis-k8s/1.2.14"},
       {{kApi, "enable-admission-plugins", Op::kIncludes, "NodeRestriction"}},
       {}},
      {"VGL-K8S-115",
       Severity::kHigh,
       "API server insecure bind address set",
       "--insecure-bind-address serves the API without authentication or TLS.",
       "Remove --insecure-bind-address.",
       {},
       {{kApi, "insecure-bind-address", Op::kAbsent}},
       {}},
      {"VGL-K8S-116",
       Severity::kHigh,
       "API server insecure port not disabled",
       "A non-zero --insecure-port serves the API without authentication or TLS.",
       "Set --insecure-port=0 (the flag was removed in v1.24, where the port is always off).",
       {"nsa/5.0"},
       {{kApi, "insecure-port", Op::kEquals, "0"}},
       {}},
      {"VGL-K8S-117",
       Severity::kHigh,
       "API server secure port disabled",
       "--secure-port=0 disables the HTTPS listener.",
       "Remove --secure-port or set it to a port between 1 and 65535.",
       {},
       {{kApi, "secure-port", Op::kNotEquals, "0"}},
       {}},
      {"VGL-K8S-118",
       Severity::kLow,
       "API server profiling enabled",
       "Profiling endpoints (on by default) expose program detail useful to an attacker.",
       "Start kube-apiserver with --profiling=false.",
       {"cis-k8s/1.2.15"},
       {{kApi, "profiling", Op::kEquals, "false"}},
       {}},
      {"VGL-K8S-119",
       Severity::kMedium,
       "API server audit log not enabled",
       "Without --audit-log-path no audit trail of API requests is written.",
       "Set --audit-log-path.",
       {"cis-k8s/1.2.16", "nsa/8.1"},
       {{kApi, "audit-log-path", Op::kPresent}},
       {}},
      {"VGL-K8S-120",
       Severity::kLow,
       "API server audit log kept too briefly",
       "Audit logs should be retained at least 30 days.",
       "Set --audit-log-maxage=30 or more.",
       {"cis-k8s/1.2.17", "nsa/8.2"},
       {{kApi, "audit-log-maxage", Op::kMinInt, "30"}},
       {}},
      {"VGL-K8S-121",
       Severity::kLow,
       "API server keeps too few audit log files",
       "At least 10 rotated audit log files should be kept.",
       "Set --audit-log-maxbackup=10 or more.",
       {"cis-k8s/1.2.18"},
       {{kApi, "audit-log-maxbackup", Op::kMinInt, "10"}},
       {}},
      {"VGL-K8S-122",
       Severity::kLow,
       "API server audit log files too small",
       "Audit log files should be rotated at 100 MB or more.",
       "Set --audit-log-maxsize=100 or more.",
       {"cis-k8s/1.2.19"},
       {{kApi, "audit-log-maxsize", Op::kMinInt, "100"}},
       {}},
      {"VGL-K8S-123",
       Severity::kMedium,
       "API server request timeout too long",
       "Long request timeouts let slow clients hold API server resources.",
       "Set --request-timeout to 300s or less (the default is 60s).",
       {"cis-k8s/1.2.20"},
       {{kApi, "request-timeout", Op::kMaxDuration, "300"}},
       {}},
      {"VGL-K8S-124",
       Severity::kHigh,
       "API server does not look up service accounts",
       "With --service-account-lookup=false tokens of deleted service accounts stay valid.",
       "Remove --service-account-lookup or set it to true.",
       {"cis-k8s/1.2.21"},
       {{kApi, "service-account-lookup", Op::kNotEquals, "false"}},
       {}},
      {"VGL-K8S-125",
       Severity::kMedium,
       "API server has no service account key file",
       "--service-account-key-file names the keys that verify service account tokens, "
       "allowing rotation.",
       "Set --service-account-key-file.",
       {"cis-k8s/1.2.22"},
       {{kApi, "service-account-key-file", Op::kPresent}},
       {}},
      {"VGL-K8S-126",
       Severity::kMedium,
       "API server talks to etcd without a client certificate",
       "Without --etcd-certfile and --etcd-keyfile etcd cannot authenticate the API server.",
       "Set --etcd-certfile and --etcd-keyfile.",
       {"cis-k8s/1.2.23", "nsa/5.1"},
       {{kApi, "etcd-certfile", Op::kPresent}, {kApi, "etcd-keyfile", Op::kPresent}},
       {}},
      {"VGL-K8S-127",
       Severity::kMedium,
       "API server TLS certificate not set",
       "Without --tls-cert-file and --tls-private-key-file the API server serves a "
       "self-signed certificate.",
       "Set --tls-cert-file and --tls-private-key-file.",
       {"cis-k8s/1.2.24"},
       {{kApi, "tls-cert-file", Op::kPresent}, {kApi, "tls-private-key-file", Op::kPresent}},
       {}},
      {"VGL-K8S-128",
       Severity::kHigh,
       "API server client CA not set",
       "Without --client-ca-file client certificates cannot be verified.",
       "Set --client-ca-file.",
       {"cis-k8s/1.2.25"},
       {{kApi, "client-ca-file", Op::kPresent}},
       {}},
      {"VGL-K8S-129",
       Severity::kMedium,
       "API server does not verify etcd",
       "Without --etcd-cafile the API server cannot verify etcd's certificate.",
       "Set --etcd-cafile.",
       {"cis-k8s/1.2.26", "nsa/5.1"},
       {{kApi, "etcd-cafile", Op::kPresent}},
       {}},
      {"VGL-K8S-130",
       Severity::kMedium,
       "Secrets not encrypted at rest",
       "Without --encryption-provider-config Secrets are stored in etcd in plain text.",
       "Set --encryption-provider-config to an EncryptionConfiguration with aescbc, "
       "secretbox or kms.",
       {"cis-k8s/1.2.27", "nsa/6.1"},
       {{kApi, "encryption-provider-config", Op::kPresent}},
       {}},
      {"VGL-K8S-131",
       Severity::kMedium,
       "API server allows weak TLS ciphers",
       "Cipher suites outside the strong AEAD set allow downgrade attacks.",
       "Set --tls-cipher-suites to strong suites only (e.g. "
       "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384).",
       {"cis-k8s/1.2.29"},
       {{kApi, "tls-cipher-suites", Op::kStrongCiphers}},
       {}},
      {"VGL-K8S-132",
       Severity::kMedium,
       "API server audit policy not set",
       "Without --audit-policy-file nothing is audited even with an audit log path.",
       "Set --audit-policy-file to an audit Policy.",
       {"nsa/8.0"},
       {{kApi, "audit-policy-file", Op::kPresent}},
       {}},
      {"VGL-K8S-133",
       Severity::kLow,
       "ImagePolicyWebhook admission plugin not enabled",
       "ImagePolicyWebhook lets an external service decide which images may run.",
       "Add ImagePolicyWebhook to --enable-admission-plugins and configure it.",
       {"cis-k8s/5.5.1"},
       {{kApi, "enable-admission-plugins", Op::kIncludes, "ImagePolicyWebhook"}},
       {}},
      // kube-controller-manager (CIS 1.3)
      {"VGL-K8S-140",
       Severity::kMedium,
       "Terminated pod garbage collection threshold not set",
       "Without --terminated-pod-gc-threshold terminated pods accumulate (default 12500).",
       "Set --terminated-pod-gc-threshold to a value between 1 and 12500 suited to the "
       "cluster.",
       {"cis-k8s/1.3.1"},
       {{kCm, "terminated-pod-gc-threshold", Op::kGcThreshold}},
       {}},
      {"VGL-K8S-141",
       Severity::kLow,
       "Controller manager profiling enabled",
       "Profiling endpoints (on by default) expose program detail useful to an attacker.",
       "Start kube-controller-manager with --profiling=false.",
       {"cis-k8s/1.3.2"},
       {{kCm, "profiling", Op::kEquals, "false"}},
       {}},
      {"VGL-K8S-142",
       Severity::kMedium,
       "Controllers share the controller manager's credentials",
       "Without --use-service-account-credentials every controller runs with the controller "
       "manager's full rights.",
       "Set --use-service-account-credentials=true.",
       {"cis-k8s/1.3.3"},
       {{kCm, "use-service-account-credentials", Op::kEquals, "true"}},
       {}},
      {"VGL-K8S-143",
       Severity::kMedium,
       "Controller manager has no service account signing key",
       "--service-account-private-key-file signs service account tokens and allows rotation.",
       "Set --service-account-private-key-file.",
       {"cis-k8s/1.3.4"},
       {{kCm, "service-account-private-key-file", Op::kPresent}},
       {}},
      {"VGL-K8S-144",
       Severity::kMedium,
       "Controller manager root CA not set",
       "--root-ca-file puts the API server CA into service account token secrets so pods "
       "can verify the API server.",
       "Set --root-ca-file.",
       {"cis-k8s/1.3.5"},
       {{kCm, "root-ca-file", Op::kPresent}},
       {}},
      {"VGL-K8S-145",
       Severity::kMedium,
       "Kubelet serving certificate rotation disabled",
       "RotateKubeletServerCertificate=false stops kubelet serving certificates from being "
       "renewed.",
       "Remove RotateKubeletServerCertificate=false from --feature-gates (or featureGates).",
       {"cis-k8s/1.3.6", "cis-k8s/4.2.11"},
       {{kCm, "feature-gates", Op::kFeatureGate, "RotateKubeletServerCertificate"},
        {kKubelet, "feature-gates", Op::kFeatureGate, "RotateKubeletServerCertificate"}},
       {{kKc, "featureGates.RotateKubeletServerCertificate", Op::kNotEquals, "false", false,
         "featureGates"}}},
      {"VGL-K8S-146",
       Severity::kMedium,
       "Controller manager listens on all interfaces",
       "--bind-address other than 127.0.0.1 exposes the unauthenticated-by-default health "
       "and metrics endpoints.",
       "Set --bind-address=127.0.0.1.",
       {"cis-k8s/1.3.7"},
       {{kCm, "bind-address", Op::kEquals, "127.0.0.1"}},
       {}},
      // kube-scheduler (CIS 1.4)
      {"VGL-K8S-150",
       Severity::kLow,
       "Scheduler profiling enabled",
       "Profiling endpoints (on by default) expose program detail useful to an attacker.",
       "Start kube-scheduler with --profiling=false (enableProfiling: false in "
       "KubeSchedulerConfiguration).",
       {"cis-k8s/1.4.1"},
       {{kSched, "profiling", Op::kEquals, "false", true}},
       {{"KubeSchedulerConfiguration", "enableProfiling", Op::kEquals, "false", true}}},
      {"VGL-K8S-151",
       Severity::kMedium,
       "Scheduler listens on all interfaces",
       "--bind-address other than 127.0.0.1 exposes the scheduler's endpoints.",
       "Set --bind-address=127.0.0.1.",
       {"cis-k8s/1.4.2"},
       {{kSched, "bind-address", Op::kEquals, "127.0.0.1"}},
       {}},
      // etcd (CIS 2)
      {"VGL-K8S-155",
       Severity::kHigh,
       "etcd serves without TLS",
       "Without --cert-file and --key-file etcd serves clients in plain text.",
       "Set --cert-file and --key-file.",
       {"cis-k8s/2.1", "nsa/5.1"},
       {{kEtcd, "cert-file", Op::kPresent}, {kEtcd, "key-file", Op::kPresent}},
       {}},
      {"VGL-K8S-156",
       Severity::kHigh,
       "etcd does not authenticate clients",
       "Without --client-cert-auth=true any client reaching etcd can read every Secret.",
       "Set --client-cert-auth=true.",
       {"cis-k8s/2.2"},
       {{kEtcd, "client-cert-auth", Op::kEquals, "true"}},
       {}},
      {"VGL-K8S-157",
       Severity::kMedium,
       "etcd uses self-signed client certificates",
       "--auto-tls=true uses self-signed certificates that clients cannot verify.",
       "Remove --auto-tls or set it to false.",
       {"cis-k8s/2.3"},
       {{kEtcd, "auto-tls", Op::kNotEquals, "true"}},
       {}},
      {"VGL-K8S-158",
       Severity::kHigh,
       "etcd peer traffic without TLS",
       "Without --peer-cert-file and --peer-key-file etcd members replicate in plain text.",
       "Set --peer-cert-file and --peer-key-file.",
       {"cis-k8s/2.4"},
       {{kEtcd, "peer-cert-file", Op::kPresent}, {kEtcd, "peer-key-file", Op::kPresent}},
       {}},
      {"VGL-K8S-159",
       Severity::kMedium,
       "etcd does not authenticate peers",
       "Without --peer-client-cert-auth=true any host can join the etcd cluster.",
       "Set --peer-client-cert-auth=true.",
       {"cis-k8s/2.5"},
       {{kEtcd, "peer-client-cert-auth", Op::kEquals, "true"}},
       {}},
      {"VGL-K8S-160",
       Severity::kMedium,
       "etcd uses self-signed peer certificates",
       "--peer-auto-tls=true uses self-signed peer certificates.",
       "Remove --peer-auto-tls or set it to false.",
       {"cis-k8s/2.6"},
       {{kEtcd, "peer-auto-tls", Op::kNotEquals, "true"}},
       {}},
      // kubelet (CIS 4.2), flags and KubeletConfiguration
      {"VGL-K8S-165",
       Severity::kHigh,
       "Kubelet allows anonymous requests",
       "Anonymous requests to the kubelet API can read pods and, with weak authorization, "
       "exec into them.",
       "Set --anonymous-auth=false (authentication.anonymous.enabled: false).",
       {"cis-k8s/4.2.1", "nsa/7.0"},
       {{kKubelet, "anonymous-auth", Op::kEquals, "false"}},
       {{kKc, "authentication.anonymous.enabled", Op::kNotEquals, "true"}}},
      {"VGL-K8S-166",
       Severity::kHigh,
       "Kubelet authorizes every request",
       "authorization-mode AlwaysAllow lets any caller of the kubelet API run commands in pods.",
       "Set --authorization-mode=Webhook (authorization.mode: Webhook).",
       {"cis-k8s/4.2.2"},
       {{kKubelet, "authorization-mode", Op::kPresent},
        {kKubelet, "authorization-mode", Op::kExcludes, "AlwaysAllow"}},
       {{kKc, "authorization.mode", Op::kNotEquals, "AlwaysAllow"}}},
      {"VGL-K8S-167",
       Severity::kHigh,
       "Kubelet client CA not set",
       "Without a client CA the kubelet cannot verify client certificates.",
       "Set --client-ca-file (authentication.x509.clientCAFile).",
       {"cis-k8s/4.2.3"},
       {{kKubelet, "client-ca-file", Op::kPresent, "", true}},
       {{kKc, "authentication.x509.clientCAFile", Op::kPresent}}},
      {"VGL-K8S-168",
       Severity::kMedium,
       "Kubelet read-only port open",
       "The read-only port (10255) serves pod and node data without authentication.",
       "Set --read-only-port=0 (readOnlyPort: 0).",
       {"cis-k8s/4.2.4"},
       {{kKubelet, "read-only-port", Op::kEquals, "0"}},
       {{kKc, "readOnlyPort", Op::kEquals, "0", false}}},
      {"VGL-K8S-169",
       Severity::kMedium,
       "Kubelet streaming connections never time out",
       "A zero streaming-connection-idle-timeout keeps exec/port-forward streams open forever.",
       "Remove the setting or set a non-zero timeout (e.g. 5m).",
       {"cis-k8s/4.2.5"},
       {{kKubelet, "streaming-connection-idle-timeout", Op::kNotEquals, "0"},
        {kKubelet, "streaming-connection-idle-timeout", Op::kNotEquals, "0s"}},
       {{kKc, "streamingConnectionIdleTimeout", Op::kNotEquals, "0"},
        {kKc, "streamingConnectionIdleTimeout", Op::kNotEquals, "0s"}}},
      {"VGL-K8S-170",
       Severity::kMedium,
       "Kubelet does not manage iptables",
       "make-iptables-util-chains=false leaves pod networking rules to manual setup.",
       "Remove the setting or set it to true.",
       {"cis-k8s/4.2.6"},
       {{kKubelet, "make-iptables-util-chains", Op::kNotEquals, "false"}},
       {{kKc, "makeIPTablesUtilChains", Op::kNotEquals, "false"}}},
      {"VGL-K8S-171",
       Severity::kLow,
       "Kubelet hostname overridden",
       "--hostname-override can break TLS between the kubelet and the API server.",
       "Remove --hostname-override.",
       {"cis-k8s/4.2.7"},
       {{kKubelet, "hostname-override", Op::kAbsent}},
       {}},
      {"VGL-K8S-172",
       Severity::kLow,
       "Kubelet event rate limited",
       "A non-zero event QPS drops events under load; CIS asks for a level that captures "
       "all events (0 = unlimited).",
       "Set --event-qps=0 (eventRecordQPS: 0) or a level matching the cluster's needs.",
       {"cis-k8s/4.2.8"},
       {{kKubelet, "event-qps", Op::kEquals, "0", true}},
       {{kKc, "eventRecordQPS", Op::kEquals, "0", true}}},
      {"VGL-K8S-173",
       Severity::kMedium,
       "Kubelet TLS certificate not set",
       "Without a serving certificate the kubelet uses a self-signed one.",
       "Set --tls-cert-file and --tls-private-key-file (tlsCertFile, tlsPrivateKeyFile).",
       {"cis-k8s/4.2.9"},
       {{kKubelet, "tls-cert-file", Op::kPresent, "", true},
        {kKubelet, "tls-private-key-file", Op::kPresent, "", true}},
       {{kKc, "tlsCertFile", Op::kPresent}, {kKc, "tlsPrivateKeyFile", Op::kPresent}}},
      {"VGL-K8S-174",
       Severity::kMedium,
       "Kubelet client certificate rotation disabled",
       "Without rotation the kubelet's client certificate expires and must be replaced by hand.",
       "Set --rotate-certificates=true (rotateCertificates: true).",
       {"cis-k8s/4.2.10"},
       {{kKubelet, "rotate-certificates", Op::kNotEquals, "false"}},
       {{kKc, "rotateCertificates", Op::kEquals, "true", true}}},
      {"VGL-K8S-176",
       Severity::kMedium,
       "Kubelet allows weak TLS ciphers",
       "Cipher suites outside the strong AEAD set allow downgrade attacks.",
       "Set --tls-cipher-suites (tlsCipherSuites) to strong suites only.",
       {"cis-k8s/4.2.12"},
       {{kKubelet, "tls-cipher-suites", Op::kStrongCiphers, "", true}},
       {{kKc, "tlsCipherSuites", Op::kStrongCiphers, "", true}}},
      {"VGL-K8S-177",
       Severity::kMedium,
       "Kubelet does not protect kernel defaults",
       "Without protect-kernel-defaults the kubelet silently changes kernel tunables that "
       "differ from its expectations.",
       "Set --protect-kernel-defaults=true (protectKernelDefaults: true).",
       {},
       {{kKubelet, "protect-kernel-defaults", Op::kEquals, "true", true}},
       {{kKc, "protectKernelDefaults", Op::kEquals, "true", true}}},
  };
}

}  // namespace

Status RegisterControlPlaneChecks(CheckRegistry* registry) {
  std::vector<Def> defs;
  for (auto& d : Definitions()) {
    Def def;
    def.id = d.id;
    def.severity = d.severity;
    def.title = d.title;
    def.rationale = d.rationale;
    def.remediation = d.remediation;
    def.applies_to = AppliesTo(d);
    def.controls = d.controls;
    def.eval = [flags = d.flags, fields = d.fields](const CheckContext& ctx,
                                                    std::vector<Violation>* out) {
      if (!flags.empty()) EvalFlags(flags, ctx, out);
      if (!fields.empty()) EvalFields(fields, ctx, out);
    };
    defs.push_back(std::move(def));
  }
  return k8s::Register(registry, std::move(defs));
}

}  // namespace vigil::config
