#include "rules/condition.h"

#include <fmt/format.h>

#include <cctype>

namespace vigil::rules {
namespace {

enum class Tok : uint8_t { kEnd, kWord, kString, kLParen, kRParen, kComma, kOp };

struct Token {
  Tok type = Tok::kEnd;
  std::string text;
  size_t column = 0;
};

bool IsSymbolOpChar(char c) { return c == '=' || c == '!' || c == '<' || c == '>'; }

bool IsWordChar(char c) {
  return !std::isspace(static_cast<unsigned char>(c)) && c != '(' && c != ')' && c != ',' &&
         c != '"' && c != '\'' && !IsSymbolOpChar(c);
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  StatusOr<AstPtr> Parse() {
    VIGIL_RETURN_IF_ERROR(Next());
    AstPtr root;
    VIGIL_ASSIGN_OR_RETURN(root, ParseOr(0));
    if (tok_.type != Tok::kEnd)
      return Error(tok_.column, fmt::format("unexpected '{}'", tok_.text));
    return root;
  }

 private:
  Status Error(size_t column, std::string message) const {
    return InvalidArgumentError(fmt::format("column {}: {}", column, message));
  }

  Status Next() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    tok_ = Token();
    tok_.column = pos_ + 1;
    if (pos_ >= text_.size()) return OkStatus();
    char c = text_[pos_];
    if (c == '(' || c == ')' || c == ',') {
      tok_.type = c == '(' ? Tok::kLParen : c == ')' ? Tok::kRParen : Tok::kComma;
      tok_.text = std::string(1, c);
      ++pos_;
      return OkStatus();
    }
    if (c == '"' || c == '\'') {
      char quote = c;
      ++pos_;
      std::string s;
      while (true) {
        if (pos_ >= text_.size()) return Error(tok_.column, "unterminated string");
        char d = text_[pos_++];
        if (d == quote) break;
        if (d == '\\' && pos_ < text_.size()) {
          char e = text_[pos_++];
          switch (e) {
            case 'n':
              s.push_back('\n');
              break;
            case 't':
              s.push_back('\t');
              break;
            default:
              s.push_back(e);
              break;
          }
          continue;
        }
        s.push_back(d);
      }
      tok_.type = Tok::kString;
      tok_.text = std::move(s);
      return OkStatus();
    }
    if (IsSymbolOpChar(c)) {
      // The longest operator that is valid: "evt.dir=<" is "=" then the value "<".
      std::string op(1, c);
      if (pos_ + 1 < text_.size()) {
        std::string two(text_.substr(pos_, 2));
        if (two == "==" || two == "!=" || two == "<=" || two == ">=") op = two;
      }
      if (op == "!") return Error(tok_.column, "unknown operator '!'");
      pos_ += op.size();
      if (op == "==") op = "=";
      tok_.type = Tok::kOp;
      tok_.text = std::move(op);
      return OkStatus();
    }
    size_t start = pos_;
    while (pos_ < text_.size() && IsWordChar(text_[pos_])) ++pos_;
    tok_.type = Tok::kWord;
    tok_.text = std::string(text_.substr(start, pos_ - start));
    return OkStatus();
  }

  static bool IsKeyword(const Token& t, std::string_view word) {
    return t.type == Tok::kWord && t.text == word;
  }

  AstPtr Combine(Ast::Kind kind, AstPtr first, std::vector<AstPtr> rest, size_t column) {
    if (rest.empty()) return first;
    auto node = std::make_unique<Ast>();
    node->kind = kind;
    node->column = column;
    node->children.push_back(std::move(first));
    for (auto& r : rest) node->children.push_back(std::move(r));
    return node;
  }

  StatusOr<AstPtr> ParseOr(int depth) {
    if (depth > kMaxConditionDepth) return Error(tok_.column, "condition nested too deeply");
    size_t column = tok_.column;
    AstPtr first;
    VIGIL_ASSIGN_OR_RETURN(first, ParseAnd(depth));
    std::vector<AstPtr> rest;
    while (IsKeyword(tok_, "or")) {
      VIGIL_RETURN_IF_ERROR(Next());
      AstPtr next;
      VIGIL_ASSIGN_OR_RETURN(next, ParseAnd(depth));
      rest.push_back(std::move(next));
    }
    return Combine(Ast::Kind::kOr, std::move(first), std::move(rest), column);
  }

  StatusOr<AstPtr> ParseAnd(int depth) {
    size_t column = tok_.column;
    AstPtr first;
    VIGIL_ASSIGN_OR_RETURN(first, ParseNot(depth));
    std::vector<AstPtr> rest;
    while (IsKeyword(tok_, "and")) {
      VIGIL_RETURN_IF_ERROR(Next());
      AstPtr next;
      VIGIL_ASSIGN_OR_RETURN(next, ParseNot(depth));
      rest.push_back(std::move(next));
    }
    return Combine(Ast::Kind::kAnd, std::move(first), std::move(rest), column);
  }

  StatusOr<AstPtr> ParseNot(int depth) {
    if (depth > kMaxConditionDepth) return Error(tok_.column, "condition nested too deeply");
    if (IsKeyword(tok_, "not")) {
      size_t column = tok_.column;
      VIGIL_RETURN_IF_ERROR(Next());
      AstPtr child;
      VIGIL_ASSIGN_OR_RETURN(child, ParseNot(depth + 1));
      auto node = std::make_unique<Ast>();
      node->kind = Ast::Kind::kNot;
      node->column = column;
      node->children.push_back(std::move(child));
      return node;
    }
    return ParsePrimary(depth);
  }

