#include "datasets/frame_preprocess.h"

#include <stdexcept>

namespace ppb::datasets {

const Normalization& clip_normalization() {
  static const Normalization n{"clip", {0.48145466, 0.4578275, 0.40821073}, {0.26862954, 0.26130258, 0.27577711}};
  return n;
}

at::Tensor normalize_frames(const at::Tensor& rgb, const Normalization& norm) {
  if (rgb.dim() != 4 || rgb.size(3) != 3 || rgb.scalar_type() != at::kByte)
    throw std::runtime_error("normalize_frames expects uint8 [T, H, W, 3]");
  at::Tensor x = rgb.permute({0, 3, 1, 2}).to(at::kFloat).div_(255.0);
  at::Tensor mean = at::tensor({norm.mean[0], norm.mean[1], norm.mean[2]}, at::kDouble).to(at::kFloat).view({1, 3, 1, 1});
  at::Tensor std = at::tensor({norm.std[0], norm.std[1], norm.std[2]}, at::kDouble).to(at::kFloat).view({1, 3, 1, 1});
  return x.sub_(mean).div_(std).contiguous();
}

}  // namespace ppb::datasets
