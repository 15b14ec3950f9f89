// Status at boundaries: every fallible function that crosses a module boundary returns
// vigil::Status or vigil::StatusOr<T>; no exception crosses a module boundary.
//
// Why a local type and not absl::Status: Debian 12's libabsl-dev (20220623) is built with
// its own absl::string_view rather than std::string_view, so every call from C++20 code
// would need conversions at each boundary. This is the small local equivalent DESIGN.md
// allows, with absl's vocabulary (codes, factory names, IsNotFound...) so it reads the same.
#pragma once

#include <cassert>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace vigil {

enum class StatusCode {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message)
      : code_(code), message_(code == StatusCode::kOk ? std::string() : std::move(message)) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "NOT_FOUND: /etc/os-release: no such file" or "OK".
  std::string ToString() const;
  // Explicitly drops a status the caller has decided not to act on.
  void IgnoreError() const {}

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

std::ostream& operator<<(std::ostream& os, const Status& status);

inline Status OkStatus() { return Status(); }
#define VIGIL_STATUS_FACTORY_(Name, Code)                \
  inline Status Name##Error(std::string message) {       \
    return Status(StatusCode::Code, std::move(message)); \
  }                                                      \
  inline bool Is##Name(const Status& s) { return s.code() == StatusCode::Code; }
VIGIL_STATUS_FACTORY_(Cancelled, kCancelled)
VIGIL_STATUS_FACTORY_(Unknown, kUnknown)
VIGIL_STATUS_FACTORY_(InvalidArgument, kInvalidArgument)
VIGIL_STATUS_FACTORY_(DeadlineExceeded, kDeadlineExceeded)
VIGIL_STATUS_FACTORY_(NotFound, kNotFound)
VIGIL_STATUS_FACTORY_(AlreadyExists, kAlreadyExists)
VIGIL_STATUS_FACTORY_(PermissionDenied, kPermissionDenied)
VIGIL_STATUS_FACTORY_(ResourceExhausted, kResourceExhausted)
VIGIL_STATUS_FACTORY_(FailedPrecondition, kFailedPrecondition)
VIGIL_STATUS_FACTORY_(Aborted, kAborted)
VIGIL_STATUS_FACTORY_(OutOfRange, kOutOfRange)
VIGIL_STATUS_FACTORY_(Unimplemented, kUnimplemented)
VIGIL_STATUS_FACTORY_(Internal, kInternal)
VIGIL_STATUS_FACTORY_(Unavailable, kUnavailable)
VIGIL_STATUS_FACTORY_(DataLoss, kDataLoss)
#undef VIGIL_STATUS_FACTORY_

// Prefixes `context` ("file.yaml:12", "layer sha256:ab..") to a non-OK status message,
// keeping its code. Parsers use it so every error names where it happened.
Status Annotate(const Status& status, std::string_view context);

// A value or the Status explaining its absence. Accessing the value of a non-OK StatusOr
// is a programming error (asserted in debug builds).
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(const T& value) : v_(value) {}            // NOLINT: implicit by design, as absl
  StatusOr(T&& value) : v_(std::move(value)) {}      // NOLINT
  StatusOr(Status status) : v_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(v_).ok() && "StatusOr built from an OK Status");
    if (std::get<Status>(v_).ok()) v_ = Status(StatusCode::kInternal, "OK status without value");
  }
  template <typename U, typename = std::enable_if_t<std::is_constructible_v<T, U&&> &&
                                                    !std::is_same_v<std::decay_t<U>, Status> &&
                                                    !std::is_same_v<std::decay_t<U>, StatusOr<T>> &&
                                                    !std::is_same_v<std::decay_t<U>, T>>>
  StatusOr(U&& value) : v_(T(std::forward<U>(value))) {}  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  Status status() const { return ok() ? Status() : std::get<Status>(v_); }

  const T& value() const& { return std::get<T>(v_); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }
  template <typename U>
  T value_or(U&& fallback) const& {
    return ok() ? value() : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  std::variant<Status, T> v_;
};

}  // namespace vigil

#define VIGIL_CONCAT_INNER_(a, b) a##b
#define VIGIL_CONCAT_(a, b) VIGIL_CONCAT_INNER_(a, b)

// Returns from the enclosing function when `expr` (a Status) is not OK.
#define VIGIL_RETURN_IF_ERROR(expr)                \
  do {                                             \
    ::vigil::Status vigil_status_ = (expr);        \
    if (!vigil_status_.ok()) return vigil_status_; \
  } while (0)

#define VIGIL_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()

// `VIGIL_ASSIGN_OR_RETURN(auto x, Fn());` binds the value or returns the error.
#define VIGIL_ASSIGN_OR_RETURN(lhs, expr) \
  VIGIL_ASSIGN_OR_RETURN_IMPL_(VIGIL_CONCAT_(vigil_statusor_, __LINE__), lhs, expr)
