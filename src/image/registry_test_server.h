// Test helper: a real Debian docker-registry on a free loopback port, over a private copy of
// the fixture storage built by testdata/registry/make_fixtures.sh, optionally with htpasswd
// or token auth (plus the python token server) and TLS. Processes are stopped by PID in the
// destructor, so a failing test never leaves a registry behind.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include "base/status.h"

namespace vigil::image::testing {

// Where the fixtures live (built on first use): $VIGIL_BUILD_DIR/fixtures/registry, or
// /tmp/vigil-fixtures/registry when run outside ctest. Unavailable (with the reason) when a
// required tool is missing, so tests can skip with a clear message.
StatusOr<std::string> RegistryFixtures();

struct TestRegistryOptions {
  enum class Auth { kNone, kHtpasswd, kToken };
  Auth auth = Auth::kNone;
  bool tls = false;
};

class TestRegistry {
 public:
  static StatusOr<std::unique_ptr<TestRegistry>> Start(const TestRegistryOptions& options);
  // testdata/registry/fake_registry.py instead of docker-registry (tag paging, blob
  // redirects); basic auth kUser:kPassword; serves `blob`. Requests go to request_log().
  static StatusOr<std::unique_ptr<TestRegistry>> StartFake(const std::string& blob);
  ~TestRegistry();
  TestRegistry(const TestRegistry&) = delete;
  TestRegistry& operator=(const TestRegistry&) = delete;

  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  const std::string& dir() const { return dir_; }            // private temp dir
  std::string storage() const { return dir_ + "/storage"; }  // registry rootdirectory
  const std::string& fixtures() const { return fixtures_; }
  std::string ca_cert() const { return fixtures_ + "/certs/tls.crt"; }
  std::string token_log() const { return dir_ + "/token.log"; }
  std::string request_log() const { return dir_ + "/requests.log"; }
  // The registry's log, for failure messages.
  std::string Log() const;

  static constexpr const char* kUser = "alice";
  static constexpr const char* kPassword = "wonderland";
  static constexpr const char* kRefreshToken = "vigil-refresh-token";

 private:
  TestRegistry() = default;
  std::string fixtures_;
  std::string dir_;
  int port_ = 0;
  pid_t registry_pid_ = -1;
  pid_t token_pid_ = -1;
};

// A file path of the blob `digest` ("sha256:<hex>") inside a registry storage directory.
std::string BlobDataPath(const std::string& storage, const std::string& digest);
// The digest a tag points to, read from the storage ("sha256:...").
StatusOr<std::string> TagDigest(const std::string& storage, const std::string& repository,
                                const std::string& tag);

}  // namespace vigil::image::testing
