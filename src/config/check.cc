#include "config/check.h"

#include <charconv>

namespace vigil::config {

std::string K8sVersion::ToString() const {
  if (latest) return "latest";
  return "v" + std::to_string(major) + "." + std::to_string(minor);
}

StatusOr<K8sVersion> ParseK8sVersion(std::string_view text) {
  K8sVersion v;
  if (text.empty() || text == "latest") return v;
  std::string_view s = text;
  if (s.front() == 'v') s.remove_prefix(1);
  size_t dot = s.find('.');
  if (dot == std::string_view::npos) {
    return InvalidArgumentError("kubernetes version \"" + std::string(text) +
                                "\": want vMAJOR.MINOR or latest");
  }
  std::string_view maj = s.substr(0, dot), min = s.substr(dot + 1);
  size_t dot2 = min.find('.');  // a patch level is accepted and ignored
  if (dot2 != std::string_view::npos) min = min.substr(0, dot2);
  auto parse = [](std::string_view p, int* out) {
    auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), *out);
    return ec == std::errc() && ptr == p.data() + p.size() && !p.empty();
  };
  if (!parse(maj, &v.major) || !parse(min, &v.minor) || v.major != 1) {
    return InvalidArgumentError("kubernetes version \"" + std::string(text) +
                                "\": want v1.MINOR or latest");
  }
  v.latest = false;
  return v;
}

const std::vector<std::string>& PodSpecKinds() { return PodSpecKindList(); }

Status CheckRegistry::Add(std::unique_ptr<Check> check) {
  const CheckInfo& info = check->info();
  if (info.id.empty()) return InvalidArgumentError("check without id");
  if (Find(info.id) != nullptr) return AlreadyExistsError("duplicate check id " + info.id);
  if (info.applies_to.empty()) return InvalidArgumentError(info.id + ": applies to no kind");
  const Check* raw = check.get();
  if (check->cross_resource()) {
    cross_.push_back(raw);
    checks_.push_back(std::move(check));
    return OkStatus();
  }
  for (const auto& kind : info.applies_to) {
    if (kind == "*") {
      wildcard_.push_back(raw);
      for (auto& [k, list] : by_kind_) list.push_back(raw);
    } else {
      auto [it, inserted] = by_kind_.try_emplace(kind);
      if (inserted) it->second = wildcard_;
      if (it->second.empty() || it->second.back() != raw) it->second.push_back(raw);
    }
  }
  checks_.push_back(std::move(check));
  return OkStatus();
}

const std::vector<const Check*>& CheckRegistry::ChecksFor(std::string_view kind) const {
  auto it = by_kind_.find(kind);
  return it == by_kind_.end() ? wildcard_ : it->second;
}

const Check* CheckRegistry::Find(std::string_view id) const {
  for (const auto& c : checks_) {
    if (c->info().id == id) return c.get();
  }
  return nullptr;
}

report::Finding MakeFinding(const CheckInfo& info, const Resource& r, const Violation& v) {
  report::Finding f;
  f.kind = report::FindingKind::kMisconfig;
  f.id = info.id;
  f.severity = info.severity;
  f.title = info.title;
  f.description = v.message.empty() ? info.rationale : v.message;
  f.location.path = r.file;
  f.location.line = v.line > 0 ? v.line : r.LineOf(v.path);
  f.location.resource = r.Id();
  f.status = "fail";
  f.controls = info.controls;
  f.references = info.references;
  f.remediation = info.remediation;
  f.data_source = "vigil:config";
  return f;
}

}  // namespace vigil::config
