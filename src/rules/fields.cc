#include "rules/fields.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>

#include <cstring>
#include <ctime>
#include <unordered_map>

#include "runtime/capabilities.h"
#include "runtime/syscalls.h"

namespace vigil::rules {
namespace {

using runtime::Event;
using runtime::EventType;
using runtime::FdKind;
using runtime::FdKindOfFamily;
using runtime::KnownCapabilityName;
namespace sys = runtime::sys;

struct FieldDef {
  std::string_view name;
  FieldId id;
  FieldType type;
  bool indexed;  // accepts [N]
};

constexpr FieldDef kFields[] = {
    {"evt.type", FieldId::kEvtType, FieldType::kString, false},
    {"evt.dir", FieldId::kEvtDir, FieldType::kString, false},
    {"evt.num", FieldId::kEvtNum, FieldType::kNumber, false},
    {"evt.time", FieldId::kEvtTime, FieldType::kString, false},
    {"evt.time.iso8601", FieldId::kEvtTimeIso, FieldType::kString, false},
    {"evt.datetime", FieldId::kEvtTimeIso, FieldType::kString, false},
    {"evt.rawtime", FieldId::kEvtRawtime, FieldType::kNumber, false},
    {"evt.res", FieldId::kEvtRes, FieldType::kString, false},
    {"evt.rawres", FieldId::kEvtRawres, FieldType::kNumber, false},
    {"evt.failed", FieldId::kEvtFailed, FieldType::kBool, false},
    {"evt.is_open_read", FieldId::kEvtIsOpenRead, FieldType::kBool, false},
    {"evt.is_open_write", FieldId::kEvtIsOpenWrite, FieldType::kBool, false},
    {"evt.is_open_exec", FieldId::kEvtIsOpenExec, FieldType::kBool, false},
    {"evt.source", FieldId::kEvtSource, FieldType::kString, false},
    {"proc.name", FieldId::kProcName, FieldType::kString, false},
    {"proc.exe", FieldId::kProcExe, FieldType::kString, false},
    {"proc.exepath", FieldId::kProcExepath, FieldType::kString, false},
    {"proc.cmdline", FieldId::kProcCmdline, FieldType::kString, false},
    {"proc.args", FieldId::kProcArgs, FieldType::kString, false},
    {"proc.pid", FieldId::kProcPid, FieldType::kNumber, false},
    {"proc.ppid", FieldId::kProcPpid, FieldType::kNumber, false},
    {"proc.pname", FieldId::kProcPname, FieldType::kString, false},
    {"proc.pcmdline", FieldId::kProcPcmdline, FieldType::kString, false},
    {"proc.pexe", FieldId::kProcPexe, FieldType::kString, false},
    {"proc.pexepath", FieldId::kProcPexepath, FieldType::kString, false},
    {"proc.aname", FieldId::kProcAname, FieldType::kString, true},
    {"proc.apid", FieldId::kProcApid, FieldType::kNumber, true},
    {"proc.cwd", FieldId::kProcCwd, FieldType::kString, false},
    {"proc.tty", FieldId::kProcTty, FieldType::kNumber, false},
    {"proc.is_exe_upper_layer", FieldId::kProcUpperLayer, FieldType::kBool, false},
    {"proc.is_exe_from_memfd", FieldId::kProcMemfd, FieldType::kBool, false},
    {"proc.exe_writable", FieldId::kProcExeWritable, FieldType::kBool, false},
    {"proc.is_exe_writable", FieldId::kProcExeWritable, FieldType::kBool, false},
    {"thread.tid", FieldId::kThreadTid, FieldType::kNumber, false},
    {"thread.cap_effective", FieldId::kThreadCapEffective, FieldType::kString, false},
    {"thread.cap_permitted", FieldId::kThreadCapPermitted, FieldType::kString, false},
    {"proc.tid", FieldId::kThreadTid, FieldType::kNumber, false},
    {"user.uid", FieldId::kUserUid, FieldType::kNumber, false},
    {"user.name", FieldId::kUserName, FieldType::kString, false},
    {"group.gid", FieldId::kGroupGid, FieldType::kNumber, false},
    {"group.name", FieldId::kGroupName, FieldType::kString, false},
    {"fd.num", FieldId::kFdNum, FieldType::kNumber, false},
    {"fd.name", FieldId::kFdName, FieldType::kString, false},
    {"fd.nameraw", FieldId::kFdNameraw, FieldType::kString, false},
    {"fd.directory", FieldId::kFdDirectory, FieldType::kString, false},
    {"fd.filename", FieldId::kFdFilename, FieldType::kString, false},
    {"fd.type", FieldId::kFdType, FieldType::kString, false},
    {"fd.typechar", FieldId::kFdTypechar, FieldType::kString, false},
    {"fd.sip", FieldId::kFdSip, FieldType::kIp, false},
    {"fd.sport", FieldId::kFdSport, FieldType::kNumber, false},
    {"fd.cip", FieldId::kFdCip, FieldType::kIp, false},
    {"fd.cport", FieldId::kFdCport, FieldType::kNumber, false},
    {"fd.rip", FieldId::kFdRip, FieldType::kIp, false},
    {"fd.rport", FieldId::kFdRport, FieldType::kNumber, false},
    {"fd.lip", FieldId::kFdLip, FieldType::kIp, false},
    {"fd.lport", FieldId::kFdLport, FieldType::kNumber, false},
    {"fd.l4proto", FieldId::kFdL4proto, FieldType::kString, false},
    {"fd.sockfamily", FieldId::kFdSockfamily, FieldType::kString, false},
    {"fd.net", FieldId::kFdNet, FieldType::kIp, false},
    {"fd.ip", FieldId::kFdNet, FieldType::kIp, false},  // either end, as a /32 or /128 network
    {"fd.snet", FieldId::kFdSnet, FieldType::kIp, false},
    {"fd.cnet", FieldId::kFdCnet, FieldType::kIp, false},
    {"container.id", FieldId::kContainerId, FieldType::kString, false},
    {"container.full_id", FieldId::kContainerFullId, FieldType::kString, false},
    {"container.name", FieldId::kContainerName, FieldType::kString, false},
    {"container.image", FieldId::kContainerImage, FieldType::kString, false},
    {"container.image.repository", FieldId::kContainerImageRepo, FieldType::kString, false},
    {"container.image.tag", FieldId::kContainerImageTag, FieldType::kString, false},
    {"container.image.digest", FieldId::kContainerImageDigest, FieldType::kString, false},
    {"k8s.ns.name", FieldId::kK8sNsName, FieldType::kString, false},
    {"k8s.pod.name", FieldId::kK8sPodName, FieldType::kString, false},
};

// Falco field classes whose every field Vigil lacks (other event sources, plugins, metadata
// Vigil does not collect): any field of them is "unsupported" (a warning, the rule skipped).
constexpr std::string_view kUnsupportedClasses[] = {
    "k8s",   "ka",     "jevt", "k8smeta", "mesos", "span",       "evtin",  "syslog", "fdlist", "fs",
    "falco", "k8sres", "json", "gcp",     "aws",   "cloudtrail", "github", "okta",   "plugin"};

// Falco fields of the classes Vigil implements that Vigil does not provide: "unsupported".
// Any other name in these classes is a typo ("proc.nmae"): a load error.
constexpr std::string_view kUnsupportedFields[] = {"evt.arg",
                                                   "evt.rawarg",
                                                   "evt.args",
                                                   "evt.cpu",
                                                   "evt.latency",
                                                   "evt.latency.s",
                                                   "evt.latency.ns",
                                                   "evt.buffer",
                                                   "evt.buflen",
                                                   "evt.info",
                                                   "evt.is_io",
                                                   "evt.is_io_read",
                                                   "evt.is_io_write",
                                                   "evt.is_wait",
                                                   "evt.is_syslog",
                                                   "evt.count",
                                                   "evt.count.error",
                                                   "evt.count.error.file",
                                                   "evt.count.error.net",
                                                   "evt.count.error.memory",
                                                   "evt.count.exit",
                                                   "evt.category",
                                                   "evt.around",
                                                   "evt.abspath",
                                                   "evt.abspath.src",
                                                   "evt.abspath.dst",
                                                   "evt.is_open_create",
                                                   "evt.deltatime",
                                                   "evt.deltatime.s",
                                                   "evt.deltatime.ns",
                                                   "evt.outputtime",
                                                   "evt.plugininfo",
                                                   "evt.pluginname",
                                                   "evt.hostname",
                                                   "evt.time.s",
                                                   "evt.datetime.s",
                                                   "evt.reltime",
                                                   "evt.reltime.s",
                                                   "evt.reltime.ns",
                                                   "evt.rawtime.s",
                                                   "evt.rawtime.ns",
                                                   "evt.asynctype",
                                                   "evt.wait_latency",
                                                   "evt.type.is",
                                                   "evt.is_async",
                                                   "evt.res_str",
                                                   "proc.sname",
                                                   "proc.vpgid",
                                                   "proc.vpgid.name",
                                                   "proc.vpgid.exe",
                                                   "proc.vpgid.exepath",
                                                   "proc.sid",
                                                   "proc.sid.exe",
                                                   "proc.sid.exepath",
                                                   "proc.vpid",
                                                   "proc.pvpid",
                                                   "proc.loginshellid",
                                                   "proc.duration",
                                                   "proc.fdopencount",
                                                   "proc.fdlimit",
                                                   "proc.fdusage",
                                                   "proc.stime",
                                                   "proc.pid.ts",
                                                   "proc.ppid.ts",
                                                   "proc.ppid.duration",
                                                   "proc.is_container_healthcheck",
                                                   "proc.is_container_liveness_probe",
                                                   "proc.is_container_readiness_probe",
                                                   "proc.aexe",
                                                   "proc.aexepath",
                                                   "proc.exeline",
                                                   "proc.env",
                                                   "proc.aenv",
                                                   "proc.cmdnargs",
                                                   "proc.cmdlenargs",
                                                   "proc.is_sid_leader",
                                                   "proc.is_vpgid_leader",
                                                   "proc.nthreads",
                                                   "proc.nchilds",
                                                   "proc.exe_ino",
                                                   "proc.exe_ino.ctime",
                                                   "proc.exe_ino.mtime",
                                                   "proc.exe_ino.ctime_duration_proc_start",
                                                   "proc.exe_ino.ctime_duration_pidns_start",
                                                   "proc.pidns_init_start_ts",
                                                   "proc.vmsize",
                                                   "proc.vmrss",
                                                   "proc.vmswap",
                                                   "proc.pfmajor",
                                                   "proc.pfminor",
                                                   "proc.acmdline",
                                                   "proc.is_exe_lower_layer",
                                                   "proc.pexe_writable",
                                                   "proc.aname.exe",
                                                   "thread.cap_inheritable",
                                                   "thread.ismain",
                                                   "thread.exectime",
                                                   "thread.totexectime",
                                                   "thread.cgroups",
                                                   "thread.cgroup",
                                                   "thread.vtid",
                                                   "thread.nametid",
                                                   "thread.pfmajor",
                                                   "thread.pfminor",
                                                   "thread.vmsize",
                                                   "thread.vmrss",
                                                   "fd.cip.name",
                                                   "fd.sip.name",
                                                   "fd.lip.name",
                                                   "fd.rip.name",
                                                   "fd.dev",
                                                   "fd.dev.major",
                                                   "fd.dev.minor",
                                                   "fd.ino",
                                                   "fd.uid",
                                                   "fd.containername",
                                                   "fd.containerdirectory",
                                                   "fd.proto",
                                                   "fd.cproto",
                                                   "fd.sproto",
                                                   "fd.lproto",
                                                   "fd.rproto",
                                                   "fd.is_server",
                                                   "fd.connected",
                                                   "fd.name_changed",
                                                   "fd.types",
                                                   "fd.port",
                                                   "fd.lnet",
                                                   "fd.rnet",
                                                   "fd.is_upper_layer",
                                                   "fd.is_lower_layer",
                                                   "user.loginuid",
                                                   "user.loginname",
                                                   "user.homedir",
                                                   "user.shell",
                                                   "container.privileged",
                                                   "container.mounts",
                                                   "container.mount",
                                                   "container.mount.source",
                                                   "container.mount.dest",
                                                   "container.mount.mode",
                                                   "container.mount.rdwr",
                                                   "container.mount.propagation",
                                                   "container.image.id",
                                                   "container.type",
                                                   "container.healthcheck",
                                                   "container.liveness_probe",
                                                   "container.readiness_probe",
                                                   "container.start_ts",
                                                   "container.duration",
                                                   "container.ip",
                                                   "container.cni.json",
                                                   "container.host_pid",
                                                   "container.host_network",
                                                   "container.host_ipc",
                                                   "container.info",
                                                   "container.label",
                                                   "container.labels"};

bool IsOpen(int32_t nr) {
  return nr == sys::kOpen || nr == sys::kOpenat || nr == sys::kOpenat2 || nr == 85 /* creat */;
}

// Lexical normalisation of an absolute path ("/a/./b/../c" -> "/a/c"), as the state does for
// the fd table; used when no state resolved the path.
std::string NormalizeAbsolute(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view part = path.substr(i, j - i);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    i = j + 1;
  }
  std::string out;
  for (std::string_view p : parts) {
    out.push_back('/');
    out.append(p);
  }
  return out.empty() ? "/" : out;
}

void RenderCloneFlags(uint64_t flags, std::string* out) {
  static constexpr std::pair<uint64_t, std::string_view> kBits[] = {
      {0x00020000, "CLONE_NEWNS"},  {0x02000000, "CLONE_NEWCGROUP"}, {0x04000000, "CLONE_NEWUTS"},
      {0x08000000, "CLONE_NEWIPC"}, {0x10000000, "CLONE_NEWUSER"},   {0x20000000, "CLONE_NEWPID"},
      {0x40000000, "CLONE_NEWNET"}, {0x00000080, "CLONE_NEWTIME"},
  };
  for (const auto& [bit, name] : kBits) {
    if (flags & bit) {
      if (!out->empty()) out->push_back('|');
      out->append(name);
    }
  }
  if (out->empty()) *out = std::to_string(flags);
}

const FieldSpec& ProcNameSpec() {
  static const FieldSpec kSpec = [] {
    FieldSpec f;
    f.id = FieldId::kProcName;
    f.text = "proc.name";
    return f;
  }();
  return kSpec;
}

// argv[0] of a '\0'-separated argv.
std::string_view FirstArg(std::string_view args) {
  size_t nul = args.find('\0');
  return nul == std::string_view::npos ? args : args.substr(0, nul);
}

// argv[1..] joined with spaces (Falco's proc.args).
void JoinArgs(std::string_view args, std::string* out) {
  size_t nul = args.find('\0');
  if (nul == std::string_view::npos) return;
  args.remove_prefix(nul + 1);
  bool first = true;
  while (!args.empty()) {
    nul = args.find('\0');
    std::string_view a = args.substr(0, nul);
    if (!first) out->push_back(' ');
    out->append(a);
    first = false;
    if (nul == std::string_view::npos) break;
    args.remove_prefix(nul + 1);
  }
}

void JoinArgVector(const std::vector<std::string>& args, std::string* out) {
  for (size_t i = 1; i < args.size(); ++i) {
    if (i > 1) out->push_back(' ');
    out->append(args[i]);
  }
}

Value Str(std::string_view s) { return Value{Value::Kind::kString, s, 0}; }
Value Num(int64_t n) { return Value{Value::Kind::kNumber, {}, n}; }
Value None() { return Value{}; }
Value StrOrNone(std::string_view s) { return s.empty() ? None() : Str(s); }

void RenderOpenFlags(uint64_t flags, std::string* out) {
  switch (flags & O_ACCMODE) {
    case O_WRONLY:
      out->append("O_WRONLY");
      break;
    case O_RDWR:
      out->append("O_RDWR");
      break;
    default:
      out->append("O_RDONLY");
      break;
  }
  static constexpr std::pair<uint64_t, std::string_view> kBits[] = {
      {O_CREAT, "O_CREAT"},     {O_EXCL, "O_EXCL"},           {O_NOCTTY, "O_NOCTTY"},
      {O_TRUNC, "O_TRUNC"},     {O_APPEND, "O_APPEND"},       {O_NONBLOCK, "O_NONBLOCK"},
      {O_DSYNC, "O_DSYNC"},     {O_DIRECTORY, "O_DIRECTORY"}, {O_NOFOLLOW, "O_NOFOLLOW"},
      {O_CLOEXEC, "O_CLOEXEC"}, {O_PATH, "O_PATH"},
  };
  for (const auto& [bit, name] : kBits) {
    if (flags & bit) {
      out->push_back('|');
      out->append(name);
    }
  }
  if ((flags & O_TMPFILE) == O_TMPFILE) out->append("|O_TMPFILE");
}

std::string_view PtraceRequestName(uint64_t r) {
  switch (r) {
    case 0:
      return "PTRACE_TRACEME";
    case 1:
      return "PTRACE_PEEKTEXT";
    case 2:
      return "PTRACE_PEEKDATA";
    case 3:
      return "PTRACE_PEEKUSR";
    case 4:
      return "PTRACE_POKETEXT";
    case 5:
      return "PTRACE_POKEDATA";
    case 6:
      return "PTRACE_POKEUSR";
    case 7:
      return "PTRACE_CONT";
    case 8:
      return "PTRACE_KILL";
    case 9:
      return "PTRACE_SINGLESTEP";
    case 12:
      return "PTRACE_GETREGS";
    case 13:
      return "PTRACE_SETREGS";
    case 16:
      return "PTRACE_ATTACH";
    case 17:
      return "PTRACE_DETACH";
    case 24:
      return "PTRACE_SYSCALL";
    case 0x4200:
      return "PTRACE_SETOPTIONS";
    case 0x4201:
      return "PTRACE_GETEVENTMSG";
    case 0x4206:
      return "PTRACE_SEIZE";
    case 0x4207:
      return "PTRACE_INTERRUPT";
    default:
      return "";
  }
}

std::string_view FamilyName(uint32_t f) {
  switch (f) {
    case AF_UNIX:
      return "AF_UNIX";
    case AF_INET:
      return "AF_INET";
    case AF_INET6:
      return "AF_INET6";
    case AF_NETLINK:
      return "AF_NETLINK";
    case AF_PACKET:
      return "AF_PACKET";
    default:
      return "";
  }
}

std::string_view SocketTypeName(uint64_t t) {
  switch (t & 0xf) {
    case SOCK_STREAM:
      return "SOCK_STREAM";
    case SOCK_DGRAM:
      return "SOCK_DGRAM";
    case SOCK_RAW:
      return "SOCK_RAW";
    case SOCK_SEQPACKET:
      return "SOCK_SEQPACKET";
    default:
      return "";
  }
}

// Falco's rendering of a capability set: the names of its bits, ascending, separated by
// spaces ("CAP_CHOWN CAP_NET_RAW"); bits past the known names as CAP_<bit>; "" when empty.
void AppendCapNames(uint64_t caps, std::string* out) {
  for (int bit = 0; bit < 64; ++bit) {
    if (!(caps & (uint64_t{1} << bit))) continue;
    if (!out->empty()) out->push_back(' ');
    std::string_view known = KnownCapabilityName(bit);
    if (!known.empty()) {
      out->append(known);
    } else {
      out->append("CAP_");
      out->append(std::to_string(bit));
    }
  }
}

bool IsSocketKind(FdKind k) {
  return k == FdKind::kIpv4 || k == FdKind::kIpv6 || k == FdKind::kUnix;
}

// "10.0.0.1:443" / "[::1]:80" -> ip, port. Returns false for unix or empty endpoints.
bool SplitEndpoint(std::string_view ep, std::string_view* ip, int64_t* port) {
  if (ep.empty() || ep.starts_with("unix:")) return false;
  size_t colon = ep.rfind(':');
  if (colon == std::string_view::npos) return false;
  std::string_view host = ep.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  int64_t p = 0;
  for (char c : ep.substr(colon + 1)) {
    if (c < '0' || c > '9') return false;
    p = p * 10 + (c - '0');
    if (p > 65535) return false;
  }
  *ip = host;
  *port = p;
  return true;
}

// True when `path` is absolute with no '/' followed by '/' or '.' and no trailing '/': then
// it has no empty, "." or ".." component and NormalizeAbsolute returns it unchanged. (Clean
// paths with a component starting with '.', such as "/root/.ssh", answer false: they are
// resolved the slow way.) Eight bytes at a time: a byte of `here` that is '/' whose next byte
// is '/' or '.'.
bool IsCleanAbsolute(std::string_view path) {
  size_t n = path.size();
  if (n == 0 || path[0] != '/') return false;
  if (n == 1) return true;
  if (path[n - 1] == '/') return false;
  // 0x80 in each byte of x that is zero (exact: no carry crosses a byte).
  auto zero_bytes = [](uint64_t x) {
    constexpr uint64_t k7f = 0x7f7f7f7f7f7f7f7full;
    return ~(((x & k7f) + k7f) | x | k7f);
  };
  constexpr uint64_t kSlashes = 0x2f2f2f2f2f2f2f2full, kDots = 0x2e2e2e2e2e2e2e2eull;
  const char* p = path.data();
  size_t i = 0;
  for (; i + 9 <= n; i += 8) {
    uint64_t here, next;
    memcpy(&here, p + i, 8);
    memcpy(&next, p + i + 1, 8);
    if (zero_bytes(here ^ kSlashes) & (zero_bytes(next ^ kSlashes) | zero_bytes(next ^ kDots))) {
      return false;
    }
  }
  for (; i + 1 < n; ++i) {
    if (p[i] == '/' && (p[i + 1] == '/' || p[i + 1] == '.')) return false;
  }
  return true;
}

// Host user/group names, cached per thread (getpwuid_r reads files or NSS).
std::string_view CachedName(uint32_t id, bool group) {
  thread_local std::unordered_map<uint64_t, std::string> cache;
  uint64_t key = (static_cast<uint64_t>(group) << 32) | id;
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  if (cache.size() > 4096) cache.clear();
  std::string name = "<NA>";
  char buf[4096];
  if (group) {
    struct group g, *res = nullptr;
    if (getgrgid_r(id, &g, buf, sizeof buf, &res) == 0 && res) name = res->gr_name;
  } else {
    struct passwd p, *res = nullptr;
    if (getpwuid_r(id, &p, buf, sizeof buf, &res) == 0 && res) name = res->pw_name;
  }
  return cache.emplace(key, std::move(name)).first->second;
}

ArgId ArgIdOf(std::string_view a) {
  static constexpr std::pair<std::string_view, ArgId> kArgs[] = {
      {"name", ArgId::kPath},       {"path", ArgId::kPath},      {"pathname", ArgId::kPath},
      {"filename", ArgId::kPath},   {"target", ArgId::kPath},    {"oldpath", ArgId::kPath},
      {"source", ArgId::kPath},     {"src", ArgId::kPath},       {"dev", ArgId::kPath},
      {"exe", ArgId::kExe},         {"linkpath", ArgId::kPath2}, {"newpath", ArgId::kPath2},
      {"dest", ArgId::kPath2},      {"dir", ArgId::kPath2},      {"res", ArgId::kRes},
      {"fd", ArgId::kFd},           {"dirfd", ArgId::kDirfd},    {"oldfd", ArgId::kDirfd},
      {"newfd", ArgId::kNewfd},     {"flags", ArgId::kFlags},    {"mode", ArgId::kMode},
      {"request", ArgId::kRequest}, {"pid", ArgId::kPid},        {"uid", ArgId::kUidGid},
      {"gid", ArgId::kUidGid},      {"domain", ArgId::kDomain},  {"type", ArgId::kType},
      {"addr", ArgId::kAddr},       {"tuple", ArgId::kAddr},     {"cmd", ArgId::kCmd},
      {"nstype", ArgId::kCmd},      {"size", ArgId::kSize},      {"length", ArgId::kSize},
      {"args", ArgId::kArgs},       {"cwd", ArgId::kCwd},
  };
  for (const auto& [name, id] : kArgs) {
    if (name == a) return id;
  }
  return ArgId::kOther;
}

}  // namespace

