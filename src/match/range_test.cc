#include <string>

#include "gtest/gtest.h"
#include "match/npm_range.h"
#include "match/osv_range.h"
#include "match/pep440_specifier.h"
#include "match/version.h"

namespace vigil::match {
namespace {

using K = OsvEventKind;

const VersionScheme& Scheme(std::string_view ecosystem) { return **SchemeForEcosystem(ecosystem); }

bool In(std::string_view ecosystem, std::string_view v, const std::vector<OsvEvent>& events) {
  auto r = Satisfies(Scheme(ecosystem), v, events);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() && *r;
}

TEST(OsvRangeTest, IntroducedFixed) {
  std::vector<OsvEvent> ev = {{K::kIntroduced, "0"}, {K::kFixed, "1.2.3-1"}};
  EXPECT_TRUE(In("Debian", "1.0-1", ev));
  EXPECT_TRUE(In("Debian", "1.2.3-0+deb11u1", ev));
  EXPECT_FALSE(In("Debian", "1.2.3-1", ev));
  EXPECT_FALSE(In("Debian", "1:0.1-1", ev));  // the epoch makes it newer
}

TEST(OsvRangeTest, MultipleIntervalsInAnyOrder) {
  std::vector<OsvEvent> ev = {{K::kFixed, "1.5.0"},
                              {K::kIntroduced, "2.0.0"},
                              {K::kIntroduced, "1.0.0"},
                              {K::kFixed, "2.1.0"}};
  EXPECT_FALSE(In("npm", "0.9.0", ev));
  EXPECT_TRUE(In("npm", "1.0.0", ev));
  EXPECT_TRUE(In("npm", "1.4.9", ev));
  EXPECT_FALSE(In("npm", "1.5.0", ev));
  EXPECT_FALSE(In("npm", "1.9.9", ev));
  EXPECT_TRUE(In("npm", "2.0.5", ev));
  EXPECT_FALSE(In("npm", "2.1.0", ev));
  EXPECT_FALSE(In("npm", "3.0.0", ev));
}

TEST(OsvRangeTest, LastAffectedIsInclusive) {
  std::vector<OsvEvent> ev = {{K::kIntroduced, "1.0"}, {K::kLastAffected, "1.4"}};
  EXPECT_TRUE(In("PyPI", "1.4", ev));
  EXPECT_TRUE(In("PyPI", "1.4.0", ev));
  EXPECT_FALSE(In("PyPI", "1.4.post1", ev));
  EXPECT_FALSE(In("PyPI", "0.9", ev));
}

TEST(OsvRangeTest, Limits) {
  std::vector<OsvEvent> ev = {{K::kIntroduced, "0"}, {K::kLimit, "2.0"}};
  EXPECT_TRUE(In("Maven", "1.9", ev));
  EXPECT_FALSE(In("Maven", "2.0", ev));
  std::vector<OsvEvent> star = {{K::kIntroduced, "0"}, {K::kLimit, "*"}};
  EXPECT_TRUE(In("Maven", "99", star));
}

TEST(OsvRangeTest, SchemeSpecificOrdering) {
  std::vector<OsvEvent> ev = {{K::kIntroduced, "0"}, {K::kFixed, "2.4.6-r1"}};
  EXPECT_TRUE(In("Alpine:v3.19", "2.4.6-r0", ev));
  EXPECT_TRUE(In("Alpine:v3.19", "2.4.6_rc1-r5", ev));
  EXPECT_FALSE(In("Alpine:v3.19", "2.4.6_p1-r0", ev));
  std::vector<OsvEvent> rpm = {{K::kIntroduced, "0"}, {K::kFixed, "1:2.0-1.el9"}};
  EXPECT_TRUE(In("Rocky Linux", "5.0-1.el9", rpm));
  EXPECT_FALSE(In("Rocky Linux", "1:2.0-1.el9_2", rpm));
}

TEST(OsvRangeTest, CompileOnceTestMany) {
  auto range = OsvRange::Create(Scheme("Go"), {{K::kIntroduced, "0"}, {K::kFixed, "1.20.5"}});
  ASSERT_TRUE(range.ok()) << range.status();
  EXPECT_TRUE(*range->Contains("v1.20.4"));
  EXPECT_FALSE(*range->Contains("v1.21.0"));
  EXPECT_TRUE(*range->Contains("v0.0.0-20230101000000-abcdefabcdef"));
  auto parsed = Scheme("Go").Parse("1.20.5");
  ASSERT_TRUE(parsed.ok());
  EXPECT_FALSE(range->Contains(**parsed));
}

TEST(OsvRangeTest, Errors) {
  EXPECT_FALSE(OsvRange::Create(Scheme("npm"), {}).ok());
  EXPECT_FALSE(OsvRange::Create(Scheme("npm"), {{K::kFixed, "1.0.0"}}).ok());
  auto bad = OsvRange::Create(Scheme("npm"), {{K::kIntroduced, "0"}, {K::kFixed, "not-a-version"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("not-a-version"), std::string::npos) << bad.status();
  auto range = OsvRange::Create(Scheme("npm"), {{K::kIntroduced, "0"}, {K::kFixed, "1.0.0"}});
  ASSERT_TRUE(range.ok());
  EXPECT_FALSE(range->Contains("garbage").ok());
}

struct NpmCase {
  const char* range;
  const char* version;
  bool want;
};

TEST(NpmRangeTest, NodeSemverSemantics) {
  const NpmCase cases[] = {
      {">=1.2.3 <2.0.0", "1.2.3", true},
      {">=1.2.3 <2.0.0", "2.0.0", false},
      {">=1.2.3 <2.0.0 || ^3.0.0", "3.4.5", true},
      {">=1.2.3 <2.0.0 || ^3.0.0", "4.0.0", false},
      {"^1.2.3", "1.9.9", true},
      {"^1.2.3", "2.0.0", false},
      {"^0.2.3", "0.2.9", true},
      {"^0.2.3", "0.3.0", false},
      {"^0.0.3", "0.0.3", true},
      {"^0.0.3", "0.0.4", false},
      {"^0.0", "0.0.9", true},
      {"^0.0", "0.1.0", false},
      {"^1.x", "1.5.0", true},
      {"^0.x", "0.9.0", true},
      {"~1.2.3", "1.2.9", true},
      {"~1.2.3", "1.3.0", false},
      {"~1.2", "1.2.0", true},
      {"~1", "1.9.0", true},
      {"~1", "2.0.0", false},
      {"~>1.2", "1.2.5", true},
      {"1.2.x", "1.2.7", true},
      {"1.2.x", "1.3.0", false},
      {"1.x", "1.99.0", true},
      {"1", "1.0.1", true},
      {"1", "2.0.0", false},
      {"*", "9.9.9", true},
      {"", "0.0.1", true},
      {"x", "1.0.0", true},
      {"1.2.3 - 2.3.4", "2.3.4", true},
      {"1.2.3 - 2.3.4", "2.3.5", false},
      {"1.2 - 2.3", "2.3.9", true},
      {"1.2 - 2.3", "2.4.0", false},
      {"1.2 - 2.3", "1.1.9", false},
      {">1.2", "1.3.0", true},
      {">1.2", "1.2.9", false},
      {">1", "2.0.0", true},
      {"<=1.2", "1.2.9", true},
      {"<=1.2", "1.3.0", false},
      {"<1.2", "1.1.9", true},
      {"<1.2", "1.2.0", false},
      {"=1.2.3", "1.2.3", true},
      {"1.2.3", "1.2.4", false},
      {"> 1.2.3", "1.2.4", true},
      {">= 1.0.0, < 1.4.2", "1.4.1", true},
      {">= 1.0.0, < 1.4.2", "1.4.2", false},
      {"<*", "1.0.0", false},
      {">=1.2.3-beta.2 <1.3.0", "1.2.3-beta.3", true},
      {">=1.2.3-beta.2 <1.3.0", "1.2.4-beta.3", false},  // pre-release on another tuple
      {"^1.2.3", "1.5.0-beta", false},
      {"*", "1.0.0-rc.1", false},
      {"v1.2.3", "1.2.3", true},
  };
  for (const auto& c : cases) {
    auto r = SatisfiesNpmRange(c.version, c.range);
    ASSERT_TRUE(r.ok()) << c.range << ": " << r.status();
    EXPECT_EQ(*r, c.want) << "\"" << c.range << "\" vs " << c.version;
  }
  auto pre = SatisfiesNpmRange("1.5.0-beta", "^1.2.3", /*include_prerelease=*/true);
  ASSERT_TRUE(pre.ok());
  EXPECT_TRUE(*pre);
}

TEST(NpmRangeTest, Desugaring) {
  auto r = NpmRange::Parse("^1.2.3 || ~0.2 || 1.x || >=3 <=3.1");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->ToString(),
            ">=1.2.3 <2.0.0-0||>=0.2.0 <0.3.0-0||>=1.0.0 <2.0.0-0||>=3.0.0 <3.2.0-0");
}

TEST(NpmRangeTest, Errors) {
  for (const char* bad : {">=", "1.2.3.4.5", "^a.b.c", ">=1.2.3 <", "1.2.3-", "~>>1", "1..2"}) {
    auto r = NpmRange::Parse(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_NE(r.status().message().find("npm range"), std::string::npos);
    }
  }
  auto r = NpmRange::Parse("^1.0.0");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->Contains("not-a-version").ok());
}

struct PepCase {
  const char* spec;
  const char* version;
  bool want;
};

TEST(Pep440SpecifierTest, PackagingSemantics) {
  const PepCase cases[] = {
      {">=1.0,!=1.3.*,<2", "1.2", true},
      {">=1.0,!=1.3.*,<2", "1.3.4", false},
      {">=1.0,!=1.3.*,<2", "2.0", false},
      {">=1.0,!=1.3.*,<2", "0.9", false},
      {"~=2.2", "2.3", true},
      {"~=2.2", "3.0", false},
      {"~=2.2.0", "2.2.5", true},
      {"~=2.2.0", "2.3.0", false},
      {"~=1.4.5a4", "1.4.5", true},
      {"==1.2.*", "1.2.0.post1", true},
      {"==1.2.*", "1.20", false},
      {"==1.2", "1.2.0", true},
      {"==1.2", "1.2+local", true},
      {"==1.2+local", "1.2", false},
      {"!=1.2", "1.2.1", true},
      {"<3.0", "3.0rc1", false},
      {"<3.0rc2", "3.0rc1", true},
      {">3.0", "3.0.post1", false},
      {">3.0.post0", "3.0.post1", true},
      {">3.0", "3.0+local", false},
      {"<=3.0", "3.0+local", true},
      {">=1.0", "2.0b1", false},   // pre-releases excluded by default
      {">=1.0b1", "2.0b1", true},  // unless a specifier names one
      {"===1.0", "1.0", true},
      {"===1.0", "1.0.0", false},
      {"", "5.0", true},
      {" >= 1.0 , < 2.0 ", "1.5", true},
      {"==1!1.0", "1.0", false},
      {"==1.0.dev0", "1.0.dev0", true},
  };
  for (const auto& c : cases) {
    auto r = SatisfiesPep440(c.version, c.spec);
    ASSERT_TRUE(r.ok()) << c.spec << ": " << r.status();
    EXPECT_EQ(*r, c.want) << "\"" << c.spec << "\" vs " << c.version;
  }
  auto pre = SatisfiesPep440("2.0b1", ">=1.0", /*prereleases=*/true);
  ASSERT_TRUE(pre.ok());
  EXPECT_TRUE(*pre);
}

TEST(Pep440SpecifierTest, Errors) {
  for (const char* bad :
       {"1.0", ">=", "~=1", ">=1.*", "==1.0a1.*", ">=1.0+local", ">=1.0,,<2", "=>1.0", ">=foo"}) {
    auto r = Pep440SpecifierSet::Parse(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_NE(r.status().message().find("specifier"), std::string::npos);
    }
  }
  auto r = Pep440SpecifierSet::Parse(">=1.0");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->Contains("0.9-legacy").ok());
}

}  // namespace
}  // namespace vigil::match
