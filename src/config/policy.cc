#include "config/policy.h"

#include <re2/re2.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <memory>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "base/strings.h"
#include "config/yaml_loader.h"

namespace vigil::config {
namespace {

// --- the compiled form --------------------------------------------------------------------

enum class Op {
  kExists,
  kAbsent,
  kEquals,
  kNotEquals,
  kIn,
  kNotIn,
  kMatches,
  kNotMatches,
  kStartsWith,
  kNotStartsWith,
  kEndsWith,
  kNotEndsWith,
  kContains,
  kNotContains,
  kGreaterThan,
  kLessThan,
};

struct OpName {
  std::string_view name;
  Op op;
};
constexpr OpName kOps[] = {
    {"exists", Op::kExists},
    {"absent", Op::kAbsent},
    {"equals", Op::kEquals},
    {"notEquals", Op::kNotEquals},
    {"in", Op::kIn},
    {"notIn", Op::kNotIn},
    {"matches", Op::kMatches},
    {"notMatches", Op::kNotMatches},
    {"startsWith", Op::kStartsWith},
    {"notStartsWith", Op::kNotStartsWith},
    {"endsWith", Op::kEndsWith},
    {"notEndsWith", Op::kNotEndsWith},
    {"contains", Op::kContains},
    {"notContains", Op::kNotContains},
    {"greaterThan", Op::kGreaterThan},
    {"lessThan", Op::kLessThan},
};

std::string OpList() {
  std::string out;
  for (const auto& o : kOps) {
    if (!out.empty()) out += ", ";
    out += o.name;
  }
  return out;
}

// One step of a policy field path: a key, an index, or `[*]`.
struct Step {
  std::string key;
  int index = -1;
  bool wildcard = false;
};

// A comparison value, with the typed readings decided once at load.
struct Value {
  std::string text;
  std::optional<bool> boolean;  // an unquoted true/false
  std::optional<double> number;
};

struct Leaf {
  std::string field;  // as written
  std::vector<Step> steps;
  Op op = Op::kExists;
  std::vector<Value> values;      // one value; several for in / notIn
  std::shared_ptr<const RE2> re;  // matches / notMatches
};

struct Cond {
  enum class Type { kAll, kAny, kNot, kLeaf } type = Type::kLeaf;
  std::vector<Cond> children;
  Leaf leaf;
};

struct MatchSpec {
  std::vector<std::string> api_versions;                    // globs; empty = any
  std::vector<std::string> namespaces;                      // globs; empty = any
  std::vector<std::pair<std::string, std::string>> labels;  // value "*" = key present
};

// The message template: literal text and placeholders, alternating.
struct TemplatePart {
  std::string text;
  bool variable = false;  // text is then the variable name (path, value, ...)
};

// A concrete field the condition holds for, with the wildcard choices that led to it.
struct Witness {
  std::string path;
  const Node* node = nullptr;
  std::vector<std::pair<std::string, size_t>> binds;  // wildcard pattern prefix -> element
};

// --- matching helpers ----------------------------------------------------------------------

// '*' matches any run (including '/'), '?' one character. Iterative with one backtrack
// point, so it is O(pattern * text) at worst.
bool Wildcard(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool AnyWildcard(const std::vector<std::string>& patterns, std::string_view text) {
  for (const auto& p : patterns) {
    if (Wildcard(p, text)) return true;
  }
  return false;
}

bool SimpleKey(std::string_view key) {
  if (key.empty()) return false;
  for (char c : key) {
    if (c == '.' || c == '[' || c == ']' || c == '"') return false;
  }
  return true;
}

void AppendKey(std::string* path, std::string_view key) {
  if (SimpleKey(key)) {
    if (!path->empty()) *path += '.';
    *path += key;
  } else {
    *path += "[\"";
    *path += key;
    *path += "\"]";
  }
}

void AppendStep(std::string* path, const Step& s) {
  if (s.index >= 0) {
    *path += "[" + std::to_string(s.index) + "]";
  } else {
    AppendKey(path, s.key);
  }
}

std::optional<bool> BoolOf(const Node& n) {
  if (n.quoted()) return std::nullopt;
  return n.AsBool();
}

bool Equal(const Node& n, const Value& v) {
  if (!n.IsScalar() || n.IsNull()) return false;
  if (v.boolean) {
    // A boolean value compares with booleans only: a quoted "true" is a string.
    std::optional<bool> b = BoolOf(n);
    return b && *b == *v.boolean;
  }
  if (v.number && !n.quoted()) {
    double d = 0;
    if (ParseQuantity(n.scalar(), &d)) return d == *v.number;
  }
  return n.scalar() == v.text;
}

bool CompatibleBinds(const Witness& a, const Witness& b) {
  for (const auto& [k, i] : a.binds) {
    for (const auto& [k2, i2] : b.binds) {
      if (k == k2 && i != i2) return false;
    }
  }
  return true;
}

// --- evaluation ----------------------------------------------------------------------------

// Expands the leaf's path from `cur` at step `i`: one candidate per concrete field (`node`
// null when the field is absent after the last wildcard).
void Expand(const Node* cur, const Leaf& leaf, size_t i, std::string* path, std::string* pattern,
            std::vector<std::pair<std::string, size_t>>* binds, std::vector<Witness>* out) {
  if (out->size() >= kMaxWitnesses) return;
  if (i == leaf.steps.size()) {
    out->push_back(Witness{*path, cur, *binds});
    return;
  }
  const Step& s = leaf.steps[i];
  size_t path_len = path->size(), pattern_len = pattern->size();
  auto restore = [&] {
    path->resize(path_len);
    pattern->resize(pattern_len);
  };
  if (s.wildcard) {
    *pattern += "[*]";
    if (cur != nullptr && cur->IsSeq()) {
      for (size_t k = 0; k < cur->seq().size(); ++k) {
        *path += "[" + std::to_string(k) + "]";
        binds->emplace_back(*pattern, k);
        Expand(&cur->seq()[k], leaf, i + 1, path, pattern, binds, out);
        binds->pop_back();
        path->resize(path_len);
      }
    } else if (cur != nullptr && cur->IsMap()) {
      for (size_t k = 0; k < cur->map().size(); ++k) {
        AppendKey(path, cur->map()[k].first);
        binds->emplace_back(*pattern, k);
        Expand(&cur->map()[k].second, leaf, i + 1, path, pattern, binds, out);
        binds->pop_back();
        path->resize(path_len);
      }
    }
    restore();
    return;  // a wildcard over nothing expands to nothing
  }
  AppendStep(path, s);
  AppendStep(pattern, s);
  const Node* next = nullptr;
  if (cur != nullptr) {
    if (s.index >= 0) {
      if (cur->IsSeq() && static_cast<size_t>(s.index) < cur->seq().size()) {
        next = &cur->seq()[s.index];
      }
    } else {
      next = cur->Get(s.key);
    }
  }
  if (next == nullptr) {
    // Absent: meaningful only when no wildcard follows (nothing to expand over).
    bool wildcard_follows = false;
    for (size_t k = i + 1; k < leaf.steps.size(); ++k) wildcard_follows |= leaf.steps[k].wildcard;
    if (!wildcard_follows) {
      for (size_t k = i + 1; k < leaf.steps.size(); ++k) AppendStep(path, leaf.steps[k]);
      out->push_back(Witness{*path, nullptr, *binds});
    }
    restore();
    return;
  }
  Expand(next, leaf, i + 1, path, pattern, binds, out);
  restore();
}

bool StringOp(const Node* n, const Leaf& leaf, bool (*test)(std::string_view, std::string_view)) {
  if (n == nullptr || !n->IsScalar() || n->IsNull()) return false;
  return test(n->scalar(), leaf.values[0].text);
}

void EvalLeaf(const Leaf& leaf, const Node& root, std::vector<Witness>* out) {
  std::vector<Witness> candidates;
  std::string path, pattern;
  std::vector<std::pair<std::string, size_t>> binds;
  Expand(&root, leaf, 0, &path, &pattern, &binds, &candidates);
  for (Witness& w : candidates) {
    const Node* n = w.node;
    bool present = n != nullptr && !n->IsNull();
    bool scalar = present && n->IsScalar();
    bool holds = false;
    switch (leaf.op) {
      case Op::kExists:
        holds = present;
        break;
      case Op::kAbsent:
        holds = !present;
        break;
      case Op::kEquals:
        holds = present && Equal(*n, leaf.values[0]);
        break;
      case Op::kNotEquals:
        holds = present && !Equal(*n, leaf.values[0]);
        break;
      case Op::kIn:
      case Op::kNotIn: {
        bool found = false;
        for (const Value& v : leaf.values) found = found || (present && Equal(*n, v));
        holds = present && (leaf.op == Op::kIn ? found : !found);
        break;
      }
      case Op::kMatches:
        holds = scalar && RE2::PartialMatch(n->scalar(), *leaf.re);
        break;
      case Op::kNotMatches:
        holds = scalar && !RE2::PartialMatch(n->scalar(), *leaf.re);
        break;
      case Op::kStartsWith:
        holds = StringOp(n, leaf,
                         [](std::string_view a, std::string_view b) { return StartsWith(a, b); });
        break;
      case Op::kNotStartsWith:
        holds = StringOp(n, leaf,
                         [](std::string_view a, std::string_view b) { return !StartsWith(a, b); });
        break;
      case Op::kEndsWith:
        holds = StringOp(n, leaf,
                         [](std::string_view a, std::string_view b) { return EndsWith(a, b); });
        break;
      case Op::kNotEndsWith:
        holds = StringOp(n, leaf,
                         [](std::string_view a, std::string_view b) { return !EndsWith(a, b); });
        break;
      case Op::kContains:
        if (present && n->IsSeq()) {
          // Each matching element is its own witness, at its own line.
          for (size_t k = 0; k < n->seq().size(); ++k) {
            if (Equal(n->seq()[k], leaf.values[0]) && out->size() < kMaxWitnesses) {
              out->push_back(
                  Witness{w.path + "[" + std::to_string(k) + "]", &n->seq()[k], w.binds});
            }
          }
        } else if (present && n->IsMap()) {
          holds = n->Get(leaf.values[0].text) != nullptr;
        } else {
          holds = scalar && n->scalar().find(leaf.values[0].text) != std::string::npos;
        }
        break;
      case Op::kNotContains:
        if (present && n->IsSeq()) {
          holds = std::none_of(n->seq().begin(), n->seq().end(),
                               [&](const Node& e) { return Equal(e, leaf.values[0]); });
        } else if (present && n->IsMap()) {
          holds = n->Get(leaf.values[0].text) == nullptr;
        } else {
          holds = scalar && n->scalar().find(leaf.values[0].text) == std::string::npos;
        }
        break;
      case Op::kGreaterThan:
      case Op::kLessThan: {
        double d = 0;
        if (scalar && ParseQuantity(n->scalar(), &d)) {
          holds =
              leaf.op == Op::kGreaterThan ? d > *leaf.values[0].number : d < *leaf.values[0].number;
        }
        break;
      }
    }
    if (holds && out->size() < kMaxWitnesses) out->push_back(std::move(w));
  }
}

std::vector<Witness> EvalCond(const Cond& c, const Node& root) {
  std::vector<Witness> out;
  switch (c.type) {
    case Cond::Type::kLeaf:
      EvalLeaf(c.leaf, root, &out);
      break;
    case Cond::Type::kAny:
      for (const Cond& child : c.children) {
        for (Witness& w : EvalCond(child, root)) {
          if (out.size() >= kMaxWitnesses) break;
          out.push_back(std::move(w));
        }
      }
      break;
    case Cond::Type::kAll: {
      bool first = true;
      for (const Cond& child : c.children) {
        std::vector<Witness> ws = EvalCond(child, root);
        if (ws.empty()) return {};
        if (first) {
          out = std::move(ws);
          first = false;
          continue;
        }
        std::vector<Witness> merged;
        for (const Witness& a : out) {
          for (const Witness& b : ws) {
            if (merged.size() >= kMaxWitnesses) break;
            if (!CompatibleBinds(a, b)) continue;
            Witness m = a;
            if (m.path.empty()) {
              m.path = b.path;
              m.node = b.node;
            }
            for (const auto& bind : b.binds) m.binds.push_back(bind);
            merged.push_back(std::move(m));
          }
        }
        if (merged.empty()) return {};
        out = std::move(merged);
      }
      break;
    }
    case Cond::Type::kNot:
      if (EvalCond(c.children[0], root).empty()) out.push_back(Witness{"", &root, {}});
      break;
  }
  return out;
}

// --- the Check ------------------------------------------------------------------------------

class PolicyCheck : public Check {
 public:
  PolicyCheck(CheckInfo info, MatchSpec match, Cond cond, std::vector<TemplatePart> message)
      : info_(std::move(info)),
        match_(std::move(match)),
        cond_(std::move(cond)),
        message_(std::move(message)) {}

  const CheckInfo& info() const override { return info_; }

  void Evaluate(const CheckContext& ctx, std::vector<Violation>* out) const override {
    const Resource& r = ctx.resource;
    if (r.node == nullptr || !Applies(r)) return;
    std::set<std::string> seen;
    for (const Witness& w : EvalCond(cond_, *r.node)) {
      if (!seen.insert(w.path).second) continue;
      out->push_back(Violation{w.path, Render(r, w), 0});
    }
  }

 private:
  bool Applies(const Resource& r) const {
    if (!match_.api_versions.empty() && !AnyWildcard(match_.api_versions, r.api_version)) {
      return false;
    }
    if (!match_.namespaces.empty() && !AnyWildcard(match_.namespaces, r.ns)) return false;
    if (!match_.labels.empty()) {
      const Node* labels = r.Find("metadata.labels");
      for (const auto& [key, want] : match_.labels) {
        const Node* v = labels != nullptr ? labels->Get(key) : nullptr;
        if (v == nullptr) return false;
        if (want != "*" && (!v->IsScalar() || v->scalar() != want)) return false;
      }
    }
    return true;
  }

  std::string Render(const Resource& r, const Witness& w) const {
    if (message_.empty()) return w.path.empty() ? info_.title : info_.title + " (" + w.path + ")";
    std::string out;
    for (const TemplatePart& p : message_) {
      if (!p.variable) {
        out += p.text;
      } else if (p.text == "path") {
        out += w.path;
      } else if (p.text == "value") {
        if (w.node == nullptr || w.node->IsNull()) {
          out += "<absent>";
        } else if (w.node->IsScalar()) {
          out += w.node->scalar();
        } else {
          out += w.node->IsMap() ? "<map>" : "<list>";
        }
      } else if (p.text == "resource") {
        out += r.Id();
      } else if (p.text == "kind") {
        out += r.kind;
      } else if (p.text == "name") {
        out += r.name;
      } else if (p.text == "namespace") {
        out += r.ns;
      } else if (p.text == "id") {
        out += info_.id;
      } else if (p.text == "title") {
        out += info_.title;
      }
    }
    return out;
  }

  CheckInfo info_;
  MatchSpec match_;
  Cond cond_;
  std::vector<TemplatePart> message_;
};

// --- loading --------------------------------------------------------------------------------

constexpr std::string_view kTemplateVars[] = {"path", "value",     "resource", "kind",
                                              "name", "namespace", "id",       "title"};

class Loader {
 public:
  explicit Loader(std::string_view file) : file_(file) {}

  Status Error(const Node& at, std::string_view what) const {
    return InvalidArgumentError(std::string(file_) + ":" + std::to_string(at.line()) + ": " +
                                (policy_.empty() ? "" : "policy " + policy_ + ": ") +
                                std::string(what));
  }
  Status ErrorAt(int line, std::string_view what) const {
    return InvalidArgumentError(std::string(file_) + ":" + std::to_string(line) + ": " +
                                (policy_.empty() ? "" : "policy " + policy_ + ": ") +
                                std::string(what));
  }

  StatusOr<std::string> Scalar(const Node& n, std::string_view field) const {
    if (!n.IsScalar() || n.IsNull()) return Error(n, std::string(field) + ": want a string");
    return n.scalar();
  }

  StatusOr<std::vector<std::string>> Strings(const Node& n, std::string_view field) const {
    std::vector<std::string> out;
    if (n.IsScalar() && !n.IsNull()) {
      out.push_back(n.scalar());
      return out;
    }
    if (!n.IsSeq()) return Error(n, std::string(field) + ": want a string or a list of strings");
    for (const Node& item : n.seq()) {
      VIGIL_ASSIGN_OR_RETURN(std::string s, Scalar(item, field));
      out.push_back(std::move(s));
    }
    return out;
  }

  // One policy mapping -> a check (or an error naming its line).
  StatusOr<std::unique_ptr<Check>> Policy(const Node& n) {
    policy_.clear();
    if (!n.IsMap()) return Error(n, "a policy must be a mapping");
    const Node* id = n.Get("id");
    if (id == nullptr) return Error(n, "missing field id");
    VIGIL_ASSIGN_OR_RETURN(std::string id_text, Scalar(*id, "id"));
    id_text = std::string(Trim(id_text));
    if (id_text.empty()) return Error(*id, "id: empty");
    if (StartsWith(id_text, "VGL-")) {
      return Error(*id, "id " + id_text + ": the VGL- prefix is reserved for built-in checks");
    }
    for (char c : id_text) {
      if (c == ',' || c == ' ' || c == '\t' || c == '\n') {
        return Error(*id, "id " + id_text + ": must not contain spaces or commas");
      }
    }
    policy_ = id_text;
    CheckInfo info;
    info.id = id_text;
    bool have_title = false, have_severity = false;
    const Node* match = nullptr;
    int match_line = 0;
    const Node* condition = nullptr;
    std::vector<TemplatePart> message;
    for (size_t i = 0; i < n.map().size(); ++i) {
      const auto& [key, value] = n.map()[i];
      int key_line = n.key_lines()[i];
      if (key == "id") continue;
      if (key == "title") {
        VIGIL_ASSIGN_OR_RETURN(info.title, Scalar(value, key));
        have_title = true;
      } else if (key == "severity") {
        VIGIL_ASSIGN_OR_RETURN(std::string s, Scalar(value, key));
        auto sev = report::ParseSeverity(s);
        if (!sev.ok() || *sev == report::Severity::kUnknown) {
          return Error(value, "severity '" + s + "': want critical, high, medium, low or info");
        }
        info.severity = *sev;
        have_severity = true;
      } else if (key == "description") {
        VIGIL_ASSIGN_OR_RETURN(info.rationale, Scalar(value, key));
      } else if (key == "remediation") {
        VIGIL_ASSIGN_OR_RETURN(info.remediation, Scalar(value, key));
      } else if (key == "controls") {
        VIGIL_ASSIGN_OR_RETURN(info.controls, Strings(value, key));
        for (const auto& c : info.controls) {
          size_t slash = c.find('/');
          if (slash == std::string::npos || slash == 0 || slash + 1 == c.size()) {
            return Error(value, "controls: '" + c + "': want <framework>/<control>");
          }
        }
      } else if (key == "references") {
        VIGIL_ASSIGN_OR_RETURN(info.references, Strings(value, key));
      } else if (key == "message") {
        VIGIL_ASSIGN_OR_RETURN(std::string text, Scalar(value, key));
        VIGIL_ASSIGN_OR_RETURN(message, Template(text, value));
      } else if (key == "match") {
        match = &value;
        match_line = key_line;
      } else if (key == "condition") {
        condition = &value;
      } else {
        return ErrorAt(key_line,
                       "unknown field '" + key +
                           "' (want id, title, severity, description, remediation, controls, "
                           "references, message, match, condition)");
      }
    }
    if (!have_title) return Error(n, "missing field title");
    if (!have_severity) return Error(n, "missing field severity");
    if (match == nullptr) return Error(n, "missing field match");
    if (condition == nullptr) return Error(n, "missing field condition");
    MatchSpec spec;
    VIGIL_RETURN_IF_ERROR(Match(*match, match_line, &spec, &info.applies_to));
    VIGIL_ASSIGN_OR_RETURN(Cond cond, Condition(*condition, 0));
    if (info.rationale.empty()) info.rationale = info.title;
    return std::unique_ptr<Check>(
        new PolicyCheck(std::move(info), std::move(spec), std::move(cond), std::move(message)));
  }

  const std::string& policy() const { return policy_; }

 private:
  Status Match(const Node& n, int line, MatchSpec* spec, std::vector<std::string>* kinds) const {
    if (!n.IsMap()) return Error(n, "match: want a mapping with kinds");
    for (size_t i = 0; i < n.map().size(); ++i) {
      const auto& [key, value] = n.map()[i];
      if (key == "kinds") {
        VIGIL_ASSIGN_OR_RETURN(*kinds, Strings(value, "match.kinds"));
      } else if (key == "apiVersion" || key == "apiVersions") {
        VIGIL_ASSIGN_OR_RETURN(spec->api_versions, Strings(value, "match." + key));
      } else if (key == "namespaces") {
        VIGIL_ASSIGN_OR_RETURN(spec->namespaces, Strings(value, "match.namespaces"));
      } else if (key == "labels") {
        if (!value.IsMap()) return Error(value, "match.labels: want a mapping label: value");
        for (const auto& [lk, lv] : value.map()) {
          VIGIL_ASSIGN_OR_RETURN(std::string s, Scalar(lv, "match.labels." + lk));
          spec->labels.emplace_back(lk, std::move(s));
        }
      } else {
        return ErrorAt(n.key_lines()[i], "match: unknown field '" + key +
                                             "' (want kinds, apiVersion, namespaces, labels)");
      }
    }
    if (kinds->empty()) return ErrorAt(line, "match: missing field kinds");
    for (const auto& k : *kinds) {
      if (Trim(k).empty()) return Error(n, "match.kinds: empty kind");
    }
    return OkStatus();
  }

  StatusOr<std::vector<Step>> Path(std::string_view text, const Node& at) const {
    std::vector<Step> steps;
    // "[*]" is not part of the Node path syntax: split it out, parse the rest with it.
    size_t i = 0;
    std::vector<std::pair<std::string, bool>> pieces;  // (path text, wildcard after it)
    while (i <= text.size()) {
      size_t star = text.find("[*]", i);
      if (star == std::string_view::npos) {
        pieces.emplace_back(std::string(text.substr(i)), false);
        break;
      }
      pieces.emplace_back(std::string(text.substr(i, star - i)), true);
      i = star + 3;
    }
    for (size_t p = 0; p < pieces.size(); ++p) {
      std::string_view piece = pieces[p].first;
      if (p > 0) {
        if (!piece.empty() && piece[0] != '.' && piece[0] != '[') {
          return Error(at, "field '" + std::string(text) + "': want '.' or '[' after [*]");
        }
        if (!piece.empty() && piece[0] == '.') piece.remove_prefix(1);
      }
      std::vector<PathStep> parsed;
      if (!piece.empty() && (!ParseFieldPath(piece, &parsed) || parsed.empty())) {
        return Error(at, "field '" + std::string(text) + "': malformed path");
      }
      for (auto& ps : parsed) steps.push_back(Step{std::move(ps.key), ps.index, false});
      if (pieces[p].second) steps.push_back(Step{"", -1, true});
    }
    if (steps.empty()) return Error(at, "field: empty path");
    if (steps.size() > 64) return Error(at, "field '" + std::string(text) + "': too deep");
    return steps;
  }

  StatusOr<Value> MakeValue(const Node& n, std::string_view field) const {
    if (!n.IsScalar() || n.IsNull()) return Error(n, std::string(field) + ": want a scalar");
    Value v;
    v.text = n.scalar();
    if (!n.quoted()) {
      std::string lower = ToLower(v.text);
      if (lower == "true" || lower == "false") v.boolean = lower == "true";
      double d = 0;
      if (ParseQuantity(v.text, &d)) v.number = d;
    }
    return v;
  }

  StatusOr<Cond> Condition(const Node& n, int depth) const {
    if (depth > kMaxConditionDepth) return Error(n, "condition nested too deeply");
    if (!n.IsMap()) return Error(n, "condition: want a mapping (all, any, not or a field test)");
    Cond c;
    const Node* group = nullptr;
    for (std::string_view g : {"all", "any", "not"}) {
      if (n.Get(g) != nullptr) {
        if (group != nullptr) return Error(n, "condition: one of all, any, not per mapping");
        group = n.Get(g);
        c.type = g == "all" ? Cond::Type::kAll : g == "any" ? Cond::Type::kAny : Cond::Type::kNot;
      }
    }
    if (group != nullptr) {
      if (n.map().size() != 1) {
        return Error(n, "condition: all/any/not must be the only key of its mapping");
      }
      if (c.type == Cond::Type::kNot) {
        VIGIL_ASSIGN_OR_RETURN(Cond child, Condition(*group, depth + 1));
        c.children.push_back(std::move(child));
        return c;
      }
      if (!group->IsSeq() || group->seq().empty()) {
        return Error(*group, "condition: all/any want a non-empty list of conditions");
      }
      for (const Node& item : group->seq()) {
        VIGIL_ASSIGN_OR_RETURN(Cond child, Condition(item, depth + 1));
        c.children.push_back(std::move(child));
      }
      return c;
    }
    return LeafCond(n);
  }

  StatusOr<Cond> LeafCond(const Node& n) const {
    Cond c;
    c.type = Cond::Type::kLeaf;
    Leaf& leaf = c.leaf;
    const Node* field = nullptr;
    const Node* op = nullptr;
    const Node* value = nullptr;
    for (size_t i = 0; i < n.map().size(); ++i) {
      const auto& [key, v] = n.map()[i];
      if (key == "field") {
        field = &v;
      } else if (key == "op") {
        op = &v;
      } else if (key == "value") {
        value = &v;
      } else {
        return ErrorAt(n.key_lines()[i], "condition: unknown field '" + key +
                                             "' (want all, any, not, or field, op, value)");
      }
    }
    if (field == nullptr) return Error(n, "condition: missing field 'field'");
    if (op == nullptr) return Error(n, "condition: missing field 'op'");
    VIGIL_ASSIGN_OR_RETURN(leaf.field, Scalar(*field, "field"));
    VIGIL_ASSIGN_OR_RETURN(leaf.steps, Path(leaf.field, *field));
    VIGIL_ASSIGN_OR_RETURN(std::string op_text, Scalar(*op, "op"));
    bool known = false;
    for (const auto& o : kOps) {
      if (o.name == op_text) {
        leaf.op = o.op;
        known = true;
      }
    }
    if (!known) return Error(*op, "unknown operator '" + op_text + "' (want " + OpList() + ")");
    bool needs_value = leaf.op != Op::kExists && leaf.op != Op::kAbsent;
    if (!needs_value) {
      if (value != nullptr) return Error(*value, "operator " + op_text + " takes no value");
      return c;
    }
    if (value == nullptr) return Error(*op, "operator " + op_text + " needs a value");
    if (leaf.op == Op::kIn || leaf.op == Op::kNotIn) {
      if (!value->IsSeq() || value->seq().empty()) {
        return Error(*value, "operator " + op_text + " wants a non-empty list value");
      }
      for (const Node& item : value->seq()) {
        VIGIL_ASSIGN_OR_RETURN(Value v, MakeValue(item, "value"));
        leaf.values.push_back(std::move(v));
      }
      return c;
    }
    VIGIL_ASSIGN_OR_RETURN(Value v, MakeValue(*value, "value"));
    if ((leaf.op == Op::kGreaterThan || leaf.op == Op::kLessThan) && !v.number) {
      return Error(*value,
                   "operator " + op_text + " wants a number or quantity, got '" + v.text + "'");
    }
    if (leaf.op == Op::kMatches || leaf.op == Op::kNotMatches) {
      RE2::Options options;
      options.set_log_errors(false);
      options.set_max_mem(8 << 20);
      auto re = std::make_shared<RE2>(v.text, options);
      if (!re->ok()) return Error(*value, "bad regular expression: " + re->error());
      leaf.re = std::move(re);
    }
    leaf.values.push_back(std::move(v));
    return c;
  }

  StatusOr<std::vector<TemplatePart>> Template(std::string_view text, const Node& at) const {
    std::vector<TemplatePart> parts;
    size_t i = 0;
    while (i < text.size()) {
      size_t open = text.find("{{", i);
      if (open == std::string_view::npos) {
        parts.push_back({std::string(text.substr(i)), false});
        break;
      }
      if (open > i) parts.push_back({std::string(text.substr(i, open - i)), false});
      size_t close = text.find("}}", open + 2);
      if (close == std::string_view::npos) return Error(at, "message: unterminated {{");
      std::string_view var = Trim(text.substr(open + 2, close - open - 2));
      if (var.empty() || var[0] != '.') {
        return Error(at, "message: placeholder '{{" + std::string(var) + "}}': want {{.name}}");
      }
      var.remove_prefix(1);
      if (std::find(std::begin(kTemplateVars), std::end(kTemplateVars), var) ==
          std::end(kTemplateVars)) {
        return Error(at, "message: unknown placeholder '{{." + std::string(var) +
                             "}}' (want path, value, resource, kind, name, namespace, id, "
                             "title)");
      }
      parts.push_back({std::string(var), true});
      i = close + 2;
    }
    return parts;
  }

  std::string_view file_;
  std::string policy_;
};

// The policy mappings of one document: a policy, a list of policies, or {policies: [...]}.
StatusOr<std::vector<const Node*>> PolicyNodes(const Node& root, std::string_view file) {
  std::vector<const Node*> out;
  auto error = [&](const Node& n, std::string_view what) {
    return InvalidArgumentError(std::string(file) + ":" + std::to_string(n.line()) + ": " +
                                std::string(what));
  };
  const Node* list = nullptr;
  if (root.IsNull()) return out;
  if (root.IsSeq()) {
    list = &root;
  } else if (root.IsMap() && root.Get("policies") != nullptr) {
    if (root.map().size() != 1) {
      return error(root, "a policy file with 'policies:' must have no other top-level key");
    }
    list = root.Get("policies");
    if (list->IsNull()) return out;
    if (!list->IsSeq()) return error(*list, "policies: want a list of policies");
  } else if (root.IsMap()) {
    out.push_back(&root);
    return out;
  } else {
    return error(root, "want a policy, a list of policies or a mapping with 'policies:'");
  }
  for (const Node& item : list->seq()) out.push_back(&item);
  return out;
}

}  // namespace

bool ParseQuantity(std::string_view text, double* out) {
  std::string_view s = Trim(text);
  if (s.empty() || s.size() > 64) return false;
  struct Suffix {
    std::string_view text;
    double factor;
  };
  static constexpr Suffix kSuffixes[] = {
      {"Ki", 1024.0},
      {"Mi", 1024.0 * 1024},
      {"Gi", 1024.0 * 1024 * 1024},
      {"Ti", 1024.0 * 1024 * 1024 * 1024},
      {"Pi", 1024.0 * 1024 * 1024 * 1024 * 1024},
      {"Ei", 1024.0 * 1024 * 1024 * 1024 * 1024 * 1024},
      {"n", 1e-9},
      {"u", 1e-6},
      {"m", 1e-3},
      {"k", 1e3},
      {"M", 1e6},
      {"G", 1e9},
      {"T", 1e12},
      {"P", 1e15},
      {"E", 1e18},
  };
  double factor = 1;
  for (const auto& suffix : kSuffixes) {
    if (s.size() > suffix.text.size() && EndsWith(s, suffix.text)) {
      s.remove_suffix(suffix.text.size());
      factor = suffix.factor;
      break;
    }
  }
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v)) return false;
  *out = v * factor;
  return true;
}

