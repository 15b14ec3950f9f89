#include "rules/loader.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <set>

#include "rules/condition.h"

namespace vigil::rules::internal {
namespace {

// Thrown inside this file only, caught per item: one bad item is one diagnostic.
struct ItemError {
  int line;
  std::string message;
};

int LineOf(const YAML::Node& n) { return n.Mark().line >= 0 ? n.Mark().line + 1 : 0; }

std::string Scalar(const YAML::Node& item, std::string_view key) {
  YAML::Node n = item[std::string(key)];
  if (!n || n.IsNull()) return "";
  if (!n.IsScalar()) throw ItemError{LineOf(n), fmt::format("'{}' must be a string", key)};
  return n.Scalar();
}

bool Bool(const YAML::Node& n, std::string_view key) {
  if (!n.IsScalar()) throw ItemError{LineOf(n), fmt::format("'{}' must be true or false", key)};
  const std::string& s = n.Scalar();
  if (s == "true" || s == "True" || s == "TRUE" || s == "yes") return true;
  if (s == "false" || s == "False" || s == "FALSE" || s == "no") return false;
  throw ItemError{LineOf(n), fmt::format("'{}' must be true or false, not '{}'", key, s)};
}

// A list of strings; a lone scalar is a one-item list (Falco accepts `items: cp`).
std::vector<std::string> StringList(const YAML::Node& n, std::string_view key) {
  std::vector<std::string> out;
  if (!n || n.IsNull()) return out;
  if (n.IsScalar()) {
    out.push_back(n.Scalar());
    return out;
  }
  if (!n.IsSequence()) throw ItemError{LineOf(n), fmt::format("'{}' must be a list", key)};
  for (const YAML::Node& v : n) {
    if (!v.IsScalar()) {
      throw ItemError{LineOf(v), fmt::format("'{}' items must be strings", key)};
    }
    out.push_back(v.Scalar());
  }
  return out;
}

std::vector<ExceptionDef> ParseExceptions(const YAML::Node& n, const Location& where) {
  std::vector<ExceptionDef> out;
  if (!n || n.IsNull()) return out;
  if (!n.IsSequence()) throw ItemError{LineOf(n), "'exceptions' must be a list"};
  for (const YAML::Node& e : n) {
    if (!e.IsMap()) throw ItemError{LineOf(e), "an exception must be a mapping"};
    ExceptionDef def;
    def.loc = {where.file, LineOf(e)};
    for (const auto& kv : e) {
      std::string k = kv.first.Scalar();
      if (k != "name" && k != "fields" && k != "comps" && k != "values") {
        throw ItemError{LineOf(kv.first), fmt::format("unknown exception key '{}'", k)};
      }
    }
    def.name = Scalar(e, "name");
    if (def.name.empty()) throw ItemError{LineOf(e), "an exception needs a 'name'"};
    YAML::Node fields = e["fields"];
    if (fields && fields.IsScalar()) {
      def.single_field = true;
      def.fields.push_back(fields.Scalar());
      YAML::Node comps = e["comps"];
      if (comps && !comps.IsNull()) {
        if (!comps.IsScalar()) {
          throw ItemError{LineOf(comps), "'comps' must be one operator when 'fields' is one field"};
        }
        def.comps.push_back(comps.Scalar());
      } else {
        def.comps.push_back("in");
      }
      YAML::Node values = e["values"];
      if (values && !values.IsNull()) {
        ExceptionValue v;
        v.is_list = true;
        v.items = StringList(values, "values");
        def.values.push_back({std::move(v)});
      }
    } else {
      def.fields = StringList(fields, "fields");
      YAML::Node comps = e["comps"];
      def.comps = StringList(comps, "comps");
      if (def.comps.empty()) def.comps.assign(def.fields.size(), "=");
      if (!def.fields.empty() && def.comps.size() != def.fields.size()) {
        throw ItemError{LineOf(e), fmt::format("exception '{}': {} fields but {} comps", def.name,
                                               def.fields.size(), def.comps.size())};
      }
      YAML::Node values = e["values"];
      if (values && !values.IsNull()) {
        if (!values.IsSequence()) throw ItemError{LineOf(values), "'values' must be a list"};
        for (const YAML::Node& tuple : values) {
          if (def.fields.empty() && tuple.IsScalar()) {
            // Values appended to an existing exception without restating its fields: the
            // existing definition decides their shape (AppendExceptions).
            ExceptionValue ev;
            ev.items.push_back(tuple.Scalar());
            def.values.push_back({std::move(ev)});
            continue;
          }
          if (!tuple.IsSequence()) {
            throw ItemError{LineOf(tuple), fmt::format("exception '{}': each value must be a "
                                                       "list with one entry per field",
                                                       def.name)};
          }
          std::vector<ExceptionValue> row;
          for (const YAML::Node& v : tuple) {
            ExceptionValue ev;
            if (v.IsSequence()) {
              ev.is_list = true;
              ev.items = StringList(v, "values");
            } else if (v.IsScalar()) {
              ev.items.push_back(v.Scalar());
            } else {
              throw ItemError{LineOf(v), "exception values must be strings or lists"};
            }
            row.push_back(std::move(ev));
          }
          if (!def.fields.empty() && row.size() != def.fields.size()) {
            throw ItemError{LineOf(tuple),
                            fmt::format("exception '{}': a value has {} entries for {} fields",
                                        def.name, row.size(), def.fields.size())};
          }
          def.values.push_back(std::move(row));
        }
      }
    }
    for (const std::string& c : def.comps) {
      if (!IsBinaryOperator(c) && !IsListOperator(c)) {
        throw ItemError{LineOf(e),
                        fmt::format("exception '{}': unknown comparison '{}'", def.name, c)};
      }
    }
    out.push_back(std::move(def));
  }
  return out;
}

enum class Mode { kDefine, kAppend, kOverride };

class Loader {
 public:
  Loader(const LoadOptions& options, bool stop, LoadedFiles* out, std::vector<Diagnostic>* diags)
      : options_(options), stop_(stop), out_(out), diags_(diags) {}

