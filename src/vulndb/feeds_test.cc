// Tests of the non-OSV feed parsers (import_formats.h): Alpine secdb, Debian DSA/DLA lists
// and tracker JSON, Node.js security WG JSON, NVD CVE JSON 2.0. Table-driven over small
// inline inputs, the committed samples under testdata/vulndb/, and the real snapshots in
// ../shared/vulndata (skipped when absent). A collecting sink stands in for the database.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "base/test_paths.h"
#include "nlohmann/json.hpp"
#include "vulndb/import_formats.h"

namespace vigil::vulndb::internal {
namespace {

namespace fs = std::filesystem;

class CollectingSink : public AdvisorySink {
 public:
  Status Add(Advisory advisory) override {
    advisories.push_back(std::move(advisory));
    return OkStatus();
  }
  Status AddSeverity(SeverityRecord record) override {
    severities.push_back(std::move(record));
    return OkStatus();
  }
  const Advisory* Find(std::string_view id) const {
    for (const Advisory& a : advisories) {
      if (a.id == id) return &a;
    }
    return nullptr;
  }
  std::vector<Advisory> advisories;
  std::vector<SeverityRecord> severities;
};

using Parser = Status (*)(std::string_view, std::string_view, AdvisorySink&, ImportStats&);

fs::path SharedVulndata() { return fs::path(test_paths::SharedDir()) / "vulndata"; }

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

bool AnyWarningContains(const ImportStats& stats, std::string_view needle) {
  for (const std::string& w : stats.warnings) {
    if (w.find(needle) != std::string::npos) return true;
  }
  return false;
}

// ---------------------------------------------------------------- Debian release numbers

TEST(DebianReleaseNumberTest, KnownAndUnknownCodenames) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"buzz", "1.1"},
      {"rex", "1.2"},
      {"bo", "1.3"},
      {"hamm", "2.0"},
      {"slink", "2.1"},
      {"potato", "2.2"},
      {"woody", "3.0"},
      {"sarge", "3.1"},
      {"etch", "4"},
      {"lenny", "5"},
      {"squeeze", "6"},
      {"wheezy", "7"},
      {"jessie", "8"},
      {"stretch", "9"},
      {"buster", "10"},
      {"bullseye", "11"},
      {"bookworm", "12"},
      {"trixie", "13"},
      {"forky", "14"},
      {"sid", ""},
      {"Bullseye", ""},
      {"", ""},
      {"bullseye-security", ""},
  };
  for (const auto& [codename, number] : cases) {
    EXPECT_EQ(DebianReleaseNumber(codename), number) << codename;
  }
}

// ---------------------------------------------------------------- Debian DSA/DLA list

constexpr std::string_view kDsaSnippet =
    "[29 Mar 2023] DSA-5380-1 xorg-server - security update\n"
    "\t{CVE-2023-1393}\n"
    "\t[bullseye] - xorg-server 2:1.20.11-1+deb11u6\n"
    "[02 Jan 2019] DSA-4360-1 libarchive - security update\n"
    "\t{CVE-2018-1000877 CVE-2018-1000878  CVE-2018-1000880}\n"
    "\t[stretch] - libarchive 3.2.2-2+deb9u1\n"
    "\t[jessie] - libarchive <not-affected> (vulnerable code not present)\n"
    "\tNOTE: [etch] - libarchive <end-of-life> (a note, not a release line)\n"
    "[10 Mar 2017] DSA-9999-1 foo - test\n"
    "\t[wheezy] - foo <end-of-life>\n"
    "\t[sarge] - foo 1.0-1sarge1 (bug #1234; medium)\n"
    "        [woody] - foo <unfixed> (high)\n"
    "\t[sid] - foo 1.1-1\n"
    "\t[bullseye] - foo <weird-state>\n"
    "\tgarbage continuation line\n"
    "[30 Jul 2002] DSA-137 mm - insecure temporary files\n"
    "\t{CVE-2002-0658}\n"
    "\t[woody] - mm 1.1.3-6.1\n"
    "[18 Apr 2018] DSA-4205-1 jessie end-of-life\n"
    "\tNOTE: end of security support for jessie\n"
    "[99 Foo 2018] DSA-1-1 broken - header\n"
    "\t[bullseye] - broken 1.0\n"
    "[14 Feb 2007] DSA-1260 imagemagick\n"
    "\t{ CVE-2007-0770 }\n"
    "\t[sarge] - imagemagick 6:6.0.6.2-2.9\n";

