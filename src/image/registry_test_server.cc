#include "image/registry_test_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "base/fs.h"
#include "base/strings.h"

namespace vigil::image::testing {
namespace {

namespace fs = std::filesystem;

std::string Env(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && v[0] != '\0' ? v : fallback;
}

int FreePort() {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = 0;
  if (bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(s);
  return port;
}

bool CanConnect(int port) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = connect(s, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(s);
  return ok;
}

// fork+exec with stdout/stderr appended to `log`; the child gets its own process group.
StatusOr<pid_t> Spawn(const std::vector<std::string>& argv, const std::string& log) {
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) return InternalError("fork failed");
  if (pid == 0) {
    setpgid(0, 0);
    // Destructors do not run when the test crashes or ctest kills it on timeout; the
    // kernel then stops the server for us instead of leaving it behind.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  return pid;
}

void Stop(pid_t pid) {
  if (pid <= 0) return;
  kill(pid, SIGTERM);
  for (int i = 0; i < 50; ++i) {
    if (waitpid(pid, nullptr, WNOHANG) == pid) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}

Status WaitForPort(int port, pid_t pid, const std::string& what, const std::string& log) {
  for (int i = 0; i < 200; ++i) {
    if (CanConnect(port)) return OkStatus();
    if (waitpid(pid, nullptr, WNOHANG) == pid) {
      return UnavailableError(what + " exited early: " + ReadHostFile(log).value_or(""));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return DeadlineExceededError(what + " not listening on port " + std::to_string(port));
}

}  // namespace

StatusOr<std::string> RegistryFixtures() {
  std::string out = Env("VIGIL_BUILD_DIR", "/tmp/vigil-fixtures") + "/fixtures/registry";
  std::string script =
      Env("VIGIL_SOURCE_DIR", VIGIL_TEST_SOURCE_DIR) + "/testdata/registry/make_fixtures.sh";
  std::string cmd = "'" + script + "' '" + out + "' >'" + out + ".log' 2>&1";
  fs::create_directories(fs::path(out).parent_path());
  int rc = std::system(cmd.c_str());
  if (WIFEXITED(rc) && WEXITSTATUS(rc) == 77) {
    return UnavailableError(
        "registry fixtures need docker-registry, skopeo, umoci, "
        "busybox-static, openssl, apache2-utils: " +
        ReadHostFile(out + ".log").value_or(""));
  }
  if (rc != 0) {
    return InternalError("make_fixtures.sh failed: " + ReadHostFile(out + ".log").value_or(""));
  }
  return out;
}

StatusOr<std::unique_ptr<TestRegistry>> TestRegistry::Start(const TestRegistryOptions& options) {
  VIGIL_ASSIGN_OR_RETURN(std::string fixtures, RegistryFixtures());
  std::unique_ptr<TestRegistry> r(new TestRegistry());
  r->fixtures_ = fixtures;
  char tmpl[] = "/tmp/vigil-registry-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return InternalError("mkdtemp failed");
  r->dir_ = tmpl;
  std::error_code ec;
  fs::copy(fixtures + "/storage", r->storage(), fs::copy_options::recursive, ec);
  if (ec) return InternalError("copy storage: " + ec.message());
  r->port_ = FreePort();

  std::string config = "version: 0.1\nlog: {level: info}\n";
  config += "storage:\n  filesystem: {rootdirectory: " + r->storage() + "}\n";
  config += "  delete: {enabled: true}\n";
  config += "http:\n  addr: 127.0.0.1:" + std::to_string(r->port_) + "\n";
  if (options.tls) {
    config += "  tls: {certificate: " + fixtures + "/certs/tls.crt, key: " + fixtures +
              "/certs/tls.key}\n";
  }
  if (options.auth == TestRegistryOptions::Auth::kHtpasswd) {
    config += "auth:\n  htpasswd: {realm: vigil-test, path: " + fixtures + "/auth/htpasswd}\n";
  } else if (options.auth == TestRegistryOptions::Auth::kToken) {
    int token_port = FreePort();
    std::string realm = "http://127.0.0.1:" + std::to_string(token_port) + "/token";
    config += "auth:\n  token:\n    realm: " + realm + "\n";
    config += "    service: vigil-test-registry\n    issuer: vigil-test-issuer\n";
    config += "    rootcertbundle: " + fixtures + "/certs/token.crt\n";
    std::string script =
        Env("VIGIL_SOURCE_DIR", VIGIL_TEST_SOURCE_DIR) + "/testdata/registry/token_server.py";
    std::string log = r->dir_ + "/token-server.out";
    VIGIL_ASSIGN_OR_RETURN(
        r->token_pid_,
        Spawn({"python3", script, "--port", std::to_string(token_port), "--key",
               fixtures + "/certs/token.key", "--cert", fixtures + "/certs/token.crt", "--issuer",
               "vigil-test-issuer", "--service", "vigil-test-registry", "--user",
               std::string(kUser) + ":" + kPassword, "--refresh-token", kRefreshToken, "--log",
               r->token_log()},
              log));
    VIGIL_RETURN_IF_ERROR(WaitForPort(token_port, r->token_pid_, "token server", log));
  }
  std::string config_path = r->dir_ + "/config.yml";
  VIGIL_RETURN_IF_ERROR(WriteFileAtomic(config_path, config));
  std::string log = r->dir_ + "/registry.log";
  VIGIL_ASSIGN_OR_RETURN(r->registry_pid_, Spawn({"docker-registry", "serve", config_path}, log));
  VIGIL_RETURN_IF_ERROR(WaitForPort(r->port_, r->registry_pid_, "docker-registry", log));
  return r;
}

StatusOr<std::unique_ptr<TestRegistry>> TestRegistry::StartFake(const std::string& blob) {
  std::unique_ptr<TestRegistry> r(new TestRegistry());
  char tmpl[] = "/tmp/vigil-fake-registry-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return InternalError("mkdtemp failed");
  r->dir_ = tmpl;
  r->port_ = FreePort();
  std::string script =
      Env("VIGIL_SOURCE_DIR", VIGIL_TEST_SOURCE_DIR) + "/testdata/registry/fake_registry.py";
  std::string log = r->dir_ + "/registry.log";
  VIGIL_ASSIGN_OR_RETURN(
      r->registry_pid_,
      Spawn({"python3", script, "--port", std::to_string(r->port_), "--user",
             std::string(kUser) + ":" + kPassword, "--blob", blob, "--log", r->request_log()},
            log));
  VIGIL_RETURN_IF_ERROR(WaitForPort(r->port_, r->registry_pid_, "fake registry", log));
  return r;
}

TestRegistry::~TestRegistry() {
  Stop(registry_pid_);
  Stop(token_pid_);
  if (!dir_.empty() && std::getenv("VIGIL_KEEP_TEST_REGISTRY") == nullptr) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

std::string TestRegistry::Log() const {
  return ReadHostFile(dir_ + "/registry.log").value_or("(no log)");
}

std::string BlobDataPath(const std::string& storage, const std::string& digest) {
  std::string hex = digest.substr(digest.find(':') + 1);
  return storage + "/docker/registry/v2/blobs/sha256/" + hex.substr(0, 2) + "/" + hex + "/data";
}

StatusOr<std::string> TagDigest(const std::string& storage, const std::string& repository,
                                const std::string& tag) {
  VIGIL_ASSIGN_OR_RETURN(std::string link,
                         ReadHostFile(storage + "/docker/registry/v2/repositories/" + repository +
                                      "/_manifests/tags/" + tag + "/current/link"));
  return std::string(Trim(link));
}

}  // namespace vigil::image::testing
