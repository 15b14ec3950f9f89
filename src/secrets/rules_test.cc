#include "secrets/rules.h"

#include <gtest/gtest.h>

namespace vigil::secrets {
namespace {

TEST(Rules, BuiltinRulesLoadAndCoverAHundredTypes) {
  const RuleSet& set = BuiltinRules();
  EXPECT_GE(set.rules.size(), 100u);
  for (const Rule& r : set.rules) {
    EXPECT_FALSE(r.title.empty()) << r.id;
    EXPECT_EQ(r.source, "built-in");
  }
}

TEST(Rules, NativeFormat) {
  auto set = ParseRules(R"toml(
[[rules]]
id = "acme-token"
title = "ACME token"
severity = "critical"
keywords = ["ACME_"]
regex = '''\b(acme_[a-z0-9]{20})\b'''
entropy = 3.0
placeholders = false
  [rules.allowlist]
  paths = ['''^/test/''']
  stopwords = ["Sample"]
)toml",
                        "acme.toml");
  ASSERT_TRUE(set.ok()) << set.status();
  ASSERT_EQ(set->rules.size(), 1u);
  const Rule& r = set->rules[0];
  EXPECT_EQ(r.id, "acme-token");
  EXPECT_EQ(r.severity, report::Severity::kCritical);
  EXPECT_EQ(r.keywords, std::vector<std::string>{"acme_"});
  EXPECT_DOUBLE_EQ(r.entropy, 3.0);
  EXPECT_FALSE(r.placeholders);
  ASSERT_EQ(r.allowlists.size(), 1u);
  EXPECT_EQ(r.allowlists[0].stopwords, std::vector<std::string>{"sample"});
  EXPECT_EQ(r.source_line, 2);
}

TEST(Rules, GitleaksFormat) {
  auto set = ParseRules(R"toml(
title = "gitleaks config"
[extend]
useDefault = true

[allowlist]
description = "global"
paths = ['''vendor/''']
stopwords = ["dummy"]

[[rules]]
id = "internal-api"
description = "Internal API key"
regex = '''(?i)internal[_-]?key\s*=\s*"([a-z0-9]{32})"'''
secretGroup = 1
entropy = 3.5
keywords = ["internal"]
tags = ["key"]
  [[rules.allowlists]]
  regexTarget = "line"
  regexes = ['''nosecret''']
)toml",
                        "gitleaks.toml");
  ASSERT_TRUE(set.ok()) << set.status();
  ASSERT_EQ(set->rules.size(), 1u);
  EXPECT_EQ(set->rules[0].title, "Internal API key");
  EXPECT_EQ(set->rules[0].secret_group, 1);
  ASSERT_EQ(set->rules[0].allowlists.size(), 1u);
  EXPECT_EQ(set->rules[0].allowlists[0].regex_target, RegexTarget::kLine);
  EXPECT_EQ(set->global.paths, std::vector<std::string>{"vendor/"});
}

// Every kind of bad rule gives an error naming the file and the line.
TEST(Rules, ErrorsNameFileAndLine) {
  struct Case {
    const char* text;
    const char* expect;
  };
  const Case cases[] = {
      {"[[rules]]\nid = \"x\"\nregex = '''(unclosed'''\n", "bad.toml:1: rule \"x\": regex:"},
      {"[[rules]]\nid = \"x\"\n", "bad.toml:1: rule \"x\": needs a regex or a path"},
      {"[[rules]]\nregex = 'a'\n", "bad.toml:1: rule without an id"},
      {"[[rules]]\nid = \"x\"\nregex = 'a'\nsecretGroup = 2\n", "secretGroup 2 but the regex"},
      {"[[rules]]\nid = \"x\"\nregex = 'a'\nentropy = 9\n", "entropy must be a number"},
      {"[[rules]]\nid = \"x\"\nregex = 'a'\nbogus = 1\n", "bad.toml:4: rule \"x\": unknown key"},
      {"[[rules]]\nid = \"x\"\nregex = 'a'\n[[rules]]\nid = \"x\"\nregex = 'b'\n",
       "bad.toml:4: rule \"x\" already defined at line 1"},
      {"[[rules]]\nid = \"x\"\nregex = 'a'\nseverity = \"huge\"\n", "severity"},
      {"rules = 3\n", "rules must be an array of tables"},
      {"[[rules]]\nid = \"x\"\nregex = \n", "bad.toml:3:"},
      {"[[rules]]\nid = \"x\"\nregex = 'a'\n[rules.allowlist]\nregexTarget = \"file\"\n",
       "regexTarget"},
      {"[[rules]]\nid = \"x\"\nregex = 'a'\nkeywords = [1]\n", "keywords must be an array"},
      {"unknown = 1\n", "bad.toml:1: unknown top-level key"},
  };
  for (const Case& c : cases) {
    auto set = ParseRules(c.text, "bad.toml");
    ASSERT_FALSE(set.ok()) << c.text;
    EXPECT_NE(set.status().message().find(c.expect), std::string::npos)
        << c.text << " -> " << set.status();
  }
}

// Opt-in profiles ship in the binary; an unknown name lists the known ones.
TEST(Rules, BuiltinProfiles) {
  auto ds = LoadRuleFile("builtin:detect-secrets");
  ASSERT_TRUE(ds.ok()) << ds.status();
  ASSERT_FALSE(ds->rules.empty());
  for (const Rule& r : ds->rules) EXPECT_EQ(r.id.rfind("ds-", 0), 0u) << r.id;
  auto unknown = LoadRuleFile("builtin:nope");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(),
            "no built-in secret rule profile 'builtin:nope' (known: builtin:detect-secrets)");
}

TEST(Rules, MergeReplacesById) {
  RuleSet base;
  auto rule = [](std::string id, std::string title) {
    Rule r;
    r.id = std::move(id);
    r.title = std::move(title);
    return r;
  };
  base.rules.push_back(rule("a", "old"));
  base.rules.push_back(rule("b", ""));
  RuleSet extra;
  extra.rules.push_back(rule("a", "new"));
  extra.rules.push_back(rule("c", ""));
  extra.global.stopwords = {"w"};
  MergeRules(std::move(extra), &base);
  ASSERT_EQ(base.rules.size(), 3u);
  EXPECT_EQ(base.rules[0].title, "new");
  EXPECT_EQ(base.rules[2].id, "c");
  EXPECT_EQ(base.global.stopwords, std::vector<std::string>{"w"});
}

TEST(Rules, EntropyAndPlaceholders) {
  EXPECT_DOUBLE_EQ(ShannonEntropy(""), 0);
  EXPECT_DOUBLE_EQ(ShannonEntropy("aaaa"), 0);
  EXPECT_DOUBLE_EQ(ShannonEntropy("abcd"), 2);
  for (const char* p : {"AKIAIOSFODNN7EXAMPLE", "xxxxxxxxxxxxxxxx", "${GITHUB_TOKEN}",
                        "<your-token>", "changeme", "your_api_key_here", "{{ .Values.key }}",
                        "$DB_PASSWORD", "%API_KEY%", "********", "abababab"}) {
    EXPECT_TRUE(LooksLikePlaceholder(p)) << p;
  }
  for (const char* s : {"ghp_7Ytq2LkV9pZr3XcNw8BsD4mFh6JgQa1Ue5Ko", "p4ssW0rd!Zq"}) {
    EXPECT_FALSE(LooksLikePlaceholder(s)) << s;
  }
}

}  // namespace
}  // namespace vigil::secrets
