#include "runtime/replay.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstring>
#include <functional>
#include <thread>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

#include "fmt/format.h"

namespace vigil::runtime {
namespace {

constexpr char kMagic[8] = {'V', 'I', 'G', 'I', 'L', 'C', 'A', 'P'};
constexpr char kBlockMagic[4] = {'V', 'B', 'L', 'K'};
constexpr size_t kBlockHeader = 16;
constexpr size_t kFixedHeader = 32;  // magic .. created_ns
constexpr size_t kMaxHeaderString = 255;
// Resident memory of a replay: consumed parts of the mapping are dropped in steps this big.
constexpr size_t kReleaseStep = 64u << 20;
// Strings longer than this are written as literals only (not worth a hash-table entry).
constexpr size_t kMaxInternedSize = 512;
constexpr size_t kMaxInterned = 4096;
constexpr size_t kInternSlots = 8192;  // power of two, 2x kMaxInterned
constexpr size_t kMaxTableEntries = 1u << 20;
// The type byte of a container record (version 2); event records use EventType's 1..6.
constexpr uint8_t kContainerRecord = 64;
// Readable bytes after the end of every block payload the reader decodes. The event decoder
// reads a record's varints without checking each byte against the record's end (a varint is
// at most 10 bytes, a record at most ~25 numbers between two checks), and checks the bounds
// once per string and at the end of the record; so a block followed by fewer bytes of the
// file (the last one) is decoded from a copy with this much zero padding.
constexpr size_t kPad = 512;

// Presence bits of a record: which members follow, in this order.
enum Field : uint32_t {
  kPid = 1u << 0,
  kTid = 1u << 1,  // absent: tid == pid
  kPpid = 1u << 2,
  kUid = 1u << 3,
  kGid = 1u << 4,
  kCgroup = 1u << 5,
  kMntns = 1u << 6,
  kComm = 1u << 7,
  kSyscallNr = 1u << 8,
  kRet = 1u << 9,
  kFd = 1u << 10,
  kFd2 = 1u << 11,
  kFlags = 1u << 12,
  kMode = 1u << 13,
  kIdArg = 1u << 14,
  kBytes = 1u << 15,
  kCount = 1u << 16,
  kCap = 1u << 17,
  kPath = 1u << 18,
  kPath2 = 1u << 19,
  kAddr = 1u << 20,
  kExe = 1u << 21,
  kArgs = 1u << 22,
  kCwd = 1u << 23,
  kTty = 1u << 24,
  kBools = 1u << 25,
};
constexpr uint32_t kKnownFields = (1u << 26) - 1;

// CRC-32C tables for slice-by-8, built at compile time from the reflected polynomial.
constexpr std::array<std::array<uint32_t, 256>, 8> MakeCrcTables() {
  std::array<std::array<uint32_t, 256>, 8> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    t[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; ++i) {
    for (int s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xff];
  }
  return t;
}
constexpr auto kCrc = MakeCrcTables();

uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

void PutVarint(std::string& out, uint64_t v) {
  char buf[10];
  size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out.append(buf, n);
}

template <typename T>
void PutLe(std::string& out, T v) {
  char buf[sizeof(T)];
  for (size_t i = 0; i < sizeof(T); ++i)
    buf[i] = static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xff);
  out.append(buf, sizeof(T));
}

template <typename T>
T GetLe(const uint8_t* p) {
  if constexpr (std::endian::native == std::endian::little) {
    T v;
    std::memcpy(&v, p, sizeof(T));  // one load
    return v;
  } else {
    uint64_t v = 0;
    for (size_t i = 0; i < sizeof(T); ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
    return static_cast<T>(v);
  }
}

// What ReadLongVarint returns (in two registers): the byte after the varint, nullptr for an
// encoding longer than 10 bytes or above 64 bits.
struct LongVarint {
  const uint8_t* next;
  uint64_t value;
};

// A varint at `p` of any length (ReadVarint decodes up to five bytes inline and calls this for
// longer ones); at least 10 readable bytes follow `p`.
[[gnu::noinline]] LongVarint ReadLongVarint(const uint8_t* p) {
  uint64_t v = (p[0] & 0x7fu) | (static_cast<uint64_t>(p[1] & 0x7fu) << 7) |
               (static_cast<uint64_t>(p[2] & 0x7fu) << 14);
  uint64_t b = p[3];
  v |= (b & 0x7f) << 21;
  if (b < 0x80) return {p + 4, v};
  b = p[4];
  v |= (b & 0x7f) << 28;
  if (b < 0x80) return {p + 5, v};
  for (int i = 5; i < 10; ++i) {
    b = p[i];
    if (i == 9 && b > 1) break;
    v |= (b & 0x7f) << (7 * i);
    if (b < 0x80) return {p + i + 1, v};
  }
  return {nullptr, 0};
}

// Reads a varint at `p` without bounds checks: at least 10 readable bytes follow `p` (kPad);
// the caller checks the record's end afterwards. Returns the byte after it; a bad encoding
// sets *bad (and skips 10 bytes). Up to five bytes (every 32-bit number: nearly every member,
// the presence mask, time deltas, mount namespace inodes) are decoded inline.
[[gnu::always_inline]] inline const uint8_t* ReadVarint(const uint8_t* p, uint64_t* out,
                                                        bool* bad) {
  uint64_t b = p[0];
  if (b < 0x80) {
    *out = b;
    return p + 1;
  }
  uint64_t b1 = p[1];
  if (b1 < 0x80) {
    *out = (b & 0x7f) | (b1 << 7);
    return p + 2;
  }
  uint64_t v = (b & 0x7f) | ((b1 & 0x7f) << 7);
  uint64_t b2 = p[2];
  if (b2 < 0x80) {
    *out = v | (b2 << 14);
    return p + 3;
  }
  v |= (b2 & 0x7f) << 14;
  uint64_t b3 = p[3];
  if (b3 < 0x80) {
    *out = v | (b3 << 21);
    return p + 4;
  }
  v |= (b3 & 0x7f) << 21;
  uint64_t b4 = p[4];
  if (b4 < 0x80) {
    *out = v | (b4 << 28);
    return p + 5;
  }
  LongVarint r = ReadLongVarint(p);
  *out = r.value;
  if (r.next == nullptr) {
    *bad = true;
    return p + 10;
  }
  return r.next;
}

uint64_t BootToWallNs() {
  timespec wall{}, boot{};
  clock_gettime(CLOCK_REALTIME, &wall);
  clock_gettime(CLOCK_BOOTTIME, &boot);
  auto ns = [](const timespec& t) {
    return static_cast<int64_t>(t.tv_sec) * 1000000000 + static_cast<int64_t>(t.tv_nsec);
  };
  return static_cast<uint64_t>(ns(wall) - ns(boot));
}

void PutHeaderString(std::string& out, std::string_view s) {
  if (s.size() > kMaxHeaderString) s = s.substr(0, kMaxHeaderString);
  PutLe<uint16_t>(out, static_cast<uint16_t>(s.size()));
  out.append(s);
}

#if defined(__x86_64__)
// The SSE4.2 crc32 instruction computes CRC-32C (the Castagnoli polynomial) directly: 8 bytes
// per instruction. Four at a time per loop turn; the chain is serial, which is enough here
// (a block is checked once, at memory speed).
[[gnu::target("sse4.2")]] uint32_t Crc32cSse42(const uint8_t* p, size_t size, uint32_t crc) {
  uint64_t c = ~crc;
  while (size >= 32) {
    c = _mm_crc32_u64(c, GetLe<uint64_t>(p));
    c = _mm_crc32_u64(c, GetLe<uint64_t>(p + 8));
    c = _mm_crc32_u64(c, GetLe<uint64_t>(p + 16));
    c = _mm_crc32_u64(c, GetLe<uint64_t>(p + 24));
    p += 32;
    size -= 32;
  }
  while (size >= 8) {
    c = _mm_crc32_u64(c, GetLe<uint64_t>(p));
    p += 8;
    size -= 8;
  }
  auto c32 = static_cast<uint32_t>(c);
  while (size-- > 0) c32 = _mm_crc32_u8(c32, *p++);
  return ~c32;
}

bool DetectCrc32cHardware() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("sse4.2");
}
#endif

}  // namespace

