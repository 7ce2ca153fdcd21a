#include "model/clip_vision.h"

#include <stdexcept>

namespace ppb::model {

ClipEncoderLayer load_clip_encoder_layer(Checkpoint& ckpt, const std::string& p, int d, int mlp, int heads, double eps,
                                         const std::string& act) {
  ClipEncoderLayer l;
  l.heads = heads;
  l.act = act;
  l.layer_norm1 = {ckpt.get(p + "layer_norm1.weight", {d}), ckpt.get(p + "layer_norm1.bias", {d}), eps};
  l.layer_norm2 = {ckpt.get(p + "layer_norm2.weight", {d}), ckpt.get(p + "layer_norm2.bias", {d}), eps};
  auto lin = [&](const std::string& name, int out, int in) {
    return LinearWeights{ckpt.get(p + name + ".weight", {out, in}), ckpt.get(p + name + ".bias", {out})};
  };
  l.q_proj = lin("self_attn.q_proj", d, d);
  l.k_proj = lin("self_attn.k_proj", d, d);
  l.v_proj = lin("self_attn.v_proj", d, d);
  l.out_proj = lin("self_attn.out_proj", d, d);
  l.fc1 = lin("mlp.fc1", mlp, d);
  l.fc2 = lin("mlp.fc2", d, mlp);
  return l;
}

at::Tensor ClipEncoderLayer::forward(const at::Tensor& x, const at::Tensor& mask) const {
  const int64_t B = x.size(0), L = x.size(1), D = x.size(2), hd = D / heads;
  at::Tensor h = layer_norm1(x);
  auto split = [&](const at::Tensor& t) { return t.view({B, L, heads, hd}).transpose(1, 2); };
  at::Tensor a = attention(split(q_proj(h)), split(k_proj(h)), split(v_proj(h)), mask);
  at::Tensor y = x + out_proj(a.transpose(1, 2).reshape({B, L, D}));
  return y + fc2(activation(act, fc1(layer_norm2(y))));
}

ClipVisionTower::ClipVisionTower(Checkpoint& ckpt, const ModelConfig& cfg, const std::string& prefix) {
  const VisionConfig& v = cfg.vision;
  width_ = v.hidden_size;
  patch_ = v.patch_size;
  grid_ = v.grid();
  const int n_pos = 1 + grid_ * grid_;
  patch_embedding_ = ckpt.get(prefix + "embeddings.patch_embedding.weight", {width_, 3, patch_, patch_});
  class_embedding_ = ckpt.get(prefix + "embeddings.class_embedding", {width_});
  position_embedding_ = ckpt.get(prefix + "embeddings.position_embedding.weight", {n_pos, width_});
  pre_layrnorm_ = {ckpt.get(prefix + "pre_layrnorm.weight", {width_}), ckpt.get(prefix + "pre_layrnorm.bias", {width_}),
                   v.layer_norm_eps};
  // hidden_states[i] is the input of layer i (0 = embeddings, L = last output), so index i needs i layers.
  const int L = v.num_hidden_layers;
  const int index = cfg.vision_feature_layer < 0 ? L + 1 + cfg.vision_feature_layer : cfg.vision_feature_layer;
  if (index < 0 || index > L)
    throw std::runtime_error("vision_feature_layer " + std::to_string(cfg.vision_feature_layer) + " is outside 0.." +
                             std::to_string(L));
  for (int i = 0; i < index; ++i)
    layers_.push_back(load_clip_encoder_layer(ckpt, prefix + "encoder.layers." + std::to_string(i) + ".", width_,
                                              v.intermediate_size, v.num_attention_heads, v.layer_norm_eps,
                                              v.hidden_act));
  drop_cls_ = cfg.vision_feature_select_strategy == "default";
}

at::Tensor ClipVisionTower::forward(const at::Tensor& pixels) const {
  if (pixels.dim() != 4 || pixels.size(1) != 3 || pixels.size(2) != grid_ * patch_ || pixels.size(3) != grid_ * patch_)
    throw std::runtime_error("vision tower expects pixels [T, 3, " + std::to_string(grid_ * patch_) + ", " +
                             std::to_string(grid_ * patch_) + "], got " + std::to_string(pixels.dim()) + "-d input");
  const int64_t T = pixels.size(0);
  at::Tensor x = at::conv2d(pixels, patch_embedding_, {}, patch_);  // [T, D, g, g]
  x = x.flatten(2).transpose(1, 2);                                  // [T, g*g, D] row-major patches
  x = at::cat({class_embedding_.view({1, 1, width_}).expand({T, 1, width_}), x}, 1);
  x = pre_layrnorm_(x + position_embedding_.unsqueeze(0));
  for (const auto& layer : layers_) x = layer.forward(x);
  return drop_cls_ ? x.slice(1, 1) : x;
}

}  // namespace ppb::model
