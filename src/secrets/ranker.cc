#include "secrets/ranker.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_set>

#include "base/strings.h"
#include "secrets/ranker_data.h"
#include "secrets/rules.h"
#include "secrets/scanner.h"

namespace vigil::secrets {
namespace {

// Common English words of four or more letters: a value made of them is a phrase a person
// wrote (a placeholder, a name, a passphrase) rather than random output. A general list, not
// the labelled sets' vocabulary.
constexpr std::string_view kDictionary =
    "able about above account action active admin after again agent alpha also always amber "
    "angle animal answer apple april area army around arrow august autumn baby back bad badge "
    "ball band bank base basic bear beat beauty bell best bird black blade blank block blood "
    "blue board boat body bold bone book border boss bottle bottom brave bread break bridge "
    "bright bring brown build burn cable cake call camera camp candle canvas card care carry "
    "case castle catch cause cell center chain chair change charge check cherry chief child "
    "choice circle city class clean clear client clock close cloud coast code coffee cold color "
    "come common cool copper copy corner cotton count country cover craft cream credit crown "
    "cycle dance dark data date dawn deal dear debug december deep default delta demo deploy "
    "desert design desk detail develop diamond dinner direct doctor dollar door double dragon "
    "draw dream dress drink drive drop dust eagle early earth east easy echo edge eight empty "
    "end enough enter entry error even evening event every extra face fact fall false family "
    "farm fast father february field fifty file fill final fine fire first fish five flag flame "
    "flat flower focus follow forest form forty forward four free fresh friday friend from "
    "front fruit full game garden gate gift girl give glass global gold golden good grace "
    "grand grass gray great green ground group grow guard guest guide hair half hand happy "
    "hard have head health heart heavy hello help here hero high hill history hold home honey "
    "hope horse host hotel hour house human hundred hunter hurry idea image index input inside "
    "iron island item jacket january joke journey july jump june jungle just keep kind king "
    "kitchen knife know label lady lake land large last late laugh lead leaf learn left lemon "
    "letter level light like limit line lion list little live local lock long look lord love "
    "lucky lunch machine magic main make manager many maple march market master match matter "
    "maybe meadow meet member memory metal middle might mind minute mirror model moment monday "
    "money month moon more morning mother mountain mouse move much music name nation nature "
    "near need never next night nine noble noon north note nothing november number object "
    "ocean october office only open orange order other outside owner page paint palace panel "
    "paper parent park party pass past path peace pencil people pepper person phone piano "
    "picture piece pilot pink place plain planet plant plate play please point police power "
    "press pretty price prince print private prod product profile public purple queen quick "
    "quiet rabbit race rain random reach read ready real reason record remote report rest "
    "result return rich ride right ring river road rock room root rose round route royal rule "
    "safe sail salt sand saturday save school science score screen search season second secret "
    "secure seven shadow shape share sharp sheep shell shift ship shop short show side sign "
    "silver simple single sister size skill slow small smart smile snow soft solid song sound "
    "south space speed spirit spring square stable staff stage star start state station steel "
    "stone store storm story street strong student style sugar summer sunday super supply sure "
    "sweet swift system table tail take talk team temp tender term text thank thing third this "
    "three thunder thursday tiger time tiny title today token tool tower town track trade "
    "train travel tree true trust truth tuesday turn twelve twenty under union unit upper user "
    "valley value velvet version view village violet visit voice wall warm watch water wave "
    "wednesday week welcome west whale wheel white wild wind window winter wise wolf wood word "
    "work world write yellow young zebra zone";

// Words that mark a value as written for a non-production purpose or as naming the thing
// rather than being it: environments, the vocabulary of secrets themselves, instructions.
constexpr std::string_view kWeakWords[] = {
    "test",      "demo",      "dev",         "local",       "default", "secret",  "password",
    "passwd",    "token",     "key",         "value",       "fixture", "stub",    "mock",
    "unit",      "prod",      "staging",     "qa",          "sandbox", "temp",    "tmp",
    "admin",     "insecure",  "please",      "rotate",      "only",    "not",     "real",
    "ship",      "shared",    "signing",     "version",     "release", "build",   "preview",
    "beta",      "cert",      "tls",         "creds",       "vault",   "secrets", "hook",
    "bootstrap", "temporary", "integration", "environment", "do"};

const std::unordered_set<std::string_view>& Dictionary() {
  static const auto* kSet = [] {
    auto* s = new std::unordered_set<std::string_view>();
    std::string_view rest = kDictionary;
    while (!rest.empty()) {
      size_t sp = rest.find(' ');
      std::string_view w = rest.substr(0, sp);
      if (!w.empty()) s->insert(w);
      if (sp == std::string_view::npos) break;
      rest.remove_prefix(sp + 1);
    }
    return s;
  }();
  return *kSet;
}

bool IsHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

bool HexOnly(std::string_view s) {
  if (s.size() < 16) return false;
  bool lower = false, upper = false;
  for (char c : s) {
    if (!IsHex(c)) return false;
    lower = lower || (c >= 'a' && c <= 'f');
    upper = upper || (c >= 'A' && c <= 'F');
  }
  return !(lower && upper);
}

bool UuidShape(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !IsHex(s[i])) return false;
  }
  return true;
}

