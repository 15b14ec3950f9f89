#include "vulndb/update.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "base/fs.h"
#include "base/hash.h"
#include "base/logging.h"
#include "base/strings.h"
#include "nlohmann/json.hpp"
#include "vulndb/build.h"
#include "vulndb/import.h"

namespace vigil::vulndb {
namespace {

constexpr std::string_view kDefaultsOrigin = "built-in defaults";
constexpr size_t kHeadBytes = 4096;
constexpr size_t kMaxErrorBody = 512;
constexpr uint64_t kProgressStep = 1u << 20;
constexpr int kMaxRedirects = 5;
// A server's Retry-After is honoured up to this many seconds.
constexpr int kMaxRetryAfterS = 60;
constexpr const char* kStateFile = ".state.json";

// The format names of import.h that a sources file may ask for.
const std::set<std::string, std::less<>>& KnownFormats() {
  static const std::set<std::string, std::less<>> formats = {
      "osv-json",        "osv-yaml", "osv-zip", "alpine-secdb", "nswg-json", "debian-tracker-json",
      "debian-dsa-list", "nvd-json"};
  return formats;
}

bool IsValidFeedName(std::string_view name) {
  if (name.empty() || name.size() > 64 || std::isalnum(static_cast<unsigned char>(name[0])) == 0) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '_' || c == '-';
  });
}

bool IsHexDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) != 0;
  });
}

bool IsSha256Hex(std::string_view s) { return s.size() == 64 && IsHexDigits(s); }

StatusOr<uint64_t> ParseDecimal(std::string_view s) {
  if (s.empty() || s.size() > 19 ||
      !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return InvalidArgumentError("'" + std::string(s) + "' is not a byte count");
  }
  uint64_t v = 0;
  for (char c : s) v = v * 10 + static_cast<uint64_t>(c - '0');
  return v;
}

// ---- URLs ----------------------------------------------------------------------------

enum class UrlKind { kHttps, kHttp, kLocal, kUnsupported };

// The scheme of "scheme://..." lower-cased, or "" when `url` has none (a path).
std::string SchemeOf(std::string_view url) {
  size_t sep = url.find("://");
  if (sep == std::string_view::npos || sep == 0) return "";
  std::string_view scheme = url.substr(0, sep);
  if (std::isalpha(static_cast<unsigned char>(scheme[0])) == 0) return "";
  for (char c : scheme) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '+' && c != '-' && c != '.') {
      return "";
    }
  }
  return ToLower(scheme);
}

UrlKind KindOf(std::string_view url) {
  std::string scheme = SchemeOf(url);
  if (scheme.empty() || scheme == "file") return UrlKind::kLocal;
  if (scheme == "https") return UrlKind::kHttps;
  if (scheme == "http") return UrlKind::kHttp;
  return UrlKind::kUnsupported;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The host path of a local feed: a path as written, or a file:// URL (file:///abs,
// file://localhost/abs) with %XX escapes decoded.
StatusOr<std::string> LocalPathOf(std::string_view url) {
  if (SchemeOf(url).empty()) return std::string(url);
  std::string_view rest = url.substr(std::strlen("file://"));
  if (StartsWith(rest, "localhost/")) rest.remove_prefix(std::strlen("localhost"));
  if (!StartsWith(rest, "/")) {
    return InvalidArgumentError(std::string(url) +
                                ": a file:// URL needs an absolute path (file:///path)");
  }
  std::string path;
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '%' && i + 2 < rest.size() && HexValue(rest[i + 1]) >= 0 &&
        HexValue(rest[i + 2]) >= 0) {
      path += static_cast<char>(HexValue(rest[i + 1]) * 16 + HexValue(rest[i + 2]));
      i += 2;
    } else {
      path += rest[i];
    }
  }
  return path;
}

// The path component of an http(s) URL, without query or fragment ("/Go/all.zip").
std::string UrlPath(std::string_view url) {
  size_t sep = url.find("://");
  std::string_view rest = sep == std::string_view::npos ? url : url.substr(sep + 3);
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return "/";
  rest = rest.substr(slash);
  size_t end = rest.find_first_of("?#");
  return std::string(rest.substr(0, end));
}

// "host" of scheme://[user@]host[:port]/..., lower-case, IPv6 without brackets.
std::string UrlHost(std::string_view url) {
  size_t sep = url.find("://");
  if (sep == std::string_view::npos) return "";
  std::string_view rest = url.substr(sep + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);
  if (StartsWith(rest, "[")) {
    size_t close = rest.find(']');
    return ToLower(
        rest.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1));
  }
  return ToLower(rest.substr(0, rest.find(':')));
}

bool IsLoopback(std::string_view host) {
  if (host == "localhost" || host == "::1") return true;
  auto parts = Split(host, '.');
  if (parts.size() != 4 || parts[0] != "127") return false;
  return std::all_of(parts.begin(), parts.end(), [](std::string_view p) {
    return !p.empty() && p.size() <= 3 &&
           std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; });
  });
}

// The cache file name for a download: the URL's last path segment, reduced to a safe
// character set (never hidden, never empty), with ".zip" added for osv-zip feeds whose URL
// does not end in it (format detection goes by that suffix).
std::string DownloadFileName(const FeedSource& feed) {
  std::string path = UrlPath(feed.url);
  std::string name(Basename(path));
  for (char& c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '.' && c != '-' && c != '_') {
      c = '_';
    }
  }
  if (name.empty() || name == "." || name == "..") name = "feed";
  if (name[0] == '.') name[0] = '_';
  if (EndsWith(name, ".part")) name += "_";
  if (feed.format == "osv-zip" && !EndsWith(ToLower(name), ".zip")) name += ".zip";
  return name;
}

