// Language package catalogers (npm, Python, Go, Java, Ruby, Rust, PHP) and the driver that
// runs them over a tree in one walk.
//
// A LanguageCataloger says which files it reads (Wants) and turns one such file into
// components (CatalogFile). The driver walks the tree once and dispatches each file to the
// catalogers that want it, so adding an ecosystem never adds a walk. In images, the layer
// walk captures exactly the wanted files (LanguageCaptureWants), optionally shrunk at
// capture time (Reduce: a Go binary is kept as its build-info blob, not 50 MB of code).
//
// Contracts every cataloger keeps:
//  - stateless and const; safe from any thread;
//  - a reduced file catalogs exactly like the original (Reduce(x) then CatalogFile ==
//  CatalogFile(x));
//  - untrusted input: a malformed file is a warning naming the file (and line or field) in
//    CatalogResult::warnings, never a crash, a hang or an unbounded allocation;
//  - components carry name, version, ecosystem (SBOM ecosystem: "npm", "pypi", "golang",
//    "maven", "gem", "cargo", "composer"), purl, licences where declared, and `location`
//    (the file the package was read from: the package.json, METADATA, binary, jar — for a
//    nested jar "outer.jar!/inner.jar"); layer and owner_purl are set by the caller.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/fs.h"
#include "base/status.h"
#include "catalog/cataloger.h"
#include "report/sbom.h"

namespace vigil::catalog {

struct LangContext {
  // `vigil fs` / dir: trees: lock and manifest files (package-lock.json, yarn.lock,
  // pnpm-lock.yaml, requirements.txt, poetry.lock, Pipfile.lock, go.mod, Gemfile.lock,
  // Cargo.lock, composer.lock) are cataloged too. Images catalog what is installed
  // (node_modules, dist-info, binaries, jars, gemspecs, installed.json), as Trivy does.
  bool filesystem = false;
};

class LanguageCataloger {
 public:
  virtual ~LanguageCataloger() = default;
  // "npm", "python", "go", "java", "ruby", "rust", "php".
  virtual std::string_view name() const = 0;
  // Bumped whenever output for the same input may change; part of the layer cache key.
  virtual std::string_view version() const = 0;
  // True for the files this cataloger reads. `path` is absolute and normalised; `info`
  // has the type (only regular files are offered), size and mode (executables).
  virtual bool Wants(std::string_view path, const FileInfo& info) const = 0;
  // Shrinks a wanted file's content at capture time; returns false when nothing in it is of
  // interest (an executable with neither Go build info nor cargo-auditable data). The default keeps
  // the content unchanged. Catalogers that want the same file must reduce it identically (the Go
  // and Rust catalogers both use ReduceExecutable, elf.h), since only the first cataloger that
  // wants a file reduces it.
  virtual bool Reduce(std::string_view path, std::string& content) const {
    (void)path;
    (void)content;
    return true;
  }
  // Catalogs one wanted file. An error Status only for I/O failures of the file itself;
  // parse problems are warnings in the result.
  virtual StatusOr<CatalogResult> CatalogFile(const FileSystem& fs, const std::string& path,
                                              const LangContext& context) const = 0;
};

// The catalogers, one per ecosystem (static storage).
const LanguageCataloger& NpmCataloger();
const LanguageCataloger& PythonCataloger();
const LanguageCataloger& GoCataloger();
const LanguageCataloger& JavaCataloger();
const LanguageCataloger& RubyCataloger();
const LanguageCataloger& RustCataloger();
const LanguageCataloger& PhpCataloger();

// Every language cataloger, in a fixed order.
const std::vector<const LanguageCataloger*>& LanguageCatalogers();

// "npm/1,python/1,...": versions of all language catalogers, for cache keys.
std::string LanguageCatalogersFingerprint();

// The capture contract for the layer walk: true when any language cataloger wants the
// file; Reduce applies the wanting catalogers' reductions (false: the file is kept as empty
// content, which catalogs to nothing).
bool LanguageCaptureWants(std::string_view path, const FileInfo& info);
bool LanguageCaptureReduce(std::string_view path, const FileInfo& info, std::string& content);

// Walks `fs` from `root` once and runs every cataloger on the files it wants. Directories
// that are not part of an installed tree (/proc, /sys, /dev, .git) are skipped. Components
// are sorted by ecosystem, name, version, location. Never fails on one bad file: it is a
// warning and the walk goes on.
StatusOr<CatalogResult> CatalogLanguages(
    const FileSystem& fs, const LangContext& context, std::string_view root = "/",
    const std::vector<const LanguageCataloger*>& catalogers = {});

// OS ownership: a language component whose `location` (or, for Python, its dist-info /
// egg-info directory) is a file listed by an OS package (Component::files) gets that
// package's purl in `owner_purl`. Paths are compared after resolving symlinks in `fs`
// (merged /usr: a dpkg list naming /bin/x owns /usr/bin/x). Returns how many were owned.
int AssignOsOwners(std::vector<report::Component>& language,
                   const std::vector<report::Component>& os, const FileSystem& fs);

}  // namespace vigil::catalog
