// `vigil db build`: imports inputs into a new database file, atomically.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "vulndb/db.h"
#include "vulndb/import.h"

namespace vigil::vulndb {

struct BuildOptions {
  std::string built_by;  // "vigil 0.2.0"
  // Called after each input with its path and stats (progress on a terminal).
  std::function<void(const std::string& input, const std::vector<ImportStats>&)> progress;
};

// Imports every input (host paths: files, directories or archives) into a temporary file
// next to `out`, then renames it over `out`. On any error the old `out` is left untouched.
// An input that yields no advisory at all is an error (never a silently empty DB).
// Warnings of all importers are returned through `warnings` when non-null.
StatusOr<DbInfo> BuildDatabase(const std::vector<std::string>& inputs, const std::string& out,
                               const BuildOptions& options,
                               std::vector<std::string>* warnings = nullptr);

}  // namespace vigil::vulndb
