// The adaptive family against plain loops written here: slowfast (linspace slow frames with a 1-D
// max pool, adaptive fast grid) and pllava (adaptive 3-D pool, frame repetition), plus PyTorch's
// own adaptive pooling as a second, independent reference.
#include "tests/catch_aten.h"

#include "model/token_reducers.h"

using ppb::model::builtin_reducers;
using ppb::model::ReducerPlacement;
using nlohmann::json;

namespace {

int64_t bin_begin(int64_t i, int64_t in, int64_t out) { return (i * in) / out; }
int64_t bin_end(int64_t i, int64_t in, int64_t out) { return ((i + 1) * in + out - 1) / out; }

// Adaptive 3-D average over x [T, H, W, D] to (To, Ho, Wo), frames-major then rows, columns.
at::Tensor adaptive_loops(const at::Tensor& x, int64_t To, int64_t Ho, int64_t Wo) {
  const int64_t T = x.size(0), H = x.size(1), W = x.size(2), D = x.size(3);
  at::Tensor out = at::zeros({To * Ho * Wo, D}, at::kDouble);
  const at::Tensor xd = x.to(at::kDouble);
  auto xa = xd.accessor<double, 4>();
  auto oa = out.accessor<double, 2>();
  for (int64_t t = 0; t < To; ++t)
    for (int64_t i = 0; i < Ho; ++i)
      for (int64_t j = 0; j < Wo; ++j) {
        int64_t n = 0;
        for (int64_t a = bin_begin(t, T, To); a < bin_end(t, T, To); ++a)
          for (int64_t b = bin_begin(i, H, Ho); b < bin_end(i, H, Ho); ++b)
            for (int64_t c = bin_begin(j, W, Wo); c < bin_end(j, W, Wo); ++c, ++n)
              for (int64_t d = 0; d < D; ++d) oa[(t * Ho + i) * Wo + j][d] += xa[a][b][c][d];
        for (int64_t d = 0; d < D; ++d) oa[(t * Ho + i) * Wo + j][d] /= static_cast<double>(n);
      }
  return out;
}

// SlowFast-LLaVA: slow frames' flattened tokens max-pooled in pairs, then every fast frame's
// adaptive gh x gw average.
at::Tensor slowfast_loops(const at::Tensor& x, const std::vector<int64_t>& slow, const std::vector<int64_t>& fast,
                          int64_t gh, int64_t gw) {
  const int64_t H = x.size(1), W = x.size(2), D = x.size(3), half = H * W / 2;
  const int64_t n = static_cast<int64_t>(slow.size()) * half + static_cast<int64_t>(fast.size()) * gh * gw;
  at::Tensor out = at::zeros({n, D}, at::kDouble);
  const at::Tensor flat = x.to(at::kDouble).reshape({x.size(0), H * W, D});
  auto fa = flat.accessor<double, 3>();
  auto oa = out.accessor<double, 2>();
  int64_t row = 0;
  for (int64_t t : slow)
    for (int64_t p = 0; p < half; ++p, ++row)
      for (int64_t d = 0; d < D; ++d) oa[row][d] = std::max(fa[t][2 * p][d], fa[t][2 * p + 1][d]);
  for (int64_t t : fast) {
    const at::Tensor pooled = adaptive_loops(x.slice(0, t, t + 1), 1, gh, gw);
    out.slice(0, row, row + gh * gw).copy_(pooled);
    row += gh * gw;
  }
  return out;
}

}  // namespace

TEST_CASE("linspace frame picks match SlowFast-LLaVA's, duplicates when T < S", "[reducers][slowfast]") {
  using ppb::model::linspace_frame_indices;
  CHECK(linspace_frame_indices(50, 10) == std::vector<int64_t>{0, 5, 10, 15, 20, 25, 30, 35, 40, 45});
  CHECK(linspace_frame_indices(8, 10) == std::vector<int64_t>{0, 0, 1, 2, 3, 4, 4, 5, 6, 7});
  CHECK(linspace_frame_indices(32, 2) == std::vector<int64_t>{0, 16});
  CHECK(linspace_frame_indices(7, 7) == std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6});
  CHECK_THROWS_WITH(linspace_frame_indices(0, 4), Catch::Contains("frames >= 1"));
}

