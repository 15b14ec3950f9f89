// Fuzz target for the capture reader: arbitrary bytes as a .vgl file must give events (and
// container records) or a clear error, never a crash, a hang or unbounded memory. Seeds in
// testdata/fuzz/runtime_replay (containers.vgl has version 2 container records). Each input
// is read twice: as given, and with its header and block checksums made to match, so
// mutations reach the record decoder instead of stopping at a checksum mismatch.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "runtime/replay.h"

namespace {
uint64_t g_checksum = 0;  // every byte a view points to is read, so ASan sees bad views

void Touch(std::string_view s) {
  for (char c : s) g_checksum += static_cast<unsigned char>(c);
}

uint32_t Le32(const std::string& d, size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(d[at + i]);
  return v;
}

void PutLe32(std::string& d, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) d[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

// `d` with the file header's and each whole block's CRC-32C recomputed (as far as the
// declared lengths lead).
std::string WithValidChecksums(std::string d) {
  if (d.size() < 12) return d;
  size_t header = static_cast<uint8_t>(d[10]) | (static_cast<uint8_t>(d[11]) << 8);
  if (header < 4 || header > d.size()) return d;
  PutLe32(d, header - 4, vigil::runtime::Crc32c(d.data(), header - 4));
  for (size_t pos = header; pos + 16 <= d.size() && std::memcmp(d.data() + pos, "VBLK", 4) == 0;) {
    size_t payload = Le32(d, pos + 4);
    if (payload > d.size() - pos - 16) break;
    PutLe32(d, pos + 12, vigil::runtime::Crc32c(d.data() + pos + 16, payload));
    pos += 16 + payload;
  }
  return d;
}

void Replay(std::string bytes) {
  using vigil::runtime::ContainerInfo;
  using vigil::runtime::Event;
  vigil::runtime::ReplayOptions options;
  // Container records (version 2): every member of each decoded record is read.
  options.on_container = [](uint64_t cgroup_id, const ContainerInfo& c) {
    g_checksum += cgroup_id + c.cgroup_id;
    for (const std::string* s : {&c.id, &c.runtime, &c.name, &c.image, &c.image_digest, &c.pod,
                                 &c.pod_namespace, &c.workload, &c.cgroup_path}) {
      Touch(*s);
    }
    for (const auto& [key, value] : c.labels) {
      Touch(key);
      Touch(value);
    }
  };
  auto src = vigil::runtime::ReplaySource::OpenBuffer(std::move(bytes), "fuzz.vgl", options);
  if (!src.ok()) return;
  for (;;) {
    auto n = (*src)->Poll(std::chrono::milliseconds(0), [](const Event& e) {
      Touch(e.comm);
      Touch(e.path);
      Touch(e.path2);
      Touch(e.exe);
      Touch(e.args);
      Touch(e.cwd);
      Touch(e.addr.unix_path);
    });
    if (!n.ok()) break;  // a finite input always ends: every Poll consumes bytes or fails
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  Replay(bytes);
  Replay(WithValidChecksums(std::move(bytes)));
  return 0;
}
