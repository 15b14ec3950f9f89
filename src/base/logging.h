// Logging through spdlog (Debian's libspdlog-dev), always to stderr so stdout stays
// reserved for reports and alert streams that machines parse.
#pragma once

#include "spdlog/spdlog.h"

namespace vigil {

enum class LogLevel { kQuiet, kNormal, kDebug };

// Configures the process-wide logger. Call once from main before any work.
void InitLogging(LogLevel level);

}  // namespace vigil