// ---- YAML sources file ---------------------------------------------------------------

int LineOf(const YAML::Node& node) { return node.Mark().line + 1; }

Status ConfigError(const std::string& file, int line, const std::string& message) {
  return InvalidArgumentError(file + ":" + std::to_string(line) + ": " + message);
}

StatusOr<std::string> ScalarOf(const YAML::Node& node, const std::string& file,
                               const std::string& what) {
  if (!node.IsScalar()) return ConfigError(file, LineOf(node), what + " must be a string");
  return node.Scalar();
}

StatusOr<FeedSource> ParseFeed(const YAML::Node& node, const std::string& file,
                               const std::string& base_dir) {
  FeedSource feed;
  feed.line = LineOf(node);
  if (!node.IsMap()) {
    return ConfigError(file, feed.line, "a feed must be a mapping (name:, url:, ...)");
  }
  bool has_max = false;
  std::set<std::string> seen;
  for (const auto& kv : node) {
    if (!kv.first.IsScalar()) return ConfigError(file, LineOf(kv.first), "keys must be strings");
    const std::string key = kv.first.Scalar();
    if (!seen.insert(key).second) {
      return ConfigError(file, LineOf(kv.first), "'" + key + "' given twice");
    }
    const int line = LineOf(kv.second);
    VIGIL_ASSIGN_OR_RETURN(std::string value, ScalarOf(kv.second, file, "'" + key + "'"));
    value = std::string(Trim(value));
    if (key == "name") {
      feed.name = value;
    } else if (key == "url") {
      feed.url = value;
    } else if (key == "format") {
      if (!KnownFormats().contains(value)) {
        std::vector<std::string> names(KnownFormats().begin(), KnownFormats().end());
        return ConfigError(file, line,
                           "unknown format '" + value + "' (one of: " + Join(names, ", ") + ")");
      }
      feed.format = value;
    } else if (key == "sha256") {
      std::string hex = ToLower(value);
      if (StartsWith(hex, "sha256:")) hex = hex.substr(7);
      if (!IsSha256Hex(hex)) return ConfigError(file, line, "sha256 must be 64 hex digits");
      feed.sha256 = hex;
    } else if (key == "size") {
      auto size = ParseDecimal(value);
      if (!size.ok()) return ConfigError(file, line, "size: " + size.status().message());
      feed.size = *size;
    } else if (key == "checksum_url") {
      feed.checksum_url = value;
    } else if (key == "max_size") {
      auto max = ParseByteSize(value);
      if (!max.ok()) return ConfigError(file, line, "max_size: " + max.status().message());
      if (*max == 0) return ConfigError(file, line, "max_size must be above 0");
      feed.max_size = *max;
      has_max = true;
    } else {
      return ConfigError(file, LineOf(kv.first),
                         "unknown key '" + key +
                             "' (known: name, url, format, sha256, size, checksum_url, max_size)");
    }
  }
  if (feed.name.empty()) return ConfigError(file, feed.line, "a feed needs a name");
  if (!IsValidFeedName(feed.name)) {
    return ConfigError(file, feed.line,
                       "feed name '" + feed.name +
                           "' must be letters, digits, '.', '_' or '-' (at most 64, starting "
                           "with a letter or digit)");
  }
  if (feed.url.empty()) return ConfigError(file, feed.line, "feed '" + feed.name + "' needs a url");
  for (std::string* url : {&feed.url, &feed.checksum_url}) {
    if (url->empty()) continue;
    UrlKind kind = KindOf(*url);
    if (kind == UrlKind::kUnsupported) {
      return ConfigError(file, feed.line,
                         "feed '" + feed.name + "': unsupported URL scheme in '" + *url +
                             "' (https://, http:// to loopback, file:// or a path)");
    }
    if (kind == UrlKind::kLocal) {
      auto path = LocalPathOf(*url);
      if (!path.ok()) return ConfigError(file, feed.line, path.status().message());
      // Relative paths are relative to the sources file, not to wherever vigil runs.
      if (!StartsWith(*path, "/") && !base_dir.empty()) *url = JoinPath(base_dir, *path);
    }
  }
  if (feed.size && has_max && *feed.size > feed.max_size) {
    return ConfigError(file, feed.line, "feed '" + feed.name + "': size is above max_size");
  }
  return feed;
}

std::string YamlQuote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// ---- HTTP ------------------------------------------------------------------------------

void EnsureCurlInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct HttpGet {
  std::string url;
  std::string if_none_match;
  std::string if_modified_since;
  std::FILE* file = nullptr;      // a 200 body goes here when set...
  std::string* memory = nullptr;  // ...or here
  uint64_t max_bytes = 0;
  std::string feed;             // for progress
  uint64_t expected_total = 0;  // progress total when the server sends no Content-Length
  bool report_progress = false;
};

struct HttpResult {
  long status = 0;
  std::string etag;
  std::string last_modified;
  std::optional<uint64_t> content_length;
  int retry_after_s = -1;
  uint64_t bytes = 0;
  std::string sha256;
  std::string error_body;  // the start of a non-200 body, for the message
};

// One GET attempt's state, shared with libcurl's callbacks.
struct Transfer {
  const HttpGet* get = nullptr;
  const UpdateOptions* options = nullptr;
  HttpResult result;
  std::unique_ptr<Sha256> hash = std::make_unique<Sha256>();
  bool too_large = false;
  bool write_failed = false;
  uint64_t last_progress = 0;

