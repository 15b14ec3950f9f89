// `vigil agent`: the node agent. Captures live with the eBPF probe or replays a recording,
// feeds the run-time state, runs the rule engine (built-in rules, --rules files; SIGHUP
// reloads them), writes Falco-compatible alerts (and, with --events, every event) to stdout,
// a file or a webhook, records what it saw, and serves Prometheus self-metrics.
// Exit codes (docs/agent.md): 0 when the source ended, the duration elapsed or SIGINT/SIGTERM
// stopped it; 2 for a usage error (including rule files that do not load); 3 for a runtime
// failure (no BPF, corrupt recording, output or record file failing). --rules-check exits 0
// when the files load and 1 when they have errors.
#include <atomic>
#include <cctype>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cli/commands.h"
#include "fmt/format.h"
#include "rules/detector.h"
#include "runtime/agent.h"

namespace vigil::cli {
namespace {

std::atomic<bool> g_stop{false};
std::atomic<bool> g_reload{false};
static_assert(std::atomic<bool>::is_always_lock_free, "set from signal handlers");

void OnSignal(int) { g_stop.store(true); }
void OnHangup(int) { g_reload.store(true); }

struct AgentArgs {
  runtime::AgentOptions options;
  std::string duration;
  double speed = 0;  // --pace X
  size_t ring_mb = 16;
  std::vector<std::string> rules;        // --rules
  bool rules_default = false;            // --rules-default
  std::vector<std::string> rules_check;  // --rules-check
  bool rules_strict = false;             // --rules-strict
  bool no_rules = false;                 // --no-rules
  std::string priority;                  // -p/--priority
};

// --rules-check: every diagnostic on stdout, then a summary line; 0 when nothing is an error.
int CheckRules(const rules::RuleSetConfig& config) {
  rules::CheckReport report = rules::CheckRuleSet(config);
  std::fputs(report.ToString().c_str(), stdout);
  return report.ok() ? 0 : 1;
}

// "30s", "5m", "2h", "250ms", or plain seconds ("10", "1.5").
StatusOr<std::chrono::milliseconds> ParseDuration(const std::string& text) {
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) {
    ++i;
  }
  std::string number = text.substr(0, i), unit = text.substr(i);
  char* end = nullptr;
  double v = number.empty() ? -1 : std::strtod(number.c_str(), &end);
  double scale = unit.empty() || unit == "s" ? 1000
                 : unit == "ms"              ? 1
                 : unit == "m"               ? 60000
                 : unit == "h"               ? 3600000
                                             : -1;
  if (v < 0 || end == nullptr || *end != '\0' || scale < 0 || v * scale > 1e13) {
    return InvalidArgumentError(
        fmt::format("--duration '{}': want a number with ms, s, m or h (e.g. 30s)", text));
  }
  return std::chrono::milliseconds(static_cast<int64_t>(v * scale));
}

int RunAgent(AgentArgs& args, const CommonFlags& flags) {
  rules::RuleSetConfig rule_set;
  rule_set.with_defaults = args.rules_default;
  rule_set.load.strict = args.rules_strict;
  if (!args.priority.empty()) {
    auto p = rules::ParsePriority(args.priority);
    if (!p.ok()) {
      std::fprintf(stderr, "vigil: --priority: %s\n", p.status().message().c_str());
      return kExitUsage;
    }
    rule_set.load.min_priority = *p;
  }
  if (!args.rules_check.empty()) {
    rule_set.files = args.rules_check;
    return CheckRules(rule_set);
  }
  if (args.no_rules && (!args.rules.empty() || args.rules_default)) {
    std::fprintf(stderr, "vigil: --no-rules cannot be combined with --rules/--rules-default\n");
    return kExitUsage;
  }
  if (args.rules_default && args.rules.empty()) {
    std::fprintf(stderr, "vigil: --rules-default adds the built-in rules to --rules FILE...\n");
    return kExitUsage;
  }
  rule_set.files = args.rules;
  if (!args.duration.empty()) {
    auto d = ParseDuration(args.duration);
    if (!d.ok()) {
      std::fprintf(stderr, "vigil: %s\n", d.status().message().c_str());
      return kExitUsage;
    }
    args.options.duration = *d;
  }
  if (args.speed > 0) {
    if (args.options.replay.empty()) {
      std::fprintf(stderr, "vigil: --pace applies to --replay only\n");
      return kExitUsage;
    }
    args.options.replay_options.pace = true;
    args.options.replay_options.speed = args.speed;
  }
  if (args.ring_mb == 0 || (args.ring_mb & (args.ring_mb - 1)) != 0 || args.ring_mb > 1024) {
    std::fprintf(stderr, "vigil: --ring-buffer-mb must be a power of two up to 1024\n");
    return kExitUsage;
  }
  args.options.ebpf.ring_buffer_bytes = args.ring_mb << 20;

  // The rules load before anything is opened: a rule file with an error is a usage error
  // (fix the file), reported as --rules-check would report its first error.
  std::unique_ptr<rules::RulesDetector> detector;
  if (!args.no_rules) {
    auto created = rules::RulesDetector::Create(rule_set);
    if (!created.ok()) {
      std::fprintf(stderr, "vigil: rules: %s\n", created.status().message().c_str());
      return kExitUsage;
    }
    detector = std::move(*created);
    if (!flags.quiet) {
      for (const rules::Diagnostic& d : detector->warnings()) {
        std::fprintf(stderr, "vigil agent: %s\n", d.ToString().c_str());
      }
    }
  }

  auto agent = runtime::Agent::Create(args.options);
  if (!agent.ok()) {
    std::fprintf(stderr, "vigil: agent: %s\n", agent.status().message().c_str());
    // Bad flag values are usage errors; an unreadable or foreign recording is a runtime one.
    bool usage =
        IsInvalidArgument(agent.status()) && agent.status().message().rfind("replay:", 0) != 0;
    return usage ? kExitUsage : kExitRuntime;
  }
  std::string rules_line = detector != nullptr ? detector->Describe() : "no rules";
  if (detector != nullptr) (*agent)->AddDetector(std::move(detector));
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  struct sigaction hup {};
  hup.sa_handler = OnHangup;
  sigemptyset(&hup.sa_mask);
  hup.sa_flags = SA_RESTART;
  sigaction(SIGHUP, &hup, nullptr);
  if (!flags.quiet) {
    std::fprintf(
        stderr, "vigil agent: source %s, %s, output %s%s%s\n", (*agent)->summary().source.c_str(),
        rules_line.c_str(), args.options.output.c_str(),
        args.options.metrics.empty() ? "" : ", metrics on port ",
        args.options.metrics.empty() ? "" : std::to_string((*agent)->metrics_port()).c_str());
    if (!(*agent)->summary().state_enabled) {
      std::fprintf(stderr, "vigil agent: events are not enriched (%s)\n",
                   (*agent)->summary().state_note.c_str());
    }
  }
  Status run = (*agent)->Run(g_stop, &g_reload);
  const runtime::AgentSummary& s = (*agent)->summary();
  if (!flags.quiet) {
    std::fprintf(stderr,
                 "vigil agent: %llu events in %.2f s (%.0f/s, %.2f s CPU), %llu dropped at the "
                 "source, %llu alerts, %llu output lines dropped%s\n",
                 static_cast<unsigned long long>(s.events), s.seconds,
                 s.seconds > 0 ? static_cast<double>(s.events) / s.seconds : 0.0, s.cpu_seconds,
                 static_cast<unsigned long long>(s.drops),
                 static_cast<unsigned long long>(s.alerts),
                 static_cast<unsigned long long>(s.output_dropped),
                 args.options.record.empty()
                     ? ""
                     : fmt::format(", {} recorded to {}", s.recorded, args.options.record).c_str());
  }
  if (!run.ok()) {
    std::fprintf(stderr, "vigil: agent: %s\n", run.message().c_str());
    return kExitRuntime;
  }
  return kExitOk;
}

}  // namespace

