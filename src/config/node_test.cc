#include "config/node.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "base/fs.h"
#include "base/test_paths.h"
#include "config/resource.h"
#include "config/yaml_loader.h"

namespace vigil::config {
namespace {

TEST(YamlLoader, LinesAndTypes) {
  auto docs = LoadYaml(
      "apiVersion: v1\n"
      "kind: Pod\n"
      "metadata:\n"
      "  name: demo\n"
      "spec:\n"
      "  containers:\n"
      "  - name: c\n"
      "    securityContext:\n"
      "      privileged: true\n"
      "      runAsUser: \"0\"\n",
      "pod.yaml");
  ASSERT_TRUE(docs.ok()) << docs.status();
  ASSERT_EQ(docs->size(), 1u);
  const Node& root = (*docs)[0].root;
  EXPECT_EQ(root.LineOf("spec.containers[0].securityContext.privileged"), 9);
  EXPECT_EQ(root.Find("spec.containers[0].securityContext.privileged")->AsBool(), true);
  const Node* uid = root.Find("spec.containers[0].securityContext.runAsUser");
  ASSERT_NE(uid, nullptr);
  EXPECT_TRUE(uid->quoted());
  EXPECT_EQ(root.LineOf("spec.containers[0]"), 7);
  // A missing field resolves to its nearest existing ancestor.
  EXPECT_EQ(root.LineOf("spec.containers[0].securityContext.capabilities.drop"), 8);
  EXPECT_EQ(root.Find("spec.nope"), nullptr);
}

TEST(YamlLoader, MultiDocumentAndEmpty) {
  auto docs = LoadYaml("a: 1\n---\n---\nb: [1, 2]\n", "m.yaml");
  ASSERT_TRUE(docs.ok()) << docs.status();
  ASSERT_EQ(docs->size(), 3u);
  EXPECT_TRUE((*docs)[1].root.IsNull());
  EXPECT_EQ((*docs)[2].root.Get("b")->seq().size(), 2u);
  EXPECT_EQ((*docs)[2].root.KeyLine("b"), 4);
}

TEST(YamlLoader, MalformedNamesFileAndLine) {
  LoadResult r = LoadYamlStream("a: 1\n---\nb: [1, 2\nc: 3\n", "bad.yaml");
  ASSERT_FALSE(r.error.ok());
  EXPECT_NE(r.error.message().find("bad.yaml:"), std::string::npos) << r.error;
  EXPECT_EQ(r.documents.size(), 1u);  // the first, valid document is kept
}

// Streams of kParallelLoadBytes or more are parsed as two halves on two threads: documents,
// their indexes and line numbers, and errors must be those of a one-thread parse.
std::string LargeStream(int documents, int bad_document) {
  std::string out;
  for (int i = 0; i < documents; ++i) {
    // Four lines per document plus its "---" marker; the padding makes the stream large.
    out += "kind: ConfigMap\nmetadata:\n  name: cm-" + std::to_string(i) + "\ndata: {pad: \"" +
           std::string(200, 'x') + "\"}\n";
    if (i == bad_document) out += "oops: [1, 2\n";
    out += "---\n";
  }
  return out;
}

TEST(YamlLoader, LargeStreamParsedOnTwoThreadsKeepsIndexesAndLines) {
  const int n = 2000;
  std::string text = LargeStream(n, -1);
  ASSERT_GE(text.size(), kParallelLoadBytes);
  LoadResult r = LoadYamlStream(text, "big.yaml");
  ASSERT_TRUE(r.error.ok()) << r.error;
  ASSERT_EQ(r.documents.size(), static_cast<size_t>(n) + 1);  // the trailing "---" is empty
  for (int i = 0; i < n; ++i) {
    const Document& doc = r.documents[static_cast<size_t>(i)];
    ASSERT_EQ(doc.index, i);
    ASSERT_EQ(doc.root.Find("metadata.name")->scalar(), "cm-" + std::to_string(i));
    ASSERT_EQ(doc.root.KeyLine("kind"), 5 * i + 1) << "document " << i;
    ASSERT_EQ(doc.root.LineOf("metadata.name"), 5 * i + 3) << "document " << i;
  }
}

TEST(YamlLoader, LargeStreamWithOtherLineBreaksKeepsLines) {
  // libyaml also breaks lines at U+2028 (here inside document 0's quoted value): every later
  // document starts one line further down, whether or not the stream was split.
  const int n = 2000;
  std::string text = LargeStream(n, -1);
  size_t pad = text.find("xxxx");
  ASSERT_NE(pad, std::string::npos);
  text.insert(pad, "\xE2\x80\xA8");
  LoadResult r = LoadYamlStream(text, "big.yaml");
  ASSERT_TRUE(r.error.ok()) << r.error;
  for (int i : {1, 1000, 1999}) {
    EXPECT_EQ(r.documents[static_cast<size_t>(i)].root.KeyLine("kind"), 5 * i + 2) << i;
  }
}

TEST(YamlLoader, LargeStreamErrorInSecondHalfReadsAsOneThreadWould) {
  const int n = 2000;
  std::string text = LargeStream(n, 1500);
  LoadResult r = LoadYamlStream(text, "big.yaml");
  ASSERT_FALSE(r.error.ok());
  // Document 1500 starts at line 5*1500+1; its unterminated flow sequence opens on line +4
  // and libyaml reports the error at the "---" that follows.
  EXPECT_NE(r.error.message().find("big.yaml:" + std::to_string(5 * 1500 + 6) + ":1:"),
            std::string::npos)
      << r.error;
  EXPECT_NE(r.error.message().find("at line " + std::to_string(5 * 1500 + 5)), std::string::npos)
      << r.error;
  EXPECT_EQ(r.documents.size(), 1500u);  // every document before the bad one is kept
}

TEST(YamlLoader, AliasBombIsBounded) {
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  char prev = 'a';
  for (char c = 'b'; c <= 'k'; ++c) {
    bomb += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 10; ++i) bomb += std::string(i ? ", *" : "*") + prev;
    bomb += "]\n";
    prev = c;
  }
  LoadResult r = LoadYamlStream(bomb, "bomb.yaml");
  ASSERT_FALSE(r.error.ok());
  EXPECT_EQ(r.error.code(), StatusCode::kResourceExhausted) << r.error;
}

TEST(YamlLoader, DeepNestingIsBounded) {
  std::string deep(100000, '[');
  LoadResult r = LoadYamlStream(deep, "deep.yaml");
  EXPECT_FALSE(r.error.ok());
}

TEST(YamlLoader, StalledParserIsAnError) {
  // Found by fuzzing: yaml-cpp 0.7 returns empty documents forever on this input.
  auto bytes =
      ReadHostFile(test_paths::SourceDir() + "/testdata/fuzz/config_yaml/stalled_parser.json");
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  LoadResult r = LoadYamlStream(*bytes, "stall.json");
  ASSERT_FALSE(r.error.ok());
  EXPECT_NE(r.error.message().find("stall.json:1"), std::string::npos) << r.error;
}

TEST(YamlLoader, AliasesExpand) {
  auto docs = LoadYaml("base: &b {x: 1}\nother: *b\n", "a.yaml");
  ASSERT_TRUE(docs.ok()) << docs.status();
  EXPECT_EQ((*docs)[0].root.Find("other.x")->AsInt(), 1);
}

TEST(YamlLoader, JsonInput) {
  auto docs = LoadYaml("{\n  \"kind\": \"Pod\",\n  \"spec\": {\"hostPID\": true}\n}\n", "p.json");
  ASSERT_TRUE(docs.ok()) << docs.status();
  EXPECT_EQ((*docs)[0].root.LineOf("spec.hostPID"), 3);
}

TEST(YamlLoader, DuplicateKeysLastWins) {
  auto docs = LoadYaml("sc:\n  privileged: false\n  privileged: true\n", "d.yaml");
  ASSERT_TRUE(docs.ok());
  EXPECT_EQ((*docs)[0].root.Find("sc.privileged")->AsBool(), true);
  EXPECT_EQ((*docs)[0].root.LineOf("sc.privileged"), 3);
}

TEST(FieldPath, QuotedKeys) {
  auto docs = LoadYaml("metadata:\n  annotations:\n    a.b/c: v\n", "x.yaml");
  ASSERT_TRUE(docs.ok());
  EXPECT_EQ((*docs)[0].root.Find("metadata.annotations[\"a.b/c\"]")->scalar(), "v");
  EXPECT_EQ((*docs)[0].root.LineOf("metadata.annotations[\"a.b/c\"]"), 3);
}

TEST(Resource, ListItemsAndDefaults) {
  auto docs = LoadYaml(
      "apiVersion: v1\nkind: List\nitems:\n"
      "- apiVersion: v1\n  kind: Pod\n  metadata: {name: a}\n  spec: {containers: []}\n"
      "- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: b, namespace: prod}\n",
      "list.yaml");
  ASSERT_TRUE(docs.ok());
  auto rs = ExtractResources((*docs)[0]);
  ASSERT_EQ(rs.size(), 2u);
  EXPECT_EQ(rs[0].Id(), "Pod/default/a");
  EXPECT_EQ(rs[0].line, 4);
  EXPECT_EQ(rs[1].Id(), "Deployment/prod/b");
}

TEST(Resource, PodSpecPaths) {
  auto docs = LoadYaml(
      "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: cj}\nspec:\n"
      "  jobTemplate:\n    spec:\n      template:\n        spec:\n"
      "          initContainers: [{name: i}]\n          containers: [{name: c}]\n"
      "          ephemeralContainers: [{name: e}]\n",
      "cj.yaml");
  ASSERT_TRUE(docs.ok());
  auto rs = ExtractResources((*docs)[0]);
  ASSERT_EQ(rs.size(), 1u);
  PodSpecRef pod;
  ASSERT_TRUE(ExtractPodSpec(rs[0], &pod));
  ASSERT_EQ(pod.containers.size(), 3u);
  EXPECT_EQ(pod.containers[0].path, "spec.jobTemplate.spec.template.spec.containers[0]");
  EXPECT_EQ(pod.containers[1].kind, ContainerKind::kInit);
  EXPECT_EQ(pod.containers[2].name, "e");
}

}  // namespace
}  // namespace vigil::config
