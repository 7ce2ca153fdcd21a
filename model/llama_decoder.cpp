#include "model/llama_decoder.h"

#include <cmath>
#include <stdexcept>

namespace ppb::model {

LlamaDecoder::LlamaDecoder(Checkpoint& ckpt, const TextConfig& cfg, const std::string& prefix) : cfg_(cfg) {
  const int D = cfg.hidden_size, V = cfg.vocab_size, I = cfg.intermediate_size, hd = cfg.head_dim();
  const int qd = cfg.num_attention_heads * hd, kv = cfg.num_key_value_heads * hd;
  const std::string m = prefix + "model.";
  auto get = [&](const std::string& name, const std::vector<int64_t>& shape) { return ckpt.get(name, shape); };
  auto linear = [&](const std::string& name, int out, int in, bool bias) {
    return LinearWeights{get(name + ".weight", {out, in}), bias ? get(name + ".bias", {out}) : at::Tensor()};
  };
  embed_tokens_ = get(m + "embed_tokens.weight", {V, D});
  for (int i = 0; i < cfg.num_hidden_layers; ++i) {
    const std::string p = m + "layers." + std::to_string(i) + ".";
    LlamaLayer l;
    l.input_layernorm = get(p + "input_layernorm.weight", {D});
    l.post_attention_layernorm = get(p + "post_attention_layernorm.weight", {D});
    l.q_proj = linear(p + "self_attn.q_proj", qd, D, cfg.qkv_bias);
    l.k_proj = linear(p + "self_attn.k_proj", kv, D, cfg.qkv_bias);
    l.v_proj = linear(p + "self_attn.v_proj", kv, D, cfg.qkv_bias);
    l.o_proj = linear(p + "self_attn.o_proj", D, qd, false);
    l.gate_proj = linear(p + "mlp.gate_proj", I, D, false);
    l.up_proj = linear(p + "mlp.up_proj", I, D, false);
    l.down_proj = linear(p + "mlp.down_proj", D, I, false);
    layers_.push_back(std::move(l));
  }
  norm_ = get(m + "norm.weight", {D});
  // Tied checkpoints may still store lm_head; when they do not, the embedding table serves.
  if (cfg.tie_word_embeddings && !ckpt.has(prefix + "lm_head.weight"))
    lm_head_ = embed_tokens_;
  else
    lm_head_ = get(prefix + "lm_head.weight", {V, D});
  // inv_freq[i] = theta^(-2i/d), computed in double then stored as float like the reference.
  inv_freq_ = at::pow(cfg.rope_theta, at::arange(0, hd, 2, at::kDouble) / hd)
                  .reciprocal()
                  .to(at::kFloat)
                  .to(ckpt.target_device());
}

at::Tensor LlamaDecoder::inv_freq(int64_t length) const {
  const RopeScaling& rs = cfg_.rope_scaling;
  if (rs.type != "dynamic" || length <= cfg_.max_position_embeddings) return inv_freq_;
  // NTK-aware scaling: the base grows with the sequence once it passes the trained context.
  const int hd = cfg_.head_dim();
  const double base = cfg_.rope_theta * std::pow(rs.factor * static_cast<double>(length) / cfg_.max_position_embeddings -
                                                     (rs.factor - 1.0),
                                                 static_cast<double>(hd) / (hd - 2));
  return at::pow(base, at::arange(0, hd, 2, at::kDouble) / hd).reciprocal().to(at::kFloat).to(inv_freq_.device());
}

at::Tensor LlamaDecoder::embed(const std::vector<int>& ids) const {
  std::vector<int64_t> ids64(ids.begin(), ids.end());
  for (int64_t id : ids64)
    if (id < 0 || id >= embed_tokens_.size(0))
      throw std::runtime_error("token id " + std::to_string(id) + " is outside the embedding table of " +
                               std::to_string(embed_tokens_.size(0)) + " rows");
  at::Tensor idx = at::tensor(ids64, at::kLong).to(embed_tokens_.device());
  return embed_tokens_.index_select(0, idx);
}

KvCache LlamaDecoder::new_cache(int64_t capacity) const {
  KvCache c;
  c.capacity = capacity;
  const auto opts = embed_tokens_.options();  // the run dtype and device
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
  if (past + n > cfg_.context_limit())
    throw std::runtime_error("sequence of " + std::to_string(past + n) + " tokens exceeds the context of " +
                             std::to_string(cfg_.context_limit()) + " positions (max_position_embeddings " +
                             std::to_string(cfg_.max_position_embeddings) +
                             (cfg_.rope_scaling.type.empty() ? "" : ", rope_scaling " + cfg_.rope_scaling.type) + ")");
  const int H = cfg_.num_attention_heads, KV = cfg_.num_key_value_heads, hd = cfg_.head_dim();
  const auto opts = embeds.options();
  at::Tensor pos = at::arange(past, past + n, at::TensorOptions().dtype(at::kFloat).device(embeds.device()));
  if (cfg_.rope_scaling.type == "linear") pos = pos / cfg_.rope_scaling.factor;
  // Dynamic scaling follows the sequence length so far, as the reference recomputes it per call;
  // keys already in the cache keep the rotation they were stored with.
  at::Tensor freqs = at::outer(pos, inv_freq(past + n));
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
  return at::linear(out, lm_head_).to(at::kFloat);
}

}  // namespace ppb::model
