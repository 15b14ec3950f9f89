// Fuzz target: the OSV JSON importer (and, for inputs starting with "PK", the zip reader)
// must return a Status for any bytes, never crash, hang or grow without bound.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vulndb/import_formats.h"

namespace {

class NullSink : public vigil::vulndb::AdvisorySink {
 public:
  vigil::Status Add(vigil::vulndb::Advisory) override { return vigil::OkStatus(); }
  vigil::Status AddSeverity(vigil::vulndb::SeverityRecord) override { return vigil::OkStatus(); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  NullSink sink;
  vigil::vulndb::ImportStats stats;
  if (text.substr(0, 2) == "PK") {
    vigil::vulndb::internal::ImportOsvZip("fuzz.zip", text, sink, stats).IgnoreError();
  } else {
    vigil::vulndb::internal::ImportOsvJson("fuzz.json", text, sink, stats).IgnoreError();
    vigil::vulndb::internal::ImportOsvYaml("fuzz.yaml", text, sink, stats).IgnoreError();
  }
  return 0;
}
