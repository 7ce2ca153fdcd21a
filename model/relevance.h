// The visual side of PPLLaVA's vision-prompt alignment: every patch feature goes through CLIP's
// post-LayerNorm (clip_visual_ln) and visual projection, and its cosine with the prompt embedding,
// scaled by exp(logit_scale), is softmaxed over all positions of the sample. The result is the
// relevance map that weights prompt-guided pooling.
#pragma once
#include <string>

#include <ATen/ATen.h>

#include "model/checkpoint.h"
#include "model/hf_config.h"
#include "model/transformer_ops.h"

namespace ppb::model {

class RelevanceHead {
 public:
  // Tensors under `prefix`: clip_visual_ln.{weight,bias} [vision hidden], clip_visual_projection.weight
  // [clip_text.projection_dim, vision hidden], logit_scale (0-d). Absent ones are recorded in `ckpt`.
  RelevanceHead(Checkpoint& ckpt, const ModelConfig& cfg, const std::string& prefix = "multi_modal_projector.");

  // features [T, h, w, D_vision] (any floating dtype) and the prompt embedding [projection_dim]
  // -> relevance [T, h, w] float32, summing to 1 over all T*h*w positions. Computed in float32.
  at::Tensor scores(const at::Tensor& features, const at::Tensor& text_embedding) const;

  // exp(logit_scale): the softmax's inverse temperature (100 for OpenAI CLIP).
  double scale() const { return scale_; }

 private:
  LayerNormWeights visual_ln_;
  at::Tensor visual_projection_;  // [P, D_vision], no bias
  double scale_ = 100.0;
  std::string where_;             // checkpoint dir + module path, for errors
  int64_t vision_width_ = 0, projection_dim_ = 0;
};

}  // namespace ppb::model
