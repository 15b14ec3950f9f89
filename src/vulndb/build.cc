// `vigil db build`: every input imported into a temporary file beside `out`, renamed over
// `out` only when the whole build succeeded.
//
// Source rows: one per (input, importer source name, format). A directory input is walked
// here, file by file, so that each record is attributed to the format of the file it came
// from and each file's skipped records to its source; each file goes through ImportPath,
// which applies the documentation/unknown/size rules.
#include "vulndb/build.h"

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include "base/fs.h"
#include "base/hash.h"
#include "base/strings.h"

namespace vigil::vulndb {
namespace {

constexpr size_t kMaxWarnings = 100;

// The source name a format's records carry, for files that produced skips but no record.
std::string SourceForFormat(std::string_view format, std::string_view path) {
  if (StartsWith(format, "osv-")) return "osv";
  if (format == "debian-dsa-list") {
    return path.find("DLA") != std::string_view::npos ? "debian-dla" : "debian-dsa";
  }
  if (format == "debian-tracker-json") return "debian-tracker";
  if (format == "nswg-json") return "nswg";
  if (format == "nvd-json") return "nvd";
  return std::string(format);  // alpine-secdb
}

void AddWarning(std::vector<std::string>& warnings, int64_t& overflow, const std::string& w) {
  if (warnings.size() < kMaxWarnings) {
    warnings.push_back(w);
  } else {
    ++overflow;
  }
}

// Folds `from` into `into`: counts add up, warnings stay capped.
void MergeStats(ImportStats& into, const ImportStats& from, int64_t& overflow) {
  into.files += from.files;
  into.advisories += from.advisories;
  into.severities += from.severities;
  into.skipped += from.skipped;
  for (const std::string& w : from.warnings) {
    if (StartsWith(w, "... ") && EndsWith(w, " more warnings")) {
      int64_t n = 0;
      std::from_chars(w.data() + 4, w.data() + w.size(), n);
      overflow += n;
    } else {
      AddWarning(into.warnings, overflow, w);
    }
  }
}

StatusOr<std::string> FileSha256(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError(path + ": cannot open");
  Sha256 h;
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    h.Update(buf.data(), static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) return UnavailableError(path + ": read error");
  return h.FinishHex();
}

std::string ReadHead(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string head(4096, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(std::max<std::streamsize>(in.gcount(), 0)));
  return head;
}

// Writes what the importers produce into the DbWriter, opening a source row per
// (source name, format) of the current input and switching when the records change.
class WriterSink : public AdvisorySink {
 public:
  explicit WriterSink(DbWriter& writer) : writer_(writer) {}

  void StartInput(std::string location, std::string digest) {
    location_ = std::move(location);
    digest_ = std::move(digest);
    advisories_ = severities_ = 0;
  }
  // The format of the file whose records follow ("" for files no importer reads).
  void StartFile(std::string format) {
    format_ = std::move(format);
    last_source_.clear();
  }

  Status Add(Advisory advisory) override {
    VIGIL_RETURN_IF_ERROR(Switch(advisory.source));
    VIGIL_RETURN_IF_ERROR(writer_.AddAdvisory(advisory));
    ++advisories_;
    return OkStatus();
  }
  Status AddSeverity(SeverityRecord record) override {
    VIGIL_RETURN_IF_ERROR(Switch(record.source));
    VIGIL_RETURN_IF_ERROR(writer_.AddSeverity(record));
    ++severities_;
    return OkStatus();
  }

  // Attributes the current file's `skipped` records to its source.
  Status Skipped(int64_t skipped, const std::string& path) {
    if (skipped == 0 || format_.empty()) return OkStatus();
    VIGIL_RETURN_IF_ERROR(
        Switch(last_source_.empty() ? SourceForFormat(format_, path) : last_source_));
    pending_skipped_ += skipped;
    return OkStatus();
  }

  Status Close() {
    if (!open_) return OkStatus();
    open_ = false;
    int64_t skipped = pending_skipped_;
    pending_skipped_ = 0;
    return writer_.EndSource(skipped);
  }

  int64_t advisories() const { return advisories_; }
  int64_t severities() const { return severities_; }

 private:
  Status Switch(const std::string& source) {
    last_source_ = source;
    if (open_ && source == open_source_ && format_ == open_format_) return OkStatus();
    VIGIL_RETURN_IF_ERROR(Close());
    SourceInfo info{source, format_, location_, digest_};
    VIGIL_RETURN_IF_ERROR(writer_.BeginSource(info));
    open_ = true;
    open_source_ = source;
    open_format_ = format_;
    return OkStatus();
  }

