// The condition parser: precedence, operators, lists, quoting, and error positions.
#include "rules/condition.h"

#include <gtest/gtest.h>

namespace vigil::rules {
namespace {

// A compact rendering of the AST for assertions.
std::string Show(const Ast& a) {
  switch (a.kind) {
    case Ast::Kind::kAnd:
    case Ast::Kind::kOr: {
      std::string s = a.kind == Ast::Kind::kAnd ? "(and" : "(or";
      for (const auto& c : a.children) s += " " + Show(*c);
      return s + ")";
    }
    case Ast::Kind::kNot:
      return "(not " + Show(*a.children[0]) + ")";
    case Ast::Kind::kMacro:
      return a.name;
    case Ast::Kind::kCompare: {
      std::string s = "[" + a.name + " " + a.op;
      if (a.list_op) s += " (";
      for (size_t i = 0; i < a.values.size(); ++i) {
        s += std::string(a.list_op ? (i ? "," : "") : " ") +
             std::string(a.values[i].quoted ? "'" : "") + a.values[i].text;
      }
      if (a.list_op) s += ")";
      return s + "]";
    }
  }
  return "?";
}

std::string P(std::string_view text) {
  auto ast = ParseCondition(text);
  if (!ast.ok()) return "ERROR " + ast.status().message();
  return Show(**ast);
}

TEST(ConditionTest, AndBindsTighterThanOrAndNotTighterThanAnd) {
  EXPECT_EQ(P("a or b and c"), "(or a (and b c))");
  EXPECT_EQ(P("not a and b"), "(and (not a) b)");
  EXPECT_EQ(P("not (a or b)"), "(not (or a b))");
  EXPECT_EQ(P("a and b and c or d"), "(or (and a b c) d)");
  EXPECT_EQ(P("not not a"), "(not (not a))");
}

TEST(ConditionTest, Operators) {
  EXPECT_EQ(P("evt.dir=<"), "[evt.dir = <]");
  EXPECT_EQ(P("evt.dir = <"), "[evt.dir = <]");
  EXPECT_EQ(P("fd.num>=0"), "[fd.num >= 0]");
  EXPECT_EQ(P("fd.num==3"), "[fd.num = 3]");
  EXPECT_EQ(P("evt.rawres != -1"), "[evt.rawres != -1]");
  EXPECT_EQ(P("proc.pname exists"), "[proc.pname exists]");
  EXPECT_EQ(P("fd.name startswith /etc"), "[fd.name startswith /etc]");
  EXPECT_EQ(P("fd.name glob '/tmp/*'"), "[fd.name glob '/tmp/*]");
  EXPECT_EQ(P("proc.aname[2]=bash"), "[proc.aname[2] = bash]");
  EXPECT_EQ(P("a.b icontains X and c.d endswith y"), "(and [a.b icontains X] [c.d endswith y])");
}

TEST(ConditionTest, ListsAndQuotedStrings) {
  EXPECT_EQ(P("proc.name in (bash, sh, \"my prog\")"), "[proc.name in (bash,sh,'my prog)]");
  EXPECT_EQ(P("proc.name in ()"), "[proc.name in ()]");
  EXPECT_EQ(P("fd.name pmatch (shell_binaries, /etc)"), "[fd.name pmatch (shell_binaries,/etc)]");
  EXPECT_EQ(P("proc.args contains 'a \\'b\\''"), "[proc.args contains 'a 'b']");
  EXPECT_EQ(P("proc.name in bash"), "[proc.name in (bash)]");
}

TEST(ConditionTest, ErrorsNameTheColumn) {
  EXPECT_EQ(P("a and"), "ERROR column 6: expected a condition, found the end");
  EXPECT_EQ(P("(a or b"), "ERROR column 8: expected ')' to close the '(' at column 1");
  EXPECT_EQ(P("fd.name ="), "ERROR column 10: expected a value, found the end");
  EXPECT_EQ(P("proc.name in (a b)"), "ERROR column 17: expected ',' or ')' in a list, found 'b'");
  EXPECT_EQ(P("proc.name bash"), "ERROR column 11: unknown operator 'bash' after 'proc.name'");
  EXPECT_EQ(P("fd.name = 'abc"), "ERROR column 11: unterminated string");
  EXPECT_EQ(P("a ! b"), "ERROR column 3: unknown operator '!'");
  EXPECT_EQ(P("or a"), "ERROR column 1: 'or' without a left operand");
  EXPECT_EQ(P("a b"), "ERROR column 3: unexpected 'b'");
  EXPECT_EQ(P("proc.name = val(proc.pname)"),
            "ERROR column 16: 'val(...)' (a field or transformer as the right-hand side) is not "
            "supported");
}

TEST(ConditionTest, DeepNestingIsAnErrorNotACrash) {
  std::string deep(10000, '(');
  EXPECT_NE(P(deep + "a"), "a");
  EXPECT_TRUE(P(deep + "a").starts_with("ERROR")) << P(deep + "a");
  std::string nots;
  for (int i = 0; i < 10000; ++i) nots += "not ";
  EXPECT_TRUE(P(nots + "a").starts_with("ERROR"));
}

}  // namespace
}  // namespace vigil::rules
