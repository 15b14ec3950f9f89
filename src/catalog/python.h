// Python packages: installed distributions (*.dist-info/METADATA, *.egg-info/PKG-INFO,
// *.egg-info files, .egg zip files and unzipped .egg/EGG-INFO/PKG-INFO) and, for
// filesystem scans, requirements*.txt, poetry.lock and Pipfile.lock. The parsers are pure
// functions over one file's content; PythonCataloger (lang.h) dispatches files to them.
//
// `path` is the file's path inside the scanned tree: each component's `location`, and the
// prefix of every warning. Malformed input is a warning, never a crash.
#pragma once

#include <string>
#include <string_view>

#include "catalog/cataloger.h"

namespace vigil::catalog {

// PEP 503 normalised name: lower-cased, runs of '-', '_' and '.' become one '-'.
std::string NormalizePythonName(std::string_view name);
// pkg:pypi/<normalised name>@<version>.
std::string PypiPurl(std::string_view name, std::string_view version);

// Core metadata (METADATA, PKG-INFO, an .egg-info file): RFC 822-style headers up to the
// first blank line. Name and Version are required (a file without them is a warning).
// Licences: License-Expression, else a one-line License field other than "UNKNOWN", else the
// last segment of every "Classifier: License :: ..." line. Author becomes the supplier.
CatalogResult ParsePythonMetadata(std::string_view path, std::string_view text);

// An .egg (a zip archive): its EGG-INFO/PKG-INFO, read with libarchive from memory.
// Entries are bounded (kMaxEggEntries entries scanned, PKG-INFO at most 1 MiB).
CatalogResult ParseEgg(std::string_view path, std::string_view data);

// Capture-time reduction of an .egg (LanguageCataloger::Reduce): replaces `data` with a zip
// holding only its EGG-INFO/PKG-INFO and returns true; returns false and leaves `data`
// unchanged when the egg has no readable PKG-INFO.
bool ReduceEgg(std::string& data);

// requirements*.txt: pinned `name==version` lines (extras, environment markers, --hash
// options and comments allowed). Option lines (-r, -c, -e, --index-url, ...) are skipped;
// requirements without a pinned version are counted in one warning per file.
CatalogResult ParseRequirementsTxt(std::string_view path, std::string_view text);

// poetry.lock (TOML): every [[package]] with name and version; dev when `category = "dev"`
// (Poetry < 1.5) or when `groups` (Poetry 2) does not include "main".
CatalogResult ParsePoetryLock(std::string_view path, std::string_view text);

// Pipfile.lock (JSON): "default" and "develop" (dev) sections, versions "==1.2.3".
CatalogResult ParsePipfileLock(std::string_view path, std::string_view text);

}  // namespace vigil::catalog
