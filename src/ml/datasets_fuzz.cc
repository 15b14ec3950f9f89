// Fuzz target for the dataset parsers. The first byte chooses the parser (0: ADFA-LD, 1: UNM,
// 2: LID-DS text, 3: LID-DS recording zip); for LID-DS text the rest is the .sc text, then a
// NUL byte, then the JSON; for a zip the rest is the zip (recording name "fuzz", so members
// fuzz.sc and fuzz.json), read with small limits so a zip bomb stays cheap. Every input must
// give a trace or an error, never a crash, a hang or unbounded memory.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ml/datasets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0:
      vigil::ml::ParseAdfaTrace(rest, "fuzz").status().IgnoreError();
      break;
    case 1:
      vigil::ml::ParseUnmTraces(rest, "fuzz").status().IgnoreError();
      break;
    case 2: {
      size_t nul = rest.find('\0');
      std::string_view sc = rest.substr(0, nul);
      std::string_view json =
          nul == std::string_view::npos ? std::string_view() : rest.substr(nul + 1);
      vigil::ml::ParseLidDsRecording(sc, json, "fuzz").status().IgnoreError();
      break;
    }
    default: {
      vigil::ml::LidDsZipLimits limits;
      limits.max_sc_bytes = 1 << 20;
      limits.max_json_bytes = 1 << 16;
      limits.max_line_bytes = 1 << 12;
      vigil::ml::ParseLidDsZip(rest, "fuzz", vigil::ml::Label::kUnknown, limits)
          .status()
          .IgnoreError();
      break;
    }
  }
  return 0;
}
