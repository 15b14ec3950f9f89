// Linux capability names by bit number (include/uapi/linux/capability.h), shared by the rule
// fields (thread.cap_effective) and the behaviour profile (capabilities a workload used).
#pragma once

#include <string>

namespace vigil::runtime {

// "CAP_SYS_ADMIN" for bit 21; bits past the names this build knows as "CAP_<bit>".
std::string CapabilityName(int bit);

}  // namespace vigil::runtime
