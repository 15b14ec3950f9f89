// A small HTTP client over libcurl for the registry client: GET/HEAD/POST with headers,
// buffered (size-bounded) or streamed responses, redirects followed by hand.
//
// Why redirects are followed here and not by libcurl: registries answer blob GETs with a
// redirect to object storage (S3, GCS, a CDN) on another host. The registry's bearer token
// or basic credentials must never reach that host, and a https -> http downgrade must never
// happen silently. Doing it here makes both rules explicit and independent of the libcurl
// version's own policy: on a redirect to a different scheme, host or port the Authorization
// header is dropped; redirects from https to plain http are refused.
//
// Thread-safety: an HttpClient is not thread-safe; use one per thread. Streams are
// independent of the client that opened them once returned.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace vigil::image {

// Bound for buffered bodies (manifests, JSON listings, tokens, error documents): a hostile
// registry cannot make us hold more than this in memory.
inline constexpr size_t kMaxHttpBody = 8u << 20;
inline constexpr int kMaxRedirects = 5;

struct HttpOptions {
  bool verify_tls = true;  // false only for --insecure
  std::string cacert;      // PEM bundle path to trust instead of the system store
  int timeout_s = 300;     // whole request, headers to last byte
  int connect_timeout_s = 15;
  // Low-speed abort for streams: fewer than 1 KiB/s for this long fails the transfer.
  int stall_timeout_s = 60;
};

struct HttpRequest {
  std::string method = "GET";  // GET, HEAD or POST
  std::string url;
  // Header names as given; "Authorization" is treated specially on redirects.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // POST body
  bool follow_redirects = true;
  size_t max_body = kMaxHttpBody;
};

struct HttpResponse {
  long status = 0;
  std::string url;  // final URL after redirects
  // Header names lower-cased; repeated headers keep every value in order.
  std::multimap<std::string, std::string> headers;
  std::string body;

  // First value of a header (name in any case), or empty.
  std::string Header(std::string_view name) const;
  std::vector<std::string> Headers(std::string_view name) const;
};

// A response body being received. Read() returns 0 at the end of the body.
class HttpStream {
 public:
  virtual ~HttpStream() = default;
  virtual const HttpResponse& response() const = 0;  // status, url, headers; body empty
  virtual StatusOr<size_t> Read(char* buf, size_t len) = 0;
};

// Why the last transport failure happened, for callers that react to it (the registry
// client falls back from https to http on a loopback host only for kTlsHandshake, never
// for kTlsVerify: a TLS server with an untrusted certificate is an error, not a downgrade).
enum class TransportFailure { kNone, kConnect, kTlsHandshake, kTlsVerify, kTimeout, kOther };

class HttpClient {
 public:
  explicit HttpClient(HttpOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Performs the request and buffers the body. Any HTTP status is a successful result; only
  // transport failures (DNS, connect, TLS, timeout), bad redirects and bodies over
  // `max_body` (ResourceExhausted) are errors. Error messages name the method and URL.
  StatusOr<HttpResponse> Do(const HttpRequest& request);

  // Starts the request and returns once the final response's headers are in. Non-2xx
  // responses are returned as a stream too; the caller reads the (bounded) error body.
  StatusOr<std::unique_ptr<HttpStream>> Open(const HttpRequest& request);

  const HttpOptions& options() const { return options_; }
  // Set by every Do()/Open(): kNone when the last call got a response.
  TransportFailure last_failure() const { return last_failure_; }

 private:
  StatusOr<std::unique_ptr<HttpStream>> OpenOnce(const HttpRequest& request, bool bounded_time);
  StatusOr<std::unique_ptr<HttpStream>> OpenFollowing(const HttpRequest& request,
                                                      bool bounded_time);

  HttpOptions options_;
  TransportFailure last_failure_ = TransportFailure::kNone;
};

// The parts of an absolute URL that decide whether credentials may follow a redirect.
struct UrlOrigin {
  std::string scheme;  // lower-case
  std::string host;    // lower-case, IPv6 without brackets
  int port = 0;        // explicit or the scheme's default
  friend bool operator==(const UrlOrigin&, const UrlOrigin&) = default;
};
StatusOr<UrlOrigin> ParseUrlOrigin(std::string_view url);

// Resolves `ref` (absolute, or relative like "/v2/_catalog?last=x") against `base`.
StatusOr<std::string> ResolveUrl(std::string_view base, std::string_view ref);

// The target of the rel="next" link in an RFC 8288 Link header value
// (`</v2/_catalog?last=b&n=2>; rel="next"`), possibly among several comma-separated links,
// or nullopt when there is none. The URL is returned as written (often relative).
std::optional<std::string> ParseLinkNext(std::string_view link_header);

// True for "localhost", 127.0.0.0/8 and ::1 (optionally with a port, "127.0.0.1:5000",
// "[::1]:5000"): the hosts where plain HTTP is tried without --insecure.
bool IsLoopbackHost(std::string_view host_port);

// Percent-encodes a query parameter value (RFC 3986 unreserved characters kept).
std::string UrlEncode(std::string_view s);

std::string Base64Encode(std::string_view data);
// Accepts standard and URL-safe alphabets, padding optional; whitespace is an error.
StatusOr<std::string> Base64Decode(std::string_view text);

}  // namespace vigil::image
