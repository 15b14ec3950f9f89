// Event sources behind one interface (DESIGN.md: interchangeable sources): the live eBPF probe
// (ebpf_source.h), replay of a recording (replay.h), and the synthetic builder for tests
// (synthetic.h). Everything above a source — state, rules, models, the agent — is testable
// without root by swapping the source.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "base/status.h"
#include "runtime/event.h"

namespace vigil::runtime {

// Called once per event; the Event's views are valid only during the call (event.h).
using EventSink = std::function<void(const Event&)>;

struct SourceStats {
  uint64_t events = 0;  // delivered to sinks
  uint64_t drops = 0;   // lost before delivery (also reported as kDrops events)
  uint64_t bytes = 0;   // wire bytes read (ring buffer or file)
};

class EventSource {
 public:
  virtual ~EventSource() = default;
  // Delivers the events that are ready to `sink`, waiting at most `timeout` when none is.
  // Returns how many were delivered (0 on a timeout). A finite source (replay, synthetic)
  // returns OutOfRange once it is exhausted; any other error ends the source.
  virtual StatusOr<size_t> Poll(std::chrono::milliseconds timeout, const EventSink& sink) = 0;
  virtual SourceStats Stats() const = 0;
  // For messages: "ebpf", "replay:/path/file.vgl", "synthetic".
  virtual std::string Describe() const = 0;
};

}  // namespace vigil::runtime
