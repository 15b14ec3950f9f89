#include "ml/ngram.h"

#include <algorithm>
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