// The key a nested value belongs to: for an indented line, the nearest line above it with
// less indentation that opens a mapping (`credentials:`), or the INI section (`[database]`)
// the line is in. Looks at most 64 lines and 8 KiB up; "" when there is none.
std::string ParentKey(std::string_view content, size_t line_begin) {
  const size_t floor = line_begin > 8192 ? line_begin - 8192 : 0;
  auto indent_of = [](std::string_view l) {
    size_t i = 0;
    while (i < l.size() && (l[i] == ' ' || l[i] == '\t')) ++i;
    return i;
  };
  size_t end = std::min(line_begin, content.size());
  std::string_view own = content.substr(end);  // indent_of reads only its leading blanks
  const size_t own_indent = indent_of(own);
  for (int n = 0; n < 64 && end > floor; ++n) {
    size_t begin = end - 1;  // end - 1 is the newline ending the previous line
    while (begin > floor && content[begin - 1] != '\n') --begin;
    std::string_view l = content.substr(begin, end - 1 - begin);
    end = begin;
    std::string_view t = Trim(l);
    if (t.empty()) continue;
    if (t.front() == '[' && t.back() == ']') return std::string(t.substr(1, t.size() - 2));
    if (own_indent > 0 && indent_of(l) < own_indent) {
      return t.back() == ':' ? std::string(t.substr(0, t.size() - 1)) : "";
    }
  }
  return "";
}

bool StartsWithAny(std::string_view s, std::initializer_list<std::string_view> prefixes) {
  for (auto p : prefixes) {
    if (s.substr(0, p.size()) == p) return true;
  }
  return false;
}

// Letters of `s` covered by dictionary words of 4+ letters (alphabetic runs split at
// lower-to-upper case changes: "MapleHarbor" is two words), as a fraction of its length.
double DictionaryFraction(std::string_view s) {
  if (s.empty()) return 0;
  size_t covered = 0;
  size_t i = 0;
  while (i < s.size()) {
    if (!std::isalpha(static_cast<unsigned char>(s[i]))) {
      ++i;
      continue;
    }
    size_t j = i + 1;
    while (j < s.size() && std::isalpha(static_cast<unsigned char>(s[j])) &&
           !(std::isupper(static_cast<unsigned char>(s[j])) &&
             std::islower(static_cast<unsigned char>(s[j - 1])))) {
      ++j;
    }
    std::string word = ToLower(s.substr(i, j - i));
    // Greedy longest dictionary words inside the run ("orbitkettle" -> orbit? no; kettle).
    size_t k = 0;
    while (k + 4 <= word.size()) {
      size_t best = 0;
      for (size_t len = std::min<size_t>(word.size() - k, 12); len >= 4; --len) {
        if (Dictionary().count(std::string_view(word).substr(k, len))) {
          best = len;
          break;
        }
      }
      if (best > 0) {
        covered += best;
        k += best;
      } else {
        ++k;
      }
    }
    i = j;
  }
  return static_cast<double>(covered) / static_cast<double>(s.size());
}

double WeakWords(std::string_view s) {
  std::string lower = ToLower(s);
  // Whole segments between separators and case changes, so "qa" matches "qa_env", not "aqua".
  std::vector<std::string> segs;
  std::string cur;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool boundary = !std::isalpha(static_cast<unsigned char>(c)) ||
                    (i > 0 && std::isupper(static_cast<unsigned char>(c)) &&
                     std::islower(static_cast<unsigned char>(s[i - 1])));
    if (boundary && !cur.empty()) {
      segs.push_back(cur);
      cur.clear();
    }
    if (std::isalpha(static_cast<unsigned char>(c))) cur += lower[i];
  }
  if (!cur.empty()) segs.push_back(cur);
  int n = 0;
  for (const auto& seg : segs) {
    for (auto w : kWeakWords) n += seg == w;
  }
  return std::min(n, 4) / 4.0;
}

