#include "ml/datasets.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <unordered_map>
#include <utility>

#include "base/strings.h"
#include "ml/capture.h"
#include "nlohmann/json.hpp"
#include "runtime/syscalls.h"

namespace vigil::ml {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

template <typename T>
bool ParseUnsigned(std::string_view s, T* out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

std::string Where(std::string_view id, size_t line) {
  return std::string(id) + ":" + std::to_string(line);
}

// Checks one syscall number token; `where` names the file and line.
Status ParseSyscallToken(std::string_view token, const std::string& where, uint16_t* out) {
  uint64_t n = 0;
  if (!ParseUnsigned(token, &n)) {
    std::string shown(token.substr(0, 40));
    return InvalidArgumentError(where + ": '" + shown + "' is not a syscall number");
  }
  if (n > kMaxSyscall) {
    return InvalidArgumentError(where + ": " + std::string(token) +
                                " exceeds the largest syscall number " +
                                std::to_string(kMaxSyscall));
  }
  *out = static_cast<uint16_t>(n);
  return OkStatus();
}

// ---- LID-DS helpers ----

// The value of "key=value" among an event's argument tokens; empty when absent.
std::string_view Arg(const std::vector<std::string_view>& args, std::string_view key) {
  for (std::string_view a : args) {
    if (a.size() > key.size() && a[key.size()] == '=' && a.substr(0, key.size()) == key) {
      return a.substr(key.size() + 1);
    }
  }
  return {};
}

// Sysdig writes resolved values in parentheses: "9(<f>/etc/passwd)", "-2(ENOENT)",
// "db/migrate(/usr/src/blog/db/migrate)". Leading part and the text inside the parentheses.
std::pair<std::string_view, std::string_view> SplitParen(std::string_view v) {
  size_t open = v.find('(');
  if (open == std::string_view::npos || v.back() != ')') return {v, {}};
  return {v.substr(0, open), v.substr(open + 1, v.size() - open - 2)};
}

// The leading integer of a value such as "-2(ENOENT)"; false when there is none.
bool LeadingInt(std::string_view v, int64_t* out) {
  std::string_view head = SplitParen(v).first;
  auto [end, ec] = std::from_chars(head.data(), head.data() + head.size(), *out);
  return ec == std::errc() && end == head.data() + head.size();
}

// A path argument, preferring the resolved absolute form in parentheses.
std::string_view PathOf(std::string_view v) {
  auto [head, paren] = SplitParen(v);
  if (!paren.empty() && paren[0] == '/') return paren;
  return head;
}

// An fd argument's description: "3(<4t>0.0.0.0:80)" -> type "4t", name "0.0.0.0:80";
// "9(<f>/etc/passwd)" -> type "f", name "/etc/passwd".
std::pair<std::string_view, std::string_view> FdInfo(std::string_view v) {
  std::string_view paren = SplitParen(v).second;
  if (paren.size() < 3 || paren[0] != '<') return {{}, {}};
  size_t close = paren.find('>');
  if (close == std::string_view::npos) return {{}, {}};
  return {paren.substr(1, close - 1), paren.substr(close + 1)};
}

bool IsInetSocket(std::string_view fd_type) {
  return !fd_type.empty() && (fd_type[0] == '4' || fd_type[0] == '6');
}

bool OpensForWriting(std::string_view flags) {
  std::string_view names = SplitParen(flags).second;
  for (std::string_view f : Split(names, '|', true)) {
    if (f == "O_WRONLY" || f == "O_RDWR" || f == "O_CREAT" || f == "O_TRUNC" || f == "O_APPEND") {
      return true;
    }
  }
  return false;
}

// "a:p->b:q" -> ("a:p", "b:q"); empty halves when the tuple is not of that form.
std::pair<std::string_view, std::string_view> SplitTuple(std::string_view tuple) {
  size_t arrow = tuple.find("->");
  if (arrow == std::string_view::npos) return {{}, {}};
  return {tuple.substr(0, arrow), tuple.substr(arrow + 2)};
}

// True for "host:port" with a numeric port (IPv4 or IPv6 host).
bool IsHostPort(std::string_view s) {
  size_t colon = s.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == s.size()) return false;
  uint32_t port = 0;
  return ParseUnsigned(s.substr(colon + 1), &port) && port <= 65535;
}

std::string_view HostOf(std::string_view host_port) {
  return host_port.substr(0, host_port.rfind(':'));
}
std::string_view PortOf(std::string_view host_port) {
  return host_port.substr(host_port.rfind(':') + 1);
}

enum class Family : uint8_t {
  kOther,
  kOpen,        // open, openat, openat2, creat
  kFileChange,  // unlink, rename, mkdir, chmod, ...
  kExec,
  kListen,
  kBind,
  kConnect,
  kAccept,
  kRead,
  kWrite,
};

Family FamilyOf(std::string_view name) {
  static const std::unordered_map<std::string_view, Family> kFamilies = {
      {"open", Family::kOpen},
      {"openat", Family::kOpen},
      {"openat2", Family::kOpen},
      {"creat", Family::kOpen},
      {"unlink", Family::kFileChange},
      {"unlinkat", Family::kFileChange},
      {"rename", Family::kFileChange},
      {"renameat", Family::kFileChange},
      {"renameat2", Family::kFileChange},
      {"mkdir", Family::kFileChange},
      {"mkdirat", Family::kFileChange},
      {"rmdir", Family::kFileChange},
      {"chmod", Family::kFileChange},
      {"fchmodat", Family::kFileChange},
      {"symlink", Family::kFileChange},
      {"symlinkat", Family::kFileChange},
      {"link", Family::kFileChange},
      {"linkat", Family::kFileChange},
      {"execve", Family::kExec},
      {"execveat", Family::kExec},
      {"listen", Family::kListen},
      {"bind", Family::kBind},
      {"connect", Family::kConnect},
      {"accept", Family::kAccept},
      {"accept4", Family::kAccept},
      {"read", Family::kRead},
      {"readv", Family::kRead},
      {"recvfrom", Family::kRead},
      {"recvmsg", Family::kRead},
      {"write", Family::kWrite},
      {"writev", Family::kWrite},
      {"sendto", Family::kWrite},
      {"sendmsg", Family::kWrite},
  };
  auto it = kFamilies.find(name);
  return it == kFamilies.end() ? Family::kOther : it->second;
}

// Derives the activities of one exit event. `enter` holds the arguments of the same thread's
// entry event when it was for the same call (empty otherwise).
void AddActivities(Family family, uint64_t ts, std::string_view comm, std::string_view uid,
                   const std::vector<std::string_view>& args,
                   const std::vector<std::string_view>& enter,
                   std::set<std::string, std::less<>>* users, Trace* trace) {
  auto add = [&](ActivityKind kind, std::string subject, std::string object, uint64_t amount) {
    trace->activities.push_back(Activity{ts, kind, std::move(subject), std::move(object), amount});
  };
  // Users seen so far as "comm\0uid" (short: no allocation for the lookup of a known one).
  std::string user(comm);
  user += '\0';
  user.append(uid);
  if (users->find(user) == users->end()) {
    users->insert(std::move(user));
    add(ActivityKind::kUser, std::string(comm), std::string(uid), 1);
  }
  int64_t res = 0;
  switch (family) {
    case Family::kOther:
      return;
    case Family::kOpen: {
      std::string_view fd = Arg(args, "fd");
      if (!fd.empty() && (!LeadingInt(fd, &res) || res < 0)) return;
      std::string_view path = FdInfo(fd).first == "f" ? FdInfo(fd).second : std::string_view();
      if (path.empty()) path = PathOf(Arg(args, "name"));
      if (path.empty()) return;
      std::string_view flags = Arg(args, "flags");
      if (OpensForWriting(flags) || flags.empty()) {
        add(ActivityKind::kFileWrite, std::string(comm), std::string(path), 1);
      } else if (IsSensitivePath(path)) {
        add(ActivityKind::kSensitiveRead, std::string(comm), std::string(path), 1);
      }
      return;
    }
    case Family::kFileChange: {
      if (!LeadingInt(Arg(args, "res"), &res) || res != 0) return;
      for (std::string_view key : {"newpath", "linkpath", "path", "name", "filename"}) {
        std::string_view path = PathOf(Arg(args, key));
        if (!path.empty()) {
          add(ActivityKind::kFileWrite, std::string(comm), std::string(path), 1);
          return;
        }
      }
      return;
    }
    case Family::kExec: {
      if (!LeadingInt(Arg(args, "res"), &res) || res != 0) return;
      std::string_view exe = Arg(args, "exe");
      if (exe.empty()) return;
      std::string_view parent = SplitParen(Arg(args, "ptid")).second;
      add(ActivityKind::kExec, std::string(parent.empty() ? comm : parent), std::string(exe), 1);
      return;
    }
    case Family::kListen: {
      if (!LeadingInt(Arg(args, "res"), &res) || res != 0) return;
      auto [type, name] = FdInfo(Arg(enter, "fd"));
      if (!IsInetSocket(type) || !IsHostPort(name)) return;
      std::string proto = type.size() > 1 && type[1] == 'u' ? "udp/" : "tcp/";
      add(ActivityKind::kListen, std::string(comm), proto + std::string(PortOf(name)), 1);
      return;
    }
    case Family::kBind: {
      if (!LeadingInt(Arg(args, "res"), &res) || res != 0) return;
      // A TCP socket listens only at listen(); a bound UDP socket receives from then on.
      std::string_view type = FdInfo(Arg(enter, "fd")).first;
      std::string_view addr = Arg(args, "addr");
      if (type.size() < 2 || type[1] != 'u' || !IsHostPort(addr)) return;
      add(ActivityKind::kListen, std::string(comm), "udp/" + std::string(PortOf(addr)), 1);
      return;
    }
    case Family::kConnect: {
      // Non-blocking connects return EINPROGRESS (-115) and complete later.
      if (!LeadingInt(Arg(args, "res"), &res) || (res != 0 && res != -115)) return;
      std::string_view peer = SplitTuple(Arg(args, "tuple")).second;
      if (!IsHostPort(peer)) return;
      add(ActivityKind::kConnect, std::string(comm), std::string(peer), 1);
      return;
    }
    case Family::kAccept: {
      std::string_view peer = SplitTuple(Arg(args, "tuple")).first;
      if (!IsHostPort(peer)) return;
      // The peer's port is ephemeral: the address alone is the stable fact.
      add(ActivityKind::kAccept, std::string(comm), std::string(HostOf(peer)), 1);
      return;
    }
    case Family::kRead:
    case Family::kWrite: {
      if (!LeadingInt(Arg(args, "res"), &res) || res <= 0) return;
      std::string_view fd = Arg(enter, "fd");
      if (fd.empty()) fd = Arg(args, "fd");
      if (!IsInetSocket(FdInfo(fd).first)) return;
      add(family == Family::kRead ? ActivityKind::kBytesIn : ActivityKind::kBytesOut,
          std::string(comm), {}, static_cast<uint64_t>(res));
      return;
    }
  }
}

struct LidDsMeta {
  Label label = Label::kUnknown;
  std::string group;
  bool has_exploit_time = false;
  uint64_t exploit_ns = 0;
};

// `where` names the metadata in messages ("r.json", "r.zip/r.json").
StatusOr<LidDsMeta> ParseLidDsJson(std::string_view json, const std::string& where) {
  nlohmann::json doc = nlohmann::json::parse(json.begin(), json.end(), nullptr, false);
  if (doc.is_discarded()) {
    // Some LID-DS metadata files were written with Python's repr quoting ('...'): read them
    // as the dataset's own loader does, by swapping the quotes.
    std::string swapped(json);
    std::replace(swapped.begin(), swapped.end(), '\'', '"');
    doc = nlohmann::json::parse(swapped, nullptr, false);
  }
  if (doc.is_discarded() || !doc.is_object()) {
    return InvalidArgumentError(where + ": not a JSON object");
  }
  LidDsMeta meta;
  auto exploit = doc.find("exploit");
  if (exploit == doc.end() || !exploit->is_boolean()) {
    return InvalidArgumentError(where + ": field 'exploit' is missing or not a boolean");
  }
  meta.label = exploit->get<bool>() ? Label::kAttack : Label::kNormal;
  auto name = doc.find("exploit_name");
  if (meta.label == Label::kAttack && name != doc.end() && name->is_string()) {
    meta.group = name->get<std::string>();
  }
  auto time = doc.find("time");
  if (time == doc.end()) return meta;
  if (!time->is_object()) return InvalidArgumentError(where + ": field 'time' is not an object");
  auto times = time->find("exploit");
  if (times == time->end() || times->is_null()) return meta;
  if (!times->is_array()) {
    return InvalidArgumentError(where + ": field 'time.exploit' is not an array");
  }
  for (size_t i = 0; i < times->size(); ++i) {
    const nlohmann::json& t = (*times)[i];
    std::string field = "time.exploit[" + std::to_string(i) + "].absolute";
    if (!t.is_object() || !t.contains("absolute") || !t["absolute"].is_number()) {
      return InvalidArgumentError(where + ": field '" + field + "' is missing or not a number");
    }
    double seconds = t["absolute"].get<double>();
    // Up to year ~2500 in nanoseconds fits in 64 bits; anything else is corrupt.
    if (!std::isfinite(seconds) || seconds < 0 || seconds > 1.6e10) {
      return InvalidArgumentError(where + ": field '" + field + "' is not a time in seconds");
    }
    uint64_t ns = static_cast<uint64_t>(std::llround(seconds * 1e9));
    if (!meta.has_exploit_time || ns < meta.exploit_ns) meta.exploit_ns = ns;
    meta.has_exploit_time = true;
  }
  return meta;
}

// Label, attack class and attack_start (the first call, in file order, at or after the first
// exploit time) from the recording's metadata.
void ApplyLidDsMeta(const LidDsMeta& meta, Trace* t) {
  t->label = meta.label;
  t->group = meta.group;
  t->attack_start = Trace::npos;
  if (!meta.has_exploit_time) return;
  for (size_t i = 0; i < t->ts_ns.size(); ++i) {
    if (t->ts_ns[i] >= meta.exploit_ns) {
      t->attack_start = i;
      return;
    }
  }
}

// Appends the space-separated tokens of `line` to `out` (empty ones skipped, and a token that
// is a lone '\r'): Split without a vector per line.
void Tokens(std::string_view line, std::vector<std::string_view>* out) {
  size_t i = 0;
  while (i < line.size()) {
    size_t end = line.find(' ', i);
    if (end == std::string_view::npos) end = line.size();
    std::string_view tok = line.substr(i, end - i);
    if (!tok.empty() && tok != "\r") out->push_back(tok);
    i = end + 1;
  }
}

// Transparent hashing so syscall names are looked up by string_view without a copy.
struct NameHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

// Incremental parser of one LID-DS .sc text: lines in (without their '\n'), a trace out. What
// it keeps between lines (syscall numbers by name, the latest entry event per thread) is
// copied, so the text can be streamed from a zip member instead of held whole.
class ScParser {
 public:
  // `source` names the text in messages ("r.sc", "r.zip/r.sc").
  explicit ScParser(std::string source) : source_(std::move(source)) {
    trace_.table = SyscallTable::kX86_64;
  }

