#include "model/image_packing.h"

#include <stdexcept>
#include <string>

namespace ppb::model {
namespace {

std::string sizes_of(const at::Tensor& t) {
  std::string s = "[";
  for (int64_t i = 0; i < t.dim(); ++i) s += (i ? ", " : "") + std::to_string(t.size(i));
  return s + "]";
}

std::string hw(int64_t h, int64_t w) { return std::to_string(h) + " x " + std::to_string(w); }

// A 0 x 0 grid is the base tile alone; otherwise both sides must be positive.
bool base_only(const TileGrid& grid, const char* where) {
  if (grid.rows == 0 && grid.cols == 0) return true;
  if (grid.rows <= 0 || grid.cols <= 0)
    throw std::runtime_error(std::string(where) + ": tile grid " + hw(grid.rows, grid.cols) +
                             " (rows and columns must both be positive, or both 0 for the base tile only)");
  return false;
}

}  // namespace

UnpadWindow unpad_window(const ImageSize& original, int64_t height, int64_t width) {
  if (original.height <= 0 || original.width <= 0)
    throw std::runtime_error("unpad_window: the original image is " + hw(original.height, original.width) +
                             " pixels; both sides must be positive");
  if (height <= 0 || width <= 0)
    throw std::runtime_error("unpad_window: the token grid is " + hw(height, width) + "; both sides must be positive");
  UnpadWindow win{0, height, 0, width};
  // Cross-multiplied aspect ratios: exact where HF compares two float quotients (which, for
  // integer sizes this small, order the same way).
  if (original.width * height > width * original.height) {
    // Wider than the grid: resize-and-pad filled the full width and padded above and below.
    const int64_t filled = original.height * width / original.width;  // floor, as HF's int()
    const int64_t pad = (height - filled) / 2;
    win.row_begin = pad;
    win.row_end = height - pad;
  } else {
    const int64_t filled = original.width * height / original.height;
    const int64_t pad = (width - filled) / 2;
    win.col_begin = pad;
    win.col_end = width - pad;
  }
  return win;
}

int64_t packed_image_token_count(const ImageSize& original, const TileGrid& grid, int64_t tile_rows,
                                 int64_t tile_cols, bool newline) {
  if (tile_rows <= 0 || tile_cols <= 0)
    throw std::runtime_error("packed_image_token_count: each tile pools to " + hw(tile_rows, tile_cols) +
                             " tokens; both sides must be positive");
  const int64_t base = tile_rows * tile_cols;
  if (base_only(grid, "packed_image_token_count")) return base + (newline ? 1 : 0);
  const UnpadWindow win = unpad_window(original, grid.rows * tile_rows, grid.cols * tile_cols);
  return base + win.rows() * (win.cols() + (newline ? 1 : 0));
}

at::Tensor pack_image_tokens(const at::Tensor& base, const at::Tensor& crops, const ImageSize& original,
                             const at::Tensor& newline) {
  if (!base.defined() || base.dim() != 3 || base.numel() == 0)
    throw std::runtime_error("pack_image_tokens: the base tile's tokens must be a non-empty [th, tw, D], got " +
                             (base.defined() ? sizes_of(base) : std::string("nothing")));
  const int64_t th = base.size(0), tw = base.size(1), D = base.size(2);
  if (newline.defined() && (newline.dim() != 1 || newline.size(0) != D))
    throw std::runtime_error("pack_image_tokens: image_newline must be [" + std::to_string(D) +
                             "] like the tokens, got " + sizes_of(newline));
  // The newline joins the tokens' dtype and device (it is loaded like every other weight, but a
  // caller may pack float32 tokens computed elsewhere).
  const at::Tensor nl = newline.defined() ? newline.to(base.options()).view({1, D}) : at::Tensor();
  const at::Tensor base_tokens = base.reshape({th * tw, D});

  if (!crops.defined() || crops.numel() == 0) {
    // One tile: LLaVA-NeXT still ends it with a newline.
    return nl.defined() ? at::cat({base_tokens, nl}, 0) : base_tokens.contiguous();
  }
  if (crops.dim() != 5 || crops.size(2) != th || crops.size(3) != tw || crops.size(4) != D)
    throw std::runtime_error("pack_image_tokens: crops must be [rows, cols, " + std::to_string(th) + ", " +
                             std::to_string(tw) + ", " + std::to_string(D) + "] like the base tile, got " +
                             sizes_of(crops));
  if (crops.scalar_type() != base.scalar_type() || crops.device() != base.device())
    throw std::runtime_error("pack_image_tokens: the crops' dtype or device differs from the base tile's");
  const int64_t rows = crops.size(0), cols = crops.size(1);
  // [rows, cols, th, tw, D] -> one (rows*th) x (cols*tw) token grid: tile row, token row, tile
  // column, token column.
  const at::Tensor grid = crops.permute({0, 2, 1, 3, 4}).reshape({rows * th, cols * tw, D});
  const UnpadWindow win = unpad_window(original, rows * th, cols * tw);
  at::Tensor kept = grid.slice(0, win.row_begin, win.row_end).slice(1, win.col_begin, win.col_end);
  if (nl.defined()) kept = at::cat({kept, nl.view({1, 1, D}).expand({win.rows(), 1, D})}, 1);
  return at::cat({base_tokens, kept.reshape({-1, D})}, 0);
}

}  // namespace ppb::model