TEST(DebianListTest, InlineSnippet) {
  CollectingSink sink;
  ImportStats stats;
  ASSERT_TRUE(ImportDebianAdvisoryList("list", kDsaSnippet, sink, stats).ok());
  // 7 headers, one unparsable (bad date).
  EXPECT_EQ(stats.advisories, 6);
  ASSERT_EQ(sink.advisories.size(), 6u);
  // Skips: the bad header, sid, <weird-state>, the garbage line.
  EXPECT_EQ(stats.skipped, 4);
  EXPECT_TRUE(AnyWarningContains(stats, "list:21: unparsable entry header")) << stats.warnings[0];
  EXPECT_TRUE(AnyWarningContains(stats, "list:13: DSA-9999-1: unknown Debian release 'sid'"));
  EXPECT_TRUE(AnyWarningContains(stats, "list:14: DSA-9999-1: unknown state <weird-state>"));
  EXPECT_TRUE(AnyWarningContains(stats, "list:15: unrecognised line"));

  const Advisory* x = sink.Find("DSA-5380-1");
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->source, "debian-dsa");
  EXPECT_EQ(x->published, "2023-03-29");
  EXPECT_EQ(x->summary, "security update");
  EXPECT_EQ(x->aliases, std::vector<std::string>{"CVE-2023-1393"});
  ASSERT_EQ(x->affected.size(), 1u);
  EXPECT_EQ(x->affected[0].ecosystem, "Debian:11");
  EXPECT_EQ(x->affected[0].package, "xorg-server");
  EXPECT_EQ(x->affected[0].kind, AffectedKind::kDistro);
  EXPECT_EQ(x->affected[0].distro_status, DistroStatus::kFixed);
  EXPECT_EQ(x->affected[0].fixed_version, "2:1.20.11-1+deb11u6");

  const Advisory* la = sink.Find("DSA-4360-1");
  ASSERT_NE(la, nullptr);
  EXPECT_EQ(la->aliases.size(), 3u);
  ASSERT_EQ(la->affected.size(), 2u);  // the NOTE: line is not a release line
  EXPECT_EQ(la->affected[1].ecosystem, "Debian:8");
  EXPECT_EQ(la->affected[1].distro_status, DistroStatus::kNotAffected);
  EXPECT_EQ(la->affected[1].fixed_version, "");

  const Advisory* foo = sink.Find("DSA-9999-1");
  ASSERT_NE(foo, nullptr);
  ASSERT_EQ(foo->affected.size(), 3u);
  EXPECT_EQ(foo->affected[0].distro_status, DistroStatus::kEndOfLife);
  EXPECT_EQ(foo->affected[0].ecosystem, "Debian:7");
  EXPECT_EQ(foo->affected[1].ecosystem, "Debian:3.1");
  EXPECT_EQ(foo->affected[1].fixed_version, "1.0-1sarge1");
  EXPECT_EQ(foo->affected[1].severity, "medium");
  EXPECT_EQ(foo->affected[2].ecosystem, "Debian:3.0");
  EXPECT_EQ(foo->affected[2].distro_status, DistroStatus::kUnfixed);
  EXPECT_EQ(foo->affected[2].severity, "high");

  const Advisory* old = sink.Find("DSA-137");
  ASSERT_NE(old, nullptr);
  EXPECT_EQ(old->published, "2002-07-30");
  const Advisory* eol = sink.Find("DSA-4205-1");
  ASSERT_NE(eol, nullptr);
  EXPECT_TRUE(eol->affected.empty());
  EXPECT_EQ(eol->summary, "jessie end-of-life");
  const Advisory* im = sink.Find("DSA-1260");
  ASSERT_NE(im, nullptr);
  EXPECT_EQ(im->aliases, std::vector<std::string>{"CVE-2007-0770"});
  EXPECT_EQ(im->affected.at(0).fixed_version, "6:6.0.6.2-2.9");
}

TEST(DebianListTest, DlaSourceAndStates) {
  const std::string text =
      "[01 Apr 2023] DLA-3380-1 firefox-esr - security update\n"
      "\t{CVE-2023-25751}\n"
      "\t[buster] - firefox-esr 102.9.0esr-1~deb10u1\n"
      "\t[buster] - a <no-dsa>\n"
      "\t[buster] - b <ignored> (minor)\n"
      "\t[buster] - c <postponed>\n"
      "\t[buster] - d <unfixed>\n";
  CollectingSink sink;
  ImportStats stats;
  ASSERT_TRUE(ImportDebianAdvisoryList("dla", text, sink, stats).ok());
  ASSERT_EQ(sink.advisories.size(), 1u);
  const Advisory& a = sink.advisories[0];
  EXPECT_EQ(a.source, "debian-dla");
  ASSERT_EQ(a.affected.size(), 5u);
  EXPECT_EQ(a.affected[0].ecosystem, "Debian:10");
  EXPECT_EQ(a.affected[1].distro_status, DistroStatus::kNoDsa);
  EXPECT_EQ(a.affected[2].distro_status, DistroStatus::kIgnored);
  EXPECT_EQ(a.affected[3].distro_status, DistroStatus::kPostponed);
  EXPECT_EQ(a.affected[4].distro_status, DistroStatus::kUnfixed);
  EXPECT_EQ(stats.skipped, 0);
}

TEST(DebianListTest, MalformedInputWarnsOrFails) {
  struct Case {
    std::string text;
    bool ok;
    int64_t advisories;
    std::string warning;  // substring of a warning ("" = none expected)
  };
  const std::vector<Case> cases = {
      {"", false, 0, ""},
      {"not a list at all\n", false, 0, ""},
      {"\t[bullseye] - x 1.0\n", false, 0, ""},
      {"[01 Jan 2020] DSA-1-1 x - y\n\t{CVE-1\n", true, 1, "f:2: unterminated"},
      {"[01 Jan 2020] DSA-1-1 x - y\n\t[bullseye]\n", true, 1, "f:2: DSA-1-1: release line is"},
      {"[01 Jan 2020] DSA-1-1 x - y\n\t[bullseye - x 1\n", true, 1, "f:2"},
      {"[01 Jan 2020] DSA-1-1 x - y\n\t[bullseye] - x (note)\n", true, 1, "f:2"},
      {"[01 Jan 2020] XSA-1-1 x - y\n[01 Jan 2020] DSA-2-1 x - y\n", true, 1, "f:1: unparsable"},
      {"[01 Jan 2020] DSA-1-1 x - y\r\n\t[bullseye] - x 1.0\r\n", true, 1, ""},
      {"\xEF\xBB\xBF[01 Jan 2020] DSA-1-1 x - y\n\t[bullseye] - x 1.0\n", true, 1, ""},
      {std::string("[01 Jan 2020] DSA-1-1 x - y\n\t[\xff\xfe] - \x01 \x02\n"), true, 1, "f:2"},
  };
  for (const Case& c : cases) {
    CollectingSink sink;
    ImportStats stats;
    Status st = ImportDebianAdvisoryList("f", c.text, sink, stats);
    EXPECT_EQ(st.ok(), c.ok) << c.text << " " << st;
    if (!st.ok()) {
      EXPECT_NE(st.message().find("f:"), std::string::npos) << st;
    }
    EXPECT_EQ(stats.advisories, c.advisories) << c.text;
    if (!c.warning.empty()) {
      EXPECT_TRUE(AnyWarningContains(stats, c.warning)) << c.text;
    }
    if (c.warning.empty()) {
      EXPECT_TRUE(stats.warnings.empty()) << c.text;
    }
  }
}

