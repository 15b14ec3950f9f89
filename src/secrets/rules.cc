#include "secrets/rules.h"

#include <re2/re2.h>
#include <toml++/toml.h>

#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>
#include <set>

#include "base/fs.h"
#include "base/strings.h"
#include "secrets/profiles_data.h"
#include "secrets/rules_data.h"

namespace vigil::secrets {
namespace {

constexpr uint64_t kMaxRuleFile = 16ull << 20;
constexpr size_t kMaxRules = 10000;
constexpr size_t kMaxRegexLength = 8192;

std::string Where(std::string_view source, const toml::node& node) {
  int line = static_cast<int>(node.source().begin.line);
  return std::string(source) + ":" + std::to_string(line);
}

// Reads a string key; a present key of another type is an error.
Status GetString(const toml::table& t, std::string_view key, std::string_view where,
                 std::string* out) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return OkStatus();
  const auto* s = n->as_string();
  if (s == nullptr) {
    return InvalidArgumentError(std::string(where) + ": " + std::string(key) + " must be a string");
  }
  *out = s->get();
  return OkStatus();
}

Status GetStrings(const toml::table& t, std::string_view key, std::string_view where,
                  std::vector<std::string>* out) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return OkStatus();
  const auto* arr = n->as_array();
  if (arr == nullptr) {
    return InvalidArgumentError(std::string(where) + ": " + std::string(key) +
                                " must be an array of strings");
  }
  for (const toml::node& e : *arr) {
    const auto* s = e.as_string();
    if (s == nullptr) {
      return InvalidArgumentError(std::string(where) + ": " + std::string(key) +
                                  " must be an array of strings");
    }
    out->push_back(s->get());
  }
  return OkStatus();
}

Status CheckRegex(const std::string& re, std::string_view where, std::string_view what) {
  if (re.size() > kMaxRegexLength) {
    return InvalidArgumentError(std::string(where) + ": " + std::string(what) + " longer than " +
                                std::to_string(kMaxRegexLength) + " bytes");
  }
  RE2::Options opts;
  opts.set_log_errors(false);
  RE2 compiled(re, opts);
  if (!compiled.ok()) {
    return InvalidArgumentError(std::string(where) + ": " + std::string(what) + ": " +
                                compiled.error());
  }
  return OkStatus();
}

Status ParseAllowlist(const toml::table& t, std::string_view where, Allowlist* out) {
  static const std::set<std::string, std::less<>> kKeys = {
      "description",  "paths",     "regexes",   "regexTarget",
      "regex_target", "stopwords", "condition", "commits"};
  for (const auto& [k, v] : t) {
    if (!kKeys.count(k.str())) {
      return InvalidArgumentError(Where(where, v) + ": allowlist: unknown key \"" +
                                  std::string(k.str()) + "\"");
    }
  }
  std::string w = std::string(where);
  VIGIL_RETURN_IF_ERROR(GetStrings(t, "paths", w, &out->paths));
  VIGIL_RETURN_IF_ERROR(GetStrings(t, "regexes", w, &out->regexes));
  VIGIL_RETURN_IF_ERROR(GetStrings(t, "stopwords", w, &out->stopwords));
  for (auto& s : out->stopwords) s = ToLower(s);
  std::string target;
  VIGIL_RETURN_IF_ERROR(GetString(t, "regexTarget", w, &target));
  VIGIL_RETURN_IF_ERROR(GetString(t, "regex_target", w, &target));
  if (target.empty() || target == "secret") {
    out->regex_target = RegexTarget::kSecret;
  } else if (target == "match") {
    out->regex_target = RegexTarget::kMatch;
  } else if (target == "line") {
    out->regex_target = RegexTarget::kLine;
  } else {
    return InvalidArgumentError(w + ": regexTarget must be secret, match or line, not \"" + target +
                                "\"");
  }
  for (const auto& re : out->paths) VIGIL_RETURN_IF_ERROR(CheckRegex(re, w, "allowlist path"));
  for (const auto& re : out->regexes) {
    VIGIL_RETURN_IF_ERROR(CheckRegex(re, w, "allowlist regex"));
  }
  return OkStatus();
}