  static size_t OnHeader(char* data, size_t size, size_t nitems, void* user) {
    auto* self = static_cast<Transfer*>(user);
    size_t total = size * nitems;
    std::string_view line(data, total);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    HttpResult& r = self->result;
    if (StartsWith(line, "HTTP/")) {
      // Each response (1xx, redirects, the final one) starts over.
      r = HttpResult();
      auto parts = Split(line, ' ', true);
      if (parts.size() >= 2) r.status = std::atol(std::string(parts[1]).c_str());
      return total;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return total;
    std::string name = ToLower(Trim(line.substr(0, colon)));
    std::string value(Trim(line.substr(colon + 1)));
    if (name == "etag") {
      r.etag = value;
    } else if (name == "last-modified") {
      r.last_modified = value;
    } else if (name == "content-length") {
      auto n = ParseDecimal(value);
      if (n.ok()) r.content_length = *n;
      if (n.ok() && r.status == 200 && *n > self->get->max_bytes) {
        self->too_large = true;
        return 0;  // aborts the transfer before any body arrives
      }
    } else if (name == "retry-after") {
      auto n = ParseDecimal(value);
      if (n.ok()) r.retry_after_s = static_cast<int>(std::min<uint64_t>(*n, kMaxRetryAfterS));
    }
    return total;
  }

  static size_t OnBody(char* data, size_t size, size_t nmemb, void* user) {
    auto* self = static_cast<Transfer*>(user);
    size_t n = size * nmemb;
    HttpResult& r = self->result;
    if (r.status != 200) {
      // Error documents and redirect bodies are kept only for the message.
      size_t room = kMaxErrorBody - std::min(kMaxErrorBody, r.error_body.size());
      r.error_body.append(data, std::min(room, n));
      return n;
    }
    if (r.bytes + n > self->get->max_bytes) {
      self->too_large = true;
      return 0;
    }
    if (self->get->file != nullptr) {
      if (std::fwrite(data, 1, n, self->get->file) != n) {
        self->write_failed = true;
        return 0;
      }
    } else {
      self->get->memory->append(data, n);
    }
    self->hash->Update(data, n);
    r.bytes += n;
    if (self->get->report_progress && self->options->progress &&
        r.bytes - self->last_progress >= kProgressStep) {
      self->last_progress = r.bytes;
      self->options->progress(self->get->feed, r.bytes,
                              r.content_length.value_or(self->get->expected_total));
    }
    return n;
  }
};

bool IsTransient(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

bool IsTlsVerifyError(CURLcode code) {
  return code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE ||
         code == CURLE_SSL_CERTPROBLEM || code == CURLE_SSL_ISSUER_ERROR;
}

// Printable start of an error body, for messages.
std::string Snippet(std::string_view body) {
  std::string out;
  for (char c : body.substr(0, 200)) {
    out += (c >= 0x20 && c < 0x7f) ? c : ' ';
  }
  return std::string(Trim(out));
}

class Fetcher {
 public:
  explicit Fetcher(const UpdateOptions& options) : options_(options) { EnsureCurlInit(); }

  // GETs with retries. Returns the final response (any status but 5xx/429) or the error of
  // the last attempt. The sink (file or memory) holds only the last attempt's body.
  StatusOr<HttpResult> Get(const HttpGet& get) {
    VIGIL_RETURN_IF_ERROR(CheckUrlAllowed(get.url));
    int delay_ms = options_.retry_delay_ms;
    for (int attempt = 0;; ++attempt) {
      if (get.file != nullptr) {
        if (std::fflush(get.file) != 0 || ftruncate(fileno(get.file), 0) != 0) {
          return InternalError("cannot reset the download file: " +
                               std::string(std::strerror(errno)));
        }
        std::rewind(get.file);
      } else {
        get.memory->clear();
      }
      Transfer t;
      t.get = &get;
      t.options = &options_;
      char errbuf[CURL_ERROR_SIZE] = {0};
      CURLcode code = Perform(get, t, errbuf);
      if (t.too_large) {
        return ResourceExhaustedError("GET " + get.url + ": larger than the limit of " +
                                      std::to_string(get.max_bytes) +
                                      " bytes (max_size in the sources file)");
      }
      if (t.write_failed) {
        return InternalError("GET " + get.url +
                             ": writing the download failed: " + std::strerror(errno));
      }
      Status failure;
      int retry_after_s = -1;
      if (code != CURLE_OK) {
        std::string msg =
            "GET " + get.url + ": " + (errbuf[0] != '\0' ? errbuf : curl_easy_strerror(code));
        if (IsTlsVerifyError(code)) {
          return UnavailableError(msg +
                                  " (TLS verification failed: pass --cacert FILE to trust a "
                                  "private CA)");
        }
        if (!IsTransient(code)) return UnavailableError(msg);
        failure =
            code == CURLE_OPERATION_TIMEDOUT ? DeadlineExceededError(msg) : UnavailableError(msg);
      } else if (t.result.status >= 500 || t.result.status == 429) {
        failure = UnavailableError("GET " + get.url + ": HTTP " + std::to_string(t.result.status) +
                                   " " + Snippet(t.result.error_body));
        retry_after_s = t.result.retry_after_s;
      } else if (t.result.status == 200 && t.result.content_length &&
                 *t.result.content_length != t.result.bytes) {
        failure = DataLossError("GET " + get.url + ": received " + std::to_string(t.result.bytes) +
                                " bytes but Content-Length is " +
                                std::to_string(*t.result.content_length) + " (truncated)");
      } else {
        t.result.sha256 = t.hash->FinishHex();
        if (get.file != nullptr && std::fflush(get.file) != 0) {
          return InternalError("GET " + get.url + ": writing the download failed");
        }
        return t.result;
      }
      if (attempt >= options_.retries) {
        if (options_.retries > 0) {
          return Status(failure.code(), failure.message() + " (after " +
                                            std::to_string(attempt + 1) + " attempts)");
        }
        return failure;
      }
      int wait_ms = std::max(delay_ms, retry_after_s > 0 ? retry_after_s * 1000 : 0);
      spdlog::warn("{}; retrying in {:.1f} s", failure.message(), wait_ms / 1000.0);
      std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
      delay_ms = std::min(delay_ms * 2, 60000);
    }
  }

 private:
  Status CheckUrlAllowed(const std::string& url) const {
    UrlKind kind = KindOf(url);
    if (kind == UrlKind::kHttps) return OkStatus();
    if (kind == UrlKind::kHttp) {
      if (options_.insecure || IsLoopback(UrlHost(url))) return OkStatus();
      return PermissionDeniedError(url +
                                   ": plain http is refused except to a loopback host; use "
                                   "https:// (or --insecure)");
    }
    return InvalidArgumentError(url + ": not an http(s) URL");
  }

  CURLcode Perform(const HttpGet& get, Transfer& t, char* errbuf) const {
    CURL* easy = curl_easy_init();
    if (easy == nullptr) return CURLE_OUT_OF_MEMORY;
    curl_slist* headers = nullptr;
    if (!get.if_none_match.empty()) {
      headers = curl_slist_append(headers, ("If-None-Match: " + get.if_none_match).c_str());
    }
    if (!get.if_modified_since.empty()) {
      headers = curl_slist_append(headers, ("If-Modified-Since: " + get.if_modified_since).c_str());
    }
    curl_easy_setopt(easy, CURLOPT_URL, get.url.c_str());
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    // Redirects may not downgrade to plain http (unless --insecure).
    curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, options_.insecure ? "http,https" : "https");
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(easy, CURLOPT_MAXREDIRS, static_cast<long>(kMaxRedirects));
    curl_easy_setopt(easy, CURLOPT_USERAGENT,
                     options_.built_by.empty() ? "vigil" : options_.built_by.c_str());
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT, static_cast<long>(options_.timeout_s));
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1024L);
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options_.timeout_s));
    if (get.memory != nullptr) {
      // Small documents (checksum files): the whole request is bounded too.
      curl_easy_setopt(easy, CURLOPT_TIMEOUT, static_cast<long>(options_.timeout_s));
    }
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, options_.insecure ? 0L : 1L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, options_.insecure ? 0L : 2L);
    if (!options_.cacert.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, options_.cacert.c_str());
    if (headers != nullptr) curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Transfer::OnHeader);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Transfer::OnBody);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &t);
    CURLcode code = curl_easy_perform(easy);
    curl_easy_cleanup(easy);
    curl_slist_free_all(headers);
    return code;
  }

  const UpdateOptions& options_;
};

