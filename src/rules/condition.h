// The condition language's parser: Falco's filter syntax to an AST. Macros and lists are
// resolved later, by the compiler, so the AST keeps names as written.
//
//   expr    := or
//   or      := and ("or" and)*
//   and     := not ("and" not)*
//   not     := "not" not | primary
//   primary := "(" expr ")" | FIELD unary-op | FIELD binary-op VALUE
//            | FIELD list-op "(" [VALUE ("," VALUE)*] ")" | MACRO
//
// VALUE is a bare word or a quoted string ('...' or "...", backslash escapes). A FIELD is told
// from a MACRO by what follows it (an operator), as Falco does.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace vigil::rules {

struct Operand {
  std::string text;
  bool quoted = false;  // quoted operands never name a list
};

struct Ast {
  enum class Kind : uint8_t { kAnd, kOr, kNot, kCompare, kMacro };
  Kind kind = Kind::kAnd;
  std::vector<std::unique_ptr<Ast>> children;  // kAnd, kOr (2+), kNot (1)
  std::string name;                            // kCompare: the field as written; kMacro: name
  std::string op;                              // kCompare: "=", "in", "exists", ...
  bool list_op = false;                        // the operand was a parenthesised list
  std::vector<Operand> values;                 // kCompare: 0 (exists), 1, or the list
  size_t column = 0;                           // 1-based position in the condition text
};
using AstPtr = std::unique_ptr<Ast>;

// Nesting deeper than this is rejected (bounded recursion on untrusted rule files).
inline constexpr int kMaxConditionDepth = 200;

// Parses `text`; errors say "column N: ..." and what was expected.
StatusOr<AstPtr> ParseCondition(std::string_view text);

// Whether `op` (lower case) is an operator this parser knows; list operators take "(...)".
bool IsUnaryOperator(std::string_view op);
bool IsListOperator(std::string_view op);
bool IsBinaryOperator(std::string_view op);

}  // namespace vigil::rules
