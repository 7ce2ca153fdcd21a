#include "model/budget_solver.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace ppb::model {
namespace {

std::vector<int64_t> divisors(int64_t n) {
  std::vector<int64_t> out;
  for (int64_t d = 1; d <= n; ++d)
    if (n % d == 0) out.push_back(d);
  return out;
}

int64_t isqrt(int64_t q) {
  int64_t h = static_cast<int64_t>(std::sqrt(static_cast<double>(q)));
  while (h * h > q) --h;
  while ((h + 1) * (h + 1) <= q) ++h;
  return h;
}

// Kernel = stride windows (avgpool3d, ppllava, conv3d): among kernels with kt dividing T0 and a
// square spatial kernel dividing both grid sides, the largest token count within the budget;
// on a tie the smaller kt, since spatial reduction costs less accuracy than temporal.
void solve_window_kernel(BudgetPlan& p) {
  int64_t best = -1, best_kt = 0, best_k = 0;
  for (int64_t kt : divisors(p.frames_requested))
    for (int64_t k : divisors(std::min(p.rows, p.cols))) {
      if (p.rows % k || p.cols % k) continue;
      const int64_t n = (p.frames_requested / kt) * (p.rows / k) * (p.cols / k);
      if (n <= p.budget && (n > best || (n == best && kt < best_kt))) {
        best = n;
        best_kt = kt;
        best_k = k;
      }
    }
  p.frames = p.frames_requested;
  p.params["kernel"] = {best_kt, best_k, best_k};
  p.rule = "kernel = stride with kt dividing T0 and kh = kw dividing the grid; most tokens within B, then the "
           "smaller kt";
}

}  // namespace

std::pair<int64_t, int64_t> fit2(int64_t q) {
  if (q < 1) return {0, 0};
  const int64_t h = isqrt(q);
  return h * (h + 1) <= q ? std::make_pair(h, h + 1) : std::make_pair(h, h);
}

nlohmann::json BudgetPlan::to_json() const {
  nlohmann::json j{{"method", method},     {"budget", budget},   {"frames_requested", frames_requested},
                   {"grid", {rows, cols}}, {"feasible", feasible}};
  if (!feasible) {
    j["reason"] = reason;
    return j;
  }
  j["frames"] = frames;
  j["params"] = params;
  j["tokens"] = tokens;
  j["under_filled"] = under_filled;
  j["rule"] = rule;
  return j;
}

BudgetPlan solve_budget(const std::string& method, int64_t budget, int64_t frames, int64_t rows, int64_t cols) {
  const TokenReducer& reducer = builtin_reducers().get(method);  // an unknown name lists the valid ones
  if (budget < 1) throw std::runtime_error("budget " + std::to_string(budget) + ": a budget is at least one token");
  if (frames < 1) throw std::runtime_error("frames " + std::to_string(frames) + ": a video has at least one frame");
  if (rows < 1 || cols < 1)
    throw std::runtime_error("grid " + std::to_string(rows) + "x" + std::to_string(cols) + " has no patches");
  BudgetPlan p;
  p.method = method;
  p.budget = budget;
  p.frames_requested = frames;
  p.rows = rows;
  p.cols = cols;
  p.params = reducer.default_params;
  auto infeasible = [&](const std::string& why) {
    p.feasible = false;
    p.reason = why;
    p.params = nlohmann::json::object();
    return p;
  };

  if (method == "full") {
    // Every patch of every frame: only fewer frames fit a smaller budget.
    p.frames = std::min(frames, budget / (rows * cols));
    if (p.frames == 0)
      return infeasible("one frame alone is " + std::to_string(rows * cols) + " tokens, more than the budget");
    p.rule = "T = min(T0, floor(B / (h*w)))";
  } else if (method == "pool2d") {
    // The LLaVA-NeXT-Video release: stride 2 per frame, fewer frames for a smaller budget.
    const int64_t stride = reducer.default_params.value("stride", 2);
    const int64_t per_frame = (rows / stride) * (cols / stride);
    if (per_frame == 0) return infeasible("stride " + std::to_string(stride) + " leaves no token of the grid");
    p.frames = std::min(frames, budget / per_frame);
    if (p.frames == 0)
      return infeasible("one frame alone is " + std::to_string(per_frame) + " tokens, more than the budget");
    p.params["stride"] = stride;
    p.rule = "stride 2; T = min(T0, floor(B / (floor(h/2)*floor(w/2))))";
  } else if (method == "avgpool3d" || method == "ppllava" || method == "conv3d") {
    solve_window_kernel(p);
  } else if (method == "slowfast") {
    // SlowFast-LLaVA's own split: the slow pathway keeps its share 2880/3680 of the budget.
    const int64_t per_slow = rows * cols / 2;  // max-pool of stride 2 over each frame's flattened tokens
    const int64_t slow = std::min(frames, std::max<int64_t>(1, 10 * budget / 3680));
    const int64_t rest = budget - per_slow * slow;
    if (rest < 0)
      return infeasible("one slow frame alone is " + std::to_string(per_slow) + " tokens, more than the budget");
    const int64_t q = rest / frames;
    int64_t fast_frames = frames;
    std::pair<int64_t, int64_t> g = fit2(q);
    if (q < 1) {  // too little left for every frame: one token each for as many frames as fit
      g = {1, 1};
      fast_frames = rest;
    }
    g.first = std::min(g.first, rows);
    g.second = std::min(g.second, cols);
    p.frames = frames;
    p.params["slow_frames"] = slow;
    p.params["fast_grid"] = {g.first, g.second};
    p.params["fast_frames"] = fast_frames;
    p.rule = "S = min(T0, max(1, floor(10 B / 3680))); fast grid fit2(floor((B - S*h*w/2) / T0)), or 1x1 on as "
             "many frames as the rest allows";
  } else if (method == "pllava") {
    int64_t t = std::min<int64_t>(frames, 16);
    int64_t h = std::min(rows, isqrt(budget / t)), w = std::min(cols, h);
    if (h < 1) {  // fewer than one token per output frame: fewer output frames
      t = std::min(t, budget);
      h = w = 1;
    } else if (w + 1 <= cols && t * h * (w + 1) <= budget) {
      ++w;
    }
    p.frames = frames;
    p.params["shape"] = {t, h, w};
    p.rule = "T' = min(T0, 16); h' = w' = floor(sqrt(B / T')), w' + 1 when it still fits";
  } else {
    return infeasible("no budget rule for method '" + method + "'");
  }
  p.tokens = reducer.count({p.frames, rows, cols}, p.params);
  if (p.tokens > budget)
    throw std::logic_error("budget solver: " + method + " gives " + std::to_string(p.tokens) + " tokens over the budget " +
                           std::to_string(budget));
  p.under_filled = p.tokens * 10 < budget * 9;
  return p;
}

}  // namespace ppb::model
