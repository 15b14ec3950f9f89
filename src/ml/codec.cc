#include "ml/codec.h"

#include <cmath>
#include <cstring>

namespace vigil::ml {

void ByteWriter::Fixed(uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void ByteWriter::Varint(uint64_t v) {
  while (v >= 0x80) {
    out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out_.push_back(static_cast<char>(v));
}

void ByteWriter::Double(double v) {
  uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof(bits));
  U64(bits);
}

void ByteWriter::Bytes(std::string_view v) {
  Varint(v.size());
  out_.append(v);
}

void ByteWriter::Bytes32(std::string_view v) {
  U32(static_cast<uint32_t>(v.size()));
  out_.append(v);
}

Status ByteReader::Error(std::string_view field, std::string_view problem) const {
  return DataLossError(context_ + ": " + std::string(field) + " at byte " +
                       std::to_string(offset()) + ": " + std::string(problem));
}

Status ByteReader::Need(std::string_view field, uint64_t count, size_t item_bytes) const {
  if (item_bytes != 0 && count > remaining() / item_bytes) return Error(field, "truncated");
  return OkStatus();
}

StatusOr<uint64_t> ByteReader::Fixed(int bytes, std::string_view field) {
  if (remaining() < static_cast<size_t>(bytes)) return Error(field, "truncated");
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) {
    v |= static_cast<uint64_t>(static_cast<uint8_t>(data_[pos_ + i])) << (8 * i);
  }
  pos_ += bytes;
  return v;
}

StatusOr<uint8_t> ByteReader::U8(std::string_view field) {
  if (pos_ >= data_.size()) return Error(field, "truncated");
  return static_cast<uint8_t>(data_[pos_++]);
}

StatusOr<uint32_t> ByteReader::U32(std::string_view field) {
  VIGIL_ASSIGN_OR_RETURN(uint64_t v, Fixed(4, field));
  return static_cast<uint32_t>(v);
}

StatusOr<uint64_t> ByteReader::U64(std::string_view field) { return Fixed(8, field); }

StatusOr<uint64_t> ByteReader::Varint(std::string_view field) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= data_.size()) return Error(field, "truncated");
    uint8_t b = static_cast<uint8_t>(data_[pos_++]);
    if (shift == 63 && b > 1) return Error(field, "varint overflows 64 bits");
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return v;
  }
  return Error(field, "varint longer than 10 bytes");
}

StatusOr<uint64_t> ByteReader::Bounded(std::string_view field, uint64_t min, uint64_t max) {
  VIGIL_ASSIGN_OR_RETURN(uint64_t v, Varint(field));
  if (v < min || v > max) {
    return Error(field, std::to_string(v) + " outside [" + std::to_string(min) + ", " +
                            std::to_string(max) + "]");
  }
  return v;
}

StatusOr<double> ByteReader::AnyDouble(std::string_view field) {
  VIGIL_ASSIGN_OR_RETURN(uint64_t bits, Fixed(8, field));
  double v = 0;
  std::memcpy(&v, &bits, sizeof(v));
  return v;
}

StatusOr<double> ByteReader::Double(std::string_view field) {
  VIGIL_ASSIGN_OR_RETURN(double v, AnyDouble(field));
  if (!std::isfinite(v)) return Error(field, "not a finite number");
  return v;
}

StatusOr<std::string_view> ByteReader::Raw(uint64_t n, std::string_view field) {
  if (n > remaining()) return Error(field, "length " + std::to_string(n) + " past the end");
  std::string_view out = data_.substr(pos_, n);
  pos_ += n;
  return out;
}

StatusOr<std::string_view> ByteReader::Bytes(std::string_view field) {
  VIGIL_ASSIGN_OR_RETURN(uint64_t n, Varint(field));
  return Raw(n, field);
}

StatusOr<std::string_view> ByteReader::Bytes32(std::string_view field) {
  VIGIL_ASSIGN_OR_RETURN(uint32_t n, U32(field));
  return Raw(n, field);
}

