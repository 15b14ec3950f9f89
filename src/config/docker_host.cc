#include "config/docker_host.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "base/fs.h"
#include "base/strings.h"

namespace vigil::config {
namespace {

// "services.web." or services["my.svc"]. for names a dotted path cannot carry.
std::string Prefix(std::string_view top, std::string_view name) {
  if (name.find_first_of(".[]\"") == std::string_view::npos) {
    return std::string(top) + "." + std::string(name) + ".";
  }
  return std::string(top) + "[\"" + std::string(name) + "\"].";
}

// --- dockerd flags -------------------------------------------------------------------

struct Token {
  std::string text;
  int line = 0;
};

// Splits a shell-like command line into words (single and double quotes, backslash
// escapes). `segments` are the physical lines of one logical line, so each word keeps the
// line it starts on. False on an unterminated quote.
bool Tokenize(const std::vector<std::pair<std::string_view, int>>& segments,
              std::vector<Token>* out, int* bad_line) {
  Token cur;
  bool in_word = false;
  char quote = 0;
  for (const auto& [text, line] : segments) {
    for (size_t i = 0; i < text.size(); ++i) {
      char c = text[i];
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else if (c == '\\' && quote == '"' && i + 1 < text.size()) {
          cur.text += text[++i];
        } else {
          cur.text += c;
        }
        continue;
      }
      if (c == ' ' || c == '\t') {
        if (in_word) out->push_back(std::move(cur));
        cur = Token();
        in_word = false;
        continue;
      }
      if (!in_word) {
        in_word = true;
        cur.line = line;
      }
      if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '\\' && i + 1 < text.size()) {
        cur.text += text[++i];
      } else {
        cur.text += c;
      }
    }
    // A line break inside quotes is part of the word; outside it separates words.
    if (quote == 0 && in_word) {
      out->push_back(std::move(cur));
      cur = Token();
      in_word = false;
    } else if (quote != 0) {
      cur.text += ' ';
    }
  }
  if (quote != 0) {
    *bad_line = cur.line;
    return false;
  }
  if (in_word) out->push_back(std::move(cur));
  return true;
}

// One daemon.json key being assembled from flags.
struct FlagValue {
  enum class Shape { kScalar, kList, kMap } shape = Shape::kScalar;
  int line = 0;
  std::string scalar;
  std::vector<Token> list;
  std::vector<std::pair<Token, std::string>> map;  // key (with line), value
};

bool IsBoolFlag(std::string_view name) {
  static constexpr std::string_view kBool[] = {"icc",
                                               "iptables",
                                               "ip6tables",
                                               "ip-forward",
                                               "ip-masq",
                                               "live-restore",
                                               "no-new-privileges",
                                               "tls",
                                               "tlsverify",
                                               "userland-proxy",
                                               "experimental",
                                               "selinux-enabled",
                                               "raw-logs",
                                               "debug",
                                               "ipv6",
                                               "init",
                                               "rootless",
                                               "disable-legacy-registry",
                                               "validate"};
  return std::find(std::begin(kBool), std::end(kBool), name) != std::end(kBool);
}

std::string LongName(std::string_view flag) {
  static const std::map<std::string, std::string, std::less<>> kShort = {
      {"H", "host"},  {"l", "log-level"}, {"s", "storage-driver"}, {"D", "debug"},
      {"G", "group"}, {"g", "graph"},     {"p", "pidfile"},        {"b", "bridge"}};
  auto it = kShort.find(flag);
  return it == kShort.end() ? std::string(flag) : it->second;
}

// daemon.json key of a repeatable flag; "" for single-valued flags.
std::string_view ListKey(std::string_view name) {
  static const std::map<std::string, std::string, std::less<>> kLists = {
      {"host", "hosts"},
      {"insecure-registry", "insecure-registries"},
      {"authorization-plugin", "authorization-plugins"},
      {"storage-opt", "storage-opts"},
      {"registry-mirror", "registry-mirrors"},
      {"dns", "dns"},
      {"dns-opt", "dns-opts"},
      {"dns-search", "dns-search"},
      {"exec-opt", "exec-opts"},
      {"label", "labels"},
      {"add-runtime", "runtimes"},
      {"allow-nondistributable-artifacts", "allow-nondistributable-artifacts"}};
  auto it = kLists.find(name);
  return it == kLists.end() ? std::string_view() : std::string_view(it->second);
}

std::string_view MapKey(std::string_view name) {
  if (name == "log-opt") return "log-opts";
  if (name == "default-ulimit") return "default-ulimits";
  if (name == "default-address-pool") return "default-address-pools";
  return {};
}

Node BuildNode(const FlagValue& v) {
  switch (v.shape) {
    case FlagValue::Shape::kScalar:
      return Node::Scalar(v.scalar, v.line);
    case FlagValue::Shape::kList: {
      Node seq = Node::Seq(v.line);
      for (const Token& t : v.list) seq.Append(Node::Scalar(t.text, t.line));
      return seq;
    }
    case FlagValue::Shape::kMap: {
      Node map = Node::Map(v.line);
      for (const auto& [k, val] : v.map) map.Insert(k.text, k.line, Node::Scalar(val, k.line));
      return map;
    }
  }
  return Node::Null(v.line);
}

