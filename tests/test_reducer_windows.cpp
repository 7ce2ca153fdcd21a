// The kernel = stride family against plain loops written here: ppllava (prompt-guided weights),
// conv3d (depthwise weights), pool2d (per-frame, before the projector).
#include <cmath>

#include "tests/catch_aten.h"

#include "model/token_reducers.h"

using ppb::model::builtin_reducers;
using ppb::model::ReduceInputs;
using ppb::model::ReducerPlacement;
using nlohmann::json;

namespace {

// Each output is sum_j a_j x_j over the window, a = softmax over the window of s / tau (double).
at::Tensor prompt_pool_loops(const at::Tensor& x, const at::Tensor& s, int kt, int kh, int kw, double tau) {
  const int64_t T = x.size(0), H = x.size(1), W = x.size(2), D = x.size(3);
  const int64_t To = T / kt, Ho = H / kh, Wo = W / kw;
  at::Tensor out = at::zeros({To * Ho * Wo, D}, at::kDouble);
  const at::Tensor xd = x.to(at::kDouble), sd = s.to(at::kDouble);
  auto xa = xd.accessor<double, 4>();
  auto sa = sd.accessor<double, 3>();
  auto oa = out.accessor<double, 2>();
  for (int64_t t = 0; t < To; ++t)
    for (int64_t i = 0; i < Ho; ++i)
      for (int64_t j = 0; j < Wo; ++j) {
        double top = -1e300, sum = 0;
        for (int a = 0; a < kt; ++a)
          for (int b = 0; b < kh; ++b)
            for (int c = 0; c < kw; ++c) top = std::max(top, sa[t * kt + a][i * kh + b][j * kw + c] / tau);
        for (int a = 0; a < kt; ++a)
          for (int b = 0; b < kh; ++b)
            for (int c = 0; c < kw; ++c) sum += std::exp(sa[t * kt + a][i * kh + b][j * kw + c] / tau - top);
        for (int a = 0; a < kt; ++a)
          for (int b = 0; b < kh; ++b)
            for (int c = 0; c < kw; ++c) {
              const double w = std::exp(sa[t * kt + a][i * kh + b][j * kw + c] / tau - top) / sum;
              for (int64_t d = 0; d < D; ++d) oa[(t * Ho + i) * Wo + j][d] += w * xa[t * kt + a][i * kh + b][j * kw + c][d];
            }
      }
  return out;
}

// Depthwise conv with kernel = stride: out[cell][d] = bias[d] + sum over the window of w[d][a][b][c] x.
at::Tensor depthwise_loops(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias) {
  const int64_t T = x.size(0), H = x.size(1), W = x.size(2), D = x.size(3);
  const int64_t kt = weight.size(2), kh = weight.size(3), kw = weight.size(4);
  const int64_t To = T / kt, Ho = H / kh, Wo = W / kw;
  at::Tensor out = at::zeros({To * Ho * Wo, D}, at::kDouble);
  const at::Tensor xd = x.to(at::kDouble), wd = weight.to(at::kDouble), bd = bias.to(at::kDouble);
  auto xa = xd.accessor<double, 4>();
  auto wa = wd.accessor<double, 5>();
  auto ba = bd.accessor<double, 1>();
  auto oa = out.accessor<double, 2>();
  for (int64_t t = 0; t < To; ++t)
    for (int64_t i = 0; i < Ho; ++i)
      for (int64_t j = 0; j < Wo; ++j)
        for (int64_t d = 0; d < D; ++d) {
          double acc = ba[d];
          for (int64_t a = 0; a < kt; ++a)
            for (int64_t b = 0; b < kh; ++b)
              for (int64_t c = 0; c < kw; ++c) acc += wa[d][0][a][b][c] * xa[t * kt + a][i * kh + b][j * kw + c][d];
          oa[(t * Ho + i) * Wo + j][d] = acc;
        }
  return out;
}

// A relevance field like the encoder's: positive, summing to 1 over all tokens.
at::Tensor random_relevance(int64_t T, int64_t H, int64_t W, double sharpness) {
  return at::softmax(at::randn({T * H * W}, at::kFloat) * sharpness, 0).view({T, H, W});
}

}  // namespace

