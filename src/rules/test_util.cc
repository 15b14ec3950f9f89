#include "rules/test_util.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/socket.h>

#include <cstdlib>
#include <filesystem>

#include "base/strings.h"
#include "base/test_paths.h"

namespace vigil::rules::testing {
namespace {

// "O_WRONLY|O_TRUNC", "AF_PACKET", "CLONE_NEWUSER", "PTRACE_ATTACH" or a number.
StatusOr<uint64_t> ParseFlags(const std::string& text) {
  static const std::map<std::string, uint64_t> kNames = {
      {"O_RDONLY", O_RDONLY},       {"O_WRONLY", O_WRONLY},       {"O_RDWR", O_RDWR},
      {"O_CREAT", O_CREAT},         {"O_TRUNC", O_TRUNC},         {"O_APPEND", O_APPEND},
      {"O_DIRECTORY", O_DIRECTORY}, {"O_CLOEXEC", O_CLOEXEC},     {"O_EXCL", O_EXCL},
      {"AF_UNIX", AF_UNIX},         {"AF_INET", AF_INET},         {"AF_INET6", AF_INET6},
      {"AF_PACKET", AF_PACKET},     {"SOCK_STREAM", SOCK_STREAM}, {"SOCK_DGRAM", SOCK_DGRAM},
      {"SOCK_RAW", SOCK_RAW},       {"CLONE_NEWNS", 0x00020000},  {"CLONE_NEWUSER", 0x10000000},
      {"CLONE_NEWPID", 0x20000000}, {"CLONE_NEWNET", 0x40000000}, {"PTRACE_TRACEME", 0},
      {"PTRACE_PEEKDATA", 2},       {"PTRACE_POKETEXT", 4},       {"PTRACE_POKEDATA", 5},
      {"PTRACE_CONT", 7},           {"PTRACE_ATTACH", 16},        {"PTRACE_DETACH", 17},
      {"PTRACE_SEIZE", 0x4206},
  };
  uint64_t v = 0;
  for (std::string_view part : Split(text, '|', true)) {
    part = Trim(part);
    auto it = kNames.find(std::string(part));
    if (it != kNames.end()) {
      v |= it->second;
      continue;
    }
    char* end = nullptr;
    std::string s(part);
    uint64_t n = std::strtoull(s.c_str(), &end, 0);
    if (s.empty() || *end != '\0') return InvalidArgumentError(fmt::format("bad flags '{}'", text));
    v |= n;
  }
  return v;
}

std::vector<std::string> Strings(const YAML::Node& n) {
  std::vector<std::string> out;
  if (n.IsScalar()) {
    out.push_back(n.Scalar());
  } else {
    for (const YAML::Node& v : n) out.push_back(v.Scalar());
  }
  return out;
}

Status AddStep(const YAML::Node& step, runtime::SyntheticBuilder* b) {
  if (!step.IsMap()) return InvalidArgumentError("a step must be a mapping");
  auto num = [](const YAML::Node& n) { return n.as<int64_t>(); };
  // Context first, then the operation, then modifiers of the event it added.
  if (step["pid"]) b->Pid(step["pid"].as<uint32_t>());
  if (step["ppid"]) b->Ppid(step["ppid"].as<uint32_t>());
  if (step["uid"])
    b->User(step["uid"].as<uint32_t>(), step["gid"] ? step["gid"].as<uint32_t>() : 0);
  if (step["cgroup"]) b->Cgroup(step["cgroup"].as<uint64_t>());
  if (step["comm"]) b->Comm(step["comm"].Scalar());
  if (step["cwd"]) b->Cwd(step["cwd"].Scalar());
  for (const auto& kv : step) {
    std::string op = kv.first.Scalar();
    const YAML::Node& v = kv.second;
    std::vector<std::string> a = Strings(v);
    auto flags = [&](size_t i) -> StatusOr<uint64_t> {
      return i < a.size() ? ParseFlags(a[i]) : StatusOr<uint64_t>(uint64_t{0});
    };
    if (op == "fork") {
      b->Fork(v.as<uint32_t>());
    } else if (op == "exec") {
      if (a.empty()) return InvalidArgumentError("exec: needs a path");
      std::vector<std::string> argv(a.begin() + 1, a.end());
      b->Exec(a[0], argv);
    } else if (op == "exit") {
      b->Exit(v.as<int32_t>());
    } else if (op == "open") {
      VIGIL_ASSIGN_OR_RETURN(uint64_t f, step["flags"] ? ParseFlags(step["flags"].Scalar())
                                                       : StatusOr<uint64_t>(uint64_t{0}));
      b->Open(a[0], f, step["mode"] ? step["mode"].as<uint32_t>() : 0);
    } else if (op == "close") {
      b->Close(num(v));
    } else if (op == "socket") {
      VIGIL_ASSIGN_OR_RETURN(uint64_t dom, flags(0));
      VIGIL_ASSIGN_OR_RETURN(uint64_t type, flags(1));
      b->Socket(static_cast<uint32_t>(dom), type);
    } else if (op == "connect") {
      b->Connect(a[0]);
    } else if (op == "accept") {
      b->Accept(a[0]);
    } else if (op == "bind") {
      b->Bind(a[0]);
    } else if (op == "dup2") {
      b->Dup2(std::stoll(a.at(0)), std::stoll(a.at(1)));
    } else if (op == "symlink") {
      b->Symlink(a.at(0), a.at(1));
    } else if (op == "link") {
      b->Link(a.at(0), a.at(1));
    } else if (op == "unlink") {
      b->Unlink(a.at(0));
    } else if (op == "rename") {
      b->Rename(a.at(0), a.at(1));
    } else if (op == "chmod") {
      b->Chmod(a.at(0), static_cast<uint32_t>(std::stoul(a.at(1), nullptr, 8)));
    } else if (op == "ptrace") {
      VIGIL_ASSIGN_OR_RETURN(uint64_t req, flags(0));
      b->Ptrace(req, a.size() > 1 ? static_cast<uint32_t>(std::stoul(a[1])) : 0);
    } else if (op == "setuid") {
      b->Setuid(v.as<uint32_t>());
    } else if (op == "mount") {
      b->Mount(a.at(0), a.at(1), 0);
    } else if (op == "unshare") {
      VIGIL_ASSIGN_OR_RETURN(uint64_t f, flags(0));
      b->Unshare(f);
    } else if (op == "memfd_create") {
      b->MemfdCreate(a.at(0), 0);
    } else if (op == "init_module") {
      b->InitModule(a.at(0));
    } else if (op == "finit_module") {
      b->FinitModule(std::stoll(a.at(0)), 0);
    } else if (op == "bpf") {
      b->Bpf(v.as<uint64_t>());
    } else if (op == "syscall") {
      b->Syscall(v.as<int32_t>());
    }
  }
  if (step["ret"]) b->Ret(step["ret"].as<int64_t>());
  if (step["tty"]) b->Tty(step["tty"].as<uint32_t>());
  if (step["upper_layer"] && step["upper_layer"].as<bool>()) b->UpperLayer();
  if (step["memfd_exe"] && step["memfd_exe"].as<bool>()) b->Memfd();
  return b->status();
}

}  // namespace

std::unique_ptr<TestState> TestState::Create(
    std::map<uint64_t, runtime::ContainerInfo> containers) {
  runtime::StateOptions o;
  o.query_runtimes = false;
  o.async_metadata = false;
  o.proc_root = "/nonexistent-vigil-test/proc";
  o.cgroup_root = "/nonexistent-vigil-test/cgroup";
  auto real = runtime::State::Create(o);
  if (!real.ok()) return nullptr;
  auto s = std::unique_ptr<TestState>(new TestState());
  s->real_ = std::move(real).value();
  s->containers_ = std::move(containers);
  return s;
}

const runtime::ContainerInfo& TestState::Container(uint64_t cgroup_id) {
  if (auto it = containers_.find(cgroup_id); it != containers_.end()) return it->second;
  return real_->Container(cgroup_id);
}

std::map<uint64_t, runtime::ContainerInfo> ParseContainers(const YAML::Node& node) {
  std::map<uint64_t, runtime::ContainerInfo> out;
  if (!node) return out;
  for (const auto& kv : node) {
    runtime::ContainerInfo c;
    c.cgroup_id = kv.first.as<uint64_t>();
    const YAML::Node& v = kv.second;
    c.id = v["id"].Scalar();
    c.runtime = "podman";
    if (v["name"]) c.name = v["name"].Scalar();
    if (v["image"]) c.image = v["image"].Scalar();
    if (v["image_digest"]) c.image_digest = v["image_digest"].Scalar();
    if (v["pod"]) c.pod = v["pod"].Scalar();
    if (v["namespace"]) c.pod_namespace = v["namespace"].Scalar();
    out[c.cgroup_id] = c;
  }
  return out;
}

Status AddSteps(const YAML::Node& steps, runtime::SyntheticBuilder* builder) {
  if (!steps.IsSequence()) return InvalidArgumentError("steps must be a list");
  for (const YAML::Node& step : steps) {
    try {
      VIGIL_RETURN_IF_ERROR(AddStep(step, builder));
    } catch (const std::exception& e) {
      return InvalidArgumentError(fmt::format("line {}: {}", step.Mark().line + 1, e.what()));
    }
  }
  return OkStatus();
}

std::vector<Alert> Run(const Engine& engine, const runtime::SyntheticBuilder& builder,
                       TestState* state) {
  std::vector<Alert> alerts;
  for (const runtime::Event& e : builder.events()) {
    if (state) state->Apply(e);
    engine.Process(e, state, [&](const Alert& a) { alerts.push_back(a); });
  }
  return alerts;
}

StatusOr<std::vector<Alert>> RunSteps(
    const Engine& engine, const YAML::Node& steps,
    const std::map<uint64_t, runtime::ContainerInfo>& containers) {
  runtime::SyntheticBuilder b;
  VIGIL_RETURN_IF_ERROR(AddSteps(steps, &b));
  auto state = TestState::Create(containers);
  if (!state) return InternalError("state");
  return Run(engine, b, state.get());
}

std::filesystem::path TestDataDir() {
  std::filesystem::path dir = std::filesystem::path(test_paths::SourceDir()) / "testdata/rules";
  if (!std::filesystem::exists(dir))
    dir = std::filesystem::path(VIGIL_RULES_SOURCE_DIR) / "testdata/rules";
  return dir;
}

}  // namespace vigil::rules::testing
