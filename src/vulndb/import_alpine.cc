// Alpine secdb importer: one release file (`v3.19/main.json` at secdb.alpinelinux.org, or
// the YAML of the deprecated alpine-secdb repository, same tree):
//   {distroversion: v3.11, reponame: main, packages: [{pkg: {name, secfixes: {
//       "<first fixed pkgver-rN>": ["CVE-... [alias...]", ...], "0": [ids not affected]}}}]}
// One Advisory per id line per package: the first id is the advisory id, further ids on the
// line are aliases. Oddities of the real files handled here: `packages:` empty (null),
// parenthesised notes after the id ("CVE-2018-14468 (FrameRelay)", kept as the summary),
// placeholder ids ("CVE-????-?????  XSA-284": the XSA id is used), misspelt CVE ids
// ("CVE_2019-2426", "CVE 2018-16859", "CVE-2017-8073.patch", "CVE-2017-17434-1": the CVE id
// is recovered), and words that are not ids ("XPTI", kept in the summary).
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <charconv>
#include <string>
#include <utility>
#include <vector>

#include "base/strings.h"
#include "nlohmann/json.hpp"
#include "vulndb/import_formats.h"
#include "vulndb/import_util.h"

namespace vigil::vulndb::internal {
namespace {

using nlohmann::json;

// Bounds for the document tree: nesting (the format needs 6 levels) and total nodes with
// YAML aliases expanded (an alias bomb must not exhaust memory).
constexpr int kMaxDepth = 64;
constexpr size_t kMaxNodes = 1'000'000;

// The document as a small tree common to JSON and YAML, with YAML line numbers (0 for JSON,
// where warnings name the field path instead).
struct SNode {
  enum class Kind { kNull, kScalar, kMap, kSeq };
  Kind kind = Kind::kNull;
  std::string text;  // kScalar
  // Children: kMap values with their keys at the same index, kSeq items (keys unused).
  // Two vectors, not a vector of pairs: std::pair needs a complete SNode here.
  std::vector<std::string> keys;
  std::vector<SNode> kids;
  int line = 0;

