#include "image/containers_storage.h"

#include <fcntl.h>
#include <isa-l/igzip_lib.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>

#include "base/fs.h"
#include "base/strings.h"
#include "fmt/format.h"
#include "image/blob.h"
#include "image/manifest.h"
#include "image/reference.h"

namespace vigil::image {
namespace {

using nlohmann::json;

constexpr uint64_t kMaxTarSplit = 1ull << 30;
constexpr uint64_t kMaxStoreJson = 256ull << 20;
constexpr size_t kMaxLayerChain = 1000;

StatusOr<std::string> Gunzip(std::string_view in, uint64_t max_out) {
  auto state = std::make_unique<inflate_state>();
  isal_inflate_init(state.get());
  state->crc_flag = ISAL_GZIP;
  state->next_in = reinterpret_cast<uint8_t*>(const_cast<char*>(in.data()));
  state->avail_in = static_cast<uint32_t>(in.size());
  std::string out;
  char buf[1 << 16];
  while (state->block_state != ISAL_BLOCK_FINISH) {
    state->next_out = reinterpret_cast<uint8_t*>(buf);
    state->avail_out = sizeof(buf);
    int ret = isal_inflate(state.get());
    if (ret < 0) return DataLossError(fmt::format("corrupt gzip data (igzip error {})", ret));
    size_t n = sizeof(buf) - state->avail_out;
    if (out.size() + n > max_out) return ResourceExhaustedError("tar-split larger than the limit");
    out.append(buf, n);
    if (n == 0 && state->avail_in == 0 && state->block_state != ISAL_BLOCK_FINISH) {
      return DataLossError("truncated gzip stream");
    }
  }
  return out;
}

bool Base64Decode(std::string_view in, std::string* out) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  out->clear();
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    int v = val(c);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return true;
}

std::string Base64Encode(std::string_view in) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (static_cast<uint8_t>(in[i]) << 16) | (static_cast<uint8_t>(in[i + 1]) << 8) |
                 static_cast<uint8_t>(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out.push_back(kAlphabet[(v >> s) & 63]);
  }
  if (i < in.size()) {
    uint32_t v = static_cast<uint8_t>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<uint8_t>(in[i + 1]) << 8;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

// Opens `name` beneath `dir` without following any symlink.
StatusOr<int> OpenBeneath(int dirfd, const std::string& name) {
  open_how how{};
  how.flags = O_RDONLY | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  long fd = syscall(SYS_openat2, dirfd, name.c_str(), &how, sizeof(how));
  if (fd < 0 && errno == ENOSYS) {
    // Pre-5.6 kernels: names were already checked for ".." and absolute form; refuse a
    // symlink in the final component at least.
    fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  }
  if (fd < 0) return NotFoundError(fmt::format("{}: {}", name, std::strerror(errno)));
  return static_cast<int>(fd);
}

class TarSplitReader : public BlobReader {
 public:
  TarSplitReader(std::string lines, std::string dir)
      : lines_(std::move(lines)), dir_(std::move(dir)) {}
  ~TarSplitReader() override {
    if (file_fd_ >= 0) ::close(file_fd_);
    if (dir_fd_ >= 0) ::close(dir_fd_);
  }

  StatusOr<size_t> Read(char* buf, size_t len) override {
    while (true) {
      if (seg_pos_ < segment_.size()) {
        size_t n = std::min(len, segment_.size() - seg_pos_);
        std::memcpy(buf, segment_.data() + seg_pos_, n);
        seg_pos_ += n;
        return n;
      }
      if (file_left_ > 0) {
        ssize_t n = ::read(file_fd_, buf, std::min<uint64_t>(len, file_left_));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
          return DataLossError(
              fmt::format("{}: {} is shorter than the tar-split says", dir_, file_name_));
        }
        file_left_ -= static_cast<uint64_t>(n);
        return static_cast<size_t>(n);
      }
      if (file_fd_ >= 0) {
        ::close(file_fd_);
        file_fd_ = -1;
      }
      if (line_pos_ >= lines_.size()) return size_t{0};
      VIGIL_RETURN_IF_ERROR(NextLine());
    }
  }

 private:
  Status NextLine() {
    size_t end = lines_.find('\n', line_pos_);
    if (end == std::string::npos) end = lines_.size();
    std::string_view line(lines_.data() + line_pos_, end - line_pos_);
    line_pos_ = end + 1;
    ++line_no_;
    if (Trim(line).empty()) return OkStatus();
    json j = json::parse(line.begin(), line.end(), nullptr, false);
    if (!j.is_object())
      return DataLossError(fmt::format("tar-split line {}: not a JSON object", line_no_));
    int type = j.value("type", 0);
    segment_.clear();
    seg_pos_ = 0;
    if (type == 2) {
      auto payload = j.find("payload");
      if (payload != j.end() && payload->is_string() &&
          !Base64Decode(payload->get<std::string>(), &segment_)) {
        return DataLossError(fmt::format("tar-split line {}: bad base64 payload", line_no_));
      }
      return OkStatus();
    }
    if (type != 1)
      return DataLossError(fmt::format("tar-split line {}: unknown entry type {}", line_no_, type));
    uint64_t size = 0;
    auto sz = j.find("size");
    if (sz != j.end() && sz->is_number_unsigned()) size = sz->get<uint64_t>();
    if (size == 0) return OkStatus();
    std::string name;
    if (auto raw = j.find("name_raw"); raw != j.end() && raw->is_string()) {
      if (!Base64Decode(raw->get<std::string>(), &name))
        return DataLossError("tar-split: bad name_raw");
    } else {
      name = j.value("name", std::string());
    }
    bool safe = !name.empty() && name[0] != '/';
    for (std::string_view part : Split(name, '/', true)) safe = safe && part != "..";
    std::string clean = NormalizePath(name).substr(1);
    if (!safe || clean.empty()) {
      return DataLossError(fmt::format("tar-split line {}: unsafe name \"{}\"", line_no_, name));
    }
    if (dir_fd_ < 0) {
      dir_fd_ = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dir_fd_ < 0) return NotFoundError(fmt::format("{}: {}", dir_, std::strerror(errno)));
    }
    auto fd = OpenBeneath(dir_fd_, clean);
    if (!fd.ok()) return Annotate(fd.status(), dir_);
    file_fd_ = *fd;
    file_left_ = size;
    file_name_ = clean;
    return OkStatus();
  }