bool Crc32cHardware() {
#if defined(__x86_64__)
  static const bool has = DetectCrc32cHardware();
  return has;
#else
  return false;
#endif
}

uint32_t Crc32c(const void* data, size_t size, uint32_t crc) {
#if defined(__x86_64__)
  if (Crc32cHardware()) return Crc32cSse42(static_cast<const uint8_t*>(data), size, crc);
#endif
  return Crc32cSoftware(data, size, crc);
}

uint32_t Crc32cSoftware(const void* data, size_t size, uint32_t crc) {
  const auto* p = static_cast<const uint8_t*>(data);
  crc = ~crc;
  while (size >= 8) {
    uint32_t lo = crc ^ GetLe<uint32_t>(p);
    uint32_t hi = GetLe<uint32_t>(p + 4);
    crc = kCrc[7][lo & 0xff] ^ kCrc[6][(lo >> 8) & 0xff] ^ kCrc[5][(lo >> 16) & 0xff] ^
          kCrc[4][lo >> 24] ^ kCrc[3][hi & 0xff] ^ kCrc[2][(hi >> 8) & 0xff] ^
          kCrc[1][(hi >> 16) & 0xff] ^ kCrc[0][hi >> 24];
    p += 8;
    size -= 8;
  }
  while (size-- > 0) crc = kCrc[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
  return ~crc;
}

CaptureInfo CaptureInfo::ForThisHost(std::string source) {
  CaptureInfo info;
  utsname u{};
  if (uname(&u) == 0) {
    info.hostname = u.nodename;
    info.kernel_release = u.release;
  }
  info.source = std::move(source);
  info.boot_to_wall_ns = static_cast<int64_t>(BootToWallNs());
  info.created_ns = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                              std::chrono::system_clock::now().time_since_epoch())
                                              .count());
  return info;
}

// ---------------------------------------------------------------------------------------------
// Writer

RecordWriter::RecordWriter(int fd, std::string path, std::string* mem)
    : fd_(fd), path_(std::move(path)), mem_(mem), slots_(kInternSlots, 0) {
  payload_.reserve(kTargetBlockPayload + 4096);
  interned_.reserve(kMaxInterned);
}

RecordWriter::~RecordWriter() { Close().IgnoreError(); }

