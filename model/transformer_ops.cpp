#include "model/transformer_ops.h"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace ppb::model {

at::Tensor quick_gelu(const at::Tensor& x) { return x * at::sigmoid(1.702 * x); }

at::Tensor activation(const std::string& name, const at::Tensor& x) {
  if (name == "gelu") return at::gelu(x);
  if (name == "quick_gelu") return quick_gelu(x);
  if (name == "silu") return at::silu(x);
  throw std::runtime_error("unknown activation '" + name + "' (known: gelu, quick_gelu, silu)");
}

at::Tensor attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& mask) {
  const double scale = 1.0 / std::sqrt(static_cast<double>(q.size(-1)));
  at::Tensor scores = at::matmul(q, k.transpose(-2, -1)).mul_(scale);
  if (mask.defined()) scores.add_(mask);
  // Softmax in float32 even when the model runs in a half type.
  at::Tensor probs = at::softmax(scores, -1, at::kFloat).to(v.scalar_type());
  return at::matmul(probs, v);
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