double SeparatedWords(std::string_view s) {
  int n = 0;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = i;
    while (j < s.size() && std::isalpha(static_cast<unsigned char>(s[j]))) ++j;
    if (j - i >= 2 && (j == s.size() || s[j] == '-' || s[j] == '_' || s[j] == '.' || s[j] == '/')) {
      ++n;
    }
    i = j + 1;
  }
  return std::min(n, 6) / 6.0;
}

// The name a value is assigned to on its line: the identifier before the `=`, `:`, `=>` (and
// quotes, `!!binary`) preceding the secret, lower-cased; "" when there is none.
std::string AssignedName(std::string_view before) {
  size_t end = before.size();
  auto strip = [&](std::string_view chars) {
    while (end > 0 && chars.find(before[end - 1]) != std::string_view::npos) --end;
  };
  strip(" \t\"'`");
  if (end >= 8 && before.substr(end - 8, 8) == "!!binary") {
    end -= 8;
    strip(" \t");
  }
  size_t ops = end;
  strip("=:> \t");
  if (ops == end) return "";  // no assignment operator
  strip("\"'` \t[]");
  size_t begin = end;
  while (begin > 0) {
    unsigned char c = static_cast<unsigned char>(before[begin - 1]);
    if (!(std::isalnum(c) || c == '_' || c == '-' || c == '.')) break;
    --begin;
  }
  return std::string(before.substr(begin, end - begin));
}

bool ContainsAny(std::string_view s, std::initializer_list<std::string_view> words) {
  for (auto w : words) {
    if (s.find(w) != std::string_view::npos) return true;
  }
  return false;
}

bool IdName(std::string_view original) {
  std::string n = ToLower(original);
  if (n.empty()) return false;
  auto ends = [&](std::string_view suffix) {
    return n.size() >= suffix.size() &&
           n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return ends("id") || ends("ids") || ends("name") || ends("version") || ends("ref") ||
         ends("path") || ends("file") || ends("url") ||
         ContainsAny(n, {"uuid", "guid", "_id_", "public", "pub", "_ref", "request", "arn"});
}

const std::set<std::string, std::less<>>& CodeTypes() {
  static const std::set<std::string, std::less<>> k = {
      "py",  "js",    "mjs",    "cjs", "ts",  "tsx",  "jsx", "go",  "java", "kt",
      "kts", "scala", "groovy", "rb",  "php", "cs",   "c",   "cc",  "cpp",  "h",
      "hpp", "rs",    "swift",  "m",   "sh",  "bash", "zsh", "ps1", "pl",   "pm",
      "lua", "r",     "dart",   "ex",  "exs", "erl",  "clj", "sql"};
  return k;
}

const std::set<std::string, std::less<>>& ConfigTypes() {
  static const std::set<std::string, std::less<>> k = {
      "yaml",  "yml",        "json",          "toml",    "ini",   "cfg",
      "conf",  "env",        "properties",    "xml",     "tf",    "tfvars",
      "hcl",   "dockerfile", "containerfile", "plist",   "npmrc", "pypirc",
      "netrc", "config",     "settings",      "service", "j2",    "tpl"};
  return k;
}

}  // namespace

const std::vector<std::string>& RankerFeatureNames() {
  static const std::vector<std::string> kNames = {
      "entropy",        "log2_length",  "frac_lower",      "frac_upper",        "frac_digits",
      "frac_other",     "char_classes", "hex_only",        "hash_length",       "uuid_shape",
      "crypt_hash",     "dictionary",   "weak_words",      "separated_words",   "max_repeat",
      "distinct_ratio", "sequential",   "keyword_on_line", "name_secret",       "name_hash",
      "name_id",        "name_data",    "name_missing",    "parent_secret",     "file_code",
      "file_config",    "file_docs",    "test_path",       "comment_line",      "quoted",
      "rule_password",  "rule_secret",  "rule_key",        "rule_high_entropy", "rule_other"};
  return kNames;
}

