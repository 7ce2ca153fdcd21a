// `ppllava`: prompt-guided pooling (reference/ppllava.md 2.2). The projector runs on every token;
// then each kernel = stride window becomes one token, the window's features weighted by a softmax,
// over the window, of the globally softmaxed relevance divided by a temperature. This follows the
// released code (a double softmax), not the paper's formula.
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "model/token_reducers.h"

namespace ppb::model {

at::Tensor prompt_guided_pool3d_tokens(const at::Tensor& features, const at::Tensor& relevance,
                                       const std::array<int64_t, 3>& k, double temperature) {
  const GridShape g = grid_of_features(features, "ppllava");
  const int64_t cells = pooled_count(g, k, "ppllava");
  if (!relevance.defined() || relevance.dim() != 3 || relevance.size(0) != g.frames || relevance.size(1) != g.rows ||
      relevance.size(2) != g.cols)
    throw std::runtime_error("ppllava: relevance must be [" + std::to_string(g.frames) + ", " + std::to_string(g.rows) +
                             ", " + std::to_string(g.cols) + "] like the features, got " +
                             (relevance.defined() ? shape_string(relevance.sizes()) : std::string("none")));
  if (!(temperature > 0)) throw std::runtime_error("ppllava: the temperature must be > 0");
  // The weights are computed in float32 like the reference, whatever the features' dtype.
  const at::Tensor s = relevance.to(at::kCPU, at::kFloat).contiguous();
  const float* sp = s.data_ptr<float>();
  const float tau = static_cast<float>(temperature);
  return weighted_row_sums(features.reshape({-1, features.size(3)}), cells,
                           [&](int64_t cell, std::vector<WeightedRow>& win) {
                             append_kernel_window(g, k, cell, 0.0, win);
                             // float32 throughout, as the reference computes it.
                             float top = -INFINITY;
                             for (const auto& e : win) top = std::max(top, sp[e.row] / tau);
                             float sum = 0.f;
                             for (const auto& e : win) sum += std::exp(sp[e.row] / tau - top);
                             // Divided, not multiplied by 1/sum: equal scores give exactly 1/K.
                             for (auto& e : win) e.weight = std::exp(sp[e.row] / tau - top) / sum;
                           });
}

namespace {

struct PpllavaParams {
  std::array<int64_t, 3> kernel;
  double temperature;
};

PpllavaParams params_of(const nlohmann::json& p, int64_t frames) {
  ReducerParams rp("ppllava", p, {"kernel", "temperature"});
  const auto k = rp.integers("kernel", {2, 3, 3}, 1, INT64_MAX, "[frames, rows, columns]");
  // A single image (T = 1) pools with the image kernel (1, kh, kw), as the release does.
  return {{frames == 1 ? 1 : k[0], k[1], k[2]}, rp.positive_number("temperature", 0.01)};
}

}  // namespace

void add_ppllava_reducer(ReducerRegistry& reg) {
  TokenReducer r;
  r.name = "ppllava";
  r.description = "prompt-guided 3-D pooling after the projector: window softmax(relevance / temperature), "
                  "kernel = stride, floor mode; T = 1 pools (1, kh, kw)";
  r.budget_rule = "as avgpool3d: kernel (kt, k, k), kt divides T0, k divides the grid, most tokens <= B, ties to the "
                  "smaller kt";
  r.placement = ReducerPlacement::after_projector;
  r.needs_relevance = true;
  r.default_params = {{"kernel", {2, 3, 3}}, {"temperature", 0.01}};
  r.count = [](const GridShape& g, const nlohmann::json& p) {
    return pooled_count(g, params_of(p, g.frames).kernel, "ppllava");
  };
  r.reduce = [](const at::Tensor& f, const nlohmann::json& p, const ReduceInputs& in) {
    const PpllavaParams pp = params_of(p, grid_of_features(f, "ppllava").frames);
    return prompt_guided_pool3d_tokens(f, in.relevance, pp.kernel, pp.temperature);
  };
  reg.add(std::move(r));
}

}  // namespace ppb::model