// Independent counts of a list file: entries (lines starting `[dd Mon yyyy] D?A-`),
// release lines (indented `[codename] - pkg value`, NOTE: lines excluded) by value kind.
struct ListCounts {
  int64_t entries = 0;
  int64_t revisioned = 0;                   // ids of the form XXX-N-N
  std::map<std::string, int64_t> by_value;  // "fixed", "<not-affected>", ...
};
ListCounts CountList(const std::string& text) {
  ListCounts c;
  std::regex header(R"(^\[\d\d [A-Z][a-z]{2} \d{4}\] D[SL]A-\d+(-\d+)? ?.*)");
  std::regex release(R"(^\s+\[[a-z]+\] - \S+\s+(\S+).*)");
  std::istringstream in(text);
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_match(line, m, header)) {
      ++c.entries;
      if (m[1].matched) ++c.revisioned;
    } else if (std::regex_match(line, m, release)) {
      std::string v = m[1];
      ++c.by_value[v[0] == '<' ? v : "fixed"];
    }
  }
  return c;
}

TEST(DebianListTest, RealDsaAndDlaLists) {
  fs::path data = SharedVulndata() / "debian-security-tracker-2023-04" / "data";
  if (!fs::exists(data / "DSA" / "list")) GTEST_SKIP() << "no ../shared/vulndata Debian lists";
  struct Case {
    std::string file;
    std::string source;
    int64_t entries;     // every entry header
    int64_t revisioned;  // README.md's figure: ids with a revision (DSA-N-N)
  };
  // data/DSA/list has 5,406 entries: 4,935 with an id DSA-N-N (README.md's "4,935 DSAs")
  // and 471 revision-less ids of 2002-2007 ("DSA-137"), which are imported too.
  const std::vector<Case> cases = {
      {"DSA/list", "debian-dsa", 5406, 4935},
      {"DLA/list", "debian-dla", 3534, 3534},
  };
  for (const Case& c : cases) {
    std::string text = ReadAll(data / c.file);
    ListCounts expect = CountList(text);
    EXPECT_EQ(expect.entries, c.entries) << c.file;
    EXPECT_EQ(expect.revisioned, c.revisioned) << c.file;
    CollectingSink sink;
    ImportStats stats;
    ASSERT_TRUE(ImportDebianAdvisoryList(c.file, text, sink, stats).ok()) << c.file;
    EXPECT_EQ(stats.advisories, c.entries) << c.file;
    EXPECT_EQ(stats.skipped, 0) << c.file << ": "
                                << (stats.warnings.empty() ? "" : stats.warnings[0]);
    std::map<std::string, int64_t> got;
    for (const Advisory& a : sink.advisories) {
      EXPECT_EQ(a.source, c.source) << a.id;
      for (const Affected& f : a.affected) {
        switch (f.distro_status) {
          case DistroStatus::kFixed:
            ++got["fixed"];
            break;
          default:
            ++got["<" + std::string(DistroStatusName(f.distro_status)) + ">"];
        }
      }
    }
    EXPECT_EQ(got, expect.by_value) << c.file;
  }
  // Spot checks named in the brief.
  CollectingSink sink;
  ImportStats stats;
  ASSERT_TRUE(
      ImportDebianAdvisoryList("DSA/list", ReadAll(data / "DSA" / "list"), sink, stats).ok());
  const Advisory* x = sink.Find("DSA-5380-1");
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->aliases, std::vector<std::string>{"CVE-2023-1393"});
  ASSERT_EQ(x->affected.size(), 1u);
  EXPECT_EQ(x->affected[0].ecosystem, "Debian:11");
  EXPECT_EQ(x->affected[0].package, "xorg-server");
  EXPECT_EQ(x->affected[0].fixed_version, "2:1.20.11-1+deb11u6");
  int not_affected = 0, eol = 0, unfixed = 0;
  for (const Advisory& a : sink.advisories) {
    for (const Affected& f : a.affected) {
      not_affected += f.distro_status == DistroStatus::kNotAffected;
      eol += f.distro_status == DistroStatus::kEndOfLife;
      unfixed += f.distro_status == DistroStatus::kUnfixed;
    }
  }
  // README.md's 55 / 7 / 6 are grep counts of the markers; 3 of the end-of-life and 3 of the
  // unfixed markers are inside NOTE: lines (not release lines), so 55 / 4 / 3 remain.
  EXPECT_EQ(not_affected, 55);
  EXPECT_EQ(eol, 4);
  EXPECT_EQ(unfixed, 3);
}