std::vector<double> RankerFeatures(const SecretMatch& m, std::string_view content) {
  const std::string_view s = m.secret;
  // The line holding the secret's first byte, and where the secret starts in it.
  size_t at = 0;
  std::string_view line;
  // Bounded to 4 KiB on either side: a hostile file of huge lines costs no more per candidate.
  if (m.offset <= content.size()) {
    size_t lbegin = m.offset;
    const size_t floor = m.offset > 4096 ? m.offset - 4096 : 0;
    while (lbegin > floor && content[lbegin - 1] != '\n') --lbegin;
    size_t lend = content.find('\n', m.offset);
    if (lend == std::string_view::npos) lend = content.size();
    lend = std::min(lend, m.offset + s.size() + 4096);
    line = content.substr(lbegin, lend - lbegin);
    at = m.offset - lbegin;
  }
  const double n = std::max<double>(1, static_cast<double>(s.size()));
  std::vector<double> f;
  f.reserve(RankerFeatureNames().size());
  int lower = 0, upper = 0, digits = 0, other = 0;
  for (unsigned char c : s) {
    if (c >= 'a' && c <= 'z') {
      ++lower;
    } else if (c >= 'A' && c <= 'Z') {
      ++upper;
    } else if (c >= '0' && c <= '9') {
      ++digits;
    } else {
      ++other;
    }
  }
  f.push_back(ShannonEntropy(s));
  f.push_back(std::log2(n));
  f.push_back(lower / n);
  f.push_back(upper / n);
  f.push_back(digits / n);
  f.push_back(other / n);
  f.push_back((lower > 0) + (upper > 0) + (digits > 0) + (other > 0));
  const bool hex = HexOnly(s);
  f.push_back(hex);
  f.push_back(hex && (s.size() == 32 || s.size() == 40 || s.size() == 56 || s.size() == 64 ||
                      s.size() == 96 || s.size() == 128));
  f.push_back(UuidShape(s));
  f.push_back(StartsWithAny(s, {"$2a$", "$2b$", "$2x$", "$2y$", "$1$", "$5$", "$6$", "$apr1$",
                                "$argon2", "$pbkdf2", "$scrypt", "pbkdf2_sha", "{SSHA}"}));
  f.push_back(DictionaryFraction(s));
  f.push_back(WeakWords(s));
  f.push_back(SeparatedWords(s));
  size_t run = s.empty() ? 0 : 1, best_run = run, seq = 1, best_seq = s.empty() ? 0 : 1;
  for (size_t i = 1; i < s.size(); ++i) {
    run = s[i] == s[i - 1] ? run + 1 : 1;
    best_run = std::max(best_run, run);
    seq = s[i] == s[i - 1] + 1 ? seq + 1 : 1;
    best_seq = std::max(best_seq, seq);
  }
  f.push_back(best_run / n);
  f.push_back(std::set<char>(s.begin(), s.end()).size() / n);
  f.push_back(best_seq >= 4 ? best_seq / n : 0);
  f.push_back(m.keyword_on_line);

  // The name the value is assigned to, from the line's text before the secret.
  std::string name;
  if (!s.empty() && !line.empty()) name = AssignedName(line.substr(0, at));
  const std::string lname = ToLower(name);
  const bool secret_name =
      ContainsAny(lname, {"pass", "pwd", "secret", "token", "apikey", "api_key", "api-key",
                          "private", "credential", "auth", "key"});
  f.push_back(secret_name);
  f.push_back(ContainsAny(lname, {"hash", "sha", "md5", "digest", "checksum", "fingerprint",
                                  "integrity", "etag", "crc"}));
  f.push_back(IdName(name));
  // A data name ("banner_b64") without a secret word: "secret_b64" is an encoded secret.
  f.push_back(!secret_name &&
              ContainsAny(lname, {"b64", "base64", "encoded", "blob", "data", "message", "text",
                                  "template", "banner", "motd", "notice", "footer", "header",
                                  "icon", "image", "payload", "description"}));
  f.push_back(name.empty());
  const std::string parent = ToLower(ParentKey(content, m.offset - at));
  f.push_back(ContainsAny(parent, {"pass", "pwd", "secret", "token", "apikey", "api_key", "private",
                                   "credential", "auth"}));

  std::string ft = m.file_type;
  if (!ft.empty() && ft[0] == '.') ft.erase(0, 1);
  const bool docs = ft == "md" || ft == "rst" || ft == "txt" || ft == "adoc" || ft == "html" ||
                    ft == "markdown" || ft == "htm";
  f.push_back(CodeTypes().count(ft) > 0);
  f.push_back(ConfigTypes().count(ft) > 0 || ft.rfind("env", 0) == 0);
  f.push_back(docs);
  const std::string lpath = ToLower(m.path);
  f.push_back(
      ContainsAny(lpath, {"test", "spec", "fixture", "mock", "example", "sample", "demo", "stub"}));
  std::string_view trimmed = line;
  while (!trimmed.empty() && (trimmed.front() == ' ' || trimmed.front() == '\t')) {
    trimmed.remove_prefix(1);
  }
  f.push_back(StartsWithAny(trimmed, {"#", "//", "/*", "*", ";", "--", "<!--", "REM ", "rem "}));
  bool quoted = false;
  if (at > 0 && at <= line.size()) {
    char q = line[at - 1];
    quoted = q == '"' || q == '\'' || q == '`';
  }
  f.push_back(quoted);
  const std::string& r = m.rule_id;
  const bool known = r == "generic-password" || r == "generic-secret" ||
                     r == "generic-key-assignment" || r == "generic-high-entropy-assignment";
  f.push_back(r == "generic-password");
  f.push_back(r == "generic-secret");
  f.push_back(r == "generic-key-assignment");
  f.push_back(r == "generic-high-entropy-assignment");
  f.push_back(!known);
  return f;
}

