#include "model/transformer_ops.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

namespace ppb::model {

at::Tensor quick_gelu(const at::Tensor& x) { return x * at::sigmoid(1.702 * x); }

at::Tensor activation(const std::string& name, const at::Tensor& x) {
  if (name == "gelu") return at::gelu(x);
  if (name == "quick_gelu") return quick_gelu(x);
  if (name == "silu") return at::silu(x);
  throw std::runtime_error("unknown activation '" + name + "' (known: gelu, quick_gelu, silu)");
}

namespace {

// One query per head (a decoding step) on the CPU: matrix-vector products per head, which read the
// keys and values once, where a batched matrix product would first pack all of them.
at::Tensor single_query_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, double scale) {
  const int64_t B = q.size(0), H = q.size(1), d = q.size(3), L = k.size(2), dv = v.size(3);
  at::Tensor out = at::empty({B, H, 1, dv}, q.options());
  at::Tensor scores = at::empty({B, H, L}, q.options());
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < H; ++h) {
      at::Tensor row = scores[b][h];
      at::mv_out(row, k[b][h], q[b][h].view({d}));
    }
  at::Tensor probs = at::softmax(scores.mul_(scale), -1, at::kFloat).to(v.scalar_type());
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < H; ++h) {
      at::Tensor row = out[b][h].view({dv});
      at::mv_out(row, v[b][h].t(), probs[b][h]);
    }
  return out;
}

}  // namespace

at::Tensor attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& mask,
                     int64_t max_score_elements) {
  const double scale = 1.0 / std::sqrt(static_cast<double>(q.size(-1)));
  if (q.size(-2) == 1 && !mask.defined() && q.is_cpu()) return single_query_attention(q, k, v, scale);
  // Queries in blocks, so that the score matrix stays bounded (a few hundred MiB at most) however
  // long the sequence: 32 heads over 8k tokens would otherwise hold 8 GiB of scores at once.
  const int64_t Lq = q.size(-2), Lk = k.size(-2), rows_per_query = q.numel() / q.size(-1) / Lq;
  const int64_t block = std::max<int64_t>(1, max_score_elements / std::max<int64_t>(1, rows_per_query * Lk));
  auto one_block = [&](const at::Tensor& qb, const at::Tensor& mb) {
    at::Tensor scores = at::matmul(qb, k.transpose(-2, -1)).mul_(scale);
    if (mb.defined()) scores.add_(mb);
    // Softmax in float32 even when the model runs in a half type.
    at::Tensor probs = at::softmax(scores, -1, at::kFloat).to(v.scalar_type());
    return at::matmul(probs, v);
  };
  if (Lq <= block) return one_block(q, mask);
  std::vector<at::Tensor> parts;
  for (int64_t begin = 0; begin < Lq; begin += block) {
    const int64_t n = std::min(block, Lq - begin);
    parts.push_back(one_block(q.narrow(-2, begin, n), mask.defined() ? mask.narrow(-2, begin, n) : at::Tensor()));
  }
  return at::cat(parts, -2);
}

at::Tensor multi_head_attention(const at::Tensor& x, const LinearWeights& q, const LinearWeights& k,
                                const LinearWeights& v, const LinearWeights& out, int heads, const at::Tensor& mask) {
  const int64_t B = x.size(0), L = x.size(1), D = x.size(2), hd = D / heads;
  auto split = [&](const at::Tensor& t) { return t.view({B, L, heads, hd}).transpose(1, 2); };
  at::Tensor a = attention(split(q(x)), split(k(x)), split(v(x)), mask);
  return out(a.transpose(1, 2).reshape({B, L, D}));
}

at::Tensor causal_mask(int64_t n, int64_t past, const at::TensorOptions& options) {
  at::Tensor mask = at::full({n, past + n}, -std::numeric_limits<float>::infinity(), options);
  // Query i sees keys 0..past+i: keep the upper triangle strictly above diagonal `past`.
  return at::triu(mask, past + 1);
}

}  // namespace ppb::model
