#include "rules/detector.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "fmt/format.h"

namespace vigil::rules {
namespace {

// The same message as Engine::LoadFiles gives for a file it cannot read.
StatusOr<std::string> ReadRuleFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError(fmt::format("{}: cannot read: {}", path, std::strerror(errno)));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

std::string DescribeRuleSet(const RuleSetConfig& config) {
  std::string s;
  if (config.files.empty() || config.with_defaults) s = "built-in";
  for (const std::string& f : config.files) {
    if (!s.empty()) s += s == "built-in" ? " + " : ", ";
    s += f;
  }
  return s;
}

StatusOr<std::shared_ptr<const Engine>> LoadRuleSet(const RuleSetConfig& config,
                                                    std::vector<Diagnostic>* warnings) {
  if (config.files.empty()) return Engine::LoadDefault(config.load, warnings);
  if (!config.with_defaults) return Engine::LoadFiles(config.files, config.load, warnings);
  // The defaults first, then the user's files, read now: a file that cannot be read fails the
  // load with its name, as Engine::LoadFiles does.
  std::vector<RuleSource> sources = DefaultRuleSources();
  for (const std::string& path : config.files) {
    StatusOr<std::string> text = ReadRuleFile(path);
    if (!text.ok()) return text.status();
    sources.push_back(RuleSource{path, std::move(*text)});
  }
  return Engine::Load(sources, config.load, warnings);
}

CheckReport CheckRuleSet(const RuleSetConfig& config) {
  if (config.files.empty()) return CheckSources(DefaultRuleSources(), config.load);
  return CheckFiles(config.files, config.with_defaults, config.load);
}

RulesDetector::RulesDetector(RuleSetConfig config) : config_(std::move(config)) {
  sink_ = [this](const Alert& alert) { out_->Emit(alert); };
}

StatusOr<std::unique_ptr<RulesDetector>> RulesDetector::Create(RuleSetConfig config) {
  std::unique_ptr<RulesDetector> d(new RulesDetector(std::move(config)));
  VIGIL_RETURN_IF_ERROR(d->Reload());
  return d;
}

void RulesDetector::OnEvent(const runtime::Event& event, runtime::State* state,
                            runtime::AlertEmitter& out) {
  out_ = &out;
  engine_->Process(event, state, sink_);
}

Status RulesDetector::Reload() {
  std::vector<Diagnostic> warnings;
  StatusOr<std::shared_ptr<const Engine>> loaded = LoadRuleSet(config_, &warnings);
  if (!loaded.ok()) {
    ++failed_loads_;
    return loaded.status();
  }
  ++loads_;
  engine_ = std::move(*loaded);
  warnings_ = std::move(warnings);
  return OkStatus();
}

std::string RulesDetector::Describe() const {
  size_t n = engine_ != nullptr ? engine_->rule_count() : 0;
  std::string s = fmt::format("{} rule{} ({})", n, n == 1 ? "" : "s", DescribeRuleSet(config_));
  if (!warnings_.empty()) {
    s += fmt::format(", {} warning{}", warnings_.size(), warnings_.size() == 1 ? "" : "s");
  }
  return s;
}

void RulesDetector::AppendMetrics(runtime::PrometheusPage& page) const {
  page.Family("vigil_rules_loaded", "gauge", "Rules in the active rule set.");
  page.Sample("vigil_rules_loaded",
              static_cast<double>(engine_ != nullptr ? engine_->rule_count() : 0));
  page.Family("vigil_rules_loads_total", "counter",
              "Rule set loads (start and SIGHUP), by result; a failed load keeps the previous "
              "rules.");
  page.Sample("vigil_rules_loads_total", {{"result", "ok"}}, static_cast<double>(loads_));
  page.Sample("vigil_rules_loads_total", {{"result", "error"}}, static_cast<double>(failed_loads_));
}

}  // namespace vigil::rules