// ---- files -----------------------------------------------------------------------------

struct FileDigest {
  uint64_t size = 0;
  std::string sha256;
};

StatusOr<FileDigest> DigestFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError(path + ": cannot open: " + std::strerror(errno));
  Sha256 hash;
  FileDigest d;
  std::vector<char> buf(1 << 16);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    std::streamsize n = in.gcount();
    if (n <= 0) break;
    hash.Update(buf.data(), static_cast<size_t>(n));
    d.size += static_cast<uint64_t>(n);
  }
  if (in.bad()) return InternalError(path + ": read error");
  d.sha256 = hash.FinishHex();
  return d;
}

StatusOr<std::string> ReadHead(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError(path + ": cannot open");
  std::string head(kHeadBytes, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(std::max<std::streamsize>(0, in.gcount())));
  return head;
}

Status MakeDirs(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return InternalError(dir + ": cannot create directory: " + ec.message());
  return OkStatus();
}

// What the cache remembers about a feed's last verified download.
struct CacheState {
  std::string url;
  std::string file;
  std::string etag;
  std::string last_modified;
  std::string sha256;
  uint64_t size = 0;
};

std::optional<CacheState> LoadState(const std::string& path) {
  auto text = ReadHostFile(path, 1u << 20);
  if (!text.ok()) return std::nullopt;
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) {
    spdlog::debug("{}: unreadable, ignored", path);
    return std::nullopt;
  }
  CacheState s;
  auto str = [&](const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  s.url = str("url");
  s.file = str("file");
  s.etag = str("etag");
  s.last_modified = str("last_modified");
  s.sha256 = str("sha256");
  if (auto it = j.find("size"); it != j.end() && it->is_number_unsigned()) {
    s.size = it->get<uint64_t>();
  }
  if (s.url.empty() || s.file.empty() || !IsSha256Hex(s.sha256) ||
      s.file.find('/') != std::string::npos) {
    return std::nullopt;
  }
  return s;
}

Status SaveState(const std::string& path, const CacheState& s) {
  nlohmann::json j = {{"url", s.url},       {"file", s.file},
                      {"etag", s.etag},     {"last_modified", s.last_modified},
                      {"sha256", s.sha256}, {"size", s.size}};
  return WriteFileAtomic(path, j.dump(2) + "\n");
}

// Holds an exclusive flock on a file for its lifetime.
class DirLock {
 public:
  ~DirLock() {
    if (fd_ >= 0) close(fd_);
  }
  Status Acquire(const std::string& path) {
    fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) return InternalError(path + ": " + std::strerror(errno));
    if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      return FailedPreconditionError("another `vigil db update` is running (lock " + path + ")");
    }
    return OkStatus();
  }

 private:
  int fd_ = -1;
};

// ---- verification ------------------------------------------------------------------------