FieldLookup ResolveField(std::string_view text, FieldSpec* out) {
  *out = FieldSpec();
  out->text = std::string(text);
  std::string_view name = text;
  int index = -1;
  bool has_index = false;
  if (size_t lb = text.find('['); lb != std::string_view::npos) {
    if (text.back() != ']') return FieldLookup::kUnknown;
    std::string_view num = text.substr(lb + 1, text.size() - lb - 2);
    name = text.substr(0, lb);
    index = 0;
    has_index = true;
    if (num.empty() || num.size() > 3) return FieldLookup::kUnsupported;
    for (char c : num) {
      if (c < '0' || c > '9') return FieldLookup::kUnsupported;  // evt.arg[name] etc.
      index = index * 10 + (c - '0');
    }
  }
  for (std::string_view prefix : {std::string_view("evt.arg."), std::string_view("evt.rawarg.")}) {
    if (name.starts_with(prefix) && name.size() > prefix.size() && !has_index) {
      out->id = prefix == "evt.arg." ? FieldId::kEvtArg : FieldId::kEvtRawarg;
      out->type = out->id == FieldId::kEvtArg ? FieldType::kString : FieldType::kNumber;
      out->arg = std::string(name.substr(prefix.size()));
      out->arg_id = ArgIdOf(out->arg);
      // Raw path-like arguments stay strings.
      if (out->id == FieldId::kEvtRawarg) {
        static constexpr std::string_view kStringArgs[] = {
            "name",    "path",     "pathname", "filename", "target", "oldpath",
            "newpath", "linkpath", "source",   "src",      "dev",    "dir",
            "dest",    "exe",      "addr",     "tuple",    "args",   "cwd"};
        for (std::string_view s : kStringArgs) {
          if (out->arg == s) out->type = FieldType::kString;
        }
      }
      return FieldLookup::kOk;
    }
  }
  for (const FieldDef& def : kFields) {
    if (def.name != name) continue;
    if (has_index && !def.indexed) return FieldLookup::kUnsupported;
    out->id = def.id;
    out->type = def.type;
    out->index = def.indexed ? index : 0;
    return FieldLookup::kOk;
  }
  size_t dot = name.find('.');
  if (dot == std::string_view::npos) return FieldLookup::kUnknown;
  std::string_view cls = name.substr(0, dot);
  for (std::string_view c : kUnsupportedClasses) {
    if (c == cls) return FieldLookup::kUnsupported;
  }
  for (std::string_view f : kUnsupportedFields) {
    if (f == name) return FieldLookup::kUnsupported;
  }
  return FieldLookup::kUnknown;
}

