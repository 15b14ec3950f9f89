#include "report/ignore.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <optional>

#include "base/fs.h"
#include "base/strings.h"
#include "fmt/format.h"
#include "report/internal.h"
#include "report/vex.h"

namespace vigil::report {
namespace {

using TimePoint = std::chrono::system_clock::time_point;

// Ignore files are written by people; anything larger is not one.
constexpr uint64_t kMaxIgnoreFileBytes = 4 << 20;
constexpr size_t kMaxPatternBytes = 4096;

// "YYYY-MM-DD" as 00:00 UTC of that day.
std::optional<TimePoint> ParseDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  int v[3] = {0, 0, 0};
  size_t starts[3] = {0, 5, 8}, lens[3] = {4, 2, 2};
  for (int k = 0; k < 3; ++k) {
    for (size_t i = starts[k]; i < starts[k] + lens[k]; ++i) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      v[k] = v[k] * 10 + (s[i] - '0');
    }
  }
  std::chrono::year_month_day ymd{std::chrono::year(v[0]),
                                  std::chrono::month(static_cast<unsigned>(v[1])),
                                  std::chrono::day(static_cast<unsigned>(v[2]))};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days(ymd);
}

std::string ExpiredWarning(const std::string& origin, const std::string& id,
                           std::string_view when) {
  return fmt::format("{}: ignore entry {} expired on {}; it no longer applies", origin, id, when);
}

bool IsYamlName(std::string_view path) {
  std::string lower = ToLower(path);
  return EndsWith(lower, ".yaml") || EndsWith(lower, ".yml");
}

bool IdMatches(const std::string& id, const Finding& f) {
  if (id == f.id) return true;
  return std::find(f.aliases.begin(), f.aliases.end(), id) != f.aliases.end();
}

bool PathMatches(const IgnoreEntry& e, const Finding& f) {
  if (e.paths.empty()) return true;
  std::string_view path = f.location.path;
  while (StartsWith(path, "/")) path.remove_prefix(1);
  for (const std::string& pattern : e.paths) {
    std::string_view p = pattern;
    while (StartsWith(p, "/")) p.remove_prefix(1);
    if (GlobMatch(p, path)) return true;
  }
  return false;
}

bool ResourceMatches(const IgnoreEntry& e, const Finding& f) {
  if (e.resources.empty()) return true;
  for (const std::string& pattern : e.resources) {
    if (GlobMatch(pattern, f.location.resource)) return true;
  }
  return false;
}

bool PurlMatchesEntry(const IgnoreEntry& e, const Finding& f) {
  if (e.purls.empty()) return true;
  if (!f.package || f.package->purl.empty()) return false;
  auto purl = ParsePurl(f.package->purl);
  if (!purl.ok()) return false;
  for (const std::string& text : e.purls) {
    auto pattern = ParsePurl(text);
    if (pattern.ok() && PurlMatches(*pattern, *purl)) return true;
  }
  return false;
}

// --- YAML form -----------------------------------------------------------------------

struct YamlContext {
  std::string file;
  TimePoint now;
  IgnoreRules* out;
};

std::string Where(const YamlContext& ctx, const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.line < 0) return ctx.file;
  return fmt::format("{}:{}", ctx.file, mark.line + 1);
}

Status YamlError(const YamlContext& ctx, const YAML::Node& node, std::string_view what) {
  return InvalidArgumentError(fmt::format("{}: {}", Where(ctx, node), what));
}

StatusOr<std::string> ScalarField(const YamlContext& ctx, const YAML::Node& node,
                                  std::string_view field) {
  if (!node.IsScalar()) {
    return YamlError(ctx, node, fmt::format("{}: want a string", field));
  }
  return node.Scalar();
}

StatusOr<std::vector<std::string>> StringList(const YamlContext& ctx, const YAML::Node& node,
                                              std::string_view field) {
  std::vector<std::string> out;
  if (node.IsNull()) return out;
  if (node.IsScalar()) {
    out.push_back(node.Scalar());
    return out;
  }
  if (!node.IsSequence()) return YamlError(ctx, node, fmt::format("{}: want a list", field));
  size_t i = 0;
  for (const YAML::Node& item : node) {
    VIGIL_ASSIGN_OR_RETURN(std::string s,
                           ScalarField(ctx, item, fmt::format("{}[{}]", field, i++)));
    out.push_back(std::move(s));
  }
  return out;
}

