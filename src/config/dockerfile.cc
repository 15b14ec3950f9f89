#include "config/dockerfile.h"

#include <cctype>
#include <map>
#include <string>
#include <utility>

#include "base/strings.h"

namespace vigil::config {
namespace {

bool IsBlank(std::string_view s) { return Trim(s).empty(); }

bool IsCommentLine(std::string_view s) {
  std::string_view t = Trim(s);
  return !t.empty() && t[0] == '#';
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool IsKnownInstruction(std::string_view cmd) {
  static constexpr std::string_view kAll[] = {
      "FROM",    "RUN", "CMD",     "LABEL",      "MAINTAINER",  "EXPOSE",
      "ENV",     "ADD", "COPY",    "ENTRYPOINT", "VOLUME",      "USER",
      "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL"};
  for (std::string_view k : kAll) {
    if (k == cmd) return true;
  }
  return false;
}

bool TakesFlags(std::string_view cmd) {
  return cmd == "FROM" || cmd == "RUN" || cmd == "COPY" || cmd == "ADD" || cmd == "HEALTHCHECK";
}

bool TakesHeredocs(std::string_view cmd) { return cmd == "RUN" || cmd == "COPY" || cmd == "ADD"; }

bool TakesJson(std::string_view cmd) {
  return cmd == "RUN" || cmd == "CMD" || cmd == "ENTRYPOINT" || cmd == "SHELL" || cmd == "VOLUME" ||
         cmd == "COPY" || cmd == "ADD";
}

void AppendUtf8(unsigned cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// A JSON array of strings (exec form). False for anything else, which Docker then runs in
// shell form.
bool ParseJsonStringArray(std::string_view s, std::vector<std::string>* out) {
  size_t i = 0;
  auto ws = [&] {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  };
  ws();
  if (i >= s.size() || s[i] != '[') return false;
  ++i;
  ws();
  if (i < s.size() && s[i] == ']') {
    ++i;
    ws();
    return i == s.size();
  }
  while (true) {
    ws();
    if (i >= s.size() || s[i] != '"') return false;
    ++i;
    std::string item;
    bool closed = false;
    while (i < s.size()) {
      char c = s[i++];
      if (c == '"') {
        closed = true;
        break;
      }
      if (c != '\\') {
        item.push_back(c);
        continue;
      }
      if (i >= s.size()) return false;
      char e = s[i++];
      switch (e) {
        case '"':
          item.push_back('"');
          break;
        case '\\':
          item.push_back('\\');
          break;
        case '/':
          item.push_back('/');
          break;
        case 'b':
          item.push_back('\b');
          break;
        case 'f':
          item.push_back('\f');
          break;
        case 'n':
          item.push_back('\n');
          break;
        case 'r':
          item.push_back('\r');
          break;
        case 't':
          item.push_back('\t');
          break;
        case 'u': {
          if (i + 4 > s.size()) return false;
          unsigned cp = 0;
          for (int k = 0; k < 4; ++k) {
            char h = s[i++];
            cp <<= 4;
            if (h >= '0' && h <= '9') {
              cp |= static_cast<unsigned>(h - '0');
            } else if (h >= 'a' && h <= 'f') {
              cp |= static_cast<unsigned>(h - 'a' + 10);
            } else if (h >= 'A' && h <= 'F') {
              cp |= static_cast<unsigned>(h - 'A' + 10);
            } else {
              return false;
            }
          }
          AppendUtf8(cp, &item);
          break;
        }
        default:
          return false;
      }
    }
    if (!closed) return false;
    out->push_back(std::move(item));
    ws();
    if (i < s.size() && s[i] == ',') {
      ++i;
      continue;
    }
    if (i < s.size() && s[i] == ']') {
      ++i;
      ws();
      return i == s.size();
    }
    return false;
  }
}

std::vector<std::string> Words(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    size_t start = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i > start) out.emplace_back(s.substr(start, i - start));
  }
  return out;
}

std::string Unquote(std::string_view v) {
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) {
    return std::string(v.substr(1, v.size() - 2));
  }
  return std::string(v);
}

bool IsVarChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Substitutes $VAR, ${VAR}, ${VAR:-default} and ${VAR:+alt} from `vars`. A variable without a
// value sets *unresolved (Docker substitutes the empty string, which makes the image
// reference something the checks cannot judge).
std::string Expand(std::string_view s, const std::map<std::string, std::string>& vars,
                   bool* unresolved) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c != '$' || i + 1 >= s.size()) {
      out.push_back(c);
      ++i;
      continue;
    }
    std::string name;
    std::string op;
    std::string word;
    if (s[i + 1] == '{') {
      size_t close = s.find('}', i + 2);
      if (close == std::string_view::npos) {
        out.append(s.substr(i));
        break;
      }
      std::string_view inner = s.substr(i + 2, close - i - 2);
      size_t n = 0;
      while (n < inner.size() && IsVarChar(inner[n])) ++n;
      name = std::string(inner.substr(0, n));
      if (n + 1 < inner.size() && inner[n] == ':') {
        op = std::string(inner.substr(n, 2));
        word = std::string(inner.substr(n + 2));
      }
      i = close + 1;
    } else if (IsVarChar(s[i + 1])) {
      size_t n = i + 1;
      while (n < s.size() && IsVarChar(s[n])) ++n;
      name = std::string(s.substr(i + 1, n - i - 1));
      i = n;
    } else {
      out.push_back(c);
      ++i;
      continue;
    }
    auto it = vars.find(name);
    bool set = it != vars.end() && !it->second.empty();
    if (op == ":-") {
      out += set ? it->second : word;
    } else if (op == ":+") {
      out += set ? word : "";
    } else if (set) {
      out += it->second;
    } else {
      *unresolved = true;
    }
  }
  return out;
}

