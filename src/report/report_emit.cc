// Writes every golden case's rendered outputs to a folder so external validators (the JSON
// schema checks in testdata/schemas/validate.py) judge what the writers really produce.
//   report_emit <cases-dir> <out-dir>   -> <out-dir>/<case>/out.<output name>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "report/golden_cases.h"

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  if (argc != 3) {
    std::fprintf(stderr, "usage: report_emit <cases-dir> <out-dir>\n");
    return 2;
  }
  std::vector<std::string> cases = vigil::report::ListGoldenCases(argv[1]);
  if (cases.empty()) {
    std::fprintf(stderr, "report_emit: no cases under %s\n", argv[1]);
    return 3;
  }
  for (const std::string& dir : cases) {
    auto rendered = vigil::report::RenderGoldenCase(dir);
    if (!rendered.ok()) {
      std::fprintf(stderr, "report_emit: %s\n", rendered.status().ToString().c_str());
      return 3;
    }
    fs::path out_dir = fs::path(argv[2]) / fs::path(dir).filename();
    std::error_code ec;
    fs::create_directories(out_dir, ec);
    if (ec) {
      std::fprintf(stderr, "report_emit: %s: %s\n", out_dir.c_str(), ec.message().c_str());
      return 3;
    }
    for (const auto& [name, bytes] : *rendered) {
      std::ofstream out(out_dir / ("out." + name), std::ios::binary | std::ios::trunc);
      out << bytes;
      if (!out) {
        std::fprintf(stderr, "report_emit: cannot write %s\n", (out_dir / ("out." + name)).c_str());
        return 3;
      }
    }
  }
  return 0;
}
