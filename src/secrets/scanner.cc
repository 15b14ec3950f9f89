#include "secrets/scanner.h"

#include <hs/hs.h>
#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>

#include "base/fs.h"
#include "base/strings.h"
#include "secrets/db_cache.h"

namespace vigil::secrets {
namespace {

// Hyperscan ids: rule i is id i; keyword k is id kKeywordBase + k.
constexpr unsigned kKeywordBase = 1u << 24;
// How much of a secret's line, on either side of it, is its context (see Scan).
constexpr size_t kLineContext = 4096;

// Inline allowlist markers: a line carrying one of them is never reported (detect-secrets and
// gitleaks write these, so their users' annotations keep working).
constexpr std::string_view kInlineAllow[] = {"pragma: allowlist secret", "gitleaks:allow",
                                             "vigil:allow-secret"};

struct CompiledAllowlist {
  std::vector<std::unique_ptr<RE2>> paths;
  std::vector<std::unique_ptr<RE2>> regexes;
  RegexTarget target = RegexTarget::kSecret;
  std::vector<std::string> stopwords;  // lower case
};

std::unique_ptr<RE2> Compile(const std::string& re) {
  RE2::Options opts;
  opts.set_log_errors(false);
  opts.set_max_mem(64 << 20);
  return std::make_unique<RE2>(re, opts);
}

StatusOr<CompiledAllowlist> CompileAllowlist(const Allowlist& a, std::string_view where) {
  CompiledAllowlist c;
  c.target = a.regex_target;
  c.stopwords = a.stopwords;
  for (const auto& p : a.paths) {
    c.paths.push_back(Compile(p));
    if (!c.paths.back()->ok()) {
      return InvalidArgumentError(std::string(where) +
                                  ": allowlist path: " + c.paths.back()->error());
    }
  }
  for (const auto& r : a.regexes) {
    c.regexes.push_back(Compile(r));
    if (!c.regexes.back()->ok()) {
      return InvalidArgumentError(std::string(where) +
                                  ": allowlist regex: " + c.regexes.back()->error());
    }
  }
  return c;
}

bool AnyPath(const CompiledAllowlist& a, std::string_view path) {
  for (const auto& re : a.paths) {
    if (RE2::PartialMatch(re2::StringPiece(path.data(), path.size()), *re)) return true;
  }
  return false;
}

// True when the allowlist excuses this secret (any criterion suffices, gitleaks' "OR").
bool Allowed(const CompiledAllowlist& a, std::string_view path, std::string_view secret,
             std::string_view match, std::string_view line) {
  if (AnyPath(a, path)) return true;
  std::string_view target = a.target == RegexTarget::kSecret  ? secret
                            : a.target == RegexTarget::kMatch ? match
                                                              : line;
  for (const auto& re : a.regexes) {
    if (RE2::PartialMatch(re2::StringPiece(target.data(), target.size()), *re)) return true;
  }
  if (!a.stopwords.empty()) {
    std::string lower = ToLower(secret);
    for (const auto& w : a.stopwords) {
      if (lower.find(w) != std::string::npos) return true;
    }
  }
  return false;
}

std::string FileType(std::string_view path) {
  std::string_view base = Basename(path);
  size_t dot = base.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == base.size()) return ToLower(base);
  return ToLower(base.substr(dot + 1));
}

struct Region {
  size_t begin;
  size_t end;
};

struct HitContext {
  std::string_view data;
  const std::vector<size_t>* spans;           // per rule
  const std::vector<char>* blocks;            // per rule: matches may span lines
  std::vector<std::vector<Region>>* regions;  // per rule
  std::vector<char>* keywords;                // per keyword: seen
};

int OnMatch(unsigned int id, unsigned long long /*from*/, unsigned long long to,
            unsigned int /*flags*/, void* ctx) {
  auto* c = static_cast<HitContext*>(ctx);
  if (id >= kKeywordBase) {
    (*c->keywords)[id - kKeywordBase] = 1;
    return 0;
  }
  size_t end = static_cast<size_t>(to);
  const size_t span = (*c->spans)[id];
  size_t begin = end > span ? end - span : 0;
  if (!(*c->blocks)[id] && end > begin + 1) {
    // A single-line rule's match starts on the line where it ends, or at the newline before
    // it (`(?:^|[^a-z])name=`), and its last byte may be the newline that ends it. RE2 then
    // reads only the lines with candidates, not whole windows (the generic rules' dense
    // candidates would otherwise merge into the whole file).
    const void* nl = memrchr(c->data.data() + begin, '\n', end - 1 - begin);
    if (nl != nullptr) begin = static_cast<size_t>(static_cast<const char*>(nl) - c->data.data());
  }
  auto& rs = (*c->regions)[id];
  // Hyperscan reports in end order for most engines; coalesce the common case here and sort
  // and merge the rest after the scan.
  if (!rs.empty() && begin <= rs.back().end && end >= rs.back().begin) {
    rs.back().begin = std::min(rs.back().begin, begin);
    rs.back().end = std::max(rs.back().end, end);
  } else {
    rs.push_back({begin, end});
  }
  return 0;
}

std::string HsEscape(std::string_view literal) {
  std::string out;
  for (unsigned char c : literal) {
    char buf[5];
    std::snprintf(buf, sizeof buf, "\\x%02x", c);
    out += buf;
  }
  return out;
}

// The pattern Hyperscan scans for a rule: the rule's regex with every counted repetition
// {m,n} relaxed to {min(m,4),} (or * / +). Each relaxed pattern matches a superset of the
// regex, which is all prefiltering needs, and large bounded repeats are what make Hyperscan's
// compile slow (the built-in set compiles in ~0.5 s instead of ~13 s) — RE2 checks the
// exact bounds afterwards.
std::string RelaxForPrefilter(const std::string& re) {
  std::string out;
  bool in_class = false;
  for (size_t i = 0; i < re.size(); ++i) {
    char c = re[i];
    if (c == '\\' && i + 1 < re.size()) {
      out += c;
      out += re[++i];
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
      out += c;
      continue;
    }
    if (c == '[') {
      in_class = true;
      out += c;
      if (i + 1 < re.size() && re[i + 1] == '^') out += re[++i];
      if (i + 1 < re.size() && re[i + 1] == ']') out += re[++i];
      continue;
    }
    if (c == '{') {
      size_t j = i + 1;
      size_t m = 0;
      bool digits = false;
      while (j < re.size() && std::isdigit(static_cast<unsigned char>(re[j])) && m < 100000) {
        m = m * 10 + static_cast<size_t>(re[j] - '0');
        ++j;
        digits = true;
      }
      if (digits && j < re.size() && (re[j] == '}' || re[j] == ',')) {
        size_t k = j;
        if (re[k] == ',') {
          ++k;
          while (k < re.size() && std::isdigit(static_cast<unsigned char>(re[k]))) ++k;
        }
        if (k < re.size() && re[k] == '}') {
          if (m == 0) {
            out += '*';
          } else if (m == 1) {
            out += '+';
          } else {
            out += "{" + std::to_string(std::min<size_t>(m, 4)) + ",}";
          }
          i = k;
          continue;
        }
      }
    }
    out += c;
  }
  return out;
}

}  // namespace

