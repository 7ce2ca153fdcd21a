// `avgpool3d`: parameter-free 3-D average pooling after the projector, kernel = stride, floor mode
// (reference/baselines.md 4a): PPLLaVA's windows with uniform weights.
#include "model/token_reducers.h"

namespace ppb::model {

at::Tensor avg_pool3d_tokens(const at::Tensor& features, const std::array<int64_t, 3>& k, const std::string& method) {
  const GridShape g = grid_of_features(features, method);
  const int64_t cells = pooled_count(g, k, method);
  // 1/K as the weight of every row: in float32 the same bits as prompt-guided pooling's window
  // softmax of equal scores, so that the two agree exactly.
  const double w = 1.0 / static_cast<double>(k[0] * k[1] * k[2]);
  return weighted_row_sums(features.reshape({-1, features.size(3)}), cells,
                           [&](int64_t cell, std::vector<WeightedRow>& win) { append_kernel_window(g, k, cell, w, win); });
}

namespace {
std::array<int64_t, 3> kernel_param(const nlohmann::json& p) {
  const auto k = ReducerParams("avgpool3d", p, {"kernel"}).integers("kernel", {2, 3, 3}, 1, INT64_MAX, "[frames, rows, columns]");
  return {k[0], k[1], k[2]};
}
}  // namespace

void add_avgpool3d_reducer(ReducerRegistry& reg) {
  TokenReducer r;
  r.name = "avgpool3d";
  r.description = "parameter-free 3-D average pool after the projector, kernel = stride, floor mode";
  r.budget_rule = "kernel (kt, k, k): kt divides T0, k divides the grid; most tokens <= B, ties to the smaller kt";
  r.placement = ReducerPlacement::after_projector;
  r.default_params = {{"kernel", {2, 3, 3}}};
  r.count = [](const GridShape& g, const nlohmann::json& p) { return pooled_count(g, kernel_param(p), "avgpool3d"); };
  r.reduce = [](const at::Tensor& f, const nlohmann::json& p, const ReduceInputs&) {
    return avg_pool3d_tokens(f, kernel_param(p), "avgpool3d");
  };
  reg.add(std::move(r));
}

}  // namespace ppb::model
