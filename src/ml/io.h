// Model files: a trained model with everything needed to score with it elsewhere.
//
// Layout (little-endian; strings are a u32 length then bytes):
//   "VIGILML\0"                 magic, 8 bytes
//   u32 format version          kModelFileVersion
//   string model name           registry name ("stide", "ensemble", ...)
//   u32 n, n x (string, string) options (ModelOptions, effective values)
//   u8 syscall table            SyscallTable of the traces it learned
//   string workload             what it models ("" when not said)
//   u32 n, n x (f64, f64)       calibration: (false-alarm rate, threshold) pairs
//   u64 calibration samples     normal traces the thresholds came from (0 = uncalibrated)
//   u64 length, bytes           the model's SaveBody()
//   32 bytes                    SHA-256 of everything before it
// Readers check, in order: size, magic, version, checksum, then the fields; every failure
// names the file and what is wrong (DataLoss for truncation and checksum, InvalidArgument for
// magic, version and field values).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "ml/model.h"
#include "ml/trace.h"

namespace vigil::ml {

inline constexpr uint32_t kModelFileVersion = 1;
// Model files are read whole; larger ones are refused (ResourceExhausted).
inline constexpr uint64_t kMaxModelFileBytes = 4ull << 30;

// Thresholds at chosen false-alarm rates, from the scores of held-out normal traces
// (metrics.h's convention: alarm when score > threshold).
struct Calibration {
  std::vector<std::pair<double, double>> thresholds;  // (far, threshold), ascending far
  uint64_t samples = 0;                               // normal traces scored
  bool empty() const { return thresholds.empty(); }
  // The threshold calibrated at `far` (equal within 1e-9); NotFound listing the calibrated
  // rates otherwise, FailedPrecondition when the model was never calibrated.
  StatusOr<double> ThresholdAt(double far) const;
};

struct ModelFile {
  std::unique_ptr<Model> model;  // prepared: ready to score
  SyscallTable table = SyscallTable::kUnknown;
  std::string workload;
  Calibration calibration;
};

// The decoded fields of a model file, before the model is built (tests, fuzzing, `info`).
struct ModelFileFields {
  std::string model_name;
  std::vector<std::pair<std::string, std::string>> options;
  SyscallTable table = SyscallTable::kUnknown;
  std::string workload;
  Calibration calibration;
  std::string body;
};

std::string EncodeModelFile(const ModelFileFields& fields);
// `name` is the file name used in messages.
StatusOr<ModelFileFields> DecodeModelFile(std::string_view bytes, std::string_view name);
// Builds the model the fields describe (NewModel with the options, LoadBody, Prepare).
StatusOr<ModelFile> InstantiateModelFile(ModelFileFields fields, std::string_view name);

// Writes `file` to `path` atomically (temp file + rename).
Status SaveModelFile(const ModelFile& file, const std::string& path);
// Reads, checks and prepares a model file.
StatusOr<ModelFile> LoadModelFile(const std::string& path);

// Merges models of the same kind, options and syscall table (replicas of a workload learned
// on different nodes): the first file's model absorbs the others (Model::Merge) and is
// prepared again. The calibration is DROPPED (thresholds of the parts do not hold for the
// union): recalibrate before scoring with thresholds. The workload is kept when all files
// name the same one, else the names are joined with ",". `names` label the files in errors.
StatusOr<ModelFile> MergeModelFiles(std::vector<ModelFile> files,
                                    const std::vector<std::string>& names);

}  // namespace vigil::ml
