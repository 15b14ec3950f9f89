#include "ml/profile.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>
#include <utility>

#include "ml/codec.h"
#include "ml/model_checks.h"
#include "ml/models.h"

namespace vigil::ml {
namespace {

// Saturating: hostile bodies may carry counts near the top of the range.
void AddCount(uint64_t* total, uint64_t count) {
  *total = *total > UINT64_MAX - count ? UINT64_MAX : *total + count;
}

// "1 time", "3 times".
std::string Times(uint64_t n) { return std::to_string(n) + (n == 1 ? " time" : " times"); }

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

constexpr std::string_view kWeightKeys[ProfileModel::kKinds] = {
    "w_exec",    "w_file",   "w_sensitive", "w_listen",
    "w_connect", "w_accept", "w_user",      "w_capability"};
constexpr double kWeightDefaults[ProfileModel::kKinds] = {3, 2, 4, 3, 2, 0.5, 3, 3};

bool LooksVariable(std::string_view c) {
  if (c.empty()) return false;
  size_t digits = 0, upper = 0, lower = 0, run = 0, longest_run = 0;
  bool all_hex = true;
  for (char ch : c) {
    unsigned char u = static_cast<unsigned char>(ch);
    if (std::isdigit(u)) {
      ++digits;
      longest_run = std::max(longest_run, ++run);
    } else {
      run = 0;
    }
    if (std::isupper(u)) ++upper;
    if (std::islower(u)) ++lower;
    if (!std::isxdigit(u)) all_hex = false;
  }
  if (digits == c.size()) return true;
  if (c.size() >= 8 && all_hex && digits > 0) return true;
  if (longest_run >= 4) return true;
  return c.size() >= 8 && digits > 0 && upper > 0 && lower > 0;
}

// "10.1.2.0/24" for an IPv4 address; anything else unchanged.
std::string NetworkOf(std::string_view host) {
  int parts[4];
  size_t pos = 0;
  for (int i = 0; i < 4; ++i) {
    size_t end = i < 3 ? host.find('.', pos) : host.size();
    if (end == std::string_view::npos) return std::string(host);
    std::string_view part = host.substr(pos, end - pos);
    auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), parts[i]);
    if (ec != std::errc() || p != part.data() + part.size() || part.empty() || parts[i] < 0 ||
        parts[i] > 255) {
      return std::string(host);
    }
    pos = end + 1;
  }
  return fmt::format("{}.{}.{}.0/24", parts[0], parts[1], parts[2]);
}

// "203.0.113.9:4444" -> ("203.0.113.9", "4444"); "[::1]:53" -> ("[::1]", "53").
std::pair<std::string_view, std::string_view> SplitPeer(std::string_view peer) {
  size_t colon = peer.rfind(':');
  if (colon == std::string_view::npos || StartsWith(peer, "unix:")) return {peer, {}};
  return {peer.substr(0, colon), peer.substr(colon + 1)};
}

}  // namespace

std::string ProfileModel::GeneralizePath(std::string_view path, int depth) {
  std::string out;
  bool absolute = !path.empty() && path[0] == '/';
  int kept = 0;
  size_t i = absolute ? 1 : 0;
  bool first = true;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view c = path.substr(i, j - i);
    i = j + 1;
    if (c.empty()) continue;
    if (absolute || !first) out += '/';
    if (kept == depth) {
      out += '*';
      break;
    }
    // A relative path's first component is context (a comm, "?"), never collapsed.
    out += (!absolute && first) || !LooksVariable(c) ? std::string(c) : std::string("*");
    first = false;
    ++kept;
  }
  if (out.empty()) return absolute ? "/" : std::string(path);
  return out;
}

std::string ProfileModel::Key(const Activity& a) const {
  switch (a.kind) {
    case ActivityKind::kExec: {
      std::string key = GeneralizePath(a.object, 64);
      key += '\0';
      key += GeneralizePath(a.subject, 64);
      return key;
    }
    case ActivityKind::kFileWrite:
      return GeneralizePath(a.object, o_.depth);
    case ActivityKind::kSensitiveRead:
      return GeneralizePath(a.object, 64);
    case ActivityKind::kAccept:
      return NetworkOf(a.object);
    case ActivityKind::kListen:
    case ActivityKind::kConnect:
    case ActivityKind::kUser:
    case ActivityKind::kCapability:
      return a.object;
    case ActivityKind::kBytesIn:
    case ActivityKind::kBytesOut:
      break;
  }
  return {};
}

