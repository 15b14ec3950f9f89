#include "runtime/metrics.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "fmt/format.h"

namespace vigil::runtime {
namespace {

constexpr size_t kMaxRequest = 8192;
constexpr int kClientTimeoutMs = 2000;

void AppendLabelValue(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

void SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        pollfd p{fd, POLLOUT, 0};
        if (poll(&p, 1, kClientTimeoutMs) <= 0) return;
        continue;
      }
      return;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace

uint64_t* EventCounters::Slot(uint64_t cgroup_id) {
  auto it = containers_.find(cgroup_id);
  if (it != containers_.end()) return &it->second;
  if (containers_.size() >= kMaxContainers) return &overflow_;
  return &containers_.emplace(cgroup_id, 0).first->second;
}

void PrometheusPage::Family(std::string_view name, std::string_view type, std::string_view help) {
  fmt::format_to(std::back_inserter(text_), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void PrometheusPage::Sample(
    std::string_view name, const std::vector<std::pair<std::string_view, std::string_view>>& labels,
    double value) {
  text_.append(name);
  if (!labels.empty()) {
    text_.push_back('{');
    for (size_t i = 0; i < labels.size(); ++i) {
      if (i > 0) text_.push_back(',');
      text_.append(labels[i].first);
      text_.append("=\"");
      AppendLabelValue(text_, labels[i].second);
      text_.push_back('"');
    }
    text_.push_back('}');
  }
  text_.push_back(' ');
  if (std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 1e15) {
    fmt::format_to(std::back_inserter(text_), "{}\n", static_cast<int64_t>(value));
  } else {
    fmt::format_to(std::back_inserter(text_), "{}\n", value);
  }
}

ProcessUsage ReadProcessUsage() {
  ProcessUsage u;
  rusage ru{};
  if (getrusage(RUSAGE_SELF, &ru) == 0) {
    u.cpu_seconds = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                    static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  }
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    unsigned long long size = 0, resident = 0;
    if (std::fscanf(f, "%llu %llu", &size, &resident) == 2) {
      uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
      u.virtual_bytes = size * page;
      u.resident_bytes = resident * page;
    }
    std::fclose(f);
  }
  return u;
}

StatusOr<std::unique_ptr<MetricsServer>> MetricsServer::Start(const std::string& address) {
  std::string host = "127.0.0.1";
  std::string port_text = address;
  size_t colon = address.rfind(':');
  if (colon != std::string::npos) {
    if (colon > 0) host = address.substr(0, colon);
    port_text = address.substr(colon + 1);
  }
  char* end = nullptr;
  errno = 0;
  long port = std::strtol(port_text.c_str(), &end, 10);
  if (port_text.empty() || *end != '\0' || errno != 0 || port < 0 || port > 65535) {
    return InvalidArgumentError(
        fmt::format("--metrics '{}': want HOST:PORT, :PORT or PORT", address));
  }
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &sa.sin_addr) != 1) {
    return InvalidArgumentError(
        fmt::format("--metrics '{}': '{}' is not an IPv4 address", address, host));
  }
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return UnavailableError(fmt::format("metrics: socket: {}", std::strerror(errno)));
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0 || ::listen(fd, 16) != 0) {
    int err = errno;
    ::close(fd);
    return UnavailableError(
        fmt::format("metrics: cannot listen on {}: {}", address, std::strerror(err)));
  }
  socklen_t len = sizeof(sa);
  getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  std::unique_ptr<MetricsServer> server(new MetricsServer(fd, ntohs(sa.sin_port)));
  if (pipe2(server->wake_, O_CLOEXEC) != 0) {
    return UnavailableError(fmt::format("metrics: pipe: {}", std::strerror(errno)));
  }
  server->thread_ = std::thread([s = server.get()] { s->Loop(); });
  return server;
}

MetricsServer::MetricsServer(int fd, uint16_t port) : listen_fd_(fd), port_(port) {}

MetricsServer::~MetricsServer() {
  if (thread_.joinable()) {
    char b = 1;
    if (::write(wake_[1], &b, 1) < 0) {
      // The pipe cannot be full or closed here; the loop also wakes every second.
    }
    thread_.join();
  }
  for (int fd : {listen_fd_, wake_[0], wake_[1]}) {
    if (fd >= 0) ::close(fd);
  }
}

void MetricsServer::Publish(std::string page) {
  std::lock_guard<std::mutex> lock(mu_);
  page_ = std::move(page);
}

void MetricsServer::Loop() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    int n = poll(fds, 2, 1000);
    if (n < 0 && errno != EINTR) return;
    if (fds[1].revents != 0) return;
    if (n <= 0 || !(fds[0].revents & POLLIN)) continue;
    int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (client < 0) continue;
    Serve(client);
    ::close(client);
  }
}

void MetricsServer::Serve(int client) {
  std::string request;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kClientTimeoutMs);
  while (request.find("\r\n\r\n") == std::string::npos &&
         request.find("\n\n") == std::string::npos) {
    if (request.size() >= kMaxRequest) {
      SendAll(client,
              "HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n"
              "Content-Length: 0\r\n\r\n");
      return;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) return;
    pollfd p{client, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) <= 0) return;
    char buf[2048];
    ssize_t got = ::recv(client, buf, sizeof(buf), 0);
    if (got <= 0) return;
    request.append(buf, static_cast<size_t>(got));
  }
  size_t line_end = request.find_first_of("\r\n");
  std::string_view line(request.data(), line_end);
  std::string_view method = line.substr(0, line.find(' '));
  std::string_view target;
  if (size_t sp = line.find(' '); sp != std::string_view::npos) {
    target = line.substr(sp + 1);
    target = target.substr(0, target.find(' '));
  }
  if (size_t q = target.find('?'); q != std::string_view::npos) target = target.substr(0, q);
  std::string status, type = "text/plain; charset=utf-8", body;
  if (method != "GET" && method != "HEAD") {
    status = "405 Method Not Allowed";
    body = "only GET\n";
  } else if (target == "/metrics") {
    status = "200 OK";
    type = "text/plain; version=0.0.4; charset=utf-8";
    std::lock_guard<std::mutex> lock(mu_);
    body = page_;
    scrapes_.fetch_add(1);
  } else if (target == "/" || target == "/healthz") {
    status = "200 OK";
    body = "vigil agent: metrics at /metrics\n";
  } else {
    status = "404 Not Found";
    body = "not found; metrics are at /metrics\n";
  }
  std::string head = fmt::format(
      "HTTP/1.1 {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", status,
      type, body.size());
  SendAll(client, head);
  if (method != "HEAD") SendAll(client, body);
}

}  // namespace vigil::runtime