// ---------------------------------------------------------------- Debian tracker JSON

TEST(DebianTrackerJsonTest, CommittedSampleCoversEveryStatus) {
  std::string text =
      ReadAll(test_paths::SourceDir() + "/testdata/vulndb/debian/tracker-sample.json");
  ASSERT_FALSE(text.empty());
  CollectingSink sink;
  ImportStats stats;
  ASSERT_TRUE(ImportDebianTrackerJson("tracker-sample.json", text, sink, stats).ok());
  // Each `sid` release is skipped with a warning (no release number).
  for (const std::string& w : stats.warnings)
    EXPECT_NE(w.find(".releases.sid:"), std::string::npos) << w;
  struct Want {
    std::string id, ecosystem, package;
    DistroStatus status;
    std::string fixed, severity;
  };
  const std::vector<Want> wants = {
      {"CVE-2023-1393", "Debian:11", "xorg-server", DistroStatus::kFixed, "2:1.20.11-1+deb11u6",
       "high"},
      {"CVE-2023-1393", "Debian:11", "xwayland", DistroStatus::kNotAffected, "", ""},
      {"CVE-2021-44228", "Debian:10", "apache-log4j2", DistroStatus::kFixed, "2.15.0-1~deb10u1",
       "high"},
      {"CVE-2023-4911", "Debian:12", "glibc", DistroStatus::kFixed, "2.36-9+deb12u3", "high"},
      {"CVE-2023-22490", "Debian:11", "git", DistroStatus::kNoDsa, "", "low"},
      {"CVE-2023-22490", "Debian:10", "git", DistroStatus::kPostponed, "", "low"},
      {"CVE-2017-6519", "Debian:11", "avahi", DistroStatus::kIgnored, "", "low"},
      {"CVE-2017-6519", "Debian:9", "avahi", DistroStatus::kEndOfLife, "", ""},
      {"CVE-2005-2541", "Debian:12", "tar", DistroStatus::kUnfixed, "", "low"},
      {"TEMP-0290435-0B57B5", "Debian:12", "tar", DistroStatus::kUnfixed, "", "low"},
  };
  for (const Want& w : wants) {
    const Advisory* a = sink.Find(w.id);
    ASSERT_NE(a, nullptr) << w.id;
    EXPECT_EQ(a->source, "debian-tracker");
    bool found = false;
    for (const Affected& f : a->affected) {
      if (f.ecosystem != w.ecosystem || f.package != w.package) continue;
      found = true;
      EXPECT_EQ(f.kind, AffectedKind::kDistro);
      EXPECT_EQ(f.distro_status, w.status) << w.id << " " << w.package << " " << w.ecosystem;
      EXPECT_EQ(f.fixed_version, w.fixed) << w.id;
      EXPECT_EQ(f.severity, w.severity) << w.id << " " << w.package << " " << w.ecosystem;
    }
    EXPECT_TRUE(found) << w.id << " " << w.package << " " << w.ecosystem;
  }
  // One advisory per id across packages: CVE-2023-1393 appears under two packages.
  int n1393 = 0;
  for (const Advisory& a : sink.advisories) n1393 += a.id == "CVE-2023-1393";
  EXPECT_EQ(n1393, 1);
  EXPECT_EQ(stats.advisories, static_cast<int64_t>(sink.advisories.size()));
}

TEST(DebianTrackerJsonTest, MalformedInput) {
  struct Case {
    std::string text;
    bool ok;
    int64_t advisories;
    std::string warning;
  };
  const std::vector<Case> cases = {
      {"", false, 0, ""},
      {"[1,2]", false, 0, ""},
      {"{\"pkg\": {\"CVE-1\": {", false, 0, ""},
      {"{\"pkg\": 3}", true, 0, "f: \"pkg\": package value is not an object"},
      {"{\"pkg\": {\"CVE-1\": []}}", true, 0, "f: \"pkg\".CVE-1: entry is not an object"},
      {R"({"p": {"CVE-1": {"releases": {"bullseye": {"status": "resolved"}}}}})", true, 1,
       "releases.bullseye: resolved without fixed_version"},
      {R"({"p": {"CVE-1": {"releases": {"bullseye": {"status": "weird"}}}}})", true, 1,
       "unknown status 'weird'"},
      {R"({"p": {"CVE-1": {"releases": {"bullseye": 7}}}})", true, 1, "not an object"},
      {R"({"p": {"CVE-1": {"releases": []}}})", true, 1, "releases: not an object"},
  };
  for (const Case& c : cases) {
    CollectingSink sink;
    ImportStats stats;
    Status st = ImportDebianTrackerJson("f", c.text, sink, stats);
    EXPECT_EQ(st.ok(), c.ok) << c.text << " " << st;
    EXPECT_EQ(stats.advisories, c.advisories) << c.text;
    if (!c.warning.empty()) {
      EXPECT_TRUE(AnyWarningContains(stats, c.warning)) << c.text;
    }
  }
}

// ---------------------------------------------------------------- Alpine secdb