Command RegisterAgent(CLI::App& root, CommonFlags& flags) {
  auto* cmd = root.add_subcommand(
      "agent",
      "Run the node agent: capture system calls with eBPF (or replay a recording), attribute "
      "them to processes and containers, write Falco-compatible alerts, serve metrics");
  auto args = std::make_shared<AgentArgs>();
  runtime::AgentOptions& o = args->options;
  cmd->add_option("--replay", o.replay,
                  "Process a recording (made with --record) instead of capturing live");
  cmd->add_option("--pace", args->speed,
                  "With --replay: deliver events at the recorded pace times this factor "
                  "(1 = real time; default: as fast as possible)");
  cmd->add_option("--record", o.record, "Write every event received to this capture file");
  cmd->add_option("--duration", args->duration,
                  "Stop after this long (30s, 5m, 1h; default: until the source ends or "
                  "SIGINT/SIGTERM)");
  cmd->add_option("-f,--format", o.format, "Alert line format: json (Falco's), text")
      ->capture_default_str();
  cmd->add_option("-o,--output", o.output,
                  "Where alerts go: stdout, a file (appended), or an http(s):// webhook")
      ->capture_default_str();
  cmd->add_flag("--events", o.events, "Also write every event as a line (same format)");
  cmd->add_option("-r,--rules", args->rules,
                  "Rule files (Falco syntax) to run instead of the built-in set, loaded in "
                  "order; SIGHUP reloads them")
      ->type_name("FILE");
  cmd->add_flag("--rules-default", args->rules_default,
                "Load the built-in rules before the --rules files (which may then append to or "
                "override them)");
  cmd->add_option("--rules-check", args->rules_check,
                  "Check rule files and exit (0: they load; 1: errors, printed as "
                  "file:line: rule 'X': message); with --rules-default on top of the built-in "
                  "set")
      ->type_name("FILE");
  cmd->add_flag("--rules-strict", args->rules_strict,
                "Treat rule warnings (unsupported Falco fields, unknown keys) as errors");
  cmd->add_option("-p,--priority", args->priority,
                  "Load only rules of this priority or more severe (emergency .. debug)");
  cmd->add_flag("--no-rules", args->no_rules, "Run no rules (capture, record and metrics only)");
  cmd->add_option("--metrics", o.metrics,
                  "Serve Prometheus metrics on HTTP GET /metrics at ADDR (HOST:PORT or PORT; "
                  "default host 127.0.0.1)");
  cmd->add_option("--webhook-batch", o.output_options.webhook_batch,
                  "Alerts per webhook POST (1 = one JSON object per POST, as falcosidekick "
                  "expects)")
      ->capture_default_str();
  cmd->add_option("--webhook-queue", o.output_options.webhook_queue,
                  "Alerts held at most while the webhook is slow; beyond that they are "
                  "dropped and counted")
      ->capture_default_str();
  cmd->add_option("--webhook-cacert", o.output_options.webhook_cacert,
                  "CA bundle to verify an https webhook");
  cmd->add_flag("--stream-high-volume", o.ebpf.stream_high_volume,
                "Live: stream read/write/epoll calls one by one instead of per-process counts");
  cmd->add_option("--ring-buffer-mb", args->ring_mb, "Live: ring buffer size (power of two)")
      ->capture_default_str();
  cmd->footer(
      "Exit codes: 0 the source ended, --duration elapsed or SIGINT/SIGTERM; 2 usage error\n"
      "(including rule files that do not load); 3 runtime error (no eBPF support or\n"
      "permission, corrupt recording, output failing). --rules-check: 0 ok, 1 errors.\n"
      "SIGHUP reloads the rule files; a file with errors keeps the previous rules.\n"
      "Docs: docs/agent.md, docs/rules.md.");
  return {cmd, [args, &flags]() { return RunAgent(*args, flags); }};
}

}  // namespace vigil::cli