std::vector<std::string> SupportedFieldNames() {
  std::vector<std::string> out;
  for (const FieldDef& def : kFields) {
    out.emplace_back(def.indexed ? fmt::format("{}[N]", def.name) : std::string(def.name));
  }
  out.emplace_back("evt.arg.NAME");
  out.emplace_back("evt.rawarg.NAME");
  return out;
}

int EventTypeCodeOf(std::string_view name) {
  if (name == "procexit") return kProcexitCode;
  return runtime::SyscallNumber(name);
}

std::string_view EventTypeCodeName(int code) {
  if (code == kProcexitCode) return "procexit";
  return runtime::SyscallName(code);
}

void EvalContext::Reset(const Event* event, runtime::State* state, uint64_t evt_num) {
  event_ = event;
  state_ = state;
  evt_num_ = evt_num;
  proc_done_ = parent_done_ = container_done_ = fd_done_ = false;
  chain_len_ = 0;
  chain_end_ = false;
}

const runtime::ProcessInfo* EvalContext::Proc() {
  if (!proc_done_) {
    proc_done_ = true;
    proc_ = state_ ? state_->Process(event_->pid) : nullptr;
  }
  return proc_;
}

const runtime::ProcessInfo* EvalContext::Parent() {
  if (!parent_done_) {
    parent_done_ = true;
    parent_ = nullptr;
    if (state_) {
      uint32_t ppid = event_->ppid;
      if (ppid == 0 && Proc()) ppid = Proc()->ppid;
      if (ppid != 0 && ppid != event_->pid) parent_ = state_->Process(ppid);
    }
  }
  return parent_;
}