// Checks a file against everything the sources file and the checksum file publish.
Status Verify(const FeedSource& feed, uint64_t bytes, const std::string& sha256,
              const std::optional<PublishedChecksum>& published) {
  if (feed.size && *feed.size != bytes) {
    return DataLossError("size mismatch: the sources file says " + std::to_string(*feed.size) +
                         " bytes, got " + std::to_string(bytes));
  }
  if (!feed.sha256.empty() && feed.sha256 != sha256) {
    return DataLossError("sha256 mismatch: the sources file says " + feed.sha256 + ", got " +
                         sha256);
  }
  if (published) {
    if (published->size && *published->size != bytes) {
      return DataLossError("size mismatch: " + feed.checksum_url + " publishes " +
                           std::to_string(*published->size) + " bytes, got " +
                           std::to_string(bytes));
    }
    if (published->sha256 != sha256) {
      return DataLossError("sha256 mismatch: " + feed.checksum_url + " publishes " +
                           published->sha256 + ", got " + sha256);
    }
  }
  return OkStatus();
}

// The detected format of a feed file; an error when it is none vigil reads or differs from
// the one the sources file expects.
// `name` is the file's final name (detection goes by its suffix; a download is checked
// while it is still `*.part`).
StatusOr<std::string> CheckFormat(const FeedSource& feed, const std::string& path,
                                  const std::string& name) {
  VIGIL_ASSIGN_OR_RETURN(std::string head, ReadHead(path));
  std::string detected = DetectFormat(name, head);
  if (detected.empty()) {
    return InvalidArgumentError("not a feed format vigil reads (" + Snippet(head.substr(0, 60)) +
                                "...)");
  }
  if (!feed.format.empty() && detected != feed.format) {
    return InvalidArgumentError("expected format " + feed.format + " but the file is " + detected);
  }
  return detected;
}

Status FeedError(const FeedSource& feed, const Status& status) {
  return Status(status.code(), "feed " + feed.name + " (" + feed.url + "): " + status.message());
}

StatusOr<std::optional<PublishedChecksum>> FetchPublished(const FeedSource& feed,
                                                          const UpdateOptions& options,
                                                          Fetcher& fetcher) {
  if (feed.checksum_url.empty()) return std::optional<PublishedChecksum>();
  std::string text;
  if (KindOf(feed.checksum_url) == UrlKind::kLocal) {
    VIGIL_ASSIGN_OR_RETURN(std::string path, LocalPathOf(feed.checksum_url));
    VIGIL_ASSIGN_OR_RETURN(text, ReadHostFile(path, kMaxChecksumFileSize));
  } else {
    HttpGet get;
    get.url = feed.checksum_url;
    get.memory = &text;
    get.max_bytes = kMaxChecksumFileSize;
    VIGIL_ASSIGN_OR_RETURN(HttpResult r, fetcher.Get(get));
    if (r.status != 200) {
      return UnavailableError("GET " + feed.checksum_url + ": HTTP " + std::to_string(r.status) +
                              " " + Snippet(r.error_body));
    }
  }
  std::string file_path = KindOf(feed.url) == UrlKind::kLocal
                              ? LocalPathOf(feed.url).value_or(feed.url)
                              : UrlPath(feed.url);
  VIGIL_ASSIGN_OR_RETURN(PublishedChecksum published,
                         ParseChecksumFile(text, file_path, feed.checksum_url));
  return std::optional<PublishedChecksum>(std::move(published));
}