  const SNode* Get(std::string_view key) const {
    if (kind != Kind::kMap) return nullptr;
    for (size_t i = 0; i < kids.size(); ++i) {
      if (keys[i] == key) return &kids[i];
    }
    return nullptr;
  }
};

struct Budget {
  size_t nodes = kMaxNodes;
  std::string error;
  bool Take(std::string_view path, int depth, int line) {
    if (!error.empty()) return false;
    if (nodes == 0) {
      error =
          std::string(path) + ": more than " + std::to_string(kMaxNodes) + " nodes (alias bomb?)";
      return false;
    }
    if (depth > kMaxDepth) {
      error = std::string(path) + ":" + std::to_string(line) + ": nesting deeper than " +
              std::to_string(kMaxDepth);
      return false;
    }
    --nodes;
    return true;
  }
};

bool FromYaml(const YAML::Node& n, int depth, Budget& budget, std::string_view path, SNode& out) {
  out.line = n.Mark().line + 1;
  if (!budget.Take(path, depth, out.line)) return false;
  switch (n.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      out.kind = SNode::Kind::kNull;
      return true;
    case YAML::NodeType::Scalar:
      // Plain `~`/`null` are YAML nulls; every other scalar stays text (a version key
      // "1.10" must not become a number).
      if (n.Tag() == "?" && (n.Scalar() == "~" || n.Scalar() == "null")) {
        out.kind = SNode::Kind::kNull;
      } else {
        out.kind = SNode::Kind::kScalar;
        out.text = n.Scalar();
      }
      return true;
    case YAML::NodeType::Sequence:
      out.kind = SNode::Kind::kSeq;
      for (const YAML::Node& child : n) {
        out.kids.emplace_back();
        if (!FromYaml(child, depth + 1, budget, path, out.kids.back())) return false;
      }
      return true;
    case YAML::NodeType::Map:
      out.kind = SNode::Kind::kMap;
      for (const auto& kv : n) {
        out.keys.push_back(kv.first.IsScalar() ? kv.first.Scalar() : std::string());
        out.kids.emplace_back();
        if (!FromYaml(kv.second, depth + 1, budget, path, out.kids.back())) return false;
      }
      return true;
  }
  return true;
}

bool FromJson(const json& j, int depth, Budget& budget, std::string_view path, SNode& out) {
  if (!budget.Take(path, depth, 0)) return false;
  if (j.is_object()) {
    out.kind = SNode::Kind::kMap;
    for (const auto& [k, v] : j.items()) {
      out.keys.push_back(k);
      out.kids.emplace_back();
      if (!FromJson(v, depth + 1, budget, path, out.kids.back())) return false;
    }
  } else if (j.is_array()) {
    out.kind = SNode::Kind::kSeq;
    for (const json& v : j) {
      out.kids.emplace_back();
      if (!FromJson(v, depth + 1, budget, path, out.kids.back())) return false;
    }
  } else if (j.is_string()) {
    out.kind = SNode::Kind::kScalar;
    out.text = j.get<std::string>();
  } else if (j.is_null()) {
    out.kind = SNode::Kind::kNull;
  } else {
    out.kind = SNode::Kind::kScalar;
    out.text = j.dump();
  }
  return true;
}

// "path:LINE: field" for YAML, "path: field" for JSON.
std::string Where(std::string_view path, const SNode& n, const std::string& field) {
  std::string w(path);
  if (n.line > 0) w += ":" + std::to_string(n.line);
  return w + ": " + field;
}

bool IsDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Recovers "CVE-YYYY-NNNN" from "CVE_YYYY-NNNN", "CVE-YYYY-NNNN.patch", "CVE-YYYY-NNNN-1";
// returns `token` unchanged when it is no CVE id at all.
std::string NormalizeId(std::string_view token) {
  if (token.size() < 13 || !EqualsIgnoreCase(token.substr(0, 3), "CVE") ||
      (token[3] != '-' && token[3] != '_') || !IsDigits(token.substr(4, 4)) || token[8] != '-') {
    return std::string(token);
  }
  size_t end = 9;
  while (end < token.size() && std::isdigit(static_cast<unsigned char>(token[end]))) ++end;
  if (end - 9 < 4) return std::string(token);
  return "CVE-" + std::string(token.substr(4, 4)) + "-" + std::string(token.substr(9, end - 9));
}

bool HasDigit(std::string_view s) {
  for (char c : s) {
    if (std::isdigit(static_cast<unsigned char>(c))) return true;
  }
  return false;
}

// One secfixes line → id, aliases, note. False when the line holds no id at all.
bool ParseIdLine(std::string_view raw, Advisory& adv) {
  std::string_view line = Trim(raw);
  std::string note;
  if (size_t paren = line.find('('); paren != std::string_view::npos) {
    note = std::string(Trim(line.substr(paren)));
    line = Trim(line.substr(0, paren));
  }
  std::vector<std::string_view> words;
  for (std::string_view w : Split(line, ' ', true)) {
    for (std::string_view t : Split(w, '\t', true)) words.push_back(t);
  }
  std::vector<std::string> ids;
  std::string extra;
  for (size_t i = 0; i < words.size(); ++i) {
    std::string_view w = words[i];
    // "CVE 2018-16859": the id split by a space.
    if (EqualsIgnoreCase(w, "CVE") && i + 1 < words.size() && words[i + 1].size() > 5 &&
        IsDigits(words[i + 1].substr(0, 4)) && words[i + 1][4] == '-') {
      ids.push_back(NormalizeId("CVE-" + std::string(words[++i])));
      continue;
    }
    if (w.find('?') != std::string_view::npos) continue;  // "CVE-????-?????" placeholder
    if (!HasDigit(w)) {
      extra += extra.empty() ? "" : " ";
      extra += w;
      continue;
    }
    ids.push_back(NormalizeId(w));
  }
  if (ids.empty()) {
    // Keep one advisory per line even when the line names no usable id: its first word.
    if (words.empty()) return false;
    ids.emplace_back(words[0]);
  }
  adv.id = ids[0];
  for (size_t i = 1; i < ids.size(); ++i) {
    bool dup = ids[i] == adv.id;
    for (const std::string& a : adv.aliases) dup = dup || a == ids[i];
    if (!dup) adv.aliases.push_back(ids[i]);
  }
  if (!extra.empty() && !note.empty()) extra += " ";
  adv.summary = TruncateUtf8(extra + note, kMaxText);
  return true;
}

}  // namespace

Status ImportAlpineSecdb(std::string_view path, std::string_view text, AdvisorySink& sink,
                         ImportStats& stats) {
  SNode root;
  Budget budget;
  std::string_view head = Trim(text.substr(0, 64));
  if (!head.empty() && head[0] == '{') {
    json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return InvalidArgumentError(std::string(path) + ": invalid JSON");
    if (!FromJson(doc, 0, budget, path, root)) return InvalidArgumentError(budget.error);
  } else {
    try {
      YAML::Node doc = YAML::Load(std::string(text));
      if (!FromYaml(doc, 0, budget, path, root)) return InvalidArgumentError(budget.error);
    } catch (const YAML::Exception& e) {
      return InvalidArgumentError(std::string(path) + ":" + std::to_string(e.mark.line + 1) +
                                  ": invalid YAML: " + e.msg);
    } catch (const std::exception& e) {
      return InvalidArgumentError(std::string(path) + ": invalid YAML: " + e.what());
    }
  }
  if (root.kind != SNode::Kind::kMap) {
    return InvalidArgumentError(std::string(path) + ": secdb document is not a mapping");
  }
  const SNode* distro = root.Get("distroversion");
  if (distro == nullptr || distro->kind != SNode::Kind::kScalar || distro->text.empty()) {
    return InvalidArgumentError(std::string(path) + ": no distroversion");
  }
  std::string release = distro->text;
  if (std::isdigit(static_cast<unsigned char>(release[0]))) release = "v" + release;
  const std::string ecosystem = CanonicalEcosystem("Alpine:" + release);
  const SNode* packages = root.Get("packages");
  if (packages == nullptr || packages->kind == SNode::Kind::kNull) return OkStatus();
  if (packages->kind != SNode::Kind::kSeq) {
    return InvalidArgumentError(Where(path, *packages, "packages") + ": not a list");
  }
  for (size_t i = 0; i < packages->kids.size(); ++i) {
    const SNode& item = packages->kids[i];
    std::string field = "packages[" + std::to_string(i) + "]";
    const SNode* pkg = item.Get("pkg");
    const SNode* name = pkg != nullptr ? pkg->Get("name") : nullptr;
    if (name == nullptr || name->kind != SNode::Kind::kScalar || name->text.empty()) {
      SkipRecord(stats, Where(path, item, field) + ": no pkg.name");
      continue;
    }
    field += ".pkg(" + name->text + ")";
    const SNode* secfixes = pkg->Get("secfixes");
    if (secfixes == nullptr || secfixes->kind == SNode::Kind::kNull) continue;
    if (secfixes->kind != SNode::Kind::kMap) {
      SkipRecord(stats, Where(path, *secfixes, field + ".secfixes") + ": not a mapping");
      continue;
    }
    for (size_t v = 0; v < secfixes->kids.size(); ++v) {
      const std::string& version = secfixes->keys[v];
      const SNode& ids = secfixes->kids[v];
      std::string vfield = field + ".secfixes[\"" + TruncateUtf8(version, 80) + "\"]";
      if (version.empty()) {
        SkipRecord(stats, Where(path, ids, vfield) + ": empty version key");
        continue;
      }
      if (ids.kind != SNode::Kind::kSeq) {
        SkipRecord(stats, Where(path, ids, vfield) + ": not a list of ids");
        continue;
      }
      for (size_t k = 0; k < ids.kids.size(); ++k) {
        const SNode& id_line = ids.kids[k];
        std::string ifield = vfield + "[" + std::to_string(k) + "]";
        Advisory adv;
        if (id_line.kind != SNode::Kind::kScalar || !ParseIdLine(id_line.text, adv)) {
          SkipRecord(stats, Where(path, id_line, ifield) + ": not an id");
          continue;
        }
        adv.source = "alpine-secdb";
        Affected aff;
        aff.ecosystem = ecosystem;
        aff.package = name->text;
        aff.kind = AffectedKind::kDistro;
        if (version == "0") {
          aff.distro_status = DistroStatus::kNotAffected;
        } else {
          aff.distro_status = DistroStatus::kFixed;
          aff.fixed_version = version;
        }
        adv.affected.push_back(std::move(aff));
        ++stats.advisories;
        VIGIL_RETURN_IF_ERROR(sink.Add(std::move(adv)));
      }
    }
  }
  return OkStatus();
}

}  // namespace vigil::vulndb::internal