const runtime::ContainerInfo* EvalContext::Container() {
  if (!container_done_) {
    container_done_ = true;
    container_ = state_ ? &state_->Container(event_->cgroup_id) : nullptr;
  }
  return container_;
}

const EvalContext::Fd& EvalContext::FdView() {
  if (fd_done_) return fd_;
  fd_done_ = true;
  fd_ = Fd();
  const Event& e = *event_;
  if (e.type != EventType::kSyscall) return fd_;
  const runtime::ProcessInfo* p = nullptr;
  auto from_state = [&](int64_t fd) -> bool {
    if (!p) p = Proc();
    if (!p || fd < 0) return false;
    auto it = p->fds.find(fd);
    if (it == p->fds.end()) return false;
    fd_.present = true;
    fd_.kind = it->second.kind;
    fd_.name = it->second.name;
    fd_.is_socket = IsSocketKind(fd_.kind);
    if (fd_.is_socket) {
      size_t arrow = fd_.name.find("->");
      if (arrow != std::string_view::npos) {
        fd_.client = fd_.name.substr(0, arrow);
        fd_.server = fd_.name.substr(arrow + 2);
      } else {
        fd_.server = fd_.name;
      }
    }
    return true;
  };
  int32_t nr = e.syscall;
  if (IsOpen(nr)) {
    fd_.num = e.ret;
    fd_.kind = (e.flags & O_DIRECTORY) ? FdKind::kDirectory : FdKind::kFile;
    if (IsCleanAbsolute(e.path)) {
      // The name the state gives the new fd is this very path (it normalises paths, and a
      // clean absolute one is already normal; FieldsTest checks that against the State), and
      // the path's own normalisation without a state is the path too: no lookup needed.
      fd_.present = true;
      fd_.name = e.path;
      return fd_;
    }
    if (!from_state(e.ret)) {
      fd_.present = true;
      fd_.name = e.path;
    }
    fd_.kind = (e.flags & O_DIRECTORY) ? FdKind::kDirectory : FdKind::kFile;
    if (fd_.name.data() == e.path.data()) {
      // Not resolved by the state: join with the cwd and normalise here.
      std::string joined;
      if (!e.path.starts_with("/")) {
        std::string_view cwd = Proc() ? std::string_view(Proc()->cwd) : std::string_view();
        if (cwd.starts_with("/")) joined = fmt::format("{}/{}", cwd, e.path);
      } else {
        joined.assign(e.path);
      }
      if (!joined.empty()) {
        fd_name_buf_ = NormalizeAbsolute(joined);
        fd_.name = fd_name_buf_;
      }
    }
    return fd_;
  }
  switch (nr) {
    case sys::kMemfdCreate:
      fd_.num = e.ret;
      if (!from_state(e.ret)) {
        fd_.present = true;
        fd_name_buf_ = fmt::format("memfd:{}", e.path);
        fd_.name = fd_name_buf_;
      }
      fd_.kind = FdKind::kMemfd;
      return fd_;
    case sys::kSocket:
      fd_.present = true;
      fd_.num = e.ret;
      fd_.kind = FdKindOfFamily(e.id_arg);
      fd_.is_socket = IsSocketKind(fd_.kind);
      switch (e.flags & 0xf) {
        case SOCK_STREAM:
          fd_.l4proto = fd_.kind == FdKind::kUnix ? "" : "tcp";
          break;
        case SOCK_DGRAM:
          fd_.l4proto = fd_.kind == FdKind::kUnix ? "" : "udp";
          break;
        case SOCK_RAW:
          fd_.l4proto = "raw";
          break;
        default:
          break;
      }
      return fd_;
    case sys::kConnect:
    case sys::kSendto:
    case sys::kBind:
    case sys::kAccept:
    case sys::kAccept4: {
      bool accept = nr == sys::kAccept || nr == sys::kAccept4;
      fd_.num = accept ? e.ret : e.fd;
      if (e.addr.family == 0) {
        from_state(fd_.num);
        fd_.present = true;
        return fd_;
      }
      if (nr == sys::kBind) {  // the name is the bound address; a client only from the state
        from_state(fd_.num);
        fd_.present = true;
        fd_.kind = FdKindOfFamily(e.addr.family);
        fd_.is_socket = true;
        fd_addr_buf_.clear();
        runtime::AppendSockAddr(e.addr, &fd_addr_buf_);
        fd_.server = fd_addr_buf_;
        fd_.local_is_server = true;
        fd_.name = fd_.server;
        return fd_;
      }
      fd_.present = true;
      fd_.kind = FdKindOfFamily(e.addr.family);
      fd_.is_socket = true;
      fd_addr_buf_.clear();
      runtime::AppendSockAddr(e.addr, &fd_addr_buf_);
      if (accept) {
        fd_.client = fd_addr_buf_;
        fd_.local_is_server = true;
      } else {
        fd_.server = fd_addr_buf_;
      }
      fd_.other_pending = true;
      fd_.pending_is_client = !accept;
      return fd_;
    }
    case sys::kListen:
      fd_.num = e.fd;
      from_state(e.fd);
      fd_.local_is_server = true;
      return fd_;
    case sys::kDup2:
    case sys::kDup3:
    case 32: /* dup */ {
      int64_t newfd = nr == 32 ? e.ret : e.fd2;
      if (!from_state(newfd)) from_state(e.fd);
      fd_.num = newfd;
      return fd_;
    }
    default:
      if (e.fd >= 0) {
        fd_.num = e.fd;
        from_state(e.fd);
      }
      return fd_;
  }
}

