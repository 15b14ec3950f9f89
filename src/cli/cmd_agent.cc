// `vigil agent`: the node agent. Captures live with the eBPF probe or replays a recording,
// feeds the run-time state, writes Falco-compatible alerts (and, with --events, every event)
// to stdout, a file or a webhook, records what it saw, and serves Prometheus self-metrics.
// Exit codes (docs/agent.md): 0 when the source ended, the duration elapsed or SIGINT/SIGTERM
// stopped it; 2 for a usage error; 3 for a runtime failure (no BPF, corrupt recording, output
// or record file failing).
#include <atomic>
#include <cctype>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "fmt/format.h"
#include "runtime/agent.h"

namespace vigil::cli {
namespace {

std::atomic<bool> g_stop{false};

void OnSignal(int) { g_stop.store(true); }

struct AgentArgs {
  runtime::AgentOptions options;
  std::string duration;
  double speed = 0;  // --pace X
  size_t ring_mb = 16;
};

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

  auto agent = runtime::Agent::Create(args.options);
  if (!agent.ok()) {
    std::fprintf(stderr, "vigil: agent: %s\n", agent.status().message().c_str());
    // Bad flag values are usage errors; an unreadable or foreign recording is a runtime one.
    bool usage =
        IsInvalidArgument(agent.status()) && agent.status().message().rfind("replay:", 0) != 0;
    return usage ? kExitUsage : kExitRuntime;
  }
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  if (!flags.quiet) {
    std::fprintf(
        stderr, "vigil agent: source %s, output %s%s%s\n", (*agent)->summary().source.c_str(),
        args.options.output.c_str(), args.options.metrics.empty() ? "" : ", metrics on port ",
        args.options.metrics.empty() ? "" : std::to_string((*agent)->metrics_port()).c_str());
    if (!(*agent)->summary().state_enabled) {
      std::fprintf(stderr, "vigil agent: events are not enriched (%s)\n",
                   (*agent)->summary().state_note.c_str());
    }
  }
  Status run = (*agent)->Run(g_stop);
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
      "Exit codes: 0 the source ended, --duration elapsed or SIGINT/SIGTERM; 2 usage error;\n"
      "3 runtime error (no eBPF support or permission, corrupt recording, output failing).\n"
      "Docs: docs/agent.md.");
  return {cmd, [args, &flags]() { return RunAgent(*args, flags); }};
}

}  // namespace vigil::cli
