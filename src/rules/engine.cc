// The compiler (AST + macros + lists -> immutable matcher tree) and the evaluator.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <fnmatch.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <bitset>
#include <cctype>
#include <chrono>
#include <cstring>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "base/strings.h"
#include "rules/condition.h"
#include "rules/fields.h"
#include "rules/loader.h"
#include "rules/rules.h"
#include "rules/rules_data.h"

namespace vigil::rules {

using internal::ExceptionDef;
using internal::LoadedFiles;
using internal::RuleDef;
using TypeSet = std::bitset<kEventTypeCodes>;

namespace {

// Strings mapped to bit sets, for membership tests (`in`, `pmatch`, and the guard tests of one
// field): the items sorted by length and then by bytes, with the range of each length, so a
// lookup is an index by the value's length and a binary search of equal-length memcmp's in
// that range; no hashing, and most values are rejected by their length alone.
class StringTable {
 public:
  void Add(std::string s, uint64_t bits) { items_.push_back({std::move(s), bits}); }
  // Sorts, merges duplicates and indexes the items; call once after the Adds.
  void Finish() {
    std::sort(items_.begin(), items_.end(), [](const Item& a, const Item& b) {
      return a.text.size() != b.text.size() ? a.text.size() < b.text.size() : a.text < b.text;
    });
    std::vector<Item> merged;
    for (Item& it : items_) {
      if (!merged.empty() && merged.back().text == it.text) {
        merged.back().bits |= it.bits;
      } else {
        merged.push_back(std::move(it));
      }
    }
    items_ = std::move(merged);
    size_t max = items_.empty() ? 0 : items_.back().text.size();
    first_.assign(max + 2, 0);
    for (const Item& it : items_) ++first_[it.text.size() + 1];
    for (size_t i = 1; i < first_.size(); ++i) first_[i] += first_[i - 1];
  }
  // The bits of `s`, 0 when it is not an item.
  uint64_t Find(std::string_view s) const {
    size_t n = s.size();
    if (n + 1 >= first_.size()) return 0;
    uint32_t lo = first_[n], hi = first_[n + 1];
    while (lo < hi) {  // binary search among the items of length n
      uint32_t mid = (lo + hi) / 2;
      int c = n == 0 ? 0 : memcmp(items_[mid].text.data(), s.data(), n);
      if (c == 0) return items_[mid].bits;
      if (c < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return 0;
  }
  bool Contains(std::string_view s) const { return Find(s) != 0; }
  size_t size() const { return items_.size(); }

  struct Item {
    std::string text;
    uint64_t bits = 0;
  };
  const std::vector<Item>& items() const { return items_; }

 private:
  std::vector<Item> items_;
  std::vector<uint32_t> first_;  // first_[n]: index of the first item of length n
};

enum class Op : uint8_t {
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kIn,
  kPmatch,
  kContains,
  kIContains,
  kStartswith,
  kEndswith,
  kGlob,
  kExists,
  kNet,
};

struct Cidr {
  int family = 0;  // AF_INET / AF_INET6
  uint8_t addr[16] = {};
  int bits = 0;
};

bool ParseIp(std::string_view s, int* family, uint8_t out[16]) {
  char buf[64];
  if (s.size() >= sizeof buf) return false;
  memcpy(buf, s.data(), s.size());
  buf[s.size()] = 0;
  memset(out, 0, 16);
  if (inet_pton(AF_INET, buf, out) == 1) {
    *family = AF_INET;
    return true;
  }
  if (inet_pton(AF_INET6, buf, out) == 1) {
    *family = AF_INET6;
    return true;
  }
  return false;
}

bool ParseCidr(std::string_view s, Cidr* out) {
  size_t slash = s.find('/');
  std::string_view ip = s.substr(0, slash);
  if (!ParseIp(ip, &out->family, out->addr)) return false;
  int max = out->family == AF_INET ? 32 : 128;
  out->bits = max;
  if (slash != std::string_view::npos) {
    std::string_view b = s.substr(slash + 1);
    if (b.empty() || b.size() > 3) return false;
    int v = 0;
    for (char c : b) {
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    if (v > max) return false;
    out->bits = v;
  }
  return true;
}

bool CidrMatch(const Cidr& c, std::string_view ip) {
  int family;
  uint8_t a[16];
  if (!ParseIp(ip, &family, a) || family != c.family) return false;
  int full = c.bits / 8, rest = c.bits % 8;
  if (memcmp(a, c.addr, full) != 0) return false;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a[full] & mask) == (c.addr[full] & mask);
}

bool ParseNumber(std::string_view s, FieldType type, int64_t* out) {
  if (type == FieldType::kBool) {
    if (s == "true") return *out = 1, true;
    if (s == "false") return *out = 0, true;
  }
  if (s.empty() || s.size() > 20) return false;
  bool neg = false;
  if (s[0] == '-') {
    neg = true;
    s.remove_prefix(1);
  }
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  }
  if (s.empty()) return false;
  uint64_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (base == 16 && std::isxdigit(static_cast<unsigned char>(c))) {
      d = std::tolower(c) - 'a' + 10;
    } else {
      return false;
    }
    v = v * base + d;
  }
  *out = neg ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
  return true;
}

bool IContains(std::string_view hay, std::string_view needle_lower) {
  if (needle_lower.size() > hay.size()) return false;
  for (size_t i = 0; i + needle_lower.size() <= hay.size(); ++i) {
    size_t j = 0;
    while (j < needle_lower.size() &&
           std::tolower(static_cast<unsigned char>(hay[i + j])) == needle_lower[j]) {
      ++j;
    }
    if (j == needle_lower.size()) return true;
  }
  return false;
}

struct Node {
  enum class Kind : uint8_t { kAnd, kOr, kNot, kTrue, kFalse, kTypes, kCmp };
  Kind kind = Kind::kTrue;
  std::vector<std::unique_ptr<Node>> kids;
  TypeSet types;  // kTypes
  // kCmp
  FieldSpec field;
  Op op = Op::kEq;
  int slot = 0;            // per-node scratch (LoadOptions::unoptimized: no field cache)
  int field_slot = -1;     // the field's per-event cache entry (one per distinct field)
  int client_slot = -1;    // both_ends: client_field's
  int memo = -1;           // identical comparisons (shared macros) share one per-event result
  bool numeric = false;    // compare numbers (kNumber/kBool field with a numeric operator)
  bool both_ends = false;  // fd.net: the client or the server address
  bool negate = false;     // kNet from `!=`: true when no address is in the networks
  FieldSpec client_field;  // both_ends: fd.cnet
  std::string str;
  int64_t num = 0;
  StringTable strs;           // in (string), pmatch prefixes (bits 1)
  std::vector<int64_t> nums;  // in (numbers), sorted
  std::vector<Cidr> cidrs;    // in/= on addresses with a network
  std::vector<std::string> globs;
};

struct OutputPiece {
  std::string literal;
  bool is_field = false;
  bool supported = true;
  FieldSpec field;
};

OutputPiece Literal(std::string text) {
  OutputPiece p;
  p.literal = std::move(text);
  return p;
}

struct CompiledRule {
  RuleInfo info;
  std::unique_ptr<Node> root;
  std::vector<OutputPiece> output;
};

// A field's value for the current event: extracted on first use, then shared by every
// comparison on that field (proc.args built once, however many `contains` test it).
struct CachedField {
  uint64_t gen = 0;  // the event (Scratch::gen) `value` belongs to
  Value value;
  std::string buf;  // holds the value when it had to be built
};

// Per-thread evaluation scratch, reused across events and engines.
struct Scratch {
  EvalContext ctx;
  std::vector<std::string> slots;
  std::string extra;
  std::string walk;                // proc.aname without [N]: the generation being tested
  uint64_t gen = 0;                // the current event's number on this thread
  std::vector<uint64_t> memo_gen;  // per memo id: the event its result belongs to
  std::vector<uint8_t> memo_value;
  std::vector<CachedField> fields;  // per field slot
};
Scratch& ThreadScratch() {
  thread_local Scratch s;
  return s;
}

bool MatchValue(const Node& n, const Value& v, Scratch& sc) {
  if (n.op == Op::kExists) return v.kind != Value::Kind::kNone;
  if (v.kind == Value::Kind::kNone) return false;
  if (n.numeric) {
    if (v.kind != Value::Kind::kNumber) return false;
    switch (n.op) {
      case Op::kEq:
        return v.n == n.num;
      case Op::kNe:
        return v.n != n.num;
      case Op::kLt:
        return v.n < n.num;
      case Op::kLe:
        return v.n <= n.num;
      case Op::kGt:
        return v.n > n.num;
      case Op::kGe:
        return v.n >= n.num;
      case Op::kIn:
        return std::binary_search(n.nums.begin(), n.nums.end(), v.n);
      default:
        return false;
    }
  }
  std::string_view s = v.s;
  if (v.kind == Value::Kind::kNumber) s = EvalContext::Render(n.field, v, &sc.extra);
  switch (n.op) {
    case Op::kEq:
      return s == n.str;
    case Op::kNe:
      return s != n.str;
    case Op::kIn:
      return n.strs.Contains(s);
    case Op::kContains:
      return s.find(n.str) != std::string_view::npos;
    case Op::kIContains:
      return IContains(s, n.str);
    case Op::kStartswith:
      return s.starts_with(n.str);
    case Op::kEndswith:
      return s.ends_with(n.str);
    case Op::kPmatch: {
      // The value or one of its parent directories is an item (items have no trailing '/').
      if (n.strs.Contains(s)) return true;
      for (size_t i = s.size(); i > 0; --i) {
        if (s[i - 1] == '/' && n.strs.Contains(s.substr(0, i == 1 ? 1 : i - 1))) return true;
      }
      return false;
    }
    case Op::kGlob: {
      sc.extra.assign(s);
      for (const std::string& g : n.globs) {
        if (fnmatch(g.c_str(), sc.extra.c_str(), 0) == 0) return true;
      }
      return false;
    }
    case Op::kNet: {
      for (const Cidr& c : n.cidrs) {
        if (CidrMatch(c, s)) return true;
      }
      return false;
    }
    default:
      return false;
  }
}

bool EvalCompare(const Node& n, Scratch& sc);

// `field`'s value for the current event, through the cache when it has a slot.
inline Value FieldValue(const FieldSpec& field, int field_slot, int node_slot, Scratch& sc) {
  if (field_slot < 0) return sc.ctx.Get(field, &sc.slots[node_slot]);
  CachedField& c = sc.fields[field_slot];
  if (c.gen != sc.gen) {
    c.value = sc.ctx.Get(field, &c.buf);
    c.gen = sc.gen;
  }
  return c.value;
}

// A comparison, through its memo: identical comparisons of different rules run once per event.
inline bool EvalCompareMemo(const Node& n, Scratch& sc) {
  if (n.memo < 0) return EvalCompare(n, sc);
  if (sc.memo_gen[n.memo] == sc.gen) return sc.memo_value[n.memo];
  bool r = EvalCompare(n, sc);
  sc.memo_gen[n.memo] = sc.gen;
  sc.memo_value[n.memo] = r;
  return r;
}

bool Eval(const Node& n, const runtime::Event& e, Scratch& sc) {
  switch (n.kind) {
    case Node::Kind::kAnd:
      for (const auto& k : n.kids) {
        if (!Eval(*k, e, sc)) return false;
      }
      return true;
    case Node::Kind::kOr:
      for (const auto& k : n.kids) {
        if (Eval(*k, e, sc)) return true;
      }
      return false;
    case Node::Kind::kNot:
      return !Eval(*n.kids[0], e, sc);
    case Node::Kind::kTrue:
      return true;
    case Node::Kind::kFalse:
      return false;
    case Node::Kind::kTypes: {
      int code = EventTypeCode(e);
      return code >= 0 && n.types.test(code);
    }
    case Node::Kind::kCmp:
      return EvalCompareMemo(n, sc);
  }
  return false;
}

bool EvalCompare(const Node& n, Scratch& sc) {
  if (n.field.index < 0) {
    // proc.aname / proc.apid without [N]: any ancestor; `!=` holds when none is equal.
    bool negate = n.op == Op::kNe;
    for (int g = 1; g <= 64; ++g) {
      Value v = sc.ctx.Ancestor(n.field.id, g, &sc.walk);
      if (v.kind == Value::Kind::kNone) break;
      if (negate) {
        bool equal = n.numeric ? v.n == n.num : v.s == n.str;
        if (equal) return false;
      } else if (MatchValue(n, v, sc)) {
        return true;
      }
    }
    return negate;
  }
  Value v = FieldValue(n.field, n.field_slot, n.slot, sc);
  if (n.op == Op::kNet) {
    // A missing address matches no network, for = and != alike (as any missing value).
    bool any = v.kind != Value::Kind::kNone;
    bool hit = MatchValue(n, v, sc);
    if (n.both_ends) {
      Value c = n.client_slot < 0 ? sc.ctx.Get(n.client_field, &sc.walk)
                                  : FieldValue(n.client_field, n.client_slot, n.slot, sc);
      any = any || c.kind != Value::Kind::kNone;
      hit = hit || MatchValue(n, c, sc);
    }
    return any && (n.negate ? !hit : hit);
  }
  return MatchValue(n, v, sc);
}

// Event types a tree can match: nullopt-like `pure` tells whether the tree only tests
// evt.type (then `not` is an exact complement).
TypeSet TypesOf(const Node& n, bool* pure) {
  TypeSet all;
  all.set();
  switch (n.kind) {
    case Node::Kind::kTypes:
      *pure = true;
      return n.types;
    case Node::Kind::kTrue:
      *pure = false;
      return all;
    case Node::Kind::kFalse:
      *pure = true;
      return TypeSet();
    case Node::Kind::kCmp:
      *pure = false;
      return all;
    case Node::Kind::kNot: {
      bool p;
      TypeSet t = TypesOf(*n.kids[0], &p);
      *pure = p;
      return p ? ~t : all;
    }
    case Node::Kind::kAnd: {
      TypeSet t = all;
      bool p = true;
      for (const auto& k : n.kids) {
        bool kp;
        t &= TypesOf(*k, &kp);
        p = p && kp;
      }
      *pure = p;
      return t;
    }
    case Node::Kind::kOr: {
      TypeSet t;
      bool p = true;
      for (const auto& k : n.kids) {
        bool kp;
        t |= TypesOf(*k, &kp);
        p = p && kp;
      }
      *pure = p;
      return t;
    }
  }
  *pure = false;
  return all;
}

std::unique_ptr<Node> Constant(bool value) {
  auto n = std::make_unique<Node>();
  n->kind = value ? Node::Kind::kTrue : Node::Kind::kFalse;
  return n;
}

// The value of a comparison that cannot depend on the event beyond its type, when it is one:
// evt.dir is always "<" (events are seen at exit), evt.source "syscall", and evt.num counts
// from 1. Anything else is left to run time.
std::optional<bool> FoldCompare(const Node& n) {
  if (n.field.index < 0) return std::nullopt;
  FieldId id = n.field.id;
  if (id == FieldId::kEvtDir || id == FieldId::kEvtSource) {
    Value v;
    v.kind = Value::Kind::kString;
    v.s = id == FieldId::kEvtDir ? "<" : "syscall";
    if (n.op == Op::kNet || n.op == Op::kGlob) return std::nullopt;
    Scratch scratch;
    return MatchValue(n, v, scratch);
  }
  if (id == FieldId::kEvtNum && n.numeric) {
    switch (n.op) {
      case Op::kEq:
        return n.num < 1 ? std::optional<bool>(false) : std::nullopt;
      case Op::kNe:
        return n.num < 1 ? std::optional<bool>(true) : std::nullopt;
      case Op::kGe:
        return n.num <= 1 ? std::optional<bool>(true) : std::nullopt;
      case Op::kGt:
        return n.num < 1 ? std::optional<bool>(true) : std::nullopt;
      case Op::kLt:
        return n.num <= 1 ? std::optional<bool>(false) : std::nullopt;
      case Op::kLe:
        return n.num < 1 ? std::optional<bool>(false) : std::nullopt;
      default:
        return std::nullopt;
    }
  }
  return std::nullopt;
}

// A rough relative cost of evaluating a node, to test cheap conditions first: fields of the
// event itself, then those needing the process, then fd and container lookups, then
// ancestor walks; string scans and globs cost more than hash lookups.
int Cost(const Node& n) {
  switch (n.kind) {
    case Node::Kind::kTrue:
    case Node::Kind::kFalse:
      return 0;
    case Node::Kind::kTypes:
      return 1;
    case Node::Kind::kNot:
      return Cost(*n.kids[0]);
    case Node::Kind::kAnd:
    case Node::Kind::kOr: {
      int c = 0;
      for (const auto& k : n.kids) c += Cost(*k);
      return c;
    }
    case Node::Kind::kCmp:
      break;
  }
  int c = 2;
  switch (n.field.id) {
    case FieldId::kEvtType:
    case FieldId::kEvtNum:
    case FieldId::kEvtRawres:
    case FieldId::kEvtFailed:
    case FieldId::kEvtIsOpenRead:
    case FieldId::kEvtIsOpenWrite:
    case FieldId::kEvtIsOpenExec:
    case FieldId::kProcPid:
    case FieldId::kThreadTid:
    case FieldId::kUserUid:
    case FieldId::kGroupGid:
      break;
    case FieldId::kEvtArg:
      // Flags, modes, addresses and argv are rendered as text for evt.arg.
      switch (n.field.arg_id) {
        case ArgId::kFlags:
        case ArgId::kMode:
        case ArgId::kAddr:
        case ArgId::kArgs:
        case ArgId::kRequest:
        case ArgId::kDomain:
          c += 12;
          break;
        default:
          c += 2;
          break;
      }
      break;
    case FieldId::kProcName:
    case FieldId::kEvtRes:
    case FieldId::kEvtRawarg:
      c += 2;
      break;
    case FieldId::kProcAname:
    case FieldId::kProcApid:
      c += n.field.index < 0 ? 40 : 6 + 2 * n.field.index;
      break;
    case FieldId::kProcCmdline:
    case FieldId::kProcArgs:
    case FieldId::kProcPcmdline:
    case FieldId::kEvtTime:
    case FieldId::kEvtTimeIso:
    case FieldId::kUserName:
    case FieldId::kGroupName:
      c += 12;
      break;
    default:
      if (n.field.id >= FieldId::kFdNum && n.field.id <= FieldId::kFdCnet) {
        c += 6;
      } else {
        c += 4;  // process, parent and container fields
      }
      break;
  }
  switch (n.op) {
    case Op::kContains:
    case Op::kIContains:
    case Op::kEndswith:
    case Op::kPmatch:
      c += 3;
      break;
    case Op::kGlob:
    case Op::kNet:
      c += 10;
      break;
    default:
      break;
  }
  return c;
}

// A rough probability that a node holds on an ordinary event: equality, set membership and
// string matches rarely hold (rules look for the unusual), their negations usually do.
double PassRate(const Node& n) {
  switch (n.kind) {
    case Node::Kind::kTrue:
      return 1;
    case Node::Kind::kFalse:
      return 0;
    case Node::Kind::kTypes:
      return 0.1;
    case Node::Kind::kNot:
      return 1 - PassRate(*n.kids[0]);
    case Node::Kind::kAnd: {
      double p = 1;
      for (const auto& k : n.kids) p *= PassRate(*k);
      return p;
    }
    case Node::Kind::kOr: {
      double q = 1;
      for (const auto& k : n.kids) q *= 1 - PassRate(*k);
      return 1 - q;
    }
    case Node::Kind::kCmp:
      break;
  }
  switch (n.op) {
    case Op::kNe:
    case Op::kExists:
      return 0.9;
    case Op::kLt:
    case Op::kLe:
    case Op::kGt:
    case Op::kGe:
      return 0.5;
    default:
      return n.negate ? 0.9 : 0.1;
  }
}

// A copy of `n` for events of type `code`: evt.type tests and constant comparisons are
// folded, and/or/not simplified, and the children of and/or ordered so that those most
// likely to decide the result per unit of cost come first (conditions have no side effects,
// so the order changes only the cost). Comparisons keep their memo id.
std::unique_ptr<Node> Specialize(const Node& n, int code) {
  switch (n.kind) {
    case Node::Kind::kTrue:
    case Node::Kind::kFalse:
      return Constant(n.kind == Node::Kind::kTrue);
    case Node::Kind::kTypes:
      return Constant(code >= 0 && n.types.test(code));
    case Node::Kind::kCmp: {
      if (std::optional<bool> v = FoldCompare(n)) return Constant(*v);
      auto c = std::make_unique<Node>();
      c->kind = n.kind;
      c->field = n.field;
      c->op = n.op;
      c->slot = n.slot;
      c->field_slot = n.field_slot;
      c->client_slot = n.client_slot;
      c->memo = n.memo;
      c->numeric = n.numeric;
      c->both_ends = n.both_ends;
      c->negate = n.negate;
      c->client_field = n.client_field;
      c->str = n.str;
      c->num = n.num;
      c->strs = n.strs;
      c->nums = n.nums;
      c->cidrs = n.cidrs;
      c->globs = n.globs;
      return c;
    }
    case Node::Kind::kNot: {
      std::unique_ptr<Node> k = Specialize(*n.kids[0], code);
      if (k->kind == Node::Kind::kTrue || k->kind == Node::Kind::kFalse) {
        return Constant(k->kind == Node::Kind::kFalse);
      }
      if (k->kind == Node::Kind::kNot) return std::move(k->kids[0]);
      auto c = std::make_unique<Node>();
      c->kind = Node::Kind::kNot;
      c->kids.push_back(std::move(k));
      return c;
    }
    case Node::Kind::kAnd:
    case Node::Kind::kOr: {
      bool is_and = n.kind == Node::Kind::kAnd;
      // and: a false child decides, true children drop out (or: the reverse).
      Node::Kind decides = is_and ? Node::Kind::kFalse : Node::Kind::kTrue;
      Node::Kind neutral = is_and ? Node::Kind::kTrue : Node::Kind::kFalse;
      std::vector<std::unique_ptr<Node>> kids;
      for (const auto& k : n.kids) {
        std::unique_ptr<Node> s = Specialize(*k, code);
        if (s->kind == decides) return Constant(!is_and);
        if (s->kind == neutral) continue;
        if (s->kind == n.kind) {  // flatten (a and (b and c))
          for (auto& g : s->kids) kids.push_back(std::move(g));
          continue;
        }
        kids.push_back(std::move(s));
      }
      if (kids.empty()) return Constant(is_and);
      if (kids.size() == 1) return std::move(kids[0]);
      // and: a child decides when false; or: when true.
      std::vector<std::pair<double, size_t>> order;
      for (size_t i = 0; i < kids.size(); ++i) {
        double p = PassRate(*kids[i]);
        double decide = is_and ? 1 - p : p;
        order.push_back({Cost(*kids[i]) / (decide + 0.01), i});
      }
      std::stable_sort(order.begin(), order.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      auto c = std::make_unique<Node>();
      c->kind = n.kind;
      for (const auto& [cost, i] : order) c->kids.push_back(std::move(kids[i]));
      return c;
    }
  }
  return Constant(false);
}

// A rule the compiler gave up on: skipped with a warning, or a load error.
struct CompileIssue {
  bool unsupported = false;  // a Falco feature Vigil lacks (warning, rule skipped)
  std::string message;
};

class Compiler {
 public:
  // `optimized` false: no memos and no field cache (LoadOptions::unoptimized).
  Compiler(const LoadedFiles& files, int* slots, int* memos, int* fields, bool optimized)
      : files_(files), slots_(slots), memos_(memos), fields_(fields), optimized_(optimized) {
    for (const auto& [name, def] : files.macros) {
      StatusOr<AstPtr> ast = ParseCondition(def.condition);
      if (ast.ok()) {
        macros_[name] = std::move(*ast);
      } else {
        macro_errors_[name] = ast.status().message();
      }
    }
  }

  const std::map<std::string, std::string>& macro_errors() const { return macro_errors_; }

  // Compiles one rule's condition (with its exceptions).
  StatusOr<std::unique_ptr<Node>> CompileRule(const RuleDef& rule, CompileIssue* issue,
                                              std::vector<std::string>* notes) {
    notes_ = notes;
    nodes_ = 0;
    StatusOr<AstPtr> ast = ParseCondition(rule.condition);
    if (!ast.ok()) {
      issue->message = fmt::format("condition: {}", ast.status().message());
      return InvalidArgumentError(issue->message);
    }
    std::vector<std::string> stack;
    std::unique_ptr<Node> root = Compile(**ast, &stack, issue);
    if (!root) return InvalidArgumentError(issue->message);
    if (rule.exceptions.empty()) return root;
    auto any = std::make_unique<Node>();
    any->kind = Node::Kind::kOr;
    for (const ExceptionDef& ex : rule.exceptions) {
      for (const auto& tuple : ex.values) {
        auto all = std::make_unique<Node>();
        all->kind = Node::Kind::kAnd;
        for (size_t i = 0; i < ex.fields.size() && i < tuple.size(); ++i) {
          Ast cmp;
          cmp.kind = Ast::Kind::kCompare;
          cmp.name = ex.fields[i];
          cmp.op = ex.comps[i];
          cmp.list_op = IsListOperator(cmp.op);
          for (const std::string& item : tuple[i].items) cmp.values.push_back({item, false});
          if (!cmp.list_op && cmp.values.size() != 1) {
            issue->message =
                fmt::format("exception '{}': '{}' needs one value, got a list", ex.name, cmp.op);
            return InvalidArgumentError(issue->message);
          }
          std::unique_ptr<Node> c = CompileCompare(cmp, issue);
          if (!c) {
            issue->message = fmt::format("exception '{}': {}", ex.name, issue->message);
            return InvalidArgumentError(issue->message);
          }
          all->kids.push_back(std::move(c));
        }
        any->kids.push_back(std::move(all));
      }
    }
    if (any->kids.empty()) return root;
    auto neg = std::make_unique<Node>();
    neg->kind = Node::Kind::kNot;
    neg->kids.push_back(std::move(any));
    auto top = std::make_unique<Node>();
    top->kind = Node::Kind::kAnd;
    top->kids.push_back(std::move(root));
    top->kids.push_back(std::move(neg));
    return top;
  }

  // Resolves an output format; unsupported fields render as <NA> (a note), unknown ones fail.
  bool CompileOutput(const std::string& fmt_text, std::vector<OutputPiece>* out,
                     CompileIssue* issue, std::vector<std::string>* notes) {
    std::string lit;
    size_t i = 0;
    while (i < fmt_text.size()) {
      char c = fmt_text[i];
      if (c != '%') {
        lit.push_back(c);
        ++i;
        continue;
      }
      std::string name;
      size_t j = i + 1;
      if (j < fmt_text.size() && fmt_text[j] == '(') {
        size_t close = fmt_text.find(')', j);
        if (close == std::string::npos) {
          issue->message = "output: '%(' without ')'";
          return false;
        }
        name = fmt_text.substr(j + 1, close - j - 1);
        j = close + 1;
      } else {
        while (j < fmt_text.size() &&
               (std::isalnum(static_cast<unsigned char>(fmt_text[j])) || fmt_text[j] == '.' ||
                fmt_text[j] == '_' || fmt_text[j] == '[' || fmt_text[j] == ']')) {
          ++j;
        }
        name = fmt_text.substr(i + 1, j - i - 1);
        while (!name.empty() && name.back() == '.') {
          name.pop_back();
          --j;
        }
      }
      if (name.empty()) {
        lit.push_back('%');
        ++i;
        continue;
      }
      if (!lit.empty()) out->push_back(Literal(std::move(lit)));
      lit.clear();
      OutputPiece p;
      p.is_field = true;
      FieldLookup r = ResolveField(name, &p.field);
      if (r == FieldLookup::kUnknown) {
        issue->message = fmt::format("output: unknown field '{}'", name);
        return false;
      }
      if (r == FieldLookup::kUnsupported) {
        p.supported = false;
        p.field.text = name;
        notes->push_back(
            fmt::format("output field '{}' is not supported by Vigil (rendered <NA>)", name));
      }
      out->push_back(std::move(p));
      i = j;
    }
    if (!lit.empty()) out->push_back(Literal(std::move(lit)));
    return true;
  }

 private:
  std::unique_ptr<Node> Fail(CompileIssue* issue, bool unsupported, std::string message) {
    issue->unsupported = unsupported;
    issue->message = std::move(message);
    return nullptr;
  }

  std::unique_ptr<Node> Compile(const Ast& a, std::vector<std::string>* stack,
                                CompileIssue* issue) {
    if (stack->size() > 64) return Fail(issue, false, "macros nested too deeply");
    // Macros used twice per level expand exponentially: bound the compiled size.
    if (++nodes_ > kMaxNodesPerRule) {
      return Fail(issue, false,
                  fmt::format("condition too large after macro expansion (over {} nodes)",
                              kMaxNodesPerRule));
    }
    switch (a.kind) {
      case Ast::Kind::kAnd:
      case Ast::Kind::kOr:
      case Ast::Kind::kNot: {
        auto n = std::make_unique<Node>();
        n->kind = a.kind == Ast::Kind::kAnd  ? Node::Kind::kAnd
                  : a.kind == Ast::Kind::kOr ? Node::Kind::kOr
                                             : Node::Kind::kNot;
        for (const auto& k : a.children) {
          std::unique_ptr<Node> c = Compile(*k, stack, issue);
          if (!c) return nullptr;
          n->kids.push_back(std::move(c));
        }
        return n;
      }
      case Ast::Kind::kMacro: {
        if (std::find(stack->begin(), stack->end(), a.name) != stack->end()) {
          return Fail(issue, false, fmt::format("macro '{}' refers to itself", a.name));
        }
        if (auto err = macro_errors_.find(a.name); err != macro_errors_.end()) {
          return Fail(issue, false, fmt::format("macro '{}' condition: {}", a.name, err->second));
        }
        auto it = macros_.find(a.name);
        if (it == macros_.end()) {
          return Fail(issue, false, fmt::format("undefined macro '{}'", a.name));
        }
        stack->push_back(a.name);
        std::unique_ptr<Node> n = Compile(*it->second, stack, issue);
        stack->pop_back();
        if (!n && issue->message.find("(in macro") == std::string::npos) {
          issue->message += fmt::format(" (in macro '{}')", a.name);
        }
        return n;
      }
      case Ast::Kind::kCompare:
        return CompileCompare(a, issue);
    }
    return nullptr;
  }

  // Operands with list names expanded (lists may nest; a list is expanded once per path).
  void Expand(const std::vector<Operand>& values, bool lists, std::vector<std::string>* out) {
    std::set<std::string> seen;
    std::function<void(const std::string&, bool, int)> add = [&](const std::string& v, bool quoted,
                                                                 int depth) {
      auto it = lists && !quoted && depth < 32 ? files_.lists.find(v) : files_.lists.end();
      if (it == files_.lists.end()) {
        out->push_back(v);
        return;
      }
      for (const std::string& item : it->second.items) {
        // Falco substitutes list items into the condition text, so an item written with its
        // own quotes ('"10.0.0.0/8"') is a quoted string there: drop the quotes.
        if (item.size() >= 2 && (item.front() == '"' || item.front() == '\'') &&
            item.back() == item.front()) {
          add(item.substr(1, item.size() - 2), true, depth + 1);
        } else {
          add(item, false, depth + 1);
        }
      }
    };
    for (const Operand& o : values) add(o.text, o.quoted, 0);
  }

  // Compiles one comparison; identical ones (the same field, operator and expanded values,
  // typically from a macro many rules use) share a memo id, so each is evaluated once per
  // event however many rules contain it.
  std::unique_ptr<Node> CompileCompare(const Ast& a, CompileIssue* issue) {
    std::unique_ptr<Node> n = CompileCompareOnce(a, issue);
    if (!n || n->kind != Node::Kind::kCmp || !optimized_) return n;
    n->field_slot = FieldSlot(n->field);
    if (n->both_ends) n->client_slot = FieldSlot(n->client_field);
    std::vector<std::string> vals;
    Expand(a.values, a.list_op, &vals);
    std::string key = a.name + '\x01' + a.op;
    for (const std::string& v : vals) key += '\x01' + v;
    auto [it, inserted] = memo_ids_.emplace(std::move(key), *memos_);
    if (inserted) ++*memos_;
    n->memo = it->second;
    return n;
  }

  std::unique_ptr<Node> CompileCompareOnce(const Ast& a, CompileIssue* issue) {
    auto n = std::make_unique<Node>();
    n->kind = Node::Kind::kCmp;
    FieldLookup r = ResolveField(a.name, &n->field);
    if (r == FieldLookup::kUnknown) {
      return Fail(issue, false, fmt::format("unknown field '{}'", a.name));
    }
    if (r == FieldLookup::kUnsupported) {
      return Fail(issue, true, fmt::format("field '{}' is not supported by Vigil", a.name));
    }
    const std::string& op = a.op;
    if (op == "bcontains" || op == "bstartswith" || op == "iglob" || op == "regex" ||
        op == "intersects") {
      return Fail(issue, true, fmt::format("operator '{}' is not supported by Vigil", op));
    }
    std::vector<std::string> vals;
    Expand(a.values, a.list_op, &vals);
    FieldType type = n->field.type;
    if (n->field.index < 0 && op != "=" && op != "!=" && op != "in" && op != "exists" &&
        op != "contains" && op != "startswith" && op != "endswith" && op != "pmatch" &&
        op != "glob" && op != "icontains") {
      return Fail(issue, false, fmt::format("'{}' without [N] takes =, != or in", a.name));
    }
    if (n->field.id == FieldId::kEvtType && (op == "=" || op == "!=" || op == "in")) {
      // Compiled to a bit test on the event-type code (and used by the index).
      n->kind = Node::Kind::kTypes;
      for (const std::string& v : vals) {
        int code = EventTypeCodeOf(v);
        if (code >= 0) {
          n->types.set(code);
        } else if (notes_) {
          notes_->push_back(fmt::format("evt.type '{}' is not an event Vigil produces", v));
        }
      }
      if (op == "!=") n->types.flip();
      return n;
    }
    n->slot = (*slots_)++;
    if (op == "exists") {
      n->op = Op::kExists;
      return n;
    }
    static const std::map<std::string, Op, std::less<>> kOps = {{"=", Op::kEq},
                                                                {"!=", Op::kNe},
                                                                {"<", Op::kLt},
                                                                {"<=", Op::kLe},
                                                                {">", Op::kGt},
                                                                {">=", Op::kGe},
                                                                {"in", Op::kIn},
                                                                {"pmatch", Op::kPmatch},
                                                                {"contains", Op::kContains},
                                                                {"icontains", Op::kIContains},
                                                                {"startswith", Op::kStartswith},
                                                                {"endswith", Op::kEndswith},
                                                                {"glob", Op::kGlob}};
    auto oit = kOps.find(op);
    if (oit == kOps.end()) return Fail(issue, false, fmt::format("unknown operator '{}'", op));
    n->op = oit->second;
    bool number_field = type == FieldType::kNumber || type == FieldType::kBool;
    bool ordered = n->op == Op::kLt || n->op == Op::kLe || n->op == Op::kGt || n->op == Op::kGe;
    if (ordered && !number_field) {
      return Fail(issue, false,
                  fmt::format("'{}' needs a numeric field, '{}' is a string", op, a.name));
    }
    bool net_field = n->field.id == FieldId::kFdNet || n->field.id == FieldId::kFdSnet ||
                     n->field.id == FieldId::kFdCnet;
    if (type == FieldType::kIp && (n->op == Op::kEq || n->op == Op::kIn || n->op == Op::kNe)) {
      bool any_cidr = net_field;
      for (const std::string& v : vals) any_cidr = any_cidr || v.find('/') != std::string::npos;
      if (any_cidr) {
        n->negate = n->op == Op::kNe;
        for (const std::string& v : vals) {
          Cidr c;
          if (!ParseCidr(v, &c)) {
            return Fail(issue, false, fmt::format("'{}' is not an address or network", v));
          }
          n->cidrs.push_back(c);
        }
        n->op = Op::kNet;
        n->both_ends = n->field.id == FieldId::kFdNet;
        n->client_field = n->field;
        n->client_field.id = FieldId::kFdCnet;
        return n;
      }
    }
    if (number_field && (n->op == Op::kEq || n->op == Op::kNe || ordered || n->op == Op::kIn)) {
      n->numeric = true;
      for (const std::string& v : vals) {
        int64_t x;
        if (!ParseNumber(v, type, &x)) {
          return Fail(issue, false,
                      fmt::format("'{}' compares a {} with '{}'", a.name,
                                  type == FieldType::kBool ? "boolean" : "number", v));
        }
        if (n->op == Op::kIn) {
          n->nums.push_back(x);
        } else {
          n->num = x;
        }
      }
      std::sort(n->nums.begin(), n->nums.end());
      return n;
    }
    switch (n->op) {
      case Op::kIn:
        for (std::string& v : vals) {
          n->strs.Add(std::move(v), 1);
        }
        n->strs.Finish();
        break;
      case Op::kPmatch:
        for (std::string& v : vals) {
          while (v.size() > 1 && v.back() == '/') v.pop_back();
          n->strs.Add(std::move(v), 1);
        }
        n->strs.Finish();
        break;
      case Op::kGlob:
        n->globs = std::move(vals);
        break;
      case Op::kIContains:
        n->str = ToLower(vals.empty() ? "" : vals[0]);
        break;
      default:
        if (vals.size() != 1) {
          return Fail(issue, false, fmt::format("'{}' takes one value", op));
        }
        n->str = std::move(vals[0]);
        break;
    }
    return n;
  }

  // The cache slot of a field: one per distinct extraction (spellings of one field, such as
  // fd.ip and fd.net, share it; proc.aname[N] differs per N, evt.arg.X per X).
  int FieldSlot(const FieldSpec& f) {
    std::string key = fmt::format("{}\x01{}\x01{}", static_cast<int>(f.id), f.index, f.arg);
    auto [it, inserted] = field_ids_.emplace(std::move(key), *fields_);
    if (inserted) ++*fields_;
    return it->second;
  }

  const LoadedFiles& files_;
  int* slots_;
  int* memos_;
  int* fields_;
  bool optimized_;
  std::map<std::string, int> field_ids_;
  std::map<std::string, int> memo_ids_;
  std::map<std::string, AstPtr> macros_;
  std::map<std::string, std::string> macro_errors_;
  std::vector<std::string>* notes_ = nullptr;
  size_t nodes_ = 0;  // nodes compiled for the current rule
  static constexpr size_t kMaxNodesPerRule = 20000;
};

// The guard tests of one event type on one field, evaluated together: the value extracted
// once, one table lookup for every equality and membership test (and pmatch's exact items),
// then the prefix, suffix and substring tests. Each test is a bit; Match returns those that
// hold, exactly as MatchValue would decide each test alone.
struct FieldGuards {
  FieldSpec field;
  int field_slot = -1;
  StringTable exact;  // =, in; pmatch items (the value itself)
  struct Affix {
    std::string text;
    uint64_t bits = 0;
    bool dir = false;  // pmatch: a parent directory of the value (the next byte is '/')
    // Up to 8 bytes of the text as a little-endian word and the mask of those bytes: the
    // first 8 of a prefix, the last 8 of a suffix (then in the high bytes), compared with
    // one load of the value's head or tail before any memcmp.
    uint64_t word = 0, mask = 0;
  };
  std::vector<Affix> prefixes;  // startswith; pmatch items other than "" and "/"
  std::vector<Affix> suffixes;  // endswith
  std::vector<std::pair<std::string, uint64_t>> contains;
  std::vector<std::pair<int64_t, uint64_t>> numbers;  // numeric = and in, sorted by value
  bool strings = false;                               // any string test

  // Adds `n` as `bit` when its operator is one Match handles; false otherwise.
  bool Add(const Node& n, uint64_t bit) {
    if (n.numeric) {
      if (n.op == Op::kEq) {
        numbers.push_back({n.num, bit});
      } else if (n.op == Op::kIn) {
        for (int64_t x : n.nums) numbers.push_back({x, bit});
      } else {
        return false;
      }
      return true;
    }
    switch (n.op) {
      case Op::kEq:
        exact.Add(n.str, bit);
        break;
      case Op::kIn:
        for (const StringTable::Item& it : n.strs.items()) exact.Add(it.text, bit);
        break;
      case Op::kPmatch:
        for (const StringTable::Item& it : n.strs.items()) {
          exact.Add(it.text, bit);
          // "" matches only itself; "/" is the parent of every absolute path.
          if (!it.text.empty()) prefixes.push_back(MakePrefix(it.text, bit, it.text != "/"));
        }
        break;
      case Op::kStartswith:
        prefixes.push_back(MakePrefix(n.str, bit, false));
        break;
      case Op::kEndswith: {
        Affix a{n.str, bit, false, 0, 0};
        size_t k = std::min<size_t>(8, n.str.size());
        for (size_t i = 0; i < k; ++i) {
          size_t shift = 8 * (8 - k + i);
          a.word |= uint64_t{static_cast<uint8_t>(n.str[n.str.size() - k + i])} << shift;
          a.mask |= uint64_t{0xff} << shift;
        }
        suffixes.push_back(std::move(a));
        break;
      }
      case Op::kContains:
        contains.push_back({n.str, bit});
        break;
      default:
        return false;
    }
    strings = true;
    return true;
  }

  static Affix MakePrefix(const std::string& text, uint64_t bit, bool dir) {
    Affix a{text, bit, dir, 0, 0};
    for (size_t i = 0; i < std::min<size_t>(8, text.size()); ++i) {
      a.word |= uint64_t{static_cast<uint8_t>(text[i])} << (8 * i);
      a.mask |= uint64_t{0xff} << (8 * i);
    }
    return a;
  }

  void Finish() {
    exact.Finish();
    std::sort(numbers.begin(), numbers.end());
    std::vector<std::pair<int64_t, uint64_t>> merged;
    for (const auto& [x, bits] : numbers) {
      if (!merged.empty() && merged.back().first == x) {
        merged.back().second |= bits;
      } else {
        merged.push_back({x, bits});
      }
    }
    numbers = std::move(merged);
  }

  uint64_t Match(const Value& v, Scratch& sc) const {
    if (v.kind == Value::Kind::kNone) return 0;
    uint64_t bits = 0;
    if (v.kind == Value::Kind::kNumber && !numbers.empty()) {
      auto it = std::lower_bound(numbers.begin(), numbers.end(), v.n,
                                 [](const auto& p, int64_t x) { return p.first < x; });
      if (it != numbers.end() && it->first == v.n) bits |= it->second;
    }
    if (!strings) return bits;
    // String operators on a number compare its rendering, as MatchValue does.
    std::string_view s = v.s;
    if (v.kind == Value::Kind::kNumber) s = EvalContext::Render(field, v, &sc.extra);
    bits |= exact.Find(s);
    size_t n = s.size();
    if (!prefixes.empty()) {
      uint64_t head = 0;
      if (n >= 8) memcpy(&head, s.data(), 8);
      for (const Affix& a : prefixes) {
        size_t k = a.text.size();
        if (n < k + a.dir) continue;
        if (n >= 8 ? (head & a.mask) != a.word : memcmp(s.data(), a.text.data(), k) != 0) {
          continue;
        }
        if (k > 8 && memcmp(s.data() + 8, a.text.data() + 8, k - 8) != 0) continue;
        if (a.dir && s[k] != '/') continue;
        bits |= a.bits;
      }
    }
    if (!suffixes.empty()) {
      uint64_t tail = 0;
      if (n >= 8) memcpy(&tail, s.data() + n - 8, 8);
      for (const Affix& a : suffixes) {
        size_t k = a.text.size();
        if (n < k) continue;
        if (n >= 8 ? (tail & a.mask) != a.word : memcmp(s.data() + n - k, a.text.data(), k) != 0) {
          continue;
        }
        if (k > 8 && memcmp(s.data() + n - k, a.text.data(), k - 8) != 0) continue;
        bits |= a.bits;
      }
    }
    for (const auto& [needle, b] : contains) {
      if (s.find(needle) != std::string_view::npos) bits |= b;
    }
    return bits;
  }
};

}  // namespace

struct Engine::Impl {
  std::vector<CompiledRule> rules;
  std::vector<RuleInfo> infos;
  // Event-type code -> the rules that can match it, in file order, each with its condition
  // specialized for that type (Specialize); rules whose condition folds to false are left out.
  struct Candidate {
    uint32_t rule = 0;
    const Node* root = nullptr;  // owned by `specialized`
    // Bits of TypeIndex::guards: the condition implies that one of them holds, so the rule is
    // evaluated only when one did. 0: no guard, always evaluated.
    uint64_t guard = 0;
  };
  struct TypeIndex {
    std::vector<Candidate> rules;
    // The comparisons guards use (at most 64, each once however many rules share it),
    // evaluated first on every event of the type: bit i of a guard is guards[i]. Owned by
    // `specialized`.
    std::vector<const Node*> guards;
    // How they are evaluated: grouped by field where the operator allows (then `recorded`
    // lists the memo id and bit of each, to record the results for the conditions), the rest
    // one by one.
    std::vector<FieldGuards> fields;
    std::vector<std::pair<int, uint64_t>> recorded;  // memo id, bit
    std::vector<std::pair<const Node*, uint64_t>> single;
    // With at most 64 rules (`masks`): per guard bit, the rules it admits (bit i: rules[i]),
    // and the rules without a guard, so Process visits only the admitted rules and returns
    // at once when there are none.
    bool masks = false;
    std::vector<uint64_t> admits;
    uint64_t unguarded = 0;
  };
  std::vector<TypeIndex> by_type;
  std::vector<std::unique_ptr<Node>> specialized;
  int slots = 0;
  int memos = 0;
  int fields = 0;
  mutable std::atomic<uint64_t> evt_num{0};