namespace {
std::string EncodeHeader(const CaptureInfo& info) {
  std::string h(kMagic, sizeof(kMagic));
  PutLe<uint16_t>(h, kCaptureVersion);
  PutLe<uint16_t>(h, 0);  // header bytes, patched below
  PutLe<uint32_t>(h, 0);  // flags
  PutLe<int64_t>(h, info.boot_to_wall_ns);
  PutLe<uint64_t>(h, info.created_ns);
  PutHeaderString(h, info.hostname);
  PutHeaderString(h, info.kernel_release);
  PutHeaderString(h, info.source);
  uint16_t total = static_cast<uint16_t>(h.size() + 4);
  h[10] = static_cast<char>(total & 0xff);
  h[11] = static_cast<char>(total >> 8);
  PutLe<uint32_t>(h, Crc32c(h.data(), h.size()));
  return h;
}
}  // namespace

StatusOr<std::unique_ptr<RecordWriter>> RecordWriter::Create(const std::string& path,
                                                             const CaptureInfo& info) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status(StatusCode::kUnavailable,
                  fmt::format("record: {}: cannot create: {}", path, std::strerror(errno)));
  }
  std::unique_ptr<RecordWriter> w(new RecordWriter(fd, path, nullptr));
  std::string header = EncodeHeader(info);
  VIGIL_RETURN_IF_ERROR(w->Emit(header.data(), header.size()));
  return w;
}

std::unique_ptr<RecordWriter> RecordWriter::CreateInMemory(std::string* out,
                                                           const CaptureInfo& info) {
  std::unique_ptr<RecordWriter> w(new RecordWriter(-1, "memory", out));
  std::string header = EncodeHeader(info);
  w->Emit(header.data(), header.size()).IgnoreError();  // appending to a string cannot fail
  return w;
}

Status RecordWriter::Emit(const void* data, size_t size) {
  bytes_ += size;
  if (mem_ != nullptr) {
    mem_->append(static_cast<const char*>(data), size);
    return OkStatus();
  }
  const auto* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd_, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status(StatusCode::kUnavailable,
                    fmt::format("record: {}: write failed: {}", path_, std::strerror(errno)));
    }
    p += n;
    size -= static_cast<size_t>(n);
  }
  return OkStatus();
}

bool RecordWriter::Intern(std::string_view s, uint64_t* index) {
  // True (and *index set) when `s` is already in the block's table; false otherwise: the caller
  // writes a literal, which takes the next index.
  if (s.size() > kMaxInternedSize) return false;
  size_t h = std::hash<std::string_view>{}(s);
  size_t mask = kInternSlots - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    uint32_t slot = slots_[i];
    if (slot == 0) {
      if (interned_.size() < kMaxInterned) {
        // The table keeps its own copy (the literal reaches payload_ only with its record).
        interned_.push_back(
            {static_cast<uint32_t>(arena_.size()), static_cast<uint32_t>(s.size()), table_size_});
        arena_.append(s);
        slots_[i] = static_cast<uint32_t>(interned_.size());
      }
      return false;
    }
    const Interned& e = interned_[slot - 1];
    if (e.size == s.size() && std::memcmp(arena_.data() + e.offset, s.data(), s.size()) == 0) {
      *index = e.index;
      return true;
    }
  }
}

void RecordWriter::PutString(std::string_view s) {
  uint64_t index = 0;
  if (Intern(s, &index)) {
    PutVarint(record_, (index << 1) | 1);
    return;
  }
  PutVarint(record_, static_cast<uint64_t>(s.size()) << 1);
  record_.append(s);
  ++table_size_;
}

