#include "store/store.h"

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

#include "base/strings.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/codes.h"
#include "store/schema.h"
#include "store/sqlite_store.h"
#include "store/test_util.h"

namespace vigil::store {
namespace {

using report::Finding;
using report::FindingKind;
using report::Severity;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::TempDir;

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

const TimePoint kT0 =
    std::chrono::sys_days(std::chrono::year(2026) / 11 / 24) + std::chrono::hours(6);

// Field-by-field comparison naming every field that differs (the report model has no
// operator==, and defining one here would collide with one added to report/ later).
::testing::AssertionResult SameFinding(const Finding& a, const Finding& b) {
  std::vector<std::string> diffs;
  auto check = [&](bool same, const char* name) {
    if (!same) diffs.push_back(name);
  };
  check(a.kind == b.kind, "kind");
  check(a.id == b.id, "id");
  check(a.aliases == b.aliases, "aliases");
  check(a.severity == b.severity, "severity");
  check(a.title == b.title, "title");
  check(a.description == b.description, "description");
  check(a.location.path == b.location.path, "location.path");
  check(a.location.line == b.location.line, "location.line");
  check(a.location.end_line == b.location.end_line, "location.end_line");
  check(a.location.layer == b.location.layer, "location.layer");
  check(a.location.resource == b.location.resource, "location.resource");
  check(a.package.has_value() == b.package.has_value(), "package presence");
  if (a.package && b.package) {
    check(a.package->name == b.package->name, "package.name");
    check(a.package->version == b.package->version, "package.version");
    check(a.package->ecosystem == b.package->ecosystem, "package.ecosystem");
    check(a.package->purl == b.package->purl, "package.purl");
  }
  check(a.fixed_version == b.fixed_version, "fixed_version");
  check(a.status == b.status, "status");
  check(a.controls == b.controls, "controls");
  check(a.references == b.references, "references");
  check(a.remediation == b.remediation, "remediation");
  check(a.data_source == b.data_source, "data_source");
  check(a.match == b.match, "match");
  if (diffs.empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << a.id << " differs in: " << Join(diffs, ", ");
}

class StoreTest : public ::testing::Test {
 protected:
  StoreTest() : clock_(kT0) { options_.clock = &clock_; }

  std::unique_ptr<Store> MustOpen() {
    auto store = Store::Open(path_, options_);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  TempDir dir_;
  std::string path_ = DefaultStorePath(dir_.path());
  FakeClock clock_;
  StoreOptions options_;
};

Finding Vuln(std::string id, std::string package, std::string version,
             Severity severity = Severity::kHigh) {
  Finding f;
  f.kind = FindingKind::kVulnerability;
  f.id = std::move(id);
  f.severity = severity;
  f.title = f.id + " in " + package;
  f.package = report::PackageRef{std::move(package), std::move(version), "Debian:12", ""};
  f.location.path = "/var/lib/dpkg/status";
  f.status = "affected";
  return f;
}

// Every field of Report and Finding set to something distinct.
report::Report FullReport() {
  report::Report r;
  r.target = "registry.local/app:1.2";
  r.target_kind = "image";
  r.artifact_digest = "sha256:abcdef";
  r.created_at = "2026-11-20T10:00:00Z";
  r.tool_version = "0.1.0";
  r.warnings = {"no package database found in layer 3", "second \"quoted\" warning"};

  Finding v;
  v.kind = FindingKind::kVulnerability;
  v.id = "CVE-2024-0001";
  v.aliases = {"GHSA-xxxx-yyyy-zzzz", "DSA-5555-1"};
  v.severity = Severity::kCritical;
  v.title = "openssl: buffer overflow";
  v.description = "A long description\nwith a newline and unicode: \xc3\xa9\xe2\x9c\x93";
  v.location = {"/usr/lib/x86_64-linux-gnu/libssl.so.3", 0, 0, "sha256:layer1", ""};
  v.package = report::PackageRef{"openssl", "3.0.11-1~deb12u1", "Debian:12",
                                 "pkg:deb/debian/openssl@3.0.11-1~deb12u1?distro=debian-12"};
  v.fixed_version = "3.0.13-1~deb12u1";
  v.status = "fixed";
  v.references = {"https://security-tracker.debian.org/tracker/CVE-2024-0001",
                  "https://nvd.nist.gov/vuln/detail/CVE-2024-0001"};
  v.remediation = "upgrade openssl";
  v.data_source = "debian-tracker";
  r.findings.push_back(v);

  Finding m;
  m.kind = FindingKind::kMisconfig;
  m.id = "VGL-K8S-001";
  m.severity = Severity::kMedium;
  m.title = "Privileged container";
  m.location = {"deploy/app.yaml", 12, 18, "", "Deployment/prod/app"};
  m.status = "fail";
  m.controls = {"pss-baseline/privileged", "cis-5.2.1"};
  m.remediation = "set securityContext.privileged: false";
  m.data_source = "builtin";
  r.findings.push_back(m);

  Finding s;
  s.kind = FindingKind::kSecret;
  s.id = "aws-access-key-id";
  s.severity = Severity::kLow;
  s.title = "AWS access key";
  s.location = {"/app/.env", 3, 0, "sha256:layer2", ""};
  s.status = "suppressed";
  s.match = "AKIA************MPLE";
  r.findings.push_back(s);

  Finding rt;
  rt.kind = FindingKind::kRuntime;
  rt.id = "Terminal shell in container";
  rt.severity = Severity::kInfo;
  rt.location.resource = "3f2a1b";
  r.findings.push_back(rt);

  Finding mw;
  mw.kind = FindingKind::kMalware;
  mw.id = "EICAR-Test-File";
  mw.severity = Severity::kUnknown;
  mw.location.path = "/tmp/eicar.com";
  mw.package = report::PackageRef{};  // present but empty: must stay present
  r.findings.push_back(mw);
  return r;
}

TEST_F(StoreTest, OpenCreatesSchemaAndReopenIsNoOp) {
  {
    auto store = MustOpen();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(*store->SchemaVersion(), SqliteSchemaVersion());
    ASSERT_TRUE(store->PutSetting("k", "v").ok());
  }
  auto store = MustOpen();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(*store->SchemaVersion(), SqliteSchemaVersion());
  EXPECT_EQ(*store->GetSetting("k"), "v");
  auto& db = static_cast<SqliteStore&>(*store).db();
  EXPECT_EQ(*db.QueryInt64("SELECT count(*) FROM schema_migrations"), SqliteSchemaVersion());
  EXPECT_EQ(*db.QueryInt64("PRAGMA application_id"), kSqliteApplicationId);
}

TEST_F(StoreTest, RefusesNewerDatabase) {
  {
    auto store = MustOpen();
    ASSERT_NE(store, nullptr);
    auto& db = static_cast<SqliteStore&>(*store).db();
    ASSERT_TRUE(
        db.Exec("INSERT INTO schema_migrations VALUES (999, 'from_the_future', 'x', '')").ok());
  }
  auto store = Store::Open(path_, options_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(), HasSubstr(path_));
  EXPECT_THAT(store.status().message(), HasSubstr("schema version 999 (from_the_future)"));
  EXPECT_THAT(store.status().message(), HasSubstr("upgrade vigil"));
}

TEST_F(StoreTest, CorruptFileIsAClearError) {
  {
    std::ofstream out(path_, std::ios::binary);
    out << "this is not an SQLite database, just text that happens to be long enough "
        << std::string(200, 'x');
  }
  auto store = Store::Open(path_, options_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(store.status().message(), HasSubstr(path_));
  EXPECT_THAT(store.status().message(), HasSubstr("not a database"));
}

TEST_F(StoreTest, CorruptedPagesAreErrorsNotCrashes) {
  int64_t scan_id = 0;
  {
    auto store = MustOpen();
    ASSERT_NE(store, nullptr);
    report::Report r = FullReport();
    for (int i = 0; i < 500; ++i) r.findings.push_back(Vuln("CVE-" + std::to_string(i), "p", "1"));
    scan_id = *store->RecordScan(r);
    ASSERT_TRUE(store->Vacuum().ok());  // everything checkpointed into the main file
  }
  {
    // Scribble over the b-tree header of every page but the first (the file header and the
    // schema stay readable, so Open gets as far as the data).
    std::fstream f(path_, std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(0, std::ios::end);
    const auto size = static_cast<int64_t>(f.tellp());
    ASSERT_GT(size, 8192);
    for (int64_t off = 4096; off < size; off += 4096) {
      f.seekp(off);
      f << "garbage garbage garbage garbage";
    }
  }
  // Which read notices first depends on the page layout; either way it is DataLoss.
  auto store = Store::Open(path_, options_);
  if (!store.ok()) {
    EXPECT_EQ(store.status().code(), StatusCode::kDataLoss) << store.status();
    EXPECT_THAT(store.status().message(), HasSubstr("malformed"));
    EXPECT_THAT(store.status().message(), HasSubstr(path_));
    return;
  }
  auto report = (*store)->GetScan(scan_id);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kDataLoss) << report.status();
}

TEST_F(StoreTest, RefusesAnotherProgramsDatabase) {
  {
    auto db = Db::Open(path_);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("CREATE TABLE bookmarks (url TEXT)").ok());
  }
  auto store = Store::Open(path_, options_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(), HasSubstr("not a Vigil database"));
}

TEST_F(StoreTest, PostgresIsNotYetSupported) {
  auto store = Store::Open("postgres://localhost/vigil");
  EXPECT_EQ(store.status().code(), StatusCode::kUnimplemented);
}

TEST_F(StoreTest, RecordAndGetRoundTripEveryField) {
  auto store = MustOpen();
  ASSERT_NE(store, nullptr);
  const report::Report in = FullReport();
  auto id = store->RecordScan(in);
  ASSERT_TRUE(id.ok()) << id.status();

  auto out = store->GetScan(*id);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->target, in.target);
  EXPECT_EQ(out->target_kind, in.target_kind);
  EXPECT_EQ(out->artifact_digest, in.artifact_digest);
  EXPECT_EQ(out->created_at, in.created_at);
  EXPECT_EQ(out->tool_version, in.tool_version);
  EXPECT_EQ(out->warnings, in.warnings);
  ASSERT_EQ(out->findings.size(), in.findings.size());
  for (size_t i = 0; i < in.findings.size(); ++i) {
    EXPECT_TRUE(SameFinding(out->findings[i], in.findings[i])) << "finding " << i;
  }
  EXPECT_FALSE(out->findings[3].package.has_value());
  EXPECT_TRUE(out->findings[4].package.has_value());

  EXPECT_EQ(store->GetScan(*id + 100).status().code(), StatusCode::kNotFound);
}

TEST_F(StoreTest, EmptyReportRoundTrips) {
  auto store = MustOpen();
  ASSERT_NE(store, nullptr);
  report::Report in;
  auto id = store->RecordScan(in);
  ASSERT_TRUE(id.ok()) << id.status();
  auto out = store->GetScan(*id);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(out->findings.empty());
  EXPECT_TRUE(out->warnings.empty());
  EXPECT_EQ(out->target, "");
}

TEST_F(StoreTest, ListScansFiltersAndSummarises) {
  auto store = MustOpen();
  ASSERT_NE(store, nullptr);
  report::Report a = FullReport();
  report::Report b;
  b.target = "k8s/";
  b.target_kind = "config";
  const int64_t a1 = *store->RecordScan(a);
  clock_.Advance(std::chrono::seconds(1));
  const int64_t b1 = *store->RecordScan(b);
  clock_.Advance(std::chrono::seconds(1));
  const int64_t a2 = *store->RecordScan(a);

  auto all = store->ListScans({});
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].id, a2);  // newest first
  EXPECT_EQ((*all)[1].id, b1);
  EXPECT_EQ((*all)[2].id, a1);

