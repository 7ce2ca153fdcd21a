// Token reducers against plain-loop computations written here.
#include "tests/catch_aten.h"

#include "model/token_reducers.h"

using ppb::model::builtin_reducers;
using ppb::model::GridShape;

namespace {

// Mean over each (kt, kh, kw) window with floor mode, frames-major then rows then columns.
at::Tensor avgpool3d_loops(const at::Tensor& x, int kt, int kh, int kw) {
  const int64_t T = x.size(0), H = x.size(1), W = x.size(2), D = x.size(3);
  const int64_t To = T / kt, Ho = H / kh, Wo = W / kw;
  at::Tensor out = at::zeros({To * Ho * Wo, D}, at::kDouble);
  at::Tensor xd = x.to(at::kDouble);
  auto xa = xd.accessor<double, 4>();
  auto oa = out.accessor<double, 2>();
  for (int64_t t = 0; t < To; ++t)
    for (int64_t i = 0; i < Ho; ++i)
      for (int64_t j = 0; j < Wo; ++j)
        for (int64_t d = 0; d < D; ++d) {
          double s = 0;
          for (int a = 0; a < kt; ++a)
            for (int b = 0; b < kh; ++b)
              for (int c = 0; c < kw; ++c) s += xa[t * kt + a][i * kh + b][j * kw + c][d];
          oa[(t * Ho + i) * Wo + j][d] = s / (kt * kh * kw);
        }
  return out;
}

}  // namespace

TEST_CASE("avgpool3d equals the windowed mean, non-divisible grids dropping the remainder", "[reducers]") {
  const auto& r = builtin_reducers().get("avgpool3d");
  CHECK(r.default_params["kernel"] == (nlohmann::json({2, 3, 3})));
  at::manual_seed(7);
  for (auto shape : {std::vector<int64_t>{4, 6, 6, 5}, std::vector<int64_t>{5, 7, 8, 3}, std::vector<int64_t>{2, 27, 27, 2}}) {
    at::Tensor x = at::randn(shape);
    at::Tensor got = r.reduce(x, r.default_params, {});
    at::Tensor want = avgpool3d_loops(x, 2, 3, 3);
    REQUIRE(got.sizes() == want.sizes());
    CHECK(at::allclose(got.to(at::kDouble), want, 1e-5, 1e-6));
    CHECK(r.count({shape[0], shape[1], shape[2]}, r.default_params) == got.size(0));
    // Other dtypes and non-contiguous inputs take the generic path; the result is the same.
    CHECK(at::allclose(r.reduce(x.to(at::kDouble), r.default_params, {}), want, 1e-9, 1e-9));
    at::Tensor strided = at::randn({shape[0], shape[1], shape[2], 2 * shape[3]}).slice(3, 0, shape[3] * 2, 2);
    CHECK(at::allclose(r.reduce(strided, r.default_params, {}).to(at::kDouble), avgpool3d_loops(strided, 2, 3, 3), 1e-5, 1e-6));
  }
  // The released geometry: 32 frames of 24x24 -> 16*8*8.
  CHECK(r.count({32, 24, 24}, r.default_params) == 1024);
  CHECK(r.count({33, 24, 24}, r.default_params) == 1024);
  nlohmann::json k111{{"kernel", {1, 1, 1}}};
  at::Tensor x = at::randn({3, 4, 4, 2});
  CHECK(at::equal(r.reduce(x, k111, {}), x.reshape({-1, 2})));
}

TEST_CASE("avgpool3d reports a kernel that does not fit the grid", "[reducers]") {
  const auto& r = builtin_reducers().get("avgpool3d");
  CHECK_THROWS_WITH(r.reduce(at::zeros({1, 24, 24, 4}), r.default_params, {}),
                    Catch::Contains("(2,3,3) does not fit a grid of 1x24x24"));
  CHECK_THROWS_WITH(r.count({4, 2, 24}, r.default_params), Catch::Contains("does not fit"));
}

TEST_CASE("full keeps every token in frame-major, row-major order", "[reducers]") {
  const auto& r = builtin_reducers().get("full");
  at::Tensor x = at::arange(2 * 3 * 4 * 2, at::kFloat).view({2, 3, 4, 2});
  at::Tensor y = r.reduce(x, r.default_params, {});
  REQUIRE(y.sizes().vec() == (std::vector<int64_t>{24, 2}));
  // Token (t, i, j) sits at row (t*3 + i)*4 + j.
  CHECK(y[(1 * 3 + 2) * 4 + 3][1].item<float>() == x[1][2][3][1].item<float>());
  CHECK(r.count({32, 24, 24}, {}) == 32 * 576);
}

TEST_CASE("the method registry names the valid methods on a typo", "[reducers]") {
  CHECK_THROWS_WITH(builtin_reducers().get("avgpool"), Catch::Contains("avgpool3d") && Catch::Contains("full"));
}