StatusOr<FeedResult> FetchLocal(const FeedSource& feed, const UpdateOptions& options,
                                Fetcher& fetcher) {
  FeedResult result;
  result.name = feed.name;
  result.url = feed.url;
  result.outcome = FeedOutcome::kLocal;
  VIGIL_ASSIGN_OR_RETURN(result.path, LocalPathOf(feed.url));
  struct stat st {};
  if (stat(result.path.c_str(), &st) != 0) {
    return NotFoundError(result.path + ": " + std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) {
    if (feed.size || !feed.sha256.empty() || !feed.checksum_url.empty()) {
      return InvalidArgumentError(
          "sha256, size and checksum_url apply to a file, and this is a directory");
    }
    return result;  // used in place; BuildDatabase walks it
  }
  if (!S_ISREG(st.st_mode)) return InvalidArgumentError("not a regular file or directory");
  if (static_cast<uint64_t>(st.st_size) > feed.max_size) {
    return ResourceExhaustedError("larger than the limit of " + std::to_string(feed.max_size) +
                                  " bytes (max_size)");
  }
  VIGIL_ASSIGN_OR_RETURN(auto published, FetchPublished(feed, options, fetcher));
  VIGIL_ASSIGN_OR_RETURN(FileDigest digest, DigestFile(result.path));
  VIGIL_RETURN_IF_ERROR(Verify(feed, digest.size, digest.sha256, published));
  VIGIL_ASSIGN_OR_RETURN(result.format, CheckFormat(feed, result.path, result.path));
  result.bytes = digest.size;
  result.sha256 = digest.sha256;
  return result;
}

StatusOr<FeedResult> FetchRemote(const FeedSource& feed, const UpdateOptions& options,
                                 Fetcher& fetcher) {
  FeedResult result;
  result.name = feed.name;
  result.url = feed.url;
  const std::string dir = JoinPath(options.download_dir, feed.name);
  const std::string state_path = JoinPath(dir, kStateFile);
  const std::string file_name = DownloadFileName(feed);
  const std::string file_path = JoinPath(dir, file_name);
  const std::string part_path = file_path + ".part";
  VIGIL_RETURN_IF_ERROR(MakeDirs(dir));

  VIGIL_ASSIGN_OR_RETURN(auto published, FetchPublished(feed, options, fetcher));

  // The cached copy counts only when it is the same URL's file and still what was verified.
  std::optional<CacheState> state = LoadState(state_path);
  if (state && (state->url != feed.url || state->file != file_name)) state.reset();
  if (state) {
    auto digest = DigestFile(file_path);
    if (!digest.ok() || digest->sha256 != state->sha256 || digest->size != state->size) {
      spdlog::warn("feed {}: cached {} does not match what was downloaded; fetching again",
                   feed.name, file_path);
      state.reset();
    }
  }

  for (int pass = 0; pass < 2; ++pass) {
    std::FILE* part = std::fopen(part_path.c_str(), "wb+");
    if (part == nullptr) return InternalError(part_path + ": " + std::strerror(errno));
    HttpGet get;
    get.url = feed.url;
    if (state) {
      get.if_none_match = state->etag;
      get.if_modified_since = state->last_modified;
    }
    get.file = part;
    get.max_bytes = feed.max_size;
    get.feed = feed.name;
    get.expected_total = feed.size                      ? *feed.size
                         : published && published->size ? *published->size
                                                        : 0;
    get.report_progress = true;
    StatusOr<HttpResult> got = fetcher.Get(get);
    bool closed = std::fclose(part) == 0;
    auto discard = [&] { std::remove(part_path.c_str()); };
    if (!got.ok()) {
      discard();
      return got.status();
    }
    if (!closed) {
      discard();
      return InternalError(part_path + ": write failed");
    }
    if (got->status == 304 && state) {
      discard();
      Status verified = Verify(feed, state->size, state->sha256, published);
      if (!verified.ok()) {
        // Not modified, yet not what is published now: the checksum moved on between our
        // two requests, or the cache is stale; fetch the whole file once more.
        spdlog::warn("feed {}: unchanged on the server but {}; downloading again", feed.name,
                     verified.message());
        state.reset();
        continue;
      }
      result.outcome = FeedOutcome::kUnchanged;
      result.path = file_path;
      result.bytes = state->size;
      result.sha256 = state->sha256;
      auto format = CheckFormat(feed, file_path, file_path);
      if (!format.ok()) return format.status();
      result.format = *format;
      return result;
    }
    if (got->status != 200) {
      discard();
      return UnavailableError("GET " + feed.url + ": HTTP " + std::to_string(got->status) + " " +
                              Snippet(got->error_body));
    }
    if (Status verified = Verify(feed, got->bytes, got->sha256, published); !verified.ok()) {
      discard();
      return verified;
    }
    auto format = CheckFormat(feed, part_path, file_path);
    if (!format.ok()) {
      discard();
      return format.status();
    }
    // The verified file replaces the cached one; only then is the new state recorded, so
    // the state never describes a file that is not there.
    if (std::rename(part_path.c_str(), file_path.c_str()) != 0) {
      discard();
      return InternalError(file_path + ": " + std::strerror(errno));
    }
    CacheState next;
    next.url = feed.url;
    next.file = file_name;
    next.etag = got->etag;
    next.last_modified = got->last_modified;
    next.sha256 = got->sha256;
    next.size = got->bytes;
    if (Status saved = SaveState(state_path, next); !saved.ok()) {
      spdlog::warn("feed {}: cannot record the download ({}); it will be fetched again next time",
                   feed.name, saved.message());
    }
    if (options.progress) options.progress(feed.name, got->bytes, got->bytes);
    result.outcome = FeedOutcome::kDownloaded;
    result.path = file_path;
    result.format = *format;
    result.bytes = got->bytes;
    result.sha256 = got->sha256;
    return result;
  }
  return InternalError("unreachable");
}

}  // namespace

// ---- public --------------------------------------------------------------------------------

SourcesConfig DefaultSources() {
  SourcesConfig config;
  config.origin = std::string(kDefaultsOrigin);
  // OSV.dev publishes one zip of all records per ecosystem (https://google.github.io/osv.dev/
  // data/#data-dumps); the folder names are the OSV ecosystem names.
  const std::pair<const char*, const char*> osv[] = {{"npm", "npm"},
                                                     {"pypi", "PyPI"},
                                                     {"go", "Go"},
                                                     {"maven", "Maven"},
                                                     {"rubygems", "RubyGems"},
                                                     {"crates.io", "crates.io"},
                                                     {"packagist", "Packagist"},
                                                     {"nuget", "NuGet"},
                                                     {"debian", "Debian"},
                                                     {"alpine", "Alpine"}};
  for (const auto& [name, ecosystem] : osv) {
    FeedSource f;
    f.name = std::string("osv-") + name;
    f.url =
        std::string("https://osv-vulnerabilities.storage.googleapis.com/") + ecosystem + "/all.zip";
    f.format = "osv-zip";
    config.feeds.push_back(std::move(f));
  }
  // Alpine secdb per release and repository. Edit the list (or use --config) as releases
  // come and go: https://alpinelinux.org/releases/ lists the supported ones.
  for (const char* release : {"v3.19", "v3.20", "v3.21", "v3.22"}) {
    for (const char* repo : {"main", "community"}) {
      FeedSource f;
      f.name = std::string("alpine-") + release + "-" + repo;
      f.url = std::string("https://secdb.alpinelinux.org/") + release + "/" + repo + ".json";
      f.format = "alpine-secdb";
      config.feeds.push_back(std::move(f));
    }
  }
  FeedSource debian;
  debian.name = "debian-tracker";
  debian.url = "https://security-tracker.debian.org/tracker/data/json";
  debian.format = "debian-tracker-json";
  config.feeds.push_back(std::move(debian));
  return config;
}