  const ScanInfo& info = (*all)[0];
  EXPECT_EQ(info.target, a.target);
  EXPECT_EQ(info.target_kind, "image");
  EXPECT_EQ(info.artifact_digest, a.artifact_digest);
  EXPECT_EQ(info.created_at, a.created_at);
  EXPECT_EQ(info.tool_version, a.tool_version);
  EXPECT_EQ(info.recorded_at, kT0 + std::chrono::seconds(2));
  EXPECT_EQ(info.summary.total, 4);
  EXPECT_EQ(info.summary.suppressed, 1);
  EXPECT_THAT(info.summary.by_severity, ElementsAre(1, 1, 0, 1, 0, 1));  // the low one is
                                                                         // suppressed

  ScanFilter by_target;
  by_target.target = a.target;
  auto only_a = store->ListScans(by_target);
  ASSERT_TRUE(only_a.ok());
  ASSERT_EQ(only_a->size(), 2u);
  EXPECT_EQ((*only_a)[0].id, a2);

  ScanFilter limited;
  limited.limit = 1;
  EXPECT_EQ(store->ListScans(limited)->size(), 1u);

  ScanFilter by_kind;
  by_kind.target_kind = "config";
  auto configs = store->ListScans(by_kind);
  ASSERT_EQ(configs->size(), 1u);
  EXPECT_EQ((*configs)[0].id, b1);
}

TEST_F(StoreTest, DiffByFingerprint) {
  auto store = MustOpen();
  ASSERT_NE(store, nullptr);
  report::Report before;
  before.target = "app";
  before.findings = {Vuln("CVE-1", "openssl", "3.0.1"), Vuln("CVE-2", "zlib", "1.2"),
                     Vuln("CVE-3", "curl", "7.0")};
  report::Report after;
  after.target = "app";
  // CVE-1: package upgraded but still vulnerable and re-scored -> unchanged.
  // CVE-2: gone -> fixed. CVE-4: new. CVE-3 appears twice now (second at another path of
  // the same fingerprint is impossible, so give it a second identical occurrence).
  after.findings = {Vuln("CVE-1", "openssl", "3.0.2", Severity::kCritical),
                    Vuln("CVE-3", "curl", "7.0"), Vuln("CVE-4", "bash", "5.2"),
                    Vuln("CVE-3", "curl", "7.0")};
  const int64_t old_id = *store->RecordScan(before);
  const int64_t new_id = *store->RecordScan(after);

  auto diff = store->DiffScans(old_id, new_id);
  ASSERT_TRUE(diff.ok()) << diff.status();
  auto ids = [](const std::vector<Finding>& fs) {
    std::vector<std::string> out;
    out.reserve(fs.size());
    for (const Finding& f : fs) out.push_back(f.id);
    return out;
  };
  EXPECT_THAT(ids(diff->added), ElementsAre("CVE-4", "CVE-3"));
  EXPECT_THAT(ids(diff->fixed), ElementsAre("CVE-2"));
  EXPECT_THAT(ids(diff->unchanged), ElementsAre("CVE-1", "CVE-3"));
  // Unchanged findings are reported as the new scan has them.
  EXPECT_EQ(diff->unchanged[0].package->version, "3.0.2");
  EXPECT_EQ(diff->unchanged[0].severity, Severity::kCritical);

  auto reverse = store->DiffScans(new_id, old_id);
  ASSERT_TRUE(reverse.ok());
  EXPECT_THAT(ids(reverse->added), ElementsAre("CVE-2"));
  // The first CVE-3 of the newer scan is matched; its second occurrence is what went away.
  EXPECT_THAT(ids(reverse->fixed), ElementsAre("CVE-4", "CVE-3"));

  EXPECT_EQ(store->DiffScans(old_id, 12345).status().code(), StatusCode::kNotFound);
}

TEST(FingerprintTest, StableAcrossVersionLineAndSeverity) {
  Finding a = Vuln("CVE-1", "openssl", "3.0.1");
  Finding b = a;
  b.package->version = "3.0.9";
  b.location.line = 99;
  b.severity = Severity::kLow;
  b.title = "retitled";
  EXPECT_EQ(Fingerprint(a), Fingerprint(b));
  EXPECT_EQ(Fingerprint(a).size(), 64u);

  Finding c = a;
  c.location.path = "/other";
  EXPECT_NE(Fingerprint(a), Fingerprint(c));
  Finding d = a;
  d.kind = FindingKind::kSecret;
  EXPECT_NE(Fingerprint(a), Fingerprint(d));
  Finding e = a;
  e.package.reset();
  EXPECT_NE(Fingerprint(a), Fingerprint(e));
  Finding f = a;
  f.location.resource = "Pod/ns/x";
  EXPECT_NE(Fingerprint(a), Fingerprint(f));
  // Field boundaries matter: ("ab", "c") is not ("a", "bc").
  Finding g = a, h = a;
  g.id = "CVE-1x";
  g.package->name = "y";
  h.id = "CVE-1";
  h.package->name = "xy";
  EXPECT_NE(Fingerprint(g), Fingerprint(h));
}

TEST_F(StoreTest, AuditAppendAndListInOrder) {
  auto store = MustOpen();
  ASSERT_NE(store, nullptr);
  AuditEntry e;
  e.actor = "cli:uid=1000";
  e.action = "respond.kill";
  e.target = "container/3f2a1b";
  e.detail = R"({"rule":"Terminal shell in container","signal":9})";
  e.outcome = "success";
  auto id1 = store->AppendAudit(e);  // time defaults to the store clock
  ASSERT_TRUE(id1.ok()) << id1.status();

  AuditEntry late = e;  // reported late by an agent: earlier time, later append
  late.time = kT0 - std::chrono::minutes(5);
  late.action = "respond.freeze";
  late.detail = "";
  late.outcome = "shadow";
  auto id2 = store->AppendAudit(late);
  ASSERT_TRUE(id2.ok());

  AuditEntry same_time = e;
  same_time.time = kT0;
  same_time.action = "respond.quarantine";
  auto id3 = store->AppendAudit(same_time);
  ASSERT_TRUE(id3.ok());
  EXPECT_LT(*id1, *id2);
  EXPECT_LT(*id2, *id3);

  auto all = store->ListAudit(TimePoint(), 0);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].action, "respond.freeze");  // earliest time first
  EXPECT_EQ((*all)[1].action, "respond.kill");    // same time: append order
  EXPECT_EQ((*all)[2].action, "respond.quarantine");
  EXPECT_EQ((*all)[0].detail, "{}");
  EXPECT_EQ((*all)[0].outcome, "shadow");
  EXPECT_EQ((*all)[1].id, *id1);
  EXPECT_EQ((*all)[1].time, kT0);
  EXPECT_EQ((*all)[1].actor, e.actor);
  EXPECT_EQ((*all)[1].target, e.target);
  EXPECT_EQ((*all)[1].detail, e.detail);

  auto since = store->ListAudit(kT0, 1);
  ASSERT_TRUE(since.ok());
  ASSERT_EQ(since->size(), 1u);
  EXPECT_EQ((*since)[0].action, "respond.kill");
}

