// Small building blocks shared by the CLIP and LLaMA transformers.
#pragma once
#include <string>
#include <vector>

#include <ATen/ATen.h>

namespace ppb::model {

// A Linear layer's parameters with Hugging Face's [out, in] weight layout.
struct LinearWeights {
  at::Tensor weight;  // [out, in]
  at::Tensor bias;    // [out], or undefined when the layer has none
  // One row (a decoding step) goes through matrix-vector products: BLAS's matrix-matrix path
  // would pack the whole weight matrix first, for a single output row.
  at::Tensor operator()(const at::Tensor& x) const {
    if (x.numel() != x.size(-1) || !x.is_cpu()) return at::linear(x, weight, bias);
    std::vector<int64_t> shape = x.sizes().vec();
    shape.back() = weight.size(0);
    at::Tensor y = bias.defined() ? at::addmv(bias, weight, x.reshape({-1})) : at::mv(weight, x.reshape({-1}));
    return y.view(shape);
  }
};

// LayerNorm parameters.
struct LayerNormWeights {
  at::Tensor weight;  // [D]
  at::Tensor bias;    // [D]
  double eps = 1e-5;  // epsilon from the config
  at::Tensor operator()(const at::Tensor& x) const {
    return at::layer_norm(x, {weight.size(0)}, weight, bias, eps);
  }
};

// x * sigmoid(1.702 x), CLIP's activation.
at::Tensor quick_gelu(const at::Tensor& x);
// Applies a named activation ("gelu" = exact erf GELU, "quick_gelu", "silu").
at::Tensor activation(const std::string& name, const at::Tensor& x);

// Scaled dot-product attention over [B, H, Lq, d] queries and [B, H, Lk, d] keys/values.
// `mask` is additive ([Lq, Lk], 0 or -inf) or undefined for none. Queries go in blocks so that at
// most `max_score_elements` scores exist at once.
at::Tensor attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& mask,
                     int64_t max_score_elements = int64_t{64} << 20);

// The attention block of a CLIP-style layer: q/k/v projections, `heads` heads, scaled dot-product
// attention with an optional additive mask, then the output projection. x [B, L, D] -> [B, L, D].
at::Tensor multi_head_attention(const at::Tensor& x, const LinearWeights& q, const LinearWeights& k,
                                const LinearWeights& v, const LinearWeights& out, int heads, const at::Tensor& mask);

// An additive causal mask for `n` new queries at absolute positions past..past+n-1 over past+n keys.
at::Tensor causal_mask(int64_t n, int64_t past, const at::TensorOptions& options);

}  // namespace ppb::model
