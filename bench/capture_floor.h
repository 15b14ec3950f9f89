// The floor of the capture benchmarks: do-nothing BPF programs (capture_floor.bpf.c) on the
// hooks the probe uses, to measure what a hook costs apart from any probe work. One loader
// for bench_capture_agent --floor and bench_capture_mix's ProbeCostPerSyscallKind.
//
// Header-only so that it compiles inside each benchmark target, which has the generated
// skeleton's include directory and VIGIL_HAVE_FLOOR when the skeleton is built
// (bench/CMakeLists.txt); without it, Load says so.
#pragma once

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"

#if defined(VIGIL_HAVE_FLOOR)
#include <bpf/libbpf.h>

#include "bpf/wire.h"
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wpedantic"
#include "capture_floor.skel.h"
#pragma GCC diagnostic pop
#endif

namespace vigil::bench {

// The loaded floor object with the programs of one floor `name`; destroying it detaches them
// and unloads the object. Needs root (CAP_BPF). Not thread-safe; not copyable.
class Floor {
 public:
  // Opens the skeleton and loads only the programs `name` needs (the trace-event ones need
  // tracefs mounted, so the others are not loaded):
  //  - tp_btf: floor_sys_exit, the raw sys_exit tracepoint the probe uses;
  //  - openat, write: the syscalls/sys_exit_<call> trace event of that call;
  //  - events: one trace-event program on every captured call's exit event (src/bpf/wire.h),
  //    and the socket send/receive length tracepoints.
  // Errors, worded as bench_capture_agent prints them after "capture_agent: ": Unavailable
  // "--floor NAME: built without the eBPF probe"; InvalidArgument "--floor NAME: expected
  // tp_btf, openat, write or events"; Internal "floor: open: ERRNO" and "floor NAME:
  // load/attach failed: ERRNO".
  static StatusOr<std::unique_ptr<Floor>> Load(const std::string& name);

  // Attaches the loaded programs. For events, a captured call whose exit event has another
  // name (umount2's is sys_exit_umount) or does not exist is counted in missing(), not an
  // error. Internal "floor NAME: load/attach failed: ERRNO" when nothing could be attached.
  Status Attach();

  // After Attach: the links made, and (events) the syscall exit events that were missing.
  size_t attached() const { return links_.size(); }
  int missing() const { return missing_; }

  ~Floor();
  Floor(const Floor&) = delete;
  Floor& operator=(const Floor&) = delete;

 private:
  Floor() = default;

  std::string name_;
  int missing_ = 0;
#if defined(VIGIL_HAVE_FLOOR)
  vigil_floor* skel_ = nullptr;
  bpf_program* keep_ = nullptr;  // the program attached (events: to every exit event)
  bool events_ = false;
  std::vector<bpf_link*> links_;
#else
  std::vector<void*> links_;
#endif
};

#if defined(VIGIL_HAVE_FLOOR)

inline StatusOr<std::unique_ptr<Floor>> Floor::Load(const std::string& name) {
  std::unique_ptr<Floor> f(new Floor());
  f->name_ = name;
  f->skel_ = vigil_floor__open();
  if (f->skel_ == nullptr)
    return InternalError(std::string("floor: open: ") + std::strerror(errno));
  auto& progs = f->skel_->progs;
  f->events_ = name == "events";
  if (name == "tp_btf") {
    f->keep_ = progs.floor_sys_exit;
  } else if (name == "openat" || f->events_) {
    f->keep_ = progs.floor_exit_openat;
  } else if (name == "write") {
    f->keep_ = progs.floor_exit_write;
  } else {
    return InvalidArgumentError("--floor " + name + ": expected tp_btf, openat, write or events");
  }
  bpf_program__set_autoload(progs.floor_sys_exit, f->keep_ == progs.floor_sys_exit);
  bpf_program__set_autoload(progs.floor_exit_openat, f->keep_ == progs.floor_exit_openat);
  bpf_program__set_autoload(progs.floor_exit_write, f->keep_ == progs.floor_exit_write);
  bpf_program__set_autoload(progs.floor_sock_send, f->events_);
  bpf_program__set_autoload(progs.floor_sock_recv, f->events_);
  if (int err = vigil_floor__load(f->skel_); err != 0) {
    return InternalError("floor " + name + ": load/attach failed: " + std::strerror(-err));
  }
  return f;
}

inline Status Floor::Attach() {
  if (!events_) {
    if (bpf_link* l = bpf_program__attach(keep_)) links_.push_back(l);
  } else {
#define VIGIL_FLOOR_ATTACH_(call, nr, cls)                                              \
  if (VIGIL_CLASS_##cls == VIGIL_CLASS_CAPTURE) {                                       \
    bpf_link* l = bpf_program__attach_tracepoint(keep_, "syscalls", "sys_exit_" #call); \
    if (l != nullptr)                                                                   \
      links_.push_back(l);                                                              \
    else                                                                                \
      ++missing_;                                                                       \
  }
    VIGIL_SYSCALL_LIST(VIGIL_FLOOR_ATTACH_)
#undef VIGIL_FLOOR_ATTACH_
    for (bpf_program* p : {skel_->progs.floor_sock_send, skel_->progs.floor_sock_recv}) {
      if (bpf_link* l = bpf_program__attach(p)) links_.push_back(l);
    }
  }
  if (links_.empty()) {
    return InternalError("floor " + name_ + ": load/attach failed: " + std::strerror(errno));
  }
  return OkStatus();
}

inline Floor::~Floor() {
  for (bpf_link* l : links_) bpf_link__destroy(l);
  vigil_floor__destroy(skel_);
}

#else

inline StatusOr<std::unique_ptr<Floor>> Floor::Load(const std::string& name) {
  return UnavailableError("--floor " + name + ": built without the eBPF probe");
}
inline Status Floor::Attach() { return UnavailableError("built without the eBPF probe"); }
inline Floor::~Floor() = default;

#endif

}  // namespace vigil::bench
