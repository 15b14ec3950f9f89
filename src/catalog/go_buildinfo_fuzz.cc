// Fuzz target: the ELF section reader, Go build info (inline and pointer formats), the
// cargo-auditable section (bounded inflate + JSON) and ReduceExecutable, whose output must
// parse again and reduce to itself (idempotence).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "catalog/elf.h"
#include "catalog/golang.h"
#include "catalog/rust.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  (void)vigil::catalog::ParseElf(input);
  (void)vigil::catalog::ReadGoBuildInfo(input);
  vigil::catalog::CatalogGoBinary("/bin/x", input);
  vigil::catalog::CatalogCargoAuditableBinary("/bin/x", input);
  vigil::catalog::ParseGoModInfo(input);
  std::string reduced = input;
  if (vigil::catalog::ReduceExecutable(reduced)) {
    std::string again = reduced;
    if (!vigil::catalog::ReduceExecutable(again) || again != reduced) std::abort();
    vigil::catalog::CatalogGoBinary("/bin/x", reduced);
    vigil::catalog::CatalogCargoAuditableBinary("/bin/x", reduced);
  }
  return 0;
}
