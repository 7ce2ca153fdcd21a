#include "datasets/frame_preprocess.h"

#include <stdexcept>

#include <ATen/Parallel.h>

namespace ppb::datasets {

const Normalization& clip_normalization() {
  static const Normalization n{"clip", {0.48145466, 0.4578275, 0.40821073}, {0.26862954, 0.26130258, 0.27577711}};
  return n;
}

at::Tensor normalize_frames(const at::Tensor& rgb, const Normalization& norm) {
  if (rgb.dim() != 4 || rgb.size(3) != 3 || rgb.scalar_type() != at::kByte)
    throw std::runtime_error("normalize_frames expects uint8 [T, H, W, 3]");
  // One pass through a 3 x 256 table (value -> normalised float per channel), writing the planar
  // [T, 3, H, W] layout directly: several times faster than permute + convert + sub + div.
  float table[3][256];
  for (int c = 0; c < 3; ++c)
    for (int v = 0; v < 256; ++v)
      table[c][v] = static_cast<float>((v / 255.0 - norm.mean[c]) / norm.std[c]);
  at::Tensor src = rgb.contiguous();
  const int64_t T = src.size(0), plane = src.size(1) * src.size(2);
  at::Tensor out = at::empty({T, 3, src.size(1), src.size(2)}, at::kFloat);
  const uint8_t* in = src.data_ptr<uint8_t>();
  float* dst = out.data_ptr<float>();
  at::parallel_for(0, T, 1, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      const uint8_t* p = in + t * plane * 3;
      float* r = dst + t * plane * 3;
      float* g = r + plane;
      float* b = g + plane;
      for (int64_t i = 0; i < plane; ++i) {
        r[i] = table[0][p[3 * i]];
        g[i] = table[1][p[3 * i + 1]];
        b[i] = table[2][p[3 * i + 2]];
      }
    }
  });
  return out;
}

}  // namespace ppb::datasets
