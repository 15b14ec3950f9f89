// Rule fields: the table of supported Falco field names, their types, and their extraction
// from a runtime::Event plus the run-time State (docs/rules.md "Fields" is the mapping).
// Names are resolved once, at compile time, to a FieldSpec; extraction is a switch on its id.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/event.h"
#include "runtime/state.h"
#include "runtime/syscalls.h"

namespace vigil::rules {

enum class FieldType : uint8_t { kString, kNumber, kBool, kIp };

enum class FieldId : uint8_t {
  kEvtType,
  kEvtDir,
  kEvtNum,
  kEvtTime,
  kEvtTimeIso,
  kEvtRawtime,
  kEvtRes,
  kEvtRawres,
  kEvtFailed,
  kEvtArg,
  kEvtRawarg,
  kEvtIsOpenRead,
  kEvtIsOpenWrite,
  kEvtIsOpenExec,
  kEvtSource,
  kProcName,
  kProcExe,
  kProcExepath,
  kProcCmdline,
  kProcArgs,
  kProcPid,
  kProcPpid,
  kProcPname,
  kProcPcmdline,
  kProcPexe,
  kProcPexepath,
  kProcAname,
  kProcApid,
  kProcCwd,
  kProcTty,
  kProcUpperLayer,
  kProcMemfd,
  kProcExeWritable,
  kThreadTid,
  kUserUid,
  kUserName,
  kGroupGid,
  kGroupName,
  kFdNum,
  kFdName,
  kFdNameraw,
  kFdDirectory,
  kFdFilename,
  kFdType,
  kFdTypechar,
  kFdSip,
  kFdSport,
  kFdCip,
  kFdCport,
  kFdRip,
  kFdRport,
  kFdLip,
  kFdLport,
  kFdL4proto,
  kFdSockfamily,
  kFdNet,
  kFdSnet,
  kFdCnet,
  kContainerId,
  kContainerFullId,
  kContainerName,
  kContainerImage,
  kContainerImageRepo,
  kContainerImageTag,
  kContainerImageDigest,
  kK8sNsName,
  kK8sPodName,
  // Appended by R6.
  kThreadCapEffective,
  kThreadCapPermitted,
};

// evt.arg.NAME / evt.rawarg.NAME: the argument NAME selects, resolved once when the field is
// (names that read the same event member share one id; kOther: a name Vigil does not map,
// which extracts as no value).
enum class ArgId : uint8_t {
  kOther,
  kPath,     // name, path, pathname, filename, target, oldpath, source, src, dev
  kExe,      // exe
  kPath2,    // linkpath, newpath, dest, dir
  kRes,      // res
  kFd,       // fd
  kDirfd,    // dirfd, oldfd
  kNewfd,    // newfd
  kFlags,    // flags
  kMode,     // mode
  kRequest,  // request
  kPid,      // pid
  kUidGid,   // uid, gid
  kDomain,   // domain
  kType,     // type
  kAddr,     // addr, tuple
  kCmd,      // cmd, nstype
  kSize,     // size, length
  kArgs,     // args
  kCwd,      // cwd
};

struct FieldSpec {
  FieldId id = FieldId::kEvtType;
  FieldType type = FieldType::kString;
  int index = 0;                 // proc.aname[N] / proc.apid[N]: N (0 = the process itself);
                                 // -1 = any ancestor (the field written without [N])
  std::string arg;               // evt.arg.NAME / evt.rawarg.NAME
  std::string text;              // as written, for messages and output_fields
  ArgId arg_id = ArgId::kOther;  // `arg` resolved (evt.arg.NAME / evt.rawarg.NAME only)
};

enum class FieldLookup : uint8_t {
  kOk,
  kUnsupported,  // a Falco field Vigil does not provide (the rule is skipped with a warning)
  kUnknown,      // not a Falco field at all (a load error)
};
FieldLookup ResolveField(std::string_view text, FieldSpec* out);

// An extracted value. Strings point into the event, the state, or the context's scratch
// and are valid until the context is reset.
struct Value {
  enum class Kind : uint8_t { kNone, kString, kNumber };
  Kind kind = Kind::kNone;
  std::string_view s;
  int64_t n = 0;
};

// Per-event extraction state: the event, the state, and lazily looked-up process, parent and
// container (each looked up at most once per event). One per thread, reset per event.
class EvalContext {
 public:
  void Reset(const runtime::Event* event, runtime::State* state, uint64_t evt_num);
  // Extracts `field`; `scratch` holds a value that must be built (a cmdline, an address).
  Value Get(const FieldSpec& field, std::string* scratch);
  // The N-th ancestor's name/pid for proc.aname[N]-style fields (N >= 1); None past the
  // known chain.
  Value Ancestor(FieldId id, int generation, std::string* scratch);
  const runtime::Event& event() const { return *event_; }
  // The event-type code rules are indexed by (evt.type's syscall number; see EventTypeCode).
  // Renders a value as a string for output and for string operators on numbers.
  static std::string_view Render(const FieldSpec& field, const Value& v, std::string* scratch);

