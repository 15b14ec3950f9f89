#include "image/registry.h"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>
#include <utility>

#include "base/fs.h"
#include "base/hash.h"
#include "base/logging.h"
#include "base/strings.h"
#include "image/registry_auth.h"

namespace vigil::image {

const char kManifestAccept[] =
    "application/vnd.oci.image.manifest.v1+json, "
    "application/vnd.oci.image.index.v1+json, "
    "application/vnd.docker.distribution.manifest.v2+json, "
    "application/vnd.docker.distribution.manifest.list.v2+json";

namespace {

constexpr std::string_view kOciConfigType = "application/vnd.oci.image.config.v1+json";
constexpr std::string_view kDockerConfigType = "application/vnd.docker.container.image.v1+json";
constexpr std::string_view kDockerSchema1Prefix = "application/vnd.docker.distribution.manifest.v1";

// "sha256:<64 lower hex>" -> hex; other algorithms and malformed digests are errors, since
// we could not verify what we fetch by them.
StatusOr<std::string> DigestHexOf(std::string_view digest) {
  if (!StartsWith(digest, "sha256:")) {
    return InvalidArgumentError("unsupported digest \"" + std::string(digest) +
                                "\" (only sha256 is supported)");
  }
  std::string_view hex = digest.substr(7);
  bool ok = hex.size() == 64;
  for (char c : hex) ok = ok && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  if (!ok) return InvalidArgumentError("malformed digest \"" + std::string(digest) + "\"");
  return std::string(hex);
}

bool IsDigest(std::string_view s) { return s.find(':') != std::string_view::npos; }

std::string BaseMediaType(std::string_view content_type) {
  size_t semi = content_type.find(';');
  return ToLower(Trim(content_type.substr(0, semi)));
}

// The registry's error document: {"errors":[{"code":"MANIFEST_UNKNOWN","message":"..."}]}.
std::string RegistryErrorText(std::string_view body) {
  nlohmann::json doc = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return {};
  auto errors = doc.find("errors");
  if (errors == doc.end() || !errors->is_array()) return {};
  std::vector<std::string> parts;
  for (const auto& e : *errors) {
    if (!e.is_object()) continue;
    std::string code = e.value("code", std::string());
    std::string message = e.contains("message") && e["message"].is_string()
                              ? e["message"].get<std::string>()
                              : std::string();
    parts.push_back(message.empty() ? code : code + ": " + message);
    if (parts.size() == 3) break;
  }
  return Join(parts, "; ");
}

// Hashes a blob as it streams and fails at EOF when it is not the blob that was asked for.
class VerifyingBlobReader : public BlobReader {
 public:
  VerifyingBlobReader(std::unique_ptr<HttpStream> stream, std::string digest, std::string hex,
                      int64_t size)
      : stream_(std::move(stream)), digest_(std::move(digest)), hex_(std::move(hex)), size_(size) {}

  StatusOr<size_t> Read(char* buf, size_t len) override {
    if (!failure_.ok()) return failure_;
    if (finished_) return size_t{0};
    StatusOr<size_t> n = stream_->Read(buf, len);
    if (!n.ok()) return Fail(Annotate(n.status(), "blob " + digest_));
    if (*n > 0) {
      hasher_.Update(buf, *n);
      received_ += *n;
      if (size_ >= 0 && received_ > static_cast<uint64_t>(size_)) {
        return Fail(DataLossError(Where() + ": more than the expected " + std::to_string(size_) +
                                  " bytes"));
      }
      return n;
    }
    finished_ = true;
    if (size_ >= 0 && received_ != static_cast<uint64_t>(size_)) {
      return Fail(DataLossError(Where() + ": size mismatch: expected " + std::to_string(size_) +
                                " bytes, got " + std::to_string(received_)));
    }
    std::string got = hasher_.FinishHex();
    if (got != hex_) {
      return Fail(DataLossError(Where() + ": digest mismatch: expected " + digest_ +
                                ", got sha256:" + got +
                                " (corrupted or tampered blob in the registry or in transit)"));
    }
    return size_t{0};
  }

 private:
  std::string Where() const { return "blob " + digest_ + " from " + stream_->response().url; }
  Status Fail(Status s) {
    failure_ = s;
    return s;
  }

