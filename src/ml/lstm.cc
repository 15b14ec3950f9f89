#include "ml/lstm.h"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <set>
#include <type_traits>
#include <utility>

#include "ml/codec.h"
#include "ml/model_checks.h"
#include "ml/models.h"
#include "ml/ngram.h"

namespace vigil::ml {
namespace {

using Mat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic>;
using Vec = Eigen::Matrix<float, Eigen::Dynamic, 1>;

// Input tokens: the start of a thread, a call never seen in training, then one per softmax
// class (the training calls in increasing order).
constexpr int kStart = 0;
constexpr int kUnseen = 1;
constexpr int kFirstCall = 2;

// Where each parameter block lives in the flat weight vector (column-major matrices):
// embedding E x (V+2), input weights 4H x E, recurrent weights 4H x H, gate bias 4H, output
// weights V x H, output bias V. Gate rows: input, forget, cell, output (H each).
struct Layout {
  Layout(int v, int e, int h) : V(v), E(e), H(h) {
    emb = 0;
    wx = emb + size_t(E) * size_t(V + 2);
    wh = wx + size_t(4 * H) * size_t(E);
    b = wh + size_t(4 * H) * size_t(H);
    wo = b + size_t(4 * H);
    bo = wo + size_t(V) * size_t(H);
    total = bo + size_t(V);
  }
  int V, E, H;
  size_t emb, wx, wh, b, wo, bo, total;
};

// Matrix views of a flat parameter (or gradient) vector.
template <typename M>
struct Views {
  using Pointer = std::conditional_t<std::is_const_v<M>, const float*, float*>;
  Views(Pointer base, const Layout& l)
      : emb(base + l.emb, l.E, l.V + 2),
        wx(base + l.wx, 4 * l.H, l.E),
        wh(base + l.wh, 4 * l.H, l.H),
        b(base + l.b, 4 * l.H, 1),
        wo(base + l.wo, l.V, l.H),
        bo(base + l.bo, l.V, 1) {}
  Eigen::Map<M> emb, wx, wh, b, wo, bo;
};
using MutableViews = Views<Mat>;

// Deterministic on every platform (std distributions are not): SplitMix64.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t Next() {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }  // [0, 1)
  uint64_t Below(uint64_t n) { return Next() % n; }

 private:
  uint64_t s_;
};

// sigmoid(x) = (1 + tanh(x / 2)) / 2: Eigen vectorises tanh.
template <typename X>
auto Sigmoid(const X& x) {
  return (x * 0.5f).tanh() * 0.5f + 0.5f;
}

// One training step of the network over a chunk: inputs, targets and weights for
// `steps` x `lanes` positions (column t * lanes + j).
class Trainer {
 public:
  Trainer(const Layout& l, int lanes, int bptt)
      : l_(l), B_(lanes), H_(l.H), cols_(size_t(lanes) * size_t(bptt)) {
    x_.resize(l.E, cols_);
    zx_.resize(4 * H_, cols_);
    gates_.resize(4 * H_, cols_);
    hp_.resize(H_, cols_);
    cp_.resize(H_, cols_);
    tc_.resize(H_, cols_);
    hs_.resize(H_, cols_);
    logits_.resize(l.V, cols_);
    dhout_.resize(H_, cols_);
    dz_.resize(4 * H_, cols_);
    dx_.resize(l.E, cols_);
    h_ = Mat::Zero(H_, B_);
    c_ = Mat::Zero(H_, B_);
    dh_.resize(H_, B_);
    dc_.resize(H_, B_);
  }

  void ResetState() {
    h_.setZero();
    c_.setZero();
  }

