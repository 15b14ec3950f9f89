#include "config/yaml_loader.h"

#include <yaml.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>

namespace vigil::config {
namespace {

int MarkLine(const yaml_mark_t& mark) { return static_cast<int>(mark.line) + 1; }

// Builds Nodes from libyaml's event stream. Working from events (not a library tree) keeps
// aliases under our control: each alias is copied against the node budget. Every method
// returns a Status; nothing throws.
class TreeBuilder {
 public:
  // `lines_before`: lines of the stream that precede these bytes (a chunk of a larger stream).
  TreeBuilder(std::string_view file, int lines_before) : file_(file), lines_before_(lines_before) {}

  size_t nodes() const { return nodes_; }

  // Handles one event. Sets *document_done when a document has just ended (its root is then
  // taken with TakeRoot) and *stream_done at the end of the stream.
  Status Handle(const yaml_event_t& e, bool* document_done, bool* stream_done) {
    switch (e.type) {
      case YAML_STREAM_START_EVENT:
      case YAML_NO_EVENT:
        return OkStatus();
      case YAML_STREAM_END_EVENT:
        *stream_done = true;
        return OkStatus();
      case YAML_DOCUMENT_START_EVENT:
        // The node budget is not reset: it bounds the whole stream, so many documents each
        // just under the limit cannot add up. Anchors are per document (YAML 1.2 §9.1).
        stack_.clear();
        anchors_.clear();
        has_root_ = false;
        root_ = Node();
        return Count(1, e.start_mark);
      case YAML_DOCUMENT_END_EVENT:
        *document_done = true;
        return OkStatus();
      case YAML_ALIAS_EVENT: {
        auto it = anchors_.find(Text(e.data.alias.anchor));
        if (it == anchors_.end()) return Exhausted(e.start_mark, "unknown alias");
        VIGIL_RETURN_IF_ERROR(Count(it->second.CountNodes(), e.start_mark));
        return Deliver(Node(it->second), nullptr, Line(e.start_mark));
      }
      case YAML_SCALAR_EVENT: {
        VIGIL_RETURN_IF_ERROR(Count(1, e.start_mark));
        const auto& s = e.data.scalar;
        const char* tag = reinterpret_cast<const char*>(s.tag);
        bool plain = s.style == YAML_PLAIN_SCALAR_STYLE || s.style == YAML_ANY_SCALAR_STYLE;
        int line = Line(e.start_mark);
        // An absent value ("key:" with nothing after it) is a null node, not an empty string.
        if (plain && s.length == 0 && tag == nullptr) {
          return Deliver(Node::Null(line), s.anchor, line);
        }
        // Quoted or block scalars without an explicit tag, the non-specific tag "!", and
        // !!str are strings whatever they spell ("true" stays a string).
        bool quoted = (!plain && tag == nullptr) ||
                      (tag != nullptr && (std::strcmp(tag, "!") == 0 ||
                                          std::strcmp(tag, "tag:yaml.org,2002:str") == 0));
        return Deliver(Node::Scalar(std::string(reinterpret_cast<const char*>(s.value), s.length),
                                    line, quoted),
                       s.anchor, line);
      }
      case YAML_SEQUENCE_START_EVENT:
        return Push(Node::Seq(Line(e.start_mark)), e.data.sequence_start.anchor, e.start_mark);
      case YAML_MAPPING_START_EVENT:
        return Push(Node::Map(Line(e.start_mark)), e.data.mapping_start.anchor, e.start_mark);
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT:
        return Pop();
    }
    return OkStatus();
  }

  Node TakeRoot() {
    has_root_ = false;
    return std::move(root_);
  }

 private:
  struct Frame {
    Node node;
    std::string anchor;  // "" when none
    bool have_key = false;
    std::string key;
    int key_line = 0;
  };

  int Line(const yaml_mark_t& mark) const { return MarkLine(mark) + lines_before_; }

  static std::string Text(const yaml_char_t* s) {
    return s == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(s));
  }

