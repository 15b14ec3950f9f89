#include "image/layer.h"

#include <archive.h>
#include <archive_entry.h>
#include <isa-l/igzip_lib.h>
#include <zstd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "base/hash.h"
#include "base/strings.h"
#include "fmt/format.h"
#include "image/manifest.h"

namespace vigil::image {
namespace {

constexpr size_t kBufSize = 1 << 20;

// A producer thread filling a few buffers that the consumer takes in order. `fill(buf,
// len)` runs on the thread and returns the bytes it wrote, 0 at the end, or an error; the
// thread ends after the end or an error, or at Stop(). The consumer holds one chunk at a
// time: a chunk is valid until the next call to Next().
class ChunkRing {
 public:
  using Fill = std::function<StatusOr<size_t>(char* buf, size_t len)>;
  explicit ChunkRing(Fill fill) : fill_(std::move(fill)) {
    for (auto& slot : slots_) {
      slot.resize(kBufSize);
      free_.push_back(&slot);
    }
    thread_ = std::thread([this] { Run(); });
  }
  ~ChunkRing() { Stop(); }
  ChunkRing(const ChunkRing&) = delete;
  ChunkRing& operator=(const ChunkRing&) = delete;

  StatusOr<std::string_view> Next() {
    std::unique_lock lock(mu_);
    if (held_ != nullptr) {
      free_.push_back(held_);
      held_ = nullptr;
      cv_.notify_all();
    }
    cv_.wait(lock, [&] { return !filled_.empty(); });
    Filled chunk = std::move(filled_.front());
    filled_.pop_front();
    if (!chunk.status.ok()) return chunk.status;
    if (chunk.size == 0) return std::string_view();
    held_ = chunk.buf;
    return std::string_view(chunk.buf->data(), chunk.size);
  }

  // Ends the thread (at once if it waits for a free buffer, else after its current fill)
  // and joins it. Everything `fill` touched is the caller's again afterwards.
  void Stop() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
      cv_.notify_all();
    }
    if (thread_.joinable()) thread_.join();
  }

 private:
  struct Filled {
    std::vector<char>* buf = nullptr;
    size_t size = 0;  // 0 = end of stream
    Status status;
  };

  void Run() {
    while (true) {
      std::vector<char>* buf = nullptr;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return stop_ || !free_.empty(); });
        if (stop_) return;
        buf = free_.front();
        free_.pop_front();
      }
      Filled chunk;
      chunk.buf = buf;
      auto n = fill_(buf->data(), buf->size());
      if (n.ok()) {
        chunk.size = *n;
      } else {
        chunk.status = n.status();
      }
      bool last = !chunk.status.ok() || chunk.size == 0;
      {
        std::lock_guard lock(mu_);
        filled_.push_back(std::move(chunk));
        cv_.notify_all();
      }
      if (last) return;
    }
  }

  Fill fill_;
  std::vector<char> slots_[4];
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::vector<char>*> free_;  // guarded by mu_
  std::deque<Filled> filled_;            // guarded by mu_
  std::vector<char>* held_ = nullptr;    // the consumer's chunk (consumer only)
  bool stop_ = false;                    // guarded by mu_
  std::thread thread_;
};

// The stored blob as chunks: serves the peeked magic first, hashes and counts every byte.
// With read-ahead, reading and the blob digest run on a ChunkRing thread.
class StoredStage {
 public:
  StoredStage(BlobReader& in, bool read_ahead) : in_(in) {
    if (read_ahead) {
      ring_ = std::make_unique<ChunkRing>([this](char* buf, size_t len) -> StatusOr<size_t> {
        VIGIL_ASSIGN_OR_RETURN(size_t n, in_.Read(buf, len));
        Account(buf, n);
        return n;
      });
    } else {
      buf_.resize(kBufSize);
    }
  }

  // Makes the first `want` bytes (fewer for a shorter blob) available as head().
  Status Peek(size_t want) {
    while (head_.size() < want && !eof_) {
      VIGIL_ASSIGN_OR_RETURN(std::string_view chunk, Fetch());
      if (chunk.empty()) {
        eof_ = true;
        break;
      }
      size_t take = std::min(want - head_.size(), chunk.size());
      head_.append(chunk.data(), take);
      pending_ = chunk.substr(take);
    }
    return OkStatus();
  }
  const std::string& head() const { return head_; }

