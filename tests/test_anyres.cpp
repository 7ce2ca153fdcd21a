// LLaVA-NeXT anyres preprocessing of single images (datasets/anyres.*): the pinpoint choice
// against hand-computed effective and wasted areas, the aspect-preserving fit, and the tiles cut
// from synthetic images whose every pixel value is known.
#include "tests/catch_aten.h"

#include <array>
#include <vector>

#include "datasets/anyres.h"
#include "datasets/frame_preprocess.h"

using namespace ppb::datasets;

namespace {

const std::vector<std::array<int, 2>> kLlava16{{336, 672}, {672, 336}, {672, 672}, {1008, 336}, {336, 1008}};

bool same(const PixelSize& a, int64_t h, int64_t w) { return a.height == h && a.width == w; }

// An image whose red channel encodes the row and green the column: any misplaced pixel shows.
at::Tensor coordinate_image(int64_t h, int64_t w) {
  at::Tensor img = at::empty({h, w, 3}, at::kByte);
  auto a = img.accessor<uint8_t, 3>();
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x) {
      a[y][x][0] = static_cast<uint8_t>(5 + 9 * y);
      a[y][x][1] = static_cast<uint8_t>(3 + 8 * x);
      a[y][x][2] = 77;
    }
  return img;
}

// One image through normalize_frames, [3, H, W].
at::Tensor normalised(const at::Tensor& rgb) {
  return normalize_frames(rgb.contiguous().unsqueeze(0), clip_normalization())[0];
}

}  // namespace

TEST_CASE("anyres: the best pinpoint keeps the most pixels, then wastes the least", "[image]") {
  // 800 wide x 600 high: 672x672 keeps 672*504 pixels; 336x672 and 336x1008 only 448*336.
  CHECK(same(select_best_resolution({600, 800}, kLlava16), 672, 672));
  // 300 wide x 1000 high: 1008x336 fits 302x1008, capped at the image's own 300000 pixels; the
  // runner-up 672x336 keeps 201*672.
  CHECK(same(select_best_resolution({1000, 300}, kLlava16), 1008, 336));
  CHECK(same(select_best_resolution({300, 1000}, kLlava16), 336, 1008));
  // 100x100: every pinpoint upscales, so each keeps exactly 10000 pixels; 336x672 and 672x336
  // waste the same 215792, and the earlier one wins.
  CHECK(same(select_best_resolution({100, 100}, kLlava16), 336, 672));
  const std::vector<std::array<int, 2>> swapped{{672, 336}, {336, 672}};
  CHECK(same(select_best_resolution({100, 100}, swapped), 672, 336));
  // An exact fit wastes nothing.
  CHECK(same(select_best_resolution({336, 672}, kLlava16), 336, 672));
  CHECK_THROWS_WITH(select_best_resolution({100, 100}, {}), Catch::Contains("no grid pinpoints"));
  CHECK_THROWS_WITH(select_best_resolution({0, 100}, kLlava16), Catch::Contains("the image is 0 x 100"));
}

TEST_CASE("anyres: the aspect-preserving fit fills the limiting side and rounds the other up", "[image]") {
  // 1344 wide: width scale 0.5 < height scale, so the height becomes ceil(301 * 0.5) = 151.
  CHECK(same(fit_within({301, 1344}, {672, 672}), 151, 672));
  CHECK(same(fit_within({1344, 301}, {672, 672}), 672, 151));
  CHECK(same(fit_within({10, 28}, {14, 28}), 10, 28));  // fits already: no change
  CHECK(same(fit_within({20, 20}, {14, 28}), 14, 14));
}