  Status Exhausted(const yaml_mark_t& mark, std::string_view what) const {
    return ResourceExhaustedError(std::string(file_) + ":" + std::to_string(Line(mark)) + ": " +
                                  std::string(what));
  }
  Status Count(size_t n, const yaml_mark_t& mark) {
    nodes_ += n;
    if (nodes_ > kMaxNodes)
      return Exhausted(mark, "document too large (alias expansion?): node limit");
    return OkStatus();
  }
  Status Push(Node node, const yaml_char_t* anchor, const yaml_mark_t& mark) {
    VIGIL_RETURN_IF_ERROR(Count(1, mark));
    if (static_cast<int>(stack_.size()) >= kMaxDepth) return Exhausted(mark, "nesting too deep");
    stack_.push_back(Frame{std::move(node), Text(anchor), false, {}, 0});
    return OkStatus();
  }
  Status Pop() {
    if (stack_.empty()) return OkStatus();  // unbalanced events cannot come from libyaml
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    int line = frame.node.line();
    if (!frame.anchor.empty()) anchors_[frame.anchor] = frame.node;
    return Deliver(std::move(frame.node), nullptr, line);
  }
  Status Deliver(Node node, const yaml_char_t* anchor, int line) {
    if (anchor != nullptr) anchors_[Text(anchor)] = node;
    if (stack_.empty()) {
      root_ = std::move(node);
      has_root_ = true;
      return OkStatus();
    }
    Frame& parent = stack_.back();
    if (parent.node.IsSeq()) {
      parent.node.Append(std::move(node));
    } else if (!parent.have_key) {
      // Kubernetes keys are strings; a complex key is kept under an empty name.
      parent.key = node.IsScalar() ? node.scalar() : std::string();
      parent.key_line = line;
      parent.have_key = true;
    } else {
      parent.node.Insert(std::move(parent.key), parent.key_line, std::move(node));
      parent.have_key = false;
      parent.key.clear();
    }
    return OkStatus();
  }

  std::string_view file_;
  int lines_before_ = 0;
  std::vector<Frame> stack_;
  std::unordered_map<std::string, Node> anchors_;
  size_t nodes_ = 0;
  bool has_root_ = false;
  Node root_;
};

// libyaml reports reader errors (bad UTF-8, control characters) by byte offset only.
yaml_mark_t MarkAtOffset(std::string_view bytes, size_t offset) {
  yaml_mark_t mark{};
  offset = std::min(offset, bytes.size());
  for (size_t i = 0; i < offset; ++i) {
    if (bytes[i] == '\n') {
      ++mark.line;
      mark.column = 0;
    } else {
      ++mark.column;
    }
  }
  mark.index = offset;
  return mark;
}

Status ParserError(const yaml_parser_t& parser, std::string_view bytes, std::string_view file) {
  if (parser.error == YAML_MEMORY_ERROR) {
    return ResourceExhaustedError(std::string(file) + ": YAML parser out of memory");
  }
  yaml_mark_t mark = parser.error == YAML_READER_ERROR ? MarkAtOffset(bytes, parser.problem_offset)
                                                       : parser.problem_mark;
  std::string msg = std::string(file) + ":" + std::to_string(mark.line + 1) + ":" +
                    std::to_string(mark.column + 1) + ": invalid YAML: " +
                    (parser.problem != nullptr ? parser.problem : "parse error");
  if (parser.context != nullptr) {
    msg += std::string(" (") + parser.context + " at line " +
           std::to_string(parser.context_mark.line + 1) + ")";
  }
  return InvalidArgumentError(msg);
}

// Parses `bytes`, which follow `lines_before` lines of the stream; documents are numbered
// from 0 and `nodes` receives the node count.
LoadResult LoadChunk(std::string_view bytes, std::string_view file, int lines_before,
                     size_t* nodes) {
  LoadResult result;
  yaml_parser_t parser;
  if (yaml_parser_initialize(&parser) == 0) {
    result.error = ResourceExhaustedError(std::string(file) + ": YAML parser out of memory");
    return result;
  }
  // libyaml reads the caller's bytes in place (no copy of the input).
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(bytes.data()),
                               bytes.size());
  TreeBuilder builder(file, lines_before);
  int index = 0;
  bool stream_done = false;
  while (!stream_done) {
    yaml_event_t event;
    if (yaml_parser_parse(&parser, &event) == 0) {
      result.error = ParserError(parser, bytes, file);
      break;
    }
    bool document_done = false;
    Status s = builder.Handle(event, &document_done, &stream_done);
    yaml_event_delete(&event);
    if (!s.ok()) {
      result.error = s;
      break;
    }
    if (document_done) {
      Document doc;
      doc.file = std::string(file);
      doc.index = index++;
      doc.root = builder.TakeRoot();
      result.documents.push_back(std::move(doc));
    }
  }
  yaml_parser_delete(&parser);
  *nodes = builder.nodes();
  return result;
}