// Flags (everything after the dockerd word) to the daemon.json-shaped map.
Node FlagsToNode(const std::vector<Token>& args, int line) {
  std::vector<std::pair<std::string, FlagValue>> keys;
  auto slot = [&](const std::string& key, int at) -> FlagValue& {
    for (auto& [k, v] : keys) {
      if (k == key) return v;
    }
    keys.emplace_back(key, FlagValue());
    keys.back().second.line = at;
    return keys.back().second;
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const Token& t = args[i];
    if (t.text.size() < 2 || t.text[0] != '-') continue;  // positional words: ignored
    std::string_view body = t.text;
    body.remove_prefix(body[1] == '-' ? 2 : 1);
    std::string name;
    std::string value;
    bool has_value = false;
    size_t eq = body.find('=');
    if (eq != std::string_view::npos) {
      name = LongName(body.substr(0, eq));
      value = std::string(body.substr(eq + 1));
      has_value = true;
    } else if (t.text[1] != '-' && body.size() > 1) {
      // -Htcp://... : a short flag glued to its value.
      name = LongName(body.substr(0, 1));
      value = std::string(body.substr(1));
      has_value = true;
    } else {
      name = LongName(body);
    }
    if (name.empty()) continue;
    if (!has_value) {
      if (IsBoolFlag(name)) {
        value = "true";
      } else if (i + 1 < args.size()) {
        value = args[++i].text;
      }
    }
    if (std::string_view list = ListKey(name); !list.empty()) {
      FlagValue& v = slot(std::string(list), t.line);
      v.shape = FlagValue::Shape::kList;
      v.list.push_back({value, t.line});
    } else if (std::string_view map = MapKey(name); !map.empty()) {
      FlagValue& v = slot(std::string(map), t.line);
      v.shape = FlagValue::Shape::kMap;
      size_t sep = value.find('=');
      Token k{value.substr(0, sep), t.line};
      v.map.emplace_back(k, sep == std::string::npos ? "" : value.substr(sep + 1));
    } else {
      FlagValue& v = slot(name, t.line);
      v.line = t.line;  // a repeated single-valued flag: the last one wins, as in dockerd
      v.scalar = value;
    }
  }
  Node root = Node::Map(line);
  for (const auto& [key, v] : keys) root.Insert(key, v.line, BuildNode(v));
  return root;
}

bool IsDockerdWord(std::string_view word) {
  std::string_view base = Basename(word);
  return base == "dockerd" || base == "dockerd-rootless.sh" || base == "docker-daemon";
}

}  // namespace

std::vector<Resource> ComposeResources(const Document& doc) {
  std::vector<Resource> out;
  const Node& root = doc.root;
  if (!root.IsMap()) return out;
  auto add = [&](std::string_view top, std::string_view kind) {
    const Node* group = root.Get(top);
    if (group == nullptr || !group->IsMap()) return;
    const auto& entries = group->map();
    for (size_t i = 0; i < entries.size(); ++i) {
      const auto& [name, node] = entries[i];
      if (!node.IsMap()) continue;  // `wordpress:` with no settings, or malformed
      Resource r;
      r.kind = std::string(kind);
      r.name = name;
      r.ns = "";
      r.file = doc.file;
      r.line = group->key_lines()[i];
      r.path_prefix = Prefix(top, name);
      r.node = &node;
      out.push_back(std::move(r));
    }
  };
  add("services", kComposeServiceKind);
  add("volumes", kComposeVolumeKind);
  return out;
}

std::vector<Resource> DaemonResources(const Document& doc) {
  std::vector<Resource> out;
  if (!doc.root.IsMap()) return out;
  Resource r;
  r.kind = std::string(kDockerDaemonKind);
  r.name = std::string(Basename(doc.file));
  if (r.name.empty()) r.name = "daemon";
  r.ns = "";
  r.file = doc.file;
  r.line = doc.root.line() > 0 ? doc.root.line() : 1;
  r.node = &doc.root;
  out.push_back(std::move(r));
  return out;
}

bool IsContainerInspect(const Node& root) {
  if (!root.IsSeq() || root.seq().empty()) return false;
  const Node& first = root.seq().front();
  // HostConfig tells a container from an image: `docker image inspect` has Id and Config too.
  return first.IsMap() && first.Get("Id") != nullptr && first.Get("HostConfig") != nullptr;
}

