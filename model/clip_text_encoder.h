// The relevance encoder's text side: PPLLaVA's CLIP text transformer with its position table
// extended to 248 rows (multi_modal_projector.clip_text_model.*), pooled at the first
// end-of-text token, projected by clip_text_projection and L2-normalised. Its output is the
// prompt embedding c that prompt-guided pooling compares with every visual token.
#pragma once
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "model/checkpoint.h"
#include "model/clip_vision.h"
#include "model/hf_config.h"
#include "model/transformer_ops.h"

namespace ppb::model {

// Rows of the extended table taken from `position_embedding`; the rest come from `position_embedding_res`.
constexpr int kClipKeptPositions = 20;
// Step refinement of the extension: each old row interval becomes this many new rows.
constexpr int kClipPositionRatio = 4;

class ClipTextEncoder {
 public:
  // `prefix` is the projector's module path; the tensors sit under prefix + "clip_text_model." and
  // prefix + "clip_text_projection.weight". Shapes follow cfg.clip_text; absent tensors are recorded
  // in `ckpt` (Checkpoint::check_complete reports them), wrong shapes throw.
  ClipTextEncoder(Checkpoint& ckpt, const ModelConfig& cfg, const std::string& prefix = "multi_modal_projector.");

  // ids = BOS + tokens + EOS, unpadded -> the unit-length prompt embedding [projection_dim], float32.
  // Throws for empty ids, ids without the EOS id, more ids than the context, or ids outside the vocabulary.
  at::Tensor encode(const std::vector<int>& ids) const;

  // The final-LayerNorm hidden states [L, width] of the whole sequence under the causal mask, in
  // the checkpoint's target dtype and device (encode() runs there too and returns float32).
  // `attention_mask` (empty, or one 0/1 per id as the CLIP tokenizer returns it) also hides the
  // keys where it is 0, i.e. padding: what the reference does on its 248-padded batch.
  at::Tensor hidden_states(const std::vector<int>& ids, const std::vector<int>& attention_mask = {}) const;
  // A pooled hidden state [width] -> clip_text_projection, L2-normalised [projection_dim].
  at::Tensor project(const at::Tensor& pooled) const;

  // The effective position table [context, width]: rows below kClipKeptPositions from
  // position_embedding, the others from position_embedding_res.
  const at::Tensor& position_table() const { return positions_; }
  // True when the checkpoint held a stock 77-row CLIP table (position_embedding.weight) that was
  // stretched at load time; callers record it, since such weights were not trained at 248.
  bool positions_extended_at_load() const { return extended_at_load_; }
  int context() const { return context_; }
  int eos_token_id() const { return eos_; }

 private:
  void check_ids(const std::vector<int>& ids, const char* what) const;
  void load_positions(Checkpoint& ckpt, const ModelConfig& cfg, const std::string& emb);

  at::Tensor token_embedding_;  // [vocab, width]
  at::Tensor positions_;        // [context, width], effective rows
  std::vector<ClipEncoderLayer> layers_;
  LayerNormWeights final_layer_norm_;
  at::Tensor text_projection_;  // [projection_dim, width], no bias
  std::string where_;           // checkpoint dir + module path, for errors
  int vocab_ = 0, width_ = 0, context_ = 0, eos_ = 0;
  bool extended_at_load_ = false;
};

}  // namespace ppb::model