Status ParseYamlSection(const YamlContext& ctx, const std::string& section, const YAML::Node& list,
                        std::vector<FindingKind> kinds) {
  if (list.IsNull()) return OkStatus();
  if (!list.IsSequence()) return YamlError(ctx, list, section + ": want a list of entries");
  size_t index = 0;
  for (const YAML::Node& item : list) {
    std::string field = fmt::format("{}[{}]", section, index++);
    if (!item.IsMap()) return YamlError(ctx, item, field + ": want a mapping with an id");
    IgnoreEntry e;
    e.kinds = kinds;
    e.origin = Where(ctx, item);
    std::optional<TimePoint> expires;
    std::string expires_text;
    for (const auto& kv : item) {
      if (!kv.first.IsScalar()) return YamlError(ctx, kv.first, field + ": keys must be strings");
      const std::string key = kv.first.Scalar();
      const std::string sub = field + "." + key;
      if (key == "id") {
        VIGIL_ASSIGN_OR_RETURN(e.id, ScalarField(ctx, kv.second, sub));
      } else if (key == "paths") {
        VIGIL_ASSIGN_OR_RETURN(e.paths, StringList(ctx, kv.second, sub));
        for (const std::string& p : e.paths) {
          if (p.size() > kMaxPatternBytes) return YamlError(ctx, kv.second, sub + ": too long");
        }
      } else if (key == "purls") {
        VIGIL_ASSIGN_OR_RETURN(e.purls, StringList(ctx, kv.second, sub));
        for (const std::string& p : e.purls) {
          if (auto parsed = ParsePurl(p); !parsed.ok()) {
            return YamlError(ctx, kv.second, sub + ": " + parsed.status().message());
          }
        }
      } else if (key == "resources" && section == "misconfigurations") {
        VIGIL_ASSIGN_OR_RETURN(e.resources, StringList(ctx, kv.second, sub));
        for (const std::string& r : e.resources) {
          if (r.size() > kMaxPatternBytes) return YamlError(ctx, kv.second, sub + ": too long");
          if (r.empty()) return YamlError(ctx, kv.second, sub + ": empty pattern");
        }
      } else if (key == "statement") {
        VIGIL_ASSIGN_OR_RETURN(e.statement, ScalarField(ctx, kv.second, sub));
      } else if (key == "expired_at") {
        VIGIL_ASSIGN_OR_RETURN(expires_text, ScalarField(ctx, kv.second, sub));
        expires = ParseDate(expires_text);
        if (!expires) {
          auto t = internal::ParseRfc3339(expires_text);
          if (!t.ok()) {
            return YamlError(ctx, kv.second,
                             fmt::format("{}: '{}' is not a date (want YYYY-MM-DD or RFC 3339)",
                                         sub, expires_text));
          }
          expires = *t;
        }
      } else {
        return YamlError(ctx, kv.first,
                         fmt::format("{}: unknown field (want id, paths, purls, {}expired_at, "
                                     "statement)",
                                     sub, section == "misconfigurations" ? "resources, " : ""));
      }
    }
    if (Trim(e.id).empty()) return YamlError(ctx, item, field + ".id: missing");
    e.id = std::string(Trim(e.id));
    if (expires && *expires <= ctx.now) {
      ctx.out->warnings.push_back(ExpiredWarning(e.origin, e.id, expires_text));
      continue;
    }
    ctx.out->entries.push_back(std::move(e));
  }
  return OkStatus();
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view path) {
  // Dynamic programming over (pattern position, path position): linear in their product,
  // whatever the pattern, so hostile paths or patterns cannot make it backtrack
  // exponentially. reach[j] = the pattern prefix consumed so far matches path[0, j).
  const size_t n = path.size();
  std::vector<char> reach(n + 1, 0), next(n + 1, 0);
  reach[0] = 1;
  size_t i = 0;
  while (i < pattern.size()) {
    std::fill(next.begin(), next.end(), 0);
    if (pattern.compare(i, 2, "**") == 0) {
      bool slash = i + 2 < pattern.size() && pattern[i + 2] == '/';
      // "**/" matches nothing or any run ending in '/'; "**" alone matches anything.
      bool any = false;
      for (size_t j = 0; j <= n; ++j) {
        if (slash) {
          if (reach[j]) next[j] = 1;
          if (any && j > 0 && path[j - 1] == '/') next[j] = 1;
        } else if (any || reach[j]) {
          next[j] = 1;
        }
        any = any || reach[j];
      }
      i += slash ? 3 : 2;
    } else if (pattern[i] == '*') {
      bool any = false;
      for (size_t j = 0; j <= n; ++j) {
        if (j > 0 && path[j - 1] == '/') any = false;
        any = any || reach[j];
        if (any) next[j] = 1;
      }
      ++i;
    } else {
      char c = pattern[i];
      for (size_t j = 0; j < n; ++j) {
        if (reach[j] && (c == '?' ? path[j] != '/' : path[j] == c)) next[j + 1] = 1;
      }
      ++i;
    }
    reach.swap(next);
  }
  return reach[n] != 0;
}