std::vector<Resource> ContainerInspectResources(const Document& doc) {
  std::vector<Resource> out;
  const Node& root = doc.root;
  // `docker inspect` prints an array; a single object (one element saved alone) is accepted.
  std::vector<std::pair<const Node*, std::string>> items;
  if (root.IsSeq()) {
    for (size_t i = 0; i < root.seq().size(); ++i) {
      items.emplace_back(&root.seq()[i], "[" + std::to_string(i) + "].");
    }
  } else if (root.IsMap()) {
    items.emplace_back(&root, "");
  }
  for (const auto& [node, prefix] : items) {
    if (!node->IsMap() || node->Get("Id") == nullptr || node->Get("HostConfig") == nullptr) {
      continue;
    }
    Resource r;
    r.kind = std::string(kDockerContainerKind);
    std::string name = node->Get("Name") ? node->Get("Name")->AsString().value_or("") : "";
    while (!name.empty() && name[0] == '/') name.erase(0, 1);
    if (name.empty()) name = node->Get("Id")->AsString().value_or("").substr(0, 12);
    r.name = name;
    r.ns = "";
    r.file = doc.file;
    r.line = node->line();
    r.path_prefix = prefix;
    r.node = node;
    out.push_back(std::move(r));
  }
  return out;
}

LoadResult LoadDockerdFlags(std::string_view text, std::string_view path) {
  LoadResult result;
  std::vector<std::string_view> lines = SplitLines(text);
  std::vector<Token> args;  // flags of the command line that wins
  int command_line = 0;
  bool found = false;
  for (size_t i = 0; i < lines.size(); ++i) {
    int first_line = static_cast<int>(i) + 1;
    // A logical line: physical lines joined on a trailing backslash.
    std::vector<std::pair<std::string_view, int>> segments;
    std::string_view cur = lines[i];
    while (true) {
      std::string_view trimmed = cur;
      while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '\t')) {
        trimmed.remove_suffix(1);
      }
      bool cont = !trimmed.empty() && trimmed.back() == '\\' && i + 1 < lines.size();
      if (cont) trimmed.remove_suffix(1);
      segments.emplace_back(trimmed, static_cast<int>(i) + 1);
      if (!cont) break;
      cur = lines[++i];
    }
    std::string_view head = Trim(segments[0].first);
    if (head.empty() || head[0] == '#' || head[0] == ';' || head[0] == '[') continue;
    // The command part of this logical line, per file format.
    size_t eq = head.find('=');
    std::string key = eq == std::string_view::npos ? "" : std::string(Trim(head.substr(0, eq)));
    if (StartsWith(key, "export ")) key = std::string(Trim(std::string_view(key).substr(7)));
    bool exec = key == "ExecStart";
    bool opts = key == "DOCKER_OPTS" || key == "OPTIONS" || key == "DOCKER_OPTIONS";
    if (exec || opts) {
      // Drop "KEY=" from the first segment; systemd's "-@:+!" executable prefixes too.
      size_t offset = segments[0].first.find('=') + 1;
      segments[0].first.remove_prefix(offset);
      if (exec) {
        std::string_view& s = segments[0].first;
        while (!s.empty() &&
               std::string_view("-@:+! \t").find(s.front()) != std::string_view::npos) {
          s.remove_prefix(1);
        }
      }
    }
    std::vector<Token> words;
    int bad_line = 0;
    if (!Tokenize(segments, &words, &bad_line)) {
      result.error = InvalidArgumentError(std::string(path) + ":" + std::to_string(bad_line) +
                                          ": unterminated quote");
      return result;
    }
    if (exec) {
      if (words.empty()) {  // "ExecStart=" resets the command list (drop-in overrides)
        found = false;
        args.clear();
        continue;
      }
      auto it = std::find_if(words.begin(), words.end(),
                             [](const Token& w) { return IsDockerdWord(w.text); });
      if (it == words.end()) continue;  // another program (e.g. ExecStartPre lookalike)
      args.assign(it + 1, words.end());
      command_line = first_line;
      found = true;
    } else if (opts) {
      // DOCKER_OPTS="$DOCKER_OPTS --x" appends; a plain assignment replaces.
      // The variable is expanded unquoted by the init script, so its value is split into
      // words again: DOCKER_OPTS="--a --b" holds two flags.
      bool append = false;
      std::vector<Token> kept;
      for (const Token& w : words) {
        for (std::string_view part : Split(w.text, ' ', true)) {
          if (part == "$" + key || part == "${" + key + "}") {
            append = true;
          } else {
            kept.push_back({std::string(part), w.line});
          }
        }
      }
      if (!append) args.clear();
      args.insert(args.end(), kept.begin(), kept.end());
      if (!found) command_line = first_line;
      found = true;
    } else if (!words.empty() && IsDockerdWord(words[0].text)) {
      args.assign(words.begin() + 1, words.end());
      command_line = first_line;
      found = true;
    }
  }
  if (!found) {
    result.error = InvalidArgumentError(
        std::string(path) +
        ":1: no dockerd command line (expected ExecStart=...dockerd..., DOCKER_OPTS=... or a "
        "dockerd command)");
    return result;
  }
  Document doc;
  doc.file = std::string(path);
  doc.root = FlagsToNode(args, command_line);
  result.documents.push_back(std::move(doc));
  return result;
}

Status RegisterDockerHostChecks(CheckRegistry* registry) {
  VIGIL_RETURN_IF_ERROR(RegisterComposeChecks(registry));
  VIGIL_RETURN_IF_ERROR(RegisterDockerDaemonChecks(registry));
  return RegisterDockerContainerChecks(registry);
}

}  // namespace vigil::config