  // Forward and backward over `steps` steps; adds the gradient of the chunk's weighted mean
  // loss to `grad` (zeroed by the caller) and returns the chunk's weighted loss sum.
  double Step(const float* weights, float* grad, const std::vector<int>& tok,
              const std::vector<int>& tgt, const std::vector<float>& w, double wsum, int steps) {
    Views<const Mat> W(weights, l_);
    MutableViews G(grad, l_);
    const Eigen::Index n = Eigen::Index(steps) * B_;
    auto x = x_.leftCols(n);
    for (Eigen::Index k = 0; k < n; ++k) x.col(k) = W.emb.col(tok[k]);
    zx_.leftCols(n).noalias() = W.wx * x;
    zx_.leftCols(n).colwise() += W.b.col(0);

    // Forward through time.
    for (int t = 0; t < steps; ++t) {
      const Eigen::Index s = Eigen::Index(t) * B_;
      auto hp = hp_.middleCols(s, B_);
      auto cp = cp_.middleCols(s, B_);
      hp = h_;
      cp = c_;
      for (int j = 0; j < B_; ++j) {
        if (tok[s + j] == kStart) {
          hp.col(j).setZero();
          cp.col(j).setZero();
        }
      }
      auto z = gates_.middleCols(s, B_);
      z.noalias() = W.wh * hp;
      z += zx_.middleCols(s, B_);
      z.topRows(2 * H_) = Sigmoid(z.topRows(2 * H_).array()).matrix();
      z.middleRows(2 * H_, H_) = z.middleRows(2 * H_, H_).array().tanh().matrix();
      z.bottomRows(H_) = Sigmoid(z.bottomRows(H_).array()).matrix();
      c_ = (z.middleRows(H_, H_).array() * cp.array() +
            z.topRows(H_).array() * z.middleRows(2 * H_, H_).array())
               .matrix();
      auto tc = tc_.middleCols(s, B_);
      tc = c_.array().tanh().matrix();
      h_ = (z.bottomRows(H_).array() * tc.array()).matrix();
      hs_.middleCols(s, B_) = h_;
    }

    // Output layer and loss over the whole chunk at once.
    auto logits = logits_.leftCols(n);
    logits.noalias() = W.wo * hs_.leftCols(n);
    logits.colwise() += W.bo.col(0);
    double loss = 0;
    const float inv = static_cast<float>(1.0 / wsum);
    for (Eigen::Index k = 0; k < n; ++k) {
      auto col = logits.col(k);
      if (w[k] == 0) {
        col.setZero();
        continue;
      }
      const float m = col.maxCoeff();
      col = (col.array() - m).exp().matrix();
      const float sum = col.sum();
      loss += double(w[k]) * (std::log(double(sum)) - std::log(double(col(tgt[k]))));
      col *= w[k] * inv / sum;
      col(tgt[k]) -= w[k] * inv;
    }
    // `logits` now holds d loss / d logits.
    G.wo.noalias() += logits * hs_.leftCols(n).transpose();
    G.bo.col(0) += logits.rowwise().sum();
    dhout_.leftCols(n).noalias() = W.wo.transpose() * logits;

    // Backward through time; the gradient stops at the chunk's start (truncated BPTT) and at
    // every thread start (the state was reset there).
    dh_.setZero();
    dc_.setZero();
    for (int t = steps - 1; t >= 0; --t) {
      const Eigen::Index s = Eigen::Index(t) * B_;
      dh_ += dhout_.middleCols(s, B_);
      auto z = gates_.middleCols(s, B_);
      auto i = z.topRows(H_).array();
      auto f = z.middleRows(H_, H_).array();
      auto g = z.middleRows(2 * H_, H_).array();
      auto o = z.bottomRows(H_).array();
      auto tc = tc_.middleCols(s, B_).array();
      auto cp = cp_.middleCols(s, B_).array();
      auto dz = dz_.middleCols(s, B_);
      dc_.array() += dh_.array() * o * (1.0f - tc.square());
      dz.bottomRows(H_) = (dh_.array() * tc * o * (1.0f - o)).matrix();
      dz.topRows(H_) = (dc_.array() * g * i * (1.0f - i)).matrix();
      dz.middleRows(2 * H_, H_) = (dc_.array() * i * (1.0f - g.square())).matrix();
      dz.middleRows(H_, H_) = (dc_.array() * cp * f * (1.0f - f)).matrix();
      dc_.array() *= f;
      dh_.noalias() = W.wh.transpose() * dz;
      for (int j = 0; j < B_; ++j) {
        if (tok[s + j] == kStart) {
          dh_.col(j).setZero();
          dc_.col(j).setZero();
        }
      }
    }
    auto dz = dz_.leftCols(n);
    G.wh.noalias() += dz * hp_.leftCols(n).transpose();
    G.wx.noalias() += dz * x.transpose();
    G.b.col(0) += dz.rowwise().sum();
    dx_.leftCols(n).noalias() = W.wx.transpose() * dz;
    for (Eigen::Index k = 0; k < n; ++k) G.emb.col(tok[k]) += dx_.col(k);
    return loss;
  }