  // The next piece of the blob, valid until the next call; empty at the end.
  StatusOr<std::string_view> Next() {
    if (!head_served_) {
      head_served_ = true;
      if (!head_.empty()) return std::string_view(head_);
    }
    if (!pending_.empty()) return std::exchange(pending_, std::string_view());
    if (eof_) return std::string_view();
    VIGIL_ASSIGN_OR_RETURN(std::string_view chunk, Fetch());
    if (chunk.empty()) eof_ = true;
    return chunk;
  }

  // Copying reads, for the plain (uncompressed) decoder.
  StatusOr<size_t> Read(char* buf, size_t len) {
    if (current_.empty()) {
      VIGIL_ASSIGN_OR_RETURN(current_, Next());
      if (current_.empty()) return size_t{0};
    }
    size_t n = std::min(len, current_.size());
    std::memcpy(buf, current_.data(), n);
    current_.remove_prefix(n);
    return n;
  }

  // Reads what the decoder left (padding after the compressed stream) so the digest covers
  // the whole blob.
  Status Drain() {
    current_ = {};
    while (true) {
      VIGIL_ASSIGN_OR_RETURN(std::string_view chunk, Next());
      if (chunk.empty()) break;
    }
    if (ring_) ring_->Stop();  // its thread has ended; joining makes the digest ours
    return OkStatus();
  }

  // Safe to call from the tar side while other threads read.
  uint64_t bytes() const { return bytes_.load(std::memory_order_relaxed); }
  // After Drain().
  std::string FinishHex() { return hash_.FinishHex(); }

 private:
  StatusOr<std::string_view> Fetch() {
    if (ring_) return ring_->Next();
    VIGIL_ASSIGN_OR_RETURN(size_t n, in_.Read(buf_.data(), buf_.size()));
    Account(buf_.data(), n);
    return std::string_view(buf_.data(), n);
  }
  void Account(const char* buf, size_t n) {
    hash_.Update(buf, n);
    bytes_.fetch_add(n, std::memory_order_relaxed);
  }

  BlobReader& in_;
  Sha256 hash_;  // updated by the ring's thread when there is one
  std::unique_ptr<ChunkRing> ring_;
  std::vector<char> buf_;  // without a ring
  std::string head_;
  bool head_served_ = false;
  std::string_view pending_;  // rest of the chunk Peek took the head from
  std::string_view current_;  // Read()'s unread rest
  bool eof_ = false;
  std::atomic<uint64_t> bytes_ = 0;
};

class Decoder {
 public:
  virtual ~Decoder() = default;
  // Uncompressed bytes; 0 at the end of the (last) compressed stream.
  virtual StatusOr<size_t> Read(char* buf, size_t len) = 0;
};

class PlainDecoder : public Decoder {
 public:
  explicit PlainDecoder(StoredStage& in) : in_(in) {}
  StatusOr<size_t> Read(char* buf, size_t len) override { return in_.Read(buf, len); }

 private:
  StoredStage& in_;
};

// ISA-L's igzip inflate, member after member (pigz and some tools write multi-member gzip).
class IsalGzipDecoder : public Decoder {
 public:
  explicit IsalGzipDecoder(StoredStage& in) : in_(in) {
    state_ = std::make_unique<inflate_state>();
    isal_inflate_init(state_.get());
    state_->crc_flag = ISAL_GZIP;
  }