constexpr std::string_view kAlpineYaml = R"(---
distroversion: v3.9
reponame: main
packages:
  - pkg:
      name: xen
      secfixes:
        4.11.1-r0:
          - CVE-????-?????  XSA-284
          - CVE-2018-12126  XSA-297
        4.7.0-r0:
          - CVE 2018-16859
  - pkg:
      name: tcpdump
      secfixes:
        4.9.3-r0:
          - CVE-2018-10103 (SMB - partially fixed, but SMB printing disabled)
          - CVE-2017-5753 CVE-2017-5715 XSA-254 XPTI
          - CVE_2019-2426
          - CVE-2017-8073.patch
  - pkg:
      name: db
      secfixes:
      # whitelist issues
        "0":
        - CVE-2016-0682
  - pkg:
      name: nosec
  - pkg:
      secfixes:
        1.0-r0:
          - CVE-2000-0001
  - pkg:
      name: bad
      secfixes:
        1.0-r0: CVE-2000-0002
        1.1-r0:
          - [nested]
)";

TEST(AlpineSecdbTest, InlineYaml) {
  CollectingSink sink;
  ImportStats stats;
  ASSERT_TRUE(ImportAlpineSecdb("main.yaml", kAlpineYaml, sink, stats).ok());
  ASSERT_EQ(sink.advisories.size(), 8u);
  EXPECT_EQ(stats.advisories, 8);
  // Skips: the nameless package, the non-list value and the nested id.
  EXPECT_EQ(stats.skipped, 3);
  EXPECT_TRUE(AnyWarningContains(stats, "main.yaml:29: packages[4]: no pkg.name"));
  EXPECT_TRUE(AnyWarningContains(stats, "main.yaml:36: packages[5].pkg(bad).secfixes[\"1.0-r0\"]"));
  EXPECT_TRUE(
      AnyWarningContains(stats, "main.yaml:38: packages[5].pkg(bad).secfixes[\"1.1-r0\"][0]"));
  struct Want {
    std::string id;
    std::vector<std::string> aliases;
    std::string package, fixed;
    DistroStatus status;
    std::string summary;
  };
  const std::vector<Want> wants = {
      {"XSA-284", {}, "xen", "4.11.1-r0", DistroStatus::kFixed, ""},
      {"CVE-2018-12126", {"XSA-297"}, "xen", "4.11.1-r0", DistroStatus::kFixed, ""},
      {"CVE-2018-16859", {}, "xen", "4.7.0-r0", DistroStatus::kFixed, ""},
      {"CVE-2018-10103",
       {},
       "tcpdump",
       "4.9.3-r0",
       DistroStatus::kFixed,
       "(SMB - partially fixed, but SMB printing disabled)"},
      {"CVE-2017-5753",
       {"CVE-2017-5715", "XSA-254"},
       "tcpdump",
       "4.9.3-r0",
       DistroStatus::kFixed,
       "XPTI"},
      {"CVE-2019-2426", {}, "tcpdump", "4.9.3-r0", DistroStatus::kFixed, ""},
      {"CVE-2017-8073", {}, "tcpdump", "4.9.3-r0", DistroStatus::kFixed, ""},
      {"CVE-2016-0682", {}, "db", "", DistroStatus::kNotAffected, ""},
  };
  for (size_t i = 0; i < wants.size(); ++i) {
    const Advisory& a = sink.advisories[i];
    const Want& w = wants[i];
    EXPECT_EQ(a.id, w.id);
    EXPECT_EQ(a.source, "alpine-secdb");
    EXPECT_EQ(a.aliases, w.aliases) << w.id;
    EXPECT_EQ(a.summary, w.summary) << w.id;
    ASSERT_EQ(a.affected.size(), 1u);
    EXPECT_EQ(a.affected[0].ecosystem, "Alpine:v3.9");
    EXPECT_EQ(a.affected[0].package, w.package);
    EXPECT_EQ(a.affected[0].kind, AffectedKind::kDistro);
    EXPECT_EQ(a.affected[0].distro_status, w.status) << w.id;
    EXPECT_EQ(a.affected[0].fixed_version, w.fixed) << w.id;
  }
}

TEST(AlpineSecdbTest, CommittedJsonSample) {
  std::string text = ReadAll(test_paths::SourceDir() + "/testdata/vulndb/alpine/v3.19-main.json");
  ASSERT_FALSE(text.empty());
  CollectingSink sink;
  ImportStats stats;
  ASSERT_TRUE(ImportAlpineSecdb("v3.19-main.json", text, sink, stats).ok());
  EXPECT_EQ(stats.skipped, 0);
  // Count the id strings of the sample independently: every string of every secfixes list.
  nlohmann::json doc = nlohmann::json::parse(text);
  int64_t expected = 0;
  for (const auto& item : doc["packages"]) {
    for (const auto& [version, ids] : item["pkg"]["secfixes"].items()) expected += ids.size();
  }
  EXPECT_EQ(expected, 12);
  EXPECT_EQ(stats.advisories, expected);
  int nak = 0;
  for (const Advisory& a : sink.advisories) {
    EXPECT_EQ(a.affected.at(0).ecosystem, "Alpine:v3.19");
    nak += a.affected[0].distro_status == DistroStatus::kNotAffected;
  }
  EXPECT_GE(nak, 1);
  const Advisory* a = sink.Find("CVE-2023-5678");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->affected[0].package, "openssl");
  EXPECT_EQ(a->affected[0].fixed_version, "3.1.4-r1");
}

