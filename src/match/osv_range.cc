#include "match/osv_range.h"

#include <algorithm>
#include <utility>

namespace vigil::match {
namespace {

bool IsZeroIntroduced(const OsvEvent& e) {
  return e.kind == OsvEventKind::kIntroduced && e.version == "0";
}

std::string_view KindName(OsvEventKind k) {
  switch (k) {
    case OsvEventKind::kIntroduced:
      return "introduced";
    case OsvEventKind::kFixed:
      return "fixed";
    case OsvEventKind::kLastAffected:
      return "last_affected";
    case OsvEventKind::kLimit:
      break;
  }
  return "limit";
}

}  // namespace

StatusOr<OsvRange> OsvRange::Create(const VersionScheme& scheme, std::vector<OsvEvent> events) {
  if (events.empty()) return InvalidArgumentError("OSV range has no events");
  bool introduced = false;
  for (const OsvEvent& e : events) {
    if (e.kind == OsvEventKind::kIntroduced) introduced = true;
    if (IsZeroIntroduced(e) || (e.kind == OsvEventKind::kLimit && e.version == "*")) continue;
    Status s = scheme.Validate(e.version);
    if (!s.ok())
      return Annotate(s, std::string("OSV range event ") + std::string(KindName(e.kind)));
  }
  if (!introduced) return InvalidArgumentError("OSV range has no \"introduced\" event");
  std::vector<OsvEvent> limits;
  std::vector<OsvEvent> ordered;
  for (OsvEvent& e : events) {
    (e.kind == OsvEventKind::kLimit ? limits : ordered).push_back(std::move(e));
  }
  // Version order; "introduced: 0" first; at equal versions "introduced" before the events
  // that close a range, so "introduced X, fixed X" affects nothing.
  auto less = [&scheme](const OsvEvent& a, const OsvEvent& b) {
    bool za = IsZeroIntroduced(a), zb = IsZeroIntroduced(b);
    if (za || zb) return za && !zb;
    int c = scheme.Compare(a.version, b.version).value_or(0);
    if (c != 0) return c < 0;
    return a.kind == OsvEventKind::kIntroduced && b.kind != OsvEventKind::kIntroduced;
  };
  std::stable_sort(ordered.begin(), ordered.end(), less);
  ordered.insert(ordered.end(), std::make_move_iterator(limits.begin()),
                 std::make_move_iterator(limits.end()));
  std::vector<std::shared_ptr<const ParsedVersion>> parsed;
  for (const OsvEvent& e : ordered) {
    if (IsZeroIntroduced(e) || (e.kind == OsvEventKind::kLimit && e.version == "*")) {
      parsed.emplace_back();
      continue;
    }
    VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<const ParsedVersion> p, scheme.Parse(e.version));
    parsed.emplace_back(std::move(p));
  }
  return OsvRange(&scheme, std::move(ordered), std::move(parsed));
}

StatusOr<bool> OsvRange::Contains(std::string_view version) const {
  VIGIL_RETURN_IF_ERROR(scheme_->Validate(version));
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<const ParsedVersion> v, scheme_->Parse(version));
  return Contains(*v);
}

bool OsvRange::Contains(const ParsedVersion& version) const {
  bool affected = false;
  bool has_limit = false;
  bool below_limit = false;
  for (size_t i = 0; i < events_.size(); ++i) {
    const OsvEvent& e = events_[i];
    const ParsedVersion* bound = parsed_[i].get();
    if (e.kind == OsvEventKind::kLimit) {
      has_limit = true;
      if (bound == nullptr || scheme_->CompareParsed(version, *bound) < 0) below_limit = true;
      continue;
    }
    if (bound == nullptr) {  // introduced: 0
      affected = true;
      continue;
    }
    int c = scheme_->CompareParsed(version, *bound);
    switch (e.kind) {
      case OsvEventKind::kIntroduced:
        if (c >= 0) affected = true;
        break;
      case OsvEventKind::kFixed:
        if (c >= 0) affected = false;
        break;
      case OsvEventKind::kLastAffected:
        if (c > 0) affected = false;
        break;
      case OsvEventKind::kLimit:
        break;
    }
  }
  return affected && (!has_limit || below_limit);
}

StatusOr<bool> Satisfies(const VersionScheme& scheme, std::string_view version,
                         const std::vector<OsvEvent>& events) {
  VIGIL_ASSIGN_OR_RETURN(OsvRange range, OsvRange::Create(scheme, events));
  return range.Contains(version);
}

}  // namespace vigil::match
