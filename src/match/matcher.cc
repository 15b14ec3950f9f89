#include "match/matcher.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <memory>
#include <numeric>
#include <optional>
#include <set>
#include <unordered_map>
#include <utility>

#include "base/strings.h"
#include "match/npm_range.h"
#include "match/osv_range.h"
#include "match/semver.h"
#include "match/version.h"

namespace vigil::match {
namespace {

using report::Component;
using vulndb::Advisory;
using vulndb::AffectedKind;
using vulndb::Candidate;
using vulndb::DistroStatus;

bool IsOsEcosystem(std::string_view e) { return e == "deb" || e == "apk" || e == "rpm"; }

// "12.4" -> "12"; "" stays "".
std::string Major(std::string_view v) { return std::string(v.substr(0, v.find('.'))); }

// "3.19.1" -> "3.19"; "3" -> "3".
std::string MajorMinor(std::string_view v) {
  size_t first = v.find('.');
  if (first == std::string_view::npos) return std::string(v);
  return std::string(v.substr(0, v.find('.', first + 1)));
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Go toolchain versions as Go prints them ("go1.21.3", "go1.20", "go1.21rc2",
// "go1.22.0 X:boringcrypto") in the SemVer form the Go vulnerability database uses
// ("1.21.3", "1.20.0", "1.21.0-rc.2"). Anything else is returned unchanged, so an odd value
// ("devel +abc") fails validation and is reported instead of guessed.
std::string GoToolchainVersion(std::string_view v) {
  if (!StartsWith(v, "go")) return std::string(v);
  std::string_view rest = v.substr(2);
  rest = rest.substr(0, rest.find(' '));
  std::string_view pre_kind;
  std::string_view pre_num;
  for (std::string_view kind : {"beta", "rc", "alpha"}) {
    size_t at = rest.find(kind);
    if (at != std::string_view::npos) {
      pre_kind = kind;
      pre_num = rest.substr(at + kind.size());
      rest = rest.substr(0, at);
      break;
    }
  }
  std::vector<std::string_view> parts = Split(rest, '.');
  if (parts.empty() || parts.size() > 3) return std::string(v);
  for (std::string_view p : parts) {
    if (!AllDigits(p)) return std::string(v);
  }
  if (!pre_kind.empty() && !AllDigits(pre_num)) return std::string(v);
  std::string out(parts[0]);
  for (size_t i = 1; i < 3; ++i) out += "." + std::string(i < parts.size() ? parts[i] : "0");
  if (!pre_kind.empty()) out += "-" + std::string(pre_kind) + "." + std::string(pre_num);
  return out;
}

// The event kinds of the model and of the range evaluator are the same four.
OsvEventKind ToOsvKind(vulndb::EventKind k) {
  switch (k) {
    case vulndb::EventKind::kIntroduced:
      return OsvEventKind::kIntroduced;
    case vulndb::EventKind::kFixed:
      return OsvEventKind::kFixed;
    case vulndb::EventKind::kLastAffected:
      return OsvEventKind::kLastAffected;
    case vulndb::EventKind::kLimit:
      break;
  }
  return OsvEventKind::kLimit;
}

// GHSA database_specific.last_known_affected_version_range: "<= 1.2.3" or "< 2.0".
StatusOr<OsvEvent> ParseLastKnownAffected(std::string_view text) {
  std::string_view t = Trim(text);
  OsvEvent e{OsvEventKind::kLastAffected, ""};
  if (StartsWith(t, "<=")) {
    t.remove_prefix(2);
  } else if (StartsWith(t, "<")) {
    e.kind = OsvEventKind::kFixed;
    t.remove_prefix(1);
  } else {
    return InvalidArgumentError("last_known_affected_version_range '" + std::string(text) +
                                "': expected '<= V' or '< V'");
  }
  t = Trim(t);
  if (t.empty() || t.find_first_of(" ,<>=") != std::string_view::npos) {
    return InvalidArgumentError("last_known_affected_version_range '" + std::string(text) +
                                "': expected one version after the operator");
  }
  e.version = std::string(t);
  return e;
}

// One OSV range, or one "introduced, closing" interval of it (see AddRange), ready to test
// installed versions.
struct CompiledRange {
  OsvRange range;
  const VersionScheme* scheme;
  // The closing event came from last_known_affected: GitHub knows no patched version, so
  // the bound limits the range but is never reported as a fix.
  bool bound_from_last_known = false;
};

// One candidate (an affected entry of one advisory) prepared once per lookup key.
struct Compiled {
  const Candidate* candidate = nullptr;
  std::vector<CompiledRange> ranges;                         // kOsv
  std::vector<std::unique_ptr<const ParsedVersion>> listed;  // kOsv versions[]
  std::optional<NpmRange> npm;                               // kNpmRange
  std::unique_ptr<const ParsedVersion> distro_fixed;         // kDistro kFixed
  bool usable = true;  // false: nothing of it could be evaluated (warned)
};

// The installed version, parsed at most once per scheme it is tested with.
class Installed {
 public:
  Installed(std::string text, const VersionScheme* scheme) : text_(std::move(text)) {
    primary_ = Load(scheme);
  }
  const std::string& text() const { return text_; }

  // The version parsed by `scheme`, or null (error() says why).
  const ParsedVersion* For(const VersionScheme* scheme) {
    if (scheme == primary_.scheme) return primary_.parsed.get();
    if (!secondary_ || secondary_->scheme != scheme) secondary_ = Load(scheme);
    if (!secondary_->parsed) error_ = secondary_->error;
    return secondary_->parsed.get();
  }
  const SemVer* Npm() {
    if (!npm_tried_) {
      npm_tried_ = true;
      auto v = ParseSemVer(text_, SemVerDialect::kNpm);
      if (v.ok()) {
        npm_ = std::move(*v);
      } else {
        error_ = v.status();
      }
    }
    return npm_ ? &*npm_ : nullptr;
  }
  const Status& error() const { return error_.ok() ? primary_.error : error_; }

 private:
  struct Parsed {
    const VersionScheme* scheme = nullptr;
    std::unique_ptr<const ParsedVersion> parsed;
    Status error;
  };
  Parsed Load(const VersionScheme* scheme) {
    Parsed p;
    p.scheme = scheme;
    // Validate first: some schemes order strings outside their grammar (PyPI legacy
    // versions, apk garbage), and matching must not rest on such a guess.
    p.error = scheme->Validate(text_);
    if (p.error.ok()) {
      auto parsed = scheme->Parse(text_);
      if (parsed.ok()) {
        p.parsed = std::move(*parsed);
      } else {
        p.error = parsed.status();
      }
    }
    return p;
  }

  std::string text_;
  Parsed primary_;
  std::optional<Parsed> secondary_;
  bool npm_tried_ = false;
  std::optional<SemVer> npm_;
  Status error_;
};

// An advisory entry that affects one component.
struct Hit {
  const Compiled* compiled;
  std::string status;
  std::string fixed;
  bool fixed_is_version = true;  // false: an npm range text (NSWG patched_versions)
};

std::string_view DistroStatusToFinding(DistroStatus s) {
  switch (s) {
    case DistroStatus::kFixed:
      return "fixed";
    case DistroStatus::kUnfixed:
      return "affected";
    case DistroStatus::kNoDsa:
    case DistroStatus::kPostponed:
      return "fix_deferred";
    case DistroStatus::kIgnored:
      return "will_not_fix";
    case DistroStatus::kEndOfLife:
      return "end_of_life";
    case DistroStatus::kNotAffected:
      break;
  }
  return "";
}

// Order of statuses when merged advisories disagree and none has a fix: the most actionable
// first.
int StatusRank(std::string_view s) {
  if (s == "affected") return 0;
  if (s == "fix_deferred") return 1;
  if (s == "end_of_life") return 2;
  if (s == "will_not_fix") return 3;
  return 4;
}

std::string DataSourceName(const Candidate& c) {
  if (c.advisory->source == "osv") {
    std::string_view eco = c.affected.ecosystem;
    return "osv:" + std::string(eco.substr(0, eco.find(':')));
  }
  return c.advisory->source;
}

// OSV ranges are published as "introduced, closing" pairs ("0 -> 1.18.6, 1.19.0-0 ->
// 1.19.1"). When a range is made of such pairs, each pair is one interval and the range is
// their union: that keeps the publisher's meaning when pairs overlap or touch out of order
// (PYSEC-2023-72: "0 -> 3.1.1, 3.2.0 -> 3.2.2, 3.1.1 -> 3.2.0"), where a single sweep over
// the sorted events depends on how equal versions are ordered. Any other shape (two
// introduced in a row, a closing event first, a pair that closes at or below its start) is
// evaluated as one sweep, as the OSV schema describes. For well-formed ranges both agree.
template <typename Warn>
void AddRange(const VersionScheme& scheme, std::vector<OsvEvent> events, bool from_last_known,
              std::vector<CompiledRange>* out, const Warn& warn) {
  std::vector<OsvEvent> limits;
  std::vector<std::vector<OsvEvent>> pairs;
  bool paired = true;
  for (const OsvEvent& e : events) {
    if (e.kind == OsvEventKind::kLimit) {
      limits.push_back(e);
    } else if (e.kind == OsvEventKind::kIntroduced) {
      if (!pairs.empty() && pairs.back().size() == 1) paired = false;
      pairs.push_back({e});
    } else if (pairs.empty() || pairs.back().size() != 1) {
      paired = false;
    } else {
      if (pairs.back()[0].version != "0") {
        auto c = scheme.Compare(pairs.back()[0].version, e.version);
        if (!c.ok() || *c >= 0) paired = false;
      }
      pairs.back().push_back(e);
    }
  }
  if (paired && pairs.size() > 1) {
    std::vector<CompiledRange> cut;
    for (std::vector<OsvEvent>& pair : pairs) {
      bool closes = pair.size() == 2;
      pair.insert(pair.end(), limits.begin(), limits.end());
      auto range = OsvRange::Create(scheme, std::move(pair));
      if (!range.ok()) {
        paired = false;
        break;
      }
      cut.push_back({std::move(*range), &scheme, from_last_known && closes});
    }
    if (paired) {
      for (CompiledRange& r : cut) out->push_back(std::move(r));
      return;
    }
  }
  auto range = OsvRange::Create(scheme, std::move(events));
  if (!range.ok()) {
    warn("cannot evaluate range: " + range.status().message() + "; range ignored");
    return;
  }
  out->push_back({std::move(*range), &scheme, from_last_known});
}

// The version that leaves `r` for `v` (which `r` contains): in sorted order the first closing
// event above it; a "fixed" gives its version, a "last_affected" (or none) means no known fix.
std::string FixOf(const CompiledRange& r, const ParsedVersion& v) {
  if (r.bound_from_last_known) return "";
  for (const OsvEvent& e : r.range.events()) {
    if (e.kind != OsvEventKind::kFixed && e.kind != OsvEventKind::kLastAffected) continue;
    auto bound = r.scheme->Parse(e.version);
    if (!bound.ok()) continue;
    int cmp = r.scheme->CompareParsed(**bound, v);
    if (e.kind == OsvEventKind::kLastAffected && cmp >= 0) return "";
    if (e.kind == OsvEventKind::kFixed && cmp > 0) return e.version;
  }
  return "";
}

class Matcher {
 public:
  Matcher(const vulndb::AdvisorySource& db, const MatchOptions& options, MatchResult* result)
      : db_(db), options_(options), result_(result) {}

  Status Run(const report::Sbom& sbom);

 private:
  struct Group {
    std::string ecosystem;
    std::string package;  // the name looked up
    std::vector<const Component*> members;
    std::vector<std::string> versions;  // installed version evaluated, per member
  };

  const VersionScheme* SchemeFor(const std::string& ecosystem);
  std::vector<Compiled> Compile(const Group& group, const std::vector<Candidate>& candidates,
                                const VersionScheme* scheme);
  std::optional<Hit> Evaluate(const Compiled& c, const VersionScheme* scheme, Installed& installed,
                              bool* needed_order);
  Status Emit(const Component& component, const std::string& ecosystem, const VersionScheme* scheme,
              std::vector<Hit>& hits);
  StatusOr<report::Severity> NvdSeverity(const std::string& cve);
  void Warn(std::string w) { result_->warnings.push_back(std::move(w)); }

  const vulndb::AdvisorySource& db_;
  const MatchOptions& options_;
  MatchResult* result_;
  std::map<std::string, const VersionScheme*> schemes_;
  std::unordered_map<std::string, report::Severity> nvd_;
};

const VersionScheme* Matcher::SchemeFor(const std::string& ecosystem) {
  auto it = schemes_.find(ecosystem);
  if (it != schemes_.end()) return it->second;
  auto scheme = SchemeForEcosystem(ecosystem);
  const VersionScheme* s = scheme.ok() ? *scheme : nullptr;
  schemes_.emplace(ecosystem, s);
  return s;
}

// The scheme a SEMVER-typed range is ordered with: the ecosystem's own when it is a SemVer
// dialect (npm, Go, crates.io, pub), else plain SemVer as the OSV schema prescribes.
const VersionScheme* SemVerSchemeFor(const VersionScheme* ecosystem_scheme) {
  std::string_view n = ecosystem_scheme->Name();
  if (n == "npm" || n == "go" || n == "semver" || n == "pub") return ecosystem_scheme;
  static const VersionScheme* const kSemVer = [] {
    for (const VersionScheme* s : AllSchemes()) {
      if (s->Name() == "semver") return s;
    }
    return static_cast<const VersionScheme*>(nullptr);
  }();
  return kSemVer != nullptr ? kSemVer : ecosystem_scheme;
}

std::vector<Compiled> Matcher::Compile(const Group& group, const std::vector<Candidate>& candidates,
                                       const VersionScheme* scheme) {
  std::vector<Compiled> out;
  out.reserve(candidates.size());
  for (const Candidate& cand : candidates) {
    if (cand.advisory == nullptr || cand.advisory->withdrawn) continue;
    const vulndb::Affected& a = cand.affected;
    Compiled c;
    c.candidate = &cand;
    auto warn = [&](const std::string& what) {
      Warn(fmt::format("advisory {} ({} {}): {}", cand.advisory->id, group.ecosystem, group.package,
                       what));
    };
    switch (a.kind) {
      case AffectedKind::kOsv: {
        for (const vulndb::Range& r : a.ranges) {
          const VersionScheme* rs = nullptr;
          if (r.type == "ECOSYSTEM") {
            rs = scheme;
          } else if (r.type == "SEMVER") {
            rs = SemVerSchemeFor(scheme);
          } else {
            warn("range type '" + r.type + "' cannot be evaluated; range ignored");
            continue;
          }
          std::vector<OsvEvent> events;
          bool only_introduced = true;
          for (const vulndb::Event& e : r.events) {
            events.push_back({ToOsvKind(e.kind), e.version});
            if (e.kind != vulndb::EventKind::kIntroduced) only_introduced = false;
          }
          bool from_last_known = false;
          if (only_introduced && !a.last_known_affected.empty()) {
            auto bound = ParseLastKnownAffected(a.last_known_affected);
            if (bound.ok()) {
              events.push_back(*bound);
              from_last_known = true;
            } else {
              warn(bound.status().message() + "; range evaluated as published (open-ended)");
            }
          }
          AddRange(*rs, std::move(events), from_last_known, &c.ranges, warn);
        }
        for (const std::string& v : a.versions) {
          auto parsed = scheme->Parse(v);
          c.listed.push_back(parsed.ok() ? std::move(*parsed) : nullptr);
        }
        if (c.ranges.empty() && a.versions.empty()) c.usable = false;
        break;
      }
      case AffectedKind::kNpmRange: {
        auto range = NpmRange::Parse(a.npm_range);
        if (!range.ok()) {
          warn("cannot evaluate npm range: " + range.status().message());
          c.usable = false;
        } else {
          c.npm = std::move(*range);
        }
        break;
      }
      case AffectedKind::kDistro: {
        if (a.distro_status == DistroStatus::kNotAffected) {
          c.usable = false;
        } else if (a.distro_status == DistroStatus::kFixed) {
          Status valid = scheme->Validate(a.fixed_version);
          auto parsed = valid.ok() ? scheme->Parse(a.fixed_version)
                                   : StatusOr<std::unique_ptr<const ParsedVersion>>(valid);
          if (!parsed.ok()) {
            warn("invalid fixed version: " + parsed.status().message());
            c.usable = false;
          } else {
            c.distro_fixed = std::move(*parsed);
          }
        }
        break;
      }
    }
    if (c.usable) out.push_back(std::move(c));
  }
  return out;
}

std::optional<Hit> Matcher::Evaluate(const Compiled& c, const VersionScheme* scheme,
                                     Installed& installed, bool* needed_order) {
  const vulndb::Affected& a = c.candidate->affected;
  switch (a.kind) {
    case AffectedKind::kOsv: {
      bool affected = false;
      const ParsedVersion* primary = nullptr;
      bool primary_loaded = false;
      for (size_t i = 0; i < a.versions.size() && !affected; ++i) {
        if (a.versions[i] == installed.text()) {
          affected = true;
          break;
        }
        if (c.listed[i] == nullptr) continue;
        if (!primary_loaded) {
          primary = installed.For(scheme);
          primary_loaded = true;
        }
        if (primary != nullptr && scheme->CompareParsed(*primary, *c.listed[i]) == 0) {
          affected = true;
        }
      }
      // The fix: over the ranges holding the version, the highest of their fixes (the one
      // that leaves all of them); a fix that another interval of the entry still holds is
      // followed to that interval's fix.
      std::string fixed;
      for (const CompiledRange& r : c.ranges) {
        const ParsedVersion* v = installed.For(r.scheme);
        if (v == nullptr) {
          *needed_order = true;
          continue;
        }
        if (!r.range.Contains(*v)) continue;
        affected = true;
        std::string f = FixOf(r, *v);
        if (!f.empty() && (fixed.empty() || r.scheme->Compare(f, fixed).value_or(0) > 0)) {
          fixed = std::move(f);
        }
      }
      for (size_t hops = 0; !fixed.empty() && hops < c.ranges.size(); ++hops) {
        bool held = false;
        for (const CompiledRange& r : c.ranges) {
          auto f = r.scheme->Parse(fixed);
          if (!f.ok() || !r.range.Contains(**f)) continue;
          fixed = FixOf(r, **f);
          held = true;
          break;
        }
        if (!held) break;
      }
      if (!affected) {
        if (c.ranges.empty() && !a.versions.empty() && primary_loaded && primary == nullptr) {
          *needed_order = true;
        }
        return std::nullopt;
      }
      return Hit{&c, fixed.empty() ? "affected" : "fixed", fixed, true};
    }
    case AffectedKind::kNpmRange: {
      const SemVer* v = installed.Npm();
      if (v == nullptr) {
        *needed_order = true;
        return std::nullopt;
      }
      if (!c.npm->Contains(*v)) return std::nullopt;
      std::string patched(Trim(a.patched_range));
      if (patched == "<0.0.0" || patched == "<0.0.0-0") patched.clear();
      if (patched.empty()) return Hit{&c, "affected", "", false};
      // The first patched version above the installed one (">=4.17.19" -> 4.17.19), so
      // users see a version to upgrade to; the range text when it names none.
      auto range = NpmRange::Parse(patched);
      std::string first = range.ok() ? range->LowestBoundAbove(*v) : "";
      if (!first.empty()) return Hit{&c, "fixed", first, true};
      return Hit{&c, "fixed", patched, false};
    }
    case AffectedKind::kDistro: {
      if (a.distro_status == DistroStatus::kFixed) {
        const ParsedVersion* v = installed.For(scheme);
        if (v == nullptr) {
          *needed_order = true;
          return std::nullopt;
        }
        if (scheme->CompareParsed(*v, *c.distro_fixed) >= 0) return std::nullopt;
        return Hit{&c, "fixed", a.fixed_version, true};
      }
      std::string_view status = DistroStatusToFinding(a.distro_status);
      if (status.empty()) return std::nullopt;
      return Hit{&c, std::string(status), "", true};
    }
  }
  return std::nullopt;
}

StatusOr<report::Severity> Matcher::NvdSeverity(const std::string& cve) {
  auto it = nvd_.find(cve);
  if (it != nvd_.end()) return it->second;
  report::Severity s = report::Severity::kUnknown;
  auto record = db_.Severity(cve);
  if (record.ok()) {
    s = record->severity;
  } else if (!IsNotFound(record.status())) {
    return Annotate(record.status(), "severity of " + cve);
  }
  nvd_.emplace(cve, s);
  return s;
}

// Merges the hits of one component whose ids or aliases intersect (transitively) and
// appends one finding per merged set.
Status Matcher::Emit(const Component& component, const std::string& ecosystem,
                     const VersionScheme* scheme, std::vector<Hit>& hits) {
  // Deterministic whatever order the source returned candidates in.
  std::sort(hits.begin(), hits.end(), [](const Hit& x, const Hit& y) {
    const Advisory& a = *x.compiled->candidate->advisory;
    const Advisory& b = *y.compiled->candidate->advisory;
    return std::tie(a.id, a.source, x.fixed) < std::tie(b.id, b.source, y.fixed);
  });
  std::vector<size_t> parent(hits.size());
  std::iota(parent.begin(), parent.end(), 0);
  auto find = [&](size_t i) {
    while (parent[i] != i) i = parent[i] = parent[parent[i]];
    return i;
  };
  std::unordered_map<std::string_view, size_t> owner;
  for (size_t i = 0; i < hits.size(); ++i) {
    const Advisory& adv = *hits[i].compiled->candidate->advisory;
    auto join = [&](std::string_view id) {
      auto [it, inserted] = owner.emplace(id, i);
      if (!inserted) {
        size_t a = find(it->second), b = find(i);
        if (a != b) parent[std::max(a, b)] = std::min(a, b);
      }
    };
    join(adv.id);
    for (const std::string& alias : adv.aliases) join(alias);
  }
  std::map<size_t, std::vector<const Hit*>> sets;
  for (size_t i = 0; i < hits.size(); ++i) sets[find(i)].push_back(&hits[i]);

  for (const auto& [root, members] : sets) {
    // Views into the advisories, which outlive the finding's construction.
    std::set<std::string_view> ids;
    std::set<std::string> sources;
    report::Finding f;
    f.kind = report::FindingKind::kVulnerability;
    std::set<std::string_view> seen_refs;
    const Hit* best_fix = nullptr;
    std::vector<std::string_view> statuses;
    for (const Hit* h : members) {
      const Advisory& adv = *h->compiled->candidate->advisory;
      const vulndb::Affected& aff = h->compiled->candidate->affected;
      ids.insert(adv.id);
      ids.insert(adv.aliases.begin(), adv.aliases.end());
      sources.insert(DataSourceName(*h->compiled->candidate));
      if (f.title.empty()) f.title = adv.summary;
      if (f.description.empty()) f.description = adv.details;
      if (f.severity == report::Severity::kUnknown) {
        if (adv.severity != report::Severity::kUnknown) {
          f.severity = adv.severity;
        } else if (!aff.severity.empty()) {
          f.severity = report::ParseSeverity(aff.severity).value_or(report::Severity::kUnknown);
        }
      }
      for (const std::string& ref : adv.references) {
        if (seen_refs.insert(ref).second) f.references.push_back(ref);
      }
      statuses.push_back(h->status);
      if (h->fixed.empty()) continue;
      // The highest fixed version (the one that fixes all merged advisories); versions win
      // over npm range texts, which cannot be ordered.
      if (best_fix == nullptr || (h->fixed_is_version && !best_fix->fixed_is_version) ||
          (h->fixed_is_version && best_fix->fixed_is_version &&
           scheme->Compare(h->fixed, best_fix->fixed).value_or(0) > 0)) {
        best_fix = h;
      }
    }
    ids.erase("");
    std::string_view id;
    for (std::string_view prefix : {"CVE-", "GHSA-", ""}) {
      auto it = std::find_if(ids.begin(), ids.end(),
                             [&](std::string_view s) { return StartsWith(s, prefix); });
      if (it != ids.end()) {
        id = *it;
        break;
      }
    }
    f.id = std::string(id);
    for (std::string_view other : ids) {
      if (other != id) f.aliases.emplace_back(other);
    }
    if (f.severity == report::Severity::kUnknown) {
      for (std::string_view other : ids) {
        if (!StartsWith(other, "CVE-")) continue;
        VIGIL_ASSIGN_OR_RETURN(report::Severity s, NvdSeverity(std::string(other)));
        if (s != report::Severity::kUnknown) {
          f.severity = s;
          break;
        }
      }
    }
    f.data_source = Join(std::vector<std::string>(sources.begin(), sources.end()), ",");
    if (best_fix != nullptr) {
      f.fixed_version = best_fix->fixed;
      f.status = "fixed";
    } else {
      f.status = *std::min_element(
          statuses.begin(), statuses.end(),
          [](std::string_view a, std::string_view b) { return StatusRank(a) < StatusRank(b); });
    }
    if (options_.ignore_unfixed && f.fixed_version.empty()) continue;
    f.package = report::PackageRef{component.name, component.version, ecosystem, component.purl};
    f.location.path = component.location;
    f.location.layer = component.layer;
    result_->findings.push_back(std::move(f));
  }
  return OkStatus();
}

Status Matcher::Run(const report::Sbom& sbom) {
  std::vector<Group> groups;
  std::unordered_map<std::string, size_t> index;
  int os_unmatched = 0;
  std::map<std::string, int> unknown_ecosystems;
  std::vector<std::string> versionless;
  for (const Component& c : sbom.components) {
    bool os = IsOsEcosystem(c.ecosystem);
    if (!os && !c.owner_purl.empty()) {
      ++result_->packages_skipped;
      continue;
    }
    std::string eco = EcosystemFor(c, sbom.os);
    if (eco.empty()) {
      ++result_->packages_skipped;
      if (os) {
        ++os_unmatched;
      } else if (!c.ecosystem.empty()) {
        ++unknown_ecosystems[c.ecosystem];
      }
      continue;
    }
    // Debian and Alpine data name source packages (Alpine: the origin); rpm data (OSV
    // AlmaLinux/Rocky) names binary packages.
    bool by_source = os && c.ecosystem != "rpm";
    std::string name = by_source && !c.source_name.empty() ? c.source_name : c.name;
    std::string version = by_source && !c.source_version.empty() ? c.source_version : c.version;
    if (eco == "Go" && (name == "stdlib" || name == "toolchain")) {
      version = GoToolchainVersion(version);
    }
    if (version.empty()) {
      ++result_->packages_skipped;
      versionless.push_back(c.name);
      continue;
    }
    if (SchemeFor(eco) == nullptr) {
      ++result_->packages_skipped;
      ++unknown_ecosystems[eco];
      continue;
    }
    std::string key = eco;
    key.push_back('\0');
    key += vulndb::NormalizePackageName(eco, name);
    auto [it, inserted] = index.emplace(std::move(key), groups.size());
    if (inserted) groups.push_back(Group{eco, name, {}, {}});
    groups[it->second].members.push_back(&c);
    groups[it->second].versions.push_back(std::move(version));
  }
  if (os_unmatched > 0) {
    std::string os_name(Trim(sbom.os.id + " " + sbom.os.version_id));
    Warn(fmt::format("no vulnerability data for OS '{}': {} OS packages not matched",
                     os_name.empty() ? "unknown" : os_name, os_unmatched));
  }
  for (const auto& [eco, count] : unknown_ecosystems) {
    Warn(fmt::format("no vulnerability data for ecosystem '{}': {} packages not matched", eco,
                     count));
  }
  if (!versionless.empty()) {
    std::string names;
    for (size_t i = 0; i < versionless.size() && i < 5; ++i) {
      names += (i ? ", " : "") + versionless[i];
    }
    if (versionless.size() > 5) names += ", ...";
    Warn(fmt::format("{} packages without a version were not matched: {}", versionless.size(),
                     names));
  }

  for (const Group& g : groups) {
    const VersionScheme* scheme = SchemeFor(g.ecosystem);
    auto candidates = db_.Lookup(g.ecosystem, g.package);
    if (!candidates.ok()) {
      return Annotate(candidates.status(), "looking up " + g.ecosystem + " " + g.package);
    }
    result_->packages_matched += static_cast<int>(g.members.size());
    if (candidates->empty()) continue;
    std::vector<Compiled> compiled = Compile(g, *candidates, scheme);
    if (compiled.empty()) continue;
    for (size_t m = 0; m < g.members.size(); ++m) {
      const Component& c = *g.members[m];
      Installed installed(g.versions[m], scheme);
      std::vector<Hit> hits;
      int unevaluated = 0;
      for (const Compiled& cc : compiled) {
        bool needed_order = false;
        std::optional<Hit> hit = Evaluate(cc, scheme, installed, &needed_order);
        if (hit) {
          hits.push_back(std::move(*hit));
        } else if (needed_order) {
          ++unevaluated;
        }
      }
      if (unevaluated > 0) {
        Warn(fmt::format("{} {} ({}): invalid version, {} advisories not evaluated: {}", c.name,
                         installed.text(), g.ecosystem, unevaluated, installed.error().message()));
      }
      if (!hits.empty()) VIGIL_RETURN_IF_ERROR(Emit(c, g.ecosystem, scheme, hits));
    }
  }
  report::SortFindings(result_->findings);
  return OkStatus();
}

}  // namespace

std::string EcosystemFor(const report::Component& component, const report::OsInfo& os) {
  const std::string& e = component.ecosystem;
  std::string id = ToLower(os.id);
  const std::string& v = os.version_id;
  if (e == "deb") {
    if (v.empty()) return "";
    if (id == "debian") return "Debian:" + Major(v);
    if (id == "ubuntu") return "Ubuntu:" + v;
    return "";
  }
  if (e == "apk") {
    if (id == "alpine") return v.empty() ? "" : "Alpine:v" + MajorMinor(v);
    if (id == "wolfi") return "Wolfi";
    if (id == "chainguard") return "Chainguard";
    return "";
  }
  if (e == "rpm") {
    // Best effort: the OSV ecosystems of the RHEL family by major release. Red Hat's own
    // OSV names carry a product stream ("Red Hat:enterprise_linux:9::appstream") that an
    // image does not reveal; other rpm distributions have no mapping yet.
    if (v.empty()) return "";
    if (id == "rocky") return "Rocky Linux:" + Major(v);
    if (id == "almalinux") return "AlmaLinux:" + Major(v);
    if (id == "rhel") return "Red Hat:" + Major(v);
    return "";
  }
  static const std::pair<std::string_view, std::string_view> kLanguages[] = {
      {"npm", "npm"},
      {"pypi", "PyPI"},
      {"golang", "Go"},
      {"maven", "Maven"},
      {"gem", "RubyGems"},
      {"cargo", "crates.io"},
      {"composer", "Packagist"},
      {"nuget", "NuGet"},
      {"hex", "Hex"},
      {"pub", "Pub"},
      {"cran", "CRAN"},
      {"hackage", "Hackage"},
      {"swift", "SwiftURL"},
  };
  for (const auto& [sbom_name, osv_name] : kLanguages) {
    if (e == sbom_name) return std::string(osv_name);
  }
  return "";
}

StatusOr<MatchResult> MatchSbom(const report::Sbom& sbom, const vulndb::AdvisorySource& db,
                                const MatchOptions& options) {
  MatchResult result;
  Matcher matcher(db, options, &result);
  VIGIL_RETURN_IF_ERROR(matcher.Run(sbom));
  return result;
}

}  // namespace vigil::match