TEST_F(StoreTest, AuditRejectsBadEntriesAndIsAppendOnly) {
  auto store = MustOpen();
  ASSERT_NE(store, nullptr);
  AuditEntry e;
  e.actor = "cli";
  e.action = "scan.image";
  e.outcome = "success";
  e.detail = "[1, 2]";
  EXPECT_EQ(store->AppendAudit(e).status().code(), StatusCode::kInvalidArgument);
  e.detail = "{not json";
  EXPECT_EQ(store->AppendAudit(e).status().code(), StatusCode::kInvalidArgument);
  e.detail = "{}";
  e.actor = "";
  EXPECT_EQ(store->AppendAudit(e).status().code(), StatusCode::kInvalidArgument);
  e.actor = "cli";
  ASSERT_TRUE(store->AppendAudit(e).ok());

  auto& db = static_cast<SqliteStore&>(*store).db();
  Status update = db.Exec("UPDATE audit_log SET outcome = 'failure'");
  EXPECT_THAT(update.message(), HasSubstr("append-only"));
  Status remove = db.Exec("DELETE FROM audit_log");
  EXPECT_THAT(remove.message(), HasSubstr("append-only"));
  EXPECT_EQ(store->ListAudit(TimePoint(), 0)->size(), 1u);
}

TEST_F(StoreTest, ModelsUpsertGetListDelete) {
  auto store = MustOpen();
  ASSERT_NE(store, nullptr);
  ModelRecord m;
  m.workload = "deployment/prod/api";
  m.name = "syscall-seq";
  m.format_version = 1;
  m.blob = std::string("\0\x01\x02model-v1", 11);
  ASSERT_TRUE(store->PutModel(m).ok());

  clock_.Advance(std::chrono::hours(1));
  m.format_version = 2;
  m.blob = std::string("\xff\x00model-v2-longer", 16);
  ASSERT_TRUE(store->PutModel(m).ok());  // same key: replaces

  ModelRecord other = m;
  other.name = "net-profile";
  other.blob = "n";
  ASSERT_TRUE(store->PutModel(other).ok());
  ModelRecord elsewhere = m;
  elsewhere.workload = "daemonset/kube-system/agent";
  ASSERT_TRUE(store->PutModel(elsewhere).ok());

  auto got = store->GetModel(m.workload, m.name);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->format_version, 2);
  EXPECT_EQ(got->blob, m.blob);
  EXPECT_EQ(got->updated_at, kT0 + std::chrono::hours(1));

  auto listed = store->ListModels(m.workload);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].name, "net-profile");  // ordered by name
  EXPECT_EQ((*listed)[1].name, "syscall-seq");
  EXPECT_EQ((*listed)[1].size_bytes, 16);
  EXPECT_EQ((*listed)[1].format_version, 2);
  EXPECT_EQ((*listed)[1].sha256.size(), 64u);
  EXPECT_EQ(store->ListModels("")->size(), 3u);

  EXPECT_EQ(store->GetModel(m.workload, "nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store->PutModel(ModelRecord{}).code(), StatusCode::kInvalidArgument);

  auto& db = static_cast<SqliteStore&>(*store).db();
  ASSERT_TRUE(db.Exec("UPDATE models SET blob = x'00' WHERE name = 'net-profile'").ok());
  EXPECT_EQ(store->GetModel(m.workload, "net-profile").status().code(), StatusCode::kDataLoss);

  ASSERT_TRUE(store->DeleteModel(m.workload, "net-profile").ok());
  EXPECT_EQ(store->DeleteModel(m.workload, "net-profile").code(), StatusCode::kNotFound);
  EXPECT_EQ(store->ListModels("")->size(), 2u);
}

TEST_F(StoreTest, Settings) {
  auto store = MustOpen();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->GetSetting("vulndb.etag").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(store->PutSetting("vulndb.etag", "\"abc\"").ok());
  ASSERT_TRUE(store->PutSetting("vulndb.etag", "\"def\"").ok());
  EXPECT_EQ(*store->GetSetting("vulndb.etag"), "\"def\"");
  EXPECT_EQ(store->PutSetting("", "x").code(), StatusCode::kInvalidArgument);
}

TEST_F(StoreTest, RetentionDeletesOldScansWithTheirFindings) {
  auto store = MustOpen();
  ASSERT_NE(store, nullptr);
  report::Report old_report = FullReport();
  old_report.created_at = "2026-01-01T00:00:00Z";
  report::Report offset_report = FullReport();
  offset_report.created_at = "2026-06-01T02:00:00.5+02:00";  // 2026-06-01T00:00:00.5Z
  report::Report undated = FullReport();
  undated.created_at = "";  // falls back to the recording time, kT0
  const int64_t old_id = *store->RecordScan(old_report);
  const int64_t offset_id = *store->RecordScan(offset_report);
  const int64_t undated_id = *store->RecordScan(undated);

  const TimePoint june = std::chrono::sys_days(std::chrono::year(2026) / 6 / 1);
  auto deleted = store->DeleteScansBefore(june);
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_EQ(*deleted, 1);
  EXPECT_EQ(store->GetScan(old_id).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store->GetScan(offset_id).ok());

  EXPECT_EQ(*store->DeleteScansBefore(june + std::chrono::seconds(1)), 1);
  EXPECT_EQ(*store->DeleteScansBefore(kT0), 0);
  EXPECT_TRUE(store->GetScan(undated_id).ok());

  auto& db = static_cast<SqliteStore&>(*store).db();
  EXPECT_EQ(*db.QueryInt64("SELECT count(*) FROM findings"), 5);  // cascade removed the rest
  EXPECT_TRUE(store->Vacuum().ok());
}

TEST_F(StoreTest, RecordsTenThousandFindingsQuickly) {
  auto store = MustOpen();
  ASSERT_NE(store, nullptr);
  report::Report r = FullReport();
  for (int i = 0; i < 10000; ++i) {
    Finding f = Vuln("CVE-2026-" + std::to_string(i), "pkg" + std::to_string(i % 300), "1.0");
    f.references = {"https://example.test/" + std::to_string(i)};
    r.findings.push_back(std::move(f));
  }
  const auto start = std::chrono::steady_clock::now();
  auto id = store->RecordScan(r);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(id.ok()) << id.status();
  std::cout << "RecordScan of " << r.findings.size() << " findings: "
            << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms\n";
  // ~0.1 s optimised and ~0.3 s in a Debug build. Sanitizers slow the JSON and hashing
  // code tenfold, so the bound only applies without them.
  if (!kSanitized) {
    EXPECT_LT(elapsed, std::chrono::seconds(1));
  }
  auto back = store->GetScan(*id);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->findings.size(), r.findings.size());
}

