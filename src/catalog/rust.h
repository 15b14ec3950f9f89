// Rust crates: cargo-auditable binaries (the `.dep-v0` ELF section: zlib-compressed JSON
// listing every crate linked in) and Cargo.lock files. Pure functions over one file's
// bytes, so tests and fuzzers need no filesystem; RustCataloger (lang.h) dispatches to them.
#pragma once

#include <string>
#include <string_view>

#include "catalog/cataloger.h"

namespace vigil::catalog {

// pkg:cargo/<name>@<version>.
std::string CargoPurl(std::string_view name, std::string_view version);

// The decompressed `.dep-v0` JSON: {"packages": [{"name", "version", "source", "kind",
// "root"}]}. Packages of kind "build" (build scripts, proc macros: not linked into the
// binary) are skipped, as Trivy does; "runtime" is the default kind. Malformed JSON or a
// package without name or version gives a warning.
CatalogResult ParseCargoAuditableJson(std::string_view path, std::string_view json);

// An ELF file's `.dep-v0` section, inflated with an output bound (zip-bomb safe), then
// parsed as above. Files without the section (non-ELF, other binaries) give nothing and no
// warning.
CatalogResult CatalogCargoAuditableBinary(std::string_view path, std::string_view binary);

// Cargo.lock (lockfile versions 1-4): every `[[package]]` table's name and version (the
// `source` is not part of the identity). A small TOML subset: comments, `[table]` and
// `[[array-table]]` headers, `key = value` with basic/literal strings, integers, booleans and
// (multi-line) arrays. Anything else gives a warning "<path>:<line>: ..." and the line is
// skipped.
CatalogResult ParseCargoLock(std::string_view path, std::string_view text);

}  // namespace vigil::catalog
