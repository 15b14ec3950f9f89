#include "catalog/golang.h"

#include <map>
#include <optional>
#include <set>
#include <utility>

#include "base/strings.h"
#include "catalog/elf.h"
#include "catalog/lang.h"
#include "catalog/purl.h"
#include "fmt/format.h"

namespace vigil::catalog {
namespace {

constexpr std::string_view kBuildInfoMagic = "\xff Go buildinf:";
constexpr size_t kBuildInfoHeader = 32;
// Bounds on the two strings; real modinfo of large programs is tens of KB.
constexpr uint64_t kMaxBuildInfoString = 4ull << 20;
constexpr uint64_t kMinExecutable = 1024;

// Reads an unsigned LEB128 varint at `*pos`, as encoding/binary.Uvarint.
std::optional<uint64_t> ReadUvarint(std::string_view d, size_t* pos) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64 && *pos < d.size(); shift += 7) {
    auto b = static_cast<unsigned char>(d[(*pos)++]);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return v;
  }
  return std::nullopt;
}

std::optional<std::string_view> ReadInlineString(std::string_view d, size_t* pos) {
  auto len = ReadUvarint(d, pos);
  if (!len || *len > kMaxBuildInfoString || *len > d.size() - *pos) return std::nullopt;
  std::string_view s = d.substr(*pos, *len);
  *pos += *len;
  return s;
}

// Pre-1.18 format: `ptr` is the address of a Go string header {data pointer, length}.
std::optional<std::string_view> ReadPointerString(const ElfFile& elf, uint64_t ptr, int ptr_size) {
  auto header = elf.ReadAddress(ptr, 2ull * ptr_size);
  if (!header) {
    // A header in .bss is a zero-valued (empty) string: the module info of a GOPATH-mode
    // build (Debian's Go packages of that era) lives there.
    for (const ElfSection& s : elf.sections) {
      if (s.type == kElfSectionNoBits && ptr >= s.addr && ptr - s.addr < s.size) {
        return std::string_view();
      }
    }
    return std::nullopt;
  }
  uint64_t data = elf.Uint(header->substr(0, ptr_size), ptr_size);
  uint64_t len = elf.Uint(header->substr(ptr_size), ptr_size);
  if (len > kMaxBuildInfoString) return std::nullopt;
  // An empty string (module info of a GOPATH-mode build, as Debian's Go packages of that
  // era are) has a null data pointer.
  if (len == 0) return std::string_view();
  return elf.ReadAddress(data, len);
}

// The modinfo string is framed by 16-byte sentinels; runtime/debug strips them the same way.
std::string_view StripSentinels(std::string_view mod) {
  if (mod.size() >= 33 && mod[mod.size() - 17] == '\n') return mod.substr(16, mod.size() - 32);
  return {};
}

std::string_view Field(const std::vector<std::string_view>& f, size_t i) {
  return i < f.size() ? f[i] : std::string_view();
}

report::Component GoComponent(std::string_view path, std::string_view name,
                              std::string_view version) {
  report::Component c;
  c.name = std::string(name);
  c.version = std::string(version);
  c.ecosystem = "golang";
  c.purl = GoPurl(name, version);
  c.location = std::string(path);
  return c;
}

// The module identity to report for a requirement, per the replacement rule in golang.h.
std::pair<std::string, std::string> Effective(const GoModule& m) {
  // A directory replacement: go.mod has no version, the binary records "(devel)".
  bool local = m.replace_version.empty() || m.replace_version == "(devel)" ||
               StartsWith(m.replace_path, ".") || StartsWith(m.replace_path, "/");
  if (!m.replace_path.empty() && !local) {
    return {m.replace_path, m.replace_version};
  }
  return {m.path, m.version};
}

// Splits a go.mod line into tokens: bare words and "quoted strings"; `//` starts a comment.
std::vector<std::string> GoModTokens(std::string_view line) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < line.size()) {
    char c = line[i];
    if (c == ' ' || c == '\t') {
      ++i;
    } else if (line.substr(i, 2) == "//") {
      break;
    } else if (c == '"' || c == '`') {
      size_t end = line.find(c, i + 1);
      if (end == std::string_view::npos) end = line.size();
      out.emplace_back(line.substr(i + 1, end - i - 1));
      i = end + 1;
    } else {
      size_t end = line.find_first_of(" \t", i);
      if (end == std::string_view::npos) end = line.size();
      out.emplace_back(line.substr(i, end - i));
      i = end;
    }
  }
  return out;
}

