#include "runtime/replay.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <functional>
#include <thread>

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
  uint64_t v = 0;
  for (size_t i = 0; i < sizeof(T); ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return static_cast<T>(v);
}

// Reads a varint from [*p, end); false on truncation or more than 64 bits.
inline bool GetVarint(const uint8_t** p, const uint8_t* end, uint64_t* out) {
  const uint8_t* q = *p;
  if (q < end && *q < 0x80) {  // the common one-byte case
    *out = *q;
    *p = q + 1;
    return true;
  }
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (q >= end) return false;
    uint8_t b = *q++;
    if (shift == 63 && b > 1) return false;
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (b < 0x80) {
      *out = v;
      *p = q;
      return true;
    }
  }
  return false;
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

}  // namespace

uint32_t Crc32c(const void* data, size_t size, uint32_t crc) {
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
  if (record_.size() > kMaxBlockPayload - 16) {
    return InvalidArgumentError(fmt::format("record: {}: event of {} bytes exceeds the block limit",
                                            path_, record_.size()));
  }
  if (payload_.size() + record_.size() + 10 > kMaxBlockPayload) VIGIL_RETURN_IF_ERROR(Flush());
  PutVarint(payload_, record_.size());
  payload_.append(record_);
  ++block_records_;
  ++events_;
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
  prev_ts_ = 0;
  interned_.clear();
  arena_.clear();
  std::fill(slots_.begin(), slots_.end(), 0);
  table_size_ = 0;
  return s;
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
  if (version != kCaptureVersion) {
    return InvalidArgumentError(
        fmt::format("replay: {}: capture format version {} (this build reads version {})", name_,
                    version, kCaptureVersion));
  }
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

Status ReplaySource::NextBlock() {
  if (pos_ == size_) return OutOfRangeError(fmt::format("replay: {}: end of recording", name_));
  size_t left = size_ - pos_;
  if (left < kBlockHeader) {
    if (options_.tolerate_truncated_tail) {
      // A partial block header: at least one event was lost.
      event_ = Event{};
      event_.type = EventType::kDrops;
      event_.ts_ns = prev_ts_;
      event_.count = 1;
      pos_ = size_;
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
      event_ = Event{};
      event_.type = EventType::kDrops;
      event_.ts_ns = prev_ts_;
      event_.count = records;
      pos_ = size_;
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
  block_offset_ = pos_;
  rec_ = h + kBlockHeader;
  rec_end_ = rec_ + payload;
  block_left_ = records;
  prev_ts_ = 0;
  table_.clear();
  pos_ += kBlockHeader + payload;
  stats_.bytes += kBlockHeader + payload;
  return OkStatus();
}

Status ReplaySource::DecodeRecord() {
  const uint8_t* start = rec_;
  auto fail = [&](std::string_view what) {
    return Error(static_cast<size_t>(start - data_), fmt::format("record: {}", what));
  };
  uint64_t len = 0;
  if (!GetVarint(&rec_, rec_end_, &len) || len > static_cast<uint64_t>(rec_end_ - rec_)) {
    return fail("length overruns its block");
  }
  const uint8_t* p = rec_;
  const uint8_t* end = rec_ + len;
  rec_ = end;
  if (p >= end) return fail("empty record");
  uint8_t type = *p++;
  if (type < static_cast<uint8_t>(EventType::kSyscall) ||
      type > static_cast<uint8_t>(EventType::kDrops)) {
    return fail(fmt::format("unknown event type {}", type));
  }
  uint64_t mask = 0, v = 0;
  if (!GetVarint(&p, end, &mask)) return fail("truncated presence mask");
  if (mask & ~static_cast<uint64_t>(kKnownFields)) return fail("unknown fields in presence mask");
  if (!GetVarint(&p, end, &v)) return fail("truncated time");

  Event& e = event_;
  e = Event{};
  e.type = static_cast<EventType>(type);
  prev_ts_ += static_cast<uint64_t>(UnZigZag(v));
  e.ts_ns = prev_ts_;

  bool ok = true;
  auto num = [&](uint32_t bit, auto* out) {
    if (!ok || !(mask & bit)) return;
    uint64_t x = 0;
    if (!GetVarint(&p, end, &x)) {
      ok = false;
      return;
    }
    *out = static_cast<std::remove_pointer_t<decltype(out)>>(x);
  };
  auto snum = [&](uint32_t bit, auto* out) {
    if (!ok || !(mask & bit)) return;
    uint64_t x = 0;
    if (!GetVarint(&p, end, &x)) {
      ok = false;
      return;
    }
    *out = static_cast<std::remove_pointer_t<decltype(out)>>(UnZigZag(x));
  };
  auto str = [&](std::string_view* out) {
    uint64_t x = 0;
    if (!GetVarint(&p, end, &x)) {
      ok = false;
      return;
    }
    if (x & 1) {
      uint64_t index = x >> 1;
      if (index >= table_.size()) {
        ok = false;
        return;
      }
      *out = table_[index];
      return;
    }
    uint64_t n = x >> 1;
    // A writer adds at most one entry per literal of a <= 64 KiB block (plus one record):
    // the cap only stops crafted files of empty literals from growing the table to 4 M.
    if (n > static_cast<uint64_t>(end - p) || table_.size() >= kMaxTableEntries) {
      ok = false;
      return;
    }
    *out = std::string_view(reinterpret_cast<const char*>(p), n);
    table_.push_back(*out);
    p += n;
  };

  num(kPid, &e.pid);
  e.tid = e.pid;
  num(kTid, &e.tid);
  num(kPpid, &e.ppid);
  num(kUid, &e.uid);
  num(kGid, &e.gid);
  num(kCgroup, &e.cgroup_id);
  num(kMntns, &e.mntns);
  if (ok && (mask & kComm)) str(&e.comm);
  snum(kSyscallNr, &e.syscall);
  snum(kRet, &e.ret);
  snum(kFd, &e.fd);
  snum(kFd2, &e.fd2);
  num(kFlags, &e.flags);
  num(kMode, &e.mode);
  num(kIdArg, &e.id_arg);
  num(kBytes, &e.bytes);
  num(kCount, &e.count);
  num(kCap, &e.cap_effective);
  if (ok && (mask & kPath)) str(&e.path);
  if (ok && (mask & kPath2)) str(&e.path2);
  if (ok && (mask & kAddr)) {
    uint64_t family = 0, port = 0;
    if (!GetVarint(&p, end, &family) || !GetVarint(&p, end, &port) || family > 0xffff ||
        port > 0xffff || family == 0) {
      return fail("bad socket address");
    }
    e.addr.family = static_cast<uint16_t>(family);
    e.addr.port = static_cast<uint16_t>(port);
    if (family == AF_UNIX) {
      str(&e.addr.unix_path);
    } else {
      size_t n = family == AF_INET ? 4 : 16;
      if (static_cast<size_t>(end - p) < n) return fail("truncated socket address");
      std::memcpy(e.addr.addr.data(), p, n);
      p += n;
    }
  }
  if (ok && (mask & kExe)) str(&e.exe);
  if (ok && (mask & kArgs)) str(&e.args);
  if (ok && (mask & kCwd)) str(&e.cwd);
  num(kTty, &e.tty);
  if (ok && (mask & kBools)) {
    if (p >= end) return fail("truncated flags");
    uint8_t b = *p++;
    e.exe_upper_layer = b & 1;
    e.exe_memfd = b & 2;
    e.exe_writable = b & 4;
  }
  if (!ok) return fail("a field overruns the record (or names a missing string)");
  // Bytes after the known fields are allowed: a later minor version may append members.
  --block_left_;
  if (block_left_ == 0 && rec_ != rec_end_) return fail("bytes after the block's last record");
  if (block_left_ > 0 && rec_ == rec_end_) return fail("block holds fewer records than declared");
  return OkStatus();
}

StatusOr<size_t> ReplaySource::Poll(std::chrono::milliseconds timeout, const EventSink& sink) {
  if (finished_) return OutOfRangeError(fmt::format("replay: {}: end of recording", name_));
  auto deadline = std::chrono::steady_clock::now() + timeout;
  size_t delivered = 0;
  while (delivered < kMaxEventsPerPoll) {
    if (!pending_) {
      Status s;
      if (block_left_ == 0) {
        s = NextBlock();
        // With block_left_ still 0 after a successful NextBlock, event_ is the kDrops event
        // of a tolerated truncated tail.
        if (s.ok() && block_left_ > 0) {
          s = DecodeRecord();
        }
      } else {
        s = DecodeRecord();
      }
      if (!s.ok()) {
        finished_ = true;
        if (IsOutOfRange(s) && delivered > 0) return delivered;
        return s;
      }
      pending_ = true;
    }
    if (options_.pace && options_.speed > 0) {
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
