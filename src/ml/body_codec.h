// Little-endian encoding of model bodies (the profile and rate models' SaveBody/LoadBody):
// fixed-width integers and u32-length-prefixed strings. The reader never reads past its
// input: every read checks the bytes left and fails with a message naming what it was
// reading and the byte offset, so LoadBody turns hostile bytes into DataLoss, not a crash.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "base/status.h"

namespace vigil::ml::body {

class Writer {
 public:
  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void U32(uint32_t v) { Fixed(v, 4); }
  void U64(uint64_t v) { Fixed(v, 8); }
  void Str(std::string_view s) {
    U32(static_cast<uint32_t>(s.size()));
    out_.append(s);
  }
  std::string Take() { return std::move(out_); }

 private:
  void Fixed(uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  std::string out_;
};

class Reader {
 public:
  // `model` names the model in messages ("profile body: ...").
  Reader(std::string_view data, std::string_view model) : data_(data), model_(model) {}

  Status U8(uint8_t* v, std::string_view what) {
    uint64_t x = 0;
    VIGIL_RETURN_IF_ERROR(Fixed(&x, 1, what));
    *v = static_cast<uint8_t>(x);
    return OkStatus();
  }
  Status U32(uint32_t* v, std::string_view what) {
    uint64_t x = 0;
    VIGIL_RETURN_IF_ERROR(Fixed(&x, 4, what));
    *v = static_cast<uint32_t>(x);
    return OkStatus();
  }
  Status U64(uint64_t* v, std::string_view what) { return Fixed(v, 8, what); }
  Status Str(std::string* s, std::string_view what) {
    uint32_t n = 0;
    VIGIL_RETURN_IF_ERROR(U32(&n, what));
    if (n > data_.size() - pos_) return Error(what, "length " + std::to_string(n) + " overruns");
    s->assign(data_.substr(pos_, n));
    pos_ += n;
    return OkStatus();
  }
  // A count of items each at least `min_item_bytes` long: rejects counts the remaining bytes
  // cannot hold, so a corrupt count never drives a huge allocation or loop.
  Status Count(uint32_t* n, size_t min_item_bytes, std::string_view what) {
    VIGIL_RETURN_IF_ERROR(U32(n, what));
    if (min_item_bytes > 0 && *n > (data_.size() - pos_) / min_item_bytes) {
      return Error(what, "count " + std::to_string(*n) + " exceeds the remaining bytes");
    }
    return OkStatus();
  }
  Status ExpectEnd() {
    if (pos_ != data_.size()) {
      return Error("end", std::to_string(data_.size() - pos_) + " trailing bytes");
    }
    return OkStatus();
  }
  Status Error(std::string_view what, std::string_view problem) const {
    return DataLossError(std::string(model_) + " body: " + std::string(what) + " at byte " +
                         std::to_string(pos_) + ": " + std::string(problem));
  }

 private:
  Status Fixed(uint64_t* v, int bytes, std::string_view what) {
    if (data_.size() - pos_ < static_cast<size_t>(bytes)) return Error(what, "truncated");
    uint64_t x = 0;
    for (int i = 0; i < bytes; ++i) {
      x |= static_cast<uint64_t>(static_cast<uint8_t>(data_[pos_ + i])) << (8 * i);
    }
    pos_ += bytes;
    *v = x;
    return OkStatus();
  }
  std::string_view data_;
  std::string_view model_;
  size_t pos_ = 0;
};

}  // namespace vigil::ml::body
