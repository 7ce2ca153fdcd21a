#include "model/token_reducers.h"

#include <stdexcept>

#include <ATen/Parallel.h>

namespace ppb::model {
namespace {

std::array<int64_t, 3> kernel_of(const nlohmann::json& params, const char* method) {
  if (!params.contains("kernel") || !params["kernel"].is_array() || params["kernel"].size() != 3)
    throw std::runtime_error(std::string(method) + ": parameter 'kernel' must be [frames, rows, columns]");
  std::array<int64_t, 3> k{};
  for (int i = 0; i < 3; ++i) {
    k[i] = params["kernel"][i].get<int64_t>();
    if (k[i] < 1) throw std::runtime_error(std::string(method) + ": kernel sizes must be >= 1");
  }
  return k;
}

int64_t pooled_count(const GridShape& g, const std::array<int64_t, 3>& k, const char* method) {
  const int64_t t = g.frames / k[0], h = g.rows / k[1], w = g.cols / k[2];
  if (t == 0 || h == 0 || w == 0)
    throw std::runtime_error(std::string(method) + ": kernel (" + std::to_string(k[0]) + "," + std::to_string(k[1]) +
                             "," + std::to_string(k[2]) + ") does not fit a grid of " + std::to_string(g.frames) +
                             "x" + std::to_string(g.rows) + "x" + std::to_string(g.cols));
  return t * h * w;
}

}  // namespace

const char* placement_name(ReducerPlacement p) {
  return p == ReducerPlacement::before_projector ? "before_projector" : "after_projector";
}

at::Tensor avg_pool3d_tokens(const at::Tensor& features, const std::array<int64_t, 3>& k) {
  // With kernel = stride the windows tile the grid (the floor-mode remainder is dropped). Channels
  // last, each output token is the mean of k_t*k_h*k_w contiguous rows of D values: summed row by
  // row that is one streaming pass, where avg_pool3d on [1, D, T, h, w] needs two transposes
  // (docs/PERFORMANCE.md has the comparison).
  const int64_t T = features.size(0), H = features.size(1), W = features.size(2), D = features.size(3);
  const int64_t To = T / k[0], Ho = H / k[1], Wo = W / k[2];
  if (features.scalar_type() != at::kFloat || !features.is_cpu()) {  // the streaming loop reads host float memory
    at::Tensor x = features.slice(0, 0, To * k[0]).slice(1, 0, Ho * k[1]).slice(2, 0, Wo * k[2]);
    return x.reshape({To, k[0], Ho, k[1], Wo, k[2], D}).mean({1, 3, 5}).reshape({To * Ho * Wo, D});
  }
  at::Tensor src = features.contiguous();
  at::Tensor out = at::zeros({To * Ho * Wo, D}, src.options());
  const float* in = src.data_ptr<float>();
  float* o = out.data_ptr<float>();
  const float scale = 1.0f / static_cast<float>(k[0] * k[1] * k[2]);
  at::parallel_for(0, To * Ho * Wo, 1, [&](int64_t begin, int64_t end) {
    for (int64_t cell = begin; cell < end; ++cell) {
      const int64_t t = cell / (Ho * Wo), i = (cell / Wo) % Ho, j = cell % Wo;
      float* acc = o + cell * D;
      for (int64_t a = 0; a < k[0]; ++a)
        for (int64_t b = 0; b < k[1]; ++b)
          for (int64_t c = 0; c < k[2]; ++c) {
            const float* row = in + (((t * k[0] + a) * H + i * k[1] + b) * W + j * k[2] + c) * D;
            for (int64_t d = 0; d < D; ++d) acc[d] += row[d];
          }
      for (int64_t d = 0; d < D; ++d) acc[d] *= scale;
    }
  });
  return out;
}

void register_builtin_reducers(ReducerRegistry& reg) {
  TokenReducer full;
  full.name = "full";
  full.description = "every patch token of every frame, no reduction";
  full.budget_rule = "tokens = T*h*w at the run's frame count";
  full.placement = ReducerPlacement::after_projector;
  full.default_params = nlohmann::json::object();
  full.count = [](const GridShape& g, const nlohmann::json&) { return g.frames * g.rows * g.cols; };
  full.reduce = [](const at::Tensor& f, const nlohmann::json&, const ReduceInputs&) { return f.reshape({-1, f.size(3)}); };
  reg.add(std::move(full));

  TokenReducer avg;
  avg.name = "avgpool3d";
  avg.description = "parameter-free 3-D average pool, kernel = stride, floor mode";
  avg.budget_rule = "tokens = floor(T/kt)*floor(h/kh)*floor(w/kw) with kernel (2,3,3)";
  avg.placement = ReducerPlacement::after_projector;
  avg.default_params = {{"kernel", {2, 3, 3}}};
  avg.count = [](const GridShape& g, const nlohmann::json& p) { return pooled_count(g, kernel_of(p, "avgpool3d"), "avgpool3d"); };
  avg.reduce = [](const at::Tensor& f, const nlohmann::json& p, const ReduceInputs&) {
    auto k = kernel_of(p, "avgpool3d");
    pooled_count({f.size(0), f.size(1), f.size(2)}, k, "avgpool3d");
    return avg_pool3d_tokens(f, k);
  };
  reg.add(std::move(avg));
}

const ReducerRegistry& builtin_reducers() {
  static const ReducerRegistry reg = [] {
    ReducerRegistry r;
    register_builtin_reducers(r);
    return r;
  }();
  return reg;
}

}  // namespace ppb::model
