#include "report/alert.h"

#include "base/clock.h"
#include "gtest/gtest.h"
#include "report/internal.h"

namespace vigil::report {
namespace {

using std::chrono::nanoseconds;
using std::chrono::seconds;
using std::chrono::system_clock;

Alert SampleAlert() {
  Alert a;
  a.time = system_clock::time_point(
      std::chrono::duration_cast<system_clock::duration>(seconds(1764000000) + nanoseconds(42)));
  a.rule = "Terminal shell in container";
  a.priority = Priority::kNotice;
  a.hostname = "node-1";
  a.output = "A shell was spawned in a container (user=root container_id=abc123 shell=bash)";
  a.tags = {"container", "mitre_execution", "shell"};
  a.output_fields["container.id"] = FieldValue::Str("abc123");
  a.output_fields["proc.name"] = FieldValue::Str("bash");
  a.output_fields["proc.pid"] = FieldValue::Int(4242);
  a.output_fields["k8s.pod.name"] = FieldValue::Null();
  return a;
}

TEST(PriorityTest, NamesAndFalcoSpellings) {
  for (Priority p :
       {Priority::kEmergency, Priority::kAlert, Priority::kCritical, Priority::kError,
        Priority::kWarning, Priority::kNotice, Priority::kInformational, Priority::kDebug}) {
    auto parsed = ParsePriority(PriorityName(p));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, p);
  }
  EXPECT_EQ(*ParsePriority("INFO"), Priority::kInformational);
  EXPECT_EQ(*ParsePriority("WARN"), Priority::kWarning);
  EXPECT_EQ(*ParsePriority("critical"), Priority::kCritical);
  EXPECT_FALSE(ParsePriority("loud").ok());
}

TEST(PriorityTest, SeverityTable) {
  EXPECT_EQ(PriorityToSeverity(Priority::kEmergency), Severity::kCritical);
  EXPECT_EQ(PriorityToSeverity(Priority::kAlert), Severity::kCritical);
  EXPECT_EQ(PriorityToSeverity(Priority::kCritical), Severity::kCritical);
  EXPECT_EQ(PriorityToSeverity(Priority::kError), Severity::kHigh);
  EXPECT_EQ(PriorityToSeverity(Priority::kWarning), Severity::kMedium);
  EXPECT_EQ(PriorityToSeverity(Priority::kNotice), Severity::kLow);
  EXPECT_EQ(PriorityToSeverity(Priority::kInformational), Severity::kInfo);
  EXPECT_EQ(PriorityToSeverity(Priority::kDebug), Severity::kInfo);
}

TEST(AlertJsonTest, WritesFalcoLayout) {
  EXPECT_EQ(AlertToFalcoJson(SampleAlert()),
            "{\"hostname\":\"node-1\",\"output\":\"A shell was spawned in a container "
            "(user=root container_id=abc123 shell=bash)\",\"output_fields\":{\"container.id\":"
            "\"abc123\",\"k8s.pod.name\":null,\"proc.name\":\"bash\",\"proc.pid\":4242},"
            "\"priority\":\"Notice\",\"rule\":\"Terminal shell in container\",\"source\":"
            "\"syscall\",\"tags\":[\"container\",\"mitre_execution\",\"shell\"],\"time\":"
            "\"2025-11-24T16:00:00.000000042Z\"}");
}

TEST(AlertJsonTest, RoundTrips) {
  Alert a = SampleAlert();
  auto back = AlertFromFalcoJson(AlertToFalcoJson(a));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(AlertToFalcoJson(*back), AlertToFalcoJson(a));
  EXPECT_EQ(back->time, a.time);
  EXPECT_EQ(back->output_fields.at("proc.pid").num, 4242);
  EXPECT_EQ(back->output_fields.at("k8s.pod.name").type, FieldValue::Type::kNull);
}

TEST(AlertJsonTest, ReadsRealFalcoLine) {
  // As Falco 0.36 prints with json_output: true (extra keys such as uuid are ignored).
  auto a = AlertFromFalcoJson(
      R"j({"hostname":"ip-10-0-0-1","output":"10:00:00.000000000: Warning Sensitive file )j"
      R"j(opened (file=/etc/shadow)","output_fields":{"evt.time":1700000000123456789,)j"
      R"j("fd.name":"/etc/shadow","container.id":"host","evt.is_open_read":true},)j"
      R"j("priority":"Warning","rule":"Read sensitive file untrusted","source":"syscall",)j"
      R"j("tags":["filesystem","mitre_credential_access"],)j"
      R"j("time":"2023-11-14T22:13:20.123456789Z",)j"
      R"j("uuid":"8c5d0b5e-2e0e-4a4b-9d41-6d1c3b0c8a11"})j");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->priority, Priority::kWarning);
  EXPECT_EQ(a->output_fields.at("evt.time").num, 1700000000123456789);
  EXPECT_EQ(a->output_fields.at("evt.is_open_read").str, "true");
  Finding f = AlertToFinding(*a);
  EXPECT_EQ(f.kind, FindingKind::kRuntime);
  EXPECT_EQ(f.id, "Read sensitive file untrusted");
  EXPECT_EQ(f.severity, Severity::kMedium);
  EXPECT_EQ(f.location.resource, "host");
  EXPECT_EQ(f.location.path, "/etc/shadow");
  EXPECT_EQ(f.controls, (std::vector<std::string>{"filesystem", "mitre_credential_access"}));
}

