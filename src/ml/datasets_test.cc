#include "ml/datasets.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "base/fs.h"

namespace vigil::ml {
namespace {

std::string SourceDir() {
  const char* dir = std::getenv("VIGIL_SOURCE_DIR");
  return dir ? dir : ".";
}

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
  std::string root = SourceDir() + "/../shared/datasets/adfa-ld-dev";
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
