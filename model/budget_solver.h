// One visual-token budget for every method: the solver turns (method, budget B, frames T0, patch
// grid) into the concrete reducer parameters, the frames the method samples and its exact token
// count N <= B, so that a comparison is fair by construction (reference/baselines.md section 6).
// A method that cannot reach B says why instead of silently running at another size.
#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "model/token_reducers.h"

namespace ppb::model {

struct BudgetPlan {
  std::string method;            // the method solved for
  int64_t budget = 0;            // B: embeddings the visual pathway may put into the LLM
  int64_t frames_requested = 0;  // T0: the run's frame count
  int64_t rows = 0, cols = 0;    // the vision tower's patch grid
  bool feasible = true;          // false: the method cannot run at this budget (see reason)
  std::string reason;            // why not, when infeasible
  int64_t frames = 0;            // frames the method samples (full and pool2d may take fewer than T0)
  nlohmann::json params;         // the reducer's parameters
  int64_t tokens = 0;            // N, the reducer's exact output count (0 when infeasible)
  bool under_filled = false;     // N < 0.9 B: the method cannot use the budget well
  std::string rule;              // the rule that produced the parameters, in words

  nlohmann::json to_json() const;
};

// Solves `method` at budget `budget` for `frames` frames of a rows x cols patch grid. Throws for
// an unknown method (listing the valid ones), a budget below 1, no frames or an empty grid; a
// method that cannot reach the budget comes back with feasible = false and the reason.
BudgetPlan solve_budget(const std::string& method, int64_t budget, int64_t frames, int64_t rows, int64_t cols);

// fit2(q): the near-square grid (h, w) with h <= w <= h + 1 and the largest h*w <= q; (0, 0) when q < 1.
std::pair<int64_t, int64_t> fit2(int64_t q);

}  // namespace ppb::model
