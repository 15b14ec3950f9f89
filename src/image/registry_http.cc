#include "image/registry_http.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <mutex>

#include "base/strings.h"

namespace vigil::image {
namespace {

// curl_global_init is not thread-safe before 7.84; run it once, before any handle exists.
void EnsureCurlInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

TransportFailure Classify(CURLcode code) {
  switch (code) {
    case CURLE_OK:
      return TransportFailure::kNone;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
      return TransportFailure::kConnect;
    case CURLE_SSL_CONNECT_ERROR:
      return TransportFailure::kTlsHandshake;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_ISSUER_ERROR:
      return TransportFailure::kTlsVerify;
    case CURLE_OPERATION_TIMEDOUT:
      return TransportFailure::kTimeout;
    default:
      return TransportFailure::kOther;
  }
}

Status TransportError(const std::string& method, const std::string& url, CURLcode code,
                      const char* errbuf) {
  std::string msg = method + " " + url + ": ";
  msg += (errbuf != nullptr && errbuf[0] != '\0') ? errbuf : curl_easy_strerror(code);
  switch (Classify(code)) {
    case TransportFailure::kTimeout:
      return DeadlineExceededError(msg);
    case TransportFailure::kTlsVerify:
      return UnavailableError(msg +
                              " (TLS verification failed: pass --cacert FILE to trust "
                              "the registry's CA, or --insecure to skip verification)");
    default:
      return UnavailableError(msg);
  }
}

constexpr size_t kMaxHeaderBytes = 1u << 20;

// Receives one response. Driven by a private multi handle so the body can be pulled in
// caller-sized pieces (BlobReader is pull-style) without a thread per download.
//
// Memory bound: the write callback appends whatever libcurl delivers in one
// curl_multi_perform() round (a bounded number of socket reads of CURL_MAX_WRITE_SIZE), and
// Read() only performs another round once the buffer is drained, so the buffer stays small
// however large the blob.
class CurlStream : public HttpStream {
 public:
  CurlStream() { errbuf_[0] = '\0'; }
  ~CurlStream() override {
    if (multi_ != nullptr && easy_ != nullptr) curl_multi_remove_handle(multi_, easy_);
    if (easy_ != nullptr) curl_easy_cleanup(easy_);
    if (multi_ != nullptr) curl_multi_cleanup(multi_);
    if (header_list_ != nullptr) curl_slist_free_all(header_list_);
  }

