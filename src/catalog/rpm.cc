#include "catalog/rpm.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <tuple>
#include <utility>

#include "base/strings.h"
#include "catalog/purl.h"
#include "fmt/format.h"

#ifdef VIGIL_HAVE_LIBRPM
#include <fcntl.h>
#include <rpm/header.h>
#include <rpm/rpmdb.h>
#include <rpm/rpmlib.h>
#include <rpm/rpmlog.h>
#include <rpm/rpmmacro.h>
#include <rpm/rpmtag.h>
#include <rpm/rpmtd.h>
#include <rpm/rpmts.h>
#endif

namespace vigil::catalog {
namespace {

// Newer distributions keep the database under /usr/lib/sysimage/rpm (often with /var/lib/rpm
// a link to it); older ones under /var/lib/rpm.
constexpr std::string_view kDbDirs[] = {"/usr/lib/sysimage/rpm", "/var/lib/rpm"};
// The files whose presence identifies a backend, in rpm's own order of preference.
constexpr std::string_view kDbFiles[] = {"rpmdb.sqlite", "Packages.db", "Packages"};
// An rpmdb of a large image is ~100 MB; beyond 2 GiB is not a database we copy.
constexpr uint64_t kMaxDbFile = 2ull << 30;

std::string BackendFor(std::string_view db_file) {
  if (db_file == "rpmdb.sqlite") return "sqlite";
  if (db_file == "Packages.db") return "ndb";
  return "bdb_ro";
}

// A private temporary directory, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    const char* base = getenv("TMPDIR");
    std::string tmpl = fmt::format("{}/vigil-rpmdb-XXXXXX", base && *base ? base : "/tmp");
    if (mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    if (!path_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(path_, ec);
    }
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

Status WriteHostFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  out.close();
  if (!out) return InternalError(fmt::format("{}: write failed", path));
  return OkStatus();
}

#ifdef VIGIL_HAVE_LIBRPM

std::mutex& RpmMutex() {
  static std::mutex mu;
  return mu;
}

// Collects librpm's log lines for the duration of one read (set under RpmMutex()).
int CollectLog(rpmlogRec rec, rpmlogCallbackData data) {
  auto* lines = static_cast<std::vector<std::string>*>(data);
  if (rpmlogRecPriority(rec) <= RPMLOG_WARNING) {
    std::string msg = rpmlogRecMessage(rec);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    lines->push_back(std::move(msg));
  }
  return 0;  // handled: keep librpm from printing to stderr
}

std::string HeaderString(Header h, rpmTagVal tag) {
  const char* s = headerGetString(h, tag);
  return s ? std::string(s) : std::string();
}

std::vector<std::string> HeaderFiles(Header h) {
  std::vector<std::string> out;
  rpmtd base = rpmtdNew();
  rpmtd dirs = rpmtdNew();
  rpmtd index = rpmtdNew();
  rpmtd modes = rpmtdNew();
  if (headerGet(h, RPMTAG_BASENAMES, base, HEADERGET_MINMEM) &&
      headerGet(h, RPMTAG_DIRNAMES, dirs, HEADERGET_MINMEM) &&
      headerGet(h, RPMTAG_DIRINDEXES, index, HEADERGET_MINMEM)) {
    bool have_modes = headerGet(h, RPMTAG_FILEMODES, modes, HEADERGET_MINMEM) &&
                      rpmtdCount(modes) == rpmtdCount(base);
    std::vector<std::string> dir_names;
    rpmtdInit(dirs);
    while (const char* d = rpmtdNextString(dirs)) dir_names.emplace_back(d);
    rpm_count_t n = rpmtdCount(base);
    if (rpmtdCount(index) == n) {
      rpmtdInit(base);
      rpmtdInit(index);
      if (have_modes) rpmtdInit(modes);
      for (rpm_count_t i = 0; i < n; ++i) {
        const char* name = rpmtdNextString(base);
        uint32_t* di = rpmtdNextUint32(index);
        bool is_dir = false;
        if (have_modes && rpmtdNext(modes) >= 0) {
          uint16_t* mode = rpmtdGetUint16(modes);
          is_dir = mode != nullptr && S_ISDIR(*mode);
        }
        // A corrupt header's index may point past DIRNAMES: skip, never read out of bounds.
        if (name == nullptr || di == nullptr || *di >= dir_names.size() || is_dir) continue;
        out.push_back(dir_names[*di] + name);
      }
    }
  }
  rpmtdFree(base);
  rpmtdFree(dirs);
  rpmtdFree(index);
  rpmtdFree(modes);
  return out;
}

#endif  // VIGIL_HAVE_LIBRPM

}  // namespace

bool HaveLibrpm() {
#ifdef VIGIL_HAVE_LIBRPM
  return true;
#else
  return false;
#endif
}

bool ParseSourceRpm(std::string_view source_rpm, std::string* name, std::string* version) {
  std::string_view s = source_rpm;
  if (EndsWith(s, ".src.rpm")) {
    s.remove_suffix(8);
  } else if (EndsWith(s, ".nosrc.rpm")) {
    s.remove_suffix(10);
  } else {
    return false;
  }
  size_t rel = s.rfind('-');
  if (rel == std::string_view::npos || rel == 0) return false;
  size_t ver = s.rfind('-', rel - 1);
  if (ver == std::string_view::npos || ver == 0) return false;
  *name = std::string(s.substr(0, ver));
  *version = std::string(s.substr(ver + 1));
  return true;
}

std::string RpmNamespace(std::string_view vendor, const report::OsInfo& os) {
  std::string v = ToLower(vendor);
  struct Rule {
    const char* needle;
    const char* ns;
  };
  static constexpr Rule kVendorRules[] = {
      {"red hat", "redhat"},  {"fedora", "fedora"}, {"opensuse", "opensuse"},
      {"suse", "suse"},       {"rocky", "rocky"},   {"almalinux", "almalinux"},
      {"centos", "centos"},   {"oracle", "oracle"}, {"amazon", "amazon"},
      {"mariner", "mariner"}, {"photon", "photon"},
  };
  for (const auto& r : kVendorRules) {
    if (v.find(r.needle) != std::string::npos) return r.ns;
  }
  static constexpr Rule kOsRules[] = {
      {"rhel", "redhat"},
      {"ol", "oracle"},
      {"amzn", "amazon"},
      {"sles", "suse"},
  };
  for (const auto& r : kOsRules) {
    if (os.id == r.needle) return r.ns;
  }
  if (StartsWith(os.id, "opensuse")) return "opensuse";
  return os.id;
}

std::string RpmPurl(const RpmPackage& pkg, const report::OsInfo& os) {
  std::string distro =
      os.id.empty() || os.version_id.empty() ? std::string() : os.id + "-" + os.version_id;
  std::string epoch = pkg.epoch > 0 ? std::to_string(pkg.epoch) : std::string();
  return MakePurl("rpm", RpmNamespace(pkg.vendor, os), pkg.name,
                  pkg.release.empty() ? pkg.version : pkg.version + "-" + pkg.release,
                  {{"arch", pkg.arch}, {"epoch", epoch}, {"distro", distro}});
}

StatusOr<std::vector<RpmPackage>> ReadRpmDatabase(const std::string& dbpath,
                                                  std::vector<std::string>* warnings) {
#ifndef VIGIL_HAVE_LIBRPM
  return UnimplementedError("rpm: this build of vigil has no librpm");
#else
  std::string backend;
  for (std::string_view f : kDbFiles) {
    struct stat st {};
    if (stat(fmt::format("{}/{}", dbpath, f).c_str(), &st) == 0) {
      backend = BackendFor(f);
      break;
    }
  }
  if (backend.empty()) return NotFoundError(fmt::format("{}: no rpm database file", dbpath));

  std::lock_guard<std::mutex> lock(RpmMutex());
  static bool config_read = false;
  if (!config_read) {
    if (rpmReadConfigFiles(nullptr, nullptr) != 0) {
      return InternalError("rpm: cannot read librpm's configuration");
    }
    config_read = true;
  }
  std::vector<std::string> log;
  rpmlogCallback previous_cb = rpmlogSetCallback(CollectLog, &log);
  rpmPushMacro(nullptr, "_dbpath", nullptr, dbpath.c_str(), RMIL_CMDLINE);
  rpmPushMacro(nullptr, "_db_backend", nullptr, backend.c_str(), RMIL_CMDLINE);

  std::vector<RpmPackage> out;
  Status status;
  rpmts ts = rpmtsCreate();
  rpmtsSetRootDir(ts, "/");
  // No keyring here and nothing is installed: skip signature checks of the stored headers
  // (their digests are still verified by librpm).
  rpmtsSetVSFlags(ts, RPMVSF_MASK_NOSIGNATURES);
  if (rpmtsOpenDB(ts, O_RDONLY) != 0) {
    status = UnavailableError(
        fmt::format("rpm: cannot open the {} database: {}", backend, Join(log, "; ")));
  } else {
    rpmdbMatchIterator mi = rpmtsInitIterator(ts, RPMDBI_PACKAGES, nullptr, 0);
    Header h;
    while (mi != nullptr && (h = rpmdbNextIterator(mi)) != nullptr) {
      RpmPackage pkg;
      pkg.name = HeaderString(h, RPMTAG_NAME);
      // gpg-pubkey entries are imported signing keys, not software.
      if (pkg.name.empty() || pkg.name == "gpg-pubkey") continue;
      if (headerIsEntry(h, RPMTAG_EPOCH)) {
        pkg.epoch = static_cast<int64_t>(headerGetNumber(h, RPMTAG_EPOCH));
      }
      pkg.version = HeaderString(h, RPMTAG_VERSION);
      pkg.release = HeaderString(h, RPMTAG_RELEASE);
      pkg.arch = HeaderString(h, RPMTAG_ARCH);
      pkg.source_rpm = HeaderString(h, RPMTAG_SOURCERPM);
      pkg.license = HeaderString(h, RPMTAG_LICENSE);
      pkg.vendor = HeaderString(h, RPMTAG_VENDOR);
      pkg.files = HeaderFiles(h);
      out.push_back(std::move(pkg));
    }
    rpmdbFreeIterator(mi);
  }
  rpmtsFree(ts);
  rpmPopMacro(nullptr, "_db_backend");
  rpmPopMacro(nullptr, "_dbpath");
  rpmlogSetCallback(previous_cb, nullptr);

  // librpm falls back to a "dummy" backend, which reads as empty, when the configured one
  // is not compiled in: that must be an error, not an image without packages.
  for (const auto& line : log) {
    if (line.find("invalid %_db_backend") != std::string::npos ||
        line.find("dummy database") != std::string::npos) {
      return UnimplementedError(
          fmt::format("rpm: this librpm cannot read the {} database backend ({})", backend, line));
    }
  }
  if (!status.ok()) return status;
  if (warnings != nullptr) {
    for (const auto& line : log) {
      // bdb_ro opens every secondary index and warns for each one missing; only Packages is
      // read here, so a missing index loses nothing.
      if (StartsWith(line, "could not open ") && line.find("/Packages") == std::string::npos) {
        continue;
      }
      warnings->push_back("rpm: " + line);
    }
  }
  return out;
#endif
}

bool RpmCataloger::Wants(std::string_view path) const {
  for (std::string_view dir : kDbDirs) {
    if (path == dir) return true;
    if (StartsWith(path, dir) && path.size() > dir.size() && path[dir.size()] == '/' &&
        Dirname(path) == dir) {
      return true;
    }
  }
  return false;
}

StatusOr<CatalogResult> RpmCataloger::Catalog(const FileSystem& fs,
                                              const report::OsInfo& os) const {
  CatalogResult result;
  std::string db_dir;
  std::set<std::string> tried;
  for (std::string_view dir : kDbDirs) {
    auto canonical = fs.Resolve(dir);
    if (!canonical.ok() || !tried.insert(*canonical).second) continue;
    for (std::string_view f : kDbFiles) {
      if (fs.IsRegular(JoinPath(*canonical, f))) {
        db_dir = *canonical;
        break;
      }
    }
    if (!db_dir.empty()) break;
  }
  if (db_dir.empty()) return result;
  result.databases.push_back(db_dir);

  TempDir tmp;
  if (tmp.path().empty()) return InternalError("rpm: cannot create a temporary directory");
  VIGIL_ASSIGN_OR_RETURN(auto entries, fs.ListDir(db_dir));
  for (const auto& entry : entries) {
    // __db.* are Berkeley DB environment files of the writer, .rpm.lock its lock: not data.
    if (StartsWith(entry.name, "__db.") || StartsWith(entry.name, ".")) continue;
    std::string path = JoinPath(db_dir, entry.name);
    if (!fs.IsRegular(path)) continue;
    auto data = fs.ReadFile(path, kMaxDbFile);
    if (!data.ok()) return Annotate(data.status(), "rpm database");
    VIGIL_RETURN_IF_ERROR(WriteHostFile(JoinPath(tmp.path(), entry.name), *data));
  }
  VIGIL_ASSIGN_OR_RETURN(auto packages, ReadRpmDatabase(tmp.path(), &result.warnings));
  // Database order is insertion order; sort so results do not depend on install history.
  std::sort(packages.begin(), packages.end(), [](const RpmPackage& a, const RpmPackage& b) {
    return std::tie(a.name, a.arch, a.version, a.release) <
           std::tie(b.name, b.arch, b.version, b.release);
  });
  for (auto& pkg : packages) {
    report::Component c;
    c.name = pkg.name;
    std::string evr = pkg.release.empty() ? pkg.version : pkg.version + "-" + pkg.release;
    std::string epoch_prefix = pkg.epoch > 0 ? fmt::format("{}:", pkg.epoch) : std::string();
    c.version = epoch_prefix + evr;
    c.ecosystem = "rpm";
    c.arch = pkg.arch;
    c.purl = RpmPurl(pkg, os);
    if (!pkg.license.empty()) c.licenses.push_back(pkg.license);
    std::string src_name, src_version;
    if (ParseSourceRpm(pkg.source_rpm, &src_name, &src_version)) {
      c.source_name = src_name;
      c.source_version = epoch_prefix + src_version;
    } else {
      c.source_name = pkg.name;
      c.source_version = c.version;
    }
    c.supplier = pkg.vendor;
    c.location = db_dir;
    c.files = std::move(pkg.files);
    result.components.push_back(std::move(c));
  }
  return result;
}

}  // namespace vigil::catalog
