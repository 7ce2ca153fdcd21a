// The BT-Adapter of PPLLaVA's vision tower (vision_tower.vision_model.btadapter_*): a second
// residual stream over all frames' patches, laid out patch-major and time-minor (flat index
// p*T + t) behind one shared CLS token, fed from the last `depth` CLIP layers. Each step runs a
// temporal layer (attention across the frames of each patch) and a spatial layer (attention
// across the patches of each frame, CLS averaged over frames). The LLaVA feature averages the
// CLIP and adapter patch streams.
#pragma once
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "model/checkpoint.h"
#include "model/clip_vision.h"
#include "model/transformer_ops.h"

namespace ppb::model {

// btadapter_T_layers.k: LayerNorm, attention, temporal_fc; no MLP.
struct BtTemporalLayer {
  LayerNormWeights layer_norm1;
  LinearWeights q_proj, k_proj, v_proj, out_proj;
  LinearWeights temporal_fc;
  int heads = 16;
};

class BtAdapter {
 public:
  // Loads the first `steps` adapter steps (the ones the selected feature depends on) of a
  // `depth`-step adapter under `prefix` ("vision_tower.vision_model."); the later steps are
  // declared to the checkpoint without loading. `position_embedding` is the CLIP table [1+P, D].
  BtAdapter(Checkpoint& ckpt, const std::string& prefix, const VisionConfig& v, int depth, int steps, int max_T,
            const at::Tensor& position_embedding);

  int steps() const { return static_cast<int>(temporal_.size()); }
  int max_frames() const { return static_cast<int>(time_embed_.size(0)); }

  // Starts the stream from the CLIP output after the first adapted layer, clip [T, 1+P, D];
  // returns x2 [1 + P*T, D].
  at::Tensor start(const at::Tensor& clip) const;
  // Residual fusion for steps k >= 1: adds the CLIP output after layer start+k to x2.
  at::Tensor fuse(const at::Tensor& x2, const at::Tensor& clip) const;
  // Adapter step k: the temporal layer, then the spatial layer. x2 [1 + P*T, D], T frames.
  at::Tensor step(int k, const at::Tensor& x2, int64_t T) const;
  // The patches of x2 back in frame-major order [T, P, D].
  static at::Tensor frame_major_patches(const at::Tensor& x2, int64_t T);
  // Frame-major [T, P, D] -> patch-major [P*T, D], the adapter's layout.
  static at::Tensor patch_major(const at::Tensor& frames);

 private:
  at::Tensor temporal(const BtTemporalLayer& l, const at::Tensor& x2, int64_t T) const;
  at::Tensor spatial(const ClipEncoderLayer& l, const at::Tensor& x2, int64_t T) const;

  at::Tensor cls_token_;           // btadapter_cls_token [1, 1, D]
  at::Tensor time_embed_;          // btadapter_time_embed.weight [max_T, D]
  at::Tensor position_embedding_;  // the CLIP vision table [1 + P, D]
  std::vector<BtTemporalLayer> temporal_;
  std::vector<ClipEncoderLayer> spatial_;
};

}  // namespace ppb::model
