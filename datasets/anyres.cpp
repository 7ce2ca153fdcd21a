#include "datasets/anyres.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace ppb::datasets {
namespace {

std::string hw(int64_t h, int64_t w) { return std::to_string(h) + " x " + std::to_string(w); }

void require_positive(const PixelSize& s, const char* where, const char* what) {
  if (s.height <= 0 || s.width <= 0)
    throw std::runtime_error(std::string(where) + ": " + what + " is " + hw(s.height, s.width) +
                             " pixels; both sides must be positive");
}

void require_rgb(const at::Tensor& rgb, const char* where) {
  if (!rgb.defined() || rgb.dim() != 3 || rgb.size(2) != 3 || rgb.scalar_type() != at::kByte ||
      rgb.size(0) <= 0 || rgb.size(1) <= 0) {
    std::string got = "nothing";
    if (rgb.defined()) {
      got = std::string(at::toString(rgb.scalar_type())) + " [";
      for (int64_t i = 0; i < rgb.dim(); ++i) got += (i ? ", " : "") + std::to_string(rgb.size(i));
      got += "]";
    }
    throw std::runtime_error(std::string(where) + ": expects a non-empty uint8 RGB image [H, W, 3], got " + got);
  }
}

}  // namespace

PixelSize select_best_resolution(const PixelSize& original, const std::vector<std::array<int, 2>>& pinpoints) {
  require_positive(original, "select_best_resolution", "the image");
  if (pinpoints.empty()) throw std::runtime_error("select_best_resolution: no grid pinpoints to choose from");
  // float64 like the Python original, so that truncations land on the same integers.
  const double oh = static_cast<double>(original.height), ow = static_cast<double>(original.width);
  const int64_t original_area = original.height * original.width;
  PixelSize best;
  int64_t best_effective = 0;
  double least_wasted = std::numeric_limits<double>::infinity();
  for (const auto& p : pinpoints) {
    const PixelSize cand{p[0], p[1]};
    require_positive(cand, "select_best_resolution", "a grid pinpoint");
    const double scale = std::min(static_cast<double>(cand.width) / ow, static_cast<double>(cand.height) / oh);
    const auto fit_w = static_cast<int64_t>(ow * scale), fit_h = static_cast<int64_t>(oh * scale);
    // Upscaling adds no information: an image counts at most its own pixels.
    const int64_t effective = std::min(fit_w * fit_h, original_area);
    const auto wasted = static_cast<double>(cand.height * cand.width - effective);
    if (effective > best_effective || (effective == best_effective && wasted < least_wasted)) {
      best_effective = effective;
      least_wasted = wasted;
      best = cand;
    }
  }
  return best;
}

PixelSize fit_within(const PixelSize& original, const PixelSize& target) {
  require_positive(original, "fit_within", "the image");
  require_positive(target, "fit_within", "the target");
  const double scale_w = static_cast<double>(target.width) / static_cast<double>(original.width);
  const double scale_h = static_cast<double>(target.height) / static_cast<double>(original.height);
  if (scale_w < scale_h) {
    const auto h = static_cast<int64_t>(std::ceil(static_cast<double>(original.height) * scale_w));
    return {std::min(h, target.height), target.width};
  }
  const auto w = static_cast<int64_t>(std::ceil(static_cast<double>(original.width) * scale_h));
  return {target.height, std::min(w, target.width)};
}

at::Tensor resize_rgb(const at::Tensor& rgb, const PixelSize& size) {
  require_rgb(rgb, "resize_rgb");
  require_positive(size, "resize_rgb", "the output size");
  if (rgb.size(0) == size.height && rgb.size(1) == size.width) return rgb;
  const at::Tensor planar = rgb.permute({2, 0, 1}).unsqueeze(0).to(at::kFloat);  // [1, 3, H, W]
  // The antialiased kernel widens the filter when shrinking, as PIL does; plain bicubic would alias.
  const std::array<int64_t, 2> out_size{size.height, size.width};
  const at::Tensor out = at::_upsample_bicubic2d_aa(planar, out_size, /*align_corners=*/false);
  return out.round().clamp_(0, 255).to(at::kByte).squeeze(0).permute({1, 2, 0}).contiguous();
}

AnyresImage anyres_tiles(const at::Tensor& rgb, const std::vector<std::array<int, 2>>& pinpoints, int tile_size,
                         const Normalization& norm) {
  require_rgb(rgb, "anyres_tiles");
  if (tile_size <= 0) throw std::runtime_error("anyres_tiles: tile size " + std::to_string(tile_size) + " is not positive");
  const int64_t S = tile_size;
  for (const auto& p : pinpoints)
    if (p[0] <= 0 || p[1] <= 0 || p[0] % S != 0 || p[1] % S != 0)
      throw std::runtime_error("anyres_tiles: grid pinpoint " + hw(p[0], p[1]) + " is not a positive multiple of the " +
                               std::to_string(S) + "-pixel tile");
  AnyresImage out;
  out.original = {rgb.size(0), rgb.size(1)};
  out.canvas = select_best_resolution(out.original, pinpoints);
  out.fitted = fit_within(out.original, out.canvas);
  out.grid_rows = out.canvas.height / S;
  out.grid_cols = out.canvas.width / S;

  // Resize into the canvas and centre it; the odd pixel of padding goes after (bottom, right).
  // Padding is black in byte space, before normalisation, as the HF processor pads.
  const at::Tensor fitted = resize_rgb(rgb, out.fitted);
  at::Tensor canvas = at::zeros({out.canvas.height, out.canvas.width, 3}, at::kByte);
  const int64_t top = (out.canvas.height - out.fitted.height) / 2;
  const int64_t left = (out.canvas.width - out.fitted.width) / 2;
  canvas.slice(0, top, top + out.fitted.height).slice(1, left, left + out.fitted.width).copy_(fitted);

  std::vector<at::Tensor> tiles;
  tiles.reserve(static_cast<size_t>(1 + out.grid_rows * out.grid_cols));
  tiles.push_back(resize_rgb(rgb, {S, S}));  // the base tile: the whole image squashed, aspect ignored
  for (int64_t r = 0; r < out.grid_rows; ++r)
    for (int64_t c = 0; c < out.grid_cols; ++c)
      tiles.push_back(canvas.slice(0, r * S, (r + 1) * S).slice(1, c * S, (c + 1) * S));
  out.tiles = normalize_frames(at::stack(tiles, 0), norm);
  return out;
}

}  // namespace ppb::datasets
