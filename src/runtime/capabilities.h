// Linux capability names by bit number (include/uapi/linux/capability.h), shared by the rule
// fields (thread.cap_effective) and the behaviour profile (capabilities a workload used).
#pragma once

#include <string>
#include <string_view>

namespace vigil::runtime {

// "CAP_SYS_ADMIN" for bit 21; "" for bits past the names this build knows (no allocation:
// the rule fields render capability sets per event).
std::string_view KnownCapabilityName(int bit);
// KnownCapabilityName, or "CAP_<bit>" for the others.
std::string CapabilityName(int bit);

}  // namespace vigil::runtime