struct HeredocMark {
  std::string name;
  bool strip_tabs = false;
  bool expand = true;
};

// Heredoc markers ("<<EOF", "<<-EOF", "<<'EOF'", "<<\"EOF\"") outside quotes, in order.
std::vector<HeredocMark> FindHeredocs(std::string_view s) {
  std::vector<HeredocMark> out;
  char quote = 0;
  for (size_t i = 0; i + 2 < s.size(); ++i) {
    char c = s[i];
    if (quote) {
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      continue;
    }
    if (c != '<' || s[i + 1] != '<' || (i > 0 && s[i - 1] == '<')) continue;
    size_t j = i + 2;
    if (j < s.size() && s[j] == '<') {  // here-string "<<<"
      i = j;
      continue;
    }
    HeredocMark m;
    if (j < s.size() && s[j] == '-') {
      m.strip_tabs = true;
      ++j;
    }
    char q = 0;
    if (j < s.size() && (s[j] == '\'' || s[j] == '"')) q = s[j++];
    size_t start = j;
    while (j < s.size() && (IsVarChar(s[j]) || s[j] == '.' || s[j] == '-' || s[j] == '/')) ++j;
    if (j == start) continue;
    m.name = std::string(s.substr(start, j - start));
    if (q) {
      if (j >= s.size() || s[j] != q) continue;
      ++j;
      m.expand = false;
    }
    out.push_back(std::move(m));
    i = j - 1;
  }
  return out;
}

struct Parser {
  std::string_view path;
  std::vector<std::string_view> lines;
  char escape = '\\';
  Status error;
  size_t parts = 0;  // instructions + heredocs, bounded by kMaxDockerfileInstructions

  Status Error(int line, const std::string& what) const {
    return InvalidArgumentError(std::string(path) + ":" + std::to_string(line) + ": " + what);
  }