StatusOr<std::unique_ptr<ProfileModel>> ProfileModel::Create(const ModelOptions& options) {
  Options o;
  VIGIL_ASSIGN_OR_RETURN(int64_t depth, options.Int("depth", 3, 1, 64));
  VIGIL_ASSIGN_OR_RETURN(o.window_s, options.Double("window_s", 10, 0.001, 1e6));
  VIGIL_ASSIGN_OR_RETURN(int64_t max_keys, options.Int("max_keys", 1 << 16, 1, 1 << 24));
  for (size_t k = 0; k < kKinds; ++k) {
    VIGIL_ASSIGN_OR_RETURN(o.weight[k], options.Double(kWeightKeys[k], kWeightDefaults[k], 0, 1e6));
  }
  VIGIL_ASSIGN_OR_RETURN(o.w_workload, options.Double("w_workload", 1, 0, 1e6));
  VIGIL_RETURN_IF_ERROR(options.CheckAllUsed("profile"));
  o.depth = static_cast<int>(depth);
  o.max_keys = static_cast<size_t>(max_keys);
  return std::unique_ptr<ProfileModel>(new ProfileModel(o));
}

StatusOr<std::unique_ptr<Model>> NewProfileModel(const ModelOptions& options) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<ProfileModel> m, ProfileModel::Create(options));
  return std::unique_ptr<Model>(std::move(m));
}

ModelOptions ProfileModel::options() const {
  std::map<std::string, std::string> v;
  v["depth"] = std::to_string(o_.depth);
  v["window_s"] = fmt::format("{}", o_.window_s);
  v["max_keys"] = std::to_string(o_.max_keys);
  for (size_t k = 0; k < kKinds; ++k)
    v[std::string(kWeightKeys[k])] = fmt::format("{}", o_.weight[k]);
  v["w_workload"] = fmt::format("{}", o_.w_workload);
  return ModelOptions(std::move(v));
}

void ProfileModel::AddKey(Profile* p, size_t kind, std::string key, uint64_t count) {
  auto& keys = p->keys[kind];
  auto it = keys.find(key);
  if (it != keys.end()) {
    it->second += count;
  } else if (keys.size() >= o_.max_keys) {
    overflow_ += count;
  } else {
    keys.emplace(std::move(key), count);
  }
}

Status ProfileModel::Learn(const Trace& trace) {
  if (trace.table != SyscallTable::kUnknown) {
    if (table_ == SyscallTable::kUnknown) {
      table_ = trace.table;
    } else if (table_ != trace.table) {
      return InvalidArgumentError(
          fmt::format("profile: trace {} has syscall table {}, the model learned {}", trace.id,
                      SyscallTableName(trace.table), SyscallTableName(table_)));
    }
  }
  auto it = workloads_.find(trace.group);
  if (it == workloads_.end()) {
    if (workloads_.size() >= kMaxWorkloads) {
      return ResourceExhaustedError(
          fmt::format("profile: more than {} workloads (trace {})", kMaxWorkloads, trace.id));
    }
    it = workloads_.emplace(trace.group, Profile{}).first;
  }
  Profile& p = it->second;
  ++p.traces;
  ++traces_;
  for (const Activity& a : trace.activities) {
    size_t kind = static_cast<size_t>(a.kind);
    if (kind >= kKinds) continue;
    AddKey(&p, kind, Key(a), 1);
  }
  prepared_ = false;
  return OkStatus();
}

