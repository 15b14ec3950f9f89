// Operating-system detection for a root filesystem (host rootfs, image merged view, memory).
//
// Order of evidence, first match wins:
//   1. /etc/os-release, then /usr/lib/os-release (os-release(5));
//   2. /etc/lsb-release (DISTRIB_ID/DISTRIB_RELEASE/DISTRIB_CODENAME; older Ubuntu);
//   3. /etc/alpine-release ("3.19.1");
//   4. /etc/centos-release, then /etc/redhat-release ("Rocky Linux release 9.3 (Blue Onyx)");
//   5. /etc/debian_version ("12.5" -> debian 12; "trixie/sid" -> debian, codename trixie);
//   6. a dpkg database without any of the above (distroless keeps only
//      /var/lib/dpkg/status.d/) -> debian, version unknown.
// When os-release names Debian but has no VERSION_ID (testing/sid), /etc/debian_version
// does not override it: a "trixie/sid" string is not a release number.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/fs.h"
#include "report/sbom.h"

namespace vigil::catalog {

// Parses os-release(5) text into KEY -> value. Values may be unquoted, "double-quoted" (with
// the shell escapes \" \\ \$ \` and a backslash before any other character kept literally)
// or 'single-quoted' (no escapes). Blank lines and lines starting with '#' are ignored, as are
// malformed lines (os-release is advisory; a bad line never hides the good ones). Later
// assignments override earlier ones.
std::map<std::string, std::string> ParseOsRelease(std::string_view text);

// Detects the OS of the tree (see the order above). Never fails: unreadable or absent
// evidence is skipped; an unknown OS is returned with an empty `id`.
report::OsInfo DetectOs(const FileSystem& fs);

// Every file DetectOs may read, for the image layer walk's capture set.
const std::vector<std::string>& OsReleaseFiles();

}  // namespace vigil::catalog