  DbWriter& writer_;
  std::string location_, digest_, format_, last_source_;
  bool open_ = false;
  std::string open_source_, open_format_;
  int64_t pending_skipped_ = 0;
  int64_t advisories_ = 0, severities_ = 0;
};

// Imports one input (file or directory, absolute host path) through `sink`.
StatusOr<std::vector<ImportStats>> ImportInput(const FileSystem& fs, const std::string& input,
                                               WriterSink& sink, int64_t& overflow) {
  VIGIL_ASSIGN_OR_RETURN(FileInfo info, fs.Stat(input));
  std::string digest;
  if (info.type == FileType::kRegular) {
    VIGIL_ASSIGN_OR_RETURN(digest, FileSha256(input));
  } else if (info.type != FileType::kDirectory) {
    return InvalidArgumentError(input + ": not a file or directory");
  }
  sink.StartInput(input, digest);
  std::map<std::string, ImportStats> by_format;
  Status failed;
  auto one_file = [&](const std::string& path) -> Status {
    sink.StartFile(DetectFormat(path, ReadHead(path)));
    VIGIL_ASSIGN_OR_RETURN(std::vector<ImportStats> stats, ImportPath(fs, path, sink));
    for (const ImportStats& s : stats) {
      if (s.format != "unrecognised") VIGIL_RETURN_IF_ERROR(sink.Skipped(s.skipped, path));
      ImportStats& into = by_format[s.format];
      into.format = s.format;
      MergeStats(into, s, overflow);
    }
    return OkStatus();
  };
  if (info.type == FileType::kRegular) {
    VIGIL_RETURN_IF_ERROR(one_file(input));
  } else {
    VIGIL_RETURN_IF_ERROR(Walk(
        fs, input,
        [&](const std::string& p, const FileInfo& fi) {
          if (!failed.ok()) return false;
          if (fi.type == FileType::kDirectory) return p == input || Basename(p) != ".git";
          if (fi.type == FileType::kRegular) failed = one_file(p);
          return true;
        },
        [&](const std::string& p, const Status& st) {
          ImportStats& s = by_format["unrecognised"];
          s.format = "unrecognised";
          ++s.skipped;
          AddWarning(s.warnings, overflow, p + ": cannot list: " + st.message());
        }));
    VIGIL_RETURN_IF_ERROR(failed);
  }
  VIGIL_RETURN_IF_ERROR(sink.Close());
  if (sink.advisories() == 0 && sink.severities() == 0) {
    return InvalidArgumentError(input +
                                ": no advisory or severity record found (not a feed this "
                                "version reads?)");
  }
  std::vector<ImportStats> out;
  for (auto& [format, stats] : by_format) out.push_back(std::move(stats));
  return out;
}

}  // namespace

StatusOr<DbInfo> BuildDatabase(const std::vector<std::string>& inputs, const std::string& out,
                               const BuildOptions& options, std::vector<std::string>* warnings) {
  if (inputs.empty()) return InvalidArgumentError("no input to build the database from");
  std::error_code ec;
  std::string out_abs = std::filesystem::absolute(out, ec).lexically_normal().string();
  if (ec) return InvalidArgumentError(out + ": " + ec.message());
  std::string tmp = out_abs + ".building." + std::to_string(::getpid());
  std::filesystem::remove(tmp, ec);
  // Removes the temporary file on every early return; released once renamed.
  struct TmpGuard {
    std::string path;
    ~TmpGuard() {
      if (!path.empty()) {
        std::error_code ignored;
        std::filesystem::remove(path, ignored);
      }
    }
  } guard{tmp};

  RealFileSystem fs;
  DbInfo result;
  {
    VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<DbWriter> writer,
                           DbWriter::Create(tmp, options.built_by));
    WriterSink sink(*writer);
    int64_t overflow = 0;
    for (const std::string& input : inputs) {
      std::string abs = std::filesystem::absolute(input, ec).lexically_normal().string();
      if (ec) return InvalidArgumentError(input + ": " + ec.message());
      if (abs.size() > 1 && abs.back() == '/') abs.pop_back();
      StatusOr<std::vector<ImportStats>> stats = ImportInput(fs, abs, sink, overflow);
      if (!stats.ok()) return Annotate(stats.status(), "importing " + input);
      if (warnings != nullptr) {
        for (const ImportStats& s : *stats) {
          for (const std::string& w : s.warnings) warnings->push_back(w);
        }
      }
      if (options.progress) options.progress(input, *stats);
    }
    if (warnings != nullptr && overflow > 0) {
      warnings->push_back("... " + std::to_string(overflow) + " more warnings");
    }
    VIGIL_RETURN_IF_ERROR(writer->Finish());
  }
  {
    VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Database> db, Database::Open(tmp));
    VIGIL_ASSIGN_OR_RETURN(result, db->Info());
  }
  if (std::rename(tmp.c_str(), out_abs.c_str()) != 0) {
    return UnavailableError("renaming " + tmp + " to " + out_abs + ": " + std::strerror(errno));
  }
  guard.path.clear();
  return result;
}

}  // namespace vigil::vulndb