Status ByteReader::CheckCount(std::string_view field, uint64_t n, size_t min_item_bytes,
                              uint64_t max) const {
  if (n > max)
    return Error(field, "count " + std::to_string(n) + " exceeds " + std::to_string(max));
  if (min_item_bytes > 0 && n > remaining() / min_item_bytes) {
    return Error(field, "count " + std::to_string(n) + " exceeds the remaining bytes");
  }
  return OkStatus();
}

StatusOr<uint64_t> ByteReader::Count(std::string_view field, size_t min_item_bytes, uint64_t max) {
  VIGIL_ASSIGN_OR_RETURN(uint64_t n, Varint(field));
  VIGIL_RETURN_IF_ERROR(CheckCount(field, n, min_item_bytes, max));
  return n;
}

StatusOr<uint32_t> ByteReader::Count32(std::string_view field, size_t min_item_bytes,
                                       uint32_t max) {
  VIGIL_ASSIGN_OR_RETURN(uint32_t n, U32(field));
  VIGIL_RETURN_IF_ERROR(CheckCount(field, n, min_item_bytes, max));
  return n;
}

Status ByteReader::ExpectEnd() const {
  if (pos_ != data_.size()) {
    return Error("end", std::to_string(remaining()) + " trailing bytes");
  }
  return OkStatus();
}

void WriteBodyHeader(ByteWriter& out, uint8_t version, SyscallTable table) {
  out.U8(version);
  out.U8(static_cast<uint8_t>(table));
}

Status ReadBodyVersion(ByteReader& in, uint8_t version) {
  VIGIL_ASSIGN_OR_RETURN(uint8_t v, in.U8("version"));
  if (v != version) {
    return in.Error("version", "unsupported version " + std::to_string(v) + " (this build reads " +
                                   std::to_string(version) + ")");
  }
  return OkStatus();
}

StatusOr<SyscallTable> ReadBodyHeader(ByteReader& in, uint8_t version) {
  VIGIL_RETURN_IF_ERROR(ReadBodyVersion(in, version));
  VIGIL_ASSIGN_OR_RETURN(uint8_t t, in.U8("syscall table"));
  if (t > static_cast<uint8_t>(SyscallTable::kSunOs)) {
    return in.Error("syscall table", "unknown table " + std::to_string(t));
  }
  return static_cast<SyscallTable>(t);
}

void WriteSequenceCounts(ByteWriter& out, const SequenceCounts& sequences) {
  out.Varint(sequences.size());
  for (const auto& [calls, count] : sequences) {
    out.Varint(count);
    out.Varint(calls.size());
    for (uint16_t c : calls) out.Varint(c);
  }
}

StatusOr<SequenceCounts> ReadSequenceCounts(ByteReader& in, uint64_t max_calls, uint64_t* stored) {
  // Every sequence takes at least three bytes (weight, length, one call): a larger count is
  // corrupt and must not drive the loop.
  VIGIL_ASSIGN_OR_RETURN(uint64_t count, in.Bounded("sequence count", 0, in.remaining() / 3));
  SequenceCounts sequences;
  *stored = 0;
  const std::vector<uint16_t>* prev = nullptr;
  for (uint64_t i = 0; i < count; ++i) {
    VIGIL_ASSIGN_OR_RETURN(uint64_t times, in.Bounded("sequence weight", 1, UINT64_MAX));
    VIGIL_ASSIGN_OR_RETURN(uint64_t length, in.Bounded("sequence length", 1, in.remaining()));
    if (*stored + length > max_calls) {
      return in.Error("sequence length", "the body stores more than max_calls=" +
                                             std::to_string(max_calls) + " calls");
    }
    std::vector<uint16_t> calls(length);
    for (uint64_t j = 0; j < length; ++j) {
      VIGIL_ASSIGN_OR_RETURN(uint64_t c, in.Bounded("call", 0, kMaxSyscall));
      calls[j] = static_cast<uint16_t>(c);
    }
    if (prev != nullptr && !(*prev < calls)) {
      return in.Error("sequence", "sequences are not strictly increasing");
    }
    *stored += length;
    auto it = sequences.emplace_hint(sequences.end(), std::move(calls), times);
    prev = &it->first;
  }
  return sequences;
}

}  // namespace vigil::ml