  Status Start(const HttpOptions& options, const HttpRequest& request, bool bounded_time) {
    EnsureCurlInit();
    method_ = request.method;
    response_.url = request.url;
    easy_ = curl_easy_init();
    multi_ = curl_multi_init();
    if (easy_ == nullptr || multi_ == nullptr) return InternalError("curl: out of memory");
    curl_easy_setopt(easy_, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(easy_, CURLOPT_ERRORBUFFER, errbuf_);
    curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
    // Only http(s), also for redirects (which we follow by hand anyway).
    curl_easy_setopt(easy_, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy_, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy_, CURLOPT_USERAGENT, "vigil/0.1");
    curl_easy_setopt(easy_, CURLOPT_CONNECTTIMEOUT, static_cast<long>(options.connect_timeout_s));
    if (bounded_time) {
      curl_easy_setopt(easy_, CURLOPT_TIMEOUT, static_cast<long>(options.timeout_s));
    } else {
      curl_easy_setopt(easy_, CURLOPT_LOW_SPEED_LIMIT, 1024L);
      curl_easy_setopt(easy_, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options.stall_timeout_s));
    }
    curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYPEER, options.verify_tls ? 1L : 0L);
    curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYHOST, options.verify_tls ? 2L : 0L);
    if (!options.cacert.empty()) curl_easy_setopt(easy_, CURLOPT_CAINFO, options.cacert.c_str());
    if (request.method == "HEAD") {
      curl_easy_setopt(easy_, CURLOPT_NOBODY, 1L);
    } else if (request.method == "POST") {
      curl_easy_setopt(easy_, CURLOPT_POST, 1L);
      curl_easy_setopt(easy_, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
      curl_easy_setopt(easy_, CURLOPT_COPYPOSTFIELDS, request.body.c_str());
    } else if (request.method != "GET") {
      return InvalidArgumentError("unsupported HTTP method " + request.method);
    }
    for (const auto& [name, value] : request.headers) {
      std::string line = name + ": " + value;
      curl_slist* next = curl_slist_append(header_list_, line.c_str());
      if (next == nullptr) return InternalError("curl: out of memory");
      header_list_ = next;
    }
    // Without this libcurl would send "Expect: 100-continue" on larger POSTs.
    header_list_ = curl_slist_append(header_list_, "Expect:");
    curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, header_list_);
    curl_easy_setopt(easy_, CURLOPT_HEADERFUNCTION, &CurlStream::OnHeader);
    curl_easy_setopt(easy_, CURLOPT_HEADERDATA, this);
    curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &CurlStream::OnBody);
    curl_easy_setopt(easy_, CURLOPT_WRITEDATA, this);
    curl_multi_add_handle(multi_, easy_);
    while (!headers_done_ && !done_) {
      Pump();
    }
    if (headers_too_large_) {
      return ResourceExhaustedError(method_ + " " + response_.url + ": response headers exceed " +
                                    std::to_string(kMaxHeaderBytes) + " bytes");
    }
    if (done_ && result_ != CURLE_OK) {
      return TransportError(method_, response_.url, result_, errbuf_);
    }
    return OkStatus();
  }

  const HttpResponse& response() const override { return response_; }
  CURLcode result() const { return result_; }

  StatusOr<size_t> Read(char* buf, size_t len) override {
    while (pos_ == buffer_.size() && !done_) {
      buffer_.clear();
      pos_ = 0;
      Pump();
    }
    if (pos_ == buffer_.size()) {
      if (result_ != CURLE_OK) return TransportError(method_, response_.url, result_, errbuf_);
      return size_t{0};
    }
    size_t n = std::min(len, buffer_.size() - pos_);
    std::memcpy(buf, buffer_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  // One round of transfer work; waits (up to 1 s, or less if libcurl has a timer due) for
  // socket activity only when the round produced nothing new.
  void Pump() {
    size_t buffered = buffer_.size();
    bool had_headers = headers_done_;
    int running = 0;
    curl_multi_perform(multi_, &running);
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_, &queued)) {
      if (msg->msg == CURLMSG_DONE && msg->easy_handle == easy_) {
        done_ = true;
        result_ = msg->data.result;
      }
    }
    if (!done_ && buffer_.size() == buffered && headers_done_ == had_headers) {
      curl_multi_poll(multi_, nullptr, 0, 1000, nullptr);
    }
  }

  static size_t OnHeader(char* data, size_t size, size_t nitems, void* user) {
    auto* self = static_cast<CurlStream*>(user);
    size_t total = size * nitems;
    // libcurl bounds one header line, not how many there are; a hostile server could
    // otherwise grow the header map without end. Returning less than `total` aborts.
    self->header_bytes_ += total;
    if (self->header_bytes_ > kMaxHeaderBytes) {
      self->headers_too_large_ = true;
      return 0;
    }
    std::string_view line(data, total);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    if (StartsWith(line, "HTTP/")) {
      // A new status line: a previous block (1xx) is discarded.
      self->response_.headers.clear();
      self->response_.status = 0;
      auto parts = Split(line, ' ', true);
      if (parts.size() >= 2) self->response_.status = std::atol(std::string(parts[1]).c_str());
      self->headers_done_ = false;
    } else if (line.empty()) {
      if (self->response_.status >= 200 || self->response_.status == 0) {
        self->headers_done_ = true;
      }
    } else {
      size_t colon = line.find(':');
      if (colon != std::string_view::npos) {
        self->response_.headers.emplace(ToLower(Trim(line.substr(0, colon))),
                                        std::string(Trim(line.substr(colon + 1))));
      }
    }
    return total;
  }

  static size_t OnBody(char* data, size_t size, size_t nmemb, void* user) {
    auto* self = static_cast<CurlStream*>(user);
    self->headers_done_ = true;
    self->buffer_.append(data, size * nmemb);
    return size * nmemb;
  }

  CURL* easy_ = nullptr;
  CURLM* multi_ = nullptr;
  curl_slist* header_list_ = nullptr;
  char errbuf_[CURL_ERROR_SIZE];
  std::string method_;
  HttpResponse response_;
  std::string buffer_;
  size_t pos_ = 0;
  bool headers_done_ = false;
  size_t header_bytes_ = 0;
  bool headers_too_large_ = false;
  bool done_ = false;
  CURLcode result_ = CURLE_OK;
};

bool IsRedirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