  std::unique_ptr<HttpStream> stream_;
  std::string digest_;
  std::string hex_;
  int64_t size_;
  Sha256 hasher_;
  uint64_t received_ = 0;
  bool finished_ = false;
  Status failure_;
};

// Rate limiting and overloaded or restarting registries (and the proxies before them) are
// worth a couple of retries; every other status is final.
constexpr int kMaxTransientRetries = 2;
bool IsTransient(long status) {
  return status == 429 || status == 502 || status == 503 || status == 504;
}

// Retry-After (seconds form) when the server gives one of at most 10 s, else 0.5 s, 1 s.
std::chrono::milliseconds RetryDelay(const HttpResponse& response, int attempt) {
  std::string after = response.Header("retry-after");
  if (!after.empty() && after.size() <= 2 &&
      std::all_of(after.begin(), after.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    int seconds = std::stoi(after);
    if (seconds <= 10) return std::chrono::milliseconds(seconds * 1000);
  }
  return std::chrono::milliseconds(500 << attempt);
}

StatusCode CodeForHttp(long status) {
  switch (status) {
    case 401:
    case 403:
      return StatusCode::kPermissionDenied;
    case 404:
      return StatusCode::kNotFound;
    case 400:
    case 405:
      return StatusCode::kInvalidArgument;
    case 408:
    case 504:
      return StatusCode::kDeadlineExceeded;
    case 429:
    case 500:
    case 502:
    case 503:
      return StatusCode::kUnavailable;
    default:
      return StatusCode::kUnknown;
  }
}

}  // namespace

RegistryClient::RegistryClient(std::string registry, const RegistryOptions& options)
    : registry_(std::move(registry)),
      options_(options),
      http_(HttpOptions{.verify_tls = !options.insecure,
                        .cacert = options.cacert,
                        .timeout_s = options.timeout_s > 0 ? options.timeout_s : 300}) {
  api_host_ = registry_ == kDefaultRegistry ? std::string("registry-1.docker.io") : registry_;
}

RegistryClient::~RegistryClient() = default;

StatusOr<std::unique_ptr<RegistryClient>> RegistryClient::Create(std::string_view registry,
                                                                 const RegistryOptions& options) {
  if (registry.empty() || registry.find('/') != std::string_view::npos) {
    return InvalidArgumentError("invalid registry host \"" + std::string(registry) + "\"");
  }
  std::unique_ptr<RegistryClient> client(new RegistryClient(std::string(registry), options));
  if (!options.username.empty() || !options.password.empty()) {
    client->credential_.username = options.username;
    client->credential_.password = options.password;
    client->credential_source_ = "--username/--password";
    return client;
  }
  bool explicit_path = !options.docker_config_path.empty();
  std::string path = explicit_path ? options.docker_config_path : DefaultDockerConfigPath();
  StatusOr<std::string> text = ReadHostFile(path, 1u << 20);
  if (!text.ok()) {
    if (explicit_path) return Annotate(text.status(), "docker config");
    return client;  // no config file: anonymous
  }
  StatusOr<DockerConfig> config = ParseDockerConfig(*text);
  if (!config.ok()) {
    if (explicit_path) return Annotate(config.status(), path);
    spdlog::warn("ignoring {}: {}", path, config.status().message());
    return client;
  }
  CredentialLookup found = FindDockerCredential(*config, registry);
  if (found.credential) {
    client->credential_ = *found.credential;
    client->credential_source_ = "docker config " + path;
  } else if (!found.helper.empty()) {
    client->helper_note_ = "credentials for " + std::string(registry) + " in " + path +
                           " are delegated to docker-credential-" + found.helper +
                           ", which vigil does not run (credential helpers are unsupported); "
                           "pass --username/--password or put them in \"auths\"";
  }
  return client;
}

Status RegistryClient::EnsureEndpoint() {
  if (!scheme_.empty()) return OkStatus();
  bool may_plain = options_.insecure || IsLoopbackHost(api_host_);
  if (!may_plain) {
    scheme_ = "https";
    return OkStatus();
  }
  // Probe https first: a loopback registry may well serve TLS (and then its certificate
  // must verify). Only a server that does not speak TLS at all sends us to plain http.
  HttpRequest probe;
  probe.method = "GET";
  probe.url = "https://" + api_host_ + "/v2/";
  probe.max_body = 64 << 10;
  StatusOr<HttpResponse> response = http_.Do(probe);
  if (response.ok()) {
    scheme_ = "https";
    return OkStatus();
  }
  if (http_.last_failure() == TransportFailure::kTlsHandshake) {
    scheme_ = "http";
    return OkStatus();
  }
  return response.status();
}

void RegistryClient::AddAuthorization(HttpRequest* request, const std::string& scope) const {
  if (use_basic_) {
    request->headers.emplace_back(
        "Authorization",
        "Basic " + Base64Encode(credential_.username + ":" + credential_.password));
    return;
  }
  auto it = tokens_.find(scope);
  if (it != tokens_.end()) request->headers.emplace_back("Authorization", "Bearer " + it->second);
}

Status RegistryClient::ErrorFor(const HttpRequest& request, const HttpResponse& response) const {
  std::string msg =
      request.method + " " + request.url + ": HTTP " + std::to_string(response.status);
  std::string detail = RegistryErrorText(response.body);
  if (!detail.empty()) msg += ": " + detail;
  if (response.status == 401) {
    if (!credential_source_.empty()) {
      msg += " (credentials from " + credential_source_ + " were rejected or lack access)";
    } else if (!helper_note_.empty()) {
      msg += " (" + helper_note_ + ")";
    } else {
      msg += " (no credentials configured for " + registry_ + ")";
    }
  }
  return Status(CodeForHttp(response.status), msg);
}

StatusOr<std::string> RegistryClient::FetchToken(const AuthChallenge& challenge,
                                                 const std::string& scope) {
  std::string realm = challenge.Param("realm");
  if (realm.empty())
    return PermissionDeniedError("Bearer challenge from " + registry_ + " has no realm");
  VIGIL_ASSIGN_OR_RETURN(UrlOrigin realm_origin, ParseUrlOrigin(realm));
  if (realm_origin.scheme != "https" && realm_origin.scheme != "http") {
    return PermissionDeniedError("token realm " + realm + " is not an http(s) URL");
  }
  bool has_credential = !credential_.empty();
  if (has_credential && realm_origin.scheme == "http" && !options_.insecure &&
      !IsLoopbackHost(realm_origin.host)) {
    return PermissionDeniedError("refusing to send credentials for " + registry_ +
                                 " to the plain-http token realm " + realm +
                                 " (use --insecure to allow)");
  }
  std::string service = challenge.Param("service");
  // The challenge names the scope this request needs; our own is the fallback.
  std::string want_scope = challenge.Param("scope").empty() ? scope : challenge.Param("scope");

  HttpRequest request;
  request.max_body = 1 << 20;
  if (!credential_.identity_token.empty()) {
    request.method = "POST";
    request.url = realm;
    request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    request.body = "grant_type=refresh_token&client_id=vigil&refresh_token=" +
                   UrlEncode(credential_.identity_token) + "&service=" + UrlEncode(service);
    if (!want_scope.empty()) request.body += "&scope=" + UrlEncode(want_scope);
  } else {
    request.url = realm + (realm.find('?') == std::string::npos ? "?" : "&") +
                  "service=" + UrlEncode(service);
    if (!want_scope.empty()) request.url += "&scope=" + UrlEncode(want_scope);
    if (has_credential) {
      request.url += "&account=" + UrlEncode(credential_.username);
      request.headers.emplace_back(
          "Authorization",
          "Basic " + Base64Encode(credential_.username + ":" + credential_.password));
    }
  }
  VIGIL_ASSIGN_OR_RETURN(HttpResponse response, http_.Do(request));
  if (response.status / 100 != 2) {
    Status error = ErrorFor(request, response);
    return Status(error.code(), "token request: " + error.message());
  }
  nlohmann::json doc =
      nlohmann::json::parse(response.body.begin(), response.body.end(), nullptr, false);
  std::string token;
  if (doc.is_object()) {
    if (doc.contains("token") && doc["token"].is_string()) {
      token = doc["token"].get<std::string>();
    } else if (doc.contains("access_token") && doc["access_token"].is_string()) {
      token = doc["access_token"].get<std::string>();
    }
  }
  if (token.empty()) {
    return PermissionDeniedError("token response from " + request.url + " has no token");
  }
  return token;
}

StatusOr<bool> RegistryClient::HandleChallenge(const HttpResponse& unauthorized,
                                               const std::string& scope) {
  std::vector<std::string> values = unauthorized.Headers("www-authenticate");
  const AuthChallenge* bearer = nullptr;
  const AuthChallenge* basic = nullptr;
  std::vector<AuthChallenge> challenges;
  for (const std::string& value : values) {
    StatusOr<std::vector<AuthChallenge>> parsed = ParseWwwAuthenticate(value);
    if (!parsed.ok()) {
      spdlog::debug("{}: ignoring malformed challenge: {}", registry_, parsed.status().message());
      continue;
    }
    for (auto& c : *parsed) challenges.push_back(std::move(c));
  }
  for (const AuthChallenge& c : challenges) {
    if (c.scheme == "bearer" && bearer == nullptr) bearer = &c;
    if (c.scheme == "basic" && basic == nullptr) basic = &c;
  }
  if (bearer != nullptr) {
    VIGIL_ASSIGN_OR_RETURN(std::string token, FetchToken(*bearer, scope));
    tokens_[scope] = std::move(token);
    return true;
  }
  if (basic != nullptr && !credential_.username.empty() && !use_basic_) {
    if (scheme_ == "http" && !options_.insecure && !IsLoopbackHost(api_host_)) return false;
    use_basic_ = true;
    return true;
  }
  return false;
}

StatusOr<HttpResponse> RegistryClient::Get(const std::string& path, const std::string& scope,
                                           std::vector<std::pair<std::string, std::string>> headers,
                                           size_t max_body, const std::string& method) {
  VIGIL_RETURN_IF_ERROR(EnsureEndpoint());
  std::string url =
      StartsWith(path, "http://") || StartsWith(path, "https://") ? path : BaseUrl() + path;
  bool reauthorized = false;
  int transient = 0;
  for (;;) {
    HttpRequest request;
    request.method = method;
    request.url = url;
    request.headers = headers;
    request.max_body = max_body;
    AddAuthorization(&request, scope);
    VIGIL_ASSIGN_OR_RETURN(HttpResponse response, http_.Do(request));
    if (response.status == 401 && !reauthorized) {
      reauthorized = true;
      VIGIL_ASSIGN_OR_RETURN(bool retry, HandleChallenge(response, scope));
      if (retry) continue;
    }
    if (IsTransient(response.status) && transient < kMaxTransientRetries) {
      std::this_thread::sleep_for(RetryDelay(response, transient++));
      continue;
    }
    if (response.status / 100 != 2) return ErrorFor(request, response);
    return response;
  }
}

Status RegistryClient::Ping() { return Get("/v2/", "", {}, 64 << 10).status(); }

StatusOr<std::vector<std::string>> RegistryClient::ListPaged(const std::string& path,
                                                             const std::string& key,
                                                             const std::string& scope,
                                                             int page_size) {
  std::vector<std::string> out;
  std::string next = path;
  if (page_size > 0) next += "?n=" + std::to_string(page_size);
  // A registry that keeps answering with a Link to itself must not loop us forever.
  constexpr int kMaxPages = 100000;
  for (int page = 0; page < kMaxPages; ++page) {
    VIGIL_ASSIGN_OR_RETURN(HttpResponse response,
                           Get(next, scope, {{"Accept", "application/json"}}, kMaxHttpBody));
    nlohmann::json doc =
        nlohmann::json::parse(response.body.begin(), response.body.end(), nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
      return DataLossError("GET " + response.url + ": response is not a JSON object");
    }
    auto it = doc.find(key);
    if (it != doc.end() && it->is_array()) {
      for (const auto& v : *it) {
        if (v.is_string()) out.push_back(v.get<std::string>());
      }
    } else if (it != doc.end() && !it->is_null()) {
      return DataLossError("GET " + response.url + ": \"" + key + "\" is not an array");
    }
    std::optional<std::string> link = ParseLinkNext(response.Header("link"));
    if (!link) return out;
    VIGIL_ASSIGN_OR_RETURN(std::string resolved, ResolveUrl(response.url, *link));
    // Pages must stay on the registry: the Link header is not a license to send our token
    // elsewhere.
    VIGIL_ASSIGN_OR_RETURN(UrlOrigin here, ParseUrlOrigin(response.url));
    VIGIL_ASSIGN_OR_RETURN(UrlOrigin there, ParseUrlOrigin(resolved));
    if (!(here == there)) {
      return PermissionDeniedError("GET " + response.url + ": Link rel=next points to " + resolved +
                                   ", another host");
    }
    next = resolved;
  }
  return ResourceExhaustedError("GET " + path + ": more than 100000 pages");
}

StatusOr<std::vector<std::string>> RegistryClient::ListRepositories(int page_size) {
  return ListPaged("/v2/_catalog", "repositories", std::string(kCatalogScope), page_size);
}

StatusOr<std::vector<std::string>> RegistryClient::ListTags(std::string_view repository,
                                                            int page_size) {
  return ListPaged("/v2/" + std::string(repository) + "/tags/list", "tags",
                   RepositoryScope(repository), page_size);
}

StatusOr<FetchedManifest> RegistryClient::GetManifest(std::string_view repository,
                                                      std::string_view tag_or_digest) {
  std::string want_hex;
  if (IsDigest(tag_or_digest)) {
    VIGIL_ASSIGN_OR_RETURN(want_hex, DigestHexOf(tag_or_digest));
  }
  std::string path = "/v2/" + std::string(repository) + "/manifests/" + std::string(tag_or_digest);
  VIGIL_ASSIGN_OR_RETURN(HttpResponse response, Get(path, RepositoryScope(repository),
                                                    {{"Accept", kManifestAccept}}, kMaxHttpBody));
  FetchedManifest out;
  out.body = std::move(response.body);
  std::string hex = vigil::Sha256Hex(out.body);
  out.digest = "sha256:" + hex;
  std::string where = "manifest " + std::string(repository) + ":" + std::string(tag_or_digest) +
                      " from " + response.url;
  if (!want_hex.empty() && hex != want_hex) {
    return DataLossError(where + ": digest mismatch: expected " + std::string(tag_or_digest) +
                         ", got " + out.digest);
  }
  std::string header_digest = response.Header("docker-content-digest");
  if (StartsWith(header_digest, "sha256:") && header_digest != out.digest) {
    return DataLossError(where + ": Docker-Content-Digest " + header_digest +
                         " does not match the content's " + out.digest);
  }
  out.media_type = BaseMediaType(response.Header("content-type"));
  if (out.media_type.empty() || out.media_type == "application/json" ||
      out.media_type == "text/plain" || out.media_type == "application/octet-stream") {
    nlohmann::json doc = nlohmann::json::parse(out.body.begin(), out.body.end(), nullptr, false);
    out.media_type = doc.is_object() ? doc.value("mediaType", std::string()) : std::string();
    if (out.media_type.empty() && LooksLikeIndex(out.body)) {
      out.media_type = std::string(kOciIndexType);
    }
  }
  if (StartsWith(out.media_type, kDockerSchema1Prefix)) {
    return UnimplementedError(where + ": Docker schema 1 manifests (" + out.media_type +
                              ") are not supported");
  }
  out.is_index =
      IsIndexMediaType(out.media_type) || (out.media_type.empty() && LooksLikeIndex(out.body));
  return out;
}

StatusOr<std::string> RegistryClient::ResolveDigest(std::string_view repository,
                                                    std::string_view tag) {
  if (IsDigest(tag)) return std::string(tag);
  std::string path = "/v2/" + std::string(repository) + "/manifests/" + std::string(tag);
  VIGIL_ASSIGN_OR_RETURN(
      HttpResponse response,
      Get(path, RepositoryScope(repository), {{"Accept", kManifestAccept}}, 64 << 10, "HEAD"));
  std::string digest = response.Header("docker-content-digest");
  if (DigestHexOf(digest).ok()) return digest;
  // No (usable) header: the digest is that of the content, so fetch it.
  VIGIL_ASSIGN_OR_RETURN(FetchedManifest manifest, GetManifest(repository, tag));
  return manifest.digest;
}

StatusOr<std::string> RegistryClient::GetBlob(std::string_view repository, std::string_view digest,
                                              size_t max_bytes) {
  VIGIL_ASSIGN_OR_RETURN(std::string want_hex, DigestHexOf(digest));
  VIGIL_ASSIGN_OR_RETURN(HttpResponse response,
                         Get("/v2/" + std::string(repository) + "/blobs/" + std::string(digest),
                             RepositoryScope(repository), {}, max_bytes));
  std::string got = vigil::Sha256Hex(response.body);
  if (got != want_hex) {
    return DataLossError("blob " + std::string(digest) + " from " + response.url +
                         ": digest mismatch: got sha256:" + got);
  }
  return std::move(response.body);
}

StatusOr<std::unique_ptr<BlobReader>> RegistryClient::OpenBlob(std::string_view repository,
                                                               std::string_view digest,
                                                               int64_t size) {
  VIGIL_ASSIGN_OR_RETURN(std::string want_hex, DigestHexOf(digest));
  VIGIL_RETURN_IF_ERROR(EnsureEndpoint());
  std::string scope = RepositoryScope(repository);
  std::string url = BaseUrl() + "/v2/" + std::string(repository) + "/blobs/" + std::string(digest);
  bool reauthorized = false;
  int transient = 0;
  for (;;) {
    HttpRequest request;
    request.url = url;
    AddAuthorization(&request, scope);
    VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<HttpStream> stream, http_.Open(request));
    HttpResponse response = stream->response();
    if (response.status / 100 == 2) {
      return std::unique_ptr<BlobReader>(std::make_unique<VerifyingBlobReader>(
          std::move(stream), std::string(digest), std::move(want_hex), size));
    }
    // Error bodies are small JSON documents; read a bounded prefix for the message.
    char buf[4096];
    while (response.body.size() < (64u << 10)) {
      StatusOr<size_t> n = stream->Read(buf, sizeof(buf));
      if (!n.ok() || *n == 0) break;
      response.body.append(buf, *n);
    }
    if (response.status == 401 && !reauthorized) {
      reauthorized = true;
      VIGIL_ASSIGN_OR_RETURN(bool retry, HandleChallenge(response, scope));
      if (retry) continue;
    }
    if (IsTransient(response.status) && transient < kMaxTransientRetries) {
      std::this_thread::sleep_for(RetryDelay(response, transient++));
      continue;
    }
    return ErrorFor(request, response);
  }
}

StatusOr<Descriptor> SelectPlatformManifest(const Index& index, const Platform& platform,
                                            std::string_view what) {
  const Descriptor* loose = nullptr;
  std::vector<std::string> available;
  for (const Descriptor& d : index.manifests) {
    if (!d.has_platform || d.platform.os == "unknown") continue;
    available.push_back(d.platform.ToString());
    bool exact = d.platform.os == platform.os && d.platform.architecture == platform.architecture &&
                 d.platform.variant == platform.variant;
    if (exact) return d;
    if (loose == nullptr && PlatformMatches(platform, d.platform)) loose = &d;
  }
  if (loose != nullptr) return *loose;
  std::sort(available.begin(), available.end());
  available.erase(std::unique(available.begin(), available.end()), available.end());
  return NotFoundError(std::string(what) + " has no image for platform " + platform.ToString() +
                       "; available: " + (available.empty() ? "none" : Join(available, ", ")));
}

namespace {

class RegistrySource : public ImageSource {
 public:
  RegistrySource(Reference ref, std::unique_ptr<RegistryClient> client)
      : ref_(std::move(ref)), client_(std::move(client)) {}

