#include "model/clip_vision.h"

#include <algorithm>
#include <stdexcept>

#include "model/bt_adapter.h"

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

void expect_clip_encoder_layer(Checkpoint& ckpt, const std::string& p, int d, int mlp) {
  for (const char* ln : {"layer_norm1", "layer_norm2"}) {
    ckpt.expect(p + ln + ".weight", {d});
    ckpt.expect(p + ln + ".bias", {d});
  }
  for (const char* proj : {"q_proj", "k_proj", "v_proj", "out_proj"}) {
    ckpt.expect(p + "self_attn." + proj + ".weight", {d, d});
    ckpt.expect(p + "self_attn." + proj + ".bias", {d});
  }
  ckpt.expect(p + "mlp.fc1.weight", {mlp, d});
  ckpt.expect(p + "mlp.fc1.bias", {mlp});
  ckpt.expect(p + "mlp.fc2.weight", {d, mlp});
  ckpt.expect(p + "mlp.fc2.bias", {d});
}

at::Tensor ClipEncoderLayer::forward(const at::Tensor& x, const at::Tensor& mask) const {
  at::Tensor y = x + multi_head_attention(layer_norm1(x), q_proj, k_proj, v_proj, out_proj, heads, mask);
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
  for (int i = 0; i < L; ++i) {
    const std::string p = prefix + "encoder.layers." + std::to_string(i) + ".";
    if (i < index)
      layers_.push_back(load_clip_encoder_layer(ckpt, p, width_, v.intermediate_size, v.num_attention_heads,
                                                v.layer_norm_eps, v.hidden_act));
    else  // layers after the selected hidden state cannot affect it
      expect_clip_encoder_layer(ckpt, p, width_, v.intermediate_size);
  }
  // The pooled output (CLS through post_layernorm) is not LLaVA's feature.
  ckpt.expect(prefix + "post_layernorm.weight", {width_});
  ckpt.expect(prefix + "post_layernorm.bias", {width_});
  drop_cls_ = cfg.vision_feature_select_strategy == "default";
  if (cfg.btadapter) {
    if (cfg.btadapter_depth < 1 || cfg.btadapter_depth > L)
      throw std::runtime_error("btadapter_depth " + std::to_string(cfg.btadapter_depth) + " does not fit " +
                               std::to_string(L) + " vision layers");
    adapter_from_ = L - cfg.btadapter_depth;
    // Hidden state `index` combines the adapter after the steps that follow layers adapter_from_..index-1.
    const int steps = std::max(0, index - adapter_from_);
    adapter_ = std::make_unique<BtAdapter>(ckpt, prefix, v, cfg.btadapter_depth, steps, cfg.max_T,
                                           position_embedding_);
    if (steps == 0) adapter_.reset();
  }
}

ClipVisionTower::~ClipVisionTower() = default;

at::Tensor ClipVisionTower::forward(const at::Tensor& pixels) const {
  if (pixels.dim() != 4 || pixels.size(1) != 3 || pixels.size(2) != grid_ * patch_ || pixels.size(3) != grid_ * patch_)
    throw std::runtime_error("vision tower expects pixels [T, 3, " + std::to_string(grid_ * patch_) + ", " +
                             std::to_string(grid_ * patch_) + "], got " + std::to_string(pixels.dim()) + "-d input");
  const int64_t T = pixels.size(0);
  at::Tensor x = at::conv2d(pixels, patch_embedding_, {}, patch_);  // [T, D, g, g]
  x = x.flatten(2).transpose(1, 2);                                  // [T, g*g, D] row-major patches
  x = at::cat({class_embedding_.view({1, 1, width_}).expand({T, 1, width_}), x}, 1);
  x = pre_layrnorm_(x + position_embedding_.unsqueeze(0));
  at::Tensor x2;  // the adapter's stream
  for (size_t i = 0; i < layers_.size(); ++i) {
    x = layers_[i].forward(x);
    const int k = static_cast<int>(i) - adapter_from_;
    if (!adapter_ || k < 0) continue;
    x2 = adapter_->step(k, k == 0 ? adapter_->start(x) : adapter_->fuse(x2, x), T);
  }
  if (adapter_) {
    // The combined hidden state: CLIP's CLS per frame, patches averaged with the adapter's.
    at::Tensor patches = (x.slice(1, 1) + BtAdapter::frame_major_patches(x2, T)) / 2;
    return drop_cls_ ? patches : at::cat({x.slice(1, 0, 1), patches}, 1);
  }
  return drop_cls_ ? x.slice(1, 1) : x;
}

}  // namespace ppb::model
