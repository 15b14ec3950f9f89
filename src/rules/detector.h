// The rule engine as one of the agent's detectors (`vigil agent --rules`): loads the rule set
// (the built-in defaults, the user's files, or both), evaluates every event with it, and on
// SIGHUP loads the files again and swaps the compiled engine between two events. The run-time
// State belongs to the agent, so a reload loses no process, fd or container.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "rules/rules.h"
#include "runtime/agent.h"

namespace vigil::rules {

struct RuleSetConfig {
  // Rule files loaded in order (later ones append to / override earlier ones). Empty = the
  // built-in set alone.
  std::vector<std::string> files;
  // Load the built-in set before `files` (so they can append to or override default rules,
  // as falco_rules.local.yaml does with falco_rules.yaml). Implied when `files` is empty.
  bool with_defaults = false;
  LoadOptions load;
};

// What a rule set was loaded from, for messages: "built-in", "a.yaml, b.yaml",
// "built-in + a.yaml".
std::string DescribeRuleSet(const RuleSetConfig& config);

// Loads the configured rule set; errors are "file:line: rule 'X': message".
StatusOr<std::shared_ptr<const Engine>> LoadRuleSet(const RuleSetConfig& config,
                                                    std::vector<Diagnostic>* warnings = nullptr);

// `vigil agent --rules-check`: every error and warning of `config`'s files (not only the
// first), on top of the built-in set when `config.with_defaults`.
CheckReport CheckRuleSet(const RuleSetConfig& config);

class RulesDetector : public runtime::Detector {
 public:
  // Loads the rule set; the load's warnings are kept for the caller to print (warnings()).
  static StatusOr<std::unique_ptr<RulesDetector>> Create(RuleSetConfig config);

  std::string_view name() const override { return "rules"; }
  void OnEvent(const runtime::Event& event, runtime::State* state,
               runtime::AlertEmitter& out) override;
  // Loads the files again; on success the new engine replaces the old one for the next event,
  // on failure (a syntax error, an unreadable file) the old engine stays and the error is
  // returned.
  Status Reload() override;
  std::string Describe() const override;
  void AppendMetrics(runtime::PrometheusPage& page) const override;

  const std::shared_ptr<const Engine>& engine() const { return engine_; }
  // Warnings of the latest successful load (rules skipped for unsupported fields, ...).
  const std::vector<Diagnostic>& warnings() const { return warnings_; }

 private:
  explicit RulesDetector(RuleSetConfig config);

  RuleSetConfig config_;
  std::shared_ptr<const Engine> engine_;
  std::vector<Diagnostic> warnings_;
  uint64_t loads_ = 0;
  uint64_t failed_loads_ = 0;
  // The sink handed to Engine::Process, built once: it forwards to `out_` (set per event), so
  // no std::function is constructed in the event path.
  runtime::AlertEmitter* out_ = nullptr;
  AlertSink sink_;
};

}  // namespace vigil::rules
