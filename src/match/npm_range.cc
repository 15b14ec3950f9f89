#include "match/npm_range.h"

#include <optional>
#include <utility>

#include "match/version_util.h"

namespace vigil::match {
namespace {

using internal::AllDigits;
using internal::IsDigit;

// A partial version: each of major/minor/patch may be missing or a wildcard (x, X, *).
struct Partial {
  std::optional<std::string> major, minor, patch;  // nullopt = wildcard or missing
  std::vector<std::string> prerelease;
  std::vector<std::string> build;
  int specified() const { return !major ? 0 : !minor ? 1 : !patch ? 2 : 3; }
};

Status RangeError(std::string_view range, std::string_view why) {
  return InvalidArgumentError("npm range \"" + std::string(range.substr(0, 128)) +
                              "\": " + std::string(why));
}

std::string Inc(std::string_view digits) {
  std::string s(digits);
  int i = static_cast<int>(s.size()) - 1;
  while (i >= 0 && s[static_cast<size_t>(i)] == '9') s[static_cast<size_t>(i--)] = '0';
  if (i < 0) {
    s.insert(s.begin(), '1');
  } else {
    ++s[static_cast<size_t>(i)];
  }
  return s;
}

SemVer Make(std::string major, std::string minor, std::string patch, bool zero_pre = false) {
  SemVer v;
  v.major = std::move(major);
  v.minor = std::move(minor);
  v.patch = std::move(patch);
  if (zero_pre) v.prerelease = {"0"};
  return v;
}

bool IsWildcard(std::string_view s) { return s == "x" || s == "X" || s == "*"; }

StatusOr<Partial> ParsePartial(std::string_view text, std::string_view range) {
  std::string_view s = text;
  if (!s.empty() && s.front() == '=') s.remove_prefix(1);
  if (!s.empty() && (s.front() == 'v' || s.front() == 'V')) s.remove_prefix(1);
  Partial p;
  if (s.empty()) return p;
  size_t plus = s.find('+');
  std::string_view build;
  if (plus != std::string_view::npos) {
    build = s.substr(plus + 1);
    s = s.substr(0, plus);
  }
  std::string_view pre;
  bool has_pre = false;
  // The pre-release starts at the first '-' after the numeric part.
  size_t i = 0;
  std::vector<std::string_view> xrs;
  while (true) {
    size_t start = i;
    if (i < s.size() && (s[i] == 'x' || s[i] == 'X' || s[i] == '*')) {
      ++i;
    } else {
      while (i < s.size() && IsDigit(s[i])) ++i;
    }
    if (i == start) return RangeError(range, "invalid version \"" + std::string(text) + "\"");
    xrs.push_back(s.substr(start, i - start));
    if (i < s.size() && s[i] == '.' && xrs.size() < 3) {
      ++i;
      continue;
    }
    break;
  }
  if (i < s.size()) {
    if (s[i] != '-' || xrs.size() != 3) {
      return RangeError(range, "invalid version \"" + std::string(text) + "\"");
    }
    pre = s.substr(i + 1);
    has_pre = true;
  }
  bool wild = false;
  std::optional<std::string>* slots[] = {&p.major, &p.minor, &p.patch};
  for (size_t k = 0; k < xrs.size(); ++k) {
    if (IsWildcard(xrs[k])) wild = true;
    if (wild) break;
    std::string_view d = xrs[k];
    while (d.size() > 1 && d.front() == '0') d.remove_prefix(1);
    *slots[k] = std::string(d);
  }
  if (has_pre || plus != std::string_view::npos) {
    // Reuse the SemVer identifier rules through a full parse.
    std::string full = "0.0.0";
    if (has_pre) {
      full.push_back('-');
      full.append(pre);
    }
    if (plus != std::string_view::npos) {
      full.push_back('+');
      full.append(build);
    }
    auto v = ParseSemVer(full, SemVerDialect::kNpm);
    if (!v.ok()) return RangeError(range, "invalid version \"" + std::string(text) + "\"");
    if (p.specified() == 3) {
      p.prerelease = std::move(v->prerelease);
      p.build = std::move(v->build);
    }
  }
  return p;
}

}  // namespace

StatusOr<NpmRange> NpmRange::Parse(std::string_view range) {
  NpmRange out;
  std::vector<std::string_view> alternatives;
  {
    size_t start = 0;
    while (true) {
      size_t bar = range.find("||", start);
      alternatives.push_back(
          range.substr(start, bar == std::string_view::npos ? range.npos : bar - start));
      if (bar == std::string_view::npos) break;
      start = bar + 2;
    }
  }
  for (std::string_view alt : alternatives) {
    // Tokenize on blanks and commas, then glue an operator to its version ("> 1.2.3").
    std::vector<std::string> tokens;
    size_t i = 0;
    while (i < alt.size()) {
      char c = alt[i];
      if (c == ' ' || c == '\t' || c == ',' || c == '\n' || c == '\r') {
        ++i;
        continue;
      }
      size_t start = i;
      while (i < alt.size() && alt[i] != ' ' && alt[i] != '\t' && alt[i] != ',' && alt[i] != '\n' &&
             alt[i] != '\r') {
        ++i;
      }
      tokens.emplace_back(alt.substr(start, i - start));
    }
    std::vector<std::string> merged;
    for (size_t k = 0; k < tokens.size(); ++k) {
      const std::string& t = tokens[k];
      bool op_only = t.find_first_not_of("<>=~^") == std::string::npos;
      if (op_only) {
        if (k + 1 >= tokens.size()) {
          return RangeError(range, "operator \"" + t + "\" without version");
        }
        merged.push_back(t + tokens[++k]);
      } else {
        merged.push_back(t);
      }
    }
    ComparatorSet set;
    auto add = [&set](Op op, SemVer v) { set.push_back({op, std::move(v)}); };
    // Hyphen range: "A - B".
    if (merged.size() == 3 && merged[1] == "-") {
      VIGIL_ASSIGN_OR_RETURN(Partial from, ParsePartial(merged[0], range));
      VIGIL_ASSIGN_OR_RETURN(Partial to, ParsePartial(merged[2], range));
      if (from.specified() > 0) {
        SemVer v = Make(*from.major, from.minor.value_or("0"), from.patch.value_or("0"));
        if (from.specified() == 3) v.prerelease = from.prerelease;
        add(Op::kGreaterEqual, std::move(v));
      }
      switch (to.specified()) {
        case 0:
          break;
        case 1:
          add(Op::kLess, Make(Inc(*to.major), "0", "0", true));
          break;
        case 2:
          add(Op::kLess, Make(*to.major, Inc(*to.minor), "0", true));
          break;
        default: {
          SemVer v = Make(*to.major, *to.minor, *to.patch);
          v.prerelease = to.prerelease;
          add(Op::kLessEqual, std::move(v));
        }
      }
      out.sets_.push_back(std::move(set));
      continue;
    }
    for (const std::string& tok : merged) {
      std::string_view t = tok;
      std::string_view op;
      for (std::string_view candidate : {">=", "<=", ">", "<", "=", "~>", "~", "^"}) {
        if (t.substr(0, candidate.size()) == candidate) {
          op = candidate;
          break;
        }
      }
      t.remove_prefix(op.size());
      if (t.find_first_of("<>~^|") != std::string_view::npos || t == "-") {
        return RangeError(range, "unexpected \"" + tok + "\"");
      }
      VIGIL_ASSIGN_OR_RETURN(Partial p, ParsePartial(t, range));
      int n = p.specified();
      auto full = [&p]() {
        SemVer v = Make(*p.major, *p.minor, *p.patch);
        v.prerelease = p.prerelease;
        return v;
      };
      if (op == "~" || op == "~>") {
        if (n == 0) continue;  // "~" alone is "*"
        if (n == 1) {
          add(Op::kGreaterEqual, Make(*p.major, "0", "0"));
          add(Op::kLess, Make(Inc(*p.major), "0", "0", true));
        } else {
          add(Op::kGreaterEqual, n == 3 ? full() : Make(*p.major, *p.minor, "0"));
          add(Op::kLess, Make(*p.major, Inc(*p.minor), "0", true));
        }
      } else if (op == "^") {
        if (n == 0) continue;
        SemVer lower = n == 3 ? full() : Make(*p.major, p.minor.value_or("0"), "0");
        add(Op::kGreaterEqual, std::move(lower));
        if (*p.major != "0" || n == 1) {
          add(Op::kLess, Make(Inc(*p.major), "0", "0", true));
        } else if (*p.minor != "0" || n == 2) {
          add(Op::kLess, Make("0", Inc(*p.minor), "0", true));
        } else {
          add(Op::kLess, Make("0", "0", Inc(*p.patch), true));
        }
      } else if (n == 3) {
        Op o = op == ">="   ? Op::kGreaterEqual
               : op == "<=" ? Op::kLessEqual
               : op == ">"  ? Op::kGreater
               : op == "<"  ? Op::kLess
                            : Op::kEqual;
        add(o, full());
      } else if (n == 0) {
        // "*", "x", "" and ">=*" match everything; "<*" and ">*" match nothing.
        if (op == "<" || op == ">") add(Op::kLess, Make("0", "0", "0", true));
      } else {
        // X-range with an operator: fill the missing parts as node-semver's replaceXRange.
        std::string major = *p.major;
        std::string minor = p.minor.value_or("0");
        if (op == ">") {
          if (n == 1) {
            add(Op::kGreaterEqual, Make(Inc(major), "0", "0"));
          } else {
            add(Op::kGreaterEqual, Make(major, Inc(minor), "0"));
          }
        } else if (op == "<=") {
          if (n == 1) {
            add(Op::kLess, Make(Inc(major), "0", "0", true));
          } else {
            add(Op::kLess, Make(major, Inc(minor), "0", true));
          }
        } else if (op == "<") {
          add(Op::kLess, Make(major, minor, "0", true));
        } else if (op == ">=") {
          add(Op::kGreaterEqual, Make(major, minor, "0"));
        } else {
          add(Op::kGreaterEqual, Make(major, minor, "0"));
          if (n == 1) {
            add(Op::kLess, Make(Inc(major), "0", "0", true));
          } else {
            add(Op::kLess, Make(major, Inc(minor), "0", true));
          }
        }
      }
    }
    out.sets_.push_back(std::move(set));
  }
  return out;
}

bool NpmRange::Test(const Comparator& c, const SemVer& v) {
  int r = CompareSemVer(v, c.version);
  switch (c.op) {
    case Op::kLess:
      return r < 0;
    case Op::kLessEqual:
      return r <= 0;
    case Op::kGreater:
      return r > 0;
    case Op::kGreaterEqual:
      return r >= 0;
    case Op::kEqual:
      return r == 0;
  }
  return false;
}

bool NpmRange::TestSet(const ComparatorSet& set, const SemVer& v, bool include_prerelease) {
  for (const Comparator& c : set) {
    if (!Test(c, v)) return false;
  }
  if (v.prerelease.empty() || include_prerelease) return true;
  // A pre-release only matches when a comparator opts into pre-releases of its own
  // MAJOR.MINOR.PATCH ("<2.0.0-0" bounds do not: node-semver excludes them too).
  for (const Comparator& c : set) {
    if (c.version.prerelease.empty()) continue;
    if (c.version.major == v.major && c.version.minor == v.minor && c.version.patch == v.patch) {
      return true;
    }
  }
  return false;
}

bool NpmRange::Contains(const SemVer& version, bool include_prerelease) const {
  for (const ComparatorSet& set : sets_) {
    if (TestSet(set, version, include_prerelease)) return true;
  }
  return false;
}

StatusOr<bool> NpmRange::Contains(std::string_view version, bool include_prerelease) const {
  VIGIL_ASSIGN_OR_RETURN(SemVer v, ParseSemVer(version, SemVerDialect::kNpm));
  return Contains(v, include_prerelease);
}

std::string NpmRange::LowestBoundAbove(const SemVer& floor) const {
  const SemVer* best = nullptr;
  for (const ComparatorSet& set : sets_) {
    for (const Comparator& c : set) {
      if (c.op != Op::kGreaterEqual && c.op != Op::kEqual) continue;
      if (CompareSemVer(c.version, floor) <= 0 || !Contains(c.version)) continue;
      if (best == nullptr || CompareSemVer(c.version, *best) < 0) best = &c.version;
    }
  }
  if (best == nullptr) return "";
  std::string s = best->major + "." + best->minor + "." + best->patch;
  for (size_t i = 0; i < best->prerelease.size(); ++i) {
    s += (i ? "." : "-") + best->prerelease[i];
  }
  return s;
}

std::string NpmRange::ToString() const {
  auto text = [](const SemVer& v) {
    std::string s = v.major + "." + v.minor + "." + v.patch;
    for (size_t i = 0; i < v.prerelease.size(); ++i) s += (i ? "." : "-") + v.prerelease[i];
    return s;
  };
  std::string out;
  for (size_t i = 0; i < sets_.size(); ++i) {
    if (i) out += "||";
    if (sets_[i].empty()) out += "*";
    for (size_t k = 0; k < sets_[i].size(); ++k) {
      const Comparator& c = sets_[i][k];
      if (k) out += ' ';
      switch (c.op) {
        case Op::kLess:
          out += "<";
          break;
        case Op::kLessEqual:
          out += "<=";
          break;
        case Op::kGreater:
          out += ">";
          break;
        case Op::kGreaterEqual:
          out += ">=";
          break;
        case Op::kEqual:
          break;
      }
      out += text(c.version);
    }
  }
  return out;
}

StatusOr<bool> SatisfiesNpmRange(std::string_view version, std::string_view range,
                                 bool include_prerelease) {
  VIGIL_ASSIGN_OR_RETURN(NpmRange r, NpmRange::Parse(range));
  return r.Contains(version, include_prerelease);
}

}  // namespace vigil::match