 private:
  const runtime::ProcessInfo* Proc();
  const runtime::ProcessInfo* Parent();
  const runtime::ContainerInfo* Container();
  struct Fd;
  const Fd& FdView();
  // FdView with `name` and both ends complete (see Fd::other_pending).
  const Fd& FdNamed();

  const runtime::Event* event_ = nullptr;
  runtime::State* state_ = nullptr;
  uint64_t evt_num_ = 0;
  bool proc_done_ = false, parent_done_ = false, container_done_ = false, fd_done_ = false;
  const runtime::ProcessInfo* proc_ = nullptr;
  const runtime::ProcessInfo* parent_ = nullptr;
  const runtime::ContainerInfo* container_ = nullptr;
  struct Fd {
    bool present = false;
    int64_t num = -1;
    runtime::FdKind kind = runtime::FdKind::kOther;
    bool is_socket = false;
    std::string_view name;    // path, or "client->server" for sockets
    std::string_view client;  // "ip:port" (may be empty)
    std::string_view server;
    bool local_is_server = false;
    std::string_view l4proto;
    // connect, sendto, accept with an address: the event gives one end; the other (the
    // client of a connect, the server of an accept) and `name` come from the state's fd
    // table, read by FdNamed only for the fields that need them.
    bool other_pending = false;
    bool pending_is_client = false;
  } fd_;
  std::string fd_name_buf_;
  std::string fd_addr_buf_;
  // The event's ancestry as State::Ancestor walks it, filled on demand: chain_[g] is the g-th
  // ancestor for g < chain_len_; chain_end_ once the walk ended (so `proc.aname in (...)`,
  // which asks for every generation, walks the chain once per event, not once per
  // generation).
  static constexpr int kMaxChain = 64;
  const runtime::ProcessInfo* chain_[kMaxChain + 1] = {};
  int chain_len_ = 0;
  bool chain_end_ = false;
  const runtime::ProcessInfo* ChainAncestor(int generation);
};

// Event-type codes: syscall numbers 0..kSyscallTableSize-1 for kSyscall; execs are "execve"
// (59), forks "clone" (56), exits "procexit" (kProcexitCode). -1 for events rules never see.
inline constexpr int kProcexitCode = 451;
inline constexpr int kEventTypeCodes = 452;
// Inline: Process computes it for every event.
inline int EventTypeCode(const runtime::Event& e) {
  switch (e.type) {
    case runtime::EventType::kSyscall:
      return e.syscall >= 0 && e.syscall < runtime::kSyscallTableSize ? e.syscall : -1;
    case runtime::EventType::kProcessExec:
      return runtime::sys::kExecve;
    case runtime::EventType::kProcessFork:
      return runtime::sys::kClone;
    case runtime::EventType::kProcessExit:
      return kProcexitCode;
    default:
      return -1;
  }
}
// "openat" -> 257, "procexit" -> kProcexitCode; -1 when unknown.
int EventTypeCodeOf(std::string_view name);
std::string_view EventTypeCodeName(int code);

// Names of every supported field (docs, tests).
std::vector<std::string> SupportedFieldNames();

}  // namespace vigil::rules