  // Process for an event of a type some rule tests: guards, admitted rules, alerts.
  [[gnu::noinline]] void Run(const TypeIndex& index, const runtime::Event& event,
                             runtime::State* state, const AlertSink& sink, uint64_t num) const;
};

namespace {

// Guards. A rule's specialized condition usually starts with a test that rules out nearly every
// event of the type (fd.name in (...), proc.name in (...), fd.sport in (...)); several rules often
// share it. Per event type, each rule gets a guard: comparisons one of which holds whenever
// the condition does (a conjunct's guard, or the union of every disjunct's guard). Process
// evaluates the type's guard comparisons once per event into a bit set and evaluates the
// condition only of the rules whose guard has a bit in it; the results go to the memos, so the
// conditions reuse them. Conditions have no side effects, so evaluating a comparison the
// condition's short-circuit order would have skipped changes nothing but the cost.
struct GuardChoice {
  std::vector<const Node*> tests;
  double pass = 1;  // a rough probability that one of the tests holds on an ordinary event
  int cost = 0;
  double Score() const { return pass * 1000 + cost; }
};

// A rough probability that a guard-eligible comparison holds: tests on fields with few
// values (result codes, fd types, booleans, container identity) rarely rule an event out;
// tests on process names rule out less than tests on paths, addresses and ports, because a
// few programs (often the very servers a rule lists) make most of the events.
double GuardPass(const Node& n) {
  switch (n.field.id) {
    case FieldId::kEvtRes:
    case FieldId::kEvtFailed:
    case FieldId::kEvtIsOpenRead:
    case FieldId::kEvtIsOpenWrite:
    case FieldId::kEvtIsOpenExec:
    case FieldId::kFdType:
    case FieldId::kFdTypechar:
    case FieldId::kFdL4proto:
    case FieldId::kFdSockfamily:
    case FieldId::kProcTty:
    case FieldId::kUserName:
    case FieldId::kGroupName:
    case FieldId::kContainerId:
    case FieldId::kContainerFullId:
    case FieldId::kContainerName:
    case FieldId::kContainerImage:
    case FieldId::kContainerImageRepo:
    case FieldId::kContainerImageTag:
    case FieldId::kContainerImageDigest:
    case FieldId::kK8sNsName:
    case FieldId::kK8sPodName:
    case FieldId::kThreadCapEffective:
    case FieldId::kThreadCapPermitted:
      return 0.5;
    default:
      break;
  }
  if (n.field.type == FieldType::kBool) return 0.5;
  switch (n.op) {
    case Op::kLt:
    case Op::kLe:
    case Op::kGt:
    case Op::kGe:
      return 0.5;
    default:
      break;
  }
  switch (n.field.id) {
    case FieldId::kProcName:
    case FieldId::kProcExe:
    case FieldId::kProcExepath:
    case FieldId::kProcPname:
    case FieldId::kProcPexe:
    case FieldId::kProcPexepath:
    case FieldId::kProcAname:
    case FieldId::kProcCwd:
    case FieldId::kUserUid:
    case FieldId::kGroupGid:
      return 0.1;
    default:
      return n.op == Op::kEq || n.op == Op::kIn ? 0.02 : 0.05;
  }
}

// Guard tests other rules of the type already use: free for one more rule.
using SharedTests = std::map<int, int>;  // memo id -> rules using it

// The guard `n` implies with the least expected work, nullopt when it implies none (a
// negation, an inequality, an ancestor walk). Tests in `shared` (but not only in `own`) cost
// nothing.
std::optional<GuardChoice> GuardOf(const Node& n, const SharedTests& shared,
                                   const std::set<int>& own) {
  switch (n.kind) {
    case Node::Kind::kCmp: {
      if (n.memo < 0 || n.field.index < 0 || n.op == Op::kNe || n.op == Op::kExists ||
          (n.op == Op::kNet && n.negate)) {
        return std::nullopt;
      }
      auto it = shared.find(n.memo);
      bool free = it != shared.end() && it->second > static_cast<int>(own.count(n.memo));
      return GuardChoice{{&n}, GuardPass(n), free ? 0 : Cost(n)};
    }
    case Node::Kind::kAnd: {
      std::optional<GuardChoice> best;
      for (const auto& k : n.kids) {
        std::optional<GuardChoice> g = GuardOf(*k, shared, own);
        if (g && (!best || g->Score() < best->Score())) best = std::move(g);
      }
      return best;
    }
    case Node::Kind::kOr: {
      GuardChoice all;
      all.pass = 0;
      for (const auto& k : n.kids) {
        std::optional<GuardChoice> g = GuardOf(*k, shared, own);
        if (!g) return std::nullopt;
        all.tests.insert(all.tests.end(), g->tests.begin(), g->tests.end());
        all.pass = std::min(1.0, all.pass + g->pass);
        all.cost += g->cost;
      }
      return all;
    }
    default:
      return std::nullopt;
  }
}

// Gives each candidate of `index` its guard (see GuardChoice). Each rule's guard is chosen
// alone first; then again with the tests other rules' first choices use counted as free, so
// rules converge on shared tests.
void BuildGuards(Engine::Impl::TypeIndex* index) {
  std::vector<std::optional<GuardChoice>> first;
  SharedTests uses;
  for (const Engine::Impl::Candidate& cand : index->rules) {
    first.push_back(GuardOf(*cand.root, {}, {}));
    if (!first.back()) continue;
    std::set<int> memos;
    for (const Node* t : first.back()->tests) memos.insert(t->memo);
    for (int m : memos) ++uses[m];
  }
  std::map<int, int> bit_of_memo;
  for (size_t r = 0; r < index->rules.size(); ++r) {
    if (!first[r]) continue;
    std::set<int> own;
    for (const Node* t : first[r]->tests) own.insert(t->memo);
    std::optional<GuardChoice> g = GuardOf(*index->rules[r].root, uses, own);
    if (!g || g->tests.empty()) continue;
    size_t added = 0;
    for (const Node* t : g->tests) added += bit_of_memo.count(t->memo) == 0;
    if (index->guards.size() + added > 64) continue;  // past 64 tests: no guard
    uint64_t bits = 0;
    for (const Node* t : g->tests) {
      auto [it, inserted] = bit_of_memo.emplace(t->memo, static_cast<int>(index->guards.size()));
      if (inserted) index->guards.push_back(t);
      bits |= uint64_t{1} << it->second;
    }
    index->rules[r].guard = bits;
  }
  std::map<int, size_t> field_of_slot;
  for (size_t i = 0; i < index->guards.size(); ++i) {
    const Node& t = *index->guards[i];
    uint64_t bit = uint64_t{1} << i;
    if (t.field_slot >= 0 && t.field.index >= 0) {
      auto [it, inserted] = field_of_slot.emplace(t.field_slot, index->fields.size());
      if (inserted) {
        index->fields.emplace_back();
        index->fields.back().field = t.field;
        index->fields.back().field_slot = t.field_slot;
      }
      if (index->fields[it->second].Add(t, bit)) {
        index->recorded.push_back({t.memo, bit});
        continue;
      }
    }
    index->single.push_back({&t, bit});
  }
  for (FieldGuards& f : index->fields) f.Finish();
  std::erase_if(index->fields,
                [](const FieldGuards& f) { return !f.strings && f.numbers.empty(); });
  index->masks = index->rules.size() <= 64;
  if (index->masks) {
    index->admits.assign(index->guards.size(), 0);
    for (size_t r = 0; r < index->rules.size(); ++r) {
      uint64_t guard = index->rules[r].guard;
      if (guard == 0) index->unguarded |= uint64_t{1} << r;
      for (size_t b = 0; b < index->guards.size(); ++b) {
        if (guard & (uint64_t{1} << b)) index->admits[b] |= uint64_t{1} << r;
      }
    }
  }
}

// Compiles loaded definitions; every problem goes to `diags`. With `stop`, returns at the
// first error.
std::unique_ptr<Engine::Impl> CompileAll(const LoadedFiles& files, const LoadOptions& options,
                                         bool stop, std::vector<Diagnostic>* diags,
                                         size_t* skipped) {
  auto impl = std::make_unique<Engine::Impl>();
  Compiler compiler(files, &impl->slots, &impl->memos, &impl->fields, !options.unoptimized);
  for (const auto& [name, err] : compiler.macro_errors()) {
    const auto& def = files.macros.at(name);
    diags->push_back(Diagnostic{Diagnostic::Level::kError, def.loc.file, def.loc.line,
                                fmt::format("macro '{}'", name),
                                fmt::format("condition: {}", err)});
    if (stop) return nullptr;
  }
  for (const RuleDef& rule : files.rules) {
    std::string item = fmt::format("rule '{}'", rule.name);
    auto warn = [&](std::string message) {
      diags->push_back(
          Diagnostic{options.strict ? Diagnostic::Level::kError : Diagnostic::Level::kWarning,
                     rule.loc.file, rule.loc.line, item, std::move(message)});
    };
    if (!rule.enabled || rule.priority > options.min_priority) {
      ++*skipped;
      continue;
    }
    if (rule.source != "syscall") {
      ++*skipped;
      warn(fmt::format("source '{}' is not supported by Vigil; rule skipped", rule.source));
      if (stop && options.strict) return nullptr;
      continue;
    }
    CompileIssue issue;
    std::vector<std::string> notes;
    StatusOr<std::unique_ptr<Node>> root = compiler.CompileRule(rule, &issue, &notes);
    CompiledRule cr;
    if (root.ok() && !compiler.CompileOutput(rule.output, &cr.output, &issue, &notes)) {
      root = InvalidArgumentError(issue.message);
    }
    if (!root.ok()) {
      bool unknown_field = issue.message.starts_with("unknown field");
      if (issue.unsupported || (unknown_field && rule.skip_if_unknown_filter)) {
        ++*skipped;
        warn(issue.message + "; rule skipped");
        if (stop && options.strict) return nullptr;
        continue;
      }
      diags->push_back(
          Diagnostic{Diagnostic::Level::kError, rule.loc.file, rule.loc.line, item, issue.message});
      if (stop) return nullptr;
      continue;
    }
    for (std::string& n : notes) warn(std::move(n));
    if (stop && options.strict && !notes.empty()) return nullptr;
    cr.root = std::move(*root);
    bool pure;
    TypeSet types = TypesOf(*cr.root, &pure);
    cr.info =
        RuleInfo{rule.name, rule.desc, rule.priority, rule.tags, {}, rule.loc.file, rule.loc.line};
    if (types.all()) {
      warn("the condition does not restrict evt.type: the rule runs on every event");
    } else {
      for (int c = 0; c < kEventTypeCodes; ++c) {
        if (types.test(c)) cr.info.event_types.emplace_back(EventTypeCodeName(c));
      }
    }
    impl->rules.push_back(std::move(cr));
  }
  impl->by_type.resize(kEventTypeCodes);
  for (uint32_t i = 0; i < impl->rules.size(); ++i) {
    bool pure;
    TypeSet types = TypesOf(*impl->rules[i].root, &pure);
    for (int c = 0; c < kEventTypeCodes; ++c) {
      if (options.unoptimized) {
        // Every rule on every type, its whole condition as compiled.
        impl->by_type[c].rules.push_back({i, impl->rules[i].root.get()});
        continue;
      }
      if (!types.test(c)) continue;
      std::unique_ptr<Node> root = Specialize(*impl->rules[i].root, c);
      if (root->kind == Node::Kind::kFalse) continue;
      impl->by_type[c].rules.push_back({i, root.get()});
      impl->specialized.push_back(std::move(root));
    }
    impl->infos.push_back(impl->rules[i].info);
  }
  if (!options.unoptimized) {
    for (Engine::Impl::TypeIndex& index : impl->by_type) BuildGuards(&index);
  }
  return impl;
}

StatusOr<std::vector<RuleSource>> ReadFiles(const std::vector<std::string>& paths) {
  std::vector<RuleSource> out;
  for (const std::string& p : paths) {
    std::ifstream in(p, std::ios::binary);
    if (!in) return NotFoundError(fmt::format("{}: cannot read: {}", p, std::strerror(errno)));
    std::ostringstream ss;
    ss << in.rdbuf();
    out.push_back(RuleSource{p, ss.str()});
  }
  return out;
}

}  // namespace

std::string Diagnostic::ToString() const {
  std::string s = file;
  if (line > 0) s += fmt::format(":{}", line);
  if (!s.empty()) s += ": ";
  if (level == Level::kWarning) s += "warning: ";
  if (!item.empty()) s += item + ": ";
  s += message;
  return s;
}

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Engine::~Engine() = default;

const std::vector<RuleInfo>& Engine::rules() const { return impl_->infos; }

StatusOr<std::shared_ptr<const Engine>> Engine::Load(const std::vector<RuleSource>& sources,
                                                     const LoadOptions& options,
                                                     std::vector<Diagnostic>* warnings) {
  LoadedFiles files;
  std::vector<Diagnostic> diags;
  internal::LoadRuleFiles(sources, options, true, &files, &diags);
  std::unique_ptr<Impl> impl;
  size_t skipped = 0;
  bool failed = false;
  for (const Diagnostic& d : diags) failed = failed || d.level == Diagnostic::Level::kError;
  if (!failed) impl = CompileAll(files, options, true, &diags, &skipped);
  for (const Diagnostic& d : diags) {
    if (d.level == Diagnostic::Level::kError) return InvalidArgumentError(d.ToString());
  }
  if (!impl) return InternalError("rule compilation failed without a message");
  if (warnings) warnings->insert(warnings->end(), diags.begin(), diags.end());
  return std::shared_ptr<const Engine>(new Engine(std::move(impl)));
}

StatusOr<std::shared_ptr<const Engine>> Engine::LoadFiles(const std::vector<std::string>& paths,
                                                          const LoadOptions& options,
                                                          std::vector<Diagnostic>* warnings) {
  VIGIL_ASSIGN_OR_RETURN(std::vector<RuleSource> sources, ReadFiles(paths));
  return Load(sources, options, warnings);
}

StatusOr<std::shared_ptr<const Engine>> Engine::LoadDefault(const LoadOptions& options,
                                                            std::vector<Diagnostic>* warnings) {
  return Load(DefaultRuleSources(), options, warnings);
}

std::vector<RuleSource> DefaultRuleSources() {
  std::vector<RuleSource> out;
  for (const auto& f : internal::EmbeddedRuleFiles()) {
    out.push_back(RuleSource{std::string(f.path), std::string(f.text)});
  }
  return out;
}

void Engine::Process(const runtime::Event& event, runtime::State* state,
                     const AlertSink& sink) const {
  // Most events are of types no rule tests: this part stays small (no register saves for
  // the evaluation below).
  uint64_t num = impl_->evt_num.fetch_add(1, std::memory_order_relaxed) + 1;
  int code = EventTypeCode(event);
  if (code < 0) return;
  const Impl::TypeIndex& index = impl_->by_type[code];
  if (index.rules.empty()) return;
  impl_->Run(index, event, state, sink, num);
}

void Engine::Impl::Run(const TypeIndex& index, const runtime::Event& event, runtime::State* state,
                       const AlertSink& sink, uint64_t num) const {
  const Impl* impl_ = this;
  Scratch& sc = ThreadScratch();
  if (sc.slots.size() < static_cast<size_t>(impl_->slots)) sc.slots.resize(impl_->slots);
  if (sc.memo_gen.size() < static_cast<size_t>(impl_->memos)) {
    sc.memo_gen.resize(impl_->memos, 0);
    sc.memo_value.resize(impl_->memos, 0);
  }
  if (sc.fields.size() < static_cast<size_t>(impl_->fields)) sc.fields.resize(impl_->fields);
  ++sc.gen;  // invalidates every memo and cached field of the previous event (on any engine)
  sc.ctx.Reset(&event, state, num);
  uint64_t held = 0;  // the guard tests that hold
  for (const FieldGuards& f : index.fields) {
    held |= f.Match(FieldValue(f.field, f.field_slot, 0, sc), sc);
  }
  for (const auto& [test, bit] : index.single) {
    if (EvalCompareMemo(*test, sc)) held |= bit;
  }
  uint64_t admitted = 0;
  if (index.masks) {
    admitted = index.unguarded;
    for (uint64_t h = held; h != 0; h &= h - 1) admitted |= index.admits[std::countr_zero(h)];
    if (admitted == 0) return;
  }
  // The grouped tests' results, for the conditions that test them again.
  for (const auto& [memo, bit] : index.recorded) {
    sc.memo_gen[memo] = sc.gen;
    sc.memo_value[memo] = (held & bit) != 0;
  }
  // Output formatting happens only here, for a rule whose condition held.
  auto consider = [&](const Impl::Candidate& cand) {
    if (!Eval(*cand.root, event, sc)) return;
    const CompiledRule& rule = impl_->rules[cand.rule];
    Alert alert;
    alert.rule = rule.info.name;
    alert.priority = rule.info.priority;
    alert.tags = rule.info.tags;
    alert.time = std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::nanoseconds(event.ts_ns)));
    std::string buf;
    for (const OutputPiece& p : rule.output) {
      if (!p.is_field) {
        alert.output += p.literal;
        continue;
      }
      std::string_view v = "<NA>";
      if (p.supported) {
        Value val =
            p.field.index < 0 ? sc.ctx.Ancestor(p.field.id, 1, &buf) : sc.ctx.Get(p.field, &buf);
        v = EvalContext::Render(p.field, val, &buf);
      }
      alert.output.append(v);
      alert.output_fields[p.field.text] = report::FieldValue::Str(std::string(v));
    }
    sink(alert);
  };
  if (index.masks) {
    for (uint64_t a = admitted; a != 0; a &= a - 1) consider(index.rules[std::countr_zero(a)]);
    return;
  }
  for (const Impl::Candidate& cand : index.rules) {
    if (cand.guard == 0 || (cand.guard & held) != 0) consider(cand);
  }
}

