// `pllava`: PLLaVA's adaptive 3-D average pool after the projector (reference/baselines.md 3.1),
// PyTorch's bin rule on every axis (bins overlap when sizes do not divide). A video with fewer
// frames than T' has each frame repeated int(T'/T) + 1 times and the result cut to T' first.
#include "model/token_reducers.h"

namespace ppb::model {

at::Tensor adaptive_avg_pool3d_tokens(const at::Tensor& features, const std::array<int64_t, 3>& out) {
  const GridShape g = grid_of_features(features, "pllava");
  const auto tb = adaptive_bins(g.frames, out[0]), rb = adaptive_bins(g.rows, out[1]), cb = adaptive_bins(g.cols, out[2]);
  const int64_t plane = out[1] * out[2];
  return weighted_row_sums(features.reshape({-1, features.size(3)}), out[0] * plane,
                           [&](int64_t cell, std::vector<WeightedRow>& win) {
                             const Bin& t = tb[cell / plane];
                             const Bin& r = rb[(cell % plane) / out[2]];
                             const Bin& c = cb[cell % out[2]];
                             const double w = 1.0 / static_cast<double>((t.end - t.begin) * (r.end - r.begin) *
                                                                       (c.end - c.begin));
                             for (int64_t a = t.begin; a < t.end; ++a)
                               for (int64_t i = r.begin; i < r.end; ++i)
                                 for (int64_t j = c.begin; j < c.end; ++j)
                                   win.push_back({(a * g.rows + i) * g.cols + j, w});
                           });
}

namespace {

std::array<int64_t, 3> shape_of(const nlohmann::json& p, const GridShape& g) {
  const auto s = ReducerParams("pllava", p, {"shape"}).integers("shape", {16, 12, 12}, 1, INT64_MAX, "[frames, rows, columns]");
  if (s[1] > g.rows || s[2] > g.cols)
    throw std::runtime_error("pllava: parameter 'shape' asks for " + std::to_string(s[1]) + "x" + std::to_string(s[2]) +
                             " tokens per frame, more than the patch grid " + std::to_string(g.rows) + "x" +
                             std::to_string(g.cols));
  return {s[0], s[1], s[2]};
}

}  // namespace

void add_pllava_reducer(ReducerRegistry& reg) {
  TokenReducer r;
  r.name = "pllava";
  r.description = "PLLaVA's adaptive 3-D average pool after the projector to shape (T', h', w'); fewer frames than T' "
                  "are repeated first";
  r.budget_rule = "T' = min(T0, 16); h' = w' = floor(sqrt(B / T')), w' + 1 when that still fits";
  r.placement = ReducerPlacement::after_projector;
  r.default_params = {{"shape", {16, 12, 12}}};
  r.count = [](const GridShape& g, const nlohmann::json& p) {
    const auto s = shape_of(p, g);
    return s[0] * s[1] * s[2];
  };
  r.reduce = [](const at::Tensor& f, const nlohmann::json& p, const ReduceInputs&) {
    const GridShape g = grid_of_features(f, "pllava");
    const auto s = shape_of(p, g);
    if (g.frames >= s[0]) return adaptive_avg_pool3d_tokens(f, s);
    const int64_t repeat = s[0] / g.frames + 1;
    std::vector<int64_t> source(static_cast<size_t>(s[0]));
    for (int64_t i = 0; i < s[0]; ++i) source[i] = i / repeat;
    return adaptive_avg_pool3d_tokens(f.index_select(0, at::tensor(source, at::kLong).to(f.device())), s);
  };
  reg.add(std::move(r));
}

}  // namespace ppb::model
