#include "catalog/elf.h"

#include "fmt/format.h"

namespace vigil::catalog {
namespace {

constexpr std::string_view kElfMagic =
    "\x7f"
    "ELF";
constexpr std::string_view kGoBuildInfoMagic = "\xff Go buildinf:";
constexpr uint16_t kShnXindex = 0xffff;
constexpr uint32_t kShtStrtab = 3;

// Reads an unsigned integer of `width` bytes at `off` (the caller checked the range).
uint64_t ReadUint(std::string_view d, uint64_t off, int width, bool big_endian) {
  uint64_t v = 0;
  for (int i = 0; i < width; ++i) {
    uint64_t byte = static_cast<unsigned char>(d[off + i]);
    if (big_endian) {
      v = (v << 8) | byte;
    } else {
      v |= byte << (8 * i);
    }
  }
  return v;
}

// True when [off, off + size) lies inside a buffer of `total` bytes, without overflow.
bool InRange(uint64_t off, uint64_t size, uint64_t total) {
  return off <= total && size <= total - off;
}

void PutLe(std::string& out, uint64_t v, int width) {
  for (int i = 0; i < width; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

}  // namespace

const ElfSection* ElfFile::Find(std::string_view name) const {
  for (const ElfSection& s : sections) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::optional<std::string_view> ElfFile::Contents(const ElfSection& section) const {
  if (section.type == kElfSectionNoBits) return std::nullopt;
  if (!InRange(section.offset, section.size, data.size())) return std::nullopt;
  return data.substr(section.offset, section.size);
}

std::optional<std::string_view> ElfFile::ReadAddress(uint64_t addr, uint64_t size) const {
  constexpr uint64_t kShfAlloc = 2;
  for (const ElfSection& s : sections) {
    if ((s.flags & kShfAlloc) == 0 || s.type == kElfSectionNoBits) continue;
    if (addr < s.addr || !InRange(addr - s.addr, size, s.size)) continue;
    auto contents = Contents(s);
    if (!contents) return std::nullopt;
    return contents->substr(addr - s.addr, size);
  }
  return std::nullopt;
}

uint64_t ElfFile::Uint(std::string_view bytes, int width) const {
  return ReadUint(bytes, 0, width, big_endian);
}

bool LooksLikeElf(std::string_view data) { return data.substr(0, 4) == kElfMagic; }

StatusOr<ElfFile> ParseElf(std::string_view data) {
  if (!LooksLikeElf(data)) return InvalidArgumentError("not an ELF file");
  if (data.size() < 52) return InvalidArgumentError("ELF header truncated");
  ElfFile elf;
  elf.data = data;
  const unsigned char cls = static_cast<unsigned char>(data[4]);
  const unsigned char enc = static_cast<unsigned char>(data[5]);
  if (cls != 1 && cls != 2) return InvalidArgumentError(fmt::format("ELF class {} unknown", cls));
  if (enc != 1 && enc != 2) {
    return InvalidArgumentError(fmt::format("ELF data encoding {} unknown", enc));
  }
  elf.is64 = cls == 2;
  elf.big_endian = enc == 2;
  if (elf.is64 && data.size() < 64) return InvalidArgumentError("ELF64 header truncated");
  auto u = [&](uint64_t off, int width) { return ReadUint(data, off, width, elf.big_endian); };
  elf.machine = static_cast<uint16_t>(u(18, 2));
  const uint64_t shoff = elf.is64 ? u(0x28, 8) : u(0x20, 4);
  const uint64_t shentsize = elf.is64 ? u(0x3a, 2) : u(0x2e, 2);
  uint64_t shnum = elf.is64 ? u(0x3c, 2) : u(0x30, 2);
  uint64_t shstrndx = elf.is64 ? u(0x3e, 2) : u(0x32, 2);
  if (shoff == 0) return elf;  // no section headers
  const uint64_t min_entsize = elf.is64 ? 64 : 40;
  if (shentsize < min_entsize) {
    return InvalidArgumentError(fmt::format("ELF section header size {} too small", shentsize));
  }
  if (!InRange(shoff, shentsize, data.size())) {
    return InvalidArgumentError("ELF section header table outside the file");
  }
  // Field offsets inside one section header.
  const uint64_t o_type = 4, o_flags = 8;
  const uint64_t o_addr = elf.is64 ? 16 : 12, o_offset = elf.is64 ? 24 : 16;
  const uint64_t o_size = elf.is64 ? 32 : 20, o_link = elf.is64 ? 40 : 24;
  const int word = elf.is64 ? 8 : 4;
  // Extended numbering (gABI): section 0 holds the real count and string table index.
  if (shnum == 0) shnum = u(shoff + o_size, word);
  if (shstrndx == kShnXindex) shstrndx = u(shoff + o_link, 4);
  if (shnum > (data.size() - shoff) / shentsize) {
    return InvalidArgumentError(fmt::format("ELF section count {} exceeds the file", shnum));
  }
  elf.sections.reserve(shnum);
  std::vector<uint32_t> name_offsets;
  name_offsets.reserve(shnum);
  for (uint64_t i = 0; i < shnum; ++i) {
    const uint64_t h = shoff + i * shentsize;
    ElfSection s;
    name_offsets.push_back(static_cast<uint32_t>(u(h, 4)));
    s.type = static_cast<uint32_t>(u(h + o_type, 4));
    s.flags = u(h + o_flags, word);
    s.addr = u(h + o_addr, word);
    s.offset = u(h + o_offset, word);
    s.size = u(h + o_size, word);
    if (s.type != kElfSectionNoBits && i != 0 && !InRange(s.offset, s.size, data.size())) {
      return InvalidArgumentError(fmt::format("ELF section {} lies outside the file", i));
    }
    elf.sections.push_back(std::move(s));
  }
  if (shstrndx == 0 || shstrndx >= shnum) return elf;  // no names (SHN_UNDEF)
  const ElfSection& strtab = elf.sections[shstrndx];
  if (strtab.type == kElfSectionNoBits) {
    return InvalidArgumentError("ELF section name table has no contents");
  }
  std::string_view names = data.substr(strtab.offset, strtab.size);
  for (uint64_t i = 0; i < shnum; ++i) {
    uint32_t off = name_offsets[i];
    if (off == 0 && i == 0) continue;
    if (off >= names.size()) {
      return InvalidArgumentError(fmt::format("ELF section {} name outside the name table", i));
    }
    size_t end = names.find('\0', off);
    if (end == std::string_view::npos) {
      return InvalidArgumentError(fmt::format("ELF section {} name not terminated", i));
    }
    elf.sections[i].name = std::string(names.substr(off, end - off));
  }
  return elf;
}

bool ReduceExecutable(std::string& content) {
  if (!LooksLikeElf(content)) return false;
  auto elf = ParseElf(content);
  if (!elf.ok()) return false;
  struct Kept {
    const ElfSection* section;
    std::string_view bytes;
  };
  std::vector<Kept> kept;
  for (std::string_view name : {std::string_view(".go.buildinfo"), std::string_view(".dep-v0")}) {
    const ElfSection* s = elf->Find(name);
    if (s == nullptr) continue;
    auto bytes = elf->Contents(*s);
    if (!bytes) continue;
    if (name == ".go.buildinfo" && bytes->size() >= 16 &&
        bytes->substr(0, kGoBuildInfoMagic.size()) == kGoBuildInfoMagic &&
        (static_cast<unsigned char>((*bytes)[15]) & 2) == 0) {
      return true;  // pre-1.18 pointer format: the referenced data is elsewhere; keep all
    }
    kept.push_back({s, *bytes});
  }
  if (kept.empty()) return false;

  // Layout: ELF64 header (64 bytes), section contents (8-aligned), .shstrtab, then the
  // section header table (null section, kept sections, .shstrtab).
  std::string shstrtab(1, '\0');
  std::vector<uint32_t> name_off;
  for (const Kept& k : kept) {
    name_off.push_back(static_cast<uint32_t>(shstrtab.size()));
    shstrtab += k.section->name;
    shstrtab.push_back('\0');
  }
  const uint32_t shstrtab_name = static_cast<uint32_t>(shstrtab.size());
  shstrtab += ".shstrtab";
  shstrtab.push_back('\0');

  std::string body;
  auto align8 = [&] {
    while (body.size() % 8 != 0) body.push_back('\0');
  };
  std::vector<uint64_t> offsets;
  for (const Kept& k : kept) {
    offsets.push_back(64 + body.size());
    body.append(k.bytes);
    align8();
  }
  const uint64_t strtab_off = 64 + body.size();
  body += shstrtab;
  align8();
  const uint64_t shoff = 64 + body.size();
  const uint16_t shnum = static_cast<uint16_t>(kept.size() + 2);

  std::string out;
  out.reserve(shoff + 64ull * shnum);
  out.append(kElfMagic);
  out.push_back(2);  // ELFCLASS64
  out.push_back(1);  // ELFDATA2LSB
  out.push_back(1);  // EV_CURRENT
  out.append(9, '\0');
  PutLe(out, 2, 2);  // ET_EXEC
  PutLe(out, elf->machine, 2);
  PutLe(out, 1, 4);          // e_version
  PutLe(out, 0, 8);          // e_entry
  PutLe(out, 0, 8);          // e_phoff
  PutLe(out, shoff, 8);      // e_shoff
  PutLe(out, 0, 4);          // e_flags
  PutLe(out, 64, 2);         // e_ehsize
  PutLe(out, 56, 2);         // e_phentsize
  PutLe(out, 0, 2);          // e_phnum
  PutLe(out, 64, 2);         // e_shentsize
  PutLe(out, shnum, 2);      // e_shnum
  PutLe(out, shnum - 1, 2);  // e_shstrndx
  out += body;
  auto header = [&](uint32_t name, uint32_t type, uint64_t flags, uint64_t addr, uint64_t off,
                    uint64_t size) {
    PutLe(out, name, 4);
    PutLe(out, type, 4);
    PutLe(out, flags, 8);
    PutLe(out, addr, 8);
    PutLe(out, off, 8);
    PutLe(out, size, 8);
    PutLe(out, 0, 4);  // sh_link
    PutLe(out, 0, 4);  // sh_info
    PutLe(out, 1, 8);  // sh_addralign
    PutLe(out, 0, 8);  // sh_entsize
  };
  header(0, 0, 0, 0, 0, 0);
  for (size_t i = 0; i < kept.size(); ++i) {
    const ElfSection& s = *kept[i].section;
    header(name_off[i], s.type, s.flags, s.addr, offsets[i], kept[i].bytes.size());
  }
  header(shstrtab_name, kShtStrtab, 0, 0, strtab_off, shstrtab.size());
  content = std::move(out);
  return true;
}

}  // namespace vigil::catalog
