#include "model/bt_adapter.h"

#include <stdexcept>

namespace ppb::model {
namespace {

LinearWeights load_linear(Checkpoint& ckpt, const std::string& name, int out, int in) {
  return {ckpt.get(name + ".weight", {out, in}), ckpt.get(name + ".bias", {out})};
}

}  // namespace

BtAdapter::BtAdapter(Checkpoint& ckpt, const std::string& prefix, const VisionConfig& v, int depth, int steps,
                     int max_T, const at::Tensor& position_embedding)
    : position_embedding_(position_embedding) {
  if (steps < 0 || steps > depth)
    throw std::runtime_error("BT-Adapter: " + std::to_string(steps) + " steps requested of a " + std::to_string(depth) +
                             "-step adapter");
  const int d = v.hidden_size, mlp = v.intermediate_size;
  cls_token_ = ckpt.get(prefix + "btadapter_cls_token", {1, 1, d});
  time_embed_ = ckpt.get(prefix + "btadapter_time_embed.weight", {max_T, d});
  for (int k = 0; k < depth; ++k) {
    const std::string t = prefix + "btadapter_T_layers." + std::to_string(k) + ".";
    const std::string s = prefix + "btadapter_S_layers." + std::to_string(k) + ".";
    if (k >= steps) {  // later steps cannot affect the selected feature: declared, not loaded
      for (const char* ln : {"layer_norm1"})
        for (const char* part : {".weight", ".bias"}) ckpt.expect(t + ln + part, {d});
      for (const char* proj : {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.out_proj",
                               "temporal_fc"}) {
        ckpt.expect(t + proj + ".weight", {d, d});
        ckpt.expect(t + proj + ".bias", {d});
      }
      expect_clip_encoder_layer(ckpt, s, d, mlp);
      continue;
    }
    BtTemporalLayer l;
    l.heads = v.num_attention_heads;
    l.layer_norm1 = {ckpt.get(t + "layer_norm1.weight", {d}), ckpt.get(t + "layer_norm1.bias", {d}),
                     v.layer_norm_eps};
    l.q_proj = load_linear(ckpt, t + "self_attn.q_proj", d, d);
    l.k_proj = load_linear(ckpt, t + "self_attn.k_proj", d, d);
    l.v_proj = load_linear(ckpt, t + "self_attn.v_proj", d, d);
    l.out_proj = load_linear(ckpt, t + "self_attn.out_proj", d, d);
    l.temporal_fc = load_linear(ckpt, t + "temporal_fc", d, d);
    temporal_.push_back(std::move(l));
    spatial_.push_back(
        load_clip_encoder_layer(ckpt, s, d, mlp, v.num_attention_heads, v.layer_norm_eps, v.hidden_act));
  }
}

at::Tensor BtAdapter::patch_major(const at::Tensor& frames) {
  return frames.transpose(0, 1).reshape({frames.size(0) * frames.size(1), frames.size(2)});
}

at::Tensor BtAdapter::frame_major_patches(const at::Tensor& x2, int64_t T) {
  const int64_t D = x2.size(1), P = (x2.size(0) - 1) / T;
  return x2.slice(0, 1).view({P, T, D}).transpose(0, 1).contiguous();
}

at::Tensor BtAdapter::start(const at::Tensor& clip) const {
  const int64_t T = clip.size(0), D = clip.size(2);
  if (T > time_embed_.size(0))
    throw std::runtime_error("the BT-Adapter's time embedding covers " + std::to_string(time_embed_.size(0)) +
                             " frames (max_T); " + std::to_string(T) + " were given");
  const at::Tensor pos = position_embedding_.to(clip.scalar_type());
  const at::Tensor cls = cls_token_.view({D}).to(clip.scalar_type());
  // Each frame's patches get the CLIP position table (rows 1..P) and the frame's time embedding.
  at::Tensor patches = clip.slice(1, 1) + pos.slice(0, 1).unsqueeze(0) +
                       time_embed_.slice(0, 0, T).to(clip.scalar_type()).unsqueeze(1);
  // The shared CLS: the frames' mean CLIP CLS averaged with the adapter's own (plus position 0).
  at::Tensor cls_new = (clip.select(1, 0).mean(0) + (cls + pos[0])) / 2;
  return at::cat({cls_new.unsqueeze(0), patch_major(patches)}, 0);
}

at::Tensor BtAdapter::fuse(const at::Tensor& x2, const at::Tensor& clip) const {
  return x2 + at::cat({clip.select(1, 0).mean(0).unsqueeze(0), patch_major(clip.slice(1, 1))}, 0);
}

at::Tensor BtAdapter::temporal(const BtTemporalLayer& l, const at::Tensor& x2, int64_t T) const {
  const int64_t D = x2.size(1), P = (x2.size(0) - 1) / T;
  at::Tensor patches = x2.slice(0, 1).view({P, T, D});  // each patch position is a sequence over time
  at::Tensor a = multi_head_attention(l.layer_norm1(patches), l.q_proj, l.k_proj, l.v_proj, l.out_proj, l.heads,
                                      at::Tensor());
  patches = patches + l.temporal_fc(a);
  return at::cat({x2.slice(0, 0, 1), patches.reshape({P * T, D})}, 0);
}

at::Tensor BtAdapter::spatial(const ClipEncoderLayer& l, const at::Tensor& x2, int64_t T) const {
  const int64_t D = x2.size(1);
  // Every frame attends over its patches with the shared CLS in front.
  at::Tensor seq = at::cat({x2.slice(0, 0, 1).unsqueeze(0).expand({T, 1, D}), frame_major_patches(x2, T)}, 1);
  at::Tensor a = multi_head_attention(l.layer_norm1(seq), l.q_proj, l.k_proj, l.v_proj, l.out_proj, l.heads,
                                      at::Tensor());
  at::Tensor y = x2 + at::cat({a.select(1, 0).mean(0).unsqueeze(0), patch_major(a.slice(1, 1))}, 0);
  return y + l.fc2(activation(l.act, l.fc1(l.layer_norm2(y))));
}

at::Tensor BtAdapter::step(int k, const at::Tensor& x2, int64_t T) const {
  if (k < 0 || k >= steps()) throw std::runtime_error("BT-Adapter step " + std::to_string(k) + " was not loaded");
  return spatial(spatial_[k], temporal(temporal_[k], x2, T), T);
}

}  // namespace ppb::model