TEST(AlpineSecdbTest, MalformedInput) {
  struct Case {
    std::string text;
    bool ok;
  };
  const std::vector<Case> cases = {
      {"", false},
      {"- a\n- b\n", false},
      {"reponame: main\npackages: []\n", false},
      {"distroversion: v3.1\npackages: 3\n", false},
      {"distroversion: v3.1\npackages:\n", true},
      {"distroversion: [v3]\n", false},
      {"{\"distroversion\": \"v3.19\", \"packages\": [1, {\"pkg\": 2}]}", true},
      {"{\"distroversion\": \"v3.19\", \"packages\": [", false},
      {"distroversion: v3.1\npackages: [\n", false},
      {std::string(100000, '['), false},
      {"a: &a [1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b]\n"
       "d: &d [*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d]\n"
       "f: &f [*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f]\n"
       "h: &h [*g,*g,*g,*g,*g,*g,*g,*g]\ndistroversion: v3.1\n",
       false},
  };
  for (const Case& c : cases) {
    CollectingSink sink;
    ImportStats stats;
    Status st = ImportAlpineSecdb("f", c.text, sink, stats);
    EXPECT_EQ(st.ok(), c.ok) << c.text.substr(0, 80) << " " << st;
    if (!st.ok()) {
      EXPECT_EQ(st.message().rfind("f", 0), 0u) << st;
    }
  }
}

TEST(AlpineSecdbTest, RealLegacyYaml) {
  fs::path dir = SharedVulndata() / "alpine-secdb-legacy";
  if (!fs::exists(dir)) GTEST_SKIP() << "no ../shared/vulndata/alpine-secdb-legacy";
  // README.md's "13,778 id lines" is the count of every YAML sequence-item line (`^\s*- `)
  // in the 18 files: 1,652 `- pkg:` items, 98 `archs` items and 12,028 secfixes id lines.
  // One advisory per secfixes id line: 12,028.
  int64_t item_lines = 0, pkg_lines = 0, arch_lines = 0, files = 0;
  std::regex item(R"(^\s*- .*)"), pkg(R"(^\s*- pkg:\s*$)");
  int64_t advisories = 0, skipped = 0, nak = 0;
  std::vector<std::string> warnings;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.path().extension() != ".yaml") continue;
    ++files;
    std::string text = ReadAll(e.path());
    std::istringstream in(text);
    std::string line;
    bool in_archs = false;
    while (std::getline(in, line)) {
      if (line.rfind("archs:", 0) == 0)
        in_archs = true;
      else if (!line.empty() && line[0] != ' ')
        in_archs = false;
      if (!std::regex_match(line, item)) continue;
      ++item_lines;
      if (std::regex_match(line, pkg))
        ++pkg_lines;
      else if (in_archs)
        ++arch_lines;
    }
    CollectingSink sink;
    ImportStats stats;
    std::string rel = fs::relative(e.path(), dir).string();
    ASSERT_TRUE(ImportAlpineSecdb(rel, text, sink, stats).ok()) << rel;
    advisories += stats.advisories;
    skipped += stats.skipped;
    for (const std::string& w : stats.warnings) warnings.push_back(w);
    std::string release = "Alpine:" + e.path().parent_path().filename().string();
    for (const Advisory& a : sink.advisories) {
      EXPECT_FALSE(a.id.empty()) << rel;
      ASSERT_EQ(a.affected.size(), 1u);
      EXPECT_EQ(a.affected[0].ecosystem, release);
      nak += a.affected[0].distro_status == DistroStatus::kNotAffected;
    }
  }
  EXPECT_EQ(files, 18);
  EXPECT_EQ(item_lines, 13778);
  EXPECT_EQ(pkg_lines, 1652);
  EXPECT_EQ(arch_lines, 98);
  EXPECT_EQ(advisories, item_lines - pkg_lines - arch_lines);
  EXPECT_EQ(advisories, 12028);
  // One secfixes key has no id list at all (`7.4.0-r0:` with a null value): skipped, named.
  EXPECT_EQ(skipped, 1);
  EXPECT_EQ(warnings, std::vector<std::string>{
                          "v3.6/main.yaml:431: packages[34].pkg(heimdal).secfixes[\"7.4.0-r0\"]: "
                          "not a list of ids"});
  // v3.8/main.yaml: db's `"0":` list of Oracle Berkeley DB CVEs.
  EXPECT_GT(nak, 0);
}

// ---------------------------------------------------------------- NSWG