  Status Line(std::string_view line) {
    ++line_no_;
    tokens_.clear();
    Tokens(line, &tokens_);
    if (!tokens_.empty() && !tokens_.back().empty() && tokens_.back().back() == '\r') {
      tokens_.back().remove_suffix(1);
    }
    if (tokens_.empty()) return OkStatus();
    if (tokens_.size() < 7) {
      return InvalidArgumentError(Where(source_, line_no_) +
                                  ": expected 'timestamp user_id pid process_name "
                                  "thread_id syscall direction [args]', got " +
                                  std::to_string(tokens_.size()) + " fields");
    }
    uint64_t ts = 0, pid = 0, tid = 0;
    if (!ParseUnsigned(tokens_[0], &ts)) return FieldError("timestamp", tokens_[0]);
    if (!ParseUnsigned(tokens_[2], &pid)) return FieldError("pid", tokens_[2]);
    if (!ParseUnsigned(tokens_[4], &tid) || tid > UINT32_MAX) {
      return FieldError("thread id", tokens_[4]);
    }
    std::string_view name = tokens_[5];
    std::string_view dir = tokens_[6];
    if (dir != "<" && dir != ">") {
      return InvalidArgumentError(Where(source_, line_no_) + ": direction '" +
                                  std::string(dir.substr(0, 40)) + "' is neither '<' nor '>'");
    }
    args_.assign(tokens_.begin() + 7, tokens_.end());
    if (dir == ">") {
      // Kept as one string (tokens never hold a space) so its buffer is reused per thread.
      Enter& e = enters_[static_cast<uint32_t>(tid)];
      e.name.assign(name);
      e.args.clear();
      for (std::string_view a : args_) {
        if (!e.args.empty()) e.args += ' ';
        e.args.append(a);
      }
      return OkStatus();
    }
    auto num_it = numbers_.find(name);
    if (num_it == numbers_.end()) {
      num_it = numbers_.emplace(std::string(name), runtime::SyscallNumber(name)).first;
    }
    int32_t number = num_it->second;
    if (number < 0 || number > kMaxSyscall) return OkStatus();  // switch, procexit, ...
    trace_.calls.push_back(static_cast<uint16_t>(number));
    trace_.tids.push_back(static_cast<uint32_t>(tid));
    trace_.ts_ns.push_back(ts);
    enter_args_.clear();
    auto e = enters_.find(static_cast<uint32_t>(tid));
    if (e != enters_.end() && e->second.name == name) {
      Tokens(e->second.args, &enter_args_);
    }
    AddActivities(FamilyOf(name), ts, tokens_[3], tokens_[1], args_, enter_args_, &users_, &trace_);
    // The entry is consumed; an empty name never matches a call.
    if (e != enters_.end()) e->second.name.clear();
    return OkStatus();
  }

