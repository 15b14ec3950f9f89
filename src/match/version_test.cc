#include "match/version.h"

#include <set>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "match/pep440.h"
#include "match/semver.h"

namespace vigil::match {
namespace {

const VersionScheme& Scheme(std::string_view ecosystem) {
  auto s = SchemeForEcosystem(ecosystem);
  EXPECT_TRUE(s.ok()) << s.status();
  return **s;
}

// -1/0/1, or 99 on error, so failures print the pair.
int Cmp(std::string_view ecosystem, std::string_view a, std::string_view b) {
  auto r = Scheme(ecosystem).Compare(a, b);
  return r.ok() ? *r : 99;
}

TEST(SchemeRegistryTest, MapsOsvEcosystemNamesCaseInsensitively) {
  struct Case {
    std::string_view ecosystem;
    std::string_view scheme;
  } cases[] = {
      {"Debian", "dpkg"},
      {"Debian:12", "dpkg"},
      {"ubuntu:22.04:LTS", "dpkg"},
      {"Alpine", "apk"},
      {"Alpine:v3.19", "apk"},
      {"Wolfi", "apk"},
      {"Red Hat", "rpm"},
      {"redhat", "rpm"},
      {"REDHAT", "rpm"},
      {"Rocky Linux:9", "rpm"},
      {"AlmaLinux", "rpm"},
      {"openSUSE", "rpm"},
      {"SUSE", "rpm"},
      {"npm", "npm"},
      {"PyPI", "pep440"},
      {"pypi", "pep440"},
      {"Maven", "maven"},
      {"Go", "go"},
      {"RubyGems", "rubygems"},
      {"Packagist", "composer"},
      {"NuGet", "nuget"},
      {"crates.io", "semver"},
      {"Pub", "pub"},
      {"CRAN", "cran"},
      {"Hackage", "hackage"},
      {" Debian ", "dpkg"},
      {"MinimOS", "apk"},
      {"Chainguard", "apk"},
      {"Hex", "semver"},
      {"Bioconductor", "cran"},
      {"Mageia:9", "rpm"},
      {"openEuler:22.03", "rpm"},
      {"Photon OS:5.0", "rpm"},
  };
  for (const auto& c : cases) {
    auto s = SchemeForEcosystem(c.ecosystem);
    ASSERT_TRUE(s.ok()) << c.ecosystem << ": " << s.status();
    EXPECT_EQ((*s)->Name(), c.scheme) << c.ecosystem;
  }
  auto unknown = SchemeForEcosystem("Cobol");
  EXPECT_TRUE(IsNotFound(unknown.status()));
  EXPECT_NE(unknown.status().message().find("Cobol"), std::string::npos);
  EXPECT_FALSE(SchemeForEcosystem("").ok());
}

TEST(SchemeRegistryTest, AllSchemesAreDistinctAndNamed) {
  std::set<std::string_view> names;
  for (const VersionScheme* s : AllSchemes()) {
    EXPECT_FALSE(s->Name().empty());
    EXPECT_TRUE(names.insert(s->Name()).second) << s->Name();
  }
  EXPECT_EQ(names.size(), 14u);
}

TEST(DpkgTest, NativeOrdering) {
  EXPECT_EQ(Cmp("Debian", "1.0~rc1", "1.0"), -1);
  EXPECT_EQ(Cmp("Debian", "1.0~~", "1.0~"), -1);
  EXPECT_EQ(Cmp("Debian", "1:0.1", "2.0"), 1);
  EXPECT_EQ(Cmp("Debian", "1.0-1", "1.0-1+deb12u1"), -1);
  EXPECT_EQ(Cmp("Debian", "1.0a", "1.0+"), -1);  // letters before non-letters
  EXPECT_EQ(Cmp("Debian", "1.0", "1.0-0"), 0);
  EXPECT_EQ(Cmp("Debian", "2.30-1ubuntu1", "2.30-1"), 1);
  EXPECT_EQ(Cmp("Debian", "1.2-3-4", "1.2-3-5"), -1);  // revision after the last '-'
}

TEST(DpkgTest, RejectsWhatDpkgRejects) {
  const VersionScheme& s = Scheme("Debian");
  for (std::string_view bad : {"", "   ", "a:1.0", ":1.0", "1:", "1.0-", "1 0", "99999999999:1"}) {
    Status st = s.Validate(bad);
    EXPECT_TRUE(IsInvalidArgument(st)) << "\"" << bad << "\"";
  }
  Status st = s.Validate("x:1");
  EXPECT_NE(st.message().find("\"x:1\""), std::string::npos) << st;
  EXPECT_TRUE(s.Validate("1:2.3-4").ok());
}

TEST(ApkTest, SuffixesLettersRevisions) {
  EXPECT_EQ(Cmp("Alpine", "1.2_alpha1", "1.2_beta1"), -1);
  EXPECT_EQ(Cmp("Alpine", "1.2_rc1", "1.2"), -1);
  EXPECT_EQ(Cmp("Alpine", "1.2", "1.2_p1"), -1);
  EXPECT_EQ(Cmp("Alpine", "1.2_git20200101", "1.2_p1"), -1);
  EXPECT_EQ(Cmp("Alpine", "1.2a", "1.2b"), -1);
  EXPECT_EQ(Cmp("Alpine", "1.2-r9", "1.2-r10"), -1);
  EXPECT_EQ(Cmp("Alpine", "1.2.0", "1.2"), 1);
  EXPECT_EQ(Cmp("Alpine", "1.05", "1.5"), -1);
  EXPECT_EQ(Cmp("Alpine", "1.2", "1.2-r0"), -1);  // a revision token, even r0, is newer
  EXPECT_EQ(Cmp("Alpine", "1.2-r", "1.2-r0"), 0);
  EXPECT_EQ(Cmp("Alpine", "1.2_alpha", "1.2_alpha0"), -1);
  EXPECT_EQ(Cmp("Alpine", "1.2~abc123-r0", "1.2-r0"), 0);  // commit hashes are not ordered
  const VersionScheme& s = Scheme("Alpine");
  EXPECT_TRUE(s.Validate("1.2.3_rc1_p2-r5").ok());
  EXPECT_FALSE(s.Validate("1.2.3-foo").ok());
  EXPECT_FALSE(s.Validate("").ok());
}

TEST(RpmTest, TildeCaretEpochRelease) {
  EXPECT_EQ(Cmp("Red Hat", "1.0~rc1-1", "1.0-1"), -1);
  EXPECT_EQ(Cmp("Red Hat", "1.0^20200101-1", "1.0-1"), 1);
  EXPECT_EQ(Cmp("Red Hat", "1.0^20200101-1", "1.0.1-1"), -1);
  EXPECT_EQ(Cmp("Red Hat", "1:1.0-1.el9", "2.0-1.el9"), 1);
  EXPECT_EQ(Cmp("Red Hat", "0:1.0-1.el9", "1.0-1.el9"), 0);
  EXPECT_EQ(Cmp("Red Hat", "3.10.0-1160.el7", "3.10.0-1160.2.1.el7"), -1);
  EXPECT_EQ(Cmp("Red Hat", "1.0a", "1.0"), 1);
  EXPECT_EQ(Cmp("Red Hat", "1.0", "1.0-1"), -1);
  EXPECT_FALSE(Scheme("Red Hat").Validate("").ok());
}

TEST(Pep440Test, Normalisation) {
  EXPECT_EQ(Cmp("PyPI", "1.0.0", "1"), 0);
  EXPECT_EQ(Cmp("PyPI", "v1.0", "1.0"), 0);
  EXPECT_EQ(Cmp("PyPI", "1.0ALPHA1", "1.0a1"), 0);
  EXPECT_EQ(Cmp("PyPI", "1.0-preview.2", "1.0rc2"), 0);
  EXPECT_EQ(Cmp("PyPI", "1.0c1", "1.0rc1"), 0);
  EXPECT_EQ(Cmp("PyPI", "1.0-1", "1.0.post1"), 0);
  EXPECT_EQ(Cmp("PyPI", "1.0.rev", "1.0.post0"), 0);
  EXPECT_EQ(Cmp("PyPI", "1!0.1", "2.0"), 1);
  EXPECT_EQ(Cmp("PyPI", " 1.0 ", "1.0"), 0);
  EXPECT_EQ(Cmp("PyPI", "1.0+ubuntu-1", "1.0+ubuntu.1"), 0);
}

TEST(Pep440Test, Ordering) {
  const char* ordered[] = {"1.0.dev0", "1.0a1.dev1",     "1.0a1",     "1.0a2",
                           "1.0b1",    "1.0rc1",         "1.0",       "1.0+abc",
                           "1.0+5",    "1.0.post1.dev1", "1.0.post1", "1.1"};
  for (size_t i = 0; i + 1 < std::size(ordered); ++i) {
    EXPECT_EQ(Cmp("PyPI", ordered[i], ordered[i + 1]), -1) << ordered[i] << " " << ordered[i + 1];
  }
  EXPECT_EQ(Cmp("PyPI", "99999999999999999999999999.1", "99999999999999999999999999.2"), -1);
}

TEST(Pep440Test, LegacyStringsOrderFirstButDoNotValidate) {
  const VersionScheme& s = Scheme("PyPI");
  EXPECT_EQ(Cmp("PyPI", "2013-01-21T20:33:09+0100", "0.0.1"), -1);
  EXPECT_EQ(Cmp("PyPI", "0.9-doduo", "0.9-eevee"), -1);
  Status st = s.Validate("0.9-doduo");
  EXPECT_TRUE(IsInvalidArgument(st));
  EXPECT_NE(st.message().find("0.9-doduo"), std::string::npos);
  EXPECT_FALSE(ParsePep440("1.0+").ok());
  EXPECT_FALSE(ParsePep440("").ok());
  EXPECT_FALSE(s.Compare("", "1.0").ok());
}

TEST(SemVerTest, Precedence) {
  EXPECT_EQ(Cmp("npm", "1.0.0-alpha", "1.0.0-alpha.1"), -1);
  EXPECT_EQ(Cmp("npm", "1.0.0-alpha.beta", "1.0.0-beta"), -1);
  EXPECT_EQ(Cmp("npm", "1.0.0-beta.11", "1.0.0-rc.1"), -1);
  EXPECT_EQ(Cmp("npm", "1.0.0+build.1", "1.0.0+build.2"), 0);
  EXPECT_EQ(Cmp("npm", "=v1.2.3", "1.2.3"), 0);
  EXPECT_EQ(Cmp("crates.io", "1.2.3-2", "1.2.3-10"), -1);
  EXPECT_EQ(Cmp("Pub", "1.2.3+2", "1.2.3+10"), -1);  // pub orders build metadata
  EXPECT_FALSE(Scheme("npm").Validate("1.2.3-").ok());
  EXPECT_FALSE(Scheme("npm").Validate("1.2.3-a..b").ok());
  EXPECT_FALSE(Scheme("npm").Validate("latest").ok());
}

TEST(GoTest, PseudoVersionsAndIncompatible) {
  EXPECT_EQ(Cmp("Go", "v0.0.0-20191109021931-daa7c04131f5", "v0.1.0"), -1);
  EXPECT_EQ(Cmp("Go", "v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.3"), 1);
  EXPECT_EQ(Cmp("Go", "v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.4"), -1);
  EXPECT_EQ(Cmp("Go", "v1.2.3-pre.0.20191109021931-daa7c04131f5", "v1.2.3-pre"), 1);
  EXPECT_EQ(Cmp("Go", "v2.0.0+incompatible", "2.0.0"), 0);
  EXPECT_EQ(Cmp("Go", "v1.2", "v1.2.0"), 0);
}

TEST(MavenTest, Qualifiers) {
  const char* ordered[] = {"1-alpha", "1-beta", "1-milestone", "1-rc", "1-SNAPSHOT",
                           "1",       "1-sp",   "1-abc",       "1-1",  "1.1"};
  for (size_t i = 0; i + 1 < std::size(ordered); ++i) {
    EXPECT_EQ(Cmp("Maven", ordered[i], ordered[i + 1]), -1) << ordered[i] << " " << ordered[i + 1];
  }
  EXPECT_EQ(Cmp("Maven", "1.0.0.RELEASE", "1"), 0);
  EXPECT_EQ(Cmp("Maven", "2.0.0.Final", "2.0.0.GA"), 0);
  EXPECT_EQ(Cmp("Maven", "1.0.CR1", "1.0.rc1"), 0);
}

TEST(RubyGemsTest, Prereleases) {
  EXPECT_EQ(Cmp("RubyGems", "1.0.0.rc1", "1.0.0"), -1);
  EXPECT_EQ(Cmp("RubyGems", "1.0.0-rc1", "1.0.0.pre.rc1"), 0);
  EXPECT_EQ(Cmp("RubyGems", "1.0.0.a", "1.0.0.b"), -1);
  EXPECT_EQ(Cmp("RubyGems", "1.0", "1.0.0.0"), 0);
  EXPECT_FALSE(Scheme("RubyGems").Validate("1beta").ok());
  EXPECT_TRUE(Scheme("RubyGems").Validate("1.0.beta-2").ok());
  EXPECT_FALSE(Scheme("RubyGems").Compare("1.0 beta", "1").ok());
}

TEST(ComposerTest, StabilityOrder) {
  const char* ordered[] = {"1.0-dev", "1.0-alpha1", "1.0-beta2", "1.0-RC1", "1.0", "1.0-p1"};
  for (size_t i = 0; i + 1 < std::size(ordered); ++i) {
    EXPECT_EQ(Cmp("Packagist", ordered[i], ordered[i + 1]), -1)
        << ordered[i] << " " << ordered[i + 1];
  }
  EXPECT_EQ(Cmp("Packagist", "v2.0.0", "2.0.0"), 0);
  // PHP quirk kept on purpose: a patch-level form beats a further number.
  EXPECT_EQ(Cmp("Packagist", "1.0-p1", "1.0.1"), 1);
  EXPECT_FALSE(Scheme("Packagist").Validate("v").ok());
}

TEST(NuGetTest, LegacyFourPartAndCaseInsensitiveLabels) {
  EXPECT_EQ(Cmp("NuGet", "1.0.0.0", "1.0"), 0);
  EXPECT_EQ(Cmp("NuGet", "1.0.0-RC.1", "1.0.0-rc.1"), 0);
  EXPECT_EQ(Cmp("NuGet", "1.0.0-rc.2", "1.0.0-rc.10"), -1);
  EXPECT_EQ(Cmp("NuGet", "1.0.0.1-beta", "1.0.0.1"), -1);
  EXPECT_FALSE(Scheme("NuGet").Validate("1.0.0.0.0").ok());
  EXPECT_FALSE(Scheme("NuGet").Validate("1.a").ok());
}

TEST(NumericSchemesTest, CranAndHackage) {
  EXPECT_EQ(Cmp("CRAN", "1.0-1", "1.0.1"), 0);
  EXPECT_EQ(Cmp("CRAN", "1.0", "1.0.0"), -1);
  EXPECT_EQ(Cmp("Hackage", "1.0", "1.0.0"), -1);
  EXPECT_FALSE(Scheme("Hackage").Validate("1.0-1").ok());
  EXPECT_FALSE(Scheme("CRAN").Validate("1.0a").ok());
}

TEST(SchemesTest, GarbageNeverCrashesAndResultsAreAntisymmetric) {
  const std::string_view samples[] = {"",
                                      " ",
                                      "-",
                                      ".",
                                      "..",
                                      "~",
                                      "^",
                                      "+",
                                      ":",
                                      "::",
                                      "v",
                                      "V",
                                      "=",
                                      "*",
                                      "1",
                                      "0",
                                      "1.0",
                                      "1:",
                                      ":1",
                                      "1-",
                                      "-1",
                                      "1..2",
                                      "1.2.3-",
                                      "1.2.3+",
                                      "1.2.3-+",
                                      "a",
                                      "_",
                                      "_a",
                                      "1_p",
                                      "1.0.0-rc.1+build.5",
                                      "1!2.0",
                                      "1.0+local.1",
                                      "1.0-r1-r2",
                                      "1~~~",
                                      "\xff\xfe",
                                      std::string_view("1\0"
                                                       "2",
                                                       3),
                                      "99999999999999999999999999999999999999.1",
                                      "1.2.3.4.5.6.7.8.9.10",
                                      "dev-master",
                                      "#",
                                      "1.#",
                                      "1-ga-1",
                                      "0.0.0-0.0.0"};
  for (const VersionScheme* scheme : AllSchemes()) {
    for (std::string_view a : samples) {
      (void)scheme->Validate(a);
      for (std::string_view b : samples) {
        auto ab = scheme->Compare(a, b);
        auto ba = scheme->Compare(b, a);
        ASSERT_EQ(ab.ok(), ba.ok()) << scheme->Name();
        if (ab.ok()) {
          EXPECT_EQ(*ab, -*ba) << scheme->Name() << " \"" << a << "\" \"" << b << "\"";
          EXPECT_TRUE(*ab >= -1 && *ab <= 1);
          auto pa = scheme->Parse(a);
          auto pb = scheme->Parse(b);
          ASSERT_TRUE(pa.ok() && pb.ok()) << scheme->Name();
          EXPECT_EQ(scheme->CompareParsed(**pa, **pb), *ab) << scheme->Name();
          EXPECT_EQ((*pa)->text(), a);
          EXPECT_EQ((*pa)->scheme(), scheme);
        } else {
          EXPECT_TRUE(IsInvalidArgument(ab.status())) << ab.status();
        }
      }
    }
  }
}

TEST(ParsedVersionTest, ForeignHandlesAreReparsedNotMisread) {
  const VersionScheme& dpkg = Scheme("Debian");
  const VersionScheme& npm = Scheme("npm");
  auto a = npm.Parse("1.2.3");
  auto b = dpkg.Parse("1.2.10");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(dpkg.CompareParsed(**a, **b), -1);
  auto bad = dpkg.Parse("");
  EXPECT_TRUE(IsInvalidArgument(bad.status()));
}

TEST(CompareBatchTest, OneLinePerInput) {
  std::istringstream in("1.0\t2.0\n2.0\t2.0\r\n3.0\t2.0\nno tab here\n1.0\t\n\n");
  std::ostringstream out;
  ASSERT_TRUE(CompareBatch("debian", in, out).ok());
  std::string expected =
      "<\n=\n>\nerror: line has no TAB between the two versions\n"
      "error: dpkg version \"\": version string is empty\n"
      "error: line has no TAB between the two versions\n";
  EXPECT_EQ(out.str(), expected);
}

TEST(CompareBatchTest, ReportsInvalidVersionsPerLine) {
  std::istringstream in("1.0\tfoo-bar\n1.0\t1.0a1\n");
  std::ostringstream out;
  ASSERT_TRUE(CompareBatch("PyPI", in, out).ok());
  EXPECT_EQ(out.str(), ">\n>\n");  // legacy "foo-bar" sorts before PEP 440 versions
  std::istringstream in2("1.0\t\n");
  std::ostringstream out2;
  ASSERT_TRUE(CompareBatch("Red Hat", in2, out2).ok());
  EXPECT_EQ(out2.str().rfind("error: ", 0), 0u) << out2.str();
}

TEST(CompareBatchTest, UnknownEcosystemIsAnErrorAndWritesNothing) {
  std::istringstream in("1\t2\n");
  std::ostringstream out;
  Status st = CompareBatch("nope", in, out);
  EXPECT_TRUE(IsNotFound(st));
  EXPECT_TRUE(out.str().empty());
}

TEST(CompareBatchTest, EmptyInputWritesNothing) {
  std::istringstream in("");
  std::ostringstream out;
  ASSERT_TRUE(CompareBatch("npm", in, out).ok());
  EXPECT_TRUE(out.str().empty());
}

}  // namespace
}  // namespace vigil::match
