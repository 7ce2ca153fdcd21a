// Every method's reducer on the released geometry, [T, 24, 24, 4096] float32 projected tokens with
// T = 32 and 64, at the budget solver's parameters for 32 tokens per frame (1024 and 2048), timed
// beside one copy and one read-only pass over the input (the memory-bandwidth floor of any
// reducer that reads it once).
// docs/PERFORMANCE.md reports each as a multiple of that copy.
// Run: build/ppb_bench --benchmark_filter=reduce --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include <cstring>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include "model/budget_solver.h"
#include "model/token_reducers.h"

namespace {

constexpr int64_t kWidth = 4096;  // the released LLM width: the reducers see projected tokens

// The floor: one memcpy of the input into a preallocated buffer.
void BM_reduce_input_copy(benchmark::State& state) {
  at::set_num_threads(1);
  const at::Tensor x = at::randn({state.range(0), 24, 24, kWidth});
  at::Tensor y = at::zeros_like(x);  // touched once, so page faults stay out of the timing
  for (auto _ : state) {
    std::memcpy(y.data_ptr<float>(), x.data_ptr<float>(), x.numel() * sizeof(float));
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * x.numel() * 4);
}
BENCHMARK(BM_reduce_input_copy)->Arg(32)->Arg(64)->Unit(benchmark::kMillisecond);

// One vectorised read of the input and nothing written: a sum over every value.
void BM_reduce_input_read(benchmark::State& state) {
  at::set_num_threads(1);
  const at::Tensor x = at::randn({state.range(0), 24, 24, kWidth});
  for (auto _ : state) benchmark::DoNotOptimize(x.sum());
  state.SetBytesProcessed(state.iterations() * x.numel() * 4);
}
BENCHMARK(BM_reduce_input_read)->Arg(32)->Arg(64)->Unit(benchmark::kMillisecond);

void reduce_with_plan(benchmark::State& state, const std::string& method) {
  at::set_num_threads(1);
  const int64_t frames = state.range(0);
  const at::Tensor x = at::randn({frames, 24, 24, kWidth});
  const ppb::model::BudgetPlan plan = ppb::model::solve_budget(method, 32 * frames, frames, 24, 24);
  const at::Tensor input = x.slice(0, 0, plan.frames);  // full and pool2d take fewer frames
  ppb::model::ReduceInputs in;
  in.relevance = at::softmax(at::randn({plan.frames * 576}), 0).view({plan.frames, 24, 24});
  const auto& r = ppb::model::builtin_reducers().get(method);
  for (auto _ : state) benchmark::DoNotOptimize(r.reduce(input, plan.params, in));
  state.SetBytesProcessed(state.iterations() * input.numel() * 4);
  state.SetLabel(plan.params.dump() + " -> " + std::to_string(plan.tokens) + " tokens");
}

void BM_reduce_ppllava(benchmark::State& s) { reduce_with_plan(s, "ppllava"); }
void BM_reduce_avgpool3d(benchmark::State& s) { reduce_with_plan(s, "avgpool3d"); }
void BM_reduce_conv3d(benchmark::State& s) { reduce_with_plan(s, "conv3d"); }
void BM_reduce_pool2d(benchmark::State& s) { reduce_with_plan(s, "pool2d"); }
void BM_reduce_slowfast(benchmark::State& s) { reduce_with_plan(s, "slowfast"); }
void BM_reduce_pllava(benchmark::State& s) { reduce_with_plan(s, "pllava"); }
BENCHMARK(BM_reduce_ppllava)->Arg(32)->Arg(64)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_reduce_avgpool3d)->Arg(32)->Arg(64)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_reduce_conv3d)->Arg(32)->Arg(64)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_reduce_pool2d)->Arg(32)->Arg(64)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_reduce_slowfast)->Arg(32)->Arg(64)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_reduce_pllava)->Arg(32)->Arg(64)->Unit(benchmark::kMillisecond);

}  // namespace