Status RecordWriter::Write(const Event& e) {
  if (closed_) return FailedPreconditionError(fmt::format("record: {}: already closed", path_));
  uint32_t mask = 0;
  if (e.pid != 0) mask |= kPid;
  if (e.tid != e.pid) mask |= kTid;
  if (e.ppid != 0) mask |= kPpid;
  if (e.uid != 0) mask |= kUid;
  if (e.gid != 0) mask |= kGid;
  if (e.cgroup_id != 0) mask |= kCgroup;
  if (e.mntns != 0) mask |= kMntns;
  if (!e.comm.empty()) mask |= kComm;
  if (e.syscall != -1) mask |= kSyscallNr;
  if (e.ret != 0) mask |= kRet;
  if (e.fd != -1) mask |= kFd;
  if (e.fd2 != -1) mask |= kFd2;
  if (e.flags != 0) mask |= kFlags;
  if (e.mode != 0) mask |= kMode;
  if (e.id_arg != 0) mask |= kIdArg;
  if (e.bytes != 0) mask |= kBytes;
  if (e.count != 0) mask |= kCount;
  if (e.cap_effective != 0) mask |= kCap;
  if (!e.path.empty()) mask |= kPath;
  if (!e.path2.empty()) mask |= kPath2;
  if (e.addr.family != 0) mask |= kAddr;
  if (!e.exe.empty()) mask |= kExe;
  if (!e.args.empty()) mask |= kArgs;
  if (!e.cwd.empty()) mask |= kCwd;
  if (e.tty != 0) mask |= kTty;
  if (e.exe_upper_layer || e.exe_memfd || e.exe_writable) mask |= kBools;

  record_.clear();
  record_.push_back(static_cast<char>(e.type));
  PutVarint(record_, mask);
  PutVarint(record_, ZigZag(static_cast<int64_t>(e.ts_ns - prev_ts_)));
  prev_ts_ = e.ts_ns;
  if (mask & kPid) PutVarint(record_, e.pid);
  if (mask & kTid) PutVarint(record_, e.tid);
  if (mask & kPpid) PutVarint(record_, e.ppid);
  if (mask & kUid) PutVarint(record_, e.uid);
  if (mask & kGid) PutVarint(record_, e.gid);
  if (mask & kCgroup) PutVarint(record_, e.cgroup_id);
  if (mask & kMntns) PutVarint(record_, e.mntns);
  if (mask & kComm) PutString(e.comm);
  if (mask & kSyscallNr) PutVarint(record_, ZigZag(e.syscall));
  if (mask & kRet) PutVarint(record_, ZigZag(e.ret));
  if (mask & kFd) PutVarint(record_, ZigZag(e.fd));
  if (mask & kFd2) PutVarint(record_, ZigZag(e.fd2));
  if (mask & kFlags) PutVarint(record_, e.flags);
  if (mask & kMode) PutVarint(record_, e.mode);
  if (mask & kIdArg) PutVarint(record_, e.id_arg);
  if (mask & kBytes) PutVarint(record_, e.bytes);
  if (mask & kCount) PutVarint(record_, e.count);
  if (mask & kCap) PutVarint(record_, e.cap_effective);
  if (mask & kPath) PutString(e.path);
  if (mask & kPath2) PutString(e.path2);
  if (mask & kAddr) {
    PutVarint(record_, e.addr.family);
    PutVarint(record_, e.addr.port);
    if (e.addr.family == AF_INET) {
      record_.append(reinterpret_cast<const char*>(e.addr.addr.data()), 4);
    } else if (e.addr.family == AF_UNIX) {
      PutString(e.addr.unix_path);
    } else {
      record_.append(reinterpret_cast<const char*>(e.addr.addr.data()), 16);
    }
  }
  if (mask & kExe) PutString(e.exe);
  if (mask & kArgs) PutString(e.args);
  if (mask & kCwd) PutString(e.cwd);
  if (mask & kTty) PutVarint(record_, e.tty);
  if (mask & kBools) {
    record_.push_back(static_cast<char>((e.exe_upper_layer ? 1 : 0) | (e.exe_memfd ? 2 : 0) |
                                        (e.exe_writable ? 4 : 0)));
  }
  return AppendRecord(&events_);
}

Status RecordWriter::WriteContainer(uint64_t cgroup_id, const ContainerInfo& c) {
  if (closed_) return FailedPreconditionError(fmt::format("record: {}: already closed", path_));
  record_.clear();
  record_.push_back(static_cast<char>(kContainerRecord));
  PutVarint(record_, cgroup_id);
  PutVarint(record_, c.cgroup_id);
  for (const std::string* f : {&c.id, &c.runtime, &c.name, &c.image, &c.image_digest, &c.pod,
                               &c.pod_namespace, &c.workload, &c.cgroup_path}) {
    PutString(*f);
  }
  size_t labels = std::min(c.labels.size(), kMaxContainerLabels);
  PutVarint(record_, labels);
  for (auto it = c.labels.begin(); labels-- > 0; ++it) {
    PutString(it->first);
    PutString(it->second);
  }
  return AppendRecord(&containers_);
}

Status RecordWriter::AppendRecord(uint64_t* counter) {
  // A block being filled holds less than kTargetBlockPayload, so a record within this limit
  // always fits beside it: the record's table references stay those of this block.
  if (record_.size() + 10 > kMaxBlockPayload - kTargetBlockPayload) {
    // The record's literals were entered in the table but never reach a block: the next
    // records start a fresh block (and table).
    Status flushed = Flush();
    ResetBlockTable();
    if (!flushed.ok()) return flushed;
    return InvalidArgumentError(fmt::format(
        "record: {}: a record of {} bytes exceeds the block limit", path_, record_.size()));
  }
  PutVarint(payload_, record_.size());
  payload_.append(record_);
  ++block_records_;
  ++*counter;
  if (payload_.size() >= kTargetBlockPayload) return Flush();
  return OkStatus();
}

Status RecordWriter::Flush() {
  if (block_records_ == 0) return OkStatus();
  std::string header(kBlockMagic, sizeof(kBlockMagic));
  PutLe<uint32_t>(header, static_cast<uint32_t>(payload_.size()));
  PutLe<uint32_t>(header, block_records_);
  PutLe<uint32_t>(header, Crc32c(payload_.data(), payload_.size()));
  // One write per block where possible, so a crash leaves whole blocks behind.
  header.append(payload_);
  Status s = Emit(header.data(), header.size());
  payload_.clear();
  block_records_ = 0;
  ResetBlockTable();
  return s;
}

void RecordWriter::ResetBlockTable() {
  prev_ts_ = 0;
  interned_.clear();
  arena_.clear();
  std::fill(slots_.begin(), slots_.end(), 0);
  table_size_ = 0;
}

