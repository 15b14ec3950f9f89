// Fuzz target for run-time state: the /proc and cgroup-path parsers, and State::Apply over
// arbitrary event sequences (a recording is untrusted input: pid cycles, negative or huge
// fds, exits of unknown processes). The first byte picks the mode. Never a crash, a hang or
// unbounded memory: State runs with small bounds and every bound is checked after each event.
#include <sys/syscall.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "runtime/container.h"
#include "runtime/procfs.h"
#include "runtime/state.h"

namespace {

using namespace vigil::runtime;

constexpr int kSyscalls[] = {SYS_open,        SYS_openat,  SYS_openat2,      SYS_creat, SYS_close,
                             SYS_close_range, SYS_dup,     SYS_dup2,         SYS_dup3,  SYS_socket,
                             SYS_socketpair,  SYS_pipe,    SYS_pipe2,        SYS_bind,  SYS_connect,
                             SYS_accept,      SYS_accept4, SYS_memfd_create, SYS_chdir, SYS_fchdir};

class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool empty() const { return pos_ >= size_; }
  uint8_t Byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  std::string_view Str() {
    size_t n = Byte() % 24;
    n = std::min(n, size_ - std::min(size_, pos_));
    std::string_view s(reinterpret_cast<const char*>(data_) + pos_, n);
    pos_ += n;
    return s;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

void ApplyEvents(Reader& r) {
  StateOptions o;
  o.proc_root = "/nonexistent-proc";
  o.cgroup_root = "/nonexistent-cgroup";
  o.query_runtimes = false;
  o.max_processes = 16;
  o.max_fds_per_process = 8;
  auto state = State::Create(o);
  if (!state.ok()) abort();
  for (int n = 0; n < 2000 && !r.empty(); ++n) {
    Event e;
    uint8_t kind = r.Byte();
    e.type = static_cast<EventType>(1 + kind % 6);
    e.pid = r.Byte() % 24;
    e.tid = (kind & 0x80) ? e.pid + 1 : e.pid;
    e.ppid = r.Byte() % 24;
    e.cgroup_id = r.Byte() % 4;
    e.syscall = kSyscalls[r.Byte() % (sizeof(kSyscalls) / sizeof(kSyscalls[0]))];
    // Small values on both sides of zero: errors, AT_FDCWD-like and ordinary fds.
    e.ret = static_cast<int64_t>(r.Byte()) - 128;
    e.fd = static_cast<int64_t>(r.Byte()) - 128;
    e.fd2 = static_cast<int64_t>(r.Byte()) - 128;
    e.flags = static_cast<uint64_t>(r.Byte()) << (r.Byte() % 24);
    e.id_arg = r.Byte() % 12;
    e.addr.family = r.Byte() % 12;
    e.path = r.Str();
    e.args = r.Str();
    e.cwd = r.Str();
    e.exe = r.Str();
    (*state)->Apply(e);
    if ((*state)->process_count() > o.max_processes) abort();
    for (uint32_t pid = 0; pid < 24; ++pid) {
      const ProcessInfo* p = (*state)->Process(pid);
      if (p != nullptr && p->fds.size() > o.max_fds_per_process) abort();
      (*state)->Ancestor(pid, 1 + static_cast<int>(pid % 64));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 8) {
    case 0:
      (void)ParseProcStat(text, "fuzz/stat");
      break;
    case 1:
      (void)ParseProcStatusUid(text, "fuzz/status");
      (void)ParseBootTime(text);
      break;
    case 2:
      (void)ParseCmdline(text);
      (void)ParseCgroupV2Path(text);
      (void)FdFromLink(text);
      (void)SocketInode(text);
      break;
    case 3: {
      SocketTable t;
      ParseProcNetSockets(text, "tcp6", &t);
      ParseProcNetSockets(text, "udp", &t);
      break;
    }
    case 4: {
      SocketTable t;
      ParseProcNetSockets(text, "unix", &t);
      break;
    }
    case 5:
      (void)ParseContainerCgroup(text);
      break;
    default: {
      Reader r(data + 1, size - 1);
      ApplyEvents(r);
      break;
    }
  }
  return 0;
}
