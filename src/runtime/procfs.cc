#include "runtime/procfs.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "base/fs.h"
#include "base/strings.h"
#include "fmt/format.h"

namespace vigil::runtime {
namespace {

constexpr uint64_t kMaxSmallFile = 64 << 10;  // stat, status, cgroup
constexpr uint64_t kMaxCmdline = 128 << 10;
constexpr size_t kMaxLink = 4096;

template <typename T>
bool ParseNumber(std::string_view s, T* out) {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

StatusOr<std::string> ReadLink(const std::string& path) {
  char buf[kMaxLink];
  ssize_t n = readlink(path.c_str(), buf, sizeof(buf));
  if (n < 0) return NotFoundError(fmt::format("{}: cannot read link", path));
  return std::string(buf, static_cast<size_t>(n));
}

// "0100007F:0050" (IPv4: one 32-bit word as the kernel stores it, host byte order) or 32 hex
// digits plus port for IPv6 (four such words).
bool ParseHexAddr(std::string_view text, bool v6, SockAddr* out) {
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) return false;
  std::string_view ip = text.substr(0, colon);
  std::string_view port = text.substr(colon + 1);
  if (ip.size() != (v6 ? 32u : 8u) || port.size() != 4) return false;
  uint32_t p = 0;
  auto [pp, pec] = std::from_chars(port.data(), port.data() + 4, p, 16);
  if (pec != std::errc() || pp != port.data() + 4) return false;
  out->family = v6 ? AF_INET6 : AF_INET;
  out->port = static_cast<uint16_t>(p);
  for (size_t w = 0; w < ip.size() / 8; ++w) {
    uint32_t word = 0;
    const char* b = ip.data() + w * 8;
    auto [wp, wec] = std::from_chars(b, b + 8, word, 16);
    if (wec != std::errc() || wp != b + 8) return false;
    memcpy(out->addr.data() + w * 4, &word, 4);  // the word is in host (little-endian) order
  }
  return true;
}

}  // namespace

uint64_t SocketInode(std::string_view link) {
  if (!StartsWith(link, "socket:[") || !EndsWith(link, "]")) return 0;
  uint64_t ino = 0;
  return ParseNumber(link.substr(8, link.size() - 9), &ino) ? ino : 0;
}

size_t ParseProcNetSockets(std::string_view text, std::string_view name, SocketTable* table) {
  size_t bad = 0;
  std::vector<std::string_view> lines = SplitLines(text);
  if (name == "unix") {
    // "Num RefCount Protocol Flags Type St Inode Path"
    for (size_t i = 1; i < lines.size(); ++i) {
      std::vector<std::string_view> f = Split(lines[i], ' ', true);
      uint64_t ino = 0;
      if (f.size() < 7 || !ParseNumber(f[6], &ino)) {
        if (!Trim(lines[i]).empty()) ++bad;
        continue;
      }
      FdInfo fd;
      fd.kind = FdKind::kUnix;
      fd.name = f.size() >= 8 ? "unix:" + std::string(f[7]) : "unix:";
      (*table)[ino] = std::move(fd);
    }
    return bad;
  }
  bool v6 = EndsWith(name, "6");
  bool tcp = StartsWith(name, "tcp");
  struct Row {
    SockAddr local, remote;
    bool listening, established;
    uint64_t ino;
  };
  std::vector<Row> rows;
  std::map<uint16_t, bool> listening_ports;
  // "sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ..."
  for (size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string_view> f = Split(lines[i], ' ', true);
    Row r{};
    uint32_t st = 0;
    if (f.size() < 10 || !ParseHexAddr(f[1], v6, &r.local) || !ParseHexAddr(f[2], v6, &r.remote) ||
        std::from_chars(f[3].data(), f[3].data() + f[3].size(), st, 16).ec != std::errc() ||
        !ParseNumber(f[9], &r.ino)) {
      if (!Trim(lines[i]).empty()) ++bad;
      continue;
    }
    r.listening = tcp && st == 0x0A;
    r.established = tcp ? st == 0x01 : r.remote.port != 0;
    if (r.listening) listening_ports[r.local.port] = true;
    rows.push_back(r);
  }
  for (const Row& r : rows) {
    if (r.ino == 0) continue;  // TIME_WAIT and the like: no socket behind it
    FdInfo fd;
    fd.kind = v6 ? FdKind::kIpv6 : FdKind::kIpv4;
    std::string local = SockAddrToString(r.local);
    if (!r.established) {
      fd.name = local;
    } else if (tcp && listening_ports.count(r.local.port)) {
      fd.name = SockAddrToString(r.remote) + "->" + local;  // accepted: the peer is the client
    } else {
      fd.name = local + "->" + SockAddrToString(r.remote);
    }
    (*table)[r.ino] = std::move(fd);
  }
  return bad;
}

SocketTable ReadSocketTable(const std::string& proc_root, uint32_t pid) {
  SocketTable table;
  for (const char* name : {"tcp", "tcp6", "udp", "udp6", "unix"}) {
    std::string path = fmt::format("{}/{}/net/{}", proc_root, pid, name);
    StatusOr<std::string> text = ReadHostFile(path, 64 << 20);
    if (text.ok()) ParseProcNetSockets(*text, name, &table);
  }
  return table;
}

StatusOr<ProcStat> ParseProcStat(std::string_view text, std::string_view where) {
  size_t open = text.find('(');
  size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return InvalidArgumentError(fmt::format("{}: no (comm) field", where));
  }
  ProcStat st;
  if (!ParseNumber(Trim(text.substr(0, open)), &st.pid)) {
    return InvalidArgumentError(fmt::format("{}: field 1 (pid) is not a number", where));
  }
  st.comm = std::string(text.substr(open + 1, close - open - 1));
  // Fields after the comm, numbered from 3 (state).
  std::vector<std::string_view> f = Split(Trim(text.substr(close + 1)), ' ', true);
  if (f.size() < 20) {
    return InvalidArgumentError(
        fmt::format("{}: {} fields after comm, expected at least 20", where, f.size()));
  }
  int64_t tty = 0;
  if (!ParseNumber(f[1], &st.ppid)) {
    return InvalidArgumentError(fmt::format("{}: field 4 (ppid) is not a number", where));
  }
  if (!ParseNumber(f[4], &tty)) {
    return InvalidArgumentError(fmt::format("{}: field 7 (tty_nr) is not a number", where));
  }
  st.tty = static_cast<uint32_t>(tty);
  if (!ParseNumber(f[19], &st.start_ticks)) {
    return InvalidArgumentError(fmt::format("{}: field 22 (starttime) is not a number", where));
  }
  return st;
}