Status RecordWriter::Close() {
  if (closed_) return OkStatus();
  Status s = Flush();
  closed_ = true;
  if (fd_ >= 0) {
    if (::close(fd_) != 0 && s.ok()) {
      s = Status(StatusCode::kUnavailable,
                 fmt::format("record: {}: close failed: {}", path_, std::strerror(errno)));
    }
    fd_ = -1;
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Reader

ReplaySource::ReplaySource(std::string name, const ReplayOptions& options)
    : name_(std::move(name)), options_(options) {
  table_.reserve(1024);
}

ReplaySource::~ReplaySource() {
  if (map_ != nullptr) munmap(map_, map_size_);
}

StatusOr<std::unique_ptr<ReplaySource>> ReplaySource::Open(const std::string& path,
                                                           const ReplayOptions& options) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return Status(errno == ENOENT ? StatusCode::kNotFound : StatusCode::kUnavailable,
                  fmt::format("replay: {}: cannot open: {}", path, std::strerror(errno)));
  }
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return InvalidArgumentError(fmt::format("replay: {}: not a regular file", path));
  }
  std::unique_ptr<ReplaySource> src(new ReplaySource(path, options));
  if (st.st_size > 0) {
    void* m = mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED) {
      int err = errno;
      ::close(fd);
      return Status(StatusCode::kUnavailable,
                    fmt::format("replay: {}: mmap failed: {}", path, std::strerror(err)));
    }
    madvise(m, static_cast<size_t>(st.st_size), MADV_SEQUENTIAL);
    src->map_ = m;
    src->map_size_ = static_cast<size_t>(st.st_size);
    src->data_ = static_cast<const uint8_t*>(m);
    src->size_ = src->map_size_;
  }
  ::close(fd);
  VIGIL_RETURN_IF_ERROR(src->ParseHeader());
  return src;
}

StatusOr<std::unique_ptr<ReplaySource>> ReplaySource::OpenBuffer(std::string data, std::string name,
                                                                 const ReplayOptions& options) {
  std::unique_ptr<ReplaySource> src(new ReplaySource(std::move(name), options));
  src->owned_ = std::move(data);
  src->data_ = reinterpret_cast<const uint8_t*>(src->owned_.data());
  src->size_ = src->owned_.size();
  VIGIL_RETURN_IF_ERROR(src->ParseHeader());
  return src;
}

Status ReplaySource::Error(size_t offset, std::string_view what) const {
  return DataLossError(fmt::format("replay: {}: offset {}: {}", name_, offset, what));
}

Status ReplaySource::ParseHeader() {
  if (size_ < sizeof(kMagic) || std::memcmp(data_, kMagic, sizeof(kMagic)) != 0) {
    return InvalidArgumentError(
        fmt::format("replay: {}: not a Vigil capture (no VIGILCAP magic at offset 0)", name_));
  }
  if (size_ < kFixedHeader) return Error(size_, "truncated file header");
  uint16_t version = GetLe<uint16_t>(data_ + 8);
  if (version < kMinCaptureVersion || version > kCaptureVersion) {
    return InvalidArgumentError(
        fmt::format("replay: {}: capture format version {} (this build reads versions {} to {})",
                    name_, version, kMinCaptureVersion, kCaptureVersion));
  }
  version_ = version;
  uint16_t header_bytes = GetLe<uint16_t>(data_ + 10);
  if (header_bytes < kFixedHeader + 3 * 2 + 4) return Error(10, "header length too small");
  if (header_bytes > size_) return Error(size_, "truncated file header");
  uint32_t stored = GetLe<uint32_t>(data_ + header_bytes - 4);
  uint32_t computed = Crc32c(data_, header_bytes - 4);
  if (stored != computed) {
    return Error(header_bytes - 4, fmt::format("file header checksum mismatch (stored {:08x}, "
                                               "computed {:08x})",
                                               stored, computed));
  }
  info_.boot_to_wall_ns = GetLe<int64_t>(data_ + 16);
  info_.created_ns = GetLe<uint64_t>(data_ + 24);
  size_t p = kFixedHeader;
  std::string* fields[] = {&info_.hostname, &info_.kernel_release, &info_.source};
  for (std::string* f : fields) {
    if (p + 2 > header_bytes - 4u) return Error(p, "file header strings overrun the header");
    uint16_t n = GetLe<uint16_t>(data_ + p);
    p += 2;
    if (p + n > header_bytes - 4u) return Error(p, "file header strings overrun the header");
    f->assign(reinterpret_cast<const char*>(data_ + p), n);
    p += n;
  }
  pos_ = header_bytes;
  stats_.bytes = header_bytes;
  return OkStatus();
}

void ReplaySource::TruncatedTail(uint64_t lost) {
  event_ = Event{};
  prev_mask_ = 0;
  event_.type = EventType::kDrops;
  event_.ts_ns = prev_ts_;
  event_.count = lost;
  pos_ = size_;
  tail_drops_ = true;
}

