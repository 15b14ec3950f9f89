// Building blocks shared by the sequence models (stide, markov, bag): n-gram keys, a flat
// open-addressing hash table keyed by them, and syscall names for explanations (model bodies
// use codec.h).
//
// N-gram keys. A window (c_1 .. c_k) of syscalls maps to the polynomial
//   key = sum_i (c_i + 1) * kNgramBase^(k - i)  (mod 2^64),  kNgramBase = 1025.
// Digits are 1..1024 (kMaxSyscall + 1), so for k <= 6 the key is the exact base-1025 number of
// the window (injective); longer windows wrap and the key is a 64-bit hash (collisions are
// possible in principle and would make two windows count as one). Keys extend to the right in
// O(1) (key * base + digit), and kNgramBase is odd, so the key of a window's first k-1 calls is
// recovered exactly from the window's key and its last call (ContextKey). Keys are never 0 for
// k <= 6; a wrapped key that is 0 is remapped to 1 (FlatTable reserves 0 for empty slots).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "ml/trace.h"

namespace vigil::ml {

inline constexpr uint64_t kNgramBase = 1025;
// Multiplicative inverse of kNgramBase modulo 2^64 (kNgramBase * kNgramBaseInverse == 1).
inline constexpr uint64_t kNgramBaseInverse = [] {
  uint64_t x = kNgramBase;  // Newton iteration: each step doubles the correct low bits.
  for (int i = 0; i < 6; ++i) x *= 2 - kNgramBase * x;
  return x;
}();
static_assert(kNgramBase * kNgramBaseInverse == 1);

inline uint64_t NgramDigit(uint16_t call) { return static_cast<uint64_t>(call) + 1; }
inline uint64_t NgramExtend(uint64_t key, uint16_t call) {
  return key * kNgramBase + NgramDigit(call);
}
inline uint64_t NgramNonZero(uint64_t key) { return key == 0 ? 1 : key; }
// The key of the window without its last call `last` (0 for a one-call window).
inline uint64_t ContextKey(uint64_t key, uint16_t last) {
  return (key - NgramDigit(last)) * kNgramBaseInverse;
}
// The key of calls[begin, end) (no remapping of 0).
uint64_t NgramKey(const uint16_t* begin, const uint16_t* end);

// Open-addressing hash table (linear probing, power-of-two capacity, load <= 1/2) from a
// nonzero 64-bit key to a trivially copyable value. Lookups are one hash and, on the data the
// models see, one or two probes. Not thread-safe for writers; const lookups are.
template <typename V>
class FlatTable {
 public:
  struct Slot {
    uint64_t key = 0;  // 0 = empty
    V value{};
  };

  size_t size() const { return size_; }
  size_t capacity() const { return slots_.size(); }
  size_t MemoryBytes() const { return slots_.capacity() * sizeof(Slot); }
  const std::vector<Slot>& slots() const { return slots_; }
  std::vector<Slot>& slots() { return slots_; }

  const V* Find(uint64_t key) const {
    if (slots_.empty()) return nullptr;
    size_t mask = slots_.size() - 1;
    for (size_t i = Mix(key) & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.key == key) return &s.value;
      if (s.key == 0) return nullptr;
    }
  }
  V* Find(uint64_t key) { return const_cast<V*>(static_cast<const FlatTable*>(this)->Find(key)); }
  // The value of `key`, inserted value-initialised when absent (*inserted says which).
  V& Insert(uint64_t key, bool* inserted) {
    if ((size_ + 1) * 2 > slots_.size()) Grow();
    size_t mask = slots_.size() - 1;
    for (size_t i = Mix(key) & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.key == key) {
        *inserted = false;
        return s.value;
      }
      if (s.key == 0) {
        s.key = key;
        ++size_;
        *inserted = true;
        return s.value;
      }
    }
  }
  void Reserve(size_t n) {
    size_t cap = 16;
    while (cap < 2 * n) cap *= 2;
    if (cap > slots_.size()) Rehash(cap);
  }
  void Clear() {
    slots_.clear();
    size_ = 0;
  }
  // Keys in increasing order (the deterministic order of saved bodies).
  std::vector<uint64_t> SortedKeys() const;

 private:
  static uint64_t Mix(uint64_t k) {  // murmur3 finaliser: spreads base-1025 keys over slots
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    k ^= k >> 33;
    return k;
  }
  void Grow() { Rehash(slots_.empty() ? 16 : slots_.size() * 2); }
  void Rehash(size_t cap) {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.assign(cap, Slot{});
    size_t mask = cap - 1;
    for (const Slot& s : old) {
      if (s.key == 0) continue;
      size_t i = Mix(s.key) & mask;
      while (slots_[i].key != 0) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;
  size_t size_ = 0;
};

std::vector<uint64_t> SortKeys(std::vector<uint64_t> keys);

template <typename V>
std::vector<uint64_t> FlatTable<V>::SortedKeys() const {
  std::vector<uint64_t> keys;
  keys.reserve(size_);
  for (const Slot& s : slots_) {
    if (s.key != 0) keys.push_back(s.key);
  }
  return SortKeys(std::move(keys));
}

// "openat" for an x86-64 number, the decimal number for other tables (no names are bundled for
// them) or for numbers outside the x86-64 table.
std::string CallName(SyscallTable table, uint16_t call);
// Comma-separated names of calls[begin, end).
std::string CallWindow(SyscallTable table, const std::vector<uint16_t>& calls, size_t begin,
                       size_t end);

// The calls of a trace split by thread, in order: one list of indices into trace.calls per
// thread, threads ordered by first appearance. A trace without tids is one thread. A tids
// vector of another length than calls is treated as absent (readers guarantee equal length).
struct ThreadSplit {
  std::vector<uint32_t> tid;               // per thread
  std::vector<std::vector<size_t>> index;  // per thread: positions in trace.calls
};
ThreadSplit SplitThreads(const Trace& trace);
inline bool SingleThread(const Trace& trace) {
  return trace.tids.size() != trace.calls.size() || trace.tids.empty();
}

}  // namespace vigil::ml
