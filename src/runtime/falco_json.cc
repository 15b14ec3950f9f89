#include "runtime/falco_json.h"

#include <chrono>

#include "base/clock.h"
#include "fmt/format.h"
#include "runtime/syscalls.h"

namespace vigil::runtime {
namespace {

std::string TimeNanos(uint64_t ns) {
  return FormatRfc3339Nanos(std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::nanoseconds(ns))));
}

// Length of a valid UTF-8 sequence starting at s[i], or 0.
size_t Utf8Len(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  size_t n = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xc0) != 0x80) return 0;
  }
  if (n == 3 && ((c == 0xe0 && b(i + 1) < 0xa0) || (c == 0xed && b(i + 1) >= 0xa0))) return 0;
  if (n == 4 && ((c == 0xf0 && b(i + 1) < 0x90) || (c == 0xf4 && b(i + 1) >= 0x90))) return 0;
  return n;
}

void Field(std::string& out, std::string_view key) {
  out.push_back(',');
  out.push_back('"');
  out.append(key);
  out.append("\":");
}

void NumField(std::string& out, std::string_view key, int64_t v) {
  Field(out, key);
  fmt::format_to(std::back_inserter(out), "{}", v);
}

void UNumField(std::string& out, std::string_view key, uint64_t v) {
  Field(out, key);
  fmt::format_to(std::back_inserter(out), "{}", v);
}

void StrField(std::string& out, std::string_view key, std::string_view v) {
  Field(out, key);
  AppendJsonString(v, out);
}

}  // namespace

void AppendJsonString(std::string_view s, std::string& out) {
  out.push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    switch (c) {
      case '"':
        out.append("\\\"");
        ++i;
        continue;
      case '\\':
        out.append("\\\\");
        ++i;
        continue;
      case '\n':
        out.append("\\n");
        ++i;
        continue;
      case '\t':
        out.append("\\t");
        ++i;
        continue;
      case '\r':
        out.append("\\r");
        ++i;
        continue;
      default:
        break;
    }
    if (c < 0x20) {
      fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
      ++i;
      continue;
    }
    size_t n = Utf8Len(s, i);
    if (n == 0) {
      out.append("\\ufffd");
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  out.push_back('"');
}

std::string FormatAlertText(const Alert& a) {
  std::string t = FormatRfc3339Nanos(a.time);  // 2026-01-01T12:55:58.461500387Z
  std::string clock = t.size() > 12 ? t.substr(11, t.size() - 12) : t;
  std::string out = clock + ": " + std::string(report::PriorityName(a.priority)) + " " + a.output;
  if (!a.output_fields.empty()) {
    out += "(";
    bool first = true;
    for (const auto& [name, value] : a.output_fields) {
      if (!first) out += " ";
      first = false;
      out += name + "=";
      switch (value.type) {
        case report::FieldValue::Type::kNull:
          out += "<NA>";
          break;
        case report::FieldValue::Type::kString:
          out += value.str;
          break;
        case report::FieldValue::Type::kInt:
          out += std::to_string(value.num);
          break;
      }
    }
    out += ")";
  }
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';  // one alert per line whatever the fields hold
  }
  return out;
}

Alert MakeDropAlert(uint64_t time_ns, uint64_t n_drops, uint64_t n_evts, bool ebpf,
                    std::string hostname) {
  Alert a;
  a.rule = "Falco internal: syscall event drop";
  a.priority = report::Priority::kCritical;
  a.output = fmt::format(
      "Falco internal: syscall event drop. {} system calls dropped in last "
      "second.",
      n_drops);
  a.time = std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::nanoseconds(time_ns)));
  // Strings, as Falco writes them for this internal alert.
  auto str = [](std::string v) { return report::FieldValue::Str(std::move(v)); };
  a.output_fields = {{"ebpf_enabled", str(ebpf ? "1" : "0")},
                     {"n_drops", str(std::to_string(n_drops))},
                     {"n_drops_buffer", str(std::to_string(n_drops))},
                     {"n_drops_bug", str("0")},
                     {"n_drops_pf", str("0")},
                     {"n_evts", str(std::to_string(n_evts))}};
  a.source = "syscall";
  a.hostname = std::move(hostname);
  return a;
}