  StatusOr<size_t> Read(char* buf, size_t len) override {
    while (true) {
      if (state_->avail_in == 0 && !in_eof_) VIGIL_RETURN_IF_ERROR(Refill());
      if (member_done_) {
        if (state_->avail_in == 0) return size_t{0};
        // Another gzip member follows, or trailing bytes (zero padding) we ignore.
        if (state_->avail_in >= 2 && state_->next_in[0] == 0x1f && state_->next_in[1] == 0x8b) {
          uint8_t* next = state_->next_in;
          uint32_t avail = state_->avail_in;
          isal_inflate_reset(state_.get());
          state_->crc_flag = ISAL_GZIP;
          state_->next_in = next;
          state_->avail_in = avail;
          member_done_ = false;
        } else {
          state_->avail_in = 0;
          return size_t{0};
        }
      }
      state_->next_out = reinterpret_cast<uint8_t*>(buf);
      state_->avail_out = static_cast<uint32_t>(std::min<size_t>(len, UINT32_MAX));
      int ret = isal_inflate(state_.get());
      size_t produced = std::min<size_t>(len, UINT32_MAX) - state_->avail_out;
      if (ret == ISAL_INCORRECT_CHECKSUM) return DataLossError("gzip CRC mismatch");
      if (ret < 0) return DataLossError(fmt::format("corrupt gzip data (igzip error {})", ret));
      if (state_->block_state == ISAL_BLOCK_FINISH) member_done_ = true;
      if (produced > 0) return produced;
      if (member_done_) continue;
      if (state_->avail_in == 0 && in_eof_) return DataLossError("truncated gzip stream");
    }
  }

 private:
  // Inflates straight from the stored stage's chunk (ISA-L never writes its input).
  Status Refill() {
    VIGIL_ASSIGN_OR_RETURN(std::string_view chunk, in_.Next());
    if (chunk.empty()) in_eof_ = true;
    state_->next_in = reinterpret_cast<uint8_t*>(const_cast<char*>(chunk.data()));
    state_->avail_in = static_cast<uint32_t>(chunk.size());
    return OkStatus();
  }
  StoredStage& in_;
  std::unique_ptr<inflate_state> state_;  // ~200 KB: heap, not stack
  bool in_eof_ = false;
  bool member_done_ = false;
};

class ZstdDecoder : public Decoder {
 public:
  explicit ZstdDecoder(StoredStage& in) : in_(in) {
    ctx_ = ZSTD_createDCtx();
    // Bound the window (and so memory) to 128 MiB whatever the frame header asks for.
    ZSTD_DCtx_setParameter(ctx_, ZSTD_d_windowLogMax, 27);
  }
  ~ZstdDecoder() override { ZSTD_freeDCtx(ctx_); }

  StatusOr<size_t> Read(char* buf, size_t len) override {
    while (true) {
      if (input_.pos == input_.size && !in_eof_) {
        VIGIL_ASSIGN_OR_RETURN(std::string_view chunk, in_.Next());
        if (chunk.empty()) in_eof_ = true;
        input_ = {chunk.data(), chunk.size(), 0};
      }
      if (input_.pos == input_.size && in_eof_) {
        if (!frame_done_) return DataLossError("truncated zstd stream");
        return size_t{0};
      }
      ZSTD_outBuffer out = {buf, len, 0};
      size_t ret = ZSTD_decompressStream(ctx_, &out, &input_);
      if (ZSTD_isError(ret)) {
        return DataLossError(fmt::format("corrupt zstd data: {}", ZSTD_getErrorName(ret)));
      }
      frame_done_ = ret == 0;
      if (out.pos > 0) return out.pos;
    }
  }

 private:
  StoredStage& in_;
  ZSTD_DCtx* ctx_;
  ZSTD_inBuffer input_ = {nullptr, 0, 0};
  bool in_eof_ = false;
  bool frame_done_ = true;
};

// libarchive's "raw" format over its filters: gzip (zlib) for comparison with ISA-L, and
// the rarer xz / bzip2 layers.
class LibarchiveRawDecoder : public Decoder {
 public:
  explicit LibarchiveRawDecoder(StoredStage& in) : in_(in) {}
  ~LibarchiveRawDecoder() override {
    if (a_ != nullptr) archive_read_free(a_);
  }

  Status Open() {
    a_ = archive_read_new();
    archive_read_support_filter_all(a_);
    archive_read_support_format_raw(a_);
    if (archive_read_open(a_, this, nullptr, &LibarchiveRawDecoder::ReadCb, nullptr) !=
        ARCHIVE_OK) {
      return Fail();
    }
    archive_entry* entry = nullptr;
    if (archive_read_next_header(a_, &entry) != ARCHIVE_OK) return Fail();
    return OkStatus();
  }

  StatusOr<size_t> Read(char* buf, size_t len) override {
    la_ssize_t n = archive_read_data(a_, buf, len);
    if (n < 0) return Fail();
    return static_cast<size_t>(n);
  }

