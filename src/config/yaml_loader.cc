#include "config/yaml_loader.h"

#include <yaml-cpp/anchor.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <exception>
#include <map>
#include <sstream>

namespace vigil::config {
namespace {

// Raised inside the event handler to abort parsing; never leaves this file.
struct LoadAbort {
  Status status;
};

// Builds Nodes from yaml-cpp's event stream. Working from events (not YAML::Node) keeps
// aliases under our control: each alias is copied against the node budget.
class TreeBuilder : public YAML::EventHandler {
 public:
  explicit TreeBuilder(std::string_view file) : file_(file) {}

  bool has_root() const { return has_root_; }
  Node TakeRoot() {
    has_root_ = false;
    return std::move(root_);
  }
  // Starts a document. The node budget is not reset: it bounds the whole stream, so many
  // documents each just under the limit cannot add up.
  void Reset() {
    stack_.clear();
    anchors_.clear();
    has_root_ = false;
    root_ = Node();
  }

  // yaml-cpp 0.7 can stall on some malformed input, returning empty documents forever at
  // the same position; a document that starts where the previous one did is an error, and
  // every document counts against the node budget.
  void OnDocumentStart(const YAML::Mark& mark) override {
    Count(1, mark);
    if (has_start_ && mark.pos == last_start_.pos && mark.line == last_start_.line &&
        mark.column == last_start_.column) {
      throw LoadAbort{InvalidArgumentError(std::string(file_) + ":" + std::to_string(Line(mark)) +
                                           ": invalid YAML: parser made no progress")};
    }
    last_start_ = mark;
    has_start_ = true;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Deliver(Node::Null(Line(mark)), anchor, Line(mark));
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) Fail(mark, "unknown alias");
    Count(it->second.CountNodes(), mark);
    Deliver(it->second, YAML::NullAnchor, Line(mark));
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    Count(1, mark);
    // yaml-cpp tags non-plain (quoted, block) scalars "!"; "?" means plain.
    bool quoted = tag == "!" || tag == "tag:yaml.org,2002:str";
    Deliver(Node::Scalar(value, Line(mark), quoted), anchor, Line(mark));
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Push(Node::Seq(Line(mark)), anchor, mark);
  }
  void OnSequenceEnd() override { Pop(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Push(Node::Map(Line(mark)), anchor, mark);
  }
  void OnMapEnd() override { Pop(); }

 private:
  struct Frame {
    Node node;
    YAML::anchor_t anchor = YAML::NullAnchor;
    bool have_key = false;
    std::string key;
    int key_line = 0;
  };

  static int Line(const YAML::Mark& mark) { return mark.line < 0 ? 0 : mark.line + 1; }

  [[noreturn]] void Fail(const YAML::Mark& mark, std::string_view what) {
    throw LoadAbort{ResourceExhaustedError(std::string(file_) + ":" + std::to_string(Line(mark)) +
                                           ": " + std::string(what))};
  }
  void Count(size_t n, const YAML::Mark& mark) {
    nodes_ += n;
    if (nodes_ > kMaxNodes) Fail(mark, "document too large (alias expansion?): node limit");
  }
  void Push(Node node, YAML::anchor_t anchor, const YAML::Mark& mark) {
    Count(1, mark);
    if (static_cast<int>(stack_.size()) >= kMaxDepth) Fail(mark, "nesting too deep");
    stack_.push_back(Frame{std::move(node), anchor, false, {}, 0});
  }
  void Pop() {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    int line = frame.node.line();
    Deliver(std::move(frame.node), frame.anchor, line);
  }
  void Deliver(Node node, YAML::anchor_t anchor, int line) {
    if (anchor != YAML::NullAnchor) anchors_[anchor] = node;
    if (stack_.empty()) {
      root_ = std::move(node);
      has_root_ = true;
      return;
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
  }

  std::string_view file_;
  std::vector<Frame> stack_;
  std::map<YAML::anchor_t, Node> anchors_;
  size_t nodes_ = 0;
  YAML::Mark last_start_;
  bool has_start_ = false;
  bool has_root_ = false;
  Node root_;
};

std::string MarkPrefix(std::string_view file, const YAML::Mark& mark) {
  std::string s(file);
  if (!mark.is_null()) {
    s += ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
  }
  return s;
}

}  // namespace

LoadResult LoadYamlStream(std::string_view bytes, std::string_view file) {
  LoadResult result;
  std::istringstream in{std::string(bytes)};
  TreeBuilder builder(file);
  try {
    YAML::Parser parser(in);
    int index = 0;
    while (true) {
      builder.Reset();
      if (!parser.HandleNextDocument(builder)) break;
      Document doc;
      doc.file = std::string(file);
      doc.index = index++;
      if (builder.has_root()) doc.root = builder.TakeRoot();
      result.documents.push_back(std::move(doc));
    }
  } catch (const LoadAbort& abort) {
    result.error = abort.status;
  } catch (const YAML::Exception& e) {
    result.error = InvalidArgumentError(MarkPrefix(file, e.mark) + ": invalid YAML: " + e.msg);
  } catch (const std::exception& e) {
    result.error = InternalError(std::string(file) + ": YAML parser failed: " + e.what());
  }
  return result;
}

StatusOr<std::vector<Document>> LoadYaml(std::string_view bytes, std::string_view file) {
  LoadResult r = LoadYamlStream(bytes, file);
  if (!r.error.ok()) return r.error;
  return std::move(r.documents);
}

}  // namespace vigil::config
