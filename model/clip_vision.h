// The CLIP ViT vision tower with Hugging Face names (vision_tower.vision_model.*). LLaVA takes
// the hidden state at `vision_feature_layer` (-2: the penultimate layer's output) and drops CLS.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "model/checkpoint.h"
#include "model/hf_config.h"
#include "model/transformer_ops.h"

namespace ppb::model {

struct ClipEncoderLayer {
  LayerNormWeights layer_norm1, layer_norm2;
  LinearWeights q_proj, k_proj, v_proj, out_proj;
  LinearWeights fc1, fc2;
  int heads = 16;
  std::string act = "quick_gelu";
  // [B, L, D] -> [B, L, D]; `mask` is additive [L, L] (the text tower's causal mask) or undefined.
  at::Tensor forward(const at::Tensor& x, const at::Tensor& mask = at::Tensor()) const;
};

// Loads one CLIP encoder layer's tensors under `prefix` (ending in "layers.N.").
ClipEncoderLayer load_clip_encoder_layer(Checkpoint& ckpt, const std::string& prefix, int width, int mlp, int heads,
                                         double eps, const std::string& act);
// Declares one CLIP encoder layer's tensors without loading them (a layer the output does not use).
void expect_clip_encoder_layer(Checkpoint& ckpt, const std::string& prefix, int width, int mlp);

class BtAdapter;

class ClipVisionTower {
 public:
  // `prefix` is the module path, e.g. "vision_tower.vision_model.". With cfg.btadapter the
  // BT-Adapter runs beside the last btadapter_depth layers.
  ClipVisionTower(Checkpoint& ckpt, const ModelConfig& cfg, const std::string& prefix);
  ~ClipVisionTower();
  // pixels [T, 3, S, S] (normalised), the frames of one video -> patch features [T, grid*grid, D]
  // at the configured layer (with the adapter: the average of the CLIP and adapter patch streams).
  at::Tensor forward(const at::Tensor& pixels) const;
  bool has_adapter() const { return adapter_ != nullptr; }
  int grid() const { return grid_; }
  int width() const { return width_; }

 private:
  at::Tensor patch_embedding_;     // [D, 3, p, p], no bias
  at::Tensor class_embedding_;     // [D]
  at::Tensor position_embedding_;  // [1 + grid^2, D]
  LayerNormWeights pre_layrnorm_;
  std::vector<ClipEncoderLayer> layers_;  // only the layers the selected hidden state depends on
  std::unique_ptr<BtAdapter> adapter_;    // null without a BT-Adapter, or when the feature precedes it
  int adapter_from_ = 0;                  // the first CLIP layer the adapter follows
  int grid_ = 24, width_ = 1024, patch_ = 14;
  bool drop_cls_ = true;
};

}  // namespace ppb::model