TEST(AlertJsonTest, ErrorsNameTheField) {
  struct Case {
    const char* json;
    const char* field;
  } cases[] = {
      {R"({"output":"x","priority":"Warning","time":"2023-11-14T22:13:20Z"})", "'rule'"},
      {R"({"rule":1,"output":"x","priority":"Warning","time":"2023-11-14T22:13:20Z"})", "'rule'"},
      {R"({"rule":"r","output":"x","priority":"Loud","time":"2023-11-14T22:13:20Z"})",
       "'priority'"},
      {R"({"rule":"r","output":"x","priority":"Warning","time":"yesterday"})", "'time'"},
      {R"({"rule":"r","output":"x","priority":"Warning","time":"2023-11-14T22:13:20Z",)"
       R"("tags":[1]})",
       "'tags[0]'"},
      {R"({"rule":"r","output":"x","priority":"Warning","time":"2023-11-14T22:13:20Z",)"
       R"("output_fields":[]})",
       "'output_fields'"},
  };
  for (const Case& c : cases) {
    auto a = AlertFromFalcoJson(c.json);
    ASSERT_FALSE(a.ok()) << c.json;
    EXPECT_NE(a.status().message().find(c.field), std::string::npos) << a.status();
  }
  EXPECT_FALSE(AlertFromFalcoJson("{not json").ok());
  EXPECT_FALSE(AlertFromFalcoJson("[]").ok());
  EXPECT_FALSE(AlertFromFalcoJson("").ok());
}

TEST(Rfc3339Test, ParsesOffsetsAndFractions) {
  auto a = internal::ParseRfc3339("2023-11-14T22:13:20.5Z");
  auto b = internal::ParseRfc3339("2023-11-15T00:13:20.500+02:00");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(FormatRfc3339Nanos(*a), "2023-11-14T22:13:20.500000000Z");
  EXPECT_FALSE(internal::ParseRfc3339("2023-13-14T22:13:20Z").ok());
  EXPECT_FALSE(internal::ParseRfc3339("2023-11-14T22:13:20").ok());
  EXPECT_FALSE(internal::ParseRfc3339("2023-11-14T22:13:20Zjunk").ok());
  EXPECT_EQ(internal::NormalizeTimestamp("garbage"), "1970-01-01T00:00:00Z");
}

}  // namespace
}  // namespace vigil::report
