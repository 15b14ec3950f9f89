#include "catalog/ruby.h"

#include <cctype>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "base/strings.h"
#include "catalog/lang.h"
#include "catalog/purl.h"
#include "fmt/format.h"

namespace vigil::catalog {
namespace {

report::Component GemComponent(std::string_view path, std::string_view name,
                               std::string_view version) {
  report::Component c;
  c.name = std::string(name);
  c.version = std::string(version);
  c.ecosystem = "gem";
  c.purl = GemPurl(name, version);
  c.location = std::string(path);
  return c;
}

char ClosingDelimiter(char open) {
  switch (open) {
    case '{':
      return '}';
    case '(':
      return ')';
    case '[':
      return ']';
    case '<':
      return '>';
    default:
      return open;
  }
}

// The string literals of a Ruby expression, in order: "..." and '...' (escapes \\ and the
// quote), %q/%Q with any delimiter, %w word lists. Interpolation is not evaluated.
std::vector<std::string> StringLiterals(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == '#') break;  // comment
    if (c == '"' || c == '\'') {
      std::string lit;
      size_t j = i + 1;
      for (; j < s.size() && s[j] != c; ++j) {
        if (s[j] == '\\' && j + 1 < s.size()) ++j;
        lit += s[j];
      }
      out.push_back(std::move(lit));
      i = j + 1;
    } else if (c == '%' && i + 2 < s.size() &&
               (s[i + 1] == 'q' || s[i + 1] == 'Q' || s[i + 1] == 'w' || s[i + 1] == 'W')) {
      char kind = s[i + 1];
      char close = ClosingDelimiter(s[i + 2]);
      size_t end = s.find(close, i + 3);
      if (end == std::string_view::npos) end = s.size();
      std::string_view body = s.substr(i + 3, end - i - 3);
      if (kind == 'w' || kind == 'W') {
        for (std::string_view w : Split(body, ' ', true)) out.emplace_back(w);
      } else {
        out.emplace_back(body);
      }
      i = end + 1;
    } else {
      ++i;
    }
  }
  return out;
}

// "<ident>.<attr> = <rhs>" -> {attr, rhs}.
std::optional<std::pair<std::string_view, std::string_view>> Assignment(std::string_view line) {
  size_t i = 0;
  auto ident = [&] {
    size_t start = i;
    while (i < line.size() &&
           (std::isalnum(static_cast<unsigned char>(line[i])) || line[i] == '_')) {
      ++i;
    }
    return line.substr(start, i - start);
  };
  if (ident().empty() || i >= line.size() || line[i] != '.') return std::nullopt;
  ++i;
  std::string_view attr = ident();
  if (attr.empty()) return std::nullopt;
  while (i < line.size() && line[i] == ' ') ++i;
  if (i >= line.size() || line[i] != '=' || (i + 1 < line.size() && line[i + 1] == '=')) {
    return std::nullopt;
  }
  return std::make_pair(attr, Trim(line.substr(i + 1)));
}

class RubyImpl : public LanguageCataloger {
 public:
  std::string_view name() const override { return "ruby"; }
  std::string_view version() const override { return "1"; }
  bool Wants(std::string_view path, const FileInfo& info) const override {
    if (Basename(path) == "Gemfile.lock") return true;
    return EndsWith(path, ".gemspec") && Basename(Dirname(path)) == "specifications";
  }
  StatusOr<CatalogResult> CatalogFile(const FileSystem& fs, const std::string& path,
                                      const LangContext& context) const override {
    bool is_lock = Basename(path) == "Gemfile.lock";
    if (is_lock && !context.filesystem) return CatalogResult{};
    VIGIL_ASSIGN_OR_RETURN(std::string content, fs.ReadFile(path));
    return is_lock ? ParseGemfileLock(path, content) : ParseGemspec(path, content);
  }
};

}  // namespace

std::string GemPurl(std::string_view name, std::string_view version) {
  return MakePurl("gem", "", name, version, {});
}

CatalogResult ParseGemspec(std::string_view path, std::string_view text) {
  CatalogResult out;
  out.databases.emplace_back(path);
  std::string name, version, stub_name, stub_version;
  std::vector<std::string> licenses;
  for (std::string_view line : SplitLines(text)) {
    line = Trim(line);
    if (StartsWith(line, "# stub: ")) {
      std::vector<std::string_view> f = Split(line.substr(8), ' ', true);
      if (f.size() >= 2) {
        stub_name = std::string(f[0]);
        stub_version = std::string(f[1]);
      }
      continue;
    }
    auto assign = Assignment(line);
    if (!assign) continue;
    auto [attr, rhs] = *assign;
    std::vector<std::string> lits = StringLiterals(rhs);
    if (attr == "name" && name.empty() && !lits.empty()) {
      name = lits[0];
    } else if (attr == "version" && version.empty() && !lits.empty()) {
      version = lits[0];
    } else if ((attr == "licenses" || attr == "license") && licenses.empty()) {
      for (auto& l : lits) {
        if (!l.empty()) licenses.push_back(std::move(l));
      }
    }
  }
  if (name.empty()) name = stub_name;
  if (version.empty()) version = stub_version;
  if (name.empty() || version.empty()) {
    out.warnings.push_back(fmt::format("{}: gemspec without name or version", path));
    return out;
  }
  out.components.push_back(GemComponent(path, name, version));
  out.components.back().licenses = std::move(licenses);
  return out;
}

CatalogResult ParseGemfileLock(std::string_view path, std::string_view text) {
  CatalogResult out;
  out.databases.emplace_back(path);
  std::string section;
  bool in_specs = false;
  int line_no = 0;
  std::set<std::pair<std::string, std::string>> seen;
  for (std::string_view line : SplitLines(text)) {
    ++line_no;
    if (Trim(line).empty()) continue;
    if (line[0] != ' ') {
      section = std::string(Trim(line));
      in_specs = false;
      continue;
    }
    if (section != "GEM") continue;
    if (StartsWith(line, "  ") && !StartsWith(line, "   ")) {
      in_specs = Trim(line) == "specs:";
      continue;
    }
    if (!in_specs || !StartsWith(line, "    ") || StartsWith(line, "     ")) continue;
    std::string_view spec = Trim(line);
    size_t open = spec.find(" (");
    if (open == std::string_view::npos || spec.back() != ')') {
      out.warnings.push_back(
          fmt::format("{}:{}: expected '<name> (<version>)' in GEM specs", path, line_no));
      continue;
    }
    std::string_view name = spec.substr(0, open);
    std::string_view version = spec.substr(open + 2, spec.size() - open - 3);
    version = version.substr(0, version.find('-'));  // platform suffix
    if (name.empty() || version.empty()) {
      out.warnings.push_back(fmt::format("{}:{}: empty gem name or version", path, line_no));
      continue;
    }
    if (!seen.emplace(name, version).second) continue;
    out.components.push_back(GemComponent(path, name, version));
  }
  return out;
}

const LanguageCataloger& RubyCataloger() {
  static const RubyImpl kInstance;
  return kInstance;
}

}  // namespace vigil::catalog
