// Fuzz target for the non-OSV feed parsers: the same bytes go through the Alpine secdb,
// Debian DSA/DLA list, Debian tracker JSON, Node.js WG and NVD parsers. Each must return a
// Status (never crash, hang or throw) whatever the input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vulndb/import_formats.h"

namespace {

class DiscardSink : public vigil::vulndb::AdvisorySink {
 public:
  vigil::Status Add(vigil::vulndb::Advisory) override { return vigil::OkStatus(); }
  vigil::Status AddSeverity(vigil::vulndb::SeverityRecord) override { return vigil::OkStatus(); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  namespace in = vigil::vulndb::internal;
  using Parser = vigil::Status (*)(std::string_view, std::string_view, vigil::vulndb::AdvisorySink&,
                                   vigil::vulndb::ImportStats&);
  static constexpr Parser kParsers[] = {in::ImportAlpineSecdb, in::ImportDebianAdvisoryList,
                                        in::ImportDebianTrackerJson, in::ImportNswgJson,
                                        in::ImportNvdJson};
  for (Parser parse : kParsers) {
    DiscardSink sink;
    vigil::vulndb::ImportStats stats;
    parse("fuzz", text, sink, stats).IgnoreError();
  }
  return 0;
}