  StatusOr<Operand> ParseValue() {
    // A bare "<" or ">" is a value (evt.dir=<), as in Falco.
    bool dir_value = tok_.type == Tok::kOp && (tok_.text == "<" || tok_.text == ">");
    if (tok_.type != Tok::kWord && tok_.type != Tok::kString && !dir_value) {
      return Error(tok_.column, tok_.type == Tok::kEnd
                                    ? std::string("expected a value, found the end")
                                    : fmt::format("expected a value, found '{}'", tok_.text));
    }
    Operand v{tok_.text, tok_.type == Tok::kString};
    VIGIL_RETURN_IF_ERROR(Next());
    return v;
  }

  StatusOr<AstPtr> ParsePrimary(int depth) {
    if (tok_.type == Tok::kLParen) {
      size_t column = tok_.column;
      VIGIL_RETURN_IF_ERROR(Next());
      AstPtr inner;
      VIGIL_ASSIGN_OR_RETURN(inner, ParseOr(depth + 1));
      if (tok_.type != Tok::kRParen) {
        return Error(tok_.column,
                     fmt::format("expected ')' to close the '(' at column {}", column));
      }
      VIGIL_RETURN_IF_ERROR(Next());
      return inner;
    }
    if (tok_.type != Tok::kWord) {
      return Error(tok_.column, tok_.type == Tok::kEnd
                                    ? std::string("expected a condition, found the end")
                                    : fmt::format("expected a condition, found '{}'", tok_.text));
    }
    if (tok_.text == "and" || tok_.text == "or") {
      return Error(tok_.column, fmt::format("'{}' without a left operand", tok_.text));
    }
    Token name = tok_;
    VIGIL_RETURN_IF_ERROR(Next());
    auto node = std::make_unique<Ast>();
    node->column = name.column;
    node->name = name.text;
    std::string op;
    if (tok_.type == Tok::kOp) {
      op = tok_.text;
    } else if (tok_.type == Tok::kWord &&
               (IsUnaryOperator(tok_.text) || IsBinaryOperator(tok_.text) ||
                IsListOperator(tok_.text))) {
      op = tok_.text;
    }
    if (op.empty()) {
      // A macro reference: a plain identifier.
      for (char c : name.text) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') {
          if (tok_.type == Tok::kWord && !IsKeyword(tok_, "and") && !IsKeyword(tok_, "or")) {
            return Error(tok_.column,
                         fmt::format("unknown operator '{}' after '{}'", tok_.text, name.text));
          }
          return Error(
              name.column,
              fmt::format("'{}' is neither a macro name nor followed by an operator", name.text));
        }
      }
      node->kind = Ast::Kind::kMacro;
      return node;
    }
    node->kind = Ast::Kind::kCompare;
    node->op = op;
    VIGIL_RETURN_IF_ERROR(Next());
    if (IsUnaryOperator(op)) return node;
    if (IsListOperator(op)) {
      if (tok_.type != Tok::kLParen) {
        // Falco also accepts a single value after `in`; treat it as a one-item list.
        Operand v;
        VIGIL_ASSIGN_OR_RETURN(v, ParseValue());
        node->values.push_back(std::move(v));
        node->list_op = true;
        return node;
      }
      VIGIL_RETURN_IF_ERROR(Next());
      node->list_op = true;
      if (tok_.type == Tok::kRParen) {
        VIGIL_RETURN_IF_ERROR(Next());
        return node;
      }
      while (true) {
        Operand v;
        VIGIL_ASSIGN_OR_RETURN(v, ParseValue());
        node->values.push_back(std::move(v));
        if (tok_.type == Tok::kComma) {
          VIGIL_RETURN_IF_ERROR(Next());
          continue;
        }
        if (tok_.type == Tok::kRParen) break;
        return Error(tok_.column,
                     tok_.type == Tok::kEnd
                         ? std::string("expected ',' or ')' in a list, found the end")
                         : fmt::format("expected ',' or ')' in a list, found '{}'", tok_.text));
      }
      VIGIL_RETURN_IF_ERROR(Next());
      return node;
    }
    Operand v;
    VIGIL_ASSIGN_OR_RETURN(v, ParseValue());
    if (tok_.type == Tok::kLParen && !v.quoted) {
      return Error(tok_.column, fmt::format("'{}(...)' (a field or transformer as the right-hand "
                                            "side) is not supported",
                                            v.text));
    }
    node->values.push_back(std::move(v));
    return node;
  }

  std::string_view text_;
  size_t pos_ = 0;
  Token tok_;
};

}  // namespace

bool IsUnaryOperator(std::string_view op) { return op == "exists"; }

bool IsListOperator(std::string_view op) {
  return op == "in" || op == "intersects" || op == "pmatch";
}

bool IsBinaryOperator(std::string_view op) {
  return op == "=" || op == "!=" || op == "<" || op == "<=" || op == ">" || op == ">=" ||
         op == "contains" || op == "icontains" || op == "bcontains" || op == "startswith" ||
         op == "bstartswith" || op == "endswith" || op == "glob" || op == "iglob" || op == "regex";
}

StatusOr<AstPtr> ParseCondition(std::string_view text) { return Parser(text).Parse(); }

}  // namespace vigil::rules