Status ProfileModel::Merge(const Model& other_model) {
  VIGIL_ASSIGN_OR_RETURN(const ProfileModel* other,
                         MergeSource<ProfileModel>("profile", other_model));
  if (other->options().values() != options().values()) {
    return InvalidArgumentError("profile: cannot merge a model with other options");
  }
  if (other->table_ != SyscallTable::kUnknown && table_ != SyscallTable::kUnknown &&
      other->table_ != table_) {
    return InvalidArgumentError(fmt::format("profile: cannot merge syscall table {} into {}",
                                            SyscallTableName(other->table_),
                                            SyscallTableName(table_)));
  }
  size_t new_workloads = 0;
  for (const auto& [name, p] : other->workloads_) new_workloads += !workloads_.count(name);
  if (workloads_.size() + new_workloads > kMaxWorkloads) {
    return ResourceExhaustedError(fmt::format("profile: more than {} workloads", kMaxWorkloads));
  }
  if (table_ == SyscallTable::kUnknown) table_ = other->table_;
  traces_ += other->traces_;
  overflow_ += other->overflow_;
  for (const auto& [name, op] : other->workloads_) {
    Profile& p = workloads_[name];
    p.traces += op.traces;
    for (size_t k = 0; k < kKinds; ++k) {
      for (const auto& [key, count] : op.keys[k]) AddKey(&p, k, key, count);
    }
  }
  prepared_ = false;
  return OkStatus();
}

Status ProfileModel::Prepare() {
  if (traces_ == 0) return FailedPreconditionError("profile: nothing learned");
  auto derive = [](const Profile& p, Derived* d) {
    *d = Derived{};
    for (const auto& [key, count] : p.keys[static_cast<size_t>(ActivityKind::kExec)]) {
      AddCount(&d->exes[key.substr(0, key.find('\0'))], count);
    }
    for (const auto& [key, count] : p.keys[static_cast<size_t>(ActivityKind::kConnect)]) {
      auto [host, port] = SplitPeer(key);
      AddCount(&d->hosts[std::string(host)], count);
      if (!port.empty()) AddCount(&d->ports[std::string(port)], count);
    }
  };
  pooled_ = Profile{};
  derived_.clear();
  for (const auto& [name, p] : workloads_) {
    pooled_.traces += p.traces;
    for (size_t k = 0; k < kKinds; ++k) {
      for (const auto& [key, count] : p.keys[k]) pooled_.keys[k][key] += count;
    }
    derive(p, &derived_[name]);
  }
  derive(pooled_, &pooled_derived_);
  prepared_ = true;
  return OkStatus();
}

void ProfileModel::Lookup(const Trace& trace, const Profile** p, const Derived** d,
                          bool* unknown) const {
  auto it = workloads_.find(trace.group);
  if (it == workloads_.end()) {
    *p = &pooled_;
    *d = &pooled_derived_;
    *unknown = true;
    return;
  }
  *p = &it->second;
  *d = &derived_.at(trace.group);
  *unknown = false;
}

std::vector<ProfileModel::Novelty> ProfileModel::Novelties(const Trace& trace, size_t begin,
                                                           size_t end, const Profile& p,
                                                           const Derived& d) const {
  std::vector<Novelty> out;
  std::array<std::set<std::string, std::less<>>, kKinds> seen;
  for (size_t i = begin; i < end; ++i) {
    const Activity& a = trace.activities[i];
    size_t kind = static_cast<size_t>(a.kind);
    if (kind >= kKinds) continue;
    std::string key = Key(a);
    if (p.keys[kind].count(key) || !seen[kind].insert(key).second) continue;
    double w = o_.weight[kind];
    std::string detail;
    switch (a.kind) {
      case ActivityKind::kExec: {
        std::string_view exe(key.data(), key.find('\0'));
        if (auto known = d.exes.find(exe); known != d.exes.end()) {
          w /= 2;
          detail = fmt::format(
              "known process {} with a new parent {} (run {} in training, under "
              "other parents)",
              a.object, a.subject, Times(known->second));
        } else {
          detail = fmt::format("new process {} (parent {})", a.object, a.subject);
        }
        break;
      }
      case ActivityKind::kFileWrite:
        detail = key == a.object ? fmt::format("new file written {}", a.object)
                                 : fmt::format("new file written {} ({})", a.object, key);
        break;
      case ActivityKind::kSensitiveRead:
        detail = fmt::format("new sensitive read {}", a.object);
        break;
      case ActivityKind::kListen:
        detail = fmt::format("new listening port {}", a.object);
        break;
      case ActivityKind::kConnect: {
        auto [host, port] = SplitPeer(key);
        auto known_host = d.hosts.find(host);
        auto known_port = port.empty() ? d.ports.end() : d.ports.find(port);
        if (known_host != d.hosts.end()) {
          w /= 2;
          detail =
              fmt::format("new port of a known outbound peer {} (host contacted {} in training)",
                          a.object, Times(known_host->second));
        } else if (known_port != d.ports.end()) {
          w /= 2;
          detail = fmt::format("new outbound peer {} (known port, used {} in training)", a.object,
                               Times(known_port->second));
        } else {
          detail = fmt::format("new outbound peer {}", a.object);
        }
        break;
      }
      case ActivityKind::kAccept:
        detail = fmt::format("new inbound peer {} ({})", a.object, key);
        break;
      case ActivityKind::kUser:
        detail = fmt::format("new user uid {} ({})", a.object, a.subject);
        break;
      case ActivityKind::kCapability:
        detail = fmt::format("new capability {} ({})", a.object, a.subject);
        break;
      default:
        continue;
    }
    out.push_back(Novelty{kind, std::move(key), w, i, std::move(detail)});
  }
  return out;
}

