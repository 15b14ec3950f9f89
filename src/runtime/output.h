// Where `vigil agent` writes alert (and --events) lines: stdout, a file, or an HTTP(S)
// webhook. Writes never block the event loop on the network: the webhook output queues lines
// (bounded) and a sender thread POSTs them in batches with libcurl; lines that do not fit the
// queue, or whose POST failed, are counted as dropped (every hop counts its drops).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace vigil::runtime {

struct OutputOptions {
  size_t webhook_queue = 10000;  // lines held at most while the webhook is slow or down
  // Lines per POST. 1 sends each alert alone as application/json (what falcosidekick and
  // Falco's http_output expect); more sends newline-delimited JSON (application/x-ndjson).
  size_t webhook_batch = 100;
  std::chrono::milliseconds webhook_flush{1000};  // a partial batch waits at most this long
  std::chrono::seconds webhook_timeout{10};       // per POST
  std::string webhook_cacert;                     // extra CA bundle for https
};

class AlertOutput {
 public:
  virtual ~AlertOutput() = default;
  // Queues or writes one line (no trailing newline).
  virtual Status Write(std::string_view line) = 0;
  // Pushes buffered lines out (file/stdout: fflush; webhook: a no-op, the sender batches).
  virtual Status Flush() = 0;
  // Delivers what is queued (webhook: waits up to `deadline` for the sender) and stops.
  virtual Status Close(std::chrono::milliseconds deadline) = 0;
  virtual uint64_t written() const = 0;  // lines accepted and delivered
  virtual uint64_t dropped() const = 0;  // lines lost (queue full, failed POSTs)
  virtual size_t queued() const { return 0; }
  virtual std::string Describe() const = 0;
};

// "stdout" or "" (standard output), "http://..." / "https://..." (webhook), else a file path
// (appended to, created 0640).
StatusOr<std::unique_ptr<AlertOutput>> OpenAlertOutput(const std::string& spec,
                                                       const OutputOptions& options);

}  // namespace vigil::runtime
