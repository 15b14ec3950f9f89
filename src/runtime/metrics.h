// Self-metrics of `vigil agent` in the Prometheus text exposition format (version 0.0.4),
// served on HTTP GET /metrics by a small server on its own thread.
//
// Why a socket loop and not a library: the endpoint is one read-only GET of a pre-rendered
// page; a blocking accept loop with poll() timeouts is ~150 lines, needs no extra Debian
// package (cpp-httplib would be the choice for a real API, see src/server), and keeps
// everything the scrape path does bounded: one connection at a time, requests up to 8 KiB,
// 2 s to send them, then the connection is closed.
//
// Threading: the agent loop renders the page (it owns the counters and the state) and calls
// Publish(); the server thread only copies the latest page under a mutex.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/status.h"
#include "runtime/event.h"
#include "runtime/syscalls.h"

namespace vigil::runtime {

// Per-event counters of the agent loop. Not thread-safe (the loop is single-threaded).
class EventCounters {
 public:
  // Containers (cgroup ids) counted separately at most; later ones go to an overflow bucket,
  // so memory stays bounded whatever the churn.
  static constexpr size_t kMaxContainers = 4096;

  void Count(const Event& e) {
    ++by_type_[static_cast<uint8_t>(e.type) & 7];
    if (e.type == EventType::kSyscall) {
      if (e.syscall >= 0 && e.syscall < kSyscallTableSize) {
        ++by_syscall_[e.syscall];
      } else {
        ++other_syscalls_;
      }
    } else if (e.type == EventType::kSyscallCounts) {
      if (e.syscall >= 0 && e.syscall < kSyscallTableSize) counted_[e.syscall] += e.count;
    } else if (e.type == EventType::kDrops) {
      drops_ += e.count;
    }
    if (e.type != EventType::kDrops) {
      if (e.cgroup_id != last_cgroup_ || last_slot_ == nullptr) {
        last_cgroup_ = e.cgroup_id;
        last_slot_ = Slot(e.cgroup_id);
      }
      ++*last_slot_;
    }
    ++total_;
  }

  uint64_t total() const { return total_; }
  uint64_t by_type(EventType t) const { return by_type_[static_cast<uint8_t>(t) & 7]; }
  uint64_t by_syscall(int32_t nr) const { return by_syscall_[nr]; }
  uint64_t counted(int32_t nr) const { return counted_[nr]; }
  uint64_t other_syscalls() const { return other_syscalls_; }
  uint64_t drops() const { return drops_; }
  const std::unordered_map<uint64_t, uint64_t>& containers() const { return containers_; }
  uint64_t container_overflow() const { return overflow_; }

 private:
  uint64_t* Slot(uint64_t cgroup_id);

  uint64_t total_ = 0;
  uint64_t by_type_[8] = {};
  uint64_t by_syscall_[kSyscallTableSize] = {};
  uint64_t counted_[kSyscallTableSize] = {};
  uint64_t other_syscalls_ = 0;
  uint64_t drops_ = 0;
  std::unordered_map<uint64_t, uint64_t> containers_;
  uint64_t overflow_ = 0;
  uint64_t last_cgroup_ = 0;
  uint64_t* last_slot_ = nullptr;  // stable: unordered_map never moves its nodes
};

// Builds an exposition page: one HELP/TYPE header per family, then its samples.
class PrometheusPage {
 public:
  void Family(std::string_view name, std::string_view type, std::string_view help);
  // labels: {{"type", "syscall"}, ...}; values escaped as the format requires.
  void Sample(std::string_view name,
              const std::vector<std::pair<std::string_view, std::string_view>>& labels,
              double value);
  void Sample(std::string_view name, double value) { Sample(name, {}, value); }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

// This process's CPU time (user + system) and resident memory, for process_* metrics.
struct ProcessUsage {
  double cpu_seconds = 0;
  uint64_t resident_bytes = 0;
  uint64_t virtual_bytes = 0;
};
ProcessUsage ReadProcessUsage();

class MetricsServer {
 public:
  // Listens on "HOST:PORT", ":PORT" or "PORT" (HOST defaults to 127.0.0.1; "0.0.0.0" for all
  // interfaces); port 0 picks a free one (see port()).
  static StatusOr<std::unique_ptr<MetricsServer>> Start(const std::string& address);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  void Publish(std::string page);
  uint16_t port() const { return port_; }
  uint64_t scrapes() const { return scrapes_.load(); }

 private:
  MetricsServer(int fd, uint16_t port);
  void Loop();
  void Serve(int client);

  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};  // a pipe: written to stop the loop
  uint16_t port_ = 0;
  std::mutex mu_;
  std::string page_;
  std::atomic<uint64_t> scrapes_{0};
  std::thread thread_;
};

}  // namespace vigil::runtime
