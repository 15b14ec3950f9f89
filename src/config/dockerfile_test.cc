// Parser unit tests: continuation lines, escape directive, exec/shell form, flags,
// heredocs, stages with ARG substitution, ONBUILD, and errors naming file:line.
#include "config/dockerfile.h"

#include <gtest/gtest.h>

#include <string>

#include "base/fs.h"
#include "config/scan.h"

namespace vigil::config {
namespace {

DfView Parse(const std::string& text, LoadResult* keep) {
  *keep = LoadDockerfile(text, "Dockerfile");
  EXPECT_TRUE(keep->error.ok()) << keep->error;
  EXPECT_EQ(keep->documents.size(), 1u);
  return ViewDockerfile(&keep->documents[0].root);
}

TEST(DockerfileParser, ContinuationsCommentsAndLines) {
  LoadResult l;
  DfView v = Parse(
      "# a comment\n"
      "FROM debian:12 AS Base\n"
      "\n"
      "RUN apt-get update && \\\n"
      "# a comment inside\n"
      "\n"
      "    apt-get install -y curl\n"
      "USER app\n",
      &l);
  ASSERT_EQ(v.instructions.size(), 3u);
  EXPECT_EQ(v.instructions[0].cmd, "FROM");
  EXPECT_EQ(v.instructions[0].line, 2);
  EXPECT_EQ(v.instructions[1].cmd, "RUN");
  EXPECT_EQ(v.instructions[1].line, 4);
  EXPECT_EQ(v.instructions[1].end_line, 7);
  EXPECT_EQ(v.instructions[1].value, "apt-get update &&     apt-get install -y curl");
  EXPECT_EQ(v.instructions[2].line, 8);
  ASSERT_EQ(v.stages.size(), 1u);
  EXPECT_EQ(v.stages[0].name, "base");
  EXPECT_EQ(v.stages[0].resolved, "debian:12");
}

TEST(DockerfileParser, EscapeDirective) {
  LoadResult l;
  DfView v =
      Parse("# escape=`\nFROM mcr.microsoft.com/windows\nRUN dir c:\\ `\n  && echo hi\n", &l);
  ASSERT_EQ(v.instructions.size(), 2u);
  EXPECT_EQ(v.instructions[1].value, "dir c:\\   && echo hi");
  EXPECT_EQ(v.instructions[1].end_line, 4);
}

TEST(DockerfileParser, ExecAndShellForm) {
  LoadResult l;
  DfView v = Parse(
      "FROM x:1\nCMD [\"a\", \"b c\", \"\\u00e9\"]\nENTRYPOINT ['bad']\nRUN "
      "[\"sh\",\"-c\",\"x\"]\n",
      &l);
  ASSERT_EQ(v.instructions.size(), 4u);
  EXPECT_TRUE(v.instructions[1].json);
  ASSERT_EQ(v.instructions[1].args.size(), 3u);
  EXPECT_EQ(v.instructions[1].args[1], "b c");
  EXPECT_EQ(v.instructions[1].args[2], "\xC3\xA9");
  EXPECT_FALSE(v.instructions[2].json);  // single quotes: shell form, as Docker runs it
  EXPECT_TRUE(v.instructions[3].json);
}

TEST(DockerfileParser, Flags) {
  LoadResult l;
  DfView v = Parse(
      "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n"
      "RUN --mount=type=cache,target=/root/.cache --mount=type=secret,id=tok --network=none "
      "go build\n"
      "FROM alpine:3.19\n"
      "COPY --from=build --chown=app:app --chmod=755 --link /out /bin/\n"
      "HEALTHCHECK --interval=30s --timeout=3s CMD wget -q localhost\n",
      &l);
  ASSERT_EQ(v.instructions.size(), 5u);
  EXPECT_EQ(*v.instructions[0].Flag("platform"), "$BUILDPLATFORM");
  EXPECT_EQ(*v.instructions[1].Flag("mount"), "type=cache,target=/root/.cache\ntype=secret,id=tok");
  EXPECT_EQ(*v.instructions[1].Flag("network"), "none");
  EXPECT_EQ(v.instructions[1].value, "go build");
  EXPECT_EQ(*v.instructions[3].Flag("from"), "build");
  EXPECT_EQ(*v.instructions[3].Flag("chown"), "app:app");
  EXPECT_NE(v.instructions[3].Flag("link"), nullptr);
  EXPECT_EQ(v.instructions[3].args.size(), 2u);
  EXPECT_EQ(*v.instructions[4].Flag("interval"), "30s");
  EXPECT_EQ(v.instructions[4].value, "CMD wget -q localhost");
  ASSERT_EQ(v.stages.size(), 2u);
  EXPECT_EQ(v.stages[0].platform, "$BUILDPLATFORM");
  EXPECT_EQ(v.stages[1].first, 2u);
  EXPECT_EQ(v.instructions[3].stage, 1);
}

TEST(DockerfileParser, Heredocs) {
  LoadResult l;
  DfView v = Parse(
      "FROM debian:12\n"
      "RUN <<EOF\n"
      "apt-get update\n"
      "EOF\n"
      "COPY <<a.txt <<\"b.txt\" /dest/\n"
      "alpha $X\n"
      "a.txt\n"
      "beta\n"
      "b.txt\n"
      "RUN <<-EOT bash\n"
      "\t\techo tabbed\n"
      "\tEOT\n"
      "USER app\n",
      &l);
  ASSERT_EQ(v.instructions.size(), 5u);
  const DfInstruction& run = v.instructions[1];
  ASSERT_EQ(run.heredocs.size(), 1u);
  EXPECT_EQ(run.heredocs[0].content, "apt-get update\n");
  EXPECT_EQ(run.heredocs[0].line, 3);
  EXPECT_EQ(run.end_line, 4);
  const DfInstruction& copy = v.instructions[2];
  ASSERT_EQ(copy.heredocs.size(), 2u);
  EXPECT_EQ(copy.heredocs[0].name, "a.txt");
  EXPECT_EQ(copy.heredocs[0].content, "alpha $X\n");
  EXPECT_TRUE(copy.heredocs[0].expand);
  EXPECT_EQ(copy.heredocs[1].content, "beta\n");
  EXPECT_FALSE(copy.heredocs[1].expand);
  EXPECT_EQ(copy.line, 5);
  EXPECT_EQ(copy.end_line, 9);
  EXPECT_EQ(v.instructions[3].heredocs[0].content, "echo tabbed\n");
  EXPECT_EQ(v.instructions[4].line, 13);
}

TEST(DockerfileParser, ArgSubstitutionInFrom) {
  LoadResult l;
  DfView v = Parse(
      "ARG TAG=3.19\nARG REG\nARG BASE=\"alpine\"\n"
      "FROM ${BASE}:${TAG}\nFROM $BASE:${MISSING:-latest}\nFROM ${REG}/x:1\nFROM ${REG:+r/}y\n",
      &l);
  ASSERT_EQ(v.stages.size(), 4u);
  EXPECT_EQ(v.stages[0].resolved, "alpine:3.19");
  EXPECT_EQ(v.stages[1].resolved, "alpine:latest");
  EXPECT_EQ(v.stages[2].resolved, "");  // REG has no value: unresolved
  EXPECT_EQ(v.stages[3].resolved, "y");
  EXPECT_EQ(v.instructions[0].stage, -1);
}

TEST(DockerfileParser, Onbuild) {
  LoadResult l;
  DfView v = Parse("FROM x:1\nONBUILD RUN make\n", &l);
  ASSERT_EQ(v.instructions.size(), 2u);
  ASSERT_NE(v.instructions[1].trigger, nullptr);
  DfInstruction t = ViewInstruction(*v.instructions[1].trigger, 0);
  EXPECT_EQ(t.cmd, "RUN");
  EXPECT_EQ(t.value, "make");
}

TEST(DockerfileParser, ErrorsNameFileAndLine) {
  LoadResult r = LoadDockerfile("FROM x:1\nRUN <<EOF\necho\n", "dir/Dockerfile");
  EXPECT_FALSE(r.error.ok());
  EXPECT_NE(r.error.message().find("dir/Dockerfile:2:"), std::string::npos) << r.error;
  ASSERT_EQ(r.documents.size(), 1u);
  EXPECT_EQ(ViewDockerfile(&r.documents[0].root).instructions.size(), 1u);  // FROM kept

  r = LoadDockerfile("FROM x:1\n\nFRM y\n", "Dockerfile");
  EXPECT_NE(r.error.message().find("Dockerfile:3: unknown instruction \"FRM\""), std::string::npos)
      << r.error;
  std::string many = "FROM a\nRUN";
  for (size_t i = 0; i <= kMaxDockerfileInstructions; ++i) many += " <<A";
  many += "\n";
  for (size_t i = 0; i <= kMaxDockerfileInstructions; ++i) many += "A\n";
  r = LoadDockerfile(many, "Dockerfile");
  EXPECT_NE(r.error.message().find("Dockerfile:2: more than"), std::string::npos) << r.error;
  r = LoadDockerfile("# escape=x\nFROM a\n", "Dockerfile");
  EXPECT_NE(r.error.message().find("Dockerfile:1:"), std::string::npos) << r.error;
  r = LoadDockerfile("FROM x\nONBUILD ONBUILD RUN a\n", "Dockerfile");
  EXPECT_NE(r.error.message().find("Dockerfile:2:"), std::string::npos) << r.error;
}

TEST(DockerfileParser, ResourcePerFile) {
  LoadResult r = LoadDockerfile("FROM x:1\n", "app/Dockerfile");
  ASSERT_EQ(r.documents.size(), 1u);
  auto res = DockerfileResources(r.documents[0]);
  ASSERT_EQ(res.size(), 1u);
  EXPECT_EQ(res[0].kind, "Dockerfile");
  EXPECT_EQ(res[0].ns, "");
  EXPECT_EQ(res[0].Id(), "Dockerfile/app/Dockerfile");
}

// The path `vigil config DIR` takes: discovery by name, parse, checks, suppression.
TEST(DockerfileScan, FindingsNameFileLineAndResource) {
  MemFileSystem fs;
  fs.AddFile("/src/app/Dockerfile",
             "FROM ubuntu:latest\n"
             "# vigil:ignore=VGL-DF-019 test credential\n"
             "ENV DB_PASSWORD=hunter2\n"
             "RUN curl -fsSL https://get.example.com | sh\n");
  fs.AddFile("/src/app/notes.txt", "FROM x\n");
  auto report = ScanPaths(fs, {"/src"}, ScanOptions{});
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->warnings.empty());
  auto find = [&](std::string_view id) -> const report::Finding* {
    for (const auto& f : report->findings) {
      if (f.id == id) return &f;
    }
    return nullptr;
  };
  const report::Finding* latest = find("VGL-DF-003");
  ASSERT_NE(latest, nullptr);
  EXPECT_EQ(latest->location.path, "/src/app/Dockerfile");
  EXPECT_EQ(latest->location.line, 1);
  EXPECT_EQ(latest->location.resource, "Dockerfile/src/app/Dockerfile");
  const report::Finding* pipe = find("VGL-DF-017");
  ASSERT_NE(pipe, nullptr);
  EXPECT_EQ(pipe->location.line, 4);
  const report::Finding* secret = find("VGL-DF-019");
  ASSERT_NE(secret, nullptr);
  EXPECT_EQ(secret->location.line, 3);
  EXPECT_EQ(secret->status, "suppressed");
  ASSERT_NE(find("VGL-DF-001"), nullptr);

