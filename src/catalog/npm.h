// npm packages: installed package.json files in node_modules trees and the three lock file
// formats (package-lock.json / npm-shrinkwrap.json v1-v3, yarn.lock classic and berry,
// pnpm-lock.yaml v5-v9). The parsers are pure functions over one file's text so tests and
// fuzzers need no filesystem; NpmCataloger (lang.h) dispatches files to them.
//
// Every parser: `path` is the file's path inside the scanned tree (it becomes each
// component's `location` and prefixes warnings); malformed input is a warning
// ("<path>: ..."), never a crash; components of one file are deduplicated on
// (name, version), a package is dev only when every occurrence of it is dev.
#pragma once

#include <string>
#include <string_view>

#include "catalog/cataloger.h"

namespace vigil::catalog {

// pkg:npm/<name>@<version>; a scoped name "@babel/core" becomes namespace "%40babel".
std::string NpmPurl(std::string_view name, std::string_view version);

// One node_modules/<name>/package.json (or node_modules/@scope/<name>/package.json). A file
// without name or version gives nothing and no warning (npm itself tolerates them in test
// fixtures); malformed JSON gives a warning.
CatalogResult ParseNpmPackageJson(std::string_view path, std::string_view text);

// package-lock.json / npm-shrinkwrap.json. lockfileVersion 2 and 3 are read from
// "packages" (keys "node_modules/a/node_modules/b"); v1 from the nested "dependencies".
// A v2 file carries both: only "packages" is read. `link: true` entries take the version of
// the workspace entry they point at; local ("file:") dependencies are skipped.
CatalogResult ParsePackageLock(std::string_view path, std::string_view text);

// yarn.lock, classic (v1: `version "1.2.3"`) and berry (v2+: `__metadata:`,
// `resolution: "name@npm:1.2.3"`). Berry entries not resolved from the registry
// (workspace:, link:, portal:, patch:, file:) are skipped. yarn.lock records no dev flag.
CatalogResult ParseYarnLock(std::string_view path, std::string_view text);

// pnpm-lock.yaml: the `packages:` section, keys "/name/1.2.3" (v5), "/name@1.2.3" (v6),
// "name@1.2.3" (v9), with peer suffixes ("_peer@1.0.0", "(peer@1.0.0)") dropped; explicit
// `name:`/`version:` fields win over the key. `dev: true` marks dev packages (v5, v6). v9
// has no dev field: a package is dev when it is reachable through `snapshots:` dependency
// edges from some importer's devDependencies and from no importer's dependencies or
// optionalDependencies.
CatalogResult ParsePnpmLock(std::string_view path, std::string_view text);

}  // namespace vigil::catalog
