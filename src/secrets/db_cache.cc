#include "secrets/db_cache.h"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

#include "base/fs.h"
#include "base/hash.h"
#include "fmt/format.h"

namespace vigil::secrets {
namespace {

// Serialised databases of the built-in rules are a few MB; anything far larger is not ours.
constexpr uint64_t kMaxEntryBytes = 256ull << 20;

bool Compile(const std::vector<std::string>& patterns, const std::vector<unsigned>& flags,
             const std::vector<unsigned>& ids, unsigned mode, hs_database_t** db,
             std::string* error) {
  std::vector<const char*> cpat;
  cpat.reserve(patterns.size());
  for (const std::string& p : patterns) cpat.push_back(p.c_str());
  hs_compile_error_t* err = nullptr;
  if (hs_compile_multi(cpat.data(), flags.data(), ids.data(), static_cast<unsigned>(cpat.size()),
                       mode, nullptr, db, &err) == HS_SUCCESS) {
    return true;
  }
  *error = err != nullptr && err->message != nullptr ? err->message : "unknown";
  hs_free_compile_error(err);
  return false;
}

}  // namespace

std::string DatabaseCachePath(const std::string& cache_dir,
                              const std::vector<std::string>& patterns,
                              const std::vector<unsigned>& flags, const std::vector<unsigned>& ids,
                              unsigned mode) {
  // Length-prefixed fields: no pattern text can make two different inputs hash alike.
  std::string key = fmt::format("hs={}\nmode={}\nn={}\n", hs_version(), mode, patterns.size());
  for (size_t i = 0; i < patterns.size(); ++i) {
    key += fmt::format("{}:{}:{}:", i < flags.size() ? flags[i] : 0u, i < ids.size() ? ids[i] : 0u,
                       patterns[i].size());
    key += patterns[i];
    key += '\n';
  }
  return fmt::format("{}/hs-{}.db", cache_dir, Sha256Hex(key));
}

bool CompileMultiCached(const std::string& cache_dir, const std::vector<std::string>& patterns,
                        const std::vector<unsigned>& flags, const std::vector<unsigned>& ids,
                        unsigned mode, hs_database_t** db, std::string* error,
                        DbCacheStats* stats) {
  DbCacheStats local;
  if (stats == nullptr) stats = &local;
  *stats = DbCacheStats{};
  if (cache_dir.empty()) return Compile(patterns, flags, ids, mode, db, error);
  const std::string path = DatabaseCachePath(cache_dir, patterns, flags, ids, mode);
  if (auto bytes = ReadHostFile(path, kMaxEntryBytes); bytes.ok()) {
    hs_database_t* loaded = nullptr;
    if (hs_deserialize_database(bytes->data(), bytes->size(), &loaded) == HS_SUCCESS) {
      *db = loaded;
      stats->hit = true;
      return true;
    }
  }
  if (!Compile(patterns, flags, ids, mode, db, error)) return false;
  char* serialized = nullptr;
  size_t length = 0;
  std::error_code ec;
  std::filesystem::create_directories(cache_dir, ec);
  if (ec || hs_serialize_database(*db, &serialized, &length) != HS_SUCCESS) {
    stats->write_failed = true;
    return true;
  }
  if (!WriteFileAtomic(path, std::string_view(serialized, length)).ok()) {
    stats->write_failed = true;
  }
  std::free(serialized);  // hs_serialize_database allocates with the misc allocator (malloc)
  return true;
}

}  // namespace vigil::secrets
