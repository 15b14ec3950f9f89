#include "ml/io.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <map>

#include "base/fs.h"
#include "base/hash.h"
#include "ml/codec.h"

namespace vigil::ml {
namespace {

constexpr char kMagic[8] = {'V', 'I', 'G', 'I', 'L', 'M', 'L', '\0'};
constexpr size_t kChecksumBytes = 32;

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
  ByteWriter w;
  w.Raw(std::string_view(kMagic, sizeof kMagic));
  w.U32(kModelFileVersion);
  w.Bytes32(f.model_name);
  w.U32(static_cast<uint32_t>(f.options.size()));
  for (const auto& [k, v] : f.options) {
    w.Bytes32(k);
    w.Bytes32(v);
  }
  w.U8(static_cast<uint8_t>(f.table));
  w.Bytes32(f.workload);
  w.U32(static_cast<uint32_t>(f.calibration.thresholds.size()));
  for (const auto& [far, threshold] : f.calibration.thresholds) {
    w.Double(far);
    w.Double(threshold);
  }
  w.U64(f.calibration.samples);
  w.U64(f.body.size());
  w.Raw(f.body);
  std::string out = w.Take();
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
  ByteReader header(bytes.substr(sizeof kMagic), n, sizeof kMagic);
  VIGIL_ASSIGN_OR_RETURN(uint32_t version, header.U32("version"));
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

  ByteReader r(content.substr(sizeof kMagic + 4), n, sizeof kMagic + 4);
  ModelFileFields f;
  VIGIL_ASSIGN_OR_RETURN(f.model_name, r.Bytes32("model name"));
  VIGIL_ASSIGN_OR_RETURN(uint32_t options, r.U32("option count"));
  std::map<std::string, bool> seen;
  for (uint32_t i = 0; i < options; ++i) {
    VIGIL_ASSIGN_OR_RETURN(std::string_view key_bytes, r.Bytes32("option key"));
    VIGIL_ASSIGN_OR_RETURN(std::string_view value, r.Bytes32("option value"));
    std::string key(key_bytes);
    if (key.empty() || !seen.emplace(key, true).second) {
      return InvalidArgumentError(n + ": option " + std::to_string(i) +
                                  " has an empty or "
                                  "repeated key '" +
                                  key + "'");
    }
    f.options.emplace_back(std::move(key), std::string(value));
  }
  VIGIL_ASSIGN_OR_RETURN(uint8_t table, r.U8("syscall table"));
  if (table > static_cast<uint8_t>(SyscallTable::kSunOs)) {
    return InvalidArgumentError(n + ": unknown syscall table " + std::to_string(table));
  }
  f.table = static_cast<SyscallTable>(table);
  VIGIL_ASSIGN_OR_RETURN(std::string_view workload, r.Bytes32("workload"));
  f.workload = std::string(workload);
  VIGIL_ASSIGN_OR_RETURN(uint32_t thresholds, r.Count32("calibration count", 16));
  double previous = -1;
  for (uint32_t i = 0; i < thresholds; ++i) {
    VIGIL_ASSIGN_OR_RETURN(double far, r.AnyDouble("calibration rate"));
    VIGIL_ASSIGN_OR_RETURN(double threshold, r.AnyDouble("calibration threshold"));
    if (!(far >= 0 && far <= 1) || far <= previous || std::isnan(threshold)) {
      return InvalidArgumentError(n + ": calibration entry " + std::to_string(i) +
                                  " is not an ascending rate in [0, 1] with a threshold");
    }
    previous = far;
    f.calibration.thresholds.emplace_back(far, threshold);
  }
  VIGIL_ASSIGN_OR_RETURN(f.calibration.samples, r.U64("calibration sample size"));
  VIGIL_ASSIGN_OR_RETURN(uint64_t body_length, r.U64("body length"));
  VIGIL_ASSIGN_OR_RETURN(std::string_view body, r.Raw(body_length, "body"));
  f.body = std::string(body);
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
