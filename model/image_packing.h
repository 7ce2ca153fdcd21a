// LLaVA-NeXT's anyres packing of one image's pooled tile tokens into the sequence the LLM sees:
// the base tile's tokens first, then the crops laid out as one (rows*th) x (cols*tw) grid, cut back
// to the original aspect ratio (the rows or columns that resize-and-pad filled with padding are
// removed, Hugging Face's unpad_image rule) with a learned image_newline vector after every row.
#pragma once
#include <cstdint>

#include <ATen/ATen.h>

namespace ppb::model {

// An image's size in pixels before any resizing.
struct ImageSize {
  int64_t height = 0;  // pixel rows
  int64_t width = 0;   // pixel columns
};

// The crop tiles of an anyres image; 0 x 0 means the base tile only.
struct TileGrid {
  int64_t rows = 0;  // crop tiles down
  int64_t cols = 0;  // crop tiles across
};

// The part of a height x width token grid that unpadding keeps: [row_begin, row_end) x [col_begin, col_end).
struct UnpadWindow {
  int64_t row_begin = 0, row_end = 0;  // kept token rows
  int64_t col_begin = 0, col_end = 0;  // kept token columns
  int64_t rows() const { return row_end - row_begin; }
  int64_t cols() const { return col_end - col_begin; }
};

// Hugging Face's unpad_image on a height x width grid for an image of `original` size. When the
// image is wider than the grid (w_orig / h_orig > width / height), the image fills
// new = floor(h_orig * width / w_orig) rows (HF truncates with int(), after rounding away float
// noise), and pad = (height - new) / 2 rows are cut from each side: rows [pad, height - pad),
// which keeps one extra row when height - new is odd. Otherwise the same for columns. Computed
// in integers. Throws on empty sizes.
UnpadWindow unpad_window(const ImageSize& original, int64_t height, int64_t width);

// Tokens of a packed image whose tiles pool to tile_rows x tile_cols tokens each: the base tile,
// then the unpadded crop grid with one newline per row when `newline` (with a 0 x 0 grid, the base
// and one newline).
int64_t packed_image_token_count(const ImageSize& original, const TileGrid& grid, int64_t tile_rows,
                                 int64_t tile_cols, bool newline);

// base [th, tw, D] and crops [rows, cols, th, tw, D] (undefined or empty for the base tile only),
// newline [D] (undefined: no newline tokens) -> [N, D] with N = packed_image_token_count(...).
at::Tensor pack_image_tokens(const at::Tensor& base, const at::Tensor& crops, const ImageSize& original,
                             const at::Tensor& newline);

}  // namespace ppb::model