const EvalContext::Fd& EvalContext::FdNamed() {
  FdView();
  if (!fd_.other_pending) return fd_;
  fd_.other_pending = false;
  // The other end as the state's name for the fd has it ("client->server", or a bound or
  // listening socket's "server"); absent when the state does not know the fd.
  std::string_view other_client, other_server;
  const runtime::ProcessInfo* p = Proc();
  if (p && fd_.num >= 0) {
    auto it = p->fds.find(fd_.num);
    if (it != p->fds.end() && IsSocketKind(it->second.kind)) {
      std::string_view name = it->second.name;
      size_t arrow = name.find("->");
      if (arrow != std::string_view::npos) {
        other_client = name.substr(0, arrow);
        other_server = name.substr(arrow + 2);
      } else {
        other_server = name;
      }
    }
  }
  std::string_view event_end = fd_addr_buf_;
  std::string_view client = fd_.pending_is_client ? other_client : event_end;
  std::string_view server = fd_.pending_is_client ? event_end : other_server;
  fd_name_buf_.assign(client);
  fd_name_buf_.append("->");
  fd_name_buf_.append(server);
  fd_.name = fd_name_buf_;
  fd_.client = fd_.name.substr(0, client.size());
  fd_.server = fd_.name.substr(client.size() + 2);
  return fd_;
}

