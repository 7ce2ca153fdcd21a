#include "datasets/frame_preprocess.h"

#include <algorithm>
#include <stdexcept>

#include <ATen/Parallel.h>

namespace ppb::datasets {

const Normalization& clip_normalization() {
  static const Normalization n{"clip", {0.48145466, 0.4578275, 0.40821073}, {0.26862954, 0.26130258, 0.27577711}};
  return n;
}

const Normalization& siglip_normalization() {
  static const Normalization n{"siglip", {0.5, 0.5, 0.5}, {0.5, 0.5, 0.5}};
  return n;
}

const Normalization& normalization_by_name(const std::string& name) {
  if (name == "clip") return clip_normalization();
  if (name == "siglip") return siglip_normalization();
  throw std::runtime_error("unknown normalisation '" + name + "' (known: clip, siglip)");
}

ResizeMode resize_mode_by_name(const std::string& name) {
  if (name == "native") return ResizeMode::native;
  if (name == "squash") return ResizeMode::squash;
  if (name == "shortest_edge_center_crop") return ResizeMode::shortest_edge_center_crop;
  if (name == "pad_to_square") return ResizeMode::pad_to_square;
  throw std::runtime_error("unknown preprocessing '" + name +
                           "' (known: native, squash, shortest_edge_center_crop, pad_to_square)");
}

std::string resize_mode_name(ResizeMode m) {
  switch (m) {
    case ResizeMode::native: return "native";
    case ResizeMode::squash: return "squash";
    case ResizeMode::shortest_edge_center_crop: return "shortest_edge_center_crop";
    case ResizeMode::pad_to_square: return "pad_to_square";
  }
  return "?";
}

FrameGeometry make_geometry(const std::string& mode, int size, const Normalization& norm) {
  FrameGeometry g;
  g.mode = resize_mode_by_name(mode);
  g.size = size;
  for (int c = 0; c < 3; ++c) g.pad_rgb[c] = static_cast<uint8_t>(norm.mean[c] * 255.0);  // int(x*255), as LLaVA's expand2square
  return g;
}

Placement place_frame(const FrameGeometry& g, int w, int h) {
  if (w <= 0 || h <= 0) throw std::runtime_error("frame has no pixels");
  const int S = g.size;
  Placement p;
  switch (g.mode) {
    case ResizeMode::native:
      p.scaled_w = p.out_w = p.copy_w = w;
      p.scaled_h = p.out_h = p.copy_h = h;
      break;
    case ResizeMode::squash:
      p.scaled_w = p.scaled_h = p.out_w = p.out_h = p.copy_w = p.copy_h = S;
      break;
    case ResizeMode::shortest_edge_center_crop: {
      // The CLIP processor: short edge -> S, long edge -> int(S * long / short); crop at (len - S) // 2.
      const bool wide = w >= h;
      const int long_edge = static_cast<int>(static_cast<int64_t>(S) * (wide ? w : h) / (wide ? h : w));
      p.scaled_w = wide ? long_edge : S;
      p.scaled_h = wide ? S : long_edge;
      p.out_w = p.out_h = p.copy_w = p.copy_h = S;
      p.crop_x = (p.scaled_w - S) / 2;
      p.crop_y = (p.scaled_h - S) / 2;
      break;
    }
    case ResizeMode::pad_to_square: {
      const bool wide = w >= h;
      const int short_edge = std::max<int>(1, static_cast<int>(static_cast<int64_t>(S) * (wide ? h : w) / (wide ? w : h)));
      p.scaled_w = wide ? S : short_edge;
      p.scaled_h = wide ? short_edge : S;
      p.out_w = p.out_h = S;
      p.copy_w = p.scaled_w;
      p.copy_h = p.scaled_h;
      p.pad_x = (S - p.scaled_w) / 2;
      p.pad_y = (S - p.scaled_h) / 2;
      break;
    }
  }
  return p;
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
