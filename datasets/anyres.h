// LLaVA-NeXT's "anyres" preprocessing of one still image (the llava-hf LLaVA-NeXT image
// processor): pick the grid resolution ("pinpoint") that keeps the most of the image, resize the
// image into it keeping its aspect ratio, pad the rest black and centred, cut it into S x S crops
// row-major, and put the whole image squashed to S x S in front as the base tile. Sizes here are
// plain integers: datasets/ does not depend on model/, whose ImageSize and TileGrid the caller
// builds from these fields (docs/model.md "Single images").
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include <ATen/ATen.h>

#include "datasets/frame_preprocess.h"

namespace ppb::datasets {

// A height x width in pixels.
struct PixelSize {
  int64_t height = 0;  // pixel rows
  int64_t width = 0;   // pixel columns
};

// The pinpoint ([height, width] pixels) an image of `original` size is tiled at: the one whose
// aspect-preserving fit keeps the most original pixels (the fitted size truncated to integers,
// capped at the original's pixel count); ties go to the one with the least unused canvas, and
// remaining ties to the earlier pinpoint. HF's select_best_resolution, in the same float64
// arithmetic. Throws when the list is empty or a size is not positive.
PixelSize select_best_resolution(const PixelSize& original, const std::vector<std::array<int, 2>>& pinpoints);

// The size an image of `original` size is resized to inside `target` keeping its aspect ratio:
// the limiting side fills the target, the other is ceil(side * scale) capped at the target (HF's
// get_patch_output_size).
PixelSize fit_within(const PixelSize& original, const PixelSize& target);

// rgb uint8 [H, W, 3] -> uint8 [height, width, 3]: LibTorch's antialiased bicubic (a = -0.5, the
// filter widened when shrinking), rounded back to bytes. That is the scheme of PIL's BICUBIC,
// which the HF processor calls; it is not checked against PIL pixel by pixel. The same size is
// returned unchanged.
at::Tensor resize_rgb(const at::Tensor& rgb, const PixelSize& size);

// One image cut for a vision tower of input side S.
struct AnyresImage {
  at::Tensor tiles;        // [1 + grid_rows * grid_cols, 3, S, S] float32, normalised: base, then crops row-major
  int64_t grid_rows = 0;   // crop tiles down (canvas height / S)
  int64_t grid_cols = 0;   // crop tiles across (canvas width / S)
  PixelSize original;      // the image's size before any resizing (what unpadding needs)
  PixelSize canvas;        // the chosen pinpoint
  PixelSize fitted;        // the image's size inside the canvas before padding
};

// rgb uint8 [H, W, 3] -> tiles. Every pinpoint must be a positive multiple of `tile_size`.
AnyresImage anyres_tiles(const at::Tensor& rgb, const std::vector<std::array<int, 2>>& pinpoints, int tile_size,
                         const Normalization& norm);

}  // namespace ppb::datasets
