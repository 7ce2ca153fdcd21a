// `conv3d`: a learnable depthwise 3-D convolution after the projector, kernel = stride, floor mode
// (reference/baselines.md 4b, variant A). Untrained it holds weights 1/K and bias 0, which is
// exactly avgpool3d; a checkpoint that trained it carries
// multi_modal_projector.conv3d_pool.weight [D, 1, kt, kh, kw] and .bias [D].
#include <stdexcept>
#include <vector>

#include <ATen/Parallel.h>

#include "model/token_reducers.h"

namespace ppb::model {

at::Tensor depthwise_conv3d_tokens(const at::Tensor& features, const at::Tensor& weight, const at::Tensor& bias) {
  const GridShape g = grid_of_features(features, "conv3d");
  const int64_t D = features.size(3);
  if (weight.dim() != 5 || weight.size(0) != D || weight.size(1) != 1)
    throw std::runtime_error("conv3d: multi_modal_projector.conv3d_pool.weight must be [" + std::to_string(D) +
                             ", 1, kt, kh, kw] for features of width " + std::to_string(D) + ", got " +
                             shape_string(weight.sizes()));
  if (bias.dim() != 1 || bias.size(0) != D)
    throw std::runtime_error("conv3d: multi_modal_projector.conv3d_pool.bias must be [" + std::to_string(D) + "], got " +
                             shape_string(bias.sizes()));
  const std::array<int64_t, 3> k{weight.size(2), weight.size(3), weight.size(4)};
  pooled_count(g, k, "conv3d");
  const int64_t To = g.frames / k[0], Ho = g.rows / k[1], Wo = g.cols / k[2], K = k[0] * k[1] * k[2];
  if (features.scalar_type() == at::kFloat && features.is_cpu()) {
    // One streaming pass: each window's K contiguous rows, each scaled channel by channel.
    const at::Tensor x = features.contiguous();
    const at::Tensor w = weight.reshape({D, K}).t().to(at::kFloat).contiguous();  // [K, D]
    const at::Tensor b = bias.to(at::kFloat).contiguous();
    at::Tensor out = b.unsqueeze(0).repeat({To * Ho * Wo, 1});
    const float* in = x.data_ptr<float>();
    const float* wp = w.data_ptr<float>();
    float* o = out.data_ptr<float>();
    at::parallel_for(0, To * Ho * Wo, 1, [&](int64_t begin, int64_t end) {
      std::vector<WeightedRow> win;
      for (int64_t cell = begin; cell < end; ++cell) {
        win.clear();
        append_kernel_window(g, k, cell, 0.0, win);  // window order = the weight's (kt, kh, kw) order
        float* acc = o + cell * D;
        for (int64_t j = 0; j < K; ++j) {
          const float* row = in + win[j].row * D;
          const float* wj = wp + j * D;
          for (int64_t d = 0; d < D; ++d) acc[d] += wj[d] * row[d];
        }
      }
    });
    return out;
  }
  // Other dtypes and devices: windows as [cells, K, D] (the floor-mode remainder cut off), then one
  // multiply-add per channel.
  const at::Tensor windows = features.slice(0, 0, To * k[0])
                                 .slice(1, 0, Ho * k[1])
                                 .slice(2, 0, Wo * k[2])
                                 .reshape({To, k[0], Ho, k[1], Wo, k[2], D})
                                 .permute({0, 2, 4, 1, 3, 5, 6})
                                 .reshape({To * Ho * Wo, K, D})
                                 .to(at::kFloat);
  const at::Tensor w = weight.reshape({D, K}).t().to(features.device(), at::kFloat);  // [K, D]
  return ((windows * w).sum(1) + bias.to(features.device(), at::kFloat)).to(features.scalar_type());
}

namespace {

std::array<int64_t, 3> kernel_param(const nlohmann::json& p) {
  const auto k = ReducerParams("conv3d", p, {"kernel"}).integers("kernel", {2, 3, 3}, 1, INT64_MAX, "[frames, rows, columns]");
  return {k[0], k[1], k[2]};
}

}  // namespace

void add_conv3d_reducer(ReducerRegistry& reg) {
  TokenReducer r;
  r.name = "conv3d";
  r.description = "depthwise 3-D convolution after the projector, kernel = stride, floor mode; weights 1/K and bias 0 "
                  "unless the checkpoint carries multi_modal_projector.conv3d_pool.{weight,bias}";
  r.budget_rule = "as avgpool3d: kernel (kt, k, k), kt divides T0, k divides the grid, most tokens <= B, ties to the "
                  "smaller kt (trained weights fix the kernel)";
  r.placement = ReducerPlacement::after_projector;
  r.default_params = {{"kernel", {2, 3, 3}}};
  r.count = [](const GridShape& g, const nlohmann::json& p) { return pooled_count(g, kernel_param(p), "conv3d"); };
  r.reduce = [](const at::Tensor& f, const nlohmann::json& p, const ReduceInputs& in) {
    const std::array<int64_t, 3> k = kernel_param(p);
    grid_of_features(f, "conv3d");
    const int64_t D = f.size(3);
    const bool trained = in.learned && in.learned->count("weight");
    if (!trained) {
      const at::Tensor w = at::full({D, 1, k[0], k[1], k[2]}, 1.0 / static_cast<double>(k[0] * k[1] * k[2]),
                                    f.options().dtype(at::kFloat));
      return depthwise_conv3d_tokens(f, w, at::zeros({D}, w.options()));
    }
    const at::Tensor& w = in.learned->at("weight");
    if (w.dim() == 5 && (w.size(2) != k[0] || w.size(3) != k[1] || w.size(4) != k[2]))
      throw std::runtime_error("conv3d: the checkpoint's multi_modal_projector.conv3d_pool.weight has kernel (" +
                               std::to_string(w.size(2)) + "," + std::to_string(w.size(3)) + "," +
                               std::to_string(w.size(4)) + "), but the parameters ask for (" + std::to_string(k[0]) +
                               "," + std::to_string(k[1]) + "," + std::to_string(k[2]) +
                               "); choose a budget that solves to the trained kernel");
    const auto b = in.learned->find("bias");
    return depthwise_conv3d_tokens(f, w, b != in.learned->end() ? b->second : at::zeros({D}, w.options()));
  };
  reg.add(std::move(r));
}

}  // namespace ppb::model