TEST(NswgTest, InlineCases) {
  struct Case {
    std::string name;
    std::string text;
    bool ok;
    int64_t advisories;
    std::string warning;
  };
  const std::vector<Case> cases = {
      {"full",
       R"({"id": 1, "module_name": "bassmaster", "cves": ["CVE-2014-7205"],
           "vulnerable_versions": "<=1.5.1", "patched_versions": ">=1.5.2", "title": "T",
           "overview": "O", "recommendation": "R", "publish_date": "2014-09-27",
           "updated_at": "2016-04-28", "references": ["https://x"],
           "cvss_vector": "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N", "cvss_score": 6.5})",
       true, 1, ""},
      {"core", R"({"cve": ["CVE-2017-1000381"], "vulnerable": "8.x"})", true, 0,
       "core: module_name: absent"},
      {"noid", R"({"module_name": "x", "vulnerable_versions": "*"})", true, 0, "noid: id"},
      {"norange", R"({"id": 3, "module_name": "x", "vulnerable_versions": null})", true, 0,
       "norange: vulnerable_versions"},
      {"array", "[]", false, 0, ""},
      {"trunc", R"({"id": 1, "module_)", false, 0, ""},
  };
  for (const Case& c : cases) {
    CollectingSink sink;
    ImportStats stats;
    Status st = ImportNswgJson(c.name, c.text, sink, stats);
    EXPECT_EQ(st.ok(), c.ok) << c.name << " " << st;
    EXPECT_EQ(stats.advisories, c.advisories) << c.name;
    if (!c.warning.empty()) {
      EXPECT_TRUE(AnyWarningContains(stats, c.warning)) << c.name;
    }
  }
  CollectingSink sink;
  ImportStats stats;
  ASSERT_TRUE(ImportNswgJson("1.json", cases[0].text, sink, stats).ok());
  const Advisory& a = sink.advisories.at(0);
  EXPECT_EQ(a.id, "NSWG-ECO-1");
  EXPECT_EQ(a.source, "nswg");
  EXPECT_EQ(a.aliases, std::vector<std::string>{"CVE-2014-7205"});
  EXPECT_EQ(a.summary, "T");
  EXPECT_EQ(a.details, "O\n\nR");
  EXPECT_EQ(a.published, "2014-09-27");
  EXPECT_EQ(a.severity, report::Severity::kMedium);
  EXPECT_EQ(a.severity_source, "nswg");
  EXPECT_DOUBLE_EQ(a.cvss_score, 6.5);
  ASSERT_EQ(a.affected.size(), 1u);
  EXPECT_EQ(a.affected[0].ecosystem, "npm");
  EXPECT_EQ(a.affected[0].package, "bassmaster");
  EXPECT_EQ(a.affected[0].kind, AffectedKind::kNpmRange);
  EXPECT_EQ(a.affected[0].npm_range, "<=1.5.1");
  EXPECT_EQ(a.affected[0].patched_range, ">=1.5.2");
}

TEST(NswgTest, SeverityBands) {
  const std::vector<std::pair<std::string, report::Severity>> cases = {
      {"0", report::Severity::kUnknown},    {"0.1", report::Severity::kLow},
      {"3.9", report::Severity::kLow},      {"4.0", report::Severity::kMedium},
      {"6.9", report::Severity::kMedium},   {"7", report::Severity::kHigh},
      {"8.9", report::Severity::kHigh},     {"9.0", report::Severity::kCritical},
      {"10", report::Severity::kCritical},  {"11", report::Severity::kUnknown},
      {"null", report::Severity::kUnknown}, {"\"7.5\"", report::Severity::kUnknown},
  };
  for (const auto& [score, want] : cases) {
    std::string text =
        R"({"id": 9, "module_name": "m", "vulnerable_versions": "*", "cvss_score": )" + score + "}";
    CollectingSink sink;
    ImportStats stats;
    ASSERT_TRUE(ImportNswgJson("f", text, sink, stats).ok()) << score;
    ASSERT_EQ(sink.advisories.size(), 1u);
    EXPECT_EQ(sink.advisories[0].severity, want) << score;
  }
}

TEST(NswgTest, RealNpmFiles) {
  fs::path dir = SharedVulndata() / "nodejs-security-wg" / "vuln" / "npm";
  if (!fs::exists(dir)) GTEST_SKIP() << "no ../shared/vulndata/nodejs-security-wg";
  int64_t files = 0, with_module = 0, with_cve = 0, advisories = 0, skipped = 0;
  std::regex module_re(R"re("module_name"\s*:\s*"[^"])re");
  std::map<std::string, std::string> ranges;  // "<id> vulnerable|patched" -> npm range
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".json") continue;
    ++files;
    std::string text = ReadAll(e.path());
    // Independent count: exactly one `"module_name": "<non-empty>"` in the file (index.json
    // holds one per advisory, nested; core/deps files have none).
    size_t n = 0;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), module_re);
         it != std::sregex_iterator(); ++it) {
      ++n;
    }
    with_module += n == 1;
    CollectingSink sink;
    ImportStats stats;
    ASSERT_TRUE(ImportNswgJson(e.path().filename().string(), text, sink, stats).ok()) << e.path();
    advisories += stats.advisories;
    skipped += stats.skipped;
    for (const Advisory& a : sink.advisories) {
      with_cve += !a.aliases.empty();
      ranges[a.id + " vulnerable"] = a.affected.at(0).npm_range;
      ranges[a.id + " patched"] = a.affected.at(0).patched_range;
    }
  }
  EXPECT_EQ(files, 468);
  // vuln/npm/index.json (the id → advisory map) has no top-level module_name.
  EXPECT_EQ(with_module, 467);
  EXPECT_EQ(advisories, with_module);
  EXPECT_EQ(skipped, files - with_module);
  EXPECT_EQ(with_cve, 166);  // README.md: "468 (166 with CVE)"
  // The odd ranges of README.md are stored exactly as published (">= 1.x" is a patched one).
  std::vector<std::string> odd = {"<=0.3.5", ">=1.4.0 <=1.11.3 || >=1.12.3 <=2.2.4", "=3.0.0-rc.1",
                                  ">= 1.x", "<3.11 || >= 4 <4.5"};
  for (const std::string& r : odd) {
    bool found = false;
    for (const auto& [id, range] : ranges) found = found || range == r;
    EXPECT_TRUE(found) << r;
  }
}

// ---------------------------------------------------------------- NVD

