#include "ml/ngram.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <unordered_map>

#include "runtime/syscalls.h"

namespace vigil::ml {

uint64_t NgramKey(const uint16_t* begin, const uint16_t* end) {
  uint64_t key = 0;
  for (const uint16_t* p = begin; p != end; ++p) key = NgramExtend(key, *p);
  return key;
}

std::vector<uint64_t> SortKeys(std::vector<uint64_t> keys) {
  std::sort(keys.begin(), keys.end());
  return keys;
}

void BodyWriter::Varint(uint64_t v) {
  while (v >= 0x80) {
    out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out_.push_back(static_cast<char>(v));
}

void BodyWriter::Double(double v) {
  uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof(bits));
  for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
}

void BodyWriter::Bytes(std::string_view v) {
  Varint(v.size());
  out_.append(v);
}

Status BodyReader::Error(std::string_view field, std::string_view what) const {
  return DataLossError(model_ + " model body: " + std::string(field) + " at byte " +
                       std::to_string(pos_) + ": " + std::string(what));
}

StatusOr<uint8_t> BodyReader::U8(std::string_view field) {
  if (pos_ >= body_.size()) return Error(field, "truncated");
  return static_cast<uint8_t>(body_[pos_++]);
}

StatusOr<uint64_t> BodyReader::Varint(std::string_view field) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= body_.size()) return Error(field, "truncated");
    uint8_t b = static_cast<uint8_t>(body_[pos_++]);
    if (shift == 63 && b > 1) return Error(field, "varint overflows 64 bits");
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return v;
  }
  return Error(field, "varint longer than 10 bytes");
}

StatusOr<uint64_t> BodyReader::Bounded(std::string_view field, uint64_t min, uint64_t max) {
  VIGIL_ASSIGN_OR_RETURN(uint64_t v, Varint(field));
  if (v < min || v > max) {
    return Error(field, std::to_string(v) + " outside [" + std::to_string(min) + ", " +
                            std::to_string(max) + "]");
  }
  return v;
}

StatusOr<double> BodyReader::Double(std::string_view field) {
  if (body_.size() - pos_ < 8) return Error(field, "truncated");
  uint64_t bits = 0;
  for (int i = 0; i < 8; ++i) {
    bits |= static_cast<uint64_t>(static_cast<uint8_t>(body_[pos_ + i])) << (8 * i);
  }
  pos_ += 8;
  double v = 0;
  std::memcpy(&v, &bits, sizeof(v));
  if (!std::isfinite(v)) return Error(field, "not a finite number");
  return v;
}

StatusOr<std::string_view> BodyReader::Bytes(std::string_view field) {
  VIGIL_ASSIGN_OR_RETURN(uint64_t n, Varint(field));
  if (n > body_.size() - pos_) return Error(field, "length " + std::to_string(n) + " past the end");
  std::string_view out = body_.substr(pos_, n);
  pos_ += n;
  return out;
}

Status BodyReader::ExpectEnd() const {
  if (pos_ != body_.size()) {
    return DataLossError(model_ + " model body: " + std::to_string(body_.size() - pos_) +
                         " bytes after the end at byte " + std::to_string(pos_));
  }
  return OkStatus();
}

void WriteBodyHeader(BodyWriter& out, uint8_t version, SyscallTable table) {
  out.U8(version);
  out.U8(static_cast<uint8_t>(table));
}

StatusOr<SyscallTable> ReadBodyHeader(BodyReader& in, uint8_t version) {
  VIGIL_ASSIGN_OR_RETURN(uint8_t v, in.U8("version"));
  if (v != version) {
    return in.Error("version", "version " + std::to_string(v) + " (this build reads " +
                                   std::to_string(version) + ")");
  }
  VIGIL_ASSIGN_OR_RETURN(uint8_t t, in.U8("syscall table"));
  if (t > static_cast<uint8_t>(SyscallTable::kSunOs)) {
    return in.Error("syscall table", "unknown table " + std::to_string(t));
  }
  return static_cast<SyscallTable>(t);
}

std::string CallName(SyscallTable table, uint16_t call) {
  if (table == SyscallTable::kX86_64) {
    std::string_view name = runtime::SyscallName(call);
    if (!name.empty()) return std::string(name);
  }
  return std::to_string(call);
}

std::string CallWindow(SyscallTable table, const std::vector<uint16_t>& calls, size_t begin,
                       size_t end) {
  std::string out;
  for (size_t i = begin; i < end && i < calls.size(); ++i) {
    if (!out.empty()) out += ',';
    out += CallName(table, calls[i]);
  }
  return out;
}

ThreadSplit SplitThreads(const Trace& trace) {
  ThreadSplit split;
  if (SingleThread(trace)) {
    split.tid.push_back(0);
    split.index.emplace_back(trace.calls.size());
    for (size_t i = 0; i < trace.calls.size(); ++i) split.index[0][i] = i;
    return split;
  }
  std::unordered_map<uint32_t, size_t> slot;
  for (size_t i = 0; i < trace.calls.size(); ++i) {
    auto [it, inserted] = slot.try_emplace(trace.tids[i], split.tid.size());
    if (inserted) {
      split.tid.push_back(trace.tids[i]);
      split.index.emplace_back();
    }
    split.index[it->second].push_back(i);
  }
  return split;
}

}  // namespace vigil::ml
