#include "ml/datasets.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "base/fs.h"
#include "base/test_paths.h"
#include "ml/eval.h"

namespace vigil::ml {
namespace {

using test_paths::SharedDir;
using test_paths::SourceDir;

std::string Fixtures() { return SourceDir() + "/testdata/ml/datasets"; }

TEST(DatasetFormat, Names) {
  EXPECT_EQ(*ParseDatasetFormat("adfa-ld"), DatasetFormat::kAdfaLd);
  EXPECT_EQ(*ParseDatasetFormat("unm"), DatasetFormat::kUnm);
  EXPECT_EQ(*ParseDatasetFormat("lid-ds"), DatasetFormat::kLidDs);
  EXPECT_EQ(*ParseDatasetFormat("vigil"), DatasetFormat::kVigil);
  EXPECT_EQ(ParseDatasetFormat("adfa").status().message(),
            "unknown dataset format 'adfa' (known: adfa-ld, unm, lid-ds, vigil)");
  EXPECT_EQ(DatasetFormatName(DatasetFormat::kLidDs), "lid-ds");
}

TEST(Adfa, ParsesNumbersAcrossLinesAndTrailingSpace) {
  auto t = ParseAdfaTrace("6 6 63\n 120\t5 \n", "a.txt");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->calls, (std::vector<uint16_t>{6, 6, 63, 120, 5}));
  EXPECT_EQ(t->table, SyscallTable::kX86_32);
  EXPECT_EQ(t->id, "a.txt");
  EXPECT_TRUE(t->tids.empty());
  EXPECT_TRUE(t->ts_ns.empty());
}

TEST(Adfa, Errors) {
  EXPECT_EQ(ParseAdfaTrace("6 6\n6 x7 8", "a.txt").status().message(),
            "a.txt:2: 'x7' is not a syscall number");
  EXPECT_EQ(ParseAdfaTrace("6 1024", "a.txt").status().message(),
            "a.txt:1: 1024 exceeds the largest syscall number 1023");
  EXPECT_EQ(ParseAdfaTrace("6 -1", "a.txt").status().message(),
            "a.txt:1: '-1' is not a syscall number");
  EXPECT_EQ(ParseAdfaTrace(" \n\n ", "a.txt").status().message(), "a.txt: empty trace");
  EXPECT_TRUE(ParseAdfaTrace("1023", "a.txt").ok());
}

TEST(Unm, SplitsInterleavedProcesses) {
  auto ts = ParseUnmTraces("101 4  \n202 66\n\n101 5\r\n202 5\n", "lpr.txt");
  ASSERT_TRUE(ts.ok()) << ts.status();
  ASSERT_EQ(ts->size(), 2u);
  EXPECT_EQ((*ts)[0].id, "lpr.txt#101");
  EXPECT_EQ((*ts)[0].calls, (std::vector<uint16_t>{4, 5}));
  EXPECT_EQ((*ts)[1].id, "lpr.txt#202");
  EXPECT_EQ((*ts)[1].calls, (std::vector<uint16_t>{66, 5}));
  EXPECT_EQ((*ts)[1].table, SyscallTable::kSunOs);
}

TEST(Unm, Errors) {
  EXPECT_EQ(ParseUnmTraces("1 2\n3\n", "f").status().message(),
            "f:2: expected 'PID syscall', got '3'");
  EXPECT_EQ(ParseUnmTraces("1 2 3\n", "f").status().message(),
            "f:1: expected 'PID syscall', got '1 2 3'");
  EXPECT_EQ(ParseUnmTraces("p 2\n", "f").status().message(), "f:1: 'p' is not a process id");
  EXPECT_EQ(ParseUnmTraces("1 open\n", "f").status().message(),
            "f:1: 'open' is not a syscall number");
  EXPECT_EQ(ParseUnmTraces("1 5000\n", "f").status().message(),
            "f:1: 5000 exceeds the largest syscall number 1023");
  EXPECT_EQ(ParseUnmTraces("\n\n", "f").status().message(), "f: empty trace");
}

TEST(LidDs, Errors) {
  const char* json = R"({"exploit": false})";
  EXPECT_EQ(ParseLidDsRecording("1 0 1 a 1 read\n", json, "r").status().message(),
            "r.sc:1: expected 'timestamp user_id pid process_name thread_id syscall direction "
            "[args]', got 6 fields");
  EXPECT_EQ(ParseLidDsRecording("t 0 1 a 1 read <\n", json, "r").status().message(),
            "r.sc:1: timestamp 't' is not a number");
  EXPECT_EQ(ParseLidDsRecording("1 0 x a 1 read <\n", json, "r").status().message(),
            "r.sc:1: pid 'x' is not a number");
  EXPECT_EQ(ParseLidDsRecording("1 0 1 a 99999999999 read <\n", json, "r").status().message(),
            "r.sc:1: thread id '99999999999' is not a number");
  EXPECT_EQ(
      ParseLidDsRecording("1 0 1 a 1 read <\n2 0 1 a 1 read =\n", json, "r").status().message(),
      "r.sc:2: direction '=' is neither '<' nor '>'");
  EXPECT_EQ(ParseLidDsRecording("1 0 1 a 1 read >\n", json, "r").status().message(),
            "r.sc: no system call exit events");
  EXPECT_EQ(ParseLidDsRecording("1 0 1 a 1 read <\n", "{", "r").status().message(),
            "r.json: not a JSON object");
  EXPECT_EQ(ParseLidDsRecording("1 0 1 a 1 read <\n", "{}", "r").status().message(),
            "r.json: field 'exploit' is missing or not a boolean");
  EXPECT_EQ(
      ParseLidDsRecording("1 0 1 a 1 read <\n",
                          R"({"exploit": true, "time": {"exploit": [{"absolute": "x"}]}})", "r")
          .status()
          .message(),
      "r.json: field 'time.exploit[0].absolute' is missing or not a number");
  EXPECT_EQ(ParseLidDsRecording("1 0 1 a 1 read <\n",
                                R"({"exploit": true, "time": {"exploit": {}}})", "r")
                .status()
                .message(),
            "r.json: field 'time.exploit' is not an array");
}

TEST(LidDs, SkipsNonSyscallEventsAndEntries) {
  auto t = ParseLidDsRecording(
      "10 0 1 a 1 read > fd=3\n11 0 1 a 1 read < res=0\n12 0 1 a 1 switch > next=0\n"
      "13 0 1 a 2 procexit < status=0\n14 0 1 a 2 openat < fd=3(<f>/x) name=/x flags=1(O_RDONLY)\n",
      "", "r");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->calls, (std::vector<uint16_t>{0, 257}));
  EXPECT_EQ(t->tids, (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(t->ts_ns, (std::vector<uint64_t>{11, 14}));
  EXPECT_EQ(t->label, Label::kUnknown);
  EXPECT_EQ(t->attack_start, Trace::npos);
  EXPECT_EQ(t->table, SyscallTable::kX86_64);
}

std::string Describe(const Activity& a) {
  return std::string(ActivityKindName(a.kind)) + " " + a.subject + " " + a.object + " " +
         std::to_string(a.amount);
}

TEST(LidDs, FixtureRecordings) {
  auto normal = ReadTraces(DatasetFormat::kLidDs, Fixtures() + "/lidds/training", Label::kUnknown);
  ASSERT_TRUE(normal.ok()) << normal.status();
  ASSERT_EQ(normal->size(), 1u);
  const Trace& n = (*normal)[0];
  EXPECT_EQ(n.id, Fixtures() + "/lidds/training/calm_apache_1");
  EXPECT_EQ(n.label, Label::kNormal);
  EXPECT_EQ(n.attack_start, Trace::npos);
  // accept4, read, open, fstat, writev, close, listen, close (the "switch" is not a call).
  EXPECT_EQ(n.calls, (std::vector<uint16_t>{288, 0, 2, 5, 20, 3, 50, 3}));
  std::vector<std::string> got;
  for (const Activity& a : n.activities) got.push_back(Describe(a));
  EXPECT_EQ(got, (std::vector<std::string>{
                     "user apache2 33 1",
                     "accept apache2 172.17.0.1 1",
                     "bytes_in apache2  120",
                     "bytes_out apache2  612",
                     "user apache2 0 1",
                     "listen apache2 tcp/80 1",
                 }));

  auto attack = ReadTraces(DatasetFormat::kLidDs, Fixtures() + "/lidds/test", Label::kUnknown);
  ASSERT_TRUE(attack.ok()) << attack.status();
  ASSERT_EQ(attack->size(), 1u);
  const Trace& a = (*attack)[0];
  EXPECT_EQ(a.label, Label::kAttack);
  EXPECT_EQ(a.group, "CVE-2017-7529");
  // read, open, clone, execve, open, open, openat, connect, unlinkat.
  EXPECT_EQ(a.calls, (std::vector<uint16_t>{0, 2, 56, 59, 2, 2, 257, 42, 263}));
  EXPECT_EQ(a.attack_start, 2u);  // the clone at 1631209051.000001 s, after the exploit time
  got.clear();
  for (const Activity& act : a.activities) got.push_back(Describe(act));
  EXPECT_EQ(got, (std::vector<std::string>{
                     "user apache2 33 1",
                     "bytes_in apache2  300",
                     "user sh 33 1",
                     "exec apache2 /bin/sh 1",
                     "user sh 0 1",
                     "sensitive_read sh /etc/shadow 1",
                     "file_write sh /tmp/x.sh 1",
                     "connect sh 10.0.0.7:4444 1",
                     "file_write sh /tmp/x.sh 1",
                 }));
  EXPECT_EQ(a.activities[3].ts_ns, 1631209051000003000u);
}

// ---- LID-DS 2021 as distributed: one zip per recording ----

// A zip of `members` (name, content) written with libarchive, deflated.
std::string WriteZip(const std::vector<std::pair<std::string, std::string>>& members) {
  std::string out;
  archive* w = archive_write_new();
  archive_write_set_format_zip(w);
  archive_write_set_bytes_per_block(w, 0);
  archive_write_open2(
      w, &out, nullptr,
      [](archive*, void* client, const void* buf, size_t n) -> la_ssize_t {
        static_cast<std::string*>(client)->append(static_cast<const char*>(buf), n);
        return static_cast<la_ssize_t>(n);
      },
      nullptr, nullptr);
  for (const auto& [name, content] : members) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, static_cast<la_int64_t>(content.size()));
    archive_write_header(w, e);
    archive_write_data(w, content.data(), content.size());
    archive_entry_free(e);
  }
  archive_write_close(w);
  archive_write_free(w);
  return out;
}