StatusOr<uint32_t> ParseProcStatusUid(std::string_view text, std::string_view where) {
  for (std::string_view line : SplitLines(text)) {
    if (!StartsWith(line, "Uid:")) continue;
    std::vector<std::string_view> f = Split(line.substr(4), '\t', true);
    if (f.empty()) f = Split(line.substr(4), ' ', true);
    uint32_t uid = 0;
    if (f.empty() || !ParseNumber(Trim(f[0]), &uid)) {
      return InvalidArgumentError(fmt::format("{}: malformed Uid line", where));
    }
    return uid;
  }
  return InvalidArgumentError(fmt::format("{}: no Uid line", where));
}

StatusOr<ProcCaps> ParseProcStatusCaps(std::string_view text, std::string_view where) {
  ProcCaps caps;
  bool eff = false, prm = false;
  size_t line_no = 0;
  for (std::string_view line : SplitLines(text)) {
    ++line_no;
    bool is_eff = StartsWith(line, "CapEff:");
    if (!is_eff && !StartsWith(line, "CapPrm:")) continue;
    std::string_view hex = Trim(line.substr(7));
    uint64_t v = 0;
    bool ok = !hex.empty() && hex.size() <= 16;
    for (char c : hex) {
      int d = c >= '0' && c <= '9'   ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                     : -1;
      if (d < 0) ok = false;
      v = (v << 4) | static_cast<uint64_t>(d < 0 ? 0 : d);
    }
    if (!ok) {
      return InvalidArgumentError(
          fmt::format("{}:{}: malformed {} line", where, line_no, is_eff ? "CapEff" : "CapPrm"));
    }
    (is_eff ? caps.effective : caps.permitted) = v;
    (is_eff ? eff : prm) = true;
  }
  if (!eff || !prm) return NotFoundError(fmt::format("{}: no CapEff/CapPrm lines", where));
  return caps;
}

std::vector<std::string> ParseCmdline(std::string_view text) {
  std::vector<std::string> args;
  if (!text.empty() && text.back() == '\0') text.remove_suffix(1);
  if (text.empty()) return args;
  for (std::string_view a : Split(text, '\0')) args.emplace_back(a);
  return args;
}

std::string ParseCgroupV2Path(std::string_view text) {
  for (std::string_view line : SplitLines(text)) {
    if (StartsWith(line, "0::")) return std::string(line.substr(3));
  }
  return "";
}

