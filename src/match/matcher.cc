// PLACEHOLDER (being written now).
#include "match/matcher.h"
namespace vigil::match {
std::string EcosystemFor(const report::Component&, const report::OsInfo&) { return ""; }
StatusOr<MatchResult> MatchSbom(const report::Sbom&, const vulndb::AdvisorySource&,
                                const MatchOptions&) {
  return UnimplementedError("not yet");
}
}  // namespace vigil::match
