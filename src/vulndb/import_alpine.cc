// PLACEHOLDER (being written now): replaced by the real importer before this lands.
#include "vulndb/import_formats.h"

namespace vigil::vulndb::internal {
Status ImportAlpineSecdb(std::string_view, std::string_view, AdvisorySink&, ImportStats&) {
  return UnimplementedError("not yet");
}
}  // namespace vigil::vulndb::internal
