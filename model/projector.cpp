#include "model/projector.h"

namespace ppb::model {

Projector::Projector(Checkpoint& ckpt, const ModelConfig& cfg, const std::string& p) : act_(cfg.projector_hidden_act) {
  const int dv = cfg.vision.hidden_size, dl = cfg.text.hidden_size;
  linear_1_ = {ckpt.get(p + "linear_1.weight", {dl, dv}), ckpt.get(p + "linear_1.bias", {dl})};
  linear_2_ = {ckpt.get(p + "linear_2.weight", {dl, dl}), ckpt.get(p + "linear_2.bias", {dl})};
}

at::Tensor Projector::forward(const at::Tensor& x) const { return linear_2_(activation(act_, linear_1_(x))); }

}  // namespace ppb::model