  std::string lines_;
  std::string dir_;
  size_t line_pos_ = 0;
  size_t line_no_ = 0;
  std::string segment_;
  size_t seg_pos_ = 0;
  int dir_fd_ = -1;
  int file_fd_ = -1;
  uint64_t file_left_ = 0;
  std::string file_name_;
};

StatusOr<json> ReadJsonFile(const std::string& path) {
  VIGIL_ASSIGN_OR_RETURN(std::string text, ReadHostFile(path, kMaxStoreJson));
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return DataLossError(fmt::format("{}: not valid JSON", path));
  return j;
}

bool IsDir(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

class ContainersStorageSource : public ImageSource {
 public:
  ContainersStorageSource(std::string name, std::string root, std::string driver)
      : name_(std::move(name)), root_(std::move(root)), driver_(std::move(driver)) {}

  std::string Describe() const override { return "containers-storage:" + name_; }

  StatusOr<ResolvedImage> Resolve(const Platform& platform) override {
    std::string images_path = fmt::format("{}/{}-images/images.json", root_, driver_);
    auto images = ReadJsonFile(images_path);
    if (!images.ok()) return Annotate(images.status(), Describe());
    if (!images->is_array()) return DataLossError(fmt::format("{}: not an array", images_path));
    VIGIL_ASSIGN_OR_RETURN(const json* image, FindImage(*images));
    std::string id = image->value("id", std::string());
    std::string top = image->value("layer", std::string());
    if (id.size() != 64 || id.find_first_not_of("0123456789abcdef") != std::string::npos) {
      return DataLossError(fmt::format("{}: bad image id \"{}\"", Describe(), id));
    }
    std::string config_key = "sha256:" + id;
    std::string config_path =
        fmt::format("{}/{}-images/{}/={}", root_, driver_, id, Base64Encode(config_key));
    auto config_json = ReadHostFile(config_path, kMaxJsonDocument);
    if (!config_json.ok()) return Annotate(config_json.status(), Describe() + ": config");
    VIGIL_RETURN_IF_ERROR(VerifyDigest(*config_json, config_key, Describe() + ": config"));
    auto config = ParseImageConfig(*config_json);
    if (!config.ok()) return Annotate(config.status(), Describe());

    std::string layers_path = fmt::format("{}/{}-layers/layers.json", root_, driver_);
    auto layers = ReadJsonFile(layers_path);
    if (!layers.ok()) return Annotate(layers.status(), Describe());
    if (!layers->is_array()) return DataLossError(fmt::format("{}: not an array", layers_path));
    std::map<std::string, const json*> by_id;
    for (const json& l : *layers) {
      if (l.is_object()) by_id[l.value("id", std::string())] = &l;
    }
    std::vector<const json*> chain;
    for (std::string cur = top; !cur.empty();) {
      auto it = by_id.find(cur);
      if (it == by_id.end())
        return DataLossError(
            fmt::format("{}: layer {} missing from {}", Describe(), cur, layers_path));
      if (chain.size() >= kMaxLayerChain)
        return DataLossError(fmt::format("{}: layer chain too long", Describe()));
      chain.push_back(it->second);
      cur = it->second->value("parent", std::string());
    }
    std::reverse(chain.begin(), chain.end());
    if (chain.size() != config->diff_ids.size()) {
      return DataLossError(fmt::format("{}: store has {} layers but the config lists {} diff_ids",
                                       Describe(), chain.size(), config->diff_ids.size()));
    }
    ResolvedImage out;
    out.reference = Describe();
    out.config_digest = config_key;
    out.config_json = std::move(*config_json);
    out.manifest_digest = image->value("digest", std::string());
    if (auto names = image->find("names"); names != image->end() && names->is_array()) {
      for (const json& n : *names) {
        if (n.is_string()) out.repo_tags.push_back(n.get<std::string>());
      }
    }
    layer_ids_.clear();
    for (size_t i = 0; i < chain.size(); ++i) {
      std::string diff = chain[i]->value("diff-digest", std::string());
      if (!diff.empty() && diff != config->diff_ids[i]) {
        return DataLossError(fmt::format("{}: layer {} has diff {} but the config says {}",
                                         Describe(), i, diff, config->diff_ids[i]));
      }
      LayerRef ref;
      ref.diff_id = config->diff_ids[i];
      ref.size = chain[i]->value("diff-size", int64_t{-1});
      out.layers.push_back(std::move(ref));
      layer_ids_.push_back(chain[i]->value("id", std::string()));
    }
    return out;
  }

  StatusOr<std::unique_ptr<BlobReader>> OpenLayer(size_t index) override {
    if (index >= layer_ids_.size())
      return OutOfRangeError(fmt::format("{}: no layer {}", Describe(), index));
    const std::string& id = layer_ids_[index];
    if (id.empty() || id.find('/') != std::string::npos || id.find("..") != std::string::npos) {
      return DataLossError(fmt::format("{}: bad layer id \"{}\"", Describe(), id));
    }
    std::string split_path = fmt::format("{}/{}-layers/{}.tar-split.gz", root_, driver_, id);
    VIGIL_ASSIGN_OR_RETURN(std::string gz, ReadHostFile(split_path, kMaxTarSplit));
    auto lines = Gunzip(gz, kMaxTarSplit);
    if (!lines.ok()) return Annotate(lines.status(), split_path);
    std::string dir = driver_ == "overlay" ? fmt::format("{}/overlay/{}/diff", root_, id)
                                           : fmt::format("{}/{}/dir/{}", root_, driver_, id);
    return NewTarSplitReader(std::move(*lines), std::move(dir));
  }

 private:
  StatusOr<const json*> FindImage(const json& images) {
    std::vector<std::string> wanted = {name_};
    auto ref = Reference::ParseRegistry(name_);
    if (ref.ok()) {
      wanted.push_back(ref->ToString());
      if (name_.find('/') == std::string::npos || ref->registry == kDefaultRegistry) {
        Reference local = *ref;
        local.registry = "localhost";
        local.repository =
            name_.find('/') == std::string::npos ? ref->repository.substr(8) : ref->repository;
        wanted.push_back(local.ToString());
      }
    }
    bool hex_prefix =
        name_.size() >= 12 && name_.find_first_not_of("0123456789abcdef") == std::string::npos;
    std::string id = StartsWith(name_, "sha256:") ? name_.substr(7) : name_;
    const json* found = nullptr;
    int id_matches = 0;
    for (const json& img : images) {
      if (!img.is_object()) continue;
      std::string img_id = img.value("id", std::string());
      if ((hex_prefix || StartsWith(name_, "sha256:")) && StartsWith(img_id, id)) {
        found = &img;
        ++id_matches;
        continue;
      }
      if (auto names = img.find("names"); names != img.end() && names->is_array()) {
        for (const json& n : *names) {
          if (!n.is_string()) continue;
          for (const std::string& w : wanted) {
            if (n.get<std::string>() == w) return &img;
          }
        }
      }
    }
    if (id_matches > 1)
      return InvalidArgumentError(fmt::format("{}: ambiguous image ID prefix", Describe()));
    if (found) return found;
    return NotFoundError(fmt::format("{}: no such image in {}", Describe(), root_));
  }

  std::string name_;
  std::string root_;
  std::string driver_;
  std::vector<std::string> layer_ids_;
};

}  // namespace

