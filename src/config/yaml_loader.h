// YAML (and JSON, which libyaml also reads) to the owned Node tree, with line numbers.
//
// Safety on hostile input: nesting deeper than kMaxDepth and streams whose total node count
// (aliases expanded) exceeds kMaxNodes fail with ResourceExhausted instead of exhausting
// stack or memory ("billion laughs"). libyaml's parser is iterative (no recursion on nesting);
// its errors become a Status naming file:line:column (reader errors such as invalid UTF-8,
// reported by byte offset, are converted to a line and column).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "config/node.h"

namespace vigil::config {

inline constexpr int kMaxDepth = 256;
inline constexpr size_t kMaxNodes = 1u << 20;

struct Document {
  std::string file;
  int index = 0;  // 0-based position in a multi-document stream
  Node root;      // kNull for an empty document ("---" followed by nothing)
};

struct LoadResult {
  // Documents read before any error, so one malformed document does not hide the others.
  std::vector<Document> documents;
  Status error;  // OK when the whole stream was read
};

// Streams of at least this many bytes are parsed as two halves on two threads (split at a
// document marker); the result is the same as one thread's.
inline constexpr size_t kParallelLoadBytes = 256u << 10;

// Parses every document of a YAML stream. `file` is used in error messages only.
LoadResult LoadYamlStream(std::string_view bytes, std::string_view file);
// As LoadYamlStream, but any error fails the whole load.
StatusOr<std::vector<Document>> LoadYaml(std::string_view bytes, std::string_view file);

}  // namespace vigil::config
