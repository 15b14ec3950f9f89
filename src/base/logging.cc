#include "base/logging.h"

#include <unistd.h>

#include "spdlog/sinks/stdout_color_sinks.h"
#include "spdlog/sinks/stdout_sinks.h"

namespace vigil {

void InitLogging(LogLevel level) {
  auto logger =
      isatty(STDERR_FILENO) ? spdlog::stderr_color_mt("vigil") : spdlog::stderr_logger_mt("vigil");
  logger->set_pattern("%^%l%$: %v");
  switch (level) {
    case LogLevel::kQuiet:
      logger->set_level(spdlog::level::err);
      break;
    case LogLevel::kNormal:
      logger->set_level(spdlog::level::warn);
      break;
    case LogLevel::kDebug:
      logger->set_level(spdlog::level::debug);
      break;
  }
  spdlog::set_default_logger(logger);
}

}  // namespace vigil
