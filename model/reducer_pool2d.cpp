// `pool2d`: LLaVA-NeXT-Video's per-frame average pool as released (reference/baselines.md 1b):
// kernel = stride s on each frame's patch grid, floor mode, on the vision features before the
// projector. A budget is met with fewer frames, not a larger stride.
#include "model/token_reducers.h"

namespace ppb::model {
namespace {

std::array<int64_t, 3> kernel_of(const nlohmann::json& p) {
  const int64_t s = ReducerParams("pool2d", p, {"stride"}).integer("stride", 2, 1, INT64_MAX);
  return {1, s, s};
}

}  // namespace

void add_pool2d_reducer(ReducerRegistry& reg) {
  TokenReducer r;
  r.name = "pool2d";
  r.description = "per-frame 2-D average pool before the projector, kernel = stride (LLaVA-NeXT-Video release)";
  r.budget_rule = "stride 2; frames T = min(T0, floor(B / (floor(h/2) * floor(w/2))))";
  r.placement = ReducerPlacement::before_projector;
  r.default_params = {{"stride", 2}};
  r.count = [](const GridShape& g, const nlohmann::json& p) { return pooled_count(g, kernel_of(p), "pool2d"); };
  r.reduce = [](const at::Tensor& f, const nlohmann::json& p, const ReduceInputs&) {
    return avg_pool3d_tokens(f, kernel_of(p), "pool2d");
  };
  reg.add(std::move(r));
}

}  // namespace ppb::model