Status ReplaySource::NextBlock() {
  if (pos_ == size_) return OutOfRangeError(fmt::format("replay: {}: end of recording", name_));
  size_t left = size_ - pos_;
  if (left < kBlockHeader) {
    if (options_.tolerate_truncated_tail) {
      TruncatedTail(1);  // a partial block header: at least one event was lost
      return OkStatus();
    }
    return Error(pos_, fmt::format("truncated block header ({} of {} bytes)", left, kBlockHeader));
  }
  const uint8_t* h = data_ + pos_;
  if (std::memcmp(h, kBlockMagic, sizeof(kBlockMagic)) != 0) {
    return Error(pos_, "no block marker (corrupt file or not written by vigil)");
  }
  uint32_t payload = GetLe<uint32_t>(h + 4);
  uint32_t records = GetLe<uint32_t>(h + 8);
  uint32_t stored = GetLe<uint32_t>(h + 12);
  if (payload > kMaxBlockPayload) {
    return Error(pos_, fmt::format("block of {} bytes exceeds the {}-byte limit", payload,
                                   kMaxBlockPayload));
  }
  if (records == 0 || records > payload) {
    return Error(pos_, fmt::format("block claims {} records in {} bytes", records, payload));
  }
  if (payload > left - kBlockHeader) {
    if (options_.tolerate_truncated_tail) {
      TruncatedTail(records);
      return OkStatus();
    }
    return Error(pos_, fmt::format("truncated block: {} payload bytes declared, {} present "
                                   "(recording cut short?)",
                                   payload, left - kBlockHeader));
  }
  uint32_t computed = Crc32c(h + kBlockHeader, payload);
  if (computed != stored) {
    return Error(pos_, fmt::format("block checksum mismatch (stored {:08x}, computed {:08x})",
                                   stored, computed));
  }
  // Drop what the replay has passed from memory (the current block stays mapped).
  if (map_ != nullptr && pos_ - released_ >= kReleaseStep) {
    size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    size_t upto = pos_ / page * page;
    if (upto > released_) {
      madvise(static_cast<uint8_t*>(map_) + released_, upto - released_, MADV_DONTNEED);
      released_ = upto;
    }
  }
  payload_offset_ = pos_ + kBlockHeader;
  const uint8_t* body = h + kBlockHeader;
  if (left - kBlockHeader - payload < kPad) {
    // The decoder may read up to kPad bytes past a record (kPad): the file's last block is
    // decoded from a zero-padded copy.
    tail_.assign(reinterpret_cast<const char*>(body), payload);
    tail_.append(kPad, '\0');
    body = reinterpret_cast<const uint8_t*>(tail_.data());
  }
  payload_base_ = body;
  rec_ = body;
  rec_end_ = body + payload;
  block_left_ = records;
  prev_ts_ = 0;
  table_.clear();
  pos_ += kBlockHeader + payload;
  stats_.bytes += kBlockHeader + payload;
  return OkStatus();
}

bool ReplaySource::Fail(const uint8_t* at, std::string_view what) {
  error_ = Error(payload_offset_ + static_cast<size_t>(at - payload_base_),
                 fmt::format("record: {}", what));
  return false;
}

// A string member: varint v, even = a literal of v/2 bytes (the next table entry), odd = table
// entry v/2. Returns the byte after it, or end + 1 (which fails the caller's final `p > end`
// check and stays within kPad) when the literal overruns the record or names a missing entry.
[[gnu::always_inline]] inline const uint8_t* ReplaySource::ReadString(const uint8_t* p,
                                                                      const uint8_t* end,
                                                                      std::string_view* out,
                                                                      bool* bad) {
  uint64_t x = 0;
  p = ReadVarint(p, &x, bad);
  if (x & 1) {
    uint64_t index = x >> 1;
    if (index >= table_.size()) return end + 1;
    *out = table_[index];
    return p;
  }
  uint64_t n = x >> 1;
  // A writer adds at most one entry per literal of a <= 64 KiB block (plus one record): the
  // cap only stops crafted files of empty literals from growing the table to 4 M.
  if (p > end || n > static_cast<uint64_t>(end - p) || table_.size() >= kMaxTableEntries) {
    return end + 1;
  }
  *out = std::string_view(reinterpret_cast<const char*>(p), n);
  table_.push_back(*out);
  return p + n;
}

void ReplaySource::ResetMembers(uint32_t bits) {
  Event& e = event_;
  while (bits != 0) {
    int bit = std::countr_zero(bits);
    bits &= bits - 1;
    switch (bit) {  // the bit numbers of Field
      case 0:
        e.pid = 0;
        break;
      case 1:
        break;  // tid: always written (it defaults to the pid)
      case 2:
        e.ppid = 0;
        break;
      case 3:
        e.uid = 0;
        break;
      case 4:
        e.gid = 0;
        break;
      case 5:
        e.cgroup_id = 0;
        break;
      case 6:
        e.mntns = 0;
        break;
      case 7:
        e.comm = {};
        break;
      case 8:
        e.syscall = -1;
        break;
      case 9:
        e.ret = 0;
        break;
      case 10:
        e.fd = -1;
        break;
      case 11:
        e.fd2 = -1;
        break;
      case 12:
        e.flags = 0;
        break;
      case 13:
        e.mode = 0;
        break;
      case 14:
        e.id_arg = 0;
        break;
      case 15:
        e.bytes = 0;
        break;
      case 16:
        e.count = 0;
        break;
      case 17:
        e.cap_effective = 0;
        break;
      case 18:
        e.path = {};
        break;
      case 19:
        e.path2 = {};
        break;
      case 20:
        e.addr = SockAddr{};
        break;
      case 21:
        e.exe = {};
        break;
      case 22:
        e.args = {};
        break;
      case 23:
        e.cwd = {};
        break;
      case 24:
        e.tty = 0;
        break;
      case 25:
        e.exe_upper_layer = e.exe_memfd = e.exe_writable = false;
        break;
      default:
        break;
    }
  }
}

