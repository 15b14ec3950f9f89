// Vigil's capture format (".vgl"): what `vigil agent --record FILE` writes and `--replay FILE`
// reads back, event for event (issue 8: "a recording replayed yields the same events"), with
// the container metadata the recording agent's State resolved, so a replay attributes every
// event to the same container as the live run did.
//
// Layout, all integers little-endian (docs/agent.md has the byte-level description):
//   header   "VIGILCAP", u16 version, u16 header bytes, u32 flags, i64 boot-to-wall offset,
//            u64 creation time, then three u16-length-prefixed strings (hostname, kernel
//            release, source) and a CRC-32C of everything before it.
//   blocks   "VBLK", u32 payload bytes, u32 record count, u32 CRC-32C of the payload, payload.
//   records  varint length, then u8 type and the type's body:
//            event (type 1..6): varint presence mask, zigzag varint time delta, and only the
//            members the mask marks, as varints; strings are either a literal (added to the
//            block's string table) or an index into that table, so repeated comm, exe, cwd
//            and paths cost one or two bytes.
//            container (type 64, version 2): varint cgroup id, then every ContainerInfo member
//            (strings as in events, labels as a varint count and key/value pairs). It applies
//            to the events after it, in file order, until another container record for the
//            same cgroup id.
// Blocks are checksummed and bounded (kMaxBlockPayload), so a truncated or corrupted file is
// detected before any event of the bad block is delivered, with an error naming the file and
// the byte offset. kDrops events are recorded like any other. Version 1 files (no container
// records) are still read.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "runtime/event.h"
#include "runtime/source.h"
#include "runtime/state.h"

namespace vigil::runtime {

// What the writer writes; the reader accepts kMinCaptureVersion .. kCaptureVersion.
inline constexpr uint16_t kCaptureVersion = 2;
inline constexpr uint16_t kMinCaptureVersion = 1;
// A reader rejects larger blocks (a corrupt length never makes it allocate or read far).
inline constexpr uint32_t kMaxBlockPayload = 4u << 20;
// Labels kept per container record: the writer stores the first this many (in key order), a
// reader rejects records claiming more, so a crafted file cannot build a huge map.
inline constexpr size_t kMaxContainerLabels = 1024;

struct CaptureInfo {
  std::string hostname;
  std::string kernel_release;
  std::string source;  // EventSource::Describe() of what was recorded ("ebpf", ...)
  // Wall-clock ns minus boot-time ns when the recording began; events are stored in wall time
  // already, this keeps the mapping for correlating with kernel logs.
  int64_t boot_to_wall_ns = 0;
  uint64_t created_ns = 0;  // wall clock, ns since the Unix epoch

  // This host's name and kernel release, the current boot offset and time.
  static CaptureInfo ForThisHost(std::string source);
};

// CRC-32C (Castagnoli): the SSE4.2 crc32 instruction when the CPU has it (checked once at
// run time), else Crc32cSoftware. `crc` continues an earlier result (0 to start).
uint32_t Crc32c(const void* data, size_t size, uint32_t crc = 0);
// The portable slice-by-8 implementation (the fallback; tests compare the two).
uint32_t Crc32cSoftware(const void* data, size_t size, uint32_t crc = 0);
// Whether Crc32c uses the crc32 instruction on this CPU.
bool Crc32cHardware();

// Encodes events into the capture format. Not thread-safe: one writer per stream.
class RecordWriter {
 public:
  // Creates (truncates) `path`.
  static StatusOr<std::unique_ptr<RecordWriter>> Create(const std::string& path,
                                                        const CaptureInfo& info);
  // Appends the encoding to `*out` (tests, fuzz seeds); `out` must outlive the writer.
  static std::unique_ptr<RecordWriter> CreateInMemory(std::string* out, const CaptureInfo& info);
  ~RecordWriter();
  RecordWriter(const RecordWriter&) = delete;
  RecordWriter& operator=(const RecordWriter&) = delete;

  // Buffers the event; a full block (kTargetBlockPayload) is written out.
  Status Write(const Event& event);
  // Buffers a container record: `info` is what the State attributes to `cgroup_id` from here
  // on (until another record for the same id). Write one when the metadata of a cgroup is
  // first known and again when it changes, never once per event. Labels beyond
  // kMaxContainerLabels are not stored.
  Status WriteContainer(uint64_t cgroup_id, const ContainerInfo& info);
  // Writes the pending block, if any. Events written before a Flush survive a crash after it.
  Status Flush();
  // Flushes and closes the file; further writes fail.
  Status Close();

  uint64_t events() const { return events_; }
  uint64_t containers() const { return containers_; }  // container records written
  uint64_t bytes() const { return bytes_; }

  static constexpr size_t kTargetBlockPayload = 64u << 10;

 private:
  RecordWriter(int fd, std::string path, std::string* mem);
  Status Emit(const void* data, size_t size);
  // Moves record_ (one record's body) into the block and counts it in *counter; a block
  // that reached kTargetBlockPayload is written out.
  Status AppendRecord(uint64_t* counter);
  // Starts a new string table and time base (a new block).
  void ResetBlockTable();
  void PutString(std::string_view s);
  bool Intern(std::string_view s, uint64_t* index);

