#include "model/clip_text_encoder.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "model/clip_position_extension.h"

namespace ppb::model {

ClipTextEncoder::ClipTextEncoder(Checkpoint& ckpt, const ModelConfig& cfg, const std::string& prefix) {
  const ClipTextConfig& c = cfg.clip_text;
  const std::string base = prefix + "clip_text_model.";
  where_ = ckpt.dir() + ", " + base;
  vocab_ = c.vocab_size;
  width_ = c.hidden_size;
  context_ = c.max_position_embeddings;
  eos_ = c.eos_token_id;
  if (vocab_ <= 0 || width_ <= 0 || context_ <= 0 || c.num_hidden_layers < 0 || c.num_attention_heads <= 0 ||
      width_ % c.num_attention_heads != 0)
    throw std::runtime_error("clip_text_config (" + ckpt.dir() + "): vocab_size " + std::to_string(vocab_) +
                             ", hidden_size " + std::to_string(width_) + ", num_attention_heads " +
                             std::to_string(c.num_attention_heads) + ", max_position_embeddings " +
                             std::to_string(context_) + " do not describe a transformer");

  token_embedding_ = ckpt.get(base + "embeddings.token_embedding.weight", {vocab_, width_});
  load_positions(ckpt, cfg, base + "embeddings.");
  for (int i = 0; i < c.num_hidden_layers; ++i)
    layers_.push_back(load_clip_encoder_layer(ckpt, base + "encoder.layers." + std::to_string(i) + ".", width_,
                                              c.intermediate_size, c.num_attention_heads, c.layer_norm_eps,
                                              c.hidden_act));
  final_layer_norm_ = {ckpt.get(base + "final_layer_norm.weight", {width_}),
                       ckpt.get(base + "final_layer_norm.bias", {width_}), c.layer_norm_eps};
  text_projection_ = ckpt.get(prefix + "clip_text_projection.weight", {c.projection_dim, width_});
}

void ClipTextEncoder::load_positions(Checkpoint& ckpt, const ModelConfig& cfg, const std::string& emb) {
  const std::string extended = emb + "position_embedding";  // the release's parameters carry no ".weight"
  const std::string stock = extended + ".weight";
  if (!ckpt.has(extended) && ckpt.has(stock)) {
    if (!cfg.extend_clip) {  // a plain CLIP used at its own context
      positions_ = ckpt.get(stock, {context_, width_});
      return;
    }
    // A plain CLIP text tower: stretch its table the way PPLLaVA initialised the release's.
    const int64_t numer = context_ + static_cast<int64_t>(kClipPositionRatio - 1) * kClipKeptPositions;
    if (numer % kClipPositionRatio != 0)
      throw std::runtime_error("clip text encoder (" + where_ + "): no stock position table stretches to the context " +
                               std::to_string(context_) + " (keep " + std::to_string(kClipKeptPositions) +
                               ", ratio " + std::to_string(kClipPositionRatio) + ")");
    const int64_t rows = numer / kClipPositionRatio;
    positions_ = extend_clip_positions(ckpt.get(stock, {rows, width_}), kClipKeptPositions, kClipPositionRatio);
    extended_at_load_ = true;
    return;
  }
  // Neither form present: asking for the release's names makes the missing-tensor report name them.
  const at::Tensor kept = ckpt.get(extended, {context_, width_});
  const at::Tensor res = ckpt.get(extended + "_res", {context_, width_});
  const int64_t split = std::min<int64_t>(kClipKeptPositions, context_);
  positions_ = at::cat({kept.slice(0, 0, split), res.slice(0, split)}, 0);
}

void ClipTextEncoder::check_ids(const std::vector<int>& ids, const char* what) const {
  const std::string head = std::string("clip text encoder (") + where_ + ") " + what + ": ";
  if (ids.empty()) throw std::runtime_error(head + "no ids (expected BOS + tokens + EOS)");
  if (static_cast<int64_t>(ids.size()) > context_)
    throw std::runtime_error(head + std::to_string(ids.size()) + " ids exceed the context of " +
                             std::to_string(context_) + " (truncate the prompt, keeping EOS)");
  for (size_t i = 0; i < ids.size(); ++i)
    if (ids[i] < 0 || ids[i] >= vocab_)
      throw std::runtime_error(head + "id " + std::to_string(ids[i]) + " at position " + std::to_string(i) +
                               " is outside the vocabulary of " + std::to_string(vocab_));
}

at::Tensor ClipTextEncoder::hidden_states(const std::vector<int>& ids, const std::vector<int>& attention_mask) const {
  check_ids(ids, "hidden_states");
  const int64_t L = static_cast<int64_t>(ids.size());
  // Weights come in the checkpoint's target dtype and device; the masks follow them.
  const auto opts = token_embedding_.options();
  at::Tensor mask = causal_mask(L, 0, opts);  // [L, L]
  if (!attention_mask.empty()) {
    if (attention_mask.size() != ids.size())
      throw std::runtime_error("clip text encoder (" + where_ + "): attention_mask has " +
                               std::to_string(attention_mask.size()) + " entries for " + std::to_string(L) + " ids");
    // Query 0 sees only key 0: hiding it would leave a row with nothing to attend to.
    if (attention_mask[0] == 0)
      throw std::runtime_error("clip text encoder (" + where_ + "): attention_mask hides the first id");
    std::vector<float> keys(ids.size());
    for (size_t i = 0; i < ids.size(); ++i)
      keys[i] = attention_mask[i] != 0 ? 0.0f : -std::numeric_limits<float>::infinity();
    mask = mask + at::tensor(keys, at::TensorOptions().dtype(at::kFloat)).to(opts).unsqueeze(0);  // hides keys
  }
  const std::vector<int64_t> idx(ids.begin(), ids.end());
  const at::Tensor index = at::tensor(idx, at::TensorOptions().dtype(at::kLong)).to(opts.device());
  at::Tensor x = token_embedding_.index_select(0, index);
  x = (x + positions_.slice(0, 0, L)).unsqueeze(0);  // [1, L, W]
  for (const auto& layer : layers_) x = layer.forward(x, mask);
  return final_layer_norm_(x).squeeze(0);
}

at::Tensor ClipTextEncoder::project(const at::Tensor& pooled) const {
  if (pooled.dim() != 1 || pooled.size(0) != width_)
    throw std::runtime_error("clip text encoder (" + where_ + "): project expects a pooled state [" +
                             std::to_string(width_) + "], got " + std::to_string(pooled.dim()) + "-d of " +
                             std::to_string(pooled.numel()) + " values");
  const at::Tensor y = at::matmul(text_projection_, pooled.to(text_projection_.options())).to(at::kFloat);
  return y / y.norm().clamp_min(1e-12);  // guards an all-zero projection against 0/0
}

at::Tensor ClipTextEncoder::encode(const std::vector<int>& ids) const {
  check_ids(ids, "encode");
  const auto first_eos = std::find(ids.begin(), ids.end(), eos_);
  if (first_eos == ids.end())
    throw std::runtime_error("clip text encoder (" + where_ + ") encode: the ids hold no end-of-text id " +
                             std::to_string(eos_) + " to pool at");
  // Causal attention: nothing after the first EOS reaches its state, so the rest need not run.
  const std::vector<int> prefix(ids.begin(), first_eos + 1);
  const at::Tensor h = hidden_states(prefix);
  return project(h[static_cast<int64_t>(prefix.size()) - 1]);
}

}  // namespace ppb::model