std::unique_ptr<BlobReader> NewTarSplitReader(std::string tar_split_json, std::string layer_dir) {
  return std::make_unique<TarSplitReader>(std::move(tar_split_json), std::move(layer_dir));
}

StatusOr<std::unique_ptr<ImageSource>> OpenContainersStorage(const std::string& name,
                                                             const std::string& storage_root) {
  for (const char* driver : {"overlay", "vfs"}) {
    if (IsDir(fmt::format("{}/{}-images", storage_root, driver))) {
      return std::unique_ptr<ImageSource>(
          std::make_unique<ContainersStorageSource>(name, storage_root, driver));
    }
  }
  return NotFoundError(fmt::format(
      "{}: no overlay-images or vfs-images store (is podman's storage elsewhere?)", storage_root));
}

StatusOr<std::vector<RunningImage>> ParsePodmanPs(std::string_view text) {
  json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_null() || (j.is_discarded() && Trim(text).empty())) return std::vector<RunningImage>();
  if (!j.is_array()) return InvalidArgumentError("podman ps: expected a JSON array");
  std::vector<RunningImage> out;
  for (const json& c : j) {
    if (!c.is_object()) continue;
    std::string state = c.value("State", std::string());
    if (!state.empty() && state != "running") continue;
    RunningImage r;
    r.container_id = c.value("Id", std::string());
    r.image = c.value("Image", std::string());
    r.image_id = c.value("ImageID", std::string());
    if (auto names = c.find("Names");
        names != c.end() && names->is_array() && !names->empty() && (*names)[0].is_string()) {
      r.container_name = (*names)[0].get<std::string>();
    }
    out.push_back(std::move(r));
  }
  return out;
}

StatusOr<std::vector<RunningImage>> ListRunningImages(const std::vector<std::string>& podman_args) {
  std::vector<std::string> args = {"podman"};
  args.insert(args.end(), podman_args.begin(), podman_args.end());
  for (const char* a : {"ps", "--format", "json"}) args.emplace_back(a);
  // argv is built before fork: the child may only make async-signal-safe calls.
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int pipefd[2];
  if (::pipe2(pipefd, O_CLOEXEC) != 0) return InternalError("pipe failed");
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(pipefd[0]);
    ::close(pipefd[1]);
    return InternalError("fork failed");
  }
  if (pid == 0) {
    ::dup2(pipefd[1], 1);
    ::execvp("podman", argv.data());
    ::_exit(127);
  }
  ::close(pipefd[1]);
  std::string out;
  char buf[1 << 16];
  while (true) {
    ssize_t n = ::read(pipefd[0], buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (out.size() + static_cast<size_t>(n) > kMaxStoreJson) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(pipefd[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return UnavailableError(code == 127 ? std::string("podman is not installed")
                                        : fmt::format("podman ps failed (exit {})", code));
  }
  return ParsePodmanPs(out);
}

}  // namespace vigil::image