TEST_F(StoreTest, ReaderProceedsWhileWriterHoldsTheLock) {
  auto writer = MustOpen();
  auto reader = MustOpen();
  ASSERT_NE(writer, nullptr);
  ASSERT_NE(reader, nullptr);
  const int64_t first = *writer->RecordScan(FullReport());

  auto& wdb = static_cast<SqliteStore&>(*writer).db();
  {
    auto tx = Transaction::Begin(wdb);
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(wdb.Exec("INSERT INTO scans (target, target_kind, artifact_digest, created_at,"
                         " created_ns, recorded_ns, tool_version, warnings, total, suppressed,"
                         " sev_unknown, sev_info, sev_low, sev_medium, sev_high, sev_critical)"
                         " VALUES ('uncommitted', '', '', '', 0, 0, '', '[]', 0, 0, 0, 0, 0, 0,"
                         " 0, 0)")
                    .ok());
    // The writer holds the write lock; the reader still reads, from the last commit.
    auto during = reader->ListScans({});
    ASSERT_TRUE(during.ok()) << during.status();
    ASSERT_EQ(during->size(), 1u);
    EXPECT_EQ((*during)[0].id, first);
    EXPECT_TRUE(reader->GetScan(first).ok());
    // Opening an up-to-date store takes no write lock either.
    StoreOptions impatient = options_;
    impatient.busy_timeout_ms = 10;
    auto late = Store::Open(path_, impatient);
    ASSERT_TRUE(late.ok()) << late.status();
    EXPECT_EQ((*late)->ListScans({})->size(), 1u);
    ASSERT_TRUE(tx->Commit().ok());
  }
  auto after = reader->ListScans({});
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->size(), 2u);
}