std::string FileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string ZipScenario() { return Fixtures() + "/lidds-zip/CVE-2017-7529"; }

void ExpectSameRecording(const Trace& a, const Trace& b) {
  EXPECT_EQ(a.calls, b.calls);
  EXPECT_EQ(a.tids, b.tids);
  EXPECT_EQ(a.ts_ns, b.ts_ns);
  EXPECT_EQ(a.label, b.label);
  EXPECT_EQ(a.group, b.group);
  EXPECT_EQ(a.attack_start, b.attack_start);
  EXPECT_EQ(a.table, b.table);
  ASSERT_EQ(a.activities.size(), b.activities.size());
  for (size_t i = 0; i < a.activities.size(); ++i) {
    EXPECT_EQ(Describe(a.activities[i]), Describe(b.activities[i]));
    EXPECT_EQ(a.activities[i].ts_ns, b.activities[i].ts_ns);
  }
}

TEST(LidDsZip, ScenarioFoldersAsDistributed) {
  auto loose_normal =
      ReadTraces(DatasetFormat::kLidDs, Fixtures() + "/lidds/training", Label::kUnknown);
  auto loose_attack =
      ReadTraces(DatasetFormat::kLidDs, Fixtures() + "/lidds/test", Label::kUnknown);
  ASSERT_TRUE(loose_normal.ok() && loose_attack.ok());

  auto training = ReadTraces(DatasetFormat::kLidDs, ZipScenario() + "/training", Label::kUnknown);
  ASSERT_TRUE(training.ok()) << training.status();
  ASSERT_EQ(training->size(), 1u);
  EXPECT_EQ((*training)[0].id, ZipScenario() + "/training/calm_apache_1");
  ExpectSameRecording((*training)[0], (*loose_normal)[0]);

  auto validation =
      ReadTraces(DatasetFormat::kLidDs, ZipScenario() + "/validation", Label::kUnknown);
  ASSERT_TRUE(validation.ok()) << validation.status();
  ASSERT_EQ(validation->size(), 1u);
  EXPECT_EQ((*validation)[0].label, Label::kNormal);

  // test/normal and test/normal_and_attack (the .sc precedes the .json in these zips).
  auto test = ReadTraces(DatasetFormat::kLidDs, ZipScenario() + "/test", Label::kUnknown);
  ASSERT_TRUE(test.ok()) << test.status();
  ASSERT_EQ(test->size(), 2u);
  EXPECT_EQ((*test)[0].id, ZipScenario() + "/test/normal/calm_apache_4");
  EXPECT_EQ((*test)[0].label, Label::kNormal);
  EXPECT_EQ((*test)[1].id, ZipScenario() + "/test/normal_and_attack/acidic_apache_2");
  ExpectSameRecording((*test)[1], (*loose_attack)[0]);
  EXPECT_EQ((*test)[1].attack_start, 2u);

  // One zip given as the path; a given label wins over the metadata.
  auto one =
      ReadTraces(DatasetFormat::kLidDs,
                 ZipScenario() + "/test/normal_and_attack/acidic_apache_2.zip", Label::kNormal);
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ((*one)[0].id, ZipScenario() + "/test/normal_and_attack/acidic_apache_2");
  EXPECT_EQ((*one)[0].label, Label::kNormal);

  // The LID-DS protocol end to end: train, calibrate on validation, score the test set.
  TrainOptions options;
  options.model = "stide";
  options.threads = 1;
  auto result = Evaluate(*training, *validation, *test, options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->attack_traces, 1u);
  ASSERT_TRUE(result->lidds.has_value());
  EXPECT_EQ(result->lidds->attack_recordings, 1u);
  EXPECT_EQ(result->lidds->normal_recordings, 1u);
}