class GoImpl : public LanguageCataloger {
 public:
  std::string_view name() const override { return "go"; }
  std::string_view version() const override { return "1"; }
  bool Wants(std::string_view path, const FileInfo& info) const override {
    return Basename(path) == "go.mod" || WantsExecutable(path, info);
  }
  bool Reduce(std::string_view path, std::string& content) const override {
    if (Basename(path) == "go.mod") return true;
    return ReduceExecutable(content);
  }
  StatusOr<CatalogResult> CatalogFile(const FileSystem& fs, const std::string& path,
                                      const LangContext& context) const override {
    bool is_mod = Basename(path) == "go.mod";
    if (is_mod && !context.filesystem) return CatalogResult{};
    VIGIL_ASSIGN_OR_RETURN(std::string content, fs.ReadFile(path));
    if (is_mod) {
      CatalogResult r = ParseGoMod(path, content);
      if (r.databases.empty()) r.databases.push_back(path);
      return r;
    }
    return CatalogGoBinary(path, content);
  }
};

}  // namespace

std::string GoPurl(std::string_view module_path, std::string_view version) {
  std::string out = "pkg:golang/";
  for (std::string_view seg : Split(module_path, '/', true)) {
    out += PurlEncode(seg);
    out += '/';
  }
  if (!out.empty() && out.back() == '/') out.pop_back();
  if (!version.empty()) {
    out += '@';
    out += PurlEncode(version);
  }
  return out;
}

GoBuildInfo ParseGoModInfo(std::string_view modinfo) {
  GoBuildInfo info;
  GoModule* last = nullptr;
  for (std::string_view line : SplitLines(modinfo)) {
    std::vector<std::string_view> f = Split(line, '\t');
    std::string_view kind = Field(f, 0);
    if (kind == "path") {
      info.path = std::string(Field(f, 1));
      last = nullptr;
    } else if (kind == "mod" || kind == "dep") {
      if (Field(f, 1).empty()) {
        last = nullptr;  // old toolchains emit an empty "(devel)" dep: skip it
        continue;
      }
      GoModule m;
      m.path = std::string(Field(f, 1));
      m.version = std::string(Field(f, 2));
      if (kind == "mod") {
        info.main = std::move(m);
        last = &info.main;
      } else {
        info.deps.push_back(std::move(m));
        last = &info.deps.back();
      }
    } else if (kind == "=>") {
      if (last == nullptr || Field(f, 1).empty()) continue;
      last->replace_path = std::string(Field(f, 1));
      last->replace_version = std::string(Field(f, 2));
      last = nullptr;
    }
  }
  return info;
}

StatusOr<GoBuildInfo> ReadGoBuildInfo(std::string_view binary) {
  if (!LooksLikeElf(binary)) return NotFoundError("not an ELF file");
  VIGIL_ASSIGN_OR_RETURN(ElfFile elf, ParseElf(binary));
  const ElfSection* section = elf.Find(".go.buildinfo");
  if (section == nullptr) return NotFoundError("no .go.buildinfo section");
  auto data = elf.Contents(*section);
  if (!data) return InvalidArgumentError(".go.buildinfo has no contents");
  if (data->size() < kBuildInfoHeader ||
      data->substr(0, kBuildInfoMagic.size()) != kBuildInfoMagic) {
    return InvalidArgumentError(".go.buildinfo: bad magic or truncated header");
  }
  const int ptr_size = static_cast<unsigned char>((*data)[14]);
  const unsigned flags = static_cast<unsigned char>((*data)[15]);
  std::optional<std::string_view> version, mod;
  if (flags & 2) {
    size_t pos = kBuildInfoHeader;
    version = ReadInlineString(*data, &pos);
    if (version) mod = ReadInlineString(*data, &pos);
  } else {
    if (ptr_size != 4 && ptr_size != 8) {
      return InvalidArgumentError(fmt::format(".go.buildinfo: pointer size {}", ptr_size));
    }
    if ((flags & 1) != (elf.big_endian ? 1u : 0u)) {
      return InvalidArgumentError(".go.buildinfo: byte order differs from the ELF header");
    }
    uint64_t vptr = elf.Uint(data->substr(16, ptr_size), ptr_size);
    uint64_t mptr = elf.Uint(data->substr(16 + ptr_size, ptr_size), ptr_size);
    version = ReadPointerString(elf, vptr, ptr_size);
    if (version) mod = ReadPointerString(elf, mptr, ptr_size);
  }
  if (!version || !mod) {
    return InvalidArgumentError(".go.buildinfo: version or module info out of bounds");
  }
  GoBuildInfo info = ParseGoModInfo(StripSentinels(*mod));
  info.go_version = std::string(*version);
  return info;
}