// The allowlist(s) of a rule: `[rules.allowlist]` (a table, gitleaks <8.21 and native) or
// `[[rules.allowlists]]` (an array of tables, gitleaks >=8.21).
Status ParseRuleAllowlists(const toml::table& t, std::string_view where, Rule* rule) {
  if (const toml::node* n = t.get("allowlist")) {
    const auto* tab = n->as_table();
    if (tab == nullptr)
      return InvalidArgumentError(Where(where, *n) + ": allowlist must be a table");
    Allowlist a;
    VIGIL_RETURN_IF_ERROR(ParseAllowlist(*tab, Where(where, *n), &a));
    rule->allowlists.push_back(std::move(a));
  }
  if (const toml::node* n = t.get("allowlists")) {
    const auto* arr = n->as_array();
    if (arr == nullptr) {
      return InvalidArgumentError(Where(where, *n) + ": allowlists must be an array of tables");
    }
    for (const toml::node& e : *arr) {
      const auto* tab = e.as_table();
      if (tab == nullptr) {
        return InvalidArgumentError(Where(where, e) + ": allowlists must be an array of tables");
      }
      Allowlist a;
      VIGIL_RETURN_IF_ERROR(ParseAllowlist(*tab, Where(where, e), &a));
      rule->allowlists.push_back(std::move(a));
    }
  }
  return OkStatus();
}

Status ParseRule(const toml::table& t, std::string_view source, Rule* rule) {
  static const std::set<std::string, std::less<>> kKeys = {
      "id",          "title",        "description", "severity", "keywords",   "regex",
      "secretGroup", "secret_group", "entropy",     "path",     "binary",     "placeholders",
      "allowlist",   "allowlists",   "tags",        "report",   "skipReport", "rerank"};
  std::string where = Where(source, t);
  rule->source = std::string(source);
  rule->source_line = static_cast<int>(t.source().begin.line);
  VIGIL_RETURN_IF_ERROR(GetString(t, "id", where, &rule->id));
  if (rule->id.empty()) return InvalidArgumentError(where + ": rule without an id");
  where += ": rule \"" + rule->id + "\"";
  for (const auto& [k, v] : t) {
    if (!kKeys.count(k.str())) {
      return InvalidArgumentError(Where(source, v) + ": rule \"" + rule->id + "\": unknown key \"" +
                                  std::string(k.str()) + "\"");
    }
  }
  VIGIL_RETURN_IF_ERROR(GetString(t, "description", where, &rule->title));
  VIGIL_RETURN_IF_ERROR(GetString(t, "title", where, &rule->title));
  if (rule->title.empty()) rule->title = rule->id;
  std::string severity;
  VIGIL_RETURN_IF_ERROR(GetString(t, "severity", where, &severity));
  if (!severity.empty()) {
    auto s = report::ParseSeverity(severity);
    if (!s.ok()) return InvalidArgumentError(where + ": severity: " + s.status().message());
    rule->severity = *s;
  }
  VIGIL_RETURN_IF_ERROR(GetStrings(t, "keywords", where, &rule->keywords));
  for (auto& k : rule->keywords) {
    k = ToLower(k);
    if (k.empty()) return InvalidArgumentError(where + ": empty keyword");
  }
  VIGIL_RETURN_IF_ERROR(GetString(t, "regex", where, &rule->regex));
  VIGIL_RETURN_IF_ERROR(GetString(t, "path", where, &rule->path));
  if (rule->regex.empty() && rule->path.empty()) {
    return InvalidArgumentError(where + ": needs a regex or a path");
  }
  for (const char* key : {"secretGroup", "secret_group"}) {
    if (const toml::node* n = t.get(key)) {
      auto v = n->value<int64_t>();
      if (!v || *v < 0 || *v > 64) {
        return InvalidArgumentError(where + ": " + key + " must be an integer in 0..64");
      }
      rule->secret_group = static_cast<int>(*v);
    }
  }
  if (const toml::node* n = t.get("entropy")) {
    auto v = n->value<double>();
    if (!v || !std::isfinite(*v) || *v < 0 || *v > 8) {
      return InvalidArgumentError(where + ": entropy must be a number in 0..8");
    }
    rule->entropy = *v;
  }
  for (auto [key, field] :
       {std::pair{"binary", &rule->binary}, std::pair{"placeholders", &rule->placeholders},
        std::pair{"rerank", &rule->rerank}}) {
    if (const toml::node* n = t.get(key)) {
      // is_boolean: toml++ would convert an integer (`binary = 3`) to true.
      auto v = n->value<bool>();
      if (!n->is_boolean() || !v) {
        return InvalidArgumentError(where + ": " + key + " must be true or false");
      }
      *field = *v;
    }
  }
  if (!rule->regex.empty()) {
    VIGIL_RETURN_IF_ERROR(CheckRegex(rule->regex, where, "regex"));
    RE2 re(rule->regex, RE2::Quiet);
    if (rule->secret_group > re.NumberOfCapturingGroups()) {
      return InvalidArgumentError(where + ": secretGroup " + std::to_string(rule->secret_group) +
                                  " but the regex has " +
                                  std::to_string(re.NumberOfCapturingGroups()) + " groups");
    }
  }
  if (!rule->path.empty()) VIGIL_RETURN_IF_ERROR(CheckRegex(rule->path, where, "path"));
  return ParseRuleAllowlists(t, where, rule);
}

}  // namespace

