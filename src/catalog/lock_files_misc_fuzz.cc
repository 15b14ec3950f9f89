// Fuzz target: the text formats of the Go, Rust, Ruby and PHP catalogers: go.mod,
// Cargo.lock, cargo-auditable JSON, gemspecs, Gemfile.lock, composer installed.json and
// composer.lock.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "catalog/golang.h"
#include "catalog/php.h"
#include "catalog/ruby.h"
#include "catalog/rust.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  vigil::catalog::ParseGoMod("/go.mod", input);
  vigil::catalog::ParseCargoLock("/Cargo.lock", input);
  vigil::catalog::ParseCargoAuditableJson("/bin/x", input);
  vigil::catalog::ParseGemspec("/specifications/x.gemspec", input);
  vigil::catalog::ParseGemfileLock("/Gemfile.lock", input);
  vigil::catalog::ParseComposerInstalled("/vendor/composer/installed.json", input);
  vigil::catalog::ParseComposerLock("/composer.lock", input);
  return 0;
}