TEST_CASE("ppllava weights each window by softmax(relevance / temperature)", "[reducers][ppllava]") {
  const auto& r = builtin_reducers().get("ppllava");
  CHECK(r.needs_relevance);
  CHECK(r.placement == ReducerPlacement::after_projector);
  CHECK(r.default_params == json({{"kernel", {2, 3, 3}}, {"temperature", 0.01}}));
  at::manual_seed(11);
  for (auto shape : {std::vector<int64_t>{4, 6, 6, 5}, std::vector<int64_t>{5, 7, 8, 3}, std::vector<int64_t>{2, 27, 27, 2}}) {
    INFO(shape[0] << "x" << shape[1] << "x" << shape[2]);
    const at::Tensor x = at::randn(shape);
    // Sharp fields make some windows peaked, as the released model's are where the prompt matters.
    for (double sharpness : {0.0, 1.0, 8.0}) {
      ReduceInputs in;
      in.relevance = random_relevance(shape[0], shape[1], shape[2], sharpness);
      const at::Tensor got = r.reduce(x, r.default_params, in);
      const at::Tensor want = prompt_pool_loops(x, in.relevance, 2, 3, 3, 0.01);
      REQUIRE(got.sizes() == want.sizes());
      CHECK(at::allclose(got.to(at::kDouble), want, 1e-5, 1e-5));
      CHECK(r.count({shape[0], shape[1], shape[2]}, r.default_params) == got.size(0));
      // bfloat16 features take the gathering path; the weights stay float32.
      CHECK(at::allclose(r.reduce(x.to(at::kBFloat16), r.default_params, in).to(at::kDouble), want, 2e-2, 2e-2));
    }
  }
  // Another temperature is a parameter.
  const at::Tensor x = at::randn({2, 3, 3, 4});
  ReduceInputs in;
  in.relevance = random_relevance(2, 3, 3, 4.0);
  const json warm{{"kernel", {2, 3, 3}}, {"temperature", 0.5}};
  CHECK(at::allclose(r.reduce(x, warm, in).to(at::kDouble), prompt_pool_loops(x, in.relevance, 2, 3, 3, 0.5), 1e-5, 1e-5));
}

TEST_CASE("ppllava with equal relevance is exactly avgpool3d", "[reducers][ppllava]") {
  const auto& pp = builtin_reducers().get("ppllava");
  const auto& avg = builtin_reducers().get("avgpool3d");
  at::manual_seed(12);
  for (auto shape : {std::vector<int64_t>{32, 24, 24, 8}, std::vector<int64_t>{5, 7, 8, 3}}) {
    const at::Tensor x = at::randn(shape);
    ReduceInputs in;
    in.relevance = at::full({shape[0], shape[1], shape[2]}, 1.0 / (shape[0] * shape[1] * shape[2]), at::kFloat);
    CHECK(at::equal(pp.reduce(x, pp.default_params, in), avg.reduce(x, avg.default_params, {})));
  }
}

TEST_CASE("ppllava: a dominant token takes its window; single images pool (1,3,3)", "[reducers][ppllava]") {
  const auto& r = builtin_reducers().get("ppllava");
  at::manual_seed(13);
  const at::Tensor x = at::randn({2, 3, 3, 4});
  at::Tensor s = at::full({2, 3, 3}, 1e-4, at::kFloat);
  s[1][2][0] = 0.9f;  // far above the others at temperature 0.01: weight ~ 1
  ReduceInputs in;
  in.relevance = s;
  CHECK(at::allclose(r.reduce(x, r.default_params, in)[0], x[1][2][0], 1e-5, 1e-5));

  const at::Tensor image = at::randn({1, 24, 24, 4});
  in.relevance = random_relevance(1, 24, 24, 1.0);
  CHECK(r.count({1, 24, 24}, r.default_params) == 64);
  const at::Tensor got = r.reduce(image, r.default_params, in);
  CHECK(at::allclose(got.to(at::kDouble), prompt_pool_loops(image, in.relevance, 1, 3, 3, 0.01), 1e-5, 1e-5));
}

