// PLACEHOLDER (being written now).
#include "vulndb/db.h"
namespace vigil::vulndb {
StatusOr<std::unique_ptr<DbWriter>> DbWriter::Create(const std::string&, const std::string&) {
  return UnimplementedError("not yet");
}
StatusOr<std::unique_ptr<Database>> Database::Open(const std::string&) {
  return UnimplementedError("not yet");
}
}  // namespace vigil::vulndb