  std::string Describe() const override { return "registry:" + ref_.ToString(); }

  StatusOr<ResolvedImage> Resolve(const Platform& platform) override {
    resolved_.reset();
    std::string name = ref_.Name();
    std::string wanted = ref_.digest.empty() ? ref_.tag : ref_.digest;
    VIGIL_ASSIGN_OR_RETURN(FetchedManifest top, client_->GetManifest(ref_.repository, wanted));
    FetchedManifest chosen = top;
    bool from_index = false;
    if (top.is_index) {
      StatusOr<Index> index = ParseIndex(top.body);
      if (!index.ok()) return Annotate(index.status(), name + "@" + top.digest);
      VIGIL_ASSIGN_OR_RETURN(Descriptor d,
                             SelectPlatformManifest(*index, platform, ref_.ToString()));
      VIGIL_ASSIGN_OR_RETURN(chosen, client_->GetManifest(ref_.repository, d.digest));
      if (chosen.is_index) {
        return UnimplementedError(name + "@" + d.digest +
                                  ": nested image indexes are not supported");
      }
      from_index = true;
    }
    StatusOr<Manifest> manifest = ParseManifest(chosen.body);
    if (!manifest.ok()) return Annotate(manifest.status(), name + "@" + chosen.digest);
    // OCI artifacts (helm charts, signatures, SBOMs) reuse the image manifest with another
    // config type; their "layers" are not filesystem tars, so say what it is instead of
    // failing later in the layer walk.
    const std::string& config_type = manifest->config.media_type;
    if (!config_type.empty() && config_type != kOciConfigType && config_type != kDockerConfigType) {
      return UnimplementedError(name + "@" + chosen.digest +
                                " is not a container image (config media type " + config_type +
                                ")");
    }
    VIGIL_ASSIGN_OR_RETURN(
        std::string config_json,
        client_->GetBlob(ref_.repository, manifest->config.digest, kMaxJsonDocument));
    StatusOr<ImageConfig> config = ParseImageConfig(config_json);
    if (!config.ok()) return Annotate(config.status(), name + " config " + manifest->config.digest);
    if (config->diff_ids.size() != manifest->layers.size()) {
      return DataLossError(name + "@" + chosen.digest + ": manifest lists " +
                           std::to_string(manifest->layers.size()) + " layers but the config " +
                           std::to_string(config->diff_ids.size()) + " diff_ids");
    }
    if (!from_index && !PlatformMatches(platform, config->platform)) {
      spdlog::warn("{}: image is {} (not a multi-platform index), requested {}", ref_.ToString(),
                   config->platform.ToString(), platform.ToString());
    }
    ResolvedImage out;
    out.reference = ref_.ToString();
    out.manifest_digest = chosen.digest;
    out.config_digest = manifest->config.digest;
    out.config_json = std::move(config_json);
    // The repo digest is what `docker pull name@digest` takes: the top-level (index) one.
    out.repo_digest = name + "@" + top.digest;
    if (!ref_.tag.empty()) out.repo_tags.push_back(name + ":" + ref_.tag);
    for (size_t i = 0; i < manifest->layers.size(); ++i) {
      const Descriptor& l = manifest->layers[i];
      out.layers.push_back(LayerRef{.media_type = l.media_type,
                                    .digest = l.digest,
                                    .size = l.size,
                                    .diff_id = config->diff_ids[i]});
    }
    resolved_ = out;
    return out;
  }