StatusOr<uint64_t> ParseByteSize(std::string_view text) {
  std::string_view s = Trim(text);
  size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
  if (digits == 0) return InvalidArgumentError("'" + std::string(text) + "' is not a size");
  VIGIL_ASSIGN_OR_RETURN(uint64_t n, ParseDecimal(s.substr(0, digits)));
  std::string unit = ToLower(Trim(s.substr(digits)));
  int shift = 0;
  if (unit.empty() || unit == "b") {
    shift = 0;
  } else if (unit == "k" || unit == "kib" || unit == "kb") {
    shift = 10;
  } else if (unit == "m" || unit == "mib" || unit == "mb") {
    shift = 20;
  } else if (unit == "g" || unit == "gib" || unit == "gb") {
    shift = 30;
  } else if (unit == "t" || unit == "tib" || unit == "tb") {
    shift = 40;
  } else {
    return InvalidArgumentError("'" + std::string(text) + "': unknown unit (K, M, G, T)");
  }
  if (shift > 0 && n > (UINT64_MAX >> shift)) {
    return InvalidArgumentError("'" + std::string(text) + "' is too large");
  }
  return n << shift;
}

StatusOr<SourcesConfig> ParseSourcesConfig(std::string_view text, const std::string& file_name) {
  if (text.size() > kMaxSourcesFileSize) {
    return InvalidArgumentError(file_name + ": larger than " + std::to_string(kMaxSourcesFileSize) +
                                " bytes");
  }
  SourcesConfig config;
  config.origin = file_name;
  std::string base_dir =
      file_name.find('/') == std::string::npos ? std::string() : std::string(Dirname(file_name));
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return ConfigError(file_name, e.mark.line + 1, "invalid YAML: " + e.msg);
  }
  try {
    if (!root.IsMap()) {
      return ConfigError(file_name, root.IsDefined() ? LineOf(root) : 1,
                         "expected a mapping with a 'feeds' list");
    }
    YAML::Node feeds;
    for (const auto& kv : root) {
      if (!kv.first.IsScalar() || kv.first.Scalar() != "feeds") {
        return ConfigError(file_name, LineOf(kv.first),
                           "unknown key '" + (kv.first.IsScalar() ? kv.first.Scalar() : "?") +
                               "' (expected 'feeds')");
      }
      feeds = kv.second;
    }
    if (!feeds.IsDefined() || !feeds.IsSequence()) {
      return ConfigError(file_name, feeds.IsDefined() ? LineOf(feeds) : 1,
                         "'feeds' must be a list of feeds");
    }
    std::set<std::string> names;
    for (const YAML::Node& node : feeds) {
      VIGIL_ASSIGN_OR_RETURN(FeedSource feed, ParseFeed(node, file_name, base_dir));
      if (!names.insert(feed.name).second) {
        return ConfigError(file_name, feed.line, "feed name '" + feed.name + "' is used twice");
      }
      config.feeds.push_back(std::move(feed));
    }
    if (config.feeds.empty()) return ConfigError(file_name, LineOf(feeds), "no feeds listed");
  } catch (const YAML::Exception& e) {
    return ConfigError(file_name, e.mark.line + 1, e.msg);
  }
  return config;
}

StatusOr<SourcesConfig> LoadSourcesConfig(const std::string& path) {
  std::error_code ec;
  std::string abs = std::filesystem::absolute(path, ec).lexically_normal().string();
  if (ec) abs = path;
  auto text = ReadHostFile(abs, kMaxSourcesFileSize + 1);
  if (!text.ok()) return Annotate(text.status(), path);
  return ParseSourcesConfig(*text, abs);
}

std::string FormatSourcesConfig(const SourcesConfig& config) {
  std::string out = "# vigil db update sources (" + config.origin + "); docs/db.md\nfeeds:\n";
  for (const FeedSource& f : config.feeds) {
    out += "  - name: " + YamlQuote(f.name) + "\n";
    out += "    url: " + YamlQuote(f.url) + "\n";
    if (!f.format.empty()) out += "    format: " + f.format + "\n";
    if (!f.sha256.empty()) out += "    sha256: " + f.sha256 + "\n";
    if (f.size) out += "    size: " + std::to_string(*f.size) + "\n";
    if (!f.checksum_url.empty()) out += "    checksum_url: " + YamlQuote(f.checksum_url) + "\n";
    if (f.max_size != kDefaultFeedMaxSize) {
      out += "    max_size: " + std::to_string(f.max_size) + "\n";
    }
  }
  return out;
}

