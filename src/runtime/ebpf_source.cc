// The live source: loads src/bpf/vigil.bpf.c from its libbpf skeleton, attaches it, and turns
// the ring buffer's wire records (bpf/wire.h) and the in-kernel counters into Events.
//
// Wake-ups: the probe publishes with BPF_RB_NO_WAKEUP (a wake-up per event costs 1-3 us in
// the traced task), so Poll waits on the ring buffer's epoll for at most flush_interval and
// then drains it whether or not it was woken; the probe forces a wake-up only when a quarter
// of the ring is full, and Poll drains the ring at once on such a wake-up. Every
// flush_interval Poll also drains the per-process counters (kSyscallCounts) and the drop
// counters (kDrops). A flush makes no system call and costs in proportion to the work: both
// counter tables are mapped, the bitmap's words are read plainly and only a non-zero word is
// swapped to zero, and only the slots whose bits were set are read.
#include "runtime/ebpf_source.h"

#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <mutex>
#include <string>
#include <unordered_map>

#include "fmt/format.h"

#if defined(VIGIL_HAVE_BPF)
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/wire.h"
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wpedantic"
#include "vigil.skel.h"
#pragma GCC diagnostic pop
#endif

namespace vigil::runtime {
#if !defined(VIGIL_HAVE_BPF)

StatusOr<std::unique_ptr<EventSource>> OpenEbpfSource(const EbpfOptions&) {
#if defined(VIGIL_BPF_MISSING)
  return UnimplementedError(std::string("eBPF source: ") + VIGIL_BPF_MISSING);
#else
  return UnimplementedError("eBPF source: built without the eBPF probe");
#endif
}

#else

namespace {

constexpr const char* kBtfPath = "/sys/kernel/btf/vmlinux";
// bpf_loop (5.17) is the newest kernel feature the probe relies on; ring buffers and
// bpf_ktime_get_boot_ns are 5.8, tp_btf 5.5, bpf_get_current_task_btf 5.11.
constexpr int kMinKernelMajor = 5;
constexpr int kMinKernelMinor = 17;

// Parses "6.1.0-13-amd64" into (6, 1); false when it does not start with two numbers.
bool ParseKernelVersion(const char* release, int* major, int* minor) {
  return std::sscanf(release, "%d.%d", major, minor) == 2;
}

// libbpf reports load and verifier failures through its print callback; the last lines are
// kept so an error Status can quote them instead of only printing to stderr.
std::mutex g_log_mu;
std::string g_log_tail;

int LibbpfPrint(enum libbpf_print_level level, const char* format, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  char line[1024];
  int n = std::vsnprintf(line, sizeof(line), format, args);
  if (n <= 0) return 0;
  std::lock_guard<std::mutex> lock(g_log_mu);
  g_log_tail.append(line);
  if (g_log_tail.size() > 2048) g_log_tail.erase(0, g_log_tail.size() - 2048);
  return 0;
}

std::string TakeLibbpfLog() {
  std::lock_guard<std::mutex> lock(g_log_mu);
  std::string out;
  out.swap(g_log_tail);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

uint64_t ClockNs(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// Wall clock minus boot clock, read as a bracketed pair (the tightest of three tries).
int64_t BootToWallOffset() {
  int64_t best = 0;
  uint64_t best_gap = UINT64_MAX;
  for (int i = 0; i < 3; ++i) {
    uint64_t b1 = ClockNs(CLOCK_BOOTTIME);
    uint64_t w = ClockNs(CLOCK_REALTIME);
    uint64_t b2 = ClockNs(CLOCK_BOOTTIME);
    if (b2 - b1 < best_gap) {
      best_gap = b2 - b1;
      best = static_cast<int64_t>(w) - static_cast<int64_t>(b1 + (b2 - b1) / 2);
    }
  }
  return best;
}

std::string_view Bounded(const char* s, size_t max) { return {s, strnlen(s, max)}; }

Status LoadError(std::string_view step, int err) {
  std::string log = TakeLibbpfLog();
  std::string detail = log.empty() ? std::string() : "; libbpf: " + log;
  if (err == EPERM) {
    return PermissionDeniedError(
        fmt::format("eBPF probe: {} refused (EPERM): needs root or CAP_BPF+CAP_PERFMON "
                    "(and no lockdown forbidding BPF tracing){}",
                    step, detail));
  }
  return InternalError(fmt::format("eBPF probe: {} failed: {}{}", step, strerror(err), detail));
}

// Not thread-safe: one thread polls, as for every EventSource.
class EbpfSource final : public EventSource {
 public:
  explicit EbpfSource(const EbpfOptions& options) : options_(options) {}
  ~EbpfSource() override {
    if (slots_ != nullptr) munmap(const_cast<vigil_count_slot*>(slots_), slots_bytes_);
    if (dirty_ != nullptr) munmap(dirty_, dirty_bytes_);
    if (drops_ != nullptr) munmap(const_cast<uint64_t*>(drops_), drops_bytes_);
    if (rb_ != nullptr) ring_buffer__free(rb_);
    if (skel_ != nullptr) vigil_bpf__destroy(skel_);
  }

  Status Open() {
    libbpf_set_print(LibbpfPrint);
    skel_ = vigil_bpf__open();
    if (skel_ == nullptr) return LoadError("open", errno);
    skel_->rodata->agent_tgid = static_cast<uint32_t>(getpid());
    skel_->rodata->stream_high_volume = options_.stream_high_volume;
    skel_->rodata->has_excludes = !options_.exclude_pids.empty();
    skel_->rodata->wake_threshold = options_.ring_buffer_bytes / 4;
    int err = bpf_map__set_max_entries(skel_->maps.events,
                                       static_cast<uint32_t>(options_.ring_buffer_bytes));
    if (err != 0) return LoadError("sizing the ring buffer", -err);
    int cpus = libbpf_num_possible_cpus();
    if (cpus <= 0) return InternalError("eBPF probe: cannot count possible CPUs");
    cpus_ = static_cast<size_t>(cpus);
    slot_count_ = cpus_ * VIGIL_COUNT_SLOTS;
    err = bpf_map__set_max_entries(skel_->maps.counts, static_cast<uint32_t>(slot_count_));
    if (err == 0) {
      err = bpf_map__set_max_entries(skel_->maps.count_dirty,
                                     static_cast<uint32_t>(slot_count_ / 64));
    }
    if (err == 0) {
      err = bpf_map__set_max_entries(skel_->maps.drops,
                                     static_cast<uint32_t>(cpus_ * VIGIL_DROP_MAX));
    }
    if (err != 0) return LoadError("sizing the counter slots", -err);
    err = vigil_bpf__load(skel_);
    if (err != 0) return LoadError("load", -err);
    for (uint32_t pid : options_.exclude_pids) {
      uint8_t one = 1;
      if (bpf_map_update_elem(bpf_map__fd(skel_->maps.excluded), &pid, &one, BPF_ANY) != 0) {
        return LoadError("excluding a pid", errno);
      }
    }
    err = vigil_bpf__attach(skel_);
    if (err != 0) return LoadError("attach", -err);
    rb_ = ring_buffer__new(bpf_map__fd(skel_->maps.events), &EbpfSource::OnRecord, this, nullptr);
    if (rb_ == nullptr) return LoadError("ring buffer setup", errno);

    // The counter slots are read in place; the dirty bitmap is also written (swapped to 0).
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    slots_bytes_ = (slot_count_ * sizeof(vigil_count_slot) + page - 1) / page * page;
    dirty_bytes_ = (slot_count_ / 64 * sizeof(uint64_t) + page - 1) / page * page;
    void* m =
        mmap(nullptr, slots_bytes_, PROT_READ, MAP_SHARED, bpf_map__fd(skel_->maps.counts), 0);
    if (m == MAP_FAILED) return LoadError("mapping the counter slots", errno);
    slots_ = static_cast<const vigil_count_slot*>(m);
    m = mmap(nullptr, dirty_bytes_, PROT_READ | PROT_WRITE, MAP_SHARED,
             bpf_map__fd(skel_->maps.count_dirty), 0);
    if (m == MAP_FAILED) return LoadError("mapping the counter bitmap", errno);
    dirty_ = static_cast<uint64_t*>(m);
    drops_bytes_ = (cpus_ * VIGIL_DROP_MAX * sizeof(uint64_t) + page - 1) / page * page;
    m = mmap(nullptr, drops_bytes_, PROT_READ, MAP_SHARED, bpf_map__fd(skel_->maps.drops), 0);
    if (m == MAP_FAILED) return LoadError("mapping the drop counters", errno);
    drops_ = static_cast<const uint64_t*>(m);
    slot_prev_.assign(slot_count_, SlotPrev{});
    boot_to_wall_ = BootToWallOffset();
    last_flush_ = std::chrono::steady_clock::now();
    return OkStatus();
  }

  StatusOr<size_t> Poll(std::chrono::milliseconds timeout, const EventSink& sink) override {
    sink_ = &sink;
    delivered_ = 0;
    const auto start = std::chrono::steady_clock::now();
    const auto deadline = start + timeout;
    while (true) {
      int n = ring_buffer__consume(rb_);
      if (n < 0 && n != -EINTR) {
        sink_ = nullptr;
        return InternalError(fmt::format("eBPF ring buffer: {}", strerror(-n)));
      }
      auto now = std::chrono::steady_clock::now();
      if (now - last_flush_ >= options_.flush_interval) {
        Status s = Flush();
        last_flush_ = now;
        if (!s.ok()) {
          sink_ = nullptr;
          return s;
        }
      }
      if (delivered_ > 0 || now >= deadline) break;
      Status s = Wait(std::min(deadline, last_flush_ + options_.flush_interval) - now);
      if (!s.ok()) {
        sink_ = nullptr;
        return s;
      }
    }
    sink_ = nullptr;
    return delivered_;
  }

  SourceStats Stats() const override { return stats_; }
  std::string Describe() const override { return "ebpf"; }

 private:
  // Sleeps on the ring buffer's epoll until the probe forces a wake-up or `wait` passes. The
  // timeout is given in nanoseconds (epoll_pwait2, Linux 5.11): a millisecond timeout would
  // wake before the next flush is due and sleep once more for the remainder, two wake-ups per
  // flush interval instead of one. The caller drains the ring next, woken or not.
  Status Wait(std::chrono::steady_clock::duration wait) {
    const auto ns =
        std::max<int64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(wait).count(), 1000);
    epoll_event ev[4];
    int n = -1;
    if (!no_pwait2_) {
      timespec ts{static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)};
      n = epoll_pwait2(ring_buffer__epoll_fd(rb_), ev, 4, &ts, nullptr);
      if (n < 0 && errno == ENOSYS) no_pwait2_ = true;
    }
    if (no_pwait2_) {
      // Rounded up, so a sub-millisecond remainder never spins.
      n = epoll_wait(ring_buffer__epoll_fd(rb_), ev, 4, static_cast<int>((ns + 999999) / 1000000));
    }
    if (n < 0 && errno != EINTR) {
      return InternalError(fmt::format("eBPF ring buffer poll: {}", strerror(errno)));
    }
    return OkStatus();
  }

  static int OnRecord(void* ctx, void* data, size_t size) {
    auto* self = static_cast<EbpfSource*>(ctx);
    self->stats_.bytes += size;
    self->Decode(static_cast<const uint8_t*>(data), size);
    return 0;
  }

  void Deliver(const Event& event) {
    ++delivered_;
    ++stats_.events;
    (*sink_)(event);
  }

  void FillHeader(const vigil_wire_hdr& h, Event* e) const {
    e->ts_ns = static_cast<uint64_t>(static_cast<int64_t>(h.ts_ns) + boot_to_wall_);
    e->pid = h.pid;
    e->tid = h.tid;
    e->ppid = h.ppid;
    e->uid = h.uid;
    e->gid = h.gid;
    e->cgroup_id = h.cgroup_id;
    e->mntns = h.mntns;
    e->comm = Bounded(h.comm, sizeof(h.comm));
    e->syscall = h.syscall;
  }

  // Records come from our own probe, but are still checked: a record whose declared sizes do
  // not fit is counted as malformed and skipped, never read past its end.
  void Decode(const uint8_t* data, size_t size) {
    vigil_wire_hdr h;
    if (size < sizeof(h)) return Malformed();
    std::memcpy(&h, data, sizeof(h));
    if (h.size > size) return Malformed();
    Event e;
    FillHeader(h, &e);
    switch (h.type) {
      case VIGIL_REC_SYSCALL: {
        vigil_wire_syscall s;
        if (h.size < sizeof(s)) return Malformed();
        std::memcpy(&s, data, sizeof(s));
        size_t need = sizeof(s) + s.path_len + s.path2_len + s.unix_len;
        if (need > h.size) return Malformed();
        const char* var = reinterpret_cast<const char*>(data) + sizeof(s);
        e.type = EventType::kSyscall;
        e.ret = s.ret;
        e.fd = s.fd;
        e.fd2 = s.fd2;
        e.flags = s.flags;
        e.bytes = s.bytes;
        e.cap_effective = s.cap_effective;
        e.mode = s.mode;
        e.id_arg = s.id_arg;
        e.path = std::string_view(var, s.path_len);
        e.path2 = std::string_view(var + s.path_len, s.path2_len);
        e.addr.family = s.addr.family;
        e.addr.port = s.addr.port;
        std::memcpy(e.addr.addr.data(), s.addr.addr, sizeof(s.addr.addr));
        if (s.unix_len > 0) {
          std::string_view raw(var + s.path_len + s.path2_len, s.unix_len);
          if (raw[0] == '\0') {
            // Abstract name: '@' then the name up to its last non-NUL byte.
            size_t end = raw.find_last_not_of('\0');
            unix_path_ = "@";
            if (end != std::string_view::npos) unix_path_.append(raw.substr(1, end));
          } else {
            unix_path_.assign(raw.substr(0, raw.find('\0')));
          }
          e.addr.unix_path = unix_path_;
        }
        break;
      }
      case VIGIL_REC_FORK:
        e.type = EventType::kProcessFork;
        break;
      case VIGIL_REC_EXEC: {
        vigil_wire_exec x;
        if (h.size < sizeof(x)) return Malformed();
        std::memcpy(&x, data, sizeof(x));
        size_t need = sizeof(x) + x.exe_len + x.args_len + x.cwd_len;
        if (need > h.size) return Malformed();
        const char* var = reinterpret_cast<const char*>(data) + sizeof(x);
        e.type = EventType::kProcessExec;
        e.exe = std::string_view(var, x.exe_len);
        e.args = std::string_view(var + x.exe_len, x.args_len);
        e.cwd = std::string_view(var + x.exe_len + x.args_len, x.cwd_len);
        e.tty = x.tty;
        e.exe_upper_layer = (h.flags & VIGIL_FLAG_EXE_UPPER) != 0;
        e.exe_memfd = (h.flags & VIGIL_FLAG_EXE_MEMFD) != 0;
        e.exe_writable = (h.flags & VIGIL_FLAG_EXE_WRITABLE) != 0;
        break;
      }
      case VIGIL_REC_EXIT: {
        vigil_wire_exit x;
        if (h.size < sizeof(x)) return Malformed();
        std::memcpy(&x, data, sizeof(x));
        e.type = EventType::kProcessExit;
        e.ret = x.exit_code;
        break;
      }
      default:
        return Malformed();
    }
    Deliver(e);
  }

  void Malformed() { ++malformed_; }

  // Drains the per-process counters and the drop counters into events. Reads only the slots
  // whose dirty bits are set: the probe stores a slot's bit after its counter on every call
  // (vigil.bpf.c, count_call), so a swap that clears a bit either sees that counter or leaves
  // the bit set for the next flush, and a slot skipped here as torn (its key changed while it
  // was read) has its bit set again by the call that changed it.
  Status Flush() {
    const uint64_t now_wall = ClockNs(CLOCK_REALTIME);
    const auto now = std::chrono::steady_clock::now();
    // The probe refreshes each counter's owner and socket check once per epoch: every second,
    // so a busy fd pays for the check once a second rather than every flush (an fd closed and
    // reused for another kind of file within that second keeps the old kind until then). The
    // boot-to-wall offset moves only when the wall clock is adjusted: re-read then too.
    if (now - last_epoch_ >= std::chrono::seconds(1)) {
      __atomic_add_fetch(&skel_->data->count_epoch, 1, __ATOMIC_RELAXED);
      last_epoch_ = now;
      boot_to_wall_ = BootToWallOffset();
    }
    for (size_t w = 0; w < slot_count_ / 64; ++w) {
      // A plain load first: most words are zero, and a swap would take the cache line from
      // the CPU whose probe writes it.
      if (__atomic_load_n(&dirty_[w], __ATOMIC_RELAXED) == 0) continue;
      uint64_t bits = __atomic_exchange_n(&dirty_[w], 0, __ATOMIC_ACQ_REL);
      while (bits != 0) {
        size_t i = w * 64 + static_cast<size_t>(__builtin_ctzll(bits));
        bits &= bits - 1;
        ReadSlot(i);
      }
    }
    for (const auto& [key, agg] : count_aggs_) EmitCounts(key, agg, now_wall);
    count_aggs_.clear();

    uint64_t total = 0;
    for (size_t i = 0; i < cpus_ * VIGIL_DROP_MAX; ++i) {
      total += __atomic_load_n(&drops_[i], __ATOMIC_RELAXED);
    }
    if (total > drops_seen_) {
      Event e;
      e.type = EventType::kDrops;
      e.ts_ns = now_wall;
      e.count = total - drops_seen_;
      stats_.drops += e.count;
      drops_seen_ = total;
      Deliver(e);
    }
    return OkStatus();
  }

  // One process's counts of one syscall in the interval: the per-fd keys summed.
  struct CountAgg {
    uint64_t count = 0;
    uint64_t bytes = 0;
    uint64_t cgroup_id = 0;
    uint32_t uid = 0;
    uint32_t gid = 0;
    std::string comm;
  };

  // What a slot's key had reached when it was last read.
  struct SlotPrev {
    vigil_count_key key{};
    uint64_t count = 0;
    uint64_t bytes = 0;
  };

  static vigil_count_key LoadKey(const vigil_count_slot& s) {
    vigil_count_key k{};
    k.pid = __atomic_load_n(&s.key.pid, __ATOMIC_ACQUIRE);
    k.syscall = __atomic_load_n(&s.key.syscall, __ATOMIC_ACQUIRE);
    k.fd = __atomic_load_n(&s.key.fd, __ATOMIC_ACQUIRE);
    return k;
  }
  static bool SameKey(const vigil_count_key& a, const vigil_count_key& b) {
    return a.pid == b.pid && a.syscall == b.syscall && a.fd == b.fd;
  }

  // Adds the growth of slot i since it was last read to its (process, syscall). The probe
  // writes the slot meanwhile: its key is read before and after the value, and a slot whose
  // key changed in between is left for the next read.
  void ReadSlot(size_t i) {
    const vigil_count_slot& s = slots_[i];
    vigil_count_key key = LoadKey(s);
    uint64_t count = __atomic_load_n(&s.val.count, __ATOMIC_ACQUIRE);
    uint64_t bytes = __atomic_load_n(&s.val.bytes, __ATOMIC_ACQUIRE);
    uint32_t uid = __atomic_load_n(&s.val.uid, __ATOMIC_RELAXED);
    uint32_t gid = __atomic_load_n(&s.val.gid, __ATOMIC_RELAXED);
    uint64_t cgroup_id = __atomic_load_n(&s.val.cgroup_id, __ATOMIC_RELAXED);
    char comm[sizeof(s.val.comm)];
    for (size_t c = 0; c < sizeof(comm); ++c)
      comm[c] = __atomic_load_n(&s.val.comm[c], __ATOMIC_RELAXED);
    if (!SameKey(key, LoadKey(s)) || count == 0) return;
    SlotPrev& prev = slot_prev_[i];
    // A slot taken over by another key (or reset) starts again from zero.
    if (!SameKey(prev.key, key) || count < prev.count) prev = SlotPrev{key, 0, 0};
    if (count == prev.count) return;
    CountAgg& agg = count_aggs_[(uint64_t{key.pid} << 32) | static_cast<uint32_t>(key.syscall)];
    agg.count += count - prev.count;
    agg.bytes += bytes >= prev.bytes ? bytes - prev.bytes : 0;
    if (agg.comm.empty() && comm[0] != '\0') {
      agg.comm = Bounded(comm, sizeof(comm));
      agg.uid = uid;
      agg.gid = gid;
      agg.cgroup_id = cgroup_id;
    }
    prev.count = count;
    prev.bytes = bytes;
  }

  void EmitCounts(uint64_t id, const CountAgg& agg, uint64_t now_wall) {
    Event e;
    e.type = EventType::kSyscallCounts;
    e.ts_ns = now_wall;
    e.pid = static_cast<uint32_t>(id >> 32);
    e.tid = e.pid;
    e.syscall = static_cast<int32_t>(static_cast<uint32_t>(id));
    e.count = agg.count;
    e.bytes = agg.bytes;
    e.uid = agg.uid;
    e.gid = agg.gid;
    e.cgroup_id = agg.cgroup_id;
    e.comm = agg.comm;
    Deliver(e);
  }

  EbpfOptions options_;
  vigil_bpf* skel_ = nullptr;
  ring_buffer* rb_ = nullptr;
  const EventSink* sink_ = nullptr;  // set only during Poll
  size_t delivered_ = 0;
  SourceStats stats_;
  uint64_t malformed_ = 0;
  uint64_t drops_seen_ = 0;
  int64_t boot_to_wall_ = 0;
  size_t cpus_ = 1;
  std::chrono::steady_clock::time_point last_flush_;
  size_t slot_count_ = 0;                    // possible CPUs * VIGIL_COUNT_SLOTS
  const vigil_count_slot* slots_ = nullptr;  // the probe's counts map, mapped read-only
  size_t slots_bytes_ = 0;
  uint64_t* dirty_ = nullptr;  // the probe's count_dirty bitmap, mapped read-write
  size_t dirty_bytes_ = 0;
  std::vector<SlotPrev> slot_prev_;  // per slot
  const uint64_t* drops_ = nullptr;  // the probe's drops map (cpus x VIGIL_DROP_MAX), read-only
  size_t drops_bytes_ = 0;
  std::unordered_map<uint64_t, CountAgg> count_aggs_;  // per flush, keyed pid << 32 | syscall
  std::chrono::steady_clock::time_point last_epoch_;
  std::string unix_path_;   // backs Event::addr.unix_path during a sink call
  bool no_pwait2_ = false;  // the kernel has no epoll_pwait2: millisecond waits instead
};

}  // namespace

StatusOr<std::unique_ptr<EventSource>> OpenEbpfSource(const EbpfOptions& options) {
  const size_t rb = options.ring_buffer_bytes;
  if (rb < 4096 || (rb & (rb - 1)) != 0 || rb > (1u << 30)) {
    return InvalidArgumentError(fmt::format(
        "eBPF source: ring_buffer_bytes {} must be a power of two between 4 KiB and 1 GiB", rb));
  }
  if (options.flush_interval.count() <= 0) {
    return InvalidArgumentError("eBPF source: flush_interval must be positive");
  }
  struct stat st {};
  if (stat(kBtfPath, &st) != 0) {
    return FailedPreconditionError(
        fmt::format("eBPF source: no kernel BTF at {} ({}): the probe needs a kernel built with "
                    "CONFIG_DEBUG_INFO_BTF=y, Linux {}.{} or newer",
                    kBtfPath, strerror(errno), kMinKernelMajor, kMinKernelMinor));
  }
  utsname u{};
  int major = 0;
  int minor = 0;
  if (uname(&u) == 0 && ParseKernelVersion(u.release, &major, &minor) &&
      (major < kMinKernelMajor || (major == kMinKernelMajor && minor < kMinKernelMinor))) {
    return FailedPreconditionError(
        fmt::format("eBPF source: kernel {} is too old: the probe needs Linux {}.{} or newer "
                    "(bpf_loop, BPF ring buffer, tp_btf)",
                    u.release, kMinKernelMajor, kMinKernelMinor));
  }
  auto source = std::make_unique<EbpfSource>(options);
  VIGIL_RETURN_IF_ERROR(source->Open());
  return std::unique_ptr<EventSource>(std::move(source));
}

#endif  // VIGIL_HAVE_BPF

}  // namespace vigil::runtime