 private:
  Layout l_;
  int B_, H_;
  size_t cols_;
  Mat x_, zx_, gates_, hp_, cp_, tc_, hs_, logits_, dhout_, dz_, dx_;
  Mat h_, c_, dh_, dc_;
};

// Adam (Kingma & Ba) with the usual constants.
class Adam {
 public:
  Adam(size_t n, double lr)
      : lr_(lr), m_(Vec::Zero(Eigen::Index(n))), v_(Vec::Zero(Eigen::Index(n))) {}
  void Update(float* weights, const float* grad, size_t n) {
    constexpr double kB1 = 0.9, kB2 = 0.999;
    constexpr float kEps = 1e-8f;
    ++t_;
    const double p1 = 1 - std::pow(kB1, double(t_));
    const double p2 = 1 - std::pow(kB2, double(t_));
    const float step = static_cast<float>(lr_ * std::sqrt(p2) / p1);
    Eigen::Map<Vec> w(weights, Eigen::Index(n));
    Eigen::Map<const Vec> g(grad, Eigen::Index(n));
    m_ = float(kB1) * m_ + float(1 - kB1) * g;
    v_ = float(kB2) * v_ + float(1 - kB2) * g.cwiseAbs2();
    w.array() -= step * m_.array() / (v_.array().sqrt() + kEps);
  }

 private:
  double lr_;
  Vec m_, v_;
  uint64_t t_ = 0;
};

const char* AggregateName(LstmModel::Aggregate a) {
  switch (a) {
    case LstmModel::Aggregate::kMean:
      return "mean";
    case LstmModel::Aggregate::kMax:
      return "max";
    case LstmModel::Aggregate::kTop:
      return "top";
    case LstmModel::Aggregate::kWindow:
      return "window";
  }
  return "mean";
}

std::string FormatDouble(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string FormatProbability(double p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, p >= 0.001 ? "%.4f" : "%.2g", p);
  return buf;
}

// total + length * times, saturating at UINT64_MAX (counts of merged replicas add up).
uint64_t SaturatingAdd(uint64_t total, uint64_t length, uint64_t times) {
  if (length != 0 && times > (UINT64_MAX - total) / length) return UINT64_MAX;
  return total + length * times;
}

uint32_t FloatBits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

float BitsFloat(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

}  // namespace

StatusOr<std::unique_ptr<LstmModel>> LstmModel::Create(const ModelOptions& options) {
  Params p;
  VIGIL_ASSIGN_OR_RETURN(int64_t hidden, options.Int("hidden", p.hidden, 1, 512));
  VIGIL_ASSIGN_OR_RETURN(int64_t embed, options.Int("embed", p.embed, 1, 256));
  VIGIL_ASSIGN_OR_RETURN(int64_t epochs, options.Int("epochs", p.epochs, 0, 1000));
  VIGIL_ASSIGN_OR_RETURN(int64_t nets, options.Int("nets", p.nets, 1, 16));
  VIGIL_ASSIGN_OR_RETURN(int64_t batch, options.Int("batch", p.batch, 1, 1024));
  VIGIL_ASSIGN_OR_RETURN(int64_t bptt, options.Int("bptt", p.bptt, 1, 4096));
  VIGIL_ASSIGN_OR_RETURN(p.lr, options.Double("lr", p.lr, 1e-6, 1.0));
  VIGIL_ASSIGN_OR_RETURN(p.clip, options.Double("clip", p.clip, 0, 1e6));
  VIGIL_ASSIGN_OR_RETURN(int64_t seed, options.Int("seed", 1, 0, INT64_MAX));
  VIGIL_ASSIGN_OR_RETURN(std::string score, options.String("score", "mean"));
  VIGIL_ASSIGN_OR_RETURN(int64_t top, options.Int("top", p.top, 1, 100));
  VIGIL_ASSIGN_OR_RETURN(int64_t window, options.Int("window", p.window, 1, 1 << 20));
  VIGIL_ASSIGN_OR_RETURN(int64_t max_calls,
                         options.Int("max_calls", int64_t(p.max_calls), 1, int64_t{1} << 31));
  VIGIL_RETURN_IF_ERROR(options.CheckAllUsed("lstm"));
  if (score == "mean") {
    p.aggregate = Aggregate::kMean;
  } else if (score == "max") {
    p.aggregate = Aggregate::kMax;
  } else if (score == "top") {
    p.aggregate = Aggregate::kTop;
  } else if (score == "window") {
    p.aggregate = Aggregate::kWindow;
  } else {
    return InvalidArgumentError("lstm: option score: '" + score +
                                "' is not one of mean, max, top, window");
  }
  p.hidden = int(hidden);
  p.embed = int(embed);
  p.epochs = int(epochs);
  p.nets = int(nets);
  p.batch = int(batch);
  p.bptt = int(bptt);
  p.seed = uint64_t(seed);
  p.top = int(top);
  p.window = int(window);
  p.max_calls = uint64_t(max_calls);
  return std::unique_ptr<LstmModel>(new LstmModel(p));
}

StatusOr<std::unique_ptr<Model>> NewLstmModel(const ModelOptions& options) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<LstmModel> m, LstmModel::Create(options));
  return std::unique_ptr<Model>(std::move(m));
}