StatusOr<RuleSet> ParseRules(std::string_view text, std::string_view source) {
  toml::table doc;
  try {
    doc = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    return InvalidArgumentError(std::string(source) + ":" + std::to_string(e.source().begin.line) +
                                ": " + std::string(e.description()));
  } catch (const std::exception& e) {
    return InvalidArgumentError(std::string(source) + ": " + e.what());
  }
  RuleSet set;
  for (const auto& [k, v] : doc) {
    std::string_view key = k.str();
    // gitleaks top-level keys that carry no rule content.
    if (key == "title" || key == "description" || key == "extend" || key == "version" ||
        key == "rules" || key == "allowlist" || key == "allowlists") {
      continue;
    }
    return InvalidArgumentError(Where(source, v) + ": unknown top-level key \"" + std::string(key) +
                                "\"");
  }
  if (const toml::node* n = doc.get("rules")) {
    const auto* arr = n->as_array();
    if (arr == nullptr) {
      return InvalidArgumentError(Where(source, *n) + ": rules must be an array of tables");
    }
    if (arr->size() > kMaxRules) {
      return InvalidArgumentError(std::string(source) + ": more than " + std::to_string(kMaxRules) +
                                  " rules");
    }
    std::map<std::string, int> seen;
    for (const toml::node& e : *arr) {
      const auto* t = e.as_table();
      if (t == nullptr) {
        return InvalidArgumentError(Where(source, e) + ": rules must be an array of tables");
      }
      Rule rule;
      VIGIL_RETURN_IF_ERROR(ParseRule(*t, source, &rule));
      auto [it, fresh] = seen.emplace(rule.id, rule.source_line);
      if (!fresh) {
        return InvalidArgumentError(std::string(source) + ":" + std::to_string(rule.source_line) +
                                    ": rule \"" + rule.id + "\" already defined at line " +
                                    std::to_string(it->second));
      }
      set.rules.push_back(std::move(rule));
    }
  }
  if (const toml::node* n = doc.get("allowlist")) {
    const auto* t = n->as_table();
    if (t == nullptr)
      return InvalidArgumentError(Where(source, *n) + ": allowlist must be a table");
    VIGIL_RETURN_IF_ERROR(ParseAllowlist(*t, Where(source, *n), &set.global));
  }
  if (const toml::node* n = doc.get("allowlists")) {
    const auto* arr = n->as_array();
    if (arr == nullptr) {
      return InvalidArgumentError(Where(source, *n) + ": allowlists must be an array of tables");
    }
    for (const toml::node& e : *arr) {
      const auto* t = e.as_table();
      if (t == nullptr) {
        return InvalidArgumentError(Where(source, e) + ": allowlists must be an array of tables");
      }
      Allowlist a;
      VIGIL_RETURN_IF_ERROR(ParseAllowlist(*t, Where(source, e), &a));
      for (auto& p : a.paths) set.global.paths.push_back(std::move(p));
      for (auto& r : a.regexes) set.global.regexes.push_back(std::move(r));
      for (auto& s : a.stopwords) set.global.stopwords.push_back(std::move(s));
    }
  }
  return set;
}

