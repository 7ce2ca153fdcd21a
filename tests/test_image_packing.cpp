// Single images through PPLLaVA (model/image_packing.*, VideoLlm::image_tokens): HF's unpad rule
// on hand-computed grids, the packed sequence against a loop-built one, token counts, and the
// whole path on a tiny checkpoint (one-frame clips per tile, a joint relevance softmax, the
// uniform-relevance case equal to plain average pooling, and anyres tiles from datasets/).
#include "tests/catch_aten.h"

#include <array>
#include <string>
#include <vector>

#include "datasets/anyres.h"
#include "datasets/frame_preprocess.h"
#include "model/image_packing.h"
#include "model/tiny_checkpoint.h"
#include "model/video_llm.h"
#include "tests/test_support.h"

using namespace ppb::model;
using ppb::test::TempDir;

namespace {

bool window_is(const UnpadWindow& w, int64_t r0, int64_t r1, int64_t c0, int64_t c1) {
  return w.row_begin == r0 && w.row_end == r1 && w.col_begin == c0 && w.col_end == c1;
}

// The packed sequence written out token by token: base row-major, then for every kept row of the
// (rows*th) x (cols*tw) crop grid its kept tokens and the newline.
at::Tensor packed_by_loops(const at::Tensor& base, const at::Tensor& crops, int64_t r0, int64_t r1, int64_t c0,
                           int64_t c1, const at::Tensor& newline) {
  const int64_t th = base.size(0), tw = base.size(1);
  std::vector<at::Tensor> rows;
  for (int64_t y = 0; y < th; ++y)
    for (int64_t x = 0; x < tw; ++x) rows.push_back(base[y][x]);
  for (int64_t R = r0; R < r1; ++R) {
    for (int64_t C = c0; C < c1; ++C) rows.push_back(crops[R / th][C / tw][R % th][C % tw]);
    if (newline.defined()) rows.push_back(newline);
  }
  return at::stack(rows, 0);
}

const std::string& tiny_dir() {
  static TempDir dir("image_packing_tiny");
  static bool made = false;
  if (!made) {
    TinyCheckpointOptions o;
    o.seed = 21;
    o.dtype = "F32";
    write_tiny_checkpoint(dir.path(), o);
    made = true;
  }
  return dir.path();
}

}  // namespace

TEST_CASE("unpad_window: HF's rule on wide, tall and square images", "[image]") {
  // 1000 wide x 300 high on 16 x 16: 300 * 16 / 1000 = 4.8 fills 4 rows (HF truncates), pad 6.
  CHECK(window_is(unpad_window({300, 1000}, 16, 16), 6, 10, 0, 16));
  // 230 x 1000 on 8 x 16: 3.68 -> 3 rows, pad (8 - 3) / 2 = 2, so 4 rows stay (the odd one kept).
  const UnpadWindow odd = unpad_window({230, 1000}, 8, 16);
  CHECK(window_is(odd, 2, 6, 0, 16));
  CHECK(odd.rows() == 4);
  // 300 wide x 1000 high on 24 x 16: 300 * 24 / 1000 = 7.2 -> 7 columns, pad 4.
  CHECK(window_is(unpad_window({1000, 300}, 24, 16), 0, 24, 4, 12));
  // Same aspect ratio: nothing is cut. A square image on a 1 x 2 grid loses half the columns.
  CHECK(window_is(unpad_window({500, 500}, 16, 16), 0, 16, 0, 16));
  CHECK(window_is(unpad_window({500, 500}, 8, 16), 0, 8, 4, 12));
  CHECK_THROWS_WITH(unpad_window({0, 10}, 8, 8), Catch::Contains("original image is 0 x 10"));
  CHECK_THROWS_WITH(unpad_window({10, 10}, 0, 8), Catch::Contains("token grid is 0 x 8"));
}

