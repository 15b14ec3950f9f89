#include "ml/io.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <map>

#include "base/fs.h"
#include "base/hash.h"

namespace vigil::ml {
namespace {

constexpr char kMagic[8] = {'V', 'I', 'G', 'I', 'L', 'M', 'L', '\0'};
constexpr size_t kChecksumBytes = 32;

void PutU32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutU64(std::string* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutF64(std::string* out, double v) {
  uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof bits);
  PutU64(out, bits);
}
void PutString(std::string* out, std::string_view s) {
  PutU32(out, static_cast<uint32_t>(s.size()));
  out->append(s);
}

// Reads fields in order; every short read names the byte offset and the field.
class Reader {
 public:
  // `base` is the offset of `data` in the file, so messages give file offsets.
  Reader(std::string_view data, std::string_view name, size_t base)
      : data_(data), name_(name), base_(base) {}

  Status Need(size_t n, std::string_view what) {
    if (data_.size() - pos_ < n) {
      return DataLossError(std::string(name_) + ": truncated at byte " +
                           std::to_string(base_ + pos_) + " (reading " + std::string(what) + ")");
    }
    return OkStatus();
  }
  StatusOr<uint64_t> Uint(size_t bytes, std::string_view what) {
    VIGIL_RETURN_IF_ERROR(Need(bytes, what));
    uint64_t v = 0;
    for (size_t i = 0; i < bytes; ++i) {
      v |= static_cast<uint64_t>(static_cast<unsigned char>(data_[pos_ + i])) << (8 * i);
    }
    pos_ += bytes;
    return v;
  }
  StatusOr<double> F64(std::string_view what) {
    VIGIL_ASSIGN_OR_RETURN(uint64_t bits, Uint(8, what));
    double v = 0;
    std::memcpy(&v, &bits, sizeof v);
    return v;
  }
  StatusOr<std::string> String(std::string_view what, uint64_t length) {
    VIGIL_RETURN_IF_ERROR(Need(length, what));
    std::string s(data_.substr(pos_, length));
    pos_ += length;
    return s;
  }
  StatusOr<std::string> String(std::string_view what) {
    VIGIL_ASSIGN_OR_RETURN(uint64_t length, Uint(4, what));
    return String(what, length);
  }
  size_t pos() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }

 private:
  std::string_view data_;
  std::string_view name_;
  size_t base_ = 0;
  size_t pos_ = 0;
};

std::string FarText(double far) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", far);
  return buf;
}

}  // namespace

StatusOr<double> Calibration::ThresholdAt(double far) const {
  if (thresholds.empty()) {
    return FailedPreconditionError(
        "the model has no calibrated thresholds (train it with --validation, or recalibrate "
        "after a merge)");
  }
  std::string known;
  for (const auto& [f, t] : thresholds) {
    if (std::fabs(f - far) <= 1e-9) return t;
    if (!known.empty()) known += ", ";
    known += FarText(f);
  }
  return NotFoundError("the model has no threshold at false-alarm rate " + FarText(far) +
                       " (calibrated: " + known + ")");
}

std::string EncodeModelFile(const ModelFileFields& f) {
  std::string out(kMagic, sizeof kMagic);
  PutU32(&out, kModelFileVersion);
  PutString(&out, f.model_name);
  PutU32(&out, static_cast<uint32_t>(f.options.size()));
  for (const auto& [k, v] : f.options) {
    PutString(&out, k);
    PutString(&out, v);
  }
  out.push_back(static_cast<char>(f.table));
  PutString(&out, f.workload);
  PutU32(&out, static_cast<uint32_t>(f.calibration.thresholds.size()));
  for (const auto& [far, threshold] : f.calibration.thresholds) {
    PutF64(&out, far);
    PutF64(&out, threshold);
  }
  PutU64(&out, f.calibration.samples);
  PutU64(&out, f.body.size());
  out.append(f.body);
  Sha256 sha;
  sha.Update(out);
  std::array<uint8_t, 32> digest = sha.Finish();
  out.append(reinterpret_cast<const char*>(digest.data()), digest.size());
  return out;
}

