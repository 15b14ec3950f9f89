// A bounded reader of ELF section headers (ELF32 and ELF64, little and big endian) and the
// capture-time reduction of executables to the sections the Go and Rust catalogers read.
//
// The reader never trusts the file: every header field, offset and size is checked against
// the buffer before use (no overflow in offset + size), section names must lie inside the
// section-name string table, and the section count is bounded by what fits in the file. A
// malformed file is an InvalidArgument error, never a crash or an allocation beyond the
// input's size.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace vigil::catalog {

inline constexpr uint32_t kElfSectionNoBits = 8;  // SHT_NOBITS: occupies no file space

struct ElfSection {
  std::string name;
  uint32_t type = 0;
  uint64_t flags = 0;
  uint64_t addr = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
};

// A parsed view over a buffer the caller keeps alive.
struct ElfFile {
  std::string_view data;
  bool is64 = false;
  bool big_endian = false;
  uint16_t machine = 0;
  std::vector<ElfSection> sections;

  // The first section named `name`, or nullptr.
  const ElfSection* Find(std::string_view name) const;
  // The section's bytes; nullopt for SHT_NOBITS (no bytes in the file). The range was
  // checked when the file was parsed.
  std::optional<std::string_view> Contents(const ElfSection& section) const;
  // `size` bytes at virtual address `addr`, taken from the allocated section that holds the
  // whole range; nullopt when no section does (pointers in a hostile file go anywhere).
  std::optional<std::string_view> ReadAddress(uint64_t addr, uint64_t size) const;
  // An unsigned integer of 1, 2, 4 or 8 bytes in this file's byte order; `bytes` must hold
  // at least `width` bytes.
  uint64_t Uint(std::string_view bytes, int width) const;
};

// True when `data` starts with the ELF magic.
bool LooksLikeElf(std::string_view data);

// Parses the ELF header and section headers of `data`.
StatusOr<ElfFile> ParseElf(std::string_view data);

// Capture-time reduction for the Go and Rust catalogers. When `content` is an ELF file with
// a `.go.buildinfo` and/or `.dep-v0` section, it is replaced by a minimal ELF64 file holding
// just those sections (in that order) and `.shstrtab`, with the original machine, section
// types, flags and addresses, and true is returned; otherwise false (drop the file).
//
// Exception: a Go binary older than Go 1.18 stores its build info as pointers into the data
// segment, which a reduced file cannot keep; such a file is kept whole (true, content
// unchanged) — its size is bounded by the layer walk's capture limit.
//
// Deterministic and idempotent: ReduceExecutable on a reduced file gives the same bytes,
// and the Go and Rust parsers give identical results on the reduced and the original file.
bool ReduceExecutable(std::string& content);

}  // namespace vigil::catalog