  // false when loading must stop.
  bool LoadSource(const RuleSource& src) {
    file_ = src.name;
    YAML::Node root;
    try {
      root = YAML::Load(src.text);
    } catch (const YAML::Exception& e) {
      Add(Diagnostic::Level::kError, e.mark.line >= 0 ? e.mark.line + 1 : 0, "",
          fmt::format("YAML syntax: {}", e.msg));
      return !stop_;
    }
    if (root.IsNull()) return true;
    if (!root.IsSequence()) {
      Add(Diagnostic::Level::kError, LineOf(root), "",
          "a rules file must be a list of rule, macro and list items");
      return !stop_;
    }
    for (const YAML::Node& item : root) {
      item_.clear();
      try {
        LoadItem(item);
      } catch (const ItemError& e) {
        Add(Diagnostic::Level::kError, e.line, item_, e.message);
        if (stop_) return false;
      } catch (const YAML::Exception& e) {
        Add(Diagnostic::Level::kError, e.mark.line >= 0 ? e.mark.line + 1 : LineOf(item), item_,
            e.msg);
        if (stop_) return false;
      }
    }
    return true;
  }

 private:
  void Add(Diagnostic::Level level, int line, const std::string& item, std::string message) {
    diags_->push_back(Diagnostic{level, file_, line, item, std::move(message)});
  }
  void Warn(int line, std::string message) {
    if (options_.strict) throw ItemError{line, std::move(message)};
    Add(Diagnostic::Level::kWarning, line, item_, std::move(message));
  }