const runtime::ProcessInfo* EvalContext::ChainAncestor(int generation) {
  if (generation <= 0 || generation > kMaxChain) return nullptr;
  if (chain_len_ == 0) {
    chain_[0] = Proc();
    chain_len_ = 1;
    chain_end_ = chain_[0] == nullptr;
  }
  // Extends the walk as State::Ancestor does: stop at ppid 0, a self-parent, or an unknown pid.
  while (chain_len_ <= generation && !chain_end_) {
    const runtime::ProcessInfo* p = chain_[chain_len_ - 1];
    const runtime::ProcessInfo* up =
        p->ppid == 0 || p->ppid == p->pid ? nullptr : state_->Process(p->ppid);
    if (up == nullptr) {
      chain_end_ = true;
      break;
    }
    chain_[chain_len_++] = up;
  }
  return generation < chain_len_ ? chain_[generation] : nullptr;
}

Value EvalContext::Ancestor(FieldId id, int generation, std::string* scratch) {
  const runtime::ProcessInfo* a = nullptr;
  if (generation == 0) {
    if (id == FieldId::kProcAname) return Get(ProcNameSpec(), scratch);
    return Num(event_->pid);
  }
  if (generation == 1) {
    a = Parent();
    if (!a && id == FieldId::kProcApid && event_->ppid != 0) return Num(event_->ppid);
  } else if (state_) {
    a = ChainAncestor(generation);
  }
  if (!a) return None();
  return id == FieldId::kProcAname ? StrOrNone(a->comm) : Num(a->pid);
}

