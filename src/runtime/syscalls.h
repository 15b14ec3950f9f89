// x86-64 system call numbers and names: the one table the decoders, the JSON/text outputs, the
// metrics and (later) rule fields ("evt.type = openat") use. Numbers follow the kernel's
// arch/x86/entry/syscalls/syscall_64.tbl (as in <asm/unistd_64.h>); names are the kernel's,
// without the "sys_" prefix.
#pragma once

#include <cstdint>
#include <string_view>

namespace vigil::runtime {

// One past the highest number in the table: per-syscall counters are arrays of this size.
inline constexpr int kSyscallTableSize = 463;

// "openat" for 257; "" for a number outside the table or a gap in it (e.g. 335..423).
std::string_view SyscallName(int32_t number);

// The number of `name` ("openat" -> 257), or -1 when unknown. Linear in the table size:
// for loading rules and options, not for the event hot path.
int32_t SyscallNumber(std::string_view name);

// Numbers of the syscalls the probe captures individually or counts (issue 8's list), for
// code that builds or matches events without a table lookup.
namespace sys {
inline constexpr int32_t kRead = 0;
inline constexpr int32_t kWrite = 1;
inline constexpr int32_t kOpen = 2;
inline constexpr int32_t kClose = 3;
inline constexpr int32_t kSendto = 44;
inline constexpr int32_t kRecvfrom = 45;
inline constexpr int32_t kSocket = 41;
inline constexpr int32_t kConnect = 42;
inline constexpr int32_t kAccept = 43;
inline constexpr int32_t kBind = 49;
inline constexpr int32_t kListen = 50;
inline constexpr int32_t kDup2 = 33;
inline constexpr int32_t kClone = 56;
inline constexpr int32_t kExecve = 59;
inline constexpr int32_t kRename = 82;
inline constexpr int32_t kMkdir = 83;
inline constexpr int32_t kLink = 86;
inline constexpr int32_t kUnlink = 87;
inline constexpr int32_t kSymlink = 88;
inline constexpr int32_t kChmod = 90;
inline constexpr int32_t kFchmod = 91;
inline constexpr int32_t kPtrace = 101;
inline constexpr int32_t kSetuid = 105;
inline constexpr int32_t kSetgid = 106;
inline constexpr int32_t kCapset = 126;
inline constexpr int32_t kMount = 165;
inline constexpr int32_t kInitModule = 175;
inline constexpr int32_t kEpollWait = 232;
inline constexpr int32_t kOpenat = 257;
inline constexpr int32_t kMkdirat = 258;
inline constexpr int32_t kFchmodat = 268;
inline constexpr int32_t kUnlinkat = 263;
inline constexpr int32_t kRenameat = 264;
inline constexpr int32_t kLinkat = 265;
inline constexpr int32_t kSymlinkat = 266;
inline constexpr int32_t kUnshare = 272;
inline constexpr int32_t kAccept4 = 288;
inline constexpr int32_t kDup3 = 292;
inline constexpr int32_t kSetns = 308;
inline constexpr int32_t kFinitModule = 313;
inline constexpr int32_t kRenameat2 = 316;
inline constexpr int32_t kMemfdCreate = 319;
inline constexpr int32_t kBpf = 321;
inline constexpr int32_t kExecveat = 322;
inline constexpr int32_t kOpenat2 = 437;
}  // namespace sys

}  // namespace vigil::runtime