namespace {
std::string_view ReasonKind(ActivityKind kind) {
  switch (kind) {
    case ActivityKind::kExec:
      return "process";
    case ActivityKind::kFileWrite:
    case ActivityKind::kSensitiveRead:
      return "file";
    case ActivityKind::kListen:
    case ActivityKind::kConnect:
    case ActivityKind::kAccept:
      return "network";
    case ActivityKind::kUser:
      return "user";
    case ActivityKind::kCapability:
      return "capability";
    default:
      return "other";
  }
}
}  // namespace

Score ProfileModel::ScoreTrace(const Trace& trace, const ScoreOptions& options) const {
  Score score;
  if (!prepared_) return score;
  const Profile* p;
  const Derived* d;
  bool unknown;
  Lookup(trace, &p, &d, &unknown);
  std::vector<Novelty> novel = Novelties(trace, 0, trace.activities.size(), *p, *d);
  if (unknown) {
    score.value += o_.w_workload;
    score.reasons.push_back(Explanation{
        "workload",
        fmt::format("workload '{}' was never learned: compared with all workloads", trace.group),
        o_.w_workload, 0});
  }
  for (Novelty& n : novel) {
    score.value += n.weight;
    score.reasons.push_back(Explanation{std::string(ReasonKind(static_cast<ActivityKind>(n.kind))),
                                        std::move(n.detail), n.weight, n.position});
  }
  std::stable_sort(score.reasons.begin(), score.reasons.end(),
                   [](const Explanation& a, const Explanation& b) {
                     if (a.weight != b.weight) return a.weight > b.weight;
                     return a.position < b.position;
                   });
  if (score.reasons.size() > options.max_reasons) score.reasons.resize(options.max_reasons);
  return score;
}

void ProfileModel::ScoreEvents(const Trace& trace, std::vector<float>* out) const {
  out->assign(trace.calls.size(), 0.0f);
  if (!prepared_ || trace.calls.empty()) return;
  const Profile* p;
  const Derived* d;
  bool unknown;
  Lookup(trace, &p, &d, &unknown);
  double base = unknown ? o_.w_workload : 0;
  bool timed = trace.ts_ns.size() == trace.calls.size();
  if (!timed) {
    double total = base;
    for (const Novelty& n : Novelties(trace, 0, trace.activities.size(), *p, *d)) {
      total += n.weight;
    }
    std::fill(out->begin(), out->end(), static_cast<float>(total));
    return;
  }
  uint64_t window = std::max<uint64_t>(1, static_cast<uint64_t>(o_.window_s * 1e9));
  uint64_t t0 = trace.ts_ns.front();
  if (!trace.activities.empty()) t0 = std::min(t0, trace.activities.front().ts_ns);
  auto index = [&](uint64_t ts) { return ts < t0 ? 0 : (ts - t0) / window; };
  // Window scores from runs of activities in the same window (activities are in time order;
  // were they not, a window would only be split into several runs).
  std::map<uint64_t, double> scores;
  for (size_t i = 0; i < trace.activities.size();) {
    uint64_t w = index(trace.activities[i].ts_ns);
    size_t j = i + 1;
    while (j < trace.activities.size() && index(trace.activities[j].ts_ns) == w) ++j;
    for (const Novelty& n : Novelties(trace, i, j, *p, *d)) scores[w] += n.weight;
    i = j;
  }
  for (size_t i = 0; i < trace.calls.size(); ++i) {
    auto it = scores.find(index(trace.ts_ns[i]));
    (*out)[i] = static_cast<float>(base + (it == scores.end() ? 0 : it->second));
  }
}