[[gnu::always_inline]] inline bool ReplaySource::DecodeEvent(const uint8_t* start, const uint8_t* p,
                                                             const uint8_t* end, EventType type) {
  // event_ holds the previous event. Members the mask has are decoded; members the previous
  // event had and this one lacks go back to their defaults (ResetMembers); the rest are at
  // their defaults already. So every event reads as if decoded into Event{}, at a cost in
  // proportion to the members present. Varints are read without per-byte bounds checks
  // (kPad); `p` is checked against `end` at each string literal and at the end. Rare members
  // are tested in groups, so a typical event tests about a dozen bits.
  bool bad = false;
  uint64_t mask = 0, v = 0;
  p = ReadVarint(p, &mask, &bad);
  p = ReadVarint(p, &v, &bad);
  if (mask & ~static_cast<uint64_t>(kKnownFields)) {
    return Fail(start, "unknown fields in presence mask");
  }
  const auto m = static_cast<uint32_t>(mask);
  if (uint32_t stale = prev_mask_ & ~m; stale != 0) {
    // The syscall's arguments and paths come and go with the syscall: reset as groups (the
    // members this event has are overwritten below).
    constexpr uint32_t kArgGroup =
        kRet | kFd | kFd2 | kFlags | kMode | kIdArg | kBytes | kCount | kCap;
    if (stale & kArgGroup) {
      event_.ret = 0;
      event_.fd = -1;
      event_.fd2 = -1;
      event_.flags = 0;
      event_.mode = 0;
      event_.id_arg = 0;
      event_.bytes = 0;
      event_.count = 0;
      event_.cap_effective = 0;
    }
    if (stale & (kPath | kPath2)) {
      event_.path = {};
      event_.path2 = {};
    }
    if (uint32_t rest = stale & ~(kArgGroup | kPath | kPath2); rest != 0) ResetMembers(rest);
  }
  prev_mask_ = m;
  Event& e = event_;
  e.type = type;
  prev_ts_ += static_cast<uint64_t>(UnZigZag(v));
  e.ts_ns = prev_ts_;
  auto num = [&](auto* out) __attribute__((always_inline)) {
    p = ReadVarint(p, &v, &bad);
    *out = static_cast<std::remove_pointer_t<decltype(out)>>(v);
  };
  auto snum = [&](auto* out) __attribute__((always_inline)) {
    p = ReadVarint(p, &v, &bad);
    *out = static_cast<std::remove_pointer_t<decltype(out)>>(UnZigZag(v));
  };
  auto str = [&](std::string_view * out) __attribute__((always_inline)) {
    p = ReadString(p, end, out, &bad);
  };
  // Nearly every event has a pid, a parent, a cgroup, a mount namespace, a comm and a
  // syscall number, and no tid, uid or gid of its own: one test for all of them.
  constexpr uint32_t kUsual = kPid | kPpid | kCgroup | kMntns | kComm | kSyscallNr;
  if ((m & (kUsual | kTid | kUid | kGid)) == kUsual) {
    num(&e.pid);
    e.tid = e.pid;
    num(&e.ppid);
    num(&e.cgroup_id);
    num(&e.mntns);
    str(&e.comm);
    snum(&e.syscall);
  } else {
    if (m & kPid) num(&e.pid);
    if (m & kTid) {
      num(&e.tid);
    } else {
      e.tid = e.pid;
    }
    if (m & kPpid) num(&e.ppid);
    if (m & (kUid | kGid)) {
      if (m & kUid) num(&e.uid);
      if (m & kGid) num(&e.gid);
    }
    if (m & kCgroup) num(&e.cgroup_id);
    if (m & kMntns) num(&e.mntns);
    if (m & kComm) str(&e.comm);
    if (m & kSyscallNr) snum(&e.syscall);
  }
  if (m & kRet) snum(&e.ret);
  if (m & kFd) snum(&e.fd);
  if (m & (kFd2 | kFlags | kMode | kIdArg | kBytes | kCount | kCap)) {
    if (m & kFd2) snum(&e.fd2);
    if (m & kFlags) num(&e.flags);
    if (m & kMode) num(&e.mode);
    if (m & kIdArg) num(&e.id_arg);
    if (m & kBytes) num(&e.bytes);
    if (m & kCount) num(&e.count);
    if (m & kCap) num(&e.cap_effective);
  }
  if (m & (kPath | kPath2 | kAddr)) {
    if (m & kPath) str(&e.path);
    if (m & kPath2) str(&e.path2);
    if (m & kAddr) {
      p = p <= end ? DecodeAddr(p, end) : nullptr;
      if (p == nullptr) return Fail(start, "bad socket address");
    }
  }
  if (m & (kExe | kArgs | kCwd | kTty | kBools)) {
    if (m & kExe) str(&e.exe);
    if (m & kArgs) str(&e.args);
    if (m & kCwd) str(&e.cwd);
    if (m & kTty) num(&e.tty);
    if (m & kBools) {
      if (p >= end) return Fail(start, "truncated flags");
      uint8_t b = *p++;
      e.exe_upper_layer = b & 1;
      e.exe_memfd = b & 2;
      e.exe_writable = b & 4;
    }
  }
  // Bytes after the known members are allowed: a later minor version may append members.
  if (bad || p > end) {
    return Fail(start, "a field overruns the record (or names a missing string)");
  }
  return true;
}

const uint8_t* ReplaySource::DecodeAddr(const uint8_t* p, const uint8_t* end) {
  bool bad = false;
  uint64_t family = 0, port = 0;
  p = ReadVarint(p, &family, &bad);
  p = ReadVarint(p, &port, &bad);
  if (bad || p > end || family > 0xffff || port > 0xffff || family == 0) return nullptr;
  SockAddr& a = event_.addr;
  a.family = static_cast<uint16_t>(family);
  a.port = static_cast<uint16_t>(port);
  a.unix_path = std::string_view();
  a.addr = {};
  if (family == AF_UNIX) {
    p = ReadString(p, end, &a.unix_path, &bad);
    if (bad || p > end) return nullptr;
  } else {
    size_t n = family == AF_INET ? 4 : 16;
    if (static_cast<size_t>(end - p) < n) return nullptr;
    std::memcpy(a.addr.data(), p, n);
    p += n;
  }
  return p;
}

