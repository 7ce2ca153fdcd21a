#include "model/token_reducers.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <sstream>
#include <stdexcept>

#include <ATen/Parallel.h>

namespace ppb::model {
namespace {

const nlohmann::json& empty_object() {
  static const nlohmann::json e = nlohmann::json::object();
  return e;
}

std::string range_text(int64_t min, int64_t max) {
  if (max == INT64_MAX) return ">= " + std::to_string(min);
  return "in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
}

bool is_integer(const nlohmann::json& v) { return v.is_number_integer() || v.is_number_unsigned(); }

}  // namespace

const char* placement_name(ReducerPlacement p) {
  return p == ReducerPlacement::before_projector ? "before_projector" : "after_projector";
}

ReducerParams::ReducerParams(std::string method, const nlohmann::json& params, std::vector<std::string> known)
    : method_(std::move(method)), params_(params.is_null() ? &empty_object() : &params) {
  if (!params_->is_object()) throw std::runtime_error(method_ + ": parameters must be a JSON object, got " + params_->dump());
  for (const auto& [key, value] : params_->items()) {
    bool ok = false;
    for (const auto& k : known) ok = ok || k == key;
    if (ok) continue;
    std::string list;
    for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
    throw std::runtime_error(method_ + ": unknown parameter '" + key + "' (known: " + (list.empty() ? "none" : list) + ")");
  }
}

bool ReducerParams::has(const std::string& name) const {
  return params_->contains(name) && !(*params_)[name].is_null();
}

int64_t ReducerParams::integer(const std::string& name, int64_t fallback, int64_t min, int64_t max) const {
  if (!has(name)) return fallback;
  const nlohmann::json& v = (*params_)[name];
  if (!is_integer(v) || v.get<int64_t>() < min || v.get<int64_t>() > max)
    throw std::runtime_error(method_ + ": parameter '" + name + "' must be an integer " + range_text(min, max) +
                             ", got " + v.dump());
  return v.get<int64_t>();
}

std::vector<int64_t> ReducerParams::integers(const std::string& name, const std::vector<int64_t>& fallback,
                                             int64_t min, int64_t max, const std::string& what) const {
  if (!has(name)) return fallback;
  const nlohmann::json& v = (*params_)[name];
  bool ok = v.is_array() && v.size() == fallback.size();
  for (size_t i = 0; ok && i < v.size(); ++i)
    ok = is_integer(v[i]) && v[i].get<int64_t>() >= min && v[i].get<int64_t>() <= max;
  if (!ok)
    throw std::runtime_error(method_ + ": parameter '" + name + "' must be " + std::to_string(fallback.size()) +
                             " integers " + what + ", each " + range_text(min, max) + ", got " + v.dump());
  return v.get<std::vector<int64_t>>();
}

double ReducerParams::positive_number(const std::string& name, double fallback) const {
  if (!has(name)) return fallback;
  const nlohmann::json& v = (*params_)[name];
  if (!v.is_number() || !(v.get<double>() > 0) || !std::isfinite(v.get<double>()))
    throw std::runtime_error(method_ + ": parameter '" + name + "' must be a finite number > 0, got " + v.dump());
  return v.get<double>();
}

std::string shape_string(at::IntArrayRef sizes) {
  std::ostringstream s;
  s << "[";
  for (size_t i = 0; i < sizes.size(); ++i) s << (i ? ", " : "") << sizes[i];
  s << "]";
  return s.str();
}

GridShape grid_of_features(const at::Tensor& features, const std::string& method) {
  if (!features.defined() || features.dim() != 4 || features.numel() == 0)
    throw std::runtime_error(method + ": features must be a non-empty [T, h, w, D] tensor, got " +
                             (features.defined() ? shape_string(features.sizes()) : std::string("none")));
  return {features.size(0), features.size(1), features.size(2)};
}

int64_t pooled_count(const GridShape& g, const std::array<int64_t, 3>& k, const std::string& method) {
  const int64_t t = g.frames / k[0], h = g.rows / k[1], w = g.cols / k[2];
  if (t == 0 || h == 0 || w == 0)
    throw std::runtime_error(method + ": kernel (" + std::to_string(k[0]) + "," + std::to_string(k[1]) + "," +
                             std::to_string(k[2]) + ") does not fit a grid of " + std::to_string(g.frames) + "x" +
                             std::to_string(g.rows) + "x" + std::to_string(g.cols));
  return t * h * w;
}

std::vector<Bin> adaptive_bins(int64_t in, int64_t out) {
  if (in < 1 || out < 1)
    throw std::runtime_error("adaptive_bins: lengths must be >= 1, got " + std::to_string(in) + " -> " + std::to_string(out));
  std::vector<Bin> bins(static_cast<size_t>(out));
  for (int64_t i = 0; i < out; ++i) bins[i] = {(i * in) / out, ((i + 1) * in + out - 1) / out};
  return bins;
}

std::vector<int64_t> linspace_frame_indices(int64_t frames, int64_t n) {
  if (frames < 1 || n < 1)
    throw std::runtime_error("linspace_frame_indices: needs frames >= 1 and n >= 1, got " + std::to_string(frames) +
                             " and " + std::to_string(n));
  // LibTorch's own float32 linspace, so the truncated values match the reference bit for bit.
  const at::Tensor points = at::linspace(0.0, static_cast<double>(frames), n + 1, at::kFloat).to(at::kInt);
  std::vector<int64_t> out(static_cast<size_t>(n));
  const int32_t* p = points.data_ptr<int32_t>();
  for (int64_t i = 0; i < n; ++i) out[i] = p[i];
  return out;
}

void append_kernel_window(const GridShape& g, const std::array<int64_t, 3>& k, int64_t cell, double weight,
                          std::vector<WeightedRow>& window) {
  const int64_t Ho = g.rows / k[1], Wo = g.cols / k[2];
  const int64_t t = cell / (Ho * Wo), i = (cell / Wo) % Ho, j = cell % Wo;
  for (int64_t a = 0; a < k[0]; ++a)
    for (int64_t b = 0; b < k[1]; ++b)
      for (int64_t c = 0; c < k[2]; ++c)
        window.push_back({((t * k[0] + a) * g.rows + i * k[1] + b) * g.cols + j * k[2] + c, weight});
}

at::Tensor weighted_row_sums(const at::Tensor& rows, int64_t cells, const WindowFn& window) {
  const int64_t R = rows.size(0), D = rows.size(1);
  auto checked = [&](int64_t cell, std::vector<WeightedRow>& w) {
    w.clear();
    window(cell, w);
    for (const auto& e : w)
      if (e.row < 0 || e.row >= R)
        throw std::logic_error("weighted_row_sums: window of token " + std::to_string(cell) + " reads row " +
                               std::to_string(e.row) + " of " + std::to_string(R));
  };
  if (rows.scalar_type() == at::kFloat && rows.is_cpu()) {
    const at::Tensor src = rows.contiguous();
    at::Tensor out = at::zeros({cells, D}, src.options());
    const float* in = src.data_ptr<float>();
    float* o = out.data_ptr<float>();
    at::parallel_for(0, cells, 1, [&](int64_t begin, int64_t end) {
      std::vector<WeightedRow> w;
      for (int64_t cell = begin; cell < end; ++cell) {
        checked(cell, w);
        float* acc = o + cell * D;
        for (const auto& e : w) {
          const float* row = in + e.row * D;
          const float a = static_cast<float>(e.weight);
          for (int64_t d = 0; d < D; ++d) acc[d] += a * row[d];
        }
      }
    });
    return out;
  }
  // Other dtypes and devices: gather [cells, K, D] (short windows padded with weight 0) and reduce
  // in float32 on the features' device.
  std::vector<std::vector<WeightedRow>> windows(static_cast<size_t>(cells));
  size_t k = 1;
  for (int64_t c = 0; c < cells; ++c) {
    checked(c, windows[c]);
    k = std::max(k, windows[c].size());
  }
  at::Tensor index = at::zeros({cells, static_cast<int64_t>(k)}, at::kLong);
  at::Tensor weight = at::zeros({cells, static_cast<int64_t>(k)}, at::kDouble);
  auto ix = index.accessor<int64_t, 2>();
  auto wx = weight.accessor<double, 2>();
  for (int64_t c = 0; c < cells; ++c)
    for (size_t j = 0; j < windows[c].size(); ++j) {
      ix[c][j] = windows[c][j].row;
      wx[c][j] = windows[c][j].weight;
    }
  const at::Tensor gathered = rows.index_select(0, index.view({-1}).to(rows.device())).view({cells, static_cast<int64_t>(k), D});
  // Half types accumulate in float32; double stays double.
  const at::ScalarType acc = rows.scalar_type() == at::kDouble ? at::kDouble : at::kFloat;
  return (gathered.to(acc) * weight.to(rows.device(), acc).unsqueeze(-1)).sum(1).to(rows.scalar_type());
}

void register_builtin_reducers(ReducerRegistry& reg) {
  add_full_reducer(reg);
  add_avgpool3d_reducer(reg);
  add_ppllava_reducer(reg);
  add_pool2d_reducer(reg);
  add_conv3d_reducer(reg);
  add_slowfast_reducer(reg);
  add_pllava_reducer(reg);
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
