#include "runtime/event.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cstdio>

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

std::string SockAddrToString(const SockAddr& addr) {
  switch (addr.family) {
    case AF_INET: {
      char ip[INET_ADDRSTRLEN];
      if (inet_ntop(AF_INET, addr.addr.data(), ip, sizeof(ip)) == nullptr) return "";
      return std::string(ip) + ":" + std::to_string(addr.port);
    }
    case AF_INET6: {
      char ip[INET6_ADDRSTRLEN];
      if (inet_ntop(AF_INET6, addr.addr.data(), ip, sizeof(ip)) == nullptr) return "";
      return "[" + std::string(ip) + "]:" + std::to_string(addr.port);
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