 private:
  static la_ssize_t ReadCb(archive* a, void* self_ptr, const void** out) {
    auto* self = static_cast<LibarchiveRawDecoder*>(self_ptr);
    auto chunk = self->in_.Next();
    if (!chunk.ok()) {
      self->error_ = chunk.status();
      archive_set_error(a, EIO, "%s", chunk.status().message().c_str());
      return -1;
    }
    *out = chunk->data();
    return static_cast<la_ssize_t>(chunk->size());
  }
  Status Fail() {
    if (!error_.ok()) return error_;
    const char* msg = archive_error_string(a_);
    return DataLossError(fmt::format("corrupt compressed stream: {}", msg ? msg : "unknown error"));
  }
  StoredStage& in_;
  archive* a_ = nullptr;
  Status error_;
};

// Uncompressed bytes for the tar side, chunk by chunk. A chunk stays valid until the next
// call (libarchive's read-callback contract). An empty chunk means the end: by then the
// stored stage is drained, so its digest covers the whole blob.
class ChunkSource {
 public:
  virtual ~ChunkSource() = default;
  virtual StatusOr<std::string_view> Next() = 0;
};

// Decodes on the calling thread.
class InlineChunks : public ChunkSource {
 public:
  InlineChunks(Decoder& decoder, StoredStage& stored) : decoder_(decoder), stored_(stored) {}
  StatusOr<std::string_view> Next() override {
    VIGIL_ASSIGN_OR_RETURN(size_t n, decoder_.Read(buf_.data(), buf_.size()));
    if (n == 0) VIGIL_RETURN_IF_ERROR(stored_.Drain());
    return std::string_view(buf_.data(), n);
  }

 private:
  Decoder& decoder_;
  StoredStage& stored_;
  std::vector<char> buf_ = std::vector<char>(kBufSize);
};

// Decodes on a ChunkRing thread while the calling thread hashes the diff_id and parses the
// tar (and the stored stage's own ring reads and computes the blob digest): inflate and the
// two SHA-256 passes are most of a cold scan, and this spreads them over the cores. The
// ring's thread owns the decoder and the stored stage until it ends (after the last chunk,
// an error, or destruction).
class PipelinedChunks : public ChunkSource {
 public:
  PipelinedChunks(Decoder& decoder, StoredStage& stored)
      : ring_([&decoder, &stored](char* buf, size_t len) -> StatusOr<size_t> {
          VIGIL_ASSIGN_OR_RETURN(size_t n, decoder.Read(buf, len));
          if (n == 0) VIGIL_RETURN_IF_ERROR(stored.Drain());
          return n;
        }) {}
  StatusOr<std::string_view> Next() override { return ring_.Next(); }

 private:
  ChunkRing ring_;
};

// Between the decoder and libarchive's tar parser: hashes the diff_id, enforces limits,
// reports progress and remembers the first error so it is reported instead of libarchive's
// generic one.
struct TarFeed {
  TarFeed(ChunkSource* c, StoredStage* s, const WalkOptions* o, std::string_view n)
      : chunks(c), stored(s), options(o), name(n) {}
  ChunkSource* chunks;
  StoredStage* stored;
  const WalkOptions* options;
  std::string_view name;
  Sha256 diff_hash;
  uint64_t bytes = 0;
  uint64_t reported = 0;  // stored bytes at the last on_bytes call
  bool decoder_done = false;
  uint64_t synthetic_left = 0;
  bool padded = false;  // the stream ended mid-block and was completed with zeros
  Status error;
  std::vector<char> zeros;