struct SecretScanner::Impl {
  hs_database_t* db = nullptr;
  hs_scratch_t* proto = nullptr;
  mutable std::mutex mu;
  mutable std::vector<hs_scratch_t*> pool;

  struct CompiledRule {
    std::unique_ptr<RE2> re;
    std::unique_ptr<RE2> path;
    std::vector<CompiledAllowlist> allow;
    std::vector<size_t> keywords;  // indices into the keyword list
    bool in_db = false;
  };
  std::vector<CompiledRule> rules;
  CompiledAllowlist global;
  std::vector<size_t> spans;  // per rule: how far back from a candidate's end RE2 looks
  std::vector<char> blocks;   // per rule: matches may span lines
  size_t keyword_count = 0;
  bool any_binary = false;
  const RankerModel* ranker = nullptr;  // set when re-ranking is on and a rule asks for it

  ~Impl() {
    for (auto* s : pool) hs_free_scratch(s);
    if (proto != nullptr) hs_free_scratch(proto);
    if (db != nullptr) hs_free_database(db);
  }

  hs_scratch_t* Acquire() const {
    std::lock_guard<std::mutex> lock(mu);
    if (!pool.empty()) {
      hs_scratch_t* s = pool.back();
      pool.pop_back();
      return s;
    }
    hs_scratch_t* s = nullptr;
    if (hs_clone_scratch(proto, &s) != HS_SUCCESS) return nullptr;
    return s;
  }
  void Release(hs_scratch_t* s) const {
    std::lock_guard<std::mutex> lock(mu);
    pool.push_back(s);
  }
};

