#include <cstdio>

#include "base/logging.h"

int main(int argc, char** argv) {
  vigil::InitLogging(vigil::LogLevel::kNormal);
  std::puts("vigil " VIGIL_VERSION);
  return 0;
}
