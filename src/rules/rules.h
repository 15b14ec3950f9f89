// The rule engine: Falco-syntax rule files (rules, macros, lists, exceptions, append and
// override) compiled once into an immutable matcher set indexed by event type, evaluated on
// every runtime::Event with the run-time State for enrichment. docs/rules.md is the user
// reference (language, fields and their mapping to Event/State, differences from Falco).
//
// Lifecycle: Engine::Load* parses and compiles; the result is a shared_ptr<const Engine> the
// agent keeps and swaps for a new one on SIGHUP (the State lives outside the engine, so a
// reload loses nothing). Process() is const and thread-compatible: concurrent calls on one
// Engine from different threads are safe (per-call scratch is thread-local).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "report/alert.h"
#include "runtime/event.h"
#include "runtime/state.h"

namespace vigil::rules {

// Falco's priorities and alerts are the report model's (report/alert.h): the agent, its
// outputs and the report writers share one alert type.
using report::Alert;
using report::ParsePriority;
using report::Priority;
using report::PriorityName;

// Called once per alert, on the thread that called Process, during the call.
using AlertSink = std::function<void(const Alert&)>;

// A rule file's text and the name messages use for it (a path, or "data/rules/x.yaml" for
// the embedded defaults).
struct RuleSource {
  std::string name;
  std::string text;
};

// One load message: "file:line: rule 'X': message".
struct Diagnostic {
  enum class Level : uint8_t { kWarning, kError };
  Level level = Level::kError;
  std::string file;
  int line = 0;      // 1-based; 0 when not known
  std::string item;  // "rule 'Terminal shell in container'", "macro 'open_read'", ""
  std::string message;
  std::string ToString() const;
};

struct LoadOptions {
  // Rules below this priority are not loaded (Falco's `priority` setting).
  Priority min_priority = Priority::kDebug;
  // Warnings (rules skipped for a field Vigil does not support, an unknown item key) become
  // errors: for CI checks of rule files meant for Vigil only.
  bool strict = false;
  // Appended by R1 (session 6): evaluate every rule's whole condition on every event, as
  // compiled, with no per-type specialisation, guards, shared results or field cache. Slow; the
  // reference the optimised engine is checked against (engine_test's differential test).
  bool unoptimized = false;
};

// What a loaded rule looks like from outside (for --rules-check, listings and tests).
struct RuleInfo {
  std::string name;
  std::string desc;
  Priority priority = Priority::kWarning;
  std::vector<std::string> tags;
  std::vector<std::string> event_types;  // empty = the rule runs on every event type
  std::string file;
  int line = 0;
};

class Engine {
 public:
  // Loads `sources` in order (later files append to / override earlier ones, as Falco does),
  // compiles every enabled rule. The first error fails the load with "file:line: rule 'X':
  // message"; warnings (rules skipped because they use a field Vigil does not support, rules
  // matching every event type) go to `warnings` when given.
  static StatusOr<std::shared_ptr<const Engine>> Load(const std::vector<RuleSource>& sources,
                                                      const LoadOptions& options = {},
                                                      std::vector<Diagnostic>* warnings = nullptr);
  // Reads the files (errors name the file) and loads them.
  static StatusOr<std::shared_ptr<const Engine>> LoadFiles(
      const std::vector<std::string>& paths, const LoadOptions& options = {},
      std::vector<Diagnostic>* warnings = nullptr);
  // The built-in rule set (data/rules/*.yaml embedded in the binary).
  static StatusOr<std::shared_ptr<const Engine>> LoadDefault(
      const LoadOptions& options = {}, std::vector<Diagnostic>* warnings = nullptr);

  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Evaluates the rules that can match `event`'s type and calls `sink` for each match, in
  // rule file order. `state` (may be null) enriches proc.*, fd.* and container.* fields; the
  // caller applies the event to it first, as the agent does. kSyscallCounts and kDrops events
  // match no rule (the agent reports drops itself). Never throws, never allocates for an
  // event no rule can match.
  void Process(const runtime::Event& event, runtime::State* state, const AlertSink& sink) const;

  const std::vector<RuleInfo>& rules() const;
  size_t rule_count() const { return rules().size(); }

  struct Impl;

 private:
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The embedded default rule files, in load order.
std::vector<RuleSource> DefaultRuleSources();

// `vigil agent --rules-check FILE...`: loads the files (after the defaults when
// `with_defaults`, so files that append to default rules check too) and reports every error
// and warning rather than stopping at the first.
struct CheckReport {
  std::vector<Diagnostic> diagnostics;
  size_t rules_loaded = 0;
  size_t rules_skipped = 0;      // disabled, below min_priority, or using unsupported fields
  bool ok() const;               // no error-level diagnostic
  std::string ToString() const;  // one diagnostic per line, then a summary line
};
CheckReport CheckFiles(const std::vector<std::string>& paths, bool with_defaults = false,
                       const LoadOptions& options = {});
CheckReport CheckSources(const std::vector<RuleSource>& sources, const LoadOptions& options = {});

}  // namespace vigil::rules