[[gnu::always_inline]] inline bool ReplaySource::DecodeRecord() {
  const uint8_t* start = rec_;
  if (start >= rec_end_) return Fail(start, "block holds fewer records than declared");
  bool bad = false;
  uint64_t len = 0;
  const uint8_t* p = ReadVarint(start, &len, &bad);
  if (bad || p > rec_end_ || len > static_cast<uint64_t>(rec_end_ - p)) {
    return Fail(start, "length overruns its block");
  }
  const uint8_t* end = p + len;
  rec_ = end;
  --block_left_;
  if (block_left_ == 0 && rec_ != rec_end_) {
    return Fail(start, "bytes after the block's last record");
  }
  if (block_left_ > 0 && rec_ == rec_end_) {
    return Fail(start, "block holds fewer records than declared");
  }
  if (p >= end) return Fail(start, "empty record");
  uint8_t type = *p++;
  if (type >= static_cast<uint8_t>(EventType::kSyscall) &&
      type <= static_cast<uint8_t>(EventType::kDrops)) {
    event_decoded_ = true;
    return DecodeEvent(start, p, end, static_cast<EventType>(type));
  }
  if (type == kContainerRecord && version_ >= 2) {
    event_decoded_ = false;
    return DecodeContainer(start, p, end);
  }
  return Fail(start, fmt::format("unknown record type {}", type));
}

bool ReplaySource::DecodeContainer(const uint8_t* start, const uint8_t* p, const uint8_t* end) {
  // Rare (one per container and change): every read is checked against `end` before the next.
  bool bad = false;
  uint64_t cgroup = 0, info_cgroup = 0, labels = 0;
  p = ReadVarint(p, &cgroup, &bad);
  if (!bad && p <= end) p = ReadVarint(p, &info_cgroup, &bad);
  if (bad || p > end) return Fail(start, "container record: truncated cgroup id");
  ContainerInfo info;
  info.cgroup_id = info_cgroup;
  std::string_view s;
  for (std::string* f : {&info.id, &info.runtime, &info.name, &info.image, &info.image_digest,
                         &info.pod, &info.pod_namespace, &info.workload, &info.cgroup_path}) {
    p = ReadString(p, end, &s, &bad);
    if (bad || p > end) {
      return Fail(start,
                  "container record: a field overruns the record (or names a missing "
                  "string)");
    }
    f->assign(s);
  }
  p = ReadVarint(p, &labels, &bad);
  if (bad || p > end) return Fail(start, "container record: truncated label count");
  if (labels > kMaxContainerLabels) {
    return Fail(start, fmt::format("container record: {} labels (at most {})", labels,
                                   kMaxContainerLabels));
  }
  std::string_view key, value;
  for (uint64_t i = 0; i < labels; ++i) {
    p = ReadString(p, end, &key, &bad);
    if (!bad && p <= end) p = ReadString(p, end, &value, &bad);
    if (bad || p > end) return Fail(start, "container record: a label overruns the record");
    info.labels[std::string(key)] = std::string(value);
  }
  ++container_records_;
  if (options_.on_container) options_.on_container(cgroup, info);
  return true;
}

StatusOr<size_t> ReplaySource::Poll(std::chrono::milliseconds timeout, const EventSink& sink) {
  if (finished_) return OutOfRangeError(fmt::format("replay: {}: end of recording", name_));
  const bool pace = options_.pace && options_.speed > 0;
  auto deadline =
      pace ? std::chrono::steady_clock::now() + timeout : std::chrono::steady_clock::time_point();
  size_t delivered = 0;
  while (delivered < kMaxEventsPerPoll) {
    if (!pending_) {
      if (block_left_ == 0) {
        Status s = NextBlock();
        if (!s.ok()) {
          finished_ = true;
          if (IsOutOfRange(s) && delivered > 0) return delivered;
          return s;
        }
      }
      if (tail_drops_) {
        // NextBlock turned a tolerated truncated tail into event_ (a kDrops event).
        tail_drops_ = false;
      } else if (!DecodeRecord()) {
        finished_ = true;
        return std::move(error_);
      } else if (!event_decoded_) {
        continue;  // a container record: handed to on_container, nothing to deliver
      }
      pending_ = true;
    }
    if (pace) {
      auto now = std::chrono::steady_clock::now();
      if (!pace_started_) {
        pace_started_ = true;
        pace_first_ts_ = event_.ts_ns;
        pace_start_ = now;
      }
      double offset_ns =
          static_cast<double>(event_.ts_ns - std::min(event_.ts_ns, pace_first_ts_)) /
          options_.speed;
      auto due = pace_start_ + std::chrono::nanoseconds(static_cast<int64_t>(offset_ns));
      if (due > now) {
        if (due > deadline) {
          std::this_thread::sleep_until(deadline);
          return delivered;
        }
        std::this_thread::sleep_until(due);
      }
    }
    pending_ = false;
    if (event_.type == EventType::kDrops) stats_.drops += event_.count;
    ++stats_.events;
    ++delivered;
    sink(event_);
  }
  return delivered;
}

}  // namespace vigil::runtime
