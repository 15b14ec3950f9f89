// Debian security tracker importers: the DSA/DLA list text (data/DSA/list, data/DLA/list)
// and the tracker's JSON export (security-tracker.debian.org/tracker/data/json).
//
// List format (one entry per advisory, continuation lines indented by a tab or spaces):
//   [29 Mar 2023] DSA-5380-1 xorg-server - security update
//   	{CVE-2023-1393}
//   	[bullseye] - xorg-server 2:1.20.11-1+deb11u6
//   	[buster] - foo <not-affected> (vulnerable code not present)
//   	NOTE: free text
// Oddities of the real files handled here: ids without a revision before 2007 ("DSA-137"),
// headers without " - text" ("DSA-1260 imagemagick") or without a package ("DSA-1727-1  -
// SQL injection"), several packages in one header, entries with no release line
// (announcements), doubled spaces, release lines with notes "(bug #1234; medium)" whose
// urgency word is kept as Affected::severity, and NOTE: lines (which may quote release-line
// syntax and are never parsed as release lines).
#include <algorithm>
#include <cctype>
#include <charconv>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/strings.h"
#include "nlohmann/json.hpp"
#include "vulndb/import_formats.h"
#include "vulndb/import_util.h"

namespace vigil::vulndb::internal {
namespace {

using nlohmann::json;

std::string Where(std::string_view path, size_t line) {
  return std::string(path) + ":" + std::to_string(line);
}

// Splits on runs of spaces and tabs.
std::vector<std::string_view> Words(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Tracker urgency → the per-package severity the matcher shows: "unimportant", "low",
// "low*", "low**" → "low"; "medium*" → "medium"; "high**" → "high"; anything else
// ("not yet assigned", "end-of-life") → "".
std::string UrgencySeverity(std::string_view urgency) {
  std::string u = ToLower(Trim(urgency));
  if (u == "unimportant" || StartsWith(u, "low")) return "low";
  if (StartsWith(u, "medium")) return "medium";
  if (StartsWith(u, "high")) return "high";
  return "";
}

// "29 Mar 2023" → "2023-03-29"; "" when it is not that shape.
std::string ListDate(std::string_view s) {
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::vector<std::string_view> parts = Words(s);
  if (parts.size() != 3) return "";
  std::string_view day = parts[0], mon = parts[1], year = parts[2];
  if (!AllDigits(day) || day.size() > 2 || !AllDigits(year) || year.size() != 4) return "";
  int m = 0;
  for (int i = 0; i < 12; ++i) {
    if (mon == kMonths[i]) m = i + 1;
  }
  if (m == 0) return "";
  int d = 0;
  std::from_chars(day.data(), day.data() + day.size(), d);
  if (d < 1 || d > 31) return "";
  std::string out(year);
  out += m < 10 ? "-0" : "-";
  out += std::to_string(m);
  out += d < 10 ? "-0" : "-";
  out += std::to_string(d);
  return out;
}

// "DSA-5380-1", "DLA-3380-1" or the revision-less "DSA-137" of 2002-2007.
bool IsListId(std::string_view id) {
  if (!StartsWith(id, "DSA-") && !StartsWith(id, "DLA-")) return false;
  std::vector<std::string_view> parts = Split(id.substr(4), '-');
  if (parts.size() > 2) return false;
  for (std::string_view p : parts) {
    if (!AllDigits(p)) return false;
  }
  return true;
}

// Parses one header line into `adv`; false when it is not `[dd Mon yyyy] ID rest`.
bool ParseHeader(std::string_view line, Advisory& adv) {
  size_t close = line.find(']');
  if (line.empty() || line[0] != '[' || close == std::string_view::npos) return false;
  std::string date = ListDate(line.substr(1, close - 1));
  if (date.empty()) return false;
  std::string_view rest = Trim(line.substr(close + 1));
  size_t sp = rest.find_first_of(" \t");
  std::string_view id = rest.substr(0, sp);
  if (!IsListId(id)) return false;
  rest = sp == std::string_view::npos ? std::string_view() : Trim(rest.substr(sp));
  adv = Advisory();
  adv.source = StartsWith(id, "DSA-") ? "debian-dsa" : "debian-dla";
  adv.id = std::string(id);
  adv.published = date;
  // "pkg [pkg...] - text": the summary is the text; the packages (which the release lines
  // name again) go to details. Without " - " the whole rest is the summary.
  size_t dash = rest.find(" - ");
  if (StartsWith(rest, "- ")) {
    adv.summary = TruncateUtf8(Trim(rest.substr(2)), kMaxText);
  } else if (dash != std::string_view::npos) {
    adv.summary = TruncateUtf8(Trim(rest.substr(dash + 3)), kMaxText);
    adv.details = "packages: " + std::string(Trim(rest.substr(0, dash)));
  } else if (size_t dd = rest.find(" -- "); dd != std::string_view::npos) {
    adv.summary = TruncateUtf8(Trim(rest.substr(dd + 4)), kMaxText);
    adv.details = "packages: " + std::string(Trim(rest.substr(0, dd)));
  } else {
    adv.summary = TruncateUtf8(rest, kMaxText);
  }
  return true;
}

bool ParseState(std::string_view token, DistroStatus& status) {
  static constexpr std::pair<std::string_view, DistroStatus> kStates[] = {
      {"<not-affected>", DistroStatus::kNotAffected}, {"<end-of-life>", DistroStatus::kEndOfLife},
      {"<unfixed>", DistroStatus::kUnfixed},          {"<no-dsa>", DistroStatus::kNoDsa},
      {"<ignored>", DistroStatus::kIgnored},          {"<postponed>", DistroStatus::kPostponed},
  };
  for (const auto& [name, st] : kStates) {
    if (token == name) {
      status = st;
      return true;
    }
  }
  return false;
}

// `[codename] - pkg version|<state> [(notes)]` → Affected. On failure returns the reason.
std::string ParseReleaseLine(std::string_view line, Affected& out) {
  size_t close = line.find(']');
  if (close == std::string_view::npos) return "release line without ']'";
  std::string_view codename = Trim(line.substr(1, close - 1));
  std::string_view rest = Trim(line.substr(close + 1));
  std::string_view notes;
  if (size_t paren = rest.find('('); paren != std::string_view::npos) {
    notes = rest.substr(paren);
    rest = Trim(rest.substr(0, paren));
  }
  std::vector<std::string_view> words = Words(rest);
  if (words.size() != 3 || words[0] != "-") {
    return "release line is not `[release] - package version|<state>`";
  }
  std::string_view number = DebianReleaseNumber(codename);
  if (number.empty()) return "unknown Debian release '" + std::string(codename) + "'";
  out = Affected();
  out.ecosystem = CanonicalEcosystem("Debian:" + std::string(number));
  out.package = std::string(words[1]);
  out.kind = AffectedKind::kDistro;
  std::string_view value = words[2];
  if (value[0] == '<') {
    if (!ParseState(value, out.distro_status)) return "unknown state " + std::string(value);
  } else if (std::isalnum(static_cast<unsigned char>(value[0]))) {
    out.distro_status = DistroStatus::kFixed;
    out.fixed_version = std::string(value);
  } else {
    return "bad version '" + std::string(value) + "'";
  }
  // Notes are "(reason)" or "(bug #123; medium)": an urgency word among them is kept.
  if (!notes.empty()) {
    std::string_view inner = notes.substr(1);
    if (!inner.empty() && inner.back() == ')') inner.remove_suffix(1);
    for (std::string_view part : Split(inner, ';', true)) {
      std::string_view p = Trim(part);
      if (p == "unimportant" || p == "low" || p == "medium" || p == "high") {
        out.severity = UrgencySeverity(p);
      }
    }
  }
  return "";
}

}  // namespace

std::string_view DebianReleaseNumber(std::string_view codename) {
  static constexpr std::pair<std::string_view, std::string_view> kReleases[] = {
      {"buzz", "1.1"},    {"rex", "1.2"},     {"bo", "1.3"},    {"hamm", "2.0"},  {"slink", "2.1"},
      {"potato", "2.2"},  {"woody", "3.0"},   {"sarge", "3.1"}, {"etch", "4"},    {"lenny", "5"},
      {"squeeze", "6"},   {"wheezy", "7"},    {"jessie", "8"},  {"stretch", "9"}, {"buster", "10"},
      {"bullseye", "11"}, {"bookworm", "12"}, {"trixie", "13"}, {"forky", "14"},
  };
  for (const auto& [name, number] : kReleases) {
    if (codename == name) return number;
  }
  return "";
}

Status ImportDebianAdvisoryList(std::string_view path, std::string_view text, AdvisorySink& sink,
                                ImportStats& stats) {
  const int64_t skipped_before = stats.skipped;
  const size_t warnings_before = stats.warnings.size();
  Advisory cur;
  bool have = false;        // `cur` holds an entry not yet emitted
  bool in_skipped = false;  // continuation lines of a skipped entry are skipped with it
  bool saw_entry = false;
  auto flush = [&]() -> Status {
    if (!have) return OkStatus();
    have = false;
    ++stats.advisories;
    return sink.Add(std::move(cur));
  };
  if (StartsWith(text, "\xEF\xBB\xBF")) text.remove_prefix(3);  // UTF-8 byte order mark
  size_t lineno = 0;
  for (std::string_view raw : SplitLines(text)) {
    ++lineno;
    std::string_view line = Trim(raw);
    if (line.empty()) continue;
    bool indented = raw[0] == ' ' || raw[0] == '\t';
    if (!indented && raw[0] == '[') {
      VIGIL_RETURN_IF_ERROR(flush());
      Advisory next;
      if (!ParseHeader(line, next)) {
        SkipRecord(stats,
                   Where(path, lineno) + ": unparsable entry header: " + TruncateUtf8(line, 120));
        in_skipped = true;
        continue;
      }
      cur = std::move(next);
      have = true;
      in_skipped = false;
      saw_entry = true;
      continue;
    }
    if (!indented) {
      SkipRecord(stats,
                 Where(path, lineno) + ": unexpected unindented line: " + TruncateUtf8(line, 120));
      continue;
    }
    if (in_skipped) continue;
    if (StartsWith(line, "NOTE:")) continue;
    if (!have) {
      SkipRecord(stats,
                 Where(path, lineno) + ": line before any entry: " + TruncateUtf8(line, 120));
      continue;
    }
    if (line[0] == '{') {
      if (line.back() != '}') {
        SkipRecord(stats, Where(path, lineno) + ": unterminated {...} id list");
        continue;
      }
      for (std::string_view id : Words(line.substr(1, line.size() - 2))) {
        bool dup = false;
        for (const std::string& a : cur.aliases) dup = dup || a == id;
        if (!dup) cur.aliases.emplace_back(id);
      }
      continue;
    }
    if (line[0] == '[') {
      Affected aff;
      std::string err = ParseReleaseLine(line, aff);
      if (!err.empty()) {
        SkipRecord(stats, Where(path, lineno) + ": " + cur.id + ": " + err);
        continue;
      }
      cur.affected.push_back(std::move(aff));
      continue;
    }
    SkipRecord(stats, Where(path, lineno) + ": unrecognised line: " + TruncateUtf8(line, 120));
  }
  VIGIL_RETURN_IF_ERROR(flush());
  if (!saw_entry) {
    // Not this format at all: one error for the file instead of a warning per line.
    stats.skipped = skipped_before;
    stats.warnings.resize(std::min(stats.warnings.size(), warnings_before));
    return InvalidArgumentError(std::string(path) + ": no `[dd Mon yyyy] DSA-/DLA-` entries");
  }
  return OkStatus();
}

Status ImportDebianTrackerJson(std::string_view path, std::string_view text, AdvisorySink& sink,
                               ImportStats& stats) {
  json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return InvalidArgumentError(std::string(path) + ": invalid JSON");
  }
  if (!doc.is_object()) {
    return InvalidArgumentError(std::string(path) + ": tracker JSON must be an object");
  }
  // One advisory per vulnerability id across packages, in first-seen order.
  std::vector<Advisory> advisories;
  std::unordered_map<std::string, size_t> index;
  for (const auto& [pkg, vulns] : doc.items()) {
    std::string field = std::string(path) + ": \"" + pkg + "\"";
    if (!vulns.is_object()) {
      SkipRecord(stats, field + ": package value is not an object");
      continue;
    }
    for (const auto& [id, vuln] : vulns.items()) {
      std::string vfield = field + "." + id;
      if (!vuln.is_object() || id.empty()) {
        SkipRecord(stats, vfield + ": entry is not an object");
        continue;
      }
      auto [it, inserted] = index.emplace(id, advisories.size());
      if (inserted) {
        Advisory adv;
        adv.source = "debian-tracker";
        adv.id = id;
        advisories.push_back(std::move(adv));
      }
      Advisory& adv = advisories[it->second];
      if (adv.summary.empty())
        adv.summary = TruncateUtf8(JsonString(vuln, "description"), kMaxText);
      auto rel_it = vuln.find("releases");
      if (rel_it == vuln.end()) continue;
      if (!rel_it->is_object()) {
        SkipRecord(stats, vfield + ".releases: not an object");
        continue;
      }
      for (const auto& [codename, rel] : rel_it->items()) {
        std::string rfield = vfield + ".releases." + codename;
        std::string_view number = DebianReleaseNumber(codename);
        if (number.empty()) {
          SkipRecord(stats, rfield + ": release has no Debian version number (skipped)");
          continue;
        }
        if (!rel.is_object()) {
          SkipRecord(stats, rfield + ": not an object");
          continue;
        }
        Affected aff;
        aff.ecosystem = CanonicalEcosystem("Debian:" + std::string(number));
        aff.package = pkg;
        aff.kind = AffectedKind::kDistro;
        std::string urgency = JsonString(rel, "urgency");
        aff.severity = UrgencySeverity(urgency);
        std::string status = JsonString(rel, "status");
        std::string fixed = JsonString(rel, "fixed_version");
        if (status == "resolved") {
          if (fixed.empty()) {
            SkipRecord(stats, rfield + ": resolved without fixed_version");
            continue;
          }
          if (fixed == "0") {
            aff.distro_status = DistroStatus::kNotAffected;
          } else {
            aff.distro_status = DistroStatus::kFixed;
            aff.fixed_version = fixed;
          }
        } else if (status == "open") {
          // The tracker exports <no-dsa>, <ignored> and <postponed> as `nodsa` (the reason
          // text) plus `nodsa_reason` ("", "ignored", "postponed"); <end-of-life> as urgency.
          std::string reason = JsonString(rel, "nodsa_reason");
          auto nodsa_it = rel.find("nodsa");
          bool nodsa = nodsa_it != rel.end() && !nodsa_it->is_null();
          if (urgency == "end-of-life") {
            aff.distro_status = DistroStatus::kEndOfLife;
          } else if (reason == "ignored") {
            aff.distro_status = DistroStatus::kIgnored;
          } else if (reason == "postponed") {
            aff.distro_status = DistroStatus::kPostponed;
          } else if (nodsa) {
            aff.distro_status = DistroStatus::kNoDsa;
          } else {
            aff.distro_status = DistroStatus::kUnfixed;
          }
        } else if (status == "undetermined") {
          aff.distro_status = DistroStatus::kUnfixed;
        } else {
          SkipRecord(stats, rfield + ": unknown status '" + TruncateUtf8(status, 40) + "'");
          continue;
        }
        adv.affected.push_back(std::move(aff));
      }
    }
  }
  for (Advisory& adv : advisories) {
    ++stats.advisories;
    VIGIL_RETURN_IF_ERROR(sink.Add(std::move(adv)));
  }
  return OkStatus();
}

}  // namespace vigil::vulndb::internal