  StatusOr<std::unique_ptr<BlobReader>> OpenLayer(size_t index) override {
    if (!resolved_) return FailedPreconditionError(Describe() + ": OpenLayer before Resolve");
    if (index >= resolved_->layers.size()) {
      return OutOfRangeError(Describe() + ": no layer " + std::to_string(index));
    }
    const LayerRef& layer = resolved_->layers[index];
    return client_->OpenBlob(ref_.repository, layer.digest, layer.size);
  }

 private:
  Reference ref_;
  std::unique_ptr<RegistryClient> client_;
  std::optional<ResolvedImage> resolved_;
};

}  // namespace

StatusOr<std::unique_ptr<ImageSource>> OpenRegistrySource(const Reference& ref,
                                                          const RegistryOptions& options) {
  if (!ref.IsRegistry()) {
    return InvalidArgumentError(ref.ToString() + " is not a registry reference");
  }
  if (ref.repository.empty() || (ref.tag.empty() && ref.digest.empty())) {
    return InvalidArgumentError(ref.ToString() +
                                ": registry reference needs a repository and "
                                "a tag or digest");
  }
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<RegistryClient> client,
                         RegistryClient::Create(ref.registry, options));
  return std::unique_ptr<ImageSource>(std::make_unique<RegistrySource>(ref, std::move(client)));
}

}  // namespace vigil::image