TEST(LidDsZip, InMemoryFilesystemAndUnpackedRecordings) {
  MemFileSystem fs;
  std::string zip = FileText(ZipScenario() + "/test/normal_and_attack/acidic_apache_2.zip");
  fs.AddFile("/s/test/normal_and_attack/r.zip",
             WriteZip({{"r.sc", FileText(Fixtures() + "/lidds/test/normal_and_attack/"
                                                      "acidic_apache_2.sc")},
                       {"r.json", FileText(Fixtures() + "/lidds/test/normal_and_attack/"
                                                        "acidic_apache_2.json")}}));
  auto ts = ReadTraces(fs, DatasetFormat::kLidDs, "/s", Label::kUnknown);
  ASSERT_TRUE(ts.ok()) << ts.status();
  ASSERT_EQ(ts->size(), 1u);
  EXPECT_EQ((*ts)[0].id, "/s/test/normal_and_attack/r");
  EXPECT_EQ((*ts)[0].group, "CVE-2017-7529");
  // Unpacked beside its zip, a recording is read once, from the loose files.
  fs.AddFile("/s/test/normal_and_attack/r.sc", "1 0 1 a 1 read <\n");
  fs.AddFile("/s/test/normal_and_attack/r.json", R"({"exploit": false})");
  ts = ReadTraces(fs, DatasetFormat::kLidDs, "/s", Label::kUnknown);
  ASSERT_TRUE(ts.ok()) << ts.status();
  ASSERT_EQ(ts->size(), 1u);
  EXPECT_EQ((*ts)[0].calls, (std::vector<uint16_t>{0}));
  fs.AddFile("/bad/x.zip", "PK\x03\x04 not really");
  EXPECT_EQ(ReadTraces(fs, DatasetFormat::kLidDs, "/bad", Label::kUnknown).status().code(),
            StatusCode::kDataLoss);
}