SecretScanner::~SecretScanner() = default;

StatusOr<std::unique_ptr<SecretScanner>> SecretScanner::Create(const RuleSet& rules,
                                                               ScanOptions options) {
  std::unique_ptr<SecretScanner> s(new SecretScanner());
  s->rules_ = rules.rules;
  s->options_ = options;
  s->impl_ = std::make_unique<Impl>();
  Impl& impl = *s->impl_;
  VIGIL_ASSIGN_OR_RETURN(impl.global, CompileAllowlist(rules.global, "global allowlist"));

  std::vector<std::string> patterns;
  std::vector<unsigned> flags;
  std::vector<unsigned> ids;
  std::map<std::string, size_t> keyword_index;
  for (size_t i = 0; i < s->rules_.size(); ++i) {
    const Rule& r = s->rules_[i];
    std::string where = r.source + ":" + std::to_string(r.source_line) + ": rule \"" + r.id + "\"";
    Impl::CompiledRule c;
    if (!r.regex.empty()) {
      c.re = Compile(r.regex);
      if (!c.re->ok()) return InvalidArgumentError(where + ": regex: " + c.re->error());
    }
    if (!r.path.empty()) {
      c.path = Compile(r.path);
      if (!c.path->ok()) return InvalidArgumentError(where + ": path: " + c.path->error());
    }
    for (const auto& a : r.allowlists) {
      VIGIL_ASSIGN_OR_RETURN(auto ca, CompileAllowlist(a, where));
      c.allow.push_back(std::move(ca));
    }
    for (const auto& k : r.keywords) {
      auto [it, fresh] = keyword_index.emplace(k, keyword_index.size());
      if (fresh) {
        patterns.push_back(HsEscape(k));
        flags.push_back(HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH);
        ids.push_back(kKeywordBase + static_cast<unsigned>(it->second));
      }
      c.keywords.push_back(it->second);
    }
    impl.any_binary = impl.any_binary || r.binary;
    const bool block = r.regex.find("-----BEGIN") != std::string::npos ||
                       r.regex.find("PuTTY-User-Key") != std::string::npos ||
                       r.regex.find("(?s") != std::string::npos ||
                       r.regex.find("[\\s\\S]") != std::string::npos;
    impl.spans.push_back(block ? options.max_block_span : options.max_match_span);
    impl.blocks.push_back(block ? 1 : 0);
    if (!r.regex.empty()) {
      // Prefilter mode: Hyperscan may report a superset of the regex's matches (it
      // approximates constructs it lacks), never fewer; RE2 then decides exactly.
      patterns.push_back(RelaxForPrefilter(r.regex));
      flags.push_back(HS_FLAG_PREFILTER);
      ids.push_back(static_cast<unsigned>(i));
      c.in_db = true;
    }
    impl.rules.push_back(std::move(c));
  }
  impl.keyword_count = keyword_index.size();
  bool any_rerank = false;
  for (const Rule& r : s->rules_) any_rerank = any_rerank || r.rerank;
  if (options.rerank && any_rerank) {
    impl.ranker = options.ranker != nullptr ? options.ranker : &BuiltinRanker();
    if (impl.ranker->weights.size() != RankerFeatureNames().size()) {
      return InvalidArgumentError("secret re-ranker: the model has " +
                                  std::to_string(impl.ranker->weights.size()) + " weights for " +
                                  std::to_string(RankerFeatureNames().size()) + " features");
    }
  }
  if (!patterns.empty()) {
    auto compile = [&](hs_database_t** db, std::string* error) {
      return CompileMultiCached(options.db_cache_dir, patterns, flags, ids, HS_MODE_BLOCK, db,
                                error);
    };
    std::string error;
    if (!compile(&impl.db, &error)) {
      // Some rule uses a construct Hyperscan lacks even in prefilter mode: find those one by
      // one and let RE2 scan whole files for them instead.
      std::vector<std::string> kept_patterns;
      std::vector<unsigned> kept_flags, kept_ids;
      for (size_t p = 0; p < patterns.size(); ++p) {
        hs_database_t* one = nullptr;
        hs_compile_error_t* err = nullptr;
        if (ids[p] >= kKeywordBase || hs_compile(patterns[p].c_str(), flags[p], HS_MODE_BLOCK,
                                                 nullptr, &one, &err) == HS_SUCCESS) {
          if (one != nullptr) hs_free_database(one);
          kept_patterns.push_back(patterns[p]);
          kept_flags.push_back(flags[p]);
          kept_ids.push_back(ids[p]);
        } else {
          hs_free_compile_error(err);
          impl.rules[ids[p]].in_db = false;
          ++s->fallback_count_;
        }
      }
      patterns = std::move(kept_patterns);
      flags = std::move(kept_flags);
      ids = std::move(kept_ids);
      if (!compile(&impl.db, &error)) {
        return InternalError("secret rules: Hyperscan compile failed: " + error);
      }
    }
    if (hs_alloc_scratch(impl.db, &impl.proto) != HS_SUCCESS) {
      return ResourceExhaustedError("secret rules: cannot allocate Hyperscan scratch");
    }
  }
  return s;
}

