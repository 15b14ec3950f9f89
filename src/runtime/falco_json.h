// Alert and event formatting for `vigil agent`. Alerts are Falco-compatible JSON lines (the
// fields Falco's json_output writes: output, priority, rule, time with nanoseconds,
// output_fields, source, tags, hostname), so falcosidekick and log pipelines built for Falco
// read them unchanged; the text form is Falco's "HH:MM:SS.nnnnnnnnn: Priority output".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "report/alert.h"
#include "runtime/event.h"

namespace vigil::runtime {

// The report model's alert (report/alert.h: Falco's fields; report::AlertToFalcoJson writes
// the JSON line), shared with the rule engine.
using report::Alert;

// "12:55:58.461500387: Critical <output> (k=v k=v)" with the time in UTC.
std::string FormatAlertText(const Alert& alert);

// Falco's "Falco internal: syscall event drop" alert: `n_drops` events lost out of
// `n_evts` seen in the last window.
Alert MakeDropAlert(uint64_t time_ns, uint64_t n_drops, uint64_t n_evts, bool ebpf,
                    std::string hostname);

// An event as one JSON object (`vigil agent --events`): members that are set only, strings
// escaped, argv as an array, the syscall by name. Appends to `out` (no newline).
void AppendEventJson(const Event& event, std::string& out);
// "2026-01-01T00:00:00.000001000Z exec sh(4243) /bin/sh args=[sh -c id]"-style line.
void AppendEventText(const Event& event, std::string& out);

// Appends `s` as a JSON string literal (quotes included); invalid UTF-8 bytes become U+FFFD.
void AppendJsonString(std::string_view s, std::string& out);

}  // namespace vigil::runtime