std::string ProfileModel::SaveBody() const {
  ByteWriter w;
  WriteBodyHeader(w, kBodyVersion, table_);
  w.U64(traces_);
  w.U64(overflow_);
  w.U32(static_cast<uint32_t>(workloads_.size()));
  for (const auto& [name, p] : workloads_) {
    w.Bytes32(name);
    w.U64(p.traces);
    for (size_t k = 0; k < kKinds; ++k) {
      w.U32(static_cast<uint32_t>(p.keys[k].size()));
      for (const auto& [key, count] : p.keys[k]) {
        w.Bytes32(key);
        w.U64(count);
      }
    }
  }
  return w.Take();
}

Status ProfileModel::LoadBody(std::string_view data) {
  ByteReader r(data, "profile body");
  VIGIL_ASSIGN_OR_RETURN(SyscallTable table, ReadBodyHeader(r, kBodyVersion));
  VIGIL_ASSIGN_OR_RETURN(uint64_t traces, r.U64("trace count"));
  VIGIL_ASSIGN_OR_RETURN(uint64_t overflow, r.U64("overflow count"));
  VIGIL_ASSIGN_OR_RETURN(uint32_t n_workloads,
                         r.Count32("workload count", 4 + 8 + 4 * kKinds, kMaxWorkloads));
  std::map<std::string, Profile, std::less<>> workloads;
  std::string_view name;
  for (uint32_t i = 0; i < n_workloads; ++i) {
    std::string_view prev = name;
    VIGIL_ASSIGN_OR_RETURN(name, r.Bytes32("workload name"));
    if (i > 0 && !(prev < name)) return r.Error("workload name", "names not in sorted order");
    Profile& p = workloads[std::string(name)];
    VIGIL_ASSIGN_OR_RETURN(p.traces, r.U64("workload trace count"));
    for (size_t k = 0; k < kKinds; ++k) {
      VIGIL_ASSIGN_OR_RETURN(uint32_t n, r.Count32("key count", 4 + 8, o_.max_keys));
      std::string_view key;
      for (uint32_t j = 0; j < n; ++j) {
        std::string_view prev_key = key;
        VIGIL_ASSIGN_OR_RETURN(key, r.Bytes32("key"));
        if (j > 0 && !(prev_key < key)) return r.Error("key", "keys not in sorted order");
        VIGIL_ASSIGN_OR_RETURN(uint64_t count, r.U64("key count"));
        if (count == 0) return r.Error("key count", "zero count");
        p.keys[k].emplace_hint(p.keys[k].end(), std::string(key), count);
      }
    }
  }
  VIGIL_RETURN_IF_ERROR(r.ExpectEnd());
  table_ = table;
  traces_ = traces;
  overflow_ = overflow;
  workloads_ = std::move(workloads);
  prepared_ = false;
  return OkStatus();
}

size_t ProfileModel::MemoryBytes() const {
  // Map nodes cost about 64 bytes beyond the key's own characters.
  size_t bytes = sizeof(*this);
  for (const auto& [name, p] : workloads_) {
    bytes += 64 + name.size() + sizeof(Profile);
    for (const auto& keys : p.keys) {
      for (const auto& [key, count] : keys) bytes += 64 + key.size();
    }
  }
  return bytes;
}

}  // namespace vigil::ml
