#include "model/token_reducers.h"

#include <stdexcept>

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

void ReducerRegistry::add(TokenReducer r) {
  const std::string name = r.name;
  if (!reducers_.emplace(name, std::move(r)).second) throw std::runtime_error("method '" + name + "' registered twice");
}

const TokenReducer& ReducerRegistry::get(const std::string& name) const {
  auto it = reducers_.find(name);
  if (it != reducers_.end()) return it->second;
  std::string known;
  for (const auto& [n, r] : reducers_) known += (known.empty() ? "" : ", ") + n;
  throw std::runtime_error("unknown method '" + name + "' (known: " + known + ")");
}

std::vector<std::string> ReducerRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [n, r] : reducers_) out.push_back(n);
  return out;
}

at::Tensor avg_pool3d_tokens(const at::Tensor& features, const std::array<int64_t, 3>& k) {
  const int64_t D = features.size(3);
  at::Tensor x = features.permute({3, 0, 1, 2}).unsqueeze(0);  // [1, D, T, h, w]
  at::Tensor y = at::avg_pool3d(x, {k[0], k[1], k[2]}, {k[0], k[1], k[2]});
  return y.squeeze(0).permute({1, 2, 3, 0}).reshape({-1, D});
}

void register_builtin_reducers(ReducerRegistry& reg) {
  TokenReducer full;
  full.name = "full";
  full.description = "every patch token of every frame, no reduction";
  full.budget_rule = "tokens = T*h*w at the run's frame count";
  full.placement = ReducerPlacement::after_projector;
  full.default_params = nlohmann::json::object();
  full.count = [](const GridShape& g, const nlohmann::json&) { return g.frames * g.rows * g.cols; };
  full.reduce = [](const at::Tensor& f, const nlohmann::json&) { return f.reshape({-1, f.size(3)}); };
  reg.add(std::move(full));

  TokenReducer avg;
  avg.name = "avgpool3d";
  avg.description = "parameter-free 3-D average pool, kernel = stride, floor mode";
  avg.budget_rule = "tokens = floor(T/kt)*floor(h/kh)*floor(w/kw) with kernel (2,3,3)";
  avg.placement = ReducerPlacement::after_projector;
  avg.default_params = {{"kernel", {2, 3, 3}}};
  avg.count = [](const GridShape& g, const nlohmann::json& p) { return pooled_count(g, kernel_of(p, "avgpool3d"), "avgpool3d"); };
  avg.reduce = [](const at::Tensor& f, const nlohmann::json& p) {
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
