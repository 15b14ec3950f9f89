// PLACEHOLDER (being written now): replaced by the real importer before this lands.
#include "vulndb/import_formats.h"

namespace vigil::vulndb::internal {
Status ImportDebianTrackerJson(std::string_view, std::string_view, AdvisorySink&, ImportStats&) {
  return UnimplementedError("not yet");
}
Status ImportDebianAdvisoryList(std::string_view, std::string_view, AdvisorySink&, ImportStats&) {
  return UnimplementedError("not yet");
}
std::string_view DebianReleaseNumber(std::string_view) { return ""; }
}  // namespace vigil::vulndb::internal