Value EvalContext::Get(const FieldSpec& f, std::string* scratch) {
  const Event& e = *event_;
  bool exec = e.type == EventType::kProcessExec;
  switch (f.id) {
    case FieldId::kEvtType: {
      int code = EventTypeCode(e);
      return code < 0 ? None() : StrOrNone(EventTypeCodeName(code));
    }
    case FieldId::kEvtDir:
      return Str("<");
    case FieldId::kEvtNum:
      return Num(static_cast<int64_t>(evt_num_));
    case FieldId::kEvtTime:
    case FieldId::kEvtTimeIso: {
      time_t secs = static_cast<time_t>(e.ts_ns / 1000000000ull);
      struct tm tm;
      gmtime_r(&secs, &tm);
      uint64_t nanos = e.ts_ns % 1000000000ull;
      if (f.id == FieldId::kEvtTime) {
        *scratch = fmt::format("{:02}:{:02}:{:02}.{:09}", tm.tm_hour, tm.tm_min, tm.tm_sec, nanos);
      } else {
        *scratch = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z", tm.tm_year + 1900,
                               tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, nanos);
      }
      return Str(*scratch);
    }
    case FieldId::kEvtRawtime:
      return Num(static_cast<int64_t>(e.ts_ns));
    case FieldId::kEvtRes: {
      if (e.type != EventType::kSyscall || e.ret >= 0) return Str("SUCCESS");
      const char* name = strerrorname_np(static_cast<int>(-e.ret));
      if (name) return Str(name);
      *scratch = fmt::format("E{}", -e.ret);
      return Str(*scratch);
    }
    case FieldId::kEvtRawres:
      return Num(e.type == EventType::kSyscall || e.type == EventType::kProcessExit ? e.ret : 0);
    case FieldId::kEvtFailed:
      return Num(e.type == EventType::kSyscall && e.ret < 0);
    case FieldId::kEvtIsOpenRead:
      if (e.type != EventType::kSyscall || !IsOpen(e.syscall)) return Num(0);
      return Num(e.syscall != 85 && (e.flags & O_ACCMODE) != O_WRONLY);
    case FieldId::kEvtIsOpenWrite:
      if (e.type != EventType::kSyscall || !IsOpen(e.syscall)) return Num(0);
      return Num(e.syscall == 85 || (e.flags & O_ACCMODE) != O_RDONLY);
    case FieldId::kEvtIsOpenExec:
      if (e.type != EventType::kSyscall || !IsOpen(e.syscall)) return Num(0);
      return Num((e.flags & O_CREAT) && (e.mode & 0111));
    case FieldId::kEvtSource:
      return Str("syscall");
    case FieldId::kEvtArg:
    case FieldId::kEvtRawarg: {
      bool raw = f.id == FieldId::kEvtRawarg;
      bool open = e.type == EventType::kSyscall && IsOpen(e.syscall);
      switch (f.arg_id) {
        case ArgId::kPath:
          return StrOrNone(e.path);
        case ArgId::kExe:
          return StrOrNone(exec ? e.exe : e.path);
        case ArgId::kPath2:
          return StrOrNone(e.path2);
        case ArgId::kRes:
          return Num(e.ret);
        case ArgId::kFd:
          return open ? Num(e.ret) : e.fd >= 0 ? Num(e.fd) : None();
        case ArgId::kDirfd:
          return e.fd == -1 ? None() : Num(e.fd);
        case ArgId::kNewfd:
          return e.fd2 < 0 ? None() : Num(e.fd2);
        case ArgId::kFlags:
          if (open && !raw) {
            scratch->clear();
            RenderOpenFlags(e.flags, scratch);
            return Str(*scratch);
          }
          if (raw || e.type != EventType::kSyscall) return Num(static_cast<int64_t>(e.flags));
          if (e.syscall == sys::kUnshare || e.syscall == sys::kSetns || e.syscall == sys::kClone) {
            scratch->clear();
            RenderCloneFlags(e.flags, scratch);
            return Str(*scratch);
          }
          *scratch = std::to_string(e.flags);
          return Str(*scratch);
        case ArgId::kMode:
          if (raw) return Num(e.mode);
          *scratch = fmt::format("0{:o}", e.mode);
          return Str(*scratch);
        case ArgId::kRequest: {
          if (e.syscall != sys::kPtrace) return None();
          if (raw) return Num(static_cast<int64_t>(e.flags));
          std::string_view n = PtraceRequestName(e.flags);
          if (!n.empty()) return Str(n);
          *scratch = std::to_string(e.flags);
          return Str(*scratch);
        }
        case ArgId::kPid:
          return e.syscall == sys::kPtrace ? Num(e.id_arg) : None();
        case ArgId::kUidGid:
          return e.syscall == sys::kSetuid || e.syscall == sys::kSetgid ? Num(e.id_arg) : None();
        case ArgId::kDomain: {
          if (e.syscall != sys::kSocket) return None();
          if (raw) return Num(e.id_arg);
          std::string_view n = FamilyName(e.id_arg);
          if (!n.empty()) return Str(n);
          *scratch = std::to_string(e.id_arg);
          return Str(*scratch);
        }
        case ArgId::kType:
          if (e.syscall != sys::kSocket) return None();
          if (raw) return Num(static_cast<int64_t>(e.flags));
          return StrOrNone(SocketTypeName(e.flags));
        case ArgId::kAddr:
          if (e.addr.family == 0) return None();
          scratch->clear();
          runtime::AppendSockAddr(e.addr, scratch);
          return Str(*scratch);
        case ArgId::kCmd:
          return Num(static_cast<int64_t>(e.flags));
        case ArgId::kSize:
          return Num(static_cast<int64_t>(e.bytes));
        case ArgId::kArgs:
          if (!exec) return None();
          scratch->clear();
          JoinArgs(e.args, scratch);
          return Str(*scratch);
        case ArgId::kCwd:
          return exec ? StrOrNone(e.cwd) : None();
        case ArgId::kOther:
          return None();
      }
      return None();
    }
    case FieldId::kProcName: {
      if (!e.comm.empty()) return Str(e.comm);
      const runtime::ProcessInfo* p = Proc();
      return p ? StrOrNone(p->comm) : None();
    }
    case FieldId::kProcExe: {
      if (exec) return StrOrNone(FirstArg(e.args));
      const runtime::ProcessInfo* p = Proc();
      if (!p) return None();
      return p->args.empty() ? StrOrNone(p->exe) : Str(p->args[0]);
    }
    case FieldId::kProcExepath: {
      if (exec) return StrOrNone(e.exe);
      const runtime::ProcessInfo* p = Proc();
      return p ? StrOrNone(p->exe) : None();
    }
    case FieldId::kProcCmdline:
    case FieldId::kProcArgs: {
      scratch->clear();
      if (f.id == FieldId::kProcCmdline) {
        Value name = Get(ProcNameSpec(), scratch);  // proc.name never uses the scratch
        if (name.kind == Value::Kind::kNone) return None();
        scratch->assign(name.s);
      }
      // The arguments go straight after a separating space, which is taken back when there
      // are none.
      bool space = !scratch->empty();
      if (space) scratch->push_back(' ');
      size_t start = scratch->size();
      if (exec) {
        JoinArgs(e.args, scratch);
      } else if (const runtime::ProcessInfo* p = Proc()) {
        JoinArgVector(p->args, scratch);
      } else if (f.id == FieldId::kProcArgs) {
        return None();
      }
      if (space && scratch->size() == start) scratch->pop_back();
      return Str(*scratch);
    }
    case FieldId::kProcPid:
      return Num(e.pid);
    case FieldId::kProcPpid: {
      if (e.ppid != 0) return Num(e.ppid);
      const runtime::ProcessInfo* p = Proc();
      return p ? Num(p->ppid) : None();
    }
    case FieldId::kProcPname: {
      const runtime::ProcessInfo* p = Parent();
      return p ? StrOrNone(p->comm) : None();
    }
    case FieldId::kProcPcmdline: {
      const runtime::ProcessInfo* p = Parent();
      if (!p) return None();
      *scratch = p->comm;
      if (p->args.size() > 1) {
        scratch->push_back(' ');
        JoinArgVector(p->args, scratch);
      }
      return Str(*scratch);
    }
    case FieldId::kProcPexe: {
      const runtime::ProcessInfo* p = Parent();
      if (!p) return None();
      return p->args.empty() ? StrOrNone(p->exe) : Str(p->args[0]);
    }
    case FieldId::kProcPexepath: {
      const runtime::ProcessInfo* p = Parent();
      return p ? StrOrNone(p->exe) : None();
    }
    case FieldId::kProcAname:
    case FieldId::kProcApid:
      return Ancestor(f.id, f.index < 0 ? 1 : f.index, scratch);
    case FieldId::kProcCwd: {
      if (exec) return StrOrNone(e.cwd);
      const runtime::ProcessInfo* p = Proc();
      return p ? StrOrNone(p->cwd) : None();
    }
    case FieldId::kProcTty: {
      if (exec) return Num(e.tty);
      const runtime::ProcessInfo* p = Proc();
      return p ? Num(p->tty) : None();
    }
    case FieldId::kProcUpperLayer: {
      if (exec) return Num(e.exe_upper_layer);
      const runtime::ProcessInfo* p = Proc();
      return p ? Num(p->exe_upper_layer) : None();
    }
    case FieldId::kProcMemfd: {
      if (exec) return Num(e.exe_memfd);
      const runtime::ProcessInfo* p = Proc();
      return p ? Num(p->exe_memfd) : None();
    }
    case FieldId::kProcExeWritable:
      return exec ? Num(e.exe_writable) : None();
    case FieldId::kThreadTid:
      return Num(e.tid);
    case FieldId::kThreadCapEffective:
    case FieldId::kThreadCapPermitted: {
      const runtime::ProcessInfo* p = Proc();
      if (!p || !p->caps_known) return None();
      scratch->clear();
      AppendCapNames(f.id == FieldId::kThreadCapEffective ? p->cap_effective : p->cap_permitted,
                     scratch);
      return Str(*scratch);
    }
    case FieldId::kUserUid:
      return Num(e.uid);
    case FieldId::kUserName:
      return Str(CachedName(e.uid, false));
    case FieldId::kGroupGid:
      return Num(e.gid);
    case FieldId::kGroupName:
      return Str(CachedName(e.gid, true));
    case FieldId::kFdNum: {
      const Fd& fd = FdView();
      return fd.present || fd.num >= 0 ? Num(fd.num) : None();
    }
    case FieldId::kFdName: {
      const Fd& fd = FdNamed();
      return fd.present ? StrOrNone(fd.name) : None();
    }
    case FieldId::kFdNameraw: {
      const Fd& fd = FdNamed();
      if (!fd.present) return None();
      bool pathy =
          e.type == EventType::kSyscall && (IsOpen(e.syscall) || e.syscall == sys::kMemfdCreate);
      return pathy ? StrOrNone(e.path) : StrOrNone(fd.name);
    }
    case FieldId::kFdDirectory:
    case FieldId::kFdFilename: {
      const Fd& fd = FdView();
      if (!fd.present || fd.is_socket || !fd.name.starts_with("/")) return None();
      if (fd.kind == FdKind::kDirectory) {
        return f.id == FieldId::kFdDirectory ? Str(fd.name) : None();
      }
      size_t slash = fd.name.rfind('/');
      if (f.id == FieldId::kFdFilename) return Str(fd.name.substr(slash + 1));
      return Str(slash == 0 ? std::string_view("/") : fd.name.substr(0, slash));
    }
    case FieldId::kFdType:
    case FieldId::kFdTypechar: {
      const Fd& fd = FdView();
      if (!fd.present) return None();
      bool c = f.id == FieldId::kFdTypechar;
      switch (fd.kind) {
        case FdKind::kFile:
          return Str(c ? "f" : "file");
        case FdKind::kDirectory:
          return Str(c ? "d" : "directory");
        case FdKind::kIpv4:
          return Str(c ? "4" : "ipv4");
        case FdKind::kIpv6:
          return Str(c ? "6" : "ipv6");
        case FdKind::kUnix:
          return Str(c ? "u" : "unix");
        case FdKind::kPipe:
          return Str(c ? "p" : "pipe");
        case FdKind::kMemfd:
          return Str(c ? "m" : "memfd");
        default:
          return None();
      }
    }
    case FieldId::kFdSip:
    case FieldId::kFdSport:
    case FieldId::kFdCip:
    case FieldId::kFdCport:
    case FieldId::kFdRip:
    case FieldId::kFdRport:
    case FieldId::kFdLip:
    case FieldId::kFdLport:
    case FieldId::kFdNet:
    case FieldId::kFdSnet:
    case FieldId::kFdCnet: {
      const Fd* fd = &FdView();
      if (!fd->is_socket) return None();
      bool client;
      switch (f.id) {
        case FieldId::kFdSip:
        case FieldId::kFdSport:
        case FieldId::kFdSnet:
        case FieldId::kFdNet:
          client = false;
          break;
        case FieldId::kFdCip:
        case FieldId::kFdCport:
        case FieldId::kFdCnet:
          client = true;
          break;
        case FieldId::kFdLip:
        case FieldId::kFdLport:
          client = !fd->local_is_server;
          break;
        default:
          client = fd->local_is_server;
          break;
      }
      if (fd->other_pending && fd->pending_is_client == client) fd = &FdNamed();
      std::string_view ep = client ? fd->client : fd->server;
      std::string_view ip;
      int64_t port = 0;
      if (!SplitEndpoint(ep, &ip, &port)) return None();
      bool want_port = f.id == FieldId::kFdSport || f.id == FieldId::kFdCport ||
                       f.id == FieldId::kFdRport || f.id == FieldId::kFdLport;
      return want_port ? Num(port) : Str(ip);
    }
    case FieldId::kFdL4proto: {
      const Fd& fd = FdView();
      return StrOrNone(fd.l4proto);
    }
    case FieldId::kFdSockfamily: {
      const Fd& fd = FdView();
      if (fd.kind == FdKind::kIpv4 || fd.kind == FdKind::kIpv6) return Str("ip");
      if (fd.kind == FdKind::kUnix) return Str("unix");
      return None();
    }
    case FieldId::kContainerId:
    case FieldId::kContainerFullId:
    case FieldId::kContainerName: {
      const runtime::ContainerInfo* c = Container();
      if (!c) return e.cgroup_id <= 1 ? Str("host") : None();
      if (c->id.empty()) return Str("host");
      if (f.id == FieldId::kContainerId) return Str(std::string_view(c->id).substr(0, 12));
      if (f.id == FieldId::kContainerFullId) return Str(c->id);
      return StrOrNone(c->name);
    }
    case FieldId::kContainerImage:
    case FieldId::kContainerImageRepo:
    case FieldId::kContainerImageTag:
    case FieldId::kContainerImageDigest: {
      const runtime::ContainerInfo* c = Container();
      if (!c || c->id.empty()) return None();
      std::string_view image = c->image;
      std::string_view digest = c->image_digest;
      if (size_t at = image.find('@'); at != std::string_view::npos) {
        if (digest.empty()) digest = image.substr(at + 1);
        image = image.substr(0, at);
      }
      std::string_view repo = image, tag;
      size_t slash = image.rfind('/');
      size_t colon = image.rfind(':');
      if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
        repo = image.substr(0, colon);
        tag = image.substr(colon + 1);
      }
      switch (f.id) {
        case FieldId::kContainerImage:
          return StrOrNone(c->image);
        case FieldId::kContainerImageRepo:
          return StrOrNone(repo);
        case FieldId::kContainerImageTag:
          return StrOrNone(tag);
        default:
          return StrOrNone(digest);
      }
    }
    case FieldId::kK8sNsName:
    case FieldId::kK8sPodName: {
      const runtime::ContainerInfo* c = Container();
      if (!c) return None();
      return StrOrNone(f.id == FieldId::kK8sNsName ? c->pod_namespace : c->pod);
    }
  }
  return None();
}

std::string_view EvalContext::Render(const FieldSpec& field, const Value& v, std::string* scratch) {
  switch (v.kind) {
    case Value::Kind::kNone:
      return "<NA>";
    case Value::Kind::kString:
      return v.s;
    case Value::Kind::kNumber:
      if (field.type == FieldType::kBool) return v.n ? "true" : "false";
      *scratch = std::to_string(v.n);
      return *scratch;
  }
  return "<NA>";
}

}  // namespace vigil::rules
