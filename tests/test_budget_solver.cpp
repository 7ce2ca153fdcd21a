// The budget solver against the worked table of reference/baselines.md section 6 (computed
// there by hand), SlowFast-LLaVA's own default, fit2, the kernel tie-break, infeasible budgets,
// bad input, and every plan's token count confirmed by running its reducer.
#include "tests/catch_aten.h"

#include "model/budget_solver.h"
#include "model/token_reducers.h"

using namespace ppb::model;
using nlohmann::json;

TEST_CASE("fit2: the near-square grid with the most cells", "[budget]") {
  CHECK(fit2(14) == std::make_pair<int64_t, int64_t>(3, 4));
  CHECK(fit2(16) == std::make_pair<int64_t, int64_t>(4, 4));
  CHECK(fit2(19) == std::make_pair<int64_t, int64_t>(4, 4));
  CHECK(fit2(20) == std::make_pair<int64_t, int64_t>(4, 5));
  CHECK(fit2(2) == std::make_pair<int64_t, int64_t>(1, 2));
  CHECK(fit2(1) == std::make_pair<int64_t, int64_t>(1, 1));
  CHECK(fit2(0) == std::make_pair<int64_t, int64_t>(0, 0));
}

TEST_CASE("the worked table: B = 1024, T0 = 32, a 24x24 grid", "[budget]") {
  for (const char* m : {"ppllava", "avgpool3d", "conv3d"}) {
    INFO(m);
    const BudgetPlan p = solve_budget(m, 1024, 32, 24, 24);
    CHECK(p.feasible);
    CHECK(p.params["kernel"] == json({2, 3, 3}));
    CHECK(p.frames == 32);
    CHECK(p.tokens == 1024);
    CHECK_FALSE(p.under_filled);
  }
  const BudgetPlan sf = solve_budget("slowfast", 1024, 32, 24, 24);
  CHECK(sf.params["slow_frames"] == 2);   // floor(10 * 1024 / 3680)
  CHECK(sf.params["fast_grid"] == json({3, 4}));  // fit2(floor((1024 - 2*288) / 32)) = fit2(14)
  CHECK(sf.params["fast_frames"] == 32);
  CHECK(sf.tokens == 960);                 // 2*288 + 32*12
  const BudgetPlan pl = solve_budget("pllava", 1024, 32, 24, 24);
  CHECK(pl.params["shape"] == json({16, 8, 8}));
  CHECK(pl.tokens == 1024);
  const BudgetPlan p2 = solve_budget("pool2d", 1024, 32, 24, 24);
  CHECK(p2.frames == 7);                   // floor(1024 / 144)
  CHECK(p2.tokens == 1008);
  CHECK(p2.params["stride"] == 2);
  const BudgetPlan full = solve_budget("full", 1024, 32, 24, 24);
  CHECK(full.frames == 1);
  CHECK(full.tokens == 576);
  CHECK(full.under_filled);                // 576 < 0.9 * 1024
}

TEST_CASE("SlowFast-LLaVA's default comes back at B = 3680, T0 = 50", "[budget]") {
  const BudgetPlan p = solve_budget("slowfast", 3680, 50, 24, 24);
  CHECK(p.params["slow_frames"] == 10);
  CHECK(p.params["fast_grid"] == json({4, 4}));
  CHECK(p.params["fast_frames"] == 50);
  CHECK(p.tokens == 10 * 288 + 50 * 16);
}

TEST_CASE("PLLaVA widens its last axis when that still fits", "[budget]") {
  CHECK(solve_budget("pllava", 1100, 32, 24, 24).params["shape"] == json({16, 8, 8}));  // 16*8*9 = 1152 > 1100
  CHECK(solve_budget("pllava", 1200, 32, 24, 24).params["shape"] == json({16, 8, 9}));
  CHECK(solve_budget("pllava", 10, 32, 24, 24).params["shape"] == json({10, 1, 1}));   // under one token a frame
  CHECK(solve_budget("pllava", 100000, 8, 24, 24).params["shape"] == json({8, 24, 24}));  // never past the grid
}

TEST_CASE("kernel ties go to the smaller temporal kernel", "[budget]") {
  // T0 = 4 on a 4x4 grid at B = 16: (1,2,2) and (4,1,1) both give 16 tokens.
  CHECK(solve_budget("avgpool3d", 16, 4, 4, 4).params["kernel"] == json({1, 2, 2}));
  // A 27x27 grid (SigLIP-like) has divisors 1, 3, 9, 27: at B = 1024, T0 = 32 the candidates within
  // B are (32,1,1) with 729 tokens, (4,3,3) with 648, (1,9,9) with 288...: the rule takes the most
  // tokens, 729 by pooling all 32 frames into one, and the plan says it is under-filled.
  const BudgetPlan odd = solve_budget("avgpool3d", 1024, 32, 27, 27);
  CHECK(odd.params["kernel"] == json({32, 1, 1}));
  CHECK(odd.tokens == 729);
  CHECK(odd.under_filled);
}

TEST_CASE("budgets a method cannot reach are infeasible, with the reason", "[budget]") {
  const BudgetPlan full = solve_budget("full", 500, 32, 24, 24);
  CHECK_FALSE(full.feasible);
  CHECK_THAT(full.reason, Catch::Contains("576 tokens"));
  CHECK_FALSE(solve_budget("pool2d", 100, 32, 24, 24).feasible);
  const BudgetPlan sf = solve_budget("slowfast", 200, 32, 24, 24);
  CHECK_FALSE(sf.feasible);
  CHECK_THAT(sf.reason, Catch::Contains("slow frame"));
  CHECK(sf.to_json()["feasible"] == false);
}

TEST_CASE("bad input names what is wrong and the valid choices", "[budget]") {
  CHECK_THROWS_WITH(solve_budget("ppllava", 0, 32, 24, 24), Catch::Contains("at least one token"));
  CHECK_THROWS_WITH(solve_budget("ppllava", 1024, 0, 24, 24), Catch::Contains("at least one frame"));
  CHECK_THROWS_WITH(solve_budget("tome", 1024, 32, 24, 24),
                    Catch::Contains("unknown method 'tome'") && Catch::Contains("slowfast"));
}

TEST_CASE("every plan's token count is what its reducer produces", "[budget]") {
  at::manual_seed(8);
  for (const auto& method : builtin_reducers().names())
    for (int64_t budget : {64, 300, 1024, 3680})
      for (int64_t frames : {1, 8, 32}) {
        const BudgetPlan p = solve_budget(method, budget, frames, 24, 24);
        INFO(method << " B=" << budget << " T0=" << frames << " " << p.to_json().dump());
        if (!p.feasible) continue;
        CHECK(p.tokens <= budget);
        const at::Tensor x = at::randn({p.frames, 24, 24, 8});
        ReduceInputs in;
        in.relevance = at::full({p.frames, 24, 24}, 1.0 / (p.frames * 576.0));
        CHECK(builtin_reducers().get(method).reduce(x, p.params, in).size(0) == p.tokens);
      }
}