bool IsUnreserved(unsigned char c) {
  return std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~';
}

}  // namespace

std::string HttpResponse::Header(std::string_view name) const {
  auto it = headers.find(ToLower(name));
  return it == headers.end() ? std::string() : it->second;
}

std::vector<std::string> HttpResponse::Headers(std::string_view name) const {
  std::vector<std::string> out;
  auto [lo, hi] = headers.equal_range(ToLower(name));
  for (auto it = lo; it != hi; ++it) out.push_back(it->second);
  return out;
}

HttpClient::HttpClient(HttpOptions options) : options_(std::move(options)) { EnsureCurlInit(); }
HttpClient::~HttpClient() = default;

StatusOr<std::unique_ptr<HttpStream>> HttpClient::OpenOnce(const HttpRequest& request,
                                                           bool bounded_time) {
  auto stream = std::make_unique<CurlStream>();
  Status started = stream->Start(options_, request, bounded_time);
  last_failure_ = Classify(stream->result());
  if (!started.ok()) return started;
  return std::unique_ptr<HttpStream>(std::move(stream));
}

StatusOr<std::unique_ptr<HttpStream>> HttpClient::OpenFollowing(const HttpRequest& request,
                                                                bool bounded_time) {
  HttpRequest current = request;
  for (int hop = 0;; ++hop) {
    VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<HttpStream> stream, OpenOnce(current, bounded_time));
    long status = stream->response().status;
    std::string location = stream->response().Header("location");
    if (!request.follow_redirects || !IsRedirect(status) || location.empty()) return stream;
    if (hop >= kMaxRedirects) {
      return UnavailableError(request.method + " " + request.url + ": more than " +
                              std::to_string(kMaxRedirects) + " redirects");
    }
    VIGIL_ASSIGN_OR_RETURN(std::string next, ResolveUrl(current.url, location));
    VIGIL_ASSIGN_OR_RETURN(UrlOrigin from, ParseUrlOrigin(current.url));
    VIGIL_ASSIGN_OR_RETURN(UrlOrigin to, ParseUrlOrigin(next));
    if (from.scheme == "https" && to.scheme != "https") {
      return PermissionDeniedError(current.method + " " + current.url +
                                   ": refusing redirect from https to " + next);
    }
    if (!(from == to)) {
      // Credentials were issued for the registry, not for whatever storage host it points
      // us to; a redirect must never leak them (the storage URL carries its own signature).
      std::erase_if(current.headers,
                    [](const auto& h) { return EqualsIgnoreCase(h.first, "authorization"); });
    }
    if (status == 303 && current.method == "POST") {
      current.method = "GET";
      current.body.clear();
    }
    current.url = std::move(next);
  }
}

StatusOr<std::unique_ptr<HttpStream>> HttpClient::Open(const HttpRequest& request) {
  return OpenFollowing(request, /*bounded_time=*/false);
}

StatusOr<HttpResponse> HttpClient::Do(const HttpRequest& request) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<HttpStream> stream,
                         OpenFollowing(request, /*bounded_time=*/true));
  HttpResponse response = stream->response();
  char buf[16384];
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(size_t n, stream->Read(buf, sizeof(buf)));
    if (n == 0) break;
    if (response.body.size() + n > request.max_body) {
      return ResourceExhaustedError(request.method + " " + response.url +
                                    ": response body exceeds " + std::to_string(request.max_body) +
                                    " bytes");
    }
    response.body.append(buf, n);
  }
  return response;
}

StatusOr<UrlOrigin> ParseUrlOrigin(std::string_view url) {
  CURLU* h = curl_url();
  if (h == nullptr) return InternalError("curl: out of memory");
  std::string text(url);
  UrlOrigin origin;
  CURLUcode rc = curl_url_set(h, CURLUPART_URL, text.c_str(), 0);
  char* part = nullptr;
  if (rc == CURLUE_OK && curl_url_get(h, CURLUPART_SCHEME, &part, 0) == CURLUE_OK) {
    origin.scheme = ToLower(part);
    curl_free(part);
  }
  if (rc == CURLUE_OK && curl_url_get(h, CURLUPART_HOST, &part, 0) == CURLUE_OK) {
    std::string host = ToLower(part);
    curl_free(part);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
      host = host.substr(1, host.size() - 2);
    }
    origin.host = host;
  }
  if (rc == CURLUE_OK && curl_url_get(h, CURLUPART_PORT, &part, CURLU_DEFAULT_PORT) == CURLUE_OK) {
    origin.port = std::atoi(part);
    curl_free(part);
  }
  curl_url_cleanup(h);
  if (rc != CURLUE_OK || origin.scheme.empty() || origin.host.empty()) {
    return InvalidArgumentError("invalid URL \"" + text + "\"");
  }
  return origin;
}

