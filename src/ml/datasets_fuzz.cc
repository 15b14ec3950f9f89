// Fuzz target for the three dataset parsers. The first byte chooses the parser (0: ADFA-LD,
// 1: UNM, 2: LID-DS); for LID-DS the rest is the .sc text, then a NUL byte, then the JSON.
// Every input must give a trace or an error, never a crash, a hang or unbounded memory.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ml/datasets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      vigil::ml::ParseAdfaTrace(rest, "fuzz").status().IgnoreError();
      break;
    case 1:
      vigil::ml::ParseUnmTraces(rest, "fuzz").status().IgnoreError();
      break;
    default: {
      size_t nul = rest.find('\0');
      std::string_view sc = rest.substr(0, nul);
      std::string_view json =
          nul == std::string_view::npos ? std::string_view() : rest.substr(nul + 1);
      vigil::ml::ParseLidDsRecording(sc, json, "fuzz").status().IgnoreError();
      break;
    }
  }
  return 0;
}