bool CheckReport::ok() const {
  for (const Diagnostic& d : diagnostics) {
    if (d.level == Diagnostic::Level::kError) return false;
  }
  return true;
}

std::string CheckReport::ToString() const {
  std::string s;
  size_t errors = 0, warnings = 0;
  for (const Diagnostic& d : diagnostics) {
    s += d.ToString() + "\n";
    (d.level == Diagnostic::Level::kError ? errors : warnings)++;
  }
  s += fmt::format("{} rules loaded, {} skipped, {} errors, {} warnings\n", rules_loaded,
                   rules_skipped, errors, warnings);
  return s;
}

CheckReport CheckSources(const std::vector<RuleSource>& sources, const LoadOptions& options) {
  CheckReport report;
  LoadedFiles files;
  internal::LoadRuleFiles(sources, options, false, &files, &report.diagnostics);
  std::unique_ptr<Engine::Impl> impl =
      CompileAll(files, options, false, &report.diagnostics, &report.rules_skipped);
  if (impl) report.rules_loaded = impl->rules.size();
  return report;
}

CheckReport CheckFiles(const std::vector<std::string>& paths, bool with_defaults,
                       const LoadOptions& options) {
  std::vector<RuleSource> sources;
  if (with_defaults) sources = DefaultRuleSources();
  StatusOr<std::vector<RuleSource>> read = ReadFiles(paths);
  if (!read.ok()) {
    CheckReport report;
    report.diagnostics.push_back(
        Diagnostic{Diagnostic::Level::kError, "", 0, "", read.status().message()});
    return report;
  }
  sources.insert(sources.end(), read->begin(), read->end());
  return CheckSources(sources, options);
}

}  // namespace vigil::rules