  // The trace read so far (labels are ApplyLidDsMeta's).
  StatusOr<Trace> Finish(std::string id) {
    if (trace_.calls.empty()) return InvalidArgumentError(source_ + ": no system call exit events");
    trace_.id = std::move(id);
    return std::move(trace_);
  }

 private:
  struct Enter {
    std::string name;
    std::string args;
  };

  Status FieldError(std::string_view field, std::string_view value) const {
    return InvalidArgumentError(Where(source_, line_no_) + ": " + std::string(field) + " '" +
                                std::string(value.substr(0, 40)) + "' is not a number");
  }

  std::string source_;
  size_t line_no_ = 0;
  Trace trace_;
  // Syscall name -> x86-64 number (-1: not a system call).
  std::unordered_map<std::string, int32_t, NameHash, std::equal_to<>> numbers_;
  std::unordered_map<uint32_t, Enter> enters_;  // the latest entry event per thread
  std::set<std::string, std::less<>> users_;    // "comm\0uid" seen so far
  std::vector<std::string_view> tokens_;
  std::vector<std::string_view> args_;
  std::vector<std::string_view> enter_args_;
};

// ---- ReadTraces helpers ----

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "Adduser_3" -> "Adduser", "Hydra_FTP_10" -> "Hydra_FTP"; empty when not of that form.
std::string_view AdfaClass(std::string_view dir) {
  size_t us = dir.rfind('_');
  if (us == std::string_view::npos || us == 0 || !IsDigits(dir.substr(us + 1))) return {};
  return dir.substr(0, us);
}

std::string_view StripNumbering(std::string_view dir) {
  size_t i = 0;
  while (i < dir.size() && dir[i] >= '0' && dir[i] <= '9') ++i;
  if (i > 0 && i < dir.size() && dir[i] == '.') {
    ++i;
    while (i < dir.size() && dir[i] == ' ') ++i;
    if (i < dir.size()) return dir.substr(i);
  }
  return dir;
}

std::vector<std::string_view> Components(std::string_view path) { return Split(path, '/', true); }

void InferAdfa(std::string_view canonical, Trace* t) {
  std::vector<std::string_view> parts = Components(canonical);
  bool attack_tree = false, normal_tree = false;
  for (std::string_view p : parts) {
    if (p == "Attack_Data_Master") attack_tree = true;
    if (p == "Training_Data_Master" || p == "Validation_Data_Master") normal_tree = true;
  }
  std::string_view cls = parts.size() >= 2 ? AdfaClass(parts[parts.size() - 2]) : "";
  if (!cls.empty()) t->group = std::string(cls);
  if (attack_tree || !cls.empty()) {
    t->label = Label::kAttack;
  } else if (normal_tree) {
    t->label = Label::kNormal;
  }
}

void InferUnm(std::string_view canonical, Trace* t) {
  std::vector<std::string_view> parts = Components(canonical);
  // The directory components only (the last part is the file).
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    std::string lower = ToLower(parts[i]);
    Label l = Label::kUnknown;
    if (lower.find("intrusion") != std::string::npos) l = Label::kAttack;
    if (lower.find("normal") != std::string::npos) l = Label::kNormal;
    if (l == Label::kUnknown) continue;
    t->label = l;
    if (i > 0) t->group = std::string(StripNumbering(parts[i - 1]));
    return;
  }
}