TEST_CASE("ppllava rejects a missing or misshapen relevance and bad parameters", "[reducers][ppllava]") {
  const auto& r = builtin_reducers().get("ppllava");
  const at::Tensor x = at::randn({2, 6, 6, 4});
  CHECK_THROWS_WITH(r.reduce(x, r.default_params, {}), Catch::Contains("relevance must be [2, 6, 6]") && Catch::Contains("none"));
  ReduceInputs in;
  in.relevance = at::ones({2, 6, 5});
  CHECK_THROWS_WITH(r.reduce(x, r.default_params, in), Catch::Contains("got [2, 6, 5]"));
  CHECK_THROWS_WITH(r.count({2, 6, 6}, json{{"kernel", {2, 3}}}),
                    Catch::Contains("ppllava: parameter 'kernel' must be 3 integers [frames, rows, columns]"));
  CHECK_THROWS_WITH(r.count({2, 6, 6}, json{{"temperature", 0}}), Catch::Contains("'temperature' must be a finite number > 0"));
  CHECK_THROWS_WITH(r.count({2, 6, 6}, json{{"stride", 2}}),
                    Catch::Contains("unknown parameter 'stride'") && Catch::Contains("kernel, temperature"));
  CHECK_THROWS_WITH(r.count({3, 2, 6}, r.default_params), Catch::Contains("does not fit a grid of 3x2x6"));
}

TEST_CASE("conv3d is a depthwise kernel = stride convolution, avgpool3d until trained", "[reducers][conv3d]") {
  const auto& r = builtin_reducers().get("conv3d");
  const auto& avg = builtin_reducers().get("avgpool3d");
  CHECK(r.placement == ReducerPlacement::after_projector);
  at::manual_seed(14);
  const at::Tensor x = at::randn({5, 7, 8, 3});
  CHECK(at::allclose(r.reduce(x, r.default_params, {}), avg.reduce(x, avg.default_params, {}), 1e-6, 1e-6));

  std::map<std::string, at::Tensor> learned{{"weight", at::randn({3, 1, 2, 3, 3})}, {"bias", at::randn({3})}};
  ReduceInputs in;
  in.learned = &learned;
  const at::Tensor got = r.reduce(x, r.default_params, in);
  CHECK(at::allclose(got.to(at::kDouble), depthwise_loops(x, learned["weight"], learned["bias"]), 1e-5, 1e-5));
  CHECK(got.size(0) == r.count({5, 7, 8}, r.default_params));

  CHECK_THROWS_WITH(r.reduce(x, json{{"kernel", {1, 2, 2}}}, in),
                    Catch::Contains("conv3d_pool.weight has kernel (2,3,3)") && Catch::Contains("(1,2,2)"));
  learned["weight"] = at::randn({4, 1, 2, 3, 3});
  CHECK_THROWS_WITH(r.reduce(x, r.default_params, in), Catch::Contains("must be [3, 1, kt, kh, kw]"));
}

TEST_CASE("pool2d averages each frame before the projector", "[reducers][pool2d]") {
  const auto& r = builtin_reducers().get("pool2d");
  CHECK(r.placement == ReducerPlacement::before_projector);
  CHECK(r.default_params == json({{"stride", 2}}));
  at::manual_seed(15);
  const at::Tensor x = at::randn({3, 7, 6, 4});
  const at::Tensor got = r.reduce(x, r.default_params, {});
  // stride 2 on 7x6 keeps 3x3 per frame; a weight of 1/4 everywhere is the mean.
  const at::Tensor w = at::full({4, 1, 1, 2, 2}, 0.25);
  CHECK(at::allclose(got.to(at::kDouble), depthwise_loops(x, w, at::zeros({4})), 1e-6, 1e-6));
  CHECK(r.count({32, 24, 24}, r.default_params) == 32 * 144);
  CHECK(r.count({1, 24, 24}, json{{"stride", 3}}) == 64);
  CHECK_THROWS_WITH(r.count({1, 24, 24}, json{{"stride", 0}}), Catch::Contains("pool2d: parameter 'stride' must be an integer >= 1"));
  CHECK_THROWS_WITH(r.count({1, 2, 2}, json{{"stride", 3}}), Catch::Contains("pool2d: kernel (1,3,3) does not fit"));
}
