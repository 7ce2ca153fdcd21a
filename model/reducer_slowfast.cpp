// `slowfast`: SlowFast-LLaVA's two pathways after the projector (reference/baselines.md 2). Slow:
// S frames picked by float32 linspace truncation, each frame's flattened tokens max-pooled in
// pairs (a 1-D pool of stride 2: 24x24 -> 24x12). Fast: every frame adaptive-average-pooled to
// gh x gw. All slow tokens, then all fast tokens, no separators.
#include <stdexcept>

#include "model/token_reducers.h"

namespace ppb::model {
namespace {

struct SlowFastParams {
  int64_t slow_frames;  // S
  int64_t fast_rows, fast_cols;
  int64_t fast_frames;  // frames the fast pathway takes (all of them unless a small budget says fewer)
};

SlowFastParams params_of(const nlohmann::json& p, const GridShape& g) {
  ReducerParams rp("slowfast", p, {"slow_frames", "fast_grid", "fast_frames"});
  SlowFastParams s;
  s.slow_frames = rp.integer("slow_frames", 10, 0, INT64_MAX);
  const auto grid = rp.integers("fast_grid", {4, 4}, 1, INT64_MAX, "[rows, columns]");
  s.fast_rows = grid[0];
  s.fast_cols = grid[1];
  s.fast_frames = rp.integer("fast_frames", g.frames, 0, INT64_MAX);
  if (s.fast_rows > g.rows || s.fast_cols > g.cols)
    throw std::runtime_error("slowfast: parameter 'fast_grid' [" + std::to_string(s.fast_rows) + ", " +
                             std::to_string(s.fast_cols) + "] is larger than the patch grid " + std::to_string(g.rows) +
                             "x" + std::to_string(g.cols));
  if (s.slow_frames + s.fast_frames == 0) throw std::runtime_error("slowfast: no slow and no fast frames leave no token");
  return s;
}

int64_t count_of(const GridShape& g, const SlowFastParams& s) {
  return s.slow_frames * (g.rows * g.cols / 2) + s.fast_frames * s.fast_rows * s.fast_cols;
}

}  // namespace

void add_slowfast_reducer(ReducerRegistry& reg) {
  TokenReducer r;
  r.name = "slowfast";
  r.description = "SlowFast-LLaVA after the projector: S slow frames 1-D max-pooled by 2, every frame adaptive-pooled "
                  "to the fast grid; slow tokens then fast tokens";
  r.budget_rule = "S = min(T0, max(1, floor(10 B / 3680))); fast grid fit2(floor((B - S*h*w/2) / T0))";
  r.placement = ReducerPlacement::after_projector;
  r.default_params = {{"slow_frames", 10}, {"fast_grid", {4, 4}}};
  r.count = [](const GridShape& g, const nlohmann::json& p) { return count_of(g, params_of(p, g)); };
  r.reduce = [](const at::Tensor& f, const nlohmann::json& p, const ReduceInputs&) {
    const GridShape g = grid_of_features(f, "slowfast");
    const SlowFastParams s = params_of(p, g);
    const int64_t D = f.size(3), hw = g.rows * g.cols, half = hw / 2;
    std::vector<at::Tensor> parts;
    if (s.slow_frames > 0 && half > 0) {
      const auto idx = linspace_frame_indices(g.frames, s.slow_frames);
      // Pairs of consecutive tokens in each frame's row-major order; an odd count drops the last.
      const at::Tensor slow = f.index_select(0, at::tensor(idx, at::kLong).to(f.device()))
                                  .reshape({s.slow_frames, hw, D})
                                  .slice(1, 0, 2 * half)
                                  .reshape({s.slow_frames, half, 2, D})
                                  .amax(2);
      parts.push_back(slow.reshape({-1, D}));
    }
    if (s.fast_frames > 0) {
      const auto frames = linspace_frame_indices(g.frames, s.fast_frames);
      const auto rb = adaptive_bins(g.rows, s.fast_rows), cb = adaptive_bins(g.cols, s.fast_cols);
      const int64_t per = s.fast_rows * s.fast_cols;
      parts.push_back(weighted_row_sums(f.reshape({-1, D}), s.fast_frames * per,
                                        [&](int64_t cell, std::vector<WeightedRow>& win) {
                                          const int64_t t = frames[cell / per];
                                          const Bin& r = rb[(cell % per) / s.fast_cols];
                                          const Bin& c = cb[cell % s.fast_cols];
                                          const double w = 1.0 / static_cast<double>((r.end - r.begin) * (c.end - c.begin));
                                          for (int64_t i = r.begin; i < r.end; ++i)
                                            for (int64_t j = c.begin; j < c.end; ++j)
                                              win.push_back({(t * g.rows + i) * g.cols + j, w});
                                        }));
    }
    return parts.size() == 1 ? parts[0] : at::cat(parts, 0);
  };
  reg.add(std::move(r));
}

}  // namespace ppb::model
