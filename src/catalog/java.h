// Java archives (jar, war, ear, and Jenkins' jpi/hpi plugins): Maven coordinates from
// META-INF/maven/**/pom.properties, else from META-INF/MANIFEST.MF, as Trivy and Syft read
// them. Archives are read from memory with libarchive; nested archives (a war's
// WEB-INF/lib/*.jar, a Spring Boot jar's BOOT-INF/lib/*.jar) are read too, to depth 3, with
// bounds on entries and bytes so a zip bomb costs a warning, not the machine.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "catalog/cataloger.h"

namespace vigil::catalog {

struct JavaArchiveLimits {
  int max_depth = 3;                         // the outer archive is depth 1
  uint64_t max_entries = 1000000;            // entry headers read, all archives together
  uint64_t max_total_bytes = 512ull << 20;   // bytes decompressed, all archives together
  uint64_t max_nested_bytes = 64ull << 20;   // one nested archive
  uint64_t max_metadata_bytes = 1ull << 20;  // one pom.properties or MANIFEST.MF
};

// True for the archive names read (.jar, .war, .ear, .jpi, .hpi; any case).
bool IsJavaArchiveName(std::string_view path);

// java.util.Properties subset: `key=value` / `key: value` / `key value`, `#`/`!` comments,
// trimmed; no escapes or continuations (pom.properties written by Maven use neither for
// the three keys read). Later keys win.
std::map<std::string, std::string> ParsePomProperties(std::string_view text);

// The main section of a JAR manifest: `Name: value` lines, continuation lines starting
// with one space, up to the first blank line. Keys are kept as written.
std::map<std::string, std::string> ParseJarManifest(std::string_view text);

// Components of one archive (and those nested in it). `location` is the archive's path; a
// nested archive's components get "<location>!/<entry path>". One component per
// pom.properties (name "groupId:artifactId"); an archive without one falls back to its
// manifest: groupId from Implementation-Vendor-Id, else Bundle-SymbolicName; version from
// Implementation-Version, else Bundle-Version, else the file name; artifactId from the
// file name ("commons-lang3-3.12.0.jar" -> "commons-lang3"). No groupId or version: no
// component. Bundle-License gives the licences of the archive's own component. Archives
// that cannot be read and exceeded limits give warnings.
CatalogResult CatalogJavaArchive(std::string_view location, std::string_view data,
                                 const JavaArchiveLimits& limits = {});

// Capture-time reduction: rewrites `content` as an uncompressed zip holding only the
// entries CatalogJavaArchive reads (pom.properties, MANIFEST.MF, nested archives, reduced
// the same way, under the same names), so an image's 80 MB Spring Boot jar is cached as a
// few KB. Applied only when the archive catalogs without warnings and the reduced archive
// catalogs identically (checked); otherwise `content` is left unchanged and false returned.
// Idempotent: a reduced archive reduces to the same bytes.
bool ReduceJavaArchive(std::string_view location, std::string& content);

// pkg:maven/<groupId>/<artifactId>@<version>.
std::string MavenPurl(std::string_view group, std::string_view artifact, std::string_view version);

}  // namespace vigil::catalog