  int fd_ = -1;
  std::string path_;
  std::string* mem_ = nullptr;
  bool closed_ = false;
  std::string payload_;  // the block being built
  std::string record_;   // one record's body, before its length prefix
  uint32_t block_records_ = 0;
  uint64_t prev_ts_ = 0;
  // Block string table: every literal gets the next index; short strings are also hashed
  // (open addressing over offsets into payload_) so repeats become back-references.
  struct Interned {
    uint32_t offset;  // into payload_
    uint32_t size;
    uint64_t index;
  };
  std::vector<Interned> interned_;
  std::string arena_;            // bytes of the interned strings
  std::vector<uint32_t> slots_;  // 0 = empty, else interned_ position + 1
  uint64_t table_size_ = 0;
  uint64_t events_ = 0;
  uint64_t containers_ = 0;
  uint64_t bytes_ = 0;
};

// Called for each container record of a replay, in file order, before the events after it are
// delivered: the agent hands it to State::SetContainerInfo.
using ContainerRecordCallback = std::function<void(uint64_t cgroup_id, const ContainerInfo& info)>;

struct ReplayOptions {
  // Deliver events at the pace they were recorded (scaled by `speed`); off by default, so a
  // replay runs as fast as the consumer.
  bool pace = false;
  double speed = 1.0;
  // A recording cut short (the writer was killed mid-block) ends with a kDrops event for the
  // lost block instead of a DataLoss error. Corruption inside the file is always an error.
  bool tolerate_truncated_tail = false;
  // Container records (version 2) are checked and handed here; without a callback they are
  // checked and skipped.
  ContainerRecordCallback on_container;
};

// Replays a capture file. The file is memory-mapped; each Event's string views point into the
// mapping, so delivering an event allocates nothing. Consumed ranges are released from
// memory as the replay advances (resident memory stays bounded on large files).
class ReplaySource : public EventSource {
 public:
  static StatusOr<std::unique_ptr<ReplaySource>> Open(const std::string& path,
                                                      const ReplayOptions& options = {});
  // Replays bytes held in memory; `name` is used in messages.
  static StatusOr<std::unique_ptr<ReplaySource>> OpenBuffer(std::string data, std::string name,
                                                            const ReplayOptions& options = {});
  ~ReplaySource() override;

  StatusOr<size_t> Poll(std::chrono::milliseconds timeout, const EventSink& sink) override;
  SourceStats Stats() const override { return stats_; }
  std::string Describe() const override { return "replay:" + name_; }

  const CaptureInfo& info() const { return info_; }
  uint16_t version() const { return version_; }
  uint64_t container_records() const { return container_records_; }  // read so far
  // Replaces ReplayOptions::on_container (a consumer that did not open the source, such as
  // the agent handed a ReplaySource, wires its State here). Call between Polls.
  void set_on_container(ContainerRecordCallback callback) {
    options_.on_container = std::move(callback);
  }
  const ContainerRecordCallback& on_container() const { return options_.on_container; }

  // Events delivered per Poll at most (when not pacing).
  static constexpr size_t kMaxEventsPerPoll = 4096;

 private:
  ReplaySource(std::string name, const ReplayOptions& options);
  Status ParseHeader();
  // Positions the decoder on the next block; OutOfRange at a clean end of file. A tolerated
  // truncated tail becomes event_ (a kDrops event) with tail_drops_ set.
  Status NextBlock();
  void TruncatedTail(uint64_t lost);
  // Decodes the next record of the current block: an event into event_ (event_decoded_ set)
  // or a container record (handed to on_container). False with error_ set on a bad record.
  // The hot path: no Status is built unless it fails.
  bool DecodeRecord();
  bool DecodeEvent(const uint8_t* start, const uint8_t* p, const uint8_t* end, EventType type);
  bool DecodeContainer(const uint8_t* start, const uint8_t* p, const uint8_t* end);
  // The socket address at `p` into event_.addr; the byte after it, nullptr when malformed.
  const uint8_t* DecodeAddr(const uint8_t* p, const uint8_t* end);
  // Sets the members of `bits` (presence bits) of event_ to their defaults.
  void ResetMembers(uint32_t bits);
  const uint8_t* ReadString(const uint8_t* p, const uint8_t* end, std::string_view* out, bool* bad);
  // Sets error_ for the record at `at` (a pointer into the current block); returns false.
  bool Fail(const uint8_t* at, std::string_view what);
  Status Error(size_t offset, std::string_view what) const;

  std::string name_;
  ReplayOptions options_;
  CaptureInfo info_;
  uint16_t version_ = 0;
  std::string owned_;  // OpenBuffer
  void* map_ = nullptr;
  size_t map_size_ = 0;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t pos_ = 0;       // next byte of the file to read (block granularity)
  size_t released_ = 0;  // mapping released up to here
  // The current block's payload: in the file, or in tail_ (the last block, zero-padded).
  const uint8_t* payload_base_ = nullptr;
  size_t payload_offset_ = 0;     // its file offset (for error messages)
  const uint8_t* rec_ = nullptr;  // cursor in the current block's payload
  const uint8_t* rec_end_ = nullptr;
  std::string tail_;
  uint32_t block_left_ = 0;  // records still to decode in the current block
  uint64_t prev_ts_ = 0;
  std::vector<std::string_view> table_;
  Event event_;
  uint32_t prev_mask_ = 0;  // presence bits of event_: its other members are defaults
  Status error_;
  bool event_decoded_ = false;
  bool tail_drops_ = false;
  bool pending_ = false;  // event_ decoded but not yet delivered (pacing)
  bool finished_ = false;
  bool pace_started_ = false;
  uint64_t pace_first_ts_ = 0;
  std::chrono::steady_clock::time_point pace_start_;
  uint64_t container_records_ = 0;
  SourceStats stats_;
};

}  // namespace vigil::runtime