void AppendEventJson(const Event& e, std::string& out) {
  out.append("{\"type\":\"");
  out.append(EventTypeName(e.type));
  out.push_back('"');
  StrField(out, "time", TimeNanos(e.ts_ns));
  UNumField(out, "ts_ns", e.ts_ns);
  if (e.type != EventType::kDrops) {
    UNumField(out, "pid", e.pid);
    UNumField(out, "tid", e.tid);
    if (e.ppid != 0) UNumField(out, "ppid", e.ppid);
    UNumField(out, "uid", e.uid);
    UNumField(out, "gid", e.gid);
    UNumField(out, "cgroup_id", e.cgroup_id);
    if (e.mntns != 0) UNumField(out, "mntns", e.mntns);
    StrField(out, "comm", e.comm);
  }
  if (e.syscall >= 0) {
    std::string_view name = SyscallName(e.syscall);
    if (name.empty()) {
      NumField(out, "syscall", e.syscall);
    } else {
      StrField(out, "syscall", name);
    }
  }
  if (e.type == EventType::kSyscall || e.type == EventType::kProcessExit) {
    NumField(out, "ret", e.ret);
  }
  if (e.fd != -1) NumField(out, "fd", e.fd);
  if (e.fd2 != -1) NumField(out, "fd2", e.fd2);
  if (e.flags != 0) UNumField(out, "flags", e.flags);
  if (e.mode != 0) {
    Field(out, "mode");
    fmt::format_to(std::back_inserter(out), "\"0{:o}\"", e.mode);
  }
  if (e.id_arg != 0) UNumField(out, "id_arg", e.id_arg);
  if (e.bytes != 0) UNumField(out, "bytes", e.bytes);
  if (e.count != 0 || e.type == EventType::kDrops) UNumField(out, "count", e.count);
  if (e.cap_effective != 0) {
    Field(out, "cap_effective");
    fmt::format_to(std::back_inserter(out), "\"0x{:x}\"", e.cap_effective);
  }
  if (!e.path.empty()) StrField(out, "path", e.path);
  if (!e.path2.empty()) StrField(out, "path2", e.path2);
  if (e.addr.family != 0) StrField(out, "addr", SockAddrToString(e.addr));
  if (!e.exe.empty()) StrField(out, "exe", e.exe);
  if (!e.args.empty()) {
    Field(out, "args");
    out.push_back('[');
    std::string_view rest = e.args;
    bool first = true;
    while (!rest.empty()) {
      size_t nul = rest.find('\0');
      std::string_view arg = rest.substr(0, nul);
      if (!first) out.push_back(',');
      first = false;
      AppendJsonString(arg, out);
      if (nul == std::string_view::npos) break;
      rest.remove_prefix(nul + 1);
    }
    out.push_back(']');
  }
  if (!e.cwd.empty()) StrField(out, "cwd", e.cwd);
  if (e.tty != 0) UNumField(out, "tty", e.tty);
  if (e.exe_upper_layer) out.append(",\"exe_upper_layer\":true");
  if (e.exe_memfd) out.append(",\"exe_memfd\":true");
  if (e.exe_writable) out.append(",\"exe_writable\":true");
  out.push_back('}');
}

void AppendEventText(const Event& e, std::string& out) {
  size_t start = out.size();
  out.append(TimeNanos(e.ts_ns));
  out.push_back(' ');
  out.append(EventTypeName(e.type));
  if (e.type == EventType::kDrops) {
    fmt::format_to(std::back_inserter(out), " count={}", e.count);
    return;
  }
  fmt::format_to(std::back_inserter(out), " {}({}) uid={} cgroup={}", e.comm, e.pid, e.uid,
                 e.cgroup_id);
  if (e.syscall >= 0) {
    std::string_view name = SyscallName(e.syscall);
    if (name.empty()) {
      fmt::format_to(std::back_inserter(out), " syscall#{}", e.syscall);
    } else {
      fmt::format_to(std::back_inserter(out), " {}", name);
    }
  }
  if (e.type == EventType::kSyscall || e.type == EventType::kProcessExit) {
    fmt::format_to(std::back_inserter(out), " ret={}", e.ret);
  }
  if (e.fd != -1) fmt::format_to(std::back_inserter(out), " fd={}", e.fd);
  if (!e.path.empty()) fmt::format_to(std::back_inserter(out), " path={}", e.path);
  if (!e.path2.empty()) fmt::format_to(std::back_inserter(out), " path2={}", e.path2);
  if (e.addr.family != 0) out.append(" addr=").append(SockAddrToString(e.addr));
  if (e.count != 0) fmt::format_to(std::back_inserter(out), " count={}", e.count);
  if (e.bytes != 0) fmt::format_to(std::back_inserter(out), " bytes={}", e.bytes);
  if (!e.args.empty()) {
    std::string args(e.args);
    if (!args.empty() && args.back() == '\0') args.pop_back();
    for (char& c : args) {
      if (c == '\0') c = ' ';
    }
    out.append(" args=[").append(args).append("]");
  }
  for (size_t i = start; i < out.size(); ++i) {
    if (out[i] == '\n' || out[i] == '\r') out[i] = ' ';  // one event per line
  }
}

}  // namespace vigil::runtime