  // The item's mode: append: true, override: {...}, or a (re)definition. `overrides` gets the
  // override mapping's key -> append|replace.
  Mode ModeOf(const YAML::Node& item, std::map<std::string, std::string>* overrides) {
    YAML::Node append = item["append"];
    YAML::Node override_node = item["override"];
    bool appending = append && !append.IsNull() && Bool(append, "append");
    if (override_node && !override_node.IsNull()) {
      if (appending) throw ItemError{LineOf(override_node), "'append' and 'override' together"};
      if (!override_node.IsMap())
        throw ItemError{LineOf(override_node), "'override' must be a mapping"};
      for (const auto& kv : override_node) {
        std::string key = kv.first.Scalar();
        std::string how = kv.second.IsScalar() ? kv.second.Scalar() : "";
        if (how != "append" && how != "replace") {
          throw ItemError{LineOf(kv.second),
                          fmt::format("override of '{}' must be append or replace", key)};
        }
        if (!item[key]) {
          throw ItemError{LineOf(kv.first),
                          fmt::format("override of '{}' but the item has no '{}'", key, key)};
        }
        (*overrides)[key] = how;
      }
      for (const auto& kv : item) {
        std::string key = kv.first.Scalar();
        if (key == "rule" || key == "macro" || key == "list" || key == "override") continue;
        if (!overrides->count(key)) {
          throw ItemError{LineOf(kv.first),
                          fmt::format("'{}' is given without an override entry for it", key)};
        }
      }
      return Mode::kOverride;
    }
    return appending ? Mode::kAppend : Mode::kDefine;
  }

  void CheckKeys(const YAML::Node& item, std::initializer_list<std::string_view> known) {
    for (const auto& kv : item) {
      std::string key = kv.first.Scalar();
      bool ok = false;
      for (std::string_view k : known) ok = ok || k == key;
      if (!ok) Warn(LineOf(kv.first), fmt::format("unknown key '{}' ignored", key));
    }
  }

  void LoadItem(const YAML::Node& item) {
    if (!item.IsMap()) throw ItemError{LineOf(item), "an item must be a mapping"};
    int line = LineOf(item);
    if (item["required_engine_version"] || item["required_plugin_versions"]) {
      // Accepted: Vigil implements the rule language of Falco's 0.3x engine; plugin rule
      // files are loaded for their syscall-source rules only.
      return;
    }
    if (item["list"]) return LoadList(item, line);
    if (item["macro"]) return LoadMacro(item, line);
    if (item["rule"]) return LoadRule(item, line);
    throw ItemError{line,
                    "unknown item: expected 'rule', 'macro', 'list' or "
                    "'required_engine_version'"};
  }

  void LoadList(const YAML::Node& item, int line) {
    std::string name = Scalar(item, "list");
    item_ = fmt::format("list '{}'", name);
    if (name.empty()) throw ItemError{line, "a list needs a name"};
    CheckKeys(item, {"list", "items", "append", "override"});
    std::map<std::string, std::string> ov;
    Mode mode = ModeOf(item, &ov);
    std::vector<std::string> items = StringList(item["items"], "items");
    auto it = out_->lists.find(name);
    bool append = mode == Mode::kAppend || (mode == Mode::kOverride && ov["items"] == "append");
    if (mode != Mode::kDefine && it == out_->lists.end()) {
      throw ItemError{line, "appends to / overrides a list that is not defined"};
    }
    if (append) {
      it->second.items.insert(it->second.items.end(), items.begin(), items.end());
      return;
    }
    if (mode == Mode::kDefine && !item["items"]) throw ItemError{line, "a list needs 'items'"};
    out_->lists[name] = ListDef{std::move(items), {file_, line}};
  }