StatusOr<RuleSet> LoadRuleFile(const std::string& path) {
  constexpr std::string_view kBuiltin = "builtin:";
  if (std::string_view(path).starts_with(kBuiltin)) {
    std::string_view name = std::string_view(path).substr(kBuiltin.size());
    std::string known;
    for (const auto& profile : internal::EmbeddedProfiles()) {
      if (profile.name == name) return ParseRules(profile.text, path);
      known += known.empty() ? "" : ", ";
      known += "builtin:" + std::string(profile.name);
    }
    return NotFoundError("no built-in secret rule profile '" + path + "' (known: " + known + ")");
  }
  VIGIL_ASSIGN_OR_RETURN(std::string text, ReadHostFile(path, kMaxRuleFile));
  return ParseRules(text, path);
}

const RuleSet& BuiltinRules() {
  static const RuleSet* const kRules = [] {
    auto* set = new RuleSet();
    for (const auto& file : internal::EmbeddedRuleFiles()) {
      auto parsed = ParseRules(file.text, file.path);
      // The embedded files are tested (secrets_rules_test); a broken one is a build defect.
      if (!parsed.ok()) {
        std::fprintf(stderr, "vigil: built-in secret rules: %s\n",
                     parsed.status().ToString().c_str());
        std::abort();
      }
      for (auto& r : parsed->rules) r.source = "built-in";
      MergeRules(std::move(*parsed), set);
    }
    return set;
  }();
  return *kRules;
}

void MergeRules(RuleSet extra, RuleSet* base) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < base->rules.size(); ++i) index[base->rules[i].id] = i;
  for (auto& r : extra.rules) {
    auto it = index.find(r.id);
    if (it != index.end()) {
      base->rules[it->second] = std::move(r);
    } else {
      index[r.id] = base->rules.size();
      base->rules.push_back(std::move(r));
    }
  }
  auto append = [](std::vector<std::string>& to, std::vector<std::string>& from) {
    for (auto& s : from) to.push_back(std::move(s));
  };
  append(base->global.paths, extra.global.paths);
  append(base->global.regexes, extra.global.regexes);
  append(base->global.stopwords, extra.global.stopwords);
}

double ShannonEntropy(std::string_view s) {
  if (s.empty()) return 0;
  std::array<uint32_t, 256> counts{};
  for (unsigned char c : s) ++counts[c];
  double h = 0;
  const double n = static_cast<double>(s.size());
  for (uint32_t c : counts) {
    if (c == 0) continue;
    double p = c / n;
    h -= p * std::log2(p);
  }
  return h;
}

bool LooksLikePlaceholder(std::string_view secret) {
  if (secret.empty()) return true;
  std::string lower = ToLower(secret);
  // Documentation and template markers. Each is a word a random token of the lengths we
  // detect contains with negligible probability, but documentation uses all the time.
  static constexpr std::string_view kMarkers[] = {"example",     "sample",    "dummy",
                                                  "placeholder", "changeme",  "change_me",
                                                  "change-me",   "your_",     "your-",
                                                  "yourkey",     "yourtoken", "yoursecret",
                                                  "xxxx",        "****",      "....",
                                                  "${",          "{{",        "$(",
                                                  "%(",          "<",         ">",
                                                  "redacted",    "notreal",   "not_real",
                                                  "not-real",    "fake",      "insert",
                                                  "replace_me",  "replaceme", "secret_here",
                                                  "token_here",  "key_here",  "password_here",
                                                  "dummy",       "todo",      "foobar",
                                                  "lorem",       "ipsum",     "abcdefgh",
                                                  "0123456789",  "testtest",  "process.env",
                                                  "os.environ",  "getenv",    "env("};
  for (std::string_view m : kMarkers) {
    if (lower.find(m) != std::string::npos) return true;
  }
  // "$VAR" / "%VAR%" references: a sigil and an identifier, nothing else.
  if (secret.size() > 1 && (secret.front() == '$' || secret.front() == '%')) {
    std::string_view name = secret.substr(1);
    if (secret.front() == '%' && name.back() == '%') name.remove_suffix(1);
    bool ident = !name.empty();
    for (char c : name) {
      ident = ident && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
    }
    if (ident) return true;
  }
  // The name of the thing instead of its value.
  static constexpr std::string_view kWords[] = {
      "password", "passwd", "pass", "pwd", "secret", "token", "apikey", "api_key", "changeit"};
  for (std::string_view w : kWords) {
    if (lower == w) return true;
  }
  // Few distinct characters: "aaaaaaaa", "abababab".
  std::set<char> distinct(secret.begin(), secret.end());
  if (secret.size() >= 8 && distinct.size() <= 3) return true;
  return false;
}

}  // namespace vigil::secrets