double RankerModel::Score(const std::vector<double>& x) const {
  double z = bias;
  for (size_t i = 0; i < weights.size() && i < x.size(); ++i) {
    z += weights[i] * (x[i] - mean[i]) / scale[i];
  }
  return 1.0 / (1.0 + std::exp(-z));
}

StatusOr<RankerModel> ParseRankerModel(std::string_view text, std::string_view source) {
  const std::string where(source);
  auto doc = nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return InvalidArgumentError(where + ": not a JSON object");
  }
  RankerModel m;
  auto numbers = [&](const char* field, std::vector<double>* out) -> Status {
    auto it = doc.find(field);
    if (it == doc.end() || !it->is_array()) {
      return InvalidArgumentError(where + ": field " + field + ": missing or not an array");
    }
    for (const auto& v : *it) {
      if (!v.is_number() || !std::isfinite(v.get<double>())) {
        return InvalidArgumentError(where + ": field " + field + ": not a finite number");
      }
      out->push_back(v.get<double>());
    }
    return OkStatus();
  };
  auto it = doc.find("features");
  if (it == doc.end() || !it->is_array()) {
    return InvalidArgumentError(where + ": field features: missing or not an array");
  }
  for (const auto& v : *it) {
    if (!v.is_string()) return InvalidArgumentError(where + ": field features: not a string");
    m.features.push_back(v.get<std::string>());
  }
  if (m.features != RankerFeatureNames()) {
    return InvalidArgumentError(where +
                                ": field features: the model was trained on other features "
                                "than this build extracts (retrain: docs/secrets.md)");
  }
  VIGIL_RETURN_IF_ERROR(numbers("mean", &m.mean));
  VIGIL_RETURN_IF_ERROR(numbers("scale", &m.scale));
  VIGIL_RETURN_IF_ERROR(numbers("weights", &m.weights));
  const size_t n = m.features.size();
  for (auto [field, v] : {std::pair{"mean", &m.mean}, std::pair{"scale", &m.scale},
                          std::pair{"weights", &m.weights}}) {
    if (v->size() != n) {
      return InvalidArgumentError(where + ": field " + field + ": " + std::to_string(v->size()) +
                                  " values for " + std::to_string(n) + " features");
    }
  }
  for (double s : m.scale) {
    if (!(s > 0)) return InvalidArgumentError(where + ": field scale: values must be > 0");
  }
  for (auto [field, out] : {std::pair{"bias", &m.bias}, std::pair{"threshold", &m.threshold}}) {
    auto f = doc.find(field);
    if (f == doc.end() || !f->is_number() || !std::isfinite(f->get<double>())) {
      return InvalidArgumentError(where + ": field " + field + ": missing or not a number");
    }
    *out = f->get<double>();
  }
  if (m.threshold < 0 || m.threshold > 1) {
    return InvalidArgumentError(where + ": field threshold: must be in 0..1");
  }
  if (auto t = doc.find("trained_on"); t != doc.end() && t->is_string()) {
    m.trained_on = t->get<std::string>();
  }
  return m;
}

std::string RankerModelToJson(const RankerModel& m) {
  nlohmann::ordered_json j;
  j["comment"] =
      "Secret re-ranker: logistic regression over standardised features (src/secrets/ranker.h). "
      "Generated by secrets_ranker_train; do not edit by hand.";
  j["trained_on"] = m.trained_on;
  j["features"] = m.features;
  j["mean"] = m.mean;
  j["scale"] = m.scale;
  j["weights"] = m.weights;
  j["bias"] = m.bias;
  j["threshold"] = m.threshold;
  return j.dump(1) + "\n";
}