TEST_CASE("packed_image_token_count: base, unpadded rows and newlines", "[image]") {
  CHECK(packed_image_token_count({300, 1000}, {0, 0}, 8, 8, true) == 65);
  CHECK(packed_image_token_count({300, 1000}, {0, 0}, 8, 8, false) == 64);
  CHECK(packed_image_token_count({300, 1000}, {2, 2}, 8, 8, true) == 64 + 4 * 17);
  CHECK(packed_image_token_count({1000, 300}, {3, 2}, 8, 8, true) == 64 + 24 * 9);
  CHECK(packed_image_token_count({1000, 300}, {3, 2}, 8, 8, false) == 64 + 24 * 8);
  CHECK_THROWS_WITH(packed_image_token_count({10, 10}, {0, 2}, 8, 8, true), Catch::Contains("tile grid 0 x 2"));
}

TEST_CASE("pack_image_tokens: the same sequence as a token-by-token loop", "[image]") {
  at::manual_seed(3);
  const int64_t th = 2, tw = 3, D = 4;
  const at::Tensor base = at::randn({th, tw, D});
  const at::Tensor crops = at::randn({2, 3, th, tw, D});  // a 4 x 9 token grid
  const at::Tensor newline = at::randn({D});
  // 500 wide x 100 high: 100 * 9 / 500 = 1.8 -> 1 row, pad 1: rows [1, 3).
  at::Tensor got = pack_image_tokens(base, crops, {100, 500}, newline);
  CHECK(got.size(0) == packed_image_token_count({100, 500}, {2, 3}, th, tw, true));
  CHECK(at::equal(got, packed_by_loops(base, crops, 1, 3, 0, 9, newline)));
  // 100 wide x 500 high: 100 * 4 / 500 = 0.8 -> 0 columns, pad 4: column [4, 5).
  got = pack_image_tokens(base, crops, {500, 100}, newline);
  CHECK(at::equal(got, packed_by_loops(base, crops, 0, 4, 4, 5, newline)));
  // Same aspect as the grid (4 x 9): everything stays; without a newline none is added.
  got = pack_image_tokens(base, crops, {40, 90}, at::Tensor());
  CHECK(got.size(0) == packed_image_token_count({40, 90}, {2, 3}, th, tw, false));
  CHECK(at::equal(got, packed_by_loops(base, crops, 0, 4, 0, 9, at::Tensor())));
  // The base tile alone still ends with a newline.
  got = pack_image_tokens(base, at::Tensor(), {40, 90}, newline);
  CHECK(at::equal(got, at::cat({base.reshape({th * tw, D}), newline.view({1, D})}, 0)));
  CHECK_THROWS_WITH(pack_image_tokens(base, at::randn({2, 3, th, tw, D + 1}), {40, 90}, newline),
                    Catch::Contains("crops must be [rows, cols, 2, 3, 4]"));
  CHECK_THROWS_WITH(pack_image_tokens(base, crops, {40, 90}, at::randn({D + 1})),
                    Catch::Contains("image_newline must be [4]"));
}

TEST_CASE("image_tokens on a tiny checkpoint: counts, newlines, one clip per tile", "[image]") {
  VideoLlm m(tiny_dir());
  REQUIRE(m.input_size() == 336);
  at::manual_seed(5);
  const at::Tensor tiles = at::randn({3, 3, 336, 336});  // base + 1 x 2 crops
  const ImageSize original{300, 700};
  // 8 x 16 pooled crop grid; 300 * 16 / 700 = 6.86 -> 6 rows, pad 1: rows [1, 7) of 16 + newline.
  const int64_t expected = 64 + 6 * 17;
  CHECK(m.image_token_count(original, {1, 2}) == expected);
  const ImageTokens plain = m.image_tokens(tiles, {1, 2}, original);
  REQUIRE(plain.tokens.sizes() == at::IntArrayRef({expected, m.config().text.hidden_size}));
  CHECK_FALSE(plain.relevance.defined());
  // Every row ends with the same learned vector, the last token included.
  for (int64_t row = 1; row < 6; ++row)
    CHECK(at::equal(plain.tokens[64 + 17 * row - 1], plain.tokens[expected - 1]));
  CHECK_FALSE(at::equal(plain.tokens[64 + 15], plain.tokens[expected - 1]));

  // The base tile alone gives the same 64 tokens: the BT-Adapter saw it as its own clip, not
  // beside the crops (with them as frames its features would mix).
  const ImageTokens base_only = m.image_tokens(tiles.narrow(0, 0, 1), {0, 0}, original);
  REQUIRE(base_only.tokens.size(0) == m.image_token_count(original, {0, 0}));
  CHECK(base_only.tokens.size(0) == 65);
  CHECK(at::allclose(base_only.tokens.narrow(0, 0, 64), plain.tokens.narrow(0, 0, 64), 1e-5, 1e-5));
  CHECK(at::equal(base_only.tokens[64], plain.tokens[expected - 1]));

  CHECK_THROWS_WITH(m.image_tokens(tiles, {1, 1}, original), Catch::Contains("tiles must be [2, 3, 336, 336]"));
  CHECK_THROWS_WITH(m.image_tokens(tiles, {0, 2}, original), Catch::Contains("tile grid 0 x 2"));
}

