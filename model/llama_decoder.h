// A LLaMA-family decoder with Hugging Face names (language_model.model.*, language_model.lm_head):
// RMSNorm, rotary position embeddings (optionally scaled), grouped-query attention, SwiGLU MLP and
// a KV cache. LLaMA/Vicuna and Qwen2 (biased q/k/v, rope theta 1e6) share it.
#pragma once
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "model/checkpoint.h"
#include "model/hf_config.h"
#include "model/transformer_ops.h"

namespace ppb::model {

// Keys and values of every layer for the positions processed so far.
struct KvCache {
  std::vector<at::Tensor> k, v;  // per layer [1, kv_heads, capacity, head_dim]
  int64_t length = 0;            // positions filled
  int64_t capacity = 0;          // positions allocated
};

struct LlamaLayer {
  at::Tensor input_layernorm, post_attention_layernorm;  // RMSNorm weights [D]
  LinearWeights q_proj, k_proj, v_proj, o_proj;           // q/k/v biased in Qwen2; o never
  LinearWeights gate_proj, up_proj, down_proj;
};

class LlamaDecoder {
 public:
  // Weights come in the checkpoint's target dtype, on its target device.
  LlamaDecoder(Checkpoint& ckpt, const TextConfig& cfg, const std::string& prefix = "language_model.");
  // Token embeddings [n, D] for ids.
  at::Tensor embed(const std::vector<int>& ids) const;
  KvCache new_cache(int64_t capacity) const;
  // Runs embeddings [n, D] at positions cache.length.. and appends them to the cache. Returns the
  // logits [n, V] of every position when `all_logits`, else of the last one only ([1, V]), in
  // float32 whatever the run dtype.
  at::Tensor forward(const at::Tensor& embeds, KvCache& cache, bool all_logits = false) const;
  const TextConfig& config() const { return cfg_; }
  at::ScalarType dtype() const { return embed_tokens_.scalar_type(); }

 private:
  at::Tensor rms_norm(const at::Tensor& x, const at::Tensor& w) const;
  at::Tensor rotate(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin) const;
  // Inverse frequencies for a sequence of `length` positions (dynamic NTK scaling grows the base).
  at::Tensor inv_freq(int64_t length) const;

  TextConfig cfg_;
  at::Tensor embed_tokens_;  // [V, D]
  std::vector<LlamaLayer> layers_;
  at::Tensor norm_;          // [D]
  at::Tensor lm_head_;       // [V, D]
  at::Tensor inv_freq_;      // [head_dim / 2], unscaled, float32 on the model's device
};

}  // namespace ppb::model