TEST(LidDsZip, Errors) {
  const std::string sc = "1 0 1 a 1 read <\n2 0 1 a 1 write <\n";
  const std::string json = R"({"exploit": false})";
  auto message = [](const StatusOr<Trace>& t) { return t.status().message(); };

  EXPECT_EQ(message(ParseLidDsZip(WriteZip({{"r.json", json}, {"r.res", "x"}}), "d/r")),
            "d/r.zip: no member r.sc (a LID-DS recording zip holds <name>.sc and <name>.json)");
  EXPECT_EQ(message(ParseLidDsZip(WriteZip({{"r.sc", sc}}), "d/r")),
            "d/r.zip: no member r.json (the recording's metadata says whether it is an attack; "
            "or give the label)");
  auto labelled = ParseLidDsZip(WriteZip({{"r.sc", sc}}), "d/r", Label::kNormal);
  ASSERT_TRUE(labelled.ok()) << labelled.status();
  EXPECT_EQ(labelled->calls, (std::vector<uint16_t>{0, 1}));
  EXPECT_EQ(labelled->label, Label::kNormal);
  // Members inside a folder of the zip are found by name.
  EXPECT_TRUE(ParseLidDsZip(WriteZip({{"r/r.sc", sc}, {"r/r.json", json}}), "r").ok());

  // Content errors name the zip, the member and the line or field.
  EXPECT_EQ(
      message(ParseLidDsZip(
          WriteZip({{"r.sc", "1 0 1 a 1 read <\n1 0 x a 1 read <\n"}, {"r.json", json}}), "r")),
      "r.zip/r.sc:2: pid 'x' is not a number");
  EXPECT_EQ(message(ParseLidDsZip(WriteZip({{"r.json", "{}"}, {"r.sc", sc}}), "r")),
            "r.zip/r.json: field 'exploit' is missing or not a boolean");
  EXPECT_EQ(message(ParseLidDsZip(WriteZip({{"r.json", ""}, {"r.sc", sc}}), "r")),
            "r.zip/r.json: empty file");

  // Limits: member sizes and line length.
  LidDsZipLimits small;
  small.max_sc_bytes = 20;
  EXPECT_EQ(message(ParseLidDsZip(WriteZip({{"r.sc", sc}, {"r.json", json}}), "r", Label::kUnknown,
                                  small)),
            "r.zip/r.sc: member of 35 bytes, larger than the limit of 20 bytes");
  auto over =
      ParseLidDsZip(WriteZip({{"r.sc", sc}, {"r.json", json}}), "r", Label::kUnknown, small);
  EXPECT_EQ(over.status().code(), StatusCode::kResourceExhausted);
  LidDsZipLimits short_lines;
  short_lines.max_line_bytes = 16;
  EXPECT_EQ(message(ParseLidDsZip(WriteZip({{"r.sc", sc}, {"r.json", json}}), "r", Label::kUnknown,
                                  short_lines)),
            "r.zip/r.sc:2: line longer than the limit of 16 bytes");  // line 1 is 16 bytes
  LidDsZipLimits small_json;
  small_json.max_json_bytes = 4;
  EXPECT_EQ(over.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(message(ParseLidDsZip(WriteZip({{"r.sc", sc}, {"r.json", json}}), "r", Label::kUnknown,
                                  small_json)),
            "r.zip/r.json: member of 18 bytes, larger than the limit of 4 bytes");

  // Not a zip, a truncated zip and a corrupted one: DataLoss naming the zip.
  auto not_zip = ParseLidDsZip("just text", "r");
  EXPECT_EQ(not_zip.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(message(not_zip).rfind("r.zip: ", 0), 0u) << message(not_zip);
  std::string good = WriteZip({{"r.json", json}, {"r.sc", std::string(4000, '\n') + sc}});
  ASSERT_TRUE(ParseLidDsZip(good, "r").ok());
  // (A cut in the central directory alone may still read: the members are intact.)
  for (size_t cut : {good.size() / 2, size_t{40}, size_t{10}}) {
    auto truncated = ParseLidDsZip(good.substr(0, cut), "r");
    EXPECT_FALSE(truncated.ok()) << cut;
    EXPECT_EQ(message(truncated).rfind("r.zip", 0), 0u) << message(truncated);
  }
  std::string flipped = good;
  for (size_t i = 60; i < 90 && i < flipped.size(); ++i)
    flipped[i] = static_cast<char>(~flipped[i]);
  auto corrupt = ParseLidDsZip(flipped, "r");
  EXPECT_FALSE(corrupt.ok());
  EXPECT_EQ(message(corrupt).rfind("r.zip", 0), 0u) << message(corrupt);
}

// A recording far larger than the reader's 64 KiB blocks streams to the same trace as the
// whole-text parser, from memory and from a host file.
TEST(LidDsZip, StreamsLargeRecordings) {
  std::string sc;
  for (int i = 0; i < 20000; ++i) {
    std::string ts = std::to_string(1631209040000000000ull + static_cast<uint64_t>(i) * 1000);
    std::string tid = std::to_string(100 + i % 7);
    sc += ts + " 33 100 apache2 " + tid + " read > fd=9(<4t>172.17.0.1:5->172.17.0.2:80) size=8\n";
    sc += ts + " 33 100 apache2 " + tid +
          (i % 3 == 0 ? " read < res=8 data=AAAA\n" : " close < res=0\n");
  }
  const std::string json = FileText(Fixtures() + "/lidds/training/calm_apache_1.json");
  auto whole = ParseLidDsRecording(sc, json, "big");
  ASSERT_TRUE(whole.ok()) << whole.status();
  ASSERT_EQ(whole->calls.size(), 20000u);
  std::string zip = WriteZip({{"big.sc", sc}, {"big.json", json}, {"big.pcap", "x"}});
  ASSERT_GT(sc.size(), 20u * 65536u / 10u);
  auto streamed = ParseLidDsZip(zip, "big");
  ASSERT_TRUE(streamed.ok()) << streamed.status();
  ExpectSameRecording(*streamed, *whole);

  char dir[] = "/tmp/vigil-lidds-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string path = std::string(dir) + "/big.zip";
  std::ofstream(path, std::ios::binary) << zip;
  auto from_file = ReadTraces(DatasetFormat::kLidDs, dir, Label::kUnknown);
  ASSERT_TRUE(from_file.ok()) << from_file.status();
  ASSERT_EQ(from_file->size(), 1u);
  EXPECT_EQ((*from_file)[0].id, std::string(dir) + "/big");
  ExpectSameRecording((*from_file)[0], *whole);
  std::remove(path.c_str());
  rmdir(dir);
}

TEST(ReadTraces, AdfaLayoutInfersLabelsAndClasses) {
  auto ts = ReadTraces(DatasetFormat::kAdfaLd, Fixtures() + "/adfa", Label::kUnknown);
  ASSERT_TRUE(ts.ok()) << ts.status();
  std::vector<std::string> got;
  for (const Trace& t : *ts) {
    got.push_back(t.id.substr(Fixtures().size() + 6) + " " + std::string(LabelName(t.label)) + " " +
                  t.group + " " + std::to_string(t.calls.size()));
  }
  EXPECT_EQ(got, (std::vector<std::string>{
                     "Attack_Data_Master/Adduser_1/UAD-Adduser-1-1371.txt attack Adduser 10",
                     "Attack_Data_Master/Adduser_1/UAD-Adduser-1-=1.txt attack Adduser 7",
                     "Attack_Data_Master/Hydra_FTP_2/UAD-Hydra-FTP-2-1.txt attack Hydra_FTP 7",
                     "Training_Data_Master/UTD-0001.txt normal  20",
                     "Training_Data_Master/UTD-0002.txt normal  10",
                     "Training_Data_Master/UTD-0003.txt normal  14",
                     "Validation_Data_Master/UVD-0001.txt normal  12",
                     "Validation_Data_Master/UVD-0003.txt normal  10",
                 }));
  // A given label wins; the group is still the class.
  auto forced =
      ReadTraces(DatasetFormat::kAdfaLd, Fixtures() + "/adfa/Attack_Data_Master/", Label::kNormal);
  ASSERT_TRUE(forced.ok()) << forced.status();
  EXPECT_EQ(forced->size(), 3u);
  EXPECT_EQ((*forced)[0].label, Label::kNormal);
  EXPECT_EQ((*forced)[0].group, "Adduser");
  EXPECT_EQ((*forced)[0].id,
            Fixtures() + "/adfa/Attack_Data_Master/Adduser_1/UAD-Adduser-1-1371.txt");
}

TEST(ReadTraces, UnmLayout) {
  auto ts = ReadTraces(DatasetFormat::kUnm, Fixtures() + "/unm", Label::kUnknown);
  ASSERT_TRUE(ts.ok()) << ts.status();
  ASSERT_EQ(ts->size(), 3u);  // syscallMap.txt is not a trace
  EXPECT_EQ((*ts)[0].id, Fixtures() + "/unm/lpr/intrusion/lpr-exploit.int#300");
  EXPECT_EQ((*ts)[0].label, Label::kAttack);
  EXPECT_EQ((*ts)[0].group, "lpr");
  EXPECT_EQ((*ts)[1].id, Fixtures() + "/unm/lpr/normal/lpr-normal-1.txt#101");
  EXPECT_EQ((*ts)[1].calls, (std::vector<uint16_t>{4, 2, 66, 5}));
  EXPECT_EQ((*ts)[1].label, Label::kNormal);
  EXPECT_EQ((*ts)[2].calls, (std::vector<uint16_t>{66, 4, 5}));
}

TEST(ReadTraces, MemoryTreeAndErrors) {
  MemFileSystem fs;
  fs.AddFile("/d/Training_Data_Master/UTD-1.txt", "1 2 3");
  fs.AddFile("/d/Training_Data_Master/README", "not a trace");
  fs.AddFile("/d/Training_Data_Master/UTD-2.txt", "1 2 zz");
  fs.AddFile("/empty/x.json", "{}");
  fs.AddFile("/l/r.sc", "1 0 1 a 1 read <\n");
  auto one =
      ReadTraces(fs, DatasetFormat::kAdfaLd, "/d/Training_Data_Master/UTD-1.txt", Label::kUnknown);
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ((*one)[0].label, Label::kNormal);
  EXPECT_EQ(ReadTraces(fs, DatasetFormat::kAdfaLd, "/d", Label::kUnknown).status().message(),
            "/d/Training_Data_Master/UTD-2.txt:1: 'zz' is not a syscall number");
  EXPECT_EQ(ReadTraces(fs, DatasetFormat::kAdfaLd, "/empty", Label::kUnknown).status().message(),
            "/empty: no adfa-ld trace files in this directory");
  EXPECT_EQ(ReadTraces(fs, DatasetFormat::kAdfaLd, "/nope", Label::kUnknown).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(ReadTraces(fs, DatasetFormat::kLidDs, "/l", Label::kUnknown).status().message(),
            "/l/r.json: missing (the recording's metadata says whether it is an attack; or give "
            "the label)");
  auto labelled = ReadTraces(fs, DatasetFormat::kLidDs, "/l", Label::kNormal);
  ASSERT_TRUE(labelled.ok()) << labelled.status();
  EXPECT_EQ((*labelled)[0].id, "/l/r");
  EXPECT_EQ((*labelled)[0].label, Label::kNormal);
  EXPECT_EQ(ReadTraces(fs, DatasetFormat::kVigil, "/l", Label::kUnknown).status().code(),
            StatusCode::kUnimplemented);
}

TEST(ReadTraces, RelativePathsKeepTheirSpelling) {
  std::string cwd = SourceDir();
  ASSERT_EQ(chdir(cwd.c_str()), 0);
  auto ts = ReadTraces(DatasetFormat::kAdfaLd, "testdata/ml/datasets/adfa/Validation_Data_Master",
                       Label::kUnknown);
  ASSERT_TRUE(ts.ok()) << ts.status();
  EXPECT_EQ((*ts)[0].id, "testdata/ml/datasets/adfa/Validation_Data_Master/UVD-0001.txt");
  EXPECT_EQ(ReadTraces(DatasetFormat::kAdfaLd, "testdata/nope", Label::kUnknown).status().message(),
            "testdata/nope: No such file or directory");
}

TEST(ReadTraces, VigilCaptures) {
  std::string dir = Fixtures() + "/../../runtime/replay/basic";
  auto ts = ReadTraces(DatasetFormat::kVigil, dir, Label::kNormal);
  ASSERT_TRUE(ts.ok()) << ts.status();
  ASSERT_FALSE(ts->empty());
  for (const Trace& t : *ts) {
    EXPECT_EQ(t.label, Label::kNormal);
    EXPECT_EQ(t.table, SyscallTable::kX86_64);
  }
  auto corrupt = ReadTraces(DatasetFormat::kVigil,
                            Fixtures() + "/../../runtime/replay/corrupt_block", Label::kUnknown);
  EXPECT_FALSE(corrupt.ok());
  EXPECT_NE(corrupt.status().message().find("corrupt_block/capture.vgl"), std::string::npos)
      << corrupt.status();
}

// The shared development copy of ADFA-LD, when this checkout sits beside it.
TEST(SharedDatasets, AdfaLdDevCounts) {
  std::string root = SharedDir() + "/datasets/adfa-ld-dev";
  RealFileSystem host("/");
  if (!host.IsDirectory(root)) GTEST_SKIP() << root << " is absent";
  std::map<std::string, std::pair<size_t, size_t>> counts;  // dir -> (traces, calls)
  for (const char* dir : {"Training_Data_Master", "Validation_Data_Master", "Attack_Data_Master"}) {
    auto ts = ReadTraces(DatasetFormat::kAdfaLd, root + "/" + dir, Label::kUnknown);
    ASSERT_TRUE(ts.ok()) << ts.status();
    size_t calls = 0;
    for (const Trace& t : *ts) {
      calls += t.calls.size();
      EXPECT_EQ(t.label,
                std::string(dir) == "Attack_Data_Master" ? Label::kAttack : Label::kNormal);
    }
    counts[dir] = {ts->size(), calls};
  }
  EXPECT_EQ(counts["Training_Data_Master"].first, 833u);
  EXPECT_EQ(counts["Validation_Data_Master"].first, 2186u);
  EXPECT_EQ(counts["Attack_Data_Master"].first, 377u);
  EXPECT_EQ(counts["Training_Data_Master"].second, 308077u);
  EXPECT_EQ(counts["Validation_Data_Master"].second, 1063356u);
  EXPECT_EQ(counts["Attack_Data_Master"].second, 152169u);

  auto attacks = ReadTraces(DatasetFormat::kAdfaLd, root + "/Attack_Data_Master", Label::kUnknown);
  ASSERT_TRUE(attacks.ok()) << attacks.status();
  std::map<std::string, size_t> classes;
  for (const Trace& t : *attacks) ++classes[t.group];
  EXPECT_EQ(classes, (std::map<std::string, size_t>{
                         {"Adduser", 91}, {"Hydra_FTP", 162}, {"Java_Meterpreter", 124}}));
}

}  // namespace
}  // namespace vigil::ml