TEST_CASE("image_tokens: relevance is softmaxed over all tiles; uniform relevance is average pooling", "[image]") {
  VideoLlm m(tiny_dir());
  REQUIRE(m.has_relevance());
  at::manual_seed(6);
  const at::Tensor tiles = at::randn({5, 3, 336, 336});  // base + 2 x 2 crops
  const ImageSize original{640, 480};
  const at::Tensor c = m.prompt_embedding(m.relevance_ids("what is on the table"));
  const ImageTokens guided = m.image_tokens(tiles, {2, 2}, original, c);
  REQUIRE(guided.relevance.sizes() == at::IntArrayRef({5, 24, 24}));
  CHECK(guided.relevance.sum().item<double>() == Approx(1.0).epsilon(1e-5));
  CHECK(guided.relevance[0].sum().item<double>() < 0.5);  // one tile holds only part of the mass
  CHECK(guided.tokens.size(0) == m.image_token_count(original, {2, 2}));

  const ImageTokens plain = m.image_tokens(tiles, {2, 2}, original);
  CHECK_FALSE(at::allclose(guided.tokens, plain.tokens, 1e-4, 1e-4));  // the prompt changes the weights
  // A zero prompt embedding scores every position alike, so each window's weights are equal.
  const at::Tensor zero = at::zeros_like(c);
  const ImageTokens uniform = m.image_tokens(tiles, {2, 2}, original, zero);
  CHECK(at::allclose(uniform.relevance, at::full_like(uniform.relevance, 1.0 / (5 * 576))));
  CHECK(at::allclose(uniform.tokens, plain.tokens, 1e-5, 1e-5));
}

TEST_CASE("image_tokens: anyres tiles of a synthetic image give the counted tokens", "[image]") {
  VideoLlm m(tiny_dir());
  // 700 wide x 300 high: 336 x 1008 keeps all 210000 pixels (1.12x), 336 x 672 only 672 x 288.
  at::Tensor rgb = at::arange(300 * 700 * 3, at::kLong).remainder(251).to(at::kByte).view({300, 700, 3});
  const auto a = ppb::datasets::anyres_tiles(rgb, m.config().image_grid_pinpoints, m.input_size(),
                                            ppb::datasets::clip_normalization());
  REQUIRE(a.grid_rows == 1);
  REQUIRE(a.grid_cols == 3);
  const ImageSize original{a.original.height, a.original.width};
  const TileGrid grid{a.grid_rows, a.grid_cols};
  // An 8 x 24 pooled crop grid (aspect 3) is wider than the image (7:3), so columns are cut:
  // 700 * 8 / 300 = 18.7 -> 18 columns, pad 3 -> 18 kept per row, plus a newline.
  CHECK(m.image_token_count(original, grid) == 64 + 8 * 19);
  const ImageTokens t = m.image_tokens(a.tiles, grid, original);
  CHECK(t.tokens.size(0) == 64 + 8 * 19);
}
