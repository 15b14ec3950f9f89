// Rule file loading (internal to the rules library): YAML items to rule, macro and list
// definitions with Falco's append/override semantics applied in file order. Conditions stay
// text here (Falco appends condition text); the compiler (engine.cc) parses them.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "rules/rules.h"

namespace vigil::rules::internal {

struct Location {
  std::string file;
  int line = 0;
};

struct ListDef {
  std::vector<std::string> items;
  Location loc;
};

struct MacroDef {
  std::string condition;
  Location loc;
};

// One exception value: a scalar, or a list (for `in`/`pmatch` comparisons).
struct ExceptionValue {
  bool is_list = false;
  std::vector<std::string> items;  // a scalar is one item
};

struct ExceptionDef {
  std::string name;
  std::vector<std::string> fields;
  std::vector<std::string> comps;
  bool single_field = false;  // `fields: proc.name` (values are then the list of one comparison)
  std::vector<std::vector<ExceptionValue>> values;  // one tuple per entry (single: 1 element)
  Location loc;
};

struct RuleDef {
  std::string name;
  std::string desc;
  std::string condition;
  std::string output;
  Priority priority = Priority::kWarning;
  std::vector<std::string> tags;
  bool enabled = true;
  std::vector<ExceptionDef> exceptions;
  std::string source = "syscall";
  bool skip_if_unknown_filter = false;
  Location loc;
};

struct LoadedFiles {
  std::map<std::string, ListDef> lists;
  std::map<std::string, MacroDef> macros;
  std::vector<RuleDef> rules;  // file order; a redefinition replaces in place
};

// Applies every item of `sources` in order. Each problem is appended to `diags`; with
// `stop_at_error` loading stops at the first error (the engine's load), otherwise it goes on
// with the next item (--rules-check).
void LoadRuleFiles(const std::vector<RuleSource>& sources, const LoadOptions& options,
                   bool stop_at_error, LoadedFiles* out, std::vector<Diagnostic>* diags);

}  // namespace vigil::rules::internal