// A filesystem error names the path inside the filesystem; say it with the user's path.
Status NameAs(const Status& s, std::string_view fs_path, std::string_view shown) {
  if (StartsWith(s.message(), fs_path)) {
    return Status(s.code(), std::string(shown) + s.message().substr(fs_path.size()));
  }
  return Annotate(s, shown);
}

bool IsUnmTraceFile(std::string_view name) {
  return name != "syscallMap.txt" && !StartsWith(name, "calls.txt") && !StartsWith(name, "result-");
}

}  // namespace

StatusOr<DatasetFormat> ParseDatasetFormat(std::string_view name) {
  if (name == "adfa-ld") return DatasetFormat::kAdfaLd;
  if (name == "unm") return DatasetFormat::kUnm;
  if (name == "lid-ds") return DatasetFormat::kLidDs;
  if (name == "vigil") return DatasetFormat::kVigil;
  return InvalidArgumentError("unknown dataset format '" + std::string(name) +
                              "' (known: adfa-ld, unm, lid-ds, vigil)");
}

std::string_view DatasetFormatName(DatasetFormat format) {
  switch (format) {
    case DatasetFormat::kAdfaLd:
      return "adfa-ld";
    case DatasetFormat::kUnm:
      return "unm";
    case DatasetFormat::kLidDs:
      return "lid-ds";
    case DatasetFormat::kVigil:
      return "vigil";
  }
  return "unknown";
}

