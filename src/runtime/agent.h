// The node agent loop behind `vigil agent`: one source (live eBPF, a replayed recording, or
// any EventSource a test or benchmark hands in) -> run-time state -> detectors (the rule
// engine, later the behaviour models) -> outputs. The agent itself raises only Falco's "syscall
// event drop" alert; every other alert comes from a Detector. --events writes every event.
//
// One thread runs the loop and owns everything it touches (source, state, counters,
// recorder); the metrics server and the webhook sender have their own threads and only
// exchange finished pages / lines with it. Memory is bounded whatever the event rate: no
// per-event storage, a bounded webhook queue, a bounded per-container table, and the state's
// own caps.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/status.h"
#include "runtime/ebpf_source.h"
#include "runtime/falco_json.h"
#include "runtime/metrics.h"
#include "runtime/output.h"
#include "runtime/replay.h"
#include "runtime/source.h"
#include "runtime/state.h"

namespace vigil::runtime {

// Where a detector's alerts go: the agent writes them to its output (JSON or text; stdout, a
// file or the webhook), fills in the hostname when the detector left it empty, and counts them
// in its metrics by rule and priority.
class AlertEmitter {
 public:
  virtual ~AlertEmitter() = default;
  virtual void Emit(const Alert& alert) = 0;
};

// Something that examines every event and may raise alerts: the rule engine
// (rules/detector.h), the behaviour models. The agent owns its detectors and calls them on its
// loop thread only, in the order they were added, for every event after the State applied it,
// so no detector needs locking. A detector must not block: it runs in the event path.
class Detector {
 public:
  virtual ~Detector() = default;
  // A short name for messages and metric labels ("rules").
  virtual std::string_view name() const = 0;
  // `state` is null when enrichment is off (a State that could not be built); otherwise it has
  // applied `event` already. Alerts are handed to `out` during the call.
  virtual void OnEvent(const Event& event, State* state, AlertEmitter& out) = 0;
  // Re-reads the detector's configuration (SIGHUP). Called on the loop thread between two
  // events, so the switch happens at an event boundary and the State is kept. On an error the
  // detector must keep working with its previous configuration; the agent logs the error.
  virtual Status Reload() { return OkStatus(); }
  // One line for the start-up and reload messages ("40 rules (built-in)").
  virtual std::string Describe() const = 0;
  // Adds the detector's own families to the agent's metrics page (optional).
  virtual void AppendMetrics(PrometheusPage& page) const {}
};

struct AgentOptions {
  std::string replay;  // a capture file; empty = live capture with `ebpf`
  ReplayOptions replay_options;
  EbpfOptions ebpf;
  std::string record;                     // write every event received to this capture file
  std::chrono::milliseconds duration{0};  // 0 = until the source ends or Stop()
  std::string format = "json";            // json | text
  std::string output = "stdout";          // stdout | FILE | http(s)://URL
  OutputOptions output_options;
  bool events = false;  // also write every event (JSON or text line) to the output
  std::string metrics;  // --metrics ADDR; empty = no server
  std::chrono::milliseconds metrics_interval{1000};  // how often the page is re-rendered
  std::string hostname;                              // empty = this host's name
  bool use_state = true;  // feed State (when it is built); off for benchmarks of the rest
};

struct AgentSummary {
  uint64_t events = 0;
  uint64_t drops = 0;  // lost before delivery (kDrops)
  uint64_t alerts = 0;
  uint64_t output_dropped = 0;  // lines the output could not deliver
  uint64_t recorded = 0;
  uint64_t recorded_containers = 0;  // container records written with them
  double seconds = 0;                // wall time of Run
  double cpu_seconds = 0;            // this process's CPU time during Run
  uint64_t reloads = 0;              // SIGHUP reloads that succeeded (every detector reloaded)
  uint64_t reload_errors = 0;        // reloads where a detector kept its previous configuration
  bool state_enabled = false;
  std::string state_note;  // why enrichment is off, when it is
  std::string source;
};

class Agent : private AlertEmitter {
 public:
  // Opens the source (unless `source` is given), the output, the recorder and the metrics
  // server. Errors: InvalidArgument for bad options (exit 2), anything else is a runtime
  // failure (exit 3) and names what failed ("live capture: ...", "replay: FILE: ...").
  static StatusOr<std::unique_ptr<Agent>> Create(const AgentOptions& options,
                                                 std::unique_ptr<EventSource> source = nullptr);
  ~Agent();

  // Adds a detector; call before Run. Detectors run in the order they were added.
  void AddDetector(std::unique_ptr<Detector> detector);

  // Runs until the source ends, the duration elapses or `stop` becomes true. A source error
  // (a corrupt recording) ends the run with that error after the events before it were
  // processed; outputs are flushed in every case. When `reload` is given and becomes true
  // (a SIGHUP handler sets it), the agent clears it and reloads every detector before the
  // next event; a detector that fails keeps its previous configuration and the error is
  // logged and counted (summary().reload_errors, vigil_agent_reloads_total).
  Status Run(const std::atomic<bool>& stop, std::atomic<bool>* reload = nullptr);

  const AgentSummary& summary() const { return summary_; }
  const EventCounters& counters() const { return counters_; }
  // The port the metrics server listens on (0 = none); tests bind port 0.
  uint16_t metrics_port() const { return metrics_ ? metrics_->port() : 0; }
  // The current metrics page (also what the server serves after the next publish).
  std::string RenderMetrics();

 private:
  explicit Agent(const AgentOptions& options) : options_(options) {}
  void OnEvent(const Event& e);
  // Writes a container record for `cgroup_id` when the State's answer differs from what the
  // recording already says about it (first sight of a container, metadata merged later):
  // one integer compare per event, the State's ContainerGeneration.
  void RecordContainer(uint64_t cgroup_id);
  void EmitDropAlert(uint64_t time_ns);
  void Emit(const Alert& alert) override;
  void ReloadDetectors();
  void Publish();

  AgentOptions options_;
  std::unique_ptr<EventSource> source_;
  std::unique_ptr<State> state_;
  std::unique_ptr<AlertOutput> output_;
  std::unique_ptr<RecordWriter> recorder_;
  // Per cgroup seen while recording: the State's ContainerGeneration at its latest event, and
  // whether a record of it was written (a cgroup the State answered only with the host entry
  // has none). Bounded: cleared past 4096 entries, which only repeats records.
  struct RecordedContainer {
    uint64_t generation = 0;
    bool written = false;
  };
  std::unordered_map<uint64_t, RecordedContainer> recorded_containers_;
  std::unique_ptr<MetricsServer> metrics_;
  EventCounters counters_;
  AgentSummary summary_;
  bool live_ = false;
  Status record_status_;
  Status output_status_;
  std::string line_;  // reused per event line
  // Drop alert window (event time): drops and events since window_start_ns_.
  uint64_t window_start_ns_ = 0;
  uint64_t window_drops_ = 0;
  uint64_t window_events_ = 0;
  uint64_t last_ts_ns_ = 0;  // of the latest event
  std::vector<std::unique_ptr<Detector>> detectors_;
  std::atomic<bool>* reload_ = nullptr;  // Run's `reload` flag
  // Alerts written, by rule and priority (bounded by the rules loaded, plus the drop alert).
  std::map<std::pair<std::string, report::Priority>, uint64_t> alerts_by_rule_;
  // Rate gauges: counters at the previous publish.
  std::chrono::steady_clock::time_point start_{};
  std::chrono::steady_clock::time_point last_publish_{};
  uint64_t last_by_type_[8] = {};
  double rate_by_type_[8] = {};
  double cpu_at_start_ = 0;
};

}  // namespace vigil::runtime
