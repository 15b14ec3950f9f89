#include "store/store.h"

#include <cstdint>

#include "base/fs.h"
#include "base/hash.h"
#include "base/strings.h"
#include "store/codes.h"
#include "store/sqlite_store.h"

namespace vigil::store {
namespace {

// Reads `n` ASCII digits at `pos`; false when any is not a digit.
bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

// Length-prefixed, so ("ab", "c") and ("a", "bc") hash differently.
void HashField(Sha256& h, std::string_view field) {
  std::string len = std::to_string(field.size()) + ":";
  h.Update(len);
  h.Update(field);
}

}  // namespace

StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& path, const StoreOptions& options) {
  if (StartsWith(path, "postgres://") || StartsWith(path, "postgresql://")) {
    return UnimplementedError("store " + path +
                              ": PostgreSQL is not supported yet; use an SQLite file");
  }
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> store, SqliteStore::Open(path, options));
  return std::unique_ptr<Store>(std::move(store));
}

std::string DefaultStorePath(std::string_view cache_dir) {
  if (cache_dir.empty()) return "vigil.db";
  return JoinPath(cache_dir, "vigil.db");
}

std::string Fingerprint(const report::Finding& finding) {
  Sha256 h;
  HashField(h, "vigil.fingerprint/v1");
  HashField(h, KindCode(finding.kind));
  HashField(h, finding.id);
  HashField(h, finding.package ? std::string_view(finding.package->name) : std::string_view());
  HashField(h, finding.location.path);
  HashField(h, finding.location.resource);
  return h.FinishHex();
}

StatusOr<TimePoint> ParseRfc3339(std::string_view text) {
  auto bad = [&] {
    return InvalidArgumentError("not an RFC 3339 time: '" + std::string(text) + "'");
  };
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!Digits(text, 0, 4, &year) || text.size() < 20 || text[4] != '-' ||
      !Digits(text, 5, 2, &month) || text[7] != '-' || !Digits(text, 8, 2, &day) ||
      (text[10] != 'T' && text[10] != 't' && text[10] != ' ') || !Digits(text, 11, 2, &hour) ||
      text[13] != ':' || !Digits(text, 14, 2, &minute) || text[16] != ':' ||
      !Digits(text, 17, 2, &second)) {
    return bad();
  }
  std::chrono::year_month_day ymd{std::chrono::year(year), std::chrono::month(month),
                                  std::chrono::day(day)};
  if (!ymd.ok() || hour > 23 || minute > 59 || second > 60) return bad();

  size_t pos = 19;
  int64_t nanos = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    size_t digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 9) nanos = nanos * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return bad();
    for (size_t i = digits; i < 9; ++i) nanos *= 10;
  }
  int offset_minutes = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int oh = 0, om = 0;
    if (!Digits(text, pos + 1, 2, &oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !Digits(text, pos + 4, 2, &om) || oh > 23 || om > 59) {
      return bad();
    }
    offset_minutes = (oh * 60 + om) * (text[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return bad();
  }
  if (pos != text.size()) return bad();

  auto t = std::chrono::sys_days(ymd) + std::chrono::hours(hour) +
           std::chrono::minutes(minute - offset_minutes) + std::chrono::seconds(second) +
           std::chrono::nanoseconds(nanos);
  return std::chrono::time_point_cast<std::chrono::system_clock::duration>(t);
}

}  // namespace vigil::store
