// The LLaVA multi-modal projector: linear_1 -> activation -> linear_2 (multi_modal_projector.*).
#pragma once
#include <string>

#include <ATen/ATen.h>

#include "model/checkpoint.h"
#include "model/hf_config.h"
#include "model/transformer_ops.h"

namespace ppb::model {

class Projector {
 public:
  Projector(Checkpoint& ckpt, const ModelConfig& cfg, const std::string& prefix = "multi_modal_projector.");
  at::Tensor forward(const at::Tensor& x) const;  // [..., D_vision] -> [..., D_llm]

 private:
  LinearWeights linear_1_, linear_2_;
  std::string act_;
};

}  // namespace ppb::model