CatalogResult CatalogGoBinary(std::string_view path, std::string_view binary) {
  CatalogResult out;
  auto info = ReadGoBuildInfo(binary);
  if (!info.ok()) {
    if (!IsNotFound(info.status())) {
      out.warnings.push_back(fmt::format("{}: {}", path, info.status().message()));
    }
    return out;
  }
  out.databases.emplace_back(path);
  std::set<std::pair<std::string, std::string>> seen;
  auto add = [&](const std::string& name, const std::string& version) {
    if (name.empty() || !seen.emplace(name, version).second) return;
    out.components.push_back(GoComponent(path, name, version));
  };
  if (!info->main.path.empty() && !info->main.version.empty() && info->main.version != "(devel)") {
    auto [name, version] = Effective(info->main);
    add(name, version);
  }
  for (const GoModule& dep : info->deps) {
    auto [name, version] = Effective(dep);
    add(name, version);
  }
  std::string_view go = info->go_version;
  if (StartsWith(go, "go")) {
    go.remove_prefix(2);
    // "go1.20.1 X:boringcrypto" or "devel go1.22-abc": keep the release number only.
    go = go.substr(0, go.find_first_of(" \t"));
    if (!go.empty()) add("stdlib", std::string(go));
  } else if (!go.empty()) {
    out.warnings.push_back(
        fmt::format("{}: Go version '{}' not understood; stdlib not reported", path, go));
  }
  return out;
}

CatalogResult ParseGoMod(std::string_view path, std::string_view text) {
  CatalogResult out;
  out.databases.emplace_back(path);
  std::vector<GoModule> requires_;
  // Replacements: (path, version or "" for all versions) -> replacement.
  std::map<std::pair<std::string, std::string>, std::pair<std::string, std::string>> replaces;
  std::string block;  // verb of the open "verb (" block
  int line_no = 0;
  auto warn = [&](std::string_view what) {
    out.warnings.push_back(fmt::format("{}:{}: {}", path, line_no, what));
  };
  for (std::string_view line : SplitLines(text)) {
    ++line_no;
    std::vector<std::string> t = GoModTokens(line);
    if (t.empty()) continue;
    std::string verb;
    if (block.empty()) {
      verb = t[0];
      t.erase(t.begin());
      if (!t.empty() && t[0] == "(") {
        if (t.size() != 1) warn("unexpected text after '('");
        block = verb;
        continue;
      }
    } else {
      if (t[0] == ")") {
        block.clear();
        continue;
      }
      verb = block;
    }
    if (verb == "require") {
      if (t.size() != 2) {
        warn("require: expected '<module> <version>'");
        continue;
      }
      requires_.push_back(GoModule{t[0], t[1], "", ""});
    } else if (verb == "replace") {
      // old [version] => new [version]
      size_t arrow = 0;
      while (arrow < t.size() && t[arrow] != "=>") ++arrow;
      if (arrow == 0 || arrow > 2 || arrow + 1 >= t.size() || t.size() - arrow > 3) {
        warn("replace: expected '<module> [version] => <module> [version]'");
        continue;
      }
      std::string old_version = arrow == 2 ? t[1] : "";
      std::string new_version = t.size() - arrow == 3 ? t[arrow + 2] : "";
      replaces[{t[0], old_version}] = {t[arrow + 1], new_version};
    }
    // module, go, toolchain, exclude, retract, godebug: no dependency identity.
  }
  if (!block.empty()) warn(fmt::format("'{} (' block not closed", block));
  std::set<std::pair<std::string, std::string>> seen;
  for (GoModule& m : requires_) {
    auto it = replaces.find({m.path, m.version});
    if (it == replaces.end()) it = replaces.find({m.path, ""});
    if (it != replaces.end()) {
      m.replace_path = it->second.first;
      m.replace_version = it->second.second;
    }
    auto [name, version] = Effective(m);
    if (!seen.emplace(name, version).second) continue;
    out.components.push_back(GoComponent(path, name, version));
  }
  return out;
}

bool WantsExecutable(std::string_view path, const FileInfo& info) {
  if (info.type != FileType::kRegular || (info.mode & 0111) == 0 || info.size < kMinExecutable) {
    return false;
  }
  std::string_view base = Basename(path);
  if (base == "go.mod" || base == "Cargo.lock") return false;
  FileInfo plain = info;
  plain.mode &= ~0111u;
  for (const LanguageCataloger* c : LanguageCatalogers()) {
    if (c == &GoCataloger() || c == &RustCataloger()) continue;
    if (c->Wants(path, plain)) return false;
  }
  return true;
}

const LanguageCataloger& GoCataloger() {
  static const GoImpl kInstance;
  return kInstance;
}

}  // namespace vigil::catalog