TEST(NvdTest, CommittedSample) {
  std::string text =
      ReadAll(test_paths::SourceDir() + "/testdata/vulndb/nvd/nvdcve-2.0-sample.json");
  ASSERT_FALSE(text.empty());
  CollectingSink sink;
  ImportStats stats;
  ASSERT_TRUE(ImportNvdJson("nvdcve-2.0-sample.json", text, sink, stats).ok());
  EXPECT_TRUE(sink.advisories.empty());
  EXPECT_EQ(stats.advisories, 0);
  EXPECT_EQ(stats.skipped, 0);
  struct Want {
    std::string id;
    double score;
    report::Severity severity;
    std::string vector_prefix;
  };
  const std::vector<Want> wants = {
      {"CVE-2021-44228", 10.0, report::Severity::kCritical, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C"},
      {"CVE-2021-23337", 7.2, report::Severity::kHigh, "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U"},
      {"CVE-2014-0160", 7.5, report::Severity::kHigh, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N"},
      {"CVE-2016-5195", 7.8, report::Severity::kHigh, "CVSS:3.0/"},
      {"CVE-2002-0655", 7.5, report::Severity::kHigh, "AV:N/AC:L/Au:N"},
  };
  ASSERT_EQ(sink.severities.size(), wants.size());
  EXPECT_EQ(stats.severities, static_cast<int64_t>(wants.size()));
  for (size_t i = 0; i < wants.size(); ++i) {
    const SeverityRecord& r = sink.severities[i];
    EXPECT_EQ(r.vuln_id, wants[i].id);
    EXPECT_EQ(r.source, "nvd");
    EXPECT_DOUBLE_EQ(r.score, wants[i].score) << r.vuln_id;
    EXPECT_EQ(r.severity, wants[i].severity) << r.vuln_id;
    EXPECT_EQ(r.vector.rfind(wants[i].vector_prefix, 0), 0u) << r.vuln_id << " " << r.vector;
    EXPECT_FALSE(r.description.empty()) << r.vuln_id;
    EXPECT_FALSE(r.published.empty()) << r.vuln_id;
  }
}

TEST(NvdTest, MetricPreferenceAndMalformed) {
  // V31 Secondary listed before V31 Primary: Primary wins; V30 ignored when V31 exists.
  const std::string pref = R"({"vulnerabilities": [{"cve": {"id": "CVE-1", "metrics": {
      "cvssMetricV30": [{"type": "Primary", "cvssData": {"baseScore": 1.0, "baseSeverity": "LOW"}}],
      "cvssMetricV31": [
        {"type": "Secondary", "cvssData": {"baseScore": 9.8, "baseSeverity": "CRITICAL"}},
        {"type": "Primary", "cvssData": {"baseScore": 5.3, "baseSeverity": "MEDIUM",
                                         "vectorString": "CVSS:3.1/X"}}]}}},
    {"cve": {"id": "CVE-2", "metrics": {"cvssMetricV2": [
        {"type": "Primary", "baseSeverity": "HIGH", "cvssData": {"baseScore": 10.0}}]}}},
    {"cve": {"id": "CVE-3", "descriptions": [{"lang": "es", "value": "no"},
                                            {"lang": "en", "value": "yes"}]}},
    {"cve": {"id": "CVE-4", "metrics": {"cvssMetricV40": [
        {"type": "Secondary", "cvssData": {"baseScore": 8.7}}]}}},
    {"cve": {"metrics": {}}},
    {"nocve": 1},
    7]})";
  CollectingSink sink;
  ImportStats stats;
  ASSERT_TRUE(ImportNvdJson("nvd", pref, sink, stats).ok());
  ASSERT_EQ(sink.severities.size(), 4u);
  EXPECT_DOUBLE_EQ(sink.severities[0].score, 5.3);
  EXPECT_EQ(sink.severities[0].vector, "CVSS:3.1/X");
  EXPECT_EQ(sink.severities[0].severity, report::Severity::kMedium);
  // V2's published severity (NVD V2 has no CRITICAL) is kept.
  EXPECT_EQ(sink.severities[1].severity, report::Severity::kHigh);
  EXPECT_EQ(sink.severities[2].severity, report::Severity::kUnknown);
  EXPECT_EQ(sink.severities[2].description, "yes");
  EXPECT_EQ(sink.severities[3].severity, report::Severity::kHigh);  // bands, no baseSeverity
  EXPECT_EQ(stats.skipped, 3);
  EXPECT_TRUE(AnyWarningContains(stats, "nvd: vulnerabilities[4].cve.id"));
  EXPECT_TRUE(AnyWarningContains(stats, "nvd: vulnerabilities[5].cve"));
  EXPECT_TRUE(AnyWarningContains(stats, "nvd: vulnerabilities[6].cve"));

  for (std::string bad : {"", "{}", "[]", "{\"vulnerabilities\": {}}", "{\"vulnerabilities\": ["}) {
    CollectingSink s;
    ImportStats st;
    Status status = ImportNvdJson("nvd", bad, s, st);
    EXPECT_FALSE(status.ok()) << bad;
    EXPECT_EQ(status.message().rfind("nvd:", 0), 0u) << status;
  }
}

// ---------------------------------------------------------------- warnings cap

TEST(FeedsTest, WarningsAreCapped) {
  std::string text = "[01 Jan 2020] DSA-1-1 x - y\n";
  for (int i = 0; i < 250; ++i) text += "\t[nowhere] - x 1.0\n";
  CollectingSink sink;
  ImportStats stats;
  ASSERT_TRUE(ImportDebianAdvisoryList("f", text, sink, stats).ok());
  EXPECT_EQ(stats.skipped, 250);
  ASSERT_EQ(stats.warnings.size(), 101u);
  EXPECT_EQ(stats.warnings.back(), "... 150 more warnings");
}

}  // namespace
}  // namespace vigil::vulndb::internal