TEST_CASE("anyres: resize_rgb keeps flat colours, sizes and same-size images", "[image]") {
  at::Tensor flat = at::full({30, 50, 3}, 200, at::kByte);
  const at::Tensor small = resize_rgb(flat, {7, 11});
  CHECK(small.sizes() == at::IntArrayRef({7, 11, 3}));
  CHECK(small.scalar_type() == at::kByte);
  CHECK(at::equal(small, at::full({7, 11, 3}, 200, at::kByte)));  // antialiasing weights sum to 1
  const at::Tensor img = coordinate_image(9, 13);
  CHECK(at::equal(resize_rgb(img, {9, 13}), img));
  CHECK_THROWS_WITH(resize_rgb(img.to(at::kFloat), {4, 4}), Catch::Contains("uint8 RGB image [H, W, 3]"));
}

TEST_CASE("anyres: an exact fit is cut into row-major crops behind the squashed base tile", "[image]") {
  const std::vector<std::array<int, 2>> pins{{14, 28}, {28, 14}, {28, 28}};
  const at::Tensor img = coordinate_image(14, 28);
  const AnyresImage a = anyres_tiles(img, pins, 14, clip_normalization());
  CHECK(same(a.canvas, 14, 28));
  CHECK(same(a.fitted, 14, 28));
  CHECK(same(a.original, 14, 28));
  CHECK(a.grid_rows == 1);
  CHECK(a.grid_cols == 2);
  REQUIRE(a.tiles.sizes() == at::IntArrayRef({3, 3, 14, 14}));
  CHECK(a.tiles.scalar_type() == at::kFloat);
  CHECK(at::equal(a.tiles[0], normalised(resize_rgb(img, {14, 14}))));
  CHECK(at::equal(a.tiles[1], normalised(img.slice(1, 0, 14))));
  CHECK(at::equal(a.tiles[2], normalised(img.slice(1, 14, 28))));
}

TEST_CASE("anyres: padding is black and centred, the odd row going to the bottom", "[image]") {
  const std::vector<std::array<int, 2>> pins{{14, 28}};
  for (int64_t h : {10, 11}) {
    const at::Tensor img = coordinate_image(h, 28);
    const AnyresImage a = anyres_tiles(img, pins, 14, clip_normalization());
    REQUIRE(a.tiles.size(0) == 3);
    CHECK(same(a.fitted, h, 28));
    const int64_t top = (14 - h) / 2;  // 2 for h = 10; 1 (and 2 below) for h = 11
    at::Tensor canvas = at::zeros({14, 28, 3}, at::kByte);
    canvas.slice(0, top, top + h).copy_(img);
    CHECK(at::equal(a.tiles[1], normalised(canvas.slice(1, 0, 14))));
    CHECK(at::equal(a.tiles[2], normalised(canvas.slice(1, 14, 28))));
    // The padded rows hold normalised black, (0 - mean) / std per channel.
    const auto& n = clip_normalization();
    for (int c = 0; c < 3; ++c) {
      const float black = static_cast<float>((0.0 - n.mean[c]) / n.std[c]);
      CHECK(a.tiles[1][c][0][0].item<float>() == Approx(black));
      CHECK(a.tiles[2][c][13][13].item<float>() == Approx(black));
    }
  }
}

TEST_CASE("anyres: a resized image and bad input", "[image]") {
  // 20 x 40 into 14 x 28: both scales are 0.7, the height fills (14) and the width is ceil(28.0) = 28.
  const AnyresImage a = anyres_tiles(at::full({20, 40, 3}, 90, at::kByte), {{14, 28}}, 14, clip_normalization());
  CHECK(same(a.fitted, 14, 28));
  CHECK(a.tiles.size(0) == 3);
  CHECK(at::allclose(a.tiles[1], a.tiles[2]));  // a flat image stays flat through resize and cut
  CHECK_THROWS_WITH(anyres_tiles(coordinate_image(5, 5), {{14, 20}}, 14, clip_normalization()),
                    Catch::Contains("14 x 20 is not a positive multiple of the 14-pixel tile"));
  CHECK_THROWS_WITH(anyres_tiles(at::zeros({5, 5}, at::kByte), {{14, 14}}, 14, clip_normalization()),
                    Catch::Contains("anyres_tiles: expects a non-empty uint8 RGB image"));
}
