#include "catalog/rust.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <utility>

#include "base/strings.h"
#include "catalog/elf.h"
#include "catalog/golang.h"
#include "catalog/lang.h"
#include "catalog/purl.h"
#include "fmt/format.h"

namespace vigil::catalog {
namespace {

// Real dependency lists are a few KB compressed and well under 1 MB inflated.
constexpr size_t kMaxInflated = 16u << 20;
constexpr int kMaxTomlDepth = 32;

report::Component CargoComponent(std::string_view path, std::string_view name,
                                 std::string_view version) {
  report::Component c;
  c.name = std::string(name);
  c.version = std::string(version);
  c.ecosystem = "cargo";
  c.purl = CargoPurl(name, version);
  c.location = std::string(path);
  return c;
}

// Inflates a zlib stream into at most kMaxInflated bytes.
StatusOr<std::string> Inflate(std::string_view in) {
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) return InternalError("inflateInit failed");
  std::string out;
  char buf[16384];
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(std::min<size_t>(in.size(), UINT32_MAX));
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof(buf);
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      return InvalidArgumentError(fmt::format("zlib: {}", zs.msg != nullptr ? zs.msg : "error"));
    }
    out.append(buf, sizeof(buf) - zs.avail_out);
    if (out.size() > kMaxInflated) {
      inflateEnd(&zs);
      return ResourceExhaustedError(fmt::format("inflates beyond {} bytes", kMaxInflated));
    }
    if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) {
      inflateEnd(&zs);
      return InvalidArgumentError("zlib: truncated stream");
    }
  }
  inflateEnd(&zs);
  return out;
}