StatusOr<Trace> ParseAdfaTrace(std::string_view text, std::string_view id) {
  Trace t;
  t.id = std::string(id);
  t.table = SyscallTable::kX86_32;
  t.calls.reserve(text.size() / 3);
  size_t line = 1;
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (IsSpace(c)) {
      if (c == '\n') ++line;
      ++i;
      continue;
    }
    size_t start = i;
    while (i < text.size() && !IsSpace(text[i])) ++i;
    uint16_t n = 0;
    VIGIL_RETURN_IF_ERROR(ParseSyscallToken(text.substr(start, i - start), Where(id, line), &n));
    t.calls.push_back(n);
  }
  if (t.calls.empty()) return InvalidArgumentError(std::string(id) + ": empty trace");
  t.calls.shrink_to_fit();
  return t;
}

StatusOr<std::vector<Trace>> ParseUnmTraces(std::string_view text, std::string_view id) {
  std::vector<Trace> out;
  std::unordered_map<uint64_t, size_t> by_pid;
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    std::string_view fields[3];
    size_t count = 0;
    size_t i = 0;
    while (i < line.size() && count < 3) {
      while (i < line.size() && IsSpace(line[i])) ++i;
      if (i == line.size()) break;
      size_t start = i;
      while (i < line.size() && !IsSpace(line[i])) ++i;
      fields[count++] = line.substr(start, i - start);
    }
    if (count == 0) continue;
    std::string where = Where(id, line_no);
    if (count != 2) {
      return InvalidArgumentError(where + ": expected 'PID syscall', got '" +
                                  std::string(Trim(line).substr(0, 60)) + "'");
    }
    uint64_t pid = 0;
    if (!ParseUnsigned(fields[0], &pid)) {
      return InvalidArgumentError(where + ": '" + std::string(fields[0].substr(0, 40)) +
                                  "' is not a process id");
    }
    uint16_t call = 0;
    VIGIL_RETURN_IF_ERROR(ParseSyscallToken(fields[1], where, &call));
    auto [it, inserted] = by_pid.emplace(pid, out.size());
    if (inserted) {
      Trace t;
      t.id = std::string(id) + "#" + std::to_string(pid);
      t.table = SyscallTable::kSunOs;
      out.push_back(std::move(t));
    }
    out[it->second].calls.push_back(call);
  }
  if (out.empty()) return InvalidArgumentError(std::string(id) + ": empty trace");
  return out;
}