  // Parses `text` (one logical instruction starting at `line`) into an instruction map.
  // Heredoc bodies are read from `*next` on (the line after the instruction) and *next
  // advances past them.
  bool Instruction(std::string_view text, int line, size_t* next, bool nested, Node* out) {
    std::string_view t = Trim(text);
    size_t sp = 0;
    while (sp < t.size() && !std::isspace(static_cast<unsigned char>(t[sp]))) ++sp;
    std::string cmd = Upper(t.substr(0, sp));
    std::string_view rest = Trim(t.substr(sp));
    if (!IsKnownInstruction(cmd)) {
      error = Error(line, "unknown instruction \"" + std::string(t.substr(0, sp)) + "\"");
      return false;
    }
    *out = Node::Map(line);
    out->Insert("cmd", line, Node::Scalar(cmd, line));
    out->Insert("line", line, Node::Scalar(std::to_string(line), line));
    int end_line = line;
    if (cmd == "ONBUILD") {
      if (nested) {
        error = Error(line, "ONBUILD cannot trigger ONBUILD, FROM or MAINTAINER");
        return false;
      }
      Node trigger;
      if (!Instruction(rest, line, next, true, &trigger)) return false;
      const Node* tc = trigger.Get("cmd");
      if (tc != nullptr && (tc->scalar() == "FROM" || tc->scalar() == "MAINTAINER")) {
        error = Error(line, "ONBUILD cannot trigger " + tc->scalar());
        return false;
      }
      const Node* te = trigger.Get("end_line");
      if (te != nullptr) end_line = std::atoi(te->scalar().c_str());
      out->Insert("trigger", line, std::move(trigger));
      rest = "";
    }
    Node flags = Node::Map(line);
    if (TakesFlags(cmd)) {
      std::map<std::string, std::string> seen;
      while (StartsWith(rest, "--")) {
        size_t e = 0;
        while (e < rest.size() && !std::isspace(static_cast<unsigned char>(rest[e]))) ++e;
        std::string_view flag = rest.substr(2, e - 2);
        size_t eq = flag.find('=');
        std::string name(flag.substr(0, eq));
        std::string value = eq == std::string_view::npos ? "" : Unquote(flag.substr(eq + 1));
        if (name == "mount" && seen.count(name)) value = seen[name] + "\n" + value;
        seen[name] = value;
        rest = Trim(rest.substr(e));
      }
      for (auto& [k, v] : seen) flags.Insert(k, line, Node::Scalar(v, line));
    }
    out->Insert("flags", line, std::move(flags));
    out->Insert("value", line, Node::Scalar(std::string(rest), line));
    std::vector<std::string> args;
    bool json = TakesJson(cmd) && StartsWith(rest, "[") && ParseJsonStringArray(rest, &args);
    if (!json) args = Words(rest);
    out->Insert("json", line, Node::Scalar(json ? "true" : "false", line));
    Node arg_seq = Node::Seq(line);
    for (auto& a : args) arg_seq.Append(Node::Scalar(std::move(a), line));
    out->Insert("args", line, std::move(arg_seq));
    Node docs = Node::Seq(line);
    if (TakesHeredocs(cmd) && !json) {
      for (const HeredocMark& m : FindHeredocs(rest)) {
        if (++parts > kMaxDockerfileInstructions) {
          error = Error(line, "more than " + std::to_string(kMaxDockerfileInstructions) +
                                  " instructions and heredocs");
          return false;
        }
        int start = static_cast<int>(*next) + 1;
        std::string body;
        bool closed = false;
        while (*next < lines.size()) {
          std::string_view l = lines[(*next)++];
          if (m.strip_tabs) {
            while (!l.empty() && l[0] == '\t') l.remove_prefix(1);
          }
          if (l == m.name) {
            closed = true;
            break;
          }
          body.append(l);
          body.push_back('\n');
        }
        if (!closed) {
          error = Error(line, "heredoc <<" + m.name + " is not terminated");
          return false;
        }
        end_line = static_cast<int>(*next);
        Node doc = Node::Map(start);
        doc.Insert("name", start, Node::Scalar(m.name, start));
        doc.Insert("content", start, Node::Scalar(std::move(body), start));
        doc.Insert("expand", start, Node::Scalar(m.expand ? "true" : "false", start));
        doc.Insert("line", start, Node::Scalar(std::to_string(start), start));
        docs.Append(std::move(doc));
      }
    }
    out->Insert("heredocs", line, std::move(docs));
    out->Insert("end_line", line, Node::Scalar(std::to_string(end_line), line));
    return true;
  }
};

// Parser directives: "# name=value" lines at the very top (before any blank line, comment or
// instruction). Returns the index of the first line after them.
size_t ReadDirectives(const std::vector<std::string_view>& lines, char* escape, Status* error,
                      std::string_view path) {
  size_t i = 0;
  for (; i < lines.size(); ++i) {
    std::string_view t = Trim(lines[i]);
    if (t.empty() || t[0] != '#') break;
    std::string_view d = Trim(t.substr(1));
    size_t eq = d.find('=');
    if (eq == std::string_view::npos) break;
    std::string name = ToLower(Trim(d.substr(0, eq)));
    std::string_view value = Trim(d.substr(eq + 1));
    if (name != "escape" && name != "syntax" && name != "check") break;
    if (name == "escape") {
      if (value != "\\" && value != "`") {
        *error = InvalidArgumentError(std::string(path) + ":" + std::to_string(i + 1) +
                                      ": invalid escape directive \"" + std::string(value) +
                                      "\" (must be \\ or `)");
        return i;
      }
      *escape = value[0];
    }
  }
  return i;
}