  void LoadMacro(const YAML::Node& item, int line) {
    std::string name = Scalar(item, "macro");
    item_ = fmt::format("macro '{}'", name);
    if (name.empty()) throw ItemError{line, "a macro needs a name"};
    CheckKeys(item, {"macro", "condition", "append", "override", "source"});
    std::map<std::string, std::string> ov;
    Mode mode = ModeOf(item, &ov);
    std::string cond = Scalar(item, "condition");
    if (!item["condition"]) throw ItemError{line, "a macro needs a 'condition'"};
    auto it = out_->macros.find(name);
    if (mode != Mode::kDefine && it == out_->macros.end()) {
      throw ItemError{line, "appends to / overrides a macro that is not defined"};
    }
    if (mode == Mode::kAppend || (mode == Mode::kOverride && ov["condition"] == "append")) {
      it->second.condition += " " + cond;
      return;
    }
    out_->macros[name] = MacroDef{std::move(cond), {file_, line}};
  }

  RuleDef* Find(const std::string& name) {
    for (RuleDef& r : out_->rules) {
      if (r.name == name) return &r;
    }
    return nullptr;
  }

  static void AppendExceptions(RuleDef* rule, std::vector<ExceptionDef> extra) {
    for (ExceptionDef& e : extra) {
      ExceptionDef* existing = nullptr;
      for (ExceptionDef& x : rule->exceptions) {
        if (x.name == e.name) existing = &x;
      }
      if (existing && existing->single_field) {
        if (existing->values.empty()) existing->values.push_back({ExceptionValue{true, {}}});
        for (const auto& row : e.values) {
          for (const ExceptionValue& v : row) {
            auto& items = existing->values[0][0].items;
            items.insert(items.end(), v.items.begin(), v.items.end());
          }
        }
      } else if (existing) {
        for (const auto& row : e.values) {
          if (row.size() != existing->fields.size()) {
            throw ItemError{e.loc.line,
                            fmt::format("exception '{}': a value has {} entries for {} fields",
                                        e.name, row.size(), existing->fields.size())};
          }
          existing->values.push_back(row);
        }
      } else {
        if (e.fields.empty()) {
          throw ItemError{e.loc.line,
                          fmt::format("exception '{}' is new but has no 'fields'", e.name)};
        }
        rule->exceptions.push_back(std::move(e));
      }
    }
  }