// A cursor over TOML text for the subset Cargo.lock uses.
class Toml {
 public:
  explicit Toml(std::string_view s) : s_(s) {}
  bool done() const { return pos_ >= s_.size(); }
  int line() const { return line_; }
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void SkipSpaces() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t')) ++pos_;
  }
  // Skips spaces, newlines and comments (inside arrays).
  void SkipBlank() {
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == ' ' || c == '\t' || c == '\r') {
        ++pos_;
      } else if (c == '\n') {
        ++pos_;
        ++line_;
      } else if (c == '#') {
        SkipToEol();
      } else {
        break;
      }
    }
  }
  void Skip(size_t n) { pos_ = std::min(s_.size(), pos_ + n); }
  void SkipToEol() {
    while (pos_ < s_.size() && s_[pos_] != '\n') ++pos_;
  }
  // Consumes the rest of the line: only spaces and a comment may remain.
  bool EndOfLine() {
    SkipSpaces();
    if (peek() == '\r') ++pos_;
    if (peek() == '#') SkipToEol();
    if (done()) return true;
    if (peek() != '\n') return false;
    ++pos_;
    ++line_;
    return true;
  }
  // After an error: skip to the start of the next line.
  void NextLine() {
    SkipToEol();
    if (!done()) {
      ++pos_;
      ++line_;
    }
  }
  // A key: bare, quoted, or dotted ("a.b").
  std::optional<std::string> Key() {
    std::string key;
    while (true) {
      SkipSpaces();
      char c = peek();
      if (c == '"' || c == '\'') {
        auto q = String();
        if (!q) return std::nullopt;
        key += *q;
      } else {
        size_t start = pos_;
        while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) ||
                                    s_[pos_] == '_' || s_[pos_] == '-')) {
          ++pos_;
        }
        if (pos_ == start) return std::nullopt;
        key += s_.substr(start, pos_ - start);
      }
      SkipSpaces();
      if (peek() != '.') return key;
      ++pos_;
      key += '.';
    }
  }
  // A basic ("...") or literal ('...') single-line string.
  std::optional<std::string> String() {
    char quote = peek();
    if (s_.substr(pos_, 3) == std::string(3, quote)) return std::nullopt;  // multi-line
    ++pos_;
    std::string out;
    while (pos_ < s_.size()) {
      char c = s_[pos_++];
      if (c == quote) return out;
      if (c == '\n') return std::nullopt;
      if (c == '\\' && quote == '"') {
        if (pos_ >= s_.size()) return std::nullopt;
        char e = s_[pos_++];
        switch (e) {
          case 'n':
            out += '\n';
            break;
          case 't':
            out += '\t';
            break;
          case 'r':
            out += '\r';
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case '"':
            out += '"';
            break;
          case '\\':
            out += '\\';
            break;
          case 'u':
          case 'U': {
            // Code points are kept as written: no Cargo.lock identity contains one.
            size_t n = e == 'u' ? 4 : 8;
            if (s_.size() - pos_ < n) return std::nullopt;
            out += '\\';
            out += e;
            out += s_.substr(pos_, n);
            pos_ += n;
            break;
          }
          default:
            return std::nullopt;
        }
      } else {
        out += c;
      }
    }
    return std::nullopt;
  }
  // A value; sets `*str` when it is a string. Arrays and inline tables are skipped.
  bool Value(std::optional<std::string>* str, int depth = 0) {
    if (depth > kMaxTomlDepth) return false;
    SkipSpaces();
    char c = peek();
    if (c == '"' || c == '\'') {
      auto s = String();
      if (!s) return false;
      if (str != nullptr) *str = std::move(s);
      return true;
    }
    if (c == '[' || c == '{') {
      const char close = c == '[' ? ']' : '}';
      ++pos_;
      while (true) {
        if (c == '[')
          SkipBlank();
        else
          SkipSpaces();
        if (done()) return false;
        if (peek() == close) {
          ++pos_;
          return true;
        }
        if (c == '{') {
          if (!Key()) return false;
          SkipSpaces();
          if (peek() != '=') return false;
          ++pos_;
        }
        if (!Value(nullptr, depth + 1)) return false;
        if (c == '[')
          SkipBlank();
        else
          SkipSpaces();
        if (peek() == ',') {
          ++pos_;
        } else if (peek() != close) {
          return false;
        }
      }
    }
    // Integer, float, boolean, date: a bare token.
    size_t start = pos_;
    while (pos_ < s_.size() && !std::isspace(static_cast<unsigned char>(s_[pos_])) &&
           s_[pos_] != ',' && s_[pos_] != ']' && s_[pos_] != '}' && s_[pos_] != '#') {
      ++pos_;
    }
    return pos_ > start;
  }
  // "[name]" or "[[name]]"; `*array` says which.
  std::optional<std::string> Header(bool* array) {
    ++pos_;
    *array = peek() == '[';
    if (*array) ++pos_;
    auto key = Key();
    if (!key) return std::nullopt;
    SkipSpaces();
    if (peek() != ']') return std::nullopt;
    ++pos_;
    if (*array) {
      if (peek() != ']') return std::nullopt;
      ++pos_;
    }
    return key;
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
  int line_ = 1;
};

class RustImpl : public LanguageCataloger {
 public:
  std::string_view name() const override { return "rust"; }
  std::string_view version() const override { return "1"; }
  bool Wants(std::string_view path, const FileInfo& info) const override {
    return Basename(path) == "Cargo.lock" || WantsExecutable(path, info);
  }
  bool Reduce(std::string_view path, std::string& content) const override {
    if (Basename(path) == "Cargo.lock") return true;
    return ReduceExecutable(content);
  }
  StatusOr<CatalogResult> CatalogFile(const FileSystem& fs, const std::string& path,
                                      const LangContext& context) const override {
    bool is_lock = Basename(path) == "Cargo.lock";
    if (is_lock && !context.filesystem) return CatalogResult{};
    VIGIL_ASSIGN_OR_RETURN(std::string content, fs.ReadFile(path));
    if (is_lock) return ParseCargoLock(path, content);
    return CatalogCargoAuditableBinary(path, content);
  }
};

}  // namespace

std::string CargoPurl(std::string_view name, std::string_view version) {
  return MakePurl("cargo", "", name, version, {});
}

