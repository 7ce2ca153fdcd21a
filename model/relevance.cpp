#include "model/relevance.h"

#include <cmath>
#include <stdexcept>

namespace ppb::model {
namespace {

std::string shape_of(const at::Tensor& t) {
  std::string s = "[";
  for (int64_t i = 0; i < t.dim(); ++i) s += (i ? "," : "") + std::to_string(t.size(i));
  return s + "]";
}

}  // namespace

RelevanceHead::RelevanceHead(Checkpoint& ckpt, const ModelConfig& cfg, const std::string& prefix)
    : where_(ckpt.dir() + ", " + prefix),
      vision_width_(cfg.vision.hidden_size),
      projection_dim_(cfg.clip_text.projection_dim) {
  // clip_visual_ln is CLIP vision's post_layernorm, so it takes the vision tower's epsilon.
  // float32 whatever the run dtype (these are small): see scores().
  visual_ln_ = {ckpt.get(prefix + "clip_visual_ln.weight", {vision_width_}, at::kFloat),
                ckpt.get(prefix + "clip_visual_ln.bias", {vision_width_}, at::kFloat), cfg.vision.layer_norm_eps};
  visual_projection_ = ckpt.get(prefix + "clip_visual_projection.weight", {projection_dim_, vision_width_}, at::kFloat);
  // A 0-d parameter in the release (nn.Parameter(torch.ones([]))): its safetensors shape is [].
  const at::Tensor logit_scale = ckpt.get(prefix + "logit_scale", {}, at::kFloat);
  scale_ = std::exp(logit_scale.item<double>());
}

at::Tensor RelevanceHead::scores(const at::Tensor& features, const at::Tensor& text_embedding) const {
  if (features.dim() != 4 || features.size(3) != vision_width_)
    throw std::runtime_error("relevance head (" + where_ + "): features must be [T, h, w, " +
                             std::to_string(vision_width_) + "], got " + shape_of(features));
  if (text_embedding.dim() != 1 || text_embedding.size(0) != projection_dim_)
    throw std::runtime_error("relevance head (" + where_ + "): the prompt embedding must be [" +
                             std::to_string(projection_dim_) + "], got " + shape_of(text_embedding));
  const int64_t T = features.size(0), h = features.size(1), w = features.size(2);
  // float32 throughout: the global softmax at scale 100 and the later window softmax over its tiny
  // outputs lose too much in half precision.
  const auto f32 = visual_projection_.options();  // float32 on the weights' device
  const at::Tensor v = features.to(f32).reshape({T * h * w, vision_width_});
  at::Tensor p = at::matmul(visual_ln_(v), visual_projection_.t());  // [N, P]
  p = p / p.norm(2, {1}, /*keepdim=*/true).clamp_min(1e-12);
  at::Tensor c = text_embedding.to(f32);
  c = c / c.norm().clamp_min(1e-12);
  const at::Tensor logits = at::matmul(p, c).mul_(scale_);  // [N]
  return at::softmax(logits, 0).view({T, h, w});
}

}  // namespace ppb::model