StatusOr<std::string> ResolveUrl(std::string_view base, std::string_view ref) {
  CURLU* h = curl_url();
  if (h == nullptr) return InternalError("curl: out of memory");
  std::string b(base), r(ref);
  CURLUcode rc = curl_url_set(h, CURLUPART_URL, b.c_str(), 0);
  if (rc == CURLUE_OK) rc = curl_url_set(h, CURLUPART_URL, r.c_str(), 0);
  char* out = nullptr;
  if (rc == CURLUE_OK) rc = curl_url_get(h, CURLUPART_URL, &out, 0);
  std::string result;
  if (rc == CURLUE_OK && out != nullptr) result = out;
  curl_free(out);
  curl_url_cleanup(h);
  if (rc != CURLUE_OK) {
    return InvalidArgumentError("cannot resolve URL \"" + r + "\" against \"" + b + "\"");
  }
  return result;
}

std::optional<std::string> ParseLinkNext(std::string_view header) {
  // link-value = "<" URI ">" *( ";" link-param ); values separated by ",". A URI may itself
  // contain ',' or ';', so the URI is taken up to its closing '>' before splitting params.
  size_t i = 0;
  while (i < header.size()) {
    size_t lt = header.find('<', i);
    if (lt == std::string_view::npos) return std::nullopt;
    size_t gt = header.find('>', lt + 1);
    if (gt == std::string_view::npos) return std::nullopt;
    std::string_view uri = header.substr(lt + 1, gt - lt - 1);
    size_t end = header.find('<', gt + 1);
    std::string_view params = header.substr(
        gt + 1, end == std::string_view::npos ? std::string_view::npos : end - gt - 1);
    for (std::string_view param : Split(params, ';', true)) {
      param = Trim(param);
      while (!param.empty() && param.back() == ',') param = Trim(param.substr(0, param.size() - 1));
      size_t eq = param.find('=');
      if (eq == std::string_view::npos) continue;
      if (!EqualsIgnoreCase(Trim(param.substr(0, eq)), "rel")) continue;
      std::string_view value = Trim(param.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      // rel may list several space-separated relation types.
      for (std::string_view rel : Split(value, ' ', true)) {
        if (EqualsIgnoreCase(rel, "next")) return std::string(uri);
      }
    }
    if (end == std::string_view::npos) break;
    i = end;
  }
  return std::nullopt;
}

bool IsLoopbackHost(std::string_view host_port) {
  std::string_view host = host_port;
  if (!host.empty() && host.front() == '[') {
    size_t close = host.find(']');
    if (close == std::string_view::npos) return false;
    host = host.substr(1, close - 1);
    return host == "::1";
  }
  if (host == "::1") return true;
  size_t colon = host.find(':');
  if (colon != std::string_view::npos) host = host.substr(0, colon);
  if (EqualsIgnoreCase(host, "localhost")) return true;
  // 127.0.0.0/8 in dotted-quad form only; names that merely start with "127." are not IPs.
  auto octets = Split(host, '.');
  if (octets.size() != 4 || octets[0] != "127") return false;
  for (std::string_view o : octets) {
    if (o.empty() || o.size() > 3) return false;
    for (char c : o) {
      if (c < '0' || c > '9') return false;
    }
    if (std::stoi(std::string(o)) > 255) return false;
  }
  return true;
}

std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (IsUnreserved(c)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

std::string Base64Encode(std::string_view data) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    uint32_t v = (static_cast<uint8_t>(data[i]) << 16) | (static_cast<uint8_t>(data[i + 1]) << 8) |
                 static_cast<uint8_t>(data[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  size_t rest = data.size() - i;
  if (rest > 0) {
    uint32_t v = static_cast<uint8_t>(data[i]) << 16;
    if (rest == 2) v |= static_cast<uint8_t>(data[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

StatusOr<std::string> Base64Decode(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return InvalidArgumentError("invalid base64 length");
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = value(c);
    if (v < 0) return InvalidArgumentError("invalid base64 character");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

}  // namespace vigil::image
