// PLACEHOLDER: replaced by the eBPF engineer this session (ebpf_source.cc + src/bpf).
#include "runtime/ebpf_source.h"

namespace vigil::runtime {

StatusOr<std::unique_ptr<EventSource>> OpenEbpfSource(const EbpfOptions&) {
  return Status(StatusCode::kUnimplemented, "eBPF source: not built yet");
}

}  // namespace vigil::runtime
