// Evaluation of OSV `affected[].ranges[]` of type ECOSYSTEM or SEMVER
// (https://ossf.github.io/osv-schema/#evaluation) with a VersionScheme. GIT ranges name
// commits, not versions, and are not evaluated here.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "match/version.h"

namespace vigil::match {

enum class OsvEventKind { kIntroduced, kFixed, kLastAffected, kLimit };

struct OsvEvent {
  OsvEventKind kind;
  std::string version;  // "0" for introduced means "since the first version"; "*" for limit
};

// An immutable, pre-sorted range: build once per advisory range, test many versions.
// Thread-safe for concurrent Contains() calls; keeps a pointer to the (static) scheme.
class OsvRange {
 public:
  // Validates every event version with the scheme and orders the events. Fails on an invalid
  // version, an empty event list, or a range without any "introduced" event.
  static StatusOr<OsvRange> Create(const VersionScheme& scheme, std::vector<OsvEvent> events);

  // True if `version` is affected: walking the events in version order, "introduced" at or
  // below it switches affected on, "fixed" at or below it and "last_affected" below it
  // switch it off; with "limit" events it must also be below one of them.
  StatusOr<bool> Contains(std::string_view version) const;
  // Same for a version parsed by the range's scheme (parse once, test against many ranges).
  bool Contains(const ParsedVersion& version) const;

  const std::vector<OsvEvent>& events() const { return events_; }

 private:
  OsvRange(const VersionScheme* scheme, std::vector<OsvEvent> events,
           std::vector<std::shared_ptr<const ParsedVersion>> parsed)
      : scheme_(scheme), events_(std::move(events)), parsed_(std::move(parsed)) {}

  const VersionScheme* scheme_;
  std::vector<OsvEvent> events_;  // sorted; limits kept at the end
  // parsed_[i] is events_[i].version parsed, or null for "introduced: 0" and "limit: *".
  std::vector<std::shared_ptr<const ParsedVersion>> parsed_;
};

// One-shot form of OsvRange::Create(...).Contains(version).
StatusOr<bool> Satisfies(const VersionScheme& scheme, std::string_view version,
                         const std::vector<OsvEvent>& events);

}  // namespace vigil::match
