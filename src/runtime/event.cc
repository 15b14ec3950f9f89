#include "runtime/event.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <array>
#include <cstdio>
#include <cstring>

namespace vigil::runtime {

std::string_view EventTypeName(EventType type) {
  switch (type) {
    case EventType::kSyscall:
      return "syscall";
    case EventType::kProcessFork:
      return "fork";
    case EventType::kProcessExec:
      return "exec";
    case EventType::kProcessExit:
      return "exit";
    case EventType::kSyscallCounts:
      return "syscall_counts";
    case EventType::kDrops:
      return "drops";
  }
  return "unknown";
}

namespace {

// Writes v in decimal at `out` (at most 5 digits for a uint16_t); returns the end.
char* PutDecimal(uint32_t v, char* out) {
  char buf[10];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) *out++ = buf[--n];
  return out;
}

// Each byte's decimal digits (up to 3) and their count, in one 4-byte entry: an IPv4 octet is
// one load and one 4-byte copy (connect and accept format an address per event for the rules).
constexpr auto kOctets = [] {
  std::array<std::array<char, 4>, 256> t{};
  for (int v = 0; v < 256; ++v) {
    int n = 0;
    if (v >= 100) t[v][n++] = static_cast<char>('0' + v / 100);
    if (v >= 10) t[v][n++] = static_cast<char>('0' + v / 10 % 10);
    t[v][n++] = static_cast<char>('0' + v % 10);
    t[v][3] = static_cast<char>(n);
  }
  return t;
}();

}  // namespace

void AppendInetAddress(uint16_t family, const uint8_t* addr, uint16_t port, std::string* out) {
  char buf[INET6_ADDRSTRLEN + 8];  // "[" ip "]:" port
  char* p = buf;
  if (family == AF_INET) {
    for (int i = 0; i < 4; ++i) {
      // The copy may write up to 3 bytes past the digits; the next write or the buffer's
      // slack (INET6_ADDRSTRLEN is far longer than an IPv4 text) covers them.
      memcpy(p, kOctets[addr[i]].data(), 4);
      p += kOctets[addr[i]][3];
      if (i < 3) *p++ = '.';
    }
  } else if (family == AF_INET6) {
    *p++ = '[';
    if (inet_ntop(AF_INET6, addr, p, INET6_ADDRSTRLEN) == nullptr) return;
    p += std::strlen(p);
    *p++ = ']';
  } else {
    return;
  }
  *p++ = ':';
  p = PutDecimal(port, p);
  out->append(buf, static_cast<size_t>(p - buf));
}

std::string SockAddrToString(const SockAddr& addr) {
  switch (addr.family) {
    case AF_INET:
    case AF_INET6: {
      std::string out;
      AppendInetAddress(addr.family, addr.addr.data(), addr.port, &out);
      return out;
    }
    case AF_UNIX:
      return "unix:" + std::string(addr.unix_path);
    case 0:
      return "";
    default: {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "family%u", addr.family);
      return buf;
    }
  }
}

}  // namespace vigil::runtime