TEST_F(StoreTest, ConcurrentWriterAndReaderThreads) {
  ASSERT_NE(MustOpen(), nullptr);  // create the schema once
  std::atomic<bool> done{false};
  Status writer_status, reader_status;
  int reads = 0;
  std::thread writer([&] {
    auto store = Store::Open(path_, options_);
    if (!store.ok()) {
      writer_status = store.status();
      done = true;
      return;
    }
    report::Report r = FullReport();
    for (int i = 0; i < 100 && writer_status.ok(); ++i) {
      writer_status = (*store)->RecordScan(r).status();
    }
    done = true;
  });
  std::thread reader([&] {
    auto store = Store::Open(path_, options_);
    if (!store.ok()) {
      reader_status = store.status();
      return;
    }
    size_t last = 0;
    // do-while: at least one read even if the writer is already done.
    do {
      auto scans = (*store)->ListScans({});
      if (!scans.ok()) {
        reader_status = scans.status();
        break;
      }
      if (scans->size() < last) reader_status = InternalError("history went backwards");
      last = scans->size();
      if (!scans->empty()) {
        auto report = (*store)->GetScan(scans->front().id);
        if (!report.ok())
          reader_status = report.status();
        else if (report->findings.size() != 5)
          reader_status = InternalError("torn scan");
      }
      ++reads;
    } while (!done && reader_status.ok());
  });
  writer.join();
  reader.join();
  EXPECT_TRUE(writer_status.ok()) << writer_status;
  EXPECT_TRUE(reader_status.ok()) << reader_status;
  EXPECT_GT(reads, 0);
  auto store = MustOpen();
  ScanFilter everything;
  everything.limit = 0;
  EXPECT_EQ(store->ListScans(everything)->size(), 100u);
}