ModelOptions LstmModel::options() const {
  return ModelOptions({{"hidden", std::to_string(p_.hidden)},
                       {"embed", std::to_string(p_.embed)},
                       {"epochs", std::to_string(p_.epochs)},
                       {"nets", std::to_string(p_.nets)},
                       {"batch", std::to_string(p_.batch)},
                       {"bptt", std::to_string(p_.bptt)},
                       {"lr", FormatDouble(p_.lr)},
                       {"clip", FormatDouble(p_.clip)},
                       {"seed", std::to_string(p_.seed)},
                       {"score", AggregateName(p_.aggregate)},
                       {"top", std::to_string(p_.top)},
                       {"window", std::to_string(p_.window)},
                       {"max_calls", std::to_string(p_.max_calls)}});
}

Status LstmModel::Add(std::vector<uint16_t> calls, uint64_t count, std::string_view what) {
  if (calls.empty() || count == 0) return OkStatus();
  auto it = sequences_.find(calls);
  if (it != sequences_.end()) {
    it->second += count;
  } else {
    if (stored_calls_ + calls.size() > p_.max_calls) {
      return ResourceExhaustedError(
          "lstm: " + std::string(what) + " would store " +
          std::to_string(stored_calls_ + calls.size()) +
          " distinct calls, more than max_calls=" + std::to_string(p_.max_calls));
    }
    stored_calls_ += calls.size();
    it = sequences_.emplace(std::move(calls), count).first;
  }
  total_calls_ = SaturatingAdd(total_calls_, it->first.size(), count);
  return OkStatus();
}

Status LstmModel::Learn(const Trace& trace) {
  VIGIL_RETURN_IF_ERROR(CheckLearnTable("lstm", learned_, table_, trace));
  table_ = trace.table;
  learned_ = true;
  prepared_ = false;
  trained_ = false;
  if (SingleThread(trace)) return Add(trace.calls, 1, "trace " + trace.id);
  ThreadSplit split = SplitThreads(trace);
  for (const std::vector<size_t>& idx : split.index) {
    std::vector<uint16_t> calls;
    calls.reserve(idx.size());
    for (size_t p : idx) calls.push_back(trace.calls[p]);
    VIGIL_RETURN_IF_ERROR(Add(std::move(calls), 1, "trace " + trace.id));
  }
  return OkStatus();
}

Status LstmModel::Merge(const Model& other_model) {
  VIGIL_ASSIGN_OR_RETURN(const LstmModel* other, MergeSource<LstmModel>("lstm", other_model));
  if (other->options().values() != options().values()) {
    return InvalidArgumentError("lstm: cannot merge a model with other options");
  }
  if (!other->learned_) return OkStatus();
  VIGIL_RETURN_IF_ERROR(CheckMergeTable("lstm", learned_, table_, other->table_));
  table_ = other->table_;
  learned_ = true;
  prepared_ = false;
  trained_ = false;
  for (const auto& [calls, count] : other->sequences_) {
    VIGIL_RETURN_IF_ERROR(Add(calls, count, "merge"));
  }
  return OkStatus();
}

Status LstmModel::Prepare() {
  if (!learned_ || sequences_.empty()) return FailedPreconditionError("lstm: nothing learned");
  if (!trained_) Train();
  BuildScoringTables();
  prepared_ = true;
  return OkStatus();
}

void LstmModel::Train() {
  // The vocabulary: every call of the stored sequences, in increasing order.
  std::vector<bool> seen(size_t(kMaxSyscall) + 1, false);
  for (const auto& [calls, count] : sequences_) {
    for (uint16_t c : calls) seen[c] = true;
  }
  vocab_.clear();
  std::vector<int> cls(size_t(kMaxSyscall) + 1, -1);
  for (size_t c = 0; c <= kMaxSyscall; ++c) {
    if (seen[c]) {
      cls[c] = int(vocab_.size());
      vocab_.push_back(uint16_t(c));
    }
  }
  const Layout l(int(vocab_.size()), p_.embed, p_.hidden);
  weights_.assign(l.total * size_t(p_.nets), 0.0f);
  epoch_loss_.assign(size_t(p_.epochs), 0.0);
  for (int net = 0; net < p_.nets; ++net) {
    TrainNet(cls, p_.seed + uint64_t(net), weights_.data() + size_t(net) * l.total);
  }
  trained_ = true;
}

