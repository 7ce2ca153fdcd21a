#include "model/llama_decoder.h"

#include <stdexcept>

namespace ppb::model {

LlamaDecoder::LlamaDecoder(Checkpoint& ckpt, const TextConfig& cfg, const std::string& prefix) : cfg_(cfg) {
  const int D = cfg.hidden_size, V = cfg.vocab_size, I = cfg.intermediate_size, hd = cfg.head_dim();
  const int kv = cfg.num_key_value_heads * hd;
  const std::string m = prefix + "model.";
  embed_tokens_ = ckpt.get(m + "embed_tokens.weight", {V, D});
  for (int i = 0; i < cfg.num_hidden_layers; ++i) {
    const std::string p = m + "layers." + std::to_string(i) + ".";
    LlamaLayer l;
    l.input_layernorm = ckpt.get(p + "input_layernorm.weight", {D});
    l.post_attention_layernorm = ckpt.get(p + "post_attention_layernorm.weight", {D});
    l.q_proj = {ckpt.get(p + "self_attn.q_proj.weight", {D, D}), {}};
    l.k_proj = {ckpt.get(p + "self_attn.k_proj.weight", {kv, D}), {}};
    l.v_proj = {ckpt.get(p + "self_attn.v_proj.weight", {kv, D}), {}};
    l.o_proj = {ckpt.get(p + "self_attn.o_proj.weight", {D, D}), {}};
    l.gate_proj = {ckpt.get(p + "mlp.gate_proj.weight", {I, D}), {}};
    l.up_proj = {ckpt.get(p + "mlp.up_proj.weight", {I, D}), {}};
    l.down_proj = {ckpt.get(p + "mlp.down_proj.weight", {D, I}), {}};
    layers_.push_back(std::move(l));
  }
  norm_ = ckpt.get(m + "norm.weight", {D});
  lm_head_ = ckpt.get(prefix + "lm_head.weight", {V, D});
  // inv_freq[i] = theta^(-2i/d), computed in double then stored as float like the reference.
  inv_freq_ = at::pow(cfg.rope_theta, at::arange(0, hd, 2, at::kDouble) / hd).reciprocal().to(at::kFloat);
}

at::Tensor LlamaDecoder::embed(const std::vector<int>& ids) const {
  std::vector<int64_t> ids64(ids.begin(), ids.end());
  for (int64_t id : ids64)
    if (id < 0 || id >= embed_tokens_.size(0))
      throw std::runtime_error("token id " + std::to_string(id) + " is outside the embedding table of " +
                               std::to_string(embed_tokens_.size(0)) + " rows");
  at::Tensor idx = at::tensor(ids64, at::kLong);
  return embed_tokens_.index_select(0, idx);
}

KvCache LlamaDecoder::new_cache(int64_t capacity) const {
  KvCache c;
  c.capacity = capacity;
  const auto opts = embed_tokens_.options();
  for (size_t i = 0; i < layers_.size(); ++i) {
    c.k.push_back(at::empty({1, cfg_.num_key_value_heads, capacity, cfg_.head_dim()}, opts));
    c.v.push_back(at::empty({1, cfg_.num_key_value_heads, capacity, cfg_.head_dim()}, opts));
  }
  return c;
}

at::Tensor LlamaDecoder::rms_norm(const at::Tensor& x, const at::Tensor& w) const {
  at::Tensor xf = x.to(at::kFloat);
  at::Tensor inv = at::rsqrt(xf.pow(2).mean(-1, true) + cfg_.rms_norm_eps);
  return w * (xf * inv).to(x.scalar_type());
}

at::Tensor LlamaDecoder::rotate(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin) const {
  const int64_t half = x.size(-1) / 2;
  at::Tensor rotated = at::cat({-x.slice(-1, half), x.slice(-1, 0, half)}, -1);
  return x * cos + rotated * sin;
}

at::Tensor LlamaDecoder::forward(const at::Tensor& embeds, KvCache& cache, bool all_logits) const {
  const int64_t n = embeds.size(0), past = cache.length;
  if (past + n > cache.capacity)
    throw std::runtime_error("KV cache of " + std::to_string(cache.capacity) + " positions cannot take " +
                             std::to_string(past + n));
  if (past + n > cfg_.max_position_embeddings)
    throw std::runtime_error("sequence of " + std::to_string(past + n) + " tokens exceeds max_position_embeddings " +
                             std::to_string(cfg_.max_position_embeddings));
  const int H = cfg_.num_attention_heads, KV = cfg_.num_key_value_heads, hd = cfg_.head_dim();
  const auto opts = embeds.options();
  at::Tensor pos = at::arange(past, past + n, at::kFloat);
  at::Tensor freqs = at::outer(pos, inv_freq_);
  at::Tensor emb = at::cat({freqs, freqs}, -1);
  at::Tensor cos = emb.cos().to(opts.dtype()).view({1, 1, n, hd});
  at::Tensor sin = emb.sin().to(opts.dtype()).view({1, 1, n, hd});
  at::Tensor mask = n > 1 ? causal_mask(n, past, opts) : at::Tensor();

  at::Tensor x = embeds.unsqueeze(0);  // [1, n, D]
  for (size_t i = 0; i < layers_.size(); ++i) {
    const LlamaLayer& l = layers_[i];
    at::Tensor h = rms_norm(x, l.input_layernorm);
    at::Tensor q = l.q_proj(h).view({1, n, H, hd}).transpose(1, 2);
    at::Tensor k = l.k_proj(h).view({1, n, KV, hd}).transpose(1, 2);
    at::Tensor v = l.v_proj(h).view({1, n, KV, hd}).transpose(1, 2);
    q = rotate(q, cos, sin);
    k = rotate(k, cos, sin);
    cache.k[i].narrow(2, past, n).copy_(k);
    cache.v[i].narrow(2, past, n).copy_(v);
    at::Tensor keys = cache.k[i].narrow(2, 0, past + n);
    at::Tensor values = cache.v[i].narrow(2, 0, past + n);
    if (KV != H) {  // grouped-query attention: each key/value head serves H/KV query heads
      keys = keys.repeat_interleave(H / KV, 1);
      values = values.repeat_interleave(H / KV, 1);
    }
    at::Tensor a = attention(q, keys, values, mask).transpose(1, 2).reshape({1, n, H * hd});
    x = x + l.o_proj(a);
    h = rms_norm(x, l.post_attention_layernorm);
    x = x + l.down_proj(at::silu(l.gate_proj(h)) * l.up_proj(h));
  }
  cache.length = past + n;
  at::Tensor out = rms_norm(x.squeeze(0), norm_);
  if (!all_logits) out = out.slice(0, n - 1);
  return at::linear(out, lm_head_);
}

}  // namespace ppb::model
