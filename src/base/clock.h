// Injectable time source. Production code takes a Clock& so tests can pin time
// (report timestamps, ignore-file expiry, scheduler) without sleeping.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace vigil {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time since the Unix epoch.
  virtual std::chrono::system_clock::time_point Now() const = 0;
  // Monotonic nanoseconds, for durations only.
  virtual int64_t MonotonicNanos() const = 0;

  // The process-wide real clock. Thread-safe.
  static const Clock& Real();
};

// A clock that only moves when told to. Not thread-safe.
class FakeClock : public Clock {
 public:
  explicit FakeClock(std::chrono::system_clock::time_point start) : now_(start) {}
  std::chrono::system_clock::time_point Now() const override { return now_; }
  int64_t MonotonicNanos() const override {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(now_.time_since_epoch()).count();
  }
  void Advance(std::chrono::nanoseconds d) {
    now_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(d);
  }

 private:
  std::chrono::system_clock::time_point now_;
};

// RFC 3339 UTC with a `Z` suffix and second precision ("2026-11-24T06:04:43Z").
std::string FormatRfc3339(std::chrono::system_clock::time_point t);
// RFC 3339 UTC with nanoseconds, as Falco writes alert times.
std::string FormatRfc3339Nanos(std::chrono::system_clock::time_point t);

}  // namespace vigil