void LstmModel::TrainNet(const std::vector<int>& cls, uint64_t seed, float* weights) {
  const Layout l(int(vocab_.size()), p_.embed, p_.hidden);
  Rng rng(seed);
  for (size_t k = 0; k < l.total; ++k) {
    weights[k] = static_cast<float>((rng.Uniform() * 2 - 1) * 0.1);
  }
  {
    MutableViews W(weights, l);
    W.b.setZero();
    W.b.middleRows(l.H, l.H).setConstant(1.0f);  // forget gate: remember by default
    W.bo.setZero();
  }

  std::vector<std::pair<const std::vector<uint16_t>*, uint64_t>> seqs;
  seqs.reserve(sequences_.size());
  for (const auto& [calls, count] : sequences_) seqs.emplace_back(&calls, count);

  const int B = p_.batch, T = p_.bptt;
  Trainer trainer(l, B, T);
  Adam adam(l.total, p_.lr);
  std::vector<float> grad(l.total);
  std::vector<uint32_t> order(seqs.size());
  std::vector<uint64_t> lane_len(static_cast<size_t>(B));
  // Per lane: the flat stream of (input token, target class, weight).
  std::vector<std::vector<int>> lane_tok(static_cast<size_t>(B)), lane_tgt(static_cast<size_t>(B));
  std::vector<std::vector<float>> lane_w(static_cast<size_t>(B));
  std::vector<int> tok(static_cast<size_t>(B) * static_cast<size_t>(T)), tgt(tok.size());
  std::vector<float> w(tok.size());
  for (int epoch = 0; epoch < p_.epochs; ++epoch) {
    std::iota(order.begin(), order.end(), 0u);
    for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.Below(i)]);
    for (int j = 0; j < B; ++j) {
      lane_tok[j].clear();
      lane_tgt[j].clear();
      lane_w[j].clear();
      lane_len[j] = 0;
    }
    for (uint32_t s : order) {
      const int j = int(std::min_element(lane_len.begin(), lane_len.end()) - lane_len.begin());
      const std::vector<uint16_t>& calls = *seqs[s].first;
      const float weight = static_cast<float>(seqs[s].second);
      for (size_t i = 0; i < calls.size(); ++i) {
        lane_tok[j].push_back(i == 0 ? kStart : kFirstCall + cls[calls[i - 1]]);
        lane_tgt[j].push_back(cls[calls[i]]);
        lane_w[j].push_back(weight);
      }
      lane_len[j] += calls.size();
    }
    const uint64_t longest = *std::max_element(lane_len.begin(), lane_len.end());
    trainer.ResetState();
    double epoch_loss = 0, epoch_weight = 0;
    for (uint64_t start = 0; start < longest; start += uint64_t(T)) {
      const int steps = int(std::min<uint64_t>(uint64_t(T), longest - start));
      double wsum = 0;
      for (int t = 0; t < steps; ++t) {
        for (int j = 0; j < B; ++j) {
          const size_t k = size_t(t) * size_t(B) + size_t(j);
          const uint64_t pos = start + uint64_t(t);
          if (pos < lane_len[j]) {
            tok[k] = lane_tok[j][pos];
            tgt[k] = lane_tgt[j][pos];
            w[k] = lane_w[j][pos];
            wsum += w[k];
          } else {  // past the lane's end: reset, no loss
            tok[k] = kStart;
            tgt[k] = 0;
            w[k] = 0;
          }
        }
      }
      std::fill(grad.begin(), grad.end(), 0.0f);
      epoch_loss += trainer.Step(weights, grad.data(), tok, tgt, w, wsum, steps);
      epoch_weight += wsum;
      if (p_.clip > 0) {
        double norm2 = 0;
        for (float g : grad) norm2 += double(g) * double(g);
        if (norm2 > p_.clip * p_.clip) {
          const float scale = static_cast<float>(p_.clip / std::sqrt(norm2));
          for (float& g : grad) g *= scale;
        }
      }
      adam.Update(weights, grad.data(), l.total);
    }
    if (epoch_weight > 0) epoch_loss_[size_t(epoch)] += epoch_loss / epoch_weight / p_.nets;
  }
}