std::string Str(const Node* n) { return n != nullptr && n->IsScalar() ? n->scalar() : ""; }

}  // namespace

LoadResult LoadDockerfile(std::string_view text, std::string_view path) {
  LoadResult result;
  Parser p;
  p.path = path;
  p.lines = SplitLines(text);
  if (!p.lines.empty() && StartsWith(p.lines[0], "\xEF\xBB\xBF")) p.lines[0].remove_prefix(3);
  Document doc;
  doc.file = std::string(path);
  doc.root = Node::Map(1);
  doc.root.Insert("file", 1, Node::Scalar(std::string(path), 1));
  size_t i = ReadDirectives(p.lines, &p.escape, &p.error, path);
  doc.root.Insert("escape", 1, Node::Scalar(std::string(1, p.escape), 1));
  Node instructions = Node::Seq(1);
  Node stages = Node::Seq(1);
  std::map<std::string, std::string> meta_args;
  int stage = -1;
  while (p.error.ok() && i < p.lines.size()) {
    std::string_view first = p.lines[i];
    if (IsBlank(first) || IsCommentLine(first)) {
      ++i;
      continue;
    }
    int line = static_cast<int>(i) + 1;
    // Join continuation lines: a line ending (trailing whitespace ignored) with the escape
    // character continues on the next non-comment, non-empty line.
    std::string joined;
    while (i < p.lines.size()) {
      std::string_view l = p.lines[i++];
      std::string_view r = l;
      while (!r.empty() && std::isspace(static_cast<unsigned char>(r.back()))) r.remove_suffix(1);
      if (r.empty() || r.back() != p.escape) {
        joined.append(l);
        break;
      }
      joined.append(r.substr(0, r.size() - 1));
      while (i < p.lines.size() && (IsBlank(p.lines[i]) || IsCommentLine(p.lines[i]))) ++i;
    }
    int last_line = static_cast<int>(i);
    if (++p.parts > kMaxDockerfileInstructions) {
      p.error = p.Error(line, "more than " + std::to_string(kMaxDockerfileInstructions) +
                                  " instructions and heredocs");
      break;
    }
    Node ins;
    if (!p.Instruction(joined, line, &i, false, &ins)) break;
    if (Str(ins.Get("end_line")) == std::to_string(line) && last_line > line) {
      ins.Insert("end_line", line, Node::Scalar(std::to_string(last_line), line));
    }
    std::string cmd = Str(ins.Get("cmd"));
    if (cmd == "FROM") {
      ++stage;
      std::vector<std::string> words;
      if (const Node* a = ins.Get("args")) {
        for (const Node& w : a->seq()) words.push_back(w.scalar());
      }
      std::string image = words.empty() ? "" : words[0];
      std::string name;
      if (words.size() >= 3 && EqualsIgnoreCase(words[1], "AS")) name = ToLower(words[2]);
      bool unresolved = false;
      std::string resolved = Expand(image, meta_args, &unresolved);
      if (unresolved) resolved.clear();
      Node st = Node::Map(line);
      st.Insert("index", line, Node::Scalar(std::to_string(stage), line));
      st.Insert("line", line, Node::Scalar(std::to_string(line), line));
      st.Insert("image", line, Node::Scalar(image, line));
      st.Insert("resolved", line, Node::Scalar(resolved, line));
      st.Insert("name", line, Node::Scalar(name, line));
      st.Insert("platform", line, Node::Scalar(Str(ins.Get("flags")->Get("platform")), line));
      st.Insert("first", line, Node::Scalar(std::to_string(instructions.seq().size()), line));
      stages.Append(std::move(st));
    } else if (cmd == "ARG" && stage < 0) {
      for (const std::string& w : Words(Str(ins.Get("value")))) {
        size_t eq = w.find('=');
        std::string key = w.substr(0, eq);
        bool unresolved = false;
        std::string value = eq == std::string::npos
                                ? ""
                                : Expand(Unquote(w.substr(eq + 1)), meta_args, &unresolved);
        meta_args[key] = value;
      }
    }
    ins.Insert("stage", line, Node::Scalar(std::to_string(stage), line));
    instructions.Append(std::move(ins));
  }
  doc.root.Insert("stages", 1, std::move(stages));
  doc.root.Insert("instructions", 1, std::move(instructions));
  result.documents.push_back(std::move(doc));
  result.error = p.error;
  return result;
}

