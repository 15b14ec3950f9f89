#include "runtime/output.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "base/logging.h"
#include "fmt/format.h"

namespace vigil::runtime {
namespace {

class FileOutput : public AlertOutput {
 public:
  FileOutput(FILE* f, std::string name, bool owned)
      : f_(f), name_(std::move(name)), owned_(owned) {}
  ~FileOutput() override { Close(std::chrono::milliseconds(0)).IgnoreError(); }

  Status Write(std::string_view line) override {
    if (f_ == nullptr) return FailedPreconditionError(fmt::format("output {}: closed", name_));
    if (std::fwrite(line.data(), 1, line.size(), f_) != line.size() ||
        std::fputc('\n', f_) == EOF) {
      ++dropped_;
      return UnavailableError(
          fmt::format("output {}: write failed: {}", name_, std::strerror(errno)));
    }
    ++written_;
    return OkStatus();
  }
  Status Flush() override {
    if (f_ != nullptr && std::fflush(f_) != 0) {
      return UnavailableError(
          fmt::format("output {}: flush failed: {}", name_, std::strerror(errno)));
    }
    return OkStatus();
  }
  Status Close(std::chrono::milliseconds) override {
    if (f_ == nullptr) return OkStatus();
    Status s = Flush();
    if (owned_ && std::fclose(f_) != 0 && s.ok()) {
      s = UnavailableError(fmt::format("output {}: close failed: {}", name_, std::strerror(errno)));
    }
    f_ = nullptr;
    return s;
  }
  uint64_t written() const override { return written_; }
  uint64_t dropped() const override { return dropped_; }
  std::string Describe() const override { return name_; }

 private:
  FILE* f_;
  std::string name_;
  bool owned_;
  uint64_t written_ = 0;
  uint64_t dropped_ = 0;
};

size_t DiscardBody(char*, size_t size, size_t nmemb, void*) { return size * nmemb; }

class WebhookOutput : public AlertOutput {
 public:
  WebhookOutput(std::string url, const OutputOptions& options)
      : url_(std::move(url)), options_(options) {
    if (options_.webhook_batch == 0) options_.webhook_batch = 1;
    if (options_.webhook_queue == 0) options_.webhook_queue = 1;
  }
  ~WebhookOutput() override { Close(std::chrono::milliseconds(0)).IgnoreError(); }

  Status Start() {
    curl_ = curl_easy_init();
    if (curl_ == nullptr) return InternalError("webhook: curl_easy_init failed");
    thread_ = std::thread([this] { Loop(); });
    return OkStatus();
  }

  Status Write(std::string_view line) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ || queue_.size() >= options_.webhook_queue) {
      ++dropped_;
      return OkStatus();  // counted, never blocks the event loop
    }
    queue_.emplace_back(line);
    if (queue_.size() >= options_.webhook_batch) cv_.notify_one();
    return OkStatus();
  }
  Status Flush() override { return OkStatus(); }

  Status Close(std::chrono::milliseconds deadline) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closed_) return OkStatus();
      closed_ = true;
      stopping_ = true;
      drain_deadline_ = std::chrono::steady_clock::now() + deadline;
    }
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
    {
      std::lock_guard<std::mutex> lock(mu_);
      dropped_ += queue_.size();  // what the deadline left undelivered
      queue_.clear();
    }
    if (curl_ != nullptr) curl_easy_cleanup(curl_);
    curl_ = nullptr;
    return OkStatus();
  }
  uint64_t written() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return written_;
  }
  uint64_t dropped() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return dropped_;
  }
  size_t queued() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return queue_.size();
  }
  std::string Describe() const override { return url_; }

 private:
  void Loop() {
    std::vector<std::string> batch;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait_for(lock, options_.webhook_flush,
                     [&] { return stopping_ || queue_.size() >= options_.webhook_batch; });
        if (stopping_ && (queue_.empty() || std::chrono::steady_clock::now() >= drain_deadline_)) {
          return;
        }
        while (!queue_.empty() && batch.size() < options_.webhook_batch) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      if (batch.empty()) continue;
      bool ok = Post(batch);
      std::lock_guard<std::mutex> lock(mu_);
      (ok ? written_ : dropped_) += batch.size();
      batch.clear();
    }
  }

  bool Post(const std::vector<std::string>& batch) {
    std::string body;
    for (const std::string& line : batch) {
      body += line;
      body += '\n';
    }
    if (batch.size() == 1 && options_.webhook_batch == 1) body.pop_back();
    curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, options_.webhook_batch == 1
                                             ? "Content-Type: application/json"
                                             : "Content-Type: application/x-ndjson");
    curl_easy_reset(curl_);
    curl_easy_setopt(curl_, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(curl_, CURLOPT_POST, 1L);
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS,
                     static_cast<long>(options_.webhook_timeout.count() * 1000));
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, DiscardBody);
    curl_easy_setopt(curl_, CURLOPT_USERAGENT, "vigil-agent");
    curl_easy_setopt(curl_, CURLOPT_PROTOCOLS_STR, "http,https");
    if (!options_.webhook_cacert.empty()) {
      curl_easy_setopt(curl_, CURLOPT_CAINFO, options_.webhook_cacert.c_str());
    }
    CURLcode rc = curl_easy_perform(curl_);
    long http = 0;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &http);
    curl_slist_free_all(headers);
    bool ok = rc == CURLE_OK && http >= 200 && http < 300;
    if (!ok) {
      // At most one warning per ten failures, so a dead endpoint does not flood stderr.
      if (failures_++ % 10 == 0) {
        spdlog::warn("webhook {}: {} alerts dropped: {}", url_, batch.size(),
                     rc != CURLE_OK ? curl_easy_strerror(rc) : fmt::format("HTTP {}", http));
      }
    }
    return ok;
  }

  std::string url_;
  OutputOptions options_;
  CURL* curl_ = nullptr;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  bool stopping_ = false;
  bool closed_ = false;
  std::chrono::steady_clock::time_point drain_deadline_{};
  uint64_t written_ = 0;
  uint64_t dropped_ = 0;
  uint64_t failures_ = 0;  // sender thread only
  std::thread thread_;
};

}  // namespace

StatusOr<std::unique_ptr<AlertOutput>> OpenAlertOutput(const std::string& spec,
                                                       const OutputOptions& options) {
  if (spec.empty() || spec == "stdout" || spec == "-") {
    return std::unique_ptr<AlertOutput>(new FileOutput(stdout, "stdout", false));
  }
  if (spec.rfind("http://", 0) == 0 || spec.rfind("https://", 0) == 0) {
    static std::once_flag curl_init;
    std::call_once(curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    auto out = std::make_unique<WebhookOutput>(spec, options);
    VIGIL_RETURN_IF_ERROR(out->Start());
    return std::unique_ptr<AlertOutput>(std::move(out));
  }
  if (spec.find("://") != std::string::npos) {
    return InvalidArgumentError(
        fmt::format("--output '{}': only stdout, a file, http:// or https:// URLs", spec));
  }
  int fd = ::open(spec.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) {
    return UnavailableError(fmt::format("output {}: cannot open: {}", spec, std::strerror(errno)));
  }
  FILE* f = fdopen(fd, "a");
  if (f == nullptr) {
    ::close(fd);
    return UnavailableError(fmt::format("output {}: fdopen: {}", spec, std::strerror(errno)));
  }
  return std::unique_ptr<AlertOutput>(new FileOutput(f, spec, true));
}

}  // namespace vigil::runtime
