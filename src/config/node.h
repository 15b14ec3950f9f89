// The configuration plane's document tree. Every loader (YAML, JSON) produces Nodes, so
// checks never see a parser library and the same model carries manifests, container
// inspect JSON and daemon.json alike.
//
// Ownership: a Node owns its children by value. Trees are immutable once loaded and safe
// for concurrent const use.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil::config {

class Node {
 public:
  enum class Type { kNull, kScalar, kMap, kSeq };
  using MapEntry = std::pair<std::string, Node>;

  Node() = default;
  static Node Null(int line) { return Node(Type::kNull, line); }
  static Node Scalar(std::string value, int line, bool quoted = false);
  static Node Map(int line) { return Node(Type::kMap, line); }
  static Node Seq(int line) { return Node(Type::kSeq, line); }

  Type type() const { return type_; }
  bool IsNull() const;  // kNull, or a plain scalar spelled null/~ (YAML core schema)
  bool IsScalar() const { return type_ == Type::kScalar; }
  bool IsMap() const { return type_ == Type::kMap; }
  bool IsSeq() const { return type_ == Type::kSeq; }
  // 1-based line where the node starts (for a map value: where the value starts; use
  // KeyLine for the line of the key itself).
  int line() const { return line_; }
  const std::string& scalar() const { return scalar_; }
  // True when the scalar was written quoted (so "true" is a string, not a boolean).
  bool quoted() const { return quoted_; }
  const std::vector<MapEntry>& map() const { return map_; }
  const std::vector<Node>& seq() const { return seq_; }
  const std::vector<int>& key_lines() const { return key_lines_; }

  // Map lookup; nullptr when absent or when this is not a map. With duplicate keys the last
  // one wins, as in the Go JSON decoding the API server applies (so `privileged: false`
  // followed by `privileged: true` is seen as true).
  const Node* Get(std::string_view key) const;
  // Line of `key` in this map; 0 when absent.
  int KeyLine(std::string_view key) const;
  // Follows a dotted path ("spec.containers[0].securityContext.privileged"); nullptr when
  // any step is missing. Keys containing dots can be bracketed: metadata.annotations["a.b/c"].
  const Node* Find(std::string_view path) const;
  // Line of the deepest existing element of `path`: the key line of the final key when it
  // exists, else the line of the nearest existing ancestor. Lets a finding about a missing
  // field point at the object that should have had it.
  int LineOf(std::string_view path) const;

  // Scalar conversions with Kubernetes (YAML 1.1 via sigs.k8s.io/yaml) semantics.
  std::optional<bool> AsBool() const;
  std::optional<long long> AsInt() const;
  // The scalar text, or nullopt for non-scalars and nulls.
  std::optional<std::string> AsString() const;

  void Append(Node child) { seq_.push_back(std::move(child)); }
  void Insert(std::string key, int key_line, Node value);

  // Total number of nodes in this subtree (itself included).
  size_t CountNodes() const;

 private:
  Node(Type type, int line) : type_(type), line_(line) {}

  Type type_ = Type::kNull;
  int line_ = 0;
  bool quoted_ = false;
  std::string scalar_;
  std::vector<MapEntry> map_;
  std::vector<int> key_lines_;  // parallel to map_
  std::vector<Node> seq_;
};

// One step of a field path: a map key or a sequence index.
struct PathStep {
  std::string key;
  int index = -1;  // >= 0 for "[n]"
};
// Parses "a.b[0].c" and a["x.y"].z; returns false on malformed paths.
bool ParseFieldPath(std::string_view path, std::vector<PathStep>* steps);

}  // namespace vigil::config