void LstmModel::BuildScoringTables() {
  const Layout l(int(vocab_.size()), p_.embed, p_.hidden);
  class_of_.assign(size_t(kMaxSyscall) + 1, -1);
  for (size_t k = 0; k < vocab_.size(); ++k) class_of_[vocab_[k]] = int16_t(k);
  const size_t table = size_t(4 * l.H) * size_t(l.V + 2);
  gate_in_.resize(table * size_t(p_.nets));
  for (int net = 0; net < p_.nets; ++net) {
    Views<const Mat> W(weights_.data() + size_t(net) * l.total, l);
    Eigen::Map<Mat> gin(gate_in_.data() + size_t(net) * table, 4 * l.H, l.V + 2);
    gin.noalias() = W.wx * W.emb;
    gin.colwise() += W.b.col(0);
  }
  ceiling_ = static_cast<float>(std::log(double(total_calls_) + 1.0));
}

void LstmModel::ThreadSurprisals(const uint16_t* calls, size_t n, float* out) const {
  if (p_.nets == 1) {
    NetSurprisals(0, calls, n, out);
    return;
  }
  // The mixture of the networks: p = the mean of their probabilities.
  std::vector<double> p(n, 0.0);
  std::vector<float> s(n);
  for (int net = 0; net < p_.nets; ++net) {
    NetSurprisals(net, calls, n, s.data());
    for (size_t i = 0; i < n; ++i) p[i] += std::exp(-double(s[i]));
  }
  for (size_t i = 0; i < n; ++i) {
    out[i] = std::min(static_cast<float>(-std::log(p[i] / p_.nets)), ceiling_);
  }
}

void LstmModel::NetSurprisals(int net, const uint16_t* calls, size_t n, float* out) const {
  const Layout l(int(vocab_.size()), p_.embed, p_.hidden);
  Views<const Mat> W(weights_.data() + size_t(net) * l.total, l);
  Eigen::Map<const Mat> gin(gate_in_.data() + size_t(net) * size_t(4 * l.H) * size_t(l.V + 2),
                            4 * l.H, l.V + 2);
  const int H = l.H;
  Vec h = Vec::Zero(H), c = Vec::Zero(H), z(4 * H), logits(l.V);
  int tok = kStart;
  for (size_t i = 0; i < n; ++i) {
    z.noalias() = W.wh * h;
    z += gin.col(tok);
    auto ig = Sigmoid(z.head(H).array());
    auto fg = Sigmoid(z.segment(H, H).array());
    auto gg = z.segment(2 * H, H).array().tanh();
    auto og = Sigmoid(z.tail(H).array());
    c = (fg * c.array() + ig * gg).matrix();
    h = (og * c.array().tanh()).matrix();
    const int cls = calls[i] <= kMaxSyscall ? class_of_[calls[i]] : -1;
    if (cls < 0) {
      out[i] = ceiling_;
      tok = kUnseen;
      continue;
    }
    logits.noalias() = W.wo * h;
    logits += W.bo;
    const float m = logits.maxCoeff();
    const float lse = m + std::log((logits.array() - m).exp().sum());
    out[i] = std::min(lse - logits(cls), ceiling_);
    tok = kFirstCall + cls;
  }
}

void LstmModel::Surprisals(const Trace& trace, std::vector<float>* out) const {
  out->assign(trace.calls.size(), 0.0f);
  if (!prepared_) return;
  if (learned_ && trace.table != table_) {
    std::fill(out->begin(), out->end(), ceiling_);
    return;
  }
  if (SingleThread(trace)) {
    ThreadSurprisals(trace.calls.data(), trace.calls.size(), out->data());
    return;
  }
  ThreadSplit split = SplitThreads(trace);
  std::vector<uint16_t> calls;
  std::vector<float> s;
  for (const std::vector<size_t>& idx : split.index) {
    calls.clear();
    for (size_t p : idx) calls.push_back(trace.calls[p]);
    s.resize(calls.size());
    ThreadSurprisals(calls.data(), calls.size(), s.data());
    for (size_t j = 0; j < idx.size(); ++j) (*out)[idx[j]] = s[j];
  }
}

void LstmModel::ScoreEvents(const Trace& trace, std::vector<float>* out) const {
  Surprisals(trace, out);
}

