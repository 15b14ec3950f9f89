// The behaviour profile (issue 10): per workload, the sets of what it was seen doing — programs
// executed (with their parent), files written, sensitive files read, listening ports,
// outbound peers, accepted peers, users, capabilities — each entry with how often it was seen.
// A trace scores by what is new to its workload's profile; every new item is a reason
// ("new process /bin/sh (parent /usr/sbin/nginx)", "new outbound peer 203.0.113.9:4444").
//
// Workloads are Trace::group (capture.h names them); a trace of a workload never learned is
// scored against the union of all profiles, with a reason saying so (weight w_workload).
//
// Keys (what is learned and compared), from Activity::object (and subject for executions):
//   exec            "<exe>\0<parent exe>", both paths generalised (GeneralizePath, no depth cut)
//   file_write      GeneralizePath(path, depth): the first `depth` components, so
//                   /var/log/nginx/access.log learns "/var/log/nginx/*" at depth 3 and any file
//                   there is known; shorter paths (/etc/passwd, /usr/bin/curl) stay exact
//   sensitive_read  GeneralizePath(path, 64) (variable components collapsed only)
//   listen, user, capability   the object as is
//   connect         "host:port" as is
//   accept          the peer's network: IPv4 /24 ("10.1.2.0/24"), other addresses as is
// Bytes in/out are the rate model's, not the profile's.
//
// Score of a trace = sum over the distinct new keys of their kind's weight (options w_exec,
// w_file, w_sensitive, w_listen, w_connect, w_accept, w_user, w_capability). A new execution
// of a known program under another parent, and a new peer:port whose host or port alone was
// seen, weigh half; their reason says how often the known part was seen in training ("known
// process /usr/bin/curl with a new parent /usr/sbin/cron (run 2 times in training, under other
// parents)"). Scores use presence only: a count changes no weight. ScoreEvents: windows of
// `window_s` seconds by activity time (the whole trace when it has no timing); each call gets the
// score of the new keys of its window.
//
// Learning is exact set union with count sums, so Merge == Learn on the union, byte for byte
// (SaveBody is canonical: sorted maps). Bounded: at most max_keys keys per kind and workload
// (further new keys are counted in overflow(), not stored: past the bound Merge is exact only
// if no side overflowed) and at most kMaxWorkloads workloads.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ml/model.h"

namespace vigil::ml {

class ProfileModel : public Model {
 public:
  static constexpr uint8_t kBodyVersion = 1;
  static constexpr size_t kKinds = 8;  // ActivityKind kExec .. kCapability
  static constexpr size_t kMaxWorkloads = 65536;

  static StatusOr<std::unique_ptr<ProfileModel>> Create(const ModelOptions& options);

  std::string_view name() const override { return "profile"; }
  Granularity granularity() const override { return Granularity::kWindowed; }
  ModelOptions options() const override;

  Status Learn(const Trace& trace) override;
  Status Merge(const Model& other) override;
  Status Prepare() override;
  Score ScoreTrace(const Trace& trace, const ScoreOptions& options) const override;
  void ScoreEvents(const Trace& trace, std::vector<float>* out) const override;
  std::string SaveBody() const override;
  Status LoadBody(std::string_view body) override;
  size_t MemoryBytes() const override;

  // Path generalisation: components that look variable become "*" — all digits, 8+ hex
  // digits with at least one digit, 4+ digits anywhere, or 8+ characters mixing letters and
  // digits with both cases (mkstemp/random names); then only the first `depth` components
  // are kept, a cut path ending in "/*". "/proc/1234/environ" -> "/proc/*/environ";
  // "/var/log/nginx/access.log" (depth 3) -> "/var/log/nginx/*". Relative paths keep their
  // leading component as is.
  static std::string GeneralizePath(std::string_view path, int depth);
  // The learned key of an activity (see above); "" for kinds the profile does not learn.
  std::string Key(const Activity& a) const;

  size_t workloads() const { return workloads_.size(); }
  uint64_t overflow() const { return overflow_; }

 private:
  struct Profile {
    uint64_t traces = 0;
    std::array<std::map<std::string, uint64_t, std::less<>>, kKinds> keys;
  };
  // Derived at Prepare: what half-new items are compared with, each with how often it was
  // seen in training (summed over the keys it comes from; explanations quote it).
  struct Derived {
    std::map<std::string, uint64_t, std::less<>> exes;   // executed programs (any parent)
    std::map<std::string, uint64_t, std::less<>> hosts;  // outbound hosts (any port)
    std::map<std::string, uint64_t, std::less<>> ports;  // outbound ports (any host)
  };
  struct Options {
    int depth = 3;
    double window_s = 10;
    size_t max_keys = 1 << 16;
    std::array<double, kKinds> weight{};
    double w_workload = 1;
  };
  struct Novelty {  // one new key
    size_t kind;
    std::string key;
    double weight;
    size_t position;  // activity index of its first occurrence
    std::string detail;
  };

  explicit ProfileModel(Options o) : o_(o) {}
  void AddKey(Profile* p, size_t kind, std::string key, uint64_t count);
  // The profile and derived sets a trace is compared with; sets *unknown for a new workload.
  void Lookup(const Trace& trace, const Profile** p, const Derived** d, bool* unknown) const;
  // New keys among activities [begin, end), each once.
  std::vector<Novelty> Novelties(const Trace& trace, size_t begin, size_t end, const Profile& p,
                                 const Derived& d) const;

  Options o_;
  SyscallTable table_ = SyscallTable::kUnknown;
  uint64_t traces_ = 0;
  uint64_t overflow_ = 0;
  std::map<std::string, Profile, std::less<>> workloads_;
  // Prepared state.
  bool prepared_ = false;
  Profile pooled_;
  std::map<std::string, Derived, std::less<>> derived_;
  Derived pooled_derived_;
};

}  // namespace vigil::ml
