// Go modules: the build information the Go linker embeds in every binary (`.go.buildinfo`,
// what `go version -m` prints) and go.mod files. Pure functions over one file's bytes, so
// tests and fuzzers need no filesystem; GoCataloger (lang.h) dispatches files to them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/fs.h"
#include "base/status.h"
#include "catalog/cataloger.h"

namespace vigil::catalog {

struct GoModule {
  std::string path;
  std::string version;
  // A `=>` replacement: the module actually linked. Empty path: not replaced. A local
  // directory replacement has a path ("./dep", "/src/dep") and no version.
  std::string replace_path;
  std::string replace_version;
};

struct GoBuildInfo {
  std::string go_version;  // "go1.19.8"
  std::string path;        // main package path ("path" line)
  GoModule main;           // "mod" line; empty path for GOPATH-mode builds
  std::vector<GoModule> deps;
};

// Reads the build info of an ELF Go binary: Go 1.18+ inline format (version and modinfo as
// varint-prefixed strings after the 32-byte header) and the older pointer format (two
// pointers to Go string headers, resolved through the sections' addresses). NotFound when
// the file has no `.go.buildinfo` section (not a Go binary, or not ELF); InvalidArgument
// naming the problem for a malformed one.
StatusOr<GoBuildInfo> ReadGoBuildInfo(std::string_view binary);

// Parses the modinfo text (sentinels already removed): tab-separated `path`, `mod`, `dep`
// and `=>` lines; other lines (`build`) are ignored. Malformed lines are skipped.
GoBuildInfo ParseGoModInfo(std::string_view modinfo);

// Components of one binary: every dependency (a replacement with a version gives the
// replacement's path and version; a local directory replacement keeps the required path
// and version, since a directory is no module identity), the main module unless its version
// is "(devel)" or empty, and `stdlib` at the toolchain version ("go1.19.8" -> "1.19.8").
// Non-Go files give nothing and no warning; malformed build info gives a warning.
CatalogResult CatalogGoBinary(std::string_view path, std::string_view binary);

// go.mod: `require` (single and block form) with `replace` directives applied the same way
// as in binaries; `// indirect` requirements are included. The main module is not a
// dependency and is not reported. Malformed lines give warnings "<path>:<line>: ...".
CatalogResult ParseGoMod(std::string_view path, std::string_view text);

// pkg:golang/<all but the last path element>/<last element>@<version>.
std::string GoPurl(std::string_view module_path, std::string_view version);

// The Go and Rust catalogers' shared file predicate: a regular file with an execute bit, at
// least 1 KiB, that no other language cataloger reads by name (an executable jar or
// installed.json stays with its own cataloger, whose capture is not an ELF reduction).
bool WantsExecutable(std::string_view path, const FileInfo& info);

}  // namespace vigil::catalog