  ScanOptions cis;
  cis.standards = {"cis-docker"};
  auto only = ScanPaths(fs, {"/src/app/Dockerfile"}, cis);
  ASSERT_TRUE(only.ok());
  for (const auto& f : only->findings) {
    bool mapped = false;
    for (const auto& c : f.controls) mapped = mapped || c.rfind("cis-docker/", 0) == 0;
    EXPECT_TRUE(mapped) << f.id;
  }
}

// A hostile file with thousands of flagged instructions gives a bounded report.
TEST(DockerfileScan, FindingsPerCheckAreCapped) {
  std::string text = "FROM debian:12.5\n";
  for (int i = 0; i < 3000; ++i) text += "MAINTAINER x\n";
  auto reg = BuiltinRegistry();
  ASSERT_TRUE(reg.ok());
  report::Report report;
  ScanText(**reg, "Dockerfile", text, ScanOptions{}, K8sVersion{}, &report);
  size_t n = 0;
  const report::Finding* last = nullptr;
  for (const auto& f : report.findings) {
    if (f.id == "VGL-DF-025") {
      ++n;
      last = &f;
    }
  }
  EXPECT_EQ(n, kMaxDockerfileFindingsPerCheck + 1);
  ASSERT_NE(last, nullptr);
  EXPECT_NE(last->description.find("2000 more"), std::string::npos) << last->description;
}

}  // namespace
}  // namespace vigil::config
