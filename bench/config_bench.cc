// Benchmark (label slow): a 10,000-object manifest (Deployments, Services, Roles,
// RoleBindings, NetworkPolicies and control-plane static pods, a realistic mix for the
// per-object and cross-resource checks) scanned through the whole ScanText path with every
// built-in check. The target is <= 0.5 s of wall time (what a user waits; large
// files are checked on two threads), so run it on an otherwise idle machine; CPU time is
// printed beside it. Prints objects/s. Baselines measured in the same run over the same bytes:
// libyaml's bare event parse (the floor of any loader built on it) and yaml-cpp's
// YAML::LoadAll (the previous loader's library), each with the ratio to the full scan. The
// bound is asserted in optimised builds only.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>
#include <yaml.h>

#include <chrono>
#include <ctime>
#include <iostream>
#include <string>

#include "config/scan.h"
#include "config/yaml_loader.h"

namespace vigil::config {
namespace {

std::string Manifest(int objects) {
  std::string out;
  out.reserve(static_cast<size_t>(objects) * 700);
  for (int i = 0; i < objects; ++i) {
    std::string n = std::to_string(i);
    std::string ns = "team-" + std::to_string(i % 50);
    switch (i % 6) {
      case 0:
        out += "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-" + n +
               "\n  namespace: " + ns +
               "\nspec:\n  replicas: 3\n  selector:\n    matchLabels:\n      app: web-" + n +
               "\n  template:\n    metadata:\n      labels:\n        app: web-" + n +
               "\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.25\n"
               "        env:\n        - name: DB_PASSWORD\n          value: hunter2\n"
               "        resources:\n          limits:\n            cpu: 500m\n"
               "        securityContext:\n          runAsUser: 1000\n";
        break;
      case 1:
        out += "apiVersion: v1\nkind: Service\nmetadata:\n  name: web-" + n +
               "\n  namespace: " + ns + "\nspec:\n  type: NodePort\n  selector:\n    app: web-" +
               std::to_string(i - 1) + "\n  ports:\n  - port: 80\n";
        break;
      case 2:
        out += "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: r-" + n +
               "\n  namespace: " + ns +
               "\nrules:\n- apiGroups: [\"\"]\n  resources: [\"secrets\", \"pods\"]\n"
               "  verbs: [\"get\", \"list\", \"create\"]\n";
        break;
      case 3:
        out +=
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: b-" +
            n + "\n  namespace: " + ns +
            "\nsubjects:\n- kind: ServiceAccount\n  name: default\nroleRef:\n  kind: Role\n"
            "  name: r-" +
            std::to_string(i - 1) + "\n  apiGroup: rbac.authorization.k8s.io\n";
        break;
      case 4:
        out += "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np-" + n +
               "\n  namespace: " + ns +
               "\nspec:\n  podSelector:\n    matchLabels:\n      app: web-" +
               std::to_string(i - 4) + "\n  policyTypes: [Ingress]\n";
        break;
      default:
        out += "apiVersion: v1\nkind: Pod\nmetadata:\n  name: kube-apiserver-" + n +
               "\n  namespace: kube-system\nspec:\n  containers:\n  - name: kube-apiserver\n"
               "    image: registry.k8s.io/kube-apiserver:v1.30.0\n    command:\n"
               "    - kube-apiserver\n    - --authorization-mode=Node,RBAC\n"
               "    - --enable-admission-plugins=NodeRestriction\n    - --profiling=false\n";
        break;
    }
    out += "---\n";
  }
  return out;
}

double CpuSeconds(std::clock_t since) {
  return static_cast<double>(std::clock() - since) / CLOCKS_PER_SEC;
}

// libyaml's event parse alone, nothing built: returns the number of events.
long LibyamlEvents(const std::string& text) {
  yaml_parser_t parser;
  if (yaml_parser_initialize(&parser) == 0) return -1;
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()),
                               text.size());
  long events = 0;
  while (true) {
    yaml_event_t e;
    if (yaml_parser_parse(&parser, &e) == 0) {
      events = -1;
      break;
    }
    bool end = e.type == YAML_STREAM_END_EVENT;
    yaml_event_delete(&e);
    ++events;
    if (end) break;
  }
  yaml_parser_delete(&parser);
  return events;
}

TEST(ConfigBench, TenThousandObjects) {
  constexpr int kObjects = 10000;
  std::string text = Manifest(kObjects);
  auto reg = BuiltinRegistry();
  ASSERT_TRUE(reg.ok()) << reg.status();
  // Warm-up (the first run also pays the heap's first-touch page faults).
  (void)LoadYamlStream(text, "bench.yaml");

  std::clock_t t = std::clock();
  long events = LibyamlEvents(text);
  double libyaml_secs = CpuSeconds(t);
  ASSERT_GT(events, 0);

  t = std::clock();
  size_t yamlcpp_docs = 0;
  try {
    yamlcpp_docs = YAML::LoadAll(text).size();
  } catch (const YAML::Exception& e) {
    FAIL() << "yaml-cpp: " << e.what();
  }
  double yamlcpp_secs = CpuSeconds(t);

  t = std::clock();
  LoadResult loaded = LoadYamlStream(text, "bench.yaml");
  double load_secs = CpuSeconds(t);
  ASSERT_TRUE(loaded.error.ok()) << loaded.error;

  report::Report report;
  auto start = std::chrono::steady_clock::now();
  t = std::clock();
  ScanText(**reg, "bench.yaml", text, ScanOptions{}, K8sVersion{}, &report);
  // The target bounds the time a user waits (wall time): a file of this size is checked on
  // two threads (scan.cc, kParallelResources). CPU time is printed too: on a shared, loaded
  // machine wall time also measures the other processes, so run it alone.
  double secs = CpuSeconds(t);
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_TRUE(report.warnings.empty()) << report.warnings[0];
  std::cout << "baseline libyaml event parse: " << events << " events in " << libyaml_secs
            << " s CPU\n"
            << "baseline yaml-cpp YAML::LoadAll: " << yamlcpp_docs << " documents in "
            << yamlcpp_secs << " s CPU\n"
            << "LoadYamlStream (Node trees): " << loaded.documents.size() << " documents in "
            << load_secs << " s CPU\n"
            << kObjects << " objects (" << text.size() / 1024 << " KiB), " << (*reg)->all().size()
            << " checks, " << report.findings.size() << " findings in " << wall << " s wall ("
            << secs << " s CPU) = " << static_cast<long>(kObjects / wall) << " objects/s\n"
            << "ratio full scan / libyaml parse: " << secs / libyaml_secs
            << ", full scan / yaml-cpp LoadAll: " << secs / yamlcpp_secs << "\n";
#ifdef NDEBUG
  EXPECT_LE(wall, 0.5);
#endif
}

}  // namespace
}  // namespace vigil::config