Status PolicySet::AddText(std::string_view text, std::string_view file) {
  if (text.size() > kMaxPolicyFileBytes) {
    return ResourceExhaustedError(std::string(file) + ": policy file larger than 4 MiB");
  }
  VIGIL_ASSIGN_OR_RETURN(std::vector<Document> docs, LoadYaml(text, file));
  Loader loader(file);
  std::vector<std::pair<std::unique_ptr<Check>, std::string>> compiled;
  std::map<std::string, std::string, std::less<>> here;
  for (const Document& doc : docs) {
    VIGIL_ASSIGN_OR_RETURN(std::vector<const Node*> nodes, PolicyNodes(doc.root, file));
    for (const Node* n : nodes) {
      VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Check> check, loader.Policy(*n));
      const std::string& id = check->info().id;
      std::string origin = std::string(file) + ":" + std::to_string(n->line());
      auto prev = origins_.find(id);
      if (prev == origins_.end()) prev = here.find(id);
      if (prev != origins_.end() && prev != here.end()) {
        return InvalidArgumentError(origin + ": duplicate policy id " + id + " (first defined at " +
                                    prev->second + ")");
      }
      here.emplace(id, origin);
      compiled.emplace_back(std::move(check), origin);
    }
  }
  for (auto& [check, origin] : compiled) {
    std::string id = check->info().id;
    VIGIL_RETURN_IF_ERROR(Annotate(registry_.Add(std::move(check)), origin));
    origins_.emplace(std::move(id), std::move(origin));
  }
  return OkStatus();
}

Status PolicySet::AddPath(const FileSystem& fs, const std::string& path) {
  auto info = fs.Stat(path);
  if (!info.ok()) return Annotate(info.status(), "policy " + path);
  if (info->type != FileType::kDirectory) {
    VIGIL_ASSIGN_OR_RETURN(std::string text, fs.ReadFile(path, kMaxPolicyFileBytes));
    return AddText(text, path);
  }
  std::vector<std::string> files;
  VIGIL_RETURN_IF_ERROR(Walk(fs, path, [&](const std::string& p, const FileInfo& fi) {
    std::string lower = ToLower(p);
    if (fi.type == FileType::kRegular && (EndsWith(lower, ".yaml") || EndsWith(lower, ".yml"))) {
      files.push_back(p);
    }
    return true;
  }));
  std::sort(files.begin(), files.end());
  if (files.empty()) return NotFoundError("policy directory " + path + ": no *.yaml files");
  for (const std::string& f : files) {
    VIGIL_ASSIGN_OR_RETURN(std::string text, fs.ReadFile(f, kMaxPolicyFileBytes));
    VIGIL_RETURN_IF_ERROR(AddText(text, f));
  }
  return OkStatus();
}

}  // namespace vigil::config