  // Bytes of the real stream, or of the zero padding appended after it (see padded).
  StatusOr<std::string_view> Next() {
    if (decoder_done) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(synthetic_left, kBufSize));
      zeros.assign(n, 0);
      synthetic_left -= n;
      return std::string_view(zeros.data(), n);
    }
    VIGIL_ASSIGN_OR_RETURN(std::string_view chunk, chunks->Next());
    if (chunk.empty()) {
      // Some writers (umoci 0.4 `insert`) end the tar right after the last entry's data,
      // without block padding or end-of-archive blocks. Completing it with zeros lets the
      // parser finish; the digests cover only the real bytes, so a stream cut anywhere
      // else still fails the diff_id check (reported as truncation, see padded).
      decoder_done = true;
      if (bytes % 512 != 0) {
        synthetic_left = (512 - bytes % 512) + 1024;
        padded = true;
      }
      return Next();
    }
    diff_hash.Update(chunk.data(), chunk.size());
    bytes += chunk.size();
    uint64_t stored_bytes = stored->bytes();
    if (options->on_bytes && (reported >> 22) != (stored_bytes >> 22)) {
      reported = stored_bytes;
      options->on_bytes(stored_bytes);
    }
    const Limits& lim = options->limits;
    if (bytes > lim.max_layer_bytes) {
      return ResourceExhaustedError(fmt::format(
          "uncompressed size exceeds the per-layer limit of {} bytes (decompression bomb?)",
          lim.max_layer_bytes));
    }
    if (bytes > options->total_budget) {
      return ResourceExhaustedError(
          "uncompressed size exceeds the per-image limit (decompression bomb?)");
    }
    if (bytes > lim.ratio_floor_bytes && stored_bytes > 0 &&
        static_cast<double>(bytes) > lim.max_ratio * static_cast<double>(stored_bytes)) {
      return ResourceExhaustedError(
          fmt::format("compression ratio above {}:1 after {} bytes (decompression bomb?)",
                      lim.max_ratio, bytes));
    }
    return chunk;
  }

  static la_ssize_t ReadCb(archive* a, void* self_ptr, const void** out) {
    auto* self = static_cast<TarFeed*>(self_ptr);
    auto chunk = self->Next();
    if (!chunk.ok()) {
      self->error = chunk.status();
      archive_set_error(a, EIO, "%s", chunk.status().message().c_str());
      return -1;
    }
    *out = chunk->data();
    return static_cast<la_ssize_t>(chunk->size());
  }
};

class EntryContent : public BlobReader {
 public:
  EntryContent(archive* a, TarFeed* feed) : a_(a), feed_(feed) {}
  StatusOr<size_t> Read(char* buf, size_t len) override {
    la_ssize_t n = archive_read_data(a_, buf, len);
    if (n < 0) {
      if (!feed_->error.ok()) return feed_->error;
      const char* msg = archive_error_string(a_);
      return DataLossError(fmt::format("reading entry data: {}", msg ? msg : "error"));
    }
    return static_cast<size_t>(n);
  }

 private:
  archive* a_;
  TarFeed* feed_;
};

// "./a/../b" style names: returns false for absolute names or any ".." component.
bool SafeEntryPath(std::string_view raw, std::string* out) {
  if (raw.empty() || raw.front() == '/') return false;
  for (std::string_view part : Split(raw, '/', true)) {
    if (part == "..") return false;
  }
  *out = NormalizePath(raw);
  return true;
}

struct ArchiveCloser {
  void operator()(archive* a) const { archive_read_free(a); }
};

Status Fail(std::string_view name, const Status& st) { return Annotate(st, name); }

}  // namespace

std::string_view CompressionName(Compression c) {
  switch (c) {
    case Compression::kNone:
      return "none";
    case Compression::kGzip:
      return "gzip";
    case Compression::kZstd:
      return "zstd";
    case Compression::kXz:
      return "xz";
    case Compression::kBzip2:
      return "bzip2";
  }
  return "unknown";
}

Compression DetectCompression(std::string_view h) {
  auto at = [&](size_t i) { return i < h.size() ? static_cast<unsigned char>(h[i]) : 0x100u; };
  if (at(0) == 0x1f && at(1) == 0x8b) return Compression::kGzip;
  if (at(0) == 0x28 && at(1) == 0xb5 && at(2) == 0x2f && at(3) == 0xfd) return Compression::kZstd;
  if (at(0) == 0xfd && at(1) == '7' && at(2) == 'z' && at(3) == 'X' && at(4) == 'Z' && at(5) == 0) {
    return Compression::kXz;
  }
  if (at(0) == 'B' && at(1) == 'Z' && at(2) == 'h') return Compression::kBzip2;
  return Compression::kNone;
}