  void LoadRule(const YAML::Node& item, int line) {
    std::string name = Scalar(item, "rule");
    item_ = fmt::format("rule '{}'", name);
    if (name.empty()) throw ItemError{line, "a rule needs a name"};
    CheckKeys(item, {"rule", "desc", "condition", "output", "priority", "tags", "enabled",
                     "exceptions", "append", "override", "source", "skip-if-unknown-filter",
                     "warn_evttypes", "capture", "capture_duration"});
    std::map<std::string, std::string> ov;
    Mode mode = ModeOf(item, &ov);
    Location loc{file_, line};
    RuleDef* existing = Find(name);
    if (mode != Mode::kDefine && !existing) {
      throw ItemError{line, "appends to / overrides a rule that is not defined"};
    }
    // `- rule: X` with only `enabled:` toggles an existing rule (Falco's legacy form).
    size_t keys = 0;
    for (const auto& kv : item) {
      std::string k = kv.first.Scalar();
      if (k != "rule") ++keys;
    }
    if (mode == Mode::kDefine && keys == 1 && item["enabled"]) {
      if (!existing) throw ItemError{line, "enables/disables a rule that is not defined"};
      existing->enabled = Bool(item["enabled"], "enabled");
      return;
    }
    if (mode == Mode::kAppend) {
      if (item["condition"]) existing->condition += " " + Scalar(item, "condition");
      if (item["exceptions"]) {
        AppendExceptions(existing, ParseExceptions(item["exceptions"], loc));
      }
      for (std::string_view k : {"output", "desc", "priority", "tags"}) {
        if (item[std::string(k)]) {
          Warn(line, fmt::format("'{}' with 'append: true' is ignored (use override)", k));
        }
      }
      return;
    }
    if (mode == Mode::kOverride) {
      static const std::set<std::string> kAppendable = {"condition", "output", "desc", "tags",
                                                        "exceptions"};
      static const std::set<std::string> kReplaceable = {
          "condition", "output",        "desc",
          "priority",  "tags",          "exceptions",
          "enabled",   "warn_evttypes", "skip-if-unknown-filter"};
      for (const auto& [key, how] : ov) {
        if (how == "append" ? !kAppendable.count(key) : !kReplaceable.count(key)) {
          throw ItemError{line, fmt::format("'{}' cannot be overridden with {}", key, how)};
        }
        bool app = how == "append";
        if (key == "condition") {
          std::string v = Scalar(item, key);
          existing->condition = app ? existing->condition + " " + v : v;
        } else if (key == "output") {
          std::string v = Scalar(item, key);
          existing->output = app ? existing->output + " " + v : v;
        } else if (key == "desc") {
          std::string v = Scalar(item, key);
          existing->desc = app ? existing->desc + " " + v : v;
        } else if (key == "priority") {
          existing->priority = PriorityOf(item, line);
        } else if (key == "tags") {
          std::vector<std::string> t = StringList(item["tags"], "tags");
          if (!app) existing->tags.clear();
          existing->tags.insert(existing->tags.end(), t.begin(), t.end());
        } else if (key == "exceptions") {
          std::vector<ExceptionDef> ex = ParseExceptions(item["exceptions"], loc);
          if (app) {
            AppendExceptions(existing, std::move(ex));
          } else {
            existing->exceptions = std::move(ex);
          }
        } else if (key == "enabled") {
          existing->enabled = Bool(item["enabled"], "enabled");
        } else if (key == "skip-if-unknown-filter") {
          existing->skip_if_unknown_filter = Bool(item[key], key);
        }
      }
      return;
    }
    RuleDef rule;
    rule.name = name;
    rule.loc = loc;
    for (std::string_view k : {"condition", "output", "priority"}) {
      if (!item[std::string(k)]) throw ItemError{line, fmt::format("a rule needs '{}'", k)};
    }
    rule.desc = Scalar(item, "desc");
    rule.condition = Scalar(item, "condition");
    rule.output = Scalar(item, "output");
    rule.priority = PriorityOf(item, line);
    rule.tags = StringList(item["tags"], "tags");
    if (item["enabled"]) rule.enabled = Bool(item["enabled"], "enabled");
    if (item["source"]) rule.source = Scalar(item, "source");
    if (item["skip-if-unknown-filter"]) {
      rule.skip_if_unknown_filter = Bool(item["skip-if-unknown-filter"], "skip-if-unknown-filter");
    }
    rule.exceptions = ParseExceptions(item["exceptions"], loc);
    std::set<std::string> names;
    for (const ExceptionDef& e : rule.exceptions) {
      if (e.fields.empty()) {
        throw ItemError{e.loc.line, fmt::format("exception '{}' has no 'fields'", e.name)};
      }
      if (!names.insert(e.name).second) {
        throw ItemError{e.loc.line, fmt::format("exception '{}' defined twice", e.name)};
      }
    }
    if (existing) {
      *existing = std::move(rule);
    } else {
      out_->rules.push_back(std::move(rule));
    }
  }

  Priority PriorityOf(const YAML::Node& item, int line) {
    std::string p = Scalar(item, "priority");
    StatusOr<Priority> parsed = ParsePriority(p);
    if (!parsed.ok()) throw ItemError{LineOf(item["priority"]), parsed.status().message()};
    return *parsed;
  }

  const LoadOptions& options_;
  bool stop_;
  LoadedFiles* out_;
  std::vector<Diagnostic>* diags_;
  std::string file_;
  std::string item_;
};

}  // namespace

void LoadRuleFiles(const std::vector<RuleSource>& sources, const LoadOptions& options,
                   bool stop_at_error, LoadedFiles* out, std::vector<Diagnostic>* diags) {
  Loader loader(options, stop_at_error, out, diags);
  for (const RuleSource& src : sources) {
    if (!loader.LoadSource(src)) return;
  }
}

}  // namespace vigil::rules::internal
