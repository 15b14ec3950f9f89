#include "report/finding.h"

#include "gtest/gtest.h"

namespace vigil::report {
namespace {

TEST(SeverityTest, NamesRoundTrip) {
  for (Severity s : {Severity::kUnknown, Severity::kInfo, Severity::kLow, Severity::kMedium,
                     Severity::kHigh, Severity::kCritical}) {
    auto parsed = ParseSeverity(SeverityName(s));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, s);
  }
}

TEST(SeverityTest, AcceptsVendorSpellingsCaseInsensitively) {
  EXPECT_EQ(*ParseSeverity("CRITICAL"), Severity::kCritical);
  EXPECT_EQ(*ParseSeverity("High"), Severity::kHigh);
  EXPECT_EQ(*ParseSeverity("important"), Severity::kHigh);
  EXPECT_EQ(*ParseSeverity("moderate"), Severity::kMedium);
  EXPECT_EQ(*ParseSeverity("MODERATE"), Severity::kMedium);
  EXPECT_EQ(*ParseSeverity("negligible"), Severity::kLow);
  EXPECT_EQ(*ParseSeverity("unimportant"), Severity::kLow);
  EXPECT_EQ(*ParseSeverity(" informational "), Severity::kInfo);
  EXPECT_EQ(*ParseSeverity("UNKNOWN"), Severity::kUnknown);
}

TEST(SeverityTest, RejectsUnknownNamesWithTheName) {
  auto s = ParseSeverity("urgent");
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(IsInvalidArgument(s.status()));
  EXPECT_NE(s.status().message().find("urgent"), std::string::npos);
  EXPECT_FALSE(ParseSeverity("").ok());
}

TEST(SeverityTest, ParsesListsTrimmedAndDeduplicated) {
  auto list = ParseSeverityList("HIGH, CRITICAL,high,,");
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(*list, (std::vector<Severity>{Severity::kHigh, Severity::kCritical}));
  auto empty = ParseSeverityList("");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  auto bad = ParseSeverityList("HIGH,SEVERE");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("SEVERE"), std::string::npos);
}

TEST(FindingKindTest, NamesRoundTrip) {
  const char* names[] = {"vulnerability", "secret", "malware", "misconfig", "runtime"};
  for (const char* name : names) {
    auto k = ParseFindingKind(name);
    ASSERT_TRUE(k.ok()) << name;
    EXPECT_EQ(FindingKindName(*k), name);
  }
  EXPECT_EQ(*ParseFindingKind("Secret"), FindingKind::kSecret);
  EXPECT_FALSE(ParseFindingKind("virus").ok());
}

Finding Make(std::string id, Severity s, std::string status = "") {
  Finding f;
  f.id = std::move(id);
  f.severity = s;
  f.status = std::move(status);
  return f;
}

TEST(ReportTest, SummaryCountsSuppressedApart) {
  Report r;
  r.findings = {Make("A", Severity::kCritical), Make("B", Severity::kHigh),
                Make("C", Severity::kHigh, "suppressed"), Make("D", Severity::kUnknown)};
  Summary s = r.Summarize();
  EXPECT_EQ(s.total, 3);
  EXPECT_EQ(s.suppressed, 1);
  EXPECT_EQ(s.by_severity[static_cast<int>(Severity::kCritical)], 1);
  EXPECT_EQ(s.by_severity[static_cast<int>(Severity::kHigh)], 1);
  EXPECT_EQ(s.by_severity[static_cast<int>(Severity::kUnknown)], 1);
}

TEST(ReportTest, AnyCountedIgnoresSuppressedAndHonoursTheSet) {
  Report r;
  r.findings = {Make("A", Severity::kLow), Make("B", Severity::kCritical, "suppressed")};
  EXPECT_TRUE(AnyCounted(r, {}));
  EXPECT_TRUE(AnyCounted(r, {Severity::kLow}));
  EXPECT_FALSE(AnyCounted(r, {Severity::kCritical, Severity::kHigh}));
  Report empty;
  EXPECT_FALSE(AnyCounted(empty, {}));
}

TEST(ReportTest, SortIsBySeverityThenIdThenPathThenLine) {
  std::vector<Finding> f = {Make("B", Severity::kHigh), Make("A", Severity::kLow),
                            Make("A", Severity::kHigh), Make("Z", Severity::kCritical)};
  f[0].location.path = "/b";
  Finding a2 = Make("A", Severity::kHigh);
  a2.location.path = "/a";
  a2.location.line = 9;
  Finding a3 = a2;
  a3.location.line = 3;
  f.push_back(a2);
  f.push_back(a3);
  SortFindings(f);
  std::vector<std::string> got;
  for (const Finding& x : f) {
    got.push_back(x.id + x.location.path + ":" + std::to_string(x.location.line));
  }
  EXPECT_EQ(got, (std::vector<std::string>{"Z:0", "A:0", "A/a:3", "A/a:9", "B/b:0", "A:0"}));
}

}  // namespace
}  // namespace vigil::report
