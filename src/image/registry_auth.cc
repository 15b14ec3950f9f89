#include "image/registry_auth.h"

#include <cctype>

#include "base/strings.h"

namespace vigil::image {
namespace {

// RFC 7230 tchar.
bool IsTokenChar(char c) {
  if (std::isalnum(static_cast<unsigned char>(c)) != 0) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

// RFC 7235 token68 adds '/' (and '=' padding at the end).
bool IsToken68Char(char c) { return IsTokenChar(c) || c == '/'; }

class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}
  bool AtEnd() const { return pos_ >= s_.size(); }
  char Peek() const { return AtEnd() ? '\0' : s_[pos_]; }
  size_t pos() const { return pos_; }
  void Seek(size_t pos) { pos_ = pos; }
  void SkipSpace() {
    while (!AtEnd() && (s_[pos_] == ' ' || s_[pos_] == '\t')) ++pos_;
  }
  std::string_view Token() {
    size_t start = pos_;
    while (!AtEnd() && IsTokenChar(s_[pos_])) ++pos_;
    return s_.substr(start, pos_ - start);
  }
  // A token68 (token chars, '/', then '=' padding); empty if none.
  std::string_view Token68() {
    size_t start = pos_;
    while (!AtEnd() && IsToken68Char(s_[pos_])) ++pos_;
    if (pos_ == start) return {};
    while (!AtEnd() && s_[pos_] == '=') ++pos_;
    return s_.substr(start, pos_ - start);
  }
  // quoted-string with backslash escapes; the opening quote is at pos().
  bool Quoted(std::string* out) {
    ++pos_;
    while (!AtEnd()) {
      char c = s_[pos_++];
      if (c == '"') return true;
      if (c == '\\') {
        if (AtEnd()) return false;
        c = s_[pos_++];
      }
      out->push_back(c);
    }
    return false;
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

Status Malformed(size_t pos, std::string_view what) {
  return InvalidArgumentError("WWW-Authenticate: " + std::string(what) + " at offset " +
                              std::to_string(pos));
}

}  // namespace

std::string AuthChallenge::Param(std::string_view name) const {
  auto it = params.find(ToLower(name));
  return it == params.end() ? std::string() : it->second;
}

StatusOr<std::vector<AuthChallenge>> ParseWwwAuthenticate(std::string_view header) {
  std::vector<AuthChallenge> out;
  Scanner sc(header);
  for (;;) {
    // Empty list elements (", ,") are allowed by the list syntax.
    sc.SkipSpace();
    while (sc.Peek() == ',') {
      sc.Seek(sc.pos() + 1);
      sc.SkipSpace();
    }
    if (sc.AtEnd()) break;
    std::string_view scheme = sc.Token();
    if (scheme.empty()) return Malformed(sc.pos(), "expected an auth scheme");
    AuthChallenge challenge;
    challenge.scheme = ToLower(scheme);
    if (!sc.AtEnd() && sc.Peek() != ' ' && sc.Peek() != '\t' && sc.Peek() != ',') {
      return Malformed(sc.pos(), "unexpected character after scheme");
    }
    sc.SkipSpace();
    // Either one token68 or auth-params, until a token that is not followed by '=' (the
    // next challenge's scheme).
    bool first = true;
    for (;;) {
      sc.SkipSpace();
      if (sc.AtEnd()) break;
      if (sc.Peek() == ',') {
        sc.Seek(sc.pos() + 1);
        first = false;
        continue;
      }
      size_t mark = sc.pos();
      if (first) {
        // "Negotiate abc+/de==": a token68 stands alone before ',' or the end, whereas a
        // parameter has a value after its '='.
        std::string_view t68 = sc.Token68();
        sc.SkipSpace();
        if (!t68.empty() && (sc.AtEnd() || sc.Peek() == ',')) {
          challenge.token68 = std::string(t68);
          first = false;
          continue;
        }
        sc.Seek(mark);
      }
      first = false;
      std::string_view name = sc.Token();
      if (name.empty()) return Malformed(sc.pos(), "expected a parameter");
      sc.SkipSpace();
      if (sc.Peek() != '=') {
        sc.Seek(mark);  // the next challenge starts here
        break;
      }
      sc.Seek(sc.pos() + 1);
      sc.SkipSpace();
      std::string value;
      if (sc.Peek() == '"') {
        if (!sc.Quoted(&value)) return Malformed(sc.pos(), "unterminated quoted string");
      } else {
        std::string_view v = sc.Token68();
        if (v.empty()) return Malformed(sc.pos(), "expected a parameter value");
        value = std::string(v);
      }
      challenge.params[ToLower(name)] = std::move(value);
      sc.SkipSpace();
      if (!sc.AtEnd() && sc.Peek() != ',') return Malformed(sc.pos(), "expected ','");
    }
    out.push_back(std::move(challenge));
  }
  if (out.empty()) return InvalidArgumentError("WWW-Authenticate: no challenge");
  return out;
}

std::string RepositoryScope(std::string_view repository, std::string_view actions) {
  std::string s = "repository:";
  s += repository;
  s += ':';
  s += actions;
  return s;
}

}  // namespace vigil::image