const RankerModel& BuiltinRanker() {
  static const RankerModel* const kModel = [] {
    const auto& files = internal::EmbeddedRankerFiles();
    for (const auto& f : files) {
      if (f.name != "ranker") continue;
      auto m = ParseRankerModel(f.text, f.path);
      // The embedded model is tested (secrets_ranker_test); a broken one is a build defect.
      if (!m.ok()) {
        std::fprintf(stderr, "vigil: built-in secret ranker: %s\n", m.status().ToString().c_str());
        std::abort();
      }
      return new RankerModel(std::move(*m));
    }
    std::fprintf(stderr, "vigil: data/secrets/ranker.json is not embedded\n");
    std::abort();
    return static_cast<RankerModel*>(nullptr);
  }();
  return *kModel;
}

RankerModel TrainRanker(const std::vector<RankerSample>& samples, const TrainOptions& options) {
  RankerModel m;
  m.features = RankerFeatureNames();
  const size_t d = m.features.size();
  const size_t n = samples.size();
  m.mean.assign(d, 0);
  m.scale.assign(d, 1);
  m.weights.assign(d, 0);
  if (n == 0) return m;
  for (const auto& s : samples) {
    for (size_t k = 0; k < d; ++k) m.mean[k] += s.x[k] / static_cast<double>(n);
  }
  for (size_t k = 0; k < d; ++k) {
    double var = 0;
    for (const auto& s : samples) var += (s.x[k] - m.mean[k]) * (s.x[k] - m.mean[k]);
    var /= static_cast<double>(n);
    m.scale[k] = var > 1e-12 ? std::sqrt(var) : 1.0;
  }
  std::vector<std::vector<double>> z(n, std::vector<double>(d));
  size_t positives = 0;
  for (size_t i = 0; i < n; ++i) {
    for (size_t k = 0; k < d; ++k) z[i][k] = (samples[i].x[k] - m.mean[k]) / m.scale[k];
    positives += samples[i].label == 1;
  }
  // Each class weighs half of the loss, so the model is not pulled towards the majority.
  const double w_pos = positives > 0 ? 0.5 * n / positives : 0;
  const double w_neg = positives < n ? 0.5 * n / (n - positives) : 0;
  std::vector<double> grad(d);
  for (int it = 0; it < options.iterations; ++it) {
    std::fill(grad.begin(), grad.end(), 0.0);
    double gb = 0;
    for (size_t i = 0; i < n; ++i) {
      double t = m.bias;
      for (size_t k = 0; k < d; ++k) t += m.weights[k] * z[i][k];
      const double p = 1.0 / (1.0 + std::exp(-t));
      const double w = samples[i].label == 1 ? w_pos : w_neg;
      const double e = w * (p - samples[i].label);
      for (size_t k = 0; k < d; ++k) grad[k] += e * z[i][k];
      gb += e;
    }
    for (size_t k = 0; k < d; ++k) {
      m.weights[k] -= options.learning_rate * (grad[k] / n + options.l2 * m.weights[k]);
    }
    m.bias -= options.learning_rate * gb / n;
  }
  // Threshold: maximise F1 over the training scores; place it halfway between the lowest kept
  // score and the next lower one, for a margin on unseen data.
  std::vector<std::pair<double, int>> scored;
  for (const auto& s : samples) scored.push_back({m.Score(s.x), s.label});
  std::sort(scored.begin(), scored.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  double best_f1 = -1;
  size_t best_i = 0;
  size_t tp = 0;
  for (size_t i = 0; i < scored.size(); ++i) {
    tp += scored[i].second == 1;
    if (i + 1 < scored.size() && scored[i + 1].first == scored[i].first) continue;
    const double precision = static_cast<double>(tp) / static_cast<double>(i + 1);
    const double recall = positives > 0 ? static_cast<double>(tp) / positives : 0;
    const double f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0;
    if (f1 > best_f1) {
      best_f1 = f1;
      best_i = i;
    }
  }
  const double lo = best_i + 1 < scored.size() ? scored[best_i + 1].first : 0.0;
  m.threshold = scored.empty() ? 0.5 : (scored[best_i].first + lo) / 2;
  return m;
}

}  // namespace vigil::secrets