Score LstmModel::ScoreTrace(const Trace& trace, const ScoreOptions& options) const {
  Score score;
  if (learned_ && trace.table != table_) {
    score.value = ceiling_;
    score.reasons.push_back(TableMismatch(trace.table, table_, ceiling_));
    return score;
  }
  if (trace.calls.empty() || !prepared_) return score;
  std::vector<float> s;
  Surprisals(trace, &s);
  const size_t n = s.size();
  const bool single = SingleThread(trace);
  ThreadSplit split;
  if (!single) split = SplitThreads(trace);
  switch (p_.aggregate) {
    case Aggregate::kMean: {
      double sum = 0;
      for (float v : s) sum += v;
      score.value = sum / double(n);
      break;
    }
    case Aggregate::kMax:
      score.value = *std::max_element(s.begin(), s.end());
      break;
    case Aggregate::kTop: {
      std::vector<float> v = s;
      const size_t k = std::max<size_t>(1, (n * size_t(p_.top) + 99) / 100);
      std::nth_element(v.begin(), v.begin() + ptrdiff_t(k - 1), v.end(), std::greater<float>());
      double sum = 0;
      for (size_t i = 0; i < k; ++i) sum += v[i];
      score.value = sum / double(k);
      break;
    }
    case Aggregate::kWindow: {
      auto thread_max = [&](const std::vector<float>& t) {
        const size_t win = std::min<size_t>(size_t(p_.window), t.size());
        double sum = 0, best = 0;
        for (size_t i = 0; i < t.size(); ++i) {
          sum += t[i];
          if (i >= win) sum -= t[i - win];
          if (i + 1 >= win) best = std::max(best, sum / double(win));
        }
        return best;
      };
      if (single) {
        score.value = thread_max(s);
      } else {
        std::vector<float> t;
        for (const std::vector<size_t>& idx : split.index) {
          t.clear();
          for (size_t p : idx) t.push_back(s[p]);
          score.value = std::max(score.value, thread_max(t));
        }
      }
      break;
    }
  }
  if (options.max_reasons == 0) return score;
  // Reasons: the most surprising calls, earliest first on ties, with up to 3 calls before each
  // in its thread.
  std::vector<size_t> prev(n);
  if (single) {
    for (size_t i = 0; i < n; ++i) prev[i] = i == 0 ? SIZE_MAX : i - 1;
  } else {
    for (const std::vector<size_t>& idx : split.index) {
      for (size_t j = 0; j < idx.size(); ++j) prev[idx[j]] = j == 0 ? SIZE_MAX : idx[j - 1];
    }
  }
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  const size_t k = std::min(n, options.max_reasons);
  std::partial_sort(order.begin(), order.begin() + ptrdiff_t(k), order.end(),
                    [&](size_t a, size_t b) { return s[a] != s[b] ? s[a] > s[b] : a < b; });
  for (size_t r = 0; r < k; ++r) {
    const size_t i = order[r];
    std::vector<size_t> ctx;
    for (size_t q = prev[i]; q != SIZE_MAX && ctx.size() < 3; q = prev[q]) ctx.push_back(q);
    std::string context;
    for (auto it = ctx.rbegin(); it != ctx.rend(); ++it) {
      if (!context.empty()) context += ',';
      context += CallName(trace.table, trace.calls[*it]);
    }
    const uint16_t call = trace.calls[i];
    const bool unseen = call > kMaxSyscall || class_of_[call] < 0;
    std::string detail = unseen ? "call never seen in training: " : "improbable ";
    detail += CallName(trace.table, call);
    detail += context.empty() ? " at a thread start" : " after " + context;
    if (!unseen) detail += " (p=" + FormatProbability(std::exp(-double(s[i]))) + ")";
    detail += " at call " + std::to_string(i);
    if (!single) detail += ", tid " + std::to_string(trace.tids[i]);
    score.reasons.push_back({"sequence", std::move(detail), double(s[i]) / double(n), i});
  }
  return score;
}

std::string LstmModel::SaveBody() const {
  ByteWriter out;
  WriteBodyHeader(out, kBodyVersion, table_);
  out.U8(learned_ ? 1 : 0);
  WriteSequenceCounts(out, sequences_);
  out.U8(trained_ ? 1 : 0);
  if (trained_) {
    out.Varint(uint64_t(p_.hidden));
    out.Varint(uint64_t(p_.embed));
    out.Varint(vocab_.size());
    for (uint16_t c : vocab_) out.Varint(c);
    out.Varint(weights_.size());
    for (float f : weights_) out.U32(FloatBits(f));
  }
  return out.Take();
}

