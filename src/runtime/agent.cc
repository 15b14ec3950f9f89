#include "runtime/agent.h"

#include <unistd.h>

#include <thread>

#include "base/logging.h"
#include "fmt/format.h"
#include "runtime/falco_json.h"
#include "runtime/syscalls.h"

namespace vigil::runtime {
namespace {

constexpr uint64_t kDropWindowNs = 1000000000;  // Falco reports drops per second
constexpr std::chrono::milliseconds kPollTimeout{100};

std::string ThisHostname() {
  char buf[256] = {};
  if (gethostname(buf, sizeof(buf) - 1) != 0) return "";
  return buf;
}

constexpr size_t kMaxRecordedContainers = 4096;

constexpr EventType kTypes[] = {EventType::kSyscall,       EventType::kProcessFork,
                                EventType::kProcessExec,   EventType::kProcessExit,
                                EventType::kSyscallCounts, EventType::kDrops};

}  // namespace

StatusOr<std::unique_ptr<Agent>> Agent::Create(const AgentOptions& options,
                                               std::unique_ptr<EventSource> source) {
  if (options.format != "json" && options.format != "text") {
    return InvalidArgumentError(
        fmt::format("--format '{}': the agent writes json or text", options.format));
  }
  std::unique_ptr<Agent> agent(new Agent(options));
  if (agent->options_.hostname.empty()) agent->options_.hostname = ThisHostname();
  // Options that are wrong are reported before anything is opened.
  VIGIL_ASSIGN_OR_RETURN(agent->output_, OpenAlertOutput(options.output, options.output_options));
  if (!options.metrics.empty()) {
    VIGIL_ASSIGN_OR_RETURN(agent->metrics_, MetricsServer::Start(options.metrics));
  }
  if (source != nullptr) {
    agent->source_ = std::move(source);
  } else if (!options.replay.empty()) {
    auto replay = ReplaySource::Open(options.replay, options.replay_options);
    if (!replay.ok()) return replay.status();
    agent->source_ = std::move(*replay);
  } else {
    EbpfOptions ebpf = options.ebpf;
    ebpf.exclude_pids.push_back(static_cast<uint32_t>(getpid()));
    auto live = OpenEbpfSource(ebpf);
    if (!live.ok()) {
      return Status(live.status().code(),
                    fmt::format("live capture: {} (to process a recording instead: --replay "
                                "FILE)",
                                live.status().message()));
    }
    agent->source_ = std::move(*live);
    agent->live_ = true;
  }
  agent->summary_.source = agent->source_->Describe();

  if (options.use_state) {
    StateOptions so;
    if (!agent->live_) {
      // A recording's processes, sockets and cgroups are not this host's: the state is built
      // from the events alone. Paths below a file (/dev/null) fail at once with ENOTDIR, so
      // no lookup reads this host's /proc, cgroup tree or runtime state directories.
      so.query_runtimes = false;
      so.proc_root = "/dev/null/proc";
      so.cgroup_root = "/dev/null/cgroup";
      so.host_root = "/dev/null/host";
    }
    auto state = State::Create(so);
    if (state.ok()) {
      agent->state_ = std::move(*state);
      if (agent->live_) {
        Status loaded = agent->state_->LoadExisting();
        if (!loaded.ok()) spdlog::warn("runtime state: reading /proc: {}", loaded.message());
      }
      agent->summary_.state_enabled = true;
    } else {
      // Not fatal: events flow without enrichment (state is built in parallel, issue 8).
      agent->summary_.state_note = state.status().message();
    }
    auto* replay = dynamic_cast<ReplaySource*>(agent->source_.get());
    if (replay != nullptr && agent->state_ != nullptr) {
      // A recording's container records reach the State before the events after them, so
      // rules see the containers the recording agent saw.
      ContainerRecordCallback previous = replay->on_container();
      State* target = agent->state_.get();
      replay->set_on_container([target, previous](uint64_t cgroup_id, const ContainerInfo& info) {
        if (previous) previous(cgroup_id, info);
        target->SetContainerInfo(cgroup_id, info);
      });
    }
  } else {
    agent->summary_.state_note = "disabled";
  }

  if (!options.record.empty()) {
    CaptureInfo info = CaptureInfo::ForThisHost(agent->source_->Describe());
    if (auto* replay = dynamic_cast<ReplaySource*>(agent->source_.get())) {
      info = replay->info();  // re-recording keeps the original host and clock mapping
    }
    VIGIL_ASSIGN_OR_RETURN(agent->recorder_, RecordWriter::Create(options.record, info));
  }
  return agent;
}

Agent::~Agent() = default;

void Agent::AddDetector(std::unique_ptr<Detector> detector) {
  detectors_.push_back(std::move(detector));
}

void Agent::Emit(const Alert& alert) {
  ++summary_.alerts;
  ++alerts_by_rule_[{alert.rule, alert.priority}];
  if (!output_status_.ok()) return;
  std::string line;
  if (alert.hostname.empty() && !options_.hostname.empty()) {
    Alert copy = alert;  // detectors need not know the host; alerts are rare enough to copy
    copy.hostname = options_.hostname;
    line = options_.format == "json" ? report::AlertToFalcoJson(copy) : FormatAlertText(copy);
  } else {
    line = options_.format == "json" ? report::AlertToFalcoJson(alert) : FormatAlertText(alert);
  }
  output_status_ = output_->Write(line);
}

void Agent::ReloadDetectors() {
  bool failed = false;
  for (const auto& d : detectors_) {
    Status s = d->Reload();
    if (s.ok()) {
      spdlog::warn("{}: reloaded: {}", d->name(), d->Describe());
    } else {
      failed = true;
      spdlog::error("{}: reload failed, keeping the previous configuration ({}): {}", d->name(),
                    d->Describe(), s.message());
    }
  }
  ++(failed ? summary_.reload_errors : summary_.reloads);
}

void Agent::EmitDropAlert(uint64_t time_ns) {
  if (window_drops_ > 0) {
    Emit(MakeDropAlert(time_ns, window_drops_, window_events_, live_, options_.hostname));
  }
  window_drops_ = 0;
  window_events_ = 0;
}

void Agent::OnEvent(const Event& e) {
  // The reload happens between two events: the previous event was fully evaluated with the
  // old configuration, this one is evaluated with the new, and the State is untouched.
  if (reload_ != nullptr && reload_->load(std::memory_order_relaxed) && reload_->exchange(false)) {
    ReloadDetectors();
  }
  counters_.Count(e);
  if (state_ != nullptr) state_->Apply(e);
  if (recorder_ != nullptr && record_status_.ok()) {
    // After Apply: the container the detectors will see for this event is recorded before it.
    if (state_ != nullptr && e.cgroup_id > 1) RecordContainer(e.cgroup_id);
    if (record_status_.ok()) record_status_ = recorder_->Write(e);
  }
  last_ts_ns_ = e.ts_ns;
  if (window_start_ns_ == 0) window_start_ns_ = e.ts_ns;
  if (e.ts_ns >= window_start_ns_ + kDropWindowNs) {
    EmitDropAlert(e.ts_ns);
    window_start_ns_ = e.ts_ns;
  }
  if (e.type == EventType::kDrops) {
    window_drops_ += e.count;
  } else {
    ++window_events_;
  }
  if (options_.events && output_status_.ok()) {
    line_.clear();
    if (options_.format == "json") {
      AppendEventJson(e, line_);
    } else {
      AppendEventText(e, line_);
    }
    output_status_ = output_->Write(line_);
  }
  for (const auto& d : detectors_) d->OnEvent(e, state_.get(), *this);
}

void Agent::RecordContainer(uint64_t cgroup_id) {
  // The State's generation changes exactly when its answer does, so an unchanged generation
  // means the recording already says what the State answers (or, never written, that the
  // answer is still the host entry). With 0 (a State that does not count: test doubles, never
  // the real State) every event of a container writes its record again: correct, only longer.
  uint64_t generation = state_->ContainerGeneration(cgroup_id);
  auto it = recorded_containers_.find(cgroup_id);
  if (it != recorded_containers_.end() && generation != 0 && it->second.generation == generation) {
    return;
  }
  const ContainerInfo& c = state_->Container(cgroup_id);
  if (it == recorded_containers_.end()) {
    if (recorded_containers_.size() >= kMaxRecordedContainers) recorded_containers_.clear();
    it = recorded_containers_.try_emplace(cgroup_id).first;
  }
  it->second.generation = generation;
  // A replay answers the host entry for a cgroup it has no record of: nothing to write until
  // the cgroup is a container; once written, every change is.
  if (!it->second.written && c.id.empty()) return;
  it->second.written = true;
  record_status_ = recorder_->WriteContainer(cgroup_id, c);
  ++summary_.recorded_containers;
}

std::string Agent::RenderMetrics() {
  PrometheusPage page;
  page.Family("vigil_agent_events_total", "counter", "Events received from the source, by type.");
  for (EventType t : kTypes) {
    page.Sample("vigil_agent_events_total", {{"type", EventTypeName(t)}},
                static_cast<double>(counters_.by_type(t)));
  }
  page.Family("vigil_agent_events_per_second", "gauge",
              "Events per second by type over the last metrics interval.");
  for (EventType t : kTypes) {
    page.Sample("vigil_agent_events_per_second", {{"type", EventTypeName(t)}},
                rate_by_type_[static_cast<uint8_t>(t) & 7]);
  }
  page.Family("vigil_agent_syscalls_total", "counter",
              "System calls captured individually, by name (kSyscall events).");
  for (int nr = 0; nr < kSyscallTableSize; ++nr) {
    if (counters_.by_syscall(nr) == 0) continue;
    page.Sample("vigil_agent_syscalls_total", {{"syscall", SyscallName(nr)}},
                static_cast<double>(counters_.by_syscall(nr)));
  }
  page.Family("vigil_agent_syscalls_counted_total", "counter",
              "High-volume system calls counted in the kernel (kSyscallCounts), by name.");
  for (int nr = 0; nr < kSyscallTableSize; ++nr) {
    if (counters_.counted(nr) == 0) continue;
    page.Sample("vigil_agent_syscalls_counted_total", {{"syscall", SyscallName(nr)}},
                static_cast<double>(counters_.counted(nr)));
  }
  page.Family("vigil_agent_drops_total", "counter",
              "Events or alerts lost, by stage: source (ring buffer or recording), output.");
  page.Sample("vigil_agent_drops_total", {{"stage", "source"}},
              static_cast<double>(counters_.drops()));
  page.Sample("vigil_agent_drops_total", {{"stage", "output"}},
              static_cast<double>(output_->dropped()));
  page.Family("vigil_agent_container_events_total", "counter",
              "Events per container (cgroup); container_id is empty for the host.");
  for (const auto& [cgroup, count] : counters_.containers()) {
    std::string id = fmt::format("cgroup:{}", cgroup), name, image;
    if (state_ != nullptr) {
      const ContainerInfo& c = state_->Container(cgroup);
      id = c.id;
      name = c.name;
      image = c.image;
    }
    std::string cg = std::to_string(cgroup);
    page.Sample(
        "vigil_agent_container_events_total",
        {{"cgroup_id", cg}, {"container_id", id}, {"container_name", name}, {"image", image}},
        static_cast<double>(count));
  }
  if (counters_.container_overflow() > 0) {
    page.Sample(
        "vigil_agent_container_events_total",
        {{"cgroup_id", "other"}, {"container_id", "other"}, {"container_name", ""}, {"image", ""}},
        static_cast<double>(counters_.container_overflow()));
  }
  page.Family("vigil_agent_alerts_total", "counter", "Alerts written, by rule and priority.");
  for (const auto& [key, count] : alerts_by_rule_) {
    page.Sample("vigil_agent_alerts_total",
                {{"rule", key.first}, {"priority", report::PriorityName(key.second)}},
                static_cast<double>(count));
  }
  page.Family("vigil_agent_reloads_total", "counter",
              "Configuration reloads (SIGHUP), by result: ok, or error (the previous "
              "configuration was kept).");
  page.Sample("vigil_agent_reloads_total", {{"result", "ok"}},
              static_cast<double>(summary_.reloads));
  page.Sample("vigil_agent_reloads_total", {{"result", "error"}},
              static_cast<double>(summary_.reload_errors));
  for (const auto& d : detectors_) d->AppendMetrics(page);
  page.Family("vigil_agent_output_queue_lines", "gauge", "Lines waiting for the webhook.");
  page.Sample("vigil_agent_output_queue_lines", static_cast<double>(output_->queued()));
  SourceStats ss = source_->Stats();
  page.Family("vigil_agent_source_bytes_total", "counter", "Bytes read from the source.");
  page.Sample("vigil_agent_source_bytes_total", static_cast<double>(ss.bytes));
  if (state_ != nullptr) {
    page.Family("vigil_agent_state_processes", "gauge", "Processes in the run-time state.");
    page.Sample("vigil_agent_state_processes", static_cast<double>(state_->process_count()));
    page.Family("vigil_agent_state_containers", "gauge", "Containers in the run-time state.");
    page.Sample("vigil_agent_state_containers", static_cast<double>(state_->container_count()));
  }
  ProcessUsage u = ReadProcessUsage();
  page.Family("process_cpu_seconds_total", "counter",
              "User and system CPU time of the agent process.");
  page.Sample("process_cpu_seconds_total", u.cpu_seconds);
  page.Family("process_resident_memory_bytes", "gauge", "Resident memory of the agent.");
  page.Sample("process_resident_memory_bytes", static_cast<double>(u.resident_bytes));
  page.Family("process_virtual_memory_bytes", "gauge", "Virtual memory of the agent.");
  page.Sample("process_virtual_memory_bytes", static_cast<double>(u.virtual_bytes));
  page.Family("vigil_agent_uptime_seconds", "gauge", "Seconds since the agent started.");
  page.Sample("vigil_agent_uptime_seconds",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
  return page.text();
}

void Agent::Publish() {
  auto now = std::chrono::steady_clock::now();
  double dt = std::chrono::duration<double>(now - last_publish_).count();
  if (dt > 0) {
    for (EventType t : kTypes) {
      size_t i = static_cast<uint8_t>(t) & 7;
      rate_by_type_[i] = static_cast<double>(counters_.by_type(t) - last_by_type_[i]) / dt;
      last_by_type_[i] = counters_.by_type(t);
    }
  }
  last_publish_ = now;
  if (metrics_ != nullptr) metrics_->Publish(RenderMetrics());
}

Status Agent::Run(const std::atomic<bool>& stop, std::atomic<bool>* reload) {
  reload_ = reload;
  start_ = last_publish_ = std::chrono::steady_clock::now();
  cpu_at_start_ = ReadProcessUsage().cpu_seconds;
  if (metrics_ != nullptr) Publish();
  EventSink sink = [this](const Event& e) { OnEvent(e); };
  Status result;
  while (!stop.load(std::memory_order_relaxed)) {
    auto now = std::chrono::steady_clock::now();
    if (options_.duration.count() > 0 && now - start_ >= options_.duration) break;
    auto timeout = kPollTimeout;
    if (options_.duration.count() > 0) {
      auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(start_ + options_.duration - now);
      timeout = std::min(timeout, std::max(left, std::chrono::milliseconds(0)));
    }
    auto n = source_->Poll(timeout, sink);
    if (!n.ok()) {
      if (!IsOutOfRange(n.status())) result = n.status();
      break;
    }
    // A quiet source: a requested reload does not wait for the next event.
    if (reload_ != nullptr && reload_->exchange(false)) ReloadDetectors();
    if (!record_status_.ok()) {
      result = record_status_;
      break;
    }
    if (!output_status_.ok()) {
      result = output_status_;
      break;
    }
    now = std::chrono::steady_clock::now();
    if (*n == 0 && live_ && window_drops_ > 0 &&
        std::chrono::system_clock::now().time_since_epoch() >=
            std::chrono::nanoseconds(window_start_ns_ + kDropWindowNs)) {
      // A quiet live source: report pending drops without waiting for the next event.
      EmitDropAlert(static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                              std::chrono::system_clock::now().time_since_epoch())
                                              .count()));
    }
    if (*n > 0 || now - last_publish_ >= options_.metrics_interval) {
      Status flushed = output_->Flush();
      if (!flushed.ok() && result.ok()) {
        result = flushed;
        break;
      }
    }
    if (now - last_publish_ >= options_.metrics_interval) Publish();
  }
  // The last window's drops are reported even when the source ended inside it.
  if (window_drops_ > 0) EmitDropAlert(last_ts_ns_);
  if (recorder_ != nullptr) {
    Status closed = recorder_->Close();
    if (result.ok() && !record_status_.ok()) result = record_status_;
    if (result.ok() && !closed.ok()) result = closed;
    summary_.recorded = recorder_->events();
  }
  Status out_closed = output_->Close(std::chrono::seconds(5));
  if (result.ok() && !output_status_.ok()) result = output_status_;
  if (result.ok() && !out_closed.ok()) result = out_closed;
  Publish();
  summary_.events = counters_.total();
  summary_.drops = counters_.drops();
  summary_.output_dropped = output_->dropped();
  summary_.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  summary_.cpu_seconds = ReadProcessUsage().cpu_seconds - cpu_at_start_;
  return result;
}

}  // namespace vigil::runtime
