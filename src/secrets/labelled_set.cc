#include "secrets/labelled_set.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/strings.h"

namespace vigil::secrets {

namespace stdfs = std::filesystem;

StatusOr<LabelledSet> LoadLabelledSet(const std::string& dir, const SecretScanner& scanner) {
  LabelledSet set;
  const std::string labels_path = dir + "/labels.tsv";
  std::ifstream tsv(labels_path);
  if (!tsv) return NotFoundError(labels_path + ": cannot open");
  std::string row;
  int lineno = 0;
  while (std::getline(tsv, row)) {
    ++lineno;
    if (row.empty() || row[0] == '#') continue;
    auto cols = Split(row, '\t');
    const std::string where = labels_path + ":" + std::to_string(lineno);
    if (cols.size() != 5) return InvalidArgumentError(where + ": expected 5 tab-separated fields");
    int line = 0;
    for (char ch : cols[1]) {
      line = std::isdigit(static_cast<unsigned char>(ch)) && line < 100000000
                 ? line * 10 + (ch - '0')
                 : -1;
      if (line < 0) break;
    }
    if (line <= 0) {
      return InvalidArgumentError(where + ": line must be a positive integer");
    }
    if (cols[3] != "0" && cols[3] != "1") return InvalidArgumentError(where + ": label not 0/1");
    LineLabel l{std::string(cols[2]), cols[3] == "1" ? 1 : 0, std::string(cols[4])};
    auto [it, fresh] = set.lines.emplace(std::pair{std::string(cols[0]), line}, l);
    if (!fresh) return InvalidArgumentError(where + ": line labelled twice");
    set.secrets += l.label;
  }
  const stdfs::path root = stdfs::path(dir) / "files";
  std::error_code ec;
  std::vector<stdfs::path> files;
  for (auto it = stdfs::recursive_directory_iterator(root, ec);
       !ec && it != stdfs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file()) files.push_back(it->path());
  }
  if (ec) return NotFoundError(root.string() + ": " + ec.message());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string content = ss.str();
    const std::string rel = stdfs::relative(f, root).string();
    std::vector<SecretMatch> out;
    scanner.Scan(rel, content, &out);
    ++set.files;
    for (auto& m : out) {
      LabelledCandidate c;
      c.features = RankerFeatures(m, content);
      auto it = set.lines.find({rel, m.line});
      c.on_labelled_line = it != set.lines.end();
      c.label = c.on_labelled_line ? it->second.label : 0;
      c.kind = c.on_labelled_line ? it->second.kind : "unlabelled";
      c.match = std::move(m);
      set.candidates.push_back(std::move(c));
    }
  }
  return set;
}

}  // namespace vigil::secrets
