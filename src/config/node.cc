#include "config/node.h"

#include <charconv>

namespace vigil::config {

Node Node::Scalar(std::string value, int line, bool quoted) {
  Node n(Type::kScalar, line);
  n.scalar_ = std::move(value);
  n.quoted_ = quoted;
  return n;
}

bool Node::IsNull() const {
  if (type_ == Type::kNull) return true;
  if (type_ != Type::kScalar || quoted_) return false;
  return scalar_.empty() || scalar_ == "~" || scalar_ == "null" || scalar_ == "Null" ||
         scalar_ == "NULL";
}

void Node::Insert(std::string key, int key_line, Node value) {
  map_.emplace_back(std::move(key), std::move(value));
  key_lines_.push_back(key_line);
}

namespace {

// Key comparison on the hottest path of every check (Get/KeyLine scan small maps): length
// and first byte reject almost every other key without a memcmp call.
inline bool SameKey(const std::string& k, std::string_view key) {
  return k.size() == key.size() && (key.empty() || (k[0] == key[0] && k == key));
}

}  // namespace

const Node* Node::Get(std::string_view key) const {
  if (type_ != Type::kMap) return nullptr;
  for (auto it = map_.rbegin(); it != map_.rend(); ++it) {
    if (SameKey(it->first, key)) return &it->second;
  }
  return nullptr;
}

int Node::KeyLine(std::string_view key) const {
  if (type_ != Type::kMap) return 0;
  for (size_t i = map_.size(); i > 0; --i) {
    if (SameKey(map_[i - 1].first, key)) return key_lines_[i - 1];
  }
  return 0;
}

bool ParseFieldPath(std::string_view path, std::vector<PathStep>* steps) {
  steps->clear();
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '.') {
      if (steps->empty()) return false;
      ++i;
      continue;
    }
    if (path[i] == '[') {
      size_t close = path.find(']', i);
      if (close == std::string_view::npos) return false;
      std::string_view inner = path.substr(i + 1, close - i - 1);
      PathStep step;
      if (inner.size() >= 2 && inner.front() == '"' && inner.back() == '"') {
        step.key = std::string(inner.substr(1, inner.size() - 2));
      } else {
        int idx = 0;
        auto [p, ec] = std::from_chars(inner.data(), inner.data() + inner.size(), idx);
        if (ec != std::errc() || p != inner.data() + inner.size() || idx < 0) return false;
        step.index = idx;
      }
      steps->push_back(std::move(step));
      i = close + 1;
      continue;
    }
    size_t end = path.find_first_of(".[", i);
    if (end == std::string_view::npos) end = path.size();
    steps->push_back(PathStep{std::string(path.substr(i, end - i)), -1});
    i = end;
  }
  return true;
}

namespace {

// One step of a field path as views into the path: the allocation-free counterpart of
// ParseFieldPath used by Find and LineOf (called for every check of every object).
struct StepView {
  std::string_view key;
  int index = -1;
};

// Reads the step starting at path[*i] (dots between steps are skipped). Returns false at the
// end of the path; sets *bad on a malformed step, with ParseFieldPath's rules.
bool NextStep(std::string_view path, size_t* i, bool first, StepView* step, bool* bad) {
  while (*i < path.size() && path[*i] == '.') {
    if (first) {
      *bad = true;
      return false;
    }
    ++*i;
  }
  if (*i >= path.size()) return false;
  if (path[*i] == '[') {
    size_t close = path.find(']', *i);
    if (close == std::string_view::npos) {
      *bad = true;
      return false;
    }
    std::string_view inner = path.substr(*i + 1, close - *i - 1);
    *i = close + 1;
    if (inner.size() >= 2 && inner.front() == '"' && inner.back() == '"') {
      *step = StepView{inner.substr(1, inner.size() - 2), -1};
      return true;
    }
    int idx = 0;
    auto [p, ec] = std::from_chars(inner.data(), inner.data() + inner.size(), idx);
    if (ec != std::errc() || p != inner.data() + inner.size() || idx < 0) {
      *bad = true;
      return false;
    }
    *step = StepView{{}, idx};
    return true;
  }
  // A plain loop: find_first_of calls memchr once per character.
  size_t end = *i;
  while (end < path.size() && path[end] != '.' && path[end] != '[') ++end;
  *step = StepView{path.substr(*i, end - *i), -1};
  *i = end;
  return true;
}

bool WellFormed(std::string_view path) {
  size_t i = 0;
  bool bad = false;
  StepView step;
  for (bool first = true; NextStep(path, &i, first, &step, &bad); first = false) {
  }
  return !bad;
}

}  // namespace

const Node* Node::Find(std::string_view path) const {
  if (!WellFormed(path)) return nullptr;
  const Node* cur = this;
  size_t i = 0;
  bool bad = false;
  StepView step;
  for (bool first = true; NextStep(path, &i, first, &step, &bad); first = false) {
    if (step.index >= 0) {
      if (!cur->IsSeq() || static_cast<size_t>(step.index) >= cur->seq_.size()) return nullptr;
      cur = &cur->seq_[step.index];
    } else {
      cur = cur->Get(step.key);
      if (cur == nullptr) return nullptr;
    }
  }
  return cur;
}

int Node::LineOf(std::string_view path) const {
  if (!WellFormed(path)) return line_;
  const Node* cur = this;
  int line = line_;
  size_t i = 0;
  bool bad = false;
  StepView step;
  for (bool first = true; NextStep(path, &i, first, &step, &bad); first = false) {
    if (step.index >= 0) {
      if (!cur->IsSeq() || static_cast<size_t>(step.index) >= cur->seq_.size()) break;
      cur = &cur->seq_[step.index];
      line = cur->line_;
    } else {
      int key_line = cur->KeyLine(step.key);
      if (key_line == 0) break;
      cur = cur->Get(step.key);
      line = key_line;
    }
  }
  return line;
}

std::optional<bool> Node::AsBool() const {
  if (type_ != Type::kScalar) return std::nullopt;
  // sigs.k8s.io/yaml decodes with YAML 1.1 rules, where yes/no/on/off are booleans too.
  static constexpr std::string_view kTrue[] = {"true", "True", "TRUE", "yes", "Yes", "YES",
                                               "on",   "On",   "ON",   "y",   "Y"};
  static constexpr std::string_view kFalse[] = {"false", "False", "FALSE", "no", "No", "NO",
                                                "off",   "Off",   "OFF",   "n",  "N"};
  for (auto t : kTrue) {
    if (scalar_ == t) return true;
  }
  for (auto f : kFalse) {
    if (scalar_ == f) return false;
  }
  return std::nullopt;
}

std::optional<long long> Node::AsInt() const {
  if (type_ != Type::kScalar || scalar_.empty()) return std::nullopt;
  std::string_view s = scalar_;
  if (s.front() == '+') s.remove_prefix(1);
  long long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<std::string> Node::AsString() const {
  if (type_ != Type::kScalar || IsNull()) return std::nullopt;
  return scalar_;
}

size_t Node::CountNodes() const {
  size_t n = 1;
  for (const auto& [k, v] : map_) n += v.CountNodes();
  for (const auto& c : seq_) n += c.CountNodes();
  return n;
}

}  // namespace vigil::config