std::vector<Resource> DockerfileResources(const Document& doc) {
  if (!doc.root.IsMap() || doc.root.Get("instructions") == nullptr) return {};
  Resource r;
  r.kind = std::string(kDockerfileKind);
  // Named by its path without leading slashes, so the id reads "Dockerfile/app/Dockerfile"
  // (never "Dockerfile//app/...") whether the scan root was "/" or the working directory.
  std::string_view name = doc.file;
  while (!name.empty() && name[0] == '/') name.remove_prefix(1);
  r.name = name.empty() ? "Dockerfile" : std::string(name);
  r.ns = "";
  r.file = doc.file;
  r.line = 1;
  r.node = &doc.root;
  return {std::move(r)};
}

const std::string_view* DfInstruction::Flag(std::string_view name) const {
  for (const auto& f : flags) {
    if (f.first == name) return &f.second;
  }
  return nullptr;
}

DfInstruction ViewInstruction(const Node& n, size_t index) {
  DfInstruction ins;
  ins.index = index;
  auto sv = [&](std::string_view key) -> std::string_view {
    const Node* v = n.Get(key);
    return v != nullptr && v->IsScalar() ? std::string_view(v->scalar()) : std::string_view();
  };
  auto num = [&](std::string_view key) {
    const Node* v = n.Get(key);
    return v != nullptr && v->IsScalar() ? std::atoi(v->scalar().c_str()) : 0;
  };
  ins.cmd = sv("cmd");
  ins.line = num("line");
  ins.end_line = num("end_line");
  ins.stage = n.Get("stage") != nullptr ? num("stage") : -1;
  ins.value = sv("value");
  ins.json = sv("json") == "true";
  if (const Node* f = n.Get("flags"); f != nullptr && f->IsMap()) {
    for (const auto& [k, v] : f->map()) ins.flags.emplace_back(k, v.scalar());
  }
  if (const Node* a = n.Get("args"); a != nullptr && a->IsSeq()) {
    for (const Node& w : a->seq()) ins.args.push_back(w.scalar());
  }
  if (const Node* h = n.Get("heredocs"); h != nullptr && h->IsSeq()) {
    for (const Node& d : h->seq()) {
      DfHeredoc doc;
      doc.name = Str(d.Get("name")).empty() ? std::string_view() : d.Get("name")->scalar();
      if (const Node* c = d.Get("content")) doc.content = c->scalar();
      doc.expand = Str(d.Get("expand")) != "false";
      doc.line = d.line();
      ins.heredocs.push_back(doc);
    }
  }
  ins.trigger = n.Get("trigger");
  return ins;
}

DfView ViewDockerfile(const Node* root) {
  DfView view;
  if (root == nullptr || !root->IsMap()) return view;
  const Node* ins = root->Get("instructions");
  const Node* st = root->Get("stages");
  if (ins == nullptr || !ins->IsSeq() || st == nullptr || !st->IsSeq()) return view;
  view.instructions.reserve(ins->seq().size());
  for (size_t i = 0; i < ins->seq().size(); ++i) {
    view.instructions.push_back(ViewInstruction(ins->seq()[i], i));
  }
  for (const Node& s : st->seq()) {
    DfStage stage;
    auto sv = [&](std::string_view key) -> std::string_view {
      const Node* v = s.Get(key);
      return v != nullptr && v->IsScalar() ? std::string_view(v->scalar()) : std::string_view();
    };
    stage.index = std::atoi(std::string(sv("index")).c_str());
    stage.line = std::atoi(std::string(sv("line")).c_str());
    stage.image = sv("image");
    stage.resolved = sv("resolved");
    stage.name = sv("name");
    stage.platform = sv("platform");
    stage.first = static_cast<size_t>(std::atoll(std::string(sv("first")).c_str()));
    view.stages.push_back(stage);
  }
  for (size_t k = 0; k < view.stages.size(); ++k) {
    view.stages[k].end =
        k + 1 < view.stages.size() ? view.stages[k + 1].first : view.instructions.size();
  }
  return view;
}

}  // namespace vigil::config
