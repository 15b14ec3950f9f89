// Test support: event scripts (YAML lists of synthetic-builder steps) run through the real
// run-time State and an Engine, with container metadata injected per cgroup id (what the
// runtimes' metadata lookup would give; unit tests query no runtime).
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "rules/rules.h"
#include "runtime/state.h"
#include "runtime/synthetic.h"

namespace vigil::rules::testing {

// The real State, with Container() answered from `containers` for the cgroup ids it lists.
class TestState : public runtime::State {
 public:
  static std::unique_ptr<TestState> Create(std::map<uint64_t, runtime::ContainerInfo> containers);
  Status LoadExisting() override { return OkStatus(); }
  void Apply(const runtime::Event& event) override { real_->Apply(event); }
  const runtime::ProcessInfo* Process(uint32_t pid) const override { return real_->Process(pid); }
  const runtime::ContainerInfo& Container(uint64_t cgroup_id) override;
  size_t process_count() const override { return real_->process_count(); }
  size_t container_count() const override { return containers_.size(); }
  const runtime::ProcessInfo* Ancestor(uint32_t pid, int generation) const override {
    return real_->Ancestor(pid, generation);
  }
  void WaitForContainerLookups(int timeout_ms) override {}
  runtime::StateStats stats() const override { return real_->stats(); }

 private:
  std::unique_ptr<runtime::State> real_;
  std::map<uint64_t, runtime::ContainerInfo> containers_;
};

// `containers:` of a script: {cgroup id: {id, name, image, image_digest, pod, namespace}}.
std::map<uint64_t, runtime::ContainerInfo> ParseContainers(const YAML::Node& node);

// Appends a step list (see testdata/rules/README.md) to `builder`.
Status AddSteps(const YAML::Node& steps, runtime::SyntheticBuilder* builder);

// Runs the builder's events through state (Apply, then Process) and returns every alert.
std::vector<Alert> Run(const Engine& engine, const runtime::SyntheticBuilder& builder,
                       TestState* state);

// Runs `steps` on a fresh state with `containers`.
StatusOr<std::vector<Alert>> RunSteps(const Engine& engine, const YAML::Node& steps,
                                      const std::map<uint64_t, runtime::ContainerInfo>& containers);

// testdata/rules under test_paths::SourceDir(), or under the source tree the tests were built
// from when they run elsewhere.
std::filesystem::path TestDataDir();

}  // namespace vigil::rules::testing
