// `full`: every patch token of every frame, no reduction (after the projector).
#include "model/token_reducers.h"

namespace ppb::model {

void add_full_reducer(ReducerRegistry& reg) {
  TokenReducer r;
  r.name = "full";
  r.description = "every patch token of every frame, no reduction";
  r.budget_rule = "every patch of T = min(T0, floor(B / (h*w))) frames";
  r.placement = ReducerPlacement::after_projector;
  r.default_params = nlohmann::json::object();
  r.count = [](const GridShape& g, const nlohmann::json& p) {
    ReducerParams("full", p, {});
    return g.frames * g.rows * g.cols;
  };
  r.reduce = [](const at::Tensor& f, const nlohmann::json& p, const ReduceInputs&) {
    ReducerParams("full", p, {});
    grid_of_features(f, "full");
    return f.reshape({-1, f.size(3)});
  };
  reg.add(std::move(r));
}

}  // namespace ppb::model