Status LstmModel::LoadBody(std::string_view body) {
  ByteReader in(body, "lstm body");
  VIGIL_ASSIGN_OR_RETURN(SyscallTable table, ReadBodyHeader(in, kBodyVersion));
  VIGIL_ASSIGN_OR_RETURN(uint64_t learned, in.Bounded("learned flag", 0, 1));
  uint64_t stored = 0;
  VIGIL_ASSIGN_OR_RETURN(SequenceCounts sequences, ReadSequenceCounts(in, p_.max_calls, &stored));
  uint64_t total = 0;
  std::vector<bool> seen(size_t(kMaxSyscall) + 1, false);
  for (const auto& [calls, times] : sequences) {
    total = SaturatingAdd(total, calls.size(), times);
    for (uint16_t c : calls) seen[c] = true;
  }
  if (learned == 0 && !sequences.empty()) {
    return in.Error("learned flag", "sequences in an empty model");
  }
  VIGIL_ASSIGN_OR_RETURN(uint64_t trained, in.Bounded("trained flag", 0, 1));
  std::vector<uint16_t> vocab;
  std::vector<float> weights;
  if (trained != 0) {
    if (sequences.empty()) return in.Error("trained flag", "weights without training sequences");
    VIGIL_ASSIGN_OR_RETURN(uint64_t hidden, in.Varint("hidden"));
    if (hidden != uint64_t(p_.hidden)) {
      return in.Error("hidden", "the network has hidden=" + std::to_string(hidden) +
                                    ", the options say hidden=" + std::to_string(p_.hidden));
    }
    VIGIL_ASSIGN_OR_RETURN(uint64_t embed, in.Varint("embed"));
    if (embed != uint64_t(p_.embed)) {
      return in.Error("embed", "the network has embed=" + std::to_string(embed) +
                                   ", the options say embed=" + std::to_string(p_.embed));
    }
    VIGIL_ASSIGN_OR_RETURN(uint64_t v, in.Bounded("vocabulary size", 1, uint64_t(kMaxSyscall) + 1));
    for (uint64_t k = 0; k < v; ++k) {
      VIGIL_ASSIGN_OR_RETURN(uint64_t c, in.Bounded("vocabulary call", 0, kMaxSyscall));
      if (!vocab.empty() && c <= vocab.back()) {
        return in.Error("vocabulary call", "calls are not strictly increasing");
      }
      if (!seen[c]) {
        return in.Error("vocabulary call",
                        "call " + std::to_string(c) + " is in no training sequence");
      }
      vocab.push_back(uint16_t(c));
    }
    if (vocab.size() != size_t(std::count(seen.begin(), seen.end(), true))) {
      return in.Error("vocabulary size", "the vocabulary misses calls of the training sequences");
    }
    const Layout l(int(v), p_.embed, p_.hidden);
    VIGIL_ASSIGN_OR_RETURN(uint64_t n, in.Varint("weight count"));
    if (n != l.total * uint64_t(p_.nets)) {
      return in.Error("weight count", std::to_string(n) + " weights, " + std::to_string(p_.nets) +
                                          " network(s) of " + std::to_string(l.total) +
                                          " weights expected");
    }
    VIGIL_RETURN_IF_ERROR(in.Need("weights", n, 4));
    weights.resize(n);
    for (float& f : weights) {
      VIGIL_ASSIGN_OR_RETURN(uint32_t bits, in.U32("weight"));
      f = BitsFloat(bits);
      if (!std::isfinite(f)) return in.Error("weight", "not a finite number");
    }
  }
  VIGIL_RETURN_IF_ERROR(in.ExpectEnd());
  table_ = table;
  learned_ = learned != 0;
  sequences_ = std::move(sequences);
  stored_calls_ = stored;
  total_calls_ = total;
  trained_ = trained != 0;
  vocab_ = std::move(vocab);
  weights_ = std::move(weights);
  epoch_loss_.clear();
  prepared_ = false;
  return OkStatus();
}

size_t LstmModel::MemoryBytes() const {
  size_t bytes = weights_.capacity() * 4 + gate_in_.capacity() * 4 + class_of_.capacity() * 2 +
                 vocab_.capacity() * 2;
  for (const auto& [calls, count] : sequences_) bytes += calls.capacity() * 2 + 64;
  return bytes;
}

}  // namespace vigil::ml