std::string LayerName(size_t index, const LayerRef& layer) {
  std::string id = !layer.diff_id.empty() ? layer.diff_id : layer.digest;
  if (id.size() > 19) id = id.substr(0, 19);
  return id.empty() ? fmt::format("layer {}", index) : fmt::format("layer {} ({})", index, id);
}

Status WalkLayerBlob(BlobReader& stored_reader, const LayerRef& layer, std::string_view name,
                     const WalkOptions& options, const LayerVisitor& visit, WalkStats* stats_out) {
  WalkStats local;
  WalkStats& stats = stats_out ? *stats_out : local;
  stats = WalkStats();
  StoredStage stored(stored_reader, options.pipeline);
  if (Status st = stored.Peek(6); !st.ok()) return Fail(name, st);
  stats.compression = DetectCompression(stored.head());

  std::unique_ptr<Decoder> decoder;
  switch (stats.compression) {
    case Compression::kNone:
      decoder = std::make_unique<PlainDecoder>(stored);
      break;
    case Compression::kGzip:
      if (options.gzip == GzipEngine::kIsal) {
        decoder = std::make_unique<IsalGzipDecoder>(stored);
        break;
      }
      [[fallthrough]];
    case Compression::kXz:
    case Compression::kBzip2: {
      auto raw = std::make_unique<LibarchiveRawDecoder>(stored);
      if (Status st = raw->Open(); !st.ok()) return Fail(name, st);
      decoder = std::move(raw);
      break;
    }
    case Compression::kZstd:
      decoder = std::make_unique<ZstdDecoder>(stored);
      break;
  }

  // Declared after the decoder so a pipeline's worker is joined before the decoder goes.
  std::unique_ptr<ChunkSource> chunks;
  if (options.pipeline) {
    chunks = std::make_unique<PipelinedChunks>(*decoder, stored);
  } else {
    chunks = std::make_unique<InlineChunks>(*decoder, stored);
  }
  TarFeed feed(chunks.get(), &stored, &options, name);
  std::unique_ptr<archive, ArchiveCloser> a(archive_read_new());
  archive_read_support_format_tar(a.get());
  auto archive_error = [&](std::string_view what) {
    if (!feed.error.ok()) return Fail(name, feed.error);
    const char* msg = archive_error_string(a.get());
    return DataLossError(fmt::format("{}: {}: {}", name, what, msg ? msg : "malformed tar"));
  };
  if (archive_read_open(a.get(), &feed, nullptr, &TarFeed::ReadCb, nullptr) != ARCHIVE_OK) {
    // An empty stream is an empty layer (some tools write 0-byte or 1 KiB-of-zeros layers).
    if (feed.error.ok() && feed.bytes == 0) {
      a.reset();
    } else {
      return archive_error("not a tar stream");
    }
  }

  while (a) {
    archive_entry* ae = nullptr;
    int r = archive_read_next_header(a.get(), &ae);
    if (r == ARCHIVE_EOF) break;
    if (r == ARCHIVE_FATAL || (r == ARCHIVE_WARN && ae == nullptr)) {
      return archive_error("truncated or malformed tar");
    }
    if (r == ARCHIVE_RETRY) return archive_error("malformed tar header");
    if (++stats.entries > options.limits.max_entries) {
      return ResourceExhaustedError(
          fmt::format("{}: more than {} entries", name, options.limits.max_entries));
    }
    const char* raw_name = archive_entry_pathname(ae);
    std::string path;
    // The root itself ("/", "./", as umoci writes it) carries nothing a view needs.
    if (raw_name != nullptr && raw_name[0] != '\0' &&
        std::string_view(raw_name).find_first_not_of("/.") == std::string_view::npos &&
        NormalizePath(raw_name) == "/") {
      continue;
    }
    if (raw_name == nullptr || !SafeEntryPath(raw_name, &path)) {
      ++stats.skipped_unsafe;
      continue;
    }
    if (path == "/") continue;
    LayerEntry entry;
    std::string_view base = Basename(path);
    if (StartsWith(base, ".wh.")) {
      std::string dir(Dirname(path));
      if (base == ".wh..wh..opq") {
        entry.kind = EntryKind::kOpaque;
        entry.path = dir;
      } else if (StartsWith(base, ".wh..wh.")) {
        continue;  // aufs bookkeeping (.wh..wh.plnk, .wh..wh.aufs): not image content
      } else {
        entry.kind = EntryKind::kWhiteout;
        entry.path = JoinPath(dir, base.substr(4));
      }
      if (Status st = visit(entry, nullptr); !st.ok()) return Fail(name, st);
      continue;
    }
    entry.path = std::move(path);
    FileInfo& info = entry.info;
    info.mode = archive_entry_perm(ae) & 07777;
    info.uid = static_cast<uint32_t>(archive_entry_uid(ae));
    info.gid = static_cast<uint32_t>(archive_entry_gid(ae));
    info.mtime = archive_entry_mtime(ae);
    info.size = archive_entry_size_is_set(ae) ? static_cast<uint64_t>(archive_entry_size(ae)) : 0;
    const char* hardlink = archive_entry_hardlink(ae);
    if (hardlink != nullptr) {
      std::string target;
      if (!SafeEntryPath(hardlink, &target)) {
        ++stats.skipped_unsafe;
        continue;
      }
      entry.kind = EntryKind::kHardlink;
      entry.hardlink_target = std::move(target);
      info.type = FileType::kRegular;
      if (Status st = visit(entry, nullptr); !st.ok()) return Fail(name, st);
      continue;
    }
    switch (archive_entry_filetype(ae)) {
      case AE_IFREG: {
        entry.kind = EntryKind::kRegular;
        info.type = FileType::kRegular;
        EntryContent content(a.get(), &feed);
        Status st = visit(entry, &content);
        if (!st.ok()) return Fail(name, feed.error.ok() ? st : feed.error);
        if (archive_read_data_skip(a.get()) != ARCHIVE_OK)
          return archive_error("truncated entry data");
        continue;
      }
      case AE_IFDIR:
        entry.kind = EntryKind::kDirectory;
        info.type = FileType::kDirectory;
        info.size = 0;
        break;
      case AE_IFLNK: {
        entry.kind = EntryKind::kSymlink;
        info.type = FileType::kSymlink;
        const char* target = archive_entry_symlink(ae);
        info.link_target = target ? target : "";
        info.size = info.link_target.size();
        break;
      }
      default:
        entry.kind = EntryKind::kOther;
        info.type = FileType::kOther;
        info.size = 0;
        break;
    }
    if (Status st = visit(entry, nullptr); !st.ok()) return Fail(name, st);
  }

  // The tar parser stops at the end-of-archive blocks; the diff_id covers every byte.
  while (true) {
    auto chunk = feed.Next();
    if (!chunk.ok()) return Fail(name, chunk.status());
    if (chunk->empty()) break;
  }
  chunks.reset();  // joins a pipeline's worker: the stored stage is ours again
  stats.stored_bytes = stored.bytes();
  stats.uncompressed_bytes = feed.bytes;
  if (!layer.digest.empty()) {
    VIGIL_ASSIGN_OR_RETURN(std::string want, DigestHex(layer.digest));
    std::string got = stored.FinishHex();
    if (got != want) {
      return DataLossError(fmt::format("{}: blob digest mismatch: expected {}, got sha256:{}", name,
                                       layer.digest, got));
    }
  }
  if (!layer.diff_id.empty()) {
    VIGIL_ASSIGN_OR_RETURN(std::string want, DigestHex(layer.diff_id));
    std::string got = feed.diff_hash.FinishHex();
    if (got != want) {
      return DataLossError(fmt::format("{}: diff_id mismatch: expected {}, got sha256:{}{}", name,
                                       layer.diff_id, got,
                                       feed.padded ? " (the tar stream is truncated)" : ""));
    }
  }
  return OkStatus();
}

Status WalkLayer(ImageSource& source, const ResolvedImage& image, size_t index,
                 const WalkOptions& options, const LayerVisitor& visit, WalkStats* stats) {
  if (index >= image.layers.size()) {
    return OutOfRangeError(
        fmt::format("layer {} of an image with {} layers", index, image.layers.size()));
  }
  const LayerRef& layer = image.layers[index];
  std::string name = LayerName(index, layer);
  auto reader = source.OpenLayer(index);
  if (!reader.ok()) return Annotate(reader.status(), name);
  return WalkLayerBlob(**reader, layer, name, options, visit, stats);
}

}  // namespace vigil::image