bool SecretScanner::PathAllowlisted(std::string_view path) const {
  return AnyPath(impl_->global, path);
}

std::string RedactSecret(std::string_view secret) {
  size_t keep = std::min<size_t>(4, secret.size() / 4);
  std::string out(secret.substr(0, keep));
  out.append(std::min<size_t>(secret.size() - keep, 32), '*');
  return out;
}

void SecretScanner::Scan(std::string_view path, std::string_view content,
                         std::vector<SecretMatch>* out, ScanStats* stats) const {
  const Impl& impl = *impl_;
  if (stats != nullptr) ++stats->files;
  // hs_scan takes a 32-bit length; larger inputs are skipped whatever the option says.
  if (content.size() > options_.max_file_size || content.size() > 0xffffffffull) {
    if (stats != nullptr) ++stats->skipped_large;
    return;
  }
  if (PathAllowlisted(path)) {
    if (stats != nullptr) ++stats->skipped_allowlisted;
    return;
  }
  const size_t probe = std::min(content.size(), options_.binary_probe);
  const bool binary = std::memchr(content.data(), '\0', probe) != nullptr;
  if (binary && !impl.any_binary) {
    if (stats != nullptr) ++stats->skipped_binary;
    return;
  }
  if (stats != nullptr) stats->bytes += content.size();

  std::vector<std::vector<Region>> regions(rules_.size());
  std::vector<char> keywords(impl.keyword_count, 0);
  if (impl.db != nullptr && !content.empty()) {
    hs_scratch_t* scratch = impl.Acquire();
    if (scratch == nullptr) return;
    HitContext ctx{content, &impl.spans, &impl.blocks, &regions, &keywords};
    hs_scan(impl.db, content.data(), static_cast<unsigned>(content.size()), 0, scratch, OnMatch,
            &ctx);
    impl.Release(scratch);
  }

  std::vector<SecretMatch> found;
  bool truncated = false;
  const re2::StringPiece text(content.data(), content.size());
  for (size_t i = 0; i < rules_.size() && !truncated; ++i) {
    const Rule& rule = rules_[i];
    const Impl::CompiledRule& c = impl.rules[i];
    if (binary && !rule.binary) continue;
    if (c.path != nullptr &&
        !RE2::PartialMatch(re2::StringPiece(path.data(), path.size()), *c.path)) {
      continue;
    }
    if (!c.keywords.empty()) {
      bool any = false;
      for (size_t k : c.keywords) any = any || keywords[k];
      if (!any) continue;
    }
    if (c.re == nullptr) {
      // A path-only rule: the file itself is the finding (a private key file, a .pypirc ...).
      bool allowed = false;
      for (const auto& a : c.allow) allowed = allowed || AnyPath(a, path);
      if (allowed) continue;
      SecretMatch m;
      m.rule_id = rule.id;
      m.rule_index = i;
      m.path = std::string(path);
      m.redacted = "(file)";
      m.file_type = FileType(path);
      found.push_back(std::move(m));
      continue;
    }
    std::vector<Region>& rs = regions[i];
    if (!c.in_db) {
      rs.assign(1, Region{0, content.size()});
    } else if (rs.empty()) {
      continue;
    }
    std::sort(rs.begin(), rs.end(),
              [](const Region& a, const Region& b) { return a.begin < b.begin; });
    std::vector<Region> merged;
    for (const Region& r : rs) {
      if (!merged.empty() && r.begin <= merged.back().end) {
        merged.back().end = std::max(merged.back().end, r.end);
      } else {
        merged.push_back(r);
      }
    }
    const int ngroups = c.re->NumberOfCapturingGroups();
    std::vector<re2::StringPiece> groups(ngroups + 1);
    for (const Region& r : merged) {
      size_t pos = r.begin;
      while (pos <= r.end) {
        if (!c.re->Match(text, pos, r.end, RE2::UNANCHORED, groups.data(), ngroups + 1)) break;
        const re2::StringPiece whole = groups[0];
        size_t mbegin = static_cast<size_t>(whole.data() - content.data());
        size_t mend = mbegin + whole.size();
        pos = mend > pos ? mend : pos + 1;
        re2::StringPiece secret = whole;
        if (rule.secret_group > 0) {
          secret = groups[rule.secret_group];
        } else {
          for (int g = 1; g <= ngroups; ++g) {
            if (!groups[g].empty()) {
              secret = groups[g];
              break;
            }
          }
        }
        if (secret.empty() || secret.data() == nullptr) continue;
        // Search on from the secret's end, not the match's: rules consume the byte after the
        // secret (a newline, a quote), which the next line's match needs as its separator —
        // the second of two consecutive `password=...` lines was missed.
        pos = static_cast<size_t>(secret.data() - content.data()) + secret.size();
        if (pos <= mbegin) pos = mbegin + 1;
        std::string_view sv(secret.data(), secret.size());
        std::string_view mv(whole.data(), whole.size());
        double entropy = ShannonEntropy(sv);
        if (entropy < rule.entropy) continue;
        if (rule.placeholders && LooksLikePlaceholder(sv)) continue;
        size_t soff = static_cast<size_t>(secret.data() - content.data());
        // The secret's line, at most kLineContext bytes on either side of the secret: inline
        // markers, line allowlists and keywords look there (a file of multi-megabyte lines
        // would otherwise cost a line's length per match).
        const size_t lfloor = soff > kLineContext ? soff - kLineContext : 0;
        size_t lbegin = soff;
        while (lbegin > lfloor && content[lbegin - 1] != '\n') --lbegin;
        const size_t lcap = std::min(content.size(), soff + sv.size() + kLineContext);
        const void* nl = std::memchr(content.data() + soff, '\n', lcap - soff);
        const size_t lend = nl != nullptr
                                ? static_cast<size_t>(static_cast<const char*>(nl) - content.data())
                                : lcap;
        std::string_view line = content.substr(lbegin, lend - lbegin);
        bool inline_allowed = false;
        for (std::string_view marker : kInlineAllow) {
          inline_allowed = inline_allowed || line.find(marker) != std::string_view::npos;
        }
        if (inline_allowed) continue;
        bool allowed = Allowed(impl.global, path, sv, mv, line);
        for (const auto& a : c.allow) allowed = allowed || Allowed(a, path, sv, mv, line);
        if (allowed) continue;

        SecretMatch m;
        m.rule_id = rule.id;
        m.rule_index = i;
        m.path = std::string(path);
        m.offset = soff;
        m.match_begin = mbegin;
        m.match_end = mend;
        m.secret = std::string(sv);
        m.entropy = entropy;
        m.file_type = FileType(path);
        for (unsigned char ch : sv) {
          if (ch >= 'a' && ch <= 'z') {
            ++m.lower;
          } else if (ch >= 'A' && ch <= 'Z') {
            ++m.upper;
          } else if (ch >= '0' && ch <= '9') {
            ++m.digits;
          } else {
            ++m.other;
          }
        }
        std::string lower_line = ToLower(line);
        for (const auto& k : rule.keywords) {
          m.keyword_on_line = m.keyword_on_line || lower_line.find(k) != std::string::npos;
        }
        // The line with the secret's part on it masked, cut to at most ~160 bytes around it.
        size_t in_line = soff - lbegin;
        size_t on_line = std::min(sv.size(), line.size() - in_line);
        std::string_view before = line.substr(0, in_line);
        std::string_view after = line.substr(in_line + on_line);
        if (before.size() > 60) before = before.substr(before.size() - 60);
        if (after.size() > 60) after = after.substr(0, 60);
        m.redacted = std::string(
            Trim(std::string(before) + RedactSecret(sv.substr(0, on_line)) + std::string(after)));
        if (rule.rerank && impl.ranker != nullptr) {
          m.score = impl.ranker->Score(RankerFeatures(m, content));
          if (m.score < impl.ranker->threshold) {
            if (!options_.keep_reranked) continue;
            m.below_threshold = true;
          }
        }
        found.push_back(std::move(m));
        if (found.size() >= options_.max_matches_per_file) {
          truncated = true;
          break;
        }
      }
      if (truncated) break;
    }
  }
  if (truncated && stats != nullptr) ++stats->truncated;

  // One finding per secret: when rules overlap on the same bytes, the earlier rule (the more
  // specific one: the rule files list generic rules last) wins.
  std::stable_sort(found.begin(), found.end(), [](const SecretMatch& a, const SecretMatch& b) {
    return a.rule_index < b.rule_index;
  });
  std::vector<SecretMatch> kept;
  for (auto& m : found) {
    bool overlaps = false;
    for (const auto& k : kept) {
      if (m.secret.empty() || k.secret.empty()) continue;
      size_t mend = m.offset + m.secret.size();
      size_t kend = k.offset + k.secret.size();
      if (m.offset < kend && k.offset < mend) {
        overlaps = true;
        break;
      }
    }
    if (!overlaps) kept.push_back(std::move(m));
  }
  std::sort(kept.begin(), kept.end(), [](const SecretMatch& a, const SecretMatch& b) {
    return a.offset != b.offset ? a.offset < b.offset : a.rule_index < b.rule_index;
  });
  // Line numbers, computed once in file order for the kept matches only.
  size_t pos = 0;
  int line = 1;
  for (auto& m : kept) {
    if (m.secret.empty() && m.offset == 0 && m.redacted == "(file)") {
      m.line = 0;
    } else {
      line += static_cast<int>(std::count(content.begin() + pos, content.begin() + m.offset, '\n'));
      pos = m.offset;
      m.line = line;
    }
  }
  if (stats != nullptr) stats->matches += kept.size();
  for (auto& m : kept) out->push_back(std::move(m));
}

}  // namespace vigil::secrets
