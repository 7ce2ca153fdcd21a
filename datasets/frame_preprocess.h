// Pixel preprocessing, named and recorded with every sample: how a decoded frame becomes the
// S x S input of a vision tower (the resize geometry), then the per-channel normalisation.
#pragma once
#include <array>
#include <cstdint>
#include <string>

#include <ATen/ATen.h>

namespace ppb::datasets {

// Per-channel normalisation constants.
struct Normalization {
  std::string name;             // "clip" or "siglip"
  std::array<double, 3> mean;   // RGB mean of [0, 1] pixels
  std::array<double, 3> std;    // RGB standard deviation
};

const Normalization& clip_normalization();    // OpenAI CLIP
const Normalization& siglip_normalization();  // SigLIP: 0.5 / 0.5
// "clip" or "siglip"; throws listing the valid names.
const Normalization& normalization_by_name(const std::string& name);

enum class ResizeMode {
  native,                     // decoded size, no resize (for inspection and parity checks)
  squash,                     // bicubic to S x S, aspect ratio ignored (PPLLaVA, SlowFast-LLaVA)
  shortest_edge_center_crop,  // bicubic so the short edge is S (long edge truncated), centre S x S crop (CLIP processor)
  pad_to_square,              // bicubic so the long edge is S, centred on an S x S canvas of the mean colour (Qwen/OneVision)
};

struct FrameGeometry {
  ResizeMode mode = ResizeMode::squash;   // see ResizeMode
  int size = 336;                         // S
  std::array<uint8_t, 3> pad_rgb{0, 0, 0};  // canvas colour for pad_to_square (the normalisation mean x 255)
};

// "native", "squash", "shortest_edge_center_crop", "pad_to_square"; throws listing them.
ResizeMode resize_mode_by_name(const std::string& name);
std::string resize_mode_name(ResizeMode m);
// The geometry of a named resize mode at size S, padding with `norm`'s mean colour.
FrameGeometry make_geometry(const std::string& mode, int size, const Normalization& norm);

// Where a W x H frame goes: scaled to scaled_w x scaled_h, then that image's window at
// (crop_x, crop_y) is placed at (pad_x, pad_y) of an out_w x out_h canvas.
struct Placement {
  int scaled_w = 0, scaled_h = 0;
  int out_w = 0, out_h = 0;
  int crop_x = 0, crop_y = 0;
  int pad_x = 0, pad_y = 0;
  int copy_w = 0, copy_h = 0;  // size of the copied window
};
Placement place_frame(const FrameGeometry& g, int width, int height);

// rgb uint8 [T, H, W, 3] -> float [T, 3, H, W]: x / 255, then (x - mean) / std per channel.
at::Tensor normalize_frames(const at::Tensor& rgb, const Normalization& norm);

}  // namespace ppb::datasets
