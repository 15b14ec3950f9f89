#include "match/version.h"

#include <algorithm>
#include <istream>
#include <ostream>
#include <string>
#include <utility>

#include "base/strings.h"
#include "match/version_util.h"

namespace vigil::match {
namespace internal {

int CompareDigits(std::string_view a, std::string_view b) {
  while (!a.empty() && a.front() == '0') a.remove_prefix(1);
  while (!b.empty() && b.front() == '0') b.remove_prefix(1);
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return CompareBytes(a, b);
}

int CompareBytes(std::string_view a, std::string_view b) { return Sign(a.compare(b)); }

int CompareBytesIgnoreCase(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    unsigned char ca = static_cast<unsigned char>(LowerAscii(a[i]));
    unsigned char cb = static_cast<unsigned char>(LowerAscii(b[i]));
    if (ca != cb) return ca < cb ? -1 : 1;
  }
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

Status InvalidVersion(std::string_view scheme, std::string_view version, std::string_view why) {
  // Bound what an attacker-controlled version can put into logs and reports.
  constexpr size_t kMaxShown = 128;
  std::string shown(version.substr(0, kMaxShown));
  if (version.size() > kMaxShown) shown += "...";
  std::string msg = std::string(scheme) + " version \"" + shown + "\": " + std::string(why);
  return InvalidArgumentError(std::move(msg));
}

}  // namespace internal

namespace {

struct EcosystemEntry {
  std::string_view name;  // lower case
  const VersionScheme& (*scheme)();
};

// OSV ecosystem names (https://ossf.github.io/osv-schema/#defined-ecosystems), lower-cased,
// and aliases users type. The part after the first ':' (a release) never changes ordering.
constexpr EcosystemEntry kEcosystems[] = {
    {"debian", internal::DpkgScheme},
    {"ubuntu", internal::DpkgScheme},
    {"alpine", internal::ApkScheme},
    {"wolfi", internal::ApkScheme},
    {"chainguard", internal::ApkScheme},
    {"minimos", internal::ApkScheme},
    {"red hat", internal::RpmScheme},
    {"redhat", internal::RpmScheme},
    {"rocky linux", internal::RpmScheme},
    {"almalinux", internal::RpmScheme},
    {"opensuse", internal::RpmScheme},
    {"suse", internal::RpmScheme},
    {"suse linux enterprise server", internal::RpmScheme},
    {"mageia", internal::RpmScheme},
    {"openeuler", internal::RpmScheme},
    {"azure linux", internal::RpmScheme},
    {"fedora", internal::RpmScheme},
    {"photon os", internal::RpmScheme},
    {"rpm", internal::RpmScheme},
    {"npm", internal::NpmScheme},
    {"pypi", internal::Pep440Scheme},
    {"maven", internal::MavenScheme},
    {"go", internal::GoScheme},
    {"rubygems", internal::RubyGemsScheme},
    {"packagist", internal::ComposerScheme},
    {"nuget", internal::NuGetScheme},
    {"crates.io", internal::SemVerScheme},
    {"semver", internal::SemVerScheme},
    {"hex", internal::SemVerScheme},
    {"bitnami", internal::SemVerScheme},
    {"conancenter", internal::SemVerScheme},
    {"swifturl", internal::SemVerScheme},
    {"github actions", internal::SemVerScheme},
    {"pub", internal::PubScheme},
    {"cran", internal::CranScheme},
    {"bioconductor", internal::CranScheme},
    {"hackage", internal::HackageScheme},
};

}  // namespace

StatusOr<const VersionScheme*> SchemeForEcosystem(std::string_view osv_ecosystem) {
  std::string_view base = Trim(osv_ecosystem);
  size_t colon = base.find(':');
  if (colon != std::string_view::npos) base = Trim(base.substr(0, colon));
  for (const auto& e : kEcosystems) {
    if (EqualsIgnoreCase(base, e.name)) return &e.scheme();
  }
  return NotFoundError("unknown ecosystem \"" + std::string(osv_ecosystem.substr(0, 128)) +
                       "\"; known: Debian, Ubuntu, Alpine, Red Hat, Rocky Linux, AlmaLinux, "
                       "openSUSE, npm, PyPI, Maven, Go, RubyGems, Packagist, NuGet, crates.io, "
                       "Pub, CRAN, Hackage");
}

const std::vector<const VersionScheme*>& AllSchemes() {
  static const auto* const kAll = new std::vector<const VersionScheme*>{
      &internal::DpkgScheme(),     &internal::ApkScheme(),      &internal::RpmScheme(),
      &internal::Pep440Scheme(),   &internal::SemVerScheme(),   &internal::NpmScheme(),
      &internal::GoScheme(),       &internal::PubScheme(),      &internal::MavenScheme(),
      &internal::RubyGemsScheme(), &internal::ComposerScheme(), &internal::NuGetScheme(),
      &internal::CranScheme(),     &internal::HackageScheme(),
  };
  return *kAll;
}

Status CompareBatch(std::string_view ecosystem, std::istream& in, std::ostream& out) {
  VIGIL_ASSIGN_OR_RETURN(const VersionScheme* scheme, SchemeForEcosystem(ecosystem));
  std::string line;
  while (std::getline(in, line)) {
    std::string_view view = line;
    if (!view.empty() && view.back() == '\r') view.remove_suffix(1);
    size_t tab = view.find('\t');
    if (tab == std::string_view::npos) {
      out << "error: line has no TAB between the two versions\n";
      continue;
    }
    StatusOr<int> r = scheme->Compare(view.substr(0, tab), view.substr(tab + 1));
    if (!r.ok()) {
      out << "error: " << r.status().message() << '\n';
    } else {
      out << (*r < 0 ? "<" : *r > 0 ? ">" : "=") << '\n';
    }
  }
  if (in.bad()) return DataLossError("version-compare: reading the batch input failed");
  if (!out) return DataLossError("version-compare: writing the results failed");
  return OkStatus();
}

}  // namespace vigil::match