// Whether libyaml counts lines in `bytes` as '\n' does: it also breaks lines at a lone '\r',
// NEL (U+0085), LS (U+2028) and PS (U+2029), and reads UTF-16 after a BOM, where counting
// '\n' bytes would number the second half's lines wrongly.
bool LinesAreNewlines(std::string_view bytes) {
  if (bytes.starts_with("\xFF\xFE") || bytes.starts_with("\xFE\xFF")) return false;
  for (size_t at = bytes.find('\r'); at != std::string_view::npos; at = bytes.find('\r', at + 1)) {
    if (at + 1 == bytes.size() || bytes[at + 1] != '\n') return false;
  }
  for (std::string_view other : {"\xC2\x85", "\xE2\x80\xA8", "\xE2\x80\xA9"}) {
    if (bytes.find(other) != std::string_view::npos) return false;
  }
  return true;
}

// Where a large stream is split for two threads: the start of a line that is a document
// marker ("---" alone or followed by a space) nearest the middle; npos when there is none,
// when the stream uses directives ("%YAML", "%TAG": they bind to the document that follows,
// so a split must not separate them) or line breaks other than '\n'.
size_t SplitPoint(std::string_view bytes) {
  if (bytes.starts_with("%") || bytes.find("\n%") != std::string_view::npos ||
      !LinesAreNewlines(bytes)) {
    return std::string_view::npos;
  }
  auto is_marker = [&](size_t at) {
    if (bytes.compare(at, 3, "---") != 0) return false;
    return at + 3 == bytes.size() || bytes[at + 3] == '\n' || bytes[at + 3] == ' ' ||
           bytes[at + 3] == '\r' || bytes[at + 3] == '\t';
  };
  for (size_t at = bytes.find("\n---", bytes.size() / 2); at != std::string_view::npos;
       at = bytes.find("\n---", at + 1)) {
    if (is_marker(at + 1)) return at + 1;
  }
  return std::string_view::npos;
}

}  // namespace

LoadResult LoadYamlStream(std::string_view bytes, std::string_view file) {
  size_t nodes = 0;
  size_t split = bytes.size() >= kParallelLoadBytes && std::thread::hardware_concurrency() > 1
                     ? SplitPoint(bytes)
                     : std::string_view::npos;
  if (split == std::string_view::npos) return LoadChunk(bytes, file, 0, &nodes);
  // Two halves on two threads. libyaml ends a document at a "---" line in every context (in a
  // quoted or flow scalar it is an error), so the halves give the documents the whole stream
  // would. On any error, or a node total over the budget, the whole stream is parsed again on
  // one thread, so errors read exactly as before.
  std::string_view first = bytes.substr(0, split), second = bytes.substr(split);
  int first_lines = static_cast<int>(std::count(first.begin(), first.end(), '\n'));
  LoadResult tail;
  size_t tail_nodes = 0;
  std::thread worker([&] { tail = LoadChunk(second, file, first_lines, &tail_nodes); });
  LoadResult head = LoadChunk(first, file, 0, &nodes);
  worker.join();
  if (!head.error.ok() || !tail.error.ok() || nodes + tail_nodes > kMaxNodes) {
    return LoadChunk(bytes, file, 0, &nodes);
  }
  int index = static_cast<int>(head.documents.size());
  head.documents.reserve(head.documents.size() + tail.documents.size());
  for (Document& doc : tail.documents) {
    doc.index = index++;
    head.documents.push_back(std::move(doc));
  }
  return head;
}

StatusOr<std::vector<Document>> LoadYaml(std::string_view bytes, std::string_view file) {
  LoadResult r = LoadYamlStream(bytes, file);
  if (!r.error.ok()) return r.error;
  return std::move(r.documents);
}

}  // namespace vigil::config