StatusOr<ModelFileFields> DecodeModelFile(std::string_view bytes, std::string_view name) {
  std::string n(name);
  if (bytes.size() < sizeof kMagic + 4 + kChecksumBytes) {
    if (bytes.size() >= sizeof kMagic && std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
      return InvalidArgumentError(n + ": not a Vigil model file (bad magic)");
    }
    return DataLossError(n + ": truncated (" + std::to_string(bytes.size()) +
                         " bytes is shorter than any model file)");
  }
  if (std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
    return InvalidArgumentError(n + ": not a Vigil model file (bad magic)");
  }
  Reader header(bytes.substr(sizeof kMagic), name, sizeof kMagic);
  VIGIL_ASSIGN_OR_RETURN(uint64_t version, header.Uint(4, "version"));
  if (version != kModelFileVersion) {
    return InvalidArgumentError(n + ": model file format version " + std::to_string(version) +
                                " is not supported (this build reads version " +
                                std::to_string(kModelFileVersion) + ")");
  }
  std::string_view content = bytes.substr(0, bytes.size() - kChecksumBytes);
  Sha256 sha;
  sha.Update(content);
  std::array<uint8_t, 32> digest = sha.Finish();
  if (std::memcmp(digest.data(), bytes.data() + content.size(), kChecksumBytes) != 0) {
    return DataLossError(n + ": checksum mismatch (the file is corrupted or truncated)");
  }

  Reader r(content.substr(sizeof kMagic + 4), name, sizeof kMagic + 4);
  ModelFileFields f;
  VIGIL_ASSIGN_OR_RETURN(f.model_name, r.String("model name"));
  VIGIL_ASSIGN_OR_RETURN(uint64_t options, r.Uint(4, "option count"));
  std::map<std::string, bool> seen;
  for (uint64_t i = 0; i < options; ++i) {
    VIGIL_ASSIGN_OR_RETURN(std::string key, r.String("option key"));
    VIGIL_ASSIGN_OR_RETURN(std::string value, r.String("option value"));
    if (key.empty() || !seen.emplace(key, true).second) {
      return InvalidArgumentError(n + ": option " + std::to_string(i) +
                                  " has an empty or "
                                  "repeated key '" +
                                  key + "'");
    }
    f.options.emplace_back(std::move(key), std::move(value));
  }
  VIGIL_ASSIGN_OR_RETURN(uint64_t table, r.Uint(1, "syscall table"));
  if (table > static_cast<uint64_t>(SyscallTable::kSunOs)) {
    return InvalidArgumentError(n + ": unknown syscall table " + std::to_string(table));
  }
  f.table = static_cast<SyscallTable>(table);
  VIGIL_ASSIGN_OR_RETURN(f.workload, r.String("workload"));
  VIGIL_ASSIGN_OR_RETURN(uint64_t thresholds, r.Uint(4, "calibration count"));
  VIGIL_RETURN_IF_ERROR(r.Need(thresholds * 16, "calibration"));
  double previous = -1;
  for (uint64_t i = 0; i < thresholds; ++i) {
    VIGIL_ASSIGN_OR_RETURN(double far, r.F64("calibration rate"));
    VIGIL_ASSIGN_OR_RETURN(double threshold, r.F64("calibration threshold"));
    if (!(far >= 0 && far <= 1) || far <= previous || std::isnan(threshold)) {
      return InvalidArgumentError(n + ": calibration entry " + std::to_string(i) +
                                  " is not an ascending rate in [0, 1] with a threshold");
    }
    previous = far;
    f.calibration.thresholds.emplace_back(far, threshold);
  }
  VIGIL_ASSIGN_OR_RETURN(f.calibration.samples, r.Uint(8, "calibration sample size"));
  VIGIL_ASSIGN_OR_RETURN(uint64_t body, r.Uint(8, "body length"));
  VIGIL_ASSIGN_OR_RETURN(f.body, r.String("body", body));
  if (r.remaining() != 0) {
    return InvalidArgumentError(n + ": " + std::to_string(r.remaining()) +
                                " unexpected bytes after the model body");
  }
  return f;
}

StatusOr<ModelFile> InstantiateModelFile(ModelFileFields fields, std::string_view name) {
  std::string n(name);
  std::map<std::string, std::string> values(fields.options.begin(), fields.options.end());
  auto model = NewModel(fields.model_name, ModelOptions(std::move(values)));
  if (!model.ok()) return Annotate(model.status(), n);
  VIGIL_RETURN_IF_ERROR(Annotate((*model)->LoadBody(fields.body), n));
  VIGIL_RETURN_IF_ERROR(Annotate((*model)->Prepare(), n));
  ModelFile file;
  file.model = std::move(*model);
  file.table = fields.table;
  file.workload = std::move(fields.workload);
  file.calibration = std::move(fields.calibration);
  return file;
}

Status SaveModelFile(const ModelFile& file, const std::string& path) {
  if (file.model == nullptr) return InvalidArgumentError(path + ": no model to save");
  ModelFileFields f;
  f.model_name = std::string(file.model->name());
  ModelOptions options = file.model->options();
  for (const auto& [k, v] : options.values()) f.options.emplace_back(k, v);
  f.table = file.table;
  f.workload = file.workload;
  f.calibration = file.calibration;
  f.body = file.model->SaveBody();
  return WriteFileAtomic(path, EncodeModelFile(f));
}

StatusOr<ModelFile> LoadModelFile(const std::string& path) {
  VIGIL_ASSIGN_OR_RETURN(std::string bytes, ReadHostFile(path, kMaxModelFileBytes));
  VIGIL_ASSIGN_OR_RETURN(ModelFileFields fields, DecodeModelFile(bytes, path));
  return InstantiateModelFile(std::move(fields), path);
}

StatusOr<ModelFile> MergeModelFiles(std::vector<ModelFile> files,
                                    const std::vector<std::string>& names) {
  if (files.empty()) return InvalidArgumentError("nothing to merge");
  auto label = [&](size_t i) { return i < names.size() ? names[i] : "model " + std::to_string(i); };
  ModelFile& base = files[0];
  std::string workload = base.workload;
  std::vector<std::string> workloads = {base.workload};
  for (size_t i = 1; i < files.size(); ++i) {
    const ModelFile& other = files[i];
    if (other.table != base.table) {
      return InvalidArgumentError(label(i) + ": learned syscall table " +
                                  std::string(SyscallTableName(other.table)) + ", " + label(0) +
                                  " learned " + std::string(SyscallTableName(base.table)));
    }
    VIGIL_RETURN_IF_ERROR(Annotate(base.model->Merge(*other.model), label(i)));
    if (std::find(workloads.begin(), workloads.end(), other.workload) == workloads.end()) {
      workloads.push_back(other.workload);
      workload += "," + other.workload;
    }
  }
  VIGIL_RETURN_IF_ERROR(base.model->Prepare());
  ModelFile out = std::move(base);
  out.workload = workload;
  out.calibration = Calibration();
  return out;
}

}  // namespace vigil::ml