StatusOr<IgnoreRules> ParseTrivyIgnore(std::string_view text, std::string_view file,
                                       TimePoint now) {
  IgnoreRules out;
  int line_no = 0;
  for (std::string_view raw : SplitLines(text)) {
    ++line_no;
    std::string_view line = Trim(raw);
    if (line.empty() || line[0] == '#') continue;
    std::string origin = fmt::format("{}:{}", file, line_no);
    std::vector<std::string_view> fields;
    for (std::string_view f : Split(line, ' ', true)) {
      for (std::string_view g : Split(f, '\t', true)) fields.push_back(g);
    }
    IgnoreEntry e;
    e.id = std::string(fields[0]);
    e.origin = origin;
    std::optional<TimePoint> expires;
    std::string expires_text;
    for (size_t k = 1; k < fields.size(); ++k) {
      std::string_view f = fields[k];
      if (f[0] == '#') break;  // trailing comment
      if (StartsWith(f, "exp:")) {
        expires_text = std::string(f.substr(4));
        expires = ParseDate(expires_text);
        if (!expires) {
          return InvalidArgumentError(
              fmt::format("{}: '{}' is not a valid expiry (want exp:YYYY-MM-DD)", origin, f));
        }
      } else {
        out.warnings.push_back(fmt::format(
            "{}: ignoring '{}' after the id (only exp:YYYY-MM-DD or a # comment may follow)",
            origin, f));
      }
    }
    if (expires && *expires <= now) {
      out.warnings.push_back(ExpiredWarning(origin, e.id, expires_text));
      continue;
    }
    out.entries.push_back(std::move(e));
  }
  return out;
}

StatusOr<IgnoreRules> ParseTrivyIgnoreYaml(std::string_view text, std::string_view file,
                                           TimePoint now) {
  IgnoreRules out;
  YamlContext ctx{std::string(file), now, &out};
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError(
        fmt::format("{}:{}: invalid YAML: {}", file, e.mark.line + 1, e.msg));
  } catch (const std::exception& e) {
    return InvalidArgumentError(fmt::format("{}: invalid YAML: {}", file, e.what()));
  }
  try {
    if (root.IsNull()) return out;
    if (!root.IsMap()) {
      return YamlError(ctx, root,
                       "want a mapping with vulnerabilities, misconfigurations, secrets lists");
    }
    for (const auto& kv : root) {
      if (!kv.first.IsScalar()) return YamlError(ctx, kv.first, "keys must be strings");
      const std::string key = kv.first.Scalar();
      if (key == "vulnerabilities") {
        VIGIL_RETURN_IF_ERROR(ParseYamlSection(ctx, key, kv.second, {FindingKind::kVulnerability}));
      } else if (key == "misconfigurations") {
        VIGIL_RETURN_IF_ERROR(ParseYamlSection(ctx, key, kv.second, {FindingKind::kMisconfig}));
      } else if (key == "secrets") {
        VIGIL_RETURN_IF_ERROR(ParseYamlSection(ctx, key, kv.second, {FindingKind::kSecret}));
      } else if (key == "licenses") {
        // Trivy's licence findings have no counterpart in Vigil: read (so the file is
        // checked) and dropped.
        IgnoreRules unused;
        YamlContext lctx{ctx.file, now, &unused};
        VIGIL_RETURN_IF_ERROR(ParseYamlSection(lctx, key, kv.second, {}));
      } else {
        return YamlError(ctx, kv.first,
                         fmt::format("unknown section '{}' (want vulnerabilities, "
                                     "misconfigurations, secrets or licenses)",
                                     key));
      }
    }
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError(fmt::format("{}:{}: {}", file, e.mark.line + 1, e.msg));
  }
  return out;
}

StatusOr<IgnoreRules> LoadIgnoreFile(const std::string& path, const Clock& clock) {
  auto text = ReadHostFile(path, kMaxIgnoreFileBytes);
  if (!text.ok()) return Annotate(text.status(), "ignore file " + path);
  if (IsYamlName(path)) return ParseTrivyIgnoreYaml(*text, path, clock.Now());
  return ParseTrivyIgnore(*text, path, clock.Now());
}

int ApplyIgnoreRules(const IgnoreRules& rules, Report& report) {
  int changed = 0;
  for (Finding& f : report.findings) {
    if (f.status == "suppressed") continue;
    for (const IgnoreEntry& e : rules.entries) {
      if (!e.kinds.empty() && std::find(e.kinds.begin(), e.kinds.end(), f.kind) == e.kinds.end()) {
        continue;
      }
      if (!IdMatches(e.id, f) || !PathMatches(e, f) || !PurlMatchesEntry(e, f) ||
          !ResourceMatches(e, f)) {
        continue;
      }
      f.status = "suppressed";
      std::string note = fmt::format("Suppressed by ignore file ({})", e.origin);
      if (!e.statement.empty()) note += ": " + e.statement;
      AppendSuppressionNote(f, note);
      ++changed;
      break;
    }
  }
  return changed;
}

}  // namespace vigil::report