CatalogResult ParseCargoAuditableJson(std::string_view path, std::string_view text) {
  CatalogResult out;
  out.databases.emplace_back(path);
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    out.warnings.push_back(fmt::format("{}: .dep-v0: not a JSON object", path));
    return out;
  }
  auto it = doc.find("packages");
  if (it == doc.end() || !it->is_array()) {
    out.warnings.push_back(fmt::format("{}: .dep-v0: no \"packages\" array", path));
    return out;
  }
  auto str = [](const nlohmann::json& obj, const char* key) -> std::string {
    auto f = obj.find(key);
    return f != obj.end() && f->is_string() ? f->get<std::string>() : std::string();
  };
  std::set<std::pair<std::string, std::string>> seen;
  size_t index = 0;
  for (const nlohmann::json& p : *it) {
    ++index;
    if (!p.is_object()) {
      out.warnings.push_back(fmt::format("{}: .dep-v0: package {} is not an object", path, index));
      continue;
    }
    std::string name = str(p, "name"), version = str(p, "version"), kind = str(p, "kind");
    if (name.empty() || version.empty()) {
      out.warnings.push_back(
          fmt::format("{}: .dep-v0: package {} has no name or version", path, index));
      continue;
    }
    if (!kind.empty() && kind != "runtime") continue;
    if (!seen.emplace(name, version).second) continue;
    out.components.push_back(CargoComponent(path, name, version));
  }
  return out;
}

CatalogResult CatalogCargoAuditableBinary(std::string_view path, std::string_view binary) {
  CatalogResult out;
  if (!LooksLikeElf(binary)) return out;
  auto elf = ParseElf(binary);
  if (!elf.ok()) return out;  // the Go cataloger reads the same file and reports it
  const ElfSection* section = elf->Find(".dep-v0");
  if (section == nullptr) return out;
  auto data = elf->Contents(*section);
  if (!data) {
    out.warnings.push_back(fmt::format("{}: .dep-v0 has no contents", path));
    return out;
  }
  auto json = Inflate(*data);
  if (!json.ok()) {
    out.warnings.push_back(fmt::format("{}: .dep-v0: {}", path, json.status().message()));
    return out;
  }
  return ParseCargoAuditableJson(path, *json);
}

CatalogResult ParseCargoLock(std::string_view path, std::string_view text) {
  CatalogResult out;
  out.databases.emplace_back(path);
  Toml toml(text);
  bool in_package = false;
  std::string name, version;
  int package_line = 0;
  std::set<std::pair<std::string, std::string>> seen;
  auto flush = [&] {
    if (in_package) {
      if (name.empty() || version.empty()) {
        out.warnings.push_back(
            fmt::format("{}:{}: [[package]] without name or version", path, package_line));
      } else if (seen.emplace(name, version).second) {
        out.components.push_back(CargoComponent(path, name, version));
      }
    }
    in_package = false;
    name.clear();
    version.clear();
  };
  while (true) {
    toml.SkipBlank();
    if (toml.done()) break;
    int line = toml.line();
    bool ok = true;
    if (toml.peek() == '[') {
      bool array = false;
      auto header = toml.Header(&array);
      ok = header.has_value() && toml.EndOfLine();
      if (ok) {
        flush();
        in_package = array && *header == "package";
        package_line = line;
      }
    } else {
      auto key = toml.Key();
      std::optional<std::string> value;
      ok = key.has_value();
      if (ok) {
        toml.SkipSpaces();
        ok = toml.peek() == '=';
      }
      if (ok) {
        toml.Skip(1);
        ok = toml.Value(&value) && toml.EndOfLine();
      }
      if (ok && in_package && value.has_value()) {
        if (*key == "name") name = *value;
        if (*key == "version") version = *value;
      }
    }
    if (!ok) {
      out.warnings.push_back(fmt::format("{}:{}: not understood (line skipped)", path, line));
      toml.NextLine();
    }
  }
  flush();
  return out;
}

const LanguageCataloger& RustCataloger() {
  static const RustImpl kInstance;
  return kInstance;
}

}  // namespace vigil::catalog