TEST_CASE("slowfast: slow max-pooled pairs, then the adaptive fast grid", "[reducers][slowfast]") {
  const auto& r = builtin_reducers().get("slowfast");
  CHECK(r.placement == ReducerPlacement::after_projector);
  CHECK(r.count({50, 24, 24}, r.default_params) == 3680);  // 10*288 + 50*16
  at::manual_seed(21);
  {
    const at::Tensor x = at::randn({8, 6, 6, 3});
    const json p{{"slow_frames", 3}, {"fast_grid", {2, 3}}};
    const at::Tensor got = r.reduce(x, p, {});
    const at::Tensor want = slowfast_loops(x, {0, 2, 5}, {0, 1, 2, 3, 4, 5, 6, 7}, 2, 3);  // linspace(0,8,4) = 0, 2.67, 5.33
    REQUIRE(got.sizes() == want.sizes());
    CHECK(at::allclose(got.to(at::kDouble), want, 1e-5, 1e-6));
    CHECK(r.count({8, 6, 6}, p) == got.size(0));
  }
  {
    // Fewer frames than slow frames repeat; a non-divisible fast grid overlaps its bins; the odd
    // 27x27 grid pairs tokens across row ends and drops the last one (364 per slow frame).
    const at::Tensor x = at::randn({4, 27, 27, 2});
    const json p{{"slow_frames", 6}, {"fast_grid", {5, 4}}, {"fast_frames", 3}};
    const at::Tensor got = r.reduce(x, p, {});
    // linspace(0, 4, 7) = 0, .67, 1.33, 2, 2.67, 3.33 -> 0 0 1 2 2 3; linspace(0, 4, 4) -> 0 1 2.
    const at::Tensor want = slowfast_loops(x, {0, 0, 1, 2, 2, 3}, {0, 1, 2}, 5, 4);
    REQUIRE(got.size(0) == 6 * 364 + 3 * 20);
    CHECK(at::allclose(got.to(at::kDouble), want, 1e-5, 1e-6));
    CHECK(r.count({4, 27, 27}, p) == got.size(0));
  }
  {
    // The fast pathway alone against PyTorch's adaptive_avg_pool2d.
    const at::Tensor x = at::randn({3, 24, 24, 5});
    const at::Tensor got = r.reduce(x, json{{"slow_frames", 0}, {"fast_grid", {7, 10}}}, {});
    const at::Tensor ref = at::adaptive_avg_pool2d(x.permute({0, 3, 1, 2}), {7, 10}).permute({0, 2, 3, 1}).reshape({-1, 5});
    CHECK(at::allclose(got, ref, 1e-5, 1e-6));
  }
  CHECK_THROWS_WITH(r.count({4, 6, 6}, json{{"fast_grid", {8, 2}}}), Catch::Contains("larger than the patch grid 6x6"));
  CHECK_THROWS_WITH(r.count({4, 6, 6}, json{{"slow_frames", 0}, {"fast_frames", 0}}), Catch::Contains("no token"));
  CHECK_THROWS_WITH(r.count({4, 6, 6}, json{{"slow_frames", -1}}), Catch::Contains("'slow_frames' must be an integer >= 0"));
}

TEST_CASE("pllava: adaptive 3-D pooling with PyTorch's bins, repeated frames when T < T'", "[reducers][pllava]") {
  const auto& r = builtin_reducers().get("pllava");
  CHECK(r.placement == ReducerPlacement::after_projector);
  CHECK(r.default_params == json({{"shape", {16, 12, 12}}}));
  CHECK(r.count({16, 24, 24}, r.default_params) == 2304);
  at::manual_seed(22);
  // Divisible, and non-divisible (24 -> 10 and 7 overlap; 27 -> 14; 50 -> 16 in time).
  struct Case {
    std::vector<int64_t> in;
    std::array<int64_t, 3> out;
  };
  for (const Case& c : {Case{{4, 24, 24, 3}, {2, 12, 12}}, Case{{5, 24, 24, 2}, {3, 10, 7}},
                        Case{{2, 27, 27, 2}, {1, 14, 14}}, Case{{50, 6, 6, 2}, {16, 3, 3}}}) {
    const at::Tensor x = at::randn(c.in);
    const json p{{"shape", c.out}};
    const at::Tensor got = r.reduce(x, p, {});
    const at::Tensor want = adaptive_loops(x, c.out[0], c.out[1], c.out[2]);
    REQUIRE(got.sizes() == want.sizes());
    CHECK(at::allclose(got.to(at::kDouble), want, 1e-5, 1e-6));
    const at::Tensor ref = at::adaptive_avg_pool3d(x.permute({3, 0, 1, 2}).unsqueeze(0), {c.out[0], c.out[1], c.out[2]})
                               .squeeze(0)
                               .permute({1, 2, 3, 0})
                               .reshape({-1, c.in[3]});
    CHECK(at::allclose(got, ref, 1e-5, 1e-6));
  }
  // T = 3 < T' = 8: each frame repeated int(8/3) + 1 = 3 times, cut to 8: 0 0 0 1 1 1 2 2.
  const at::Tensor x = at::randn({3, 6, 6, 2});
  const at::Tensor got = r.reduce(x, json{{"shape", {8, 2, 2}}}, {});
  const at::Tensor repeated = x.index_select(0, at::tensor(std::vector<int64_t>{0, 0, 0, 1, 1, 1, 2, 2}, at::kLong));
  CHECK(at::allclose(got.to(at::kDouble), adaptive_loops(repeated, 8, 2, 2), 1e-5, 1e-6));
  CHECK_THROWS_WITH(r.count({3, 6, 6}, json{{"shape", {8, 7, 2}}}), Catch::Contains("more than the patch grid 6x6"));
  CHECK_THROWS_WITH(r.count({3, 6, 6}, json{{"shape", {8, 2}}}), Catch::Contains("pllava: parameter 'shape' must be 3 integers"));
}