uint64_t ParseBootTime(std::string_view text) {
  for (std::string_view line : SplitLines(text)) {
    if (!StartsWith(line, "btime ")) continue;
    uint64_t v = 0;
    if (ParseNumber(Trim(line.substr(6)), &v)) return v;
  }
  return 0;
}

FdInfo FdFromLink(std::string_view target) {
  FdInfo fd;
  if (StartsWith(target, "socket:")) {
    fd.kind = FdKind::kOther;  // the family is not in the link; rules see "socket:[ino]"
  } else if (StartsWith(target, "pipe:")) {
    fd.kind = FdKind::kPipe;
  } else if (StartsWith(target, "/memfd:")) {
    fd.kind = FdKind::kMemfd;
    target.remove_prefix(1);
    if (EndsWith(target, " (deleted)")) target.remove_suffix(10);
  } else if (StartsWith(target, "/")) {
    fd.kind = FdKind::kFile;
  }
  fd.name = std::string(target);
  return fd;
}

StatusOr<ProcFsProcess> ReadProcFsProcess(const std::string& proc_root, uint32_t pid,
                                          uint64_t boot_time_s, size_t max_fds) {
  std::string dir = fmt::format("{}/{}", proc_root, pid);
  ProcFsProcess out;
  ProcessInfo& p = out.info;
  std::string stat_path = dir + "/stat";
  VIGIL_ASSIGN_OR_RETURN(std::string stat_text, ReadHostFile(stat_path, kMaxSmallFile));
  VIGIL_ASSIGN_OR_RETURN(ProcStat st, ParseProcStat(stat_text, stat_path));
  p.pid = pid;
  p.ppid = st.ppid;
  p.comm = st.comm;
  p.tty = st.tty;
  p.from_proc = true;
  static const long kTicks = sysconf(_SC_CLK_TCK) > 0 ? sysconf(_SC_CLK_TCK) : 100;
  p.start_ns = boot_time_s * 1000000000ull +
               st.start_ticks * (1000000000ull / static_cast<uint64_t>(kTicks));
  std::string status_path = dir + "/status";
  if (StatusOr<std::string> text = ReadHostFile(status_path, kMaxSmallFile); text.ok()) {
    VIGIL_ASSIGN_OR_RETURN(p.uid, ParseProcStatusUid(*text, status_path));
    StatusOr<ProcCaps> caps = ParseProcStatusCaps(*text, status_path);
    if (caps.ok()) {
      p.cap_effective = caps->effective;
      p.cap_permitted = caps->permitted;
      p.caps_known = true;
    } else if (!IsNotFound(caps.status())) {
      return caps.status();
    }
  }
  if (StatusOr<std::string> text = ReadHostFile(dir + "/cmdline", kMaxCmdline); text.ok()) {
    p.args = ParseCmdline(*text);
  }
  // Kernel threads and zombies have no exe; that is not an error.
  if (StatusOr<std::string> exe = ReadLink(dir + "/exe"); exe.ok()) {
    std::string_view e = *exe;
    if (StartsWith(e, "/memfd:")) p.exe_memfd = true;
    p.exe = std::string(e);
  }
  if (StatusOr<std::string> cwd = ReadLink(dir + "/cwd"); cwd.ok()) p.cwd = *cwd;
  if (StatusOr<std::string> cg = ReadHostFile(dir + "/cgroup", kMaxSmallFile); cg.ok()) {
    out.cgroup_path = ParseCgroupV2Path(*cg);
  }
  std::string fd_dir = dir + "/fd";
  if (DIR* d = opendir(fd_dir.c_str()); d != nullptr) {
    while (dirent* e = readdir(d)) {
      int64_t fd = 0;
      if (!ParseNumber(std::string_view(e->d_name), &fd)) continue;
      if (p.fds.size() >= max_fds) break;
      StatusOr<std::string> target = ReadLink(fd_dir + "/" + e->d_name);
      if (!target.ok()) continue;  // closed meanwhile
      p.fds[fd] = FdFromLink(*target);
    }
    closedir(d);
  }
  return out;
}

std::vector<uint32_t> ListProcPids(const std::string& proc_root) {
  std::vector<uint32_t> pids;
  DIR* d = opendir(proc_root.c_str());
  if (d == nullptr) return pids;
  while (dirent* e = readdir(d)) {
    uint32_t pid = 0;
    if (ParseNumber(std::string_view(e->d_name), &pid) && pid > 0) pids.push_back(pid);
  }
  closedir(d);
  std::sort(pids.begin(), pids.end());
  return pids;
}

}  // namespace vigil::runtime
