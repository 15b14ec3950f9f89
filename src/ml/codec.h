// The one byte codec of src/ml: model bodies (every model's SaveBody/LoadBody) and the fields
// of model files. Little-endian fixed-width integers, LEB128 varints, IEEE-754 doubles,
// length-prefixed bytes (varint or u32 length).
//
// ByteReader never reads past its input: every read checks the bytes left and fails with
// DataLoss "<context>: <field> at byte <offset>: <problem>", where the context names the model
// body or the file and the offset counts from the start of the enclosing input (`base`), so
// LoadBody and file decoders turn hostile bytes into an error naming where, never a crash.
// Counts read from the input are checked against the bytes left (Count, Need) before they
// size an allocation or a loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "ml/trace.h"

namespace vigil::ml {

class ByteWriter {
 public:
  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void U32(uint32_t v) { Fixed(v, 4); }
  void U64(uint64_t v) { Fixed(v, 8); }
  void Varint(uint64_t v);
  void Double(double v);             // IEEE-754 bits as a little-endian u64
  void Bytes(std::string_view v);    // varint length, then the bytes
  void Bytes32(std::string_view v);  // u32 length, then the bytes
  void Raw(std::string_view v) { out_.append(v); }
  size_t size() const { return out_.size(); }
  std::string Take() { return std::move(out_); }

 private:
  void Fixed(uint64_t v, int bytes);
  std::string out_;
};

class ByteReader {
 public:
  // `context` names the input in messages ("stide body", "model.vml"); `base` is the offset of
  // `data` in the input it was cut from, so messages give offsets in that input.
  ByteReader(std::string_view data, std::string context, size_t base = 0)
      : data_(data), context_(std::move(context)), base_(base) {}

  StatusOr<uint8_t> U8(std::string_view field);
  StatusOr<uint32_t> U32(std::string_view field);
  StatusOr<uint64_t> U64(std::string_view field);
  StatusOr<uint64_t> Varint(std::string_view field);
  // A varint in [min, max].
  StatusOr<uint64_t> Bounded(std::string_view field, uint64_t min, uint64_t max);
  StatusOr<double> Double(std::string_view field);             // finite values only
  StatusOr<double> AnyDouble(std::string_view field);          // any bits, NaN and infinities too
  StatusOr<std::string_view> Bytes(std::string_view field);    // varint length
  StatusOr<std::string_view> Bytes32(std::string_view field);  // u32 length
  StatusOr<std::string_view> Raw(uint64_t n, std::string_view field);
  // A varint count of items that each take at least `min_item_bytes` (> 0) in the input, at
  // most `max`: a count the remaining bytes cannot hold is corrupt and fails before it can
  // drive a huge allocation or loop. Count32 reads the count as a fixed u32.
  StatusOr<uint64_t> Count(std::string_view field, size_t min_item_bytes,
                           uint64_t max = UINT64_MAX);
  StatusOr<uint32_t> Count32(std::string_view field, size_t min_item_bytes,
                             uint32_t max = UINT32_MAX);
  // OK when `count` items of `item_bytes` each fit in the remaining bytes ("truncated"
  // otherwise; no overflow for any count).
  Status Need(std::string_view field, uint64_t count, size_t item_bytes) const;

  size_t remaining() const { return data_.size() - pos_; }
  // Offset of the next byte in the enclosing input (base + bytes read).
  size_t offset() const { return base_ + pos_; }
  // DataLoss naming the trailing bytes when any are left.
  Status ExpectEnd() const;
  // DataLoss "<context>: <field> at byte <offset>: <problem>".
  Status Error(std::string_view field, std::string_view problem) const;

 private:
  StatusOr<uint64_t> Fixed(int bytes, std::string_view field);
  Status CheckCount(std::string_view field, uint64_t n, size_t min_item_bytes, uint64_t max) const;
  std::string_view data_;
  std::string context_;
  size_t base_ = 0;
  size_t pos_ = 0;
};

// Model bodies start with a version byte; the sequence, profile and rate bodies follow it with
// the syscall table they learned. Reading fails (DataLoss) on another version or an unknown
// table, naming both versions.
void WriteBodyHeader(ByteWriter& out, uint8_t version, SyscallTable table);
StatusOr<SyscallTable> ReadBodyHeader(ByteReader& in, uint8_t version);
Status ReadBodyVersion(ByteReader& in, uint8_t version);

// Distinct call sequences with how often each was learned: the sufficient statistics of the
// models that keep whole thread sequences (cover, lstm). Encoded as a varint count, then per
// sequence (in the map's order) its weight, its length and its calls as varints.
using SequenceCounts = std::map<std::vector<uint16_t>, uint64_t>;
void WriteSequenceCounts(ByteWriter& out, const SequenceCounts& sequences);
// Reads what WriteSequenceCounts wrote. DataLoss naming the field for a weight of 0, an empty
// sequence, a call above kMaxSyscall, sequences out of order, or more than `max_calls` calls
// stored in all (the model's own bound, named in the message); `*stored` gets the calls read.
StatusOr<SequenceCounts> ReadSequenceCounts(ByteReader& in, uint64_t max_calls, uint64_t* stored);

}  // namespace vigil::ml