StatusOr<PublishedChecksum> ParseChecksumFile(std::string_view text, std::string_view file_path,
                                              std::string_view origin) {
  const std::string where(origin);
  std::optional<std::string> meta_sha;
  std::optional<uint64_t> meta_size;
  struct Entry {
    std::string name;
    std::string sha256;
    int line;
  };
  std::vector<Entry> entries;
  int line_no = 0;
  for (std::string_view raw : SplitLines(text)) {
    ++line_no;
    std::string_view line = Trim(raw);
    if (line.empty() || line[0] == '#') continue;
    auto error = [&](const std::string& msg) {
      return InvalidArgumentError(where + ":" + std::to_string(line_no) + ": " + msg);
    };
    // BSD style: "SHA256 (name) = hex".
    if (StartsWith(line, "SHA256 (")) {
      size_t close = line.rfind(") = ");
      if (close == std::string_view::npos || close < 8) return error("malformed SHA256 line");
      std::string hex = ToLower(Trim(line.substr(close + 4)));
      if (!IsSha256Hex(hex)) return error("sha256 must be 64 hex digits");
      entries.push_back({std::string(line.substr(8, close - 8)), hex, line_no});
      continue;
    }
    size_t space = line.find_first_of(" \t");
    std::string_view first = line.substr(0, space);
    // "key:value" (NVD .meta): the key is one word directly followed by ':'.
    size_t colon = first.find(':');
    if (colon != std::string_view::npos && colon > 0) {
      std::string key = ToLower(Trim(line.substr(0, colon)));
      std::string value(Trim(line.substr(colon + 1)));
      if (key == "sha256") {
        std::string hex = ToLower(value);
        if (!IsSha256Hex(hex)) return error("sha256 must be 64 hex digits");
        if (meta_sha && *meta_sha != hex) return error("a second, different sha256");
        meta_sha = hex;
      } else if (key == "size") {
        auto n = ParseDecimal(value);
        if (!n.ok()) return error("size: " + n.status().message());
        meta_size = *n;
      }
      continue;  // other keys (lastModifiedDate, gzSize, Hash: ...) carry nothing we check
    }
    // SHA256SUMS style: "hex  name", "hex *name", or a bare "hex".
    if (IsHexDigits(first)) {
      if (first.size() != 64) return error("sha256 must be 64 hex digits");
      std::string_view name =
          space == std::string_view::npos ? std::string_view() : Trim(line.substr(space));
      if (StartsWith(name, "*")) name.remove_prefix(1);
      if (StartsWith(name, "./")) name.remove_prefix(2);
      entries.push_back({std::string(name), ToLower(first), line_no});
      continue;
    }
    // Anything else (a PGP armour line, a title) is not a checksum; ignored.
  }
  if (meta_sha) return PublishedChecksum{*meta_sha, meta_size};
  if (meta_size) return InvalidArgumentError(where + ": publishes a size but no sha256");
  std::string file_name(Basename(file_path));
  const Entry* match = nullptr;
  for (const Entry& e : entries) {
    bool named = !e.name.empty() &&
                 (e.name == file_path || e.name == file_name || EndsWith(file_path, "/" + e.name));
    bool bare = e.name.empty() && entries.size() == 1;
    if (!named && !bare) continue;
    if (match != nullptr && match->sha256 != e.sha256) {
      return InvalidArgumentError(where + ":" + std::to_string(e.line) +
                                  ": a second, different sha256 for " + file_name);
    }
    match = &e;
  }
  if (match == nullptr) {
    if (entries.empty()) return InvalidArgumentError(where + ": no sha256 found");
    return InvalidArgumentError(where + ": no sha256 for " + file_name + " (" +
                                std::to_string(entries.size()) + " other entries)");
  }
  return PublishedChecksum{match->sha256, std::nullopt};
}

std::string_view FeedOutcomeName(FeedOutcome outcome) {
  switch (outcome) {
    case FeedOutcome::kDownloaded:
      return "downloaded";
    case FeedOutcome::kUnchanged:
      return "unchanged";
    case FeedOutcome::kLocal:
      return "local";
    case FeedOutcome::kFailed:
      return "failed";
  }
  return "?";
}

StatusOr<FeedResult> FetchFeed(const FeedSource& feed, const UpdateOptions& options) {
  if (!options.cacert.empty() && access(options.cacert.c_str(), R_OK) != 0) {
    return InvalidArgumentError("--cacert " + options.cacert + ": " + std::strerror(errno));
  }
  Fetcher fetcher(options);
  StatusOr<FeedResult> result = KindOf(feed.url) == UrlKind::kLocal
                                    ? FetchLocal(feed, options, fetcher)
                                    : FetchRemote(feed, options, fetcher);
  if (!result.ok()) return FeedError(feed, result.status());
  return result;
}

StatusOr<UpdateResult> UpdateDatabase(const SourcesConfig& config, const UpdateOptions& options) {
  if (config.feeds.empty()) return InvalidArgumentError(config.origin + ": no feeds");
  if (options.db_path.empty()) return InvalidArgumentError("no database path");
  VIGIL_RETURN_IF_ERROR(MakeDirs(options.download_dir));
  DirLock lock;
  VIGIL_RETURN_IF_ERROR(lock.Acquire(JoinPath(options.download_dir, ".lock")));

  UpdateResult update;
  std::vector<std::string> inputs;
  for (const FeedSource& feed : config.feeds) {
    StatusOr<FeedResult> fetched = FetchFeed(feed, options);
    if (!fetched.ok()) {
      if (!options.skip_failed) return fetched.status();
      FeedResult failed;
      failed.name = feed.name;
      failed.url = feed.url;
      failed.error = fetched.status();
      update.warnings.push_back("skipped: " + fetched.status().message());
      if (options.feed_done) options.feed_done(failed);
      update.feeds.push_back(std::move(failed));
      continue;
    }
    if (options.feed_done) options.feed_done(*fetched);
    inputs.push_back(fetched->path);
    update.feeds.push_back(std::move(*fetched));
  }
  if (inputs.empty()) {
    return UnavailableError("no feed could be fetched (" + std::to_string(config.feeds.size()) +
                            " failed)");
  }
  std::error_code ec;
  std::string db_abs = std::filesystem::absolute(options.db_path, ec).string();
  if (ec) return InvalidArgumentError(options.db_path + ": " + ec.message());
  std::string db_dir(Dirname(db_abs));
  VIGIL_RETURN_IF_ERROR(MakeDirs(db_dir));
  BuildOptions build;
  build.built_by = options.built_by;
  build.progress = options.build_progress;
  std::vector<std::string> build_warnings;
  StatusOr<DbInfo> info = BuildDatabase(inputs, options.db_path, build, &build_warnings);
  if (!info.ok()) return Annotate(info.status(), "building " + options.db_path);
  update.info = std::move(*info);
  for (std::string& w : build_warnings) update.warnings.push_back(std::move(w));
  return update;
}

}  // namespace vigil::vulndb