StatusOr<Trace> ParseLidDsRecording(std::string_view sc, std::string_view json,
                                    std::string_view id) {
  LidDsMeta meta;
  if (!json.empty()) {
    VIGIL_ASSIGN_OR_RETURN(meta, ParseLidDsJson(json, std::string(id) + ".json"));
  }
  ScParser parser(std::string(id) + ".sc");
  size_t pos = 0;
  while (pos < sc.size()) {
    size_t nl = sc.find('\n', pos);
    if (nl == std::string_view::npos) nl = sc.size();
    VIGIL_RETURN_IF_ERROR(parser.Line(sc.substr(pos, nl - pos)));
    pos = nl + 1;
  }
  // The recording is in time order per CPU but sysdig may interleave CPUs slightly; the
  // activities follow the calls' order, which is the file's.
  VIGIL_ASSIGN_OR_RETURN(Trace t, parser.Finish(std::string(id)));
  ApplyLidDsMeta(meta, &t);
  return t;
}

namespace {

struct ArchiveDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveDeleter>;

std::string ArchiveError(archive* a) {
  const char* e = archive_error_string(a);
  return e != nullptr ? e : "unknown error";
}

ArchivePtr NewZipReader() {
  ArchivePtr a(archive_read_new());
  if (a) archive_read_support_format_zip(a.get());
  return a;
}

// Feeds the current member's data to `line`, one line at a time (without the '\n'), in blocks
// of 64 KiB: at most one partial line is held. `where` names "<zip>/<member>".
Status StreamMember(archive* a, const std::string& where, uint64_t max_bytes, uint64_t max_line,
                    const std::function<Status(std::string_view)>& line) {
  std::vector<char> buf(1 << 16);
  std::string carry;
  uint64_t total = 0;
  size_t lines = 0;
  auto too_long = [&] {
    return InvalidArgumentError(where + ":" + std::to_string(lines + 1) +
                                ": line longer than the limit of " + std::to_string(max_line) +
                                " bytes");
  };
  for (;;) {
    la_ssize_t n = archive_read_data(a, buf.data(), buf.size());
    if (n < 0) return DataLossError(where + ": corrupt member data: " + ArchiveError(a));
    if (n == 0) break;
    total += static_cast<uint64_t>(n);
    if (total > max_bytes) {
      return ResourceExhaustedError(where + ": member larger than the limit of " +
                                    std::to_string(max_bytes) + " bytes");
    }
    std::string_view chunk(buf.data(), static_cast<size_t>(n));
    size_t pos = 0;
    for (size_t nl = chunk.find('\n'); nl != std::string_view::npos; nl = chunk.find('\n', pos)) {
      std::string_view piece = chunk.substr(pos, nl - pos);
      pos = nl + 1;
      if (carry.empty()) {
        if (piece.size() > max_line) return too_long();
        VIGIL_RETURN_IF_ERROR(line(piece));
      } else {
        carry.append(piece);
        if (carry.size() > max_line) return too_long();
        VIGIL_RETURN_IF_ERROR(line(carry));
        carry.clear();
      }
      ++lines;
    }
    carry.append(chunk.substr(pos));
    if (carry.size() > max_line) return too_long();
  }
  if (!carry.empty()) VIGIL_RETURN_IF_ERROR(line(carry));
  return OkStatus();
}

// The current member's whole data, at most `max_bytes`.
StatusOr<std::string> ReadMember(archive* a, const std::string& where, uint64_t max_bytes) {
  std::string out;
  char buf[1 << 14];
  for (;;) {
    la_ssize_t n = archive_read_data(a, buf, sizeof(buf));
    if (n < 0) return DataLossError(where + ": corrupt member data: " + ArchiveError(a));
    if (n == 0) break;
    if (out.size() + static_cast<uint64_t>(n) > max_bytes) {
      return ResourceExhaustedError(where + ": member larger than the limit of " +
                                    std::to_string(max_bytes) + " bytes");
    }
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

// One recording from an opened zip. `shown` names the zip in messages, `id` is the trace id
// (its last component the recording name, which names the members).
StatusOr<Trace> ReadZipRecording(archive* a, const std::string& shown, const std::string& id,
                                 Label label, const LidDsZipLimits& limits) {
  const std::string stem(Basename(id));
  const std::string sc_name = stem + ".sc";
  const std::string json_name = stem + ".json";
  std::optional<Trace> parsed;  // set once the .sc member is read
  std::optional<std::string> json;
  for (;;) {
    archive_entry* entry = nullptr;
    int rc = archive_read_next_header(a, &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN) {
      return DataLossError(shown + ": corrupt zip archive: " + ArchiveError(a));
    }
    if (archive_entry_filetype(entry) != AE_IFREG) continue;
    const char* raw = archive_entry_pathname(entry);
    std::string_view name = Basename(raw != nullptr ? raw : "");
    // Unread data (.res, .pcap, duplicates) is skipped by the next header read.
    const bool is_sc = name == sc_name && !parsed.has_value();
    const bool is_json = name == json_name && !json.has_value();
    if (!is_sc && !is_json) continue;
    const std::string where = shown + "/" + std::string(name);
    const uint64_t max = is_sc ? limits.max_sc_bytes : limits.max_json_bytes;
    if (archive_entry_size_is_set(entry) && archive_entry_size(entry) >= 0 &&
        static_cast<uint64_t>(archive_entry_size(entry)) > max) {
      return ResourceExhaustedError(
          where + ": member of " + std::to_string(archive_entry_size(entry)) +
          " bytes, larger than the limit of " + std::to_string(max) + " bytes");
    }
    if (is_json) {
      VIGIL_ASSIGN_OR_RETURN(std::string text, ReadMember(a, where, max));
      if (text.empty()) return InvalidArgumentError(where + ": empty file");
      json = std::move(text);
      continue;
    }
    ScParser sc(where);
    VIGIL_RETURN_IF_ERROR(StreamMember(a, where, max, limits.max_line_bytes,
                                       [&sc](std::string_view l) { return sc.Line(l); }));
    // The metadata may follow the .sc: labels are applied after the loop.
    VIGIL_ASSIGN_OR_RETURN(parsed, sc.Finish(id));
  }
  if (!parsed.has_value()) {
    return NotFoundError(shown + ": no member " + sc_name +
                         " (a LID-DS recording zip holds <name>.sc and <name>.json)");
  }
  Trace t = std::move(*parsed);
  if (json.has_value()) {
    VIGIL_ASSIGN_OR_RETURN(LidDsMeta meta, ParseLidDsJson(*json, shown + "/" + json_name));
    ApplyLidDsMeta(meta, &t);
  } else if (label == Label::kUnknown) {
    return NotFoundError(shown + ": no member " + json_name +
                         " (the recording's metadata says whether it is an attack; or give "
                         "the label)");
  }
  if (label != Label::kUnknown) t.label = label;
  return t;
}

}  // namespace

StatusOr<Trace> ParseLidDsZip(std::string_view zip, std::string_view id, Label label,
                              const LidDsZipLimits& limits) {
  const std::string shown = std::string(id) + ".zip";
  ArchivePtr a = NewZipReader();
  if (!a) return InternalError(shown + ": cannot allocate an archive reader");
  if (archive_read_open_memory(a.get(), zip.data(), zip.size()) != ARCHIVE_OK) {
    return DataLossError(shown + ": not a zip archive: " + ArchiveError(a.get()));
  }
  return ReadZipRecording(a.get(), shown, std::string(id), label, limits);
}

namespace {

// A LID-DS recording zip at `canonical` in `fs`: streamed from the host file when `host` is
// given, read into memory (bounded) otherwise. `id` is the trace id (the user's path without
// ".zip").
StatusOr<Trace> ReadZipFile(const FileSystem& fs, const RealFileSystem* host,
                            const std::string& canonical, const std::string& id, Label label) {
  const std::string shown = id + ".zip";
  if (host == nullptr) {
    auto bytes = fs.ReadFile(canonical, kMaxDatasetFileBytes);
    if (!bytes.ok()) return NameAs(bytes.status(), canonical, shown);
    return ParseLidDsZip(*bytes, id, label);
  }
  VIGIL_ASSIGN_OR_RETURN(std::string host_path, host->HostPath(canonical));
  ArchivePtr a = NewZipReader();
  if (!a) return InternalError(shown + ": cannot allocate an archive reader");
  if (archive_read_open_filename(a.get(), host_path.c_str(), 1 << 16) != ARCHIVE_OK) {
    return DataLossError(shown + ": cannot open as a zip archive: " + ArchiveError(a.get()));
  }
  return ReadZipRecording(a.get(), shown, id, label, LidDsZipLimits());
}

// ReadTraces over `fs`; ids and messages name files below `display` (the path as the user
// wrote it) instead of `path` (absolute inside `fs`).
StatusOr<std::vector<Trace>> ReadTracesAs(const FileSystem& fs, DatasetFormat format,
                                          const std::string& path, const std::string& display,
                                          Label label) {
  // Captures are replayed from host files (the replay reader opens them itself).
  const auto* host = dynamic_cast<const RealFileSystem*>(&fs);
  if (format == DatasetFormat::kVigil && host == nullptr) {
    return UnimplementedError(display + ": Vigil captures are read from the host filesystem only");
  }
  auto root_info = fs.Stat(path);
  if (!root_info.ok()) return NameAs(root_info.status(), path, display);
  VIGIL_ASSIGN_OR_RETURN(std::string root, fs.Resolve(path));
  std::string shown = display;
  while (shown.size() > 1 && shown.back() == '/') shown.pop_back();

  // Files to read: canonical path and the id to give them (the path as the user wrote it).
  std::vector<std::pair<std::string, std::string>> files;
  auto wanted = [&](std::string_view name) {
    switch (format) {
      case DatasetFormat::kAdfaLd:
        return EndsWith(name, ".txt");
      case DatasetFormat::kUnm:
        return IsUnmTraceFile(name);
      case DatasetFormat::kLidDs:
        return EndsWith(name, ".sc") || EndsWith(name, ".zip");
      case DatasetFormat::kVigil:
        return EndsWith(name, ".vgl");
    }
    return false;
  };
  if (root_info->type == FileType::kDirectory) {
    Status walk_error;
    VIGIL_RETURN_IF_ERROR(Walk(
        fs, root,
        [&](const std::string& p, const FileInfo& info) {
          bool regular = info.type == FileType::kRegular ||
                         (info.type == FileType::kSymlink && fs.IsRegular(p));
          if (regular && wanted(Basename(p))) {
            files.emplace_back(p, shown + p.substr(root.size()));
          }
          return true;
        },
        [&](const std::string& p, const Status& s) {
          if (walk_error.ok()) walk_error = NameAs(s, p, shown + p.substr(root.size()));
        }));
    VIGIL_RETURN_IF_ERROR(walk_error);
    if (files.empty()) {
      return InvalidArgumentError(shown + ": no " + std::string(DatasetFormatName(format)) +
                                  " trace files in this directory");
    }
  } else {
    files.emplace_back(root, shown);
  }

  std::vector<Trace> out;
  for (const auto& [canonical, id] : files) {
    if (format == DatasetFormat::kVigil) {
      VIGIL_ASSIGN_OR_RETURN(std::string host_path, host->HostPath(canonical));
      CaptureOptions options;
      options.label = label;
      auto traces = ReadVigilCapture(host_path, options);
      if (!traces.ok()) return NameAs(traces.status(), host_path, id);
      for (Trace& t : *traces) out.push_back(std::move(t));
      continue;
    }
    if (format == DatasetFormat::kLidDs && EndsWith(canonical, ".zip")) {
      const std::string stem = canonical.substr(0, canonical.size() - 4);
      // A recording unpacked beside its zip is read once, from the loose files.
      if (root_info->type == FileType::kDirectory && fs.Exists(stem + ".sc")) continue;
      const std::string id_stem = EndsWith(id, ".zip") ? id.substr(0, id.size() - 4) : id;
      VIGIL_ASSIGN_OR_RETURN(Trace t, ReadZipFile(fs, host, canonical, id_stem, label));
      out.push_back(std::move(t));
      continue;
    }
    auto text_or = fs.ReadFile(canonical, kMaxDatasetFileBytes);
    if (!text_or.ok()) return NameAs(text_or.status(), canonical, id);
    const std::string& text = *text_or;
    switch (format) {
      case DatasetFormat::kAdfaLd: {
        VIGIL_ASSIGN_OR_RETURN(Trace t, ParseAdfaTrace(text, id));
        InferAdfa(canonical, &t);
        out.push_back(std::move(t));
        break;
      }
      case DatasetFormat::kUnm: {
        VIGIL_ASSIGN_OR_RETURN(std::vector<Trace> ts, ParseUnmTraces(text, id));
        for (Trace& t : ts) {
          InferUnm(canonical, &t);
          out.push_back(std::move(t));
        }
        break;
      }
      case DatasetFormat::kLidDs: {
        std::string stem = canonical.substr(0, canonical.size() - 3);
        std::string id_stem = EndsWith(id, ".sc") ? id.substr(0, id.size() - 3) : id;
        std::string json;
        std::string json_path = stem + ".json";
        if (fs.Exists(json_path)) {
          auto json_or = fs.ReadFile(json_path, kMaxDatasetFileBytes);
          if (!json_or.ok()) return NameAs(json_or.status(), json_path, id_stem + ".json");
          json = std::move(*json_or);
          if (json.empty()) return InvalidArgumentError(id_stem + ".json: empty file");
        } else if (label == Label::kUnknown) {
          return NotFoundError(id_stem +
                               ".json: missing (the recording's metadata says "
                               "whether it is an attack; or give the label)");
        }
        VIGIL_ASSIGN_OR_RETURN(Trace t, ParseLidDsRecording(text, json, id_stem));
        out.push_back(std::move(t));
        break;
      }
      case DatasetFormat::kVigil:
        break;
    }
  }
  if (label != Label::kUnknown) {
    for (Trace& t : out) t.label = label;
  }
  return out;
}

}  // namespace

StatusOr<std::vector<Trace>> ReadTraces(const FileSystem& fs, DatasetFormat format,
                                        const std::string& path, Label label) {
  return ReadTracesAs(fs, format, path, path, label);
}

StatusOr<std::vector<Trace>> ReadTraces(DatasetFormat format, const std::string& path,
                                        Label label) {
  std::string absolute = path;
  if (absolute.empty() || absolute[0] != '/') {
    std::error_code ec;
    std::filesystem::path cwd = std::filesystem::current_path(ec);
    if (ec) return InternalError("cannot read the working directory: " + ec.message());
    absolute = (cwd / path).string();
  }
  RealFileSystem fs("/");
  return ReadTracesAs(fs, format, absolute, path, label);
}

}  // namespace vigil::ml
