// The OCI distribution (registry v2) client and the ImageSource that pulls through it.
//
// Transport: https with TLS verification by default (the system trust store, or --cacert).
// Plain http is used only for loopback registries (localhost, 127.0.0.0/8, ::1) and for
// --insecure ones, and then only after https failed at the handshake because the server
// does not speak TLS; a TLS server whose certificate does not verify is an error, never a
// reason to downgrade (except under --insecure, which also skips verification).
//
// Auth: anonymous first; on 401 the WWW-Authenticate challenge decides: Bearer -> a token
// from the challenge's realm (GET with basic credentials, or POST grant_type=refresh_token
// with an identity token) cached per scope; Basic -> the credentials on every request.
// Credentials: RegistryOptions::username/password, else the docker config file
// (docker_config.h; credential helpers are not run). Authorization is never sent to a host
// other than the registry's (see registry_http.h on redirects) and basic credentials are
// never sent to a plain-http token realm that is not loopback (unless --insecure).
//
// Integrity: every manifest is hashed; a digest reference must match, and so must the
// Docker-Content-Digest header when the registry sends one. Config blobs are verified before
// parsing; layer blobs are hashed while streaming and the reader fails at EOF on mismatch.
//
// Thread-safety: a RegistryClient / the source are used by one thread at a time.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "image/docker_config.h"
#include "image/manifest.h"
#include "image/reference.h"
#include "image/registry_auth.h"
#include "image/registry_http.h"
#include "image/source.h"

namespace vigil::image {

struct RegistryOptions {
  bool insecure = false;  // allow plain http and skip TLS verification
  std::string cacert;     // PEM CA bundle to verify the registry (and token realm) with
  // Docker client config to read credentials from; empty = $DOCKER_CONFIG/config.json or
  // ~/.docker/config.json (silently absent is fine; a file named here must parse).
  std::string docker_config_path;
  std::string username, password;  // explicit credentials; override the docker config
  Platform platform;               // default platform for OpenRegistrySource's users
  int timeout_s = 300;             // per buffered request; streams use a stall timeout
};

// The Accept header for manifests: OCI and Docker, image manifests and indexes. Without the
// OCI types a registry answers MANIFEST_UNKNOWN for OCI manifests.
extern const char kManifestAccept[];

struct FetchedManifest {
  std::string media_type;  // from Content-Type, else the document's mediaType
  std::string digest;      // "sha256:<hex>" of body, verified
  std::string body;
  bool is_index = false;
};

class RegistryClient {
 public:
  // `registry` is "host[:port]" as in Reference::registry; "docker.io" talks to
  // registry-1.docker.io. Reads the docker config (see RegistryOptions); no network yet.
  static StatusOr<std::unique_ptr<RegistryClient>> Create(std::string_view registry,
                                                          const RegistryOptions& options);
  ~RegistryClient();

  // GET /v2/ (authenticating if challenged): checks the registry speaks the v2 API.
  Status Ping();
  // Every repository in the catalog (GET /v2/_catalog), following Link rel="next" pages.
  // `page_size` > 0 sends n=page_size; 0 lets the registry choose.
  StatusOr<std::vector<std::string>> ListRepositories(int page_size = 0);
  // Every tag of `repository` (GET /v2/<name>/tags/list), following pages likewise.
  StatusOr<std::vector<std::string>> ListTags(std::string_view repository, int page_size = 0);
  // The manifest named by a tag or a digest ("sha256:..."); digests are verified.
  StatusOr<FetchedManifest> GetManifest(std::string_view repository,
                                        std::string_view tag_or_digest);
  // The digest a tag currently points to, from a HEAD request's Docker-Content-Digest
  // (cheap, and not counted against Docker Hub's pull rate limit); falls back to fetching
  // the manifest when the header is absent. A digest is returned as is.
  StatusOr<std::string> ResolveDigest(std::string_view repository, std::string_view tag);
  // A whole blob, verified against `digest`, at most `max_bytes`.
  StatusOr<std::string> GetBlob(std::string_view repository, std::string_view digest,
                                size_t max_bytes);
  // Streams a blob; the reader hashes what passes through and fails with DataLoss at EOF
  // when the digest (or `size`, if >= 0) does not match.
  StatusOr<std::unique_ptr<BlobReader>> OpenBlob(std::string_view repository,
                                                 std::string_view digest, int64_t size);

  const std::string& registry() const { return registry_; }
  // "https://host:port" once the scheme is known (after the first request).
  std::string BaseUrl() const { return scheme_ + "://" + api_host_; }

 private:
  RegistryClient(std::string registry, const RegistryOptions& options);
  Status EnsureEndpoint();
  StatusOr<HttpResponse> Get(const std::string& path, const std::string& scope,
                             std::vector<std::pair<std::string, std::string>> headers,
                             size_t max_body, const std::string& method = "GET");
  // Reacts to a 401: true when a retry with new authorization makes sense.
  StatusOr<bool> HandleChallenge(const HttpResponse& unauthorized, const std::string& scope);
  StatusOr<std::string> FetchToken(const AuthChallenge& challenge, const std::string& scope);
  void AddAuthorization(HttpRequest* request, const std::string& scope) const;
  StatusOr<std::vector<std::string>> ListPaged(const std::string& path, const std::string& key,
                                               const std::string& scope, int page_size);
  Status ErrorFor(const HttpRequest& request, const HttpResponse& response) const;

  std::string registry_;  // as given
  std::string api_host_;  // host[:port] actually contacted
  std::string scheme_;    // "https" or "http"; empty until EnsureEndpoint
  RegistryOptions options_;
  HttpClient http_;
  DockerCredential credential_;
  std::string credential_source_;  // "--username", "docker config <path>", or ""
  std::string helper_note_;        // why credentials are missing (a helper we don't run)
  bool use_basic_ = false;
  std::map<std::string, std::string> tokens_;  // scope -> bearer token
};

// Selects the entry of `index` for `platform`: an exact os/arch/variant match first, then
// PlatformMatches; entries without a platform or with os "unknown" (attestations) are
// skipped. NotFound names the image (`what`) and lists the platforms it has.
StatusOr<Descriptor> SelectPlatformManifest(const Index& index, const Platform& platform,
                                            std::string_view what);

// Opens `ref` (a registry reference) for pulling. Connects lazily: errors from the network
// come from Resolve/OpenLayer.
StatusOr<std::unique_ptr<ImageSource>> OpenRegistrySource(const Reference& ref,
                                                          const RegistryOptions& options);

}  // namespace vigil::image