// The store's on-disk spellings are its own (codes.h), but they should read the same as the
// report format's, so SQL over the store and the JSON reports agree.
TEST(CodesTest, MatchTheReportFormatAndRoundTrip) {
  for (FindingKind k : {FindingKind::kVulnerability, FindingKind::kSecret, FindingKind::kMalware,
                        FindingKind::kMisconfig, FindingKind::kRuntime}) {
    EXPECT_EQ(KindCode(k), report::FindingKindName(k));
    EXPECT_EQ(KindFromCode(KindCode(k)), k);
  }
  for (int i = 0; i < 6; ++i) {
    const auto s = static_cast<Severity>(i);
    EXPECT_EQ(SeverityCode(s), report::SeverityName(s));
    EXPECT_EQ(SeverityFromCode(SeverityCode(s)), s);
  }
  EXPECT_FALSE(KindFromCode("Vulnerability").has_value());
  EXPECT_FALSE(SeverityFromCode("").has_value());
}

TEST(Rfc3339Test, ParsesCommonForms) {
  const TimePoint base = std::chrono::sys_days(std::chrono::year(2026) / 11 / 24) +
                         std::chrono::hours(6) + std::chrono::minutes(4) + std::chrono::seconds(43);
  EXPECT_EQ(*ParseRfc3339("2026-11-24T06:04:43Z"), base);
  EXPECT_EQ(*ParseRfc3339("2026-11-24t06:04:43z"), base);
  EXPECT_EQ(*ParseRfc3339("2026-11-24T08:04:43+02:00"), base);
  EXPECT_EQ(*ParseRfc3339("2026-11-24T05:34:43-00:30"), base);
  EXPECT_EQ(*ParseRfc3339("2026-11-24T06:04:43.123456789Z"),
            base + std::chrono::nanoseconds(123456789));
  EXPECT_EQ(*ParseRfc3339("2026-11-24T06:04:43.5Z"), base + std::chrono::milliseconds(500));
  EXPECT_EQ(*ParseRfc3339(FormatRfc3339(base)), base);
  for (const char* bad :
       {"", "2026-11-24", "2026-11-24T06:04:43", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
        "2026-11-24T06:04:43.Z", "2026-11-24T06:04:43+0200", "2026-11-24T06:04:43Zjunk",
        "2026-11-24T25:00:00Z"}) {
    EXPECT_FALSE(ParseRfc3339(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace vigil::store
