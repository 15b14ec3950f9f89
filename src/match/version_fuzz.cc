// Fuzz target: splits the input at the first TAB (or newline) into two versions and feeds
// them to every scheme, the npm range and PEP 440 specifier parsers, and OSV range
// evaluation. Besides crashes it checks that Compare is antisymmetric and agrees with itself.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "match/npm_range.h"
#include "match/osv_range.h"
#include "match/pep440_specifier.h"
#include "match/version.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t cut = input.find_first_of("\t\n");
  std::string_view a = input.substr(0, cut);
  std::string_view b = cut == std::string_view::npos ? std::string_view() : input.substr(cut + 1);
  using vigil::match::AllSchemes;
  for (const vigil::match::VersionScheme* scheme : AllSchemes()) {
    (void)scheme->Validate(a);
    (void)scheme->Validate(b);
    auto ab = scheme->Compare(a, b);
    auto ba = scheme->Compare(b, a);
    if (ab.ok() != ba.ok()) std::abort();
    if (ab.ok() && (*ab != -*ba || *ab < -1 || *ab > 1)) std::abort();
    auto aa = scheme->Compare(a, a);
    if (aa.ok() && *aa != 0) std::abort();
    auto pa = scheme->Parse(a);
    auto pb = scheme->Parse(b);
    if (pa.ok() != scheme->Compare(a, a).ok()) std::abort();
    if (ab.ok() && (!pa.ok() || !pb.ok() || scheme->CompareParsed(**pa, **pb) != *ab)) {
      std::abort();
    }
    using vigil::match::OsvEventKind;
    (void)vigil::match::Satisfies(
        *scheme, a, {{OsvEventKind::kIntroduced, "0"}, {OsvEventKind::kFixed, std::string(b)}});
  }
  auto npm = vigil::match::NpmRange::Parse(a);
  if (npm.ok()) {
    (void)npm->Contains(b);
    (void)npm->ToString();
  }
  auto pep = vigil::match::Pep440SpecifierSet::Parse(a);
  if (pep.ok()) (void)pep->Contains(b);
  return 0;
}
